/* oci_layout.c - an OCI image layout on disk: blobs, index.json, the lock. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/digest.h"
#include "common/util.h"
#include "oci.h"

static const char oci_layout_text[] = "{\"imageLayoutVersion\":\"1.0.0\"}";
static const char empty_index[] =
    "{\"schemaVersion\":2,\"mediaType\":\"" OCI_MT_INDEX "\",\"manifests\":[]}";

int oci_layout_init(const char *layout, struct vmctl_err *err)
{
	char path[PATH_MAX];
	struct stat st;
	if (xsnprintf(path, sizeof(path), "%s/blobs/sha256", layout) < 0)
		return vmctl_errorf(err, ENAMETOOLONG, "layout path too long");
	/* 0700: layer blobs and unpacked layers may hold setuid files and
	 * secrets of their image; only root walks the store. */
	int r = mkdir_p(path, 0700);
	if (r < 0)
		return vmctl_error(err, r, "mkdir %s", path);
	snprintf(path, sizeof(path), "%s/oci-layout", layout);
	if (stat(path, &st) < 0 &&
	    (r = write_file_atomic(path, oci_layout_text,
				   strlen(oci_layout_text), 0644)) < 0)
		return vmctl_error(err, r, "writing %s", path);
	snprintf(path, sizeof(path), "%s/index.json", layout);
	if (stat(path, &st) < 0 &&
	    (r = write_file_atomic(path, empty_index, strlen(empty_index),
				   0644)) < 0)
		return vmctl_error(err, r, "writing %s", path);
	return 0;
}

int oci_layout_lock(const char *layout, struct vmctl_err *err)
{
	char path[PATH_MAX];
	if (xsnprintf(path, sizeof(path), "%s/.lock", layout) < 0)
		return vmctl_errorf(err, ENAMETOOLONG, "layout path too long");
	cleanup_close int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return vmctl_error(err, errno, "opening %s", path);
	while (flock(fd, LOCK_EX) < 0)
		if (errno != EINTR)
			return vmctl_error(err, errno, "locking %s", path);
	return steal_fd(&fd);
}

int oci_index_load(const char *layout, struct oci_index *idx,
		   struct vmctl_err *err)
{
	char path[PATH_MAX];
	cleanup_free char *text = NULL;
	memset(idx, 0, sizeof(*idx));
	if (xsnprintf(path, sizeof(path), "%s/index.json", layout) < 0)
		return vmctl_errorf(err, ENAMETOOLONG, "layout path too long");
	int r = read_file(path, &text, NULL);
	if (r == -ENOENT)
		return 0; /* no store yet: no images */
	if (r < 0)
		return vmctl_error(err, r, "reading %s", path);
	r = oci_index_parse(text, idx, err);
	return r < 0 ? vmctl_error_wrap(err, "%s", path) : 0;
}

int oci_index_store(const char *layout, const struct oci_index *idx,
		    struct vmctl_err *err)
{
	char path[PATH_MAX];
	if (xsnprintf(path, sizeof(path), "%s/index.json", layout) < 0)
		return vmctl_errorf(err, ENAMETOOLONG, "layout path too long");
	cleanup_free char *text = oci_index_build(idx);
	if (!text)
		return vmctl_error(err, ENOMEM, "index.json");
	int r = write_file_atomic(path, text, strlen(text), 0644);
	return r < 0 ? vmctl_error(err, r, "writing %s", path) : 0;
}

int oci_blob_path(const char *layout, const char *digest, char *buf, size_t n)
{
	if (!oci_digest_valid(digest))
		return -EINVAL;
	return xsnprintf(buf, n, "%s/blobs/sha256/%s", layout, digest + 7);
}

bool oci_blob_exists(const char *layout, const char *digest)
{
	char path[PATH_MAX];
	struct stat st;
	return oci_blob_path(layout, digest, path, sizeof(path)) == 0 &&
	       stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* The streaming digest of common/digest.h (libcrypto, loaded on first
 * use), with the byte count and the "sha256:" form blobs are named by. */
int sha256_stream_init(struct sha256_stream *s)
{
	s->bytes = 0;
	s->ctx = NULL;
	return sha256_begin(&s->ctx);
}

int sha256_stream_update(struct sha256_stream *s, const void *data, size_t len)
{
	s->bytes += len;
	return sha256_update(s->ctx, data, len);
}

int sha256_stream_final(struct sha256_stream *s, char *digest)
{
	memcpy(digest, "sha256:", 7);
	int r = sha256_end(s->ctx, digest + 7);
	s->ctx = NULL;
	return r;
}

void sha256_stream_free(struct sha256_stream *s)
{
	sha256_abort(s->ctx);
	s->ctx = NULL;
}

static int blob_read(const char *layout, const char *digest, bool verify,
		     char **out, size_t *len, struct vmctl_err *err);

/* Blobs enter the store only through oci_blob_writer_commit(), which checks
 * their digest, and the store is root's alone (0700): what is read back for a
 * run is what was verified.  Re-hashing on every `vmctl run` would load
 * libcrypto into every container start (measured: ~1.5 ms and ~3 MB of RSS),
 * so the hot path trusts the store; export paths (save, push) verify. */
int oci_blob_read_trusted(const char *layout, const char *digest, char **out,
			  size_t *len, struct vmctl_err *err)
{
	return blob_read(layout, digest, false, out, len, err);
}

int oci_blob_read(const char *layout, const char *digest, char **out,
		  size_t *len, struct vmctl_err *err)
{
	return blob_read(layout, digest, true, out, len, err);
}

static int blob_read(const char *layout, const char *digest, bool verify, char **out,
		  size_t *len, struct vmctl_err *err)
{
	char path[PATH_MAX], actual[OCI_DIGEST_LEN + 1];
	struct stat st;
	*out = NULL;
	if (oci_blob_path(layout, digest, path, sizeof(path)) < 0)
		return vmctl_errorf(err, EINVAL, "invalid digest '%s'", digest);
	if (stat(path, &st) < 0)
		return vmctl_error(err, errno, "blob %.19s", digest);
	if ((uint64_t)st.st_size > OCI_MAX_JSON)
		return vmctl_errorf(err, EFBIG,
				    "blob %.19s: larger than %u bytes", digest,
				    OCI_MAX_JSON);
	cleanup_free char *data = NULL;
	size_t n = 0;
	int r = read_file(path, &data, &n);
	if (r < 0)
		return vmctl_error(err, r, "reading blob %.19s", digest);
	if (!verify) {
		*out = steal_ptr(&data);
		if (len)
			*len = n;
		return 0;
	}
	struct sha256_stream s;
	if ((r = sha256_stream_init(&s)) < 0 ||
	    (r = sha256_stream_update(&s, data, n)) < 0 ||
	    (r = sha256_stream_final(&s, actual)) < 0) {
		sha256_stream_free(&s);
		return vmctl_error(err, r, "hashing blob");
	}
	if (strcmp(actual, digest))
		return vmctl_errorf(
		    err, EBADMSG,
		    "blob %s is corrupt: its content hashes to %s", digest,
		    actual);
	*out = steal_ptr(&data);
	if (len)
		*len = n;
	return 0;
}

int oci_blob_writer_open(struct oci_blob_writer *w, const char *layout,
			 struct vmctl_err *err)
{
	memset(w, 0, sizeof(*w));
	w->fd = -1;
	if (xsnprintf(w->layout, sizeof(w->layout), "%s", layout) < 0 ||
	    xsnprintf(w->tmp, sizeof(w->tmp), "%s/blobs/sha256/.tmp-%d-XXXXXX",
		      layout, (int)getpid()) < 0)
		return vmctl_errorf(err, ENAMETOOLONG, "layout path too long");
	w->fd = mkostemp(w->tmp, O_CLOEXEC);
	if (w->fd < 0)
		return vmctl_error(err, errno, "creating a blob in %s", layout);
	int r = sha256_stream_init(&w->hash);
	if (r < 0) {
		oci_blob_writer_abort(w);
		return vmctl_error(err, r, "sha256");
	}
	return 0;
}

int oci_blob_writer_write(struct oci_blob_writer *w, const void *data,
			  size_t len, struct vmctl_err *err)
{
	if (w->max_bytes && w->hash.bytes + len > w->max_bytes)
		return vmctl_errorf(err, EFBIG, "blob larger than %llu bytes",
				    (unsigned long long)w->max_bytes);
	const char *p = data;
	for (size_t done = 0; done < len;) {
		ssize_t n = write(w->fd, p + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return vmctl_error(err, errno, "writing blob");
		done += (size_t)n;
	}
	int r = sha256_stream_update(&w->hash, data, len);
	return r < 0 ? vmctl_error(err, r, "sha256") : 0;
}

int oci_blob_writer_commit(struct oci_blob_writer *w, const char *expected,
			   char *digest_out, int64_t *size_out,
			   struct vmctl_err *err)
{
	char digest[OCI_DIGEST_LEN + 1], path[PATH_MAX];
	uint64_t size = w->hash.bytes;
	int r = sha256_stream_final(&w->hash, digest);
	if (r < 0) {
		oci_blob_writer_abort(w);
		return vmctl_error(err, r, "sha256");
	}
	if (expected && strcmp(expected, digest)) {
		oci_blob_writer_abort(w);
		return vmctl_errorf(
		    err, EBADMSG, "digest mismatch: expected %s, content is %s",
		    expected, digest);
	}
	oci_blob_path(w->layout, digest, path, sizeof(path));
	/* Blobs are immutable: readable by their owner only (see init). */
	if (fchmod(w->fd, 0600) < 0 || rename(w->tmp, path) < 0) {
		r = vmctl_error(err, errno, "storing blob %s", digest);
		oci_blob_writer_abort(w);
		return r;
	}
	close(w->fd);
	w->fd = -1;
	if (digest_out)
		memcpy(digest_out, digest, sizeof(digest));
	if (size_out)
		*size_out = (int64_t)size;
	return 0;
}

void oci_blob_writer_abort(struct oci_blob_writer *w)
{
	if (w->fd >= 0) {
		close(w->fd);
		unlink(w->tmp);
	}
	w->fd = -1;
	sha256_stream_free(&w->hash);
}

int oci_blob_put(const char *layout, const void *data, size_t len,
		 const char *expected, char *digest_out, struct vmctl_err *err)
{
	struct oci_blob_writer w;
	int r = oci_blob_writer_open(&w, layout, err);
	if (r < 0)
		return r;
	r = oci_blob_writer_write(&w, data, len, err);
	if (r < 0) {
		oci_blob_writer_abort(&w);
		return r;
	}
	return oci_blob_writer_commit(&w, expected, digest_out, NULL, err);
}

int oci_blob_put_fd(const char *layout, int fd, const char *expected,
		    char *digest_out, int64_t *size_out, struct vmctl_err *err)
{
	struct oci_blob_writer w;
	int r = oci_blob_writer_open(&w, layout, err);
	if (r < 0)
		return r;
	char buf[1 << 16];
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			r = n < 0
				? vmctl_error(err, errno, "reading blob source")
				: 0;
			break;
		}
		r = oci_blob_writer_write(&w, buf, (size_t)n, err);
		if (r < 0)
			break;
	}
	if (r < 0) {
		oci_blob_writer_abort(&w);
		return r;
	}
	return oci_blob_writer_commit(&w, expected, digest_out, size_out, err);
}
