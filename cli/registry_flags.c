/* registry_flags.c - the flags and progress display of pull and push. */
#include "registry_flags.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "common/util.h"

/* Blobs above this go in chunks of this size (VMCTL_PUSH_CHUNK_SIZE
 * changes it, "0" turns chunking off). */
#define DEFAULT_CHUNK (64ull << 20)

static const char *event_word(enum registry_blob_event ev)
{
	switch (ev) {
	case BLOB_DONE:
		return "Done";
	case BLOB_EXISTS:
		return "Already exists";
	case BLOB_MOUNTED:
		return "Mounted";
	default:
		return "";
	}
}

/* "<12 hex>: [=====>      ]  1.2MB/3.4MB", redrawn in place on stderr. */
static void show_progress(void *ctx, const char *digest,
			  enum registry_blob_event ev, uint64_t done,
			  uint64_t total)
{
	struct registry_cli *rc = ctx;
	const char *hex =
	    strncmp(digest, "sha256:", 7) == 0 ? digest + 7 : digest;
	if (ev != BLOB_TRANSFER) {
		fprintf(stderr, "\r\033[K%.12s: %s\n", hex, event_word(ev));
		rc->last_pct = -1;
		return;
	}
	int pct = total ? (int)(done * 100 / total) : 0;
	if (pct > 100)
		pct = 100;
	if (pct == rc->last_pct && strcmp(rc->last_digest, digest) == 0)
		return;
	rc->last_pct = pct;
	snprintf(rc->last_digest, sizeof(rc->last_digest), "%s", digest);
	char bar[41], d[32], t[32];
	int fill = pct * 40 / 100;
	for (int i = 0; i < 40; i++)
		bar[i] = i < fill ? '=' : i == fill ? '>' : ' ';
	bar[40] = 0;
	cli_format_size(done, d, sizeof(d));
	cli_format_size(total, t, sizeof(t));
	fprintf(stderr, "\r\033[K%.12s: [%s] %s/%s", hex, bar, d, t);
}

/* One line from stdin, without its newline. */
static char *read_password(void)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n = getline(&line, &cap, stdin);
	if (n < 0) {
		free(line);
		return NULL;
	}
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = 0;
	return line;
}

int registry_cli_parse(const char *cmd, int argc, char **argv,
		       struct registry_cli *rc, const char **name)
{
	bool insecure = false, pw_stdin = false;
	const char *user = NULL;
	const struct cli_flag flags[] = {
	    CLI_BOOL(NULL, "--insecure", &insecure),
	    CLI_VALUE("-u", "--username", &user),
	    CLI_BOOL(NULL, "--password-stdin", &pw_stdin),
	    CLI_FLAGS_END,
	};
	memset(rc, 0, sizeof(*rc));
	rc->last_pct = -1;
	int first;
	if (cli_scan_flags(cmd, argc, argv, flags, &first))
		return EXIT_VMCTL_ERROR;
	if (argc - first != 1)
		return cli_fail("\"vmctl %s\" requires exactly 1 argument: "
				"vmctl %s [OPTIONS] [HOST[:PORT]/]REPO[:TAG%s]",
				cmd, cmd,
				strcmp(cmd, "pull") ? "" : "|@DIGEST");
	*name = argv[first];
	rc->o.insecure = insecure;
	rc->o.user = user ? user : getenv("VMCTL_REGISTRY_USER");
	if (pw_stdin) {
		if (!user)
			return cli_fail("--password-stdin needs --username");
		rc->password = read_password();
		if (!rc->password)
			return cli_fail(
			    "--password-stdin: no password on stdin");
		rc->o.password = rc->password;
	} else {
		rc->o.password = getenv("VMCTL_REGISTRY_PASSWORD");
	}
	uint64_t chunk = DEFAULT_CHUNK;
	const char *env = getenv("VMCTL_PUSH_CHUNK_SIZE");
	if (env && parse_size(env, &chunk) < 0)
		return cli_fail("VMCTL_PUSH_CHUNK_SIZE: not a size: '%s'", env);
	rc->o.chunk_size = chunk;
	if (isatty(STDERR_FILENO)) {
		rc->o.progress = show_progress;
		rc->o.progress_ctx = rc;
	}
	return 0;
}

void registry_cli_done(struct registry_cli *rc)
{
	if (rc->password) {
		explicit_bzero(rc->password, strlen(rc->password));
		free(rc->password);
		rc->password = NULL;
	}
}
