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
	char how[512];      /* one line: how it was run (the command, its flags) */
	char version[128];  /* the runtime's version line ("" for vmctl's modes) */
	char skipped[256];  /* non-empty: not run, and why ("crun is not installed") */

	size_t n_runs;                  /* measured runs (warm-up runs are not kept) */
	double *samples[METRIC_COUNT];  /* n_runs values each, NAN where not measured */
	int *exit_codes;                /* n_runs */
	unsigned failures;              /* runs whose exit code was not the expected one */

	struct bench_stats stats[METRIC_COUNT];
	double ratio[METRIC_COUNT]; /* median / the baseline's median (NAN: no baseline) */

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

#endif
