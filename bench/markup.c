/* markup.c - escaping and number formatting shared by the SVG and HTML
 * writers of `vmctl bench`. */
#include "bench/charts.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static const char replacement_char[] = "\xEF\xBF\xBD"; /* U+FFFD */

/* Length of the valid UTF-8 sequence at s (at most avail bytes), 0 when the
 * bytes there are not one (overlong forms, surrogates, > U+10FFFF). */
static size_t utf8_seq_len(const unsigned char *s, size_t avail)
{
	size_t len;
	uint32_t cp;
	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xC2 && s[0] <= 0xDF) {
		len = 2;
		cp = s[0] & 0x1F;
	} else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
		len = 3;
		cp = s[0] & 0x0F;
	} else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
		len = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	if (len > avail)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3F);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
		return 0;
	/* U+FFFE and U+FFFF are not XML characters. */
	if (cp == 0xFFFE || cp == 0xFFFF)
		return 0;
	return len;
}

static void escape_ascii(FILE *out, unsigned char c)
{
	switch (c) {
	case '&':
		fputs("&amp;", out);
		break;
	case '<':
		fputs("&lt;", out);
		break;
	case '>':
		fputs("&gt;", out);
		break;
	case '"':
		fputs("&quot;", out);
		break;
	case '\'':
		fputs("&#39;", out);
		break;
	default:
		/* XML 1.0 has no place for most control characters; a
		 * newline inside a one-line label would only confuse. */
		fputc(c < 0x20 || c == 0x7F ? ' ' : c, out);
	}
}

void bench_escape_cut(FILE *out, const char *s, size_t max, size_t max_chars)
{
	if (!s)
		return;
	const unsigned char *p = (const unsigned char *)s;
	size_t len = strnlen(s, max), chars = 0;
	for (size_t i = 0; i < len; chars++) {
		if (chars == max_chars) {
			fputs("\xE2\x80\xA6", out); /* … */
			return;
		}
		size_t n = utf8_seq_len(p + i, len - i);
		if (n == 0) {
			fputs(replacement_char, out);
			i++;
		} else if (n == 1) {
			escape_ascii(out, p[i]);
			i++;
		} else {
			fwrite(p + i, 1, n, out);
			i += n;
		}
	}
}

void bench_escape(FILE *out, const char *s, size_t max)
{
	bench_escape_cut(out, s, max, SIZE_MAX);
}

/* Three significant digits at most, without exponent notation. */
static void fmt_sig(char *buf, size_t n, double v, const char *unit)
{
	double a = fabs(v);
	if (a >= 100 || a == 0)
		snprintf(buf, n, "%.0f %s", v, unit);
	else if (a >= 10)
		snprintf(buf, n, "%.1f %s", v, unit);
	else
		snprintf(buf, n, "%.2f %s", v, unit);
}

void bench_fmt_ms(char *buf, size_t n, double ms)
{
	if (!isfinite(ms))
		snprintf(buf, n, "n/a");
	else if (fabs(ms) >= 1000)
		fmt_sig(buf, n, ms / 1000, "s");
	else
		fmt_sig(buf, n, ms, "ms");
}

void bench_fmt_bytes(char *buf, size_t n, double bytes)
{
	static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
	if (!isfinite(bytes)) {
		snprintf(buf, n, "n/a");
		return;
	}
	size_t u = 0;
	while (fabs(bytes) >= 1024 && u + 1 < sizeof(units) / sizeof(*units)) {
		bytes /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(buf, n, "%.0f B", bytes);
	else
		fmt_sig(buf, n, bytes, units[u]);
}

void bench_fmt_ratio(char *buf, size_t n, double ratio)
{
	if (!isfinite(ratio)) {
		snprintf(buf, n, "n/a");
		return;
	}
	char num[32];
	fmt_sig(num, sizeof(num), ratio, "");
	num[strcspn(num, " ")] = '\0';
	snprintf(buf, n, "\xC3\x97%s", num); /* × */
}

static bool metric_is_bytes(enum bench_metric m)
{
	return m == METRIC_PEAK_BYTES || m == METRIC_OVERHEAD_BYTES ||
	       m == METRIC_GUEST_BYTES;
}

void bench_fmt_metric(char *buf, size_t n, enum bench_metric m, double v)
{
	if (metric_is_bytes(m))
		bench_fmt_bytes(buf, n, v);
	else
		bench_fmt_ms(buf, n, v);
}

const char *bench_metric_label(enum bench_metric m)
{
	static const char *const labels[METRIC_COUNT] = {
	    [METRIC_STARTUP_MS] = "startup",
	    [METRIC_TOTAL_MS] = "total",
	    [METRIC_WALL_MS] = "wall",
	    [METRIC_PEAK_BYTES] = "peak",
	    [METRIC_OVERHEAD_BYTES] = "overhead",
	    [METRIC_GUEST_BYTES] = "guest RAM",
	};
	if ((unsigned)m >= METRIC_COUNT)
		return "?";
	return labels[m];
}

static bool needs_quotes(const char *a)
{
	return *a == '\0' || strpbrk(a, " \t\"'\\$`") != NULL;
}

/* Appends s to buf (length *len, capacity n); false once it no longer fits. */
static bool append(char *buf, size_t n, size_t *len, const char *s)
{
	size_t l = strlen(s);
	if (*len + l >= n)
		return false;
	memcpy(buf + *len, s, l + 1);
	*len += l;
	return true;
}

/* Cuts a truncated line back to a character boundary and marks the cut. */
static void mark_cut(char *buf, size_t n, size_t len)
{
	static const char ellipsis[] = "\xE2\x80\xA6";
	if (n < sizeof(ellipsis))
		return;
	size_t end = len < n - sizeof(ellipsis) ? len : n - sizeof(ellipsis);
	while (end > 0 && ((unsigned char)buf[end] & 0xC0) == 0x80)
		end--;
	memcpy(buf + end, ellipsis, sizeof(ellipsis));
}

void bench_command_line(char *buf, size_t n, char *const *argv)
{
	if (n == 0)
		return;
	buf[0] = '\0';
	if (!argv || !argv[0]) {
		snprintf(buf, n, "(no command)");
		return;
	}
	size_t len = 0;
	for (char *const *a = argv; *a; a++) {
		bool ok = (a == argv || append(buf, n, &len, " "));
		bool quote = needs_quotes(*a);
		ok = ok && (!quote || append(buf, n, &len, "'"));
		ok = ok && append(buf, n, &len, *a);
		ok = ok && (!quote || append(buf, n, &len, "'"));
		if (!ok) {
			/* append() stopped short: keep what fits, mark it. */
			size_t room = n - 1 - len;
			strncat(buf + len, *a, room);
			mark_cut(buf, n, strlen(buf));
			return;
		}
	}
}
