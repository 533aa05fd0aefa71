/* main.c - vmctl's entry point: the command table and dispatch. */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "common/util.h"

char **cli_argv;

/* The report's t0 travels from bin/vmctl to vmctl-full in the environment,
 * so that a handed-over run is timed from its real start; the variable is
 * consumed here and never reaches a workload. */
#define T0_ENV "VMCTL_T0_NS"

static void take_t0(void)
{
	cli_t0_ns = now_ns();
	const char *t0 = getenv(T0_ENV);
	if (!t0)
		return;
	char *end;
	errno = 0;
	long long v = strtoll(t0, &end, 10);
	/* Only a moment of the past second: anything else is not ours. */
	if (!errno && !*end && v > 0 && v <= cli_t0_ns && cli_t0_ns - v < 1000000000LL)
		cli_t0_ns = v;
	unsetenv(T0_ENV);
}

int cli_exec_full(void)
{
	char path[PATH_MAX], t0[32];
	int r = vmctl_data_path("bin/vmctl-full", path, sizeof(path));
	if (r < 0)
		return cli_fail("vmctl-full is missing next to vmctl: run `make` (or make install)");
	snprintf(t0, sizeof(t0), "%" PRId64, cli_t0_ns);
	if (setenv(T0_ENV, t0, 1) < 0)
		return cli_fail("setenv: %s", strerror(errno));
	execv(path, cli_argv);
	return cli_fail("cannot run %s: %s", path, strerror(errno));
}

int main(int argc, char **argv)
{
	/* The report's t0: as early as the process can take it. */
	take_t0();
	cli_argv = argv;
	if (argc < 2)
		return cmd_help(argc, argv) == 0 ? EXIT_VMCTL_ERROR : EXIT_VMCTL_ERROR;
	const char *name = argv[1];
	if (!strcmp(name, "--help") || !strcmp(name, "-h"))
		return cmd_help(argc - 1, argv + 1);
	if (!strcmp(name, "--version") || !strcmp(name, "-v"))
		return cmd_version(argc - 1, argv + 1);
	const struct command *cmd = command_find(name);
	if (!cmd)
		return cli_fail("'%s' is not a vmctl command (see `vmctl help`)", name);
	if (CLI_STATIC && cmd->needs_libs)
		return cli_exec_full();
	if (cli_wants_help(cmd, argc - 1, argv + 1))
		return 0;
	return cmd->run(argc - 1, argv + 1);
}
