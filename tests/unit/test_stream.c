/* Unit tests: vmm/devices/stream.c, the workload's output ports. */
#include <fcntl.h>
#include <signal.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "vmm/devices/stream.h"
#include "vmm/milestone.h"

static void put(struct device *d, uint16_t port, const char *s)
{
	for (; *s; s++)
		assert_int_equal(d->ops->write(d, port - d->base, s, 1), 0);
}

static size_t drain(int fd, char *buf, size_t n)
{
	ssize_t r = read(fd, buf, n - 1);
	buf[r > 0 ? r : 0] = '\0';
	return r > 0 ? (size_t)r : 0;
}

static void test_streams_flush_and_destroy(void **state)
{
	int out[2], err[2];
	assert_int_equal(pipe2(out, O_NONBLOCK), 0);
	assert_int_equal(pipe2(err, O_NONBLOCK), 0);
	struct device *d = NULL;
	struct vmctl_err e = {0};
	assert_int_equal(stream_create(&d, out[1], err[1], &e), 0);
	assert_int_equal(d->base, MS_STREAM_PORT);

	char buf[8192];
	put(d, MS_STREAM_OUT, "hello\n");
	put(d, MS_STREAM_ERR, "oops\n");
	assert_int_equal(drain(out[0], buf, sizeof(buf)), 0); /* buffered */
	put(d, MS_STREAM_FLUSH, "x");
	drain(out[0], buf, sizeof(buf));
	assert_string_equal(buf, "hello\n");
	drain(err[0], buf, sizeof(buf));
	assert_string_equal(buf, "oops\n");

	/* A wider access is ignored, not half-taken. */
	uint32_t word = 0x41414141;
	assert_int_equal(d->ops->write(d, 0, &word, 4), 0);
	/* A full buffer goes out by itself; the rest at destroy. */
	for (int i = 0; i < 4096 + 3; i++)
		put(d, MS_STREAM_OUT, "z");
	assert_int_equal(drain(out[0], buf, sizeof(buf)), 4096);
	d->ops->destroy(d);
	assert_int_equal(drain(out[0], buf, sizeof(buf)), 3);
	for (int i = 0; i < 2; i++) {
		close(out[i]);
		close(err[i]);
	}
}

static void test_reader_gone_is_not_an_error(void **state)
{
	int out[2];
	assert_int_equal(pipe(out), 0);
	close(out[0]);
	struct device *d = NULL;
	struct vmctl_err e = {0};
	assert_int_equal(stream_create(&d, out[1], out[1], &e), 0);
	put(d, MS_STREAM_OUT, "lost\n"); /* EPIPE (SIGPIPE is ignored in main) */
	put(d, MS_STREAM_FLUSH, "x");
	d->ops->destroy(d);
	close(out[1]);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_streams_flush_and_destroy),
		cmocka_unit_test(test_reader_gone_is_not_an_error),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
