/* bench_fixture.h - hand-built `vmctl bench` results for the tests of the
 * writers (tests/unit/test_bench_charts.c) and for the page the headless
 * browser renders (tests/tools/bench_fixture.c).
 *
 * The statistics are computed here by a small local sort (not bench/stats.c)
 * so that these fixtures do not depend on the engine under test elsewhere.
 * Samples are spread deterministically around a centre, so every run of a
 * test sees the same figures.  Header-only: each user is one translation
 * unit. */
#ifndef VMCTL_TESTS_BENCH_FIXTURE_H
#define VMCTL_TESTS_BENCH_FIXTURE_H

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bench/bench.h"

#define FIX_MIB (1024.0 * 1024.0)

static int fixture_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* median, p95 (linear between closest ranks), min, max, mean of non-NANs. */
static struct bench_stats fixture_stats(const double *v, size_t n)
{
	struct bench_stats st = {0, NAN, NAN, NAN, NAN, NAN};
	double *s = calloc(n ? n : 1, sizeof(*s));
	double sum = 0;
	if (!s)
		return st;
	for (size_t i = 0; i < n; i++)
		if (!isnan(v[i])) {
			s[st.n++] = v[i];
			sum += v[i];
		}
	if (st.n) {
		qsort(s, st.n, sizeof(*s), fixture_cmp);
		double pos[2] = {0.5 * (st.n - 1), 0.95 * (st.n - 1)};
		double out[2];
		for (int k = 0; k < 2; k++) {
			size_t lo = (size_t)floor(pos[k]);
			size_t hi = lo + 1 < st.n ? lo + 1 : lo;
			out[k] = s[lo] + (s[hi] - s[lo]) * (pos[k] - lo);
		}
		st.median = out[0];
		st.p95 = out[1];
		st.min = s[0];
		st.max = s[st.n - 1];
		st.mean = sum / st.n;
	}
	free(s);
	return st;
}

/* centre * (1 +- spread), the same sequence every time; NAN centre: NANs. */
static void fixture_fill(double *v, size_t n, double centre, double spread,
			 unsigned seed)
{
	unsigned x = seed * 2654435761u + 12345;
	for (size_t i = 0; i < n; i++) {
		x = x * 1103515245u + 12345;
		double u = ((x >> 8) & 0xFFFF) / 65535.0; /* 0..1 */
		v[i] =
		    isnan(centre) ? NAN : centre * (1 + spread * (2 * u - 1));
	}
}

/* centres[] in ms or bytes, one per metric (NAN: never measured). */
static void fixture_subject(struct bench_subject *s, const char *name,
			    enum bench_kind kind, int vm, size_t runs,
			    const double centres[METRIC_COUNT])
{
	memset(s, 0, sizeof(*s));
	strncpy(s->name, name, sizeof(s->name) - 1);
	s->kind = kind;
	s->vm = vm;
	s->n_runs = runs;
	s->exit_codes = calloc(runs ? runs : 1, sizeof(int));
	s->starts_per_sec = NAN;
	s->mem_per_instance_bytes = NAN;
	for (int m = 0; m < METRIC_COUNT; m++) {
		s->samples[m] = calloc(runs ? runs : 1, sizeof(double));
		if (s->samples[m])
			fixture_fill(s->samples[m], runs, centres[m], 0.12,
				     (unsigned)(m + 7 * strlen(name)));
		s->stats[m] = fixture_stats(s->samples[m], runs);
		s->ratio[m] = NAN;
	}
}

static void fixture_skipped(struct bench_subject *s, const char *name,
			    enum bench_kind kind, int vm, const char *why)
{
	const double none[METRIC_COUNT] = {NAN, NAN, NAN, NAN, NAN, NAN};
	fixture_subject(s, name, kind, vm, 0, none);
	strncpy(s->skipped, why, sizeof(s->skipped) - 1);
}

static void fixture_ratios(struct bench_result *r)
{
	const struct bench_subject *base = NULL;
	for (size_t i = 0; i < r->n_subjects; i++)
		if (strcmp(r->subjects[i].name, r->baseline) == 0)
			base = &r->subjects[i];
	for (size_t i = 0; base && i < r->n_subjects; i++)
		for (int m = 0; m < METRIC_COUNT; m++) {
			double b = base->stats[m].median;
			double a = r->subjects[i].stats[m].median;
			r->subjects[i].ratio[m] =
			    isnan(a) || isnan(b) || b == 0 ? NAN : a / b;
		}
}

/* container + vm (modes), crun (peer, no startup/total figures), qemu
 * skipped.  hostile: names, image, command and `how` lines full of markup. */
static struct bench_result *fixture_result(int hostile)
{
	struct bench_result *r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	static const char *const argv_plain[] = {
	    "sh", "-c", "echo hello > /dev/null", NULL};
	static const char *const argv_hostile[] = {
	    "sh", "-c", "echo '<script>alert(1)</script>' && cat \"a&b\"",
	    NULL};
	const char *const *argv = hostile ? argv_hostile : argv_plain;
	size_t argc = 0;
	while (argv[argc])
		argc++;
	r->argv = calloc(argc + 1, sizeof(char *));
	for (size_t i = 0; r->argv && i < argc; i++)
		r->argv[i] = strdup(argv[i]);
	strcpy(r->image, hostile ? "busy<box>&\"co'\"" : "busybox:latest");
	r->runs = 10;
	r->warmup = 2;
	r->concurrency = 1;
	strcpy(r->baseline, hostile ? "<container>" : "container");
	r->n_subjects = 4;
	r->subjects = calloc(r->n_subjects, sizeof(*r->subjects));
	if (!r->subjects)
		return r;

	const double container[METRIC_COUNT] = {
	    3.4, 4.6, 6.1, 0.6 * FIX_MIB, 1.8 * FIX_MIB, NAN};
	const double vm[METRIC_COUNT] = {
	    9800, 10150, 10420, 44 * FIX_MIB, 7.5 * FIX_MIB, 36 * FIX_MIB};
	const double crun[METRIC_COUNT] = {NAN,		  NAN, 38,
					   2.9 * FIX_MIB, NAN, NAN};
	struct bench_subject *s = r->subjects;
	fixture_subject(&s[0], hostile ? "<container>" : "container",
			BENCH_MODE, 0, 10, container);
	snprintf(s[0].how, sizeof(s[0].how),
		 "vmctl run --mode container busybox:latest sh -c 'echo hello "
		 "> /dev/null'");
	fixture_subject(&s[1], hostile ? "vm&\"evil\"" : "vm", BENCH_MODE, 1,
			10, vm);
	snprintf(s[1].how, sizeof(s[1].how),
		 "vmctl run --mode vm busybox:latest sh -c 'echo hello > "
		 "/dev/null'");
	s[1].failures = 1;
	s[1].exit_codes[3] = 137;
	fixture_subject(&s[2], hostile ? "crun<b>bold</b>" : "crun", BENCH_PEER,
			0, 10, crun);
	snprintf(s[2].how, sizeof(s[2].how),
		 "crun run --bundle /tmp/b <&> ctr-%s", hostile ? "'x'" : "1");
	snprintf(s[2].version, sizeof(s[2].version), "crun version 1.8.1");
	fixture_skipped(&s[3], hostile ? "qemu</text>" : "qemu", BENCH_PEER, 1,
			hostile ? "qemu-system-x86_64 <not> & \"installed\""
				: "qemu-system-x86_64 is not installed");
	snprintf(s[3].how, sizeof(s[3].how), "qemu-system-x86_64 -M microvm");

	struct bench_machine *m = &r->machine;
	snprintf(m->cpu, sizeof(m->cpu), "%s",
		 hostile ? "Intel<R> Xeon & \"friends\""
			 : "Intel Xeon E5-2690 v4");
	m->ncpu = 2;
	m->mem_bytes = 4ull << 30;
	snprintf(m->host_kernel, sizeof(m->host_kernel), "6.1.0-27-amd64");
	snprintf(m->guest_kernel, sizeof(m->guest_kernel), "6.1.115-vmctl");
	snprintf(m->vmctl_version, sizeof(m->vmctl_version), "0.1-fixture");
	snprintf(m->date, sizeof(m->date), "2026-11-28T09:00:00Z");
	snprintf(m->cgroup, sizeof(m->cgroup), "v2");
	m->nested = 1;
	fixture_ratios(r);
	return r;
}

static void fixture_free(struct bench_result *r)
{
	if (!r)
		return;
	for (size_t i = 0; r->subjects && i < r->n_subjects; i++) {
		for (int m = 0; m < METRIC_COUNT; m++)
			free(r->subjects[i].samples[m]);
		free(r->subjects[i].exit_codes);
	}
	free(r->subjects);
	for (size_t i = 0; r->argv && r->argv[i]; i++)
		free(r->argv[i]);
	free(r->argv);
	free(r);
}

#endif
