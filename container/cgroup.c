/* cgroup.c - limits, placement, peak memory and removal on cgroup v1 and v2. */
#include "container/cgroup.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include "common/cleanup.h"

static const char *const v1_names[CG_NCTRL] = {"memory", "cpu", "pids"};

/* ---- pure decisions ---------------------------------------------------- */

int cgroup_dir_for(const char *mount, const char *id, char *buf, size_t n)
{
	int len = snprintf(buf, n, "%s/vmctl/%s", mount, id);
	if (len < 0 || (size_t)len >= n)
		return -ENAMETOOLONG;
	return 0;
}

int64_t cgroup_cpu_quota_us(double cpus)
{
	int64_t q = (int64_t)(cpus * CFS_PERIOD_US + 0.5);
	return q < 1000 ? 1000 : q; /* the kernel's minimum quota is 1 ms */
}

bool cgroup_v1_needs(enum cg_ctrl c, const struct cgroup_limits *lim)
{
	switch (c) {
	case CG_MEMORY:
		return true;
	case CG_CPU:
		return lim->cpus > 0;
	case CG_PIDS:
		return lim->pids_limit > 0;
	default:
		return false;
	}
}

static void add_write(struct cgroup_write *out, size_t *n, enum cg_ctrl c,
		      const char *file, long long v)
{
	out[*n].ctrl = c;
	out[*n].file = file;
	snprintf(out[*n].value, sizeof(out[*n].value), "%lld", v);
	(*n)++;
}

size_t cgroup_limit_writes(int version, const struct cgroup_limits *lim,
			   struct cgroup_write *out)
{
	size_t n = 0;
	long long mem = (long long)lim->memory_bytes;

	if (lim->memory_bytes > 0 && version == 1) {
		/* memsw >= limit is enforced, so the limit goes first.  Both
		 * equal: no swap, a hog is OOM-killed rather than swapped. */
		add_write(out, &n, CG_MEMORY, "memory.limit_in_bytes", mem);
		add_write(out, &n, CG_MEMORY, "memory.memsw.limit_in_bytes",
			  mem);
	} else if (lim->memory_bytes > 0) {
		add_write(out, &n, CG_MEMORY, "memory.max", mem);
		add_write(out, &n, CG_MEMORY, "memory.swap.max", 0);
	}
	if (lim->cpus > 0) {
		long long q = cgroup_cpu_quota_us(lim->cpus);
		if (version == 1) {
			add_write(out, &n, CG_CPU, "cpu.cfs_period_us",
				  CFS_PERIOD_US);
			add_write(out, &n, CG_CPU, "cpu.cfs_quota_us", q);
		} else {
			add_write(out, &n, CG_CPU, "cpu.max", q);
			snprintf(out[n - 1].value, sizeof(out[n - 1].value),
				 "%lld %d", q, CFS_PERIOD_US);
		}
	}
	if (lim->pids_limit > 0)
		add_write(out, &n, CG_PIDS, "pids.max",
			  (long long)lim->pids_limit);
	return n;
}

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static void unescape_octal(char *s)
{
	char *w = s;
	for (char *r = s; *r; r++) {
		if (r[0] == '\\' && r[1] >= '0' && r[1] <= '7' && r[2] &&
		    r[3]) {
			*w++ = (char)((r[1] - '0') * 64 + (r[2] - '0') * 8 +
				      (r[3] - '0'));
			r += 3;
		} else {
			*w++ = *r;
		}
	}
	*w = '\0';
}

static bool has_option(const char *opts, const char *name)
{
	size_t len = strlen(name);
	for (const char *p = opts; p && *p;) {
		const char *end = strchr(p, ',');
		size_t l = end ? (size_t)(end - p) : strlen(p);
		if (l == len && strncmp(p, name, len) == 0)
			return true;
		p = end ? end + 1 : NULL;
	}
	return false;
}

static void parse_mount_line(char *line, struct cgroup_layout *out)
{
	char *f[6] = {0}; /* id parent dev root mountpoint ... */
	char *save = NULL, *tok;
	int i = 0;

	for (tok = strtok_r(line, " ", &save); tok && i < 5;
	     tok = strtok_r(NULL, " ", &save))
		f[i++] = tok;
	if (i < 5)
		return;
	/* skip the optional fields up to the " - " separator */
	while (tok && strcmp(tok, "-") != 0)
		tok = strtok_r(NULL, " ", &save);
	char *fstype = strtok_r(NULL, " ", &save);
	char *source = strtok_r(NULL, " ", &save);
	char *super = strtok_r(NULL, " ", &save);
	if (!fstype || !source || !super)
		return;
	char *root = f[3], *mnt = f[4];
	unescape_octal(mnt);
	if (strlen(mnt) >= sizeof(out->v2))
		return;
	if (strcmp(fstype, "cgroup2") == 0 && out->v2[0] == '\0') {
		snprintf(out->v2, sizeof(out->v2), "%s", mnt);
	} else if (strcmp(fstype, "cgroup") == 0 && strcmp(root, "/") == 0) {
		for (int c = 0; c < CG_NCTRL; c++)
			if (out->v1[c][0] == '\0' &&
			    has_option(super, v1_names[c]))
				snprintf(out->v1[c], sizeof(out->v1[c]), "%s",
					 mnt);
	}
}

int cgroup_parse_mountinfo(const char *mountinfo, struct cgroup_layout *out)
{
	cleanup_free char *copy = strdup(mountinfo);
	char *save = NULL;
	analyzer_cleanup(copy);

	memset(out, 0, sizeof(*out));
	if (!copy)
		return -ENOMEM;
	for (char *line = strtok_r(copy, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		parse_mount_line(line, out);
	for (int c = 0; c < CG_NCTRL; c++)
		if (out->v1[c][0])
			return 0;
	return out->v2[0] ? 0 : -ENOENT;
}

/* ---- edges ----------------------------------------------------------------
 */

static int write_at(int dirfd, const char *file, const char *value)
{
	cleanup_close int fd = openat(dirfd, file, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	size_t len = strlen(value);
	if (write(fd, value, len) != (ssize_t)len)
		return -errno;
	return 0;
}

static int read_small(const char *path, char *buf, size_t n)
{
	buf[0] = '\0'; /* a string on every path, even a failed open */
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ssize_t r = read(fd, buf, n - 1);
	if (r < 0)
		return -errno;
	buf[r] = '\0';
	return (int)r;
}

static bool is_fs(const char *path, long magic)
{
	struct statfs sf;
	return statfs(path, &sf) == 0 && (long)sf.f_type == magic;
}

/* A cgroup2 mount is usable when it offers the memory controller. */
static bool v2_has_memory(const char *mount)
{
	char path[320], buf[512];
	snprintf(path, sizeof(path), "%s/cgroup.controllers", mount);
	if (read_small(path, buf, sizeof(buf)) <= 0)
		return false;
	for (char *save = NULL, *w = strtok_r(buf, " \n", &save); w;
	     w = strtok_r(NULL, " \n", &save))
		if (strcmp(w, "memory") == 0)
			return true;
	return false;
}

static int detect_from_mountinfo(struct cgroup_layout *out)
{
	char *buf = NULL;
	size_t cap = 0;
	cleanup_fclose FILE *f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return -errno;
	cleanup_free char *all = NULL;
	size_t len = 0;
	ssize_t n;
	while ((n = getline(&buf, &cap, f)) > 0) {
		char *grown = realloc(all, len + (size_t)n + 1);
		if (!grown) {
			free(buf);
			return -ENOMEM;
		}
		all = grown;
		analyzer_cleanup(all);
		memcpy(all + len, buf, (size_t)n + 1);
		len += (size_t)n;
	}
	free(buf);
	if (!all)
		return -ENOENT;
	return cgroup_parse_mountinfo(all, out);
}

int cgroup_detect(struct cgroup_layout *out, struct vmctl_err *err)
{
	memset(out, 0, sizeof(*out));
	/* Fast path: the usual layouts, a few statfs() instead of parsing
	 * mountinfo. */
	if (is_fs("/sys/fs/cgroup", CGROUP2_SUPER_MAGIC)) {
		snprintf(out->v2, sizeof(out->v2), "/sys/fs/cgroup");
		out->version = 2;
		return 0;
	}
	if (is_fs("/sys/fs/cgroup/unified", CGROUP2_SUPER_MAGIC) &&
	    v2_has_memory("/sys/fs/cgroup/unified")) {
		snprintf(out->v2, sizeof(out->v2), "/sys/fs/cgroup/unified");
		out->version = 2;
		return 0;
	}
	for (int c = 0; c < CG_NCTRL; c++) {
		char p[64];
		snprintf(p, sizeof(p), "/sys/fs/cgroup/%s", v1_names[c]);
		if (is_fs(p, CGROUP_SUPER_MAGIC))
			snprintf(out->v1[c], sizeof(out->v1[c]), "%s", p);
	}
	if (out->v1[CG_MEMORY][0]) {
		out->version = 1;
		return 0;
	}
	/* Unusual places: ask mountinfo. */
	int r = detect_from_mountinfo(out);
	if (r == 0 && out->v1[CG_MEMORY][0]) {
		out->version = 1;
		return 0;
	}
	if (r == 0 && out->v2[0] && v2_has_memory(out->v2)) {
		out->version = 2;
		return 0;
	}
	return vmctl_errorf(err, ENOENT,
			    "no cgroup hierarchy with the memory controller "
			    "found (v1 or v2)");
}

static int make_dir(const char *path)
{
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

/* Creates <mount>/vmctl and <mount>/vmctl/<id>; on v2 enables the
 * controllers for the children of both levels first. */
static int create_one(struct cgroup_handle *h, int version, enum cg_ctrl c,
		      const char *mount, const char *id, struct vmctl_err *err)
{
	char parent[300];
	size_t i = h->n;
	int r;

	snprintf(parent, sizeof(parent), "%s/vmctl", mount);
	r = cgroup_dir_for(mount, id, h->dirs[i], sizeof(h->dirs[i]));
	if (r < 0)
		return vmctl_error(err, r, "cgroup path for %s", id);
	r = make_dir(parent);
	if (r < 0)
		return vmctl_error(err, r, "mkdir %s", parent);
	if (version == 2) {
		/* Failures are tolerated: a controller may already be on or be
		 * unavailable; the limit writes below report what matters. */
		cleanup_close int rootfd =
		    open(mount, O_PATH | O_DIRECTORY | O_CLOEXEC);
		cleanup_close int pfd =
		    open(parent, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (rootfd >= 0)
			write_at(rootfd, "cgroup.subtree_control",
				 "+memory +cpu +pids");
		if (pfd >= 0)
			write_at(pfd, "cgroup.subtree_control",
				 "+memory +cpu +pids");
	}
	if (mkdir(h->dirs[i], 0755) < 0)
		return vmctl_error(err, errno, "mkdir %s", h->dirs[i]);
	h->ctrl[i] = c;
	h->n++;
	return 0;
}

int cgroup_create(const struct cgroup_layout *layout, const char *id,
		  const struct cgroup_limits *lim, struct cgroup_handle *h,
		  struct vmctl_err *err)
{
	struct cgroup_write w[CGROUP_MAX_WRITES];
	int r = 0;

	memset(h, 0, sizeof(*h));
	for (int c = 0; c < CG_NCTRL; c++)
		h->procs_fd[c] = -1;
	h->version = layout->version;
	if (layout->version == 2) {
		r = create_one(h, 2, CG_MEMORY, layout->v2, id, err);
	} else {
		for (int c = 0; c < CG_NCTRL && r == 0; c++) {
			if (!cgroup_v1_needs(c, lim))
				continue;
			if (!layout->v1[c][0]) {
				r = vmctl_errorf(err, ENOTSUP,
						 "cgroup v1 controller '%s' "
						 "is not mounted",
						 v1_names[c]);
				break;
			}
			r = create_one(h, 1, c, layout->v1[c], id, err);
		}
	}
	size_t n = r == 0 ? cgroup_limit_writes(layout->version, lim, w) : 0;
	for (size_t k = 0; k < n && r == 0; k++) {
		/* v2 has one directory for every controller */
		size_t d = 0;
		for (size_t j = 0; j < h->n; j++)
			if (h->version == 2 || h->ctrl[j] == w[k].ctrl)
				d = j;
		cleanup_close int dfd =
		    open(h->dirs[d], O_PATH | O_DIRECTORY | O_CLOEXEC);
		r = dfd < 0 ? -errno : write_at(dfd, w[k].file, w[k].value);
		/* memory.swap.max is absent without swap accounting: then
		 * there is no swap to limit either. */
		if (r == -ENOENT && strcmp(w[k].file, "memory.swap.max") == 0)
			r = 0;
		if (r < 0)
			r = vmctl_error(err, r, "cgroup %s/%s = %s", h->dirs[d],
					w[k].file, w[k].value);
	}
	for (size_t j = 0; j < h->n && r == 0; j++) {
		char p[400];
		/* v1: "tasks" moves one thread, which for the single-threaded
		 * child is the whole process, and skips the process-wide
		 * threadgroup lock whose RCU grace period made cgroup.procs
		 * cost 7-20 ms here (measured) against 0.04 ms. */
		snprintf(p, sizeof(p), "%s/%s", h->dirs[j],
			 h->version == 1 ? "tasks" : "cgroup.procs");
		h->procs_fd[j] = open(p, O_WRONLY | O_CLOEXEC);
		if (h->procs_fd[j] < 0)
			r = vmctl_error(err, errno, "open %s", p);
	}
	if (r < 0)
		cgroup_destroy(h, NULL);
	return r;
}

int cgroup_attach_pid(const struct cgroup_handle *h, pid_t pid)
{
	char buf[24];
	int len = snprintf(buf, sizeof(buf), "%d", (int)pid);
	for (size_t j = 0; j < h->n; j++)
		if (write(h->procs_fd[j], buf, (size_t)len) != len)
			return -errno;
	return 0;
}

void cgroup_close_fds(struct cgroup_handle *h)
{
	for (size_t j = 0; j < CG_NCTRL; j++) {
		if (h->procs_fd[j] >= 0)
			close(h->procs_fd[j]);
		h->procs_fd[j] = -1;
	}
}

static uint64_t read_u64(const char *dir, const char *file)
{
	char p[400], buf[64];
	snprintf(p, sizeof(p), "%s/%s", dir, file);
	if (read_small(p, buf, sizeof(buf)) <= 0)
		return 0;
	return strtoull(buf, NULL, 10);
}

uint64_t cgroup_peak_bytes(const struct cgroup_handle *h)
{
	for (size_t j = 0; j < h->n; j++) {
		if (h->version == 1 && h->ctrl[j] == CG_MEMORY)
			return read_u64(h->dirs[j],
					"memory.max_usage_in_bytes");
		if (h->version == 2) {
			uint64_t v = read_u64(h->dirs[j], "memory.peak");
			return v ? v : read_u64(h->dirs[j], "memory.current");
		}
	}
	return 0;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {0, ms * 1000000L};
	nanosleep(&ts, NULL);
}

/* SIGKILLs every process listed in dir/cgroup.procs; returns how many. */
static int kill_listed(const char *dir)
{
	char p[400], buf[4096];
	int n = 0;
	snprintf(p, sizeof(p), "%s/cgroup.procs", dir);
	if (read_small(p, buf, sizeof(buf)) <= 0)
		return 0;
	for (char *s = buf; *s;) {
		char *end;
		long pid = strtol(s, &end, 10);
		if (end == s)
			break;
		if (pid > 0 && kill((pid_t)pid, SIGKILL) == 0)
			n++;
		s = end;
		while (*s == '\n')
			s++;
	}
	return n;
}

/* rmdir, and when processes are still inside, kill them and retry for up to
 * about two seconds (a dying process leaves the cgroup asynchronously). */
static int remove_dir(const char *dir)
{
	for (int attempt = 0; attempt < 2000; attempt++) {
		if (rmdir(dir) == 0 || errno == ENOENT)
			return 0;
		if (errno != EBUSY)
			return -errno;
		char kill_file[400];
		snprintf(kill_file, sizeof(kill_file), "%s/cgroup.kill", dir);
		cleanup_close int kfd = open(kill_file, O_WRONLY | O_CLOEXEC);
		if (kfd < 0 || write(kfd, "1", 1) != 1)
			kill_listed(dir);
		sleep_ms(1);
	}
	return -EBUSY;
}

int cgroup_destroy(struct cgroup_handle *h, struct vmctl_err *err)
{
	int ret = 0;
	cgroup_close_fds(h);
	for (size_t j = 0; j < h->n; j++) {
		int r = remove_dir(h->dirs[j]);
		if (r < 0 && ret == 0)
			ret =
			    vmctl_error(err, r, "remove cgroup %s", h->dirs[j]);
	}
	h->n = 0;
	return ret;
}

/* The places a run may have made vmctl/<id> in, whatever cgroup_detect()
 * says now: every v1 controller and both usual v2 mounts ("" where none;
 * the strings live in l or are static). */
static void every_mount(const char *mounts[CG_NCTRL + 2], struct cgroup_layout *l)
{
	static const char *const extra[] = {"/sys/fs/cgroup",
					    "/sys/fs/cgroup/unified"};
	cgroup_detect(l, NULL);
	if (l->version != 1)
		detect_from_mountinfo(l);
	for (int c = 0; c < CG_NCTRL + 2; c++)
		mounts[c] = c < CG_NCTRL ? l->v1[c] : extra[c - CG_NCTRL];
}

static bool kept(const char *name, const char *const *keep, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(name, keep[i]))
			return true;
	return false;
}

int cgroup_remove_orphans(const char *const *keep, size_t n, time_t before)
{
	struct cgroup_layout l;
	const char *mounts[CG_NCTRL + 2];
	int removed = 0;

	every_mount(mounts, &l);
	for (int c = 0; c < CG_NCTRL + 2; c++) {
		char dir[300];
		if (!mounts[c][0] ||
		    snprintf(dir, sizeof(dir), "%s/vmctl", mounts[c]) >= (int)sizeof(dir))
			continue;
		cleanup_closedir DIR *d = opendir(dir);
		struct dirent *de;
		while (d && (de = readdir(d))) {
			struct stat st;
			/* The controllers' files are skipped unread. */
			if (de->d_name[0] == '.' ||
			    (de->d_type != DT_DIR && de->d_type != DT_UNKNOWN) ||
			    kept(de->d_name, keep, n) ||
			    fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
			    !S_ISDIR(st.st_mode) || st.st_mtime >= before)
				continue;
			/* Refused (EBUSY) while anything is inside. */
			if (unlinkat(dirfd(d), de->d_name, AT_REMOVEDIR) == 0)
				removed++;
		}
	}
	return removed;
}

int cgroup_remove_id(const char *id, struct vmctl_err *err)
{
	struct cgroup_layout l;
	const char *mounts[CG_NCTRL + 2];
	int ret = 0;

	every_mount(mounts, &l);
	for (int c = 0; c < CG_NCTRL + 2; c++) {
		const char *mount = mounts[c];
		char dir[320];
		if (!mount[0] ||
		    cgroup_dir_for(mount, id, dir, sizeof(dir)) < 0)
			continue;
		int r = remove_dir(dir);
		if (r < 0 && ret == 0)
			ret = vmctl_error(err, r, "remove cgroup %s", dir);
	}
	return ret;
}
