/* charts.h - vmctl bench's SVG charts and HTML report (pure writers). */
#ifndef VMCTL_BENCH_CHARTS_H
#define VMCTL_BENCH_CHARTS_H

#include "bench.h"

char *bench_svg(const struct bench_result *r,
		struct vmctl_err *err); /* whole SVG document */
char *bench_html(const struct bench_result *r,
		 struct vmctl_err *err); /* whole HTML page */

#endif
