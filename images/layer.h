/* layer.h - image layers: tar archives in, overlay lower directories out.
 *
 * A layer blob (tar, tar+gzip or tar+zstd) is unpacked with libarchive
 * (loaded by dlopen, images/archive_dl.h) into a fresh directory that is
 * renamed into place only when the whole layer was applied and its digests
 * checked: <root>/layers/<diff_id hex>/ either exists complete or not at all.
 *
 * Layers are hostile input.  The rules, each with a reason:
 *  - Paths: relative, no ".." component, at most max_path bytes; a leading
 *    "/" or "./" is refused resp. dropped.  Every parent directory is opened
 *    with openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_XDEV)
 *    (an O_NOFOLLOW walk where openat2 is missing), so no entry lands
 *    outside the layer, even through a symlink an earlier entry planted.
 *    Files are created O_EXCL | O_NOFOLLOW: never written through a link.
 *  - Symlinks are stored as they are (any target): they are never followed
 *    while unpacking, and inside a container they resolve in its root.
 *  - Hard links must name an entry of the same layer (same path rules); the
 *    link is made with linkat() without following, from a parent opened
 *    beneath the layer, so it can never reach a host file.
 *  - Device nodes are skipped (counted in stats): a device node in a layer
 *    would be a door to host hardware for whoever opens it in the container;
 *    the runtime provides /dev, so images never need their own.  Skipping
 *    rather than failing keeps old base images (which carry /dev/console)
 *    loadable.  A 0/0 character device is not a device but overlay's
 *    whiteout and is kept as one.  Sockets are skipped; FIFOs are created.
 *  - setuid/setgid bits are kept on regular files only when the recorded
 *    owner could be set (vmctl runs as root): images need them (su, ping),
 *    and the store is 0700 so no host user can reach those files.  Without
 *    chown they are dropped: a setuid file owned by the wrong user would
 *    grant that user's rights.
 *  - xattrs: only user.* and security.capability are applied; trusted.*
 *    (overlay's own metadata: opaque, redirect, metacopy) never comes from
 *    a layer, or a layer could rewrite how overlay merges the others.
 *  - Sizes: total file bytes, entry count and path length are bounded.
 *  - Whiteouts (OCI): ".wh.<name>" becomes a 0/0 character device <name>,
 *    ".wh..wh..opq" the xattr trusted.overlay.opaque=y on its directory
 *    (overlay's forms).  Other ".wh.*" names are refused.
 */
#ifndef VMCTL_IMAGES_LAYER_H
#define VMCTL_IMAGES_LAYER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/error.h"

struct layer_limits {
	uint64_t max_bytes;   /* sum of all regular files' sizes */
	uint64_t max_entries; /* tar headers */
	size_t max_path;      /* bytes in one entry's path */
	bool plain;	      /* not a layer (a saved archive): no whiteouts */
};

/* 64 GiB, 4 Mi entries, 4095 bytes. */
extern const struct layer_limits layer_default_limits;

struct layer_stats {
	uint64_t bytes, entries;
	uint64_t devices_skipped, setid_dropped, xattrs_skipped;
	char digest[72]; /* sha256 of the blob's bytes as read */
};

/* --- pure decisions (unit-tested) ----------------------------------------- */

/* Normalizes a tar path into out ("./a//b/" -> "a/b"; "." -> "").  Returns 0,
 * or -EINVAL with *why set for absolute paths, ".." components and paths
 * longer than max_path. */
int layer_path_clean(const char *in, char *out, size_t n, size_t max_path,
		     const char **why);

enum layer_whiteout {
	LAYER_WH_NONE = 0, /* an ordinary name */
	LAYER_WH_FILE,	   /* ".wh.<name>": hide <name> of the layers below */
	LAYER_WH_OPAQUE,   /* ".wh..wh..opq": hide the whole directory below */
	LAYER_WH_INVALID,  /* ".wh." with nothing or a reserved name after it */
};
/* Classifies the last component of a path; *target points into name. */
enum layer_whiteout layer_whiteout_kind(const char *name, const char **target);

/* The permission bits to apply (from the entry's mode): setuid/setgid are
 * kept on regular files only when ownership could be applied. */
mode_t layer_entry_mode(mode_t type, mode_t perm, bool owner_applied,
			bool *dropped);

/* True for the xattrs a layer may set. */
bool layer_xattr_allowed(const char *name);

/* --- unpacking ------------------------------------------------------------ */

/* Applies the tar archive read from fd to dest (an existing, empty
 * directory).  The archive may be gzip or zstd compressed.  On failure dest
 * is left for the caller to remove. */
int layer_unpack_fd(int fd, const char *dest, const struct layer_limits *lim,
		    struct layer_stats *stats, struct vmctl_err *err);

/* Like layer_unpack_fd but atomic: unpacks into a temp dir beside dest and
 * renames it to dest only on success (removing it otherwise).  When
 * expected_digest is given, the blob's bytes must hash to it; when diff_id
 * is given, the uncompressed tar must (the OCI config's rootfs.diff_ids).
 * An existing dest is left as is. */
int layer_unpack_atomic(const char *blob_path, const char *dest,
			const char *expected_digest, const char *diff_id,
			const struct layer_limits *lim,
			struct layer_stats *stats, struct vmctl_err *err);

/* sha256 of the uncompressed tar in fd ("sha256:<hex>"). */
int layer_diff_id_fd(int fd, char *digest, struct vmctl_err *err);

/* --- writing (layer_write.c) ---------------------------------------------- */

/* True for overlay's whiteout in an upper directory: a 0/0 character
 * device (it hides the entry of that name in the layers below).  Pure. */
bool layer_is_overlay_whiteout(mode_t mode, dev_t rdev);

/* The OCI tar path of a deletion in the directory dir ("" or "a/b/"):
 * "<dir>.wh.<name>", or with name NULL the opaque marker
 * "<dir>.wh..wh..opq".  -ENAMETOOLONG when it does not fit.  Pure. */
int layer_oci_whiteout_path(const char *dir, const char *name, char *buf,
			    size_t n);

/* Writes dir as a deterministic tar layer to out_fd: entries sorted by
 * name, every mtime set to mtime, owners as on disk; overlay whiteouts
 * (0/0 char devices, opaque dirs) become OCI ".wh." entries.  gzip-compressed
 * when gzip.  */
int layer_write_dir(const char *dir, int out_fd, bool gzip, int64_t mtime,
		    struct vmctl_err *err);

#endif
