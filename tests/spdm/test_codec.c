// SPDX-License-Identifier: MIT
/*
 * SPDM codec: encode -> decode round trips for every message and every
 * version 1.0-1.4, every truncation of every message, and hand-made
 * malformed inputs (length fields pointing past the message, wrong
 * ALGORITHMS Length, bad measurement blocks).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "spdm/codec.h"

static const uint8_t versions[] = { SPDM_VER_10, SPDM_VER_11, SPDM_VER_12, SPDM_VER_13,
				    SPDM_VER_14 };
#define NVER (sizeof(versions) / sizeof(versions[0]))

static uint8_t buf[8192];

static void fill(uint8_t *p, size_t n, uint8_t seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(seed + i * 7);
}

/* Decode wrapper: every test decoder is called as dec(msg, len, ctx, err). */
typedef int (*dec_fn)(const uint8_t *msg, size_t len, const void *ctx, struct da_err *err);

/*
 * Every prefix shorter than the true length must fail cleanly with an
 * error message set; the full message (plus DOE padding) must succeed.
 */
static void check_truncations(dec_fn dec, const uint8_t *msg, size_t true_len, const void *ctx)
{
	uint8_t padded[8192];
	struct da_err err;

	assert_true(true_len + 3 <= sizeof(padded));
	for (size_t n = 0; n < true_len; n++) {
		/* A fresh heap-like copy of exactly n bytes, so ASan sees overreads. */
		uint8_t *copy = test_malloc(n ? n : 1);
		int ret;

		memcpy(copy, msg, n);
		da_err_clear(&err);
		ret = dec(copy, n, ctx, &err);
		if (ret >= 0)
			fail_msg("prefix of %zu/%zu bytes decoded (%d)", n, true_len, ret);
		assert_int_equal(err.code, ret);
		assert_true(strlen(err.msg) > 0);
		test_free(copy);
	}
	memcpy(padded, msg, true_len);
	memset(padded + true_len, 0, 3);
	da_err_clear(&err);
	assert_int_equal(dec(padded, true_len + 3, ctx, &err), (int)true_len);
	assert_int_equal(spdm_check_trailing(padded, true_len + 3, true_len, 3, &err), 0);
}

/* ---- header and trailing bytes ---- */

static void test_hdr_and_trailing(void **state)
{
	static const uint8_t m[] = { 0x12, SPDM_DIGESTS, 0, 0, 0, 0, 0, 1 };
	struct spdm_hdr h;
	struct da_err err = { 0 };

	assert_int_equal(spdm_decode_hdr(m, 3, &h, &err), -EBADMSG);
	da_err_clear(&err);
	assert_int_equal(spdm_decode_hdr(m, 4, &h, &err), 0);
	assert_int_equal(h.version, 0x12);
	assert_int_equal(h.code, SPDM_DIGESTS);
	assert_int_equal(spdm_check_trailing(m, 7, 4, 3, &err), 0);
	assert_int_equal(spdm_check_trailing(m, 8, 4, 3, &err), -EBADMSG);
	assert_non_null(strstr(err.msg, "DIGESTS"));
	da_err_clear(&err);
	/* non-zero padding */
	assert_int_equal(spdm_check_trailing(m, 8, 5, 3, &err), -EBADMSG);
	assert_non_null(strstr(err.msg, "padding"));
	da_err_clear(&err);
	assert_int_equal(spdm_check_trailing(m, 5, 4, 0, &err), -EBADMSG);
	assert_int_equal(spdm_check_trailing(m, 4, 5, 3, NULL), -EINVAL);
}

/* ---- VERSION ---- */

static int dec_version(const uint8_t *m, size_t n, const void *ctx, struct da_err *e)
{
	struct spdm_version_rsp v;

	return spdm_decode_version(m, n, &v, e);
}

static void test_version(void **state)
{
	struct spdm_version_rsp v = { .count = 3, .entries = { 0x1000, 0x1200, 0x1310 } }, d;
	struct wcur w = wcur_init(buf, sizeof(buf));
	struct da_err err = { 0 };
	int n;

	assert_int_equal(spdm_encode_get_version(&w), 4);
	assert_memory_equal(buf, ((uint8_t[]){ 0x10, 0x84, 0, 0 }), 4);
	assert_int_equal(spdm_decode_get_version(buf, 4, &err), 4);
	assert_true(spdm_decode_get_version(buf, 3, &err) < 0);

	w = wcur_init(buf, sizeof(buf));
	n = spdm_encode_version(&w, &v);
	assert_int_equal(n, 12);
	assert_int_equal(spdm_decode_version(buf, (size_t)n, &d, &err), 12);
	assert_int_equal(d.count, 3);
	assert_int_equal(d.entries[2], 0x1310);
	assert_int_equal(spdm_version_entry_to_ver(d.entries[2]), SPDM_VER_13);
	check_truncations(dec_version, buf, (size_t)n, NULL);

	/* 20 entries: all must be present, the first 16 are kept */
	w = wcur_init(buf, sizeof(buf));
	spdm_encode_hdr(&w, 0x10, SPDM_VERSION, 0, 0);
	wcur_u8(&w, 0);
	wcur_u8(&w, 20);
	for (int i = 0; i < 20; i++)
		wcur_u16(&w, (uint16_t)(0x1000 + i));
	assert_int_equal(spdm_decode_version(buf, w.len, &d, &err), 46);
	assert_int_equal(d.count, SPDM_MAX_VERSION_ENTRIES);
	assert_int_equal(d.entries[15], 0x100f);
	assert_int_equal(spdm_decode_version(buf, w.len - 1, &d, &err), -EBADMSG);

	/* zero entries */
	buf[5] = 0;
	da_err_clear(&err);
	assert_int_equal(spdm_decode_version(buf, 6, &d, &err), -EPROTO);
	assert_non_null(strstr(err.msg, "VersionNumberEntryCount"));
}

/* ---- CAPABILITIES ---- */

struct ver_ctx {
	uint8_t version;
};

static int dec_get_caps(const uint8_t *m, size_t n, const void *ctx, struct da_err *e)
{
	struct spdm_caps c;

	return spdm_decode_get_capabilities(m, n, ((const struct ver_ctx *)ctx)->version, &c, e);
}

static int dec_caps(const uint8_t *m, size_t n, const void *ctx, struct da_err *e)
{
	struct spdm_caps c;

	return spdm_decode_capabilities(m, n, ((const struct ver_ctx *)ctx)->version, &c, e);
}

static void test_capabilities(void **state)
{
	const struct spdm_caps c = { .ct_exponent = 12, .flags = 0x00020006,
				     .data_transfer_size = 4096, .max_spdm_msg_size = 65536 };

	for (size_t i = 0; i < NVER; i++) {
		uint8_t v = versions[i];
		struct ver_ctx ctx = { v };
		struct wcur w = wcur_init(buf, sizeof(buf));
		struct spdm_caps d;
		int n, want_req = v == SPDM_VER_10 ? 4 : v == SPDM_VER_11 ? 12 : 20;
		int want_rsp = v < SPDM_VER_12 ? 12 : 20;

		n = spdm_encode_get_capabilities(&w, v, &c);
		assert_int_equal(n, want_req);
		assert_int_equal(buf[0], v);
		assert_int_equal(buf[1], SPDM_GET_CAPABILITIES);
		assert_int_equal(spdm_decode_get_capabilities(buf, (size_t)n, v, &d, NULL), n);
		if (v >= SPDM_VER_11) {
			assert_int_equal(d.ct_exponent, 12);
			assert_int_equal(d.flags, 0x00020006);
		}
		if (v >= SPDM_VER_12) {
			assert_int_equal(d.data_transfer_size, 4096);
			assert_int_equal(d.max_spdm_msg_size, 65536);
		}
		check_truncations(dec_get_caps, buf, (size_t)n, &ctx);

		w = wcur_init(buf, sizeof(buf));
		n = spdm_encode_capabilities(&w, v, &c);
		assert_int_equal(n, want_rsp);
		assert_int_equal(spdm_decode_capabilities(buf, (size_t)n, v, &d, NULL), n);
		assert_int_equal(d.ct_exponent, 12);
		assert_int_equal(d.flags, 0x00020006);
		if (v >= SPDM_VER_12)
			assert_int_equal(d.max_spdm_msg_size, 65536);
		else
			assert_int_equal(d.data_transfer_size, 0);
		check_truncations(dec_caps, buf, (size_t)n, &ctx);
	}
}

static void test_capabilities_malformed(void **state)
{
	struct spdm_caps c = { .flags = 6, .data_transfer_size = 41, .max_spdm_msg_size = 4096 }, d;
	struct wcur w = wcur_init(buf, sizeof(buf));
	struct da_err err = { 0 };
	int n;

	n = spdm_encode_capabilities(&w, SPDM_VER_12, &c);
	assert_int_equal(spdm_decode_capabilities(buf, (size_t)n, SPDM_VER_12, &d, &err), -EPROTO);
	assert_non_null(strstr(err.msg, "CAPABILITIES: DataTransferSize 41"));

	c.data_transfer_size = 4096;
	c.max_spdm_msg_size = 1024;
	w = wcur_init(buf, sizeof(buf));
	n = spdm_encode_capabilities(&w, SPDM_VER_12, &c);
	da_err_clear(&err);
	assert_int_equal(spdm_decode_capabilities(buf, (size_t)n, SPDM_VER_12, &d, &err), -EPROTO);
	assert_non_null(strstr(err.msg, "MaxSPDMmsgSize"));

	/* 1.3 SupportedAlgorithms extension that we never ask for */
	c.max_spdm_msg_size = 4096;
	w = wcur_init(buf, sizeof(buf));
	n = spdm_encode_capabilities(&w, SPDM_VER_13, &c);
	buf[2] = 1;
	assert_int_equal(spdm_decode_capabilities(buf, (size_t)n, SPDM_VER_13, &d, NULL), -EPROTO);
	/* ...but in 1.2 param1 is reserved and ignored */
	buf[0] = SPDM_VER_12;
	assert_int_equal(spdm_decode_capabilities(buf, (size_t)n, SPDM_VER_12, &d, NULL), n);
}

/* ---- ALGORITHMS ---- */

static int dec_neg(const uint8_t *m, size_t n, const void *ctx, struct da_err *e)
{
	struct spdm_neg_algs a;

	return spdm_decode_negotiate_algorithms(m, n, ((const struct ver_ctx *)ctx)->version, &a,
						e);
}

static int dec_algs(const uint8_t *m, size_t n, const void *ctx, struct da_err *e)
{
	struct spdm_algorithms a;

	return spdm_decode_algorithms(m, n, ((const struct ver_ctx *)ctx)->version, &a, e);
}

static const struct spdm_alg_struct structs4[4] = {
	{ SPDM_ALG_TYPE_DHE, SPDM_DHE_SECP384R1 },
	{ SPDM_ALG_TYPE_AEAD, SPDM_AEAD_AES_256_GCM },
	{ SPDM_ALG_TYPE_REQ_BASE_ASYM, SPDM_ASYM_ECDSA_P384 },
	{ SPDM_ALG_TYPE_KEY_SCHEDULE, SPDM_KEY_SCHEDULE_SPDM },
};

static void test_algorithms(void **state)
{
	for (size_t i = 0; i < NVER; i++) {
		uint8_t v = versions[i];
		struct ver_ctx ctx = { v };
		struct spdm_neg_algs na = { .meas_spec = SPDM_MEAS_SPEC_DMTF,
					    .other_params = SPDM_OPAQUE_DATA_FMT_1,
					    .base_asym = SPDM_ASYM_ECDSA_P384 |
							 SPDM_ASYM_ECDSA_P256,
					    .base_hash = SPDM_HASH_SHA384, .mel_spec = 1,
					    .num_structs = 4 }, nd;
		struct spdm_algorithms a = { .meas_spec_sel = SPDM_MEAS_SPEC_DMTF,
					     .other_params_sel = SPDM_OPAQUE_DATA_FMT_1 |
								 SPDM_MULTI_KEY_CONN,
					     .meas_hash_algo = SPDM_MEAS_HASH_SHA512,
					     .base_asym_sel = SPDM_ASYM_ECDSA_P384,
					     .base_hash_sel = SPDM_HASH_SHA384, .mel_spec_sel = 1,
					     .num_structs = 4 }, ad;
		struct wcur w = wcur_init(buf, sizeof(buf));
		int n, nstructs = v >= SPDM_VER_11 ? 4 : 0;

		memcpy(na.structs, structs4, sizeof(structs4));
		memcpy(a.structs, structs4, sizeof(structs4));
		n = spdm_encode_negotiate_algorithms(&w, v, &na);
		assert_int_equal(n, 32 + 4 * nstructs);
		assert_int_equal(buf[4] | buf[5] << 8, n);
		assert_int_equal(spdm_decode_negotiate_algorithms(buf, (size_t)n, v, &nd, NULL), n);
		assert_int_equal(nd.base_asym, na.base_asym);
		assert_int_equal(nd.base_hash, SPDM_HASH_SHA384);
		assert_int_equal(nd.meas_spec, SPDM_MEAS_SPEC_DMTF);
		assert_int_equal(nd.other_params, v >= SPDM_VER_12 ? SPDM_OPAQUE_DATA_FMT_1 : 0);
		assert_int_equal(nd.mel_spec, v >= SPDM_VER_13 ? 1 : 0);
		assert_int_equal(nd.num_structs, nstructs);
		if (nstructs)
			assert_memory_equal(nd.structs, structs4, sizeof(structs4));
		check_truncations(dec_neg, buf, (size_t)n, &ctx);

		w = wcur_init(buf, sizeof(buf));
		n = spdm_encode_algorithms(&w, v, &a);
		assert_int_equal(n, 36 + 4 * nstructs);
		assert_int_equal(spdm_decode_algorithms(buf, (size_t)n, v, &ad, NULL), n);
		assert_int_equal(ad.base_asym_sel, SPDM_ASYM_ECDSA_P384);
		assert_int_equal(ad.base_hash_sel, SPDM_HASH_SHA384);
		assert_int_equal(ad.meas_hash_algo, SPDM_MEAS_HASH_SHA512);
		assert_int_equal(ad.other_params_sel,
				 v >= SPDM_VER_12 ?
				 SPDM_OPAQUE_DATA_FMT_1 | SPDM_MULTI_KEY_CONN : 0);
		assert_int_equal(ad.mel_spec_sel, v >= SPDM_VER_13 ? 1 : 0);
		assert_int_equal(ad.num_structs, nstructs);
		if (nstructs)
			assert_int_equal(ad.structs[2].bits, SPDM_ASYM_ECDSA_P384);
		check_truncations(dec_algs, buf, (size_t)n, &ctx);
	}
}

/* 1.4: PqcAsymAlgo / PqcAsymSel and six AlgStructures, as DMTF's peers send them */
static void test_algorithms_14(void **state)
{
	static const struct spdm_alg_struct six[6] = {
		{ SPDM_ALG_TYPE_DHE, 0x1b }, { SPDM_ALG_TYPE_AEAD, 0x06 },
		{ SPDM_ALG_TYPE_REQ_BASE_ASYM, 0x0f }, { SPDM_ALG_TYPE_KEY_SCHEDULE, 0x01 },
		{ SPDM_ALG_TYPE_REQ_PQC_ASYM, 0x07 }, { SPDM_ALG_TYPE_KEM, 0x07 },
	};
	struct spdm_neg_algs na = { .meas_spec = SPDM_MEAS_SPEC_DMTF,
				    .base_asym = SPDM_ASYM_ECDSA_P384,
				    .base_hash = SPDM_HASH_SHA384,
				    .pqc_asym = SPDM_PQC_ASYM_ML_DSA_44 | SPDM_PQC_ASYM_ML_DSA_87,
				    .num_structs = 6 }, nd;
	struct spdm_algorithms a = { .base_asym_sel = SPDM_ASYM_ECDSA_P384,
				     .base_hash_sel = SPDM_HASH_SHA384,
				     .pqc_asym_sel = SPDM_PQC_ASYM_ML_DSA_65, .num_structs = 6 }, ad;
	struct wcur w = wcur_init(buf, sizeof(buf));
	struct ver_ctx ctx = { SPDM_VER_14 };
	int n;

	(void)state;
	memcpy(na.structs, six, sizeof(six));
	memcpy(a.structs, six, sizeof(six));
	n = spdm_encode_negotiate_algorithms(&w, SPDM_VER_14, &na);
	assert_int_equal(n, 32 + 4 * 6);
	/* PqcAsymAlgo sits where 1.3 had the first 4 reserved bytes */
	assert_int_equal(buf[16], 0x05);
	assert_int_equal(spdm_decode_negotiate_algorithms(buf, (size_t)n, SPDM_VER_14, &nd, NULL),
			 n);
	assert_int_equal(nd.pqc_asym, na.pqc_asym);
	assert_int_equal(nd.num_structs, 6);
	assert_memory_equal(nd.structs, six, sizeof(six));
	check_truncations(dec_neg, buf, (size_t)n, &ctx);
	/* the same bytes read as 1.3: PqcAsymAlgo reserved, types 6-7 skipped */
	buf[0] = SPDM_VER_13;
	assert_int_equal(spdm_decode_negotiate_algorithms(buf, (size_t)n, SPDM_VER_13, &nd, NULL),
			 n);
	assert_int_equal(nd.pqc_asym, 0);
	assert_int_equal(nd.num_structs, 4);

	w = wcur_init(buf, sizeof(buf));
	n = spdm_encode_algorithms(&w, SPDM_VER_14, &a);
	assert_int_equal(n, 36 + 4 * 6);
	assert_int_equal(buf[20], 0x02);
	assert_int_equal(spdm_decode_algorithms(buf, (size_t)n, SPDM_VER_14, &ad, NULL), n);
	assert_int_equal(ad.pqc_asym_sel, SPDM_PQC_ASYM_ML_DSA_65);
	assert_int_equal(ad.base_asym_sel, SPDM_ASYM_ECDSA_P384);
	assert_int_equal(ad.num_structs, 6);
	assert_int_equal(ad.structs[5].type, SPDM_ALG_TYPE_KEM);
	check_truncations(dec_algs, buf, (size_t)n, &ctx);
	/* before 1.4 the field is not encoded */
	w = wcur_init(buf, sizeof(buf));
	n = spdm_encode_algorithms(&w, SPDM_VER_13, &a);
	assert_int_equal(buf[20], 0);
}

static int put_algorithms(uint8_t v)
{
	struct spdm_algorithms a = { .base_asym_sel = SPDM_ASYM_ECDSA_P256,
				     .base_hash_sel = SPDM_HASH_SHA256, .num_structs = 2 };
	struct wcur w = wcur_init(buf, sizeof(buf));

	a.structs[0] = structs4[0];
	a.structs[1] = structs4[1];
	return spdm_encode_algorithms(&w, v, &a);
}

static void test_algorithms_malformed(void **state)
{
	struct spdm_algorithms a;
	struct da_err err = { 0 };
	int n = put_algorithms(SPDM_VER_12);

	assert_int_equal(n, 44);
	/* Length past the message */
	buf[4] = 45;
	assert_int_equal(spdm_decode_algorithms(buf, 44, SPDM_VER_12, &a, &err), -EBADMSG);
	assert_non_null(strstr(err.msg, "ALGORITHMS: Length 45 exceeds the 44 bytes"));
	/* Length shorter than the fields: the struct table no longer fits */
	buf[4] = 43;
	da_err_clear(&err);
	assert_int_equal(spdm_decode_algorithms(buf, 44, SPDM_VER_12, &a, &err), -EBADMSG);
	assert_non_null(strstr(err.msg, "AlgStructure 1"));
	/* Length longer than the fields but within the message (padding) */
	buf[0] = SPDM_VER_12;
	memset(buf + 44, 0, 4);
	buf[4] = 48;
	da_err_clear(&err);
	assert_int_equal(spdm_decode_algorithms(buf, 48, SPDM_VER_12, &a, &err), -EBADMSG);
	assert_non_null(strstr(err.msg, "Length 48"));

	/* an AlgType the version does not define is skipped by its own sizes */
	n = put_algorithms(SPDM_VER_12);
	buf[36] = 9;
	assert_int_equal(spdm_decode_algorithms(buf, (size_t)n, SPDM_VER_12, &a, NULL), n);
	assert_int_equal(a.num_structs, 1);
	assert_int_equal(a.structs[0].type, SPDM_ALG_TYPE_AEAD);
	/* ...whose sizes must still fit in Length */
	buf[37] = 0x31;		/* fixed size 3, one external: 7 bytes, 6 left */
	da_err_clear(&err);
	assert_int_equal(spdm_decode_algorithms(buf, (size_t)n, SPDM_VER_12, &a, &err), -EBADMSG);
	assert_non_null(strstr(err.msg, "AlgType 9"));
	/* 1.4's AlgTypes 6 and 7 are unknown before 1.4 */
	n = put_algorithms(SPDM_VER_13);
	buf[36] = SPDM_ALG_TYPE_KEM;
	assert_int_equal(spdm_decode_algorithms(buf, (size_t)n, SPDM_VER_13, &a, NULL), n);
	assert_int_equal(a.num_structs, 1);
	buf[0] = SPDM_VER_14;
	assert_int_equal(spdm_decode_algorithms(buf, (size_t)n, SPDM_VER_14, &a, NULL), n);
	assert_int_equal(a.num_structs, 2);
	assert_int_equal(a.structs[0].type, SPDM_ALG_TYPE_KEM);

	/* Param1 announcing more structs than Length holds */
	n = put_algorithms(SPDM_VER_12);
	buf[2] = 5;
	assert_int_equal(spdm_decode_algorithms(buf, (size_t)n, SPDM_VER_12, &a, NULL), -EBADMSG);

	/* ExtAsymSelCount = 1 is honoured: 4 more bytes are skipped, Length grows */
	n = put_algorithms(SPDM_VER_12);
	memmove(buf + 40, buf + 36, 8);
	memset(buf + 36, 0xee, 4);
	buf[32] = 1;
	buf[4] = 48;
	assert_int_equal(spdm_decode_algorithms(buf, 48, SPDM_VER_12, &a, NULL), 48);
	assert_int_equal(a.num_structs, 2);
	assert_int_equal(a.structs[1].type, SPDM_ALG_TYPE_AEAD);
	/* ...and an ExtHashSelCount that does not fit */
	buf[33] = 3;
	da_err_clear(&err);
	assert_int_equal(spdm_decode_algorithms(buf, 48, SPDM_VER_12, &a, &err), -EBADMSG);
	assert_non_null(strstr(err.msg, "ExtHashSelCount"));

	/* external algorithms inside a struct (AlgCount low nibble) */
	n = put_algorithms(SPDM_VER_12);
	buf[37] = 0x21;
	da_err_clear(&err);
	assert_int_equal(spdm_decode_algorithms(buf, (size_t)n, SPDM_VER_12, &a, &err), -EBADMSG);
	/* duplicate AlgType */
	n = put_algorithms(SPDM_VER_12);
	buf[40] = buf[36];
	assert_int_equal(spdm_decode_algorithms(buf, (size_t)n, SPDM_VER_12, &a, NULL), -EPROTO);
}

/* ---- DIGESTS ---- */

static int dec_digests(const uint8_t *m, size_t n, const void *ctx, struct da_err *e)
{
	struct spdm_digests d;

	return spdm_decode_digests(m, n, ctx, &d, e);
}

static void test_digests(void **state)
{
	uint8_t h0[64], h3[64];

	fill(h0, sizeof(h0), 1);
	fill(h3, sizeof(h3), 99);
	for (size_t i = 0; i < NVER; i++) {
		for (int mk = 0; mk < 2; mk++) {
			struct spdm_dec_params p = { .version = versions[i], .hash_size = 48,
						     .multi_key_conn = mk };
			struct spdm_digests d = { .supported_mask = 0x0f, .provisioned_mask = 0x09,
						  .digest = { [0] = h0, [3] = h3 },
						  .key_pair_id = { [0] = 1, [3] = 2 },
						  .cert_info = { [0] = 1, [3] = 2 },
						  .key_usage_mask = { [0] = 2, [3] = 6 } }, o;
			struct wcur w = wcur_init(buf, sizeof(buf));
			bool ext = mk && versions[i] >= SPDM_VER_13;
			int n;

			n = spdm_encode_digests(&w, &p, &d);
			assert_int_equal(n, 4 + 2 * 48 + (ext ? 8 : 0));
			assert_int_equal(spdm_decode_digests(buf, (size_t)n, &p, &o, NULL), n);
			assert_int_equal(o.provisioned_mask, 0x09);
			assert_int_equal(o.supported_mask, versions[i] >= SPDM_VER_13 ? 0x0f : 0);
			assert_memory_equal(o.digest[0], h0, 48);
			assert_memory_equal(o.digest[3], h3, 48);
			assert_null(o.digest[1]);
			assert_int_equal(o.key_usage_mask[3], ext ? 6 : 0);
			assert_int_equal(o.cert_info[0], ext ? 1 : 0);
			check_truncations(dec_digests, buf, (size_t)n, &p);
		}
	}
	{
		struct spdm_dec_params p = { .version = SPDM_VER_12 };
		struct spdm_digests o;
		struct da_err err = { 0 };

		assert_int_equal(spdm_decode_digests(buf, 8, &p, &o, &err), -EINVAL);
	}
}

/* ---- CERTIFICATE ---- */

static int dec_get_cert(const uint8_t *m, size_t n, const void *ctx, struct da_err *e)
{
	struct spdm_get_certificate g;

	return spdm_decode_get_certificate(m, n, ((const struct ver_ctx *)ctx)->version, &g, e);
}

static int dec_cert(const uint8_t *m, size_t n, const void *ctx, struct da_err *e)
{
	struct spdm_certificate c;

	return spdm_decode_certificate(m, n, ((const struct ver_ctx *)ctx)->version, &c, e);
}

static void test_certificate(void **state)
{
	uint8_t portion[600];

	fill(portion, sizeof(portion), 3);
	for (size_t i = 0; i < NVER; i++) {
		uint8_t v = versions[i];
		struct ver_ctx ctx = { v };
		struct spdm_get_certificate g = { .slot = 3, .attributes = 1, .offset = 0x400,
						  .length = 0x200 }, go;
		struct spdm_certificate c = { .slot = 3, .cert_info = 1, .portion_len = 600,
					      .remainder_len = 1234, .portion = portion }, co;
		struct wcur w = wcur_init(buf, sizeof(buf));
		int n;

		n = spdm_encode_get_certificate(&w, v, &g);
		assert_int_equal(n, 8);
		assert_int_equal(spdm_decode_get_certificate(buf, 8, v, &go, NULL), 8);
		assert_int_equal(go.slot, 3);
		assert_int_equal(go.offset, 0x400);
		assert_int_equal(go.length, 0x200);
		assert_int_equal(go.attributes, v >= SPDM_VER_13 ? 1 : 0);
		check_truncations(dec_get_cert, buf, 8, &ctx);

		w = wcur_init(buf, sizeof(buf));
		n = spdm_encode_certificate(&w, v, &c);
		assert_int_equal(n, 608);
		assert_int_equal(spdm_decode_certificate(buf, 608, v, &co, NULL), 608);
		assert_int_equal(co.slot, 3);
		assert_int_equal(co.portion_len, 600);
		assert_int_equal(co.remainder_len, 1234);
		assert_int_equal(co.cert_info, v >= SPDM_VER_13 ? 1 : 0);
		assert_memory_equal(co.portion, portion, 600);
		check_truncations(dec_cert, buf, 608, &ctx);
	}
	{
		struct spdm_certificate co;
		struct da_err err = { 0 };

		/* the example from the style guide */
		assert_int_equal(spdm_decode_certificate(buf, 584, SPDM_VER_12, &co, &err),
				 -EBADMSG);
		assert_string_equal(err.msg,
				    "CERTIFICATE: PortionLength 600 exceeds the 576 bytes left");
	}
}

/* ---- CHALLENGE ---- */

struct ca_ctx {
	struct spdm_dec_params p;
	uint8_t summary;
};

static int dec_challenge(const uint8_t *m, size_t n, const void *ctx, struct da_err *e)
{
	struct spdm_challenge c;

	return spdm_decode_challenge(m, n, ((const struct ver_ctx *)ctx)->version, &c, e);
}

static int dec_challenge_auth(const uint8_t *m, size_t n, const void *ctx, struct da_err *e)
{
	const struct ca_ctx *c = ctx;
	struct spdm_challenge_auth a;

	return spdm_decode_challenge_auth(m, n, &c->p, c->summary, &a, e);
}

static void test_challenge(void **state)
{
	uint8_t hash[48], nonce[32], mhash[48], opaque[10], ctxb[8], sig[96];

	fill(hash, sizeof(hash), 10);
	fill(nonce, sizeof(nonce), 20);
	fill(mhash, sizeof(mhash), 30);
	fill(opaque, sizeof(opaque), 40);
	fill(ctxb, sizeof(ctxb), 50);
	fill(sig, sizeof(sig), 60);
	for (size_t i = 0; i < NVER; i++) {
		uint8_t v = versions[i];
		struct ver_ctx vc = { v };
		bool rc = v >= SPDM_VER_13;
		struct spdm_challenge c = { .slot = 1,
					    .meas_summary_type = SPDM_MEAS_SUMMARY_ALL }, co;
		struct wcur w = wcur_init(buf, sizeof(buf));
		int n;

		memcpy(c.nonce, nonce, 32);
		memcpy(c.req_context, ctxb, 8);
		n = spdm_encode_challenge(&w, v, &c);
		assert_int_equal(n, rc ? 44 : 36);
		assert_int_equal(spdm_decode_challenge(buf, (size_t)n, v, &co, NULL), n);
		assert_int_equal(co.slot, 1);
		assert_int_equal(co.meas_summary_type, SPDM_MEAS_SUMMARY_ALL);
		assert_memory_equal(co.nonce, nonce, 32);
		if (rc)
			assert_memory_equal(co.req_context, ctxb, 8);
		check_truncations(dec_challenge, buf, (size_t)n, &vc);

		for (int with_summary = 0; with_summary < 2; with_summary++) {
			struct ca_ctx cc = { { .version = v, .hash_size = 48, .sig_size = 96 },
					     with_summary ? SPDM_MEAS_SUMMARY_TCB :
							    SPDM_MEAS_SUMMARY_NONE };
			struct spdm_challenge_auth a = { .param1 = 1, .slot_mask = 3,
							 .cert_chain_hash = hash, .nonce = nonce,
							 .meas_summary_hash =
								with_summary ? mhash : NULL,
							 .opaque_len = 10, .opaque = opaque,
							 .req_context = ctxb }, ao;
			size_t want = 4 + 48 + 32 + (with_summary ? 48 : 0) + 2 + 10 + (rc ? 8 : 0);

			w = wcur_init(buf, sizeof(buf));
			n = spdm_encode_challenge_auth_unsigned(&w, &cc.p, &a);
			assert_int_equal(n, (int)want);
			wcur_bytes(&w, sig, 96);
			n = (int)wcur_finish(&w);
			assert_int_equal(spdm_decode_challenge_auth(buf, (size_t)n, &cc.p,
								    cc.summary, &ao, NULL), n);
			assert_int_equal(ao.signed_len, want);
			assert_int_equal(ao.signed_len + 96, n);
			assert_int_equal(ao.param1, 1);
			assert_int_equal(ao.slot_mask, 3);
			assert_memory_equal(ao.cert_chain_hash, hash, 48);
			assert_memory_equal(ao.nonce, nonce, 32);
			if (with_summary)
				assert_memory_equal(ao.meas_summary_hash, mhash, 48);
			else
				assert_null(ao.meas_summary_hash);
			assert_int_equal(ao.opaque_len, 10);
			assert_memory_equal(ao.opaque, opaque, 10);
			if (rc)
				assert_memory_equal(ao.req_context, ctxb, 8);
			else
				assert_null(ao.req_context);
			assert_memory_equal(ao.signature, sig, 96);
			check_truncations(dec_challenge_auth, buf, (size_t)n, &cc);
		}
	}
}

static void test_challenge_auth_malformed(void **state)
{
	struct spdm_dec_params p = { .version = SPDM_VER_12, .hash_size = 32, .sig_size = 64 };
	struct spdm_challenge_auth a;
	struct da_err err = { 0 };
	uint8_t m[4 + 32 + 32 + 2 + 64];

	memset(m, 0, sizeof(m));
	m[0] = SPDM_VER_12;
	m[1] = SPDM_CHALLENGE_AUTH;
	assert_int_equal(spdm_decode_challenge_auth(m, sizeof(m), &p, 0, &a, NULL),
			 (int)sizeof(m));
	/* OpaqueDataLength pointing past the message */
	m[68] = 100;
	assert_int_equal(spdm_decode_challenge_auth(m, sizeof(m) - 20, &p, 0, &a, &err),
			 -EBADMSG);
	assert_string_equal(err.msg,
			    "CHALLENGE_AUTH: OpaqueDataLength 100 exceeds the 44 bytes left");
	/* ...and above the 1024-byte maximum */
	m[68] = 0x01;
	m[69] = 0x04;
	da_err_clear(&err);
	assert_int_equal(spdm_decode_challenge_auth(m, sizeof(m), &p, 0, &a, &err), -EPROTO);
	/* signature cut short */
	m[68] = 0;
	m[69] = 0;
	da_err_clear(&err);
	assert_int_equal(spdm_decode_challenge_auth(m, sizeof(m) - 1, &p, 0, &a, &err), -EBADMSG);
	assert_non_null(strstr(err.msg, "Signature needs 64 bytes, 63 left"));
	/* nothing negotiated */
	p.sig_size = 0;
	assert_int_equal(spdm_decode_challenge_auth(m, sizeof(m), &p, 0, &a, NULL), -EINVAL);
}

/* ---- MEASUREMENTS ---- */

struct meas_ctx {
	struct spdm_dec_params p;
	bool sig;
};

static int dec_get_meas(const uint8_t *m, size_t n, const void *ctx, struct da_err *e)
{
	struct spdm_get_measurements g;

	return spdm_decode_get_measurements(m, n, ((const struct ver_ctx *)ctx)->version, &g, e);
}

static int dec_meas(const uint8_t *m, size_t n, const void *ctx, struct da_err *e)
{
	const struct meas_ctx *c = ctx;
	struct spdm_measurements mo;

	return spdm_decode_measurements(m, n, &c->p, c->sig, &mo, e);
}

static size_t make_record(uint8_t *rec, size_t cap)
{
	uint8_t v1[64], v2[5];
	struct wcur w = wcur_init(rec, cap);

	fill(v1, sizeof(v1), 5);
	fill(v2, sizeof(v2), 9);
	spdm_encode_meas_block(&w, 1, SPDM_DMTF_MEAS_IMMUTABLE_ROM, v1, sizeof(v1));
	spdm_encode_meas_block(&w, 0x10, SPDM_DMTF_MEAS_VERSION | SPDM_DMTF_MEAS_RAW_BIT, v2,
			       sizeof(v2));
	spdm_encode_meas_block(&w, 0xFE, SPDM_DMTF_MEAS_DEVICE_MODE, v1, 16);
	assert_int_equal(wcur_finish(&w), (4 + 3 + 64) + (4 + 3 + 5) + (4 + 3 + 16));
	return w.len;
}

static void test_measurements(void **state)
{
	uint8_t rec[256], nonce[32], opaque[6], ctxb[8], sig[64];
	size_t rlen = make_record(rec, sizeof(rec));

	fill(nonce, sizeof(nonce), 1);
	fill(opaque, sizeof(opaque), 2);
	fill(ctxb, sizeof(ctxb), 3);
	fill(sig, sizeof(sig), 4);
	for (size_t i = 0; i < NVER; i++) {
		uint8_t v = versions[i];
		struct ver_ctx vc = { v };
		bool rc = v >= SPDM_VER_13;

		for (int signed_ = 0; signed_ < 2; signed_++) {
			struct spdm_get_measurements g = {
				.attributes = signed_ ? SPDM_MEAS_ATTR_SIG : 0,
				.operation = SPDM_MEAS_OP_ALL, .slot = 2 }, go;
			struct meas_ctx mc = { { .version = v, .hash_size = 32, .sig_size = 64,
						 .meas_hash_size = 64 }, signed_ };
			/* sent always; 1.0/1.1 unsigned responses without it are accepted */
			bool has_nonce = true;
			struct spdm_measurements m = { .param2 = 2, .num_blocks = 3,
						       .record_len = (uint32_t)rlen, .record = rec,
						       .nonce = nonce, .opaque_len = 6,
						       .opaque = opaque, .req_context = ctxb }, mo;
			struct wcur w = wcur_init(buf, sizeof(buf));
			size_t want;
			int n;

			memcpy(g.nonce, nonce, 32);
			memcpy(g.req_context, ctxb, 8);
			n = spdm_encode_get_measurements(&w, v, &g);
			want = 4 + (signed_ ? 32 + (v >= SPDM_VER_11 ? 1 : 0) : 0) + (rc ? 8 : 0);
			assert_int_equal(n, (int)want);
			assert_int_equal(spdm_decode_get_measurements(buf, want, v, &go, NULL), n);
			assert_int_equal(go.attributes, g.attributes);
			assert_int_equal(go.operation, SPDM_MEAS_OP_ALL);
			assert_int_equal(go.slot, signed_ && v >= SPDM_VER_11 ? 2 : 0);
			if (signed_)
				assert_memory_equal(go.nonce, nonce, 32);
			if (rc)
				assert_memory_equal(go.req_context, ctxb, 8);
			check_truncations(dec_get_meas, buf, want, &vc);

			w = wcur_init(buf, sizeof(buf));
			n = spdm_encode_measurements_unsigned(&w, &mc.p, signed_, &m);
			want = 8 + rlen + (has_nonce ? 32 : 0) + 2 + 6 + (rc ? 8 : 0);
			assert_int_equal(n, (int)want);
			if (signed_)
				wcur_bytes(&w, sig, 64);
			n = (int)wcur_finish(&w);
			assert_int_equal(spdm_decode_measurements(buf, (size_t)n, &mc.p, signed_,
								  &mo, NULL), n);
			assert_int_equal(mo.num_blocks, 3);
			assert_int_equal(mo.record_len, rlen);
			assert_memory_equal(mo.record, rec, rlen);
			assert_int_equal(mo.param2, 2);
			if (has_nonce)
				assert_memory_equal(mo.nonce, nonce, 32);
			else
				assert_null(mo.nonce);
			assert_memory_equal(mo.opaque, opaque, 6);
			if (rc)
				assert_memory_equal(mo.req_context, ctxb, 8);
			assert_int_equal(mo.signed_len, want);
			if (signed_)
				assert_memory_equal(mo.signature, sig, 64);
			else
				assert_null(mo.signature);
			check_truncations(dec_meas, buf, (size_t)n, &mc);
			if (!signed_ && v < SPDM_VER_12) {
				/* the same response in the 1.0/1.1 table's form, no Nonce */
				memmove(buf + 8 + rlen, buf + 8 + rlen + 32,
					(size_t)n - 8 - rlen - 32);
				n -= 32;
				assert_int_equal(spdm_decode_measurements(buf, (size_t)n, &mc.p,
									  false, &mo, NULL), n);
				assert_null(mo.nonce);
				assert_int_equal(mo.opaque_len, 6);
				assert_memory_equal(mo.opaque, opaque, 6);
				/* ...and inside a transcript, before the next GET_MEASUREMENTS */
				buf[n] = v;
				buf[n + 1] = SPDM_GET_MEASUREMENTS;
				memset(buf + n + 2, 0, 40);
				assert_int_equal(spdm_decode_measurements(buf, (size_t)n + 42,
									  &mc.p, false, &mo, NULL), n);
				assert_null(mo.nonce);
				/* the Nonce form, followed the same way */
				w = wcur_init(buf, sizeof(buf));
				n = spdm_encode_measurements_unsigned(&w, &mc.p, false, &m);
				buf[n] = v;
				buf[n + 1] = SPDM_GET_MEASUREMENTS;
				memset(buf + n + 2, 0, 40);
				assert_int_equal(spdm_decode_measurements(buf, (size_t)n + 42,
									  &mc.p, false, &mo, NULL), n);
				assert_memory_equal(mo.nonce, nonce, 32);
			}
		}
	}
}

static void test_meas_blocks(void **state)
{
	uint8_t rec[256];
	size_t rlen = make_record(rec, sizeof(rec));
	struct cur c = cur_init(rec, rlen);
	struct spdm_meas_block b;
	struct da_err err = { 0 };

	assert_int_equal(spdm_meas_block_next(&c, &b, NULL), 1);
	assert_int_equal(b.index, 1);
	assert_int_equal(b.spec, SPDM_MEAS_SPEC_DMTF);
	assert_int_equal(b.size, 67);
	assert_int_equal(b.value_size, 64);
	assert_int_equal(b.raw_len, 71);
	assert_ptr_equal(b.raw, rec);
	assert_int_equal(spdm_meas_block_next(&c, &b, NULL), 1);
	assert_int_equal(b.index, 0x10);
	assert_int_equal(b.dmtf_type, SPDM_DMTF_MEAS_VERSION | SPDM_DMTF_MEAS_RAW_BIT);
	assert_int_equal(b.value_size, 5);
	assert_int_equal(spdm_meas_block_next(&c, &b, NULL), 1);
	assert_int_equal(b.index, 0xFE);
	assert_int_equal(spdm_meas_block_next(&c, &b, NULL), 0);

	/* DMTF value size disagreeing with MeasurementSize */
	rec[5] = 63;
	c = cur_init(rec, rlen);
	assert_int_equal(spdm_meas_block_next(&c, &b, &err), -EBADMSG);
	assert_non_null(strstr(err.msg, "DMTFSpecMeasurementValueSize 63"));
	assert_int_equal(c.off, 0);
	rec[5] = 64;
	/* MeasurementSize past the record */
	rec[2] = 0xff;
	c = cur_init(rec, rlen);
	assert_int_equal(spdm_meas_block_next(&c, &b, NULL), -EBADMSG);
	rec[2] = 67;
	/* a MeasurementSize too small for a DMTF header */
	rec[2] = 2;
	c = cur_init(rec, 6);
	assert_int_equal(spdm_meas_block_next(&c, &b, NULL), -EBADMSG);
	rec[2] = 67;
	/* a non-DMTF block is returned raw */
	rec[1] = 0x02;
	c = cur_init(rec, rlen);
	assert_int_equal(spdm_meas_block_next(&c, &b, NULL), 1);
	assert_int_equal(b.spec, 2);
	assert_null(b.value);
	assert_int_equal(b.raw_len, 71);
	rec[1] = SPDM_MEAS_SPEC_DMTF;

	/* encoding an oversized value fails through the sticky writer */
	{
		struct wcur w = wcur_init(buf, sizeof(buf));

		spdm_encode_meas_block(&w, 1, 0, rec, 0xFFFD);
		assert_int_equal(wcur_finish(&w), -EINVAL);
	}
}

static void test_measurements_malformed(void **state)
{
	struct spdm_dec_params p = { .version = SPDM_VER_12, .hash_size = 32, .sig_size = 64 };
	uint8_t rec[256], nonce[32] = { 0 };
	size_t rlen = make_record(rec, sizeof(rec));
	struct spdm_measurements m = { .num_blocks = 3, .record_len = (uint32_t)rlen,
				       .record = rec, .nonce = nonce }, mo;
	struct wcur w = wcur_init(buf, sizeof(buf));
	struct da_err err = { 0 };
	int n = spdm_encode_measurements_unsigned(&w, &p, false, &m);

	assert_int_equal(spdm_decode_measurements(buf, (size_t)n, &p, false, &mo, NULL), n);
	/* NumberOfBlocks disagreeing with the record */
	buf[4] = 2;
	assert_int_equal(spdm_decode_measurements(buf, (size_t)n, &p, false, &mo, &err), -EBADMSG);
	assert_non_null(strstr(err.msg, "NumberOfBlocks 2, but the record holds 3"));
	buf[4] = 3;
	/* 24-bit MeasurementRecordLength past the message */
	buf[7] = 0x01;
	da_err_clear(&err);
	assert_int_equal(spdm_decode_measurements(buf, (size_t)n, &p, false, &mo, &err), -EBADMSG);
	assert_non_null(strstr(err.msg, "MeasurementRecordLength 65642"));
	buf[7] = 0;
	/* a record that ends inside a block */
	buf[5] = (uint8_t)(rlen - 1);
	assert_true(spdm_decode_measurements(buf, (size_t)n, &p, false, &mo, NULL) < 0);
	buf[5] = (uint8_t)rlen;
	/* OpaqueDataLength past the end */
	buf[8 + rlen + 32] = 0xff;
	da_err_clear(&err);
	assert_int_equal(spdm_decode_measurements(buf, (size_t)n, &p, false, &mo, &err), -EBADMSG);
	assert_non_null(strstr(err.msg, "OpaqueDataLength 255"));
	buf[8 + rlen + 32] = 0;
	/* signature requested but missing */
	assert_int_equal(spdm_decode_measurements(buf, (size_t)n, &p, true, &mo, NULL), -EBADMSG);

	/* a COUNT response: empty record, param1 carries the count */
	m = (struct spdm_measurements){ .param1 = 8, .nonce = nonce };
	w = wcur_init(buf, sizeof(buf));
	n = spdm_encode_measurements_unsigned(&w, &p, false, &m);
	assert_int_equal(n, 8 + 32 + 2);
	assert_int_equal(spdm_decode_measurements(buf, (size_t)n, &p, false, &mo, NULL), n);
	assert_int_equal(mo.param1, 8);
	assert_int_equal(mo.num_blocks, 0);
}

/* ---- ERROR ---- */

static int dec_error(const uint8_t *m, size_t n, const void *ctx, struct da_err *e)
{
	struct spdm_error o;

	return spdm_decode_error(m, n, &o, e);
}

static int dec_rir(const uint8_t *m, size_t n, const void *ctx, struct da_err *e)
{
	uint8_t code, token;

	return spdm_decode_respond_if_ready(m, n, &code, &token, e);
}

static void test_error(void **state)
{
	static const uint8_t vendor[] = { 3, 2, 0x86, 0x80, 0xaa };
	uint8_t handle = 7;

	for (size_t i = 0; i < NVER; i++) {
		uint8_t v = versions[i], code, token;
		struct wcur w = wcur_init(buf, sizeof(buf));
		struct spdm_error e;
		int n;

		n = spdm_encode_error(&w, v, SPDM_ERR_BUSY, 0, NULL, 0);
		assert_int_equal(n, 4);
		assert_int_equal(spdm_decode_error(buf, 4, &e, NULL), 4);
		assert_int_equal(e.code, SPDM_ERR_BUSY);
		check_truncations(dec_error, buf, 4, NULL);

		w = wcur_init(buf, sizeof(buf));
		n = spdm_encode_response_not_ready(&w, v, 20, SPDM_CHALLENGE, 9, 3);
		assert_int_equal(n, 8);
		assert_int_equal(spdm_decode_error(buf, 8, &e, NULL), 8);
		assert_int_equal(e.code, SPDM_ERR_RESPONSE_NOT_READY);
		assert_int_equal(e.rdt_exponent, 20);
		assert_int_equal(e.request_code, SPDM_CHALLENGE);
		assert_int_equal(e.token, 9);
		assert_int_equal(e.rdtm, 3);
		check_truncations(dec_error, buf, 8, NULL);

		w = wcur_init(buf, sizeof(buf));
		n = spdm_encode_error(&w, v, SPDM_ERR_LARGE_RESPONSE, 0, &handle, 1);
		assert_int_equal(spdm_decode_error(buf, (size_t)n, &e, NULL), 5);
		assert_int_equal(e.ext[0], 7);
		check_truncations(dec_error, buf, 5, NULL);

		w = wcur_init(buf, sizeof(buf));
		n = spdm_encode_error(&w, v, SPDM_ERR_VENDOR_DEFINED, 0, vendor, sizeof(vendor));
		assert_int_equal(spdm_decode_error(buf, (size_t)n, &e, NULL), 9);
		assert_int_equal(e.ext_len, sizeof(vendor));
		assert_memory_equal(e.ext, vendor, sizeof(vendor));

		w = wcur_init(buf, sizeof(buf));
		n = spdm_encode_respond_if_ready(&w, v, SPDM_GET_MEASUREMENTS, 5);
		assert_int_equal(n, 4);
		assert_int_equal(spdm_decode_respond_if_ready(buf, 4, &code, &token, NULL), 4);
		assert_int_equal(code, SPDM_GET_MEASUREMENTS);
		assert_int_equal(token, 5);
		check_truncations(dec_rir, buf, 4, NULL);
	}
}

static void test_error_to_errno(void **state)
{
	assert_int_equal(spdm_error_to_errno(SPDM_ERR_BUSY), -EBUSY);
	assert_int_equal(spdm_error_to_errno(SPDM_ERR_RESPONSE_NOT_READY), -EINPROGRESS);
	assert_int_equal(spdm_error_to_errno(SPDM_ERR_REQUEST_RESYNCH), -ECONNRESET);
	assert_int_equal(spdm_error_to_errno(SPDM_ERR_RESET_REQUIRED), -ECONNRESET);
	assert_int_equal(spdm_error_to_errno(SPDM_ERR_VERSION_MISMATCH), -EPROTO);
	assert_int_equal(spdm_error_to_errno(SPDM_ERR_UNSUPPORTED_REQUEST), -EOPNOTSUPP);
	assert_int_equal(spdm_error_to_errno(SPDM_ERR_INVALID_REQUEST), -EINVAL);
	assert_int_equal(spdm_error_to_errno(SPDM_ERR_UNEXPECTED_REQUEST), -EINVAL);
	assert_int_equal(spdm_error_to_errno(SPDM_ERR_UNSPECIFIED), -EPROTO);
	assert_int_equal(spdm_error_to_errno(0), -EPROTO);
	/* every code maps to a negative errno */
	for (int c = 0; c < 256; c++)
		assert_true(spdm_error_to_errno((uint8_t)c) < 0);
}

static void test_names(void **state)
{
	assert_string_equal(spdm_code_name(SPDM_GET_VERSION), "GET_VERSION");
	assert_string_equal(spdm_code_name(SPDM_CHALLENGE_AUTH), "CHALLENGE_AUTH");
	assert_string_equal(spdm_code_name(0x00), "UNKNOWN");
	assert_string_equal(spdm_error_name(SPDM_ERR_INVALID_REQUEST), "InvalidRequest");
	assert_string_equal(spdm_error_name(SPDM_ERR_RESPONSE_NOT_READY), "ResponseNotReady");
	assert_string_equal(spdm_asym_name(SPDM_ASYM_ECDSA_P384), "ECDSA-P384");
	assert_string_equal(spdm_asym_name(SPDM_ASYM_ECDSA_P384 | SPDM_ASYM_ECDSA_P256),
			    "unknown");
	assert_string_equal(spdm_hash_name(SPDM_HASH_SHA256), "SHA-256");
	assert_string_equal(spdm_meas_hash_name(SPDM_MEAS_HASH_SHA512), "SHA-512");
	assert_string_equal(spdm_meas_hash_name(SPDM_MEAS_HASH_RAW), "raw");
	assert_string_equal(spdm_dmtf_meas_type_name(SPDM_DMTF_MEAS_MUTABLE_FW |
						     SPDM_DMTF_MEAS_RAW_BIT),
			    "mutable firmware");
}

/* One parser for every spelling in use: devauth's, devauth-emu's, the DMTF tools'. */
static void test_names_parse(void **state)
{
	static const struct { const char *s; uint32_t bit; } asym[] = {
		{ "ECDSA-P384", SPDM_ASYM_ECDSA_P384 }, { "ecdsa-p384", SPDM_ASYM_ECDSA_P384 },
		{ "ECDSA_P384", SPDM_ASYM_ECDSA_P384 }, { "ECDSA_P256", SPDM_ASYM_ECDSA_P256 },
		{ "ECDSA_P521", SPDM_ASYM_ECDSA_P521 }, { "RSAPSS_3072", SPDM_ASYM_RSAPSS_3072 },
		{ "RSASSA_3072", SPDM_ASYM_RSASSA_3072 }, { "RSAPSS_4096", SPDM_ASYM_RSAPSS_4096 },
		{ "rsassa-2048", SPDM_ASYM_RSASSA_2048 }, { "EDDSA_25519", SPDM_ASYM_EDDSA_ED25519 },
		{ "EdDSA-Ed25519", SPDM_ASYM_EDDSA_ED25519 }, { "ed25519", SPDM_ASYM_EDDSA_ED25519 },
		{ "EDDSA_448", SPDM_ASYM_EDDSA_ED448 }, { "SM2_P256", SPDM_ASYM_SM2_P256 },
	};
	uint32_t bit = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(asym) / sizeof(asym[0]); i++) {
		assert_int_equal(spdm_asym_from_name(asym[i].s, &bit), 0);
		assert_int_equal(bit, asym[i].bit);
	}
	assert_int_equal(spdm_hash_from_name("SHA_384", &bit), 0);
	assert_int_equal(bit, SPDM_HASH_SHA384);
	assert_int_equal(spdm_hash_from_name("sha256", &bit), 0);
	assert_int_equal(bit, SPDM_HASH_SHA256);
	assert_int_equal(spdm_hash_from_name("SHA3_512", &bit), 0);
	assert_int_equal(bit, SPDM_HASH_SHA3_512);
	assert_int_equal(spdm_hash_from_name("SHA-512", &bit), 0);
	assert_int_equal(bit, SPDM_HASH_SHA512);
	assert_int_equal(spdm_meas_hash_from_name("RAW_BIT", &bit), 0);
	assert_int_equal(bit, SPDM_MEAS_HASH_RAW);
	assert_int_equal(spdm_meas_hash_from_name("raw", &bit), 0);
	assert_int_equal(spdm_meas_hash_from_name("SHA_512", &bit), 0);
	assert_int_equal(bit, SPDM_MEAS_HASH_SHA512);
	/* not names */
	assert_int_equal(spdm_asym_from_name("ECDSA_P385", &bit), -EINVAL);
	assert_int_equal(spdm_asym_from_name("unknown", &bit), -EINVAL);
	assert_int_equal(spdm_asym_from_name("", &bit), -EINVAL);
	assert_int_equal(spdm_asym_from_name("--__", &bit), -EINVAL);
	assert_int_equal(spdm_asym_from_name(NULL, &bit), -EINVAL);
	assert_int_equal(spdm_hash_from_name("SHA_384_SHA_384_SHA_384_SHA_384_X", &bit), -EINVAL);
	assert_int_equal(spdm_hash_from_name("raw", &bit), -EINVAL);
}

/* Encoders report overflow of a small buffer instead of writing past it. */
static void test_encode_overflow(void **state)
{
	uint8_t small[10], portion[20] = { 0 };
	struct spdm_certificate c = { .portion_len = 20, .portion = portion };
	struct wcur w = wcur_init(small, sizeof(small));

	assert_int_equal(spdm_encode_certificate(&w, SPDM_VER_12, &c), -ENOSPC);
}

/*
 * The reassembler both roles use: a chunk of another large message (its
 * Handle) or out of order (its ChunkSeqNo) ends the message, whoever
 * sent it.  The requester also checks CHUNK_RESPONSE's Handle itself, so
 * only this test catches a reassembler that stops looking.
 */
static void test_chunk_rx_order(void **state)
{
	static const uint8_t part[40];
	struct spdm_chunk_rx rx = { .version = SPDM_VER_12, .dts = 64, .max_size = 4096 };
	struct spdm_chunk c0 = { .handle = 3, .seq = 0, .size = sizeof(part), .large_size = 100,
				 .data = part };
	struct spdm_chunk c1 = { .handle = 3, .seq = 1, .size = sizeof(part), .data = part };
	struct da_err err = { 0 };

	(void)state;
	assert_int_equal(spdm_chunk_rx_add(&rx, &c0, "CHUNK_SEND", &err), 0);
	c1.handle = 4;
	assert_int_equal(spdm_chunk_rx_add(&rx, &c1, "CHUNK_SEND", &err), -EPROTO);
	assert_non_null(strstr(err.msg, "CHUNK_SEND: Handle 4, the large message has Handle 3"));

	da_err_clear(&err);
	assert_int_equal(spdm_chunk_rx_add(&rx, &c0, "CHUNK_SEND", &err), 0);
	c1.handle = 3;
	c1.seq = 2;
	assert_int_equal(spdm_chunk_rx_add(&rx, &c1, "CHUNK_SEND", &err), -EPROTO);
	assert_non_null(strstr(err.msg, "ChunkSeqNo 2, expected 1"));

	da_err_clear(&err);
	assert_int_equal(spdm_chunk_rx_add(&rx, &c0, "CHUNK_SEND", &err), 0);
	c1.seq = 1;
	assert_int_equal(spdm_chunk_rx_add(&rx, &c1, "CHUNK_SEND", &err), 0);
	assert_int_equal(rx.buf.len, 2 * sizeof(part));
	spdm_chunk_rx_free(&rx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hdr_and_trailing),
		cmocka_unit_test(test_version),
		cmocka_unit_test(test_capabilities),
		cmocka_unit_test(test_capabilities_malformed),
		cmocka_unit_test(test_algorithms),
		cmocka_unit_test(test_algorithms_malformed),
		cmocka_unit_test(test_algorithms_14),
		cmocka_unit_test(test_digests),
		cmocka_unit_test(test_certificate),
		cmocka_unit_test(test_challenge),
		cmocka_unit_test(test_challenge_auth_malformed),
		cmocka_unit_test(test_measurements),
		cmocka_unit_test(test_meas_blocks),
		cmocka_unit_test(test_measurements_malformed),
		cmocka_unit_test(test_error),
		cmocka_unit_test(test_error_to_errno),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_names_parse),
		cmocka_unit_test(test_encode_overflow),
		cmocka_unit_test(test_chunk_rx_order),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
