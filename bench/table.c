/* table.c - vmctl bench's terminal table (pure: a result in, text out). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

static const char *const labels[METRIC_COUNT] = {
    [METRIC_STARTUP_MS] = "startup",
    [METRIC_TOTAL_MS] = "total",
    [METRIC_WALL_MS] = "wall",
    [METRIC_PEAK_BYTES] = "peak mem",
    [METRIC_OVERHEAD_BYTES] = "overhead",
    [METRIC_GUEST_BYTES] = "guest mem",
};

static bool is_bytes(int m)
{
	return m == METRIC_PEAK_BYTES || m == METRIC_OVERHEAD_BYTES ||
	       m == METRIC_GUEST_BYTES;
}

/* "2.31 ms", "15980 ms", "17.4 MiB", "-" for NAN. */
static void fmt_value(int m, double v, char *buf, size_t n)
{
	if (isnan(v))
		snprintf(buf, n, "-");
	else if (is_bytes(m))
		snprintf(buf, n, "%.2f MiB", v / (1024.0 * 1024.0));
	else if (v >= 1000)
		snprintf(buf, n, "%.0f ms", v);
	else
		snprintf(buf, n, "%.2f ms", v);
}

static void fmt_ratio(double v, char *buf, size_t n)
{
	if (isnan(v))
		snprintf(buf, n, "-");
	else if (v >= 100)
		snprintf(buf, n, "%.0fx", v);
	else
		snprintf(buf, n, "%.2fx", v);
}

static void header(FILE *f, const struct bench_result *r)
{
	const struct bench_machine *m = &r->machine;
	fprintf(f, "vmctl bench %s", r->image);
	for (char **a = r->argv; a && *a; a++)
		fprintf(f, " %s", *a);
	fprintf(f,
		": %u runs each (+%u warm-up), interleaved, %u at a time; "
		"ratios: median / %s's median\n",
		r->runs, r->warmup, r->concurrency, r->baseline);
	fprintf(f,
		"%s, %u CPUs, %.1f GiB, kernel %s%s%s, cgroups %s%s, %s, "
		"vmctl %s\n\n",
		m->cpu[0] ? m->cpu : "unknown CPU", m->ncpu,
		(double)m->mem_bytes / (1024.0 * 1024 * 1024), m->host_kernel,
		m->guest_kernel[0] ? ", guest kernel " : "", m->guest_kernel,
		m->cgroup, m->nested ? ", nested VM" : "", m->date,
		m->vmctl_version);
}

static void subject_rows(FILE *f, const struct bench_subject *s)
{
	if (s->skipped[0]) {
		fprintf(f, "%-10s skipped: %s\n", s->name, s->skipped);
		return;
	}
	bool first = true;
	for (int m = 0; m < METRIC_COUNT; m++) {
		const struct bench_stats *st = &s->stats[m];
		if (st->n == 0)
			continue;
		char med[24], p95[24], min[24], max[24], ratio[16];
		fmt_value(m, st->median, med, sizeof(med));
		fmt_value(m, st->p95, p95, sizeof(p95));
		fmt_value(m, st->min, min, sizeof(min));
		fmt_value(m, st->max, max, sizeof(max));
		fmt_ratio(s->ratio[m], ratio, sizeof(ratio));
		fprintf(f, "%-10s %-10s %12s %12s %12s %12s %8s\n",
			first ? s->name : "", labels[m], med, p95, min, max,
			ratio);
		first = false;
	}
	if (first)
		fprintf(f, "%-10s no run succeeded\n", s->name);
}

static void subject_notes(FILE *f, const struct bench_result *r)
{
	fputc('\n', f);
	for (size_t i = 0; i < r->n_subjects; i++) {
		const struct bench_subject *s = &r->subjects[i];
		if (s->skipped[0])
			continue;
		fprintf(f, "%-10s %zu runs, %u failed", s->name, s->n_runs,
			s->failures);
		if (r->concurrency > 1) {
			char mem[24];
			fmt_value(METRIC_PEAK_BYTES, s->mem_per_instance_bytes,
				  mem, sizeof(mem));
			fprintf(f,
				"; %u at once: %.1f starts/s, %s per instance",
				r->concurrency, s->starts_per_sec, mem);
		}
		if (s->version[0])
			fprintf(f, "; %s", s->version);
		fputc('\n', f);
		if (s->first_failure[0])
			fprintf(f, "%-10s first failure: %s\n", "",
				s->first_failure);
	}
	fprintf(f, "\nhow:\n");
	for (size_t i = 0; i < r->n_subjects; i++)
		if (r->subjects[i].how[0])
			fprintf(f, "  %s: %s\n", r->subjects[i].name,
				r->subjects[i].how);
}

char *bench_table(const struct bench_result *r)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	if (!f)
		return NULL;
	header(f, r);
	fprintf(f, "%-10s %-10s %12s %12s %12s %12s %8s\n", "subject", "figure",
		"median", "p95", "min", "max", "ratio");
	for (size_t i = 0; i < r->n_subjects; i++)
		subject_rows(f, &r->subjects[i]);
	subject_notes(f, r);
	if (fclose(f) != 0) {
		free(out);
		return NULL;
	}
	return out;
}
