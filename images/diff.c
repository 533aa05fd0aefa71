/* diff.c - a container's writable layer against its image (see diff.h). */
#include "diff.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/strv.h"
#include "common/util.h"
#include "layer.h"

void layer_changes_free(struct layer_changes *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->v[i].path);
	free(c->v);
	c->v = NULL;
	c->n = 0;
}

char layer_change_kind(bool whiteout, bool in_lower)
{
	if (whiteout)
		return 'D';
	return in_lower ? 'C' : 'A';
}

static bool is_opaque(int dfd)
{
	char v[2];
	return fgetxattr(dfd, "trusted.overlay.opaque", v, 1) == 1 &&
	       v[0] == 'y';
}

enum lookup_step { STEP_FOUND, STEP_HIDDEN, STEP_BELOW };

/* One layer's say on rel: found, hidden (whiteout, opaque parent, a
 * non-directory parent) or nothing (look below). */
static int lookup_in_layer(const char *layer, const char *rel, struct stat *st)
{
	char buf[PATH_MAX];
	if (xsnprintf(buf, sizeof(buf), "%s", rel) < 0)
		return -ENAMETOOLONG;
	cleanup_close int dfd = open(layer, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return -errno;
	bool opaque_parent = false;
	char *save = NULL;
	for (char *c = strtok_r(buf, "/", &save); c;
	     c = strtok_r(NULL, "/", &save)) {
		bool last = save == NULL || *save == '\0';
		if (fstatat(dfd, c, st, AT_SYMLINK_NOFOLLOW) < 0) {
			if (errno != ENOENT && errno != ENOTDIR)
				return -errno;
			return opaque_parent ? STEP_HIDDEN : STEP_BELOW;
		}
		if (layer_is_overlay_whiteout(st->st_mode, st->st_rdev))
			return STEP_HIDDEN;
		if (last)
			return STEP_FOUND;
		if (!S_ISDIR(st->st_mode))
			return STEP_HIDDEN; /* a file where a parent should be
					     */
		int sub = openat(
		    dfd, c, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub < 0)
			return -errno;
		close(dfd);
		dfd = sub;
		opaque_parent |= is_opaque(dfd);
	}
	return STEP_FOUND; /* rel was "": the root */
}

int layers_lookup(const char *const *layer_dirs, size_t n, const char *rel,
		  struct stat *st)
{
	for (size_t i = 0; i < n; i++) {
		int r = lookup_in_layer(layer_dirs[i], rel, st);
		if (r < 0)
			return r;
		if (r == STEP_FOUND)
			return 1;
		if (r == STEP_HIDDEN)
			return 0;
	}
	return 0;
}

struct diff_walk {
	const char *const *layers;
	size_t n_layers;
	struct layer_changes *out;
	struct vmctl_err *err;
};

static int add_change(struct diff_walk *w, char kind, const char *rel)
{
	struct layer_change *v =
	    realloc(w->out->v, (w->out->n + 1) * sizeof(*v));
	if (!v)
		return vmctl_error(w->err, ENOMEM, "diff");
	w->out->v = v;
	if (!(v[w->out->n].path = malloc(strlen(rel) + 2)))
		return vmctl_error(w->err, ENOMEM, "diff");
	v[w->out->n].kind = kind;
	strcpy(stpcpy(v[w->out->n].path, "/"), rel);
	w->out->n++;
	return 0;
}

/* within_new: the directory was added, so everything in it is new too. */
static int diff_dir(struct diff_walk *w, int dfd, const char *prefix,
		    bool within_new)
{
	cleanup_strv char **names = NULL;
	int r = dir_names_sorted(dfd, &names);
	if (r < 0)
		return vmctl_error(w->err, r, "listing /%s", prefix);
	for (size_t i = 0; r == 0 && names[i]; i++) {
		char rel[PATH_MAX];
		struct stat st, below = {0};
		if (xsnprintf(rel, sizeof(rel), "%s%s", prefix, names[i]) < 0)
			return vmctl_errorf(w->err, ENAMETOOLONG,
					    "path too long: /%s", prefix);
		if (fstatat(dfd, names[i], &st, AT_SYMLINK_NOFOLLOW) < 0)
			return vmctl_error(w->err, errno, "stat /%s", rel);
		bool wh = layer_is_overlay_whiteout(st.st_mode, st.st_rdev);
		int in_lower = 0;
		if (!within_new) {
			in_lower =
			    layers_lookup(w->layers, w->n_layers, rel, &below);
			if (in_lower < 0)
				return vmctl_error(
				    w->err, in_lower,
				    "looking up /%s in the image", rel);
		}
		if (wh && !in_lower)
			continue; /* hides nothing: nothing to report */
		char kind = layer_change_kind(wh, in_lower);
		if ((r = add_change(w, kind, rel)) < 0 || !S_ISDIR(st.st_mode))
			continue;
		cleanup_close int sub =
		    openat(dfd, names[i],
			   O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub < 0)
			return vmctl_error(w->err, errno, "opening /%s", rel);
		char sub_prefix[PATH_MAX];
		snprintf(sub_prefix, sizeof(sub_prefix), "%s/", rel);
		/* below an opaque directory nothing of the image shows */
		r = diff_dir(w, sub, sub_prefix,
			     kind == 'A' || !S_ISDIR(below.st_mode) ||
				 is_opaque(sub));
	}
	return r;
}

int layer_diff(const char *upper, const char *const *layer_dirs, size_t n,
	       struct layer_changes *out, struct vmctl_err *err)
{
	memset(out, 0, sizeof(*out));
	cleanup_close int dfd = open(upper, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return vmctl_error(err, errno, "opening %s", upper);
	struct diff_walk w = {layer_dirs, n, out, err};
	int r = diff_dir(&w, dfd, "", false);
	if (r < 0)
		layer_changes_free(out);
	return r;
}
