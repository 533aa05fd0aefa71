/* Unit tests: the SVG charts and the HTML page of `vmctl bench`
 * (bench/svg.c, bench/html.c, bench/markup.c), on hand-built results. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bench/charts.h"
#include "tests/unit/bench_fixture.h"

/* ---- a small markup checker --------------------------------------------- */

static const char *const svg_tags[] = {"svg",  "title", "rect", "text", "tspan",
				       "line", "path",	"g",	NULL};
static const char *const html_tags[] = {
    "html",  "head",  "meta",  "title", "style",  "body", "header", "h1",
    "h2",    "p",     "b",     "i",	"ul",	  "li",	  "span",   "section",
    "table", "thead", "tbody", "tr",	"th",	  "td",	  "small",  "figure",
    "code",  "dl",    "dt",    "dd",	"footer", "svg",  "rect",   "text",
    "tspan", "line",  "path",  "g",	NULL};

static bool in_list(const char *name, size_t len, const char *const *list)
{
	for (; *list; list++)
		if (strlen(*list) == len && strncmp(*list, name, len) == 0)
			return true;
	return false;
}

static size_t name_len(const char *s)
{
	size_t n = 0;
	while ((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= '0' && s[n] <= '9') ||
	       s[n] == '-')
		n++;
	return n;
}

static char problem[256];

static const char *fail_at(const char *doc, const char *p, const char *what)
{
	snprintf(problem, sizeof(problem), "%s at offset %td: \"%.60s\"", what,
		 p - doc, p);
	return problem;
}

/* An entity: &name; or &#digits; ; returns its length, 0 if not one. */
static size_t entity_len(const char *p)
{
	size_t n = 1;
	if (p[n] == '#') {
		n++;
		while (p[n] >= '0' && p[n] <= '9')
			n++;
	} else {
		while ((p[n] >= 'a' && p[n] <= 'z') ||
		       (p[n] >= 'A' && p[n] <= 'Z'))
			n++;
	}
	return n > 2 && p[n] == ';' ? n + 1 : 0;
}

/* Attributes up to '>' or "/>": name="value", values without '<' and with
 * '&' only in entities.  Returns the position after the tag or NULL. */
static const char *skip_attributes(const char *p, bool *self_closing)
{
	for (;;) {
		while (*p == ' ' || *p == '\n')
			p++;
		if (p[0] == '/' && p[1] == '>') {
			*self_closing = true;
			return p + 2;
		}
		if (*p == '>') {
			*self_closing = false;
			return p + 1;
		}
		size_t n = 0;
		while (isalnum((unsigned char)p[n]) || p[n] == '-' ||
		       p[n] == ':')
			n++;
		if (n == 0 || p[n] != '=' || p[n + 1] != '"')
			return NULL;
		p += n + 2;
		while (*p && *p != '"') {
			if (*p == '<')
				return NULL;
			if (*p == '&' && entity_len(p) == 0)
				return NULL;
			p++;
		}
		if (*p != '"')
			return NULL;
		p++;
	}
}

/* NULL when doc is well-formed: one root, tags balanced and all from the
 * known list (so text from a name never became a tag), '<' never raw in
 * text, '&' only in entities, no control characters. */
static const char *check_markup(const char *doc, const char *const *tags,
				bool html)
{
	const char *stack[64];
	size_t lens[64], depth = 0, roots = 0;
	const char *p = doc;
	if (html && strncmp(p, "<!DOCTYPE html>", 15) == 0)
		p += 15;
	while (*p) {
		unsigned char c = (unsigned char)*p;
		if (c == '&') {
			if (entity_len(p) == 0)
				return fail_at(doc, p, "bare &");
			p++;
		} else if (c < 0x20 && c != '\n' && c != '\t') {
			return fail_at(doc, p, "control character");
		} else if (c == '<' && p[1] == '/') {
			size_t n = name_len(p + 2);
			if (depth == 0 || n != lens[depth - 1] ||
			    strncmp(p + 2, stack[depth - 1], n) != 0)
				return fail_at(doc, p,
					       "unbalanced closing tag");
			if (p[2 + n] != '>')
				return fail_at(doc, p, "bad closing tag");
			depth--;
			p += 3 + n;
		} else if (c == '<') {
			size_t n = name_len(p + 1);
			if (n == 0 || !in_list(p + 1, n, tags))
				return fail_at(doc, p, "unknown tag or raw <");
			bool self_closing;
			const char *after =
			    skip_attributes(p + 1 + n, &self_closing);
			if (!after)
				return fail_at(doc, p, "bad attributes");
			bool is_void =
			    html && n == 4 && !strncmp(p + 1, "meta", 4);
			if (!self_closing && !is_void) {
				if (depth == 64)
					return fail_at(doc, p, "too deep");
				if (depth == 0)
					roots++;
				stack[depth] = p + 1;
				lens[depth++] = n;
			}
			p = after;
		} else {
			if (depth == 0 && c != '\n' && c != ' ')
				return fail_at(doc, p, "text outside the root");
			p++;
		}
	}
	if (depth != 0)
		return fail_at(doc, p, "unclosed tags at the end");
	if (roots != 1)
		return fail_at(doc, doc, "not exactly one root element");
	return NULL;
}

#define assert_well_formed(doc, tags, html)                                    \
	do {                                                                   \
		const char *why_ = check_markup((doc), (tags), (html));        \
		if (why_)                                                      \
			fail_msg("%s", why_);                                  \
	} while (0)

/* The checker itself must reject what an unescaped name would produce. */
static void test_checker_rejects_bad_markup(void **state)
{
	static const char *const bad[] = {
	    "<svg><text>crun<b>x</b></text></svg>", /* unknown tag */
	    "<svg><text>a < b</text></svg>",	    /* raw < */
	    "<svg><text>a & b</text></svg>",	    /* bare & */
	    "<svg><g></svg>",			    /* unbalanced */
	    "<svg><text x=\"<\">a</text></svg>",    /* < in an attribute */
	    "<svg/><svg/>",			    /* two roots */
	    "<svg><text>\x01</text></svg>",	    /* control character */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		assert_non_null(check_markup(bad[i], svg_tags, false));
	assert_null(check_markup("<svg a=\"&amp;\"><text>&lt;&#39;</text>"
				 "<rect/></svg>\n",
				 svg_tags, false));
}

/* ---- helpers ------------------------------------------------------------ */

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;
	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

/* printf's spelling of NAN or infinity anywhere as a word. */
static bool has_nan_word(const char *s)
{
	static const char *const words[] = {"nan", "NaN", "inf", NULL};
	for (const char *const *w = words; *w; w++)
		for (const char *p = s; (p = strstr(p, *w)); p++) {
			char before = p > s ? p[-1] : ' ';
			char after = p[strlen(*w)];
			bool letter_before = (before >= 'a' && before <= 'z') ||
					     (before >= 'A' && before <= 'Z');
			bool letter_after = (after >= 'a' && after <= 'z') ||
					    (after >= 'A' && after <= 'Z');
			if (!letter_before && !letter_after)
				return true;
		}
	return false;
}

/* Bars the writers must draw for r: one per finite median of the time and
 * memory charts, one per finite segment of the stacked chart. */
static size_t expected_bars(const struct bench_result *r)
{
	static const enum bench_metric drawn[] = {
	    METRIC_STARTUP_MS, METRIC_TOTAL_MS, METRIC_WALL_MS,
	    METRIC_PEAK_BYTES, METRIC_OVERHEAD_BYTES};
	size_t n = 0;
	for (size_t i = 0; i < r->n_subjects; i++) {
		const struct bench_subject *s = &r->subjects[i];
		if (s->skipped[0])
			continue;
		for (size_t k = 0; k < sizeof(drawn) / sizeof(*drawn); k++)
			n += isfinite(s->stats[drawn[k]].median);
		enum bench_metric w =
		    s->vm ? METRIC_GUEST_BYTES : METRIC_PEAK_BYTES;
		n += isfinite(s->stats[w].median);
		n += isfinite(s->stats[METRIC_OVERHEAD_BYTES].median);
	}
	return n;
}

static char *escaped(const char *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	bench_escape(f, s, SIZE_MAX);
	assert_int_equal(fclose(f), 0);
	return buf;
}

/* ---- the SVG ------------------------------------------------------------ */

static void test_svg_well_formed(void **state)
{
	struct bench_result *r = fixture_result(0);
	struct vmctl_err err = {0};
	char *svg = bench_svg(r, &err);
	assert_non_null(svg);
	assert_true(
	    strncmp(svg, "<svg xmlns=\"http://www.w3.org/2000/svg\"", 39) == 0);
	assert_well_formed(svg, svg_tags, false);
	assert_false(has_nan_word(svg));
	assert_int_equal(count(svg, "class=\"bar\""), expected_bars(r));
	/* The title names the image and the command. */
	assert_non_null(strstr(svg, "busybox:latest"));
	assert_non_null(
	    strstr(svg, "sh -c &#39;echo hello &gt; /dev/null&#39;"));
	free(svg);
	for (int c = 0; c < BENCH_CHART_COUNT; c++) {
		svg = bench_svg_chart(r, c, &err);
		assert_non_null(svg);
		assert_well_formed(svg, svg_tags, false);
		free(svg);
	}
	fixture_free(r);
}

static void test_svg_hostile_names_escaped(void **state)
{
	struct bench_result *r = fixture_result(1);
	struct vmctl_err err = {0};
	char *svg = bench_svg(r, &err);
	assert_non_null(svg);
	assert_well_formed(svg, svg_tags, false);
	assert_null(strstr(svg, "<container>"));
	assert_null(strstr(svg, "<b>"));
	assert_null(strstr(svg, "<script>"));
	assert_null(strstr(svg, "qemu</text>"));
	assert_non_null(strstr(svg, "&lt;container&gt;"));
	assert_non_null(strstr(svg, "crun&lt;b&gt;bold&lt;/b"));
	assert_non_null(strstr(svg, "vm&amp;&quot;evil&quot;"));
	assert_non_null(strstr(svg, "busy&lt;box&gt;&amp;&quot;co&#39;&quot;"));
	assert_int_equal(count(svg, "class=\"bar\""), expected_bars(r));
	free(svg);
	fixture_free(r);
}

static void test_svg_nan_is_na_and_never_drawn(void **state)
{
	struct bench_result *r = fixture_result(0);
	struct vmctl_err err = {0};
	/* crun has no startup, total, overhead or guest figure. */
	char *svg = bench_svg_chart(r, BENCH_CHART_TIME, &err);
	assert_non_null(svg);
	assert_int_equal(count(svg, "class=\"na\">n/a<"), 2);
	assert_null(strstr(svg, "<title>crun startup"));
	assert_non_null(strstr(svg, "<title>crun wall"));
	free(svg);
	svg = bench_svg_chart(r, BENCH_CHART_MEMORY, &err);
	assert_int_equal(count(svg, "class=\"na\">n/a<"), 1);
	assert_null(strstr(svg, "<title>crun overhead"));
	free(svg);
	svg = bench_svg_chart(r, BENCH_CHART_STACKED, &err);
	char peak[32], want[64];
	bench_fmt_bytes(peak, sizeof(peak),
			r->subjects[2].stats[METRIC_PEAK_BYTES].median);
	snprintf(want, sizeof(want), "peak %s + overhead n/a", peak);
	assert_non_null(strstr(svg, want));
	free(svg);

	/* Every figure NAN: no bar at all, every row says n/a. */
	for (int m = 0; m < METRIC_COUNT; m++)
		r->subjects[0].stats[m] =
		    (struct bench_stats){0, NAN, NAN, NAN, NAN, NAN};
	r->n_subjects = 1;
	svg = bench_svg(r, &err);
	assert_non_null(svg);
	assert_well_formed(svg, svg_tags, false);
	assert_int_equal(count(svg, "class=\"bar\""), 0);
	assert_int_equal(count(svg, "class=\"na\">n/a<"), 3 + 2 + 1);
	assert_false(has_nan_word(svg));
	r->n_subjects = 4;
	free(svg);
	fixture_free(r);
}

static void test_svg_skipped_shown_greyed(void **state)
{
	struct bench_result *r = fixture_result(0);
	struct vmctl_err err = {0};
	char *svg = bench_svg(r, &err);
	assert_non_null(svg);
	/* once per chart, and no bar for it */
	assert_int_equal(
	    count(svg, "skipped: qemu-system-x86_64 is not installed"),
	    BENCH_CHART_COUNT);
	assert_null(strstr(svg, "<title>qemu"));
	free(svg);
	fixture_free(r);
}

static void test_svg_split_panels_and_units(void **state)
{
	struct bench_result *r = fixture_result(0);
	struct vmctl_err err = {0};
	char *svg = bench_svg_chart(r, BENCH_CHART_TIME, &err);
	assert_non_null(svg);
	/* Containers in milliseconds, VMs in seconds, each readable. */
	assert_non_null(strstr(svg, "Containers"));
	assert_non_null(strstr(svg, "Virtual machines"));
	assert_non_null(strstr(svg, ">10 ms</text>"));
	assert_non_null(strstr(svg, ">5 s</text>"));
	char med[32], want[48];
	bench_fmt_ms(med, sizeof(med), r->subjects[1].stats[0].median);
	snprintf(want, sizeof(want), ">%s</tspan>", med);
	assert_non_null(strstr(svg, want));
	free(svg);

	/* Containers only: one panel, no VM heading. */
	r->n_subjects = 1;
	svg = bench_svg_chart(r, BENCH_CHART_TIME, &err);
	assert_non_null(strstr(svg, "Containers"));
	assert_null(strstr(svg, "Virtual machines"));
	free(svg);
	r->n_subjects = 4;

	svg = bench_svg_chart(r, BENCH_CHART_MEMORY, &err);
	assert_non_null(strstr(svg, ">10 MiB</text>"));
	free(svg);
	fixture_free(r);
}

/* The <rect> whose tooltip starts with title: its fill attribute. */
static void bar_fill(const char *svg, const char *title, char *out, size_t n)
{
	const char *t = strstr(svg, title);
	assert_non_null(t);
	const char *rect = t;
	while (rect > svg && strncmp(rect, "<rect", 5) != 0)
		rect--;
	const char *fill = strstr(rect, "fill=\"");
	assert_true(fill && fill < t);
	snprintf(out, n, "%.7s", fill + 6);
}

static void test_long_name_cut_in_charts_whole_in_page(void **state)
{
	struct bench_result *r = fixture_result(0);
	struct vmctl_err err = {0};
	/* 31 bytes and no NUL inside the array: the writers stop at its end */
	memset(r->subjects[2].name, 'n', sizeof(r->subjects[2].name));
	char *svg = bench_svg(r, &err), *html = bench_html(r, &err);
	assert_non_null(svg);
	assert_non_null(html);
	assert_well_formed(svg, svg_tags, false);
	assert_well_formed(html, html_tags, true);
	assert_non_null(strstr(svg, ">nnnnnnnnnnnnnnn\xE2\x80\xA6</text>"));
	char whole[40];
	snprintf(whole, sizeof(whole), ">%.32s<", r->subjects[2].name);
	assert_non_null(strstr(html, whole));
	free(svg);
	free(html);
	fixture_free(r);
}

static void test_svg_colors_per_kind(void **state)
{
	struct bench_result *r = fixture_result(0);
	struct vmctl_err err = {0};
	char *svg = bench_svg_chart(r, BENCH_CHART_TIME, &err);
	char a[8], b[8], c[8];
	bar_fill(svg, "<title>container startup", a, sizeof(a));
	bar_fill(svg, "<title>vm startup", b, sizeof(b));
	bar_fill(svg, "<title>crun wall", c, sizeof(c));
	assert_string_equal(a, b); /* both modes */
	bar_fill(svg, "<title>container wall", a, sizeof(a));
	assert_string_not_equal(a, c); /* a mode and a peer */
	free(svg);
	fixture_free(r);
}

static void test_empty_and_bad_results(void **state)
{
	struct bench_result *r = fixture_result(0);
	struct vmctl_err err = {0};
	r->n_subjects = 0;
	char *svg = bench_svg(r, &err);
	assert_non_null(svg);
	assert_well_formed(svg, svg_tags, false);
	assert_int_equal(count(svg, "No subject was measured."),
			 BENCH_CHART_COUNT);
	assert_int_equal(count(svg, "class=\"bar\""), 0);
	free(svg);
	char *html = bench_html(r, &err);
	assert_non_null(html);
	assert_well_formed(html, html_tags, true);
	assert_non_null(strstr(html, "No subject was measured."));
	free(html);
	r->n_subjects = 4;

	assert_null(bench_svg(NULL, &err));
	assert_int_equal(err.code, EINVAL);
	vmctl_error_clear(&err);
	assert_null(bench_html(NULL, &err));
	assert_int_equal(err.code, EINVAL);
	vmctl_error_clear(&err);
	assert_null(bench_svg_chart(r, BENCH_CHART_COUNT, &err));
	assert_int_equal(err.code, EINVAL);
	fixture_free(r);
}

/* ---- the HTML page ------------------------------------------------------ */

static void test_html_page(void **state)
{
	struct bench_result *r = fixture_result(0);
	struct vmctl_err err = {0};
	char *html = bench_html(r, &err);
	assert_non_null(html);
	assert_well_formed(html, html_tags, true);
	assert_false(has_nan_word(html));
	/* Self-contained: no external resource. */
	assert_int_equal(count(html, "http://"),
			 count(html, "http://www.w3.org/2000/svg"));
	assert_null(strstr(html, "https://"));
	assert_null(strstr(html, "<link"));
	assert_null(strstr(html, "<script"));
	/* Three charts inline, one table row per subject in each table. */
	assert_int_equal(count(html, "<svg xmlns="), BENCH_CHART_COUNT);
	assert_int_equal(count(html, "<tr"), 2 * (1 + r->n_subjects));
	assert_int_equal(count(html, "class=\"bar\""), expected_bars(r));
	/* The figures, formatted, with p95, range and ratio. */
	char med[32], p95[32], ratio[32], want[96];
	bench_fmt_ms(med, sizeof(med), r->subjects[0].stats[0].median);
	bench_fmt_ms(p95, sizeof(p95), r->subjects[0].stats[0].p95);
	snprintf(want, sizeof(want), "<b>%s</b><small>p95 %s</small>", med,
		 p95);
	assert_non_null(strstr(html, want));
	bench_fmt_ratio(ratio, sizeof(ratio), r->subjects[1].ratio[0]);
	snprintf(want, sizeof(want), "<small class=\"ratio\">%s</small>",
		 ratio);
	assert_non_null(strstr(html, want));
	/* NAN as n/a; skipped with its reason; versions, how lines, machine. */
	assert_true(count(html, "<span class=\"na\">n/a</span>") >= 4);
	assert_non_null(
	    strstr(html, "skipped: qemu-system-x86_64 is not installed"));
	assert_non_null(strstr(html, "crun version 1.8.1"));
	assert_non_null(
	    strstr(html, "crun run --bundle /tmp/b &lt;&amp;&gt; ctr-1"));
	assert_non_null(strstr(html, "Intel Xeon E5-2690 v4"));
	assert_non_null(strstr(html, "4.00 GiB"));
	assert_non_null(strstr(html, "6.1.115-vmctl"));
	assert_non_null(strstr(html, "0.1-fixture"));
	assert_non_null(strstr(html, "2026-11-28T09:00:00Z"));
	assert_non_null(strstr(html, "<dd>v2</dd>"));
	assert_non_null(strstr(html, "<dd>yes: the host is itself a VM"));
	assert_non_null(strstr(html, "class=\"num failed\">1</td>"));
	free(html);
	fixture_free(r);
}

static void test_html_hostile_escaped(void **state)
{
	struct bench_result *r = fixture_result(1);
	struct vmctl_err err = {0};
	char *html = bench_html(r, &err);
	assert_non_null(html);
	assert_well_formed(html, html_tags, true);
	assert_null(strstr(html, "<script"));
	assert_null(strstr(html, "<container>"));
	assert_null(strstr(html, "crun<b>"));
	assert_null(strstr(html, "<not>"));
	assert_null(strstr(html, "Intel<R>"));
	assert_non_null(strstr(html, "&lt;script&gt;alert(1)&lt;/script&gt;"));
	assert_non_null(
	    strstr(html, "Intel&lt;R&gt; Xeon &amp; &quot;friends&quot;"));
	assert_non_null(strstr(html, "qemu-system-x86_64 &lt;not&gt; &amp; "
				     "&quot;installed&quot;"));
	/* The baseline is matched by name even when the name is markup. */
	assert_non_null(strstr(html, "&lt;container&gt;</span><span "
				     "class=\"tag\">baseline</span>"));
	free(html);
	fixture_free(r);
}

static void test_html_concurrency_columns(void **state)
{
	struct bench_result *r = fixture_result(0);
	struct vmctl_err err = {0};
	r->concurrency = 4;
	r->subjects[0].starts_per_sec = 812.5;
	r->subjects[0].mem_per_instance_bytes = 3 * FIX_MIB;
	char *html = bench_html(r, &err);
	assert_non_null(html);
	assert_well_formed(html, html_tags, true);
	assert_non_null(strstr(html, "starts/s (&times;4)"));
	assert_non_null(strstr(html, "<b>812.5</b>"));
	assert_non_null(strstr(html, "<b>3.00 MiB</b>"));
	assert_non_null(strstr(html, "4 instances started at once"));
	free(html);
	fixture_free(r);
}

/* ---- text helpers ------------------------------------------------------- */

static void test_escape(void **state)
{
	char *e = escaped("a<b>&\"'\x01z");
	assert_string_equal(e, "a&lt;b&gt;&amp;&quot;&#39; z");
	free(e);
	/* Invalid UTF-8 (a lone continuation byte, a cut sequence, an
	 * overlong '<') is replaced, valid UTF-8 kept. */
	e = escaped("\x80x\xC3\xA9y\xE2\x82z\xC0\xBC");
	assert_string_equal(e, "\xEF\xBF\xBDx\xC3\xA9y\xEF\xBF\xBD\xEF\xBF\xBD"
			       "z\xEF\xBF\xBD\xEF\xBF\xBD");
	free(e);

	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	bench_escape_cut(f, "abcdef", SIZE_MAX, 3);
	fputc('|', f);
	bench_escape_cut(f, "abc", SIZE_MAX, 3); /* fits: no ellipsis */
	fputc('|', f);
	char unterminated[4] = {'<', 'a', 'b', 'c'};
	bench_escape(f, unterminated, sizeof(unterminated));
	fclose(f);
	assert_string_equal(buf, "abc\xE2\x80\xA6|abc|&lt;abc");
	free(buf);
}

static void test_number_formats(void **state)
{
	char b[32];
	bench_fmt_ms(b, sizeof(b), 3.4);
	assert_string_equal(b, "3.40 ms");
	bench_fmt_ms(b, sizeof(b), 0.42);
	assert_string_equal(b, "0.42 ms");
	bench_fmt_ms(b, sizeof(b), 123.4);
	assert_string_equal(b, "123 ms");
	bench_fmt_ms(b, sizeof(b), 10150);
	assert_string_equal(b, "10.2 s");
	bench_fmt_ms(b, sizeof(b), NAN);
	assert_string_equal(b, "n/a");
	bench_fmt_bytes(b, sizeof(b), 512);
	assert_string_equal(b, "512 B");
	bench_fmt_bytes(b, sizeof(b), 612 * 1024.0);
	assert_string_equal(b, "612 KiB");
	bench_fmt_bytes(b, sizeof(b), 1.5 * FIX_MIB);
	assert_string_equal(b, "1.50 MiB");
	bench_fmt_bytes(b, sizeof(b), 2 * 1024 * FIX_MIB);
	assert_string_equal(b, "2.00 GiB");
	bench_fmt_bytes(b, sizeof(b), NAN);
	assert_string_equal(b, "n/a");
	bench_fmt_ratio(b, sizeof(b), 2950);
	assert_string_equal(b, "\xC3\x97"
			       "2950");
	bench_fmt_ratio(b, sizeof(b), 0.52);
	assert_string_equal(b, "\xC3\x97"
			       "0.52");
	bench_fmt_ratio(b, sizeof(b), NAN);
	assert_string_equal(b, "n/a");
	assert_string_equal(bench_metric_label(METRIC_GUEST_BYTES),
			    "guest RAM");
	assert_string_equal(bench_metric_label(METRIC_COUNT), "?");
}

static void test_command_line(void **state)
{
	char b[64];
	char *argv[] = {"sh", "-c", "echo hi", "", NULL};
	bench_command_line(b, sizeof(b), argv);
	assert_string_equal(b, "sh -c 'echo hi' ''");
	bench_command_line(b, sizeof(b), NULL);
	assert_string_equal(b, "(no command)");
	char *empty[] = {NULL};
	bench_command_line(b, sizeof(b), empty);
	assert_string_equal(b, "(no command)");
	/* Too long: cut on a character boundary, marked, NUL-terminated. */
	char small[12];
	char *longer[] = {"echo", "h\xC3\xA9h\xC3\xA9h\xC3\xA9", NULL};
	bench_command_line(small, sizeof(small), longer);
	assert_true(strlen(small) < sizeof(small));
	assert_non_null(strstr(small, "\xE2\x80\xA6"));
	assert_int_equal(strncmp(small, "echo h\xC3\xA9", 7), 0);
	char *e = escaped(small);
	assert_null(strstr(e, "\xEF\xBF\xBD")); /* no broken character */
	free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_checker_rejects_bad_markup),
	    cmocka_unit_test(test_svg_well_formed),
	    cmocka_unit_test(test_svg_hostile_names_escaped),
	    cmocka_unit_test(test_svg_nan_is_na_and_never_drawn),
	    cmocka_unit_test(test_svg_skipped_shown_greyed),
	    cmocka_unit_test(test_svg_split_panels_and_units),
	    cmocka_unit_test(test_long_name_cut_in_charts_whole_in_page),
	    cmocka_unit_test(test_svg_colors_per_kind),
	    cmocka_unit_test(test_empty_and_bad_results),
	    cmocka_unit_test(test_html_page),
	    cmocka_unit_test(test_html_hostile_escaped),
	    cmocka_unit_test(test_html_concurrency_columns),
	    cmocka_unit_test(test_escape),
	    cmocka_unit_test(test_number_formats),
	    cmocka_unit_test(test_command_line),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
