/* registry.h - the pure half of the OCI distribution client (pull/push).
 *
 * Everything here is decision and string work with no I/O, so it is unit
 * tested without a registry: splitting a reference into registry host,
 * repository and tag/digest, building endpoint URLs, parsing a
 * WWW-Authenticate challenge and choosing what to do with a manifest by its
 * media type.  The network half (libcurl through curl_dl) builds on these.
 */
#ifndef VMCTL_IMAGES_REGISTRY_H
#define VMCTL_IMAGES_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

#define REGISTRY_DEFAULT_HOST "registry-1.docker.io"

#define MT_OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define MT_OCI_INDEX "application/vnd.oci.image.index.v1+json"
#define MT_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
#define MT_DOCKER_LIST                                                         \
	"application/vnd.docker.distribution.manifest.list.v2+json"

/* The Accept header sent for manifests: both image manifests and both
 * multi-platform list types, so one GET serves either answer. */
#define REGISTRY_MANIFEST_ACCEPT                                               \
	"Accept: " MT_OCI_MANIFEST ", " MT_DOCKER_MANIFEST ", " MT_OCI_INDEX   \
	", " MT_DOCKER_LIST

struct registry_ref {
	char host[256]; /* "127.0.0.1:5000", or REGISTRY_DEFAULT_HOST */
	char repo[256]; /* "library/busybox" */
	char tag[128];  /* "latest" when neither tag nor digest given */
	char digest[72]; /* "sha256:<hex>" or "" */
};

/* "[HOST[:PORT]/]REPO[:TAG|@DIGEST]" -> parts.  The first path component is
 * a host when it holds '.' or ':' or is "localhost" (Docker's rule); without
 * a host, Docker Hub is meant and one-component names gain "library/". */
int registry_ref_parse(const char *s, struct registry_ref *ref,
		       struct vmctl_err *err);

/* Whether host ("HOST[:PORT]", "[V6]:PORT", or a URL's "scheme://HOST[:PORT]/...")
 * is on loopback: localhost, 127.0.0.0/8 or ::1.  Pure.  --insecure (plain
 * HTTP) is only allowed there: elsewhere anyone on the path could swap a
 * manifest's digest and the blobs with it. */
bool registry_host_is_loopback(const char *host);

/* "<scheme>://<host>/v2/<repo>/<kind>/<ref>"; kind is "manifests" or
 * "blobs"; ref NULL gives ".../blobs/uploads/".  -ENAMETOOLONG if cut. */
int registry_url(char *buf, size_t n, bool insecure, const char *host,
		 const char *repo, const char *kind, const char *ref);

/* Resolves an upload Location header (absolute or path-only) against the
 * registry and appends "digest=<d>" with '?' or '&' as needed when digest
 * is not NULL. */
int registry_upload_url(char *buf, size_t n, bool insecure, const char *host,
			const char *location, const char *digest);

enum registry_auth_scheme {
	AUTH_NONE,
	AUTH_BASIC,
	AUTH_BEARER,
};

struct www_auth {
	enum registry_auth_scheme scheme;
	char realm[512];
	char service[256];
	char scope[512];
};

/* Parses `Bearer realm="https://a/token",service="reg",scope="repo:x:pull"`
 * or `Basic realm="..."`.  Quoted values may hold commas and escaped
 * quotes.  -EINVAL for an unknown scheme or a Bearer without realm. */
int www_auth_parse(const char *header, struct www_auth *a,
		   struct vmctl_err *err);

/* The token URL: realm?service=..&scope=.. (values URL-escaped). */
int registry_token_url(char *buf, size_t n, const struct www_auth *a);

enum manifest_kind {
	MANIFEST_UNSUPPORTED,
	MANIFEST_IMAGE, /* OCI or Docker schema2 image manifest */
	MANIFEST_INDEX, /* OCI index or Docker manifest list */
};

/* By Content-Type (parameters after ';' ignored); when that is missing or
 * generic, by the document's own "mediaType" and shape ("manifests" vs
 * "layers"). */
enum manifest_kind registry_manifest_kind(const char *content_type,
					  const char *json);

/* From an index/list, the digest of the manifest for os/arch (e.g.
 * "linux", "amd64").  -ENOENT with the platforms on offer in err. */
int registry_pick_platform(const char *index_json, const char *os,
			   const char *arch, char digest[72],
			   struct vmctl_err *err);


/* The value of header `name` in one raw header line ("Name: value\r\n"),
 * case-insensitively, trimmed; false when the line is another header. */
bool registry_header_value(const char *line, size_t len, const char *name,
			   char *val, size_t n);

/* The token of a token endpoint's JSON answer ("token", else
 * "access_token"); -EINVAL when neither is there. */
int registry_token_parse(const char *json, char *token, size_t n);

/* "CODE: message" from a registry error body
 * ({"errors":[{"code":..,"message":..}]}); "" when it has none. */
void registry_error_message(const char *json, char *buf, size_t n);

/* Upload planning: a blob of size bytes goes in one PUT unless chunk is
 * non-zero and the blob is larger, then in PATCHes of at most chunk bytes.
 * registry_next_chunk gives the length of the PATCH starting at off (0 when
 * all is sent); registry_content_range formats its "START-END" (inclusive,
 * as the distribution API wants it). */
bool registry_use_chunks(uint64_t size, uint64_t chunk);
uint64_t registry_next_chunk(uint64_t size, uint64_t chunk, uint64_t off);
int registry_content_range(char *buf, size_t n, uint64_t off, uint64_t len);

/* Where blobs came from, for cross-repository mounts: a JSON object
 * {"HOST": {"DIGEST": "REPO"}} kept by the store (registry_sources.c).
 * find: the repository on host known to hold digest, other than
 * not_repo; -ENOENT when none.  add: the text with host/digest -> repo
 * recorded (malloc'd; NULL on malformed input or no memory). */
int registry_sources_find(const char *json, const char *host,
			  const char *digest, const char *not_repo, char *repo,
			  size_t n);
char *registry_sources_add(const char *json, const char *host,
			   const char *digest, const char *repo);

#endif
