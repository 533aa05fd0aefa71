/* prep.h - what the harness prepares before it times anything (internal to
 * bench/: peers.c makes it, harness.c uses it). */
#ifndef VMCTL_BENCH_PREP_H
#define VMCTL_BENCH_PREP_H

#include <limits.h>
#include <stdbool.h>

#include "bench.h"

/* How a subject's run reports its figures. */
enum bench_source {
	SOURCE_REPORT,	/* vmctl run --report=json: the last line on stderr */
	SOURCE_CONSOLE, /* qemu: the guest init's records on the serial console
			 */
	SOURCE_NONE,	/* the others: wall time and max RSS only */
};

struct bench_prep {
	char dir[PATH_MAX]; /* temp dir holding all of the below */
	char vmctl[PATH_MAX]; /* the vmctl the modes run (vmctl_front_path) */
	char rootfs[PATH_MAX], bundle[PATH_MAX];
	char crun_state[PATH_MAX], runc_state[PATH_MAX];
	char vmctl_run[PATH_MAX]; /* VMCTL_RUN_DIR of vmctl's runs, or "" */
	char root[PATH_MAX];
	char kernel[PATH_MAX], initrd[PATH_MAX], disk_src[PATH_MAX];
	char cmdline[1024];
	unsigned mem_mib;
	char rootfs_failed[200]; /* why the peers' rootfs could not be made */
	bool rootfs_done, bundle_done;
	int crun_ns_fd;	  /* the private mount namespace crun runs in, -1 */
	char **peer_argv; /* the workload (Entrypoint + Cmd resolved) */
	char **peer_env;
	char *workdir;
};

/* One prepared subject. */
struct bench_plan {
	struct bench_subject *s;
	enum bench_source source;
	double timeout_sec;
	bool
	    vmctl; /* a vmctl mode: stopped with SIGTERM first (it cleans up) */
	int ns_fd; /* setns() into this before exec, -1 */
	const char *run_dir; /* VMCTL_RUN_DIR for the run, or NULL */
	bool disk_copy; /* qemu: a fresh copy of the root disk for each run */
};

void bench_prep_init(struct bench_prep *p);
/* Makes the temp dir and resolves the image; -errno with err filled. */
int bench_prep_begin(struct bench_prep *p, const char *root,
		     const struct bench_opts *o, struct vmctl_err *err);
/* Prepares one subject: fills s->how/version, or s->skipped with why. */
void bench_prep_subject(struct bench_prep *p, const char *root,
			const struct bench_opts *o, struct bench_plan *plan);
/* The command of run number `run` (instance slot `slot`) of a subject. */
char **bench_prep_argv(const struct bench_prep *p, const struct bench_opts *o,
		       const struct bench_plan *plan, unsigned run,
		       unsigned slot, char *disk, size_t disk_n);
/* Removes everything: temp dir, state dirs, the namespace. */
void bench_prep_cleanup(struct bench_prep *p);

#endif
