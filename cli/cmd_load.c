/* cmd_load.c - `vmctl load -i FILE|DIR`: OCI layout or docker-archive. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "common/util.h"
#include "images/archive_io.h"

static void print_loaded(const char *what, void *ctx)
{
	printf(strncmp(what, "sha256:", 7) ? "Loaded image: %s\n"
					   : "Loaded image ID: %s\n",
	       what);
}

int cmd_load(int argc, char **argv)
{
	const char *in = NULL;
	const struct cli_flag flags[] = {CLI_VALUE("-i", "--input", &in), CLI_FLAGS_END};
	int i;
	if (cli_scan_flags("load", argc, argv, flags, &i))
		return EXIT_VMCTL_ERROR;
	if (!in || i < argc)
		return cli_fail("usage: vmctl load -i FILE|DIR");
	struct vmctl_err err = {0};
	if (image_load(vmctl_root(), in, print_loaded, NULL, &err) < 0)
		return cli_fail("load %s: %s", in, err.msg);
	return 0;
}
