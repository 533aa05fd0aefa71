/* cmd_rm.c - `vmctl rm [-f]`: remove runs with their layer, cgroup and state. */
#include <stdio.h>

#include "cli.h"
#include "common/runner.h"
#include "common/util.h"

int cmd_rm(int argc, char **argv)
{
	bool force = false;
	const struct cli_flag flags[] = {CLI_BOOL("-f", "--force", &force), CLI_FLAGS_END};
	int first;
	if (cli_scan_flags("rm", argc, argv, flags, &first))
		return EXIT_VMCTL_ERROR;
	if (first >= argc)
		return cli_fail("\"vmctl rm\" requires at least 1 argument: vmctl rm [-f] NAME|ID...");
	runner_reap_stale(vmctl_root());
	int status = 0;
	for (int i = first; i < argc; i++) {
		struct vmctl_err err = {0};
		if (runner_remove(vmctl_root(), argv[i], force, &err) < 0)
			status = cli_fail("%s", err.msg);
		else
			printf("%s\n", argv[i]);
	}
	return status ? 1 : 0;
}
