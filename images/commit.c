/* commit.c - derived images: a parent, maybe one more layer, a new config. */
#include "commit.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/state.h"
#include "common/strv.h"
#include "common/util.h"
#include "layer.h"
#include "oci.h"
#include "store.h"

static cJSON *string_array(char *const *v)
{
	cJSON *a = cJSON_CreateArray();
	for (size_t i = 0; a && v && v[i]; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(v[i]));
	return a;
}

/* Env: "K=V" replaces the entry for K, else is appended. */
static void env_apply(cJSON *cfg, char *const *set)
{
	cJSON *env = cJSON_GetObjectItemCaseSensitive(cfg, "Env");
	if (!cJSON_IsArray(env)) {
		cJSON_DeleteItemFromObjectCaseSensitive(cfg, "Env");
		env = cJSON_AddArrayToObject(cfg, "Env");
	}
	for (size_t i = 0; set[i]; i++) {
		size_t klen = strcspn(set[i], "=") + 1;
		int idx = 0, found = -1;
		const cJSON *e;
		cJSON_ArrayForEach(e, env)
		{
			if (found < 0 && cJSON_IsString(e) &&
			    !strncmp(e->valuestring, set[i], klen))
				found = idx;
			idx++;
		}
		if (found >= 0)
			cJSON_ReplaceItemInArray(env, found,
						 cJSON_CreateString(set[i]));
		else
			cJSON_AddItemToArray(env, cJSON_CreateString(set[i]));
	}
}

static void replace_field(cJSON *obj, const char *key, cJSON *value)
{
	cJSON_DeleteItemFromObjectCaseSensitive(obj, key);
	cJSON_AddItemToObject(obj, key, value);
}

static void config_edit_apply(cJSON *cfg, const struct image_config_edit *e)
{
	if (e->env_set)
		env_apply(cfg, e->env_set);
	if (e->workdir)
		replace_field(cfg, "WorkingDir",
			      cJSON_CreateString(e->workdir));
	if (e->set_entrypoint) {
		replace_field(cfg, "Entrypoint",
			      e->entrypoint ? string_array(e->entrypoint)
					    : cJSON_CreateNull());
		if (!e->set_cmd)
			replace_field(cfg, "Cmd", cJSON_CreateNull());
	}
	if (e->set_cmd)
		replace_field(cfg, "Cmd",
			      e->cmd ? string_array(e->cmd)
				     : cJSON_CreateNull());
}

static cJSON *history_entry(const char *when, const char *created_by,
			    const char *comment, bool empty)
{
	cJSON *h = cJSON_CreateObject();
	cJSON_AddStringToObject(h, "created", when);
	if (created_by)
		cJSON_AddStringToObject(h, "created_by", created_by);
	if (comment && *comment)
		cJSON_AddStringToObject(h, "comment", comment);
	if (empty)
		cJSON_AddBoolToObject(h, "empty_layer", true);
	return h;
}

/* Pads the history so that its non-empty entries cover every layer. */
static void history_pad(cJSON *hist, int n_layers)
{
	int covered = 0;
	const cJSON *h;
	cJSON_ArrayForEach(h, hist)
	{
		covered += !cJSON_IsTrue(
		    cJSON_GetObjectItemCaseSensitive(h, "empty_layer"));
	}
	for (; covered < n_layers; covered++)
		cJSON_AddItemToArray(hist, cJSON_CreateObject());
}

char *image_config_derive(const char *parent_json, const char *diff_id,
			  const struct image_config_edit *edit,
			  const char *created_by, const char *comment,
			  int64_t created, struct vmctl_err *err)
{
	cJSON *j = cJSON_Parse(parent_json);
	cJSON *rootfs = cJSON_GetObjectItemCaseSensitive(j, "rootfs");
	cJSON *ids = cJSON_GetObjectItemCaseSensitive(rootfs, "diff_ids");
	if (!cJSON_IsObject(j) || !cJSON_IsArray(ids)) {
		cJSON_Delete(j);
		vmctl_errorf(err, EINVAL, "parent image config is malformed");
		return NULL;
	}
	char when[32];
	oci_time_format(created, when, sizeof(when));
	replace_field(j, "created", cJSON_CreateString(when));
	cJSON *cfg = cJSON_GetObjectItemCaseSensitive(j, "config");
	if (!cJSON_IsObject(cfg)) {
		cJSON_DeleteItemFromObjectCaseSensitive(j, "config");
		cfg = cJSON_AddObjectToObject(j, "config");
	}
	if (edit)
		config_edit_apply(cfg, edit);
	cJSON *hist = cJSON_GetObjectItemCaseSensitive(j, "history");
	if (!cJSON_IsArray(hist)) {
		cJSON_DeleteItemFromObjectCaseSensitive(j, "history");
		hist = cJSON_AddArrayToObject(j, "history");
	}
	history_pad(hist, cJSON_GetArraySize(ids));
	if (diff_id)
		cJSON_AddItemToArray(ids, cJSON_CreateString(diff_id));
	cJSON_AddItemToArray(
	    hist, history_entry(when, created_by, comment, diff_id == NULL));
	char *text = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	if (!text)
		vmctl_error(err, ENOMEM, "image config");
	return text;
}

/* dir as a tar blob of the layout (its digest is also its diff_id). */
static int put_layer(const char *root, const char *layout, const char *dir,
		     struct oci_descriptor *d, struct vmctl_err *err)
{
	char tmpdir[PATH_MAX], tar[PATH_MAX];
	if (xsnprintf(tmpdir, sizeof(tmpdir), "%s/tmp", root) < 0 ||
	    xsnprintf(tar, sizeof(tar), "%s/layer.tmp-%d.tar", tmpdir,
		      (int)getpid()) < 0)
		return vmctl_errorf(err, ENAMETOOLONG, "store path too long");
	int r = mkdir_p(tmpdir, 0700);
	if (r < 0)
		return vmctl_error(err, r, "mkdir %s", tmpdir);
	cleanup_close int fd =
	    open(tar, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return vmctl_error(err, errno, "creating %s", tar);
	r = layer_write_dir(dir, fd, false, (int64_t)time(NULL), err);
	if (r == 0 && lseek(fd, 0, SEEK_SET) < 0)
		r = vmctl_error(err, errno, "lseek");
	snprintf(d->media_type, sizeof(d->media_type), "%s", OCI_MT_LAYER);
	if (r == 0)
		r = oci_blob_put_fd(layout, fd, NULL, d->digest, &d->size, err);
	unlink(tar);
	return r;
}

static int put_config(const char *layout, const char *parent_cfg,
		      const char *diff_id, const struct image_derive_opts *o,
		      struct oci_descriptor *d, struct vmctl_err *err)
{
	cleanup_free char *cfg =
	    image_config_derive(parent_cfg, diff_id, o->edit, o->created_by,
				o->comment, (int64_t)time(NULL), err);
	if (!cfg)
		return -EINVAL;
	snprintf(d->media_type, sizeof(d->media_type), "%s", OCI_MT_CONFIG);
	d->size = (int64_t)strlen(cfg);
	return oci_blob_put(layout, cfg, strlen(cfg), NULL, d->digest, err);
}

/* Under the layout lock from the first blob to the name (as base.c):
 * a concurrent rmi's collection cannot take the blobs of a half-made
 * image. */
static int derive_locked(const char *root, const char *layout, int lock,
			 const struct oci_manifest *m, const char *parent_cfg,
			 const struct image_derive_opts *o, char *id_out,
			 struct vmctl_err *err)
{
	size_t n = m->n_layers;
	cleanup_free struct oci_descriptor *layers =
	    calloc(n + 1, sizeof(*layers));
	if (!layers)
		return vmctl_error(err, ENOMEM, "image manifest");
	analyzer_cleanup(layers);
	memcpy(layers, m->layers, n * sizeof(*layers));
	int r = 0;
	if (o->layer_dir) {
		if (n >= OCI_MAX_LAYERS)
			return vmctl_errorf(err, E2BIG,
					    "an image has at most %u layers",
					    OCI_MAX_LAYERS);
		r = put_layer(root, layout, o->layer_dir, &layers[n++], err);
	}
	struct oci_descriptor config = {0};
	if (r == 0)
		r = put_config(layout, parent_cfg,
			       o->layer_dir ? layers[n - 1].digest : NULL, o,
			       &config, err);
	cleanup_free char *manifest =
	    r == 0 ? oci_manifest_build(&config, layers, n) : NULL;
	if (r == 0 && !manifest)
		r = vmctl_error(err, ENOMEM, "image manifest");
	if (r == 0)
		r = image_import(root, manifest, o->name, lock, id_out, err);
	return r;
}

int image_derive(const char *root, const char *parent_id,
		 const struct image_derive_opts *o, char *id_out,
		 struct vmctl_err *err)
{
	char layout[PATH_MAX];
	if (store_layout_path(root, layout, sizeof(layout)) < 0)
		return vmctl_errorf(err, ENAMETOOLONG, "root path too long");
	if (o->name) {
		char canon[512];
		int r = image_ref_name(o->name, canon, sizeof(canon), err);
		if (r < 0)
			return r;
	}
	cleanup_close int lock = oci_layout_lock(layout, err);
	if (lock < 0)
		return lock;
	struct oci_manifest m;
	struct oci_config c;
	int r = image_read_oci(root, parent_id, &m, &c, NULL, err);
	if (r < 0)
		return r;
	oci_config_free(&c);
	cleanup_free char *parent_cfg = NULL;
	size_t len;
	r = oci_blob_read(layout, m.config.digest, &parent_cfg, &len, err);
	if (r == 0)
		r = derive_locked(root, layout, lock, &m, parent_cfg, o, id_out,
				  err);
	oci_manifest_free(&m);
	return r;
}

/* The run's record, its upper dir and its image, for diff and commit. */
static int open_run(const char *root, const char *key, struct ctr_state *st,
		    struct image *img, char *upper, struct vmctl_err *err)
{
	int r = state_find(root, key, st, err);
	if (r < 0)
		return r;
	if (st->mode != MODE_CONTAINER)
		r = vmctl_errorf(
		    err, ENOTSUP,
		    "%s is a --mode=vm run: its writes stay on the "
		    "VM's own disk; diff and commit need a "
		    "container run",
		    st->name);
	else if (!st->image_id)
		r = vmctl_errorf(err, ENOENT, "%s records no image id",
				 st->name);
	else if (xsnprintf(upper, PATH_MAX, "%s/upper", st->dir) < 0)
		r = vmctl_errorf(err, ENAMETOOLONG, "path too long");
	else if (access(upper, F_OK) < 0)
		r = vmctl_error(err, errno,
				"%s has no writable layer (not started?)",
				st->name);
	if (r == 0) {
		r = image_open(root, st->image_id, img, err);
		if (r < 0)
			vmctl_error_wrap(err, "the image of %s", st->name);
	}
	if (r < 0)
		ctr_state_free(st);
	return r;
}

int run_diff(const char *root, const char *key, struct layer_changes *out,
	     struct vmctl_err *err)
{
	struct ctr_state st;
	struct image img = {0};
	char upper[PATH_MAX];
	int r = open_run(root, key, &st, &img, upper, err);
	if (r < 0)
		return r;
	r = layer_diff(upper, (const char *const *)img.layer_dirs, img.n_layers,
		       out, err);
	image_free(&img);
	ctr_state_free(&st);
	return r;
}

/* The run's command as Docker's history shows it: argv joined by spaces. */
static char *join_argv(char *const *argv)
{
	size_t len = 1;
	for (size_t i = 0; argv && argv[i]; i++)
		len += strlen(argv[i]) + 1;
	char *s = calloc(1, len);
	for (size_t i = 0; s && argv && argv[i]; i++) {
		if (i)
			strcat(s, " ");
		strcat(s, argv[i]);
	}
	return s;
}

int run_commit(const char *root, const char *key, const char *name,
	       const char *comment, char *id_out, struct vmctl_err *err)
{
	struct ctr_state st;
	struct image img = {0};
	char upper[PATH_MAX];
	int r = open_run(root, key, &st, &img, upper, err);
	if (r < 0)
		return r;
	if (st.status != ST_EXITED && state_owner_alive(&st))
		r = vmctl_errorf(err, EBUSY,
				 "%s is running: commit takes the writable "
				 "layer of an exited run (wait for it, or "
				 "rm -f it)",
				 st.name);
	cleanup_free char *by = r == 0 ? join_argv(st.argv) : NULL;
	analyzer_cleanup(by);
	if (r == 0 && !by)
		r = vmctl_error(err, ENOMEM, "commit");
	struct image_derive_opts o = {.layer_dir = upper,
				      .created_by = by,
				      .comment = comment,
				      .name = name};
	if (r == 0)
		r = image_derive(root, st.image_id, &o, id_out, err);
	image_free(&img);
	ctr_state_free(&st);
	return r;
}
