/* oci.h - the OCI image format: descriptors, manifests, configs, the index,
 * and the content-addressed blob store of an OCI image layout.
 *
 * An OCI image layout is a directory holding
 *   oci-layout           {"imageLayoutVersion":"1.0.0"}
 *   index.json           the images it holds (descriptors of their manifests;
 *                        the annotation org.opencontainers.image.ref.name
 *                        names them)
 *   blobs/sha256/<hex>   every manifest, config and layer, named by digest
 * vmctl's own store is one (<root>/oci), and `save`/`load` read and write
 * others.  The parse and build functions are pure (JSON text in and out);
 * the blob and index functions do the I/O.
 */
#ifndef VMCTL_IMAGES_OCI_H
#define VMCTL_IMAGES_OCI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

#define OCI_MT_INDEX "application/vnd.oci.image.index.v1+json"
#define OCI_MT_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define OCI_MT_CONFIG "application/vnd.oci.image.config.v1+json"
#define OCI_MT_LAYER "application/vnd.oci.image.layer.v1.tar"
#define OCI_MT_LAYER_GZIP "application/vnd.oci.image.layer.v1.tar+gzip"
#define OCI_MT_LAYER_ZSTD "application/vnd.oci.image.layer.v1.tar+zstd"
#define DOCKER_MT_LIST                                                         \
	"application/vnd.docker.distribution.manifest.list.v2+json"
#define DOCKER_MT_MANIFEST                                                     \
	"application/vnd.docker.distribution.manifest.v2+json"
#define DOCKER_MT_CONFIG "application/vnd.docker.container.image.v1+json"
#define DOCKER_MT_LAYER_GZIP "application/vnd.docker.image.rootfs.diff.tar.gzip"
#define DOCKER_MT_LAYER "application/vnd.docker.image.rootfs.diff.tar"

#define OCI_REF_NAME "org.opencontainers.image.ref.name"
/* Full "repo:tag" name, as containerd and Docker 25+ record it beside ref.name.
 */
#define OCI_IMAGE_NAME "io.containerd.image.name"

#define OCI_DIGEST_LEN (7 + 64) /* "sha256:" + hex */

/* Bounds on what vmctl accepts from a manifest or config: they are parsed
 * whole in memory. */
#define OCI_MAX_JSON (4u << 20)
#define OCI_MAX_LAYERS 256

struct oci_descriptor {
	char media_type[128];
	char digest[OCI_DIGEST_LEN + 1];
	int64_t size;
};

/* True for "sha256:" + 64 lowercase hex digits (the only algorithm vmctl
 * stores; the digest becomes a file name, so nothing else is accepted). */
bool oci_digest_valid(const char *digest);

/* Layer media types vmctl can unpack: 0 and *compressed set, or -ENOTSUP. */
int oci_layer_media_type(const char *media_type, bool *compressed);

struct oci_manifest {
	struct oci_descriptor config;
	struct oci_descriptor *layers; /* bottom-most first */
	size_t n_layers;
};

/* Parses an OCI or Docker v2 image manifest.  Pure. */
int oci_manifest_parse(const char *json, struct oci_manifest *m,
		       struct vmctl_err *err);
void oci_manifest_free(struct oci_manifest *m);
/* An OCI image manifest (malloc'd, compact JSON).  Pure. */
char *oci_manifest_build(const struct oci_descriptor *config,
			 const struct oci_descriptor *layers, size_t n_layers);

struct oci_history {
	char *created;	  /* RFC 3339 (may be NULL) */
	char *created_by; /* may be NULL */
	char *comment;	  /* may be NULL */
	bool empty_layer;
};

struct oci_config {
	char **env, **cmd, **entrypoint; /* NULL when absent */
	char *workdir, *user;		 /* NULL when absent or empty */
	int64_t created;		 /* unix seconds (0 when absent) */
	char *architecture, *os;
	char **diff_ids; /* rootfs.diff_ids, bottom-most first; never NULL */
	size_t n_diff_ids;
	struct oci_history *history;
	size_t n_history;
};

/* Parses an image config (OCI and Docker are the same shape).  Pure. */
int oci_config_parse(const char *json, struct oci_config *c,
		     struct vmctl_err *err);
void oci_config_free(struct oci_config *c);

/* "2024-01-02T03:04:05Z" (fractions and offsets allowed) to unix seconds;
 * -1 when malformed.  Pure. */
int64_t oci_time_parse(const char *s);
/* Unix seconds to "2024-01-02T03:04:05Z"; buf holds 32 bytes.  Pure. */
void oci_time_format(int64_t t, char *buf, size_t n);

/* One image in an index: its manifest and its name (NULL: untagged). */
struct oci_index_entry {
	struct oci_descriptor manifest;
	char *name;	/* org.opencontainers.image.ref.name */
	char *fullname; /* io.containerd.image.name (may be NULL) */
	char *platform; /* "linux/amd64" when the entry says (may be NULL) */
};

struct oci_index {
	struct oci_index_entry *v;
	size_t n;
};

/* Parses index.json (or a manifest list).  Pure. */
int oci_index_parse(const char *json, struct oci_index *idx,
		    struct vmctl_err *err);
/* index.json text (malloc'd).  Pure. */
char *oci_index_build(const struct oci_index *idx);
void oci_index_free(struct oci_index *idx);
/* Appends an entry (copies the strings); -ENOMEM. */
int oci_index_add(struct oci_index *idx, const struct oci_descriptor *manifest,
		  const char *name, const char *fullname);
/* Removes entry i. */
void oci_index_remove(struct oci_index *idx, size_t i);

/* --- the layout on disk (oci_layout.c) ----------------------------------- */

/* Creates oci-layout, blobs/sha256/ and an empty index.json when missing. */
int oci_layout_init(const char *layout, struct vmctl_err *err);
/* Takes the layout's exclusive lock (flock on <layout>/.lock): every
 * read-modify-write of index.json and every blob collection happens under
 * it.  Returns the fd that holds the lock. */
int oci_layout_lock(const char *layout, struct vmctl_err *err);
int oci_index_load(const char *layout, struct oci_index *idx,
		   struct vmctl_err *err);
int oci_index_store(const char *layout, const struct oci_index *idx,
		    struct vmctl_err *err);

/* <layout>/blobs/sha256/<hex>; -EINVAL for a malformed digest. */
int oci_blob_path(const char *layout, const char *digest, char *buf, size_t n);
bool oci_blob_exists(const char *layout, const char *digest);

/* Reads a small blob (manifest, config: at most OCI_MAX_JSON bytes) and
 * checks that its content matches its digest. */
int oci_blob_read(const char *layout, const char *digest, char **out,
		  size_t *len, struct vmctl_err *err);
/* The same without re-hashing: for reading the local store on the hot path
 * (see oci_layout.c for why that is safe). */
int oci_blob_read_trusted(const char *layout, const char *digest, char **out,
			  size_t *len, struct vmctl_err *err);

/* Streaming sha256 (common/digest.h's libcrypto, counting bytes). */
struct sha256_ctx;
struct sha256_stream {
	struct sha256_ctx *ctx;
	uint64_t bytes;
};
int sha256_stream_init(struct sha256_stream *s);
int sha256_stream_update(struct sha256_stream *s, const void *data, size_t len);
/* Fills digest with "sha256:<hex>" and frees the context. */
int sha256_stream_final(struct sha256_stream *s, char *digest);
void sha256_stream_free(struct sha256_stream *s);

/* Writes a blob of unknown content into the layout: bytes go to a temp file
 * while they are hashed; commit renames it to its digest after checking it
 * against the expected one, so a blob whose content does not match its
 * digest never appears in the store (the registry pull will use this). */
struct oci_blob_writer {
	char layout[4096];
	char tmp[4200];
	int fd;
	struct sha256_stream hash;
	uint64_t max_bytes; /* 0: unbounded */
};
int oci_blob_writer_open(struct oci_blob_writer *w, const char *layout,
			 struct vmctl_err *err);
int oci_blob_writer_write(struct oci_blob_writer *w, const void *data,
			  size_t len, struct vmctl_err *err);
/* expected may be NULL (computing the digest is the point); digest_out
 * (may be NULL) receives "sha256:<hex>", size_out (may be NULL) the size. */
int oci_blob_writer_commit(struct oci_blob_writer *w, const char *expected,
			   char *digest_out, int64_t *size_out,
			   struct vmctl_err *err);
void oci_blob_writer_abort(struct oci_blob_writer *w);

/* Whole-buffer and whole-file forms of the writer. */
int oci_blob_put(const char *layout, const void *data, size_t len,
		 const char *expected, char *digest_out, struct vmctl_err *err);
int oci_blob_put_fd(const char *layout, int fd, const char *expected,
		    char *digest_out, int64_t *size_out, struct vmctl_err *err);

#endif
