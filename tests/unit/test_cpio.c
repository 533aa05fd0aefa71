/* test_cpio.c - the newc writer: header bytes, padding, and a whole small
 * tree compared byte for byte with GNU cpio's output. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "images/cpio.h"
#include "images/initramfs.h"

static void test_header_fields(void **state)
{
	(void)state;
	char buf[256];
	struct cpio_entry e = {.name = "a/f",
			       .mode = 0100644,
			       .uid = 0,
			       .gid = 0,
			       .nlink = 1,
			       .mtime = 0x6B0A5CC9,
			       .size = 6};
	int n = cpio_format_header(buf, sizeof(buf), 3, &e);
	/* 110 + "a/f\0" = 114 -> padded to 116 */
	assert_int_equal(n, 116);
	assert_memory_equal(buf, "070701", 6);
	assert_memory_equal(buf + 6, "00000003", 8);  /* ino */
	assert_memory_equal(buf + 14, "000081A4", 8); /* mode */
	assert_memory_equal(buf + 54, "00000006", 8); /* filesize */
	assert_memory_equal(buf + 94, "00000004", 8); /* namesize */
	assert_memory_equal(buf + 110, "a/f\0\0\0", 6);
}

static void test_header_limits(void **state)
{
	(void)state;
	char buf[128];
	struct cpio_entry e = {.name = "x", .size = 1ULL << 32};
	assert_int_equal(cpio_format_header(buf, sizeof(buf), 0, &e), -EFBIG);
	e.size = 0;
	char longname[200];
	memset(longname, 'n', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	e.name = longname;
	assert_int_equal(cpio_format_header(buf, sizeof(buf), 0, &e),
			 -ENAMETOOLONG);
}

static void test_pad4(void **state)
{
	(void)state;
	assert_int_equal(cpio_pad4(0), 0);
	assert_int_equal(cpio_pad4(1), 3);
	assert_int_equal(cpio_pad4(6), 2);
	assert_int_equal(cpio_pad4(8), 0);
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	static char buf[1 << 16];
	*len = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	return buf;
}

/* The tree's names avoid characters below '/' so that find|sort and our
 * per-directory sort agree on the order. */
static void test_tree_matches_gnu_cpio(void **state)
{
	(void)state;
	if (system("command -v cpio >/dev/null 2>&1") != 0)
		skip();
	char root[] = "/tmp/test_cpio.XXXXXX";
	assert_non_null(mkdtemp(root));
	char cmd[1024];
	snprintf(
	    cmd, sizeof(cmd),
	    "set -e; cd %s; mkdir -p t/bin t/etc/deep t/empty;"
	    "printf 'hello\\n' > t/etc/hosts; : > t/etc/zero;"
	    "head -c 1001 /dev/zero > t/bin/odd; ln -s ../etc/hosts t/bin/h;"
	    "mkfifo t/etc/fifo; printf x > t/etc/deep/x;"
	    "chmod 0750 t/empty; touch -h -d @1700000000 $(find t);"
	    "cd t && find . | LC_ALL=C sort | "
	    "cpio -o -H newc --reproducible --quiet > ../gnu.cpio",
	    root);
	assert_int_equal(system(cmd), 0);

	char tree[64], ours[64], gnu[64];
	snprintf(tree, sizeof(tree), "%s/t", root);
	snprintf(ours, sizeof(ours), "%s/ours.cpio", root);
	snprintf(gnu, sizeof(gnu), "%s/gnu.cpio", root);
	int fd = open(ours, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	static struct cpio_writer w;
	struct vmctl_err err = {0};
	cpio_writer_init(&w, fd, 0);
	assert_int_equal(cpio_add_tree(&w, tree, NULL, true, &err), 0);
	assert_int_equal(cpio_finish(&w, &err), 0);
	close(fd);

	size_t la, lb;
	char *a = slurp(gnu, &la);
	char *copy = malloc(la);
	memcpy(copy, a, la);
	char *b = slurp(ours, &lb);
	assert_int_equal(lb, la);
	assert_memory_equal(b, copy, la);
	free(copy);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	assert_int_equal(system(cmd), 0);
}

static void test_workload_config(void **state)
{
	(void)state;
	char *argv[] = {"sh", "-c", "echo hi", NULL};
	char *env[] = {"PATH=/bin", NULL};
	struct initramfs_workload wl = {
	    .argv = argv, .env = env, .workdir = "/srv", .hostname = "box"};
	char buf[128];
	int n = initramfs_config_format(&wl, buf, sizeof(buf));
	const char want[] = "ash\0a-c\0aecho hi\0ePATH=/bin\0w/srv\0hbox";
	assert_int_equal(n, sizeof(want));
	assert_memory_equal(buf, want, sizeof(want));
	/* defaults */
	wl.env = NULL;
	wl.workdir = wl.hostname = NULL;
	n = initramfs_config_format(&wl, buf, sizeof(buf));
	assert_true(n > 0);
	assert_memory_equal(buf + n - 10, "w/\0hvmctl", 10);
	/* The image's User, when it has one, for the guest init. */
	wl.user = "alice:audio";
	n = initramfs_config_format(&wl, buf, sizeof(buf));
	assert_true(n > 13);
	assert_memory_equal(buf + n - 13, "ualice:audio", 13);
	wl.user = "";
	assert_memory_equal(
	    buf + initramfs_config_format(&wl, buf, sizeof(buf)) - 10,
	    "w/\0hvmctl", 10);
	wl.user = NULL;
	assert_int_equal(initramfs_config_format(&wl, buf, 10), -ENAMETOOLONG);
	char *empty[] = {NULL};
	wl.argv = empty;
	assert_int_equal(initramfs_config_format(&wl, buf, sizeof(buf)),
			 -EINVAL);
}

static void test_run_part_is_a_cpio(void **state)
{
	(void)state;
	char path[] = "/tmp/test_cpio_run.XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	char *argv[] = {"true", NULL};
	struct initramfs_workload wl = {.argv = argv};
	struct vmctl_err err = {0};
	assert_int_equal(initramfs_write_run_part(fd, &wl, &err), 0);
	close(fd);
	char cmd[256];
	snprintf(cmd, sizeof(cmd),
		 "cpio -it --quiet < %s | grep -qx vmctl/config", path);
	int r = system(cmd);
	unlink(path);
	assert_int_equal(r, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_header_fields),
	    cmocka_unit_test(test_header_limits),
	    cmocka_unit_test(test_pad4),
	    cmocka_unit_test(test_tree_matches_gnu_cpio),
	    cmocka_unit_test(test_workload_config),
	    cmocka_unit_test(test_run_part_is_a_cpio),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
