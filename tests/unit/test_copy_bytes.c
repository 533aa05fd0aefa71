/* Unit tests: common/util.c read_file(), and copy_fd_bytes() on one file
 * system and across
 * two (a file of /tmp into a memfd, which lives on tmpfs: EXDEV unless /tmp
 * is a tmpfs too, in which case both paths are the first). */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/util.h"

#define SIZE (200 * 1024 + 7) /* several read()/write() rounds, odd tail */

static char path[] = "/tmp/vmctl-copy-test.XXXXXX";
static unsigned char data[SIZE];

static int setup(void **state)
{
	for (size_t i = 0; i < SIZE; i++)
		data[i] = (unsigned char)(i * 131 + i / 251);
	int fd = mkstemp(path);
	if (fd < 0)
		return -1;
	ssize_t n = write(fd, data, SIZE);
	close(fd);
	return n == SIZE ? 0 : -1;
}

static int teardown(void **state)
{
	unlink(path);
	return 0;
}

static void expect_copy_of_data(int out)
{
	static unsigned char back[SIZE + 1];
	assert_int_equal(pread(out, back, sizeof(back), 0), SIZE);
	assert_memory_equal(back, data, SIZE);
}

static void test_across_file_systems(void **state)
{
	int in = open(path, O_RDONLY | O_CLOEXEC);
	int out = memfd_create("copy-test", MFD_CLOEXEC);
	assert_true(in >= 0 && out >= 0);
	assert_int_equal(copy_fd_bytes(in, out, SIZE), 0);
	expect_copy_of_data(out);
	close(in);
	close(out);
}

static void test_same_file_system(void **state)
{
	char dst[sizeof(path) + 4];
	snprintf(dst, sizeof(dst), "%s.out", path);
	int in = open(path, O_RDONLY | O_CLOEXEC);
	int out = open(dst, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	assert_true(in >= 0 && out >= 0);
	assert_int_equal(copy_fd_bytes(in, out, SIZE), 0);
	expect_copy_of_data(out);
	close(in);
	close(out);
	unlink(dst);
}

static void test_short_source_is_an_error(void **state)
{
	int in = open(path, O_RDONLY | O_CLOEXEC);
	int out = memfd_create("copy-test", MFD_CLOEXEC);
	assert_true(in >= 0 && out >= 0);
	assert_int_equal(copy_fd_bytes(in, out, SIZE + 10), -EIO);
	close(in);
	close(out);
}

/* read_file(): whole, NUL-terminated, at the sizes around its stack buffer
 * (8 KiB) and beyond. */
static void test_read_file_sizes(void **state)
{
	static const size_t sizes[] = {0, 1, 515, 8191, 8192, 8193, 16384, SIZE};
	for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		char p[] = "/tmp/vmctl-read-test.XXXXXX";
		int fd = mkstemp(p);
		assert_true(fd >= 0);
		assert_int_equal(write(fd, data, sizes[k]), (ssize_t)sizes[k]);
		close(fd);
		char *got = NULL;
		size_t len = 1234;
		assert_int_equal(read_file(p, &got, &len), 0);
		unlink(p);
		assert_int_equal(len, sizes[k]);
		if (sizes[k])
			assert_memory_equal(got, data, sizes[k]);
		assert_int_equal(got[len], '\0');
		free(got);
	}
	char *none = NULL;
	assert_int_equal(read_file("/nonexistent/vmctl", &none, NULL), -ENOENT);
	assert_null(none);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_across_file_systems),
	    cmocka_unit_test(test_same_file_system),
	    cmocka_unit_test(test_short_source_is_an_error),
	    cmocka_unit_test(test_read_file_sizes),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
