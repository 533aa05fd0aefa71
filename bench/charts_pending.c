/* charts_pending.c - placeholder until the SVG/HTML writers are merged (the
 * integrator deletes this file and takes bench/svg.c + bench/html.c). */
#include <errno.h>
#include <stddef.h>

#include "charts.h"

char *bench_svg(const struct bench_result *r, struct vmctl_err *err)
{
	vmctl_errorf(err, ENOSYS, "charts are not built yet");
	return NULL;
}

char *bench_html(const struct bench_result *r, struct vmctl_err *err)
{
	vmctl_errorf(err, ENOSYS, "charts are not built yet");
	return NULL;
}
