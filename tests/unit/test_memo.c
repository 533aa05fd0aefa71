/* Unit tests: common/memo.c, the stat()-keyed memo of digests. */
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
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/memo.h"
#include "common/util.h"

static char dir[] = "/tmp/vmctl-memo-test.XXXXXX";

static void fingerprint(const char *path, char *buf, size_t n)
{
	size_t off = 0;
	assert_int_equal(memo_fingerprint_add(buf, n, &off, path), 0);
}

static void test_store_lookup_and_change(void **state)
{
	char input[256], memo[256], fp1[512], fp2[512], value[80];
	snprintf(input, sizeof(input), "%s/input", dir);
	snprintf(memo, sizeof(memo), "%s/memo", dir);
	assert_int_equal(write_file(input, "abc", 3, 0644), 0);

	fingerprint(input, fp1, sizeof(fp1));
	assert_int_equal(memo_lookup(memo, fp1, value, sizeof(value)), -ENOENT);
	assert_int_equal(memo_store(memo, fp1, "deadbeef"), 0);
	assert_int_equal(memo_lookup(memo, fp1, value, sizeof(value)), 0);
	assert_string_equal(value, "deadbeef");

	/* Another content of the same size, another mtime: another fingerprint. */
	struct timespec later[2] = {{0, UTIME_OMIT}, {12345, 678}};
	assert_int_equal(write_file(input, "xyz", 3, 0644), 0);
	assert_int_equal(utimensat(AT_FDCWD, input, later, 0), 0);
	fingerprint(input, fp2, sizeof(fp2));
	assert_string_not_equal(fp1, fp2);
	assert_int_equal(memo_lookup(memo, fp2, value, sizeof(value)), -ENOENT);

	/* A value that does not fit is a miss, not a truncation. */
	char small[4];
	assert_int_equal(memo_lookup(memo, fp1, small, sizeof(small)), -ENOENT);
}

static void test_absent_input_and_corrupt_memo(void **state)
{
	char missing[256], memo[256], fp[512], value[80];
	snprintf(missing, sizeof(missing), "%s/missing", dir);
	snprintf(memo, sizeof(memo), "%s/corrupt", dir);
	fingerprint(missing, fp, sizeof(fp));
	assert_non_null(strstr(fp, "absent"));
	/* No NUL between fingerprint and value: not a memo of ours. */
	assert_int_equal(write_file(memo, fp, strlen(fp), 0644), 0);
	assert_int_equal(memo_lookup(memo, fp, value, sizeof(value)), -ENOENT);
	/* A full buffer is an error, never an overflow. */
	char tiny[8];
	size_t off = 0;
	assert_int_equal(memo_fingerprint_add(tiny, sizeof(tiny), &off, missing), -ENAMETOOLONG);
}

/* Stores a memo of family `name` for fingerprint fp, its mtime `age` s ago. */
static void store_aged(const char *name, const char *fp, int age, char *path, size_t n)
{
	assert_int_equal(memo_path(path, n, dir, name, fp), 0);
	assert_int_equal(memo_store(path, fp, "v"), 0);
	struct timespec t[2] = {{time(NULL) - age, 0}, {time(NULL) - age, 0}};
	assert_int_equal(utimensat(AT_FDCWD, path, t, 0), 0);
}

static void test_prune_keeps_newest_of_a_family(void **state)
{
	(void)state;
	char paths[MEMO_KEPT + 3][256], other[256], fp[32], plain[256];
	/* MEMO_KEPT + 2 sources, the first the oldest; one of another family. */
	for (int i = 0; i < MEMO_KEPT + 2; i++) {
		snprintf(fp, sizeof(fp), "source %d", i);
		store_aged(".fam-memo", fp, 1000 - i, paths[i], sizeof(paths[i]));
	}
	store_aged(".other-memo", "x", 5000, other, sizeof(other));
	snprintf(plain, sizeof(plain), "%s/.fam-memo-notahexname", dir);
	assert_int_equal(write_file(plain, "x", 1, 0644), 0);
	/* Each store of a new source pruned: MEMO_KEPT stay, the newest. */
	for (int i = 0; i < MEMO_KEPT + 2; i++)
		assert_int_equal(access(paths[i], F_OK) == 0, i >= 2);
	assert_int_equal(access(other, F_OK), 0);
	assert_int_equal(access(plain, F_OK), 0);
	/* Storing again under a known fingerprint prunes nothing. */
	assert_int_equal(memo_store(paths[5], "source 5", "w"), 0);
	assert_int_equal(memo_prune(paths[5], 3), MEMO_KEPT - 3);
	for (int i = 2; i < MEMO_KEPT + 2; i++)
		assert_int_equal(access(paths[i], F_OK) == 0, i == 5 || i >= MEMO_KEPT);
	assert_int_equal(memo_prune("no-slash-memo-0", 1), 0);
	unlink(plain);
	unlink(other);
	for (int i = 0; i < MEMO_KEPT + 2; i++)
		unlink(paths[i]);
}

static void test_memo_path_per_fingerprint(void **state)
{
	char a[256], b[256], c[256];
	assert_int_equal(memo_path(a, sizeof(a), "/cache", ".key-memo", "x 1\n"), 0);
	assert_int_equal(memo_path(b, sizeof(b), "/cache", ".key-memo", "x 2\n"), 0);
	assert_int_equal(memo_path(c, sizeof(c), "/cache", ".key-memo", "x 1\n"), 0);
	assert_string_not_equal(a, b);
	assert_string_equal(a, c);
	assert_int_equal(strncmp(a, "/cache/.key-memo-", 17), 0);
	assert_int_equal(strlen(a), 17 + 16);
	char tiny[8];
	assert_int_equal(memo_path(tiny, sizeof(tiny), "/cache", ".key-memo", "x"), -ENAMETOOLONG);
}

static int setup(void **state)
{
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	return rm_rf(dir) < 0 ? -1 : 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_store_lookup_and_change),
		cmocka_unit_test(test_absent_input_and_corrupt_memo),
		cmocka_unit_test(test_memo_path_per_fingerprint),
		cmocka_unit_test(test_prune_keeps_newest_of_a_family),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
