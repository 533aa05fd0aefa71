/* Unit tests: common/util.c copy_fd_bytes(), on one file system and across
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

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_across_file_systems),
	    cmocka_unit_test(test_same_file_system),
	    cmocka_unit_test(test_short_source_is_an_error),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
