#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "strv.h"

int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int parse_size(const char *s, uint64_t *out)
{
	if (!s || !*s)
		return -EINVAL;
	char *end = NULL;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || !(v >= 0) || isinf(v) || s[0] == '-')
		return -EINVAL;
	uint64_t mult = 1;
	switch (*end) {
	case '\0':
		break;
	case 'b': case 'B': mult = 1; end++; break;
	case 'k': case 'K': mult = 1ULL << 10; end++; break;
	case 'm': case 'M': mult = 1ULL << 20; end++; break;
	case 'g': case 'G': mult = 1ULL << 30; end++; break;
	case 't': case 'T': mult = 1ULL << 40; end++; break;
	default:
		return -EINVAL;
	}
	/* Accept Docker's optional trailing "b"/"ib" after a unit: 512mb, 1GiB. */
	if (mult > 1 && (*end == 'i' || *end == 'I'))
		end++;
	if (mult > 1 && (*end == 'b' || *end == 'B'))
		end++;
	if (*end != '\0')
		return -EINVAL;
	double bytes = v * (double)mult;
	if (bytes >= 18446744073709551615.0)
		return -ERANGE;
	*out = (uint64_t)bytes;
	return 0;
}

const char *vmctl_root(void)
{
	const char *r = getenv("VMCTL_ROOT");
	return (r && *r) ? r : VMCTL_DEFAULT_ROOT;
}

int xsnprintf(char *buf, size_t n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = vsnprintf(buf, n, fmt, ap);
	va_end(ap);
	if (r < 0)
		return -EINVAL;
	if ((size_t)r >= n)
		return -ENAMETOOLONG;
	return 0;
}

int vmctl_exe_path(char *buf, size_t n)
{
	ssize_t len = readlink("/proc/self/exe", buf, n - 1);
	if (len < 0)
		return -errno;
	buf[len] = '\0';
	return 0;
}

int vmctl_front_path(char *buf, size_t n)
{
	char dir[PATH_MAX];
	int r = vmctl_exe_path(dir, sizeof(dir));
	if (r < 0)
		return r;
	char *slash = strrchr(dir, '/');
	if (slash && !strcmp(slash + 1, "vmctl-full")) {
		*slash = '\0';
		if (xsnprintf(buf, n, "%s/vmctl", dir) == 0 && access(buf, X_OK) == 0)
			return 0;
		if (xsnprintf(buf, n, "%s/../../bin/vmctl", dir) == 0 &&
		    access(buf, X_OK) == 0)
			return 0;
	}
	return vmctl_exe_path(buf, n);
}

static int exe_dir(char *buf, size_t n)
{
	int r = vmctl_exe_path(buf, n);
	if (r < 0)
		return r;
	char *slash = strrchr(buf, '/');
	if (!slash)
		return -ENOENT;
	*slash = '\0';
	return 0;
}

int vmctl_data_path(const char *rel, char *buf, size_t n)
{
	char dir[PATH_MAX];
	int r = exe_dir(dir, sizeof(dir));
	if (r < 0)
		return r;
	/* Built in the source tree: bin/vmctl, so <exe>/.. is the tree. */
	if (xsnprintf(buf, n, "%s/../%s", dir, rel) == 0 &&
	    access(buf, F_OK) == 0)
		return 0;
	/* Installed: <prefix>/bin/vmctl and <prefix>/lib/vmctl/<rel without
	 * its first component when that is bin/ or images/>. */
	const char *tail = rel;
	if (strncmp(rel, "bin/", 4) == 0)
		tail = rel + 4;
	else if (strncmp(rel, "images/", 7) == 0)
		tail = rel + 7;
	if (xsnprintf(buf, n, "%s/../lib/vmctl/%s", dir, tail) == 0 &&
	    access(buf, F_OK) == 0)
		return 0;
	return -ENOENT;
}

int mkdir_p(const char *path, mode_t mode)
{
	char tmp[PATH_MAX];
	if (xsnprintf(tmp, sizeof(tmp), "%s", path) < 0)
		return -ENAMETOOLONG;
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, mode) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(tmp, mode) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

static int rm_rf_at(int parent, const char *name, dev_t dev)
{
	struct stat st;
	if (fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISDIR(st.st_mode)) {
		if (unlinkat(parent, name, 0) < 0 && errno != ENOENT)
			return -errno;
		return 0;
	}
	/* A mount point below us (a leaked bind mount) is never descended:
	 * removing its contents would destroy the host's files. */
	if (st.st_dev != dev)
		return -EBUSY;
	int fd = openat(parent, name,
			O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	DIR *d = fdopendir(fd);
	if (!d) {
		int e = -errno;
		close(fd);
		return e;
	}
	int ret = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		int r = rm_rf_at(dirfd(d), de->d_name, dev);
		if (r < 0 && ret == 0)
			ret = r;
	}
	closedir(d);
	if (unlinkat(parent, name, AT_REMOVEDIR) < 0 && errno != ENOENT &&
	    ret == 0)
		ret = -errno;
	return ret;
}

int rm_rf(const char *path)
{
	struct stat st;
	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	return rm_rf_at(AT_FDCWD, path, st.st_dev);
}

/* Small files (every JSON file of a run: index, manifest, config, state)
 * are read into the stack first and copied into a buffer of their size: a
 * 4 KiB malloc'd buffer freed again at once made musl's allocator map and
 * unmap a fresh page group for every file (0.01 ms each, seen in traces). */
int read_file(const char *path, char **out, size_t *len)
{
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	char small[8192];
	char *buf = small;
	size_t cap = sizeof(small), n = 0;
	cleanup_free char *heap = NULL;
	for (;;) {
		if (n == cap) { /* full: on in a heap buffer twice the size */
			char *nb = realloc(heap, cap * 2);
			if (!nb)
				return -ENOMEM;
			if (!heap)
				memcpy(nb, small, n);
			heap = buf = nb;
			cap *= 2;
		}
		ssize_t r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			break;
		n += (size_t)r;
	}
	if (!heap) {
		if (!(heap = malloc(n + 1)))
			return -ENOMEM;
		memcpy(heap, small, n);
	} else if (n == cap) {
		char *nb = realloc(heap, n + 1);
		if (!nb)
			return -ENOMEM;
		heap = nb;
	}
	heap[n] = '\0';
	if (len)
		*len = n;
	*out = steal_ptr(&heap);
	return 0;
}

int write_full(int fd, const void *data, size_t len)
{
	const char *p = data;
	while (len > 0) {
		ssize_t w = write(fd, p, len);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

int write_file(const char *path, const void *data, size_t len, mode_t mode)
{
	cleanup_close int fd =
		open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0)
		return -errno;
	return write_full(fd, data, len);
}

int write_file_atomic(const char *path, const void *data, size_t len,
		      mode_t mode)
{
	char tmp[PATH_MAX];
	int r = xsnprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid());
	if (r < 0)
		return r;
	r = write_file(tmp, data, len, mode);
	if (r == 0 && rename(tmp, path) < 0)
		r = -errno;
	if (r < 0)
		unlink(tmp);
	return r;
}

static int copy_by_read_write(int in, int out, uint64_t len)
{
	char buf[65536];
	while (len > 0) {
		ssize_t n = read(in, buf, len < sizeof(buf) ? (size_t)len : sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		int r = write_full(out, buf, (size_t)n);
		if (r < 0)
			return r;
		len -= (uint64_t)n;
	}
	return 0;
}

int copy_fd_bytes(int in, int out, uint64_t len)
{
	while (len > 0) {
		ssize_t n = copy_file_range(in, NULL, out, NULL, (size_t)len, 0);
		if (n < 0 && (errno == EXDEV || errno == EINVAL || errno == ENOSYS ||
			      errno == EOPNOTSUPP))
			return copy_by_read_write(in, out, len);
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		len -= (uint64_t)n;
	}
	return 0;
}

/* A copy that keeps holes (the ext4 image is mostly empty). */
int copy_file_sparse(const char *src, const char *dst, struct vmctl_err *err)
{
	int in = open(src, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return vmctl_error(err, errno, "opening %s", src);
	int outfd = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (outfd < 0) {
		int e = errno;
		close(in);
		return vmctl_error(err, e, "creating %s", dst);
	}
	int r = 0;
	off_t size = lseek(in, 0, SEEK_END);
	for (off_t off = 0; r == 0 && off < size;) {
		off_t data = lseek(in, off, SEEK_DATA);
		if (data < 0)
			break; /* only a hole is left */
		off_t hole = lseek(in, data, SEEK_HOLE);
		if (hole < 0)
			hole = size;
		loff_t ip = data, op = data;
		for (size_t left = (size_t)(hole - data); r == 0 && left > 0;) {
			ssize_t c = copy_file_range(in, &ip, outfd, &op, left, 0);
			if (c <= 0)
				r = vmctl_error(err, c < 0 ? errno : EIO, "copying %s", src);
			else
				left -= (size_t)c;
		}
		off = hole;
	}
	if (r == 0 && ftruncate(outfd, size) < 0)
		r = vmctl_error(err, errno, "sizing %s", dst);
	close(in);
	close(outfd);
	if (r < 0)
		unlink(dst);
	return r;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int dir_names_sorted(int dfd, char ***out)
{
	*out = NULL;
	int fd = fcntl(dfd, F_DUPFD_CLOEXEC, 0);
	DIR *d = fd < 0 ? NULL : fdopendir(fd);
	if (!d) {
		if (fd >= 0)
			close(fd);
		return -errno;
	}
	/* fdopendir shares the offset of dfd's file: start from the top */
	rewinddir(d);
	char **v = calloc(1, sizeof(char *));
	int r = v ? 0 : -ENOMEM;
	struct dirent *de;
	while (r == 0 && (de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			r = strv_push(&v, de->d_name);
	closedir(d);
	if (r < 0) {
		strv_free(v);
		return r;
	}
	qsort(v, strv_len(v), sizeof(char *), cmp_names);
	*out = v;
	return 0;
}

struct dated_name {
	struct timespec mtime;
	char name[256];
};

static int older_first(const void *a, const void *b)
{
	const struct timespec *x = &((const struct dated_name *)a)->mtime;
	const struct timespec *y = &((const struct dated_name *)b)->mtime;
	if (x->tv_sec != y->tv_sec)
		return x->tv_sec < y->tv_sec ? -1 : 1;
	return (x->tv_nsec > y->tv_nsec) - (x->tv_nsec < y->tv_nsec);
}

int dir_keep_newest(const char *dir, const char *prefix, size_t name_len,
		    size_t keep)
{
	size_t plen = strlen(prefix);
	cleanup_closedir DIR *d = opendir(dir);
	if (!d)
		return -errno;
	cleanup_free struct dated_name *m = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		struct stat st;
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..") ||
		    strncmp(de->d_name, prefix, plen) ||
		    (name_len && strlen(de->d_name) != name_len) ||
		    strlen(de->d_name) >= sizeof(m->name) ||
		    fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (n == cap) {
			size_t grown = cap ? cap * 2 : 16;
			struct dated_name *g = realloc(m, grown * sizeof(*m));
			if (!g)
				return -ENOMEM;
			m = g;
			cap = grown;
		}
		m[n].mtime = st.st_mtim;
		snprintf(m[n].name, sizeof(m[n].name), "%s", de->d_name);
		n++;
	}
	if (n <= keep)
		return 0;
	qsort(m, n, sizeof(*m), older_first);
	int removed = 0;
	for (size_t i = 0; i < n - keep; i++) {
		char path[PATH_MAX];
		if (xsnprintf(path, sizeof(path), "%s/%s", dir, m[i].name) == 0 &&
		    rm_rf(path) == 0)
			removed++;
	}
	return removed;
}
