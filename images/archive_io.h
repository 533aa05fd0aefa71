/* archive_io.h - `vmctl save` and `vmctl load`: images in and out of the store.
 *
 * save writes an OCI image layout, as a directory or as a tar archive; the
 * tar also carries Docker's manifest.json (as Docker 25+ does), so it is at
 * once an oci-archive and a docker-archive.  Index entries are annotated
 * with org.opencontainers.image.ref.name = "repo:tag" (skopeo:
 * oci:DIR:repo:tag, umoci: --image DIR:repo:tag) and io.containerd.image.name.
 *
 * load reads any of: an OCI layout directory, a docker-archive directory
 * (manifest.json + layer tars), or either as a tar file (unpacked first into
 * <root>/tmp with the layer safety rules).  Every blob is copied into the
 * store through a digest check, then the image goes through image_import()
 * (which unpacks and verifies the layers).  Names: the io.containerd.image.name
 * annotation, else ref.name when it is a whole "repo:tag", else ref.name is
 * only a tag (the OCI convention) and the repository is the input's file name
 * (without extension); docker-archive uses RepoTags.
 */
#ifndef VMCTL_IMAGES_ARCHIVE_IO_H
#define VMCTL_IMAGES_ARCHIVE_IO_H

#include <stddef.h>

#include "common/error.h"

/* out: an existing directory or a path ending in '/' gets an OCI layout
 * directory; anything else a tar file (replaced atomically). */
int image_save(const char *root, char *const *refs, size_t n_refs,
	       const char *out, struct vmctl_err *err);

/* Calls loaded(name or id, ctx) for every image loaded. */
int image_load(const char *root, const char *in,
	       void (*loaded)(const char *what, void *ctx), void *ctx,
	       struct vmctl_err *err);

/* Pure: the repository a bare-tag layout is loaded under, from the input
 * path ("/x/My-App.tar" -> "my-app").  buf holds n bytes. */
void image_load_repo_from_path(const char *path, char *buf, size_t n);

#endif
