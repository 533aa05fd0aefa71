/* registry_pull.c - `vmctl pull`: manifest and blobs over the OCI
 * distribution API (libcurl via curl_dl), every digest verified before
 * anything is named, then image_import() makes the image. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/digest.h"
#include "common/util.h"
#include "curl_dl.h"
#include "oci.h"
#include "registry.h"
#include "registry_client.h"
#include "store.h"

struct membuf {
	char *data;
	size_t len;
	char content_type[160];
};

static size_t mem_write(char *p, size_t size, size_t nmemb, void *user)
{
	struct membuf *b = user;
	size_t n = size * nmemb;
	/* Manifests are small; refuse absurd ones instead of growing forever. */
	if (b->len + n > (4u << 20))
		return 0;
	char *d = realloc(b->data, b->len + n + 1);
	if (!d)
		return 0;
	memcpy(d + b->len, p, n);
	b->data = d;
	b->len += n;
	d[b->len] = 0;
	return n;
}

struct blobsink {
	struct oci_blob_writer *w;
	struct vmctl_err *err;
};

static size_t blob_write(char *p, size_t size, size_t nmemb, void *user)
{
	struct blobsink *s = user;
	if (oci_blob_writer_write(s->w, p, size * nmemb, s->err) < 0)
		return 0;
	return size * nmemb;
}

static CURL *easy_for(const struct curl_api *c, const struct registry_opts *o,
		      const char *url)
{
	CURL *h = c->curl_easy_init();
	if (!h)
		return NULL;
	c->curl_easy_setopt(h, CURLOPT_URL, url);
	c->curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
	c->curl_easy_setopt(h, CURLOPT_FAILONERROR, 0L);
	if (o->user && o->password) {
		c->curl_easy_setopt(h, CURLOPT_USERNAME, o->user);
		c->curl_easy_setopt(h, CURLOPT_PASSWORD, o->password);
		/* Only to the registry itself: no credentials to redirects. */
		c->curl_easy_setopt(h, CURLOPT_UNRESTRICTED_AUTH, 0L);
	}
	return h;
}

static int perform(const struct curl_api *c, CURL *h, const char *url,
		   long *status, struct vmctl_err *err)
{
	CURLcode rc = c->curl_easy_perform(h);
	if (rc != CURLE_OK)
		return vmctl_errorf(err, EIO, "GET %s: %s", url,
				    c->curl_easy_strerror(rc));
	c->curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
	return 0;
}

static int http_status_error(long status, const char *url,
			     struct vmctl_err *err)
{
	if (status == 401)
		return vmctl_errorf(err, EACCES,
				    "GET %s: 401 unauthorized (check "
				    "VMCTL_REGISTRY_USER/PASSWORD)",
				    url);
	if (status == 404)
		return vmctl_errorf(err, ENOENT, "GET %s: 404 not found", url);
	return vmctl_errorf(err, EIO, "GET %s: HTTP %ld", url, status);
}

static int get_manifest(const struct curl_api *c, const struct registry_opts *o,
			const struct registry_ref *ref, const char *which,
			struct membuf *out, struct vmctl_err *err)
{
	char url[1024];
	if (registry_url(url, sizeof(url), o->insecure, ref->host, ref->repo,
			 "manifests", which) < 0)
		return vmctl_errorf(err, ENAMETOOLONG, "URL too long");
	CURL *h = easy_for(c, o, url);
	if (!h)
		return vmctl_errorf(err, ENOMEM, "curl_easy_init");
	struct curl_slist *hdr = c->curl_slist_append(NULL, REGISTRY_MANIFEST_ACCEPT);
	c->curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
	c->curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, mem_write);
	c->curl_easy_setopt(h, CURLOPT_WRITEDATA, out);
	long status = 0;
	int r = perform(c, h, url, &status, err);
	char *ct = NULL;
	if (r == 0 && status == 200) {
		c->curl_easy_getinfo(h, CURLINFO_CONTENT_TYPE, &ct);
		snprintf(out->content_type, sizeof(out->content_type), "%s",
			 ct ? ct : "");
	} else if (r == 0) {
		r = http_status_error(status, url, err);
	}
	c->curl_slist_free_all(hdr);
	c->curl_easy_cleanup(h);
	if (r == 0 && !out->data)
		r = vmctl_errorf(err, EIO, "GET %s: empty manifest", url);
	return r;
}

/* Verifies the manifest bytes against the digest they were asked by, when
 * asked by digest (a tag has nothing to check against but the registry's
 * word, and blobs are verified below in any case). */
static int verify_manifest(const struct membuf *m, const char *want,
			   struct vmctl_err *err)
{
	if (strncmp(want, "sha256:", 7) != 0)
		return 0;
	char hex[65], got[72];
	if (sha256_hex(m->data, m->len, hex) < 0)
		return vmctl_errorf(err, EIO, "sha256 unavailable");
	snprintf(got, sizeof(got), "sha256:%s", hex);
	if (strcmp(got, want) != 0)
		return vmctl_errorf(err, EBADMSG,
				    "manifest digest mismatch: asked %s, got %s",
				    want, got);
	return 0;
}

static int fetch_blob(const struct curl_api *c, const struct registry_opts *o,
		      const struct registry_ref *ref, const char *layout,
		      const char *digest, struct vmctl_err *err)
{
	if (oci_blob_exists(layout, digest))
		return 0;
	char url[1024];
	if (registry_url(url, sizeof(url), o->insecure, ref->host, ref->repo,
			 "blobs", digest) < 0)
		return vmctl_errorf(err, ENAMETOOLONG, "URL too long");
	struct oci_blob_writer w;
	int r = oci_blob_writer_open(&w, layout, err);
	if (r < 0)
		return r;
	CURL *h = easy_for(c, o, url);
	if (!h) {
		oci_blob_writer_abort(&w);
		return vmctl_errorf(err, ENOMEM, "curl_easy_init");
	}
	struct blobsink sink = {&w, err};
	c->curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, blob_write);
	c->curl_easy_setopt(h, CURLOPT_WRITEDATA, &sink);
	/* Error bodies must not go into the blob file. */
	c->curl_easy_setopt(h, CURLOPT_FAILONERROR, 1L);
	long status = 0;
	r = perform(c, h, url, &status, err);
	c->curl_easy_cleanup(h);
	if (r == 0 && status != 200)
		r = http_status_error(status, url, err);
	if (r < 0) {
		oci_blob_writer_abort(&w);
		return r;
	}
	/* The writer refuses (and removes) a blob whose bytes do not hash to
	 * the digest the manifest names: a tampered blob never appears. */
	r = oci_blob_writer_commit(&w, digest, NULL, NULL, err);
	if (r < 0)
		return vmctl_error_wrap(err, "blob %s", digest);
	return 0;
}

static int resolve_image_manifest(const struct curl_api *c,
				  const struct registry_opts *o,
				  const struct registry_ref *ref,
				  struct membuf *m, struct vmctl_err *err)
{
	const char *which = ref->digest[0] ? ref->digest : ref->tag;
	int r = get_manifest(c, o, ref, which, m, err);
	if (r == 0)
		r = verify_manifest(m, which, err);
	if (r < 0)
		return r;
	enum manifest_kind k = registry_manifest_kind(m->content_type, m->data);
	if (k == MANIFEST_IMAGE)
		return 0;
	if (k != MANIFEST_INDEX)
		return vmctl_errorf(err, ENOTSUP,
				    "unsupported manifest type '%s'",
				    m->content_type);
	char digest[72];
	r = registry_pick_platform(m->data, "linux", "amd64", digest, err);
	if (r < 0)
		return r;
	free(m->data);
	memset(m, 0, sizeof(*m));
	r = get_manifest(c, o, ref, digest, m, err);
	if (r == 0)
		r = verify_manifest(m, digest, err);
	if (r == 0 && registry_manifest_kind(m->content_type, m->data) !=
			  MANIFEST_IMAGE)
		r = vmctl_errorf(err, ENOTSUP, "index entry %s is no image",
				 digest);
	return r;
}

int registry_pull(const char *root, const char *name,
		  const struct registry_opts *o, char *id_out,
		  struct vmctl_err *err)
{
	struct registry_ref ref;
	int r = registry_ref_parse(name, &ref, err);
	if (r < 0)
		return r;
	const struct curl_api *c = curl_dl(err);
	if (!c)
		return -err->code;
	char layout[4096];
	if (store_layout_path(root, layout, sizeof(layout)) < 0)
		return vmctl_errorf(err, ENAMETOOLONG, "store path too long");
	r = oci_layout_init(layout, err);
	if (r < 0)
		return r;
	struct membuf m = {0};
	struct oci_manifest man = {0};
	r = resolve_image_manifest(c, o, &ref, &m, err);
	if (r == 0)
		r = oci_manifest_parse(m.data, &man, err);
	if (r == 0)
		r = fetch_blob(c, o, &ref, layout, man.config.digest, err);
	for (size_t i = 0; r == 0 && i < man.n_layers; i++)
		r = fetch_blob(c, o, &ref, layout, man.layers[i].digest, err);
	if (r == 0) {
		/* The local name is the reference as typed (host included),
		 * tagged; pulled by digest alone it stays untagged-by-tag. */
		struct image_ref ir;
		char local[512];
		r = image_ref_parse(name, &ir, err);
		snprintf(local, sizeof(local), "%s:%s", ir.repo, ir.tag);
		if (r == 0)
			r = image_import(root, m.data, local, -1, id_out, err);
	}
	oci_manifest_free(&man);
	free(m.data);
	return r;
}
