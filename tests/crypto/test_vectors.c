// SPDX-License-Identifier: MIT
/*
 * Known answers from the DMTF captures ($DEVAUTH_VECTORS): the slot 0
 * chain parses, checks and chains to root-slot0.der (not to
 * root-slot1.der), the leaf carries no PCIe identity, and the
 * CHALLENGE_AUTH signature of libspdm verifies with our spdm_verify()
 * over M1 = VCA || DIGESTS/CERTIFICATE exchanges || CHALLENGE ||
 * CHALLENGE_AUTH-without-signature, for SPDM 1.1 (RSASSA-3072), 1.2
 * (ECDSA P-384) and 1.3 (ECDSA P-256).  Tampered copies must fail.
 *
 * The message walk here is deliberately minimal (true lengths of the
 * messages these captures contain); the real codec lives in lib/spdm.
 */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <devauth/spdm.h>

#include "crypto/crypto.h"
#include "crypto/x509.h"
#include "cursor.h"

struct capture {
	const char *dir;
	uint8_t version;
	uint32_t asym, hash;
};

static const struct capture caps[] = {
	{ "v11_rsassa3072_sha256", SPDM_VER_11, SPDM_ASYM_RSASSA_3072, SPDM_HASH_SHA256 },
	{ "v12_p384_sha384", SPDM_VER_12, SPDM_ASYM_ECDSA_P384, SPDM_HASH_SHA384 },
	{ "v13_p256_sha256", SPDM_VER_13, SPDM_ASYM_ECDSA_P256, SPDM_HASH_SHA256 },
};

static int read_file(const char *path, struct da_buf *b)
{
	uint8_t chunk[4096];
	size_t n;
	FILE *f = fopen(path, "rb");

	if (!f)
		return -errno;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (da_buf_append(b, chunk, n)) {
			fclose(f);
			return -ENOMEM;
		}
	fclose(f);
	return 0;
}

static void vec_path(char *buf, size_t len, const char *dir, const char *file)
{
	const char *root = getenv("DEVAUTH_VECTORS");

	if (!root)
		root = "../shared/vectors";
	snprintf(buf, len, "%s/%s/%s", root, dir, file);
}

/*
 * True length of one SPDM message (DOE pads to dwords), from its own
 * length fields; only the codes these captures carry before the
 * signature.  hlen = BaseHash size.
 */
static size_t true_len(const uint8_t *m, size_t len, size_t hlen)
{
	struct cur c = cur_init(m, len);
	uint8_t ver, code, p1, p2, n;
	uint16_t l16;
	size_t slots, t;

	if (cur_u8(&c, &ver) || cur_u8(&c, &code) || cur_u8(&c, &p1) || cur_u8(&c, &p2))
		return 0;
	switch (code) {
	case SPDM_GET_VERSION:
	case SPDM_GET_DIGESTS:
		return 4;
	case SPDM_VERSION:
		return cur_skip(&c, 1) || cur_u8(&c, &n) ? 0 : 6 + 2 * (size_t)n;
	case SPDM_GET_CAPABILITIES:
		return ver == SPDM_VER_10 ? 4 : ver == SPDM_VER_11 ? 12 : 20;
	case SPDM_CAPABILITIES:
		return ver <= SPDM_VER_11 ? 12 : 20;
	case SPDM_NEGOTIATE_ALGORITHMS:
	case SPDM_ALGORITHMS:
		return cur_u16(&c, &l16) ? 0 : l16;
	case SPDM_DIGESTS:
		slots = (size_t)__builtin_popcount(p2);
		t = 4 + slots * hlen;
		/* 1.3 MULTI_KEY_CONN adds KeyPairID, CertificateInfo, KeyUsageMask per slot. */
		if (((t + 3) & ~(size_t)3) != len)
			t += slots * 4;
		return t;
	case SPDM_GET_CERTIFICATE:
		return 8;
	case SPDM_CERTIFICATE:
		return cur_u16(&c, &l16) ? 0 : 8 + (size_t)l16;
	case SPDM_CHALLENGE:
		return ver >= SPDM_VER_13 ? 44 : 36;
	default:
		return 0;
	}
}

struct exchange {
	struct da_buf pcap;
	struct da_buf m1;		/* up to CHALLENGE_AUTH without its signature */
	struct da_buf chain;		/* slot 0 */
	const uint8_t *sig;
	size_t sig_len;
	size_t chal_auth_off;		/* CHALLENGE_AUTH inside m1 */
};

static void load_exchange(const struct capture *cap, struct exchange *ex)
{
	size_t hlen = spdm_hash_size(cap->hash), slen = spdm_sig_size(cap->asym);
	bool in_chain = false, chain_done = false;
	char path[PATH_MAX];
	struct cur c;

	memset(ex, 0, sizeof(*ex));
	vec_path(path, sizeof(path), cap->dir, "exchange.pcap");
	if (read_file(path, &ex->pcap))
		fail_msg("%s: cannot read (DEVAUTH_VECTORS)", path);
	c = cur_init(ex->pcap.data, ex->pcap.len);
	assert_int_equal(cur_skip(&c, 24), 0);
	while (!cur_at_end(&c)) {
		uint32_t ts, tu, incl, orig;
		struct cur rec, msg;
		const uint8_t *m;
		uint8_t doe_type, code = 0, p1 = 0;
		size_t mlen, tl;

		assert_int_equal(cur_u32(&c, &ts) || cur_u32(&c, &tu) || cur_u32(&c, &incl) ||
				 cur_u32(&c, &orig), 0);
		assert_int_equal(cur_sub(&c, incl, &rec), 0);
		/* DOE header: vendor u16, type u8, reserved u8, length u32. */
		assert_int_equal(cur_skip(&rec, 2) || cur_u8(&rec, &doe_type) ||
				 cur_skip(&rec, 5), 0);
		if (doe_type != 1)
			continue;
		msg = rec;
		cur_rest(&rec, &m, &mlen);
		assert_int_equal(cur_skip(&msg, 1) || cur_u8(&msg, &code) || cur_u8(&msg, &p1), 0);
		if (code == SPDM_CHALLENGE_AUTH) {
			uint16_t olen;
			struct cur ca = cur_init(m, mlen);

			/* hdr, CertChainHash, nonce, MeasurementSummaryHash (type all) */
			assert_int_equal(cur_skip(&ca, 4 + hlen + 32 + hlen), 0);
			assert_int_equal(cur_u16(&ca, &olen), 0);
			assert_int_equal(cur_skip(&ca, olen), 0);
			if (cap->version >= SPDM_VER_13)
				assert_int_equal(cur_skip(&ca, SPDM_REQ_CONTEXT_SIZE), 0);
			ex->chal_auth_off = ex->m1.len;
			assert_int_equal(da_buf_append(&ex->m1, m, ca.off), 0);
			assert_int_equal(cur_ptr(&ca, slen, &ex->sig), 0);
			ex->sig_len = slen;
			return;
		}
		tl = true_len(m, mlen, hlen);
		assert_true(tl > 0 && tl <= mlen && mlen - tl < 4 + 12);
		assert_int_equal(da_buf_append(&ex->m1, m, tl), 0);
		/* Slot 0's chain: the first CERTIFICATE responses until RemainderLength 0. */
		if (code == SPDM_GET_CERTIFICATE && !chain_done)
			in_chain = (p1 & 0x0f) == 0;
		if (code == SPDM_CERTIFICATE && in_chain) {
			struct cur cr = cur_init(m, tl);
			uint16_t portion, remainder;
			const uint8_t *p;

			assert_int_equal(cur_skip(&cr, 4) || cur_u16(&cr, &portion) ||
					 cur_u16(&cr, &remainder) || cur_ptr(&cr, portion, &p), 0);
			assert_int_equal(da_buf_append(&ex->chain, p, portion), 0);
			if (!remainder) {
				chain_done = true;
				in_chain = false;
			}
		}
	}
	fail_msg("%s: no CHALLENGE_AUTH", cap->dir);
}

static void free_exchange(struct exchange *ex)
{
	da_buf_free(&ex->pcap);
	da_buf_free(&ex->m1);
	da_buf_free(&ex->chain);
}

static void test_capture_chain_and_roots(void **state)
{
	char path[PATH_MAX], san[128];

	for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
		struct da_err err = { 0 };
		struct spdm_chain c;
		struct exchange ex;
		struct da_trust *t;

		load_exchange(&caps[i], &ex);
		if (spdm_chain_parse(ex.chain.data, ex.chain.len, caps[i].hash, &c, &err))
			fail_msg("%s: %s", caps[i].dir, err.msg);
		assert_int_equal(c.ncerts, 3);
		if (spdm_chain_check(&c, &err))
			fail_msg("%s: %s", caps[i].dir, err.msg);
		/* DMTF otherName only, no PCIe CMA identity. */
		assert_int_equal(cma_leaf_san_string(spdm_chain_leaf(&c), san, sizeof(san)),
				 -ENOENT);

		vec_path(path, sizeof(path), caps[i].dir, "root-slot0.der");
		t = da_trust_load(path, &err);
		if (!t)
			fail_msg("%s: %s", caps[i].dir, err.msg);
		if (da_trust_verify_chain(t, &c, true, &err))
			fail_msg("%s: %s", caps[i].dir, err.msg);
		da_trust_free(t);

		vec_path(path, sizeof(path), caps[i].dir, "root-slot1.der");
		t = da_trust_load(path, &err);
		assert_non_null(t);
		assert_int_equal(da_trust_verify_chain(t, &c, false, &err), -EKEYREJECTED);
		da_trust_free(t);
		spdm_chain_free(&c);
		free_exchange(&ex);
	}
}

static void test_capture_challenge_auth_signature(void **state)
{
	for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
		const struct capture *cap = &caps[i];
		uint8_t th[SPDM_MAX_HASH_SIZE], sig[SPDM_MAX_SIG_SIZE];
		struct da_err err = { 0 };
		struct spdm_chain c;
		struct exchange ex;
		EVP_PKEY *leaf;

		load_exchange(cap, &ex);
		assert_int_equal(spdm_chain_parse(ex.chain.data, ex.chain.len, cap->hash, &c, &err),
				 0);
		leaf = spdm_chain_leaf_key(&c);
		assert_true(spdm_key_matches_asym(leaf, cap->asym));

		assert_int_equal(spdm_hash(cap->hash, ex.m1.data, ex.m1.len, th), 0);
		if (spdm_verify(leaf, cap->asym, cap->hash, cap->version,
				SPDM_CTX_CHALLENGE_AUTH, th, ex.sig, ex.sig_len, &err))
			fail_msg("%s: %s", cap->dir, err.msg);

		/* A flipped signature byte. */
		memcpy(sig, ex.sig, ex.sig_len);
		sig[ex.sig_len / 3] ^= 0x10;
		assert_int_equal(spdm_verify(leaf, cap->asym, cap->hash, cap->version,
					     SPDM_CTX_CHALLENGE_AUTH, th, sig, ex.sig_len, NULL),
				 -EBADMSG);
		/* A flipped responder nonce byte in the transcript. */
		ex.m1.data[ex.chal_auth_off + 4 + spdm_hash_size(cap->hash) + 5] ^= 1;
		assert_int_equal(spdm_hash(cap->hash, ex.m1.data, ex.m1.len, th), 0);
		assert_int_equal(spdm_verify(leaf, cap->asym, cap->hash, cap->version,
					     SPDM_CTX_CHALLENGE_AUTH, th, ex.sig, ex.sig_len, NULL),
				 -EBADMSG);
		ex.m1.data[ex.chal_auth_off + 4 + spdm_hash_size(cap->hash) + 5] ^= 1;
		/* The measurements context is a different message. */
		assert_int_equal(spdm_hash(cap->hash, ex.m1.data, ex.m1.len, th), 0);
		if (cap->version >= SPDM_VER_12)
			assert_int_equal(spdm_verify(leaf, cap->asym, cap->hash, cap->version,
						     SPDM_CTX_MEASUREMENTS, th, ex.sig, ex.sig_len,
						     NULL), -EBADMSG);
		EVP_PKEY_free(leaf);
		spdm_chain_free(&c);
		free_exchange(&ex);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_capture_chain_and_roots),
		cmocka_unit_test(test_capture_challenge_auth_signature),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
