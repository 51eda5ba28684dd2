// SPDX-License-Identifier: MIT
/*
 * Every fault of the catalogue does what docs/faults.md says, seen from
 * the wire: the test requester detects each one the way a correct
 * requester must.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include <openssl/x509v3.h>

#include "rsp_client.h"

static struct rsp_device *dev;
static struct client *c;

static int setup(void **state)
{
	struct rsp_device_config cfg;
	struct da_err err = { 0 };

	rsp_device_config_default(&cfg, "0000:02:00.0", 2);
	if (rsp_device_create(&cfg, &dev, &err)) {
		fprintf(stderr, "rsp_device_create: %s\n", err.msg);
		return -1;
	}
	c = calloc(1, sizeof(*c));
	return c ? 0 : -1;
}

static int teardown(void **state)
{
	free(c);
	rsp_device_free(dev);
	return 0;
}

static int each_setup(void **state)
{
	client_init(c, dev);
	return 0;
}

static int each_teardown(void **state)
{
	rsp_device_set_faults(dev, 0);
	client_fini(c);
	return 0;
}

static void set(enum rsp_fault f)
{
	rsp_device_set_faults(dev, 1ull << f);
}

static void vca(void)
{
	client_vca(c, SPDM_VER_12, SPDM_ASYM_ECDSA_P256, SPDM_HASH_SHA256);
}

static void req(const uint8_t *m, size_t n)
{
	memcpy(c->req, m, n);
	c->req_len = n;
	client_xfer(c);
}

static void test_parse(void **state)
{
	struct da_err err = { 0 };
	uint64_t m = 42;
	char all[2048] = "";

	assert_int_equal(rsp_fault_parse("none", &m, NULL), 0);
	assert_int_equal(m, 0);
	assert_int_equal(rsp_fault_parse("busy,drop", &m, NULL), 0);
	assert_int_equal(m, (1ull << RSP_FAULT_BUSY) | (1ull << RSP_FAULT_DROP));
	assert_int_equal(rsp_fault_parse("busy,nope", &m, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "nope"));
	assert_int_equal(rsp_fault_parse("busy,", &m, NULL), -EINVAL);
	assert_int_equal(rsp_fault_parse("bus", &m, NULL), -EINVAL);
	for (int f = 0; f < RSP_FAULT_COUNT; f++) {
		assert_string_not_equal(rsp_fault_name(f), "unknown");
		if (f)
			strcat(all, ",");
		strcat(all, rsp_fault_name(f));
	}
	assert_int_equal(rsp_fault_parse(all, &m, NULL), 0);
	assert_int_equal(m, (1ull << RSP_FAULT_COUNT) - 1);
}

static void test_bad_sigs(void **state)
{
	set(RSP_FAULT_BAD_CHALLENGE_SIG);
	vca();
	client_digests(c);
	client_certificate(c, 0, 0xffff);
	assert_int_equal(client_challenge(c, 0, SPDM_MEAS_SUMMARY_NONE), -EBADMSG);
	client_measurements(c, SPDM_MEAS_OP_ALL, true, false, NULL);
	assert_int_equal(c->verify_ret, 0);

	set(RSP_FAULT_BAD_MEAS_SIG);
	vca();
	client_digests(c);
	client_certificate(c, 0, 0xffff);
	assert_int_equal(client_challenge(c, 0, SPDM_MEAS_SUMMARY_NONE), 0);
	client_measurements(c, SPDM_MEAS_OP_ALL, true, false, NULL);
	assert_int_equal(c->verify_ret, -EBADMSG);
}

static void test_wrong_chain_hash(void **state)
{
	struct wcur w = wcur_init(c->req, sizeof(c->req));
	struct spdm_challenge ch = { .slot = 0 };
	struct spdm_challenge_auth a;
	uint8_t h[SPDM_MAX_HASH_SIZE];

	set(RSP_FAULT_WRONG_CHAIN_HASH);
	vca();
	client_digests(c);
	client_certificate(c, 0, 0xffff);
	assert_int_equal(spdm_hash(c->hash, c->chain.data, c->chain.len, h), 0);
	assert_memory_equal(h, c->digest[0], c->p.hash_size);
	spdm_encode_challenge(&w, c->ver, &ch);
	c->req_len = w.len;
	client_xfer(c);
	assert_true(spdm_decode_challenge_auth(c->rsp, (size_t)c->rsp_len, &c->p, 0, &a, NULL) >
		    0);
	assert_memory_not_equal(a.cert_chain_hash, h, c->p.hash_size);
}

static void test_digest_mismatch(void **state)
{
	uint8_t h[SPDM_MAX_HASH_SIZE];

	set(RSP_FAULT_DIGEST_MISMATCH);
	vca();
	client_digests(c);
	client_certificate(c, 0, 0xffff);
	assert_int_equal(spdm_hash(c->hash, c->chain.data, c->chain.len, h), 0);
	assert_memory_not_equal(h, c->digest[0], c->p.hash_size);
	/* the rest is consistent: CHALLENGE_AUTH names the true chain hash */
	assert_int_equal(client_challenge(c, 0, SPDM_MEAS_SUMMARY_NONE), 0);
}

static void read_chain(enum rsp_fault f, struct spdm_chain *ch, int *parse_ret)
{
	set(f);
	vca();
	client_digests(c);
	client_certificate(c, 0, 0xffff);
	*parse_ret = spdm_chain_parse(c->chain.data, c->chain.len, c->hash, ch, NULL);
}

static void test_chain_faults(void **state)
{
	static const enum rsp_fault broken[] = { RSP_FAULT_LEAF_CA, RSP_FAULT_LEAF_NO_DIGSIG,
						  RSP_FAULT_INTER_NOT_CA,
						  RSP_FAULT_BROKEN_CHAIN_SIG };
	const struct rsp_device_config *cfg = rsp_device_config(dev);
	struct spdm_chain ch;
	int ret;

	read_chain(RSP_FAULT_ROOT_HASH_MISMATCH, &ch, &ret);
	assert_true(ret < 0);

	for (size_t i = 0; i < sizeof(broken) / sizeof(broken[0]); i++) {
		struct da_err err = { 0 };

		read_chain(broken[i], &ch, &ret);
		assert_int_equal(ret, 0);
		if (!spdm_chain_check(&ch, &err))
			fail_msg("fault %s: chain passes the checks", rsp_fault_name(broken[i]));
		spdm_chain_free(&ch);
	}

	read_chain(RSP_FAULT_WRONG_SAN, &ch, &ret);
	assert_int_equal(ret, 0);
	assert_int_equal(spdm_chain_check(&ch, NULL), 0);
	assert_int_equal(cma_check_leaf_san(spdm_chain_leaf(&ch), &cfg->id, NULL), -EACCES);
	spdm_chain_free(&ch);

	read_chain(RSP_FAULT_NO_SAN, &ch, &ret);
	assert_int_equal(ret, 0);
	assert_int_equal(cma_check_leaf_san(spdm_chain_leaf(&ch), &cfg->id, NULL), -ENOENT);
	spdm_chain_free(&ch);

	read_chain(RSP_FAULT_EXPIRED_LEAF, &ch, &ret);
	assert_int_equal(ret, 0);
	assert_int_equal(spdm_chain_check(&ch, NULL), 0);
	assert_true(X509_cmp_current_time(X509_get0_notAfter(spdm_chain_leaf(&ch))) < 0);
	/* a good chain again without the fault, same root */
	assert_int_equal(X509_cmp(sk_X509_value(ch.certs, 0), rsp_device_root(dev, 0)), 0);
	spdm_chain_free(&ch);
	rsp_device_set_faults(dev, 0);
	vca();
	client_digests(c);
	client_certificate(c, 0, 0xffff);
	assert_int_equal(spdm_chain_parse(c->chain.data, c->chain.len, c->hash, &ch, NULL), 0);
	assert_int_equal(spdm_chain_check(&ch, NULL), 0);
	assert_int_equal(cma_check_leaf_san(spdm_chain_leaf(&ch), &cfg->id, NULL), 0);
	spdm_chain_free(&ch);
}

static void test_truncated_and_overrun(void **state)
{
	struct wcur w = wcur_init(c->req, sizeof(c->req));
	struct spdm_challenge_auth a;
	struct spdm_certificate cert;

	set(RSP_FAULT_TRUNCATED);
	vca();
	spdm_encode_challenge(&w, c->ver, &(struct spdm_challenge){ .slot = 0 });
	c->req_len = w.len;
	client_xfer(c);
	assert_int_equal(c->rsp[1], SPDM_CHALLENGE_AUTH);
	assert_true(spdm_decode_challenge_auth(c->rsp, (size_t)c->rsp_len, &c->p, 0, &a, NULL) <
		    0);

	set(RSP_FAULT_LENGTH_OVERRUN);
	vca();
	w = wcur_init(c->req, sizeof(c->req));
	spdm_encode_get_certificate(&w, c->ver, &(struct spdm_get_certificate){
		.slot = 0, .length = 100 });
	c->req_len = w.len;
	client_xfer(c);
	assert_int_equal(c->rsp[1], SPDM_CERTIFICATE);
	assert_true(spdm_decode_certificate(c->rsp, (size_t)c->rsp_len, c->ver, &cert, NULL) < 0);
}

static void test_wrong_version_code(void **state)
{
	set(RSP_FAULT_WRONG_VERSION);
	req((uint8_t[]){ SPDM_VER_10, SPDM_GET_VERSION, 0, 0 }, 4);
	assert_int_equal(c->rsp[0], SPDM_VER_10);	/* VERSION itself is always 1.0 */
	{
		struct wcur w = wcur_init(c->req, sizeof(c->req));

		spdm_encode_get_capabilities(&w, SPDM_VER_12, &(struct spdm_caps){
			.flags = SPDM_CAP_CERT | SPDM_CAP_CHAL, .data_transfer_size = 4096,
			.max_spdm_msg_size = 4096 });
		c->req_len = w.len;
		client_xfer(c);
		assert_int_equal(c->rsp[1], SPDM_CAPABILITIES);
		assert_int_not_equal(c->rsp[0], SPDM_VER_12);
	}
	set(RSP_FAULT_WRONG_CODE);
	vca();
	req((uint8_t[]){ SPDM_VER_12, SPDM_GET_DIGESTS, 0, 0 }, 4);
	assert_int_equal(c->rsp[1], SPDM_CERTIFICATE);
}

static void test_nonce_echo_and_replay(void **state)
{
	struct wcur w = wcur_init(c->req, sizeof(c->req));
	struct spdm_challenge ch = { .slot = 0 };
	struct spdm_challenge_auth a;
	uint8_t first[1024];
	int first_len;

	set(RSP_FAULT_NONCE_ECHO);
	vca();
	memset(ch.nonce, 0x77, sizeof(ch.nonce));
	spdm_encode_challenge(&w, c->ver, &ch);
	c->req_len = w.len;
	client_xfer(c);
	assert_true(spdm_decode_challenge_auth(c->rsp, (size_t)c->rsp_len, &c->p, 0, &a, NULL) >
		    0);
	assert_memory_equal(a.nonce, ch.nonce, SPDM_NONCE_SIZE);

	/* replay: a CHALLENGE_AUTH was already sent on this device; it comes back */
	rsp_device_set_faults(dev, 0);
	vca();
	client_digests(c);
	client_certificate(c, 0, 0xffff);
	assert_int_equal(client_challenge(c, 0, SPDM_MEAS_SUMMARY_NONE), 0);
	set(RSP_FAULT_REPLAY_CHALLENGE);
	vca();
	client_digests(c);
	client_certificate(c, 0, 0xffff);
	assert_int_not_equal(client_challenge(c, 0, SPDM_MEAS_SUMMARY_NONE), 0);
	first_len = c->rsp_len;
	memcpy(first, c->rsp, (size_t)first_len);
	vca();
	client_digests(c);
	client_certificate(c, 0, 0xffff);
	assert_int_not_equal(client_challenge(c, 0, SPDM_MEAS_SUMMARY_NONE), 0);
	assert_int_equal(c->rsp_len, first_len);
	assert_memory_equal(c->rsp, first, (size_t)first_len);
}

static void test_busy(void **state)
{
	set(RSP_FAULT_BUSY);
	for (int i = 0; i < 3; i++) {
		req((uint8_t[]){ SPDM_VER_10, SPDM_GET_VERSION, 0, 0 }, 4);
		client_expect_error(c, SPDM_ERR_BUSY);
	}
	set(RSP_FAULT_BUSY_ONCE);
	req((uint8_t[]){ SPDM_VER_10, SPDM_GET_VERSION, 0, 0 }, 4);
	client_expect_error(c, SPDM_ERR_BUSY);
	/* once per request code: then the whole flow goes through on retries */
	req((uint8_t[]){ SPDM_VER_10, SPDM_GET_VERSION, 0, 0 }, 4);
	assert_int_equal(c->rsp[1], SPDM_VERSION);
	req((uint8_t[]){ SPDM_VER_12, SPDM_GET_CAPABILITIES, 0, 0 }, 4);
	client_expect_error(c, SPDM_ERR_BUSY);
	req((uint8_t[]){ SPDM_VER_12, SPDM_NEGOTIATE_ALGORITHMS, 0, 0 }, 4);
	client_expect_error(c, SPDM_ERR_BUSY);
	req((uint8_t[]){ SPDM_VER_12, SPDM_GET_DIGESTS, 0, 0 }, 4);
	client_expect_error(c, SPDM_ERR_BUSY);
	req((uint8_t[]){ SPDM_VER_12, SPDM_GET_CERTIFICATE, 0, 0 }, 4);
	client_expect_error(c, SPDM_ERR_BUSY);
	req((uint8_t[]){ SPDM_VER_12, SPDM_CHALLENGE, 0, 0 }, 4);
	client_expect_error(c, SPDM_ERR_BUSY);
	vca();
	client_digests(c);
	client_certificate(c, 0, 0xffff);
	assert_int_equal(client_challenge(c, 0, SPDM_MEAS_SUMMARY_NONE), 0);
}

static void respond_if_ready(const struct spdm_error *e)
{
	struct wcur w = wcur_init(c->req, sizeof(c->req));

	spdm_encode_respond_if_ready(&w, c->ver, e->request_code, e->token);
	c->req_len = w.len;
	client_xfer(c);
}

static void test_not_ready(void **state)
{
	struct wcur w = wcur_init(c->req, sizeof(c->req));
	struct spdm_challenge ch = { .slot = 0 };
	struct spdm_challenge_auth a;
	struct spdm_error e;
	uint8_t th[SPDM_MAX_HASH_SIZE];
	struct spdm_chain chain;
	EVP_PKEY *k;
	struct da_buf saved_req = { 0 };
	struct spdm_hash_ctx h;

	set(RSP_FAULT_NOT_READY_ONCE);
	vca();
	client_digests(c);
	client_certificate(c, 0, 0xffff);
	assert_int_equal(da_random(ch.nonce, sizeof(ch.nonce)), 0);
	spdm_encode_challenge(&w, c->ver, &ch);
	c->req_len = w.len;
	assert_int_equal(da_buf_append(&saved_req, c->req, c->req_len), 0);
	client_xfer(c);
	assert_true(spdm_decode_error(c->rsp, (size_t)c->rsp_len, &e, NULL) > 0);
	assert_int_equal(e.code, SPDM_ERR_RESPONSE_NOT_READY);
	assert_int_equal(e.request_code, SPDM_CHALLENGE);
	assert_int_equal(e.rdt_exponent, rsp_device_config(dev)->rdt_exponent);
	/* a wrong token is refused, the right one gets the CHALLENGE_AUTH */
	e.token ^= 0x80;
	respond_if_ready(&e);
	client_expect_error(c, SPDM_ERR_INVALID_REQUEST);
	e.token ^= 0x80;
	respond_if_ready(&e);
	assert_int_equal(c->rsp[1], SPDM_CHALLENGE_AUTH);
	assert_true(spdm_decode_challenge_auth(c->rsp, (size_t)c->rsp_len, &c->p, 0, &a, NULL) >
		    0);
	/* M1 holds the CHALLENGE, not the RESPOND_IF_READY */
	assert_int_equal(spdm_hash_init(&h, c->hash), 0);
	spdm_hash_update(&h, c->a.data, c->a.len);
	spdm_hash_update(&h, c->b.data, c->b.len);
	spdm_hash_update(&h, saved_req.data, saved_req.len);
	spdm_hash_update(&h, c->rsp, a.signed_len);
	assert_int_equal(spdm_hash_final(&h, th), 0);
	spdm_hash_free(&h);
	assert_int_equal(spdm_chain_parse(c->chain.data, c->chain.len, c->hash, &chain, NULL), 0);
	k = spdm_chain_leaf_key(&chain);
	assert_int_equal(spdm_verify(k, c->asym, c->hash, c->ver, SPDM_CTX_CHALLENGE_AUTH, th,
				     a.signature, c->p.sig_size, NULL), 0);
	EVP_PKEY_free(k);
	spdm_chain_free(&chain);
	da_buf_free(&saved_req);
	/* the second RESPOND_IF_READY has nothing to answer */
	respond_if_ready(&e);
	client_expect_error(c, SPDM_ERR_UNEXPECTED_REQUEST);

	set(RSP_FAULT_NOT_READY_FOREVER);
	vca();
	w = wcur_init(c->req, sizeof(c->req));
	spdm_encode_challenge(&w, c->ver, &ch);
	c->req_len = w.len;
	client_xfer(c);
	assert_true(spdm_decode_error(c->rsp, (size_t)c->rsp_len, &e, NULL) > 0);
	assert_int_equal(e.code, SPDM_ERR_RESPONSE_NOT_READY);
	for (int i = 0; i < 3; i++) {
		respond_if_ready(&e);
		client_expect_error(c, SPDM_ERR_RESPONSE_NOT_READY);
	}
}

/* A deferred signed GET_MEASUREMENTS: L1 holds it and the final MEASUREMENTS. */
static void test_not_ready_measurements(void **state)
{
	struct wcur w = wcur_init(c->req, sizeof(c->req));
	struct spdm_get_measurements g = { .attributes = SPDM_MEAS_ATTR_SIG,
					   .operation = SPDM_MEAS_OP_ALL };
	struct spdm_measurements m;
	struct spdm_error e;
	struct spdm_chain chain;
	struct spdm_hash_ctx h;
	uint8_t th[SPDM_MAX_HASH_SIZE], saved[128];
	size_t saved_len;
	EVP_PKEY *k;

	set(RSP_FAULT_NOT_READY_ONCE);
	vca();
	client_digests(c);
	client_certificate(c, 0, 0xffff);
	spdm_encode_get_measurements(&w, c->ver, &g);
	c->req_len = w.len;
	saved_len = w.len;
	memcpy(saved, c->req, saved_len);
	client_xfer(c);
	assert_true(spdm_decode_error(c->rsp, (size_t)c->rsp_len, &e, NULL) > 0);
	assert_int_equal(e.code, SPDM_ERR_RESPONSE_NOT_READY);
	assert_int_equal(e.request_code, SPDM_GET_MEASUREMENTS);
	respond_if_ready(&e);
	assert_int_equal(c->rsp[1], SPDM_MEASUREMENTS);
	assert_int_equal(spdm_decode_measurements(c->rsp, (size_t)c->rsp_len, &c->p, true, &m,
						  NULL), c->rsp_len);
	assert_int_equal(spdm_hash_init(&h, c->hash), 0);
	spdm_hash_update(&h, c->a.data, c->a.len);
	spdm_hash_update(&h, saved, saved_len);
	spdm_hash_update(&h, c->rsp, m.signed_len);
	assert_int_equal(spdm_hash_final(&h, th), 0);
	spdm_hash_free(&h);
	assert_int_equal(spdm_chain_parse(c->chain.data, c->chain.len, c->hash, &chain, NULL), 0);
	k = spdm_chain_leaf_key(&chain);
	assert_int_equal(spdm_verify(k, c->asym, c->hash, c->ver, SPDM_CTX_MEASUREMENTS, th,
				     m.signature, c->p.sig_size, NULL), 0);
	EVP_PKEY_free(k);
	spdm_chain_free(&chain);
}

static void test_resynch_drop(void **state)
{
	struct wcur w = wcur_init(c->req, sizeof(c->req));
	struct spdm_get_certificate g = { .slot = 0, .offset = 0, .length = 256 };

	set(RSP_FAULT_RESYNCH);
	vca();
	spdm_encode_challenge(&w, c->ver, &(struct spdm_challenge){ .slot = 0 });
	c->req_len = w.len;
	client_xfer(c);
	client_expect_error(c, SPDM_ERR_REQUEST_RESYNCH);

	set(RSP_FAULT_DROP);
	vca();
	w = wcur_init(c->req, sizeof(c->req));
	spdm_encode_get_certificate(&w, c->ver, &g);
	c->req_len = w.len;
	assert_true(client_xfer(c) > 0);
	assert_int_equal(c->rsp[1], SPDM_CERTIFICATE);
	g.offset = 256;
	w = wcur_init(c->req, sizeof(c->req));
	spdm_encode_get_certificate(&w, c->ver, &g);
	c->req_len = w.len;
	assert_int_equal(client_xfer(c), -ECONNRESET);
}

static void test_algorithm_faults(void **state)
{
	struct spdm_algorithms al;
	struct wcur w;
	uint32_t offer = SPDM_ASYM_ECDSA_P256 | SPDM_ASYM_ECDSA_P384;

	for (int pass = 0; pass < 2; pass++) {
		set(pass ? RSP_FAULT_UNSUPPORTED_ALG : RSP_FAULT_TWO_ALGS);
		req((uint8_t[]){ SPDM_VER_10, SPDM_GET_VERSION, 0, 0 }, 4);
		w = wcur_init(c->req, sizeof(c->req));
		spdm_encode_get_capabilities(&w, SPDM_VER_12, &(struct spdm_caps){
			.flags = SPDM_CAP_CERT | SPDM_CAP_CHAL, .data_transfer_size = 4096,
			.max_spdm_msg_size = 4096 });
		c->req_len = w.len;
		client_xfer(c);
		w = wcur_init(c->req, sizeof(c->req));
		spdm_encode_negotiate_algorithms(&w, SPDM_VER_12, &(struct spdm_neg_algs){
			.meas_spec = SPDM_MEAS_SPEC_DMTF, .base_asym = offer,
			.base_hash = SPDM_HASH_SHA256 });
		c->req_len = w.len;
		client_xfer(c);
		assert_int_equal(c->rsp[1], SPDM_ALGORITHMS);
		assert_true(spdm_decode_algorithms(c->rsp, (size_t)c->rsp_len, SPDM_VER_12, &al,
						   NULL) > 0);
		if (!pass) {
			assert_int_equal(__builtin_popcount(al.base_asym_sel), 2);
		} else {
			assert_int_equal(__builtin_popcount(al.base_asym_sel), 1);
			assert_int_equal(al.base_asym_sel & offer, 0);
		}
	}
}

static void test_bad_meas_block(void **state)
{
	struct wcur w = wcur_init(c->req, sizeof(c->req));
	struct spdm_measurements m;

	set(RSP_FAULT_BAD_MEAS_BLOCK);
	vca();
	spdm_encode_get_measurements(&w, c->ver, &(struct spdm_get_measurements){
		.operation = SPDM_MEAS_OP_ALL });
	c->req_len = w.len;
	client_xfer(c);
	assert_int_equal(c->rsp[1], SPDM_MEASUREMENTS);
	/* the record is well framed, its last block claims bytes past its end */
	assert_int_equal(spdm_decode_measurements(c->rsp, (size_t)c->rsp_len, &c->p, false, &m,
						  NULL), -EBADMSG);
	/* one block alone has nothing after it either */
	w = wcur_init(c->req, sizeof(c->req));
	spdm_encode_get_measurements(&w, c->ver, &(struct spdm_get_measurements){
		.operation = 1 });
	c->req_len = w.len;
	client_xfer(c);
	assert_int_equal(spdm_decode_measurements(c->rsp, (size_t)c->rsp_len, &c->p, false, &m,
						  NULL), -EBADMSG);
	/* without the fault the same requests decode */
	rsp_device_set_faults(dev, 0);
	assert_int_equal(client_measurements(c, SPDM_MEAS_OP_ALL, false, false, NULL),
			 (int)rsp_device_config(dev)->nmeas);
}

/*
 * "slow" answers CHALLENGE correctly, only late.  That it is later than
 * a requester's CT allowance is an outcome, not a clock reading: the
 * CLI test (tests/e2e/cli.sh) asserts that devauth probe gives up on
 * such a device with "no response within".
 */
static void test_slow(void **state)
{
	struct wcur w = wcur_init(c->req, sizeof(c->req));

	set(RSP_FAULT_SLOW);
	vca();
	spdm_encode_challenge(&w, c->ver, &(struct spdm_challenge){ .slot = 0 });
	c->req_len = w.len;
	client_xfer(c);
	assert_int_equal(c->rsp[1], SPDM_CHALLENGE_AUTH);
}

/* A control thread changes the device while connections are served. */
static void *control(void *arg)
{
	volatile int *stop = arg;
	unsigned int i = 0;

	while (!*stop) {
		switch (i++ % 4) {
		case 0:
			rsp_device_reset(dev);
			break;
		case 1:
			rsp_device_update(dev);
			break;
		case 2:
			rsp_device_set_faults(dev, i & 8 ? 1ull << RSP_FAULT_DIGEST_MISMATCH : 0);
			break;
		default:
			rsp_device_swap(dev, NULL);
			break;
		}
		struct timespec ts = { 0, 200000 };

		nanosleep(&ts, NULL);
	}
	return NULL;
}

static void test_concurrent_control(void **state)
{
	volatile int stop = 0;
	pthread_t t;
	uint8_t get_version[4] = { SPDM_VER_10, SPDM_GET_VERSION, 0, 0 };
	int answered = 0;

	assert_int_equal(pthread_create(&t, NULL, control, (void *)&stop), 0);
	for (int i = 0; i < 200; i++) {
		struct wcur w = wcur_init(c->req, sizeof(c->req));
		int n;

		memcpy(c->req, get_version, 4);
		c->req_len = 4;
		if (client_xfer(c) < 0)
			continue;
		spdm_encode_get_measurements(&w, SPDM_VER_10, &(struct spdm_get_measurements){
			.operation = SPDM_MEAS_OP_ALL });
		c->req_len = w.len;
		n = client_xfer(c);
		assert_true(n == -ECONNRESET || n >= 4);
		if (n >= 4)
			answered++;
	}
	stop = 1;
	pthread_join(t, NULL);
	assert_true(answered > 0);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, each_setup, each_teardown)
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		T(test_bad_sigs),
		T(test_wrong_chain_hash),
		T(test_digest_mismatch),
		T(test_chain_faults),
		T(test_truncated_and_overrun),
		T(test_wrong_version_code),
		T(test_nonce_echo_and_replay),
		T(test_busy),
		T(test_not_ready),
		T(test_not_ready_measurements),
		T(test_resynch_drop),
		T(test_algorithm_faults),
		T(test_bad_meas_block),
		T(test_slow),
		T(test_concurrent_control),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
