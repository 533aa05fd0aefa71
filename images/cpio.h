/* cpio.h - a writer for the "newc" cpio format (what the Linux initramfs
 * unpacker reads), byte-compatible with `cpio -o -H newc --reproducible`.
 *
 * Inode numbers are renumbered from 0 in archive order and device numbers
 * are 0, so the output depends only on the tree's contents.  Regular files
 * are always written with nlink=1 and their full data (no hard-link
 * deduplication: the kernel's unpacker would only relink them).
 */
#ifndef VMCTL_IMAGES_CPIO_H
#define VMCTL_IMAGES_CPIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/error.h"

#define CPIO_HEADER_LEN 110
#define CPIO_TRAILER "TRAILER!!!"
#define CPIO_BLOCK 512 /* GNU cpio pads the archive to this */

struct cpio_entry {
	const char *name; /* relative, no leading "/" or "./" ("." for root) */
	uint32_t mode;	  /* st_mode, type bits included */
	uint32_t uid, gid;
	uint32_t nlink;
	uint64_t mtime;
	uint64_t size; /* data bytes that follow (symlink: target length) */
	uint32_t rdev_major, rdev_minor;
};

/* --- pure ---------------------------------------------------------------- */

/* Bytes of padding after `offset` to the next multiple of 4. */
static inline size_t cpio_pad4(uint64_t offset)
{
	return (size_t)((4 - (offset & 3)) & 3);
}

/* Formats the header, name and name padding of entry e (written at archive
 * offset `offset`, a multiple of 4) into buf.  Returns the byte count, or
 * -ENAMETOOLONG if buf is too small, -EFBIG if a field does not fit. */
int cpio_format_header(char *buf, size_t n, uint32_t ino,
		       const struct cpio_entry *e);

/* --- writer -------------------------------------------------------------- */

struct cpio_writer {
	int fd;
	uint64_t offset; /* bytes emitted so far (buffered included) */
	uint32_t next_ino;
	size_t used;
	char buf[65536];
};

void cpio_writer_init(struct cpio_writer *w, int fd, uint32_t first_ino);

/* Appends one entry whose data is in memory (data may be NULL if size 0). */
int cpio_add(struct cpio_writer *w, const struct cpio_entry *e,
	     const void *data, struct vmctl_err *err);

/* Appends a regular file entry, streaming e->size bytes from data_fd. */
int cpio_add_fd(struct cpio_writer *w, const struct cpio_entry *e, int data_fd,
		struct vmctl_err *err);

/* Appends the tree at dir, depth-first, entries sorted by name (C locale),
 * as "prefix/rel" (prefix NULL or "": plain rel).  With include_root, the
 * directory itself comes first as prefix (or ".").  Symlinks are archived,
 * not followed.  Sockets are skipped. */
int cpio_add_tree(struct cpio_writer *w, const char *dir, const char *prefix,
		  bool include_root, struct vmctl_err *err);

/* Writes the trailer, pads to CPIO_BLOCK and flushes. */
int cpio_finish(struct cpio_writer *w, struct vmctl_err *err);

#endif
