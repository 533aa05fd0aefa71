/* cgroup.h - the container's cgroup(s): limits, placement, peak, removal.
 *
 * The decisions (where the hierarchies are, which directory is the
 * container's, what to write into which file) are pure functions tested
 * without root; cgroup_create()/cgroup_destroy() are the edges.
 */
#ifndef VMCTL_CGROUP_H
#define VMCTL_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/error.h"

enum cg_ctrl { CG_MEMORY = 0, CG_CPU, CG_PIDS, CG_NCTRL };

struct cgroup_layout {
	int version; /* 1 or 2; 0: no usable cgroup hierarchy */
	/* v2: the one mount point; v1: one per controller ("" if absent). */
	char v2[256];
	char v1[CG_NCTRL][256];
};

struct cgroup_limits {
	uint64_t memory_bytes; /* 0: unlimited */
	double cpus;	       /* 0: unlimited */
	int64_t pids_limit;    /* 0: unlimited */
};

/* One file to write: <dir of ctrl>/<file> = value. */
struct cgroup_write {
	enum cg_ctrl ctrl;
	const char *file;
	char value[48];
};

#define CGROUP_MAX_WRITES 8
#define CFS_PERIOD_US 100000

/* Pure: finds cgroup mounts in the text of /proc/self/mountinfo.  v1
 * hierarchies count only where their mount root is "/" (not a bind of a
 * sub-cgroup).  A cgroup2 mount is recorded in layout->v2 but version is
 * left to the caller, who knows whether its controllers are usable.
 * Returns 0 or -ENOENT when nothing was found. */
int cgroup_parse_mountinfo(const char *mountinfo, struct cgroup_layout *out);

/* Pure: "<mount>/vmctl/<id>" into buf. */
int cgroup_dir_for(const char *mount, const char *id, char *buf, size_t n);

/* Pure: the writes that impose lim on a cgroup of the given version, in the
 * order they must happen.  Returns how many (<= CGROUP_MAX_WRITES). */
size_t cgroup_limit_writes(int version, const struct cgroup_limits *lim,
			   struct cgroup_write *out);

/* Pure: which controllers get a directory on v1 (memory always: it gives
 * the peak figure; cpu and pids only when limited). */
bool cgroup_v1_needs(enum cg_ctrl c, const struct cgroup_limits *lim);

/* Pure: cpus -> CFS quota in microseconds per CFS_PERIOD_US (>= 1000). */
int64_t cgroup_cpu_quota_us(double cpus);

/* Edge: finds the hierarchies (statfs of the usual places, then mountinfo). */
int cgroup_detect(struct cgroup_layout *out, struct vmctl_err *err);

struct cgroup_handle {
	int version;
	size_t n;
	char dirs[CG_NCTRL][320];
	enum cg_ctrl ctrl[CG_NCTRL];
	int procs_fd[CG_NCTRL]; /* open tasks/cgroup.procs, -1 when closed */
};

/* Creates vmctl/<id> where needed, writes the limits, opens the file that
 * moves a process in (v1 "tasks", v2 "cgroup.procs"). */
int cgroup_create(const struct cgroup_layout *layout, const char *id,
		  const struct cgroup_limits *lim, struct cgroup_handle *h,
		  struct vmctl_err *err);

/* Moves pid into every cgroup of h.  On v1 the "tasks" file moves one
 * thread: pid must be single-threaded (the container's init is). */
int cgroup_attach_pid(const struct cgroup_handle *h, pid_t pid);

/* Closes the tasks/cgroup.procs fds (once they were passed to the init). */
void cgroup_close_fds(struct cgroup_handle *h);

/* Peak memory of the container, 0 if unknown. */
uint64_t cgroup_peak_bytes(const struct cgroup_handle *h);

/* Kills what is left, waits for it, removes the directories. */
int cgroup_destroy(struct cgroup_handle *h, struct vmctl_err *err);

/* Removes vmctl/<id> on every hierarchy that exists (v1 and v2), killing
 * what is left; missing directories are fine. */
int cgroup_remove_id(const char *id, struct vmctl_err *err);

/* Removes, on every hierarchy, the EMPTY vmctl/<name> directories whose
 * name is not one of keep[0..n) and whose mtime is before `before`; never
 * kills anything (rmdir refuses a populated cgroup).  Returns how many. */
int cgroup_remove_orphans(const char *const *keep, size_t n, time_t before);

#endif
