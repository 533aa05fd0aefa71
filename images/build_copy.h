/* build_copy.h - COPY of `vmctl build`: files from the build context,
 * resolved beneath it, hashed for the cache and staged as a layer tree
 * (see images/build.h for the rules). */
#ifndef VMCTL_IMAGES_BUILD_COPY_H
#define VMCTL_IMAGES_BUILD_COPY_H

#include <stddef.h>

#include "common/error.h"

struct copy_request {
	int context_fd;	   /* the build context directory */
	char *const *srcs; /* relative to the context */
	size_t n_srcs;
	const char *dest;	   /* as written in the Dockerfile */
	const char *workdir;	   /* the image's WorkingDir (NULL: "/") */
	const char *const *layers; /* the image's layer dirs, top-most first */
	size_t n_layers;
};

/* Normalizes dest against workdir into out ("app/bin", "" for the root);
 * -EINVAL for a ".." component.  *is_dir: dest ends with '/'.  Pure. */
int copy_dest_path(const char *workdir, const char *dest, char *out, size_t n,
		   int *is_dir);

/* sha256 (hex) of every source's names, types, modes and contents. */
int copy_digest(const struct copy_request *req, char *hex,
		struct vmctl_err *err);

/* Stages the sources into stage (an empty directory) at their place in the
 * image; the parent directories take their modes and owners from the
 * image where it has them.  hex gets the copy_digest() of what was staged
 * (the files may have changed since the cache was asked). */
int copy_stage(const struct copy_request *req, const char *stage, char *hex,
	       struct vmctl_err *err);

#endif
