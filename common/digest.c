/* digest.c - sha256 with OpenSSL's libcrypto, loaded on first use.
 *
 * libcrypto is 3 MB of code that a container start never needs: linked in,
 * its pages and relocations cost every `vmctl run` time and resident memory
 * (measured: +0.4 ms per exec dynamically linked, ~2 MB of RSS statically).
 * So it is dlopen()ed the first time a digest is asked for, and the few
 * functions used are called through a table typed from OpenSSL's own
 * prototypes.
 */
#include "digest.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdlib.h>
#include <stdio.h>
#include <unistd.h>

#include "cleanup.h"
#include "dl.h"

static struct {
	__typeof__(OPENSSL_init_crypto) *init_crypto;
	__typeof__(EVP_sha256) *sha256;
	__typeof__(EVP_MD_CTX_new) *ctx_new;
	__typeof__(EVP_MD_CTX_free) *ctx_free;
	__typeof__(EVP_DigestInit_ex) *init;
	__typeof__(EVP_DigestUpdate) *update;
	__typeof__(EVP_DigestFinal_ex) *final;
	int status; /* 0 not tried, 1 loaded, negative errno */
} crypto;

static pthread_once_t crypto_once = PTHREAD_ONCE_INIT;

static void load_crypto(void)
{
	/* The callers' API reports -ENOPKG; the message says why for a debugger. */
	static char msg[256];
	void *h = dl_library("libcrypto.so.3", "libssl3", msg, sizeof(msg));
	crypto.status = -ENOPKG;
	if (!h)
		return;
#define CRYPTO_SYM(field, name)                                                \
	if (dl_symbol(h, "libcrypto.so.3", "libcrypto", name,                  \
		      (void **)&crypto.field, msg, sizeof(msg)) < 0)             \
		return;
	CRYPTO_SYM(init_crypto, "OPENSSL_init_crypto")
	CRYPTO_SYM(sha256, "EVP_sha256")
	CRYPTO_SYM(ctx_new, "EVP_MD_CTX_new")
	CRYPTO_SYM(ctx_free, "EVP_MD_CTX_free")
	CRYPTO_SYM(init, "EVP_DigestInit_ex")
	CRYPTO_SYM(update, "EVP_DigestUpdate")
	CRYPTO_SYM(final, "EVP_DigestFinal_ex")
#undef CRYPTO_SYM
	/* openssl.cnf is of no use for a digest and costs ~1 ms to read. */
	crypto.init_crypto(OPENSSL_INIT_NO_LOAD_CONFIG, NULL);
	crypto.status = 1;
}

static int crypto_ready(void)
{
	pthread_once(&crypto_once, load_crypto);
	return crypto.status < 0 ? crypto.status : 0;
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

struct sha256_ctx {
	EVP_MD_CTX *md;
};

int sha256_begin(struct sha256_ctx **out)
{
	int r = crypto_ready();
	if (r < 0)
		return r;
	struct sha256_ctx *c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->md = crypto.ctx_new();
	if (!c->md || !crypto.init(c->md, crypto.sha256(), NULL)) {
		sha256_abort(c);
		return -EIO;
	}
	*out = c;
	return 0;
}

int sha256_update(struct sha256_ctx *c, const void *data, size_t len)
{
	return crypto.update(c->md, data, len) ? 0 : -EIO;
}

int sha256_end(struct sha256_ctx *c, char *hex)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;
	int ok = crypto.final(c->md, md, &mdlen);
	sha256_abort(c);
	if (!ok)
		return -EIO;
	to_hex(md, mdlen, hex);
	return 0;
}

void sha256_abort(struct sha256_ctx *c)
{
	if (!c)
		return;
	if (c->md)
		crypto.ctx_free(c->md);
	free(c);
}

int sha256_hex(const void *data, size_t len, char *hex)
{
	struct sha256_ctx *c = NULL;
	int r = sha256_begin(&c);
	if (r < 0)
		return r;
	r = sha256_update(c, data, len);
	if (r < 0) {
		sha256_abort(c);
		return r;
	}
	return sha256_end(c, hex);
}

int sha256_file_hex(const char *path, char *hex)
{
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	struct sha256_ctx *c = NULL;
	int r = sha256_begin(&c);
	if (r < 0)
		return r;
	unsigned char buf[65536];
	for (ssize_t n; (n = read(fd, buf, sizeof(buf))) != 0;) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			sha256_abort(c);
			return -errno;
		}
		r = sha256_update(c, buf, (size_t)n);
		if (r < 0) {
			sha256_abort(c);
			return r;
		}
	}
	return sha256_end(c, hex);
}
