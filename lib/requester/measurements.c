// SPDX-License-Identifier: MIT
/*
 * GET_MEASUREMENTS / MEASUREMENTS.  L1 holds (1.2+: A ||) every
 * measurement request/response since the last other request, up to the
 * signed response without its signature (DSP0274 "MEASUREMENTS
 * signature").
 */
#include <errno.h>
#include <string.h>

#include "req.h"

int req_build_get_measurements(struct spdm_req *r, uint8_t operation, bool sign,
			       struct wcur *w)
{
	struct spdm_get_measurements g = {
		.attributes = sign ? SPDM_MEAS_ATTR_SIG : 0,
		.operation = operation,
		.slot = r->cfg.slot,
	};
	int ret;

	if (sign) {
		if (r->cfg.have_meas_nonce)
			memcpy(g.nonce, r->cfg.meas_nonce, sizeof(g.nonce));
		else if ((ret = da_random(g.nonce, sizeof(g.nonce))))
			return ret;
	}
	if (r->p.version >= SPDM_VER_13 && (ret = da_random(g.req_context, sizeof(g.req_context))))
		return ret;
	return spdm_encode_get_measurements(w, r->p.version, &g);
}

static int check_blocks(struct spdm_req *r, const struct spdm_get_measurements *g,
			const struct spdm_measurements *m, struct da_err *err)
{
	struct cur rec = cur_init(m->record, m->record_len);
	struct spdm_meas_block b;
	uint8_t seen[32] = { 0 };
	unsigned int n = 0;
	int ret;

	while ((ret = spdm_meas_block_next(&rec, &b, err)) > 0) {
		if (seen[b.index / 8] & (1u << (b.index % 8)))
			return da_errf(err, -EPROTO, "MEASUREMENTS: block index %u appears twice",
				       b.index);
		seen[b.index / 8] |= (uint8_t)(1u << (b.index % 8));
		if (g->operation != SPDM_MEAS_OP_ALL && b.index != g->operation)
			return da_errf(err, -EPROTO, "MEASUREMENTS: block %u, requested index %u",
				       b.index, g->operation);
		if (b.spec == SPDM_MEAS_SPEC_DMTF && !(b.dmtf_type & SPDM_DMTF_MEAS_RAW_BIT) &&
		    r->p.meas_hash_size && b.value_size != r->p.meas_hash_size)
			return da_errf(err, -EPROTO,
				       "MEASUREMENTS: block %u digest is %u bytes, %s needs %u",
				       b.index, b.value_size, spdm_meas_hash_name(r->info.neg.measurement_hash),
				       r->p.meas_hash_size);
		n++;
	}
	if (ret < 0)
		return ret;
	if (n != m->num_blocks)
		return da_errf(err, -EPROTO, "MEASUREMENTS: NumberOfBlocks %u, record holds %u",
			       m->num_blocks, n);
	return 0;
}

static int hash_l1(struct spdm_req *r, uint8_t *out)
{
	return spdm_hash(r->info.neg.base_hash, r->l1.data, r->l1.len, out);
}

int req_process_measurements(struct spdm_req *r, const uint8_t *req, size_t req_len,
			     const uint8_t *rsp, size_t rsp_len, size_t max_pad,
			     struct da_err *err)
{
	struct spdm_get_measurements g;
	struct spdm_measurements m;
	uint8_t h[SPDM_MAX_HASH_SIZE];
	bool sign;
	int qlen, slen, ret;
	EVP_PKEY *key;

	if (r->phase != PH_ALGS)
		return da_errf(err, -EPROTO,
			       "GET_MEASUREMENTS: out of order (algorithms not negotiated)");
	qlen = req_true_len(r, req, req_len,
			    spdm_decode_get_measurements(req, req_len, r->p.version, &g, err),
			    max_pad, err);
	if (qlen < 0)
		return qlen;
	sign = g.attributes & SPDM_MEAS_ATTR_SIG;
	ret = req_check_rsp_hdr(r, req, req_len, rsp, rsp_len, SPDM_MEASUREMENTS, err);
	if (ret)
		return req_fail(r, NULL, "measurements", ret, "%s", err ? err->msg : "bad response");
	slen = req_true_len(r, rsp, rsp_len,
			    spdm_decode_measurements(rsp, rsp_len, &r->p, sign, &m, err), max_pad,
			    err);
	if (slen < 0)
		return req_fail(r, NULL, "measurements", slen, "%s", err ? err->msg : "malformed");

	if (!r->l1_open) {
		da_buf_reset(&r->l1);
		if (r->p.version >= SPDM_VER_12 && da_buf_append(&r->l1, r->vca.data, r->vca.len))
			return da_errf(err, -ENOMEM, "MEASUREMENTS: out of memory");
		r->l1_open = true;
	}
	if (da_buf_append(&r->l1, req, (size_t)qlen) ||
	    da_buf_append(&r->l1, rsp, sign ? m.signed_len : (size_t)slen))
		return da_errf(err, -ENOMEM, "MEASUREMENTS: out of memory");

	if (g.operation != SPDM_MEAS_OP_COUNT) {
		ret = check_blocks(r, &g, &m, err);
		if (ret)
			return req_fail(r, NULL, "measurement-blocks", ret, "%s",
					err ? err->msg : "malformed");
		da_buf_reset(&r->meas_record);
		if (da_buf_append(&r->meas_record, m.record, m.record_len))
			return da_errf(err, -ENOMEM, "MEASUREMENTS: out of memory");
	}
	if (!sign)
		return 0;

	if (g.slot >= SPDM_MAX_SLOTS || !r->chain_ok[g.slot])
		return req_fail(r, err, "measurements-signature", -EPROTO,
				"GET_MEASUREMENTS: SlotIDParam %u has no checked certificate chain",
				g.slot);
	if (r->p.version >= SPDM_VER_12 && (m.param2 & 0x0f) != g.slot)
		return req_fail(r, err, "measurements-signature", -EPROTO,
				"MEASUREMENTS: SlotID %u, requested %u", m.param2 & 0x0f, g.slot);
	if (m.nonce && !memcmp(m.nonce, g.nonce, SPDM_NONCE_SIZE))
		return req_fail(r, err, "responder-nonce", -EPROTO,
				"MEASUREMENTS: Nonce is the requester's nonce reflected back");
	if (r->p.version >= SPDM_VER_13 &&
	    (!m.req_context || memcmp(m.req_context, g.req_context, SPDM_REQ_CONTEXT_SIZE)))
		return req_fail(r, err, "measurements", -EPROTO,
				"MEASUREMENTS: RequesterContext differs from the request's");
	if (r->cfg.have_meas_nonce && memcmp(g.nonce, r->cfg.meas_nonce, SPDM_NONCE_SIZE))
		return req_fail(r, err, "requester-nonce", -ESTALE,
				"GET_MEASUREMENTS: Nonce in the transcript is not the expected nonce");

	ret = hash_l1(r, h);
	if (ret)
		return da_errf(err, ret, "MEASUREMENTS: hashing L1 failed");
	key = r->slot_key[g.slot];
	if (!key)
		return da_errf(err, -ENOMEM, "MEASUREMENTS: no leaf key for slot %u", g.slot);
	ret = spdm_verify(key, r->info.neg.base_asym, r->info.neg.base_hash, r->p.version,
			  SPDM_CTX_MEASUREMENTS, h, m.signature, r->p.sig_size, err);
	if (ret) {
		da_err_prefix(err, "MEASUREMENTS");
		return req_fail(r, NULL, "measurements-signature", ret, "%s",
				err ? err->msg : "does not verify");
	}
	req_pass(r, "measurements-signature", "%u blocks, %s over L1 (%zu bytes)", m.num_blocks,
		 spdm_asym_name(r->info.neg.base_asym), r->l1.len);

	da_buf_reset(&r->ev_meas);
	if (da_buf_append(&r->ev_meas, r->l1.data, r->l1.len) ||
	    da_buf_append(&r->ev_meas, m.signature, r->p.sig_size))
		return da_errf(err, -ENOMEM, "MEASUREMENTS: out of memory");
	memcpy(r->info.meas_req_nonce, g.nonce, SPDM_NONCE_SIZE);
	r->info.measured = true;
	/* A signed response ends L1. */
	req_l1_reset(r);
	da_buf_free(&r->l1);
	return 0;
}
