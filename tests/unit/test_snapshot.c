/* test_snapshot.c - boot snapshots without KVM: the state file format, the
 * hand-off device, and the devices' save/restore (virtio-mmio + blk,
 * serial), including blobs that must be refused. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "virtio_fake.h"
#include "vmm/devices/handoff.h"
#include "vmm/launch.h"
#include "vmm/devices/serial.h"
#include "vmm/devices/virtio.h"
#include "vmm/milestone.h"
#include "vmm/snapfile.h"

/* --- the state file ------------------------------------------------------ */

static void test_snapfile_roundtrip(void **state)
{
	(void)state;
	struct snap_writer w;
	snapfile_init(&w);
	uint64_t size = 128ULL << 20;
	assert_int_equal(snapfile_put(&w, SNAP_KEY, "key", 3), 0);
	assert_int_equal(snapfile_put(&w, SNAP_MEM_SIZE, &size, sizeof(size)), 0);
	assert_int_equal(snapfile_put(&w, SNAP_DEVICE, "serial\0ab", 9), 0);
	assert_int_equal(snapfile_put(&w, SNAP_DEVICE, "i8042", 6), 0);
	assert_int_equal(snapfile_finish(&w), 0);

	struct snap_record rec[SNAPFILE_MAX_RECORDS];
	int n = snapfile_parse(w.buf, w.len, rec, SNAPFILE_MAX_RECORDS);
	assert_int_equal(n, 4);
	uint64_t got = 0;
	assert_int_equal(snapfile_get(rec, (size_t)n, SNAP_MEM_SIZE, &got, sizeof(got)), 0);
	assert_int_equal(got, size);
	/* a record of another size is refused, not half-copied */
	uint32_t small;
	assert_int_equal(snapfile_get(rec, (size_t)n, SNAP_MEM_SIZE, &small, sizeof(small)), -EINVAL);
	const struct snap_record *d = snapfile_find(rec, (size_t)n, SNAP_DEVICE, 1);
	assert_non_null(d);
	assert_string_equal(d->data, "i8042");
	assert_null(snapfile_find(rec, (size_t)n, SNAP_DEVICE, 2));
	assert_null(snapfile_find(rec, (size_t)n, SNAP_CLOCK, 0));
	snapfile_free(&w);
}

static void test_snapfile_malformed(void **state)
{
	(void)state;
	struct snap_writer w;
	snapfile_init(&w);
	snapfile_put(&w, SNAP_KEY, "abcdefgh", 8);
	struct snap_record rec[4];

	/* truncated anywhere inside the record: refused */
	for (size_t len = 0; len < w.len; len++)
		if (len != 8) /* the magic alone is an empty, valid file */
			assert_true(snapfile_parse(w.buf, len, rec, 4) < 0);
	assert_int_equal(snapfile_parse(w.buf, 8, rec, 4), 0);

	uint8_t *copy = malloc(w.len);
	memcpy(copy, w.buf, w.len);
	copy[0] = 'X'; /* foreign magic */
	assert_int_equal(snapfile_parse(copy, w.len, rec, 4), -EINVAL);
	memcpy(copy, w.buf, w.len);
	uint32_t bad_tag = 99;
	memcpy(copy + 8, &bad_tag, 4);
	assert_int_equal(snapfile_parse(copy, w.len, rec, 4), -EINVAL);
	memcpy(copy, w.buf, w.len);
	uint32_t huge = 0xfffffff0u; /* a length running past the end */
	memcpy(copy + 12, &huge, 4);
	assert_int_equal(snapfile_parse(copy, w.len, rec, 4), -EINVAL);
	free(copy);

	/* more records than the caller has room for */
	for (int i = 0; i < 4; i++)
		snapfile_put(&w, SNAP_DEVICE, "x", 1);
	assert_int_equal(snapfile_parse(w.buf, w.len, rec, 4), -E2BIG);
	snapfile_free(&w);
}

static void test_snapfile_size_limit(void **state)
{
	(void)state;
	struct snap_writer w;
	snapfile_init(&w);
	static char big[SNAPFILE_MAX_BYTES];
	assert_int_equal(snapfile_put(&w, SNAP_KEY, big, sizeof(big)), -E2BIG);
	/* the error sticks */
	assert_int_equal(snapfile_put(&w, SNAP_KEY, "k", 1), -E2BIG);
	assert_int_equal(snapfile_finish(&w), -E2BIG);
	snapfile_free(&w);
}

/* --- the hand-off device --------------------------------------------------- */

static void test_handoff_extra_records(void **state)
{
	(void)state;
	char buf[256] = "ahello";
	unsigned char seed[32];
	for (int i = 0; i < 32; i++)
		seed[i] = (unsigned char)(i * 8 + 1);
	int n = handoff_format_extra(buf, 7, sizeof(buf), 1234567890123LL, seed);
	assert_true(n > 0);
	assert_string_equal(buf + 7, "t1234567890123");
	const char *s = buf + 7 + strlen(buf + 7) + 1;
	assert_int_equal(s[0], MS_CFG_SEED);
	assert_int_equal(strlen(s + 1), 64);
	assert_memory_equal(s + 1, "01091119", 8);
	assert_int_equal(n, (int)(s + 66 - buf));
	/* no room: refused, nothing claimed */
	assert_int_equal(handoff_format_extra(buf, 7, 30, 1, seed), -ENOSPC);
}

static int ready_calls, taken_calls;
static void on_event(void *ctx, enum handoff_event ev)
{
	(void)ctx;
	if (ev == HANDOFF_READY)
		ready_calls++;
	else
		taken_calls++;
}

static uint32_t pio_in(struct device *d, uint16_t port, uint32_t len)
{
	uint32_t v = 0xffffffff;
	assert_int_equal(d->ops->read(d, port - d->base, &v, len), 0);
	return v;
}

static void test_handoff_device(void **state)
{
	(void)state;
	const char cfg[] = "aecho\0ahi"; /* two records, 9 bytes + NUL */
	struct device *d = NULL;
	struct vmctl_err err = {0};
	assert_int_equal(handoff_create(&d, cfg, sizeof(cfg), on_event, NULL, &err), 0);
	uint8_t one = 0;
	ready_calls = taken_calls = 0;
	d->ops->write(d, MS_HANDOFF_READY - d->base, &one, 1);
	assert_int_equal(ready_calls, 1);
	/* once per VM: a second READY (a workload poking the port) is no
	 * second snapshot */
	d->ops->write(d, MS_HANDOFF_READY - d->base, &one, 1);
	assert_int_equal(ready_calls, 1);

	uint32_t len = pio_in(d, MS_HANDOFF_LEN, 4);
	assert_int_equal(taken_calls, 1);
	assert_true(len > sizeof(cfg) + 64); /* + time and seed */
	assert_int_equal(pio_in(d, MS_HANDOFF_LEN, 4), len); /* stable */
	char got[512] = {0};
	for (uint32_t i = 0; i < len; i += 4) {
		uint32_t v = pio_in(d, MS_HANDOFF_DATA, 4);
		memcpy(got + i, &v, len - i < 4 ? len - i : 4);
	}
	assert_memory_equal(got, cfg, sizeof(cfg));
	assert_int_equal(got[sizeof(cfg)], MS_CFG_TIME);
	/* past the end: zeros, never stale bytes */
	assert_int_equal(pio_in(d, MS_HANDOFF_DATA, 4), 0);
	assert_int_equal(taken_calls, 1);
	d->ops->destroy(d);

	/* READY after the config was taken (no READY before): ignored too */
	assert_int_equal(handoff_create(&d, cfg, sizeof(cfg), on_event, NULL, &err), 0);
	ready_calls = 0;
	pio_in(d, MS_HANDOFF_LEN, 4);
	d->ops->write(d, MS_HANDOFF_READY - d->base, &one, 1);
	assert_int_equal(ready_calls, 0);
	d->ops->destroy(d);

	static char huge[MS_HANDOFF_MAX];
	assert_int_equal(handoff_create(&d, huge, sizeof(huge), NULL, NULL, &err), -E2BIG);
}

/* --- devices ------------------------------------------------------------- */

static void test_serial_save_restore(void **state)
{
	(void)state;
	struct device *a = NULL, *b = NULL;
	struct vmctl_err err = {0};
	assert_int_equal(serial_create(&a, 0x3f8, 4, NULL, NULL, &err), 0);
	assert_int_equal(serial_create(&b, 0x3f8, 4, NULL, NULL, &err), 0);
	uint8_t v = 0x80; /* DLAB: set the divisor */
	a->ops->write(a, 3, &v, 1);
	v = 0x0c;
	a->ops->write(a, 0, &v, 1);
	v = 0x03;
	a->ops->write(a, 3, &v, 1);
	v = 0x05; /* IER */
	a->ops->write(a, 1, &v, 1);
	v = 0x5a; /* scratch */
	a->ops->write(a, 7, &v, 1);

	uint8_t blob[64];
	int n = a->ops->save(a, blob, sizeof(blob));
	assert_true(n > 0);
	assert_int_equal(a->ops->save(a, blob, 2), -ENOSPC);
	assert_int_equal(b->ops->restore(b, blob, (size_t)n - 1), -EINVAL);
	assert_int_equal(b->ops->restore(b, blob, (size_t)n), 0);
	uint8_t r = 0;
	b->ops->read(b, 1, &r, 1);
	assert_int_equal(r, 0x05);
	b->ops->read(b, 7, &r, 1);
	assert_int_equal(r, 0x5a);
	v = 0x83;
	b->ops->write(b, 3, &v, 1);
	b->ops->read(b, 0, &r, 1);
	assert_int_equal(r, 0x0c); /* the divisor came along */
	a->ops->destroy(a);
	b->ops->destroy(b);
}

static struct device *make_blk(struct fake_guest *g, enum virtio_blk_mode mode,
			       char *path)
{
	struct device *d = NULL;
	struct vmctl_err err = {0};
	assert_int_equal(virtio_blk_create(&d, 0xd0000000ULL, 7, path, mode, &err), 0);
	attach(d, g);
	return d;
}

static void test_virtio_blk_save_restore(void **state)
{
	(void)state;
	char path[] = "/tmp/vmctl-test-snap-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, 1 << 20), 0);
	close(fd);
	struct fake_guest g;
	fake_guest_init(&g, 8);

	struct device *a = make_blk(&g, VIRTIO_BLK_SNAPSHOT, path);
	bring_up(a, &g, 1);
	static uint8_t blob[4096];
	int n = a->ops->save(a, blob, sizeof(blob));
	assert_true(n > 0);

	struct device *b = make_blk(&g, VIRTIO_BLK_SNAPSHOT, path);
	assert_int_equal(b->ops->restore(b, blob, (size_t)n), 0);
	assert_int_equal(rd(b, VIRTIO_MMIO_STATUS), rd(a, VIRTIO_MMIO_STATUS));
	wr(b, VIRTIO_MMIO_QUEUE_SEL, 0);
	assert_int_equal(rd(b, VIRTIO_MMIO_QUEUE_READY), 1);

	/* refused: truncated, and a queue whose rings leave guest memory */
	struct device *c = make_blk(&g, VIRTIO_BLK_SNAPSHOT, path);
	assert_int_equal(c->ops->restore(c, blob, (size_t)n - 1), -EINVAL);
	uint8_t bad[4096];
	memcpy(bad, blob, (size_t)n);
	uint64_t far = FAKE_MEM_SIZE + 0x1000;
	/* the first queue's desc address follows the fixed header */
	memcpy(bad + n - 32, &far, sizeof(far));
	assert_int_equal(c->ops->restore(c, bad, (size_t)n), -EINVAL);
	wr(c, VIRTIO_MMIO_QUEUE_SEL, 0);
	assert_int_equal(rd(c, VIRTIO_MMIO_QUEUE_READY), 0);

	assert_int_equal(a->ops->save(a, blob, 8), -ENOSPC);
	a->ops->destroy(a);
	b->ops->destroy(b);
	c->ops->destroy(c);

	/* a disk the guest writes straight through cannot be snapshotted
	 * (and is opened exclusively: the others are gone now) */
	struct device *rw = make_blk(&g, VIRTIO_BLK_READ_WRITE, path);
	assert_int_equal(rw->ops->save(rw, blob, sizeof(blob)), -EBUSY);
	rw->ops->destroy(rw);
	unlink(path);
	fake_guest_free(&g);
}

/* --- the monitor's request (vmm/launch.h) ------------------------------------ */

static void test_request_roundtrip(void **state)
{
	(void)state;
	static const char handoff[] = "atrue\0ehome=/\0"; /* NULs inside */
	struct vm_config in = {.kernel_path = "/k/vmlinux",
			       .initramfs_path = "/c/init.cpio",
			       .disk_path = NULL,
			       .disk_snapshot = true,
			       .extra_cmdline = "vmctl_root=vda",
			       .mem_bytes = 64ULL << 20,
			       .vcpus = 1,
			       .timeout_sec = 7,
			       .t0_ns = 123456789,
			       .handoff_config = handoff,
			       .handoff_len = sizeof(handoff),
			       .snapshot_dir = "/s/boot-1",
			       .snapshot_key = "key\nwith lines\n"};
	uint8_t *buf = NULL;
	size_t len = 0;
	assert_int_equal(vm_request_encode(&in, &buf, &len), 0);
	struct vm_config out;
	assert_int_equal(vm_request_decode(buf, len, &out), 0);
	assert_string_equal(out.kernel_path, in.kernel_path);
	assert_string_equal(out.initramfs_path, in.initramfs_path);
	assert_null(out.disk_path);
	assert_null(out.profile_path);
	assert_string_equal(out.extra_cmdline, in.extra_cmdline);
	assert_true(out.disk_snapshot);
	assert_int_equal(out.mem_bytes, in.mem_bytes);
	assert_int_equal(out.timeout_sec, 7);
	assert_int_equal(out.t0_ns, 123456789);
	assert_int_equal(out.handoff_len, sizeof(handoff));
	assert_memory_equal(out.handoff_config, handoff, sizeof(handoff));
	assert_string_equal(out.snapshot_dir, in.snapshot_dir);
	assert_string_equal(out.snapshot_key, in.snapshot_key);
	free(buf);
}

static void test_request_malformed(void **state)
{
	(void)state;
	struct vm_config in = {.kernel_path = "/k/vmlinux", .snapshot_key = "k"};
	uint8_t *buf = NULL;
	size_t len = 0;
	assert_int_equal(vm_request_encode(&in, &buf, &len), 0);
	struct vm_config out;
	uint8_t *copy = malloc(len + 8);
	/* every truncation is refused, and so is trailing junk */
	for (size_t n = 0; n < len; n++) {
		memcpy(copy, buf, len);
		assert_int_equal(vm_request_decode(copy, n, &out), -EINVAL);
	}
	memcpy(copy, buf, len);
	memset(copy + len, 'x', 8);
	assert_int_equal(vm_request_decode(copy, len + 8, &out), -EINVAL);
	/* a string length running past the end */
	memcpy(copy, buf, len);
	uint32_t huge = 0x7fffffff;
	memcpy(copy + sizeof(struct vm_config), &huge, sizeof(huge));
	assert_int_equal(vm_request_decode(copy, len, &out), -EINVAL);
	free(copy);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_snapfile_roundtrip),
	    cmocka_unit_test(test_snapfile_malformed),
	    cmocka_unit_test(test_snapfile_size_limit),
	    cmocka_unit_test(test_handoff_extra_records),
	    cmocka_unit_test(test_handoff_device),
	    cmocka_unit_test(test_serial_save_restore),
	    cmocka_unit_test(test_virtio_blk_save_restore),
	    cmocka_unit_test(test_request_roundtrip),
	    cmocka_unit_test(test_request_malformed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
