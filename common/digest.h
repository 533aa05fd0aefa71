/* digest.h - sha256 digests (OpenSSL's libcrypto), as lowercase hex. */
#ifndef VMCTL_DIGEST_H
#define VMCTL_DIGEST_H

#include <stddef.h>

#define SHA256_HEX_LEN 64

/* hex must hold SHA256_HEX_LEN + 1 bytes. */
int sha256_hex(const void *data, size_t len, char *hex);
int sha256_file_hex(const char *path, char *hex);

#endif
