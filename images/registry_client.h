/* registry_client.h - `pull` and `push` against an OCI distribution
 * registry.  libcurl is loaded at first use (curl_dl.h). */
#ifndef VMCTL_IMAGES_REGISTRY_CLIENT_H
#define VMCTL_IMAGES_REGISTRY_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

/* What happens to one blob, for a progress display. */
enum registry_blob_event {
	BLOB_TRANSFER, /* bytes moved: done of total */
	BLOB_DONE,     /* downloaded or uploaded and verified */
	BLOB_EXISTS,   /* already there (local store or registry) */
	BLOB_MOUNTED,  /* mounted from another repository of the registry */
};

struct registry_opts {
	bool insecure;	      /* http:// instead of https:// */
	const char *user;     /* credentials, or NULL: sent only when the */
	const char *password; /* registry asks (Basic or to a token realm) */
	/* push: blobs larger than this go in PATCHes of this size (chunked
	 * upload); 0: always one PUT (monolithic). */
	uint64_t chunk_size;
	/* Called for progress (may be NULL); digest is the blob's. */
	void (*progress)(void *ctx, const char *digest,
			 enum registry_blob_event ev, uint64_t done,
			 uint64_t total);
	void *progress_ctx;
};

/* What a push or pull did with the blobs (config and layers). */
struct registry_stats {
	unsigned transferred, existed, mounted;
	uint64_t bytes; /* transferred */
};

/* Pulls "[HOST[:PORT]/]REPO[:TAG|@DIGEST]" into the store under root and
 * names it "REPO:TAG" as typed (host included).  Every blob is verified
 * against its digest, and the manifest against the digest it was asked by
 * or the registry's Docker-Content-Digest; on any mismatch nothing is
 * named and the blobs this pull wrote are collected again.  id_out (may be
 * NULL, 72 bytes) gets the image id (config digest). */
int registry_pull(const char *root, const char *name,
		  const struct registry_opts *o, char *id_out,
		  struct registry_stats *stats, struct vmctl_err *err);

/* Pushes the local image named "[HOST[:PORT]/]REPO[:TAG]" to that
 * registry: each blob unless the registry has it (HEAD), by mount from
 * another repository of the same registry when the store remembers one
 * (blobs pulled or pushed before, <root>/registry-sources.json), else
 * uploaded; then the manifest by tag.  The registry's digests must match
 * ours.  digest_out (may be NULL, 72 bytes) gets the manifest digest. */
int registry_push(const char *root, const char *name,
		  const struct registry_opts *o, char *digest_out,
		  struct registry_stats *stats, struct vmctl_err *err);

/* The blob-source memory behind mounts (registry_sources.c): records that
 * host/repo holds the n digests; best effort (a lost entry only costs a
 * mount, so failures are ignored). */
void registry_sources_record(const char *root, const char *host,
			     const char *repo, char *const *digests, size_t n);
/* The repository on host, other than repo, known to hold digest. */
int registry_sources_lookup(const char *root, const char *host,
			    const char *repo, const char *digest, char *out,
			    size_t n);

#endif
