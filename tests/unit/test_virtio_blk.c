/* test_virtio_blk.c - virtio-blk requests through a made-up queue on a
 * temporary disk file. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "virtio_fake.h"
#include "vmm/devices/virtio.h"

#define SECTORS 16
#define T_IN 0
#define T_OUT 1
#define T_FLUSH 4
#define T_GET_ID 8
#define S_OK 0
#define S_IOERR 1
#define S_UNSUPP 2

#define HDR_GPA (FAKE_BUF)
#define DATA_GPA (FAKE_BUF + 0x1000)
#define STATUS_GPA (FAKE_BUF + 0x100)

struct fixture {
	struct fake_guest g;
	struct device *dev;
	char path[64];
	bool ro;
};

struct hdr {
	uint32_t type;
	uint32_t reserved;
	uint64_t sector;
};

/* Sector s of the disk holds the byte 's' + 1 repeated. */
static void make_disk(struct fixture *f)
{
	strcpy(f->path, "/tmp/vmctl-test-blk-XXXXXX");
	int fd = mkstemp(f->path);
	assert_true(fd >= 0);
	for (int s = 0; s < SECTORS; s++) {
		uint8_t sec[512];
		memset(sec, s + 1, sizeof(sec));
		assert_int_equal(write(fd, sec, sizeof(sec)), 512);
	}
	close(fd);
}

static int setup_mode(void **state, enum virtio_blk_mode mode);

static int setup_common(void **state, bool ro)
{
	return setup_mode(state, ro ? VIRTIO_BLK_READ_ONLY : VIRTIO_BLK_READ_WRITE);
}

static int setup_mode(void **state, enum virtio_blk_mode mode)
{
	bool ro = mode == VIRTIO_BLK_READ_ONLY;
	struct fixture *f = calloc(1, sizeof(*f));
	fake_guest_init(&f->g, 8);
	make_disk(f);
	f->ro = ro;
	struct vmctl_err err = {0};
	assert_int_equal(
	    virtio_blk_create(&f->dev, 0xd0001000, 6, f->path, mode, &err), 0);
	attach(f->dev, &f->g);
	bring_up(f->dev, &f->g, 1);
	assert_int_equal(rd(f->dev, VIRTIO_MMIO_STATUS) & 0xff,
			 VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
			     VIRTIO_STATUS_FEATURES_OK |
			     VIRTIO_STATUS_DRIVER_OK);
	*state = f;
	return 0;
}

static int setup(void **state)
{
	return setup_common(state, false);
}

static int setup_ro(void **state)
{
	return setup_common(state, true);
}

static int setup_snapshot(void **state)
{
	return setup_mode(state, VIRTIO_BLK_SNAPSHOT);
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	f->dev->ops->destroy(f->dev);
	unlink(f->path);
	fake_guest_free(&f->g);
	free(f);
	return 0;
}

/* Submits header / one data buffer / status as three descriptors (the
 * layout Linux uses without indirect descriptors) and notifies.  Returns
 * the status byte; *used_len gets the used length. */
static int submit(struct fixture *f, uint32_t type, uint64_t sector,
		  uint32_t data_len, uint32_t *used_len)
{
	struct fake_guest *g = &f->g;
	struct hdr h = {type, 0, sector};
	memcpy(gpa(g, HDR_GPA), &h, sizeof(h));
	*(uint8_t *)gpa(g, STATUS_GPA) = 0xee;
	bool dev_writes = type == T_IN || type == T_GET_ID;
	uint16_t head = (uint16_t)((g->avail_idx % 2) * 4); /* 0 or 4 */
	set_desc(g, head, HDR_GPA, sizeof(h), VIRTQ_DESC_F_NEXT, head + 1);
	if (data_len) {
		set_desc(g, head + 1, DATA_GPA, data_len,
			 VIRTQ_DESC_F_NEXT |
			     (dev_writes ? VIRTQ_DESC_F_WRITE : 0),
			 head + 2);
		set_desc(g, head + 2, STATUS_GPA, 1, VIRTQ_DESC_F_WRITE, 0);
	} else {
		set_desc(g, head + 1, STATUS_GPA, 1, VIRTQ_DESC_F_WRITE, 0);
	}
	uint16_t before = used_ring(g)->idx;
	make_avail(g, head);
	wr(f->dev, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	struct virtq_used *u = used_ring(g);
	assert_int_equal((uint16_t)(u->idx - before), 1);
	struct virtq_used_elem e = u->ring[before % 8];
	assert_int_equal(e.id, head);
	if (used_len)
		*used_len = e.len;
	return *(uint8_t *)gpa(g, STATUS_GPA);
}

static uint8_t disk_byte(struct fixture *f, off_t off)
{
	int fd = open(f->path, O_RDONLY);
	uint8_t b = 0;
	assert_int_equal(pread(fd, &b, 1, off), 1);
	close(fd);
	return b;
}

static void test_read(void **state)
{
	struct fixture *f = *state;
	uint32_t len = 0;
	assert_int_equal(submit(f, T_IN, 2, 1024, &len), S_OK);
	assert_int_equal(len, 1024 + 1);
	uint8_t *d = gpa(&f->g, DATA_GPA);
	assert_int_equal(d[0], 3);
	assert_int_equal(d[511], 3);
	assert_int_equal(d[512], 4);
	assert_int_equal(d[1023], 4);
	assert_int_equal(f->g.irq_raises, 1);
}

static void test_write_then_read(void **state)
{
	struct fixture *f = *state;
	memset(gpa(&f->g, DATA_GPA), 0x5a, 512);
	assert_int_equal(submit(f, T_OUT, 7, 512, NULL), S_OK);
	assert_int_equal(disk_byte(f, 7 * 512), 0x5a);
	assert_int_equal(disk_byte(f, 7 * 512 + 511), 0x5a);
	assert_int_equal(disk_byte(f, 8 * 512), 9); /* neighbour untouched */
	memset(gpa(&f->g, DATA_GPA), 0, 512);
	assert_int_equal(submit(f, T_IN, 7, 512, NULL), S_OK);
	assert_int_equal(*(uint8_t *)gpa(&f->g, DATA_GPA + 100), 0x5a);
	assert_int_equal(submit(f, T_FLUSH, 0, 0, NULL), S_OK);
}

/* Snapshot: the guest reads back what it wrote, the file never changes, a
 * partly written 4 KiB block keeps its other sectors (copied up first), and
 * a read across written and unwritten blocks takes each from its place. */
static void test_snapshot_copy_on_write(void **state)
{
	struct fixture *f = *state;
	memset(gpa(&f->g, DATA_GPA), 0x5a, 512);
	assert_int_equal(submit(f, T_OUT, 9, 512, NULL), S_OK);
	assert_int_equal(disk_byte(f, 9 * 512), 10); /* the file: unchanged */
	assert_int_equal(submit(f, T_IN, 6, 2048, NULL), S_OK);
	uint8_t *d = gpa(&f->g, DATA_GPA);
	assert_int_equal(d[0], 7);         /* sector 6: block 0, the file */
	assert_int_equal(d[512], 8);       /* sector 7 */
	assert_int_equal(d[1024], 9);      /* sector 8: block 1, copied up */
	assert_int_equal(d[1536], 0x5a);   /* sector 9: written */
	assert_int_equal(d[2047], 0x5a);
	assert_int_equal(submit(f, T_IN, 10, 512, NULL), S_OK);
	assert_int_equal(d[0], 11);        /* sector 10: rest of the block kept */
	assert_int_equal(submit(f, T_FLUSH, 0, 0, NULL), S_OK);
	/* Another snapshot of the same file may run beside this one. */
	struct device *other = NULL;
	struct vmctl_err err = {0};
	assert_int_equal(virtio_blk_create(&other, 0, 7, f->path, VIRTIO_BLK_SNAPSHOT, &err), 0);
	other->ops->destroy(other);
}

static void test_last_sector_ok(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(submit(f, T_IN, SECTORS - 1, 512, NULL), S_OK);
	assert_int_equal(*(uint8_t *)gpa(&f->g, DATA_GPA), SECTORS);
}

static void test_beyond_end_refused(void **state)
{
	struct fixture *f = *state;
	memset(gpa(&f->g, DATA_GPA), 0x77, 1024);
	assert_int_equal(submit(f, T_IN, SECTORS, 512, NULL), S_IOERR);
	/* Starts inside, ends outside. */
	assert_int_equal(submit(f, T_IN, SECTORS - 1, 1024, NULL), S_IOERR);
	assert_int_equal(submit(f, T_OUT, SECTORS - 1, 1024, NULL), S_IOERR);
	/* sector * 512 would wrap around to a small offset. */
	assert_int_equal(submit(f, T_OUT, UINT64_MAX / 256, 512, NULL),
			 S_IOERR);
	assert_int_equal(submit(f, T_IN, UINT64_MAX, 512, NULL), S_IOERR);
	/* The file did not grow. */
	int fd = open(f->path, O_RDONLY);
	assert_int_equal(lseek(fd, 0, SEEK_END), SECTORS * 512);
	close(fd);
}

static void test_partial_sector_refused(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(submit(f, T_IN, 0, 100, NULL), S_IOERR);
	assert_int_equal(submit(f, T_OUT, 0, 513, NULL), S_IOERR);
	assert_int_equal(disk_byte(f, 0), 1);
}

static void test_get_id(void **state)
{
	struct fixture *f = *state;
	uint32_t len = 0;
	memset(gpa(&f->g, DATA_GPA), 0, 64);
	assert_int_equal(submit(f, T_GET_ID, 0, 64, &len), S_OK);
	assert_int_equal(len, 20 + 1);
	const char *base = strrchr(f->path, '/') + 1;
	/* The id is the file's basename, cut to 20 bytes. */
	size_t n = strlen(base) < 20 ? strlen(base) : 20;
	assert_memory_equal(gpa(&f->g, DATA_GPA), base, n);
	assert_int_equal(*(uint8_t *)gpa(&f->g, DATA_GPA + 20), 0);
	/* A buffer shorter than the id gets what fits. */
	assert_int_equal(submit(f, T_GET_ID, 0, 4, &len), S_OK);
	assert_int_equal(len, 5);
}

static void test_unsupported_type(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(submit(f, 11 /* DISCARD */, 0, 0, NULL), S_UNSUPP);
	assert_int_equal(submit(f, 0xffffffff, 0, 0, NULL), S_UNSUPP);
}

static void test_ro_refuses_write(void **state)
{
	struct fixture *f = *state;
	memset(gpa(&f->g, DATA_GPA), 0x33, 512);
	assert_int_equal(submit(f, T_OUT, 0, 512, NULL), S_IOERR);
	assert_int_equal(disk_byte(f, 0), 1);
	assert_int_equal(submit(f, T_IN, 0, 512, NULL), S_OK);
	assert_int_equal(submit(f, T_FLUSH, 0, 0, NULL), S_OK);
	wr(f->dev, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	assert_true(rd(f->dev, VIRTIO_MMIO_DEVICE_FEATURES) & (1u << 5));
}

static void test_any_layout_and_indirect(void **state)
{
	struct fixture *f = *state;
	struct fake_guest *g = &f->g;
	/* Header split over two descriptors, data over two, through an
	 * indirect table. */
	const uint64_t table = FAKE_BUF + 0x8000;
	struct hdr h = {T_IN, 0, 5};
	memcpy(gpa(g, HDR_GPA), &h, sizeof(h));
	set_desc_at(g, table, 0, HDR_GPA, 10, VIRTQ_DESC_F_NEXT, 1);
	set_desc_at(g, table, 1, HDR_GPA + 10, 6, VIRTQ_DESC_F_NEXT, 2);
	set_desc_at(g, table, 2, DATA_GPA, 300,
		    VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 3);
	/* The second data piece also carries the status byte at its end. */
	set_desc_at(g, table, 3, DATA_GPA + 0x1000, 212 + 1, VIRTQ_DESC_F_WRITE,
		    0);
	set_desc(g, 6, table, 4 * 16, VIRTQ_DESC_F_INDIRECT, 0);
	make_avail(g, 6);
	wr(f->dev, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	struct virtq_used *u = used_ring(g);
	assert_int_equal(u->idx, 1);
	assert_int_equal(u->ring[0].id, 6);
	assert_int_equal(u->ring[0].len, 513);
	assert_int_equal(*(uint8_t *)gpa(g, DATA_GPA), 6);
	assert_int_equal(*(uint8_t *)gpa(g, DATA_GPA + 0x1000 + 211), 6);
	assert_int_equal(*(uint8_t *)gpa(g, DATA_GPA + 0x1000 + 212), S_OK);
}

static void test_missing_status_needs_reset(void **state)
{
	struct fixture *f = *state;
	struct fake_guest *g = &f->g;
	struct hdr h = {T_IN, 0, 0};
	memcpy(gpa(g, HDR_GPA), &h, sizeof(h));
	set_desc(g, 0, HDR_GPA, sizeof(h), 0, 0); /* header only */
	make_avail(g, 0);
	wr(f->dev, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	assert_true(rd(f->dev, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_NEEDS_RESET);
	assert_int_equal(used_ring(g)->idx, 0);
}

static void test_data_outside_memory_needs_reset(void **state)
{
	struct fixture *f = *state;
	struct fake_guest *g = &f->g;
	struct hdr h = {T_IN, 0, 0};
	memcpy(gpa(g, HDR_GPA), &h, sizeof(h));
	set_desc(g, 0, HDR_GPA, sizeof(h), VIRTQ_DESC_F_NEXT, 1);
	set_desc(g, 1, FAKE_MEM_SIZE - 256, 512,
		 VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 2);
	set_desc(g, 2, STATUS_GPA, 1, VIRTQ_DESC_F_WRITE, 0);
	make_avail(g, 0);
	wr(f->dev, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	assert_true(rd(f->dev, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_NEEDS_RESET);
}

static void test_second_writer_refused(void **state)
{
	struct fixture *f = *state;
	struct device *dev = NULL;
	struct vmctl_err err = {0};
	assert_int_equal(virtio_blk_create(&dev, 0, 7, f->path, VIRTIO_BLK_READ_WRITE, &err),
			 -EWOULDBLOCK);
	assert_null(dev);
	assert_non_null(strstr(err.msg, "in use"));
}

static void test_missing_file(void **state)
{
	(void)state;
	struct device *dev = NULL;
	struct vmctl_err err = {0};
	assert_int_equal(
	    virtio_blk_create(&dev, 0, 7, "/nonexistent/disk.img", VIRTIO_BLK_READ_ONLY, &err),
	    -ENOENT);
	assert_non_null(strstr(err.msg, "/nonexistent/disk.img"));
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_read),
	    T(test_write_then_read),
	    cmocka_unit_test_setup_teardown(test_snapshot_copy_on_write, setup_snapshot,
					    teardown),
	    T(test_last_sector_ok),
	    T(test_beyond_end_refused),
	    T(test_partial_sector_refused),
	    T(test_get_id),
	    T(test_unsupported_type),
	    cmocka_unit_test_setup_teardown(test_ro_refuses_write, setup_ro,
					    teardown),
	    T(test_any_layout_and_indirect),
	    T(test_missing_status_needs_reset),
	    T(test_data_outside_memory_needs_reset),
	    T(test_second_writer_refused),
	    cmocka_unit_test(test_missing_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
