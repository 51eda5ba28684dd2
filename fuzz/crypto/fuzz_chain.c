// SPDX-License-Identifier: MIT
/*
 * Certificate chains from a device: the first byte picks the BaseHash
 * (so RootHash can match), the rest is the SPDM chain.  Whatever parses
 * goes through the consistency checks and the SAN readers; the same
 * bytes also go through the anchor-file parsers (PEM or DER sequence):
 * the decoding one and the splitter that only frames, every byte of
 * whose pieces is read (for the sanitizers).
 */
#include <stddef.h>
#include <stdint.h>

#include <devauth/spdm.h>

#include "crypto/crypto.h"
#include "crypto/x509.h"
#include "cursor.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int touch(void *arg, const uint8_t *der, size_t len)
{
	size_t *sum = arg;

	for (size_t i = 0; i < len; i++)
		*sum += der[i];
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint32_t hashes[] = { SPDM_HASH_SHA256, SPDM_HASH_SHA384, SPDM_HASH_SHA512 };
	static const struct cma_identity id = {
		.vendor = 0x8086, .device = 0x0b25, .class_code = 0x010802, .revision = 1,
	};
	struct cur c = cur_init(data, size);
	struct da_err err = { 0 };
	STACK_OF(X509) *sk = NULL;
	struct spdm_chain chain;
	const uint8_t *rest;
	char san[128];
	size_t len, sum = 0;
	uint8_t sel;
	EVP_PKEY *k;

	if (cur_u8(&c, &sel))
		return 0;
	cur_rest(&c, &rest, &len);
	if (spdm_chain_parse(rest, len, hashes[sel % 3], &chain, &err) == 0) {
		spdm_chain_check(&chain, &err);
		da_err_clear(&err);
		cma_check_leaf_san(spdm_chain_leaf(&chain), &id, &err);
		cma_leaf_san_string(spdm_chain_leaf(&chain), san, sizeof(san));
		da_x509_subject(spdm_chain_leaf(&chain), san, sizeof(san));
		k = spdm_chain_leaf_key(&chain);
		EVP_PKEY_free(k);
		spdm_chain_free(&chain);
	}
	da_err_clear(&err);
	if (da_x509_parse_certs(rest, len, &sk, &err) == 0)
		sk_X509_pop_free(sk, X509_free);
	da_err_clear(&err);
	da_x509_split_certs(rest, len, touch, &sum, &err);
	return 0;
}
