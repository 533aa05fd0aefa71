/* registry_pull.c - `vmctl pull`: manifest and blobs over the OCI
 * distribution API (registry_http.h), every digest verified before
 * anything is named, then image_import() makes the image. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/digest.h"
#include "common/util.h"
#include "oci.h"
#include "registry.h"
#include "registry_client.h"
#include "registry_http.h"
#include "store.h"

struct pulled_manifest {
	struct reg_buf doc;
	char content_type[160];
	char digest[OCI_DIGEST_LEN + 1]; /* computed from the bytes */
};

static void progress(const struct registry_opts *o, const char *digest,
		     enum registry_blob_event ev, uint64_t done, uint64_t total)
{
	if (o->progress)
		o->progress(o->progress_ctx, digest, ev, done, total);
}

/* The manifest's bytes must hash to the digest they were asked by, and to
 * the registry's Docker-Content-Digest when it sends one (asked by tag,
 * that header is all there is to check against). */
static int verify_manifest(struct pulled_manifest *m, const char *asked,
			   const char *announced, struct vmctl_err *err)
{
	char hex[SHA256_HEX_LEN + 1];
	if (sha256_hex(m->doc.data, m->doc.len, hex) < 0)
		return vmctl_errorf(err, ENOPKG, "sha256 unavailable");
	snprintf(m->digest, sizeof(m->digest), "sha256:%s", hex);
	if (strncmp(asked, "sha256:", 7) == 0 && strcmp(m->digest, asked) != 0)
		return vmctl_errorf(
		    err, EBADMSG, "manifest digest mismatch: asked %s, got %s",
		    asked, m->digest);
	if (announced[0] && strcmp(m->digest, announced) != 0)
		return vmctl_errorf(err, EBADMSG,
				    "manifest digest mismatch: the registry "
				    "says %s, the content is %s",
				    announced, m->digest);
	return 0;
}

static int get_manifest(struct reg_session *s, const char *which,
			struct pulled_manifest *out, struct vmctl_err *err)
{
	char url[1024];
	if (registry_url(url, sizeof(url), s->o->insecure, s->ref.host,
			 s->ref.repo, "manifests", which) < 0)
		return vmctl_errorf(err, ENAMETOOLONG, "URL too long");
	struct reg_request q = {.method = "GET",
				.url = url,
				.accept = REGISTRY_MANIFEST_ACCEPT,
				.body_fd = -1};
	struct reg_response resp = {0};
	int r = reg_request(s, &q, &resp, err);
	if (r == 0 && resp.status != 200)
		r = reg_status_error(s, url, &resp, err);
	if (r == 0 && !resp.body.data)
		r = vmctl_errorf(err, EIO, "GET %s: empty manifest", url);
	if (r == 0) {
		out->doc = resp.body;
		resp.body.data = NULL;
		snprintf(out->content_type, sizeof(out->content_type), "%s",
			 resp.content_type);
		r = verify_manifest(out, which, resp.digest, err);
	}
	reg_response_free(&resp);
	return r;
}

struct blob_download {
	struct oci_blob_writer w;
	struct vmctl_err *err;
	const struct registry_opts *o;
	const char *digest;
	uint64_t total;
};

static size_t blob_sink(char *p, size_t size, size_t nmemb, void *ctx)
{
	struct blob_download *d = ctx;
	if (oci_blob_writer_write(&d->w, p, size * nmemb, d->err) < 0)
		return 0;
	progress(d->o, d->digest, BLOB_TRANSFER, d->w.hash.bytes, d->total);
	return size * nmemb;
}

/* Downloads one blob into the store; 1 when it was already there. */
static int fetch_blob(struct reg_session *s, const char *layout,
		      const struct oci_descriptor *desc,
		      struct registry_stats *st, struct vmctl_err *err)
{
	if (oci_blob_exists(layout, desc->digest)) {
		st->existed++;
		progress(s->o, desc->digest, BLOB_EXISTS, 0, 0);
		return 1;
	}
	char url[1024];
	if (registry_url(url, sizeof(url), s->o->insecure, s->ref.host,
			 s->ref.repo, "blobs", desc->digest) < 0)
		return vmctl_errorf(err, ENAMETOOLONG, "URL too long");
	struct blob_download d = {.err = err,
				  .o = s->o,
				  .digest = desc->digest,
				  .total = desc->size > 0 ? (uint64_t)desc->size
							  : 0};
	int r = oci_blob_writer_open(&d.w, layout, err);
	if (r < 0)
		return r;
	/* A blob larger than its descriptor says is refused early. */
	d.w.max_bytes = d.total;
	struct reg_request q = {.method = "GET",
				.url = url,
				.body_fd = -1,
				.sink = blob_sink,
				.sink_ctx = &d};
	struct reg_response resp = {0};
	r = reg_request(s, &q, &resp, err);
	if (r == 0 && resp.status != 200)
		r = reg_status_error(s, url, &resp, err);
	reg_response_free(&resp);
	if (r < 0) {
		oci_blob_writer_abort(&d.w);
		return r;
	}
	/* The writer refuses (and removes) a blob whose bytes do not hash to
	 * the digest the manifest names: a tampered blob never appears. */
	r = oci_blob_writer_commit(&d.w, desc->digest, NULL, NULL, err);
	if (r < 0)
		return vmctl_error_wrap(err, "blob %s", desc->digest);
	st->transferred++;
	st->bytes += d.total;
	progress(s->o, desc->digest, BLOB_DONE, d.total, d.total);
	return 0;
}

static int resolve_image_manifest(struct reg_session *s,
				  struct pulled_manifest *m,
				  struct vmctl_err *err)
{
	const char *which = s->ref.digest[0] ? s->ref.digest : s->ref.tag;
	int r = get_manifest(s, which, m, err);
	if (r < 0)
		return r;
	enum manifest_kind k =
	    registry_manifest_kind(m->content_type, m->doc.data);
	if (k == MANIFEST_IMAGE)
		return 0;
	if (k != MANIFEST_INDEX)
		return vmctl_errorf(err, ENOTSUP,
				    "unsupported manifest type '%s'",
				    m->content_type);
	char digest[72];
	r = registry_pick_platform(m->doc.data, "linux", "amd64", digest, err);
	if (r < 0)
		return r;
	free(m->doc.data);
	memset(m, 0, sizeof(*m));
	r = get_manifest(s, digest, m, err);
	if (r == 0 && registry_manifest_kind(m->content_type, m->doc.data) !=
			  MANIFEST_IMAGE)
		r = vmctl_errorf(err, ENOTSUP, "index entry %s is no image",
				 digest);
	return r;
}

/* After a failure, the blobs this pull wrote belong to no image: collect
 * them so that a refused pull leaves the store as it found it. */
static void collect_garbage(const char *root, const char *layout)
{
	struct vmctl_err ignored = {0};
	cleanup_close int lock = oci_layout_lock(layout, &ignored);
	if (lock >= 0)
		store_gc(root, &ignored);
}

static int fetch_all(struct reg_session *s, const char *layout,
		     const struct oci_manifest *man, struct registry_stats *st,
		     struct vmctl_err *err)
{
	int r = fetch_blob(s, layout, &man->config, st, err);
	for (size_t i = 0; r >= 0 && i < man->n_layers; i++)
		r = fetch_blob(s, layout, &man->layers[i], st, err);
	return r < 0 ? r : 0;
}

/* Remembers where the blobs came from, for mounts at a later push. */
static void record_sources(const char *root, const struct reg_session *s,
			   const struct oci_manifest *man)
{
	char *digests[OCI_MAX_LAYERS + 1];
	size_t n = 0;
	digests[n++] = (char *)man->config.digest;
	for (size_t i = 0; i < man->n_layers && n < OCI_MAX_LAYERS + 1; i++)
		digests[n++] = man->layers[i].digest;
	registry_sources_record(root, s->ref.host, s->ref.repo, digests, n);
}

int registry_pull(const char *root, const char *name,
		  const struct registry_opts *o, char *id_out,
		  struct registry_stats *stats, struct vmctl_err *err)
{
	struct registry_stats ignored = {0};
	struct registry_stats *st = stats ? stats : &ignored;
	char layout[4096];
	if (store_layout_path(root, layout, sizeof(layout)) < 0)
		return vmctl_errorf(err, ENAMETOOLONG, "store path too long");
	struct reg_session s;
	int r = reg_session_open(&s, name, o, err);
	if (r == 0)
		r = oci_layout_init(layout, err);
	struct pulled_manifest m = {0};
	struct oci_manifest man = {0};
	if (r == 0)
		r = resolve_image_manifest(&s, &m, err);
	if (r == 0)
		r = oci_manifest_parse(m.doc.data, &man, err);
	if (r == 0) {
		r = fetch_all(&s, layout, &man, st, err);
		if (r < 0 && st->transferred)
			collect_garbage(root, layout);
	}
	if (r == 0) {
		/* The local name is the reference as typed (host included),
		 * tagged; pulled by digest alone it stays untagged-by-tag. */
		struct image_ref ir;
		char local[512];
		r = image_ref_parse(name, &ir, err);
		snprintf(local, sizeof(local), "%s:%s", ir.repo, ir.tag);
		if (r == 0)
			r = image_import(root, m.doc.data, local, -1, id_out,
					 err);
		if (r < 0)
			collect_garbage(root, layout);
	}
	if (r == 0)
		record_sources(root, &s, &man);
	oci_manifest_free(&man);
	free(m.doc.data);
	reg_session_close(&s);
	return r;
}
