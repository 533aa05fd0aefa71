/* archive_dl.h - libarchive, loaded with dlopen() at first use.
 *
 * vmctl's container start is measured in milliseconds and merely linking
 * libarchive costs 1.3 ms at every exec (its own dependencies included), so
 * bin/vmctl never links it: the image commands that read or write tar
 * archives call archive_dl() first and go through the returned table.  The
 * prototypes still come from libarchive's headers (libarchive-dev), so every
 * call is type-checked as if it were linked.
 */
#ifndef VMCTL_IMAGES_ARCHIVE_DL_H
#define VMCTL_IMAGES_ARCHIVE_DL_H

#include <archive.h>
#include <archive_entry.h>

#include "common/error.h"

/* X(name): every libarchive function vmctl uses. */
#define ARCHIVE_DL_FUNCS(X)                                                    \
	X(archive_error_string)                                                \
	X(archive_errno)                                                       \
	X(archive_filter_code)                                                 \
	X(archive_read_new)                                                    \
	X(archive_read_free)                                                   \
	X(archive_read_support_format_tar)                                     \
	X(archive_read_support_format_raw)                                     \
	X(archive_read_support_filter_gzip)                                    \
	X(archive_read_support_filter_zstd)                                    \
	X(archive_read_open)                                                   \
	X(archive_read_open_fd)                                                \
	X(archive_read_open_memory)                                            \
	X(archive_read_next_header)                                            \
	X(archive_read_data)                                                   \
	X(archive_read_data_skip)                                              \
	X(archive_entry_new)                                                   \
	X(archive_entry_free)                                                  \
	X(archive_entry_clear)                                                 \
	X(archive_entry_pathname)                                              \
	X(archive_entry_filetype)                                              \
	X(archive_entry_perm)                                                  \
	X(archive_entry_size)                                                  \
	X(archive_entry_symlink)                                               \
	X(archive_entry_hardlink)                                              \
	X(archive_entry_uid)                                                   \
	X(archive_entry_gid)                                                   \
	X(archive_entry_mtime)                                                 \
	X(archive_entry_rdevmajor)                                             \
	X(archive_entry_rdevminor)                                             \
	X(archive_entry_xattr_reset)                                           \
	X(archive_entry_xattr_next)                                            \
	X(archive_entry_set_pathname)                                          \
	X(archive_entry_set_size)                                              \
	X(archive_entry_set_filetype)                                          \
	X(archive_entry_set_perm)                                              \
	X(archive_entry_set_symlink)                                           \
	X(archive_entry_set_hardlink)                                          \
	X(archive_entry_set_mtime)                                             \
	X(archive_entry_set_uid)                                               \
	X(archive_entry_set_gid)                                               \
	X(archive_entry_set_rdevmajor)                                         \
	X(archive_entry_set_rdevminor)                                         \
	X(archive_write_new)                                                   \
	X(archive_write_free)                                                  \
	X(archive_write_set_format_pax_restricted)                             \
	X(archive_write_add_filter_gzip)                                       \
	X(archive_write_set_bytes_in_last_block)                               \
	X(archive_write_open_fd)                                               \
	X(archive_write_header)                                                \
	X(archive_write_data)                                                  \
	X(archive_write_close)

struct archive_api {
#define ARCHIVE_DL_MEMBER(name) __typeof__(name) *name;
	ARCHIVE_DL_FUNCS(ARCHIVE_DL_MEMBER)
#undef ARCHIVE_DL_MEMBER
};

/* The table, loading libarchive.so.13 on the first call (thread-safe).
 * NULL with err filled when the library or one of its functions is missing. */
const struct archive_api *archive_dl(struct vmctl_err *err);

#endif
