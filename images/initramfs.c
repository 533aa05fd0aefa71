/* initramfs.c - the micro-VM's initramfs (see initramfs.h). */
#include "images/initramfs.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/digest.h"
#include "common/memo.h"
#include "common/util.h"
#include "images/cpio.h"
#include "images/flatten.h"
#include "vmm/milestone.h"

/* Inode numbers of the run part start here, far from the image part's. */
#define RUN_PART_FIRST_INO 0x40000000u

static int put_record(char *buf, size_t n, size_t *off, char key,
		      const char *value)
{
	size_t len = strlen(value);
	if (*off + len + 2 > n)
		return -ENAMETOOLONG;
	buf[(*off)++] = key;
	memcpy(buf + *off, value, len + 1);
	*off += len + 1;
	return 0;
}

int initramfs_config_format(const struct initramfs_workload *wl, char *buf,
			    size_t n)
{
	size_t off = 0;
	int r = 0;

	if (!wl->argv || !wl->argv[0] || !wl->argv[0][0])
		return -EINVAL;
	for (char *const *a = wl->argv; *a && r == 0; a++)
		r = put_record(buf, n, &off, MS_CFG_ARG, *a);
	for (char *const *e = wl->env; e && *e && r == 0; e++)
		r = put_record(buf, n, &off, MS_CFG_ENV, *e);
	if (r == 0)
		r = put_record(buf, n, &off, MS_CFG_WORKDIR,
			       wl->workdir ? wl->workdir : "/");
	if (r == 0)
		r = put_record(buf, n, &off, MS_CFG_HOSTNAME,
			       wl->hostname ? wl->hostname : "vmctl");
	if (r == 0 && wl->user && *wl->user)
		r = put_record(buf, n, &off, MS_CFG_USER, wl->user);
	return r < 0 ? r : (int)off;
}

int initramfs_write_run_part(int fd, const struct initramfs_workload *wl,
			     struct vmctl_err *err)
{
	static char config[65536];
	int len = initramfs_config_format(wl, config, sizeof(config));
	if (len == -EINVAL)
		return vmctl_errorf(err, EINVAL, "initramfs: empty command");
	if (len < 0)
		return vmctl_errorf(err, E2BIG,
				    "initramfs: command and environment "
				    "exceed %zu bytes",
				    sizeof(config));
	cleanup_free struct cpio_writer *w = malloc(sizeof(*w));
	if (!w)
		return vmctl_error(err, ENOMEM, "initramfs");
	cpio_writer_init(w, fd, RUN_PART_FIRST_INO);
	struct cpio_entry e = {.name = MS_CONFIG_PATH + 1,
			       .mode = S_IFREG | 0600,
			       .nlink = 1,
			       .size = (uint64_t)len};
	int r = cpio_add(w, &e, config, err);
	if (r == 0)
		r = cpio_finish(w, err);
	return r < 0 ? vmctl_error_wrap(err, "initramfs run part") : 0;
}

/* What the init needs beyond the image: its own directory and binary, and
 * the mount points and device nodes the kernel and init expect (added only
 * when the image lacks them, so an image's own modes win). */
static int add_vmctl_entries(struct cpio_writer *w, const char *root,
			     const char *init_path, struct vmctl_err *err)
{
	static const struct {
		const char *name;
		uint32_t mode, major, minor;
	} extra[] = {
	    {"dev", S_IFDIR | 0755, 0, 0},
	    {"dev/console", S_IFCHR | 0600, 5, 1}, /* the kernel opens it
						      for init's stdio */
	    {"dev/null", S_IFCHR | 0666, 1, 3},
	    {"proc", S_IFDIR | 0555, 0, 0},
	    {"sys", S_IFDIR | 0555, 0, 0},
	    {"tmp", S_IFDIR | 01777, 0, 0},
	    {"vmctl", S_IFDIR | 0755, 0, 0},
	};
	cleanup_close int rootfd = open(root, O_RDONLY | O_DIRECTORY);
	if (rootfd < 0)
		return vmctl_error(err, errno, "initramfs: open %s", root);
	for (size_t i = 0; i < sizeof(extra) / sizeof(extra[0]); i++) {
		struct stat st;
		if (fstatat(rootfd, extra[i].name, &st, AT_SYMLINK_NOFOLLOW) ==
		    0)
			continue;
		struct cpio_entry e = {.name = extra[i].name,
				       .mode = extra[i].mode,
				       .nlink = S_ISDIR(extra[i].mode) ? 2 : 1,
				       .rdev_major = extra[i].major,
				       .rdev_minor = extra[i].minor};
		int r = cpio_add(w, &e, NULL, err);
		if (r < 0)
			return r;
	}
	cleanup_close int fd = open(init_path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0)
		return vmctl_error(err, errno, "initramfs: guest init %s",
				   init_path);
	struct cpio_entry e = {.name = MS_INIT_PATH + 1,
			       .mode = S_IFREG | 0755,
			       .nlink = 1,
			       .mtime = (uint64_t)st.st_mtim.tv_sec,
			       .size = (uint64_t)st.st_size};
	return cpio_add_fd(w, &e, fd, err);
}

static int write_image_cpio(int fd, const char *root, const char *init_path,
			    struct vmctl_err *err)
{
	cleanup_free struct cpio_writer *w = malloc(sizeof(*w));
	if (!w)
		return vmctl_error(err, ENOMEM, "initramfs");
	cpio_writer_init(w, fd, 0);
	int r = cpio_add_tree(w, root, NULL, true, err);
	if (r == 0)
		r = add_vmctl_entries(w, root, init_path, err);
	if (r == 0)
		r = cpio_finish(w, err);
	return r;
}

int initramfs_build_image(const char *const *layer_dirs, size_t n_layers,
			  const char *init_path, const char *path,
			  struct vmctl_err *err)
{
	char tmpdir[PATH_MAX], root[PATH_MAX], tmpfile[PATH_MAX];
	cleanup_close int fd = -1;
	int r;

	if (xsnprintf(tmpdir, sizeof(tmpdir), "%s.tmp.XXXXXX", path) < 0 ||
	    xsnprintf(root, sizeof(root), "%s/root", tmpdir) < 0 ||
	    xsnprintf(tmpfile, sizeof(tmpfile), "%s/image.cpio", tmpdir) < 0)
		return vmctl_errorf(err, ENAMETOOLONG, "initramfs: path %s",
				    path);
	if (!mkdtemp(tmpdir))
		return vmctl_error(err, errno, "initramfs: mkdtemp %s", tmpdir);
	/* root and tmpfile were formatted from the template; refresh them */
	snprintf(root, sizeof(root), "%s/root", tmpdir);
	snprintf(tmpfile, sizeof(tmpfile), "%s/image.cpio", tmpdir);

	r = layers_flatten(layer_dirs, n_layers, root, err);
	if (r < 0)
		goto out;
	fd = open(tmpfile, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0) {
		r = vmctl_error(err, errno, "initramfs: create %s", tmpfile);
		goto out;
	}
	r = write_image_cpio(fd, root, init_path, err);
	if (r < 0)
		goto out;
	if (rename(tmpfile, path) < 0)
		r = vmctl_error(err, errno, "initramfs: rename to %s", path);
out:
	rm_rf(tmpdir);
	return r;
}

/* The cache key: the layers' and the init's identity.  Extracted layers in
 * the store are immutable, so path + inode + mtime of each root stands for
 * their contents; the init is identified by size and mtime. */
static int image_key(const char *const *layer_dirs, size_t n,
		     const char *init_path, char *hex, struct vmctl_err *err)
{
	char buf[16384];
	size_t off = 0;
	struct stat st;

	for (size_t i = 0; i <= n; i++) {
		const char *p = i < n ? layer_dirs[i] : init_path;
		if (stat(p, &st) < 0)
			return vmctl_error(err, errno, "initramfs: %s", p);
		int w = snprintf(buf + off, sizeof(buf) - off,
				 "%s %llu %llu %lld.%09ld %lld\n", p,
				 (unsigned long long)st.st_dev,
				 (unsigned long long)st.st_ino,
				 (long long)st.st_mtim.tv_sec,
				 st.st_mtim.tv_nsec, (long long)st.st_size);
		if (w < 0 || (size_t)w >= sizeof(buf) - off)
			return vmctl_errorf(err, E2BIG,
					    "initramfs: too many layers");
		off += (size_t)w;
	}
	/* Memoized (common/memo.h): no libcrypto in the monitor for a key
	 * that is the same run after run. */
	char dir[PATH_MAX], memo[PATH_MAX];
	int r = xsnprintf(dir, sizeof(dir), "%s/cache/initramfs", vmctl_root());
	if (r == 0)
		r = memo_path(memo, sizeof(memo), dir, ".key-memo", buf);
	if (r == 0 && memo_lookup(memo, buf, hex, SHA256_HEX_LEN + 1) == 0)
		return 0;
	int h = sha256_hex(buf, off, hex);
	if (h < 0)
		return vmctl_error(err, h, "initramfs: sha256");
	if (r == 0 && mkdir_p(dir, 0700) == 0)
		memo_store(memo, buf, hex);
	return 0;
}

int initramfs_cached_image(const char *const *layer_dirs, size_t n,
			   const char *init_path, char *path, size_t pathlen,
			   struct vmctl_err *err)
{
	char hex[SHA256_HEX_LEN + 1], dir[PATH_MAX];
	int r = image_key(layer_dirs, n, init_path, hex, err);
	if (r < 0)
		return r;
	hex[24] = '\0';
	if (xsnprintf(dir, sizeof(dir), "%s/cache/initramfs", vmctl_root()) <
		0 ||
	    xsnprintf(path, pathlen, "%s/%s.cpio", dir, hex) < 0)
		return vmctl_errorf(err, ENAMETOOLONG, "initramfs: cache path");
	if (access(path, R_OK) == 0)
		return 0;
	r = mkdir_p(dir, 0700);
	if (r < 0)
		return vmctl_error(err, r, "initramfs: mkdir %s", dir);
	return initramfs_build_image(layer_dirs, n, init_path, path, err);
}

static int copy_into(int out, const char *path, struct vmctl_err *err)
{
	cleanup_close int in = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (in < 0 || fstat(in, &st) < 0)
		return vmctl_error(err, errno, "initramfs: open %s", path);
	int r = copy_fd_bytes(in, out, (uint64_t)st.st_size);
	return r < 0 ? vmctl_error(err, r, "initramfs: copy %s", path) : 0;
}

int initramfs_build(const char *const *layer_dirs, size_t n_layers,
		    const char *init_path, const struct initramfs_workload *wl,
		    const char *out_path, struct vmctl_err *err)
{
	char image[PATH_MAX], tmp[PATH_MAX];
	int r = initramfs_cached_image(layer_dirs, n_layers, init_path, image,
				       sizeof(image), err);
	if (r < 0)
		return r;
	if (xsnprintf(tmp, sizeof(tmp), "%s.XXXXXX", out_path) < 0)
		return vmctl_errorf(err, ENAMETOOLONG, "initramfs: %s",
				    out_path);
	cleanup_close int fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return vmctl_error(err, errno, "initramfs: create %s", tmp);
	r = copy_into(fd, image, err);
	if (r == 0)
		r = initramfs_write_run_part(fd, wl, err);
	if (r == 0 && rename(tmp, out_path) < 0)
		r = vmctl_error(err, errno, "initramfs: rename %s", out_path);
	if (r < 0)
		unlink(tmp);
	return r;
}
