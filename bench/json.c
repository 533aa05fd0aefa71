/* json.c - vmctl bench's JSON and CSV (pure writers over a result), and the
 * reader of one `vmctl run --report=json` line. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "bench.h"

/* NAN is not a JSON number: it becomes null. */
static cJSON *number(double v)
{
	return isnan(v) || isinf(v) ? cJSON_CreateNull()
				    : cJSON_CreateNumber(v);
}

static void add_number(cJSON *o, const char *key, double v)
{
	cJSON_AddItemToObject(o, key, number(v));
}

static cJSON *machine_json(const struct bench_machine *m)
{
	cJSON *j = cJSON_CreateObject();
	cJSON_AddStringToObject(j, "cpu", m->cpu);
	cJSON_AddNumberToObject(j, "ncpu", m->ncpu);
	cJSON_AddNumberToObject(j, "mem_bytes", (double)m->mem_bytes);
	cJSON_AddStringToObject(j, "host_kernel", m->host_kernel);
	cJSON_AddStringToObject(j, "guest_kernel", m->guest_kernel);
	cJSON_AddStringToObject(j, "vmctl_version", m->vmctl_version);
	cJSON_AddStringToObject(j, "date", m->date);
	cJSON_AddStringToObject(j, "cgroup", m->cgroup);
	cJSON_AddBoolToObject(j, "nested", m->nested);
	return j;
}

static cJSON *stats_json(const struct bench_stats *st)
{
	cJSON *j = cJSON_CreateObject();
	cJSON_AddNumberToObject(j, "n", (double)st->n);
	add_number(j, "median", st->median);
	add_number(j, "p95", st->p95);
	add_number(j, "min", st->min);
	add_number(j, "max", st->max);
	add_number(j, "mean", st->mean);
	return j;
}

static cJSON *subject_json(const struct bench_subject *s)
{
	cJSON *j = cJSON_CreateObject();
	cJSON_AddStringToObject(j, "name", s->name);
	cJSON_AddStringToObject(j, "kind",
				s->kind == BENCH_PEER ? "peer" : "mode");
	cJSON_AddBoolToObject(j, "vm", s->vm);
	cJSON_AddStringToObject(j, "how", s->how);
	cJSON_AddStringToObject(j, "version", s->version);
	if (s->skipped[0])
		cJSON_AddStringToObject(j, "skipped", s->skipped);
	else
		cJSON_AddNullToObject(j, "skipped");
	cJSON_AddNumberToObject(j, "failures", s->failures);
	cJSON_AddStringToObject(j, "first_failure", s->first_failure);
	cJSON *codes = cJSON_AddArrayToObject(j, "exit_codes");
	for (size_t i = 0; s->exit_codes && i < s->n_runs; i++)
		cJSON_AddItemToArray(codes,
				     cJSON_CreateNumber(s->exit_codes[i]));
	cJSON *samples = cJSON_AddObjectToObject(j, "samples");
	cJSON *stats = cJSON_AddObjectToObject(j, "stats");
	cJSON *ratio = cJSON_AddObjectToObject(j, "ratio");
	for (int m = 0; m < METRIC_COUNT; m++) {
		const char *name = bench_metric_name((enum bench_metric)m);
		cJSON *a = cJSON_AddArrayToObject(samples, name);
		for (size_t i = 0; s->samples[m] && i < s->n_runs; i++)
			cJSON_AddItemToArray(a, number(s->samples[m][i]));
		cJSON_AddItemToObject(stats, name, stats_json(&s->stats[m]));
		add_number(ratio, name, s->ratio[m]);
	}
	add_number(j, "starts_per_sec", s->starts_per_sec);
	add_number(j, "mem_per_instance_bytes", s->mem_per_instance_bytes);
	return j;
}

char *bench_json(const struct bench_result *r)
{
	cJSON *j = cJSON_CreateObject();
	if (!j)
		return NULL;
	cJSON_AddStringToObject(j, "image", r->image);
	cJSON *argv = cJSON_AddArrayToObject(j, "argv");
	for (char **a = r->argv; a && *a; a++)
		cJSON_AddItemToArray(argv, cJSON_CreateString(*a));
	cJSON_AddNumberToObject(j, "runs", r->runs);
	cJSON_AddNumberToObject(j, "warmup", r->warmup);
	cJSON_AddNumberToObject(j, "concurrency", r->concurrency);
	cJSON_AddStringToObject(j, "baseline", r->baseline);
	cJSON_AddItemToObject(j, "machine", machine_json(&r->machine));
	cJSON *subjects = cJSON_AddArrayToObject(j, "subjects");
	for (size_t i = 0; i < r->n_subjects; i++)
		cJSON_AddItemToArray(subjects, subject_json(&r->subjects[i]));
	char *out = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	return out;
}

/* ---- CSV: one row per measured run ---- */

/* ",V" or "," for NaN (CSV has no null). */
static void csv_number(FILE *f, double v)
{
	if (isnan(v))
		fputc(',', f);
	else
		fprintf(f, ",%.10g", v);
}

char *bench_csv(const struct bench_result *r)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	if (!f)
		return NULL;
	fputs("subject,kind,run,exit_code", f);
	for (int m = 0; m < METRIC_COUNT; m++)
		fprintf(f, ",%s", bench_metric_name((enum bench_metric)m));
	/* --concurrency K > 1: the subject's aggregate at that density,
	 * repeated on each of its rows (empty at K = 1) */
	fputs(",starts_per_sec,mem_per_instance_bytes\n", f);
	for (size_t i = 0; i < r->n_subjects; i++) {
		const struct bench_subject *s = &r->subjects[i];
		for (size_t k = 0; k < s->n_runs; k++) {
			fprintf(f, "%s,%s,%zu,%d", s->name,
				s->kind == BENCH_PEER ? "peer" : "mode", k + 1,
				s->exit_codes ? s->exit_codes[k] : -1);
			for (int m = 0; m < METRIC_COUNT; m++)
				csv_number(f, s->samples[m] ? s->samples[m][k]
							    : NAN);
			csv_number(f, s->starts_per_sec);
			csv_number(f, s->mem_per_instance_bytes);
			fputc('\n', f);
		}
	}
	if (fclose(f) != 0) {
		free(out);
		return NULL;
	}
	return out;
}

/* ---- the report of one vmctl run ---- */

static double field(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

/* Memory the report gives as 0 was not measured. */
static double bytes(const cJSON *o, const char *key)
{
	double v = field(o, key);
	return v > 0 ? v : NAN;
}

int bench_parse_report(const char *line, double *m, char *kernel,
		       size_t kernel_n, int *exit_code)
{
	cJSON *j = cJSON_Parse(line);
	const cJSON *code = cJSON_GetObjectItemCaseSensitive(j, "exit_code");
	if (!cJSON_IsObject(j) || !cJSON_IsNumber(code)) {
		cJSON_Delete(j);
		return -EINVAL;
	}
	*exit_code = code->valueint;
	m[METRIC_STARTUP_MS] = field(j, "startup_ms");
	m[METRIC_TOTAL_MS] = field(j, "total_ms");
	const cJSON *mem = cJSON_GetObjectItemCaseSensitive(j, "memory");
	m[METRIC_PEAK_BYTES] = bytes(mem, "peak_bytes");
	m[METRIC_OVERHEAD_BYTES] = bytes(mem, "overhead_bytes");
	m[METRIC_GUEST_BYTES] = bytes(mem, "guest_bytes");
	const cJSON *k = cJSON_GetObjectItemCaseSensitive(j, "kernel");
	if (!cJSON_IsString(k))
		k = cJSON_GetObjectItemCaseSensitive(j, "kernel_release");
	if (kernel && cJSON_IsString(k) && !kernel[0])
		snprintf(kernel, kernel_n, "%s", k->valuestring);
	cJSON_Delete(j);
	return 0;
}
