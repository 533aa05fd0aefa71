/* main.c - vmctl's entry point: the command table and dispatch. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "common/util.h"



int main(int argc, char **argv)
{
	/* The report's t0: as early as the process can take it. */
	cli_t0_ns = now_ns();
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
	if (cli_wants_help(cmd, argc - 1, argv + 1))
		return 0;
	return cmd->run(argc - 1, argv + 1);
}
