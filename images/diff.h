/* diff.h - what a container's writable layer changed, as `docker diff` shows.
 *
 * A container-mode run keeps overlay's upper directory in its record
 * (<root>/containers/<id>/upper) until `vmctl rm`.  Every entry there is a
 * change against the image's layers: a whiteout (0/0 character device) is a
 * deletion (D), a name that exists in the image is a change (C), anything
 * else was added (A).  Directories that only hold changes show as C, the
 * way Docker reports the parents of changed files.  A directory made opaque
 * (removed, then made again) shows as C with its new entries as A; the old
 * entries it hides are not listed one by one.
 */
#ifndef VMCTL_IMAGES_DIFF_H
#define VMCTL_IMAGES_DIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

#include "common/error.h"

struct layer_change {
	char kind;  /* 'A', 'C' or 'D' */
	char *path; /* absolute inside the image: "/etc/passwd" */
};

struct layer_changes {
	struct layer_change *v; /* sorted by path (bytewise, parents first) */
	size_t n;
};

void layer_changes_free(struct layer_changes *c);

/* The kind of an upper-directory entry.  Pure. */
char layer_change_kind(bool whiteout, bool in_lower);

/* Finds rel ("etc/passwd") in the merged view of layer dirs (top-most
 * first), as overlay would: the top-most layer that has the path decides,
 * a whiteout or an opaque parent directory hides what lies below.  Never
 * follows a symlink.  Returns 1 and fills *st when it exists, 0 when not,
 * -errno on an error other than a missing name. */
int layers_lookup(const char *const *layer_dirs, size_t n, const char *rel,
		  struct stat *st);

/* Lists the changes of upper against layer dirs (top-most first). */
int layer_diff(const char *upper, const char *const *layer_dirs, size_t n,
	       struct layer_changes *out, struct vmctl_err *err);

#endif
