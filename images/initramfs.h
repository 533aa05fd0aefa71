/* initramfs.h - the micro-VM's root file system as an uncompressed cpio.
 *
 * The archive the guest kernel gets is two cpio archives back to back (the
 * kernel unpacks concatenated archives in order):
 *   1. the image part: the flattened layers, the guest init as
 *      /vmctl/init, and the mount points / device nodes the init needs.
 *      It depends only on the layers and the init binary, so it is built
 *      once and cached under $VMCTL_ROOT/cache/initramfs/<key>.cpio;
 *   2. the run part: /vmctl/config (argv, env, workdir, hostname; format in
 *      vmm/milestone.h), a few hundred bytes, written for every run.
 * The kernel must boot with rdinit=/vmctl/init (vm_run adds it).
 */
#ifndef VMCTL_IMAGES_INITRAMFS_H
#define VMCTL_IMAGES_INITRAMFS_H

#include <stddef.h>

#include "common/error.h"

struct initramfs_workload {
	char *const *argv;    /* NULL-terminated, argv[0] required */
	char *const *env;     /* NULL-terminated "K=V", may be NULL */
	const char *workdir;  /* NULL: "/" */
	const char *hostname; /* NULL: "vmctl" */
	const char *user;     /* the image's User; NULL or "": root */
};

/* Writes out_path (created or replaced) = image part + run part.
 * layer_dirs[0] is the top-most layer.  Returns 0 or a negative errno. */
int initramfs_build(const char *const *layer_dirs, size_t n_layers,
		    const char *init_path, const struct initramfs_workload *wl,
		    const char *out_path, struct vmctl_err *err);

/* --- the pieces, for tests and for callers that cache differently ------- */

/* The serialized /vmctl/config.  Returns the length written to buf, or
 * -ENAMETOOLONG if it does not fit, -EINVAL if argv is empty. */
int initramfs_config_format(const struct initramfs_workload *wl, char *buf,
			    size_t n);

/* The image part alone, built if needed, in the cache: its path in path.
 * With a hand-off (vmm/devices/handoff.h) it is the whole initramfs: the
 * workload's config then travels through the monitor. */
int initramfs_cached_image(const char *const *layer_dirs, size_t n_layers,
			   const char *init_path, char *path, size_t pathlen,
			   struct vmctl_err *err);

/* Builds the image part into path (atomically: temp file + rename). */
int initramfs_build_image(const char *const *layer_dirs, size_t n_layers,
			  const char *init_path, const char *path,
			  struct vmctl_err *err);

/* Appends the run part (a complete cpio archive) to fd. */
int initramfs_write_run_part(int fd, const struct initramfs_workload *wl,
			     struct vmctl_err *err);

#endif
