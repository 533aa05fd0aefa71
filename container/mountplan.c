/* mountplan.c - the container's mounts as data (pure; see mountplan.h). */
#include "container/mountplan.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "common/cleanup.h"
#include "container/container.h"

/* Docker's masked paths: hidden behind /dev/null (files) or an empty
 * read-only tmpfs (directories) because they leak host information or
 * offer host-wide knobs. */
static const struct {
	const char *path;
	bool dir;
} masked[] = {
    {"/proc/acpi", true},	  {"/proc/kcore", false},
    {"/proc/keys", false},	  {"/proc/latency_stats", false},
    {"/proc/timer_list", false},  {"/proc/timer_stats", false},
    {"/proc/sched_debug", false}, {"/proc/scsi", true},
    {"/sys/firmware", true},
};

/* Docker's read-only paths: host-wide settings a root workload could
 * otherwise change. */
static const char *const readonly_paths[] = {
    "/proc/bus",	   "/proc/fs", "/proc/irq", "/proc/sys",
    "/proc/sysrq-trigger", NULL,
};

#define N_MASKED (sizeof(masked) / sizeof(masked[0]))

static const char *const masked_names[N_MASKED + 1] = {
    "/proc/acpi",	 "/proc/kcore",
    "/proc/keys",	 "/proc/latency_stats",
    "/proc/timer_list",	 "/proc/timer_stats",
    "/proc/sched_debug", "/proc/scsi",
    "/sys/firmware",	 NULL,
};

const char *const *mount_plan_masked_paths(void)
{
	return masked_names;
}

const char *const *mount_plan_readonly_paths(void)
{
	return readonly_paths;
}

/* The fixed part: /proc, a minimal /dev, /sys. */
static const struct mount_step base_steps[] = {
    {MOP_MOUNT, "proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL,
     0, 0, 0, 0},
    {MOP_MOUNT, "tmpfs", "/dev", "tmpfs", MS_NOSUID | MS_STRICTATIME,
     "mode=755,size=65536k", 0, 0, 0, 0},
    /* mknod rather than bind mounts: cheaper (no mount each) and we are
     * real root in the initial user namespace, like Docker. */
    {MOP_MKNOD, NULL, "/dev/null", NULL, 0, NULL, 0666, 1, 3, 0},
    {MOP_MKNOD, NULL, "/dev/zero", NULL, 0, NULL, 0666, 1, 5, 0},
    {MOP_MKNOD, NULL, "/dev/full", NULL, 0, NULL, 0666, 1, 7, 0},
    {MOP_MKNOD, NULL, "/dev/random", NULL, 0, NULL, 0666, 1, 8, 0},
    {MOP_MKNOD, NULL, "/dev/urandom", NULL, 0, NULL, 0666, 1, 9, 0},
    {MOP_MKNOD, NULL, "/dev/tty", NULL, 0, NULL, 0666, 5, 0, 0},
    {MOP_MKDIR, NULL, "/dev/pts", NULL, 0, NULL, 0755, 0, 0, 0},
    /* A private devpts instance: the container's ptys are its own. */
    {MOP_MOUNT, "devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
     "newinstance,ptmxmode=0666,mode=0620,gid=5", 0, 0, 0, 0},
    {MOP_SYMLINK, "pts/ptmx", "/dev/ptmx", NULL, 0, NULL, 0, 0, 0, 0},
    {MOP_MKDIR, NULL, "/dev/shm", NULL, 0, NULL, 01777, 0, 0, 0},
    {MOP_MOUNT, "shm", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
     "mode=1777,size=65536k", 0, 0, 0, 0},
    {MOP_SYMLINK, "/proc/self/fd", "/dev/fd", NULL, 0, NULL, 0, 0, 0, 0},
    {MOP_SYMLINK, "/proc/self/fd/0", "/dev/stdin", NULL, 0, NULL, 0, 0, 0, 0},
    {MOP_SYMLINK, "/proc/self/fd/1", "/dev/stdout", NULL, 0, NULL, 0, 0, 0, 0},
    {MOP_SYMLINK, "/proc/self/fd/2", "/dev/stderr", NULL, 0, NULL, 0, 0, 0, 0},
    /* A fresh sysfs belongs to the new network namespace, so it shows
     * only the container's interfaces; read-only like Docker's. */
    {MOP_MOUNT, "sysfs", "/sys", "sysfs",
     MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, 0, 0, 0, 0},
};

#define N_BASE (sizeof(base_steps) / sizeof(base_steps[0]))

/* overlayfs splits lowerdir on ':' (escapable with '\') and the mount data
 * on ','; we escape the former and refuse the latter. */
static int append_escaped(char *buf, size_t n, size_t *pos, const char *s)
{
	for (; *s; s++) {
		if (*s == ',')
			return -EINVAL;
		if (*s == ':' || *s == '\\') {
			if (*pos + 1 >= n)
				return -ENAMETOOLONG;
			buf[(*pos)++] = '\\';
		}
		if (*pos + 1 >= n)
			return -ENAMETOOLONG;
		buf[(*pos)++] = *s;
	}
	buf[*pos] = '\0';
	return 0;
}

static int append_str(char *buf, size_t n, size_t *pos, const char *s)
{
	size_t len = strlen(s);
	if (*pos + len >= n)
		return -ENAMETOOLONG;
	memcpy(buf + *pos, s, len + 1);
	*pos += len;
	return 0;
}

/* The kernel takes at most one page of mount data. */
#define OVERLAY_OPTS_MAX 4096

static int build_overlay_opts(const struct container_config *cfg,
			      const struct mount_plan *plan, char **out,
			      struct vmctl_err *err)
{
	cleanup_free char *buf = malloc(OVERLAY_OPTS_MAX);
	size_t pos = 0;
	int r;
	analyzer_cleanup(buf);

	if (!buf)
		return vmctl_error(err, ENOMEM, "overlay options");
	/* volatile: no sync of the upper layer at unmount.  It made the
	 * container's teardown 0.3-0.45 ms instead of 0.7-1.8 ms here.  The
	 * price, a crash may leave the upper layer incomplete, is fine for a
	 * layer that is never mounted again (every run gets a new one). */
	r = append_str(buf, OVERLAY_OPTS_MAX, &pos, "volatile,lowerdir=");
	for (size_t i = 0; r == 0 && i < cfg->n_lower; i++) {
		if (i > 0)
			r = append_str(buf, OVERLAY_OPTS_MAX, &pos, ":");
		if (r == 0)
			r = append_escaped(buf, OVERLAY_OPTS_MAX, &pos,
					   cfg->lower_dirs[i]);
	}
	if (r == 0)
		r = append_str(buf, OVERLAY_OPTS_MAX, &pos, ",upperdir=");
	if (r == 0)
		r = append_escaped(buf, OVERLAY_OPTS_MAX, &pos, plan->upper);
	if (r == 0)
		r = append_str(buf, OVERLAY_OPTS_MAX, &pos, ",workdir=");
	if (r == 0)
		r = append_escaped(buf, OVERLAY_OPTS_MAX, &pos, plan->work);
	if (r == -EINVAL)
		return vmctl_errorf(err, EINVAL,
				    "layer path contains ',': overlayfs cannot "
				    "use it");
	if (r < 0)
		return vmctl_errorf(err, -r,
				    "overlay options longer than a page "
				    "(%zu layers)",
				    cfg->n_lower);
	*out = steal_ptr(&buf);
	return 0;
}

static int validate_volume(const struct volume *v, struct vmctl_err *err)
{
	if (!v->host || v->host[0] != '/')
		return vmctl_errorf(err, EINVAL,
				    "volume host path '%s' is not absolute",
				    v->host ? v->host : "");
	if (!v->path || v->path[0] != '/')
		return vmctl_errorf(err, EINVAL,
				    "volume path '%s' is not absolute",
				    v->path ? v->path : "");
	if (strspn(v->path, "/") == strlen(v->path))
		return vmctl_errorf(err, EINVAL,
				    "volume cannot be mounted over '/'");
	return 0;
}

static char *path_join(const char *dir, const char *name)
{
	char *s = NULL;
	if (asprintf(&s, "%s/%s", dir, name) < 0)
		return NULL;
	return s;
}

static int fill_steps(const struct container_config *cfg,
		      struct mount_plan *plan, struct vmctl_err *err)
{
	size_t n = N_BASE + cfg->n_volumes + N_MASKED +
		   (sizeof(readonly_paths) / sizeof(readonly_paths[0]) - 1);
	struct mount_step *s = calloc(n, sizeof(*s));
	size_t k = 0;

	if (!s)
		return vmctl_error(err, ENOMEM, "mount plan");
	memcpy(s, base_steps, sizeof(base_steps));
	k = N_BASE;
	/* Volumes after the standard mounts, masks last: a volume must not
	 * be able to unmask a masked path. */
	for (size_t i = 0; i < cfg->n_volumes; i++) {
		const struct volume *v = &cfg->volumes[i];
		s[k++] = (struct mount_step){
		    .op = MOP_BIND,
		    .source = v->host,
		    .target = v->path,
		    .flags = MS_BIND | MS_REC | (v->ro ? MS_RDONLY : 0),
		};
	}
	for (size_t i = 0; i < N_MASKED; i++)
		s[k++] = (struct mount_step){
		    .op = masked[i].dir ? MOP_MASK_DIR : MOP_MASK_FILE,
		    .target = masked[i].path,
		    .opts = MSTEP_OPTIONAL,
		};
	for (size_t i = 0; readonly_paths[i]; i++)
		s[k++] = (struct mount_step){
		    .op = MOP_READONLY,
		    .target = readonly_paths[i],
		    .opts = MSTEP_OPTIONAL,
		};
	plan->steps = s;
	plan->n_steps = k;
	return 0;
}

/* The ephemeral layer's tmpfs: as large as the memory limit when there is
 * one (its pages count against it anyway), else tmpfs's default (half the
 * RAM).  mode=755: it becomes the mode of the container's "/". */
static char *scratch_opts(uint64_t memory_bytes)
{
	char *s = NULL;
	int r = memory_bytes ? asprintf(&s, "mode=755,size=%llu",
					(unsigned long long)memory_bytes)
			     : asprintf(&s, "mode=755");
	return r < 0 ? NULL : s;
}

int mount_plan_build(const struct container_config *cfg,
		     struct mount_plan *plan, struct vmctl_err *err)
{
	int r;

	memset(plan, 0, sizeof(*plan));
	if (!cfg->state_dir || cfg->state_dir[0] != '/')
		return vmctl_errorf(err, EINVAL,
				    "state directory must be absolute");
	if (cfg->n_lower == 0 || !cfg->lower_dirs)
		return vmctl_errorf(err, EINVAL, "no image layers given");
	for (size_t i = 0; i < cfg->n_lower; i++)
		if (!cfg->lower_dirs[i] || cfg->lower_dirs[i][0] != '/')
			return vmctl_errorf(
			    err, EINVAL, "layer path '%s' is not absolute",
			    cfg->lower_dirs[i] ? cfg->lower_dirs[i] : "");
	for (size_t i = 0; i < cfg->n_volumes; i++) {
		r = validate_volume(&cfg->volumes[i], err);
		if (r < 0)
			return r;
	}

	plan->rootfs = path_join(cfg->state_dir, "rootfs");
	plan->upper = path_join(cfg->state_dir, "upper");
	plan->work = path_join(cfg->state_dir, "work");
	if (cfg->ephemeral_layer) {
		plan->scratch = strdup(cfg->state_dir);
		plan->scratch_opts = scratch_opts(cfg->memory_bytes);
	}
	if (!plan->rootfs || !plan->upper || !plan->work ||
	    (cfg->ephemeral_layer && (!plan->scratch || !plan->scratch_opts))) {
		mount_plan_free(plan);
		return vmctl_error(err, ENOMEM, "mount plan");
	}
	r = build_overlay_opts(cfg, plan, &plan->overlay_opts, err);
	if (r == 0)
		r = fill_steps(cfg, plan, err);
	if (r < 0)
		mount_plan_free(plan);
	return r;
}

void mount_plan_free(struct mount_plan *plan)
{
	free(plan->overlay_opts);
	free(plan->rootfs);
	free(plan->upper);
	free(plan->work);
	free(plan->scratch);
	free(plan->scratch_opts);
	free(plan->steps);
	memset(plan, 0, sizeof(*plan));
}
