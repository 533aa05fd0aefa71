/* Unit tests: cli_scan_flags, the flag scanner of the small commands. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "cli/cli.h"

#define ARGV(...) ((char *[]){"cmd", __VA_ARGS__, NULL})
#define ARGC(...) ((int)(sizeof((char *[]){"cmd", __VA_ARGS__}) / sizeof(char *)))

static void test_bool_and_value_forms(void **state)
{
	bool all = false;
	const char *out = NULL, *user = NULL;
	const struct cli_flag flags[] = {CLI_BOOL("-a", "--all", &all),
					 CLI_VALUE("-o", "--output", &out),
					 CLI_VALUE(NULL, "--username", &user),
					 CLI_FLAGS_END};
	int first = -1;
	assert_int_equal(cli_scan_flags("cmd", ARGC("-a", "-o", "x.tar", "--username=bob", "img"),
					ARGV("-a", "-o", "x.tar", "--username=bob", "img"), flags,
					&first),
			 0);
	assert_true(all);
	assert_string_equal(out, "x.tar");
	assert_string_equal(user, "bob");
	assert_int_equal(first, 5); /* "img" */
}

static void test_long_value_separate_and_last_wins(void **state)
{
	const char *out = NULL;
	const struct cli_flag flags[] = {CLI_VALUE("-o", "--output", &out), CLI_FLAGS_END};
	int first = -1;
	assert_int_equal(cli_scan_flags("cmd", ARGC("--output", "a", "--output=b"),
					ARGV("--output", "a", "--output=b"), flags, &first),
			 0);
	assert_string_equal(out, "b");
	assert_int_equal(first, 4);
}

static void test_missing_value_fails(void **state)
{
	const char *out = NULL;
	const struct cli_flag flags[] = {CLI_VALUE("-o", "--output", &out), CLI_FLAGS_END};
	int first = -1;
	assert_int_equal(cli_scan_flags("cmd", ARGC("-o"), ARGV("-o"), flags, &first),
			 EXIT_VMCTL_ERROR);
	assert_null(out);
}

static void test_unknown_flag_and_bool_with_value_fail(void **state)
{
	bool all = false;
	const struct cli_flag flags[] = {CLI_BOOL("-a", "--all", &all), CLI_FLAGS_END};
	int first = -1;
	assert_int_equal(cli_scan_flags("cmd", ARGC("--nope"), ARGV("--nope"), flags, &first),
			 EXIT_VMCTL_ERROR);
	/* A boolean flag takes no "=value": "--all=1" is unknown, not silently true. */
	assert_int_equal(cli_scan_flags("cmd", ARGC("--all=1"), ARGV("--all=1"), flags, &first),
			 EXIT_VMCTL_ERROR);
	assert_false(all);
}

static void test_double_dash_and_dash_operand(void **state)
{
	bool all = false;
	const struct cli_flag flags[] = {CLI_BOOL("-a", "--all", &all), CLI_FLAGS_END};
	int first = -1;
	assert_int_equal(cli_scan_flags("cmd", ARGC("--", "-a"), ARGV("--", "-a"), flags, &first),
			 0);
	assert_false(all);
	assert_int_equal(first, 2);
	/* "-" alone is an operand (stdin), not a flag. */
	assert_int_equal(cli_scan_flags("cmd", ARGC("-"), ARGV("-"), flags, &first), 0);
	assert_int_equal(first, 1);
}

int main(void)
{
	/* cli_fail() prints for the user; keep the test output readable. */
	if (!freopen("/dev/null", "w", stderr))
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bool_and_value_forms),
		cmocka_unit_test(test_long_value_separate_and_last_wins),
		cmocka_unit_test(test_missing_value_fails),
		cmocka_unit_test(test_unknown_flag_and_bool_with_value_fail),
		cmocka_unit_test(test_double_dash_and_dash_operand),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
