/* rootfs.c - the container's root file system: overlay, pivot_root, /proc,
 * /dev, /sys, volumes, masked and read-only paths (see mountplan.c for what,
 * this file for how). */
#include "container/rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdbool.h>
#include <string.h>
#include <sys/mount.h>
#ifndef OPEN_TREE_CLONE /* musl: the new mount API is only in the kernel's headers */
#include <linux/mount.h>
#endif
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "common/cleanup.h"

#define MAX_BINDS 64

static int fail_at(struct rootfs_fail *f, int err, const char *what,
		   const char *where)
{
	f->err = err;
	f->what = what;
	f->where = where;
	return -err;
}

static int openat2_in_root(int rootfd, const char *path, int flags)
{
	struct open_how how = {
	    .flags = (uint64_t)(flags | O_CLOEXEC),
	    /* Symlinks and ".." are resolved as if rootfd were "/": the
	     * result is always inside the container's root. */
	    .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	int fd = (int)syscall(SYS_openat2, rootfd, path, &how, sizeof(how));
	return fd < 0 ? -errno : fd;
}

/* Creates the last component of path (parents must exist) inside the root:
 * the parent is resolved in the root, then the name is created relative to
 * it, where mkdirat/O_EXCL|O_NOFOLLOW never follow a planted symlink. */
static int create_in_root(int rootfd, const char *path, bool dir)
{
	char parent[4096];
	const char *slash = strrchr(path, '/');
	size_t plen = slash ? (size_t)(slash - path) : 0;
	if (plen >= sizeof(parent))
		return -ENAMETOOLONG;
	memcpy(parent, path, plen);
	parent[plen] = '\0';
	cleanup_close int pfd =
	    openat2_in_root(rootfd, plen ? parent : "/", O_PATH | O_DIRECTORY);
	if (pfd < 0)
		return pfd;
	const char *name = slash ? slash + 1 : path;
	if (dir) {
		if (mkdirat(pfd, name, 0755) < 0 && errno != EEXIST)
			return -errno;
		return 0;
	}
	/* O_PATH fds cannot create: reopen the parent as a real dir. */
	cleanup_close int dfd =
	    openat(pfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return -errno;
	int fd =
	    openat(dfd, name,
		   O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return errno == EEXIST ? 0 : -errno;
	close(fd);
	return 0;
}

int rootfs_open_target(int rootfd, const char *path, bool dir)
{
	int fd = openat2_in_root(rootfd, path, O_PATH);
	if (fd != -ENOENT)
		return fd;
	/* Create each missing component, top-down. */
	char buf[4096];
	size_t len = strlen(path);
	if (len >= sizeof(buf))
		return -ENAMETOOLONG;
	memcpy(buf, path, len + 1);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		int r = create_in_root(rootfd, buf, true);
		*p = '/';
		if (r < 0)
			return r;
	}
	int r = create_in_root(rootfd, buf, dir);
	if (r < 0)
		return r;
	return openat2_in_root(rootfd, path, O_PATH);
}

/* A volume's host side, captured before pivot_root hides the host. */
struct bind_src {
	int tree; /* detached mount from open_tree(OPEN_TREE_CLONE) */
	bool dir;
};

static int clone_volume(const struct mount_step *s, struct bind_src *b,
			struct rootfs_fail *f)
{
	struct stat st;
	if (stat(s->source, &st) < 0)
		return fail_at(f, errno, "volume source", s->source);
	b->dir = S_ISDIR(st.st_mode);
	/* A detached copy of the host mount tree at source (MS_REC bind);
	 * it survives pivot_root and is attached below by move_mount. */
	b->tree =
	    (int)syscall(SYS_open_tree, AT_FDCWD, s->source,
			 OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
	if (b->tree < 0)
		return fail_at(f, errno, "open_tree", s->source);
	if (s->flags & MS_RDONLY) {
		struct mount_attr attr = {.attr_set = MOUNT_ATTR_RDONLY};
		if (syscall(SYS_mount_setattr, b->tree, "",
			    AT_EMPTY_PATH | AT_RECURSIVE, &attr,
			    sizeof(attr)) < 0)
			return fail_at(f, errno, "read-only volume", s->source);
	}
	return 0;
}

static int attach_volume(int rootfd, const struct mount_step *s,
			 const struct bind_src *b, struct rootfs_fail *f)
{
	cleanup_close int target =
	    rootfs_open_target(rootfd, s->target, b->dir);
	if (target < 0)
		return fail_at(f, -target, "volume target", s->target);
	if (syscall(SYS_move_mount, b->tree, "", target, "",
		    MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return fail_at(f, errno, "mount volume", s->target);
	return 0;
}

static int ensure_dir(const char *path)
{
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

static int apply_step(int rootfd, const struct mount_step *s,
		      const struct bind_src *b, struct rootfs_fail *f)
{
	int r = 0;
	switch (s->op) {
	case MOP_MOUNT:
		r = ensure_dir(s->target);
		if (r == 0 && mount(s->source, s->target, s->fstype, s->flags,
				    s->data) < 0)
			r = -errno;
		break;
	case MOP_BIND:
		return attach_volume(rootfd, s, b, f);
	case MOP_READONLY:
		/* A bind onto itself makes it a mount point we may remount;
		 * nosuid/nodev/noexec are kept as /proc has them. */
		if (mount(s->target, s->target, NULL, MS_BIND | MS_REC, NULL) <
			0 ||
		    mount(NULL, s->target, NULL,
			  MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID |
			      MS_NODEV | MS_NOEXEC,
			  NULL) < 0)
			r = -errno;
		break;
	case MOP_MASK_FILE:
		if (mount("/dev/null", s->target, NULL, MS_BIND, NULL) < 0)
			r = -errno;
		break;
	case MOP_MASK_DIR:
		if (mount("tmpfs", s->target, "tmpfs",
			  MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
			  "size=0") < 0)
			r = -errno;
		break;
	case MOP_MKNOD:
		if (mknod(s->target, S_IFCHR | s->mode,
			  makedev(s->major, s->minor)) < 0)
			r = -errno;
		break;
	case MOP_SYMLINK:
		if (symlink(s->source, s->target) < 0)
			r = -errno;
		break;
	case MOP_MKDIR:
		r = ensure_dir(s->target);
		break;
	}
	if (r == -ENOENT && (s->opts & MSTEP_OPTIONAL))
		return 0;
	return r < 0 ? fail_at(f, -r, "mount step", s->target) : 0;
}

/* pivot_root(".", ".") stacks the old root on top of the new one; the lazy
 * unmount then removes it, leaving no path to the host's files. */
static int pivot(const char *rootfs, struct rootfs_fail *f)
{
	if (chdir(rootfs) < 0)
		return fail_at(f, errno, "chdir", rootfs);
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		return fail_at(f, errno, "pivot_root", rootfs);
	if (umount2(".", MNT_DETACH) < 0)
		return fail_at(f, errno, "detach old root", rootfs);
	if (chdir("/") < 0)
		return fail_at(f, errno, "chdir", "/");
	return 0;
}

static void close_binds(struct bind_src *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (b[i].tree >= 0)
			close(b[i].tree);
}

/* The ephemeral writable layer: a tmpfs over the run's state dir, seen only
 * in this (private) mount namespace, holding upper/, work/ and the overlay's
 * mount point.  When the namespace dies the kernel frees it all: the host
 * never creates or deletes a file of it. */
static int mount_scratch(const struct mount_plan *plan, struct rootfs_fail *f)
{
	if (mount("tmpfs", plan->scratch, "tmpfs", MS_NOSUID | MS_NODEV,
		  plan->scratch_opts) < 0)
		return fail_at(f, errno, "mount tmpfs for the writable layer",
			       plan->scratch);
	const char *dirs[] = {plan->rootfs, plan->upper, plan->work};
	for (size_t i = 0; i < 3; i++)
		if (mkdir(dirs[i], 0755) < 0)
			return fail_at(f, errno, "mkdir", dirs[i]);
	return 0;
}

static bool mounts_sysfs(const struct mount_step *s)
{
	return s->op == MOP_MOUNT && s->fstype && !strcmp(s->fstype, "sysfs");
}

int rootfs_setup(const struct mount_plan *plan, const struct rootfs_hook *hook,
		 struct rootfs_fail *f)
{
	bool hooked = !hook;
	struct bind_src binds[MAX_BINDS];
	size_t nb = 0;
	int r = 0;

	/* Nothing we mount may propagate back to the host, and pivot_root
	 * refuses shared mounts: everything private, recursively.  Safe: this
	 * is our own, freshly cloned mount namespace. */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return fail_at(f, errno, "make / private", "/");
	if (plan->scratch) {
		r = mount_scratch(plan, f);
		if (r < 0)
			return r;
	}
	if (mount("overlay", plan->rootfs, "overlay", 0, plan->overlay_opts) <
	    0)
		return fail_at(f, errno, "mount overlay", plan->rootfs);
	for (size_t i = 0; i < plan->n_steps && r == 0; i++) {
		if (plan->steps[i].op != MOP_BIND)
			continue;
		if (nb == MAX_BINDS)
			return fail_at(f, E2BIG, "volumes", "too many");
		binds[nb] = (struct bind_src){.tree = -1};
		r = clone_volume(&plan->steps[i], &binds[nb], f);
		nb++;
	}
	if (r == 0)
		r = pivot(plan->rootfs, f);
	cleanup_close int rootfd = -1;
	if (r == 0) {
		rootfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (rootfd < 0)
			r = fail_at(f, errno, "open", "/");
	}
	for (size_t i = 0, k = 0; i < plan->n_steps && r == 0; i++) {
		const struct bind_src *b = NULL;
		if (plan->steps[i].op == MOP_BIND)
			b = &binds[k++];
		if (!hooked && mounts_sysfs(&plan->steps[i])) {
			hook->before_sysfs(hook->arg);
			hooked = true;
		}
		r = apply_step(rootfd, &plan->steps[i], b, f);
	}
	if (r == 0 && !hooked)
		hook->before_sysfs(hook->arg);
	close_binds(binds, nb);
	return r;
}
