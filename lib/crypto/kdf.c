// SPDX-License-Identifier: MIT
/* HMAC and HKDF (RFC 5869) through EVP_MAC / EVP_KDF. */
#include <errno.h>

#include <openssl/core_names.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include <devauth/spdm.h>

#include "crypto.h"
#include "session_crypto.h"

const char *spdm_hash_ossl_name(uint32_t base_hash)
{
	switch (base_hash) {
	case SPDM_HASH_SHA256:
		return "SHA256";
	case SPDM_HASH_SHA384:
		return "SHA384";
	case SPDM_HASH_SHA512:
		return "SHA512";
	case SPDM_HASH_SHA3_256:
		return "SHA3-256";
	case SPDM_HASH_SHA3_384:
		return "SHA3-384";
	case SPDM_HASH_SHA3_512:
		return "SHA3-512";
	default:
		return NULL;
	}
}

int spdm_hmac(uint32_t base_hash, const uint8_t *key, size_t key_len, const void *data,
	      size_t len, uint8_t *out)
{
	const char *md = spdm_hash_ossl_name(base_hash);
	size_t h = spdm_hash_size(base_hash), n = 0;

	if (!md)
		return -EOPNOTSUPP;
	if (!EVP_Q_mac(NULL, "HMAC", NULL, md, NULL, key, key_len, data, len, out, h, &n) ||
	    n != h)
		return -EIO;
	return 0;
}

static int hkdf(uint32_t base_hash, int mode, const uint8_t *key, size_t key_len,
		const uint8_t *salt, size_t salt_len, const uint8_t *info, size_t info_len,
		uint8_t *out, size_t out_len)
{
	const char *md = spdm_hash_ossl_name(base_hash);
	OSSL_PARAM params[6], *p = params;
	EVP_KDF *kdf;
	EVP_KDF_CTX *ctx;
	int ret = 0;

	if (!md)
		return -EOPNOTSUPP;
	kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
	ctx = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
	EVP_KDF_free(kdf);
	if (!ctx)
		return -EIO;
	*p++ = OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode);
	*p++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)md, 0);
	*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)key, key_len);
	if (salt)
		*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (void *)salt,
							 salt_len);
	if (info)
		*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, (void *)info,
							 info_len);
	*p = OSSL_PARAM_construct_end();
	if (EVP_KDF_derive(ctx, out, out_len, params) != 1)
		ret = -EIO;
	EVP_KDF_CTX_free(ctx);
	return ret;
}

int spdm_hkdf_extract(uint32_t base_hash, const uint8_t *salt, size_t salt_len,
		      const uint8_t *ikm, size_t ikm_len, uint8_t *prk)
{
	return hkdf(base_hash, EVP_KDF_HKDF_MODE_EXTRACT_ONLY, ikm, ikm_len, salt, salt_len,
		    NULL, 0, prk, spdm_hash_size(base_hash));
}

int spdm_hkdf_expand(uint32_t base_hash, const uint8_t *prk, size_t prk_len,
		     const uint8_t *info, size_t info_len, uint8_t *out, size_t out_len)
{
	return hkdf(base_hash, EVP_KDF_HKDF_MODE_EXPAND_ONLY, prk, prk_len, NULL, 0, info,
		    info_len, out, out_len);
}
