// SPDX-License-Identifier: MIT
/* The test requester: see rsp_client.h. */
#include <errno.h>
#include <stdlib.h>

#include "rsp_client.h"

void client_init(struct client *c, struct rsp_device *d)
{
	memset(c, 0, sizeof(*c));
	c->d = d;
	c->r = spdm_responder_new(d, DA_FRAMING_NONE);
	assert_non_null(c->r);
}

void client_fini(struct client *c)
{
	spdm_responder_free(c->r);
	da_buf_free(&c->a);
	da_buf_free(&c->b);
	da_buf_free(&c->l1);
	da_buf_free(&c->chain);
}

int client_xfer(struct client *c)
{
	uint8_t code = c->req_len > 1 ? c->req[1] : 0;

	if (code != SPDM_GET_MEASUREMENTS && code != SPDM_RESPOND_IF_READY)
		da_buf_reset(&c->l1);
	if (code == SPDM_GET_MEASUREMENTS)
		da_buf_reset(&c->b);
	c->rsp_len = spdm_responder_handle(c->r, c->req, c->req_len, c->rsp, sizeof(c->rsp));
	return c->rsp_len;
}

static void send_req(struct client *c, struct wcur *w)
{
	long n = wcur_finish(w);

	assert_true(n > 0);
	c->req_len = (size_t)n;
	assert_true(client_xfer(c) >= 4);
}

static void expect_code(struct client *c, uint8_t code)
{
	if (c->rsp[1] == SPDM_ERROR)
		fail_msg("%s answered ERROR %s (%#x)", spdm_code_name(c->req[1]),
			 spdm_error_name(c->rsp[2]), c->rsp[3]);
	assert_int_equal(c->rsp[1], code);
}

static void append(struct da_buf *t, struct client *c, size_t rsp_len)
{
	assert_int_equal(da_buf_append(t, c->req, c->req_len), 0);
	assert_int_equal(da_buf_append(t, c->rsp, rsp_len), 0);
}

uint8_t client_expect_error(struct client *c, uint8_t code)
{
	struct spdm_error e;

	assert_true(c->rsp_len >= 4);
	assert_int_equal(c->rsp[1], SPDM_ERROR);
	assert_true(spdm_decode_error(c->rsp, (size_t)c->rsp_len, &e, NULL) > 0);
	if (e.code != code)
		fail_msg("expected ERROR %s, got %s", spdm_error_name(code),
			 spdm_error_name(e.code));
	return e.data;
}

void client_vca(struct client *c, uint8_t ver, uint32_t asym, uint32_t hash)
{
	struct wcur w = wcur_init(c->req, sizeof(c->req));
	struct spdm_version_rsp v;
	struct spdm_caps caps = { 0 }, rcaps;
	struct spdm_neg_algs na = { 0 };
	struct spdm_algorithms al;
	bool found = false;

	da_buf_reset(&c->a);
	da_buf_reset(&c->b);
	da_buf_reset(&c->l1);
	spdm_encode_get_version(&w);
	send_req(c, &w);
	expect_code(c, SPDM_VERSION);
	assert_int_equal(c->rsp[0], SPDM_VER_10);
	assert_true(spdm_decode_version(c->rsp, (size_t)c->rsp_len, &v, NULL) > 0);
	for (int i = 0; i < v.count; i++)
		if (spdm_version_entry_to_ver(v.entries[i]) == ver)
			found = true;
	assert_true(found);
	append(&c->a, c, (size_t)c->rsp_len);

	w = wcur_init(c->req, sizeof(c->req));
	caps.ct_exponent = 10;
	caps.flags = SPDM_CAP_CERT | SPDM_CAP_CHAL;
	caps.data_transfer_size = 4096;
	caps.max_spdm_msg_size = 4096;
	spdm_encode_get_capabilities(&w, ver, &caps);
	send_req(c, &w);
	expect_code(c, SPDM_CAPABILITIES);
	assert_int_equal(c->rsp[0], ver);
	assert_true(spdm_decode_capabilities(c->rsp, (size_t)c->rsp_len, ver, &rcaps, NULL) > 0);
	assert_true(rcaps.flags & SPDM_CAP_CERT);
	assert_true(rcaps.flags & SPDM_CAP_CHAL);
	assert_int_equal(rcaps.flags & SPDM_CAP_MEAS_MASK, SPDM_CAP_MEAS_SIG);
	append(&c->a, c, (size_t)c->rsp_len);

	w = wcur_init(c->req, sizeof(c->req));
	na.meas_spec = SPDM_MEAS_SPEC_DMTF;
	na.base_asym = asym;
	na.base_hash = hash;
	na.other_params = ver >= SPDM_VER_12 ? SPDM_OPAQUE_DATA_FMT_1 : 0;
	if (ver >= SPDM_VER_11) {
		/* offer something for a session: the device must select none of it */
		na.num_structs = 2;
		na.structs[0].type = SPDM_ALG_TYPE_DHE;
		na.structs[0].bits = SPDM_DHE_SECP384R1;
		na.structs[1].type = SPDM_ALG_TYPE_AEAD;
		na.structs[1].bits = SPDM_AEAD_AES_256_GCM;
	}
	spdm_encode_negotiate_algorithms(&w, ver, &na);
	send_req(c, &w);
	expect_code(c, SPDM_ALGORITHMS);
	assert_true(spdm_decode_algorithms(c->rsp, (size_t)c->rsp_len, ver, &al, NULL) > 0);
	assert_true(al.base_asym_sel & asym);
	assert_int_equal(__builtin_popcount(al.base_asym_sel), 1);
	assert_true(al.base_hash_sel & hash);
	assert_int_equal(__builtin_popcount(al.base_hash_sel), 1);
	assert_int_equal(al.meas_spec_sel, SPDM_MEAS_SPEC_DMTF);
	assert_int_equal(__builtin_popcount(al.meas_hash_algo), 1);
	for (int i = 0; i < al.num_structs; i++)
		assert_int_equal(al.structs[i].bits, 0);
	append(&c->a, c, (size_t)c->rsp_len);

	c->ver = ver;
	c->asym = al.base_asym_sel;
	c->hash = al.base_hash_sel;
	c->meas_hash = al.meas_hash_algo;
	c->p.version = ver;
	c->p.hash_size = (uint16_t)spdm_hash_size(c->hash);
	c->p.sig_size = (uint16_t)spdm_sig_size(c->asym);
	c->p.meas_hash_size = (uint16_t)spdm_meas_hash_size(c->meas_hash);
}

void client_digests(struct client *c)
{
	struct wcur w = wcur_init(c->req, sizeof(c->req));
	struct spdm_digests d;

	spdm_encode_get_digests(&w, c->ver);
	send_req(c, &w);
	expect_code(c, SPDM_DIGESTS);
	assert_int_equal(c->rsp[0], c->ver);
	assert_true(spdm_decode_digests(c->rsp, (size_t)c->rsp_len, &c->p, &d, NULL) > 0);
	c->provisioned = d.provisioned_mask;
	for (int i = 0; i < SPDM_MAX_SLOTS; i++)
		if (d.provisioned_mask & (1u << i))
			memcpy(c->digest[i], d.digest[i], c->p.hash_size);
	if (c->ver >= SPDM_VER_13)
		assert_int_equal(d.supported_mask & d.provisioned_mask, d.provisioned_mask);
	append(&c->b, c, (size_t)c->rsp_len);
}

void client_certificate(struct client *c, uint8_t slot, uint16_t chunk)
{
	uint16_t offset = 0;

	da_buf_reset(&c->chain);
	for (int rounds = 0; rounds < 1000; rounds++) {
		struct wcur w = wcur_init(c->req, sizeof(c->req));
		struct spdm_get_certificate g = { .slot = slot, .offset = offset,
						  .length = chunk };
		struct spdm_certificate cert;
		int n;

		spdm_encode_get_certificate(&w, c->ver, &g);
		send_req(c, &w);
		expect_code(c, SPDM_CERTIFICATE);
		n = spdm_decode_certificate(c->rsp, (size_t)c->rsp_len, c->ver, &cert, NULL);
		assert_true(n > 0);
		assert_int_equal(n, c->rsp_len);
		assert_int_equal(cert.slot, slot);
		assert_true(cert.portion_len <= chunk);
		assert_true(cert.portion_len > 0);
		assert_int_equal(da_buf_append(&c->chain, cert.portion, cert.portion_len), 0);
		append(&c->b, c, (size_t)c->rsp_len);
		offset = (uint16_t)(offset + cert.portion_len);
		if (!cert.remainder_len)
			return;
	}
	fail_msg("certificate read does not end");
}

static EVP_PKEY *chain_leaf_key(struct client *c)
{
	struct spdm_chain ch;
	EVP_PKEY *k;

	assert_int_equal(spdm_chain_parse(c->chain.data, c->chain.len, c->hash, &ch, NULL), 0);
	k = spdm_chain_leaf_key(&ch);
	spdm_chain_free(&ch);
	assert_non_null(k);
	return k;
}

static int hash_parts(uint32_t hash, uint8_t *out, const struct da_buf *p1,
		      const struct da_buf *p2, const void *p3, size_t n3, const void *p4,
		      size_t n4)
{
	struct spdm_hash_ctx h;

	assert_int_equal(spdm_hash_init(&h, hash), 0);
	if (p1)
		assert_int_equal(spdm_hash_update(&h, p1->data, p1->len), 0);
	if (p2)
		assert_int_equal(spdm_hash_update(&h, p2->data, p2->len), 0);
	if (p3)
		assert_int_equal(spdm_hash_update(&h, p3, n3), 0);
	if (p4)
		assert_int_equal(spdm_hash_update(&h, p4, n4), 0);
	assert_int_equal(spdm_hash_final(&h, out), 0);
	spdm_hash_free(&h);
	return 0;
}

int client_challenge(struct client *c, uint8_t slot, uint8_t mst)
{
	struct wcur w = wcur_init(c->req, sizeof(c->req));
	struct spdm_challenge ch = { .slot = slot, .meas_summary_type = mst };
	struct spdm_challenge_auth a;
	uint8_t chain_hash[SPDM_MAX_HASH_SIZE], th[SPDM_MAX_HASH_SIZE];
	EVP_PKEY *k;
	int n;

	assert_int_equal(da_random(ch.nonce, sizeof(ch.nonce)), 0);
	memcpy(ch.req_context, "ctx-1234", SPDM_REQ_CONTEXT_SIZE);
	spdm_encode_challenge(&w, c->ver, &ch);
	send_req(c, &w);
	expect_code(c, SPDM_CHALLENGE_AUTH);
	assert_int_equal(c->rsp[0], c->ver);
	n = spdm_decode_challenge_auth(c->rsp, (size_t)c->rsp_len, &c->p, mst, &a, NULL);
	assert_int_equal(n, c->rsp_len);
	assert_int_equal(a.param1 & 0xf, slot);
	assert_int_equal(a.slot_mask, c->provisioned ? c->provisioned : a.slot_mask);
	assert_int_equal(spdm_hash(c->hash, c->chain.data, c->chain.len, chain_hash), 0);
	assert_memory_equal(a.cert_chain_hash, chain_hash, c->p.hash_size);
	assert_memory_not_equal(a.nonce, ch.nonce, SPDM_NONCE_SIZE);
	memcpy(c->rsp_nonce, a.nonce, SPDM_NONCE_SIZE);
	if (mst != SPDM_MEAS_SUMMARY_NONE) {
		assert_non_null(a.meas_summary_hash);
		memcpy(c->summary, a.meas_summary_hash, c->p.hash_size);
	}
	if (c->ver >= SPDM_VER_13)
		assert_memory_equal(a.req_context, "ctx-1234", SPDM_REQ_CONTEXT_SIZE);
	assert_int_equal(a.opaque_len, 0);

	hash_parts(c->hash, th, &c->a, &c->b, c->req, c->req_len, c->rsp, a.signed_len);
	k = chain_leaf_key(c);
	c->verify_ret = spdm_verify(k, c->asym, c->hash, c->ver, SPDM_CTX_CHALLENGE_AUTH, th,
				    a.signature, c->p.sig_size, NULL);
	EVP_PKEY_free(k);
	da_buf_reset(&c->b);
	return c->verify_ret;
}

int client_measurements(struct client *c, uint8_t op, bool sign, bool raw, struct da_buf *rec)
{
	struct wcur w = wcur_init(c->req, sizeof(c->req));
	struct spdm_get_measurements g = { .operation = op };
	struct spdm_measurements m;
	uint8_t th[SPDM_MAX_HASH_SIZE];
	int n;

	g.attributes = (uint8_t)((sign ? SPDM_MEAS_ATTR_SIG : 0) | (raw ? SPDM_MEAS_ATTR_RAW : 0));
	assert_int_equal(da_random(g.nonce, sizeof(g.nonce)), 0);
	memcpy(g.req_context, "meas-ctx", SPDM_REQ_CONTEXT_SIZE);
	spdm_encode_get_measurements(&w, c->ver, &g);
	send_req(c, &w);
	expect_code(c, SPDM_MEASUREMENTS);
	assert_int_equal(c->rsp[0], c->ver);
	n = spdm_decode_measurements(c->rsp, (size_t)c->rsp_len, &c->p, sign, &m, NULL);
	assert_int_equal(n, c->rsp_len);
	if (c->ver >= SPDM_VER_13)
		assert_memory_equal(m.req_context, "meas-ctx", SPDM_REQ_CONTEXT_SIZE);
	if (rec) {
		da_buf_reset(rec);
		assert_int_equal(da_buf_append(rec, m.record, m.record_len), 0);
	}
	c->verify_ret = 0;
	if (!sign) {
		append(&c->l1, c, (size_t)c->rsp_len);
	} else {
		EVP_PKEY *k = chain_leaf_key(c);

		append(&c->l1, c, m.signed_len);
		hash_parts(c->hash, th, c->ver >= SPDM_VER_12 ? &c->a : NULL, &c->l1, NULL, 0,
			   NULL, 0);
		c->verify_ret = spdm_verify(k, c->asym, c->hash, c->ver, SPDM_CTX_MEASUREMENTS,
					    th, m.signature, c->p.sig_size, NULL);
		EVP_PKEY_free(k);
		da_buf_reset(&c->l1);
	}
	return op == SPDM_MEAS_OP_COUNT ? m.param1 : m.num_blocks;
}
