/* rootfs.h - applies a mount plan inside the container's mount namespace.
 *
 * Runs in the cloned child (PID 1 of the new pid namespace) before the
 * workload starts; needs CAP_SYS_ADMIN in a private mount namespace.
 */
#ifndef VMCTL_ROOTFS_H
#define VMCTL_ROOTFS_H

#include <stdbool.h>

#include "container/mountplan.h"

/* Where a failure happened, for the message sent back to the parent. */
struct rootfs_fail {
	int err;	   /* positive errno */
	const char *what;  /* "mount", "pivot_root", ... */
	const char *where; /* the path concerned */
};

/* Called once, right before the first step that mounts sysfs (or after the
 * last step when none does): a fresh sysfs shows the network namespace of
 * whoever mounts it, and the caller joins that namespace only then
 * (container/init.c: another process makes it meanwhile). */
struct rootfs_hook {
	void (*before_sysfs)(void *arg);
	void *arg;
};

/* Makes / private, mounts the overlay on plan->rootfs (on a tmpfs first for
 * an ephemeral layer), pivots into it and applies every step, calling the
 * hook (may be NULL) where it says.  Returns 0 or -errno with *fail filled. */
int rootfs_setup(const struct mount_plan *plan, const struct rootfs_hook *hook,
		 struct rootfs_fail *fail);

/* Resolves path inside the root rootfd without ever leaving it (openat2
 * RESOLVE_IN_ROOT), creating missing parents as directories and the last
 * component as a directory (dir) or an empty file.  Returns an O_PATH fd or
 * -errno.  Used for volume targets; exposed for tests. */
int rootfs_open_target(int rootfd, const char *path, bool dir);

#endif
