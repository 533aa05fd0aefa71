/* cmd_build.c - `vmctl build [-t NAME] [-f FILE] [--no-cache] DIR`, with
 * the output of Docker's classic builder. */
#include <stdio.h>

#include "cli.h"
#include "common/util.h"
#include "images/build.h"
#include "images/oci.h"

static void show(void *ctx, const char *line)
{
	printf("%s\n", line);
	/* a RUN step's output goes straight to fd 1: keep the order */
	fflush(stdout);
}

int cmd_build(int argc, char **argv)
{
	const char *tag = NULL, *file = NULL;
	bool no_cache = false;
	const struct cli_flag flags[] = {
	    CLI_VALUE("-t", "--tag", &tag), CLI_VALUE("-f", "--file", &file),
	    CLI_BOOL(NULL, "--no-cache", &no_cache), CLI_FLAGS_END};
	int first;
	if (cli_scan_flags("build", argc, argv, flags, &first))
		return EXIT_VMCTL_ERROR;
	if (argc - first != 1)
		return cli_fail("\"vmctl build\" requires exactly 1 argument: "
				"vmctl build [-t NAME] [-f FILE] DIR");
	struct build_opts o = {.context = argv[first],
			       .dockerfile = file,
			       .tag = tag,
			       .no_cache = no_cache,
			       .progress = show};
	struct vmctl_err err = {0};
	char id[OCI_DIGEST_LEN + 1];
	if (image_build(vmctl_root(), &o, id, &err) < 0)
		return cli_fail("%s", err.msg);
	printf("Successfully built %.12s\n", id + 7);
	if (tag)
		printf("Successfully tagged %s\n", tag);
	return 0;
}
