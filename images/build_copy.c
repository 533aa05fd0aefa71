/* build_copy.c - COPY: sources beneath the context, hashed and staged. */
#include "build_copy.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/digest.h"
#include "common/util.h"
#include "diff.h"

/* One walk does both jobs: it always hashes, and writes when dst >= 0. */
struct copy_job {
	struct sha256_ctx *h;
	bool write;
	struct vmctl_err *err;
};

int copy_dest_path(const char *workdir, const char *dest, char *out, size_t n,
		   int *is_dir)
{
	char joined[PATH_MAX];
	size_t dl = strlen(dest);
	*is_dir = (dl && dest[dl - 1] == '/') || !strcmp(dest, ".") ||
		  (dl >= 2 && !strcmp(dest + dl - 2, "/."));
	if (xsnprintf(joined, sizeof(joined), "%s/%s",
		      dest[0] == '/' ? "" : (workdir ? workdir : ""), dest) < 0)
		return -ENAMETOOLONG;
	size_t len = 0;
	out[0] = '\0';
	char *save = NULL;
	for (char *c = strtok_r(joined, "/", &save); c;
	     c = strtok_r(NULL, "/", &save)) {
		if (!strcmp(c, "."))
			continue;
		if (!strcmp(c, ".."))
			return -EINVAL;
		int k = snprintf(out + len, n - len, "%s%s", len ? "/" : "", c);
		if (k < 0 || (size_t)k >= n - len)
			return -ENAMETOOLONG;
		len += (size_t)k;
	}
	if (!len)
		*is_dir = 1; /* "/" */
	return 0;
}

static int hash_entry(struct copy_job *j, const char *rel, char type,
		      mode_t mode, const char *extra)
{
	char buf[PATH_MAX * 2 + 32];
	int n = snprintf(buf, sizeof(buf), "%s%c%c %04o %s", rel, '\0', type,
			 (unsigned)(mode & 07777), extra ? extra : "");
	if (n < 0 || (size_t)n >= sizeof(buf))
		return -ENAMETOOLONG;
	return sha256_update(j->h, buf, (size_t)n + 1);
}

/* Copied files keep their permission bits but not setuid/setgid: every
 * copy belongs to root, and a context file must not become a setuid-root
 * program by being copied. */
static mode_t copy_mode(mode_t m)
{
	return m & 01777;
}

static int copy_file(struct copy_job *j, int src, const struct stat *st,
		     int dst_dir, const char *name, const char *rel)
{
	int r = hash_entry(j, rel, 'f', st->st_mode, NULL);
	if (r < 0)
		return vmctl_error(j->err, r, "hashing %s", rel);
	cleanup_close int dst = -1;
	if (j->write) {
		dst = openat(dst_dir, name,
			     O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW |
				 O_CLOEXEC,
			     0600);
		if (dst < 0 || fchmod(dst, copy_mode(st->st_mode)) < 0)
			return vmctl_error(j->err, errno, "staging %s", rel);
	}
	char buf[1 << 16];
	for (;;) {
		ssize_t n = read(src, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return vmctl_error(j->err, errno, "reading %s", rel);
		if (n == 0)
			return 0;
		if (sha256_update(j->h, buf, (size_t)n) < 0)
			return vmctl_error(j->err, EIO, "hashing %s", rel);
		if (dst >= 0 && write(dst, buf, (size_t)n) != n)
			return vmctl_error(j->err, errno, "staging %s", rel);
	}
}

static int copy_dir(struct copy_job *j, int src, int dst, const char *rel);

static int copy_child(struct copy_job *j, int src_dir, const char *name,
		      int dst_dir, const char *rel)
{
	struct stat st;
	if (!strncmp(name, ".wh.", 4))
		return vmctl_errorf(j->err, EINVAL,
				    "cannot COPY %s: names starting with .wh. "
				    "mark deletions in a layer",
				    rel);
	if (fstatat(src_dir, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return vmctl_error(j->err, errno, "stat %s", rel);
	if (S_ISLNK(st.st_mode)) {
		char target[PATH_MAX];
		ssize_t n =
		    readlinkat(src_dir, name, target, sizeof(target) - 1);
		if (n < 0)
			return vmctl_error(j->err, errno, "readlink %s", rel);
		target[n] = '\0';
		int r = hash_entry(j, rel, 'l', 0, target);
		if (r < 0)
			return vmctl_error(j->err, r, "hashing %s", rel);
		if (j->write && symlinkat(target, dst_dir, name) < 0 &&
		    errno != EEXIST)
			return vmctl_error(j->err, errno, "staging %s", rel);
		return 0;
	}
	if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))
		return 0; /* devices, sockets, FIFOs stay out of images */
	cleanup_close int fd =
	    openat(src_dir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return vmctl_error(j->err, errno, "opening %s", rel);
	if (S_ISREG(st.st_mode))
		return copy_file(j, fd, &st, dst_dir, name, rel);
	int r = hash_entry(j, rel, 'd', st.st_mode, NULL);
	if (r < 0)
		return vmctl_error(j->err, r, "hashing %s", rel);
	cleanup_close int sub = -1;
	if (j->write) {
		if (mkdirat(dst_dir, name, 0700) < 0 && errno != EEXIST)
			return vmctl_error(j->err, errno, "staging %s", rel);
		sub = openat(dst_dir, name,
			     O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub < 0 || fchmod(sub, copy_mode(st.st_mode)) < 0)
			return vmctl_error(j->err, errno, "staging %s", rel);
	}
	return copy_dir(j, fd, sub, rel);
}

static int copy_dir(struct copy_job *j, int src, int dst, const char *rel)
{
	cleanup_strv char **names = NULL;
	int r = dir_names_sorted(src, &names);
	if (r < 0)
		return vmctl_error(j->err, r, "listing %s", rel);
	for (size_t i = 0; r == 0 && names[i]; i++) {
		char child[PATH_MAX];
		if (xsnprintf(child, sizeof(child), "%s/%s", rel, names[i]) < 0)
			return vmctl_errorf(j->err, ENAMETOOLONG,
					    "path too long: %s", rel);
		r = copy_child(j, src, names[i], dst, child);
	}
	return r;
}

/* src beneath the context: ".." and symlinks may not lead out of it. */
static int open_source(int context_fd, const char *src, struct stat *st,
		       struct vmctl_err *err)
{
	const char *rel = src;
	while (*rel == '/')
		rel++;
	struct open_how how = {
	    .flags = O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC,
	    .resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS,
	};
	int fd = (int)syscall(SYS_openat2, context_fd, *rel ? rel : ".", &how,
			      sizeof(how));
	if (fd < 0 && errno == EXDEV)
		return vmctl_errorf(err, EXDEV,
				    "COPY source '%s' is outside the build "
				    "context",
				    src);
	if (fd < 0 && errno == ENOENT)
		return vmctl_errorf(err, ENOENT,
				    "COPY source '%s' not found in the build "
				    "context",
				    src);
	if (fd < 0)
		return vmctl_error(err, errno, "COPY source '%s'", src);
	if (fstat(fd, st) < 0 ||
	    (!S_ISREG(st->st_mode) && !S_ISDIR(st->st_mode))) {
		close(fd);
		return vmctl_errorf(err, EINVAL,
				    "COPY source '%s' is not a file or a "
				    "directory",
				    src);
	}
	return fd;
}

static const char *base_name(const char *src)
{
	const char *end = src + strlen(src);
	while (end > src && end[-1] == '/')
		end--;
	const char *b = end;
	while (b > src && b[-1] != '/')
		b--;
	return b; /* may end in '/', which the callers never create */
}

/* One source into dir_fd: a directory's contents, or a file as name. */
static int copy_source(struct copy_job *j, const struct copy_request *req,
		       size_t i, int dir_fd, const char *file_name)
{
	struct stat st;
	const char *src = req->srcs[i];
	cleanup_close int fd = open_source(req->context_fd, src, &st, j->err);
	if (fd < 0)
		return fd;
	/* The hash names each source by its index and the path given. */
	char rel[PATH_MAX];
	if (xsnprintf(rel, sizeof(rel), "%zu:%s", i, src) < 0)
		return vmctl_errorf(j->err, ENAMETOOLONG, "path too long");
	if (S_ISDIR(st.st_mode))
		return copy_dir(j, fd, dir_fd, rel);
	char name[NAME_MAX + 1];
	snprintf(name, sizeof(name), "%s",
		 file_name ? file_name : base_name(src));
	name[strcspn(name, "/")] = '\0';
	if (!*name || !strncmp(name, ".wh.", 4))
		return vmctl_errorf(j->err, EINVAL, "bad COPY file name '%s'",
				    src);
	return copy_file(j, fd, &st, dir_fd, name, rel);
}

int copy_digest(const struct copy_request *req, char *hex,
		struct vmctl_err *err)
{
	struct copy_job j = {.write = false, .err = err};
	int r = sha256_begin(&j.h);
	if (r < 0)
		return vmctl_error(err, r, "sha256");
	for (size_t i = 0; r == 0 && i < req->n_srcs; i++)
		r = copy_source(&j, req, i, -1, NULL);
	if (r < 0) {
		sha256_abort(j.h);
		return r;
	}
	r = sha256_end(j.h, hex);
	return r < 0 ? vmctl_error(err, r, "sha256") : 0;
}

/* mkdir of one parent in the stage, with the image's mode and owner. */
static int stage_parent(const struct copy_request *req, int dfd,
			const char *name, const char *rel,
			struct vmctl_err *err)
{
	struct stat st;
	int found = layers_lookup(req->layers, req->n_layers, rel, &st);
	bool dir = found > 0 && S_ISDIR(st.st_mode);
	mode_t mode = dir ? st.st_mode & 07777 : 0755;
	if (mkdirat(dfd, name, 0700) < 0 && errno != EEXIST)
		return vmctl_error(err, errno, "staging /%s", rel);
	cleanup_close int fd =
	    openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || fchmod(fd, mode) < 0 ||
	    (dir && fchown(fd, st.st_uid, st.st_gid) < 0))
		return vmctl_error(err, errno, "staging /%s", rel);
	return 0;
}

/* Makes the directories of path (relative) in the stage; returns an fd of
 * the last. */
static int stage_dirs(const struct copy_request *req, int stage_fd,
		      const char *path, struct vmctl_err *err)
{
	char buf[PATH_MAX], rel[PATH_MAX] = "";
	snprintf(buf, sizeof(buf), "%s", path);
	int dfd = fcntl(stage_fd, F_DUPFD_CLOEXEC, 0);
	if (dfd < 0)
		return vmctl_error(err, errno, "dup");
	char *save = NULL;
	for (char *c = strtok_r(buf, "/", &save); c;
	     c = strtok_r(NULL, "/", &save)) {
		size_t len = strlen(rel);
		snprintf(rel + len, sizeof(rel) - len, "%s%s", len ? "/" : "",
			 c);
		int r = stage_parent(req, dfd, c, rel, err);
		int sub = r < 0 ? r
				: openat(dfd, c,
					 O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
					     O_CLOEXEC);
		if (sub < 0 && r == 0)
			r = vmctl_error(err, errno, "staging /%s", rel);
		close(dfd);
		if (r < 0)
			return r;
		dfd = sub;
	}
	return dfd;
}

int copy_stage(const struct copy_request *req, const char *stage, char *hex,
	       struct vmctl_err *err)
{
	char dest[PATH_MAX];
	int is_dir;
	int r = copy_dest_path(req->workdir, req->dest, dest, sizeof(dest),
			       &is_dir);
	if (r < 0)
		return vmctl_errorf(err, EINVAL,
				    "COPY destination '%s' is invalid "
				    "(no '..' components)",
				    req->dest);
	struct stat st;
	/* Into a directory: when the destination says so, names one the
	 * image has, or more than one source or a directory is copied. */
	if (!is_dir && layers_lookup(req->layers, req->n_layers, dest, &st) > 0)
		is_dir = S_ISDIR(st.st_mode);
	if (req->n_srcs > 1)
		is_dir = 1;
	else if (!is_dir) {
		cleanup_close int fd =
		    open_source(req->context_fd, req->srcs[0], &st, err);
		if (fd < 0)
			return fd;
		is_dir = S_ISDIR(st.st_mode);
	}
	/* A file destination: its directory, then the file's own name. */
	char dir[PATH_MAX];
	const char *file_name = NULL;
	snprintf(dir, sizeof(dir), "%s", dest);
	if (!is_dir) {
		char *slash = strrchr(dir, '/');
		file_name = dest + (slash ? slash - dir + 1 : 0);
		*(slash ? slash : dir) = '\0';
	}
	cleanup_close int stage_fd =
	    open(stage, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (stage_fd < 0)
		return vmctl_error(err, errno, "opening %s", stage);
	cleanup_close int dfd = stage_dirs(req, stage_fd, dir, err);
	if (dfd < 0)
		return dfd;
	struct copy_job j = {.write = true, .err = err};
	if ((r = sha256_begin(&j.h)) < 0)
		return vmctl_error(err, r, "sha256");
	for (size_t i = 0; r == 0 && i < req->n_srcs; i++)
		r = copy_source(&j, req, i, dfd, file_name);
	if (r < 0) {
		sha256_abort(j.h);
		return r;
	}
	r = sha256_end(j.h, hex);
	return r < 0 ? vmctl_error(err, r, "sha256") : 0;
}
