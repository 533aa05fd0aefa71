/* layer_write.c - a directory tree to a deterministic tar layer. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "archive_dl.h"
#include "common/cleanup.h"
#include "common/util.h"
#include "layer.h"

struct seen_inode {
	dev_t dev;
	ino_t ino;
	char *path;
};

struct writer {
	const struct archive_api *ar;
	struct archive *a;
	struct archive_entry *e;
	int64_t mtime;
	struct seen_inode *seen; /* hard links: the first path of each inode */
	size_t n_seen;
	struct vmctl_err *err;
};

static int ar_fail(struct writer *w, const char *path)
{
	return vmctl_errorf(w->err, EIO, "writing layer entry '%s': %s", path,
			    w->ar->archive_error_string(w->a));
}

static int write_header(struct writer *w, const char *path,
			const struct stat *st, mode_t type, int64_t size)
{
	const struct archive_api *ar = w->ar;
	ar->archive_entry_clear(w->e);
	ar->archive_entry_set_pathname(w->e, path);
	ar->archive_entry_set_filetype(w->e, type);
	ar->archive_entry_set_perm(w->e, st ? st->st_mode & 07777 : 0644);
	ar->archive_entry_set_uid(w->e, st ? st->st_uid : 0);
	ar->archive_entry_set_gid(w->e, st ? st->st_gid : 0);
	ar->archive_entry_set_mtime(w->e, w->mtime, 0);
	ar->archive_entry_set_size(w->e, size);
	return 0;
}

static int emit(struct writer *w, const char *path)
{
	return w->ar->archive_write_header(w->a, w->e) < ARCHIVE_OK
		   ? ar_fail(w, path)
		   : 0;
}

static int copy_data(struct writer *w, int dfd, const char *name,
		     const char *path)
{
	cleanup_close int fd =
	    openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return vmctl_error(w->err, errno, "opening %s", path);
	char buf[1 << 16];
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return vmctl_error(w->err, errno, "reading %s", path);
		if (n == 0)
			return 0;
		if (w->ar->archive_write_data(w->a, buf, (size_t)n) != n)
			return ar_fail(w, path);
	}
}

/* A hard link to an inode already written: its first path, else NULL (and
 * the inode is remembered). */
static const char *hardlink_of(struct writer *w, const struct stat *st,
			       const char *path)
{
	if (st->st_nlink < 2)
		return NULL;
	for (size_t i = 0; i < w->n_seen; i++)
		if (w->seen[i].dev == st->st_dev &&
		    w->seen[i].ino == st->st_ino)
			return w->seen[i].path;
	struct seen_inode *v = realloc(w->seen, (w->n_seen + 1) * sizeof(*v));
	if (v) {
		w->seen = v;
		v[w->n_seen].dev = st->st_dev;
		v[w->n_seen].ino = st->st_ino;
		v[w->n_seen].path = strdup(path);
		if (v[w->n_seen].path)
			w->n_seen++;
	}
	return NULL;
}

bool layer_is_overlay_whiteout(mode_t mode, dev_t rdev)
{
	return S_ISCHR(mode) && rdev == makedev(0, 0);
}

int layer_oci_whiteout_path(const char *dir, const char *name, char *buf,
			    size_t n)
{
	return name ? xsnprintf(buf, n, "%s.wh.%s", dir, name)
		    : xsnprintf(buf, n, "%s.wh..wh..opq", dir);
}

static int write_tree(struct writer *w, int dfd, const char *prefix);

static int write_one(struct writer *w, int dfd, const char *name,
		     const char *prefix)
{
	char path[PATH_MAX], wh[PATH_MAX];
	struct stat st;
	if (xsnprintf(path, sizeof(path), "%s%s", prefix, name) < 0)
		return vmctl_errorf(w->err, ENAMETOOLONG, "path too long: %s",
				    prefix);
	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return vmctl_error(w->err, errno, "stat %s", path);
	/* In a tar layer such a name would read as a deletion. */
	if (!strncmp(name, ".wh.", 4))
		return vmctl_errorf(w->err, EINVAL,
				    "cannot put /%s in a layer: names "
				    "starting with .wh. mark deletions",
				    path);
	if (layer_is_overlay_whiteout(st.st_mode, st.st_rdev)) {
		/* overlay's whiteout becomes the OCI one */
		if (layer_oci_whiteout_path(prefix, name, wh, sizeof(wh)) < 0)
			return vmctl_errorf(w->err, ENAMETOOLONG,
					    "path too long: %s", path);
		write_header(w, wh, NULL, AE_IFREG, 0);
		return emit(w, wh);
	}
	const char *link =
	    S_ISREG(st.st_mode) ? hardlink_of(w, &st, path) : NULL;
	if (link) {
		write_header(w, path, &st, AE_IFREG, 0);
		w->ar->archive_entry_set_hardlink(w->e, link);
		return emit(w, path);
	}
	if (S_ISREG(st.st_mode)) {
		write_header(w, path, &st, AE_IFREG, st.st_size);
		int r = emit(w, path);
		return r < 0 ? r : copy_data(w, dfd, name, path);
	}
	if (S_ISLNK(st.st_mode)) {
		char target[PATH_MAX];
		ssize_t n = readlinkat(dfd, name, target, sizeof(target) - 1);
		if (n < 0)
			return vmctl_error(w->err, errno, "readlink %s", path);
		target[n] = '\0';
		write_header(w, path, &st, AE_IFLNK, 0);
		w->ar->archive_entry_set_symlink(w->e, target);
		return emit(w, path);
	}
	if (S_ISFIFO(st.st_mode)) {
		write_header(w, path, &st, AE_IFIFO, 0);
		return emit(w, path);
	}
	if (!S_ISDIR(st.st_mode))
		return 0; /* devices and sockets do not belong in a layer */
	write_header(w, path, &st, AE_IFDIR, 0);
	int r = emit(w, path);
	cleanup_close int sub =
	    openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (r == 0 && sub < 0)
		r = vmctl_error(w->err, errno, "opening %s", path);
	char opaque[2];
	if (r == 0 &&
	    fgetxattr(sub, "trusted.overlay.opaque", opaque, 1) == 1 &&
	    opaque[0] == 'y') {
		char dir[PATH_MAX];
		snprintf(dir, sizeof(dir), "%s/", path);
		if (layer_oci_whiteout_path(dir, NULL, wh, sizeof(wh)) < 0)
			return vmctl_errorf(w->err, ENAMETOOLONG,
					    "path too long: %s", path);
		write_header(w, wh, NULL, AE_IFREG, 0);
		r = emit(w, wh);
	}
	snprintf(wh, sizeof(wh), "%s/", path);
	return r < 0 ? r : write_tree(w, sub, wh);
}

static int write_tree(struct writer *w, int dfd, const char *prefix)
{
	cleanup_strv char **names = NULL;
	int r = dir_names_sorted(dfd, &names);
	if (r < 0)
		return vmctl_error(w->err, r, "listing %s",
				   *prefix ? prefix : ".");
	for (size_t i = 0; r == 0 && names[i]; i++)
		r = write_one(w, dfd, names[i], prefix);
	return r;
}

int layer_write_dir(const char *dir, int out_fd, bool gzip, int64_t mtime,
		    struct vmctl_err *err)
{
	struct writer w = {.mtime = mtime, .err = err};
	w.ar = archive_dl(err);
	if (!w.ar)
		return -ELIBACC;
	cleanup_close int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return vmctl_error(err, errno, "opening %s", dir);
	w.a = w.ar->archive_write_new();
	w.e = w.ar->archive_entry_new();
	int r = 0;
	if (!w.a || !w.e)
		r = vmctl_error(err, ENOMEM, "libarchive");
	if (r == 0) {
		/* pax (restricted): plain ustar unless a name or size needs
		 * more; no padding of the last block, so that the digest only
		 * depends on the content. */
		w.ar->archive_write_set_format_pax_restricted(w.a);
		if (gzip)
			w.ar->archive_write_add_filter_gzip(w.a);
		w.ar->archive_write_set_bytes_in_last_block(w.a, 1);
		if (w.ar->archive_write_open_fd(w.a, out_fd) != ARCHIVE_OK)
			r = ar_fail(&w, dir);
	}
	if (r == 0)
		r = write_tree(&w, dfd, "");
	if (r == 0 && w.ar->archive_write_close(w.a) != ARCHIVE_OK)
		r = ar_fail(&w, dir);
	if (w.e)
		w.ar->archive_entry_free(w.e);
	if (w.a)
		w.ar->archive_write_free(w.a);
	for (size_t i = 0; i < w.n_seen; i++)
		free(w.seen[i].path);
	free(w.seen);
	return r;
}
