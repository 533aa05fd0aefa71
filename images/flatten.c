/* flatten.c - merge image layers into one directory (see flatten.h).
 *
 * Every file system operation is relative to an open directory fd, and every
 * directory is opened with O_NOFOLLOW: a symlink in a layer (or one left in
 * dest by a lower layer) is an entry to copy or replace, never a path to walk
 * through, so a hostile layer cannot make us write outside dest_dir.
 */
#include "images/flatten.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/util.h"

#define OVERLAY_OPAQUE_XATTR "trusted.overlay.opaque"

enum entry_kind flatten_classify(const char *name, const struct stat *st,
				 const char **target)
{
	size_t plen = strlen(WHITEOUT_PREFIX);

	*target = NULL;
	if (!name[0] || strchr(name, '/') || !strcmp(name, ".") ||
	    !strcmp(name, ".."))
		return ENTRY_INVALID;
	if (!strcmp(name, WHITEOUT_OPAQUE))
		return ENTRY_OPAQUE;
	if (!strncmp(name, WHITEOUT_PREFIX, plen)) {
		const char *t = name + plen;
		if (!t[0] || !strcmp(t, ".") || !strcmp(t, ".."))
			return ENTRY_INVALID;
		*target = t;
		return ENTRY_WHITEOUT;
	}
	/* overlayfs stores a deletion as a character device 0:0 */
	if (st && S_ISCHR(st->st_mode) && st->st_rdev == makedev(0, 0)) {
		*target = name;
		return ENTRY_WHITEOUT;
	}
	return ENTRY_NORMAL;
}

enum merge_action flatten_merge_action(mode_t upper_mode, mode_t lower_mode)
{
	if (lower_mode == 0)
		return MERGE_CREATE;
	if (S_ISDIR(upper_mode) && S_ISDIR(lower_mode))
		return MERGE_DESCEND;
	return MERGE_REPLACE;
}

/* --- the file system edge ------------------------------------------------ */

struct flatten_ctx {
	struct vmctl_err *err;
	const char *layer;  /* for messages */
	char rel[PATH_MAX]; /* path being processed, relative to the layer */
};

static int fail(struct flatten_ctx *c, int errnum, const char *what)
{
	return vmctl_error(c->err, errnum, "flatten %s: %s %s", c->layer, what,
			   c->rel[0] ? c->rel : ".");
}

static int open_dir_at(int dirfd, const char *name)
{
	return openat(dirfd, name,
		      O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

static int remove_at(int dirfd, const char *name);

/* Empties the directory open as fd (not crossing into symlinks). */
static int clear_dir(int fd)
{
	int dup_fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	if (dup_fd < 0)
		return -errno;
	cleanup_closedir DIR *d = fdopendir(dup_fd);
	if (!d) {
		close(dup_fd);
		return -errno;
	}
	struct dirent *de;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		int r = remove_at(fd, de->d_name);
		if (r < 0)
			return r;
	}
	return 0;
}

/* rm -rf of one entry; a missing entry is fine. */
static int remove_at(int dirfd, const char *name)
{
	if (unlinkat(dirfd, name, 0) == 0 || errno == ENOENT)
		return 0;
	if (errno != EISDIR && errno != EPERM)
		return -errno;
	cleanup_close int fd = open_dir_at(dirfd, name);
	if (fd < 0)
		return -errno;
	int r = clear_dir(fd);
	if (r < 0)
		return r;
	if (unlinkat(dirfd, name, AT_REMOVEDIR) < 0)
		return -errno;
	return 0;
}

/* Owner, mode and times of st onto an entry (by fd, or by name when fd<0). */
static int copy_meta(int fd, int dirfd, const char *name, const struct stat *st)
{
	struct timespec times[2] = {st->st_atim, st->st_mtim};

	if (fd >= 0) {
		/* chown before chmod: chown clears set-id bits */
		if (fchown(fd, st->st_uid, st->st_gid) < 0 ||
		    fchmod(fd, st->st_mode & 07777) < 0 ||
		    futimens(fd, times) < 0)
			return -errno;
		return 0;
	}
	if (fchownat(dirfd, name, st->st_uid, st->st_gid, AT_SYMLINK_NOFOLLOW) <
	    0)
		return -errno;
	if (!S_ISLNK(st->st_mode) &&
	    fchmodat(dirfd, name, st->st_mode & 07777, 0) < 0)
		return -errno;
	if (utimensat(dirfd, name, times, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	return 0;
}

static int copy_data(int in, int out, off_t size)
{
	while (size > 0) {
		ssize_t n =
		    copy_file_range(in, NULL, out, NULL, (size_t)size, 0);
		if (n < 0 && (errno == EXDEV || errno == ENOSYS ||
			      errno == EOPNOTSUPP || errno == EINVAL))
			break; /* fall back to read/write below */
		if (n < 0)
			return -errno;
		if (n == 0)
			return 0; /* the file shrank under us */
		size -= n;
	}
	char buf[65536];
	for (;;) {
		ssize_t n = read(in, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : 0;
		int r = write_full(out, buf, (size_t)n);
		if (r < 0)
			return r;
	}
}

static int copy_regular(int src_dir, int dst_dir, const char *name,
			const struct stat *st)
{
	/* Same file system: share the inode; the layer store is immutable. */
	if (linkat(src_dir, name, dst_dir, name, 0) == 0)
		return 0;
	if (errno != EXDEV && errno != EPERM && errno != EMLINK)
		return -errno;
	cleanup_close int in =
	    openat(src_dir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (in < 0)
		return -errno;
	cleanup_close int out =
	    openat(dst_dir, name,
		   O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (out < 0)
		return -errno;
	int r = copy_data(in, out, st->st_size);
	if (r < 0)
		return r;
	return copy_meta(out, -1, NULL, st);
}

static int copy_symlink(int src_dir, int dst_dir, const char *name,
			const struct stat *st)
{
	char target[PATH_MAX];
	ssize_t n = readlinkat(src_dir, name, target, sizeof(target) - 1);
	if (n < 0)
		return -errno;
	target[n] = '\0';
	/* The target is stored verbatim; it is resolved only inside the
	 * guest/container root, never by us. */
	if (symlinkat(target, dst_dir, name) < 0)
		return -errno;
	return copy_meta(-1, dst_dir, name, st);
}

static int copy_node(int dst_dir, const char *name, const struct stat *st)
{
	if (mknodat(dst_dir, name, st->st_mode & (S_IFMT | 0777), st->st_rdev) <
	    0)
		return -errno;
	return copy_meta(-1, dst_dir, name, st);
}

static int apply_dir(struct flatten_ctx *c, int src, int dst);

static int push_rel(struct flatten_ctx *c, const char *name, size_t *saved)
{
	*saved = strlen(c->rel);
	int n = snprintf(c->rel + *saved, sizeof(c->rel) - *saved, "%s%s",
			 *saved ? "/" : "", name);
	if (n < 0 || (size_t)n >= sizeof(c->rel) - *saved)
		return fail(c, ENAMETOOLONG, "path");
	return 0;
}

static int descend(struct flatten_ctx *c, int src_dir, int dst_dir,
		   const char *name, const struct stat *st, bool create)
{
	/* 0700 while filling, so a read-only directory can still be filled;
	 * the layer's mode is applied afterwards. */
	if (create && mkdirat(dst_dir, name, 0700) < 0)
		return fail(c, errno, "mkdir");
	cleanup_close int src = open_dir_at(src_dir, name);
	if (src < 0)
		return fail(c, errno, "open");
	cleanup_close int dst = open_dir_at(dst_dir, name);
	if (dst < 0)
		return fail(c, errno, "open dest");
	int r = apply_dir(c, src, dst);
	if (r < 0)
		return r;
	r = copy_meta(dst, -1, NULL, st);
	return r < 0 ? fail(c, r, "set owner/mode/times of") : 0;
}

static int apply_entry(struct flatten_ctx *c, int src_dir, int dst_dir,
		       const char *name, const struct stat *st)
{
	struct stat lower;
	mode_t lower_mode = 0;
	int r = 0;

	if (fstatat(dst_dir, name, &lower, AT_SYMLINK_NOFOLLOW) == 0)
		lower_mode = lower.st_mode;
	else if (errno != ENOENT)
		return fail(c, errno, "stat dest");

	switch (flatten_merge_action(st->st_mode, lower_mode)) {
	case MERGE_DESCEND:
		return descend(c, src_dir, dst_dir, name, st, false);
	case MERGE_REPLACE:
		r = remove_at(dst_dir, name);
		if (r < 0)
			return fail(c, r, "remove lower");
		break;
	case MERGE_CREATE:
		break;
	}

	switch (st->st_mode & S_IFMT) {
	case S_IFDIR:
		return descend(c, src_dir, dst_dir, name, st, true);
	case S_IFREG:
		r = copy_regular(src_dir, dst_dir, name, st);
		break;
	case S_IFLNK:
		r = copy_symlink(src_dir, dst_dir, name, st);
		break;
	case S_IFCHR:
	case S_IFBLK:
	case S_IFIFO:
		r = copy_node(dst_dir, name, st);
		break;
	default:
		return 0; /* sockets are meaningless in an image */
	}
	return r < 0 ? fail(c, r, "copy") : 0;
}

static bool dir_is_opaque(int src)
{
	char v = 0;
	if (faccessat(src, WHITEOUT_OPAQUE, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
		return true;
	return fgetxattr(src, OVERLAY_OPAQUE_XATTR, &v, 1) == 1 && v == 'y';
}

static int apply_one(struct flatten_ctx *c, int src, int dst, const char *name)
{
	struct stat st;
	const char *target;

	if (fstatat(src, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return fail(c, errno, "stat");
	switch (flatten_classify(name, &st, &target)) {
	case ENTRY_WHITEOUT: {
		int r = remove_at(dst, target);
		return r < 0 ? fail(c, r, "apply whiteout") : 0;
	}
	case ENTRY_NORMAL:
		return apply_entry(c, src, dst, name, &st);
	case ENTRY_OPAQUE:
	case ENTRY_INVALID:
		break;
	}
	return 0;
}

/* Applies the contents of layer directory src onto merged directory dst. */
static int apply_dir(struct flatten_ctx *c, int src, int dst)
{
	if (dir_is_opaque(src)) {
		int r = clear_dir(dst);
		if (r < 0)
			return fail(c, r, "clear opaque directory");
	}
	int dup_fd = fcntl(src, F_DUPFD_CLOEXEC, 0);
	if (dup_fd < 0)
		return fail(c, errno, "dup");
	cleanup_closedir DIR *d = fdopendir(dup_fd);
	if (!d) {
		close(dup_fd);
		return fail(c, errno, "read directory");
	}
	struct dirent *de;
	errno = 0;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		size_t saved;
		int r = push_rel(c, de->d_name, &saved);
		if (r == 0)
			r = apply_one(c, src, dst, de->d_name);
		c->rel[saved] = '\0';
		if (r < 0)
			return r;
		errno = 0;
	}
	return errno ? fail(c, errno, "read directory") : 0;
}

int layers_flatten(const char *const *layer_dirs, size_t n,
		   const char *dest_dir, struct vmctl_err *err)
{
	struct flatten_ctx c = {.err = err, .layer = dest_dir};

	if (mkdir(dest_dir, 0755) < 0 && errno != EEXIST)
		return vmctl_error(err, errno, "flatten: mkdir %s", dest_dir);
	cleanup_close int dst = open_dir_at(AT_FDCWD, dest_dir);
	if (dst < 0)
		return vmctl_error(err, errno, "flatten: open %s", dest_dir);

	/* Bottom-most first: each upper layer then simply wins. */
	for (size_t i = n; i-- > 0;) {
		c.layer = layer_dirs[i];
		c.rel[0] = '\0';
		cleanup_close int src = open_dir_at(AT_FDCWD, layer_dirs[i]);
		struct stat st;
		if (src < 0 || fstat(src, &st) < 0)
			return fail(&c, errno, "open layer");
		int r = apply_dir(&c, src, dst);
		if (r < 0)
			return r;
		r = copy_meta(dst, -1, NULL, &st);
		if (r < 0)
			return fail(&c, r, "set owner/mode/times of");
	}
	return 0;
}
