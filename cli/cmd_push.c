/* cmd_push.c - `vmctl push [OPTIONS] [HOST[:PORT]/]REPO[:TAG]`. */
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "common/util.h"
#include "registry_flags.h"

int cmd_push(int argc, char **argv)
{
	struct registry_cli rc;
	const char *name;
	if (registry_cli_parse("push", argc, argv, &rc, &name)) {
		registry_cli_done(&rc);
		return EXIT_VMCTL_ERROR;
	}
	struct vmctl_err err = {0};
	struct registry_stats st = {0};
	char digest[80] = "";
	int r = registry_push(vmctl_root(), name, &rc.o, digest, &st, &err);
	registry_cli_done(&rc);
	if (r < 0)
		return cli_fail("push %s: %s", name, err.msg);
	printf("Pushed: %s (%s): %u uploaded, %u mounted, %u already there\n",
	       name, digest, st.transferred, st.mounted, st.existed);
	return 0;
}
