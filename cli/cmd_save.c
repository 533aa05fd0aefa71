/* cmd_save.c - `vmctl save -o FILE|DIR IMAGE...`: OCI layout (dir or tar). */
#include <string.h>

#include "cli.h"
#include "common/util.h"
#include "images/archive_io.h"

int cmd_save(int argc, char **argv)
{
	const char *out = NULL;
	const struct cli_flag flags[] = {CLI_VALUE("-o", "--output", &out), CLI_FLAGS_END};
	int i;
	if (cli_scan_flags("save", argc, argv, flags, &i))
		return EXIT_VMCTL_ERROR;
	if (!out)
		return cli_fail("\"vmctl save\" requires -o FILE|DIR");
	if (i >= argc)
		return cli_fail("\"vmctl save\" requires at least 1 image");
	struct vmctl_err err = {0};
	if (image_save(vmctl_root(), argv + i, (size_t)(argc - i), out, &err) <
	    0)
		return cli_fail("%s", err.msg);
	return 0;
}
