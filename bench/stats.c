/* stats.c - the statistics of vmctl bench: pure functions over samples. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "common/strv.h"

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* The non-NAN values of v, sorted (malloc'd; *m their count). */
static double *sorted_values(const double *v, size_t n, size_t *m)
{
	*m = 0;
	double *s = malloc((n ? n : 1) * sizeof(*s));
	if (!s)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (!isnan(v[i]))
			s[(*m)++] = v[i];
	qsort(s, *m, sizeof(*s), cmp_double);
	return s;
}

/* numpy's default ("linear"): rank q*(m-1), interpolated between the two
 * closest ranks. */
static double percentile_sorted(const double *s, size_t m, double q)
{
	if (m == 0 || isnan(q))
		return NAN;
	if (q <= 0)
		return s[0];
	if (q >= 1)
		return s[m - 1];
	double rank = q * (double)(m - 1);
	size_t lo = (size_t)rank; /* rank >= 0: truncation is floor() */
	size_t hi = lo + 1 < m ? lo + 1 : lo;
	return s[lo] + (s[hi] - s[lo]) * (rank - (double)lo);
}

double bench_percentile(const double *v, size_t n, double q)
{
	size_t m;
	double *s = sorted_values(v, n, &m);
	double p = s ? percentile_sorted(s, m, q) : NAN;
	free(s);
	return p;
}

struct bench_stats bench_stats_of(const double *v, size_t n)
{
	struct bench_stats st = {0, NAN, NAN, NAN, NAN, NAN};
	size_t m;
	double *s = sorted_values(v, n, &m);
	if (!s || m == 0) {
		free(s);
		return st;
	}
	double sum = 0;
	for (size_t i = 0; i < m; i++)
		sum += s[i];
	st.n = m;
	st.median = percentile_sorted(s, m, 0.5);
	st.p95 = percentile_sorted(s, m, 0.95);
	st.min = s[0];
	st.max = s[m - 1];
	st.mean = sum / (double)m;
	free(s);
	return st;
}

double bench_ratio(double a, double b)
{
	if (isnan(a) || isnan(b) || b == 0)
		return NAN;
	return a / b;
}

static const char *const metric_names[METRIC_COUNT] = {
    [METRIC_STARTUP_MS] = "startup_ms",
    [METRIC_TOTAL_MS] = "total_ms",
    [METRIC_WALL_MS] = "wall_ms",
    [METRIC_PEAK_BYTES] = "peak_bytes",
    [METRIC_OVERHEAD_BYTES] = "overhead_bytes",
    [METRIC_GUEST_BYTES] = "guest_bytes",
};

const char *bench_metric_name(enum bench_metric m)
{
	return (unsigned)m < METRIC_COUNT ? metric_names[m] : "?";
}

static const struct bench_subject *find_subject(const struct bench_result *r,
						const char *name)
{
	for (size_t i = 0; i < r->n_subjects; i++)
		if (!strcmp(r->subjects[i].name, name))
			return &r->subjects[i];
	return NULL;
}

static bool is_memory(int m)
{
	return m == METRIC_PEAK_BYTES || m == METRIC_OVERHEAD_BYTES ||
	       m == METRIC_GUEST_BYTES;
}

/* Memory is measured differently by vmctl (its report: cgroup peak, guest
 * RAM touched) and for a peer (wait4's max RSS): no ratio across the two. */
static bool comparable(const struct bench_subject *s,
		       const struct bench_subject *base, int m)
{
	return !is_memory(m) || s->kind == base->kind;
}

void bench_result_compute(struct bench_result *r)
{
	for (size_t i = 0; i < r->n_subjects; i++) {
		struct bench_subject *s = &r->subjects[i];
		for (int m = 0; m < METRIC_COUNT; m++)
			s->stats[m] =
			    s->samples[m]
				? bench_stats_of(s->samples[m], s->n_runs)
				: bench_stats_of(NULL, 0);
	}
	const struct bench_subject *base = find_subject(r, r->baseline);
	for (size_t i = 0; i < r->n_subjects; i++) {
		struct bench_subject *s = &r->subjects[i];
		for (int m = 0; m < METRIC_COUNT; m++)
			s->ratio[m] = base && comparable(s, base, m)
					  ? bench_ratio(s->stats[m].median,
							base->stats[m].median)
					  : NAN;
	}
}

void bench_result_free(struct bench_result *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n_subjects; i++) {
		for (int m = 0; m < METRIC_COUNT; m++)
			free(r->subjects[i].samples[m]);
		free(r->subjects[i].exit_codes);
	}
	free(r->subjects);
	strv_free(r->argv);
	memset(r, 0, sizeof(*r));
}
