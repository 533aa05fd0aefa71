/* html.c - the report page of `vmctl bench`: one self-contained HTML file
 * (inline CSS, inline SVG, no external resource) that a teacher can project:
 * the results table, the charts, each subject's version and command line,
 * and the machine the figures were measured on. */
#include "bench/charts.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"

static const char page_css[] =
    "body{font-family:'DejaVu Sans','Liberation Sans',Arial,Helvetica,"
    "sans-serif;font-size:19px;color:#111827;background:#fff;"
    "margin:0 auto;padding:20px 24px;max-width:1320px;line-height:1.4}\n"
    "h1{font-size:34px;margin:0 0 6px}\n"
    "h2{font-size:26px;margin:36px 0 12px;border-bottom:3px solid #e5e7eb;"
    "padding-bottom:4px}\n"
    "code,.cmd{font-family:'DejaVu Sans Mono','Liberation Mono',monospace}\n"
    ".cmd{font-size:20px;background:#f3f4f6;padding:8px 12px;"
    "border-radius:6px;overflow-wrap:anywhere;margin:8px 0}\n"
    ".meta{color:#4b5563;margin:6px 0}\n"
    "table{border-collapse:collapse;width:100%;font-size:16px}\n"
    "th{background:#1f2937;color:#fff;text-align:left;padding:7px 8px;"
    "font-weight:600}\n"
    "td{padding:7px 8px;border-bottom:1px solid #e5e7eb;vertical-align:top}\n"
    "tbody tr:nth-child(even){background:#f9fafb}\n"
    "td.num{text-align:right;font-variant-numeric:tabular-nums;"
    "white-space:nowrap}\n"
    "td.num b{font-size:18px}\nth.num{text-align:right}\n"
    "td.num small{display:block;color:#4b5563;font-size:14px}\n"
    "td.num small.ratio{color:#111827;font-weight:600}\n"
    ".na{color:#6b7280;font-style:italic}\n"
    ".mode{color:#1d4ed8;font-weight:600}.peer{color:#c2410c;"
    "font-weight:600}\n"
    ".subject{font-weight:700;font-size:18px;overflow-wrap:break-word;"
    "word-break:break-word}\n"
    ".glance{font-size:22px;margin:12px 0;padding-left:28px}\n"
    ".glance li{margin:4px 0}\n.glance b{white-space:nowrap}\n"
    ".tag{display:inline-block;font-size:13px;background:#e5e7eb;"
    "border-radius:4px;padding:0 6px;margin-left:6px;font-weight:600}\n"
    ".failed{color:#b91c1c;font-weight:700}\n"
    "tr.skipped td{color:#9ca3af;background:#f3f4f6}\n"
    "tr.skipped .why{font-style:italic}\n"
    "figure{margin:18px 0 28px}\n"
    "figure svg{width:100%;height:auto;display:block;border:1px solid "
    "#e5e7eb;border-radius:8px}\n"
    "table.subjects code{font-size:15px;overflow-wrap:anywhere}\n"
    "table.results td:first-child{min-width:8em}\n"
    "dl.machine{display:grid;grid-template-columns:max-content 1fr;"
    "gap:6px 24px;margin:0}\n"
    "dl.machine dt{font-weight:700}dl.machine dd{margin:0}\n"
    ".note{color:#4b5563;font-size:16px}\n"
    "footer{margin-top:40px;color:#6b7280;font-size:15px}\n";

/* The figures of the results table, in column order. */
static const enum bench_metric table_metrics[] = {
    METRIC_STARTUP_MS, METRIC_TOTAL_MS,	      METRIC_WALL_MS,
    METRIC_PEAK_BYTES, METRIC_OVERHEAD_BYTES, METRIC_GUEST_BYTES};
#define N_TABLE_METRICS (sizeof(table_metrics) / sizeof(*table_metrics))

static bool has_baseline(const struct bench_result *r)
{
	return r->baseline[0] != '\0';
}

static bool is_baseline(const struct bench_result *r,
			const struct bench_subject *s)
{
	return has_baseline(r) &&
	       strncmp(r->baseline, s->name, sizeof(s->name)) == 0;
}

static void write_head(FILE *f, const struct bench_result *r)
{
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	      "<meta charset=\"utf-8\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, "
	      "initial-scale=1\">\n<title>vmctl bench: ",
	      f);
	bench_escape(f, r->image, sizeof(r->image));
	fprintf(f, "</title>\n<style>\n%s</style>\n</head>\n<body>\n",
		page_css);
}

static void write_header(FILE *f, const struct bench_result *r)
{
	char cmd[1024];
	bench_command_line(cmd, sizeof(cmd), r->argv);
	fputs("<header>\n<h1>vmctl bench: ", f);
	bench_escape(f, r->image, sizeof(r->image));
	fputs("</h1>\n<p class=\"cmd\">$ ", f);
	bench_escape(f, cmd, sizeof(cmd));
	fprintf(f,
		"</p>\n<p class=\"meta\">%u measured runs per subject after %u "
		"warm-up runs, interleaved",
		r->runs, r->warmup);
	if (r->concurrency > 1)
		fprintf(f, "; %u instances started at once", r->concurrency);
	if (has_baseline(r)) {
		fputs(" &middot; ratios against <b>", f);
		bench_escape(f, r->baseline, sizeof(r->baseline));
		fputs("</b>", f);
	}
	if (r->machine.date[0]) {
		fputs(" &middot; ", f);
		bench_escape(f, r->machine.date, sizeof(r->machine.date));
	}
	fputs("</p>\n</header>\n", f);
}

static void write_kind(FILE *f, const struct bench_subject *s)
{
	if (s->kind == BENCH_MODE)
		fputs("<span class=\"mode\">mode</span>", f);
	else
		fputs("<span class=\"peer\">peer</span>", f);
	if (s->vm)
		fputs(" <span class=\"tag\">VM</span>", f);
}

/* "1.62 MiB", "1.96 MiB" -> "1.62", "1.96 MiB": a range names its unit
 * once, which keeps the table narrow enough for a projector. */
static void drop_shared_unit(char *lo, const char *hi)
{
	const char *lu = strrchr(lo, ' '), *hu = strrchr(hi, ' ');
	if (lu && hu && strcmp(lu, hu) == 0)
		lo[lu - lo] = '\0';
}

/* median (bold), p95 and min-max (small), the ratio against the baseline. */
static void write_figure(FILE *f, const struct bench_result *r,
			 const struct bench_subject *s, enum bench_metric m)
{
	const struct bench_stats *st = &s->stats[m];
	if (!isfinite(st->median)) {
		fputs("<td class=\"num\"><span class=\"na\">n/a</span></td>",
		      f);
		return;
	}
	char med[32], p95[32], lo[32], hi[32];
	bench_fmt_metric(med, sizeof(med), m, st->median);
	bench_fmt_metric(p95, sizeof(p95), m, st->p95);
	bench_fmt_metric(lo, sizeof(lo), m, st->min);
	bench_fmt_metric(hi, sizeof(hi), m, st->max);
	drop_shared_unit(lo, hi);
	fprintf(f,
		"<td class=\"num\"><b>%s</b><small>p95 %s</small>"
		"<small>%s &ndash; %s</small>",
		med, p95, lo, hi);
	if (has_baseline(r) && !is_baseline(r, s)) {
		char ratio[32];
		bench_fmt_ratio(ratio, sizeof(ratio), s->ratio[m]);
		fprintf(f, "<small class=\"ratio\">%s</small>", ratio);
	}
	fputs("</td>", f);
}

static size_t extra_columns(const struct bench_result *r)
{
	return r->concurrency > 1 ? 2 : 0;
}

static void write_subject_cells(FILE *f, const struct bench_result *r,
				const struct bench_subject *s)
{
	fputs("<td><span class=\"subject\">", f);
	bench_escape(f, s->name, sizeof(s->name));
	fputs("</span>", f);
	if (is_baseline(r, s))
		fputs("<span class=\"tag\">baseline</span>", f);
	fputs("</td><td>", f);
	write_kind(f, s);
	fputs("</td>", f);
}

static void write_row(FILE *f, const struct bench_result *r,
		      const struct bench_subject *s)
{
	if (s->skipped[0]) {
		fputs("<tr class=\"skipped\">", f);
		write_subject_cells(f, r, s);
		fprintf(f, "<td colspan=\"%zu\" class=\"why\">skipped: ",
			2 + N_TABLE_METRICS + extra_columns(r));
		bench_escape(f, s->skipped, sizeof(s->skipped));
		fputs("</td></tr>\n", f);
		return;
	}
	fputs("<tr>", f);
	write_subject_cells(f, r, s);
	fprintf(f, "<td class=\"num\">%zu</td>", s->n_runs);
	fprintf(f, "<td class=\"num%s\">%u</td>", s->failures ? " failed" : "",
		s->failures);
	for (size_t i = 0; i < N_TABLE_METRICS; i++)
		write_figure(f, r, s, table_metrics[i]);
	if (extra_columns(r)) {
		char mem[32];
		bench_fmt_bytes(mem, sizeof(mem), s->mem_per_instance_bytes);
		if (isfinite(s->starts_per_sec))
			fprintf(f, "<td class=\"num\"><b>%.1f</b></td>",
				s->starts_per_sec);
		else
			fputs("<td class=\"num\"><span class=\"na\">n/a</span>"
			      "</td>",
			      f);
		fprintf(f, "<td class=\"num\"><b%s>%s</b></td>",
			isfinite(s->mem_per_instance_bytes) ? ""
							    : " class=\"na\"",
			mem);
	}
	fputs("</tr>\n", f);
}

/* "startup 9.98 s (×2978), " for the summary list. */
static void glance_figure(FILE *f, const struct bench_result *r,
			  const struct bench_subject *s, enum bench_metric m,
			  const char *what)
{
	char v[32], ratio[32];
	bench_fmt_metric(v, sizeof(v), m, s->stats[m].median);
	fprintf(f, "%s <b>%s</b>", what, v);
	if (has_baseline(r) && !is_baseline(r, s) && isfinite(s->ratio[m])) {
		bench_fmt_ratio(ratio, sizeof(ratio), s->ratio[m]);
		fputs(" (", f);
		fputs(ratio, f);
		fputs(" ", f);
		bench_escape(f, r->baseline, sizeof(r->baseline));
		fputs(")", f);
	}
}

/* One line per subject, in large type: what a class remembers. */
static void write_glance(FILE *f, const struct bench_result *r)
{
	if (r->n_subjects == 0)
		return;
	fputs("<ul class=\"glance\">\n", f);
	for (size_t i = 0; i < r->n_subjects; i++) {
		const struct bench_subject *s = &r->subjects[i];
		fputs(s->skipped[0] ? "<li class=\"na\">" : "<li>", f);
		fputs("<span class=\"subject\">", f);
		bench_escape(f, s->name, sizeof(s->name));
		fputs("</span>: ", f);
		if (s->skipped[0]) {
			fputs("skipped (", f);
			bench_escape(f, s->skipped, sizeof(s->skipped));
			fputs(")</li>\n", f);
			continue;
		}
		glance_figure(f, r, s, METRIC_STARTUP_MS, "startup");
		glance_figure(f, r, s, METRIC_WALL_MS,
			      " &middot; whole command");
		glance_figure(f, r, s, METRIC_PEAK_BYTES,
			      " &middot; memory peak");
		fputs("</li>\n", f);
	}
	fputs("</ul>\n", f);
}

static void write_results(FILE *f, const struct bench_result *r)
{
	fputs("<section>\n<h2>Results</h2>\n", f);
	if (r->n_subjects == 0) {
		fputs("<p class=\"empty\">No subject was measured.</p>\n"
		      "</section>\n",
		      f);
		return;
	}
	fputs("<table class=\"results\">\n<thead><tr><th>Subject</th>"
	      "<th>Kind</th><th class=\"num\">Runs</th><th "
	      "class=\"num\">Failed</th>",
	      f);
	for (size_t i = 0; i < N_TABLE_METRICS; i++)
		fprintf(f, "<th class=\"num\">%s</th>",
			bench_metric_label(table_metrics[i]));
	if (extra_columns(r))
		fprintf(f,
			"<th>starts/s (&times;%u)</th><th>memory per "
			"instance</th>",
			r->concurrency);
	fputs("</tr></thead>\n<tbody>\n", f);
	for (size_t i = 0; i < r->n_subjects; i++)
		write_row(f, r, &r->subjects[i]);
	fputs("</tbody>\n</table>\n<p class=\"note\">Each cell: the median in "
	      "bold, then the 95th percentile and the range (min &ndash; max)",
	      f);
	if (has_baseline(r)) {
		fputs(", then the median divided by the median of ", f);
		bench_escape(f, r->baseline, sizeof(r->baseline));
		fputs(" (&times;2 = twice as much)", f);
	}
	fputs(". <i>startup</i>: until the workload runs; <i>total</i>: until "
	      "it exits; <i>wall</i>: what a user waits for the whole command; "
	      "<i>peak</i>: the highest memory use; <i>overhead</i>: the "
	      "runtime's own memory; <i>guest RAM</i>: memory the VM's guest "
	      "touched. n/a: not measured.</p>\n</section>\n",
	      f);
}

static int write_charts(FILE *f, const struct bench_result *r,
			struct vmctl_err *err)
{
	fputs("<section class=\"charts\">\n<h2>Charts</h2>\n", f);
	for (int c = 0; c < BENCH_CHART_COUNT; c++) {
		cleanup_free char *svg = bench_svg_chart(r, c, err);
		if (!svg)
			return -ENOMEM; /* the only way a chart fails */
		fprintf(f, "<figure>\n%s</figure>\n", svg);
	}
	fputs("</section>\n", f);
	return 0;
}

static void write_subjects(FILE *f, const struct bench_result *r)
{
	if (r->n_subjects == 0)
		return;
	fputs("<section>\n<h2>How each subject was run</h2>\n"
	      "<table class=\"subjects\">\n<thead><tr><th>Subject</th>"
	      "<th>Version</th><th>Command</th></tr></thead>\n<tbody>\n",
	      f);
	for (size_t i = 0; i < r->n_subjects; i++) {
		const struct bench_subject *s = &r->subjects[i];
		fprintf(f, "<tr%s><td><span class=\"subject\">",
			s->skipped[0] ? " class=\"skipped\"" : "");
		bench_escape(f, s->name, sizeof(s->name));
		fputs("</span></td><td>", f);
		if (s->version[0])
			bench_escape(f, s->version, sizeof(s->version));
		else if (s->kind == BENCH_MODE)
			fputs("vmctl (this build)", f);
		else
			fputs("<span class=\"na\">n/a</span>", f);
		fputs("</td><td><code>", f);
		bench_escape(f, s->how, sizeof(s->how));
		fputs("</code></td></tr>\n", f);
	}
	fputs("</tbody>\n</table>\n</section>\n", f);
}

static void fact(FILE *f, const char *term, const char *value, size_t max,
		 const char *if_empty)
{
	fprintf(f, "<dt>%s</dt><dd>", term);
	if (value && value[0])
		bench_escape(f, value, max);
	else
		fprintf(f, "<span class=\"na\">%s</span>", if_empty);
	fputs("</dd>\n", f);
}

static void write_machine(FILE *f, const struct bench_result *r)
{
	const struct bench_machine *m = &r->machine;
	char cores[32] = "", mem[32] = "";
	if (m->ncpu)
		snprintf(cores, sizeof(cores), "%u", m->ncpu);
	if (m->mem_bytes)
		bench_fmt_bytes(mem, sizeof(mem), (double)m->mem_bytes);
	fputs("<section>\n<h2>Machine</h2>\n<dl class=\"machine\">\n", f);
	fact(f, "CPU", m->cpu, sizeof(m->cpu), "n/a");
	fact(f, "Cores", cores, sizeof(cores), "n/a");
	fact(f, "Memory", mem, sizeof(mem), "n/a");
	fact(f, "Host kernel", m->host_kernel, sizeof(m->host_kernel), "n/a");
	fact(f, "Guest kernel", m->guest_kernel, sizeof(m->guest_kernel),
	     "none (no VM ran)");
	fact(f, "vmctl", m->vmctl_version, sizeof(m->vmctl_version), "n/a");
	fact(f, "cgroups", m->cgroup, sizeof(m->cgroup), "n/a");
	fact(f, "Nested",
	     m->nested ? "yes: the host is itself a VM, so VM figures include "
			 "nested virtualization"
		       : "no: bare metal",
	     SIZE_MAX, "");
	fact(f, "Date", m->date, sizeof(m->date), "n/a");
	fputs("</dl>\n</section>\n", f);
}

static void write_footer(FILE *f, const struct bench_result *r)
{
	fputs("<footer>Made by <code>vmctl bench</code>", f);
	if (r->machine.vmctl_version[0]) {
		fputs(" ", f);
		bench_escape(f, r->machine.vmctl_version,
			     sizeof(r->machine.vmctl_version));
	}
	fputs(". Timings are noisy: compare medians and ranges, not single "
	      "runs.</footer>\n</body>\n</html>\n",
	      f);
}

char *bench_html(const struct bench_result *r, struct vmctl_err *err)
{
	if (!r) {
		vmctl_errorf(err, EINVAL, "bench report: no result");
		return NULL;
	}
	char *page = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&page, &len);
	if (!f) {
		vmctl_error(err, errno, "building the bench report");
		return NULL;
	}
	write_head(f, r);
	write_header(f, r);
	write_glance(f, r);
	write_results(f, r);
	int rc = write_charts(f, r, err);
	write_subjects(f, r);
	write_machine(f, r);
	write_footer(f, r);
	bool bad = rc < 0 || ferror(f);
	if (fclose(f) != 0 || bad) {
		free(page);
		if (rc == 0)
			vmctl_error(err, ENOMEM, "building the bench report");
		return NULL;
	}
	return page;
}
