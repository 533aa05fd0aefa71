/* Unit tests: layer unpacking against the hostile corpus (tests/data/hostile,
 * made by tests/make-hostile-corpus.py), one test per rule of images/layer.h,
 * and the pure decisions behind them. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/util.h"
#include "images/layer.h"

static char tmpdir[PATH_MAX];
static char dest[PATH_MAX + 16];
static struct layer_stats stats;
static struct vmctl_err err;

static int setup(void **state)
{
	snprintf(tmpdir, sizeof(tmpdir), "%s/vmctl-layer-XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	assert_non_null(mkdtemp(tmpdir));
	snprintf(dest, sizeof(dest), "%s/layer", tmpdir);
	memset(&stats, 0, sizeof(stats));
	memset(&err, 0, sizeof(err));
	return 0;
}

static int teardown(void **state)
{
	rm_rf(tmpdir);
	return 0;
}

static const char *corpus(const char *name)
{
	static char path[PATH_MAX];
	const char *top = getenv("TOP");
	snprintf(path, sizeof(path), "%s/tests/data/hostile/%s",
		 top ? top : ".", name);
	return path;
}

static int unpack_with(const char *name, const struct layer_limits *lim)
{
	return layer_unpack_atomic(corpus(name), dest, NULL, NULL, lim, &stats,
				   &err);
}

static int unpack(const char *name)
{
	return unpack_with(name, NULL);
}

static bool exists_in_layer(const char *rel)
{
	char p[PATH_MAX * 2];
	struct stat st;
	snprintf(p, sizeof(p), "%s/%s", dest, rel);
	return lstat(p, &st) == 0;
}

/* A refused layer leaves nothing: no dest, no temp dir beside it. */
static void assert_nothing_left(void)
{
	char p[PATH_MAX * 2];
	struct stat st;
	assert_int_not_equal(stat(dest, &st), 0);
	snprintf(p, sizeof(p), "%s/layer.tmp-%d", tmpdir, (int)getpid());
	assert_int_not_equal(stat(p, &st), 0);
}

static void assert_refused(const char *name, const char *msg)
{
	int r = unpack(name);
	if (r == 0)
		fail_msg("%s was accepted", name);
	if (msg && !strstr(err.msg, msg))
		fail_msg("%s: error '%s' lacks '%s'", name, err.msg, msg);
	assert_nothing_left();
}

static void test_path_clean(void **state)
{
	char out[PATH_MAX];
	const char *why;
	assert_int_equal(
	    layer_path_clean("./a//b/", out, sizeof(out), 4095, &why), 0);
	assert_string_equal(out, "a/b");
	assert_int_equal(layer_path_clean("./", out, sizeof(out), 4095, &why),
			 0);
	assert_string_equal(out, "");
	assert_int_equal(
	    layer_path_clean("a/./b", out, sizeof(out), 4095, &why), 0);
	assert_string_equal(out, "a/b");
	assert_int_equal(
	    layer_path_clean("a/..b/c..", out, sizeof(out), 4095, &why), 0);
	assert_int_equal(layer_path_clean("../x", out, sizeof(out), 4095, &why),
			 -EINVAL);
	assert_int_equal(
	    layer_path_clean("a/../../x", out, sizeof(out), 4095, &why),
	    -EINVAL);
	assert_int_equal(layer_path_clean("a/..", out, sizeof(out), 4095, &why),
			 -EINVAL);
	assert_int_equal(
	    layer_path_clean("/etc/passwd", out, sizeof(out), 4095, &why),
	    -EINVAL);
	assert_string_equal(why, "absolute path");
	assert_int_equal(layer_path_clean("abcdef", out, sizeof(out), 5, &why),
			 -EINVAL);
}

static void test_whiteout_kind(void **state)
{
	const char *t;
	assert_int_equal(layer_whiteout_kind("file", &t), LAYER_WH_NONE);
	assert_int_equal(layer_whiteout_kind(".wh.file", &t), LAYER_WH_FILE);
	assert_string_equal(t, "file");
	assert_int_equal(layer_whiteout_kind(".wh..wh..opq", &t),
			 LAYER_WH_OPAQUE);
	assert_int_equal(layer_whiteout_kind(".wh.", &t), LAYER_WH_INVALID);
	assert_int_equal(layer_whiteout_kind(".wh..", &t), LAYER_WH_INVALID);
	assert_int_equal(layer_whiteout_kind(".wh...", &t), LAYER_WH_INVALID);
	assert_int_equal(layer_whiteout_kind(".wh..wh.plnk", &t),
			 LAYER_WH_INVALID);
}

static void test_entry_mode(void **state)
{
	bool dropped;
	assert_int_equal(layer_entry_mode(S_IFREG, 04755, true, &dropped),
			 04755);
	assert_false(dropped);
	assert_int_equal(layer_entry_mode(S_IFREG, 06755, false, &dropped),
			 0755);
	assert_true(dropped);
	assert_int_equal(layer_entry_mode(S_IFDIR, 02775, false, &dropped),
			 02775);
	assert_int_equal(layer_entry_mode(S_IFDIR, 01777, true, &dropped),
			 01777);
	assert_int_equal(layer_entry_mode(S_IFIFO, 04644, true, &dropped),
			 0644);
}

static void test_xattr_allowed(void **state)
{
	assert_true(layer_xattr_allowed("user.foo"));
	assert_true(layer_xattr_allowed("security.capability"));
	assert_false(layer_xattr_allowed("trusted.overlay.opaque"));
	assert_false(layer_xattr_allowed("trusted.overlay.redirect"));
	assert_false(layer_xattr_allowed("security.selinux"));
}

static void test_dotdot(void **state)
{
	assert_refused("dotdot.tar", "'..'");
	assert_refused("dotdot_inner.tar", "'..'");
	struct stat st;
	assert_int_not_equal(stat(dest, &st), 0);
}

static void test_absolute(void **state)
{
	assert_refused("absolute.tar", "absolute");
	struct stat st;
	assert_int_not_equal(stat("/tmp/vmctl-hostile-absolute.txt", &st), 0);
}

static void test_symlink_in_path(void **state)
{
	assert_refused("symlink_parent.tar", "symlink");
	struct stat st;
	assert_int_not_equal(stat("/tmp/vmctl-hostile-symlink.txt", &st), 0);
	assert_refused("symlink_dotdot.tar", "symlink");
	char p[PATH_MAX * 2];
	snprintf(p, sizeof(p), "%s/escaped.txt", tmpdir);
	assert_int_not_equal(stat(p, &st), 0);
}

static void test_hardlink_outside(void **state)
{
	assert_refused("hardlink_outside.tar", "hard link");
	assert_refused("hardlink_absolute.tar", "hard link");
	assert_refused("hardlink_via_symlink.tar", "hard link");
}

static void test_devices_skipped(void **state)
{
	assert_int_equal(unpack("devices.tar"), 0);
	assert_int_equal(stats.devices_skipped, 2);
	assert_true(exists_in_layer("ok.txt"));
	assert_true(exists_in_layer("dev"));
	assert_false(exists_in_layer("dev/null"));
	assert_false(exists_in_layer("dev/sda"));
}

static void test_setuid(void **state)
{
	struct stat st;
	char p[PATH_MAX * 2];
	assert_int_equal(unpack("setuid.tar"), 0);
	snprintf(p, sizeof(p), "%s/su", dest);
	assert_int_equal(stat(p, &st), 0);
	/* As root the owner is applied, so the bit is kept; otherwise dropped.
	 */
	if (geteuid() == 0) {
		assert_int_equal(st.st_mode & 07777, 04755);
		assert_int_equal(st.st_uid, 0);
		assert_int_equal(stats.setid_dropped, 0);
	} else {
		assert_int_equal(st.st_mode & 07777, 0755);
		assert_int_equal(stats.setid_dropped, 2);
	}
}

static void test_size_limit(void **state)
{
	struct layer_limits lim = layer_default_limits;
	lim.max_bytes = 1 << 20;
	assert_int_not_equal(unpack_with("big.tar.gz", &lim), 0);
	assert_non_null(strstr(err.msg, "size limit"));
	assert_nothing_left();
	/* The same layer within the default limits is fine (gzip, too). */
	assert_int_equal(unpack("big.tar.gz"), 0);
	assert_int_equal(stats.bytes, 2 << 20);
}

static void test_entry_limit(void **state)
{
	struct layer_limits lim = layer_default_limits;
	lim.max_entries = 100;
	assert_int_not_equal(unpack_with("many_entries.tar.gz", &lim), 0);
	assert_non_null(strstr(err.msg, "entries"));
	assert_nothing_left();
	assert_int_equal(unpack("many_entries.tar.gz"), 0);
	assert_int_equal(stats.entries, 300);
}

static void test_path_limit(void **state)
{
	assert_refused("long_path.tar", "too long");
	assert_refused("long_name.tar", "too long");
}

static void test_whiteouts(void **state)
{
	struct stat st;
	char p[PATH_MAX * 2], v[8] = "";
	assert_int_equal(unpack("whiteouts.tar"), 0);
	snprintf(p, sizeof(p), "%s/dir/gone", dest);
	assert_int_equal(lstat(p, &st), 0);
	assert_true(S_ISCHR(st.st_mode));
	assert_int_equal(st.st_rdev, makedev(0, 0));
	assert_false(exists_in_layer("dir/.wh.gone"));
	snprintf(p, sizeof(p), "%s/opq", dest);
	assert_int_equal(getxattr(p, "trusted.overlay.opaque", v, sizeof(v)),
			 1);
	assert_int_equal(v[0], 'y');
	assert_false(exists_in_layer("opq/.wh..wh..opq"));
	assert_true(exists_in_layer("opq/kept"));
}

static void test_bad_whiteout(void **state)
{
	assert_refused("bad_whiteout.tar", "whiteout");
}

static void test_dir_then_file(void **state)
{
	assert_refused("dir_then_file.tar", "directory");
}

static void test_xattrs_filtered(void **state)
{
	char p[PATH_MAX * 2], v[16];
	assert_int_equal(unpack("xattr_trusted.tar"), 0);
	snprintf(p, sizeof(p), "%s/f", dest);
	assert_true(getxattr(p, "trusted.overlay.redirect", v, sizeof(v)) < 0);
	assert_int_equal(stats.xattrs_skipped, 1);
	/* user.* may be unsupported by the temp file system (tmpfs is fine). */
}

static void test_symlink_replaced(void **state)
{
	struct stat st;
	char p[PATH_MAX * 2];
	struct stat before;
	assert_int_equal(stat("/etc/passwd", &before), 0);
	assert_int_equal(unpack("symlink_then_file.tar"), 0);
	snprintf(p, sizeof(p), "%s/passwd", dest);
	assert_int_equal(lstat(p, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_not_equal(st.st_ino, before.st_ino);
	struct stat after;
	assert_int_equal(stat("/etc/passwd", &after), 0);
	assert_int_equal(after.st_size, before.st_size);
}

static void test_garbage_and_truncated(void **state)
{
	assert_refused("not_a_tar.tar", "tar");
	assert_refused("truncated.tar", NULL);
}

static void test_digest_checked(void **state)
{
	const char *wrong =
	    "sha256:"
	    "0000000000000000000000000000000000000000000000000000000000000000";
	assert_int_not_equal(layer_unpack_atomic(corpus("setuid.tar"), dest,
						 wrong, NULL, NULL, &stats,
						 &err),
			     0);
	assert_non_null(strstr(err.msg, "digest mismatch"));
	assert_nothing_left();
	assert_int_not_equal(layer_unpack_atomic(corpus("big.tar.gz"), dest,
						 NULL, wrong, NULL, &stats,
						 &err),
			     0);
	assert_non_null(strstr(err.msg, "diff_id mismatch"));
	assert_nothing_left();
}

static void test_diff_id_of_gzip(void **state)
{
	char gz[80], plain[80];
	int fd = open(corpus("big.tar.gz"), O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(layer_diff_id_fd(fd, gz, &err), 0);
	close(fd);
	/* the diff_id of a gzip layer is the digest of its uncompressed tar */
	assert_int_equal(strncmp(gz, "sha256:", 7), 0);
	assert_int_equal(layer_unpack_atomic(corpus("big.tar.gz"), dest, NULL,
					     gz, NULL, &stats, &err),
			 0);
	assert_string_not_equal(stats.digest, gz);
	fd = open(corpus("setuid.tar"), O_RDONLY);
	assert_int_equal(layer_diff_id_fd(fd, plain, &err), 0);
	close(fd);
}

static void test_write_roundtrip(void **state)
{
	char src[PATH_MAX * 2], tar[PATH_MAX * 2], p[PATH_MAX * 3];
	snprintf(src, sizeof(src), "%s/src", tmpdir);
	snprintf(tar, sizeof(tar), "%s/out.tar", tmpdir);
	mkdir(src, 0755);
	snprintf(p, sizeof(p), "%s/d", src);
	mkdir(p, 0750);
	snprintf(p, sizeof(p), "%s/d/f", src);
	assert_int_equal(write_file(p, "hello", 5, 0640), 0);
	char q[PATH_MAX * 3];
	snprintf(q, sizeof(q), "%s/d/hard", src);
	assert_int_equal(link(p, q), 0);
	snprintf(p, sizeof(p), "%s/l", src);
	assert_int_equal(symlink("d/f", p), 0);
	snprintf(p, sizeof(p), "%s/wh", src);
	assert_int_equal(mknod(p, S_IFCHR, makedev(0, 0)), 0);
	int fd = open(tar, O_RDWR | O_CREAT | O_TRUNC, 0600);
	assert_int_equal(layer_write_dir(src, fd, false, 1700000000, &err), 0);
	lseek(fd, 0, SEEK_SET);
	mkdir(dest, 0755);
	assert_int_equal(layer_unpack_fd(fd, dest, NULL, &stats, &err), 0);
	close(fd);
	struct stat a, b;
	snprintf(p, sizeof(p), "%s/d/f", dest);
	snprintf(q, sizeof(q), "%s/d/hard", dest);
	assert_int_equal(stat(p, &a), 0);
	assert_int_equal(stat(q, &b), 0);
	assert_int_equal(a.st_ino, b.st_ino);
	assert_int_equal(a.st_mode & 07777, 0640);
	assert_int_equal(a.st_mtime, 1700000000);
	snprintf(p, sizeof(p), "%s/wh", dest);
	assert_int_equal(lstat(p, &a), 0);
	assert_true(S_ISCHR(a.st_mode));
	assert_true(exists_in_layer("l"));
	/* Deterministic: the same tree writes the same bytes. */
	char t2[PATH_MAX * 2];
	snprintf(t2, sizeof(t2), "%s/out2.tar", tmpdir);
	fd = open(t2, O_RDWR | O_CREAT | O_TRUNC, 0600);
	assert_int_equal(layer_write_dir(src, fd, false, 1700000000, &err), 0);
	close(fd);
	char *x = NULL, *y = NULL;
	size_t lx, ly;
	assert_int_equal(read_file(tar, &x, &lx), 0);
	assert_int_equal(read_file(t2, &y, &ly), 0);
	assert_int_equal(lx, ly);
	assert_memory_equal(x, y, lx);
	free(x);
	free(y);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_path_clean),
	    T(test_whiteout_kind),
	    T(test_entry_mode),
	    T(test_xattr_allowed),
	    T(test_dotdot),
	    T(test_absolute),
	    T(test_symlink_in_path),
	    T(test_hardlink_outside),
	    T(test_devices_skipped),
	    T(test_setuid),
	    T(test_size_limit),
	    T(test_entry_limit),
	    T(test_path_limit),
	    T(test_whiteouts),
	    T(test_bad_whiteout),
	    T(test_dir_then_file),
	    T(test_xattrs_filtered),
	    T(test_symlink_replaced),
	    T(test_garbage_and_truncated),
	    T(test_digest_checked),
	    T(test_diff_id_of_gzip),
	    T(test_write_roundtrip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
