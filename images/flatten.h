/* flatten.h - merge OCI/overlay image layers into one plain directory tree.
 *
 * Both the initramfs builder (images/initramfs.c) and the ext4 disk builder
 * start from the merged view of an image's layers.  layers_flatten() applies
 * the layers bottom-most first onto dest_dir, honouring the two whiteout
 * conventions:
 *   - OCI/AUFS: a file ".wh.<name>" deletes <name> of the layers below, and
 *     ".wh..wh..opq" in a directory hides everything below in that directory;
 *   - overlayfs: a 0:0 character device named <name> deletes <name>, and the
 *     xattr trusted.overlay.opaque="y" on a directory makes it opaque.
 * Symlinks are copied as symlinks, never followed.  Regular files are
 * hard-linked when the layer and dest_dir are on the same file system (so
 * treat dest_dir as read-only afterwards) and copied otherwise.
 */
#ifndef VMCTL_IMAGES_FLATTEN_H
#define VMCTL_IMAGES_FLATTEN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

#include "common/error.h"

/* dest_dir must not exist yet or be an empty directory.  layer_dirs[0] is
 * the top-most layer.  Returns 0 or a negative errno with err filled. */
int layers_flatten(const char *const *layer_dirs, size_t n,
		   const char *dest_dir, struct vmctl_err *err);

/* --- pure decisions, exposed for unit tests ------------------------------ */

#define WHITEOUT_PREFIX ".wh."
#define WHITEOUT_OPAQUE ".wh..wh..opq"

enum entry_kind {
	ENTRY_NORMAL = 0, /* an ordinary entry to copy */
	ENTRY_WHITEOUT,	  /* deletes the entry named by *target below */
	ENTRY_OPAQUE,	  /* marker: the containing directory is opaque */
	ENTRY_INVALID,	  /* ".", "..", "/" in a name, ".wh." alone ... */
};

/* Classifies a directory entry of a layer.  For ENTRY_WHITEOUT, *target
 * points into name (the part after ".wh.") or to name itself for an
 * overlayfs 0:0 char-device whiteout.  st may be NULL for name-only checks. */
enum entry_kind flatten_classify(const char *name, const struct stat *st,
				 const char **target);

enum merge_action {
	MERGE_CREATE = 0, /* nothing below: create it */
	MERGE_DESCEND,	  /* directory over directory: merge the contents */
	MERGE_REPLACE, /* anything else: the upper entry wins, remove lower */
};

/* What to do with an upper entry of type upper_mode (st_mode) when the merged
 * tree already has an entry of type lower_mode there (0: nothing). */
enum merge_action flatten_merge_action(mode_t upper_mode, mode_t lower_mode);

#endif
