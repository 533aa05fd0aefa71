/* cmd_save.c - `vmctl save -o FILE|DIR IMAGE...`: OCI layout (dir or tar). */
#include <string.h>

#include "cli.h"
#include "common/util.h"
#include "images/archive_io.h"

int cmd_save(int argc, char **argv)
{
	const char *out = NULL;
	int i = 1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		if ((!strcmp(argv[i], "-o") || !strcmp(argv[i], "--output")) &&
		    i + 1 < argc)
			out = argv[++i];
		else if (!strncmp(argv[i], "--output=", 9))
			out = argv[i] + 9;
		else
			return cli_fail("unknown flag for save: %s (see `vmctl "
					"save --help`)",
					argv[i]);
	}
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
