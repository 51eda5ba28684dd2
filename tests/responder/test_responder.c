// SPDX-License-Identifier: MIT
/*
 * The responder driven with requests built by the codec: full flows for
 * every version and algorithm pair with the signatures verified here,
 * the ERROR paths, reset/update/swap, DOE discovery.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <openssl/x509v3.h>

#include <devauth/pcap.h>

#include "crypto/pki.h"
#include "rsp_client.h"
#include "transport/framing.h"

static struct rsp_device *dev;

static int setup(void **state)
{
	struct rsp_device_config cfg;
	struct da_err err = { 0 };

	rsp_device_config_default(&cfg, "0000:01:00.0", 1);
	if (rsp_device_create(&cfg, &dev, &err)) {
		fprintf(stderr, "rsp_device_create: %s\n", err.msg);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	rsp_device_free(dev);
	return 0;
}

/* The chain read over SPDM is what the device holds and passes the section 3 checks. */
static void check_chain(struct client *c, uint8_t slot)
{
	const struct rsp_device_config *cfg = rsp_device_config(c->d);
	struct spdm_chain ch;
	uint8_t h[SPDM_MAX_HASH_SIZE];
	struct da_err err = { 0 };

	assert_int_equal(spdm_hash(c->hash, c->chain.data, c->chain.len, h), 0);
	assert_memory_equal(h, c->digest[slot], c->p.hash_size);
	assert_int_equal(spdm_chain_parse(c->chain.data, c->chain.len, c->hash, &ch, &err), 0);
	assert_int_equal(ch.ncerts, 3);
	assert_int_equal(spdm_chain_check(&ch, &err), 0);
	assert_int_equal(cma_check_leaf_san(spdm_chain_leaf(&ch), &cfg->id, &err), 0);
	assert_int_equal(X509_cmp(sk_X509_value(ch.certs, 0), rsp_device_root(c->d, slot)), 0);
	spdm_chain_free(&ch);
}

static void full_flow(uint8_t ver, uint32_t asym, uint32_t hash)
{
	struct client *c = calloc(1, sizeof(*c));
	struct da_buf rec = { 0 }, all = { 0 };
	uint8_t h[SPDM_MAX_HASH_SIZE];
	const struct rsp_device_config *cfg = rsp_device_config(dev);
	int n;

	assert_non_null(c);
	client_init(c, dev);
	client_vca(c, ver, asym, hash);
	assert_int_equal(c->asym, asym);
	assert_int_equal(c->hash, hash);
	client_digests(c);
	assert_int_equal(c->provisioned, 0x03);
	/* slot 1 in small portions, then slot 0 at once; B covers both */
	client_certificate(c, 1, 200);
	check_chain(c, 1);
	client_certificate(c, 0, 0xffff);
	check_chain(c, 0);
	assert_int_equal(client_challenge(c, 0, SPDM_MEAS_SUMMARY_ALL), 0);

	/* the summary "all" is Hash(the MEASUREMENTS record of every block) */
	n = client_measurements(c, SPDM_MEAS_OP_ALL, false, false, &all);
	assert_int_equal(n, (int)cfg->nmeas);
	assert_int_equal(spdm_hash(c->hash, all.data, all.len, h), 0);
	assert_memory_equal(h, c->summary, c->p.hash_size);

	/* a second CHALLENGE right after: B is empty now, TCB summary */
	assert_int_equal(client_challenge(c, 0, SPDM_MEAS_SUMMARY_TCB), 0);
	assert_memory_not_equal(h, c->summary, c->p.hash_size);

	/* L1 = (A ||) count, one index unsigned, then all signed */
	assert_int_equal(client_measurements(c, SPDM_MEAS_OP_COUNT, false, false, NULL),
			 (int)cfg->nmeas);
	assert_int_equal(client_measurements(c, 2, false, false, &rec), 1);
	assert_int_equal(client_measurements(c, SPDM_MEAS_OP_ALL, true, false, &rec),
			 (int)cfg->nmeas);
	assert_int_equal(c->verify_ret, 0);
	/* after a signed response L1 starts over */
	assert_int_equal(client_measurements(c, 0x10, true, false, NULL), 1);
	assert_int_equal(c->verify_ret, 0);
	if (ver >= SPDM_VER_12) {
		struct cur rc;
		struct spdm_meas_block b;

		assert_int_equal(client_measurements(c, 7, true, true, &rec), 1);
		assert_int_equal(c->verify_ret, 0);
		rc = cur_init(rec.data, rec.len);
		assert_int_equal(spdm_meas_block_next(&rc, &b, NULL), 1);
		assert_int_equal(b.dmtf_type, SPDM_DMTF_MEAS_VERSION | SPDM_DMTF_MEAS_RAW_BIT);
		assert_int_equal(b.value_size, cfg->meas[6].len);
		assert_memory_equal(b.value, cfg->meas[6].value, b.value_size);
	}
	/* and the same works from slot 1 */
	client_certificate(c, 1, 0xffff);
	assert_int_equal(client_challenge(c, 1, SPDM_MEAS_SUMMARY_NONE), 0);
	da_buf_free(&rec);
	da_buf_free(&all);
	client_fini(c);
	free(c);
}

static void test_flow_versions(void **state)
{
	for (uint8_t v = SPDM_VER_10; v <= SPDM_VER_14; v++)
		full_flow(v, SPDM_ASYM_ECDSA_P384, SPDM_HASH_SHA384);
}

static void test_flow_algorithms(void **state)
{
	static const struct {
		uint32_t asym, hash;
		uint8_t ver;
	} pairs[] = {
		{ SPDM_ASYM_ECDSA_P256, SPDM_HASH_SHA256, SPDM_VER_11 },
		{ SPDM_ASYM_ECDSA_P384, SPDM_HASH_SHA512, SPDM_VER_12 },
		{ SPDM_ASYM_ECDSA_P521, SPDM_HASH_SHA512, SPDM_VER_13 },
		{ SPDM_ASYM_RSASSA_2048, SPDM_HASH_SHA256, SPDM_VER_10 },
		{ SPDM_ASYM_RSAPSS_2048, SPDM_HASH_SHA384, SPDM_VER_12 },
		{ SPDM_ASYM_RSASSA_3072, SPDM_HASH_SHA256, SPDM_VER_11 },
		{ SPDM_ASYM_RSAPSS_3072, SPDM_HASH_SHA512, SPDM_VER_13 },
		{ SPDM_ASYM_RSASSA_4096, SPDM_HASH_SHA384, SPDM_VER_12 },
		{ SPDM_ASYM_RSAPSS_4096, SPDM_HASH_SHA256, SPDM_VER_14 },
		{ SPDM_ASYM_EDDSA_ED25519, SPDM_HASH_SHA256, SPDM_VER_12 },
		{ SPDM_ASYM_EDDSA_ED448, SPDM_HASH_SHA512, SPDM_VER_13 },
		{ SPDM_ASYM_ECDSA_P256, SPDM_HASH_SHA3_256, SPDM_VER_12 },
	};
	int done = 0;

	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		if (!(spdm_supported_asym() & pairs[i].asym) ||
		    !(spdm_supported_hash() & pairs[i].hash))
			continue;
		full_flow(pairs[i].ver, pairs[i].asym, pairs[i].hash);
		done++;
	}
	assert_true(done >= 10);
}

/* The selection order: P-384 and SHA-384 win over the rest when all are offered. */
static void test_selection_order(void **state)
{
	struct client *c = calloc(1, sizeof(*c));

	client_init(c, dev);
	client_vca(c, SPDM_VER_12, 0xfff & ~SPDM_ASYM_SM2_P256,
		   SPDM_HASH_SHA256 | SPDM_HASH_SHA384 | SPDM_HASH_SHA512);
	assert_int_equal(c->asym, SPDM_ASYM_ECDSA_P384);
	assert_int_equal(c->hash, SPDM_HASH_SHA384);
	assert_int_equal(c->meas_hash, SPDM_MEAS_HASH_SHA512);
	client_vca(c, SPDM_VER_12, SPDM_ASYM_RSASSA_2048 | SPDM_ASYM_ECDSA_P256,
		   SPDM_HASH_SHA512 | SPDM_HASH_SHA256);
	assert_int_equal(c->asym, SPDM_ASYM_ECDSA_P256);
	assert_int_equal(c->hash, SPDM_HASH_SHA256);
	client_fini(c);
	free(c);
}

/*
 * GET_MEASUREMENTS between the certificate reads and CHALLENGE empties B
 * (the client mirrors the rule; a responder that kept B would not verify),
 * and a CHALLENGE ends L1.
 */
static void test_transcript_resets(void **state)
{
	struct client *c = calloc(1, sizeof(*c));

	client_init(c, dev);
	client_vca(c, SPDM_VER_11, SPDM_ASYM_ECDSA_P256, SPDM_HASH_SHA256);
	client_digests(c);
	client_certificate(c, 0, 0xffff);
	client_measurements(c, SPDM_MEAS_OP_COUNT, false, false, NULL);
	assert_int_equal(c->b.len, 0);
	assert_int_equal(client_challenge(c, 0, SPDM_MEAS_SUMMARY_NONE), 0);
	/* unsigned, then CHALLENGE (restarts L1), then signed: L1 is the last pair only */
	client_vca(c, SPDM_VER_13, SPDM_ASYM_ECDSA_P256, SPDM_HASH_SHA256);
	client_digests(c);
	client_certificate(c, 0, 0xffff);
	client_measurements(c, 1, false, false, NULL);
	assert_int_equal(client_challenge(c, 0, SPDM_MEAS_SUMMARY_TCB), 0);
	assert_int_equal(client_measurements(c, 2, true, false, NULL), 1);
	assert_int_equal(c->verify_ret, 0);
	client_fini(c);
	free(c);
}

static void put_req(struct client *c, const uint8_t *m, size_t n)
{
	memcpy(c->req, m, n);
	c->req_len = n;
	assert_true(client_xfer(c) >= 4);
}

static void test_errors(void **state)
{
	struct client *c = calloc(1, sizeof(*c));
	struct wcur w;
	uint8_t m[64];

	client_init(c, dev);
	/* nothing but GET_VERSION before VCA */
	put_req(c, (uint8_t[]){ SPDM_VER_12, SPDM_GET_DIGESTS, 0, 0 }, 4);
	client_expect_error(c, SPDM_ERR_UNEXPECTED_REQUEST);
	/* GET_VERSION must be 1.0 */
	put_req(c, (uint8_t[]){ SPDM_VER_11, SPDM_GET_VERSION, 0, 0 }, 4);
	client_expect_error(c, SPDM_ERR_VERSION_MISMATCH);
	assert_int_equal(c->rsp[0], SPDM_VER_10);
	/* GET_VERSION with a byte too many is malformed (no padding on NONE framing) */
	put_req(c, (uint8_t[]){ SPDM_VER_10, SPDM_GET_VERSION, 0, 0, 0 }, 5);
	client_expect_error(c, SPDM_ERR_INVALID_REQUEST);
	/* a lone byte */
	put_req(c, (uint8_t[]){ SPDM_VER_10, SPDM_GET_VERSION, 0, 0 }, 4);
	assert_int_equal(c->rsp[1], SPDM_VERSION);
	memcpy(c->req, (uint8_t[]){ 0x10 }, 1);
	c->req_len = 1;
	assert_true(client_xfer(c) >= 4);
	client_expect_error(c, SPDM_ERR_INVALID_REQUEST);
	/* NEGOTIATE_ALGORITHMS before GET_CAPABILITIES */
	put_req(c, (uint8_t[]){ SPDM_VER_10, SPDM_GET_VERSION, 0, 0 }, 4);
	w = wcur_init(m, sizeof(m));
	spdm_encode_negotiate_algorithms(&w, SPDM_VER_12, &(struct spdm_neg_algs){
		.base_asym = SPDM_ASYM_ECDSA_P256, .base_hash = SPDM_HASH_SHA256 });
	put_req(c, m, w.len);
	client_expect_error(c, SPDM_ERR_UNEXPECTED_REQUEST);
	/* a version the device did not list */
	put_req(c, (uint8_t[]){ 0x20, SPDM_GET_CAPABILITIES, 0, 0 }, 4);
	client_expect_error(c, SPDM_ERR_VERSION_MISMATCH);
	/* 1.2: DataTransferSize below 42 */
	w = wcur_init(m, sizeof(m));
	spdm_encode_get_capabilities(&w, SPDM_VER_12, &(struct spdm_caps){
		.flags = SPDM_CAP_CERT | SPDM_CAP_CHAL, .data_transfer_size = 41,
		.max_spdm_msg_size = 41 });
	put_req(c, m, w.len);
	client_expect_error(c, SPDM_ERR_INVALID_REQUEST);
	/* requester claiming measurement capabilities (responder-only bits) */
	w = wcur_init(m, sizeof(m));
	spdm_encode_get_capabilities(&w, SPDM_VER_11, &(struct spdm_caps){
		.flags = SPDM_CAP_CERT | SPDM_CAP_CHAL | SPDM_CAP_MEAS_SIG });
	put_req(c, m, w.len);
	client_expect_error(c, SPDM_ERR_INVALID_REQUEST);

	client_vca(c, SPDM_VER_12, SPDM_ASYM_ECDSA_P256, SPDM_HASH_SHA256);
	/* GET_CAPABILITIES again after negotiation */
	w = wcur_init(m, sizeof(m));
	spdm_encode_get_capabilities(&w, SPDM_VER_12, &(struct spdm_caps){
		.flags = SPDM_CAP_CERT | SPDM_CAP_CHAL, .data_transfer_size = 4096,
		.max_spdm_msg_size = 4096 });
	put_req(c, m, w.len);
	client_expect_error(c, SPDM_ERR_UNEXPECTED_REQUEST);
	/* wrong version after negotiation */
	put_req(c, (uint8_t[]){ SPDM_VER_11, SPDM_GET_DIGESTS, 0, 0 }, 4);
	client_expect_error(c, SPDM_ERR_VERSION_MISMATCH);
	assert_int_equal(c->rsp[0], SPDM_VER_12);
	/* unsupported requests carry their code */
	put_req(c, (uint8_t[]){ SPDM_VER_12, SPDM_KEY_EXCHANGE, 0, 0, 1, 2, 3, 4 }, 8);
	assert_int_equal(client_expect_error(c, SPDM_ERR_UNSUPPORTED_REQUEST), SPDM_KEY_EXCHANGE);
	put_req(c, (uint8_t[]){ SPDM_VER_12, 0x42, 0, 0 }, 4);
	assert_int_equal(client_expect_error(c, SPDM_ERR_UNSUPPORTED_REQUEST), 0x42);
	/* malformed: GET_CERTIFICATE cut short */
	put_req(c, (uint8_t[]){ SPDM_VER_12, SPDM_GET_CERTIFICATE, 0, 0, 0 }, 5);
	client_expect_error(c, SPDM_ERR_INVALID_REQUEST);
	/* offset past the chain; slot not provisioned */
	w = wcur_init(m, sizeof(m));
	spdm_encode_get_certificate(&w, SPDM_VER_12, &(struct spdm_get_certificate){
		.slot = 0, .offset = 0xfff0, .length = 16 });
	put_req(c, m, w.len);
	client_expect_error(c, SPDM_ERR_INVALID_REQUEST);
	w = wcur_init(m, sizeof(m));
	spdm_encode_get_certificate(&w, SPDM_VER_12, &(struct spdm_get_certificate){
		.slot = 5, .offset = 0, .length = 16 });
	put_req(c, m, w.len);
	client_expect_error(c, SPDM_ERR_INVALID_REQUEST);
	/* unknown measurement index */
	w = wcur_init(m, sizeof(m));
	spdm_encode_get_measurements(&w, SPDM_VER_12, &(struct spdm_get_measurements){
		.operation = 0x42 });
	put_req(c, m, w.len);
	client_expect_error(c, SPDM_ERR_INVALID_REQUEST);
	/* CHALLENGE of an empty slot, of a bad summary type */
	w = wcur_init(m, sizeof(m));
	spdm_encode_challenge(&w, SPDM_VER_12, &(struct spdm_challenge){ .slot = 3 });
	put_req(c, m, w.len);
	client_expect_error(c, SPDM_ERR_INVALID_REQUEST);
	w = wcur_init(m, sizeof(m));
	spdm_encode_challenge(&w, SPDM_VER_12, &(struct spdm_challenge){
		.slot = 0, .meas_summary_type = 0x05 });
	put_req(c, m, w.len);
	client_expect_error(c, SPDM_ERR_INVALID_REQUEST);
	/* RESPOND_IF_READY with nothing pending */
	w = wcur_init(m, sizeof(m));
	spdm_encode_respond_if_ready(&w, SPDM_VER_12, SPDM_CHALLENGE, 0);
	put_req(c, m, w.len);
	client_expect_error(c, SPDM_ERR_UNEXPECTED_REQUEST);
	/* the connection still works after all that */
	client_digests(c);
	client_certificate(c, 0, 0xffff);
	assert_int_equal(client_challenge(c, 0, SPDM_MEAS_SUMMARY_NONE), 0);
	client_fini(c);
	free(c);
}

/* 1.2: responses are bounded by the requester's DataTransferSize. */
static void test_data_transfer_size(void **state)
{
	struct client *c = calloc(1, sizeof(*c));
	struct wcur w;
	uint8_t m[64];
	struct spdm_certificate cert;

	client_init(c, dev);
	put_req(c, (uint8_t[]){ SPDM_VER_10, SPDM_GET_VERSION, 0, 0 }, 4);
	w = wcur_init(m, sizeof(m));
	spdm_encode_get_capabilities(&w, SPDM_VER_12, &(struct spdm_caps){
		.flags = SPDM_CAP_CERT | SPDM_CAP_CHAL, .data_transfer_size = 100,
		.max_spdm_msg_size = 100 });
	put_req(c, m, w.len);
	assert_int_equal(c->rsp[1], SPDM_CAPABILITIES);
	w = wcur_init(m, sizeof(m));
	spdm_encode_negotiate_algorithms(&w, SPDM_VER_12, &(struct spdm_neg_algs){
		.meas_spec = SPDM_MEAS_SPEC_DMTF, .base_asym = SPDM_ASYM_ECDSA_P256,
		.base_hash = SPDM_HASH_SHA256 });
	put_req(c, m, w.len);
	assert_int_equal(c->rsp[1], SPDM_ALGORITHMS);
	w = wcur_init(m, sizeof(m));
	spdm_encode_get_certificate(&w, SPDM_VER_12, &(struct spdm_get_certificate){
		.slot = 0, .offset = 10, .length = 0xffff });
	put_req(c, m, w.len);
	assert_int_equal(c->rsp[1], SPDM_CERTIFICATE);
	assert_int_equal(c->rsp_len, 100);
	assert_true(spdm_decode_certificate(c->rsp, (size_t)c->rsp_len, SPDM_VER_12, &cert,
					    NULL) > 0);
	assert_int_equal(cert.portion_len, 92);
	/* all measurements do not fit in 100 bytes */
	w = wcur_init(m, sizeof(m));
	spdm_encode_get_measurements(&w, SPDM_VER_12, &(struct spdm_get_measurements){
		.operation = SPDM_MEAS_OP_ALL });
	put_req(c, m, w.len);
	client_expect_error(c, SPDM_ERR_RESPONSE_TOO_LARGE);
	client_fini(c);
	free(c);
}

static void meas_raw(struct client *c, struct da_buf *rec)
{
	client_vca(c, SPDM_VER_12, SPDM_ASYM_ECDSA_P256, SPDM_HASH_SHA256);
	client_measurements(c, SPDM_MEAS_OP_ALL, false, true, rec);
}

/* Blocks that differ between two raw records, as a bit mask of indices (< 64). */
static uint64_t diff_blocks(const struct da_buf *x, const struct da_buf *y)
{
	struct cur cx = cur_init(x->data, x->len), cy = cur_init(y->data, y->len);
	struct spdm_meas_block bx, by;
	uint64_t diff = 0;

	while (spdm_meas_block_next(&cx, &bx, NULL) == 1) {
		assert_int_equal(spdm_meas_block_next(&cy, &by, NULL), 1);
		assert_int_equal(bx.index, by.index);
		if (bx.raw_len != by.raw_len || memcmp(bx.raw, by.raw, bx.raw_len))
			diff |= 1ull << (bx.index & 63);
	}
	return diff;
}

static void test_reset_update_swap(void **state)
{
	struct client *c = calloc(1, sizeof(*c));
	struct da_buf r0 = { 0 }, r1 = { 0 }, chain0 = { 0 }, chain1 = { 0 };
	struct da_err err = { 0 };
	uint64_t gen = rsp_device_reset_gen(dev);
	uint8_t m[4] = { SPDM_VER_10, SPDM_GET_VERSION, 0, 0 };

	client_init(c, dev);
	meas_raw(c, &r0);
	assert_int_equal(rsp_device_reset(dev), 0);
	assert_int_equal(rsp_device_reset_gen(dev), gen + 1);
	/* the connection was lost with the reset */
	assert_int_equal(spdm_responder_handle(c->r, m, 4, c->rsp, sizeof(c->rsp)),
			 -ECONNRESET);
	meas_raw(c, &r1);
	assert_int_equal(diff_blocks(&r0, &r1), 1ull << 0x10);

	assert_int_equal(rsp_device_update(dev), 0);
	meas_raw(c, &r0);
	assert_int_equal(diff_blocks(&r1, &r0), 1ull << 2);

	/* swap: new leaf key and certificate, same root and identity */
	client_vca(c, SPDM_VER_13, SPDM_ASYM_ECDSA_P256, SPDM_HASH_SHA256);
	client_digests(c);
	client_certificate(c, 0, 0xffff);
	assert_int_equal(da_buf_append(&chain0, c->chain.data, c->chain.len), 0);
	assert_int_equal(rsp_device_swap(dev, &err), 0);
	client_vca(c, SPDM_VER_13, SPDM_ASYM_ECDSA_P256, SPDM_HASH_SHA256);
	client_digests(c);
	client_certificate(c, 0, 0xffff);
	assert_int_equal(da_buf_append(&chain1, c->chain.data, c->chain.len), 0);
	check_chain(c, 0);
	assert_int_equal(client_challenge(c, 0, SPDM_MEAS_SUMMARY_NONE), 0);
	{
		struct spdm_chain a, b;

		assert_int_equal(spdm_chain_parse(chain0.data, chain0.len, SPDM_HASH_SHA256, &a,
						  NULL), 0);
		assert_int_equal(spdm_chain_parse(chain1.data, chain1.len, SPDM_HASH_SHA256, &b,
						  NULL), 0);
		EVP_PKEY *ka = spdm_chain_leaf_key(&a), *kb = spdm_chain_leaf_key(&b);

		assert_int_not_equal(EVP_PKEY_eq(ka, kb), 1);
		assert_int_equal(X509_cmp(sk_X509_value(a.certs, 0), sk_X509_value(b.certs, 0)),
				 0);
		assert_int_equal(X509_cmp(sk_X509_value(a.certs, 1), sk_X509_value(b.certs, 1)),
				 0);
		EVP_PKEY_free(ka);
		EVP_PKEY_free(kb);
		spdm_chain_free(&a);
		spdm_chain_free(&b);
	}
	/* measurements did not change with the swap */
	meas_raw(c, &r1);
	assert_int_equal(diff_blocks(&r0, &r1), 0);
	da_buf_free(&r0);
	da_buf_free(&r1);
	da_buf_free(&chain0);
	da_buf_free(&chain1);
	client_fini(c);
	free(c);
}

static void test_doe_discovery(void **state)
{
	struct spdm_responder *r = spdm_responder_new(dev, DA_FRAMING_PCI_DOE);
	static const uint8_t expect[3][2] = { { DA_DOE_TYPE_DISCOVERY, 1 },
					       { DA_DOE_TYPE_SPDM, 2 },
					       { DA_DOE_TYPE_SECURED_SPDM, 0 } };
	uint8_t req[64], rsp[256];
	enum da_payload_kind kind;
	const uint8_t *payload;
	size_t plen;
	int n;

	assert_non_null(r);
	for (uint8_t i = 0; i < 3; i++) {
		struct wcur w = wcur_init(req, sizeof(req));
		uint16_t vendor;
		uint8_t type, next;

		assert_true(da_doe_discovery_request(i, &w) > 0);
		n = spdm_responder_transport(r, req, w.len, rsp, sizeof(rsp));
		assert_true(n > 0);
		assert_int_equal(da_frame_decode(DA_FRAMING_PCI_DOE, rsp, (size_t)n, &kind,
						 &payload, &plen, NULL), 0);
		assert_int_equal(kind, DA_PAYLOAD_DOE_DISCOVERY);
		assert_int_equal(da_doe_discovery_parse(payload, plen, &vendor, &type, &next,
							NULL), 0);
		assert_int_equal(vendor, DA_DOE_VENDOR_PCISIG);
		assert_int_equal(type, expect[i][0]);
		assert_int_equal(next, expect[i][1]);
	}
	/* SPDM over DOE: GET_VERSION in, VERSION out (padded to a dword) */
	{
		struct wcur w = wcur_init(req, sizeof(req));
		struct spdm_version_rsp v;

		assert_true(da_frame_encode(DA_FRAMING_PCI_DOE, DA_PAYLOAD_SPDM,
					    (uint8_t[]){ 0x10, SPDM_GET_VERSION, 0, 0 }, 4, &w) > 0);
		n = spdm_responder_transport(r, req, w.len, rsp, sizeof(rsp));
		assert_true(n > 0);
		assert_int_equal(n % 4, 0);
		assert_int_equal(da_frame_decode(DA_FRAMING_PCI_DOE, rsp, (size_t)n, &kind,
						 &payload, &plen, NULL), 0);
		assert_int_equal(kind, DA_PAYLOAD_SPDM);
		assert_true(spdm_decode_version(payload, plen, &v, NULL) > 0);
		assert_int_equal(v.count, 5);
	}
	/* MCTP: one message-type byte, no padding */
	{
		struct spdm_responder *m = spdm_responder_new(dev, DA_FRAMING_MCTP);
		struct wcur w = wcur_init(req, sizeof(req));

		assert_non_null(m);
		assert_true(da_frame_encode(DA_FRAMING_MCTP, DA_PAYLOAD_SPDM,
					    (uint8_t[]){ 0x10, SPDM_GET_VERSION, 0, 0 }, 4, &w) > 0);
		n = spdm_responder_transport(m, req, w.len, rsp, sizeof(rsp));
		assert_true(n > 0);
		assert_int_equal(rsp[0], DA_MCTP_TYPE_SPDM);
		assert_int_equal(rsp[2], SPDM_VERSION);
		spdm_responder_free(m);
	}
	/* a broken DOE header gets no answer */
	assert_int_equal(spdm_responder_transport(r, (uint8_t[]){ 1, 2, 3 }, 3, rsp, sizeof(rsp)),
			 0);
	spdm_responder_free(r);
}

static void write_der_chain(const char *path, X509 *const *certs, size_t n)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(i2d_X509_fp(f, certs[i]), 1);
	assert_int_equal(fclose(f), 0);
}

/* Slots from files: the key decides the BaseAsym; swap is refused. */
static void test_slot_files(void **state)
{
	char dir[] = "/tmp/rsp-slot-XXXXXX", chain_path[64], key_path[64];
	struct pki_ca root = { 0 }, inter = { 0 }, leaf = { 0 };
	struct rsp_device_config cfg;
	struct rsp_device *d = NULL;
	struct client *c = calloc(1, sizeof(*c));
	struct da_err err = { 0 };
	struct da_buf chain = { 0 };
	X509 *certs[3];

	assert_non_null(mkdtemp(dir));
	snprintf(chain_path, sizeof(chain_path), "%s/chain.der", dir);
	snprintf(key_path, sizeof(key_path), "%s/leaf.key", dir);
	rsp_device_config_default(&cfg, "0000:05:00.0", 5);
	assert_int_equal(pki_make_root(SPDM_ASYM_ECDSA_P256, "file root", &root, &err), 0);
	assert_int_equal(pki_make_intermediate(&root, SPDM_ASYM_ECDSA_P256, "file inter", 0,
					       &inter, &err), 0);
	assert_int_equal(pki_make_leaf(&inter, SPDM_ASYM_ECDSA_P256, "file leaf", &cfg.id, NULL,
				       0, &leaf, &err), 0);
	certs[0] = root.cert;
	certs[1] = inter.cert;
	certs[2] = leaf.cert;
	write_der_chain(chain_path, certs, 3);
	assert_int_equal(pki_write_key_pem(key_path, leaf.key, &err), 0);

	cfg.provisioned_slots = 0x01;
	cfg.slot_files[0].chain_path = chain_path;
	cfg.slot_files[0].key_path = key_path;
	if (rsp_device_create(&cfg, &d, &err))
		fail_msg("%s", err.msg);
	assert_int_equal(X509_cmp(rsp_device_root(d, 0), root.cert), 0);

	client_init(c, d);
	/* P-384 is preferred, but the slot's key is P-256 */
	client_vca(c, SPDM_VER_13, SPDM_ASYM_ECDSA_P256 | SPDM_ASYM_ECDSA_P384, SPDM_HASH_SHA256);
	assert_int_equal(c->asym, SPDM_ASYM_ECDSA_P256);
	client_digests(c);
	assert_int_equal(c->provisioned, 0x01);
	client_certificate(c, 0, 300);
	check_chain(c, 0);
	assert_int_equal(client_challenge(c, 0, SPDM_MEAS_SUMMARY_ALL), 0);
	assert_int_equal(client_measurements(c, SPDM_MEAS_OP_ALL, true, false, NULL),
			 (int)cfg.nmeas);
	assert_int_equal(c->verify_ret, 0);
	/* the chain the program hands out is the one on the wire */
	assert_int_equal(rsp_device_chain(d, 0, SPDM_HASH_SHA256, &chain, &err), 0);
	assert_int_equal(chain.len, c->chain.len);
	assert_memory_equal(chain.data, c->chain.data, chain.len);
	/* a requester without P-256 has nothing in common with this device */
	{
		uint8_t m[64];
		struct wcur w;

		memcpy(c->req, (uint8_t[]){ SPDM_VER_10, SPDM_GET_VERSION, 0, 0 }, 4);
		c->req_len = 4;
		client_xfer(c);
		w = wcur_init(m, sizeof(m));
		spdm_encode_get_capabilities(&w, SPDM_VER_11, &(struct spdm_caps){
			.flags = SPDM_CAP_CERT | SPDM_CAP_CHAL });
		memcpy(c->req, m, w.len);
		c->req_len = w.len;
		client_xfer(c);
		w = wcur_init(m, sizeof(m));
		spdm_encode_negotiate_algorithms(&w, SPDM_VER_11, &(struct spdm_neg_algs){
			.meas_spec = SPDM_MEAS_SPEC_DMTF, .base_asym = SPDM_ASYM_ECDSA_P384,
			.base_hash = SPDM_HASH_SHA256 });
		memcpy(c->req, m, w.len);
		c->req_len = w.len;
		client_xfer(c);
		client_expect_error(c, SPDM_ERR_INVALID_REQUEST);
	}
	assert_int_equal(rsp_device_swap(d, &err), -EOPNOTSUPP);

	client_fini(c);
	free(c);
	da_buf_free(&chain);
	rsp_device_free(d);
	pki_ca_free(&root);
	pki_ca_free(&inter);
	pki_ca_free(&leaf);
	unlink(chain_path);
	unlink(key_path);
	rmdir(dir);
}

/* rsp_device_chain() gives the chain a connection with the preferred BaseAsym reads. */
static void test_device_chain(void **state)
{
	struct client *c = calloc(1, sizeof(*c));
	struct da_buf chain = { 0 };
	struct da_err err = { 0 };

	client_init(c, dev);
	client_vca(c, SPDM_VER_12, spdm_supported_asym() & 0xfff, SPDM_HASH_SHA384);
	client_digests(c);
	client_certificate(c, 1, 0xffff);
	assert_int_equal(rsp_device_chain(dev, 1, SPDM_HASH_SHA384, &chain, &err), 0);
	assert_int_equal(chain.len, c->chain.len);
	assert_memory_equal(chain.data, c->chain.data, chain.len);
	da_buf_reset(&chain);
	assert_int_equal(rsp_device_chain_for(dev, 1, c->asym, SPDM_HASH_SHA384, &chain, &err),
			 0);
	assert_memory_equal(chain.data, c->chain.data, chain.len);
	assert_int_equal(rsp_device_chain(dev, 4, SPDM_HASH_SHA384, &chain, &err), -ENOENT);
	da_buf_free(&chain);
	client_fini(c);
	free(c);
}

static uint8_t expected_response(uint8_t req)
{
	switch (req) {
	case SPDM_GET_DIGESTS:
	case SPDM_GET_CERTIFICATE:
	case SPDM_CHALLENGE:
	case SPDM_GET_VERSION:
		return (uint8_t)(req & 0x7f);
	default:
		return (uint8_t)(req - 0x80);	/* 0xE0.. -> 0x60.. */
	}
}

/*
 * The DMTF requester's own messages (padded as DOE carries them) get a
 * proper answer from our device: interoperability from the other side.
 */
static void test_capture_requests(void **state)
{
	static const char *const caps[] = { "v11_rsassa3072_sha256", "v12_p384_sha384",
					    "v13_p256_sha256" };
	const char *dir = getenv("DEVAUTH_VECTORS");
	static uint8_t rsp[RSP_CAP];

	if (!dir)
		fail_msg("DEVAUTH_VECTORS is not set: the DMTF captures are missing");
	for (size_t i = 0; i < 3; i++) {
		struct spdm_responder *r = spdm_responder_new(dev, DA_FRAMING_PCI_DOE);
		struct da_capture cap;
		struct da_spdm_msg *msgs;
		struct da_err err = { 0 };
		char path[512];
		size_t n, nreq = 0;

		snprintf(path, sizeof(path), "%s/%s/exchange.pcap", dir, caps[i]);
		if (da_pcap_read(path, &cap, &err))
			fail_msg("%s", err.msg);
		assert_int_equal(da_capture_spdm(&cap, &msgs, &n, &err), 0);
		for (size_t k = 0; k < n; k++) {
			struct spdm_hdr h;
			int len;

			if (msgs[k].len < 2 || msgs[k].data[1] < 0x80)
				continue;
			nreq++;
			assert_int_equal(spdm_decode_hdr(msgs[k].data, msgs[k].len, &h, NULL), 0);
			len = spdm_responder_handle(r, msgs[k].data, msgs[k].len, rsp, sizeof(rsp));
			assert_true(len >= 4);
			/* the v13 requester also reads slot 4, which our device lacks */
			if (h.code == SPDM_GET_CERTIFICATE &&
			    !(rsp_device_config(dev)->provisioned_slots & (1u << (h.param1 & 0xf)))) {
				assert_int_equal(rsp[1], SPDM_ERROR);
				assert_int_equal(rsp[2], SPDM_ERR_INVALID_REQUEST);
				continue;
			}
			if (rsp[1] != expected_response(h.code))
				fail_msg("%s: %s answered %s (%#x)", caps[i], spdm_code_name(h.code),
					 spdm_code_name(rsp[1]), rsp[2]);
			assert_int_equal(rsp[0], h.version);
		}
		assert_int_equal(nreq, 11);
		free(msgs);
		da_capture_free(&cap);
		spdm_responder_free(r);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flow_versions),
		cmocka_unit_test(test_flow_algorithms),
		cmocka_unit_test(test_selection_order),
		cmocka_unit_test(test_transcript_resets),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_data_transfer_size),
		cmocka_unit_test(test_reset_update_swap),
		cmocka_unit_test(test_doe_discovery),
		cmocka_unit_test(test_capture_requests),
		cmocka_unit_test(test_slot_files),
		cmocka_unit_test(test_device_chain),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
