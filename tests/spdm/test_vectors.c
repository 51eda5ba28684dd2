// SPDX-License-Identifier: MIT
/*
 * Decode every message of the DMTF captures (split out by
 * scripts/vectors-to-corpus.py into tests/spdm/vectors/) with the right
 * decoder and the negotiated parameters of each capture, and check the
 * fields against what the captured exchange says.  Every prefix of every
 * captured message must also be rejected.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/evp.h>

#include "spdm/codec.h"

struct capture {
	const char *dir;
	uint8_t version;
	uint32_t asym, hash;
	uint16_t hash_size, sig_size;
	bool multi_key;
	uint8_t provisioned;	/* DIGESTS param2 */
	uint8_t second_slot;	/* the slot read by the second GET_CERTIFICATE */
	const EVP_MD *(*md)(void);
};

static const struct capture captures[] = {
	{ "v11_rsassa3072_sha256", SPDM_VER_11, SPDM_ASYM_RSASSA_3072, SPDM_HASH_SHA256, 32, 384,
	  false, 0x03, 1, EVP_sha256 },
	{ "v12_p384_sha384", SPDM_VER_12, SPDM_ASYM_ECDSA_P384, SPDM_HASH_SHA384, 48, 96,
	  false, 0x03, 1, EVP_sha384 },
	/* The 1.3 responder negotiates MULTI_KEY_CONN and provisions slots 0, 1 and 4. */
	{ "v13_p256_sha256", SPDM_VER_13, SPDM_ASYM_ECDSA_P256, SPDM_HASH_SHA256, 32, 64,
	  true, 0x13, 4, EVP_sha256 },
};

struct msg {
	uint8_t *p;
	size_t len;
};

/* NN-<name>.bin as written by scripts/vectors-to-corpus.py */
static struct msg load(const struct capture *c, int n, const char *name)
{
	const char *src = getenv("DEVAUTH_SRC");
	char path[1024];
	struct msg m = { 0 };
	FILE *f;
	long sz;

	snprintf(path, sizeof(path), "%s/tests/spdm/vectors/%s/%02d-%s.bin",
		 src ? src : ".", c->dir, n, name);
	f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s", path);
	fseek(f, 0, SEEK_END);
	sz = ftell(f);
	fseek(f, 0, SEEK_SET);
	assert_true(sz >= 4 && sz < 65536);
	m.len = (size_t)sz;
	m.p = test_malloc(m.len);
	assert_int_equal(fread(m.p, 1, m.len, f), m.len);
	fclose(f);
	/* every object of a DOE capture is dword padded */
	assert_int_equal(m.len % 4, 0);
	return m;
}

static void unload(struct msg *m)
{
	test_free(m->p);
	m->p = NULL;
}

static struct spdm_dec_params params(const struct capture *c)
{
	return (struct spdm_dec_params){ .version = c->version, .hash_size = c->hash_size,
					 .sig_size = c->sig_size, .meas_hash_size = 64,
					 .multi_key_conn = c->multi_key };
}

/* A decoded length must leave at most DOE padding, all zero. */
static void check_pad(const struct msg *m, int ret)
{
	struct da_err err = { 0 };

	assert_true(ret > 0);
	assert_true((size_t)ret <= m->len);
	if (spdm_check_trailing(m->p, m->len, (size_t)ret, 3, &err))
		fail_msg("%s", err.msg);
}

typedef int (*dec_fn)(const uint8_t *msg, size_t len, const struct capture *c);

/* Every strict prefix of a real message must be rejected, without overreads. */
static void check_prefixes(const struct msg *m, int true_len, const struct capture *c,
			   dec_fn dec)
{
	for (int n = 0; n < true_len; n++) {
		uint8_t *copy = test_malloc(n ? (size_t)n : 1);

		memcpy(copy, m->p, (size_t)n);
		if (dec(copy, (size_t)n, c) >= 0)
			fail_msg("%s: prefix %d of %d decoded", c->dir, n, true_len);
		test_free(copy);
	}
}

static void test_vca(void **state)
{
	for (size_t i = 0; i < sizeof(captures) / sizeof(captures[0]); i++) {
		const struct capture *c = &captures[i];
		struct msg m;
		struct spdm_version_rsp v;
		struct spdm_caps caps;
		struct spdm_neg_algs na;
		struct spdm_algorithms a;
		struct spdm_hdr h;
		int ret;

		m = load(c, 0, "get_version");
		assert_int_equal(spdm_decode_hdr(m.p, m.len, &h, NULL), 0);
		assert_int_equal(h.version, SPDM_VER_10);
		assert_int_equal(h.code, SPDM_GET_VERSION);
		check_pad(&m, spdm_decode_get_version(m.p, m.len, NULL));
		unload(&m);

		m = load(c, 1, "version");
		ret = spdm_decode_version(m.p, m.len, &v, NULL);
		check_pad(&m, ret);
		assert_int_equal(ret, 8);
		assert_int_equal(v.count, 1);
		assert_int_equal(spdm_version_entry_to_ver(v.entries[0]), c->version);
		unload(&m);

		m = load(c, 2, "get_capabilities");
		ret = spdm_decode_get_capabilities(m.p, m.len, c->version, &caps, NULL);
		check_pad(&m, ret);
		assert_int_equal(ret, c->version >= SPDM_VER_12 ? 20 : 12);
		assert_true(caps.flags & SPDM_CAP_CERT);
		assert_true(caps.flags & SPDM_CAP_CHAL);
		if (c->version >= SPDM_VER_12)
			assert_int_equal(caps.data_transfer_size, 0x1200);
		unload(&m);

		m = load(c, 3, "capabilities");
		ret = spdm_decode_capabilities(m.p, m.len, c->version, &caps, NULL);
		check_pad(&m, ret);
		assert_int_equal(ret, c->version >= SPDM_VER_12 ? 20 : 12);
		assert_int_equal(caps.flags & 0xffff, 0xfbf7);
		assert_int_equal(caps.flags & SPDM_CAP_MEAS_MASK, SPDM_CAP_MEAS_SIG);
		if (c->version >= SPDM_VER_12) {
			assert_int_equal(caps.data_transfer_size, 0x1200);
			assert_int_equal(caps.max_spdm_msg_size, 0x28000);
		}
		if (c->version >= SPDM_VER_13)
			assert_int_equal(caps.flags & SPDM_CAP_MULTI_KEY_MASK, 2u << 26);
		unload(&m);

		m = load(c, 4, "negotiate_algorithms");
		ret = spdm_decode_negotiate_algorithms(m.p, m.len, c->version, &na, NULL);
		check_pad(&m, ret);
		assert_int_equal(ret, 48);
		assert_true(na.base_asym & c->asym);
		assert_true(na.base_hash & c->hash);
		assert_int_equal(na.meas_spec, SPDM_MEAS_SPEC_DMTF);
		assert_int_equal(na.num_structs, 4);
		unload(&m);

		m = load(c, 5, "algorithms");
		ret = spdm_decode_algorithms(m.p, m.len, c->version, &a, NULL);
		check_pad(&m, ret);
		assert_int_equal(ret, 52);
		assert_int_equal(a.base_asym_sel, c->asym);
		assert_int_equal(a.base_hash_sel, c->hash);
		assert_int_equal(a.meas_hash_algo, SPDM_MEAS_HASH_SHA512);
		assert_int_equal(a.meas_spec_sel, SPDM_MEAS_SPEC_DMTF);
		assert_int_equal(a.num_structs, 4);
		assert_int_equal(a.structs[0].type, SPDM_ALG_TYPE_DHE);
		assert_int_equal(a.structs[0].bits, SPDM_DHE_SECP384R1);
		assert_int_equal(a.structs[1].type, SPDM_ALG_TYPE_AEAD);
		assert_int_equal(a.structs[1].bits, SPDM_AEAD_AES_256_GCM);
		assert_int_equal(a.structs[3].type, SPDM_ALG_TYPE_KEY_SCHEDULE);
		assert_int_equal((a.other_params_sel & SPDM_MULTI_KEY_CONN) != 0, c->multi_key);
		if (c->version >= SPDM_VER_12)
			assert_int_equal(a.other_params_sel & SPDM_OPAQUE_DATA_FMT_MASK,
					 SPDM_OPAQUE_DATA_FMT_1);
		assert_int_equal(a.mel_spec_sel, c->version >= SPDM_VER_13 ? 1 : 0);
		unload(&m);
	}
}

static void sha(const struct capture *c, const uint8_t *p, size_t n, uint8_t *out)
{
	unsigned int len = 0;

	assert_int_equal(EVP_Digest(p, n, out, &len, c->md(), NULL), 1);
	assert_int_equal(len, c->hash_size);
}

static void test_digests_certificate_challenge(void **state)
{
	for (size_t i = 0; i < sizeof(captures) / sizeof(captures[0]); i++) {
		const struct capture *c = &captures[i];
		struct spdm_dec_params p = params(c);
		struct spdm_digests d;
		struct spdm_get_certificate g;
		struct spdm_certificate cert;
		struct spdm_challenge ch;
		struct spdm_challenge_auth ca;
		uint8_t chain_hash[64], digest0[64];
		struct msg m, chain;
		struct cur cc;
		uint16_t chain_len;
		int ret, nslots = __builtin_popcount(c->provisioned);

		m = load(c, 7, "digests");
		ret = spdm_decode_digests(m.p, m.len, &p, &d, NULL);
		check_pad(&m, ret);
		assert_int_equal(ret, 4 + nslots * c->hash_size + (c->multi_key ? nslots * 4 : 0));
		assert_int_equal(d.provisioned_mask, c->provisioned);
		assert_non_null(d.digest[0]);
		assert_non_null(d.digest[c->second_slot]);
		assert_null(d.digest[2]);
		if (c->multi_key) {
			assert_int_equal(d.supported_mask, c->provisioned);
			assert_int_equal(d.cert_info[0], 1);	/* device certificate model */
			assert_int_equal(d.key_usage_mask[0], 0x000f);
		}
		memcpy(digest0, d.digest[0], c->hash_size);
		unload(&m);

		m = load(c, 8, "get_certificate");
		ret = spdm_decode_get_certificate(m.p, m.len, c->version, &g, NULL);
		check_pad(&m, ret);
		assert_int_equal(g.slot, 0);
		assert_int_equal(g.offset, 0);
		assert_int_equal(g.length, 0xffff);
		unload(&m);
		m = load(c, 10, "get_certificate");
		assert_int_equal(spdm_decode_get_certificate(m.p, m.len, c->version, &g, NULL), 8);
		assert_int_equal(g.slot, c->second_slot);
		unload(&m);

		/* slot 0 chain, whole in one portion */
		chain = load(c, 9, "certificate");
		ret = spdm_decode_certificate(chain.p, chain.len, c->version, &cert, NULL);
		check_pad(&chain, ret);
		assert_int_equal(ret, 8 + cert.portion_len);
		assert_int_equal(cert.slot, 0);
		assert_int_equal(cert.cert_info, c->version >= SPDM_VER_13 ? 1 : 0);
		cc = cur_init(cert.portion, cert.portion_len);
		assert_int_equal(cur_u16(&cc, &chain_len), 0);
		/* the chain header's length is the sum of portion and remainder */
		assert_int_equal(cert.portion_len + cert.remainder_len, chain_len);
		assert_int_equal(cert.remainder_len, 0);
		sha(c, cert.portion, cert.portion_len, chain_hash);
		/* DIGESTS[0] is the hash of the slot 0 chain */
		assert_memory_equal(digest0, chain_hash, c->hash_size);

		m = load(c, 11, "certificate");
		ret = spdm_decode_certificate(m.p, m.len, c->version, &cert, NULL);
		check_pad(&m, ret);
		assert_int_equal(cert.slot, c->second_slot);
		cc = cur_init(cert.portion, cert.portion_len);
		assert_int_equal(cur_u16(&cc, &chain_len), 0);
		assert_int_equal(cert.portion_len + cert.remainder_len, chain_len);
		unload(&m);

		m = load(c, 12, "challenge");
		ret = spdm_decode_challenge(m.p, m.len, c->version, &ch, NULL);
		check_pad(&m, ret);
		assert_int_equal(ret, c->version >= SPDM_VER_13 ? 44 : 36);
		assert_int_equal(ch.slot, 0);
		assert_int_equal(ch.meas_summary_type, SPDM_MEAS_SUMMARY_ALL);
		unload(&m);

		m = load(c, 13, "challenge_auth");
		ret = spdm_decode_challenge_auth(m.p, m.len, &p, ch.meas_summary_type, &ca, NULL);
		check_pad(&m, ret);
		assert_int_equal(ca.signed_len + c->sig_size, (size_t)ret);
		assert_int_equal(ca.param1 & 0x0f, 0);
		assert_int_equal(ca.slot_mask, c->provisioned);
		assert_non_null(ca.meas_summary_hash);
		/* CertChainHash is the hash of the slot 0 chain */
		assert_memory_equal(ca.cert_chain_hash, chain_hash, c->hash_size);
		assert_memory_not_equal(ca.nonce, ch.nonce, SPDM_NONCE_SIZE);
		if (c->version >= SPDM_VER_13)
			assert_memory_equal(ca.req_context, ch.req_context, SPDM_REQ_CONTEXT_SIZE);
		else
			assert_null(ca.req_context);
		/* asking for no summary hash shifts every later field: must not decode */
		assert_true(spdm_decode_challenge_auth(m.p, (size_t)ret, &p,
						       SPDM_MEAS_SUMMARY_NONE, &ca, NULL) != ret);
		unload(&m);

		/* the repeated exchange returns the same chain and digests */
		m = load(c, 17, "certificate");
		assert_int_equal(m.len, chain.len);
		assert_memory_equal(m.p, chain.p, chain.len);
		unload(&m);
		unload(&chain);
		for (int n = 15; n <= 19; n += 4) {
			m = load(c, n, "digests");
			check_pad(&m, spdm_decode_digests(m.p, m.len, &p, &d, NULL));
			assert_memory_equal(d.digest[0], digest0, c->hash_size);
			unload(&m);
		}
	}
}

static void test_measurements(void **state)
{
	static const uint8_t indices[] = { 1, 2, 3, 4, 0x10, 0x11, 0xFD, 0xFE };
	static const uint8_t types[] = { 0x00, 0x01, 0x02, 0x03, 0x87, 0x08, 0x84, 0x85 };

	for (size_t i = 0; i < sizeof(captures) / sizeof(captures[0]); i++) {
		const struct capture *c = &captures[i];
		struct spdm_dec_params p = params(c);
		struct spdm_get_measurements g;
		struct spdm_measurements ms;
		struct spdm_meas_block b;
		struct msg m;
		struct cur rec;
		int ret, n = 0;

		m = load(c, 20, "get_measurements");
		ret = spdm_decode_get_measurements(m.p, m.len, c->version, &g, NULL);
		check_pad(&m, ret);
		assert_int_equal(ret, 4 + 32 + 1 + (c->version >= SPDM_VER_13 ? 8 : 0));
		assert_int_equal(g.attributes, SPDM_MEAS_ATTR_SIG);
		assert_int_equal(g.operation, SPDM_MEAS_OP_ALL);
		assert_int_equal(g.slot, 0);
		unload(&m);

		m = load(c, 21, "measurements");
		ret = spdm_decode_measurements(m.p, m.len, &p, true, &ms, NULL);
		check_pad(&m, ret);
		assert_int_equal(ms.num_blocks, 8);
		assert_int_equal(ms.record_len, 528);
		assert_int_equal(ms.param2 & 0x0f, 0);
		assert_non_null(ms.nonce);
		assert_int_equal(ms.signed_len + c->sig_size, (size_t)ret);
		if (c->version >= SPDM_VER_13)
			assert_memory_equal(ms.req_context, g.req_context, SPDM_REQ_CONTEXT_SIZE);
		rec = cur_init(ms.record, ms.record_len);
		while ((ret = spdm_meas_block_next(&rec, &b, NULL)) > 0) {
			assert_true(n < 8);
			assert_int_equal(b.index, indices[n]);
			assert_int_equal(b.spec, SPDM_MEAS_SPEC_DMTF);
			assert_int_equal(b.dmtf_type, types[n]);
			/* digests are SHA-512, the MeasurementHashAlgo */
			if (!(b.dmtf_type & SPDM_DMTF_MEAS_RAW_BIT))
				assert_int_equal(b.value_size, 64);
			assert_int_equal(b.size, b.value_size + 3);
			n++;
		}
		assert_int_equal(ret, 0);
		assert_int_equal(n, 8);
		/*
		 * Read as unsigned: from 1.2 the layout is the same up to the
		 * signature, which is left as trailing bytes.  In 1.1 the Nonce
		 * form does not end where a message can (a signature follows), so
		 * it is read without a Nonce, the fields shift and it fails.
		 */
		ret = spdm_decode_measurements(m.p, m.len, &p, false, &ms, NULL);
		if (c->version >= SPDM_VER_12) {
			assert_int_equal(ret, (int)ms.signed_len);
			assert_null(ms.signature);
			assert_true(m.len - (size_t)ret >= c->sig_size);
			assert_true(spdm_check_trailing(m.p, m.len, (size_t)ret, 3, NULL) < 0);
		} else {
			assert_true(ret < 0);
		}
		unload(&m);
	}
}

static int d_version(const uint8_t *p, size_t n, const struct capture *c)
{
	struct spdm_version_rsp v;

	return spdm_decode_version(p, n, &v, NULL);
}

static int d_caps(const uint8_t *p, size_t n, const struct capture *c)
{
	struct spdm_caps x;

	return spdm_decode_capabilities(p, n, c->version, &x, NULL);
}

static int d_get_caps(const uint8_t *p, size_t n, const struct capture *c)
{
	struct spdm_caps x;

	return spdm_decode_get_capabilities(p, n, c->version, &x, NULL);
}

static int d_neg(const uint8_t *p, size_t n, const struct capture *c)
{
	struct spdm_neg_algs x;

	return spdm_decode_negotiate_algorithms(p, n, c->version, &x, NULL);
}

static int d_algs(const uint8_t *p, size_t n, const struct capture *c)
{
	struct spdm_algorithms x;

	return spdm_decode_algorithms(p, n, c->version, &x, NULL);
}

static int d_digests(const uint8_t *p, size_t n, const struct capture *c)
{
	struct spdm_dec_params pp = params(c);
	struct spdm_digests x;

	return spdm_decode_digests(p, n, &pp, &x, NULL);
}

static int d_get_cert(const uint8_t *p, size_t n, const struct capture *c)
{
	struct spdm_get_certificate x;

	return spdm_decode_get_certificate(p, n, c->version, &x, NULL);
}

static int d_cert(const uint8_t *p, size_t n, const struct capture *c)
{
	struct spdm_certificate x;

	return spdm_decode_certificate(p, n, c->version, &x, NULL);
}

static int d_challenge(const uint8_t *p, size_t n, const struct capture *c)
{
	struct spdm_challenge x;

	return spdm_decode_challenge(p, n, c->version, &x, NULL);
}

static int d_challenge_auth(const uint8_t *p, size_t n, const struct capture *c)
{
	struct spdm_dec_params pp = params(c);
	struct spdm_challenge_auth x;

	return spdm_decode_challenge_auth(p, n, &pp, SPDM_MEAS_SUMMARY_ALL, &x, NULL);
}

static int d_get_meas(const uint8_t *p, size_t n, const struct capture *c)
{
	struct spdm_get_measurements x;

	return spdm_decode_get_measurements(p, n, c->version, &x, NULL);
}

static int d_meas(const uint8_t *p, size_t n, const struct capture *c)
{
	struct spdm_dec_params pp = params(c);
	struct spdm_measurements x;

	return spdm_decode_measurements(p, n, &pp, true, &x, NULL);
}

static void test_truncated_captures(void **state)
{
	static const struct {
		int n;
		const char *name;
		dec_fn dec;
	} msgs[] = {
		{ 1, "version", d_version },
		{ 2, "get_capabilities", d_get_caps },
		{ 3, "capabilities", d_caps },
		{ 4, "negotiate_algorithms", d_neg },
		{ 5, "algorithms", d_algs },
		{ 7, "digests", d_digests },
		{ 8, "get_certificate", d_get_cert },
		{ 11, "certificate", d_cert },
		{ 12, "challenge", d_challenge },
		{ 13, "challenge_auth", d_challenge_auth },
		{ 20, "get_measurements", d_get_meas },
		{ 21, "measurements", d_meas },
	};

	for (size_t i = 0; i < sizeof(captures) / sizeof(captures[0]); i++) {
		for (size_t j = 0; j < sizeof(msgs) / sizeof(msgs[0]); j++) {
			struct msg m = load(&captures[i], msgs[j].n, msgs[j].name);
			int ret = msgs[j].dec(m.p, m.len, &captures[i]);

			check_pad(&m, ret);
			check_prefixes(&m, ret, &captures[i], msgs[j].dec);
			unload(&m);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vca),
		cmocka_unit_test(test_digests_certificate_challenge),
		cmocka_unit_test(test_measurements),
		cmocka_unit_test(test_truncated_captures),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
