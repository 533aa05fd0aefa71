/* Unit tests: vmctl bench's statistics, flags, commands and writers. */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <cmocka.h>

#include "bench/bench.h"
#include "common/strv.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void assert_close(double a, double b)
{
	assert_true(fabs(a - b) < 1e-9);
}

/* ---- statistics ---- */

static void test_median_odd_even(void **state)
{
	double odd[] = {5, 1, 3};
	double even[] = {4, 1, 3, 2};
	assert_close(bench_stats_of(odd, N(odd)).median, 3);
	assert_close(bench_stats_of(even, N(even)).median, 2.5);
}

static void test_percentile_numpy_linear(void **state)
{
	/* numpy.percentile([1,2,3,4], 95) = 3.85; ([10,20,30,40,50], 95) = 48
	 */
	double four[] = {4, 3, 2, 1};
	double five[] = {50, 10, 40, 20, 30};
	assert_close(bench_percentile(four, N(four), 0.95), 3.85);
	assert_close(bench_percentile(five, N(five), 0.95), 48);
	assert_close(bench_percentile(five, N(five), 0.0), 10);
	assert_close(bench_percentile(five, N(five), 1.0), 50);
	assert_close(bench_percentile(five, N(five), 0.25), 20);
	double one[] = {7};
	assert_close(bench_percentile(one, 1, 0.95), 7);
}

static void test_stats_skip_nan(void **state)
{
	double v[] = {NAN, 2, NAN, 4, 9};
	struct bench_stats st = bench_stats_of(v, N(v));
	assert_int_equal(st.n, 3);
	assert_close(st.median, 4);
	assert_close(st.min, 2);
	assert_close(st.max, 9);
	assert_close(st.mean, 5);
	assert_close(st.p95, 8.5); /* rank 1.9 between 4 and 9 */
}

static void test_stats_all_nan_or_empty(void **state)
{
	double v[] = {NAN, NAN};
	struct bench_stats st = bench_stats_of(v, N(v));
	assert_int_equal(st.n, 0);
	assert_true(isnan(st.median) && isnan(st.p95) && isnan(st.min) &&
		    isnan(st.max) && isnan(st.mean));
	assert_true(isnan(bench_stats_of(NULL, 0).median));
	assert_true(isnan(bench_percentile(v, N(v), 0.5)));
}

static void test_round_order(void **state)
{
	(void)state;
	/* Turned by one each round; every subject once per round. */
	size_t want[3][3] = {{0, 1, 2}, {1, 2, 0}, {2, 0, 1}};
	for (unsigned r = 0; r < 3; r++)
		for (size_t k = 0; k < 3; k++)
			assert_int_equal(bench_round_subject(r, k, 3), want[r][k]);
	assert_int_equal(bench_round_subject(3, 0, 3), 0);
	assert_int_equal(bench_round_subject(7, 0, 0), 0);
}

static void test_ratio(void **state)
{
	assert_close(bench_ratio(6, 3), 2);
	assert_true(isnan(bench_ratio(NAN, 3)));
	assert_true(isnan(bench_ratio(3, NAN)));
	assert_true(isnan(bench_ratio(3, 0)));
}

static void test_metric_names(void **state)
{
	assert_string_equal(bench_metric_name(METRIC_STARTUP_MS), "startup_ms");
	assert_string_equal(bench_metric_name(METRIC_GUEST_BYTES),
			    "guest_bytes");
	assert_string_equal(bench_metric_name(METRIC_COUNT), "?");
}

/* ---- a result built by hand ---- */

static double *values(const double *v, size_t n)
{
	double *p = malloc(n * sizeof(*p));
	memcpy(p, v, n * sizeof(*p));
	return p;
}

static void fill(struct bench_subject *s, const char *name,
		 enum bench_kind kind, const double *wall,
		 const double *startup, size_t n)
{
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->kind = kind;
	s->n_runs = n;
	s->exit_codes = calloc(n, sizeof(int));
	double nan[8] = {NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN};
	for (int m = 0; m < METRIC_COUNT; m++)
		s->samples[m] = values(nan, n);
	memcpy(s->samples[METRIC_WALL_MS], wall, n * sizeof(double));
	if (startup)
		memcpy(s->samples[METRIC_STARTUP_MS], startup,
		       n * sizeof(double));
	s->starts_per_sec = s->mem_per_instance_bytes = NAN;
}

static void sample_result(struct bench_result *r)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->image, sizeof(r->image), "busybox");
	char *argv[] = {"true", NULL};
	r->argv = strv_dup(argv);
	r->runs = 3;
	r->warmup = 1;
	r->concurrency = 1;
	snprintf(r->baseline, sizeof(r->baseline), "container");
	snprintf(r->machine.cpu, sizeof(r->machine.cpu), "Test CPU");
	r->n_subjects = 3;
	r->subjects = calloc(3, sizeof(*r->subjects));
	double cw[] = {2, 4, 3}, cs[] = {1, NAN, 1.5}, bw[] = {6, 8, 7};
	fill(&r->subjects[0], "container", BENCH_MODE, cw, cs, 3);
	fill(&r->subjects[1], "bwrap", BENCH_PEER, bw, NULL, 3);
	snprintf(r->subjects[1].how, sizeof(r->subjects[1].how), "bwrap ...");
	r->subjects[1].exit_codes[2] = 1;
	r->subjects[1].failures = 1;
	snprintf(r->subjects[2].name, sizeof(r->subjects[2].name), "qemu");
	r->subjects[2].kind = BENCH_PEER;
	r->subjects[2].vm = true;
	snprintf(r->subjects[2].skipped, sizeof(r->subjects[2].skipped),
		 "qemu-system-x86_64 is not installed");
	r->subjects[2].starts_per_sec = NAN;
	r->subjects[2].mem_per_instance_bytes = NAN;
	bench_result_compute(r);
}

static void test_result_compute(void **state)
{
	struct bench_result r;
	sample_result(&r);
	assert_close(r.subjects[0].stats[METRIC_WALL_MS].median, 3);
	assert_close(r.subjects[0].stats[METRIC_STARTUP_MS].median, 1.25);
	assert_close(r.subjects[1].ratio[METRIC_WALL_MS], 7.0 / 3.0);
	assert_close(r.subjects[0].ratio[METRIC_WALL_MS], 1);
	assert_true(isnan(r.subjects[1].ratio[METRIC_STARTUP_MS]));
	assert_true(isnan(r.subjects[2].ratio[METRIC_WALL_MS]));
	/* memory: a mode's report against a peer's max RSS is no ratio */
	r.subjects[0].samples[METRIC_PEAK_BYTES][0] = 1000;
	r.subjects[1].samples[METRIC_PEAK_BYTES][0] = 3000;
	bench_result_compute(&r);
	assert_close(r.subjects[0].ratio[METRIC_PEAK_BYTES], 1);
	assert_true(isnan(r.subjects[1].ratio[METRIC_PEAK_BYTES]));
	/* --baseline bwrap: the ratios turn around */
	snprintf(r.baseline, sizeof(r.baseline), "bwrap");
	bench_result_compute(&r);
	assert_close(r.subjects[1].ratio[METRIC_WALL_MS], 1);
	assert_close(r.subjects[0].ratio[METRIC_WALL_MS], 3.0 / 7.0);
	assert_true(isnan(r.subjects[0].ratio[METRIC_STARTUP_MS]));
	bench_result_free(&r);
	assert_null(r.subjects);
}

static const cJSON *subject(const cJSON *j, int i)
{
	return cJSON_GetArrayItem(cJSON_GetObjectItem(j, "subjects"), i);
}

static void test_json_writer(void **state)
{
	struct bench_result r;
	sample_result(&r);
	char *s = bench_json(&r);
	cJSON *j = cJSON_Parse(s);
	assert_non_null(j);
	assert_string_equal(cJSON_GetObjectItem(j, "image")->valuestring,
			    "busybox");
	assert_string_equal(
	    cJSON_GetArrayItem(cJSON_GetObjectItem(j, "argv"), 0)->valuestring,
	    "true");
	assert_int_equal(cJSON_GetObjectItem(j, "runs")->valueint, 3);
	assert_string_equal(cJSON_GetObjectItem(j, "baseline")->valuestring,
			    "container");
	assert_string_equal(
	    cJSON_GetObjectItem(cJSON_GetObjectItem(j, "machine"), "cpu")
		->valuestring,
	    "Test CPU");
	const cJSON *c = subject(j, 0);
	assert_string_equal(cJSON_GetObjectItem(c, "kind")->valuestring,
			    "mode");
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(c, "skipped")));
	const cJSON *startup = cJSON_GetObjectItem(
	    cJSON_GetObjectItem(c, "samples"), "startup_ms");
	assert_int_equal(cJSON_GetArraySize(startup), 3);
	assert_true(cJSON_IsNull(cJSON_GetArrayItem(startup, 1))); /* NaN */
	const cJSON *wall =
	    cJSON_GetObjectItem(cJSON_GetObjectItem(c, "stats"), "wall_ms");
	assert_int_equal(cJSON_GetObjectItem(wall, "n")->valueint, 3);
	assert_true(cJSON_GetObjectItem(wall, "median")->valuedouble == 3);
	assert_true(cJSON_GetObjectItem(wall, "p95")->valuedouble == 3.9);
	const cJSON *guest =
	    cJSON_GetObjectItem(cJSON_GetObjectItem(c, "stats"), "guest_bytes");
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(guest, "median")));
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(c, "starts_per_sec")));
	const cJSON *b = subject(j, 1);
	assert_string_equal(cJSON_GetObjectItem(b, "kind")->valuestring,
			    "peer");
	assert_int_equal(cJSON_GetObjectItem(b, "failures")->valueint, 1);
	assert_true(
	    cJSON_GetObjectItem(cJSON_GetObjectItem(b, "ratio"), "wall_ms")
		->valuedouble > 2.33);
	const cJSON *q = subject(j, 2);
	assert_string_equal(cJSON_GetObjectItem(q, "skipped")->valuestring,
			    "qemu-system-x86_64 is not installed");
	cJSON_Delete(j);
	free(s);
	bench_result_free(&r);
}

static void test_csv_writer(void **state)
{
	struct bench_result r;
	sample_result(&r);
	char *s = bench_csv(&r);
	assert_non_null(s);
	const char *head = "subject,kind,run,exit_code,startup_ms,total_ms,"
			   "wall_ms,peak_bytes,overhead_bytes,guest_bytes,"
			   "starts_per_sec,mem_per_instance_bytes\n";
	assert_true(!strncmp(s, head, strlen(head)));
	assert_non_null(strstr(s, "\ncontainer,mode,1,0,1,,2,,,,,\n"));
	assert_non_null(strstr(s, "\ncontainer,mode,2,0,,,4,,,,,\n"));
	assert_non_null(strstr(s, "\nbwrap,peer,3,1,,,7,,,,,\n"));
	assert_null(strstr(s, "qemu")); /* skipped: no rows */
	int lines = 0;
	for (char *p = s; *p; p++)
		lines += *p == '\n';
	assert_int_equal(lines, 7);
	free(s);
	/* at a density: each row carries its subject's aggregate */
	r.concurrency = 4;
	r.subjects[1].starts_per_sec = 12.5;
	r.subjects[1].mem_per_instance_bytes = 1048576;
	s = bench_csv(&r);
	assert_non_null(s);
	assert_non_null(strstr(s, "\nbwrap,peer,1,0,,,6,,,,12.5,1048576\n"));
	assert_non_null(strstr(s, "\nbwrap,peer,3,1,,,7,,,,12.5,1048576\n"));
	assert_non_null(strstr(s, "\ncontainer,mode,3,0,1.5,,3,,,,,\n"));
	free(s);
	bench_result_free(&r);
}

static void test_table_writer(void **state)
{
	struct bench_result r;
	sample_result(&r);
	char *s = bench_table(&r);
	assert_non_null(s);
	assert_non_null(strstr(s, "vmctl bench busybox true: 3 runs each"));
	assert_non_null(strstr(
	    s, "qemu       skipped: qemu-system-x86_64 is not installed"));
	/* container's wall row: median 3, p95 3.9, min 2, max 4, ratio 1 */
	assert_non_null(strstr(s, "wall            3.00 ms      3.90 ms      "
				  "2.00 ms      4.00 ms    1.00x"));
	assert_non_null(strstr(s, "bwrap      wall            7.00 ms"));
	assert_non_null(strstr(s, "bwrap      3 runs, 1 failed"));
	assert_null(strstr(s, "nan"));
	/* bwrap measured no startup: no startup row for it */
	assert_null(strstr(s, "bwrap      startup"));
	free(s);
	bench_result_free(&r);
}

/* ---- flags ---- */

static int parse(struct bench_flags f, const char *image, struct bench_opts *o,
		 struct vmctl_err *err)
{
	static char *cmd[] = {"true", NULL};
	return bench_opts_parse(&f, image, cmd, o, err);
}

static void test_opts_defaults(void **state)
{
	struct bench_opts o;
	struct vmctl_err err = {0};
	assert_int_equal(parse((struct bench_flags){0}, "busybox", &o, &err),
			 0);
	assert_int_equal(o.runs, 10);
	assert_int_equal(o.warmup, 1);
	assert_int_equal(o.concurrency, 1);
	assert_int_equal(o.n_names, 2);
	assert_string_equal(o.names[0], "container");
	assert_string_equal(o.names[1], "vm");
	assert_string_equal(o.baseline, "container");
	assert_false(o.baseline_given);
	assert_true(o.timeout_sec == 0);
}

static void test_opts_lists_and_baseline(void **state)
{
	struct bench_opts o;
	struct vmctl_err err = {0};
	struct bench_flags f = {.runs = "3",
				.warmup = "0",
				.modes = "vm",
				.peers = "qemu,crun",
				.concurrency = "4",
				.baseline = "qemu",
				.timeout = "2.5"};
	assert_int_equal(parse(f, "busybox", &o, &err), 0);
	assert_int_equal(o.runs, 3);
	assert_int_equal(o.warmup, 0);
	assert_int_equal(o.concurrency, 4);
	assert_int_equal(o.n_names, 3);
	assert_string_equal(o.names[1], "qemu");
	assert_string_equal(o.names[2], "crun");
	assert_string_equal(o.baseline, "qemu");
	assert_true(o.baseline_given);
	assert_true(o.timeout_sec == 2.5);
	assert_true(bench_is_peer("bwrap") && !bench_is_peer("vm"));
	assert_true(bench_is_mode("vm") && !bench_is_mode("runc"));
	/* every mode and every peer at once fits */
	f = (struct bench_flags){.modes = "container,vm,vm-cold",
				 .peers = "crun,runc,bwrap,qemu"};
	assert_int_equal(parse(f, "busybox", &o, &err), 0);
	assert_int_equal(o.n_names, 7);
	assert_string_equal(o.names[2], "vm-cold");
	assert_string_equal(o.names[6], "qemu");
	assert_true(bench_is_mode("vm-cold"));
}

static void expect_error(struct bench_flags f, const char *image,
			 const char *msg)
{
	struct bench_opts o;
	struct vmctl_err err = {0};
	assert_int_equal(parse(f, image, &o, &err), -EINVAL);
	assert_non_null(strstr(err.msg, msg));
	assert_null(strchr(err.msg, '\n'));
}

static void test_opts_errors(void **state)
{
	expect_error((struct bench_flags){.runs = "0"}, "busybox",
		     "--runs: '0'");
	expect_error((struct bench_flags){.runs = "x"}, "busybox",
		     "--runs: 'x'");
	expect_error((struct bench_flags){.runs = "-3"}, "busybox", "--runs");
	expect_error((struct bench_flags){.runs = "3x"}, "busybox", "--runs");
	expect_error((struct bench_flags){.runs = ""}, "busybox", "--runs");
	expect_error((struct bench_flags){.warmup = "w"}, "busybox",
		     "--warmup");
	expect_error((struct bench_flags){.concurrency = "0"}, "busybox",
		     "--concurrency: '0'");
	expect_error((struct bench_flags){.concurrency = "65"}, "busybox",
		     "--concurrency");
	expect_error((struct bench_flags){.modes = "container,docker"},
		     "busybox", "unknown mode 'docker'");
	expect_error((struct bench_flags){.peers = "crun,podman"}, "busybox",
		     "unknown peer 'podman'");
	expect_error((struct bench_flags){.peers = "vm"}, "busybox",
		     "unknown peer 'vm'");
	expect_error((struct bench_flags){.modes = ""}, "busybox",
		     "--modes: the list is empty");
	expect_error((struct bench_flags){.peers = ""}, "busybox",
		     "--peers: the list is empty");
	expect_error((struct bench_flags){.peers = "crun,"}, "busybox",
		     "empty name");
	expect_error((struct bench_flags){.peers = "crun,,runc"}, "busybox",
		     "unknown peer ''");
	expect_error((struct bench_flags){.peers = "crun,crun"}, "busybox",
		     "listed twice");
	expect_error(
	    (struct bench_flags){.modes = "vm", .baseline = "container"},
	    "busybox", "--baseline: 'container' is not one");
	expect_error((struct bench_flags){.timeout = "0"}, "busybox",
		     "--timeout");
	expect_error((struct bench_flags){.timeout = "nan"}, "busybox",
		     "--timeout");
	expect_error((struct bench_flags){0}, NULL, "needs an IMAGE");
}

/* ---- commands ---- */

static const struct bench_paths paths = {.vmctl = "/proc/self/exe",
					 .rootfs = "/t/rootfs",
					 .bundle = "/t/bundle",
					 .state = "/t/state",
					 .kernel = "/k/vmlinux",
					 .initrd = "/t/initrd",
					 .disk = "/t/disk-0.ext4",
					 .cmdline =
					     "console=ttyS0 vmctl_root=vda",
					 .mem_mib = 128,
					 .run_id = "vmctl-bench-1-0-0"};

static char *joined(char **v)
{
	static char buf[2048];
	buf[0] = 0;
	for (char **p = v; p && *p; p++) {
		strcat(buf, p == v ? "" : " ");
		strcat(buf, *p);
	}
	strv_free(v);
	return buf;
}

static void test_argv_builders(void **state)
{
	char *cmd[] = {"sh", "-c", "exit 3", NULL};
	assert_string_equal(
	    joined(bench_argv("container", "busybox", cmd, &paths)),
	    "/proc/self/exe run --rm --report=json busybox sh -c exit 3");
	assert_string_equal(
	    joined(bench_argv("vm", "busybox", NULL, &paths)),
	    "/proc/self/exe run --rm --report=json --mode=vm busybox");
	assert_string_equal(
	    joined(bench_argv("crun", "busybox", cmd, &paths)),
	    "crun --root /t/state --cgroup-manager=disabled run "
	    "--bundle /t/bundle vmctl-bench-1-0-0");
	assert_string_equal(joined(bench_argv("runc", "busybox", cmd, &paths)),
			    "runc --root /t/state run --bundle /t/bundle "
			    "vmctl-bench-1-0-0");
	assert_string_equal(
	    joined(bench_argv("bwrap", "busybox", cmd, &paths)),
	    "bwrap --unshare-all --ro-bind /t/rootfs / --proc /proc "
	    "--dev /dev sh -c exit 3");
	char *q = joined(bench_argv("qemu", "busybox", cmd, &paths));
	assert_non_null(strstr(q, "qemu-system-x86_64 -enable-kvm -cpu "
				  "host,-arch-capabilities -M microvm,"));
	assert_non_null(strstr(q, " -m 128 "));
	assert_non_null(strstr(q, "-kernel /k/vmlinux -initrd /t/initrd "
				  "-append console=ttyS0 vmctl_root=vda"));
	assert_non_null(strstr(q,
			       "-device virtio-blk-device,drive=d0 -drive "
			       "id=d0,file=/t/disk-0.ext4,format=raw,if=none"));
	assert_non_null(strstr(q, "-no-reboot"));
	/* without it the guest's reboot=k spins ~20 s before QEMU exits */
	assert_non_null(strstr(q, "-device i8042"));
	assert_null(bench_argv("docker", "busybox", cmd, &paths));
}

static void test_patch_oci_config(void **state)
{
	const char *spec =
	    "{\"ociVersion\":\"1.0.0\",\"process\":{\"terminal\":"
	    "true,\"args\":[\"sh\"],\"cwd\":\"/\"},\"root\":{"
	    "\"path\":\"rootfs\"},\"hostname\":\"crun\"}";
	char *args[] = {"true", NULL}, *env[] = {"PATH=/bin", NULL};
	struct vmctl_err err = {0};
	char *out = bench_patch_oci_config(spec, "/t/rootfs", args, env, &err);
	assert_non_null(out);
	cJSON *j = cJSON_Parse(out);
	cJSON *proc = cJSON_GetObjectItem(j, "process");
	assert_true(cJSON_IsFalse(cJSON_GetObjectItem(proc, "terminal")));
	cJSON *a = cJSON_GetObjectItem(proc, "args");
	assert_int_equal(cJSON_GetArraySize(a), 1);
	assert_string_equal(cJSON_GetArrayItem(a, 0)->valuestring, "true");
	assert_string_equal(
	    cJSON_GetArrayItem(cJSON_GetObjectItem(proc, "env"), 0)
		->valuestring,
	    "PATH=/bin");
	cJSON *root = cJSON_GetObjectItem(j, "root");
	assert_string_equal(cJSON_GetObjectItem(root, "path")->valuestring,
			    "/t/rootfs");
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(root, "readonly")));
	assert_string_equal(cJSON_GetObjectItem(j, "hostname")->valuestring,
			    "crun");
	cJSON_Delete(j);
	free(out);
	assert_null(bench_patch_oci_config("[1]", "/r", args, env, &err));
	assert_null(bench_patch_oci_config("not json", "/r", args, env, &err));
}

/* ---- what runs say ---- */

static void test_parse_report(void **state)
{
	double m[METRIC_COUNT];
	for (int i = 0; i < METRIC_COUNT; i++)
		m[i] = NAN;
	char kernel[65] = "";
	int code = -1;
	const char *vm = "{\"mode\":\"vm\",\"exit_code\":3,\"startup_ms\":10.5,"
			 "\"total_ms\":null,\"memory\":{\"peak_bytes\":2048,"
			 "\"overhead_bytes\":0,\"guest_bytes\":1024},"
			 "\"kernel\":\"6.1.192-vmctl\"}";
	assert_int_equal(
	    bench_parse_report(vm, m, kernel, sizeof(kernel), &code), 0);
	assert_int_equal(code, 3);
	assert_close(m[METRIC_STARTUP_MS], 10.5);
	assert_true(isnan(m[METRIC_TOTAL_MS]));
	assert_close(m[METRIC_PEAK_BYTES], 2048);
	assert_true(isnan(m[METRIC_OVERHEAD_BYTES])); /* 0: not measured */
	assert_close(m[METRIC_GUEST_BYTES], 1024);
	assert_true(isnan(m[METRIC_WALL_MS])); /* not the report's */
	assert_string_equal(kernel, "6.1.192-vmctl");
	assert_int_equal(
	    bench_parse_report("vmctl: no such image", m, NULL, 0, &code),
	    -EINVAL);
	assert_int_equal(
	    bench_parse_report("{\"mode\":\"vm\"}", m, NULL, 0, &code),
	    -EINVAL);
}

static void test_console_scanner(void **state)
{
	struct bench_console c;
	bench_console_init(&c);
	const char *a = "boot text\r\n\x1eI\n\x1eU6.1.1-vm";
	const char *b = "ctl\n\x1e";
	const char *d = "X\nhello\n\x1eS2";
	const char *e = "56\nreboot: Restarting system\n";
	bench_console_feed(&c, a, strlen(a), 100);
	assert_int_equal(c.exec_ns, 0);
	bench_console_feed(&c, b, strlen(b), 200);
	assert_string_equal(c.kernel, "6.1.1-vmctl");
	bench_console_feed(&c, d, strlen(d), 300);
	assert_int_equal(c.exec_ns, 300);
	assert_int_equal(c.wait_status, -1);
	bench_console_feed(&c, e, strlen(e), 400);
	assert_int_equal(c.wait_status, 256);
	assert_int_equal(c.exit_ns, 400);
	assert_string_equal(c.last_line, "reboot: Restarting system");

	bench_console_init(&c);
	const char *f = "\x1e"
			"F2 mount /dev/vda\n";
	bench_console_feed(&c, f, strlen(f), 1);
	assert_int_equal(c.wait_status, -1);
	assert_non_null(strstr(c.last_line, "2 mount /dev/vda"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_median_odd_even),
	    cmocka_unit_test(test_percentile_numpy_linear),
	    cmocka_unit_test(test_round_order),
	    cmocka_unit_test(test_stats_skip_nan),
	    cmocka_unit_test(test_stats_all_nan_or_empty),
	    cmocka_unit_test(test_ratio),
	    cmocka_unit_test(test_metric_names),
	    cmocka_unit_test(test_result_compute),
	    cmocka_unit_test(test_json_writer),
	    cmocka_unit_test(test_csv_writer),
	    cmocka_unit_test(test_table_writer),
	    cmocka_unit_test(test_opts_defaults),
	    cmocka_unit_test(test_opts_lists_and_baseline),
	    cmocka_unit_test(test_opts_errors),
	    cmocka_unit_test(test_argv_builders),
	    cmocka_unit_test(test_patch_oci_config),
	    cmocka_unit_test(test_parse_report),
	    cmocka_unit_test(test_console_scanner),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
