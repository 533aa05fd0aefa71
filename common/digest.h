/* digest.h - sha256 digests (OpenSSL's libcrypto, loaded on first use),
 * as lowercase hex.  Every function returns 0 or a negative errno
 * (-ENOPKG when libcrypto.so.3 is not installed). */
#ifndef VMCTL_DIGEST_H
#define VMCTL_DIGEST_H

#include <stddef.h>

#define SHA256_HEX_LEN 64

/* hex must hold SHA256_HEX_LEN + 1 bytes. */
int sha256_hex(const void *data, size_t len, char *hex);
int sha256_file_hex(const char *path, char *hex);

/* Streaming: begin, update..., end (frees) or abort (frees). */
struct sha256_ctx;
int sha256_begin(struct sha256_ctx **out);
int sha256_update(struct sha256_ctx *c, const void *data, size_t len);
int sha256_end(struct sha256_ctx *c, char *hex);
void sha256_abort(struct sha256_ctx *c);

#endif
