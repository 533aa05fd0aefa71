/* build.h - `vmctl build`: an image from a Dockerfile (images/dockerfile.h).
 *
 * Every instruction after FROM makes one image on top of the previous one
 * (images/commit.h): RUN runs its command as a container-mode run of the
 * previous image (common/runner.h; its output goes to vmctl's own stdout
 * and stderr) and takes the run's writable layer; COPY stages the files
 * from the build context as a layer; ENV, WORKDIR, CMD and ENTRYPOINT only
 * change the config (an empty_layer history entry).  The intermediate
 * images are untagged; only the last one gets the name.
 *
 * The build cache: <root>/build-cache/<key> holds the id of the image a
 * step made, key = build_cache_key(parent image id, instruction text, and
 * for COPY the digest of the copied files' names, types, modes and
 * contents).  A step whose key is there and whose image still exists is
 * not run again.  Entries whose image was removed are dropped when met.
 * <root>/build-cache/parent-<hex> marks the images that a step was built on
 * (intermediate images: `vmctl images` hides them unless -a, as Docker).
 *
 * COPY sources are resolved beneath the context directory
 * (openat2 RESOLVE_BENEATH): ".." and symlinks that lead out of it are
 * refused; symlinks inside copied directories are copied as symlinks.
 * Copied files belong to root (as Docker's COPY without --chown).
 */
#ifndef VMCTL_IMAGES_BUILD_H
#define VMCTL_IMAGES_BUILD_H

#include <stdbool.h>
#include <stdint.h>

#include "common/digest.h"
#include "common/error.h"

struct build_opts {
	const char *context;	/* the build context directory */
	const char *dockerfile; /* NULL: <context>/Dockerfile */
	const char *tag;	/* "repo[:tag]", or NULL */
	bool no_cache;
	/* Progress, one line at a time ("Step 2/5 : RUN ...", " ---> Using
	 * cache", " ---> <short id>"), for the caller to show. */
	void (*progress)(void *ctx, const char *line);
	void *ctx;
};

/* Builds; id_out (OCI_DIGEST_LEN + 1 bytes) gets the final image's id.
 * On failure nothing is tagged and no run is left behind; err names the
 * step and its Dockerfile line. */
int image_build(const char *root, const struct build_opts *o, char *id_out,
		struct vmctl_err *err);

/* True when a build step was made on top of image id (see above). */
bool build_is_intermediate(const char *root, const char *id);

/* The cache key of a step (hex, SHA256_HEX_LEN + 1 bytes).  content may
 * be NULL (steps that read no files).  Pure. */
int build_cache_key(const char *parent_id, const char *text,
		    const char *content, char *hex);

#endif
