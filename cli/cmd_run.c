/* cmd_run.c - `vmctl run`: flags to a spec, the runner, the report. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "args.h"
#include "cli.h"
#include "common/dl.h"
#include "common/report.h"
#include "common/runner.h"
#include "common/util.h"

/* One write(2) for the line and its newline: stderr is unbuffered, and
 * printf would make it two, on the measured path. */
static void print_line(const char *line)
{
	struct iovec v[2] = {{(void *)line, strlen(line)}, {"\n", 1}};
	if (writev(STDERR_FILENO, v, 2) < 0) {
		/* nowhere left to say it */
	}
}

static void print_report(const struct run_spec *spec, const struct run_result *res)
{
	if (spec->report == REPORT_TEXT) {
		char line[512];
		if (report_format_text(spec->mode, res, line, sizeof(line)) == 0)
			print_line(line);
	} else if (spec->report == REPORT_JSON) {
		char *json = report_format_json(spec->mode, res);
		if (json)
			print_line(json);
		free(json);
	}
}

int cmd_run(int argc, char **argv)
{
	struct run_spec spec;
	struct vmctl_err err = {0};
	if (parse_run_args(argc, argv, &spec, &err) < 0)
		return cli_fail("%s", err.msg);
	/* The monitor's side loads libcrypto (the kernel's and the initramfs'
	 * keys): the static bin/vmctl hands VM runs to vmctl-full. */
	if (CLI_STATIC && spec.mode == MODE_VM) {
		run_spec_free(&spec);
		return cli_exec_full();
	}
	/* The first VM run builds the guest kernel (minutes, once); the
	 * report's clock starts after it, as a later run's would. */
	if (spec.mode == MODE_VM && !spec.kernel) {
		if (cli_ensure_kernel() != 0) {
			run_spec_free(&spec);
			return EXIT_VMCTL_ERROR;
		}
		cli_t0_ns = now_ns();
	}
	struct run_result res;
	char id[65] = "";
	/* Our own output must not interleave out of order with the workload's. */
	fflush(stdout);
	int r = runner_run(vmctl_root(), &spec, cli_t0_ns, &res, id, &err);
	/* A library was needed (an image whose layer directory is gone is
	 * unpacked again, with libarchive): that happens while the run is
	 * planned, before anything is made, so vmctl-full can start over. */
	if (CLI_STATIC && r < 0 && dl_refused()) {
		run_spec_free(&spec);
		return cli_exec_full();
	}
	int code = res.exit_code;
	if (r < 0) {
		cli_fail("%s", err.msg);
		if (code == 0)
			code = EXIT_VMCTL_ERROR;
	} else if (spec.detach) {
		printf("%s\n", id);
	} else {
		/* The workload ran, but vmctl may still have something to say
		 * (the command was not found, the timeout fired). */
		if (err.code)
			cli_fail("%s", err.msg);
		print_report(&spec, &res);
	}
	run_spec_free(&spec);
	return code;
}
