/* cmd_kernel.c - `vmctl kernel build|path`: the guest kernel. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

int cmd_kernel(int argc, char **argv)
{
	return cli_fail("the guest kernel builder is not built yet");
}
