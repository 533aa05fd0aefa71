/* commit.h - new images on top of existing ones: `vmctl commit` (a run's
 * writable layer becomes a read-only layer) and every step of `vmctl build`.
 *
 * A derived image is its parent's manifest with at most one more layer and
 * a new config: the parent's config JSON with the edits applied, the new
 * layer's diff_id appended and one history entry (created_by, and
 * empty_layer when no layer was added).  The layer is written uncompressed
 * (its digest is its diff_id) and everything goes into the store through
 * image_import(), under the layout lock.  The parent is never modified.
 */
#ifndef VMCTL_IMAGES_COMMIT_H
#define VMCTL_IMAGES_COMMIT_H

#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"
#include "diff.h"

/* Changes to the parent's config ("config" object); NULL fields keep it. */
struct image_config_edit {
	char *const *env_set;	 /* "K=V": replace K or append */
	const char *workdir;	 /* absolute */
	char *const *cmd;	 /* with set_cmd: the new Cmd (NULL: none) */
	char *const *entrypoint; /* with set_entrypoint */
	bool set_cmd, set_entrypoint;
};

/* The config of the derived image.  diff_id NULL: no layer (the history
 * entry gets empty_layer).  A parent whose history covers fewer layers
 * than it has gets entries for the missing ones, so that `history` still
 * pairs rows with layers.  Setting an Entrypoint drops an inherited Cmd, as
 * Docker does.  Pure; NULL with err filled on malformed parent JSON. */
char *image_config_derive(const char *parent_json, const char *diff_id,
			  const struct image_config_edit *edit,
			  const char *created_by, const char *comment,
			  int64_t created, struct vmctl_err *err);

struct image_derive_opts {
	const char *layer_dir; /* an overlay upper dir or a staged tree;
				  NULL: no new layer */
	const char *created_by, *comment;
	const struct image_config_edit *edit; /* may be NULL */
	const char *name; /* "repo:tag", or NULL for an untagged image */
};

/* Makes the image; id_out (OCI_DIGEST_LEN + 1 bytes) gets its id. */
int image_derive(const char *root, const char *parent_id,
		 const struct image_derive_opts *o, char *id_out,
		 struct vmctl_err *err);

/* `vmctl diff`: the changes of the run key (name or id) against its image.
 * Refuses VM runs (their writes stay on the VM's own disk copy). */
int run_diff(const char *root, const char *key, struct layer_changes *out,
	     struct vmctl_err *err);

/* `vmctl commit`: the run's writable layer as a new image named name
 * (NULL: untagged).  The run must have exited (-EBUSY otherwise): a layer
 * taken while the workload writes could be half a change.  created_by is
 * the run's command, comment the message given (may be NULL). */
int run_commit(const char *root, const char *key, const char *name,
	       const char *comment, char *id_out, struct vmctl_err *err);

#endif
