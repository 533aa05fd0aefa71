/* cpio.c - newc archive writer (see cpio.h). */
#include "images/cpio.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "common/cleanup.h"

int cpio_format_header(char *buf, size_t n, uint32_t ino,
		       const struct cpio_entry *e)
{
	size_t namesize = strlen(e->name) + 1;
	size_t total = CPIO_HEADER_LEN + namesize;

	total += cpio_pad4(total);
	if (e->size > UINT32_MAX || e->mtime > UINT32_MAX)
		return -EFBIG;
	if (total + 1 > n) /* +1: snprintf's NUL */
		return -ENAMETOOLONG;
	/* magic, ino, mode, uid, gid, nlink, mtime, filesize, devmajor,
	 * devminor, rdevmajor, rdevminor, namesize, check */
	snprintf(buf, n,
		 "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
		 ino, e->mode, e->uid, e->gid, e->nlink, (uint32_t)e->mtime,
		 (uint32_t)e->size, 0u, 0u, e->rdev_major, e->rdev_minor,
		 (uint32_t)namesize, 0u);
	memcpy(buf + CPIO_HEADER_LEN, e->name, namesize);
	memset(buf + CPIO_HEADER_LEN + namesize, 0,
	       total - CPIO_HEADER_LEN - namesize);
	return (int)total;
}

void cpio_writer_init(struct cpio_writer *w, int fd, uint32_t first_ino)
{
	w->fd = fd;
	w->offset = 0;
	w->next_ino = first_ino;
	w->used = 0;
}

static int flush(struct cpio_writer *w)
{
	size_t off = 0;
	while (off < w->used) {
		ssize_t r = write(w->fd, w->buf + off, w->used - off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		off += (size_t)r;
	}
	w->used = 0;
	return 0;
}

static int emit(struct cpio_writer *w, const void *data, size_t len)
{
	const char *p = data;
	while (len) {
		if (w->used == sizeof(w->buf)) {
			int r = flush(w);
			if (r < 0)
				return r;
		}
		size_t chunk = sizeof(w->buf) - w->used;
		if (chunk > len)
			chunk = len;
		memcpy(w->buf + w->used, p, chunk);
		w->used += chunk;
		w->offset += chunk;
		p += chunk;
		len -= chunk;
	}
	return 0;
}

static int emit_pad(struct cpio_writer *w)
{
	static const char zeros[4];
	return emit(w, zeros, cpio_pad4(w->offset));
}

static int emit_header(struct cpio_writer *w, const struct cpio_entry *e,
		       struct vmctl_err *err)
{
	char hdr[CPIO_HEADER_LEN + PATH_MAX + 4];
	int n = cpio_format_header(hdr, sizeof(hdr), w->next_ino++, e);
	if (n < 0)
		return vmctl_error(err, n, "cpio: entry %s", e->name);
	int r = emit(w, hdr, (size_t)n);
	return r < 0 ? vmctl_error(err, r, "cpio: write") : 0;
}

int cpio_add(struct cpio_writer *w, const struct cpio_entry *e,
	     const void *data, struct vmctl_err *err)
{
	int r = emit_header(w, e, err);
	if (r < 0)
		return r;
	if (e->size) {
		r = emit(w, data, (size_t)e->size);
		if (r == 0)
			r = emit_pad(w);
	}
	return r < 0 ? vmctl_error(err, r, "cpio: write") : 0;
}

int cpio_add_fd(struct cpio_writer *w, const struct cpio_entry *e, int data_fd,
		struct vmctl_err *err)
{
	int r = emit_header(w, e, err);
	if (r < 0)
		return r;
	uint64_t left = e->size;
	while (left) {
		if (w->used == sizeof(w->buf) && (r = flush(w)) < 0)
			return vmctl_error(err, r, "cpio: write");
		size_t room = sizeof(w->buf) - w->used;
		if (room > left)
			room = (size_t)left;
		ssize_t got = read(data_fd, w->buf + w->used, room);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return vmctl_error(err, errno, "cpio: read %s",
					   e->name);
		if (got == 0) /* the file shrank while we read it */
			return vmctl_errorf(err, EIO, "cpio: %s changed size",
					    e->name);
		w->used += (size_t)got;
		w->offset += (uint64_t)got;
		left -= (uint64_t)got;
	}
	r = emit_pad(w);
	return r < 0 ? vmctl_error(err, r, "cpio: write") : 0;
}

static void entry_from_stat(struct cpio_entry *e, const char *name,
			    const struct stat *st)
{
	*e = (struct cpio_entry){
	    .name = name,
	    .mode = st->st_mode,
	    .uid = st->st_uid,
	    .gid = st->st_gid,
	    .nlink = S_ISDIR(st->st_mode) ? (uint32_t)st->st_nlink : 1,
	    .mtime = (uint64_t)st->st_mtim.tv_sec,
	};
	if (S_ISREG(st->st_mode) || S_ISLNK(st->st_mode))
		e->size = (uint64_t)st->st_size;
	if (S_ISCHR(st->st_mode) || S_ISBLK(st->st_mode)) {
		e->rdev_major = major(st->st_rdev);
		e->rdev_minor = minor(st->st_rdev);
	}
}

/* Archives one entry of dirfd named `name` as archive path `path`. */
static int add_one(struct cpio_writer *w, int dirfd, const char *name,
		   const char *path, const struct stat *st,
		   struct vmctl_err *err)
{
	struct cpio_entry e;
	entry_from_stat(&e, path, st);
	switch (st->st_mode & S_IFMT) {
	case S_IFREG: {
		cleanup_close int fd =
		    openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			return vmctl_error(err, errno, "cpio: open %s", path);
		return cpio_add_fd(w, &e, fd, err);
	}
	case S_IFLNK: {
		char target[PATH_MAX];
		ssize_t n = readlinkat(dirfd, name, target, sizeof(target));
		if (n < 0)
			return vmctl_error(err, errno, "cpio: readlink %s",
					   path);
		e.size = (uint64_t)n;
		return cpio_add(w, &e, target, err);
	}
	case S_IFSOCK:
		return 0;
	default:
		return cpio_add(w, &e, NULL, err);
	}
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in directory fd, sorted; NULL-terminated, caller frees. */
static int sorted_names(int fd, char ***out)
{
	int dup_fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	if (dup_fd < 0)
		return -errno;
	cleanup_closedir DIR *d = fdopendir(dup_fd);
	if (!d) {
		close(dup_fd);
		return -errno;
	}
	cleanup_strv char **v = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (n + 2 > cap) {
			cap = cap ? cap * 2 : 16;
			char **nv = realloc(v, cap * sizeof(*v));
			if (!nv)
				return -ENOMEM;
			v = nv;
			analyzer_cleanup(v);
		}
		v[n] = strdup(de->d_name);
		if (!v[n])
			return -ENOMEM;
		v[++n] = NULL;
	}
	if (!v && !(v = calloc(1, sizeof(*v))))
		return -ENOMEM;
	qsort(v, n, sizeof(*v), cmp_names);
	*out = steal_ptr(&v);
	return 0;
}

static int add_dir_contents(struct cpio_writer *w, int fd, char *path,
			    size_t plen, struct vmctl_err *err)
{
	cleanup_strv char **names = NULL;
	int r = sorted_names(fd, &names);
	if (r < 0 || !names) /* !names: -errno with errno 0, never seen */
		return vmctl_error(err, r, "cpio: read directory %s", path);
	for (char **np = names; *np; np++) {
		int n = snprintf(path + plen, PATH_MAX - plen, "%s%s",
				 plen ? "/" : "", *np);
		if (n < 0 || (size_t)n >= PATH_MAX - plen)
			return vmctl_errorf(err, ENAMETOOLONG,
					    "cpio: path too long under %s",
					    path);
		struct stat st;
		if (fstatat(fd, *np, &st, AT_SYMLINK_NOFOLLOW) < 0)
			return vmctl_error(err, errno, "cpio: stat %s", path);
		r = add_one(w, fd, *np, path, &st, err);
		if (r == 0 && S_ISDIR(st.st_mode)) {
			cleanup_close int sub = openat(
			    fd, *np,
			    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub < 0)
				return vmctl_error(err, errno, "cpio: open %s",
						   path);
			r = add_dir_contents(w, sub, path, plen + (size_t)n,
					     err);
		}
		path[plen] = '\0';
		if (r < 0)
			return r;
	}
	return 0;
}

int cpio_add_tree(struct cpio_writer *w, const char *dir, const char *prefix,
		  bool include_root, struct vmctl_err *err)
{
	char path[PATH_MAX] = "";
	cleanup_close int fd =
	    open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return vmctl_error(err, errno, "cpio: open %s", dir);
	if (prefix && prefix[0] &&
	    snprintf(path, sizeof(path), "%s", prefix) >= (int)sizeof(path))
		return vmctl_errorf(err, ENAMETOOLONG, "cpio: prefix too long");
	if (include_root) {
		struct stat st;
		if (fstat(fd, &st) < 0)
			return vmctl_error(err, errno, "cpio: stat %s", dir);
		struct cpio_entry e;
		entry_from_stat(&e, path[0] ? path : ".", &st);
		int r = cpio_add(w, &e, NULL, err);
		if (r < 0)
			return r;
	}
	return add_dir_contents(w, fd, path, strlen(path), err);
}

int cpio_finish(struct cpio_writer *w, struct vmctl_err *err)
{
	struct cpio_entry trailer = {.name = CPIO_TRAILER, .nlink = 1};
	static const char zeros[CPIO_BLOCK];
	uint32_t saved = w->next_ino;

	w->next_ino = 0; /* GNU cpio writes the trailer with inode 0 */
	int r = cpio_add(w, &trailer, NULL, err);
	w->next_ino = saved;
	if (r < 0)
		return r;
	r = emit(w, zeros, (CPIO_BLOCK - w->offset % CPIO_BLOCK) % CPIO_BLOCK);
	if (r == 0)
		r = flush(w);
	return r < 0 ? vmctl_error(err, r, "cpio: write") : 0;
}
