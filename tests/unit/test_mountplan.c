/* Unit tests: the container's mount plan (pure, no root). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include <cmocka.h>

#include "container/container.h"
#include "container/mountplan.h"

static const char *const two_layers[] = {"/img/top", "/img/base"};

static struct container_config base_cfg(void)
{
	struct container_config c = {
	    .id = "0123456789abcdef",
	    .state_dir = "/var/lib/vmctl/containers/0123456789ab",
	    .lower_dirs = two_layers,
	    .n_lower = 2,
	};
	return c;
}

/* Index of the first step with this target and op, or -1. */
static int find(const struct mount_plan *p, const char *target,
		enum mount_op op)
{
	for (size_t i = 0; i < p->n_steps; i++)
		if (strcmp(p->steps[i].target, target) == 0 &&
		    p->steps[i].op == op)
			return (int)i;
	return -1;
}

static void test_overlay_options(void **state)
{
	struct container_config c = base_cfg();
	struct mount_plan p;
	struct vmctl_err err = {0};
	assert_int_equal(mount_plan_build(&c, &p, &err), 0);
	/* top-most layer first, as overlayfs wants it */
	assert_string_equal(
	    p.overlay_opts,
	    "volatile,lowerdir=/img/top:/img/base,"
	    "upperdir=/var/lib/vmctl/containers/0123456789ab/upper,"
	    "workdir=/var/lib/vmctl/containers/0123456789ab/work");
	assert_string_equal(p.rootfs,
			    "/var/lib/vmctl/containers/0123456789ab/rootfs");
	mount_plan_free(&p);
}

static void test_ephemeral_layer_on_tmpfs(void **state)
{
	struct container_config c = base_cfg();
	struct mount_plan p;
	struct vmctl_err err = {0};

	/* Persistent layer (diff/commit can read it later): no tmpfs. */
	assert_int_equal(mount_plan_build(&c, &p, &err), 0);
	assert_null(p.scratch);
	assert_null(p.scratch_opts);
	mount_plan_free(&p);

	/* Ephemeral: the tmpfs goes over the state dir, upper/work/rootfs
	 * live in it, and -m bounds its size. */
	c.ephemeral_layer = true;
	c.memory_bytes = 64ull << 20;
	assert_int_equal(mount_plan_build(&c, &p, &err), 0);
	assert_string_equal(p.scratch, "/var/lib/vmctl/containers/0123456789ab");
	assert_string_equal(p.scratch_opts, "mode=755,size=67108864");
	assert_string_equal(p.upper, "/var/lib/vmctl/containers/0123456789ab/upper");
	assert_string_equal(p.work, "/var/lib/vmctl/containers/0123456789ab/work");
	mount_plan_free(&p);

	/* Without a limit: tmpfs's own default size. */
	c.memory_bytes = 0;
	assert_int_equal(mount_plan_build(&c, &p, &err), 0);
	assert_string_equal(p.scratch_opts, "mode=755");
	mount_plan_free(&p);
}

static void test_colon_escaped_comma_refused(void **state)
{
	const char *const odd[] = {"/img/a:b"};
	struct container_config c = base_cfg();
	struct mount_plan p;
	struct vmctl_err err = {0};
	c.lower_dirs = odd;
	c.n_lower = 1;
	assert_int_equal(mount_plan_build(&c, &p, &err), 0);
	assert_non_null(strstr(p.overlay_opts, "lowerdir=/img/a\\:b,"));
	mount_plan_free(&p);

	const char *const comma[] = {"/img/a,b"};
	c.lower_dirs = comma;
	assert_int_equal(mount_plan_build(&c, &p, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "','"));
}

static void test_too_many_layers(void **state)
{
	static char names[200][40];
	const char *layers[200];
	for (int i = 0; i < 200; i++) {
		snprintf(names[i], sizeof(names[i]),
			 "/var/lib/vmctl/layers/%08d", i);
		layers[i] = names[i];
	}
	struct container_config c = base_cfg();
	struct mount_plan p;
	struct vmctl_err err = {0};
	c.lower_dirs = layers;
	c.n_lower = 200;
	assert_int_equal(mount_plan_build(&c, &p, &err), -ENAMETOOLONG);
}

static void test_invalid_inputs(void **state)
{
	struct container_config c = base_cfg();
	struct mount_plan p;
	struct vmctl_err err = {0};

	c.n_lower = 0;
	assert_int_equal(mount_plan_build(&c, &p, &err), -EINVAL);
	c = base_cfg();
	c.state_dir = "relative/dir";
	assert_int_equal(mount_plan_build(&c, &p, &err), -EINVAL);

	struct volume bad[] = {{"relative", "/data", false}};
	c = base_cfg();
	c.volumes = bad;
	c.n_volumes = 1;
	assert_int_equal(mount_plan_build(&c, &p, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "not absolute"));

	struct volume over_root[] = {{"/srv", "//", false}};
	c.volumes = over_root;
	assert_int_equal(mount_plan_build(&c, &p, &err), -EINVAL);
}

static void test_standard_mounts_in_order(void **state)
{
	struct container_config c = base_cfg();
	struct mount_plan p;
	struct vmctl_err err = {0};
	assert_int_equal(mount_plan_build(&c, &p, &err), 0);

	int proc = find(&p, "/proc", MOP_MOUNT);
	int dev = find(&p, "/dev", MOP_MOUNT);
	int pts = find(&p, "/dev/pts", MOP_MOUNT);
	int sys = find(&p, "/sys", MOP_MOUNT);
	assert_true(proc >= 0 && dev >= 0 && pts > dev && sys >= 0);
	assert_string_equal(p.steps[proc].fstype, "proc");
	assert_string_equal(p.steps[sys].fstype, "sysfs");
	assert_true(p.steps[sys].flags & MS_RDONLY);
	/* a private devpts instance with a world-usable ptmx */
	assert_non_null(strstr(p.steps[pts].data, "newinstance"));
	assert_non_null(strstr(p.steps[pts].data, "ptmxmode=0666"));
	/* device nodes and links live on the /dev tmpfs */
	const char *nodes[] = {"/dev/null",   "/dev/zero",    "/dev/full",
			       "/dev/random", "/dev/urandom", "/dev/tty"};
	for (size_t i = 0; i < 6; i++) {
		int k = find(&p, nodes[i], MOP_MKNOD);
		assert_true(k > dev);
		assert_int_equal(p.steps[k].mode, 0666);
	}
	assert_int_equal(p.steps[find(&p, "/dev/null", MOP_MKNOD)].minor, 3);
	int ptmx = find(&p, "/dev/ptmx", MOP_SYMLINK);
	assert_true(ptmx > dev);
	assert_string_equal(p.steps[ptmx].source, "pts/ptmx");
	assert_true(find(&p, "/dev/fd", MOP_SYMLINK) > dev);
	assert_true(find(&p, "/dev/stdin", MOP_SYMLINK) > dev);
	assert_true(find(&p, "/dev/shm", MOP_MOUNT) > dev);
	mount_plan_free(&p);
}

static void test_masks_and_readonly_last(void **state)
{
	struct volume vols[] = {{"/srv/data", "/data", true},
				{"/srv/cache", "/var/cache", false}};
	struct container_config c = base_cfg();
	struct mount_plan p;
	struct vmctl_err err = {0};
	c.volumes = vols;
	c.n_volumes = 2;
	assert_int_equal(mount_plan_build(&c, &p, &err), 0);

	int v0 = find(&p, "/data", MOP_BIND);
	int v1 = find(&p, "/var/cache", MOP_BIND);
	assert_true(v0 > find(&p, "/sys", MOP_MOUNT) && v1 == v0 + 1);
	assert_string_equal(p.steps[v0].source, "/srv/data");
	assert_true(p.steps[v0].flags & MS_RDONLY);
	assert_true(p.steps[v0].flags & MS_REC);
	assert_false(p.steps[v1].flags & MS_RDONLY);

	/* every masked path: a mask step after the volumes, optional */
	for (const char *const *m = mount_plan_masked_paths(); *m; m++) {
		int f = find(&p, *m, MOP_MASK_FILE);
		int d = find(&p, *m, MOP_MASK_DIR);
		int k = f >= 0 ? f : d;
		assert_true(k > v1);
		assert_true(p.steps[k].opts & MSTEP_OPTIONAL);
	}
	assert_true(find(&p, "/proc/kcore", MOP_MASK_FILE) >= 0);
	assert_true(find(&p, "/sys/firmware", MOP_MASK_DIR) >= 0);
	int n = 0;
	for (const char *const *r = mount_plan_readonly_paths(); *r; r++, n++)
		assert_true(find(&p, *r, MOP_READONLY) > v1);
	assert_int_equal(n, 5);
	assert_true(find(&p, "/proc/sys", MOP_READONLY) >= 0);
	assert_true(find(&p, "/proc/sysrq-trigger", MOP_READONLY) >= 0);
	mount_plan_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_overlay_options),
	    cmocka_unit_test(test_ephemeral_layer_on_tmpfs),
	    cmocka_unit_test(test_colon_escaped_comma_refused),
	    cmocka_unit_test(test_too_many_layers),
	    cmocka_unit_test(test_invalid_inputs),
	    cmocka_unit_test(test_standard_mounts_in_order),
	    cmocka_unit_test(test_masks_and_readonly_last),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
