/* cmd_diff.c - `vmctl diff RUN`: what a run's writable layer added (A),
 * changed (C) and deleted (D), one path a line, as `docker diff`. */
#include <stdio.h>

#include "cli.h"
#include "common/util.h"
#include "images/commit.h"

int cmd_diff(int argc, char **argv)
{
	int first;
	if (cli_scan_flags("diff", argc, argv, NULL, &first))
		return EXIT_VMCTL_ERROR;
	if (argc - first != 1)
		return cli_fail("\"vmctl diff\" requires exactly 1 argument: "
				"vmctl diff NAME|ID");
	struct vmctl_err err = {0};
	struct layer_changes ch;
	if (run_diff(vmctl_root(), argv[first], &ch, &err) < 0)
		return cli_fail("%s", err.msg);
	for (size_t i = 0; i < ch.n; i++)
		printf("%c %s\n", ch.v[i].kind, ch.v[i].path);
	layer_changes_free(&ch);
	return 0;
}
