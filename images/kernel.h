/* kernel.h - vmctl's guest kernel: locate the cached build, or build it.
 *
 * The kernel is built by images/kernel/build.sh from Debian's
 * linux-source-6.1 with a pinned config fragment and patch set, and cached
 * under ${VMCTL_KERNEL_CACHE:-$VMCTL_ROOT/kernel}/<key>/vmlinux where <key>
 * hashes every input; this file computes the same key in C.
 */
#ifndef VMCTL_IMAGES_KERNEL_H
#define VMCTL_IMAGES_KERNEL_H

#include <stddef.h>

#include "common/error.h"

/* 0 and the cached vmlinux's path; -ENOENT (saying how to build) if absent. */
int guest_kernel_locate(char *path, size_t n, struct vmctl_err *err);

/* Runs build.sh (its progress on the inherited stderr); 0 or -errno. */
int guest_kernel_build(struct vmctl_err *err);

/* The cache directory: $VMCTL_KERNEL_CACHE, else $VMCTL_ROOT/kernel. */
int guest_kernel_cache_dir(char *buf, size_t n);

/* The cache key for the recipe in kernel_dir (16 hex digits + NUL). */
int guest_kernel_key(const char *kernel_dir, char *key, size_t n);

#endif
