/* test_virtio_mmio.c - the virtio-mmio register protocol, and the console
 * device on top of it, driven like Linux's virtio_mmio driver would. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
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

#define BASE 0xd0000000ULL
#define GSI 5
#define ALL_DRV                                                                \
	(VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |                    \
	 VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK)

struct fixture {
	struct fake_guest g;
	struct device *dev;
	int out[2]; /* guest output lands in out[0] */
	int in[2];  /* host input written to in[1] */
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	fake_guest_init(&f->g, 8);
	assert_int_equal(pipe2(f->out, O_CLOEXEC | O_NONBLOCK), 0);
	assert_int_equal(pipe2(f->in, O_CLOEXEC | O_NONBLOCK), 0);
	struct vmctl_err err = {0};
	assert_int_equal(virtio_console_create(&f->dev, BASE, GSI, f->out[1],
					       f->in[0], &err),
			 0);
	attach(f->dev, &f->g);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	f->dev->ops->destroy(f->dev);
	for (int i = 0; i < 2; i++) {
		close(f->out[i]);
		close(f->in[i]);
	}
	fake_guest_free(&f->g);
	free(f);
	return 0;
}

static void test_identity(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(rd(f->dev, VIRTIO_MMIO_MAGIC_VALUE), 0x74726976);
	assert_int_equal(rd(f->dev, VIRTIO_MMIO_VERSION), 2);
	assert_int_equal(rd(f->dev, VIRTIO_MMIO_DEVICE_ID), VIRTIO_ID_CONSOLE);
	assert_int_equal(rd(f->dev, VIRTIO_MMIO_VENDOR_ID), VIRTIO_MMIO_VENDOR);
	assert_int_equal(f->dev->base, BASE);
	assert_int_equal(f->dev->len, VIRTIO_MMIO_WINDOW);
	assert_int_equal(f->dev->space, DEV_MMIO);
	/* No shared memory regions: length reads as ~0. */
	assert_int_equal(rd(f->dev, VIRTIO_MMIO_SHM_LEN_LOW), 0xffffffff);
}

static void test_bad_width_ignored(void **state)
{
	struct fixture *f = *state;
	uint16_t v16 = 0x1234;
	assert_int_equal(
	    f->dev->ops->read(f->dev, VIRTIO_MMIO_MAGIC_VALUE, &v16, 2), 0);
	assert_int_equal(v16, 0);
	/* A 1-byte status write does nothing. */
	uint8_t b = VIRTIO_STATUS_ACKNOWLEDGE;
	assert_int_equal(f->dev->ops->write(f->dev, VIRTIO_MMIO_STATUS, &b, 1),
			 0);
	assert_int_equal(rd(f->dev, VIRTIO_MMIO_STATUS), 0);
	/* Unaligned 32-bit read. */
	assert_int_equal(rd(f->dev, VIRTIO_MMIO_MAGIC_VALUE + 1), 0);
}

static void test_feature_words(void **state)
{
	struct fixture *f = *state;
	wr(f->dev, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	uint32_t lo = rd(f->dev, VIRTIO_MMIO_DEVICE_FEATURES);
	wr(f->dev, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	uint32_t hi = rd(f->dev, VIRTIO_MMIO_DEVICE_FEATURES);
	wr(f->dev, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 2);
	uint32_t beyond = rd(f->dev, VIRTIO_MMIO_DEVICE_FEATURES);
	assert_true(lo & (1u << VIRTIO_F_INDIRECT_DESC));
	assert_int_equal(hi, 1u << (VIRTIO_F_VERSION_1 - 32));
	assert_int_equal(beyond, 0);
}

static void drv_status(struct device *dev, uint32_t s)
{
	wr(dev, VIRTIO_MMIO_STATUS, s);
}

static void test_features_ok_accepts_subset(void **state)
{
	struct fixture *f = *state;
	drv_status(f->dev, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	wr(f->dev, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	wr(f->dev, VIRTIO_MMIO_DRIVER_FEATURES, 1); /* VERSION_1 only */
	drv_status(f->dev, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
			       VIRTIO_STATUS_FEATURES_OK);
	assert_true(rd(f->dev, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK);
	/* Features are frozen now: a late write changes nothing. */
	wr(f->dev, VIRTIO_MMIO_DRIVER_FEATURES, 0x80);
	setup_queue(f->dev, 0, 8, FAKE_DESC, FAKE_AVAIL, FAKE_USED);
	assert_int_equal(rd(f->dev, VIRTIO_MMIO_QUEUE_READY), 1);
}

static void test_features_ok_refuses_unoffered(void **state)
{
	struct fixture *f = *state;
	drv_status(f->dev, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	wr(f->dev, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	wr(f->dev, VIRTIO_MMIO_DRIVER_FEATURES, 1);
	wr(f->dev, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	wr(f->dev, VIRTIO_MMIO_DRIVER_FEATURES, 1u << 1); /* MULTIPORT */
	drv_status(f->dev, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
			       VIRTIO_STATUS_FEATURES_OK);
	assert_false(rd(f->dev, VIRTIO_MMIO_STATUS) &
		     VIRTIO_STATUS_FEATURES_OK);
}

static void test_features_ok_requires_version_1(void **state)
{
	struct fixture *f = *state;
	drv_status(f->dev, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	drv_status(f->dev, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
			       VIRTIO_STATUS_FEATURES_OK);
	assert_int_equal(rd(f->dev, VIRTIO_MMIO_STATUS),
			 VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
}

static void test_queue_registers(void **state)
{
	struct fixture *f = *state;
	wr(f->dev, VIRTIO_MMIO_QUEUE_SEL, 1);
	assert_int_equal(rd(f->dev, VIRTIO_MMIO_QUEUE_NUM_MAX), 32);
	assert_int_equal(rd(f->dev, VIRTIO_MMIO_QUEUE_READY), 0);
	wr(f->dev, VIRTIO_MMIO_QUEUE_SEL, 2); /* no such queue */
	assert_int_equal(rd(f->dev, VIRTIO_MMIO_QUEUE_NUM_MAX), 0);
	wr(f->dev, VIRTIO_MMIO_QUEUE_READY, 1);
	assert_int_equal(rd(f->dev, VIRTIO_MMIO_QUEUE_READY), 0);

	bring_up(f->dev, &f->g, 2);
	assert_int_equal(rd(f->dev, VIRTIO_MMIO_STATUS), ALL_DRV);
	wr(f->dev, VIRTIO_MMIO_QUEUE_SEL, 0);
	assert_int_equal(rd(f->dev, VIRTIO_MMIO_QUEUE_READY), 1);
	/* Disabling a queue works, and then it can be set up again. */
	wr(f->dev, VIRTIO_MMIO_QUEUE_READY, 0);
	assert_int_equal(rd(f->dev, VIRTIO_MMIO_QUEUE_READY), 0);
	wr(f->dev, VIRTIO_MMIO_QUEUE_READY, 1);
	assert_int_equal(rd(f->dev, VIRTIO_MMIO_QUEUE_READY), 1);
}

static void test_bad_queue_size_needs_reset(void **state)
{
	struct fixture *f = *state;
	drv_status(f->dev, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	wr(f->dev, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	wr(f->dev, VIRTIO_MMIO_DRIVER_FEATURES, 1);
	drv_status(f->dev, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
			       VIRTIO_STATUS_FEATURES_OK);
	setup_queue(f->dev, 0, 3, FAKE_DESC, FAKE_AVAIL, FAKE_USED);
	assert_int_equal(rd(f->dev, VIRTIO_MMIO_QUEUE_READY), 0);
	assert_true(rd(f->dev, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_NEEDS_RESET);
	/* The driver cannot clear NEEDS_RESET by writing the status... */
	drv_status(f->dev, VIRTIO_STATUS_ACKNOWLEDGE);
	assert_true(rd(f->dev, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_NEEDS_RESET);
	/* ...only a reset does. */
	drv_status(f->dev, 0);
	assert_int_equal(rd(f->dev, VIRTIO_MMIO_STATUS), 0);
	bring_up(f->dev, &f->g, 2);
	assert_int_equal(rd(f->dev, VIRTIO_MMIO_STATUS), ALL_DRV);
}

static void test_queue_larger_than_max_refused(void **state)
{
	struct fixture *f = *state;
	f->g.qsize = 64; /* QueueNumMax is 32 */
	bring_up(f->dev, &f->g, 1);
	assert_true(rd(f->dev, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_NEEDS_RESET);
}

static void test_queue_outside_memory_refused(void **state)
{
	struct fixture *f = *state;
	drv_status(f->dev, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	wr(f->dev, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	wr(f->dev, VIRTIO_MMIO_DRIVER_FEATURES, 1);
	drv_status(f->dev, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
			       VIRTIO_STATUS_FEATURES_OK);
	/* The descriptor table just past the end of guest memory. */
	setup_queue(f->dev, 0, 8, FAKE_MEM_SIZE, FAKE_AVAIL, FAKE_USED);
	assert_int_equal(rd(f->dev, VIRTIO_MMIO_QUEUE_READY), 0);
	assert_true(rd(f->dev, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_NEEDS_RESET);
}

static void test_queue_before_features_ok_refused(void **state)
{
	struct fixture *f = *state;
	drv_status(f->dev, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	setup_queue(f->dev, 0, 8, FAKE_DESC, FAKE_AVAIL, FAKE_USED);
	assert_int_equal(rd(f->dev, VIRTIO_MMIO_QUEUE_READY), 0);
}

static void test_config_space_console(void **state)
{
	struct fixture *f = *state;
	uint8_t buf[8];
	memset(buf, 0xff, sizeof(buf));
	f->dev->ops->read(f->dev, VIRTIO_MMIO_CONFIG, buf, 4);
	assert_int_equal(buf[0] | buf[1] | buf[2] | buf[3], 0);
	/* Beyond the 12-byte config: zero, never other memory. */
	memset(buf, 0xff, sizeof(buf));
	f->dev->ops->read(f->dev, VIRTIO_MMIO_CONFIG + 10, buf, 4);
	assert_int_equal(buf[0] | buf[1] | buf[2] | buf[3], 0);
	f->dev->ops->read(f->dev, VIRTIO_MMIO_WINDOW - 4, buf, 4);
	assert_int_equal(buf[0] | buf[1] | buf[2] | buf[3], 0);
}

static void test_config_space_blk(void **state)
{
	(void)state;
	char path[] = "/tmp/vmctl-test-mmio-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, 3 * 512 + 100), 0);
	close(fd);
	struct device *dev = NULL;
	struct vmctl_err err = {0};
	assert_int_equal(virtio_blk_create(&dev, BASE, GSI, path, VIRTIO_BLK_READ_ONLY, &err),
			 0);
	unlink(path);
	assert_int_equal(rd(dev, VIRTIO_MMIO_DEVICE_ID), VIRTIO_ID_BLOCK);
	uint64_t cap = 0;
	dev->ops->read(dev, VIRTIO_MMIO_CONFIG, &cap, 8);
	assert_int_equal(cap, 3);
	/* Linux reads a 64-bit field as two 32-bit halves. */
	assert_int_equal(rd(dev, VIRTIO_MMIO_CONFIG), 3);
	assert_int_equal(rd(dev, VIRTIO_MMIO_CONFIG + 4), 0);
	assert_int_equal(rd(dev, VIRTIO_MMIO_CONFIG + 20), 512); /* blk_size */
	/* The RO feature bit is offered for a read-only disk. */
	wr(dev, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	assert_true(rd(dev, VIRTIO_MMIO_DEVICE_FEATURES) & (1u << 5));
	dev->ops->destroy(dev);
}

static void test_cmdline(void **state)
{
	struct fixture *f = *state;
	char buf[128];
	assert_int_equal(virtio_mmio_cmdline(f->dev, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "virtio_mmio.device=4K@0xd0000000:5");
	assert_int_equal(
	    virtio_mmio_cmdline_format(buf, sizeof(buf), 0x1000, 0x200, 12), 0);
	assert_string_equal(buf, "virtio_mmio.device=0x200@0x1000:12");
	assert_int_equal(virtio_mmio_cmdline(f->dev, buf, 10), -ENAMETOOLONG);
	struct device other = {0};
	assert_int_equal(virtio_mmio_cmdline(&other, buf, sizeof(buf)),
			 -EINVAL);
}

/* Queue 1 (transmit) helpers: the fake's descriptor helpers point at
 * queue 0's rings by default. */
static uint16_t q1_avail;

static void post_tx(struct fixture *f, uint16_t head, const char *s)
{
	use_queue(&f->g, 1, &q1_avail);
	memcpy(gpa(&f->g, FAKE_BUF + head * 256), s, strlen(s));
	set_desc(&f->g, head, FAKE_BUF + head * 256, (uint32_t)strlen(s), 0, 0);
	make_avail(&f->g, head);
	use_queue(&f->g, 0, &q1_avail);
}

static void test_console_tx(void **state)
{
	struct fixture *f = *state;
	q1_avail = 0;
	bring_up(f->dev, &f->g, 2);
	post_tx(f, 0, "hello ");
	post_tx(f, 1, "world");
	/* Before notify: nothing happens. */
	char buf[64] = {0};
	assert_int_equal(read(f->out[0], buf, sizeof(buf)), -1);
	wr(f->dev, VIRTIO_MMIO_QUEUE_NOTIFY, 1);
	assert_int_equal(read(f->out[0], buf, sizeof(buf)), 11);
	assert_string_equal(buf, "hello world");
	struct virtq_used *u = gpa(&f->g, FAKE_USED2);
	assert_int_equal(u->idx, 2);
	/* One edge for the batch, and the status says why. */
	assert_int_equal(f->g.irq_raises, 1);
	assert_int_equal(f->g.irq_level, 0);
	assert_int_equal(rd(f->dev, VIRTIO_MMIO_INTERRUPT_STATUS),
			 VIRTIO_MMIO_INT_VRING);
	wr(f->dev, VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_VRING);
	assert_int_equal(rd(f->dev, VIRTIO_MMIO_INTERRUPT_STATUS), 0);
}

static void test_notify_before_driver_ok_ignored(void **state)
{
	struct fixture *f = *state;
	q1_avail = 0;
	bring_up(f->dev, &f->g, 2);
	drv_status(f->dev, 0);
	post_tx(f, 0, "x");
	wr(f->dev, VIRTIO_MMIO_QUEUE_NOTIFY, 1);
	wr(f->dev, VIRTIO_MMIO_QUEUE_NOTIFY, 7); /* no such queue */
	char buf[4];
	assert_int_equal(read(f->out[0], buf, sizeof(buf)), -1);
	assert_int_equal(f->g.irq_raises, 0);
}

static void test_malformed_queue_needs_reset(void **state)
{
	struct fixture *f = *state;
	q1_avail = 0;
	bring_up(f->dev, &f->g, 2);
	use_queue(&f->g, 1, &q1_avail);
	set_desc(&f->g, 0, FAKE_BUF, 4, VIRTQ_DESC_F_NEXT, 0); /* self loop */
	make_avail(&f->g, 0);
	use_queue(&f->g, 0, &q1_avail);
	wr(f->dev, VIRTIO_MMIO_QUEUE_NOTIFY, 1);
	assert_true(rd(f->dev, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_NEEDS_RESET);
	/* Signalled as a configuration change. */
	assert_int_equal(rd(f->dev, VIRTIO_MMIO_INTERRUPT_STATUS),
			 VIRTIO_MMIO_INT_CONFIG);
	assert_int_equal(f->g.irq_raises, 1);
	/* A broken device serves nothing, even once the chain is repaired. */
	use_queue(&f->g, 1, &q1_avail);
	set_desc(&f->g, 0, FAKE_BUF, 4, 0, 0);
	use_queue(&f->g, 0, &q1_avail);
	post_tx(f, 1, "late");
	wr(f->dev, VIRTIO_MMIO_QUEUE_NOTIFY, 1);
	char buf[8];
	assert_int_equal(read(f->out[0], buf, sizeof(buf)), -1);
	/* Reset and bring-up make it work again. */
	memset(gpa(&f->g, FAKE_DESC2), 0, 0x3000);
	q1_avail = 0;
	bring_up(f->dev, &f->g, 2);
	post_tx(f, 0, "again");
	wr(f->dev, VIRTIO_MMIO_QUEUE_NOTIFY, 1);
	assert_int_equal(read(f->out[0], buf, sizeof(buf)), 5);
}

static void test_no_interrupt_flag(void **state)
{
	struct fixture *f = *state;
	q1_avail = 0;
	bring_up(f->dev, &f->g, 2);
	((struct virtq_avail *)gpa(&f->g, FAKE_AVAIL2))->flags =
	    VIRTQ_AVAIL_F_NO_INTERRUPT;
	post_tx(f, 0, "quiet");
	wr(f->dev, VIRTIO_MMIO_QUEUE_NOTIFY, 1);
	assert_int_equal(f->g.irq_raises, 0);
	assert_int_equal(((struct virtq_used *)gpa(&f->g, FAKE_USED2))->idx, 1);
}

static bool readable(int fd)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	return poll(&p, 1, 0) == 1;
}

static void test_console_rx(void **state)
{
	struct fixture *f = *state;
	bring_up(f->dev, &f->g, 2);
	/* No receive buffer yet: the loop must not poll the input. */
	assert_int_equal(virtio_console_input_fd(f->dev), -1);
	assert_int_equal(write(f->in[1], "abc", 3), 3);
	assert_int_equal(virtio_console_poll_input(f->dev), 0);

	/* The guest posts a buffer: still nothing before input is started
	 * (Linux would drop it: its console port does not exist yet). */
	set_desc(&f->g, 0, FAKE_BUF, 2, VIRTQ_DESC_F_WRITE, 0);
	make_avail(&f->g, 0);
	wr(f->dev, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	int wake = virtio_console_wake_fd(f->dev);
	assert_false(readable(wake));
	assert_int_equal(virtio_console_input_fd(f->dev), -1);
	assert_int_equal(virtio_console_poll_input(f->dev), 0);
	assert_int_equal(used_ring(&f->g)->idx, 0);

	/* Started: the wake fd fires and the input fd is to be polled. */
	virtio_console_start_input(f->dev);
	assert_true(readable(wake));
	virtio_console_wake_clear(f->dev);
	assert_false(readable(wake));
	assert_int_equal(virtio_console_input_fd(f->dev), f->in[0]);

	/* Two bytes fit; the third waits for the next buffer, whose notify
	 * wakes the loop. */
	assert_int_equal(virtio_console_poll_input(f->dev), 2);
	assert_memory_equal(gpa(&f->g, FAKE_BUF), "ab", 2);
	struct virtq_used *u = used_ring(&f->g);
	assert_int_equal(u->idx, 1);
	assert_int_equal(u->ring[0].len, 2);
	assert_int_equal(f->g.irq_raises, 1);
	assert_int_equal(virtio_console_input_fd(f->dev), -1);

	set_desc(&f->g, 1, FAKE_BUF + 16, 16, VIRTQ_DESC_F_WRITE, 0);
	make_avail(&f->g, 1);
	wr(f->dev, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	assert_true(readable(wake));
	assert_int_equal(virtio_console_poll_input(f->dev), 1);
	assert_int_equal(*(char *)gpa(&f->g, FAKE_BUF + 16), 'c');

	/* Nothing to read: the buffer stays with the device. */
	set_desc(&f->g, 2, FAKE_BUF + 32, 16, VIRTQ_DESC_F_WRITE, 0);
	make_avail(&f->g, 2);
	assert_int_equal(virtio_console_poll_input(f->dev), 0);
	assert_int_equal(u->idx, 2);
	/* EOF: input stops being polled. */
	close(f->in[1]);
	f->in[1] = -1;
	assert_int_equal(virtio_console_poll_input(f->dev), 0);
	assert_int_equal(virtio_console_input_fd(f->dev), -1);
	assert_int_equal(u->idx, 2);
}

static void test_console_rx_bad_buffer_needs_reset(void **state)
{
	struct fixture *f = *state;
	bring_up(f->dev, &f->g, 2);
	virtio_console_start_input(f->dev);
	assert_int_equal(write(f->in[1], "z", 1), 1);
	/* A receive chain pointing outside guest memory. */
	set_desc(&f->g, 0, FAKE_MEM_SIZE, 16, VIRTQ_DESC_F_WRITE, 0);
	make_avail(&f->g, 0);
	assert_int_equal(virtio_console_poll_input(f->dev), 0);
	assert_true(rd(f->dev, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_NEEDS_RESET);
}

static void test_wrong_device_kind(void **state)
{
	struct device other = {0};
	(void)state;
	assert_int_equal(virtio_console_poll_input(&other), -EINVAL);
	assert_int_equal(virtio_console_input_fd(&other), -1);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_identity),
	    T(test_bad_width_ignored),
	    T(test_feature_words),
	    T(test_features_ok_accepts_subset),
	    T(test_features_ok_refuses_unoffered),
	    T(test_features_ok_requires_version_1),
	    T(test_queue_registers),
	    T(test_bad_queue_size_needs_reset),
	    T(test_queue_larger_than_max_refused),
	    T(test_queue_outside_memory_refused),
	    T(test_queue_before_features_ok_refused),
	    T(test_config_space_console),
	    cmocka_unit_test(test_config_space_blk),
	    T(test_cmdline),
	    T(test_console_tx),
	    T(test_notify_before_driver_ok_ignored),
	    T(test_malformed_queue_needs_reset),
	    T(test_no_interrupt_flag),
	    T(test_console_rx),
	    T(test_console_rx_bad_buffer_needs_reset),
	    cmocka_unit_test(test_wrong_device_kind),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
