#include "store.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>

#include "common/cleanup.h"
#include "common/digest.h"
#include "common/state.h"
#include "common/strv.h"
#include "common/util.h"
#include "layer.h"
#include "oci.h"

#define DEFAULT_PATH                                                           \
	"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

void image_free(struct image *img)
{
	if (!img)
		return;
	free(img->repo);
	free(img->tag);
	free(img->id);
	free(img->digest);
	strv_free(img->layer_ids);
	strv_free(img->layer_dirs);
	strv_free(img->env);
	strv_free(img->cmd);
	strv_free(img->entrypoint);
	free(img->workdir);
	free(img->user);
	memset(img, 0, sizeof(*img));
}

/* --- the OCI store ---------------------------------------------------------
 */

int store_layout_path(const char *root, char *buf, size_t n)
{
	return xsnprintf(buf, n, "%s/oci", root);
}

static int layer_dir_path(const char *root, const char *diff_id, char *buf,
			  size_t n)
{
	if (!oci_digest_valid(diff_id))
		return -EINVAL;
	return xsnprintf(buf, n, "%s/layers/%s", root, diff_id + 7);
}

/* "sha256:<hex prefix>" or "<hex prefix>" of at least 3 digits. */
static const char *id_prefix(const char *ref)
{
	const char *hex = strncmp(ref, "sha256:", 7) ? ref : ref + 7;
	size_t n = strlen(hex);
	if (n < 3 || n > 64)
		return NULL;
	for (const char *p = hex; *p; p++)
		if (!isdigit((unsigned char)*p) && !(*p >= 'a' && *p <= 'f'))
			return NULL;
	return hex;
}

/* verify: re-hash the blob (export paths); the run path trusts the store
 * (see oci_blob_read_trusted). */
static int read_manifest(const char *layout, const char *digest, bool verify,
			   struct oci_manifest *m, struct vmctl_err *err)
{
	cleanup_free char *text = NULL;
	int r = verify ? oci_blob_read(layout, digest, &text, NULL, err)
		       : oci_blob_read_trusted(layout, digest, &text, NULL, err);
	if (r == 0)
		r = oci_manifest_parse(text, m, err);
	return r ? vmctl_error_wrap(err, "manifest %.19s", digest) : 0;
}

static int read_config(const char *layout, const char *digest, bool verify,
			 struct oci_config *c, struct vmctl_err *err)
{
	cleanup_free char *text = NULL;
	int r = verify ? oci_blob_read(layout, digest, &text, NULL, err)
		       : oci_blob_read_trusted(layout, digest, &text, NULL, err);
	if (r == 0)
		r = oci_config_parse(text, c, err);
	return r ? vmctl_error_wrap(err, "config %.19s", digest) : 0;
}

/* Index of the entry with this name ("repo:tag"), or -1. */
static long find_name(const struct oci_index *idx, const char *name)
{
	for (size_t i = 0; i < idx->n; i++)
		if (idx->v[i].name && !strcmp(idx->v[i].name, name))
			return (long)i;
	return -1;
}

/* The image a reference names: its name first, else an id (prefix of the
 * config digest) as Docker accepts.  *out gets the manifest descriptor. */
static int resolve(const char *layout, const struct oci_index *idx,
		   const char *ref, struct oci_descriptor *out,
		   struct vmctl_err *err)
{
	char name[512];
	struct vmctl_err ignored = {0};
	struct image_ref parsed;
	/* "repo@sha256:..." pins the manifest: the name does not matter. */
	if (image_ref_parse(ref, &parsed, &ignored) == 0 && parsed.digest[0]) {
		for (size_t i = 0; i < idx->n; i++)
			if (!strcmp(idx->v[i].manifest.digest, parsed.digest)) {
				*out = idx->v[i].manifest;
				return 0;
			}
		return vmctl_errorf(
		    err, ENOENT,
		    "unable to find image '%s' (see `vmctl images`)", ref);
	}
	if (image_ref_name(ref, name, sizeof(name), &ignored) == 0) {
		long i = find_name(idx, name);
		if (i >= 0) {
			*out = idx->v[i].manifest;
			return 0;
		}
	}
	const char *hex = id_prefix(ref);
	int found = 0;
	for (size_t i = 0; hex && i < idx->n; i++) {
		struct oci_manifest m;
		if (read_manifest(layout, idx->v[i].manifest.digest, false, &m,
				  &ignored) < 0)
			continue;
		bool match = !strncmp(m.config.digest + 7, hex, strlen(hex));
		oci_manifest_free(&m);
		if (!match ||
		    (found && !strcmp(out->digest, idx->v[i].manifest.digest)))
			continue;
		if (found++)
			return vmctl_errorf(err, EINVAL,
					    "image id prefix '%s' is ambiguous",
					    ref);
		*out = idx->v[i].manifest;
	}
	if (found)
		return 0;
	return vmctl_errorf(
	    err, ENOENT, "unable to find image '%s' (see `vmctl images`)", ref);
}

/* "repo:tag" -> repo, tag (the tag follows the last ':', a port never
 * does since tags have no '/'). */
static void split_name(const char *name, struct image *img)
{
	const char *colon = name ? strrchr(name, ':') : NULL;
	if (!colon || strchr(colon, '/')) {
		img->repo = strdup(name ? name : "<none>");
		img->tag = strdup(name ? "latest" : "<none>");
		return;
	}
	img->repo = strndup(name, (size_t)(colon - name));
	img->tag = strdup(colon + 1);
}

/* img->layer_ids are the diff_ids (already filled). */
static int layer_dirs_of(const char *root, const char *layout,
			 const struct oci_manifest *m, bool unpack,
			 struct image *img, struct vmctl_err *err)
{
	img->layer_dirs = calloc(m->n_layers + 1, sizeof(char *));
	if (!img->layer_dirs)
		return vmctl_error(err, ENOMEM, "loading image");
	for (size_t i = 0; i < m->n_layers; i++) {
		/* overlay wants the top-most first; the manifest lists bottom
		 * first */
		size_t k = m->n_layers - 1 - i;
		char dir[PATH_MAX], blob[PATH_MAX];
		if (layer_dir_path(root, img->layer_ids[k], dir, sizeof(dir)) <
			0 ||
		    !(img->layer_dirs[i] = strdup(dir)))
			return vmctl_error(err, ENOMEM, "loading image");
		img->size += (uint64_t)m->layers[k].size;
		struct stat st;
		if (!unpack || stat(dir, &st) == 0)
			continue;
		/* Unpacked on first use (a store copied without its layers). */
		if (oci_blob_path(layout, m->layers[k].digest, blob,
				  sizeof(blob)) < 0)
			return vmctl_errorf(err, EINVAL, "bad layer digest");
		int r = layer_unpack_atomic(blob, dir, m->layers[k].digest,
					    img->layer_ids[k], NULL, NULL, err);
		if (r < 0)
			return vmctl_error_wrap(err, "layer %.19s",
						m->layers[k].digest);
	}
	return 0;
}

static int load_image(const char *root, const char *layout,
		      const struct oci_descriptor *desc, const char *name,
		      bool unpack, struct image *img, struct vmctl_err *err)
{
	struct oci_manifest m;
	struct oci_config c;
	memset(img, 0, sizeof(*img));
	int r = read_manifest(layout, desc->digest, false, &m, err);
	if (r < 0)
		return r;
	r = read_config(layout, m.config.digest, false, &c, err);
	if (r < 0) {
		oci_manifest_free(&m);
		return r;
	}
	if (c.n_diff_ids != m.n_layers)
		r = vmctl_errorf(err, EINVAL,
				 "image %.19s: %zu layers but %zu diff_ids",
				 desc->digest, m.n_layers, c.n_diff_ids);
	split_name(name, img);
	img->id = strdup(m.config.digest);
	img->digest = strdup(desc->digest);
	img->layer_ids = steal_ptr(&c.diff_ids);
	img->n_layers = m.n_layers;
	img->env = steal_ptr(&c.env);
	img->cmd = steal_ptr(&c.cmd);
	img->entrypoint = steal_ptr(&c.entrypoint);
	img->workdir = steal_ptr(&c.workdir);
	img->user = steal_ptr(&c.user);
	img->created = c.created;
	if (r == 0 && (!img->repo || !img->tag || !img->id || !img->digest))
		r = vmctl_error(err, ENOMEM, "loading image");
	if (r == 0)
		r = layer_dirs_of(root, layout, &m, unpack, img, err);
	oci_manifest_free(&m);
	oci_config_free(&c);
	if (r < 0)
		image_free(img);
	return r;
}

int image_open(const char *root, const char *ref, struct image *img,
	       struct vmctl_err *err)
{
	char layout[PATH_MAX];
	struct oci_index idx;
	struct oci_descriptor desc;
	memset(img, 0, sizeof(*img));
	if (store_layout_path(root, layout, sizeof(layout)) < 0)
		return vmctl_errorf(err, ENAMETOOLONG, "root path too long");
	int r = oci_index_load(layout, &idx, err);
	if (r < 0)
		return r;
	r = resolve(layout, &idx, ref, &desc, err);
	char name[512];
	struct vmctl_err ignored = {0};
	bool named = image_ref_name(ref, name, sizeof(name), &ignored) == 0 &&
		     find_name(&idx, name) >= 0;
	/* By id: the image's first name, if it has one. */
	for (size_t i = 0; r == 0 && !named && i < idx.n; i++)
		if (idx.v[i].name &&
		    !strcmp(idx.v[i].manifest.digest, desc.digest)) {
			snprintf(name, sizeof(name), "%s", idx.v[i].name);
			named = true;
		}
	if (r == 0)
		r = load_image(root, layout, &desc, named ? name : NULL, true,
			       img, err);
	oci_index_free(&idx);
	return r;
}

int image_list(const char *root, int (*fn)(const struct image *, void *),
	       void *ctx, struct vmctl_err *err)
{
	char layout[PATH_MAX];
	struct oci_index idx;
	if (store_layout_path(root, layout, sizeof(layout)) < 0)
		return vmctl_errorf(err, ENAMETOOLONG, "root path too long");
	int r = oci_index_load(layout, &idx, err);
	for (size_t i = 0; r == 0 && i < idx.n; i++) {
		struct image img;
		struct vmctl_err ignored = {0};
		if (load_image(root, layout, &idx.v[i].manifest, idx.v[i].name,
			       false, &img, &ignored) < 0)
			continue; /* a damaged image does not hide the others */
		r = fn(&img, ctx);
		image_free(&img);
	}
	oci_index_free(&idx);
	return r < 0 ? r : 0;
}

int image_lookup(const char *root, const char *ref,
		 struct oci_descriptor *manifest, char *name, size_t name_len,
		 struct vmctl_err *err)
{
	char layout[PATH_MAX];
	struct oci_index idx;
	if (store_layout_path(root, layout, sizeof(layout)) < 0)
		return vmctl_errorf(err, ENAMETOOLONG, "root path too long");
	int r = oci_index_load(layout, &idx, err);
	if (r == 0)
		r = resolve(layout, &idx, ref, manifest, err);
	char canon[512];
	struct vmctl_err ignored = {0};
	if (r == 0 &&
	    image_ref_name(ref, canon, sizeof(canon), &ignored) == 0 &&
	    find_name(&idx, canon) >= 0) {
		snprintf(name, name_len, "%s", canon);
	} else if (r == 0) {
		name[0] = '\0';
		for (size_t i = 0; i < idx.n && !name[0]; i++)
			if (idx.v[i].name &&
			    !strcmp(idx.v[i].manifest.digest, manifest->digest))
				snprintf(name, name_len, "%s", idx.v[i].name);
	}
	oci_index_free(&idx);
	return r;
}

int image_read_oci(const char *root, const char *ref, struct oci_manifest *m,
		   struct oci_config *c, char *manifest_digest,
		   struct vmctl_err *err)
{
	char layout[PATH_MAX];
	struct oci_index idx;
	struct oci_descriptor desc;
	if (store_layout_path(root, layout, sizeof(layout)) < 0)
		return vmctl_errorf(err, ENAMETOOLONG, "root path too long");
	int r = oci_index_load(layout, &idx, err);
	if (r == 0)
		r = resolve(layout, &idx, ref, &desc, err);
	oci_index_free(&idx);
	if (r == 0)
		r = read_manifest(layout, desc.digest, true, m, err);
	if (r == 0 && (r = read_config(layout, m->config.digest, true, c, err)) < 0)
		oci_manifest_free(m);
	if (r == 0 && manifest_digest)
		snprintf(manifest_digest, OCI_DIGEST_LEN + 1, "%s",
			 desc.digest);
	return r;
}

/* Every blob the manifest names is there, of a kind vmctl can unpack. */
static int check_manifest(const char *layout, const struct oci_manifest *m,
			  const struct oci_config *c, struct vmctl_err *err)
{
	if (c->n_diff_ids != m->n_layers)
		return vmctl_errorf(err, EINVAL,
				    "image has %zu layers but %zu diff_ids",
				    m->n_layers, c->n_diff_ids);
	for (size_t i = 0; i < m->n_layers; i++) {
		bool compressed;
		if (oci_layer_media_type(m->layers[i].media_type, &compressed) <
		    0)
			return vmctl_errorf(
			    err, ENOTSUP,
			    "layer %zu: unsupported media type '%s'", i,
			    m->layers[i].media_type);
		if (!oci_blob_exists(layout, m->layers[i].digest))
			return vmctl_errorf(err, ENOENT,
					    "layer %zu: blob %s missing", i,
					    m->layers[i].digest);
	}
	return 0;
}

static int unpack_layers(const char *root, const char *layout,
			 const struct oci_manifest *m,
			 const struct oci_config *c, struct vmctl_err *err)
{
	char dir[PATH_MAX], blob[PATH_MAX];
	if (xsnprintf(dir, sizeof(dir), "%s/layers", root) < 0)
		return vmctl_errorf(err, ENAMETOOLONG, "root path too long");
	int r = mkdir_p(dir, 0700); /* setuid files inside: root only */
	if (r < 0)
		return vmctl_error(err, r, "mkdir %s", dir);
	for (size_t i = 0; i < m->n_layers; i++) {
		layer_dir_path(root, c->diff_ids[i], dir, sizeof(dir));
		oci_blob_path(layout, m->layers[i].digest, blob, sizeof(blob));
		r = layer_unpack_atomic(blob, dir, m->layers[i].digest,
					c->diff_ids[i], NULL, NULL, err);
		if (r < 0)
			return vmctl_error_wrap(err, "layer %zu (%.19s)", i,
						m->layers[i].digest);
	}
	return 0;
}

/* Names the manifest in the index (under the lock). */
static int index_name(const char *layout, const struct oci_descriptor *desc,
		      const char *name, struct vmctl_err *err)
{
	struct oci_index idx;
	int r = oci_index_load(layout, &idx, err);
	if (r < 0)
		return r;
	long i;
	while (name && (i = find_name(&idx, name)) >= 0)
		oci_index_remove(&idx, (size_t)i);
	/* A named image is no longer an untagged one (a build's last step
	 * is made untagged, then named). */
	for (size_t k = idx.n; name && k-- > 0;)
		if (!idx.v[k].name &&
		    !strcmp(idx.v[k].manifest.digest, desc->digest))
			oci_index_remove(&idx, k);
	bool present = false;
	for (size_t k = 0; !name && k < idx.n; k++)
		present |= !strcmp(idx.v[k].manifest.digest, desc->digest);
	if (!present && oci_index_add(&idx, desc, name, NULL) < 0)
		r = vmctl_error(err, ENOMEM, "index");
	if (r == 0 && !present)
		r = oci_index_store(layout, &idx, err);
	oci_index_free(&idx);
	return r;
}

int image_import(const char *root, const char *manifest_json, const char *name,
		 int lock_fd, char *id_out, struct vmctl_err *err)
{
	char layout[PATH_MAX], canon[512];
	struct oci_manifest m;
	struct oci_config c;
	if (store_layout_path(root, layout, sizeof(layout)) < 0)
		return vmctl_errorf(err, ENAMETOOLONG, "root path too long");
	if (name && image_ref_name(name, canon, sizeof(canon), err) < 0)
		return -EINVAL;
	int r = oci_layout_init(layout, err);
	if (r < 0)
		return r;
	cleanup_close int lock =
	    lock_fd >= 0 ? -1 : oci_layout_lock(layout, err);
	if (lock_fd < 0 && lock < 0)
		return lock;
	if ((r = oci_manifest_parse(manifest_json, &m, err)) < 0)
		return r;
	r = read_config(layout, m.config.digest, false, &c, err);
	if (r < 0) {
		oci_manifest_free(&m);
		return r;
	}
	struct oci_descriptor desc = {.size = (int64_t)strlen(manifest_json)};
	const cJSON *mt = NULL;
	cJSON *j = cJSON_Parse(manifest_json);
	mt = cJSON_GetObjectItemCaseSensitive(j, "mediaType");
	snprintf(desc.media_type, sizeof(desc.media_type), "%s",
		 cJSON_IsString(mt) ? mt->valuestring : OCI_MT_MANIFEST);
	cJSON_Delete(j);
	r = check_manifest(layout, &m, &c, err);
	if (r == 0)
		r = unpack_layers(root, layout, &m, &c, err);
	if (r == 0)
		r = oci_blob_put(layout, manifest_json, (size_t)desc.size, NULL,
				 desc.digest, err);
	if (r == 0)
		r = index_name(layout, &desc, name ? canon : NULL, err);
	if (r == 0 && id_out)
		snprintf(id_out, OCI_DIGEST_LEN + 1, "%s", m.config.digest);
	oci_manifest_free(&m);
	oci_config_free(&c);
	return r;
}

int image_tag(const char *root, const char *ref, const char *target,
	      struct vmctl_err *err)
{
	char layout[PATH_MAX], canon[512];
	struct oci_descriptor desc;
	if (store_layout_path(root, layout, sizeof(layout)) < 0)
		return vmctl_errorf(err, ENAMETOOLONG, "root path too long");
	if (image_ref_name(target, canon, sizeof(canon), err) < 0)
		return -EINVAL;
	cleanup_close int lock = oci_layout_lock(layout, err);
	if (lock < 0)
		return lock;
	struct oci_index idx;
	int r = oci_index_load(layout, &idx, err);
	if (r == 0)
		r = resolve(layout, &idx, ref, &desc, err);
	oci_index_free(&idx);
	return r < 0 ? r : index_name(layout, &desc, canon, err);
}

void image_rm_result_free(struct image_rm_result *res)
{
	strv_free(res->untagged);
	strv_free(res->deleted);
	memset(res, 0, sizeof(*res));
}

struct usage_scan {
	const char *layout;
	const struct oci_index *idx;
	const char *digest; /* the manifest whose names are going */
	const bool *mark;   /* the index entries being removed */
	bool deleting;	    /* no name is left: the image itself goes */
	char user[200];	    /* the first run found using it */
	bool any_alive;
};

/* A run uses what its recorded image string names.  Runs record the name
 * they were started with, so a name a run uses is not removed either (else
 * the run could no longer be traced to its image). */
static int find_user(struct ctr_state *st, void *ctx)
{
	struct usage_scan *u = ctx;
	struct oci_descriptor d;
	struct vmctl_err ignored = {0};
	char name[512];
	if (!st->image ||
	    resolve(u->layout, u->idx, st->image, &d, &ignored) < 0 ||
	    strcmp(d.digest, u->digest))
		return 0;
	long i = image_ref_name(st->image, name, sizeof(name), &ignored) == 0
		     ? find_name(u->idx, name)
		     : -1;
	if (!u->deleting && !(i >= 0 && u->mark[i]))
		return 0;
	snprintf(u->user, sizeof(u->user), "%s (%.12s)", st->name, st->id);
	return 1;
}

static int find_alive(struct ctr_state *st, void *ctx)
{
	struct usage_scan *u = ctx;
	if (st->status == ST_RUNNING && state_owner_alive(st)) {
		u->any_alive = true;
		return 1;
	}
	return 0;
}

/* Which entries a rmi removes: the name given, or every name of the id. */
static int rm_targets(const char *layout, const struct oci_index *idx,
		      const char *ref, bool force, bool *mark,
		      struct oci_descriptor *desc, struct vmctl_err *err)
{
	char name[512];
	struct vmctl_err ignored = {0};
	long i = image_ref_name(ref, name, sizeof(name), &ignored) == 0
		     ? find_name(idx, name)
		     : -1;
	if (i >= 0) {
		mark[i] = true;
		*desc = idx->v[i].manifest;
		return 0;
	}
	int r = resolve(layout, idx, ref, desc, err);
	if (r < 0)
		return r;
	size_t names = 0;
	for (size_t k = 0; k < idx->n; k++)
		if (!strcmp(idx->v[k].manifest.digest, desc->digest)) {
			mark[k] = true;
			names += idx->v[k].name != NULL;
		}
	if (names > 1 && !force)
		return vmctl_errorf(
		    err, EBUSY,
		    "image %s is referenced in %zu names; remove them "
		    "by name, or use -f",
		    ref, names);
	return 0;
}

static int rm_apply(const char *root, const char *layout, struct oci_index *idx,
		    const bool *mark, const struct oci_descriptor *desc,
		    struct image_rm_result *res, struct vmctl_err *err)
{
	bool still_used = false;
	int r = 0;
	for (size_t k = idx->n; k-- > 0;) {
		if (!mark[k]) {
			still_used |=
			    !strcmp(idx->v[k].manifest.digest, desc->digest);
			continue;
		}
		if (idx->v[k].name &&
		    strv_push(&res->untagged, idx->v[k].name) < 0)
			return vmctl_error(err, ENOMEM, "rmi");
		oci_index_remove(idx, k);
	}
	/* Reported as Docker does: by image id (the config digest). */
	struct oci_manifest m;
	struct vmctl_err ignored = {0};
	bool have_id = !still_used &&
		       read_manifest(layout, desc->digest, false, &m, &ignored) == 0;
	if (!still_used && strv_push(&res->deleted, have_id ? m.config.digest
							    : desc->digest) < 0)
		r = vmctl_error(err, ENOMEM, "rmi");
	if (have_id)
		oci_manifest_free(&m);
	if (r < 0)
		return r;
	r = oci_index_store(layout, idx, err);
	return r < 0 || still_used ? r : store_gc(root, err);
}

int image_remove(const char *root, const char *ref, bool force,
		 struct image_rm_result *res, struct vmctl_err *err)
{
	char layout[PATH_MAX];
	struct oci_index idx;
	struct oci_descriptor desc;
	memset(res, 0, sizeof(*res));
	if (store_layout_path(root, layout, sizeof(layout)) < 0)
		return vmctl_errorf(err, ENAMETOOLONG, "root path too long");
	cleanup_close int lock = oci_layout_lock(layout, err);
	if (lock < 0)
		return lock;
	int r = oci_index_load(layout, &idx, err);
	if (r < 0)
		return r;
	cleanup_free bool *mark = calloc(idx.n + 1, sizeof(bool));
	analyzer_cleanup(mark);
	if (!mark)
		r = vmctl_error(err, ENOMEM, "rmi");
	if (r == 0)
		r = rm_targets(layout, &idx, ref, force, mark, &desc, err);
	/* No run may use what goes (the image, or a name), unless forced. */
	size_t left = 0;
	for (size_t k = 0; r == 0 && k < idx.n; k++)
		left +=
		    !mark[k] && !strcmp(idx.v[k].manifest.digest, desc.digest);
	struct usage_scan u = {.layout = layout,
			       .idx = &idx,
			       .digest = desc.digest,
			       .mark = mark,
			       .deleting = left == 0};
	struct vmctl_err ignored = {0};
	if (r == 0 && !force &&
	    state_list(root, find_user, &u, &ignored) >= 0 && u.user[0])
		r = vmctl_errorf(err, EBUSY,
				 "unable to remove image %s: run %s uses it "
				 "(remove the run first, or use -f)",
				 ref, u.user);
	if (r == 0)
		r = rm_apply(root, layout, &idx, mark, &desc, res, err);
	oci_index_free(&idx);
	return r;
}

/* Every blob and diff_id the index's images use. */
static int reachable(const char *layout, const struct oci_index *idx,
		     char ***blobs, char ***diff_ids, struct vmctl_err *err)
{
	for (size_t i = 0; i < idx->n; i++) {
		struct oci_manifest m;
		struct oci_config c;
		const char *d = idx->v[i].manifest.digest;
		/* A manifest that cannot be read keeps the whole store:
		 * deleting on partial knowledge would lose data. */
		if (read_manifest(layout, d, false, &m, err) < 0)
			return -EIO;
		int r = read_config(layout, m.config.digest, false, &c, err);
		if (r == 0) {
			r = strv_push(blobs, d) |
			    strv_push(blobs, m.config.digest);
			for (size_t k = 0; r == 0 && k < m.n_layers; k++)
				r = strv_push(blobs, m.layers[k].digest);
			for (size_t k = 0; r == 0 && k < c.n_diff_ids; k++)
				r = strv_push(diff_ids, c.diff_ids[k]);
			oci_config_free(&c);
		}
		oci_manifest_free(&m);
		if (r < 0)
			return -EIO;
	}
	return 0;
}

static bool strv_has(char *const *v, const char *s)
{
	for (size_t i = 0; v && v[i]; i++)
		if (!strcmp(v[i], s))
			return true;
	return false;
}

/* Removes the entries of dir named by 64 hex digits not in keep. */
static void sweep(const char *dir, char *const *keep, bool dirs)
{
	cleanup_closedir DIR *d = opendir(dir);
	struct dirent *de;
	while (d && (de = readdir(d))) {
		char digest[OCI_DIGEST_LEN + 1], path[PATH_MAX];
		snprintf(digest, sizeof(digest), "sha256:%s", de->d_name);
		if (!oci_digest_valid(digest) || strv_has(keep, digest) ||
		    xsnprintf(path, sizeof(path), "%s/%s", dir, de->d_name) < 0)
			continue;
		if (dirs)
			rm_rf(path);
		else
			unlink(path);
	}
}

/* The pid in a temp name of the store ("<x>.tmp-<pid>[-...]",
 * "base-<pid>[.tar]", "load-<pid>"), or 0. */
int store_temp_owner(const char *name)
{
	const char *p = strstr(name, ".tmp-");
	if (p)
		p += 5;
	else if (!strncmp(name, "base-", 5) || !strncmp(name, "load-", 5))
		p = name + 5;
	else
		return 0;
	char *end;
	long pid = strtol(p, &end, 10);
	if (end == p || pid <= 0 || pid > INT_MAX ||
	    (*end && *end != '-' && *end != '.'))
		return 0;
	return (int)pid;
}

/* Removes what a killed vmctl left half-made: temp entries whose owner
 * process is gone (a live pid, even a reused one, keeps them). */
static void sweep_stale(const char *dir)
{
	cleanup_closedir DIR *d = opendir(dir);
	struct dirent *de;
	while (d && (de = readdir(d))) {
		char path[PATH_MAX];
		int pid = store_temp_owner(de->d_name);
		if (pid <= 0 || (kill(pid, 0) == 0 || errno != ESRCH) ||
		    xsnprintf(path, sizeof(path), "%s/%s", dir, de->d_name) < 0)
			continue;
		rm_rf(path);
	}
}

int store_gc(const char *root, struct vmctl_err *err)
{
	char layout[PATH_MAX], dir[PATH_MAX];
	struct oci_index idx;
	cleanup_strv char **blobs = calloc(1, sizeof(char *));
	cleanup_strv char **diff_ids = calloc(1, sizeof(char *));
	analyzer_cleanup(blobs);
	analyzer_cleanup(diff_ids);
	if (!blobs || !diff_ids)
		return vmctl_error(err, ENOMEM, "gc");
	if (store_layout_path(root, layout, sizeof(layout)) < 0)
		return vmctl_errorf(err, ENAMETOOLONG, "root path too long");
	int r = oci_index_load(layout, &idx, err);
	if (r < 0)
		return r;
	r = reachable(layout, &idx, &blobs, &diff_ids, err);
	oci_index_free(&idx);
	if (r < 0)
		return vmctl_error_wrap(err, "not collecting unused blobs");
	snprintf(dir, sizeof(dir), "%s/blobs/sha256", layout);
	sweep(dir, blobs, false);
	sweep_stale(dir);
	snprintf(dir, sizeof(dir), "%s/tmp", root);
	sweep_stale(dir);
	snprintf(dir, sizeof(dir), "%s/layers", root);
	sweep_stale(dir);
	/* A running container may have any layer as an overlay lower dir
	 * (rmi -f): layers are only collected while no run is alive. */
	struct usage_scan u = {0};
	struct vmctl_err ignored = {0};
	if (state_list(root, find_alive, &u, &ignored) < 0 || u.any_alive)
		return 0;
	snprintf(dir, sizeof(dir), "%s/layers", root);
	sweep(dir, diff_ids, true);
	return 0;
}

char **image_resolve_argv(const struct image *img, char *const *cmd_override,
			  struct vmctl_err *err)
{
	char *const *cmd =
	    (cmd_override && cmd_override[0]) ? cmd_override : img->cmd;
	if (strv_len(img->entrypoint) + strv_len(cmd) == 0) {
		vmctl_errorf(err, EINVAL,
			     "no command specified and image '%s:%s' has no "
			     "default command",
			     img->repo ? img->repo : "?",
			     img->tag ? img->tag : "?");
		return NULL;
	}
	char **argv = calloc(1, sizeof(*argv));
	for (size_t i = 0; argv && img->entrypoint && img->entrypoint[i]; i++)
		if (strv_push(&argv, img->entrypoint[i]) < 0)
			goto oom;
	for (size_t i = 0; argv && cmd && cmd[i]; i++)
		if (strv_push(&argv, cmd[i]) < 0)
			goto oom;
	if (argv)
		return argv;
oom:
	strv_free(argv);
	vmctl_error(err, ENOMEM, "building the command line");
	return NULL;
}

/* Index of the entry for key (the part before '=') in v, or -1. */
static long env_find(char *const *v, const char *kv)
{
	size_t klen = strcspn(kv, "=");
	for (long i = 0; v && v[i]; i++)
		if (!strncmp(v[i], kv, klen) &&
		    (v[i][klen] == '=' || v[i][klen] == '\0'))
			return i;
	return -1;
}

static int env_set(char ***v, const char *kv)
{
	long i = env_find(*v, kv);
	if (i < 0)
		return strv_push(v, kv);
	char *copy = strdup(kv);
	if (!copy)
		return -ENOMEM;
	free((*v)[i]);
	(*v)[i] = copy;
	return 0;
}

char **image_merge_env(char *const *image_env, char *const *overrides,
		       const char *hostname)
{
	return image_merge_env_home(image_env, overrides, hostname, "/root");
}

char **image_merge_env_home(char *const *image_env, char *const *overrides,
			    const char *hostname, const char *home)
{
	char **env = calloc(1, sizeof(*env));
	if (!env)
		return NULL;
	int r = 0;
	if (env_find(image_env, "PATH") < 0 && env_find(overrides, "PATH") < 0)
		r = strv_push(&env, DEFAULT_PATH);
	if (r == 0 && hostname) {
		cleanup_free char *h = NULL;
		r = asprintf(&h, "HOSTNAME=%s", hostname) < 0
			? -ENOMEM
			: strv_push(&env, h);
	}
	for (size_t i = 0; r == 0 && image_env && image_env[i]; i++)
		r = env_set(&env, image_env[i]);
	for (size_t i = 0; r == 0 && overrides && overrides[i]; i++)
		r = env_set(&env, overrides[i]);
	if (r == 0 && home && env_find(env, "HOME") < 0) {
		cleanup_free char *h = NULL;
		r = asprintf(&h, "HOME=%s", home) < 0 ? -ENOMEM
						      : strv_push(&env, h);
	}
	if (r < 0) {
		strv_free(env);
		return NULL;
	}
	return env;
}
