/* cmd_kernel.c - `vmctl kernel build|path`: vmctl's guest kernel. */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "images/kernel.h"

int cli_ensure_kernel(void)
{
	char path[PATH_MAX];
	struct vmctl_err err = {0};
	if (guest_kernel_locate(path, sizeof(path), &err) == 0)
		return 0;
	fprintf(stderr, "vmctl: building the guest kernel once (cached afterwards)\n");
	if (guest_kernel_build(&err) < 0)
		return cli_fail("%s", err.msg);
	return 0;
}

int cmd_kernel(int argc, char **argv)
{
	if (argc != 2 || (strcmp(argv[1], "build") && strcmp(argv[1], "path")))
		return cli_fail("usage: vmctl kernel build|path");
	char path[PATH_MAX];
	struct vmctl_err err = {0};
	if (!strcmp(argv[1], "build") && cli_ensure_kernel() != 0)
		return EXIT_VMCTL_ERROR;
	if (guest_kernel_locate(path, sizeof(path), &err) < 0)
		return cli_fail("%s", err.msg);
	printf("%s\n", path);
	return 0;
}
