/* charts.h - the charts (SVG) and the report page (HTML) of `vmctl bench`.
 *
 * Pure writers: they read a struct bench_result whose stats[] and ratio[]
 * are already computed (bench_result_compute) and return a malloc'd string.
 * Every text that comes from the result (names, commands, `how` lines,
 * versions) is escaped; a figure that is NAN is written "n/a" and never
 * drawn; a skipped subject is shown greyed with its reason.
 */
#ifndef VMCTL_BENCH_CHARTS_H
#define VMCTL_BENCH_CHARTS_H

#include <stddef.h>
#include <stdio.h>

#include "bench/bench.h"
#include "common/error.h"

/* The whole SVG document: a title (image, command), then every chart. */
char *bench_svg(const struct bench_result *r, struct vmctl_err *err);
/* The whole HTML page: table, charts (inline SVG), machine facts. */
char *bench_html(const struct bench_result *r, struct vmctl_err *err);

enum bench_chart {
	BENCH_CHART_TIME = 0, /* startup, total, wall per subject */
	BENCH_CHART_MEMORY,   /* peak and overhead per subject */
	BENCH_CHART_STACKED,  /* guest (or cgroup peak) + overhead, stacked */
	BENCH_CHART_COUNT
};

/* One chart as a standalone <svg> element (with xmlns), malloc'd. */
char *bench_svg_chart(const struct bench_result *r, enum bench_chart c,
		      struct vmctl_err *err);

/* ---- text helpers shared by the writers (bench/markup.c) ---------------- */

/* Writes at most max bytes of s (less if NUL-terminated) escaped for XML and
 * HTML text and attribute values: & < > " ' become entities; control
 * characters become spaces; bytes that are not valid UTF-8 become U+FFFD. */
void bench_escape(FILE *out, const char *s, size_t max);
/* The same, cut after max_chars characters with an ellipsis. */
void bench_escape_cut(FILE *out, const char *s, size_t max, size_t max_chars);

/* "0.42 ms", "3.41 ms", "12.3 ms", "10.2 s"; "n/a" for NAN. */
void bench_fmt_ms(char *buf, size_t n, double ms);
/* "512 B", "900 KiB", "1.50 MiB", "2.00 GiB"; "n/a" for NAN. */
void bench_fmt_bytes(char *buf, size_t n, double bytes);
/* "×0.52", "×2950"; "n/a" for NAN. */
void bench_fmt_ratio(char *buf, size_t n, double ratio);
/* Formats a figure of metric m with the unit that suits it. */
void bench_fmt_metric(char *buf, size_t n, enum bench_metric m, double v);

/* What a reader calls a metric: "startup", "total", "wall", "peak",
 * "overhead", "guest RAM"; "?" out of range. */
const char *bench_metric_label(enum bench_metric m);

/* The workload as one line: argv joined by spaces, arguments with spaces or
 * quotes shown in single quotes; "(no command)" when argv is NULL or empty.
 * Truncated (never overflowing) to n - 1 bytes. */
void bench_command_line(char *buf, size_t n, char *const *argv);

#endif
