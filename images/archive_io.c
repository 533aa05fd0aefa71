/* archive_io.c - save and load: OCI layouts and docker-archives (see .h). */
#include "archive_io.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "archive_dl.h"
#include "common/cleanup.h"
#include "common/strv.h"
#include "common/util.h"
#include "layer.h"
#include "oci.h"
#include "store.h"

/* --- save ------------------------------------------------------------------
 */

struct save_item {
	struct oci_descriptor desc;
	struct oci_manifest m;
	char name[512]; /* "" when untagged */
};

static void items_free(struct save_item *items, size_t n)
{
	for (size_t i = 0; items && i < n; i++)
		oci_manifest_free(&items[i].m);
	free(items);
}

static int collect(const char *root, const char *layout, char *const *refs,
		   size_t n, struct save_item **out, struct vmctl_err *err)
{
	struct save_item *items = calloc(n + 1, sizeof(*items));
	if (!items)
		return vmctl_error(err, ENOMEM, "save");
	for (size_t i = 0; i < n; i++) {
		cleanup_free char *text = NULL;
		int r = image_lookup(root, refs[i], &items[i].desc,
				     items[i].name, sizeof(items[i].name), err);
		if (r == 0)
			r = oci_blob_read(layout, items[i].desc.digest, &text,
					  NULL, err);
		if (r == 0)
			r = oci_manifest_parse(text, &items[i].m, err);
		/* What leaves the store is checked: the config here, the
		 * manifest above. */
		cleanup_free char *config = NULL;
		if (r == 0)
			r = oci_blob_read(layout, items[i].m.config.digest,
					  &config, NULL, err);
		if (r < 0) {
			items_free(items, n);
			return r;
		}
	}
	*out = items;
	return 0;
}

/* The digests of every blob of the items, each once. */
static char **item_blobs(const struct save_item *items, size_t n)
{
	char **v = calloc(1, sizeof(char *));
	for (size_t i = 0; v && i < n; i++) {
		const struct oci_manifest *m = &items[i].m;
		const char *want[2] = {items[i].desc.digest, m->config.digest};
		for (size_t k = 0; k < 2 + m->n_layers; k++) {
			const char *d =
			    k < 2 ? want[k] : m->layers[k - 2].digest;
			bool seen = false;
			for (size_t j = 0; v[j]; j++)
				seen |= !strcmp(v[j], d);
			if (!seen && strv_push(&v, d) < 0) {
				strv_free(v);
				return NULL;
			}
		}
	}
	return v;
}

static char *saved_index(const struct save_item *items, size_t n)
{
	struct oci_index idx = {0};
	for (size_t i = 0; i < n; i++)
		if (oci_index_add(&idx, &items[i].desc,
				  items[i].name[0] ? items[i].name : NULL,
				  items[i].name[0] ? items[i].name : NULL) <
		    0) {
			oci_index_free(&idx);
			return NULL;
		}
	char *s = oci_index_build(&idx);
	oci_index_free(&idx);
	return s;
}

/* Docker's manifest.json: what `docker load` and skopeo's docker-archive
 * transport read. */
static char *docker_manifest(const struct save_item *items, size_t n)
{
	cJSON *arr = cJSON_CreateArray();
	char path[128];
	for (size_t i = 0; i < n; i++) {
		const struct oci_manifest *m = &items[i].m;
		cJSON *o = cJSON_CreateObject();
		snprintf(path, sizeof(path), "blobs/sha256/%s",
			 m->config.digest + 7);
		cJSON_AddStringToObject(o, "Config", path);
		cJSON *tags = cJSON_AddArrayToObject(o, "RepoTags");
		if (items[i].name[0])
			cJSON_AddItemToArray(tags,
					     cJSON_CreateString(items[i].name));
		cJSON *layers = cJSON_AddArrayToObject(o, "Layers");
		for (size_t k = 0; k < m->n_layers; k++) {
			snprintf(path, sizeof(path), "blobs/sha256/%s",
				 m->layers[k].digest + 7);
			cJSON_AddItemToArray(layers, cJSON_CreateString(path));
		}
		cJSON_AddItemToArray(arr, o);
	}
	char *s = cJSON_PrintUnformatted(arr);
	cJSON_Delete(arr);
	return s;
}

static int save_dir(const char *layout, const struct save_item *items, size_t n,
		    char *const *blobs, const char *out, struct vmctl_err *err)
{
	char src[PATH_MAX];
	int r = oci_layout_init(out, err);
	for (size_t i = 0; r == 0 && blobs[i]; i++) {
		if (oci_blob_exists(out, blobs[i]))
			continue;
		oci_blob_path(layout, blobs[i], src, sizeof(src));
		cleanup_close int fd = open(src, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return vmctl_error(err, errno, "opening blob %.19s",
					   blobs[i]);
		/* Copied through the digest check: a damaged store blob is
		 * not passed on. */
		r = oci_blob_put_fd(out, fd, blobs[i], NULL, NULL, err);
	}
	struct oci_index idx;
	if (r == 0)
		r = oci_index_load(out, &idx, err);
	for (size_t i = 0; r == 0 && i < n; i++) {
		const char *name = items[i].name[0] ? items[i].name : NULL;
		for (size_t k = idx.n; name && k-- > 0;)
			if (idx.v[k].name && !strcmp(idx.v[k].name, name))
				oci_index_remove(&idx, k);
		if (oci_index_add(&idx, &items[i].desc, name, name) < 0)
			r = vmctl_error(err, ENOMEM, "index");
	}
	if (r == 0) {
		r = oci_index_store(out, &idx, err);
		oci_index_free(&idx);
	}
	return r;
}

struct tar_out {
	const struct archive_api *ar;
	struct archive *a;
	struct archive_entry *e;
	struct vmctl_err *err;
};

static int tar_header(struct tar_out *t, const char *path, mode_t type,
		      int64_t size)
{
	t->ar->archive_entry_clear(t->e);
	t->ar->archive_entry_set_pathname(t->e, path);
	t->ar->archive_entry_set_filetype(t->e, type);
	t->ar->archive_entry_set_perm(t->e, type == AE_IFDIR ? 0755 : 0644);
	t->ar->archive_entry_set_size(t->e, size);
	if (t->ar->archive_write_header(t->a, t->e) < ARCHIVE_OK)
		return vmctl_errorf(t->err, EIO, "writing %s: %s", path,
				    t->ar->archive_error_string(t->a));
	return 0;
}

static int tar_text(struct tar_out *t, const char *path, const char *text)
{
	size_t len = strlen(text);
	int r = tar_header(t, path, AE_IFREG, (int64_t)len);
	if (r == 0 &&
	    t->ar->archive_write_data(t->a, text, len) != (la_ssize_t)len)
		r = vmctl_errorf(t->err, EIO, "writing %s", path);
	return r;
}

static int tar_blob(struct tar_out *t, const char *layout, const char *digest)
{
	char src[PATH_MAX], path[128], buf[1 << 16];
	struct stat st;
	oci_blob_path(layout, digest, src, sizeof(src));
	snprintf(path, sizeof(path), "blobs/sha256/%s", digest + 7);
	cleanup_close int fd = open(src, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0)
		return vmctl_error(t->err, errno, "opening blob %.19s", digest);
	int r = tar_header(t, path, AE_IFREG, st.st_size);
	for (ssize_t n; r == 0 && (n = read(fd, buf, sizeof(buf))) != 0;) {
		if (n < 0)
			return vmctl_error(t->err, errno, "reading blob %.19s",
					   digest);
		if (t->ar->archive_write_data(t->a, buf, (size_t)n) != n)
			r = vmctl_errorf(t->err, EIO, "writing %s", path);
	}
	return r;
}

static int write_tar(struct tar_out *t, const char *layout,
		     const struct save_item *items, size_t n,
		     char *const *blobs)
{
	cleanup_free char *index = saved_index(items, n);
	cleanup_free char *docker = docker_manifest(items, n);
	if (!index || !docker)
		return vmctl_error(t->err, ENOMEM, "save");
	int r = tar_text(t, "oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}");
	if (r == 0)
		r = tar_header(t, "blobs/", AE_IFDIR, 0);
	if (r == 0)
		r = tar_header(t, "blobs/sha256/", AE_IFDIR, 0);
	for (size_t i = 0; r == 0 && blobs[i]; i++)
		r = tar_blob(t, layout, blobs[i]);
	if (r == 0)
		r = tar_text(t, "index.json", index);
	if (r == 0)
		r = tar_text(t, "manifest.json", docker);
	if (r == 0 && t->ar->archive_write_close(t->a) != ARCHIVE_OK)
		r = vmctl_errorf(t->err, EIO, "finishing the archive: %s",
				 t->ar->archive_error_string(t->a));
	return r;
}

static int save_tar(const char *layout, const struct save_item *items, size_t n,
		    char *const *blobs, const char *out, struct vmctl_err *err)
{
	char tmp[PATH_MAX];
	struct tar_out t = {.err = err};
	if (xsnprintf(tmp, sizeof(tmp), "%s.tmp-%d", out, (int)getpid()) < 0)
		return vmctl_errorf(err, ENAMETOOLONG, "output path too long");
	t.ar = archive_dl(err);
	if (!t.ar)
		return -ELIBACC;
	cleanup_close int fd =
	    open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return vmctl_error(err, errno, "creating %s", tmp);
	t.a = t.ar->archive_write_new();
	t.e = t.ar->archive_entry_new();
	int r = 0;
	if (!t.a || !t.e)
		r = vmctl_error(err, ENOMEM, "libarchive");
	if (r == 0) {
		t.ar->archive_write_set_format_pax_restricted(t.a);
		if (t.ar->archive_write_open_fd(t.a, fd) != ARCHIVE_OK)
			r = vmctl_errorf(err, EIO, "%s: %s", out,
					 t.ar->archive_error_string(t.a));
	}
	if (r == 0)
		r = write_tar(&t, layout, items, n, blobs);
	if (t.e)
		t.ar->archive_entry_free(t.e);
	if (t.a)
		t.ar->archive_write_free(t.a);
	if (r == 0 && rename(tmp, out) < 0)
		r = vmctl_error(err, errno, "rename %s", out);
	if (r < 0)
		unlink(tmp);
	return r;
}

int image_save(const char *root, char *const *refs, size_t n, const char *out,
	       struct vmctl_err *err)
{
	char layout[PATH_MAX];
	struct save_item *items = NULL;
	struct stat st;
	if (store_layout_path(root, layout, sizeof(layout)) < 0)
		return vmctl_errorf(err, ENAMETOOLONG, "root path too long");
	int r = collect(root, layout, refs, n, &items, err);
	if (r < 0)
		return r;
	cleanup_strv char **blobs = item_blobs(items, n);
	analyzer_cleanup(blobs);
	size_t len = strlen(out);
	bool dir = (stat(out, &st) == 0 && S_ISDIR(st.st_mode)) ||
		   (len && out[len - 1] == '/');
	if (!blobs)
		r = vmctl_error(err, ENOMEM, "save");
	else if (dir)
		r = save_dir(layout, items, n, blobs, out, err);
	else
		r = save_tar(layout, items, n, blobs, out, err);
	items_free(items, n);
	return r;
}

/* --- load ------------------------------------------------------------------
 */

struct load {
	const char *root;
	char layout[PATH_MAX]; /* the store's */
	int src;	       /* the input directory */
	int lock;
	char repo[256]; /* for layouts that name only tags */
	void (*loaded)(const char *, void *);
	void *ctx;
	struct vmctl_err *err;
};

/* Opens rel beneath the input directory: symlinks in the input may point
 * within it (old docker-archives link duplicate layers) but never out. */
static int open_src(struct load *l, const char *rel)
{
	struct open_how how = {
	    .flags = O_RDONLY | O_CLOEXEC,
	    .resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS,
	};
	int fd = (int)syscall(SYS_openat2, l->src, rel, &how, sizeof(how));
	return fd < 0 ? -errno : fd;
}

static int read_src(struct load *l, const char *rel, char **out)
{
	cleanup_close int fd = open_src(l, rel);
	if (fd < 0)
		return vmctl_error(l->err, fd, "input: %s", rel);
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    st.st_size > OCI_MAX_JSON)
		return vmctl_errorf(l->err, EINVAL,
				    "input: %s: not a small regular file", rel);
	char *buf = malloc((size_t)st.st_size + 1);
	if (!buf)
		return vmctl_error(l->err, ENOMEM, "input");
	ssize_t n = read(fd, buf, (size_t)st.st_size);
	if (n != st.st_size) {
		free(buf);
		return vmctl_error(l->err, n < 0 ? errno : EIO, "reading %s",
				   rel);
	}
	buf[n] = '\0';
	*out = buf;
	return 0;
}

/* Copies an input file into the store's blobs (checked against expected
 * when given). */
static int put_src(struct load *l, const char *rel, const char *expected,
		   char *digest, int64_t *size)
{
	cleanup_close int fd = open_src(l, rel);
	if (fd < 0)
		return vmctl_error(l->err, fd, "input: %s", rel);
	int r = oci_blob_put_fd(l->layout, fd, expected, digest, size, l->err);
	return r < 0 ? vmctl_error_wrap(l->err, "%s", rel) : 0;
}

static int blob_rel(const char *digest, char *rel, size_t n)
{
	return oci_digest_valid(digest)
		   ? xsnprintf(rel, n, "blobs/sha256/%s", digest + 7)
		   : -EINVAL;
}

/* Reads a small blob of the input layout, checking its digest. */
static int read_src_blob(struct load *l, const char *digest, char **out)
{
	char rel[128], actual[OCI_DIGEST_LEN + 1];
	if (blob_rel(digest, rel, sizeof(rel)) < 0)
		return vmctl_errorf(l->err, EINVAL, "invalid digest '%s'",
				    digest);
	int r = read_src(l, rel, out);
	if (r < 0)
		return r;
	struct sha256_stream s;
	if (sha256_stream_init(&s) < 0 ||
	    sha256_stream_update(&s, *out, strlen(*out)) < 0 ||
	    sha256_stream_final(&s, actual) < 0) {
		sha256_stream_free(&s);
		return vmctl_error(l->err, EIO, "sha256");
	}
	if (strcmp(actual, digest)) {
		free(*out);
		*out = NULL;
		return vmctl_errorf(
		    l->err, EBADMSG,
		    "blob %s of the input is corrupt (its content is %s)",
		    digest, actual);
	}
	return 0;
}

void image_load_repo_from_path(const char *path, char *buf, size_t n)
{
	char tmp[PATH_MAX];
	snprintf(tmp, sizeof(tmp), "%s", path);
	size_t len = strlen(tmp);
	while (len > 1 && tmp[len - 1] == '/')
		tmp[--len] = '\0';
	const char *base = strrchr(tmp, '/') ? strrchr(tmp, '/') + 1 : tmp;
	size_t o = 0;
	for (const char *p = base; *p && *p != '.' && o + 1 < n; p++) {
		unsigned char c = (unsigned char)tolower((unsigned char)*p);
		buf[o++] = (isalnum(c) || c == '_' || c == '-') ? (char)c : '-';
	}
	while (o > 0 && (buf[o - 1] == '-' || buf[o - 1] == '_'))
		o--;
	buf[o] = '\0';
	if (o == 0 || !isalnum((unsigned char)buf[0]))
		snprintf(buf, n, "loaded");
}

static void loaded_name(struct load *l, const struct oci_index_entry *e,
			char *name, size_t n)
{
	struct vmctl_err ignored = {0};
	struct image_ref full;
	name[0] = '\0';
	/* containerd's full name, unless the OCI ref.name is a bare tag that
	 * disagrees with it: a tool that added a tag (umoci config --tag)
	 * copied the old manifest's annotation along.  Its repository then. */
	if (e->fullname && e->name && !strpbrk(e->name, ":/") &&
	    image_ref_parse(e->fullname, &full, &ignored) == 0 &&
	    strcmp(full.tag, e->name) != 0) {
		if (snprintf(name, n, "%s:%s", full.repo, e->name) > 0 &&
		    image_ref_name(name, name, n, &ignored) == 0)
			return;
		name[0] = '\0';
	}
	if (e->fullname && image_ref_name(e->fullname, name, n, &ignored) == 0)
		return;
	if (e->name && strpbrk(e->name, ":/") &&
	    image_ref_name(e->name, name, n, &ignored) == 0)
		return;
	if (e->name && snprintf(name, n, "%s:%s", l->repo, e->name) > 0 &&
	    image_ref_name(name, name, n, &ignored) == 0)
		return;
	name[0] = '\0';
}

/* Copies config and layers of one manifest into the store and imports it. */
static int load_manifest(struct load *l, const char *text, const char *name)
{
	struct oci_manifest m;
	char rel[128], id[OCI_DIGEST_LEN + 1];
	int r = oci_manifest_parse(text, &m, l->err);
	if (r < 0)
		return r;
	for (size_t i = 0; r == 0 && i <= m.n_layers; i++) {
		const char *d =
		    i == 0 ? m.config.digest : m.layers[i - 1].digest;
		if (oci_blob_exists(l->layout, d))
			continue;
		blob_rel(d, rel, sizeof(rel));
		r = put_src(l, rel, d, NULL, NULL);
	}
	oci_manifest_free(&m);
	if (r == 0)
		r = image_import(l->root, text, name[0] ? name : NULL, l->lock,
				 id, l->err);
	if (r == 0)
		l->loaded(name[0] ? name : id, l->ctx);
	return r;
}

/* A nested index (multi-platform image): the manifest for this machine. */
static int pick_platform(struct load *l, const char *digest, char **manifest)
{
	cleanup_free char *text = NULL;
	struct oci_index idx = {0};
	int r = read_src_blob(l, digest, &text);
	if (r == 0)
		r = oci_index_parse(text, &idx, l->err);
	if (r < 0)
		return r;
#if defined(__x86_64__)
	const char *want = "linux/amd64";
#elif defined(__aarch64__)
	const char *want = "linux/arm64";
#else
	const char *want = "";
#endif
	long pick = -1;
	for (size_t i = 0; i < idx.n && pick < 0; i++)
		if (!idx.v[i].platform || !strcmp(idx.v[i].platform, want))
			pick = (long)i;
	if (pick < 0)
		r = vmctl_errorf(l->err, ENOENT, "no %s image in the index",
				 want);
	else
		r = read_src_blob(l, idx.v[pick].manifest.digest, manifest);
	oci_index_free(&idx);
	return r;
}

static int load_oci(struct load *l)
{
	cleanup_free char *text = NULL;
	struct oci_index idx = {0};
	int r = read_src(l, "index.json", &text);
	if (r == 0)
		r = oci_index_parse(text, &idx, l->err);
	if (r < 0)
		return r;
	if (idx.n == 0)
		r = vmctl_errorf(l->err, ENOENT, "the input holds no image");
	for (size_t i = 0; r == 0 && i < idx.n; i++) {
		const struct oci_index_entry *e = &idx.v[i];
		cleanup_free char *manifest = NULL;
		char name[512];
		if (!strcmp(e->manifest.media_type, OCI_MT_INDEX) ||
		    !strcmp(e->manifest.media_type, DOCKER_MT_LIST))
			r = pick_platform(l, e->manifest.digest, &manifest);
		else
			r = read_src_blob(l, e->manifest.digest, &manifest);
		loaded_name(l, e, name, sizeof(name));
		if (r == 0)
			r = load_manifest(l, manifest, name);
	}
	oci_index_free(&idx);
	return r;
}

/* gzip and zstd by their magic numbers; anything else is taken as tar. */
static const char *layer_type_of(struct load *l, const char *rel)
{
	unsigned char magic[4] = {0};
	cleanup_close int fd = open_src(l, rel);
	if (fd < 0 || read(fd, magic, sizeof(magic)) < 2)
		return OCI_MT_LAYER;
	if (magic[0] == 0x1f && magic[1] == 0x8b)
		return OCI_MT_LAYER_GZIP;
	if (magic[0] == 0x28 && magic[1] == 0xb5 && magic[2] == 0x2f &&
	    magic[3] == 0xfd)
		return OCI_MT_LAYER_ZSTD;
	return OCI_MT_LAYER;
}

static int load_docker_item(struct load *l, const cJSON *item)
{
	const cJSON *cfg = cJSON_GetObjectItemCaseSensitive(item, "Config");
	const cJSON *layers = cJSON_GetObjectItemCaseSensitive(item, "Layers");
	const cJSON *tags = cJSON_GetObjectItemCaseSensitive(item, "RepoTags"),
		    *it;
	if (!cJSON_IsString(cfg) || !cJSON_IsArray(layers) ||
	    cJSON_GetArraySize(layers) > OCI_MAX_LAYERS)
		return vmctl_errorf(
		    l->err, EINVAL,
		    "manifest.json: an entry lacks Config or Layers");
	struct oci_descriptor config = {0};
	cleanup_free struct oci_descriptor *descs =
	    calloc((size_t)cJSON_GetArraySize(layers) + 1, sizeof(*descs));
	if (!descs)
		return vmctl_error(l->err, ENOMEM, "load");
	analyzer_cleanup(descs);
	snprintf(config.media_type, sizeof(config.media_type), "%s",
		 OCI_MT_CONFIG);
	int r = put_src(l, cfg->valuestring, NULL, config.digest, &config.size);
	size_t n = 0;
	cJSON_ArrayForEach(it, layers)
	{
		if (r < 0)
			break;
		if (!cJSON_IsString(it))
			return vmctl_errorf(l->err, EINVAL,
					    "manifest.json: bad layer path");
		snprintf(descs[n].media_type, sizeof(descs[n].media_type), "%s",
			 layer_type_of(l, it->valuestring));
		r = put_src(l, it->valuestring, NULL, descs[n].digest,
			    &descs[n].size);
		n++;
	}
	cleanup_free char *manifest =
	    r == 0 ? oci_manifest_build(&config, descs, n) : NULL;
	if (r == 0 && !manifest)
		r = vmctl_error(l->err, ENOMEM, "load");
	char name[512] = "";
	size_t named = 0;
	const cJSON *tag_list = cJSON_IsArray(tags) ? tags : NULL;
	cJSON_ArrayForEach(it, tag_list)
	{
		struct vmctl_err ignored = {0};
		if (r < 0 || !cJSON_IsString(it) ||
		    image_ref_name(it->valuestring, name, sizeof(name),
				   &ignored) < 0)
			continue;
		r = load_manifest(l, manifest, name);
		named++;
	}
	if (r == 0 && !named) {
		name[0] = '\0';
		r = load_manifest(l, manifest, name);
	}
	return r;
}

static int load_docker(struct load *l)
{
	cleanup_free char *text = NULL;
	int r = read_src(l, "manifest.json", &text);
	if (r < 0)
		return r;
	cJSON *j = cJSON_Parse(text), *it;
	if (!cJSON_IsArray(j) || cJSON_GetArraySize(j) == 0) {
		cJSON_Delete(j);
		return vmctl_errorf(
		    l->err, EINVAL,
		    "manifest.json: not a docker-archive manifest");
	}
	cJSON_ArrayForEach(it, j)
	{
		if ((r = load_docker_item(l, it)) < 0)
			break;
	}
	cJSON_Delete(j);
	return r;
}

static bool src_has(struct load *l, const char *rel)
{
	struct stat st;
	return fstatat(l->src, rel, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

static int load_from_dir(struct load *l, const char *dir)
{
	l->src = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (l->src < 0)
		return vmctl_error(l->err, errno, "opening %s", dir);
	int r;
	if (src_has(l, "index.json"))
		r = load_oci(l);
	else if (src_has(l, "manifest.json"))
		r = load_docker(l);
	else
		r = vmctl_errorf(
		    l->err, EINVAL,
		    "%s is neither an OCI image layout nor a docker-archive",
		    dir);
	close(l->src);
	return r;
}

/* The tar is unpacked with the layer rules (nothing outside, sizes bounded,
 * no devices), whiteouts left alone: it is a container of blobs, not a
 * layer. */
static int unpack_input(const char *in, const char *tmp, struct vmctl_err *err)
{
	struct layer_limits lim = layer_default_limits;
	struct layer_stats stats;
	lim.plain = true;
	cleanup_close int fd = open(in, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return vmctl_error(err, errno, "opening %s", in);
	if (mkdir(tmp, 0700) < 0)
		return vmctl_error(err, errno, "mkdir %s", tmp);
	int r = layer_unpack_fd(fd, tmp, &lim, &stats, err);
	return r < 0 ? vmctl_error_wrap(err, "%s", in) : 0;
}

int image_load(const char *root, const char *in,
	       void (*loaded)(const char *, void *), void *ctx,
	       struct vmctl_err *err)
{
	struct load l = {.root = root,
			 .src = -1,
			 .lock = -1,
			 .loaded = loaded,
			 .ctx = ctx,
			 .err = err};
	char tmpdir[PATH_MAX], tmp[PATH_MAX];
	struct stat st;
	if (stat(in, &st) < 0)
		return vmctl_error(err, errno, "%s", in);
	if (store_layout_path(root, l.layout, sizeof(l.layout)) < 0 ||
	    xsnprintf(tmpdir, sizeof(tmpdir), "%s/tmp", root) < 0 ||
	    xsnprintf(tmp, sizeof(tmp), "%s/load-%d", tmpdir, (int)getpid()) <
		0)
		return vmctl_errorf(err, ENAMETOOLONG, "root path too long");
	image_load_repo_from_path(in, l.repo, sizeof(l.repo));
	int r = oci_layout_init(l.layout, err);
	if (r < 0)
		return r;
	/* Held from the first blob copied to the last name written, so that a
	 * concurrent rmi's collection never takes blobs of an image on its
	 * way in. */
	l.lock = oci_layout_lock(l.layout, err);
	if (l.lock < 0)
		return l.lock;
	if ((r = mkdir_p(tmpdir, 0700)) < 0) {
		close(l.lock);
		return vmctl_error(err, r, "mkdir %s", tmpdir);
	}
	rm_rf(tmp);
	if (S_ISDIR(st.st_mode))
		r = load_from_dir(&l, in);
	else if ((r = unpack_input(in, tmp, err)) == 0)
		r = load_from_dir(&l, tmp);
	rm_rf(tmp);
	/* A refused image leaves no blobs behind. */
	struct vmctl_err ignored = {0};
	if (r < 0)
		store_gc(root, &ignored);
	close(l.lock);
	return r;
}
