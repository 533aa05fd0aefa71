/* layer.c - unpacking hostile tar layers safely (rules in layer.h). */
#include "layer.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "archive_dl.h"
#include "common/cleanup.h"
#include "common/util.h"
#include "oci.h"

#define OVERLAY_OPAQUE_XATTR "trusted.overlay.opaque"
#define WH_PREFIX ".wh."
#define WH_OPAQUE ".wh..wh..opq"

const struct layer_limits layer_default_limits = {
    .max_bytes = 64ull << 30,
    .max_entries = 4u << 20,
    .max_path = 4095,
};

int layer_path_clean(const char *in, char *out, size_t n, size_t max_path,
		     const char **why)
{
	size_t len = strlen(in), o = 0;
	if (len > max_path || len >= n) {
		*why = "path too long";
		return -EINVAL;
	}
	if (in[0] == '/') {
		*why = "absolute path";
		return -EINVAL;
	}
	for (const char *p = in; *p;) {
		size_t c = strcspn(p, "/");
		if (c == 2 && !strncmp(p, "..", 2)) {
			*why = "'..' in path";
			return -EINVAL;
		}
		if (c > NAME_MAX) {
			*why = "name too long";
			return -EINVAL;
		}
		if (c > 0 && !(c == 1 && p[0] == '.')) {
			if (o)
				out[o++] = '/';
			memcpy(out + o, p, c);
			o += c;
		}
		p += c;
		while (*p == '/')
			p++;
	}
	out[o] = '\0';
	return 0;
}

enum layer_whiteout layer_whiteout_kind(const char *name, const char **target)
{
	*target = NULL;
	if (strncmp(name, WH_PREFIX, strlen(WH_PREFIX)))
		return LAYER_WH_NONE;
	if (!strcmp(name, WH_OPAQUE))
		return LAYER_WH_OPAQUE;
	const char *t = name + strlen(WH_PREFIX);
	/* ".wh..wh.*" is reserved for metadata; "." and ".." are not names. */
	if (!*t || !strcmp(t, ".") || !strcmp(t, "..") ||
	    !strncmp(t, WH_PREFIX, strlen(WH_PREFIX)))
		return LAYER_WH_INVALID;
	*target = t;
	return LAYER_WH_FILE;
}

mode_t layer_entry_mode(mode_t type, mode_t perm, bool owner_applied,
			bool *dropped)
{
	mode_t m = perm & 07777;
	*dropped = false;
	if (S_ISREG(type) && !owner_applied && (m & (S_ISUID | S_ISGID))) {
		m &= ~(mode_t)(S_ISUID | S_ISGID);
		*dropped = true;
	}
	if (!S_ISREG(type) && !S_ISDIR(type))
		m &= ~(mode_t)(S_ISUID | S_ISGID); /* meaningless elsewhere */
	return m;
}

bool layer_xattr_allowed(const char *name)
{
	return !strncmp(name, "user.", 5) ||
	       !strcmp(name, "security.capability");
}

/* --- the unpacker ----------------------------------------------------------
 */

struct unpack {
	const struct archive_api *ar;
	struct archive *a;
	int root;    /* the layer directory */
	int blob_fd; /* the archive being read */
	const struct layer_limits *lim;
	struct layer_stats *stats;
	struct vmctl_err *err;
	struct sha256_stream
	    hash; /* of the blob's bytes, as libarchive reads them */
	bool as_root;
	char path[PATH_MAX]; /* the current entry, cleaned */
	char buf[1 << 16];  /* libarchive's input (owned by it between reads) */
	char data[1 << 16]; /* file contents on their way out */
};

static ssize_t read_and_hash(struct archive *a, void *ctx, const void **out)
{
	struct unpack *u = ctx;
	ssize_t n;
	do
		n = read(u->blob_fd, u->buf, sizeof(u->buf));
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -1;
	if (n > 0 && sha256_stream_update(&u->hash, u->buf, (size_t)n) < 0)
		return -1;
	*out = u->buf;
	return n;
}

static int entry_fail(struct unpack *u, int errnum, const char *what)
{
	if (errnum)
		return vmctl_error(u->err, errnum, "layer entry '%s': %s",
				   u->path, what);
	return vmctl_errorf(u->err, EINVAL, "layer entry '%s': %s", u->path,
			    what);
}

static int openat2_beneath(int dirfd, const char *path)
{
	struct open_how how = {
	    .flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC,
	    .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
		       RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV,
	};
	int fd = (int)syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
	return fd < 0 ? -errno : fd;
}

/* Opens (creating when asked) the directory path beneath u->root, one
 * component at a time with O_NOFOLLOW: the fallback of openat2 and the way
 * missing parents are made. */
static int walk_beneath(struct unpack *u, const char *path, bool create)
{
	cleanup_close int fd = dup(u->root);
	if (fd < 0)
		return -errno;
	char comp[NAME_MAX + 1];
	for (const char *p = path; *p;) {
		size_t c = strcspn(p, "/");
		memcpy(comp, p, c);
		comp[c] = '\0';
		if (create && mkdirat(fd, comp, 0755) < 0 && errno != EEXIST)
			return -errno;
		int next = openat(
		    fd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (next < 0)
			return -errno;
		close(fd);
		fd = next;
		p += c;
		while (*p == '/')
			p++;
	}
	return steal_fd(&fd);
}

/* The parent directory of u->path (split into *leaf), opened beneath the
 * layer; a symlink anywhere in the way is refused. */
static int open_parent(struct unpack *u, const char *path, const char **leaf,
		       bool create)
{
	char parent[PATH_MAX];
	const char *slash = strrchr(path, '/');
	*leaf = slash ? slash + 1 : path;
	if (!slash) {
		int fd = fcntl(u->root, F_DUPFD_CLOEXEC, 0);
		return fd < 0 ? -errno : fd;
	}
	snprintf(parent, sizeof(parent), "%.*s", (int)(slash - path), path);
	int fd = openat2_beneath(u->root, parent);
	if (fd == -ENOSYS || (fd == -ENOENT && create))
		fd = walk_beneath(u, parent, create);
	return fd;
}

static int parent_fail(struct unpack *u, int fd)
{
	if (fd == -ELOOP || fd == -EXDEV || fd == -ENOTDIR)
		return entry_fail(u, 0,
				  "its path goes through a symlink or a "
				  "non-directory, or leaves the layer");
	return entry_fail(u, fd, "opening its directory");
}

/* Makes room for a new entry: an existing non-directory of the same name
 * is replaced (the later tar entry wins); a directory only by a directory. */
static int clear_name(struct unpack *u, int dir, const char *name,
		      bool new_is_dir, bool *exists_as_dir)
{
	struct stat st;
	*exists_as_dir = false;
	if (fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : entry_fail(u, errno, "stat");
	if (S_ISDIR(st.st_mode)) {
		if (!new_is_dir)
			return entry_fail(
			    u, 0, "replaces a directory with a non-directory");
		*exists_as_dir = true;
		return 0;
	}
	if (unlinkat(dir, name, 0) < 0)
		return entry_fail(u, errno, "replacing an earlier entry");
	return 0;
}

static int apply_owner_mode(struct unpack *u, int dir, const char *name,
			    struct archive_entry *e, mode_t type)
{
	bool owner = false, dropped = false;
	/* As root the recorded owner is applied (chown before chmod: chown
	 * clears setuid bits).  AT_SYMLINK_NOFOLLOW: the entry itself. */
	if (u->as_root)
		owner = fchownat(dir, name, (uid_t)u->ar->archive_entry_uid(e),
				 (gid_t)u->ar->archive_entry_gid(e),
				 AT_SYMLINK_NOFOLLOW) == 0;
	if (!S_ISLNK(type)) {
		mode_t m = layer_entry_mode(type, u->ar->archive_entry_perm(e),
					    owner, &dropped);
		if (fchmodat(dir, name, m, 0) < 0)
			return entry_fail(u, errno, "chmod");
	}
	u->stats->setid_dropped += dropped;
	struct timespec ts[2] = {{.tv_sec = u->ar->archive_entry_mtime(e)},
				 {.tv_sec = u->ar->archive_entry_mtime(e)}};
	/* Times are cosmetic: a failure to set them is no reason to fail. */
	(void)!utimensat(dir, name, ts, AT_SYMLINK_NOFOLLOW);
	return 0;
}

static int apply_xattrs(struct unpack *u, int fd, struct archive_entry *e)
{
	const char *name;
	const void *value;
	size_t size;
	u->ar->archive_entry_xattr_reset(e);
	while (u->ar->archive_entry_xattr_next(e, &name, &value, &size) ==
	       ARCHIVE_OK) {
		if (!layer_xattr_allowed(name)) {
			u->stats->xattrs_skipped++;
			continue;
		}
		if (fsetxattr(fd, name, value, size, 0) < 0)
			return entry_fail(u, errno, "setting an xattr");
	}
	return 0;
}

static int write_data(struct unpack *u, int fd)
{
	for (;;) {
		la_ssize_t n =
		    u->ar->archive_read_data(u->a, u->data, sizeof(u->data));
		if (n == 0)
			return 0;
		if (n < 0)
			return entry_fail(u, 0,
					  u->ar->archive_error_string(u->a));
		u->stats->bytes += (uint64_t)n;
		if (u->stats->bytes > u->lim->max_bytes)
			return entry_fail(u, 0,
					  "the layer exceeds its size limit");
		for (la_ssize_t done = 0; done < n;) {
			ssize_t w =
			    write(fd, u->data + done, (size_t)(n - done));
			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0)
				return entry_fail(u, errno, "write");
			done += w;
		}
	}
}

static int make_file(struct unpack *u, int dir, const char *name,
		     struct archive_entry *e)
{
	int64_t size = u->ar->archive_entry_size(e);
	if (size < 0 || (uint64_t)size > u->lim->max_bytes - u->stats->bytes)
		return entry_fail(u, 0, "the layer exceeds its size limit");
	/* O_EXCL | O_NOFOLLOW: a fresh file, never an existing one or a link.
	 */
	cleanup_close int fd =
	    openat(dir, name,
		   O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return entry_fail(u, errno, "create");
	int r = write_data(u, fd);
	return r < 0 ? r : apply_xattrs(u, fd, e);
}

static int make_hardlink(struct unpack *u, int dir, const char *name,
			 const char *target)
{
	char clean[PATH_MAX];
	const char *why = NULL, *tleaf;
	if (layer_path_clean(target, clean, sizeof(clean), u->lim->max_path,
			     &why) < 0 ||
	    !*clean)
		return entry_fail(u, 0, "hard link target outside the layer");
	int tdir = open_parent(u, clean, &tleaf, false);
	if (tdir < 0)
		return entry_fail(
		    u, 0, "hard link target outside the layer or missing");
	struct stat st;
	int r = 0;
	if (fstatat(tdir, tleaf, &st, AT_SYMLINK_NOFOLLOW) < 0)
		r = entry_fail(u, errno, "hard link target");
	else if (S_ISDIR(st.st_mode))
		r = entry_fail(u, 0, "hard link to a directory");
	/* flags 0: a symlink target is linked itself, never followed. */
	else if (linkat(tdir, tleaf, dir, name, 0) < 0)
		r = entry_fail(u, errno, "link");
	close(tdir);
	return r;
}

static int apply_whiteout(struct unpack *u, int dir, const char *leaf)
{
	const char *target;
	struct stat st;
	switch (layer_whiteout_kind(leaf, &target)) {
	case LAYER_WH_NONE:
		return 1;
	case LAYER_WH_INVALID:
		return entry_fail(u, 0, "invalid whiteout name");
	case LAYER_WH_OPAQUE:
		/* Privileged: trusted.* needs CAP_SYS_ADMIN; dir is beneath
		 * the layer (opened by open_parent). */
		if (fsetxattr(dir, OVERLAY_OPAQUE_XATTR, "y", 1, 0) < 0)
			return entry_fail(u, errno,
					  "marking the directory opaque");
		return 0;
	case LAYER_WH_FILE:
		break;
	}
	/* A whiteout hides the layers below only: an entry of this same layer
	 * by that name stays (OCI image spec, "Whiteouts"). */
	if (fstatat(dir, target, &st, AT_SYMLINK_NOFOLLOW) == 0)
		return 0;
	/* Privileged: CAP_MKNOD; 0/0 is no device, only overlay's mark. */
	if (mknodat(dir, target, S_IFCHR | 0, makedev(0, 0)) < 0)
		return entry_fail(u, errno, "creating the whiteout");
	return 0;
}

static int apply_entry(struct unpack *u, struct archive_entry *e)
{
	const struct archive_api *ar = u->ar;
	const char *why = NULL, *leaf;
	if (layer_path_clean(
		ar->archive_entry_pathname(e) ? ar->archive_entry_pathname(e)
					      : "",
		u->path, sizeof(u->path), u->lim->max_path, &why) < 0) {
		snprintf(u->path, sizeof(u->path), "%.200s",
			 ar->archive_entry_pathname(e)
			     ? ar->archive_entry_pathname(e)
			     : "");
		return entry_fail(u, 0, why);
	}
	if (!*u->path)
		return 0; /* "./": the layer root itself */
	mode_t type = ar->archive_entry_filetype(e);
	const char *hardlink = ar->archive_entry_hardlink(e);
	if (!hardlink &&
	    (S_ISBLK(type) || S_ISSOCK(type) ||
	     (S_ISCHR(type) && (ar->archive_entry_rdevmajor(e) ||
				ar->archive_entry_rdevminor(e))))) {
		u->stats->devices_skipped++;
		return 0;
	}
	cleanup_close int dir = open_parent(u, u->path, &leaf, true);
	if (dir < 0)
		return parent_fail(u, dir);
	if (!u->lim->plain) {
		int r = apply_whiteout(u, dir, leaf);
		if (r <= 0)
			return r;
	}
	bool is_dir = !hardlink && S_ISDIR(type), existed = false;
	int r = clear_name(u, dir, leaf, is_dir, &existed);
	if (r < 0)
		return r;
	if (hardlink)
		return make_hardlink(u, dir, leaf, hardlink);
	if (is_dir) {
		if (!existed && mkdirat(dir, leaf, 0700) < 0)
			return entry_fail(u, errno, "mkdir");
	} else if (S_ISREG(type)) {
		r = make_file(u, dir, leaf, e);
	} else if (S_ISLNK(type)) {
		const char *target = ar->archive_entry_symlink(e);
		if (!target || strlen(target) > u->lim->max_path)
			return entry_fail(u, 0, "invalid symlink target");
		if (symlinkat(target, dir, leaf) < 0)
			return entry_fail(u, errno, "symlink");
	} else if (S_ISFIFO(type)) {
		if (mkfifoat(dir, leaf, 0600) < 0)
			return entry_fail(u, errno, "mkfifo");
	} else if (S_ISCHR(type)) { /* 0/0: an overlay-style whiteout */
		if (mknodat(dir, leaf, S_IFCHR, makedev(0, 0)) < 0)
			return entry_fail(u, errno, "mknod");
	} else {
		return entry_fail(u, 0, "unknown entry type");
	}
	return r < 0 ? r : apply_owner_mode(u, dir, leaf, e, type);
}

/* Reads what is left of the blob so that its digest covers every byte. */
static int drain(struct unpack *u)
{
	const void *p;
	ssize_t n;
	while ((n = read_and_hash(u->a, u, &p)) > 0)
		;
	return n < 0 ? vmctl_error(u->err, errno, "reading the layer") : 0;
}

static int unpack_entries(struct unpack *u)
{
	struct archive_entry *e;
	for (;;) {
		int r = u->ar->archive_read_next_header(u->a, &e);
		if (r == ARCHIVE_EOF)
			return 0;
		if (r < ARCHIVE_WARN)
			return vmctl_errorf(u->err, EINVAL,
					    "not a valid tar layer: %s",
					    u->ar->archive_error_string(u->a));
		if (++u->stats->entries > u->lim->max_entries)
			return vmctl_errorf(
			    u->err, EFBIG, "layer has more than %llu entries",
			    (unsigned long long)u->lim->max_entries);
		r = apply_entry(u, e);
		if (r < 0)
			return r;
	}
}

int layer_unpack_fd(int fd, const char *dest, const struct layer_limits *lim,
		    struct layer_stats *stats, struct vmctl_err *err)
{
	struct unpack u = {.blob_fd = fd,
			   .lim = lim ? lim : &layer_default_limits,
			   .stats = stats,
			   .err = err,
			   .root = -1,
			   .as_root = geteuid() == 0};
	memset(stats, 0, sizeof(*stats));
	u.ar = archive_dl(err);
	if (!u.ar)
		return -ELIBACC;
	u.root = open(dest, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (u.root < 0)
		return vmctl_error(err, errno, "opening %s", dest);
	int r = sha256_stream_init(&u.hash);
	u.a = r == 0 ? u.ar->archive_read_new() : NULL;
	if (!u.a) {
		close(u.root);
		sha256_stream_free(&u.hash);
		return vmctl_error(err, ENOMEM, "libarchive");
	}
	u.ar->archive_read_support_format_tar(u.a);
	u.ar->archive_read_support_filter_gzip(u.a);
	u.ar->archive_read_support_filter_zstd(u.a);
	if (u.ar->archive_read_open(u.a, &u, NULL, read_and_hash, NULL) !=
	    ARCHIVE_OK)
		r = vmctl_errorf(err, EINVAL, "not a tar layer: %s",
				 u.ar->archive_error_string(u.a));
	if (r == 0)
		r = unpack_entries(&u);
	if (r == 0)
		r = drain(&u);
	if (r == 0 && sha256_stream_final(&u.hash, stats->digest) < 0)
		r = vmctl_error(err, EIO, "sha256");
	u.ar->archive_read_free(u.a);
	sha256_stream_free(&u.hash);
	close(u.root);
	return r;
}

int layer_diff_id_fd(int fd, char *digest, struct vmctl_err *err)
{
	const struct archive_api *ar = archive_dl(err);
	if (!ar)
		return -ELIBACC;
	struct archive *a = ar->archive_read_new();
	struct archive_entry *e;
	struct sha256_stream s = {0};
	if (!a || sha256_stream_init(&s) < 0) {
		if (a)
			ar->archive_read_free(a);
		return vmctl_error(err, ENOMEM, "libarchive");
	}
	/* The raw format: the decompressed bytes of the blob as one entry. */
	ar->archive_read_support_format_raw(a);
	ar->archive_read_support_filter_gzip(a);
	ar->archive_read_support_filter_zstd(a);
	int r = 0;
	if (ar->archive_read_open_fd(a, fd, 1 << 16) != ARCHIVE_OK ||
	    ar->archive_read_next_header(a, &e) != ARCHIVE_OK)
		r = vmctl_errorf(err, EINVAL, "reading the layer: %s",
				 ar->archive_error_string(a));
	char buf[1 << 16];
	for (la_ssize_t n;
	     r == 0 && (n = ar->archive_read_data(a, buf, sizeof(buf))) != 0;)
		r = n < 0 ? vmctl_errorf(err, EINVAL,
					 "decompressing the layer: %s",
					 ar->archive_error_string(a))
			  : sha256_stream_update(&s, buf, (size_t)n);
	if (r == 0 && sha256_stream_final(&s, digest) < 0)
		r = vmctl_error(err, EIO, "sha256");
	sha256_stream_free(&s);
	ar->archive_read_free(a);
	return r;
}

static int check_diff_id(const char *blob_path, const struct layer_stats *st,
			 const char *diff_id, struct vmctl_err *err)
{
	char actual[OCI_DIGEST_LEN + 1];
	if (!strcmp(st->digest, diff_id))
		return 0; /* an uncompressed layer: blob digest == diff_id */
	cleanup_close int fd = open(blob_path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return vmctl_error(err, errno, "opening %s", blob_path);
	int r = layer_diff_id_fd(fd, actual, err);
	if (r < 0)
		return r;
	if (strcmp(actual, diff_id))
		return vmctl_errorf(
		    err, EBADMSG,
		    "layer diff_id mismatch: the config says %s, "
		    "the layer is %s",
		    diff_id, actual);
	return 0;
}

int layer_unpack_atomic(const char *blob_path, const char *dest,
			const char *expected_digest, const char *diff_id,
			const struct layer_limits *lim,
			struct layer_stats *stats, struct vmctl_err *err)
{
	char tmp[PATH_MAX];
	struct stat st;
	struct layer_stats ignored;
	if (!stats)
		stats = &ignored;
	if (stat(dest, &st) == 0)
		return 0;
	if (xsnprintf(tmp, sizeof(tmp), "%s.tmp-%d", dest, (int)getpid()) < 0)
		return vmctl_errorf(err, ENAMETOOLONG, "layer path too long");
	cleanup_close int fd = open(blob_path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return vmctl_error(err, errno, "opening %s", blob_path);
	rm_rf(tmp);
	if (mkdir(tmp, 0755) < 0)
		return vmctl_error(err, errno, "mkdir %s", tmp);
	int r = layer_unpack_fd(fd, tmp, lim, stats, err);
	if (r == 0 && expected_digest && strcmp(expected_digest, stats->digest))
		r = vmctl_errorf(
		    err, EBADMSG,
		    "layer digest mismatch: expected %s, the blob is %s",
		    expected_digest, stats->digest);
	if (r == 0 && diff_id)
		r = check_diff_id(blob_path, stats, diff_id, err);
	/* Renamed into place whole: a reader never sees half a layer.  Losing
	 * the race to a concurrent unpack of the same layer is fine. */
	if (r == 0 && rename(tmp, dest) < 0 && errno != ENOTEMPTY &&
	    errno != EEXIST)
		r = vmctl_error(err, errno, "rename %s", dest);
	rm_rf(tmp);
	return r;
}
