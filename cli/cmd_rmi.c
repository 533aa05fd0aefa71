/* cmd_rmi.c - `vmctl rmi [-f] IMAGE...`: untag and delete images. */
#include <stdio.h>

#include "cli.h"
#include "common/util.h"
#include "images/store.h"

int cmd_rmi(int argc, char **argv)
{
	bool force = false;
	const struct cli_flag flags[] = {CLI_BOOL("-f", "--force", &force), CLI_FLAGS_END};
	int first;
	if (cli_scan_flags("rmi", argc, argv, flags, &first))
		return EXIT_VMCTL_ERROR;
	if (first >= argc)
		return cli_fail("\"vmctl rmi\" requires at least 1 argument: "
				"vmctl rmi [-f] IMAGE...");
	int status = 0;
	for (int i = first; i < argc; i++) {
		struct vmctl_err err = {0};
		struct image_rm_result res;
		if (image_remove(vmctl_root(), argv[i], force, &res, &err) <
		    0) {
			status = cli_fail("%s", err.msg);
			continue;
		}
		for (char **p = res.untagged; p && *p; p++)
			printf("Untagged: %s\n", *p);
		for (char **p = res.deleted; p && *p; p++)
			printf("Deleted: %s\n", *p);
		image_rm_result_free(&res);
	}
	return status ? EXIT_VMCTL_ERROR : 0;
}
