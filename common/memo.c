/* memo.c - see memo.h. */
#include "common/memo.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/util.h"

int memo_fingerprint_add(char *buf, size_t n, size_t *off, const char *path)
{
	struct stat st;
	int w;
	if (*off >= n)
		return -ENAMETOOLONG;
	if (stat(path, &st) < 0)
		w = snprintf(buf + *off, n - *off, "%s absent\n", path);
	else
		w = snprintf(buf + *off, n - *off, "%s %lld %lld.%09ld %llu %llu\n", path,
			     (long long)st.st_size, (long long)st.st_mtim.tv_sec,
			     st.st_mtim.tv_nsec, (unsigned long long)st.st_dev,
			     (unsigned long long)st.st_ino);
	if (w < 0 || (size_t)w >= n - *off)
		return -ENAMETOOLONG;
	*off += (size_t)w;
	return 0;
}

int memo_path(char *buf, size_t n, const char *dir, const char *name, const char *fingerprint)
{
	uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a, 64 bits */
	for (const unsigned char *p = (const unsigned char *)fingerprint; *p; p++)
		h = (h ^ *p) * 0x100000001b3ULL;
	return xsnprintf(buf, n, "%s/%s-%016llx", dir, name, (unsigned long long)h);
}

/* The file: the fingerprint, a NUL, the value. */
int memo_lookup(const char *memo_file, const char *fingerprint, char *value, size_t n)
{
	cleanup_free char *data = NULL;
	size_t len = 0;
	if (read_file(memo_file, &data, &len) < 0)
		return -ENOENT;
	size_t flen = strlen(fingerprint);
	if (len <= flen + 1 || memcmp(data, fingerprint, flen) || data[flen] != '\0')
		return -ENOENT;
	const char *v = data + flen + 1;
	size_t vlen = len - flen - 1;
	if (vlen == 0 || vlen >= n || memchr(v, '\0', vlen))
		return -ENOENT;
	memcpy(value, v, vlen);
	value[vlen] = '\0';
	return 0;
}

int memo_prune(const char *memo_file, size_t keep)
{
	const char *slash = strrchr(memo_file, '/'), *dash = strrchr(memo_file, '-');
	if (!slash || !dash || dash < slash)
		return 0; /* not a memo_path() name: no family */
	char dir[4096], prefix[256];
	size_t plen = (size_t)(dash - slash); /* "<name>-" */
	if (xsnprintf(dir, sizeof(dir), "%.*s", (int)(slash - memo_file), memo_file) < 0 ||
	    xsnprintf(prefix, sizeof(prefix), "%.*s", (int)plen, slash + 1) < 0)
		return -ENAMETOOLONG;
	return dir_keep_newest(dir, prefix, plen + 16, keep);
}

int memo_store(const char *memo_file, const char *fingerprint, const char *value)
{
	size_t flen = strlen(fingerprint), vlen = strlen(value);
	cleanup_free char *data = malloc(flen + 1 + vlen);
	if (!data)
		return -ENOMEM;
	analyzer_cleanup(data);
	memcpy(data, fingerprint, flen + 1);
	memcpy(data + flen + 1, value, vlen);
	bool fresh = access(memo_file, F_OK) != 0;
	int r = write_file_atomic(memo_file, data, flen + 1 + vlen, 0644);
	/* A new source (a new vmctl build, a moved checkout): the oldest of
	 * the others go, so that upgrades do not pile memos up. */
	if (r == 0 && fresh)
		memo_prune(memo_file, MEMO_KEPT);
	return r;
}
