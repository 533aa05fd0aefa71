/* mountplan.h - what the container's filesystem looks like, decided purely.
 *
 * mount_plan_build() turns a container_config into an ordered list of steps;
 * it touches no file system, so it is unit-tested without root.  The executor
 * (rootfs.c) mounts the overlay root, pivots into it and then applies the
 * steps in order, every target being a path inside the container.
 */
#ifndef VMCTL_MOUNTPLAN_H
#define VMCTL_MOUNTPLAN_H

#include <stddef.h>
#include <sys/types.h>

#include "common/error.h"

struct container_config;

enum mount_op {
	MOP_MOUNT, /* mount(source, target, fstype, flags, data) */
	MOP_BIND,  /* recursive bind of a HOST path (volume); MS_RDONLY: ro */
	MOP_READONLY,  /* bind target onto itself, then remount it read-only */
	MOP_MASK_FILE, /* bind /dev/null over target */
	MOP_MASK_DIR,  /* empty read-only tmpfs over target */
	MOP_MKNOD,     /* character device major:minor with mode */
	MOP_SYMLINK,   /* target -> source */
	MOP_MKDIR,     /* directory with mode */
};

/* step->opts */
#define MSTEP_OPTIONAL 0x1 /* skip silently when the target does not exist */

struct mount_step {
	enum mount_op op;
	const char *source; /* MOP_MOUNT: fs source; MOP_BIND: host path;
			       MOP_SYMLINK: link contents */
	const char *target; /* absolute path inside the container */
	const char *fstype;
	unsigned long flags; /* MS_* */
	const char *data;
	mode_t mode;
	unsigned major, minor;
	unsigned opts; /* MSTEP_* */
};

struct mount_plan {
	char *
	    overlay_opts; /* "lowerdir=top:...:bottom,upperdir=..,workdir=.." */
	char *rootfs;	  /* state_dir/rootfs: where the overlay goes */
	char *upper, *work; /* state_dir/upper, state_dir/work */
	/* Ephemeral layer: a tmpfs mounted on scratch (state_dir itself, in
	 * the container's mount namespace only) holding upper/, work/ and
	 * rootfs/; scratch_opts its mount data.  NULL otherwise. */
	char *scratch, *scratch_opts;
	struct mount_step *steps;
	size_t n_steps;
};

/* Builds the plan.  Validates what it is given (layers present, paths
 * absolute, no characters overlayfs options cannot carry).  Returns 0 or
 * -errno with err filled.  Free with mount_plan_free(). */
int mount_plan_build(const struct container_config *cfg,
		     struct mount_plan *plan, struct vmctl_err *err);
void mount_plan_free(struct mount_plan *plan);

/* Mountpoint-relevant helpers, exposed for the tests. */
const char *const *mount_plan_masked_paths(void);
const char *const *mount_plan_readonly_paths(void);

#endif
