// SPDX-License-Identifier: MIT
/*
 * lib/crypto/crypto.c: hashes, the combined SPDM prefix, and a sign +
 * verify round trip for every BaseAsym x BaseHash x version this build
 * supports, with tampering that must be caught.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/rsa.h>

#include <devauth/spdm.h>

#include "crypto/crypto.h"
#include "crypto/pki.h"

static const uint32_t all_asym[] = {
	SPDM_ASYM_RSASSA_2048, SPDM_ASYM_RSAPSS_2048, SPDM_ASYM_RSASSA_3072,
	SPDM_ASYM_RSAPSS_3072, SPDM_ASYM_RSASSA_4096, SPDM_ASYM_RSAPSS_4096,
	SPDM_ASYM_ECDSA_P256, SPDM_ASYM_ECDSA_P384, SPDM_ASYM_ECDSA_P521,
	SPDM_ASYM_EDDSA_ED25519, SPDM_ASYM_EDDSA_ED448,
};

static const uint32_t all_hash[] = {
	SPDM_HASH_SHA256, SPDM_HASH_SHA384, SPDM_HASH_SHA512,
	SPDM_HASH_SHA3_256, SPDM_HASH_SHA3_384, SPDM_HASH_SHA3_512,
};

static void test_sizes(void **state)
{
	assert_int_equal(spdm_hash_size(SPDM_HASH_SHA256), 32);
	assert_int_equal(spdm_hash_size(SPDM_HASH_SHA384), 48);
	assert_int_equal(spdm_hash_size(SPDM_HASH_SHA512), 64);
	assert_int_equal(spdm_hash_size(SPDM_HASH_SM3_256), 0);
	assert_int_equal(spdm_hash_size(SPDM_HASH_SHA256 | SPDM_HASH_SHA384), 0);
	assert_int_equal(spdm_meas_hash_size(SPDM_MEAS_HASH_RAW), 0);
	assert_int_equal(spdm_meas_hash_size(SPDM_MEAS_HASH_SHA512), 64);
	assert_int_equal(spdm_meas_hash_size(SPDM_MEAS_HASH_SHA3_384), 48);
	assert_int_equal(spdm_sig_size(SPDM_ASYM_ECDSA_P256), 64);
	assert_int_equal(spdm_sig_size(SPDM_ASYM_ECDSA_P521), 132);
	assert_int_equal(spdm_sig_size(SPDM_ASYM_RSASSA_3072), 384);
	assert_int_equal(spdm_sig_size(SPDM_ASYM_RSAPSS_4096), 512);
	assert_int_equal(spdm_sig_size(SPDM_ASYM_EDDSA_ED448), 114);
	assert_int_equal(spdm_sig_size(SPDM_ASYM_SM2_P256), 0);
	assert_true(spdm_supported_asym() & SPDM_ASYM_ECDSA_P256);
	assert_false(spdm_supported_asym() & SPDM_ASYM_SM2_P256);
	assert_true(spdm_supported_hash() & SPDM_HASH_SHA384);
	assert_true(spdm_supported_meas_hash() & SPDM_MEAS_HASH_RAW);
	assert_true(spdm_supported_meas_hash() & SPDM_MEAS_HASH_SHA512);
}

/* FIPS 180-2 "abc" vectors. */
static void test_hash_known_answer(void **state)
{
	static const uint8_t sha256_abc[32] = {
		0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40, 0xde,
		0x5d, 0xae, 0x22, 0x23, 0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c,
		0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad,
	};
	static const uint8_t sha384_abc_head[8] = {
		0xcb, 0x00, 0x75, 0x3f, 0x45, 0xa3, 0x5e, 0x8b,
	};
	uint8_t out[64], inc[64];
	struct spdm_hash_ctx h;

	assert_int_equal(spdm_hash(SPDM_HASH_SHA256, "abc", 3, out), 0);
	assert_memory_equal(out, sha256_abc, 32);
	assert_int_equal(spdm_meas_hash(SPDM_MEAS_HASH_SHA256, "abc", 3, inc), 0);
	assert_memory_equal(inc, sha256_abc, 32);
	assert_int_equal(spdm_hash(SPDM_HASH_SHA384, "abc", 3, out), 0);
	assert_memory_equal(out, sha384_abc_head, 8);
	assert_int_equal(spdm_hash(SPDM_HASH_SM3_256, "abc", 3, out), -EOPNOTSUPP);
	assert_int_equal(spdm_meas_hash(SPDM_MEAS_HASH_RAW, "abc", 3, out), -EOPNOTSUPP);

	/* Incremental = one-shot, and final does not end the context. */
	assert_int_equal(spdm_hash_init(&h, SPDM_HASH_SHA256), 0);
	assert_int_equal(spdm_hash_update(&h, "a", 1), 0);
	assert_int_equal(spdm_hash_update(&h, "bc", 2), 0);
	assert_int_equal(spdm_hash_final(&h, inc), 0);
	assert_memory_equal(inc, sha256_abc, 32);
	assert_int_equal(spdm_hash_update(&h, "d", 1), 0);
	assert_int_equal(spdm_hash_final(&h, inc), 0);
	assert_int_equal(spdm_hash(SPDM_HASH_SHA256, "abcd", 4, out), 0);
	assert_memory_equal(inc, out, 32);
	spdm_hash_free(&h);
	spdm_hash_free(&h);
	assert_int_equal(spdm_hash_init(&h, 0), -EOPNOTSUPP);
	assert_int_equal(spdm_hash_update(&h, "a", 1), -EINVAL);
}

static void test_combined_prefix_literal(void **state)
{
	/* DSP0274 1.2 "Signature generation": 4 x 16 bytes, zero pad, context. */
	static const char v12_chal[] =
		"dmtf-spdm-v1.2.*dmtf-spdm-v1.2.*dmtf-spdm-v1.2.*dmtf-spdm-v1.2.*"
		"\0\0\0\0responder-challenge_auth signing";
	static const char v13_meas[] =
		"dmtf-spdm-v1.3.*dmtf-spdm-v1.3.*dmtf-spdm-v1.3.*dmtf-spdm-v1.3.*"
		"\0\0\0\0\0\0responder-measurements signing";
	uint8_t out[SPDM_COMBINED_PREFIX_SIZE];

	assert_int_equal(sizeof(v12_chal) - 1, SPDM_COMBINED_PREFIX_SIZE);
	assert_int_equal(sizeof(v13_meas) - 1, SPDM_COMBINED_PREFIX_SIZE);
	memset(out, 0xaa, sizeof(out));
	spdm_combined_prefix(SPDM_VER_12, SPDM_CTX_CHALLENGE_AUTH, out);
	assert_memory_equal(out, v12_chal, SPDM_COMBINED_PREFIX_SIZE);
	memset(out, 0xaa, sizeof(out));
	spdm_combined_prefix(SPDM_VER_13, SPDM_CTX_MEASUREMENTS, out);
	assert_memory_equal(out, v13_meas, SPDM_COMBINED_PREFIX_SIZE);
	spdm_combined_prefix(SPDM_VER_14, SPDM_CTX_MEASUREMENTS, out);
	assert_memory_equal(out, "dmtf-spdm-v1.4.*", 16);
	assert_memory_equal(out + 48, "dmtf-spdm-v1.4.*", 16);
}

static EVP_PKEY *keys[sizeof(all_asym) / sizeof(all_asym[0])];

static int gen_keys(void **state)
{
	/* RSASSA and RSAPSS of one size share a key: the padding is the difference. */
	for (size_t i = 0; i < sizeof(all_asym) / sizeof(all_asym[0]); i++) {
		if (i % 2 == 1 && i < 6) {
			keys[i] = keys[i - 1];
			EVP_PKEY_up_ref(keys[i]);
			continue;
		}
		keys[i] = pki_new_key(all_asym[i], NULL);
		if (!keys[i])
			return -1;
	}
	return 0;
}

static int free_keys(void **state)
{
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		EVP_PKEY_free(keys[i]);
	return 0;
}

static void round_trip(EVP_PKEY *k, uint32_t asym, uint32_t hash, uint8_t ver)
{
	uint8_t th[64], sig[SPDM_MAX_SIG_SIZE], sig2[SPDM_MAX_SIG_SIZE];
	size_t slen = spdm_sig_size(asym), hlen = spdm_hash_size(hash);
	const char *ctx = SPDM_CTX_CHALLENGE_AUTH;
	struct da_err err = { 0 };
	int ret;

	assert_int_equal(da_random(th, hlen), 0);
	ret = spdm_sign(k, asym, hash, ver, ctx, th, sig, &err);
	if (ret)
		fail_msg("sign asym 0x%x hash 0x%x ver 0x%x: %d %s", asym, hash, ver, ret,
			 err.msg);
	ret = spdm_verify(k, asym, hash, ver, ctx, th, sig, slen, &err);
	if (ret)
		fail_msg("verify asym 0x%x hash 0x%x ver 0x%x: %d %s", asym, hash, ver, ret,
			 err.msg);

	/* One flipped byte anywhere in the signature: the first, the middle, the last. */
	const size_t at[] = { 0, slen / 2, slen - 1 };

	for (size_t i = 0; i < 3; i++) {
		memcpy(sig2, sig, slen);
		sig2[at[i]] ^= 0x01;
		da_err_clear(&err);
		assert_int_equal(spdm_verify(k, asym, hash, ver, ctx, th, sig2, slen, &err),
				 -EBADMSG);
		assert_non_null(strstr(err.msg, "does not verify"));
	}
	memcpy(sig2, sig, slen);
	sig2[slen - 1] ^= 0x80;
	assert_int_equal(spdm_verify(k, asym, hash, ver, ctx, th, sig2, slen, NULL), -EBADMSG);

	/*
	 * A different transcript hash.  The first byte: in 1.0/1.1 ECDSA
	 * truncates a digest longer than the curve order (P-256 with
	 * SHA-384), so a change in the last bytes would rightly go unseen.
	 */
	th[0] ^= 0x01;
	ret = spdm_verify(k, asym, hash, ver, ctx, th, sig, slen, NULL);
	if (ret != -EBADMSG)
		fail_msg("changed hash verifies: asym 0x%x hash 0x%x ver 0x%x: %d", asym, hash,
			 ver, ret);
	th[0] ^= 0x01;

	/* Wrong length. */
	da_err_clear(&err);
	assert_int_equal(spdm_verify(k, asym, hash, ver, ctx, th, sig, slen - 1, &err), -EBADMSG);
	assert_non_null(strstr(err.msg, "signature:"));

	if (ver >= SPDM_VER_12) {
		/* The prefix binds context and version. */
		assert_int_equal(spdm_verify(k, asym, hash, ver, SPDM_CTX_MEASUREMENTS, th, sig,
					     slen, NULL), -EBADMSG);
		assert_int_equal(spdm_verify(k, asym, hash, ver == SPDM_VER_12 ? SPDM_VER_13 :
					     SPDM_VER_12, ctx, th, sig, slen, NULL), -EBADMSG);
		/* ... and 1.1 semantics are different. */
		assert_int_equal(spdm_verify(k, asym, hash, SPDM_VER_11, ctx, th, sig, slen,
					     NULL), -EBADMSG);
	}
}

static void test_sign_verify_all(void **state)
{
	static const uint8_t vers[] = { SPDM_VER_11, SPDM_VER_12, SPDM_VER_13 };
	uint32_t hashes = spdm_supported_hash();
	int n = 0;

	for (size_t a = 0; a < sizeof(all_asym) / sizeof(all_asym[0]); a++) {
		assert_true(spdm_key_matches_asym(keys[a], all_asym[a]));
		for (size_t h = 0; h < sizeof(all_hash) / sizeof(all_hash[0]); h++) {
			if (!(hashes & all_hash[h]))
				continue;
			for (size_t v = 0; v < sizeof(vers); v++) {
				round_trip(keys[a], all_asym[a], all_hash[h], vers[v]);
				n++;
			}
		}
	}
	/* At least the SHA-2 family for all eleven algorithms and three versions. */
	assert_true(n >= 11 * 3 * 3);
}

/* Independent check of the 1.2 rule: ECDSA over prefix || hash, hashed once by EVP. */
static void test_ecdsa_12_independent(void **state)
{
	uint8_t th[32], sig[64], msg[SPDM_COMBINED_PREFIX_SIZE + 32], der[80];
	EVP_PKEY *k = keys[6];
	ECDSA_SIG *es;
	EVP_MD_CTX *md;
	unsigned char *p = der;
	int dlen;

	assert_int_equal(da_random(th, sizeof(th)), 0);
	assert_int_equal(spdm_sign(k, SPDM_ASYM_ECDSA_P256, SPDM_HASH_SHA256, SPDM_VER_12,
				   SPDM_CTX_CHALLENGE_AUTH, th, sig, NULL), 0);
	memcpy(msg, "dmtf-spdm-v1.2.*dmtf-spdm-v1.2.*dmtf-spdm-v1.2.*dmtf-spdm-v1.2.*", 64);
	memset(msg + 64, 0, 4);
	memcpy(msg + 68, "responder-challenge_auth signing", 32);
	memcpy(msg + 100, th, 32);
	es = ECDSA_SIG_new();
	assert_non_null(es);
	assert_int_equal(ECDSA_SIG_set0(es, BN_bin2bn(sig, 32, NULL), BN_bin2bn(sig + 32, 32,
				NULL)), 1);
	dlen = i2d_ECDSA_SIG(es, &p);
	assert_true(dlen > 0);
	md = EVP_MD_CTX_new();
	assert_int_equal(EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, k), 1);
	assert_int_equal(EVP_DigestVerify(md, der, (size_t)dlen, msg, sizeof(msg)), 1);
	EVP_MD_CTX_free(md);
	ECDSA_SIG_free(es);
}

/* RSASSA-PSS salt length = hash length (32 for SHA-256), checked by an independent verifier. */
static void test_pss_salt_independent(void **state)
{
	uint8_t th[32], sig[256], msg[SPDM_COMBINED_PREFIX_SIZE + 32];
	EVP_PKEY_CTX *pctx = NULL;
	EVP_MD_CTX *md;
	EVP_PKEY *k = keys[1];

	assert_int_equal(da_random(th, sizeof(th)), 0);
	assert_int_equal(spdm_sign(k, SPDM_ASYM_RSAPSS_2048, SPDM_HASH_SHA256, SPDM_VER_13,
				   SPDM_CTX_MEASUREMENTS, th, sig, NULL), 0);
	spdm_combined_prefix(SPDM_VER_13, SPDM_CTX_MEASUREMENTS, msg);
	memcpy(msg + SPDM_COMBINED_PREFIX_SIZE, th, sizeof(th));
	for (int salt = 31; salt <= 33; salt++) {
		md = EVP_MD_CTX_new();
		assert_int_equal(EVP_DigestVerifyInit(md, &pctx, EVP_sha256(), NULL, k), 1);
		assert_int_equal(EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING), 1);
		assert_int_equal(EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, salt), 1);
		assert_int_equal(EVP_DigestVerify(md, sig, sizeof(sig), msg, sizeof(msg)) == 1,
				 salt == 32);
		EVP_MD_CTX_free(md);
	}
}

/* r or s with leading zero bytes must still be exactly half the signature. */
static void test_ecdsa_padding(void **state)
{
	uint8_t th[32], sig[64];
	int zeros = 0;

	for (int i = 0; i < 1024; i++) {
		assert_int_equal(da_random(th, sizeof(th)), 0);
		assert_int_equal(spdm_sign(keys[6], SPDM_ASYM_ECDSA_P256, SPDM_HASH_SHA256,
					   SPDM_VER_12, SPDM_CTX_CHALLENGE_AUTH, th, sig, NULL), 0);
		zeros += !sig[0] || !sig[32];
		assert_int_equal(spdm_verify(keys[6], SPDM_ASYM_ECDSA_P256, SPDM_HASH_SHA256,
					     SPDM_VER_12, SPDM_CTX_CHALLENGE_AUTH, th, sig, 64,
					     NULL), 0);
	}
	print_message("%d of 1024 signatures had a zero-padded r or s\n", zeros);
}

static void test_wrong_key_and_args(void **state)
{
	uint8_t th[64] = { 1 }, sig[SPDM_MAX_SIG_SIZE];
	struct da_err err = { 0 };

	/* P-384 key used as P-256. */
	assert_false(spdm_key_matches_asym(keys[7], SPDM_ASYM_ECDSA_P256));
	assert_false(spdm_key_matches_asym(keys[0], SPDM_ASYM_RSASSA_3072));
	assert_false(spdm_key_matches_asym(keys[9], SPDM_ASYM_EDDSA_ED448));
	assert_false(spdm_key_matches_asym(NULL, SPDM_ASYM_EDDSA_ED448));
	assert_int_equal(spdm_verify(keys[7], SPDM_ASYM_ECDSA_P256, SPDM_HASH_SHA256,
				     SPDM_VER_12, SPDM_CTX_CHALLENGE_AUTH, th, sig, 64, &err),
			 -EKEYREJECTED);
	assert_non_null(strstr(err.msg, "ECDSA P-256"));
	da_err_clear(&err);
	assert_int_equal(spdm_sign(keys[6], SPDM_ASYM_SM2_P256, SPDM_HASH_SHA256, SPDM_VER_12,
				   SPDM_CTX_CHALLENGE_AUTH, th, sig, &err), -EOPNOTSUPP);
	assert_non_null(strstr(err.msg, "BaseAsymAlgo"));
	assert_int_equal(spdm_sign(keys[6], SPDM_ASYM_ECDSA_P256, SPDM_HASH_SM3_256,
				   SPDM_VER_12, SPDM_CTX_CHALLENGE_AUTH, th, sig, NULL),
			 -EOPNOTSUPP);
	assert_int_equal(spdm_sign(keys[6], SPDM_ASYM_ECDSA_P256, SPDM_HASH_SHA256,
				   SPDM_VER_12, NULL, th, sig, NULL), -EINVAL);
	/* r = 0, s = 0 is never a valid ECDSA signature. */
	memset(sig, 0, sizeof(sig));
	assert_int_equal(spdm_verify(keys[6], SPDM_ASYM_ECDSA_P256, SPDM_HASH_SHA256,
				     SPDM_VER_12, SPDM_CTX_CHALLENGE_AUTH, th, sig, 64, NULL),
			 -EBADMSG);
	/* All-ones r||s (beyond the order). */
	memset(sig, 0xff, sizeof(sig));
	assert_int_equal(spdm_verify(keys[6], SPDM_ASYM_ECDSA_P256, SPDM_HASH_SHA256,
				     SPDM_VER_11, NULL, th, sig, 64, NULL), -EBADMSG);
}

static void test_random(void **state)
{
	uint8_t a[64], b[64];

	assert_int_equal(da_random(a, sizeof(a)), 0);
	assert_int_equal(da_random(b, sizeof(b)), 0);
	assert_memory_not_equal(a, b, sizeof(a));
	assert_int_equal(da_random(a, 0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_hash_known_answer),
		cmocka_unit_test(test_combined_prefix_literal),
		cmocka_unit_test(test_sign_verify_all),
		cmocka_unit_test(test_ecdsa_12_independent),
		cmocka_unit_test(test_pss_salt_independent),
		cmocka_unit_test(test_ecdsa_padding),
		cmocka_unit_test(test_wrong_key_and_args),
		cmocka_unit_test(test_random),
	};

	return cmocka_run_group_tests(tests, gen_keys, free_keys);
}
