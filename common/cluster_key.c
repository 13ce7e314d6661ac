/* Key derivation and packet authentication with OpenSSL 3 (EVP_KDF, EVP_MAC). */
#include "cluster_key.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int read_key(const char *path, uint8_t *buf, size_t *len)
{
	struct stat st;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	int r = 0;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0)
		r = -errno;
	else if (!S_ISREG(st.st_mode) || ((st.st_mode & 07777) != 0600 && (st.st_mode & 07777) != 0400))
		r = -EPERM;
	else if (st.st_size < CLUSTER_KEY_MIN || st.st_size > CLUSTER_KEY_MAX)
		r = -EINVAL;
	else if ((n = read(fd, buf, (size_t)st.st_size)) != st.st_size)
		r = n < 0 ? -errno : -EIO;
	else
		*len = (size_t)n;
	close(fd);
	return r;
}

int cluster_key_derive(const char *path, const char *purpose, uint8_t out[DERIVED_KEY_SIZE])
{
	uint8_t secret[CLUSTER_KEY_MAX];
	size_t len = 0;
	EVP_KDF *kdf;
	EVP_KDF_CTX *ctx = NULL;
	OSSL_PARAM params[5], *p = params;
	int r = read_key(path, secret, &len);

	if (r < 0)
		return r;
	kdf = EVP_KDF_fetch(NULL, OSSL_KDF_NAME_HKDF, NULL);
	if (kdf)
		ctx = EVP_KDF_CTX_new(kdf);
	EVP_KDF_free(kdf);
	*p++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, "SHA256", 0);
	*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, secret, len);
	*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, "lvsd cluster key", 16);
	*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, (void *)purpose, strlen(purpose));
	*p = OSSL_PARAM_construct_end();
	r = ctx && EVP_KDF_derive(ctx, out, DERIVED_KEY_SIZE, params) == 1 ? 0 : -EIO;
	EVP_KDF_CTX_free(ctx);
	OPENSSL_cleanse(secret, sizeof(secret));
	return r;
}

struct hmac {
	EVP_MAC_CTX *ctx;   /* keyed once; re-initialised per message */
};

int hmac_new(const uint8_t key[DERIVED_KEY_SIZE], struct hmac **ret)
{
	struct hmac *h = calloc(1, sizeof(*h));
	EVP_MAC *mac = EVP_MAC_fetch(NULL, OSSL_MAC_NAME_HMAC, NULL);
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, "SHA256", 0),
		OSSL_PARAM_construct_end(),
	};

	if (!h || !mac || !(h->ctx = EVP_MAC_CTX_new(mac)) ||
	    EVP_MAC_init(h->ctx, key, DERIVED_KEY_SIZE, params) != 1) {
		EVP_MAC_free(mac);
		hmac_free(h);
		return -ENOMEM;
	}
	EVP_MAC_free(mac);
	*ret = h;
	return 0;
}

void hmac_free(struct hmac *h)
{
	if (!h)
		return;
	EVP_MAC_CTX_free(h->ctx);
	free(h);
}

int hmac_compute(struct hmac *h, const void *data, size_t len, uint8_t out[HMAC_SIZE])
{
	size_t n = 0;

	/* A NULL key keeps the one given at creation. */
	if (EVP_MAC_init(h->ctx, NULL, 0, NULL) != 1 || EVP_MAC_update(h->ctx, data, len) != 1 ||
	    EVP_MAC_final(h->ctx, out, &n, HMAC_SIZE) != 1 || n != HMAC_SIZE)
		return -EIO;
	return 0;
}

int hmac_verify(struct hmac *h, const void *data, size_t len, const uint8_t mac[HMAC_SIZE])
{
	uint8_t want[HMAC_SIZE];
	int r = hmac_compute(h, data, len, want);

	if (r < 0)
		return r;
	return CRYPTO_memcmp(want, mac, HMAC_SIZE) == 0 ? 0 : -EBADMSG;
}
