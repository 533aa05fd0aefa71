/* store.h - the image store: named, tagged images made of read-only layers.
 *
 * Layout under vmctl_root():
 *   layers/<id>/            one directory per read-only layer (the overlay lower dirs)
 *   images/<repo>/<tag>.json  the image: its layers (bottom first) and its config
 * Everything is written atomically (temp + rename) so that a reader never
 * sees half an image.
 */
#ifndef VMCTL_IMAGES_STORE_H
#define VMCTL_IMAGES_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

struct image_ref {
	char repo[256];
	char tag[128];
};

/* Parses "busybox", "busybox:1.36", "library/busybox:latest".  Pure. */
int image_ref_parse(const char *s, struct image_ref *ref, struct vmctl_err *err);

struct image {
	char *repo, *tag;
	char *id;          /* "sha256:<hex>" of the image's JSON description */
	char **layer_ids;  /* bottom-most first, NULL-terminated */
	char **layer_dirs; /* TOP-most first (overlay lowerdir order), NULL-terminated */
	size_t n_layers;
	char **env;        /* config Env, NULL-terminated (may be empty) */
	char **cmd;        /* config Cmd (may be NULL) */
	char **entrypoint; /* config Entrypoint (may be NULL) */
	char *workdir;     /* config WorkingDir (may be NULL) */
	char *user;        /* config User (may be NULL) */
	int64_t created;   /* unix seconds */
	uint64_t size;     /* bytes in all layers */
};

void image_free(struct image *img);

/* Loads the image named by ref from the store. -ENOENT when unknown. */
int image_open(const char *root, const char *ref, struct image *img,
	       struct vmctl_err *err);

/* Lists every image (callback per image; stops on a non-zero return). */
int image_list(const char *root,
	       int (*fn)(const struct image *img, void *ctx), void *ctx,
	       struct vmctl_err *err);

/* Builds argv from Entrypoint + (cmd_override ?: Cmd), as Docker does.
 * Returns a malloc'd NULL-terminated vector, or NULL with *err filled when
 * the image has no command and none was given. */
char **image_resolve_argv(const struct image *img, char *const *cmd_override,
			  struct vmctl_err *err);

/* Merges the image's Env with overrides ("K=V" replaces K), adding a default
 * PATH and HOSTNAME when missing.  Pure; returns malloc'd vector or NULL. */
char **image_merge_env(char *const *image_env, char *const *overrides,
		       const char *hostname);

/* Builds the "busybox" base image from the host's static busybox
 * (Debian's busybox-static) into the store; idempotent. */
int image_build_base(const char *root, const char *busybox_path,
		     struct vmctl_err *err);

#endif
