/* Unit tests: `vmctl run` flag parsing, sizes, durations, volumes. */
#include <errno.h>
#include <setjmp.h>
#include <stdlib.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "cli/args.h"
#include "common/util.h"

static int parse(struct run_spec *spec, struct vmctl_err *err, int argc, char **argv)
{
	return parse_run_args(argc, argv, spec, err);
}

#define ARGV(...) ((char *[]){"run", __VA_ARGS__, NULL})
#define ARGC(...) ((int)(sizeof((char *[]){"run", __VA_ARGS__}) / sizeof(char *)))
#define PARSE(spec, err, ...) parse(spec, err, ARGC(__VA_ARGS__), ARGV(__VA_ARGS__))

static void test_minimal(void **state)
{
	struct run_spec s;
	struct vmctl_err e = {0};
	assert_int_equal(PARSE(&s, &e, "busybox"), 0);
	assert_string_equal(s.image, "busybox");
	assert_null(s.argv);
	assert_int_equal(s.mode, MODE_CONTAINER);
	run_spec_free(&s);
}

static void test_all_flags(void **state)
{
	struct run_spec s;
	struct vmctl_err e = {0};
	assert_int_equal(PARSE(&s, &e, "--mode=vm", "--name", "web", "--rm", "-e", "A=1",
			       "--env=B=2", "-w", "/tmp", "--hostname", "box", "-m", "64m",
			       "--cpus", "1.5", "--pids-limit", "20", "-v", "/a:/b:ro", "-t",
			       "-i", "--timeout", "2m", "--report=json", "busybox", "echo",
			       "-n", "hi"),
			 0);
	assert_int_equal(s.mode, MODE_VM);
	assert_string_equal(s.name, "web");
	assert_true(s.rm);
	assert_string_equal(s.env[0], "A=1");
	assert_string_equal(s.env[1], "B=2");
	assert_string_equal(s.workdir, "/tmp");
	assert_string_equal(s.hostname, "box");
	assert_int_equal(s.memory_bytes, 64ULL << 20);
	assert_true(s.cpus > 1.49 && s.cpus < 1.51);
	assert_int_equal(s.pids_limit, 20);
	assert_int_equal(s.n_volumes, 1);
	assert_string_equal(s.volumes[0].host, "/a");
	assert_string_equal(s.volumes[0].path, "/b");
	assert_true(s.volumes[0].ro);
	assert_true(s.tty && s.interactive);
	assert_int_equal(s.timeout_sec, 120);
	assert_int_equal(s.report, REPORT_JSON);
	/* Flags after the image belong to the workload. */
	assert_string_equal(s.argv[0], "echo");
	assert_string_equal(s.argv[1], "-n");
	assert_string_equal(s.argv[2], "hi");
	assert_null(s.argv[3]);
	run_spec_free(&s);
}

static void test_report_default_text(void **state)
{
	struct run_spec s;
	struct vmctl_err e = {0};
	assert_int_equal(PARSE(&s, &e, "--report", "busybox", "true"), 0);
	assert_int_equal(s.report, REPORT_TEXT);
	run_spec_free(&s);
}

static void expect_bad(const char *want, int argc, char **argv)
{
	struct run_spec s;
	struct vmctl_err e = {0};
	assert_int_equal(parse(&s, &e, argc, argv), -EINVAL);
	if (!strstr(e.msg, want))
		fail_msg("error '%s' does not mention '%s'", e.msg, want);
	assert_null(strchr(e.msg, '\n'));
}

static void test_bad_input(void **state)
{
	expect_bad("unknown flag", ARGC("--bogus", "busybox"), ARGV("--bogus", "busybox"));
	expect_bad("unknown flag", ARGC("-X", "busybox"), ARGV("-X", "busybox"));
	expect_bad("invalid memory", ARGC("-m", "lots", "busybox"), ARGV("-m", "lots", "busybox"));
	expect_bad("too small", ARGC("-m", "1k", "busybox"), ARGV("-m", "1k", "busybox"));
	expect_bad("invalid --mode", ARGC("--mode=xen", "busybox"), ARGV("--mode=xen", "busybox"));
	expect_bad("requires at least 1 argument", ARGC("--rm"), ARGV("--rm"));
	expect_bad("needs an argument", ARGC("-m"), ARGV("-m"));
	expect_bad("invalid --cpus", ARGC("--cpus", "-1", "b"), ARGV("--cpus", "-1", "b"));
	expect_bad("invalid --timeout", ARGC("--timeout", "x", "b"), ARGV("--timeout", "x", "b"));
	expect_bad("absolute", ARGC("-w", "rel", "b"), ARGV("-w", "rel", "b"));
	expect_bad("invalid volume", ARGC("-v", "nocolon", "b"), ARGV("-v", "nocolon", "b"));
	expect_bad("absolute", ARGC("-v", "a:/b", "b"), ARGV("-v", "a:/b", "b"));
	expect_bad("ro or rw", ARGC("-v", "/a:/b:xx", "b"), ARGV("-v", "/a:/b:xx", "b"));
	expect_bad("-t with -d", ARGC("-t", "-d", "b"), ARGV("-t", "-d", "b"));
	expect_bad("want snapshot or cold", ARGC("--mode=vm", "--boot=warm", "b"), ARGV("--mode=vm", "--boot=warm", "b"));
	expect_bad("for --mode=vm", ARGC("--boot=cold", "b"), ARGV("--boot=cold", "b"));
	expect_bad("for --mode=vm", ARGC("--kernel", "/k", "b"), ARGV("--kernel", "/k", "b"));
}

static void test_boot_flag(void **state)
{
	struct run_spec s;
	struct vmctl_err e = {0};
	assert_int_equal(PARSE(&s, &e, "--mode=vm", "busybox"), 0);
	assert_false(s.cold_boot); /* snapshots by default */
	run_spec_free(&s);
	assert_int_equal(PARSE(&s, &e, "--mode=vm", "--boot=cold", "busybox"), 0);
	assert_true(s.cold_boot);
	run_spec_free(&s);
	assert_int_equal(PARSE(&s, &e, "--boot=cold", "--boot=snapshot", "--mode=vm", "busybox"), 0);
	assert_false(s.cold_boot); /* the last one wins */
	run_spec_free(&s);
}

static void test_parse_size(void **state)
{
	uint64_t v;
	assert_int_equal(parse_size("1048576", &v), 0);
	assert_int_equal(v, 1048576);
	assert_int_equal(parse_size("64k", &v), 0);
	assert_int_equal(v, 65536);
	assert_int_equal(parse_size("512M", &v), 0);
	assert_int_equal(v, 512ULL << 20);
	assert_int_equal(parse_size("1g", &v), 0);
	assert_int_equal(v, 1ULL << 30);
	assert_int_equal(parse_size("1.5g", &v), 0);
	assert_int_equal(v, 3ULL << 29);
	assert_int_equal(parse_size("2GiB", &v), 0);
	assert_int_equal(v, 2ULL << 30);
	assert_int_equal(parse_size("", &v), -EINVAL);
	assert_int_equal(parse_size("-1m", &v), -EINVAL);
	assert_int_equal(parse_size("12q", &v), -EINVAL);
	assert_int_equal(parse_size("m", &v), -EINVAL);
	assert_int_equal(parse_size("99999999999t", &v), -ERANGE);
}

static void test_parse_duration(void **state)
{
	unsigned s;
	assert_int_equal(parse_duration("10", &s), 0);
	assert_int_equal(s, 10);
	assert_int_equal(parse_duration("3s", &s), 0);
	assert_int_equal(s, 3);
	assert_int_equal(parse_duration("1h", &s), 0);
	assert_int_equal(s, 3600);
	assert_int_equal(parse_duration("0", &s), -EINVAL);
	assert_int_equal(parse_duration("-3", &s), -EINVAL);
	assert_int_equal(parse_duration("5x", &s), -EINVAL);
}

static void test_env_passthrough(void **state)
{
	struct run_spec s;
	struct vmctl_err e = {0};
	setenv("VMCTL_TEST_VAR", "v1", 1);
	unsetenv("VMCTL_TEST_UNSET");
	assert_int_equal(PARSE(&s, &e, "-e", "VMCTL_TEST_VAR", "-e", "VMCTL_TEST_UNSET", "b"), 0);
	assert_string_equal(s.env[0], "VMCTL_TEST_VAR=v1");
	assert_null(s.env[1]);
	run_spec_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_minimal),
		cmocka_unit_test(test_all_flags),
		cmocka_unit_test(test_report_default_text),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_boot_flag),
		cmocka_unit_test(test_parse_size),
		cmocka_unit_test(test_parse_duration),
		cmocka_unit_test(test_env_passthrough),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
