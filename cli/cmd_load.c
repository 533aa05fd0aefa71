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
	int i = 1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		if ((!strcmp(argv[i], "-i") || !strcmp(argv[i], "--input")) &&
		    i + 1 < argc)
			in = argv[++i];
		else if (!strncmp(argv[i], "--input=", 8))
			in = argv[i] + 8;
		else
			return cli_fail("unknown flag for load: %s (see `vmctl "
					"load --help`)",
					argv[i]);
	}
	if (!in || i < argc)
		return cli_fail("usage: vmctl load -i FILE|DIR");
	struct vmctl_err err = {0};
	if (image_load(vmctl_root(), in, print_loaded, NULL, &err) < 0)
		return cli_fail("load %s: %s", in, err.msg);
	return 0;
}
