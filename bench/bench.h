/* bench.h - `vmctl bench`: every mode and peer run N times, interleaved, measured.
 *
 * The harness (bench/harness.c, bench/peers.c) fills a struct bench_result;
 * the writers (table, JSON, CSV, SVG, HTML) only read it, and are pure: they
 * take a result and return a malloc'd string, so tests build a result by hand
 * and check what comes out.  Statistics (bench/stats.c) are pure too.
 *
 * Units: times in milliseconds (double), memory in bytes (double, so that a
 * figure that could not be measured is NAN, never 0 and never an estimate).
 */
#ifndef VMCTL_BENCH_H
#define VMCTL_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

/* ---- statistics (bench/stats.c, pure) ---------------------------------- */

struct bench_stats {
	size_t n;     /* samples that were measured (NANs are skipped) */
	double median, p95, min, max, mean;
};

/* Median, p95 (linear interpolation between closest ranks, numpy's default),
 * min, max and mean of the non-NAN values; all NAN when none. */
struct bench_stats bench_stats_of(const double *v, size_t n);
/* q in [0,1]; NAN when no value. */
double bench_percentile(const double *v, size_t n, double q);

/* Pure: the subject that runs k-th in round `round` of n subjects.  Each
 * round's order is the previous one's turned by one, so that every subject
 * follows every other equally often: what one leaves the kernel to finish
 * after it exits (a network namespace's cleanup, RCU callbacks) lands on
 * whoever runs next. */
size_t bench_round_subject(unsigned round, size_t k, size_t n);
/* a / b, NAN when either is NAN or b is 0. */
double bench_ratio(double a, double b);

/* ---- what was measured -------------------------------------------------- */

/* The figures of one subject (a vmctl mode or a peer runtime). */
enum bench_metric {
	METRIC_STARTUP_MS = 0, /* start of the run to the workload's exec */
	METRIC_TOTAL_MS,       /* start of the run to the workload's exit */
	METRIC_WALL_MS,        /* spawn of the command to its reaping (what a user waits) */
	METRIC_PEAK_BYTES,     /* container: cgroup peak; vm: monitor peak RSS; peer: max RSS */
	METRIC_OVERHEAD_BYTES, /* the runtime's own RSS (vm: outside guest RAM) */
	METRIC_GUEST_BYTES,    /* vm: guest RAM touched; NAN for containers */
	METRIC_COUNT
};

enum bench_kind { BENCH_MODE = 0, BENCH_PEER = 1 };

struct bench_subject {
	char name[32];      /* "container", "vm", "crun", "runc", "bwrap", "qemu" */
	enum bench_kind kind;
	bool vm;            /* runs a guest kernel (vm, qemu) */
	char how[1024];     /* one line: how it was run (the command, its flags) */
	char version[128];  /* the runtime's version line ("" for vmctl's modes) */
	char skipped[256];  /* non-empty: not run, and why ("crun is not installed") */

	size_t n_runs;                  /* measured runs (warm-up runs are not kept) */
	double *samples[METRIC_COUNT];  /* n_runs values each, NAN where not measured */
	int *exit_codes;                /* n_runs */
	unsigned failures;              /* runs whose exit code was not the expected one */
	char first_failure[256];        /* what the first failed run said (its last line) */

	struct bench_stats stats[METRIC_COUNT];
	double ratio[METRIC_COUNT]; /* median / the baseline's median (NAN: no baseline;
				       memory only between subjects of the same kind) */

	/* --concurrency K > 1: K started at once, per batch. */
	double starts_per_sec;         /* K / wall of the batch, median over batches */
	double mem_per_instance_bytes; /* peak memory at that density / K, median */
};

struct bench_machine {
	char cpu[128];
	unsigned ncpu;
	uint64_t mem_bytes;
	char host_kernel[128];  /* uname -r */
	char guest_kernel[128]; /* the guest kernel's release, "" when no VM ran */
	char vmctl_version[64];
	char date[32];          /* ISO 8601, UTC */
	char cgroup[32];        /* "v1", "v2", "hybrid" */
	bool nested;            /* the host itself is a VM (hypervisor CPUID bit) */
};

struct bench_result {
	char image[256];
	char **argv;       /* the workload, NULL-terminated */
	unsigned runs, warmup, concurrency;
	char baseline[32]; /* name of the subject ratios are computed against */
	struct bench_subject *subjects;
	size_t n_subjects;
	struct bench_machine machine;
};

const char *bench_metric_name(enum bench_metric m); /* "startup_ms", ... */
void bench_result_free(struct bench_result *r);
/* Fills stats[] and ratio[] of every subject from its samples. */
void bench_result_compute(struct bench_result *r);

/* ---- options (bench/opts.c, pure) ---------------------------------------- */

#define BENCH_MAX_SUBJECTS 7   /* container, vm, vm-cold, crun, runc, bwrap, qemu */
#define BENCH_MAX_CONCURRENCY 64

/* The flags as strings, as cli_scan_flags() found them (NULL: not given). */
struct bench_flags {
	const char *runs, *warmup, *modes, *peers, *concurrency, *baseline,
	    *timeout;
};

struct bench_opts {
	unsigned runs, warmup, concurrency;
	double timeout_sec; /* 0: per subject (60 s for a VM, 10 s otherwise) */
	const char *names[BENCH_MAX_SUBJECTS]; /* modes, then peers, in order */
	size_t n_names;
	char baseline[32];
	bool baseline_given; /* --baseline: an error if it cannot run (else the
				first subject that runs is the baseline) */
	const char *image;
	char *const *cmd; /* the workload's command (NULL/empty: the image's) */
};

/* Checks the flags and fills o; on bad input returns -EINVAL with one line
 * in err ("--runs: 'x' is not a whole number >= 1"). */
int bench_opts_parse(const struct bench_flags *f, const char *image,
		     char *const *cmd, struct bench_opts *o,
		     struct vmctl_err *err);
/* True for a peer name ("crun", ...), false for a mode or anything else. */
bool bench_is_peer(const char *name);
bool bench_is_mode(const char *name);

/* ---- peers (bench/peers.c) ---------------------------------------------- */

/* The command of one run of a subject.  PURE: each builder only formats. */
struct bench_paths {
	const char *vmctl;    /* "/proc/self/exe" or the binary */
	const char *rootfs;   /* the flattened image (peers) */
	const char *bundle;   /* OCI bundle dir (crun, runc) */
	const char *state;    /* crun/runc --root */
	const char *kernel;   /* vmlinux (qemu) */
	const char *initrd;   /* init + run config (qemu) */
	const char *disk;     /* this run's copy of the root disk (qemu) */
	const char *cmdline;  /* guest kernel command line (qemu) */
	unsigned mem_mib;     /* guest RAM (qemu) */
	const char *run_id;   /* container id of this run (crun, runc) */
};
/* name: a mode or a peer; cmd the workload (image default resolved for
 * peers).  Returns a malloc'd NULL-terminated argv or NULL (ENOMEM/EINVAL). */
char **bench_argv(const char *name, const char *image, char *const *cmd,
		  const struct bench_paths *p);
/* Patches `crun spec`'s config.json: args, env, read-only root, no
 * terminal.  Returns the new JSON (malloc'd) or NULL with err filled. */
char *bench_patch_oci_config(const char *config_json, const char *rootfs,
			     char *const *args, char *const *env,
			     struct vmctl_err *err);

/* ---- the harness (bench/harness.c) --------------------------------------- */

/* Called after every measured or warm-up run (done of total); may be NULL. */
typedef void (*bench_progress_fn)(unsigned done, unsigned total,
				  const char *subject, void *ctx);

/* Prepares every subject (peers skipped with the reason when missing),
 * runs them interleaved, fills r (subjects, samples, stats, ratios,
 * machine).  A SIGINT/SIGTERM stops it: the running children are killed,
 * everything prepared is removed, and -EINTR is returned.  Never prints. */
int bench_run(const char *root, const struct bench_opts *o,
	      bench_progress_fn progress, void *ctx, struct bench_result *r,
	      struct vmctl_err *err);

/* ---- console milestones of a QEMU guest (bench/harness.c, pure) --------- */

struct bench_console {
	int64_t exec_ns, exit_ns; /* arrival of the exec / exit records, 0: none */
	int wait_status;          /* the workload's, -1: none */
	char kernel[65];          /* the guest's uname release */
	char last_line[128];      /* the last line of plain console text */
	char line[128];
	size_t line_len;
	/* scanner state */
	int state;                /* 0 text, 1 after MARK, 2 in payload */
	char type;
	char payload[100];
	size_t len;
};
void bench_console_init(struct bench_console *c);
void bench_console_feed(struct bench_console *c, const char *buf, size_t n,
			int64_t now_ns);

/* ---- the machine (bench/machine.c) -------------------------------------- */

void bench_machine_probe(struct bench_machine *m);

/* ---- writers (bench/table.c, bench/json.c; pure) ------------------------- */

char *bench_table(const struct bench_result *r);
char *bench_json(const struct bench_result *r);
char *bench_csv(const struct bench_result *r);
/* Reads a "vmctl run --report=json" line into the run's metrics (startup,
 * total, peak, overhead, guest; NAN where absent) and the guest kernel. */
int bench_parse_report(const char *line, double *metrics, char *kernel,
		       size_t kernel_n, int *exit_code);

#endif
