/* util.h - small helpers shared by every part of vmctl. */
#ifndef VMCTL_UTIL_H
#define VMCTL_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"

/* CLOCK_MONOTONIC in nanoseconds. */
int64_t now_ns(void);

/* Parses a Docker-style size ("512m", "1g", "64k", "1048576", "1.5g") into
 * bytes.  Returns 0 or -EINVAL / -ERANGE. */
int parse_size(const char *s, uint64_t *out);

#define VMCTL_DEFAULT_ROOT "/var/lib/vmctl"

/* The state/image root: $VMCTL_ROOT, else VMCTL_DEFAULT_ROOT. */
const char *vmctl_root(void);

/* The running binary's absolute path (/proc/self/exe). */
int vmctl_exe_path(char *buf, size_t n);
/* The vmctl a user runs: our own path, except in vmctl-full (which the
 * static bin/vmctl hands some commands to), where it is the bin/vmctl beside
 * it (source tree) or <prefix>/bin/vmctl (installed in <prefix>/lib/vmctl). */
int vmctl_front_path(char *buf, size_t n);

/* Finds a file shipped with vmctl (e.g. "bin/vmctl-init",
 * "images/kernel/build.sh", "scripts/demo/kernels"): first relative to the
 * source tree the running binary was built in (<exe>/../REL), then installed,
 * <exe>/../lib/vmctl/REL without a leading "bin/" or "images/" (so
 * lib/vmctl/vmctl-init, lib/vmctl/kernel/..., lib/vmctl/scripts/demo/...).
 * Returns 0 and fills buf, or -ENOENT. */
int vmctl_data_path(const char *rel, char *buf, size_t n);

/* mkdir -p with mode; existing directories are fine. */
int mkdir_p(const char *path, mode_t mode);

/* rm -rf that never crosses a mount point and never follows symlinks. */
int rm_rf(const char *path);

/* The names in the directory dfd (no ".", ".."), sorted bytewise: a
 * malloc'd NULL-terminated vector (free with strv_free). */
int dir_names_sorted(int dfd, char ***out);

/* Removes (rm_rf) all but the `keep` most recently modified entries of dir
 * whose name starts with prefix and, when name_len is not 0, is exactly
 * name_len bytes long.  Returns how many went, or -errno. */
int dir_keep_newest(const char *dir, const char *prefix, size_t name_len,
		    size_t keep);

/* Whole-file helpers.  read_file NUL-terminates and returns a malloc'd buffer. */
int read_file(const char *path, char **out, size_t *len);
int write_file(const char *path, const void *data, size_t len, mode_t mode);
/* write() until all of data is out (EINTR retried).  0 or -errno. */
int write_full(int fd, const void *data, size_t len);
/* Writes atomically: a temp file in the same directory, fsync-free rename. */
int write_file_atomic(const char *path, const void *data, size_t len,
		      mode_t mode);

/* Copies len bytes from in to out at their offsets: copy_file_range(), or
 * read()/write() where it cannot (EXDEV between file system types, e.g. the
 * store on ext4 and a tmpfs).  Returns 0 or -errno (-EIO on a short file). */
int copy_fd_bytes(int in, int out, uint64_t len);

/* Copies src to dst (created 0600 or truncated) keeping its holes; dst is
 * removed on failure.  Returns 0 or a negative errno with err filled. */
int copy_file_sparse(const char *src, const char *dst, struct vmctl_err *err);

/* snprintf that reports truncation as -ENAMETOOLONG. */
int xsnprintf(char *buf, size_t n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
