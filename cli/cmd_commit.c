/* cmd_commit.c - `vmctl commit [-m MSG] RUN [REPO[:TAG]]`: a run's writable
 * layer as a new image. */
#include <stdio.h>

#include "cli.h"
#include "common/util.h"
#include "images/commit.h"
#include "images/oci.h"

int cmd_commit(int argc, char **argv)
{
	const char *message = NULL;
	const struct cli_flag flags[] = {CLI_VALUE("-m", "--message", &message),
					 CLI_FLAGS_END};
	int first;
	if (cli_scan_flags("commit", argc, argv, flags, &first))
		return EXIT_VMCTL_ERROR;
	int n = argc - first;
	if (n < 1 || n > 2)
		return cli_fail("\"vmctl commit\" requires 1 or 2 arguments: "
				"vmctl commit [-m MSG] NAME|ID [REPO[:TAG]]");
	struct vmctl_err err = {0};
	char id[OCI_DIGEST_LEN + 1];
	if (run_commit(vmctl_root(), argv[first],
		       n == 2 ? argv[first + 1] : NULL, message, id, &err) < 0)
		return cli_fail("%s", err.msg);
	printf("%s\n", id);
	return 0;
}
