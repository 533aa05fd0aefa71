/* store.h - the image store: named, tagged images made of read-only layers.
 *
 * Layout under vmctl_root():
 *   oci/                    an OCI image layout (images/oci.h): oci-layout,
 *                           index.json (one entry per name, annotated
 *                           org.opencontainers.image.ref.name = "repo:tag";
 *                           untagged images have no name), blobs/sha256/...
 *   layers/<diff_id hex>/   each layer unpacked once (the overlay lower dirs)
 * Everything is written atomically (temp + rename) so that a reader never
 * sees half an image; writers of index.json take the layout's lock.  An
 * image's id is its config's digest, as in Docker.
 */
#ifndef VMCTL_IMAGES_STORE_H
#define VMCTL_IMAGES_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

struct image_ref {
	char repo[256];
	char tag[128];	 /* "latest" when not given */
	char digest[72]; /* "sha256:<hex>" after '@', else empty */
};

/* Parses "busybox", "busybox:1.36", "library/busybox:latest",
 * "localhost:5000/app@sha256:<hex>" (images/ref.c).  Pure. */
int image_ref_parse(const char *s, struct image_ref *ref,
		    struct vmctl_err *err);

struct image {
	char *repo, *tag;
	char *id;	   /* "sha256:<hex>" of the image's config */
	char *digest;	   /* "sha256:<hex>" of its manifest */
	char **layer_ids;  /* diff_ids ("sha256:<hex>"), bottom-most first,
			      NULL-terminated */
	char **layer_dirs; /* TOP-most first (overlay lowerdir order),
			      NULL-terminated */
	size_t n_layers;
	char **env;	   /* config Env, NULL-terminated (may be empty) */
	char **cmd;	   /* config Cmd (may be NULL) */
	char **entrypoint; /* config Entrypoint (may be NULL) */
	char *workdir;	   /* config WorkingDir (may be NULL) */
	char *user;	   /* config User (may be NULL) */
	int64_t created;   /* unix seconds */
	uint64_t size;	   /* bytes in all layer blobs */
};

void image_free(struct image *img);

/* Loads the image named by ref ("repo[:tag]", an id "sha256:<hex>" or a
 * unique prefix of its hex) from the store, unpacking any layer whose
 * directory is missing.  -ENOENT when unknown. */
int image_open(const char *root, const char *ref, struct image *img,
	       struct vmctl_err *err);

/* Lists every image, once per name (untagged ones with repo and tag
 * "<none>"); the callback stops the walk with a non-zero return. */
int image_list(const char *root, int (*fn)(const struct image *img, void *ctx),
	       void *ctx, struct vmctl_err *err);

/* Builds argv from Entrypoint + (cmd_override ?: Cmd), as Docker does.
 * Returns a malloc'd NULL-terminated vector, or NULL with *err filled when
 * the image has no command and none was given. */
char **image_resolve_argv(const struct image *img, char *const *cmd_override,
			  struct vmctl_err *err);

/* Merges the image's Env with overrides ("K=V" replaces K), adding a default
 * PATH and HOSTNAME when missing, and HOME=home when home is given and
 * neither sets HOME (NULL: the image's User decides it, in the init).
 * Pure; returns malloc'd vector or NULL. */
char **image_merge_env_home(char *const *image_env, char *const *overrides,
			    const char *hostname, const char *home);
/* The same with home "/root" (an image without a User). */
char **image_merge_env(char *const *image_env, char *const *overrides,
		       const char *hostname);

/* Builds the "busybox" base image from the host's static busybox
 * (Debian's busybox-static) into the store; idempotent. */
int image_build_base(const char *root, const char *busybox_path,
		     struct vmctl_err *err);

/* --- the OCI store (store.c) -----------------------------------------------
 */

struct oci_descriptor;
struct oci_manifest;
struct oci_config;

/* "<root>/oci" */
int store_layout_path(const char *root, char *buf, size_t n);

/* The canonical name of a reference: "repo:tag".  Pure. */
int image_ref_name(const char *ref, char *buf, size_t n, struct vmctl_err *err);

/* Resolves ref to its manifest descriptor (as index.json has it) and the
 * image's first name ("repo:tag", or "" when untagged). */
int image_lookup(const char *root, const char *ref,
		 struct oci_descriptor *manifest, char *name, size_t name_len,
		 struct vmctl_err *err);

/* Reads an image's manifest and config (both verified against their
 * digests); manifest_digest (may be NULL) receives the manifest's digest. */
int image_read_oci(const char *root, const char *ref, struct oci_manifest *m,
		   struct oci_config *c, char *manifest_digest,
		   struct vmctl_err *err);

/* Makes an image of a manifest whose config and layer blobs are already in
 * the store's layout: checks that they are all there, unpacks every layer
 * (verifying blob digests and diff_ids), stores the manifest blob and names
 * it (name "repo:tag", or NULL for an untagged image; an older image of the
 * same name loses the name).  Nothing is named unless all of this worked.
 * This is the one door into the store: build-base, load and (later) pull
 * and commit all end here.  The caller holds the layout lock (lock_fd >= 0)
 * or -1 to have it taken here.  id_out (may be NULL) gets the config digest. */
int image_import(const char *root, const char *manifest_json, const char *name,
		 int lock_fd, char *id_out, struct vmctl_err *err);

/* Gives the image ref the name target ("repo[:tag]"). */
int image_tag(const char *root, const char *ref, const char *target,
	      struct vmctl_err *err);

struct image_rm_result {
	char **untagged; /* names removed */
	char **deleted;	 /* ids (config digests) of the images deleted */
};
void image_rm_result_free(struct image_rm_result *r);

/* Removes a name (or, given an id, every name of that image); once an
 * image has no name left, it and every blob and layer nothing else uses are
 * deleted.  Refuses (-EBUSY), unless force: to delete an image a run (a
 * record in <root>/containers, running or exited, as Docker) uses; to
 * remove the very name a run was started with (runs record the name, so it
 * must keep resolving); an id naming an image with several names. */
int image_remove(const char *root, const char *ref, bool force,
		 struct image_rm_result *res, struct vmctl_err *err);

/* Deletes blobs no image refers to, layer directories no image uses
 * while no run is alive, and the temp files and directories of vmctl
 * processes that died mid-way.  The caller holds the layout lock. */
int store_gc(const char *root, struct vmctl_err *err);

/* Pure: the pid in the name of a store temp entry, or 0 (store_gc). */
int store_temp_owner(const char *name);

#endif
