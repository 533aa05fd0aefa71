/* cmd_pull.c - `vmctl pull [OPTIONS] [HOST[:PORT]/]REPO[:TAG|@DIGEST]`. */
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "common/util.h"
#include "registry_flags.h"

int cmd_pull(int argc, char **argv)
{
	struct registry_cli rc;
	const char *name;
	if (registry_cli_parse("pull", argc, argv, &rc, &name)) {
		registry_cli_done(&rc);
		return EXIT_VMCTL_ERROR;
	}
	struct vmctl_err err = {0};
	char id[80] = "";
	int r = registry_pull(vmctl_root(), name, &rc.o, id, NULL, &err);
	registry_cli_done(&rc);
	if (r < 0)
		return cli_fail("pull %s: %s", name, err.msg);
	printf("Pulled: %s (%s)\n", name, id);
	return 0;
}
