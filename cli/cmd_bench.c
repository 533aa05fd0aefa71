/* cmd_bench.c - `vmctl bench`: every mode and peer, interleaved, measured. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench/bench.h"
#include "bench/charts.h"
#include "cli.h"
#include "common/util.h"

#define EXIT_INTERRUPTED 130

/* "[#########...........]  12/40  vm" on one line of the terminal. */
static void show_progress(unsigned done, unsigned total, const char *subject,
			  void *ctx)
{
	enum { WIDTH = 30 };
	unsigned fill = total ? done * WIDTH / total : WIDTH;
	char bar[WIDTH + 1];
	memset(bar, '#', fill);
	memset(bar + fill, '.', WIDTH - fill);
	bar[WIDTH] = 0;
	fprintf(stderr, "\r[%s] %u/%u %-10s", bar, done, total, subject);
	fflush(stderr);
}

static void clear_progress(void)
{
	fprintf(stderr, "\r%60s\r", "");
	fflush(stderr);
}

/* Writes a chart file atomically; 0 or EXIT_VMCTL_ERROR. */
static int write_chart(const char *path, const char *what,
		       char *(*make)(const struct bench_result *,
				     struct vmctl_err *),
		       const struct bench_result *r)
{
	struct vmctl_err err = {0};
	char *doc = make(r, &err);
	if (!doc)
		return cli_fail("%s %s: %s", what, path, err.msg);
	int rc = write_file_atomic(path, doc, strlen(doc), 0644);
	free(doc);
	if (rc < 0)
		return cli_fail("writing %s: %s", path, strerror(-rc));
	return 0;
}

static int print_output(const struct bench_result *r, bool json, bool csv)
{
	char *out = json ? bench_json(r) : csv ? bench_csv(r) : bench_table(r);
	if (!out)
		return cli_fail("formatting the result: out of memory");
	fputs(out, stdout);
	if (json)
		fputc('\n', stdout);
	free(out);
	return fflush(stdout) == 0 ? 0 : cli_fail("writing the result failed");
}

int cmd_bench(int argc, char **argv)
{
	struct bench_flags f = {0};
	const char *svg = NULL, *html = NULL;
	bool json = false, csv = false;
	const struct cli_flag flags[] = {
	    CLI_VALUE(NULL, "--runs", &f.runs),
	    CLI_VALUE(NULL, "--warmup", &f.warmup),
	    CLI_VALUE(NULL, "--modes", &f.modes),
	    CLI_VALUE(NULL, "--peers", &f.peers),
	    CLI_VALUE(NULL, "--concurrency", &f.concurrency),
	    CLI_VALUE(NULL, "--baseline", &f.baseline),
	    CLI_VALUE(NULL, "--timeout", &f.timeout),
	    CLI_BOOL(NULL, "--json", &json),
	    CLI_BOOL(NULL, "--csv", &csv),
	    CLI_VALUE(NULL, "--svg", &svg),
	    CLI_VALUE(NULL, "--html", &html),
	    CLI_FLAGS_END};
	int i;
	if (cli_scan_flags("bench", argc, argv, flags, &i))
		return EXIT_VMCTL_ERROR;
	if (json && csv)
		return cli_fail("bench: --json and --csv both write to stdout: "
				"choose one");
	struct bench_opts o;
	struct vmctl_err err = {0};
	if (bench_opts_parse(&f, i < argc ? argv[i] : NULL,
			     i < argc ? argv + i + 1 : NULL, &o, &err) < 0)
		return cli_fail("bench %s", err.msg);

	bool tty = isatty(STDERR_FILENO);
	struct bench_result r;
	int rc = bench_run(vmctl_root(), &o, tty ? show_progress : NULL, NULL,
			   &r, &err);
	if (tty)
		clear_progress();
	if (rc == -EINTR) {
		bench_result_free(&r);
		fprintf(stderr, "vmctl: bench interrupted\n");
		return EXIT_INTERRUPTED;
	}
	if (rc < 0) {
		bench_result_free(&r);
		return cli_fail("bench: %s", err.msg);
	}
	rc = print_output(&r, json, csv);
	if (rc == 0 && svg)
		rc = write_chart(svg, "--svg", bench_svg, &r);
	if (rc == 0 && html)
		rc = write_chart(html, "--html", bench_html, &r);
	bench_result_free(&r);
	return rc;
}
