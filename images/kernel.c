/* kernel.c - find vmctl's guest kernel in its cache, or build it.
 *
 * The cache key is computed here exactly as images/kernel/build.sh's
 * key_input() does (keep the two in step; tests/unit/test_kernel_key.c
 * checks they agree): for config.fragment, each patches/NN-*.patch in name
 * order and build.sh, a line "file <relative name> <size>\n" and the file's
 * bytes; then "source <tarball basename> <size> <mtime>\n" (or
 * "source <basename> absent\n"); the key is the first 16 hex digits of the
 * sha256 of all that.
 */
#include "kernel.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/digest.h"
#include "common/memo.h"
#include "common/strv.h"
#include "common/util.h"

#define DEFAULT_SOURCE "/usr/src/linux-source-6.1.tar.xz"

static const char *kernel_source(void)
{
	const char *s = getenv("VMCTL_KERNEL_SOURCE");
	return s && *s ? s : DEFAULT_SOURCE;
}

int guest_kernel_cache_dir(char *buf, size_t n)
{
	const char *c = getenv("VMCTL_KERNEL_CACHE");
	if (c && *c)
		return xsnprintf(buf, n, "%s", c);
	return xsnprintf(buf, n, "%s/kernel", vmctl_root());
}

static int hash_file(struct sha256_ctx *c, const char *dir, const char *rel)
{
	char path[PATH_MAX];
	if (xsnprintf(path, sizeof(path), "%s/%s", dir, rel) < 0)
		return -ENAMETOOLONG;
	cleanup_free char *data = NULL;
	size_t len = 0;
	int r = read_file(path, &data, &len);
	if (r == -ENOENT)
		return 0; /* as the script: absent inputs are skipped */
	if (r < 0)
		return r;
	char head[PATH_MAX + 64];
	int hl = snprintf(head, sizeof(head), "file %s %zu\n", rel, len);
	r = sha256_update(c, head, (size_t)hl);
	return r < 0 ? r : sha256_update(c, data, len);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The patches (patches/NAME.patch) in C-locale name order, as the script's glob
 * gives them. */
static char **list_patches(const char *dir)
{
	char pdir[PATH_MAX];
	char **v = calloc(1, sizeof(*v));
	if (!v || xsnprintf(pdir, sizeof(pdir), "%s/patches", dir) < 0)
		return v;
	cleanup_closedir DIR *d = opendir(pdir);
	struct dirent *de;
	while (d && (de = readdir(d))) {
		size_t len = strlen(de->d_name);
		if (de->d_name[0] == '.' || len < 7 ||
		    strcmp(de->d_name + len - 6, ".patch"))
			continue;
		char rel[NAME_MAX + 16];
		snprintf(rel, sizeof(rel), "patches/%s", de->d_name);
		if (strv_push(&v, rel) < 0)
			break;
	}
	qsort(v, strv_len(v), sizeof(*v), cmp_str);
	return v;
}

int guest_kernel_key(const char *kernel_dir, char *key, size_t n)
{
	struct sha256_ctx *c = NULL;
	int r = sha256_begin(&c);
	if (r < 0)
		return r;
	cleanup_strv char **patches = list_patches(kernel_dir);
	analyzer_cleanup(patches);
	r = hash_file(c, kernel_dir, "config.fragment");
	for (size_t i = 0; r == 0 && patches && patches[i]; i++)
		r = hash_file(c, kernel_dir, patches[i]);
	if (r == 0)
		r = hash_file(c, kernel_dir, "build.sh");
	const char *src = kernel_source();
	const char *base = strrchr(src, '/') ? strrchr(src, '/') + 1 : src;
	struct stat st;
	char line[PATH_MAX + 64];
	int ll;
	if (stat(src, &st) == 0)
		ll = snprintf(line, sizeof(line), "source %s %lld %lld\n", base,
			      (long long)st.st_size, (long long)st.st_mtime);
	else
		ll = snprintf(line, sizeof(line), "source %s absent\n", base);
	if (r == 0)
		r = sha256_update(c, line, (size_t)ll);
	if (r < 0) {
		sha256_abort(c);
		return r;
	}
	char hex[SHA256_HEX_LEN + 1];
	r = sha256_end(c, hex);
	if (r < 0)
		return r;
	return xsnprintf(key, n, "%.16s", hex);
}

static int kernel_dir(char *buf, size_t n, struct vmctl_err *err)
{
	if (vmctl_data_path("images/kernel/build.sh", buf, n) < 0)
		return vmctl_errorf(
		    err, ENOENT,
		    "the guest kernel's recipe (images/kernel/) is missing "
		    "from this installation");
	*strrchr(buf, '/') = '\0';
	return 0;
}

/* The key, from the memo in the cache when the recipe's files are the same
 * (common/memo.h): every VM run looks the kernel up, and hashing would load
 * libcrypto into the monitor whose memory the report measures. */
static int memoized_key(const char *dir, const char *cache, char *key, size_t n)
{
	char fp[16384], memo[PATH_MAX];
	size_t off = 0;
	cleanup_strv char **patches = list_patches(dir);
	analyzer_cleanup(patches);
	int r = 0;
	const char *fixed[] = {"config.fragment", "build.sh"};
	for (size_t i = 0; r == 0 && i < 2 + (patches ? strv_len(patches) : 0); i++) {
		char path[PATH_MAX];
		r = xsnprintf(path, sizeof(path), "%s/%s", dir, i < 2 ? fixed[i] : patches[i - 2]);
		if (r == 0)
			r = memo_fingerprint_add(fp, sizeof(fp), &off, path);
	}
	if (r == 0)
		r = memo_fingerprint_add(fp, sizeof(fp), &off, kernel_source());
	if (r == 0)
		r = memo_path(memo, sizeof(memo), cache, ".key-memo", fp);
	if (r == 0 && memo_lookup(memo, fp, key, n) == 0)
		return 0;
	int k = guest_kernel_key(dir, key, n);
	if (k == 0 && r == 0)
		memo_store(memo, fp, key); /* best effort: a read-only cache is fine */
	return k;
}

int guest_kernel_locate(char *path, size_t n, struct vmctl_err *err)
{
	char dir[PATH_MAX], cache[PATH_MAX], key[32];
	int r = kernel_dir(dir, sizeof(dir), err);
	if (r < 0)
		return r;
	if (guest_kernel_cache_dir(cache, sizeof(cache)) < 0)
		return vmctl_errorf(err, ENAMETOOLONG, "kernel cache path too long");
	r = memoized_key(dir, cache, key, sizeof(key));
	if (r < 0)
		return vmctl_error(err, r,
				   "computing the guest kernel's cache key");
	if (
	    xsnprintf(path, n, "%s/%s/vmlinux", cache, key) < 0)
		return vmctl_errorf(err, ENAMETOOLONG,
				    "kernel cache path too long");
	if (access(path, R_OK) < 0)
		return vmctl_errorf(err, ENOENT,
				    "the guest kernel is not built yet: run "
				    "`vmctl kernel build` "
				    "(a few minutes, once)");
	return 0;
}

int guest_kernel_build(struct vmctl_err *err)
{
	char dir[PATH_MAX], script[PATH_MAX];
	int r = kernel_dir(dir, sizeof(dir), err);
	if (r < 0)
		return r;
	if (xsnprintf(script, sizeof(script), "%s/build.sh", dir) < 0)
		return vmctl_errorf(err, ENAMETOOLONG, "path too long");
	pid_t pid = fork();
	if (pid < 0)
		return vmctl_error(err, errno, "fork");
	if (pid == 0) {
		/* stdout would carry the path; the progress is on stderr. */
		int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
		if (null >= 0)
			dup2(null, STDOUT_FILENO);
		execl("/bin/bash", "bash", script, (char *)NULL);
		_exit(127);
	}
	int status = 0;
	pid_t w;
	while ((w = waitpid(pid, &status, 0)) < 0 && errno == EINTR)
		;
	if (w < 0)
		return vmctl_error(err, errno, "waiting for the kernel build");
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		char cache[PATH_MAX];
		if (guest_kernel_cache_dir(cache, sizeof(cache)) < 0)
			snprintf(cache, sizeof(cache), "the kernel cache");
		return vmctl_errorf(err, EIO,
				    "building the guest kernel failed (%s %d; "
				    "log: %s/build.log)",
				    WIFEXITED(status) ? "status" : "signal",
				    WIFEXITED(status) ? WEXITSTATUS(status)
						      : WTERMSIG(status),
				    cache);
	}
	return 0;
}
