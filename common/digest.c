#include "digest.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <unistd.h>

#include "cleanup.h"

/* OpenSSL reads openssl.cnf on first use (~1 ms here): digests need none
 * of it, and vmctl's start is measured in milliseconds. */
static void digest_init(void)
{
	static int done;
	if (!done) {
		OPENSSL_init_crypto(OPENSSL_INIT_NO_LOAD_CONFIG, NULL);
		done = 1;
	}
}

static void to_hex(const unsigned char *md, unsigned len, char *hex)
{
	static const char digits[] = "0123456789abcdef";
	for (unsigned i = 0; i < len; i++) {
		hex[2 * i] = digits[md[i] >> 4];
		hex[2 * i + 1] = digits[md[i] & 15];
	}
	hex[2 * len] = '\0';
}

int sha256_hex(const void *data, size_t len, char *hex)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;
	digest_init();
	if (!EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL))
		return -EIO;
	to_hex(md, mdlen, hex);
	return 0;
}

int sha256_file_hex(const char *path, char *hex)
{
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	digest_init();
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	if (!ctx)
		return -ENOMEM;
	int ret = 0;
	unsigned char buf[65536];
	if (!EVP_DigestInit_ex(ctx, EVP_sha256(), NULL))
		ret = -EIO;
	for (ssize_t n; ret == 0 && (n = read(fd, buf, sizeof(buf))) != 0;) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
		} else if (!EVP_DigestUpdate(ctx, buf, (size_t)n)) {
			ret = -EIO;
		}
	}
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;
	if (ret == 0 && !EVP_DigestFinal_ex(ctx, md, &mdlen))
		ret = -EIO;
	EVP_MD_CTX_free(ctx);
	if (ret == 0)
		to_hex(md, mdlen, hex);
	return ret;
}
