/* cleanup.c - container_cleanup(): what a kill -9'd vmctl left behind. */
#include <errno.h>
#include <stdio.h>
#include <sys/mount.h>
#include <time.h>

#include "container/cgroup.h"
#include "container/container.h"

int container_cleanup(const char *id, const char *state_dir,
		      struct vmctl_err *err)
{
	char rootfs[4096];
	int r;

	if (!id || !id[0])
		return vmctl_errorf(err, EINVAL, "no container id");
	/* The cgroup first: killing its processes ends the container's
	 * mount namespace, which holds the overlay. */
	r = cgroup_remove_id(id, err);
	if (state_dir) {
		int n =
		    snprintf(rootfs, sizeof(rootfs), "%s/rootfs", state_dir);
		/* Normally the overlay lived only in the container's own mount
		 * namespace; this catches one that leaked into ours.  Lazy, so
		 * a busy mount cannot make cleanup fail. */
		if (n > 0 && (size_t)n < sizeof(rootfs) &&
		    umount2(rootfs, MNT_DETACH | UMOUNT_NOFOLLOW) < 0 &&
		    errno != EINVAL && errno != ENOENT && r == 0)
			r = vmctl_error(err, errno, "unmount %s", rootfs);
	}
	return r;
}

int container_reap_orphans(const char *const *keep, size_t n)
{
	return cgroup_remove_orphans(keep, n,
				     time(NULL) - CONTAINER_ORPHAN_AGE_S);
}
