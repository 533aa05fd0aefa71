/* diskimage.c - ext4 images built with `mke2fs -d` (see diskimage.h). */
#include "images/diskimage.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/util.h"
#include "images/flatten.h"

#define MIB (1ULL << 20)
/* Beyond this the tree is not something to boot from: refuse early rather
 * than ask mke2fs for an absurd file. */
#define DISK_MAX_BYTES (1ULL << 44)
/* ext4 symlink targets shorter than this live in the inode itself. */
#define FAST_SYMLINK_MAX 60
/* Blocks per group with 4 KiB blocks: one block bitmap covers 32768. */
#define BLOCKS_PER_GROUP 32768ULL

extern char **environ;

static uint64_t sat_add(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

static uint64_t div_up(uint64_t a, uint64_t b)
{
	return a / b + (a % b != 0);
}

static uint64_t round_up(uint64_t a, uint64_t to)
{
	uint64_t q = div_up(a, to);
	return q > UINT64_MAX / to ? UINT64_MAX / to * to : q * to;
}

void disk_usage_add(struct disk_usage *u, mode_t mode, uint64_t size,
		    size_t name_len)
{
	u->inodes++;
	if (name_len) /* ext4 dirent: 8 bytes + name padded to 4 */
		u->dirent_bytes =
		    sat_add(u->dirent_bytes, 8 + round_up(name_len, 4));
	if (S_ISDIR(mode))
		u->dirs++;
	else if (S_ISREG(mode))
		u->data_blocks =
		    sat_add(u->data_blocks, div_up(size, DISK_BLOCK));
	else if (S_ISLNK(mode) && size >= FAST_SYMLINK_MAX)
		u->data_blocks++;
}

void disk_image_geometry(const struct disk_usage *u, uint64_t min_size,
			 struct disk_geometry *g)
{
	/* Inodes: the tree's, the 11 ext4 reserves, lost+found, and a
	 * quarter more (at least 64) for files the guest creates. */
	uint64_t inodes = u->inodes + 12;
	inodes += inodes / 4 + 64;
	/* Every directory has at least one block; bigger ones need what
	 * their entries take. */
	uint64_t dir_blocks =
	    sat_add(u->dirs, div_up(u->dirent_bytes, DISK_BLOCK));
	uint64_t blocks = sat_add(u->data_blocks, dir_blocks + 4);
	/* Extent tree and htree index blocks, and allocation slack. */
	blocks = sat_add(blocks, blocks / 64);
	/* Metadata: inode tables, two bitmaps and a descriptor block per
	 * group, superblock copies and the root/lost+found blocks. */
	uint64_t groups = blocks / BLOCKS_PER_GROUP + 1;
	uint64_t meta =
	    inodes * DISK_INODE_SIZE + groups * 3 * DISK_BLOCK + MIB;
	uint64_t bytes = sat_add(
	    blocks > UINT64_MAX / DISK_BLOCK ? UINT64_MAX : blocks * DISK_BLOCK,
	    meta);
	/* Headroom for the guest's writes: an eighth plus 8 MiB. */
	bytes = sat_add(bytes, bytes / 8 + 8 * MIB);
	if (bytes < min_size)
		bytes = min_size;
	g->bytes = round_up(bytes, MIB);
	/* A disk made bigger than the tree needs gets ext4's usual density
	 * (one inode per 16 KiB) so the guest can fill it with small files. */
	if (inodes < g->bytes / 16384)
		inodes = g->bytes / 16384;
	g->inodes = inodes;
}

void disk_geometry_grow(struct disk_geometry *g)
{
	g->bytes = round_up(sat_add(g->bytes, g->bytes), MIB);
	g->inodes = sat_add(g->inodes, g->inodes);
}

/* --- the file system edge ------------------------------------------------ */

/* nftw() passes no context pointer: the walk's accumulator, per thread. */
static __thread struct disk_usage *walk_usage;

static int usage_visit(const char *path, const struct stat *st, int flag,
		       struct FTW *ftw)
{
	(void)flag;
	size_t name_len = ftw->level ? strlen(path + ftw->base) : 0;
	disk_usage_add(walk_usage, st->st_mode, (uint64_t)st->st_size,
		       name_len);
	return 0;
}

/* Measures the tree at dir.  Hard links count once per name: a little
 * more than mke2fs needs, never less. */
static int measure_tree(const char *dir, struct disk_usage *u,
			struct vmctl_err *err)
{
	*u = (struct disk_usage){0};
	walk_usage = u;
	int r = nftw(dir, usage_visit, 64, FTW_PHYS);
	walk_usage = NULL;
	if (r != 0)
		return vmctl_error(err, errno ? errno : EIO, "measure %s", dir);
	return 0;
}

static const char *mke2fs_path(void)
{
	/* root's PATH may lack the sbin directories (su, cron, systemd). */
	static const char *const candidates[] = {"/usr/sbin/mke2fs",
						 "/sbin/mke2fs"};
	for (size_t i = 0; i < sizeof(candidates) / sizeof(*candidates); i++)
		if (access(candidates[i], X_OK) == 0)
			return candidates[i];
	return "mke2fs";
}

/* Reads the child's output until EOF, keeping its last line (the error). */
static void read_last_line(int fd, char *line, size_t n)
{
	char buf[4096];
	size_t used = 0;
	ssize_t r;
	line[0] = '\0';
	while ((r = read(fd, buf + used, sizeof(buf) - 1 - used)) != 0) {
		if (r < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		used += (size_t)r;
		if (used == sizeof(buf) - 1) { /* keep the tail */
			memmove(buf, buf + used / 2, used - used / 2);
			used -= used / 2;
		}
	}
	buf[used] = '\0';
	while (used && (buf[used - 1] == '\n' || buf[used - 1] == ' '))
		buf[--used] = '\0';
	char *last = strrchr(buf, '\n');
	const char *src = last ? last + 1 : buf;
	size_t len = strnlen(src, n - 1); /* a long line is cut: fine */
	memcpy(line, src, len);
	line[len] = '\0';
}

/* Runs mke2fs; *no_space tells a too-small image from other failures. */
static int run_mke2fs(const char *staging, const char *img,
		      const struct disk_geometry *g, bool *no_space,
		      struct vmctl_err *err)
{
	char inodes[32], blocks[32];
	snprintf(inodes, sizeof(inodes), "%" PRIu64, g->inodes);
	snprintf(blocks, sizeof(blocks), "%" PRIu64,
		 (uint64_t)(g->bytes / DISK_BLOCK));
	const char *prog = mke2fs_path();
	/* -F: the target is a regular file we just made; -m 0: no blocks
	 * reserved for root, the guest is alone on it; root_owner: the
	 * top-level directory belongs to root whoever runs vmctl. */
	const char *argv[] = {prog,
			      "-q",
			      "-F",
			      "-t",
			      "ext4",
			      "-b",
			      "4096",
			      "-I",
			      "256",
			      "-m",
			      "0",
			      "-N",
			      inodes,
			      "-O",
			      "^has_journal,^resize_inode,^metadata_csum",
			      "-E",
			      "root_owner=0:0",
			      "-d",
			      staging,
			      img,
			      blocks,
			      NULL};
	int p[2] = {-1, -1};
	if (pipe2(p, O_CLOEXEC) < 0)
		return vmctl_error(err, errno, "mke2fs: pipe");
	cleanup_close int rd = p[0];
	cleanup_close int wr = p[1];
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, wr, 1);
	posix_spawn_file_actions_adddup2(&fa, wr, 2);
	pid_t pid;
	int r =
	    posix_spawnp(&pid, prog, &fa, NULL, (char *const *)argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (r != 0)
		return vmctl_error(err, r, "run %s (package e2fsprogs)", prog);
	close(steal_fd(&wr));
	char line[512];
	read_last_line(rd, line, sizeof(line));
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return vmctl_error(err, errno, "wait for mke2fs");
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	*no_space = strstr(line, "Could not allocate") ||
		    strstr(line, "No space") || strstr(line, "inode");
	return vmctl_errorf(err, EIO, "mke2fs %s: %s", img,
			    line[0] ? line : "failed");
}

/* Makes the image file at tmp: sized, then filled by mke2fs. */
static int make_image(const char *staging, const char *tmp,
		      const struct disk_usage *u, uint64_t min_size,
		      struct vmctl_err *err)
{
	struct disk_geometry g;
	disk_image_geometry(u, min_size, &g);
	for (int attempt = 0;; attempt++) {
		if (g.bytes > DISK_MAX_BYTES)
			return vmctl_errorf(err, EFBIG,
					    "disk image of %" PRIu64
					    " bytes is too big",
					    g.bytes);
		if (truncate(tmp, 0) < 0 || truncate(tmp, (off_t)g.bytes) < 0)
			return vmctl_error(err, errno, "size %s", tmp);
		bool no_space = false;
		int r = run_mke2fs(staging, tmp, &g, &no_space, err);
		if (r == 0 || !no_space || attempt == 2)
			return r;
		/* The estimate was short (odd trees: huge directories,
		 * many extents): grow and try again. */
		disk_geometry_grow(&g);
	}
}

static int temp_name(char *buf, size_t n, const char *out_path,
		     const char *what)
{
	return xsnprintf(buf, n, "%s.%s-XXXXXX", out_path, what);
}

int disk_image_build(const char *const *layer_dirs, size_t n,
		     const char *out_path, uint64_t min_size,
		     struct vmctl_err *err)
{
	char staging[4096], tmp[4096];
	if (temp_name(staging, sizeof(staging), out_path, "staging") < 0 ||
	    temp_name(tmp, sizeof(tmp), out_path, "tmp") < 0)
		return vmctl_errorf(err, ENAMETOOLONG, "path too long: %s",
				    out_path);
	/* Staging beside the output: the same file system as the image
	 * store, so layers_flatten() can hard-link instead of copying. */
	if (!mkdtemp(staging))
		return vmctl_error(err, errno, "create %s", staging);
	cleanup_close int fd = mkstemp(tmp);
	if (fd < 0) {
		int e = errno;
		rm_rf(staging);
		return vmctl_error(err, e, "create %s", tmp);
	}
	/* mkstemp makes 0600; the image is as readable as the store. */
	if (fchmod(fd, 0644) < 0) {
		int e = errno;
		unlink(tmp);
		rm_rf(staging);
		return vmctl_error(err, e, "chmod %s", tmp);
	}
	struct disk_usage u;
	int r = layers_flatten(layer_dirs, n, staging, err);
	if (r == 0)
		r = measure_tree(staging, &u, err);
	if (r == 0)
		r = make_image(staging, tmp, &u, min_size, err);
	if (r == 0 && rename(tmp, out_path) < 0)
		r = vmctl_error(err, errno, "rename %s to %s", tmp, out_path);
	if (r < 0)
		unlink(tmp);
	rm_rf(staging);
	return r;
}
