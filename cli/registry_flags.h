/* registry_flags.h - what `pull` and `push` share on the command line:
 * --insecure, --username, --password-stdin (or VMCTL_REGISTRY_USER and
 * VMCTL_REGISTRY_PASSWORD), and the progress bar on a terminal. */
#ifndef VMCTL_CLI_REGISTRY_FLAGS_H
#define VMCTL_CLI_REGISTRY_FLAGS_H

#include "images/registry_client.h"

struct registry_cli {
	struct registry_opts o;
	char *password; /* read from stdin; wiped and freed by _done */
	int last_pct;
	char last_digest[80];
};

/* Scans the flags of `vmctl CMD`; one NAME operand must follow.  Returns
 * 0 with *name set, or prints one line and returns EXIT_VMCTL_ERROR. */
int registry_cli_parse(const char *cmd, int argc, char **argv,
		       struct registry_cli *rc, const char **name);
void registry_cli_done(struct registry_cli *rc);

#endif
