/* bench_fixture - writes the HTML page and the SVG charts of a hand-built
 * `vmctl bench` result, for tests that look at them from outside (the
 * headless browser test, tests/integration/bench_html.sh).
 *
 *   bench_fixture [--hostile|--empty] PAGE.html CHARTS.svg
 */
#include <stdio.h>
#include <string.h>

#include "bench/charts.h"
#include "common/cleanup.h"
#include "common/util.h"
#include "tests/unit/bench_fixture.h"

static int write_out(const char *path, const char *text, const char *what)
{
	int rc = write_file(path, text, strlen(text), 0644);
	if (rc < 0)
		fprintf(stderr, "bench_fixture: writing %s %s: %s\n", what,
			path, strerror(-rc));
	return rc;
}

int main(int argc, char **argv)
{
	int hostile = 0, empty = 0, a = 1;
	if (a < argc && strcmp(argv[a], "--hostile") == 0)
		hostile = 1, a++;
	else if (a < argc && strcmp(argv[a], "--empty") == 0)
		empty = 1, a++;
	if (argc - a != 2) {
		fprintf(stderr, "usage: bench_fixture [--hostile|--empty] "
				"PAGE.html CHARTS.svg\n");
		return 2;
	}
	struct bench_result *r = fixture_result(hostile);
	if (!r || !r->subjects) {
		fprintf(stderr, "bench_fixture: out of memory\n");
		return 1;
	}
	size_t n_subjects = r->n_subjects;
	if (empty)
		r->n_subjects = 0;
	struct vmctl_err err = {0};
	cleanup_free char *html = bench_html(r, &err);
	cleanup_free char *svg = html ? bench_svg(r, &err) : NULL;
	r->n_subjects = n_subjects;
	fixture_free(r);
	if (!html || !svg) {
		fprintf(stderr, "bench_fixture: %s\n", err.msg);
		return 1;
	}
	if (write_out(argv[a], html, "page") < 0 ||
	    write_out(argv[a + 1], svg, "charts") < 0)
		return 1;
	return 0;
}
