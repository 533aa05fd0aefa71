/* registry_sources.c - which repository of which registry holds a blob
 * (<root>/registry-sources.json), so that a push can mount a blob from
 * there instead of uploading it again.  The JSON edits are pure
 * (registry_parse.c); this is the file around them, rewritten atomically
 * under the store's layout lock. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/util.h"
#include "oci.h"
#include "registry.h"
#include "registry_client.h"
#include "store.h"

static int sources_path(const char *root, char *buf, size_t n)
{
	return xsnprintf(buf, n, "%s/registry-sources.json", root);
}

void registry_sources_record(const char *root, const char *host,
			     const char *repo, char *const *digests, size_t n)
{
	char path[4096], layout[4096];
	struct vmctl_err err = {0};
	if (sources_path(root, path, sizeof(path)) < 0 ||
	    store_layout_path(root, layout, sizeof(layout)) < 0)
		return;
	cleanup_close int lock = oci_layout_lock(layout, &err);
	if (lock < 0)
		return;
	char *text = NULL;
	size_t len;
	if (read_file(path, &text, &len) < 0)
		text = NULL;
	for (size_t i = 0; i < n; i++) {
		char *next = registry_sources_add(text, host, digests[i], repo);
		if (!next)
			break;
		free(text);
		text = next;
	}
	if (text)
		write_file_atomic(path, text, strlen(text), 0600);
	free(text);
}

int registry_sources_lookup(const char *root, const char *host,
			    const char *repo, const char *digest, char *out,
			    size_t n)
{
	char path[4096];
	cleanup_free char *text = NULL;
	size_t len;
	if (sources_path(root, path, sizeof(path)) < 0 ||
	    read_file(path, &text, &len) < 0)
		return -ENOENT;
	return registry_sources_find(text, host, digest, repo, out, n);
}
