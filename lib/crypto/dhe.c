// SPDX-License-Identifier: MIT
/*
 * DHE for SPDM sessions through EVP: ECDHE on secp256r1/384r1/521r1
 * and FFDHE 2048/3072/4096 (RFC 7919 groups).  On the wire (DSP0274
 * "KEY_EXCHANGE ExchangeData"), an ECDHE public key is X || Y without
 * the SEC1 0x04 prefix and an FFDHE public key is Y as a big-endian
 * number of the prime's size; the ECDHE shared secret is the X
 * coordinate and the FFDHE one is zero-padded to the prime's size.
 */
#include <errno.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/dh.h>
#include <openssl/param_build.h>
#include <openssl/params.h>

#include <devauth/spdm.h>

#include "session_crypto.h"

struct group {
	uint16_t bit;
	const char *type;	/* "EC" or "DH" */
	const char *name;
	size_t d, secret;
};

static const struct group groups[] = {
	{ SPDM_DHE_SECP256R1, "EC", "prime256v1", 64, 32 },
	{ SPDM_DHE_SECP384R1, "EC", "secp384r1", 96, 48 },
	{ SPDM_DHE_SECP521R1, "EC", "secp521r1", 132, 66 },
	{ SPDM_DHE_FFDHE_2048, "DH", "ffdhe2048", 256, 256 },
	{ SPDM_DHE_FFDHE_3072, "DH", "ffdhe3072", 384, 384 },
	{ SPDM_DHE_FFDHE_4096, "DH", "ffdhe4096", 512, 512 },
};

static const struct group *find(uint16_t dhe)
{
	for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++)
		if (groups[i].bit == dhe)
			return &groups[i];
	return NULL;
}

size_t spdm_dhe_size(uint16_t dhe)
{
	const struct group *g = find(dhe);

	return g ? g->d : 0;
}

size_t spdm_dhe_secret_size(uint16_t dhe)
{
	const struct group *g = find(dhe);

	return g ? g->secret : 0;
}

uint16_t spdm_supported_dhe(void)
{
	return SPDM_DHE_SECP256R1 | SPDM_DHE_SECP384R1 | SPDM_DHE_SECP521R1 |
	       SPDM_DHE_FFDHE_2048 | SPDM_DHE_FFDHE_3072 | SPDM_DHE_FFDHE_4096;
}

static EVP_PKEY *keygen(const struct group *g)
{
	OSSL_PARAM params[2] = {
		OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, (char *)g->name, 0),
		OSSL_PARAM_construct_end(),
	};
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, g->type, NULL);
	EVP_PKEY *key = NULL;

	if (!ctx || EVP_PKEY_keygen_init(ctx) <= 0 || EVP_PKEY_CTX_set_params(ctx, params) <= 0 ||
	    EVP_PKEY_generate(ctx, &key) <= 0)
		key = NULL;
	EVP_PKEY_CTX_free(ctx);
	return key;
}

int spdm_dhe_generate(uint16_t dhe, EVP_PKEY **key, uint8_t *pub, struct da_err *err)
{
	const struct group *g = find(dhe);
	uint8_t point[1 + 132];
	BIGNUM *y = NULL;
	size_t n = 0;
	int ret = -EIO;

	*key = NULL;
	if (!g)
		return da_errf(err, -EOPNOTSUPP, "DHE group 0x%04x not supported", dhe);
	*key = keygen(g);
	if (!*key)
		return da_errf(err, -EIO, "DHE %s: key generation failed", g->name);
	if (!strcmp(g->type, "EC")) {
		if (!EVP_PKEY_get_octet_string_param(*key, OSSL_PKEY_PARAM_PUB_KEY, point,
						     sizeof(point), &n) ||
		    n != 1 + g->d || point[0] != 0x04)
			goto fail;
		memcpy(pub, point + 1, g->d);
	} else {
		if (!EVP_PKEY_get_bn_param(*key, OSSL_PKEY_PARAM_PUB_KEY, &y) ||
		    BN_bn2binpad(y, pub, (int)g->d) != (int)g->d)
			goto fail;
	}
	BN_free(y);
	return 0;
fail:
	BN_free(y);
	EVP_PKEY_free(*key);
	*key = NULL;
	return da_errf(err, ret, "DHE %s: cannot export the public key", g->name);
}

static EVP_PKEY *peer_key(const struct group *g, const uint8_t *peer)
{
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pk = NULL;
	uint8_t point[1 + 132];
	BIGNUM *y = NULL;

	if (!bld)
		return NULL;
	if (!OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, g->name, 0))
		goto out;
	if (!strcmp(g->type, "EC")) {
		point[0] = 0x04;
		memcpy(point + 1, peer, g->d);
		if (!OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point,
						      1 + g->d))
			goto out;
	} else {
		y = BN_bin2bn(peer, (int)g->d, NULL);
		if (!y || !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PUB_KEY, y))
			goto out;
	}
	params = OSSL_PARAM_BLD_to_param(bld);
	ctx = EVP_PKEY_CTX_new_from_name(NULL, g->type, NULL);
	if (!params || !ctx || EVP_PKEY_fromdata_init(ctx) <= 0 ||
	    EVP_PKEY_fromdata(ctx, &pk, EVP_PKEY_PUBLIC_KEY, params) <= 0)
		pk = NULL;
out:
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(y);
	return pk;
}

int spdm_dhe_derive(EVP_PKEY *key, uint16_t dhe, const uint8_t *peer, uint8_t *secret,
		    struct da_err *err)
{
	const struct group *g = find(dhe);
	EVP_PKEY_CTX *ctx = NULL, *chk = NULL;
	EVP_PKEY *pk;
	size_t n;
	int ret = 0;

	if (!g)
		return da_errf(err, -EOPNOTSUPP, "DHE group 0x%04x not supported", dhe);
	pk = peer_key(g, peer);
	if (!pk)
		return da_errf(err, -EBADMSG, "ExchangeData: not a valid %s public key", g->name);
	/* Point on the curve / 1 < Y < p-1 with the right order: OpenSSL's full check. */
	chk = EVP_PKEY_CTX_new(pk, NULL);
	if (!chk || EVP_PKEY_public_check(chk) != 1) {
		ret = da_errf(err, -EBADMSG, "ExchangeData: %s public key fails validation",
			      g->name);
		goto out;
	}
	ctx = EVP_PKEY_CTX_new(key, NULL);
	n = g->secret;
	if (!ctx || EVP_PKEY_derive_init(ctx) <= 0 ||
	    (!strcmp(g->type, "DH") && EVP_PKEY_CTX_set_dh_pad(ctx, 1) <= 0) ||
	    EVP_PKEY_derive_set_peer(ctx, pk) <= 0 || EVP_PKEY_derive(ctx, secret, &n) <= 0 ||
	    n != g->secret)
		ret = da_errf(err, -EIO, "DHE %s: key agreement failed", g->name);
out:
	EVP_PKEY_CTX_free(chk);
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(pk);
	return ret;
}
