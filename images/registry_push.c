/* registry_push.c - `vmctl push`: a local image's blobs and manifest to a
 * registry over the OCI distribution API (registry_http.h).
 *
 * Per blob: HEAD (the registry may have it), else a cross-repository mount
 * when the store remembers a repository of that registry holding it
 * (registry_sources.c), else an upload: POST opens a session, then one
 * PUT ?digest= with the bytes (monolithic), or PATCHes of opts->chunk_size
 * bytes and a closing PUT (chunked).  Every Location the registry answers
 * (relative or absolute) is where the next request goes.  The registry's
 * Docker-Content-Digest of each blob and of the manifest must be ours.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/util.h"
#include "oci.h"
#include "registry.h"
#include "registry_client.h"
#include "registry_http.h"
#include "store.h"

#define URL_MAX 4096

struct push_ctx {
	struct reg_session s;
	const char *root;
	char layout[4096];
	struct registry_stats *st;
};

static void progress(const struct registry_opts *o, const char *digest,
		     enum registry_blob_event ev, uint64_t done, uint64_t total)
{
	if (o->progress)
		o->progress(o->progress_ctx, digest, ev, done, total);
}

/* The registry's word on what it stored, when it gives one, must be the
 * digest we sent. */
static int check_digest(const char *what, const char *want,
			const struct reg_response *resp, struct vmctl_err *err)
{
	if (resp->digest[0] && strcmp(resp->digest, want) != 0)
		return vmctl_errorf(err, EBADMSG,
				    "%s: the registry stored %s, we sent %s",
				    what, resp->digest, want);
	return 0;
}

/* 1 when the registry already has the blob, 0 when not. */
static int blob_present(struct push_ctx *p, const char *digest,
			struct vmctl_err *err)
{
	struct reg_session *s = &p->s;
	char url[URL_MAX];
	if (registry_url(url, sizeof(url), s->o->insecure, s->ref.host,
			 s->ref.repo, "blobs", digest) < 0)
		return vmctl_errorf(err, ENAMETOOLONG, "URL too long");
	struct reg_request q = {.method = "HEAD", .url = url, .body_fd = -1};
	struct reg_response resp = {0};
	int r = reg_request(s, &q, &resp, err);
	if (r == 0 && resp.status != 200 && resp.status != 404)
		r = reg_status_error(s, url, &resp, err);
	if (r == 0)
		r = resp.status == 200;
	reg_response_free(&resp);
	return r;
}

/* Opens an upload session, asking for a mount from `from` when not NULL.
 * Returns 1 when the mount happened (201), 0 with the session's URL in
 * location otherwise. */
static int start_upload(struct push_ctx *p, const char *digest,
			const char *from, char *location, size_t n,
			struct vmctl_err *err)
{
	struct reg_session *s = &p->s;
	char url[URL_MAX];
	if (registry_url(url, sizeof(url), s->o->insecure, s->ref.host,
			 s->ref.repo, NULL, NULL) < 0)
		return vmctl_errorf(err, ENAMETOOLONG, "URL too long");
	size_t used = strlen(url);
	if (from && xsnprintf(url + used, sizeof(url) - used,
			      "?mount=%s&from=%s", digest, from) < 0)
		return vmctl_errorf(err, ENAMETOOLONG, "URL too long");
	struct reg_request q = {.method = "POST", .url = url, .body_fd = -1};
	struct reg_response resp = {0};
	int r = reg_request(s, &q, &resp, err);
	if (r == 0 && from && resp.status == 201)
		r = check_digest("mount", digest, &resp, err) ?: 1;
	else if (r == 0 && resp.status != 202)
		r = reg_status_error(s, url, &resp, err);
	else if (r == 0 && !resp.location[0])
		r = vmctl_errorf(err, EPROTO, "POST %s: 202 without Location",
				 url);
	else if (r == 0 &&
		 registry_upload_url(location, n, s->o->insecure, s->ref.host,
				     resp.location, NULL) < 0)
		r = vmctl_errorf(err, ENAMETOOLONG, "upload URL too long");
	reg_response_free(&resp);
	return r;
}

struct upload {
	const char *digest;
	int fd;
	uint64_t size, sent;
	const struct registry_opts *o;
};

static void on_sent(void *ctx, uint64_t bytes)
{
	struct upload *u = ctx;
	u->sent += bytes;
	progress(u->o, u->digest, BLOB_TRANSFER, u->sent, u->size);
}

/* One PATCH of [off, off+len); the next Location replaces location. */
static int send_chunk(struct push_ctx *p, struct upload *u, char *location,
		      size_t n, uint64_t off, uint64_t len,
		      struct vmctl_err *err)
{
	struct reg_session *s = &p->s;
	char range[64];
	registry_content_range(range, sizeof(range), off, len);
	struct reg_request q = {.method = "PATCH",
				.url = location,
				.content_type = "application/octet-stream",
				.content_range = range,
				.body_fd = u->fd,
				.body_off = off,
				.body_len = len,
				.sent = on_sent,
				.sent_ctx = u};
	struct reg_response resp = {0};
	u->sent = off;
	int r = reg_request(s, &q, &resp, err);
	if (r == 0 && resp.status != 202)
		r = reg_status_error(s, location, &resp, err);
	else if (r == 0 && resp.location[0] &&
		 registry_upload_url(location, n, s->o->insecure, s->ref.host,
				     resp.location, NULL) < 0)
		r = vmctl_errorf(err, ENAMETOOLONG, "upload URL too long");
	reg_response_free(&resp);
	return r;
}

/* The closing PUT ?digest=, with the whole blob (monolithic) or nothing
 * (after the PATCHes). */
static int finish_upload(struct push_ctx *p, struct upload *u,
			 const char *location, bool with_body,
			 struct vmctl_err *err)
{
	struct reg_session *s = &p->s;
	char url[URL_MAX];
	if (registry_upload_url(url, sizeof(url), s->o->insecure, s->ref.host,
				location, u->digest) < 0)
		return vmctl_errorf(err, ENAMETOOLONG, "upload URL too long");
	struct reg_request q = {.method = "PUT",
				.url = url,
				.content_type = "application/octet-stream",
				.body_fd = with_body ? u->fd : -1,
				.body_len = with_body ? u->size : 0,
				.sent = on_sent,
				.sent_ctx = u};
	struct reg_response resp = {0};
	u->sent = 0;
	int r = reg_request(s, &q, &resp, err);
	if (r == 0 && resp.status != 201)
		r = reg_status_error(s, location, &resp, err);
	if (r == 0)
		r = check_digest("blob upload", u->digest, &resp, err);
	reg_response_free(&resp);
	return r;
}

static int upload_blob(struct push_ctx *p, const struct oci_descriptor *d,
		       char *location, size_t n, struct vmctl_err *err)
{
	char path[4200];
	if (oci_blob_path(p->layout, d->digest, path, sizeof(path)) < 0)
		return vmctl_errorf(err, EINVAL, "bad digest %s", d->digest);
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0)
		return vmctl_error(err, errno, "blob %s", d->digest);
	struct upload u = {d->digest, fd, (uint64_t)st.st_size, 0, p->s.o};
	uint64_t chunk = p->s.o->chunk_size;
	if (!registry_use_chunks(u.size, chunk))
		return finish_upload(p, &u, location, true, err);
	for (uint64_t off = 0, len;
	     (len = registry_next_chunk(u.size, chunk, off)); off += len) {
		int r = send_chunk(p, &u, location, n, off, len, err);
		if (r < 0)
			return r;
	}
	return finish_upload(p, &u, location, false, err);
}

static int push_blob(struct push_ctx *p, const struct oci_descriptor *d,
		     struct vmctl_err *err)
{
	struct reg_session *s = &p->s;
	int r = blob_present(p, d->digest, err);
	if (r < 0)
		return vmctl_error_wrap(err, "blob %s", d->digest);
	if (r == 1) {
		p->st->existed++;
		progress(s->o, d->digest, BLOB_EXISTS, 0, 0);
		return 0;
	}
	char from[256], location[URL_MAX];
	bool mountable =
	    registry_sources_lookup(p->root, s->ref.host, s->ref.repo,
				    d->digest, from, sizeof(from)) == 0;
	r = start_upload(p, d->digest, mountable ? from : NULL, location,
			 sizeof(location), err);
	if (r == 1) {
		p->st->mounted++;
		progress(s->o, d->digest, BLOB_MOUNTED, 0, 0);
		return 0;
	}
	if (r == 0)
		r = upload_blob(p, d, location, sizeof(location), err);
	if (r < 0)
		return vmctl_error_wrap(err, "blob %s", d->digest);
	p->st->transferred++;
	p->st->bytes += d->size > 0 ? (uint64_t)d->size : 0;
	progress(s->o, d->digest, BLOB_DONE, (uint64_t)d->size,
		 (uint64_t)d->size);
	return 0;
}

static const char *manifest_media_type(const struct oci_descriptor *desc,
				       const char *json)
{
	if (desc->media_type[0])
		return desc->media_type;
	return strstr(json, DOCKER_MT_MANIFEST) ? DOCKER_MT_MANIFEST
						: OCI_MT_MANIFEST;
}

static int put_manifest(struct push_ctx *p, const struct oci_descriptor *desc,
			const char *json, size_t len, struct vmctl_err *err)
{
	struct reg_session *s = &p->s;
	char url[URL_MAX];
	if (registry_url(url, sizeof(url), s->o->insecure, s->ref.host,
			 s->ref.repo, "manifests", s->ref.tag) < 0)
		return vmctl_errorf(err, ENAMETOOLONG, "URL too long");
	struct reg_request q = {.method = "PUT",
				.url = url,
				.content_type = manifest_media_type(desc, json),
				.body = json,
				.body_len = len,
				.body_fd = -1};
	struct reg_response resp = {0};
	int r = reg_request(s, &q, &resp, err);
	if (r == 0 && resp.status != 201)
		r = reg_status_error(s, url, &resp, err);
	if (r == 0)
		r = check_digest("manifest", desc->digest, &resp, err);
	reg_response_free(&resp);
	return r;
}

/* The local image's manifest (its exact bytes: they are what the digest
 * names) and its parsed form. */
static int load_local(struct push_ctx *p, const char *name,
		      struct oci_descriptor *desc, char **json, size_t *len,
		      struct oci_manifest *man, struct vmctl_err *err)
{
	char first_name[512];
	int r = image_lookup(p->root, name, desc, first_name,
			     sizeof(first_name), err);
	if (r == -ENOENT)
		return vmctl_errorf(err, ENOENT,
				    "no local image '%s' (vmctl tag IMAGE %s "
				    "names one)",
				    name, name);
	if (r == 0)
		r = oci_blob_read(p->layout, desc->digest, json, len, err);
	if (r == 0)
		r = oci_manifest_parse(*json, man, err);
	return r;
}

static void record_sources(struct push_ctx *p, const struct oci_manifest *man)
{
	char *digests[OCI_MAX_LAYERS + 1];
	size_t n = 0;
	digests[n++] = (char *)man->config.digest;
	for (size_t i = 0; i < man->n_layers && n < OCI_MAX_LAYERS + 1; i++)
		digests[n++] = man->layers[i].digest;
	registry_sources_record(p->root, p->s.ref.host, p->s.ref.repo, digests,
				n);
}

int registry_push(const char *root, const char *name,
		  const struct registry_opts *o, char *digest_out,
		  struct registry_stats *stats, struct vmctl_err *err)
{
	struct registry_stats ignored = {0};
	struct push_ctx p = {.root = root, .st = stats ? stats : &ignored};
	if (store_layout_path(root, p.layout, sizeof(p.layout)) < 0)
		return vmctl_errorf(err, ENAMETOOLONG, "store path too long");
	int r = reg_session_open(&p.s, name, o, err);
	if (r == 0 && p.s.ref.digest[0])
		r = vmctl_errorf(err, EINVAL,
				 "push needs a tag, not a digest: '%s'", name);
	struct oci_descriptor desc = {0};
	struct oci_manifest man = {0};
	cleanup_free char *json = NULL;
	size_t len = 0;
	if (r == 0)
		r = load_local(&p, name, &desc, &json, &len, &man, err);
	if (r == 0)
		r = push_blob(&p, &man.config, err);
	for (size_t i = 0; r == 0 && i < man.n_layers; i++)
		r = push_blob(&p, &man.layers[i], err);
	if (r == 0)
		r = put_manifest(&p, &desc, json, len, err);
	if (r == 0) {
		record_sources(&p, &man);
		if (digest_out)
			snprintf(digest_out, OCI_DIGEST_LEN + 1, "%s",
				 desc.digest);
	}
	oci_manifest_free(&man);
	reg_session_close(&p.s);
	return r;
}
