/* registry_client.h - `pull` and `push` against an OCI distribution
 * registry.  libcurl is loaded at first use (curl_dl.h). */
#ifndef VMCTL_IMAGES_REGISTRY_CLIENT_H
#define VMCTL_IMAGES_REGISTRY_CLIENT_H

#include <stdbool.h>

#include "common/error.h"

struct registry_opts {
	bool insecure;        /* http:// instead of https:// */
	const char *user;     /* basic auth, or NULL */
	const char *password; /* basic auth, or NULL */
};

/* Pulls "[HOST[:PORT]/]REPO[:TAG|@DIGEST]" into the store under root and
 * names it "REPO:TAG" as typed (host included).  Every blob is verified
 * against its digest (and the manifest when asked by digest); on any
 * mismatch nothing is named.  id_out (may be NULL, 72 bytes) gets the
 * image id (config digest). */
int registry_pull(const char *root, const char *name,
		  const struct registry_opts *o, char *id_out,
		  struct vmctl_err *err);

#endif
