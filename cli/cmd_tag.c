/* cmd_tag.c - `vmctl tag SOURCE TARGET`: another name for an image. */
#include "cli.h"
#include "common/util.h"
#include "images/store.h"

int cmd_tag(int argc, char **argv)
{
	int first;
	if (cli_scan_flags("tag", argc, argv, NULL, &first))
		return EXIT_VMCTL_ERROR;
	if (argc - first != 2)
		return cli_fail("\"vmctl tag\" requires exactly 2 arguments: "
				"vmctl tag SOURCE TARGET");
	struct vmctl_err err = {0};
	if (image_tag(vmctl_root(), argv[first], argv[first + 1], &err) < 0)
		return cli_fail("%s", err.msg);
	return 0;
}
