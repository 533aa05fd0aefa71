/* test_flatten.c - whiteout classification, merge decisions, and a real
 * three-layer merge in a temporary directory (no root needed). */
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
#include <sys/sysmacros.h>
#include <unistd.h>

#include "images/flatten.h"

static void test_classify_names(void **state)
{
	const char *t;
	(void)state;
	assert_int_equal(flatten_classify("etc", NULL, &t), ENTRY_NORMAL);
	assert_null(t);
	assert_int_equal(flatten_classify(".wh.passwd", NULL, &t),
			 ENTRY_WHITEOUT);
	assert_string_equal(t, "passwd");
	assert_int_equal(flatten_classify(".wh..wh..opq", NULL, &t),
			 ENTRY_OPAQUE);
	assert_int_equal(flatten_classify(".wh.", NULL, &t), ENTRY_INVALID);
	assert_int_equal(flatten_classify(".wh..", NULL, &t), ENTRY_INVALID);
	assert_int_equal(flatten_classify(".wh...", NULL, &t), ENTRY_INVALID);
	assert_int_equal(flatten_classify("..", NULL, &t), ENTRY_INVALID);
	assert_int_equal(flatten_classify("a/b", NULL, &t), ENTRY_INVALID);
	/* a dotfile that merely starts like a whiteout is a whiteout of ".x" */
	assert_int_equal(flatten_classify(".wh..x", NULL, &t), ENTRY_WHITEOUT);
	assert_string_equal(t, ".x");
	assert_int_equal(flatten_classify(".whx", NULL, &t), ENTRY_NORMAL);
}

static void test_classify_overlay_chardev(void **state)
{
	struct stat st = {.st_mode = S_IFCHR | 0, .st_rdev = makedev(0, 0)};
	const char *t;
	(void)state;
	assert_int_equal(flatten_classify("gone", &st, &t), ENTRY_WHITEOUT);
	assert_string_equal(t, "gone");
	st.st_rdev = makedev(1, 3); /* /dev/null is a real device */
	assert_int_equal(flatten_classify("null", &st, &t), ENTRY_NORMAL);
	st.st_mode = S_IFBLK;
	st.st_rdev = makedev(0, 0);
	assert_int_equal(flatten_classify("blk", &st, &t), ENTRY_NORMAL);
}

static void test_merge_action(void **state)
{
	(void)state;
	assert_int_equal(flatten_merge_action(S_IFDIR, 0), MERGE_CREATE);
	assert_int_equal(flatten_merge_action(S_IFREG, 0), MERGE_CREATE);
	assert_int_equal(flatten_merge_action(S_IFDIR, S_IFDIR), MERGE_DESCEND);
	assert_int_equal(flatten_merge_action(S_IFREG, S_IFREG), MERGE_REPLACE);
	assert_int_equal(flatten_merge_action(S_IFDIR, S_IFLNK), MERGE_REPLACE);
	assert_int_equal(flatten_merge_action(S_IFLNK, S_IFDIR), MERGE_REPLACE);
	assert_int_equal(flatten_merge_action(S_IFREG, S_IFDIR), MERGE_REPLACE);
}

/* --- a real merge -------------------------------------------------------- */

static char root[256];

static void mk(const char *rel, const char *content)
{
	char p[512];
	snprintf(p, sizeof(p), "%s/%s", root, rel);
	if (!content) {
		assert_int_equal(mkdir(p, 0755), 0);
		return;
	}
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fputs(content, f);
	fclose(f);
}

static void mkln(const char *target, const char *rel)
{
	char p[512];
	snprintf(p, sizeof(p), "%s/%s", root, rel);
	assert_int_equal(symlink(target, p), 0);
}

static int exists(const char *rel)
{
	char p[512];
	struct stat st;
	snprintf(p, sizeof(p), "%s/out/%s", root, rel);
	return lstat(p, &st) == 0;
}

static char *slurp(const char *rel)
{
	static char buf[256];
	char p[512];
	snprintf(p, sizeof(p), "%s/out/%s", root, rel);
	FILE *f = fopen(p, "r");
	if (!f)
		return NULL;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void test_three_layers(void **state)
{
	(void)state;
	snprintf(root, sizeof(root), "/tmp/test_flatten.XXXXXX");
	assert_non_null(mkdtemp(root));

	/* bottom */
	mk("l0", NULL);
	mk("l0/etc", NULL);
	mk("l0/etc/passwd", "root\n");
	mk("l0/etc/hosts", "old\n");
	mk("l0/var", NULL);
	mk("l0/var/cache", NULL);
	mk("l0/var/cache/junk", "x");
	mk("l0/lib", NULL);
	mk("l0/lib/libc", "c");
	mk("l0/data", NULL);
	mk("l0/data/keep", "k");
	/* middle: opaque var/cache, replace lib dir by a symlink, escape link
	 */
	mk("l1", NULL);
	mk("l1/var", NULL);
	mk("l1/var/cache", NULL);
	mk("l1/var/cache/.wh..wh..opq", "");
	mk("l1/var/cache/new", "n");
	mkln("/usr/lib", "l1/lib");
	mkln("/etc", "l1/escape");
	/* top: delete passwd, replace hosts, write through "escape" (must
	 * create a real directory in out, never touch the host's /etc) */
	mk("l2", NULL);
	mk("l2/etc", NULL);
	mk("l2/etc/.wh.passwd", "");
	mk("l2/etc/hosts", "new\n");
	mk("l2/.wh.data", "");
	mk("l2/escape", NULL);
	mk("l2/escape/flatten-test-file", "bad");
	/* overlayfs whiteout needs CAP_MKNOD; only checked when available */
	char p[512];
	snprintf(p, sizeof(p), "%s/l2/etc/gone", root);
	int have_mknod = mknod(p, S_IFCHR | 0600, makedev(0, 0)) == 0;
	mk("l0/etc/gone", "g");

	char l0[300], l1[300], l2[300], out[300];
	snprintf(l0, sizeof(l0), "%s/l0", root);
	snprintf(l1, sizeof(l1), "%s/l1", root);
	snprintf(l2, sizeof(l2), "%s/l2", root);
	snprintf(out, sizeof(out), "%s/out", root);
	const char *layers[] = {l2, l1, l0};
	struct vmctl_err err = {0};
	assert_int_equal(layers_flatten(layers, 3, out, &err), 0);

	assert_false(exists("etc/passwd"));
	assert_string_equal(slurp("etc/hosts"), "new\n");
	assert_false(exists("var/cache/junk"));
	assert_string_equal(slurp("var/cache/new"), "n");
	assert_false(exists("var/cache/.wh..wh..opq"));
	assert_false(exists("etc/.wh.passwd"));
	assert_false(exists("data"));
	if (have_mknod)
		assert_false(exists("etc/gone"));

	char link[64] = {0};
	snprintf(p, sizeof(p), "%s/out/lib", root);
	assert_true(readlink(p, link, sizeof(link) - 1) > 0);
	assert_string_equal(link, "/usr/lib");

	struct stat st;
	snprintf(p, sizeof(p), "%s/out/escape", root);
	assert_int_equal(lstat(p, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_string_equal(slurp("escape/flatten-test-file"), "bad");
	assert_int_not_equal(access("/etc/flatten-test-file", F_OK), 0);

	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	assert_int_equal(system(cmd), 0);
}

static void test_missing_layer_reports(void **state)
{
	(void)state;
	const char *layers[] = {"/nonexistent/layer"};
	struct vmctl_err err = {0};
	char out[] = "/tmp/test_flatten_out.XXXXXX";
	assert_non_null(mkdtemp(out));
	assert_int_equal(layers_flatten(layers, 1, out, &err), -ENOENT);
	assert_non_null(strstr(err.msg, "/nonexistent/layer"));
	rmdir(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_classify_names),
	    cmocka_unit_test(test_classify_overlay_chardev),
	    cmocka_unit_test(test_merge_action),
	    cmocka_unit_test(test_three_layers),
	    cmocka_unit_test(test_missing_layer_reports),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
