/* cmd_pull.c - `vmctl pull [--insecure] [HOST[:PORT]/]REPO[:TAG|@DIGEST]`. */
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "common/util.h"
#include "images/registry_client.h"

int cmd_pull(int argc, char **argv)
{
	bool insecure = false;
	const struct cli_flag flags[] = {CLI_BOOL(NULL, "--insecure", &insecure), CLI_FLAGS_END};
	int first;
	if (cli_scan_flags("pull", argc, argv, flags, &first))
		return EXIT_VMCTL_ERROR;
	if (argc - first != 1)
		return cli_fail("\"vmctl pull\" requires exactly 1 argument: "
				"vmctl pull [--insecure] NAME[:TAG|@DIGEST]");
	struct registry_opts o = {
	    .insecure = insecure,
	    .user = getenv("VMCTL_REGISTRY_USER"),
	    .password = getenv("VMCTL_REGISTRY_PASSWORD"),
	};
	struct vmctl_err err = {0};
	char id[80] = "";
	if (registry_pull(vmctl_root(), argv[first], &o, id, &err) < 0)
		return cli_fail("pull %s: %s", argv[first], err.msg);
	printf("Pulled: %s (%s)\n", argv[first], id);
	return 0;
}
