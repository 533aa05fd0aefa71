/* svg.c - the charts of `vmctl bench` as SVG.
 *
 * Three charts, each a stack of horizontal bars (one row per subject and
 * figure), so that long names and printed values always have room:
 *   time     startup / total / wall: bar = median, tick = p95, whisker =
 *            min-max.  A VM boots a kernel (~seconds) and a container starts
 *            in milliseconds, so VMs and containers get separate panels, each
 *            with its own linear axis and unit, rather than one log axis that
 *            a class would misread.
 *   memory   peak and overhead per subject, one linear axis (the gap between
 *            a VM and a container is the point).
 *   stacked  one bar per subject: the workload's memory (guest RAM of a VM,
 *            cgroup peak of a container) plus the runtime's overhead.
 * Colors are fixed per kind (vmctl modes blue, peer runtimes orange); skipped
 * subjects are grey rows with their reason; NAN figures are written "n/a" and
 * never drawn.  The document is built in an open_memstream() buffer.
 */
#include "bench/charts.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"

/* Geometry, in SVG user units (the page scales the whole picture). */
#define WIDTH 1000
#define NAME_X 16      /* subject names */
#define PLOT_X0 260.0  /* where bars start */
#define PLOT_X1 790.0  /* the axis maximum; value labels go right of it */
#define STACK_X1 680.0 /* the same for the stacked chart's longer labels */
#define ROW_H 26.0     /* one bar */
#define BAR_H 17.0
#define GROUP_PAD 10.0 /* between subjects */
#define AXIS_H 34.0    /* tick labels under a panel */
#define NAME_CHARS 15  /* a longer subject name is cut with an ellipsis */

#define INK "#111827"
#define MUTED "#6b7280"
#define GRID "#e5e7eb"
#define SKIP_INK "#9ca3af"
#define SKIP_BG "#f3f4f6"
#define FAIL_INK "#b91c1c"

/* Three shades per kind: dark, middle, light. */
static const char *kind_color(enum bench_kind kind, int shade)
{
	static const char *const mode[] = {"#1d4ed8", "#3b82f6", "#93c5fd"};
	static const char *const peer[] = {"#c2410c", "#f97316", "#fdba74"};
	return kind == BENCH_MODE ? mode[shade] : peer[shade];
}

/* ---- axes --------------------------------------------------------------- */

struct axis {
	double max;	  /* in base units (ms or bytes); > 0 */
	double step;	  /* between ticks, base units */
	double div;	  /* base units per display unit */
	const char *unit; /* display unit */
	double x1;	  /* where max is drawn */
};

/* The largest power of ten <= v (v > 0 and finite).  Plain arithmetic
 * rather than pow(10, floor(log10(v))): vmctl does not link libm, which
 * would cost every start a library load. */
static double power_of_ten_below(double v)
{
	double mag = 1;
	while (mag * 10 <= v)
		mag *= 10;
	while (mag > v)
		mag /= 10;
	return mag;
}

/* ceil() for the small positive tick counts here. */
static double ceil_count(double v)
{
	double whole = (double)(long long)v;
	return whole < v ? whole + 1 : whole;
}

/* 1, 2 or 5 times a power of ten, so that about five ticks cover max. */
static double nice_step(double max)
{
	double raw = max / 5, mag = power_of_ten_below(raw);
	double norm = raw / mag;
	return (norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 5 ? 5 : 10) * mag;
}

static struct axis make_axis(double data_max, double div, const char *unit)
{
	struct axis ax = {.div = div, .unit = unit};
	double m = isfinite(data_max) && data_max > 0 ? data_max / div : 1;
	ax.step = nice_step(m);
	ax.max = ceil_count(m / ax.step - 1e-9) * ax.step * div;
	ax.step *= div;
	return ax;
}

static struct axis time_axis(double max_ms)
{
	if (isfinite(max_ms) && max_ms >= 1000)
		return make_axis(max_ms, 1000, "s");
	return make_axis(max_ms, 1, "ms");
}

static struct axis bytes_axis(double max_bytes)
{
	if (!isfinite(max_bytes) || max_bytes < 1024.0 * 1024)
		return make_axis(max_bytes, 1024, "KiB");
	if (max_bytes < 1024.0 * 1024 * 1024)
		return make_axis(max_bytes, 1024.0 * 1024, "MiB");
	return make_axis(max_bytes, 1024.0 * 1024 * 1024, "GiB");
}

static double scale_x(const struct axis *ax, double v)
{
	if (!(v > 0))
		return PLOT_X0;
	if (v > ax->max)
		v = ax->max;
	return PLOT_X0 + v / ax->max * (ax->x1 - PLOT_X0);
}

static void tick_label(char *buf, size_t n, const struct axis *ax, double v)
{
	double step = ax->step / ax->div;
	int decimals = step >= 1 ? 0 : step >= 0.1 ? 1 : step >= 0.01 ? 2 : 3;
	snprintf(buf, n, "%.*f %s", decimals, v / ax->div, ax->unit);
}

/* Vertical grid lines from top to bottom, tick labels under bottom. */
static void draw_axis(FILE *f, const struct axis *ax, double top, double bottom)
{
	int ticks = (int)(ax->max / ax->step + 0.5);
	for (int i = 0; i <= ticks; i++) {
		double v = i * ax->step, x = scale_x(ax, v);
		char label[32];
		tick_label(label, sizeof(label), ax, v);
		fprintf(f,
			"<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
			"stroke=\"%s\" stroke-width=\"%s\"/>\n",
			x, top, x, bottom + 4, i == 0 ? MUTED : GRID,
			i == 0 ? "1.5" : "1");
		fprintf(f,
			"<text x=\"%.1f\" y=\"%.1f\" font-size=\"13\" "
			"fill=\"%s\" text-anchor=\"middle\">%s</text>\n",
			x, bottom + 20, MUTED, label);
	}
}

/* ---- what a chart shows ------------------------------------------------- */

struct chart_def {
	const char *title;
	const enum bench_metric *metrics; /* one row each per subject */
	size_t n_metrics;
	bool split_vm; /* separate panels for VMs and containers */
};

static const enum bench_metric time_metrics[] = {
    METRIC_STARTUP_MS, METRIC_TOTAL_MS, METRIC_WALL_MS};
static const enum bench_metric memory_metrics[] = {METRIC_PEAK_BYTES,
						   METRIC_OVERHEAD_BYTES};

static bool is_skipped(const struct bench_subject *s)
{
	return s->skipped[0] != '\0';
}

static bool is_bytes(enum bench_metric m)
{
	return m == METRIC_PEAK_BYTES || m == METRIC_OVERHEAD_BYTES ||
	       m == METRIC_GUEST_BYTES;
}

static double fmax_finite(double a, double b)
{
	if (!isfinite(a))
		return b;
	if (!isfinite(b))
		return a;
	return a > b ? a : b;
}

/* The largest figure a row will draw: median, p95 or max. */
static double stats_reach(const struct bench_stats *st)
{
	return fmax_finite(fmax_finite(st->median, st->p95), st->max);
}

/* The workload's own memory in the stacked chart: guest RAM for a VM, the
 * cgroup (or max RSS) peak otherwise. */
static enum bench_metric workload_metric(const struct bench_subject *s)
{
	return s->vm ? METRIC_GUEST_BYTES : METRIC_PEAK_BYTES;
}

static double stacked_total(const struct bench_subject *s)
{
	double a = s->stats[workload_metric(s)].median;
	double b = s->stats[METRIC_OVERHEAD_BYTES].median;
	if (!isfinite(a))
		return b;
	return isfinite(b) ? a + b : a;
}

/* ---- rows --------------------------------------------------------------- */

/* The subject's name, kind and failures, left of its rows, centred on them. */
static void draw_subject_label(FILE *f, const struct bench_subject *s,
			       double top, double height)
{
	bool skipped = is_skipped(s);
	int lines = skipped ? 1 : s->failures ? 3 : 2;
	double y = top + height / 2 - (lines - 1) * 17 / 2.0 + 6;
	fprintf(
	    f,
	    "<text x=\"%d\" y=\"%.1f\" font-size=\"17\" font-weight=\"bold\" "
	    "fill=\"%s\">",
	    NAME_X, y, skipped ? SKIP_INK : INK);
	bench_escape_cut(f, s->name, sizeof(s->name), NAME_CHARS);
	fputs("</text>\n", f);
	if (skipped)
		return;
	fprintf(f,
		"<text x=\"%d\" y=\"%.1f\" font-size=\"13\" fill=\"%s\">%s"
		"</text>\n",
		NAME_X, y + 17, kind_color(s->kind, 0),
		s->kind == BENCH_MODE ? "vmctl mode" : "peer runtime");
	if (s->failures)
		fprintf(f,
			"<text x=\"%d\" y=\"%.1f\" font-size=\"13\" "
			"fill=\"%s\" font-weight=\"bold\">%u of %zu runs "
			"failed</text>\n",
			NAME_X, y + 34, FAIL_INK, s->failures, s->n_runs);
}

/* A grey band across the plot: "skipped: why". */
static double draw_skipped(FILE *f, const struct bench_subject *s, double y)
{
	double h = ROW_H + 6;
	fprintf(f,
		"<rect x=\"8\" y=\"%.1f\" width=\"%d\" height=\"%.1f\" "
		"fill=\"%s\" rx=\"4\"/>\n",
		y, WIDTH - 16, h, SKIP_BG);
	draw_subject_label(f, s, y, h);
	fprintf(f,
		"<text x=\"%.1f\" y=\"%.1f\" font-size=\"15\" "
		"font-style=\"italic\" "
		"fill=\"%s\">skipped: ",
		PLOT_X0, y + h / 2 + 5, MUTED);
	bench_escape_cut(f, s->skipped, sizeof(s->skipped), 70);
	fputs("</text>\n", f);
	return h;
}

/* One figure: bar to the median, tick at p95, whisker from min to max, the
 * median (and p95) printed right of it.  NAN median: "n/a", nothing drawn. */
static void draw_stats_row(FILE *f, const struct bench_subject *s,
			   enum bench_metric m, int shade,
			   const struct axis *ax, double y)
{
	const struct bench_stats *st = &s->stats[m];
	double mid = y + ROW_H / 2;
	char med[32], p95[32], lo[32], hi[32];
	bench_fmt_metric(med, sizeof(med), m, st->median);
	bench_fmt_metric(p95, sizeof(p95), m, st->p95);
	bench_fmt_metric(lo, sizeof(lo), m, st->min);
	bench_fmt_metric(hi, sizeof(hi), m, st->max);

	fprintf(f,
		"<text x=\"%.1f\" y=\"%.1f\" font-size=\"14\" fill=\"%s\" "
		"text-anchor=\"end\">%s</text>\n",
		PLOT_X0 - 10, mid + 5, MUTED, bench_metric_label(m));
	if (!isfinite(st->median)) {
		fprintf(f,
			"<text x=\"%.1f\" y=\"%.1f\" font-size=\"14\" "
			"fill=\"%s\" class=\"na\">n/a</text>\n",
			PLOT_X0 + 6, mid + 5, MUTED);
		return;
	}
	double x = scale_x(ax, st->median), reach = x;
	/* A tiny median still shows as a sliver, so it reads as "small". */
	double w = x - PLOT_X0 < 2 ? 2 : x - PLOT_X0;
	fprintf(f,
		"<rect class=\"bar\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
		"height=\"%.1f\" fill=\"%s\"><title>",
		PLOT_X0, mid - BAR_H / 2, w, BAR_H, kind_color(s->kind, shade));
	bench_escape(f, s->name, sizeof(s->name));
	fprintf(f, " %s: median %s, p95 %s, min %s, max %s</title></rect>\n",
		bench_metric_label(m), med, p95, lo, hi);
	if (isfinite(st->min) && isfinite(st->max)) {
		double x0 = scale_x(ax, st->min), x1 = scale_x(ax, st->max);
		fprintf(f,
			"<path d=\"M%.1f %.1fV%.1fM%.1f %.1fH%.1fM%.1f "
			"%.1fV%.1f\" stroke=\"%s\" stroke-width=\"1.5\" "
			"fill=\"none\"/>\n",
			x0, mid - 5, mid + 5, x0, mid, x1, x1, mid - 5, mid + 5,
			INK);
		reach = fmax_finite(reach, x1);
	}
	if (isfinite(st->p95)) {
		double xp = scale_x(ax, st->p95);
		fprintf(
		    f,
		    "<rect x=\"%.1f\" y=\"%.1f\" width=\"3\" height=\"%.1f\" "
		    "fill=\"%s\"/>\n",
		    xp - 1.5, mid - BAR_H / 2 - 3, BAR_H + 6, INK);
		reach = fmax_finite(reach, xp + 1.5);
	}
	fprintf(f,
		"<text x=\"%.1f\" y=\"%.1f\" font-size=\"15\" fill=\"%s\">"
		"<tspan font-weight=\"bold\">%s</tspan>",
		reach + 8, mid + 5, INK, med);
	if (isfinite(st->p95))
		fprintf(f,
			"<tspan fill=\"%s\" font-size=\"13\"> p95 %s</tspan>",
			MUTED, p95);
	fputs("</text>\n", f);
}

/* One subject of a bar chart: its label and one row per metric. */
static double draw_subject_rows(FILE *f, const struct bench_subject *s,
				const struct chart_def *def,
				const struct axis *ax, double y)
{
	if (is_skipped(s))
		return draw_skipped(f, s, y);
	double h = def->n_metrics * ROW_H;
	draw_subject_label(f, s, y, h);
	for (size_t i = 0; i < def->n_metrics; i++)
		draw_stats_row(f, s, def->metrics[i], (int)(i < 2 ? i : 2), ax,
			       y + i * ROW_H);
	return h;
}

/* The stacked bar of one subject: workload memory, then overhead. */
static double draw_stacked_row(FILE *f, const struct bench_subject *s,
			       const struct axis *ax, double y)
{
	if (is_skipped(s))
		return draw_skipped(f, s, y);
	double h = 2 * ROW_H, mid = y + h / 2;
	draw_subject_label(f, s, y, h);
	enum bench_metric wm = workload_metric(s);
	double a = s->stats[wm].median,
	       b = s->stats[METRIC_OVERHEAD_BYTES].median;
	char as[32], bs[32], ts[32];
	bench_fmt_bytes(as, sizeof(as), a);
	bench_fmt_bytes(bs, sizeof(bs), b);
	bench_fmt_bytes(ts, sizeof(ts), stacked_total(s));
	double x = PLOT_X0;
	const double segs[2] = {a, b};
	for (int i = 0; i < 2; i++) {
		if (!isfinite(segs[i]) || segs[i] <= 0)
			continue;
		double w = scale_x(ax, segs[i]) - PLOT_X0;
		w = w < 2 ? 2 : w;
		fprintf(
		    f,
		    "<rect class=\"bar\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
		    "height=\"%.1f\" fill=\"%s\"><title>%s %s</title></rect>\n",
		    x, mid - BAR_H, w, 2 * BAR_H, kind_color(s->kind, i * 2),
		    i == 0 ? (s->vm ? "guest RAM" : "peak") : "overhead",
		    i == 0 ? as : bs);
		x += w;
	}
	const char *what = s->vm ? "guest" : "peak";
	if (!isfinite(a) && !isfinite(b)) {
		fprintf(f,
			"<text x=\"%.1f\" y=\"%.1f\" font-size=\"14\" "
			"fill=\"%s\" class=\"na\">n/a</text>\n",
			PLOT_X0 + 6, mid + 5, MUTED);
		return h;
	}
	fprintf(f,
		"<text x=\"%.1f\" y=\"%.1f\" font-size=\"15\" fill=\"%s\">"
		"<tspan font-weight=\"bold\">%s</tspan></text>\n",
		x + 8, mid - 2, INK, ts);
	fprintf(f,
		"<text x=\"%.1f\" y=\"%.1f\" font-size=\"13\" fill=\"%s\">"
		"%s %s + overhead %s</text>\n",
		x + 8, mid + 14, MUTED, what, as, bs);
	return h;
}

/* ---- panels and charts -------------------------------------------------- */

enum panel_filter { PANEL_ALL, PANEL_CONTAINERS, PANEL_VMS };

static bool in_panel(const struct bench_subject *s, enum panel_filter p)
{
	return p == PANEL_ALL || (p == PANEL_VMS) == s->vm;
}

static double panel_data_max(const struct bench_result *r,
			     const struct chart_def *def, enum panel_filter p)
{
	double m = NAN;
	for (size_t i = 0; i < r->n_subjects; i++) {
		const struct bench_subject *s = &r->subjects[i];
		if (is_skipped(s) || !in_panel(s, p))
			continue;
		if (!def->metrics) {
			m = fmax_finite(m, stacked_total(s));
			continue;
		}
		for (size_t k = 0; k < def->n_metrics; k++)
			m = fmax_finite(
			    m, stats_reach(&s->stats[def->metrics[k]]));
	}
	return m;
}

static size_t panel_count(const struct bench_result *r, enum panel_filter p)
{
	size_t n = 0;
	for (size_t i = 0; i < r->n_subjects; i++)
		n += in_panel(&r->subjects[i], p);
	return n;
}

/* A panel: optional heading, one group of rows per subject, the axis. */
static double draw_panel(FILE *f, const struct bench_result *r,
			 const struct chart_def *def, enum panel_filter p,
			 double y)
{
	static const char *const headings[] = {
	    [PANEL_CONTAINERS] = "Containers (share the host kernel)",
	    [PANEL_VMS] = "Virtual machines (boot their own kernel)"};
	if (panel_count(r, p) == 0)
		return y;
	double max = panel_data_max(r, def, p);
	bool bytes = !def->metrics || is_bytes(def->metrics[0]);
	struct axis ax = bytes ? bytes_axis(max) : time_axis(max);
	ax.x1 = def->metrics ? PLOT_X1 : STACK_X1;
	if (p != PANEL_ALL) {
		/* Panels have their own scales: say so, or equal bars for 40
		 * ms and 10 s would read as equal times. */
		char scale[32];
		tick_label(scale, sizeof(scale), &ax, ax.max);
		fprintf(
		    f,
		    "<text x=\"%d\" y=\"%.1f\" font-size=\"17\" "
		    "font-weight=\"bold\" fill=\"%s\">%s<tspan "
		    "font-weight=\"normal\" fill=\"%s\"> \xE2\x80\x94 scale "
		    "0 to %s</tspan></text>\n",
		    NAME_X, y + 18, INK, headings[p], MUTED, scale);
		y += 28;
	}

	/* Grid first (under the bars): draw the rows into a buffer to learn
	 * the panel's height. */
	char *rows = NULL;
	size_t rows_len = 0;
	cleanup_fclose FILE *rf = open_memstream(&rows, &rows_len);
	if (!rf)
		return NAN; /* poisons every later y: render() fails */
	double top = y, ry = y + 4;
	bool first = true;
	for (size_t i = 0; i < r->n_subjects; i++) {
		const struct bench_subject *s = &r->subjects[i];
		if (!in_panel(s, p))
			continue;
		if (!first)
			fprintf(
			    rf,
			    "<line x1=\"8\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" "
			    "stroke=\"%s\"/>\n",
			    ry - GROUP_PAD / 2, WIDTH - 8, ry - GROUP_PAD / 2,
			    GRID);
		first = false;
		ry += def->metrics ? draw_subject_rows(rf, s, def, &ax, ry)
				   : draw_stacked_row(rf, s, &ax, ry);
		ry += GROUP_PAD;
	}
	if (fclose(rf) != 0) {
		rf = NULL;
		free(rows);
		return NAN;
	}
	rf = NULL;
	draw_axis(f, &ax, top, ry);
	fwrite(rows, 1, rows_len, f);
	free(rows);
	return ry + AXIS_H;
}

/* A legend entry: a swatch (or a marker) and its text; returns the next x. */
static double legend_swatch(FILE *f, double x, double y, const char *fill,
			    const char *text)
{
	fprintf(f,
		"<rect x=\"%.1f\" y=\"%.1f\" width=\"18\" height=\"14\" "
		"fill=\"%s\" stroke=\"%s\" rx=\"2\"/>\n",
		x, y - 12, fill, strcmp(fill, SKIP_BG) == 0 ? SKIP_INK : fill);
	fprintf(f,
		"<text x=\"%.1f\" y=\"%.1f\" font-size=\"14\" "
		"fill=\"%s\">%s</text>\n",
		x + 24, y, INK, text);
	return x + 24 + strlen(text) * 7.8 + 22;
}

static double draw_legend(FILE *f, const struct chart_def *def, double y)
{
	double x = NAME_X;
	x = legend_swatch(f, x, y, kind_color(BENCH_MODE, 0), "vmctl mode");
	x = legend_swatch(f, x, y, kind_color(BENCH_PEER, 0), "peer runtime");
	x = legend_swatch(f, x, y, SKIP_BG, "skipped");
	if (!def->metrics) {
		y += 24;
		legend_swatch(f, NAME_X, y, kind_color(BENCH_MODE, 0),
			      "dark: the workload (guest RAM of a VM, memory "
			      "peak of a container)");
		y += 24;
		legend_swatch(f, NAME_X, y, kind_color(BENCH_MODE, 2),
			      "light: the runtime's own overhead");
		return y + 16;
	}
	/* How to read a row: bar, p95 tick, min-max whisker. */
	double mid = y - 5;
	fprintf(f,
		"<rect x=\"%.1f\" y=\"%.1f\" width=\"34\" height=\"12\" "
		"fill=\"%s\"/>"
		"<rect x=\"%.1f\" y=\"%.1f\" width=\"3\" height=\"18\" "
		"fill=\"%s\"/>"
		"<path d=\"M%.1f %.1fV%.1fM%.1f %.1fH%.1fM%.1f %.1fV%.1f\" "
		"stroke=\"%s\" stroke-width=\"1.5\"/>\n",
		x, mid - 6, MUTED, x + 40, mid - 9, INK, x + 20, mid - 5,
		mid + 5, x + 20, mid, x + 52, x + 52, mid - 5, mid + 5, INK);
	fprintf(f,
		"<text x=\"%.1f\" y=\"%.1f\" font-size=\"14\" fill=\"%s\">"
		"bar: median  \xE2\x80\x94  tick: p95  \xE2\x80\x94  whisker: "
		"min\xE2\x80\x93max</text>\n",
		x + 62, y, INK);
	return y + 16;
}

static const struct chart_def *chart_def(enum bench_chart c)
{
	static const struct chart_def defs[BENCH_CHART_COUNT] = {
	    [BENCH_CHART_TIME] = {"Time: startup, total and wall", time_metrics,
				  3, true},
	    [BENCH_CHART_MEMORY] = {"Memory: peak and overhead", memory_metrics,
				    2, false},
	    [BENCH_CHART_STACKED] = {"Memory cost of one instance: workload + "
				     "overhead",
				     NULL, 0, false},
	};
	return (unsigned)c < BENCH_CHART_COUNT ? &defs[c] : NULL;
}

/* Writes one chart's content starting at y; returns the y below it. */
static double draw_chart(FILE *f, const struct bench_result *r,
			 enum bench_chart c, double y)
{
	const struct chart_def *def = chart_def(c);
	fprintf(f,
		"<g class=\"chart\"><text x=\"%d\" y=\"%.1f\" font-size=\"21\" "
		"font-weight=\"bold\" fill=\"%s\">%s</text>\n",
		NAME_X, y + 22, INK, def->title);
	y = draw_legend(f, def, y + 52) + 12;
	if (r->n_subjects == 0) {
		fprintf(
		    f,
		    "<text x=\"%d\" y=\"%.1f\" font-size=\"16\" fill=\"%s\" "
		    "class=\"empty\">No subject was measured.</text>\n",
		    NAME_X, y + 20, MUTED);
		y += 36;
	} else if (def->split_vm) {
		y = draw_panel(f, r, def, PANEL_CONTAINERS, y);
		y = draw_panel(f, r, def, PANEL_VMS, y);
	} else {
		y = draw_panel(f, r, def, PANEL_ALL, y);
	}
	fputs("</g>\n", f);
	return y;
}

/* ---- documents ---------------------------------------------------------- */

/* Finishes a memstream and hands its buffer over, or fails with ENOMEM. */
static char *finish(FILE *f, char **buf, bool failed, struct vmctl_err *err)
{
	bool bad = ferror(f) || failed;
	if (fclose(f) != 0)
		bad = true;
	if (bad) {
		free(*buf);
		*buf = NULL;
		vmctl_error(err, ENOMEM, "building the bench charts");
		return NULL;
	}
	return *buf;
}

static void svg_open(FILE *f, double height, const char *label)
{
	fprintf(f,
		"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
		"height=\"%.0f\" viewBox=\"0 0 %d %.0f\" role=\"img\" "
		"font-family=\"DejaVu Sans, Liberation Sans, Arial, Helvetica, "
		"sans-serif\">\n<title>%s</title>\n"
		"<rect width=\"100%%\" height=\"100%%\" fill=\"#ffffff\"/>\n",
		WIDTH, height, WIDTH, height, label);
}

/* The document's heading: image, command, how it was measured. */
static double draw_title(FILE *f, const struct bench_result *r)
{
	char cmd[400];
	bench_command_line(cmd, sizeof(cmd), r->argv);
	fprintf(f,
		"<text x=\"%d\" y=\"34\" font-size=\"26\" font-weight=\"bold\" "
		"fill=\"%s\">vmctl bench: ",
		NAME_X, INK);
	bench_escape_cut(f, r->image, sizeof(r->image), 60);
	fprintf(f,
		"</text>\n<text x=\"%d\" y=\"62\" font-size=\"17\" "
		"fill=\"%s\" font-family=\"DejaVu Sans Mono, Liberation Mono, "
		"monospace\">$ ",
		NAME_X, INK);
	bench_escape_cut(f, cmd, sizeof(cmd), 90);
	fprintf(
	    f,
	    "</text>\n<text x=\"%d\" y=\"86\" font-size=\"14\" "
	    "fill=\"%s\">%u measured runs per subject after %u warm-up runs",
	    NAME_X, MUTED, r->runs, r->warmup);
	if (r->concurrency > 1)
		fprintf(f, ", %u started at once", r->concurrency);
	if (r->baseline[0]) {
		fputs(" \xC2\xB7 baseline: ", f);
		bench_escape_cut(f, r->baseline, sizeof(r->baseline),
				 NAME_CHARS);
	}
	if (r->machine.date[0]) {
		fputs(" \xC2\xB7 ", f);
		bench_escape(f, r->machine.date, sizeof(r->machine.date));
	}
	fputs("</text>\n", f);
	return 96;
}

/* Draws into a scratch buffer first: the height goes in the header. */
static char *render(const struct bench_result *r, bool with_title,
		    enum bench_chart only, struct vmctl_err *err)
{
	if (!r) {
		vmctl_errorf(err, EINVAL, "bench charts: no result");
		return NULL;
	}
	char *body = NULL, *doc = NULL;
	size_t body_len = 0, doc_len = 0;
	FILE *bf = open_memstream(&body, &body_len);
	if (!bf) {
		vmctl_error(err, errno, "building the bench charts");
		return NULL;
	}
	double y = 0;
	if (with_title)
		y = draw_title(bf, r);
	for (int c = 0; c < BENCH_CHART_COUNT; c++)
		if (only == BENCH_CHART_COUNT || (int)only == c)
			y = draw_chart(bf, r, c, y + 8) + 8;
	cleanup_free char *b = finish(bf, &body, !isfinite(y), err);
	if (!b)
		return NULL;
	FILE *df = open_memstream(&doc, &doc_len);
	if (!df) {
		vmctl_error(err, errno, "building the bench charts");
		return NULL;
	}
	svg_open(df, y + 8,
		 with_title ? "vmctl bench" : chart_def(only)->title);
	fputs(b, df);
	fputs("</svg>\n", df);
	return finish(df, &doc, false, err);
}

char *bench_svg(const struct bench_result *r, struct vmctl_err *err)
{
	return render(r, true, BENCH_CHART_COUNT, err);
}

char *bench_svg_chart(const struct bench_result *r, enum bench_chart c,
		      struct vmctl_err *err)
{
	if ((unsigned)c >= BENCH_CHART_COUNT) {
		vmctl_errorf(err, EINVAL, "bench charts: no chart number %d",
			     (int)c);
		return NULL;
	}
	return render(r, false, c, err);
}
