/* Unit tests: cgroup decisions (hierarchy discovery, paths, limit writes). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "container/cgroup.h"

/* This machine's layout: v1 controllers plus an empty cgroup2. */
static const char hybrid[] =
    "25 30 0:23 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs "
    "rw\n"
    "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
    "32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup "
    "rw,cpu,cpuacct\n"
    "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime shared:9 - cgroup cgroup "
    "rw,memory\n"
    "39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids\n"
    "40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup "
    "rw,name=systemd\n"
    "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n";

static void test_parse_hybrid(void **state)
{
	struct cgroup_layout l;
	assert_int_equal(cgroup_parse_mountinfo(hybrid, &l), 0);
	assert_string_equal(l.v1[CG_MEMORY], "/sys/fs/cgroup/memory");
	/* co-mounted controllers are found by option, not by dir name */
	assert_string_equal(l.v1[CG_CPU], "/sys/fs/cgroup/cpu,cpuacct");
	assert_string_equal(l.v1[CG_PIDS], "/sys/fs/cgroup/pids");
	assert_string_equal(l.v2, "/sys/fs/cgroup/unified");
}

static void test_parse_v2_only_and_escapes(void **state)
{
	const char v2[] = "30 1 0:26 / /sys/fs/cgroup rw,nosuid - cgroup2 "
			  "cgroup2 rw,nsdelegate\n";
	struct cgroup_layout l;
	assert_int_equal(cgroup_parse_mountinfo(v2, &l), 0);
	assert_string_equal(l.v2, "/sys/fs/cgroup");
	assert_string_equal(l.v1[CG_MEMORY], "");

	/* mountinfo escapes spaces as \040 */
	const char spaced[] = "35 31 0:32 / /mnt/my\\040cg rw - cgroup cgroup "
			      "rw,memory\n";
	assert_int_equal(cgroup_parse_mountinfo(spaced, &l), 0);
	assert_string_equal(l.v1[CG_MEMORY], "/mnt/my cg");
}

static void test_parse_ignores_sub_cgroup_binds(void **state)
{
	/* a bind of a sub-cgroup (root not "/") is not the hierarchy */
	const char sub[] = "35 31 0:32 /docker/abc /sys/fs/cgroup/memory rw - "
			   "cgroup cgroup rw,memory\n"
			   "36 31 0:33 / /x rw - tmpfs tmpfs rw\n";
	struct cgroup_layout l;
	assert_int_equal(cgroup_parse_mountinfo(sub, &l), -ENOENT);
	/* "memory" must be a whole option, not a substring */
	const char lookalike[] = "35 31 0:32 / /cg rw - cgroup cgroup "
				 "rw,name=memoryish\n";
	assert_int_equal(cgroup_parse_mountinfo(lookalike, &l), -ENOENT);
}

static void test_dir_for(void **state)
{
	char buf[64];
	assert_int_equal(
	    cgroup_dir_for("/sys/fs/cgroup/memory", "abc123", buf, sizeof(buf)),
	    0);
	assert_string_equal(buf, "/sys/fs/cgroup/memory/vmctl/abc123");
	assert_int_equal(
	    cgroup_dir_for("/sys/fs/cgroup/memory", "abc123", buf, 10),
	    -ENAMETOOLONG);
}

static void test_cpu_quota(void **state)
{
	assert_int_equal(cgroup_cpu_quota_us(0.5), 50000);
	assert_int_equal(cgroup_cpu_quota_us(2), 200000);
	assert_int_equal(cgroup_cpu_quota_us(1.25), 125000);
	assert_int_equal(cgroup_cpu_quota_us(0.001), 1000); /* kernel min */
}

static void test_v1_writes(void **state)
{
	struct cgroup_limits lim = {64 << 20, 0.5, 20};
	struct cgroup_write w[CGROUP_MAX_WRITES];
	size_t n = cgroup_limit_writes(1, &lim, w);
	assert_int_equal(n, 5);
	/* the limit before memsw: the kernel insists memsw >= limit */
	assert_string_equal(w[0].file, "memory.limit_in_bytes");
	assert_string_equal(w[0].value, "67108864");
	assert_string_equal(w[1].file, "memory.memsw.limit_in_bytes");
	assert_string_equal(w[1].value, "67108864");
	assert_int_equal(w[2].ctrl, CG_CPU);
	assert_string_equal(w[2].file, "cpu.cfs_period_us");
	assert_string_equal(w[2].value, "100000");
	assert_string_equal(w[3].file, "cpu.cfs_quota_us");
	assert_string_equal(w[3].value, "50000");
	assert_int_equal(w[4].ctrl, CG_PIDS);
	assert_string_equal(w[4].file, "pids.max");
	assert_string_equal(w[4].value, "20");
}

static void test_v2_writes(void **state)
{
	struct cgroup_limits lim = {1 << 30, 1.5, 0};
	struct cgroup_write w[CGROUP_MAX_WRITES];
	size_t n = cgroup_limit_writes(2, &lim, w);
	assert_int_equal(n, 3);
	assert_string_equal(w[0].file, "memory.max");
	assert_string_equal(w[0].value, "1073741824");
	assert_string_equal(w[1].file, "memory.swap.max");
	assert_string_equal(w[1].value, "0");
	assert_string_equal(w[2].file, "cpu.max");
	assert_string_equal(w[2].value, "150000 100000");
}

static void test_unlimited_writes_nothing(void **state)
{
	struct cgroup_limits lim = {0, 0, 0};
	struct cgroup_write w[CGROUP_MAX_WRITES];
	assert_int_equal(cgroup_limit_writes(1, &lim, w), 0);
	assert_int_equal(cgroup_limit_writes(2, &lim, w), 0);
	/* memory always (the peak figure), the others only when limited */
	assert_true(cgroup_v1_needs(CG_MEMORY, &lim));
	assert_false(cgroup_v1_needs(CG_CPU, &lim));
	assert_false(cgroup_v1_needs(CG_PIDS, &lim));
	lim.pids_limit = 5;
	assert_true(cgroup_v1_needs(CG_PIDS, &lim));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_hybrid),
	    cmocka_unit_test(test_parse_v2_only_and_escapes),
	    cmocka_unit_test(test_parse_ignores_sub_cgroup_binds),
	    cmocka_unit_test(test_dir_for),
	    cmocka_unit_test(test_cpu_quota),
	    cmocka_unit_test(test_v1_writes),
	    cmocka_unit_test(test_v2_writes),
	    cmocka_unit_test(test_unlimited_writes_nothing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
