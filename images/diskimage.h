/* diskimage.h - an ext4 disk image of an image's layers, for virtio-blk.
 *
 * No loop mount and no root-only kernel interface: the layers are merged
 * into a staging directory (layers_flatten()) and mke2fs (e2fsprogs) builds
 * the file system from it in user space (`mke2fs -d`).  The image has no
 * journal (a scratch root for one run), no resize_inode (nothing grows it
 * online) and no metadata_csum (checksums cost the emulated guest kernel CPU
 * on every metadata block, for a disk nobody else mounts).
 */
#ifndef VMCTL_IMAGES_DISKIMAGE_H
#define VMCTL_IMAGES_DISKIMAGE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/error.h"

#define DISK_BLOCK 4096ULL
#define DISK_INODE_SIZE 256ULL

/* Builds out_path (replaced atomically) from layer_dirs, top-most first, at
 * least min_size bytes (0: just what the tree needs plus headroom).
 * Returns 0 or a negative errno with err filled. */
int disk_image_build(const char *const *layer_dirs, size_t n,
		     const char *out_path, uint64_t min_size,
		     struct vmctl_err *err);

/* --- pure decisions, exposed for unit tests ------------------------------ */

/* What a directory tree needs on ext4 with 4 KiB blocks. */
struct disk_usage {
	uint64_t inodes;      /* entries, the top directory included */
	uint64_t data_blocks; /* blocks of regular-file and long-symlink data */
	uint64_t dirs;
	uint64_t dirent_bytes; /* directory entry bytes across all dirs */
};

/* Accounts for one entry of the tree (name: its basename; the top
 * directory is added with an empty name). */
void disk_usage_add(struct disk_usage *u, mode_t mode, uint64_t size,
		    size_t name_len);

struct disk_geometry {
	uint64_t bytes;	 /* image size, a multiple of 1 MiB */
	uint64_t inodes; /* for mke2fs -N */
};

/* Size and inode count for a tree of usage u: the data and metadata, plus
 * headroom for what the guest writes, and never less than min_size. */
void disk_image_geometry(const struct disk_usage *u, uint64_t min_size,
			 struct disk_geometry *g);

/* The same geometry grown for a retry after mke2fs ran out of space. */
void disk_geometry_grow(struct disk_geometry *g);

#endif
