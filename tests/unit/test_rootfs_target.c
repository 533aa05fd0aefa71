/* Unit tests: volume targets are resolved and created inside the root,
 * whatever symlinks the image plants (openat2 RESOLVE_IN_ROOT; no root
 * privileges needed). */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "container/rootfs.h"

static char base[64];
static char root[128], outside[128];
static int rootfd = -1;

static int setup(void **state)
{
	snprintf(base, sizeof(base), "/tmp/vmctl-ut-rootfs.XXXXXX");
	if (!mkdtemp(base))
		return -1;
	snprintf(root, sizeof(root), "%s/root", base);
	snprintf(outside, sizeof(outside), "%s/outside", base);
	mkdir(root, 0755);
	mkdir(outside, 0755);
	char p[256];
	/* absolute and relative links that point out of the root */
	snprintf(p, sizeof(p), "%s/abs", root);
	if (symlink(outside, p) < 0)
		return -1;
	snprintf(p, sizeof(p), "%s/rel", root);
	if (symlink("../../../../../../..", p) < 0)
		return -1;
	snprintf(p, sizeof(p), "%s/etc", root);
	mkdir(p, 0755);
	rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	return rootfd < 0 ? -1 : 0;
}

static int teardown(void **state)
{
	char cmd[128];
	close(rootfd);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", base);
	return system(cmd) == 0 ? 0 : -1;
}

static bool exists(const char *dir, const char *name)
{
	char p[256];
	struct stat st;
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return lstat(p, &st) == 0;
}

static void test_creates_missing_dirs(void **state)
{
	int fd = rootfs_open_target(rootfd, "/data/deep/dir", true);
	assert_true(fd >= 0);
	close(fd);
	assert_true(exists(root, "data/deep/dir"));
}

static void test_creates_file_target(void **state)
{
	int fd = rootfs_open_target(rootfd, "/etc/myfile", false);
	assert_true(fd >= 0);
	close(fd);
	struct stat st;
	char p[256];
	snprintf(p, sizeof(p), "%s/etc/myfile", root);
	assert_int_equal(stat(p, &st), 0);
	assert_true(S_ISREG(st.st_mode));
}

static void test_absolute_symlink_stays_inside(void **state)
{
	/* /abs -> <outside>: resolved as <root><outside>, never <outside> */
	int fd = rootfs_open_target(rootfd, "/abs/x", true);
	/* the in-root target of the link does not exist: refused, and
	 * certainly not created outside */
	if (fd >= 0)
		close(fd);
	assert_false(exists(outside, "x"));
}

static void test_dotdot_symlink_clamped(void **state)
{
	/* /rel -> ../../..: clamped at the root, so /rel/etc is /etc */
	int fd = rootfs_open_target(rootfd, "/rel/etc/volx", true);
	assert_true(fd >= 0);
	close(fd);
	assert_true(exists(root, "etc/volx"));
	assert_false(exists("/etc", "volx"));
	int fd2 = rootfs_open_target(rootfd, "/../../escaped", true);
	assert_true(fd2 >= 0);
	close(fd2);
	assert_true(exists(root, "escaped"));
	assert_false(exists(base, "escaped"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_creates_missing_dirs),
	    cmocka_unit_test(test_creates_file_target),
	    cmocka_unit_test(test_absolute_symlink_stays_inside),
	    cmocka_unit_test(test_dotdot_symlink_clamped),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
