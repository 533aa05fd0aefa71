/* container.h - run one workload in Linux namespaces (the "container" mode).
 *
 * container_run() creates the container (pid, mount, uts, ipc, net and cgroup
 * namespaces, an overlayfs root, cgroup limits, a reduced capability set and a
 * seccomp filter), runs the workload under a tiny init that reaps zombies and
 * forwards signals, waits for it and removes everything it created.
 */
#ifndef VMCTL_CONTAINER_H
#define VMCTL_CONTAINER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/error.h"
#include "common/spec.h"

/* A container's network namespace (loopback up), made by a helper process
 * (container/net.c says why not a thread): creating one costs 0.5-0.7 ms
 * here, the largest single step of a start, so the caller starts it first
 * thing and it overlaps with reading the image, writing the record,
 * preparing the mounts and even the clone of the container's init (which
 * waits for it only then). */
struct container_net;
int container_net_start(struct container_net **out, struct vmctl_err *err);
/* Waits for the namespace; returns its fd (still owned by n) or -errno with
 * err filled. */
int container_net_fd(struct container_net *n, struct vmctl_err *err);
/* Stops (if still at work) and reaps the helper, closes, frees; NULL is fine. */
void container_net_release(struct container_net *n);

struct container_config {
	const char *id;	       /* 12+ hex chars, unique */
	const char *state_dir; /* per-container dir: upper/ work/ rootfs/ */
	const char *cache_dir; /* memos of derived data (the filter), or NULL */
	const char *const
	    *lower_dirs; /* image layers (plain dirs), top-most first */
	size_t n_lower;
	char *const *argv; /* resolved command */
	char *const *env; /* full env, "K=V", NULL-terminated (PATH included) */
	const char *workdir;   /* absolute, "/" default (NULL means "/") */
	/* The image's User ("name", "uid", "name:group", "uid:gid"), resolved
	 * in the container's own /etc/passwd and /etc/group; NULL or "":
	 * root:root, whatever groups vmctl has. */
	const char *user;
	const char *hostname;  /* NULL: the first 12 chars of id */
	uint64_t memory_bytes; /* 0 unlimited */
	double cpus;	       /* 0 unlimited */
	int64_t pids_limit;    /* 0 unlimited */
	const struct volume *volumes;
	size_t n_volumes;
	/* The writable layer lives in a tmpfs of the container's own mount
	 * namespace instead of state_dir: it vanishes with the namespace, so
	 * nothing is created on (or removed from) the host's disk.  For runs
	 * nobody will diff or commit (--rm).  Its pages are charged to the
	 * container's memory cgroup, so -m bounds it too. */
	bool ephemeral_layer;
	bool tty; /* allocate a pty; relay host stdin/stdout <-> master */
	bool interactive; /* keep stdin open (else the workload gets /dev/null)
			   */
	unsigned timeout_sec; /* 0: none; on expiry SIGKILL, exit 128+9 */
	int64_t t0_ns;	      /* CLOCK_MONOTONIC start of `vmctl run` */
	/* From container_net_start(), or NULL: container_run() starts one. */
	struct container_net *net;
	/* Called in the parent once the init pid is known. */
	void (*on_started)(void *ctx, pid_t pid);
	/* Called once in the parent before anything that can outlive vmctl is
	 * made (the cgroup; the init dies with vmctl), as late as that allows:
	 * right after the clone with cgroup v1, so that the init's mounts
	 * overlap with it, before the clone with v2 (clone3 starts the init in
	 * its cgroup).  The runner writes a --rm run's record there.  Failing
	 * (-errno, err filled) ends the run before the workload starts.  May
	 * be NULL. */
	int (*on_record)(void *ctx, struct vmctl_err *err);
	void *ctx;
};

/* Runs the workload to completion and fills *res (see common/spec.h).
 * Returns 0 when the workload ran (whatever its exit code, including 126/127
 * when it could not be executed), or -errno with err filled and
 * res->exit_code = 125 when the runtime itself failed. */
int container_run(const struct container_config *cfg, struct run_result *res,
		  struct vmctl_err *err);

/* Undoes what a run that died (vmctl was kill -9'd) left behind: unmounts
 * state_dir/rootfs (lazily), kills what is left in the cgroup(s) of id and
 * removes them on v1 and v2.  Missing pieces are fine. */
int container_cleanup(const char *id, const char *state_dir,
		      struct vmctl_err *err);

/* Removes the empty cgroups of runs that have no record: ids not in
 * keep[0..n) (every record there is, running or not).  A vmctl killed between
 * making a run's cgroup and writing its record leaves one (a foreground --rm
 * run writes its record once the workload started).  Only cgroups older
 * than CONTAINER_ORPHAN_AGE_S: a younger one may be a starting run's.
 * Returns how many were removed. */
#define CONTAINER_ORPHAN_AGE_S 10
int container_reap_orphans(const char *const *keep, size_t n);

#endif
