/* cmd_logs.c - `vmctl logs`: what a detached run wrote. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <unistd.h>

#include "cli.h"
#include "common/cleanup.h"
#include "common/state.h"
#include "common/util.h"

int cmd_logs(int argc, char **argv)
{
	int first;
	if (cli_scan_flags("logs", argc, argv, NULL, &first))
		return EXIT_VMCTL_ERROR;
	if (argc - first != 1)
		return cli_fail("\"vmctl logs\" requires exactly 1 argument: vmctl logs NAME|ID");
	struct ctr_state st;
	struct vmctl_err err = {0};
	if (state_find(vmctl_root(), argv[first], &st, &err) < 0)
		return cli_fail("%s", err.msg);
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/log", st.dir);
	bool detached = st.detach;
	ctr_state_free(&st);
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT && !detached)
			return cli_fail("%s ran in the foreground: its output went to the terminal", argv[first]);
		return errno == ENOENT ? 0 : cli_fail("reading %s: %m", path);
	}
	char buf[65536];
	for (ssize_t n; (n = read(fd, buf, sizeof(buf))) > 0;)
		if (fwrite(buf, 1, (size_t)n, stdout) != (size_t)n)
			return EXIT_VMCTL_ERROR;
	return 0;
}
