// SPDX-License-Identifier: MIT
/*
 * CHALLENGE / CHALLENGE_AUTH: the device proves possession of the slot's
 * leaf key by signing M1 = A || B || C (DSP0274 "CHALLENGE_AUTH
 * signature").  Success caches the leaf key for re-challenge.
 */
#include <errno.h>
#include <string.h>

#include "req.h"

int req_build_challenge(struct spdm_req *r, uint8_t slot, struct wcur *w)
{
	struct spdm_challenge c = {
		.slot = slot,
		.meas_summary_type = r->cfg.meas_summary_type,
	};
	int ret;

	/* A device without MEAS_CAP must be asked for no summary hash. */
	if (!(r->info.rsp_caps & SPDM_CAP_MEAS_MASK))
		c.meas_summary_type = SPDM_MEAS_SUMMARY_NONE;
	if (r->cfg.have_nonce)
		memcpy(c.nonce, r->cfg.nonce, sizeof(c.nonce));
	else if ((ret = da_random(c.nonce, sizeof(c.nonce))))
		return ret;
	if (r->p.version >= SPDM_VER_13 && (ret = da_random(c.req_context, sizeof(c.req_context))))
		return ret;
	return spdm_encode_challenge(w, r->p.version, &c);
}

static int hash_m1(struct spdm_req *r, const uint8_t *req, size_t qlen, const uint8_t *rsp,
		   size_t signed_len, uint8_t *out)
{
	struct spdm_hash_ctx h;
	int ret;

	ret = spdm_hash_init(&h, r->info.neg.base_hash);
	if (ret)
		return ret;
	ret = spdm_hash_update(&h, r->vca.data, r->vca.len) ?:
	      spdm_hash_update(&h, r->m1.data, r->m1.len) ?:
	      spdm_hash_update(&h, req, qlen) ?:
	      spdm_hash_update(&h, rsp, signed_len) ?:
	      spdm_hash_final(&h, out);
	spdm_hash_free(&h);
	return ret;
}

int req_process_challenge_auth(struct spdm_req *r, const uint8_t *req, size_t req_len,
			       const uint8_t *rsp, size_t rsp_len, size_t max_pad,
			       struct da_err *err)
{
	struct spdm_challenge c;
	struct spdm_challenge_auth a;
	uint8_t h[SPDM_MAX_HASH_SIZE];
	int qlen, slen, ret;
	EVP_PKEY *key;

	if (r->phase != PH_ALGS)
		return da_errf(err, -EPROTO, "CHALLENGE: out of order (algorithms not negotiated)");
	qlen = req_true_len(r, req, req_len,
			    spdm_decode_challenge(req, req_len, r->p.version, &c, err), max_pad,
			    err);
	if (qlen < 0)
		return qlen;
	if (c.slot >= SPDM_MAX_SLOTS)
		return da_errf(err, -EOPNOTSUPP,
			       "CHALLENGE: SlotID 0x%02x (provisioned public key) is not supported",
			       c.slot);
	if (!r->chain_ok[c.slot])
		return da_errf(err, -EPROTO, "CHALLENGE: slot %u has no checked certificate chain",
			       c.slot);
	ret = req_check_rsp_hdr(r, req, req_len, rsp, rsp_len, SPDM_CHALLENGE_AUTH, err);
	if (ret)
		return req_fail(r, NULL, "challenge", ret, "%s", err ? err->msg : "bad response");
	slen = req_true_len(r, rsp, rsp_len,
			    spdm_decode_challenge_auth(rsp, rsp_len, &r->p, c.meas_summary_type, &a,
						       err),
			    max_pad, err);
	if (slen < 0)
		return req_fail(r, NULL, "challenge", slen, "%s", err ? err->msg : "malformed");

	if ((a.param1 & 0x0f) != c.slot)
		return req_fail(r, err, "challenge", -EPROTO,
				"CHALLENGE_AUTH: SlotID %u, challenged slot %u", a.param1 & 0x0f,
				c.slot);
	if ((a.param1 & 0x80) && (r->own_caps & SPDM_CAP_MUT_AUTH))
		return req_fail(r, err, "challenge", -EOPNOTSUPP,
				"CHALLENGE_AUTH: BasicMutAuthReq set; we authenticate ourselves only in sessions (KEY_EXCHANGE), not by encapsulated CHALLENGE");
	if (a.param1 & 0x80)
		return req_fail(r, err, "challenge", -EPROTO,
				"CHALLENGE_AUTH: BasicMutAuthReq set, but we never offered MUT_AUTH_CAP");
	if (!(a.slot_mask & (1u << c.slot)))
		return req_fail(r, err, "challenge", -EPROTO,
				"CHALLENGE_AUTH: SlotMask 0x%02x lacks the challenged slot %u",
				a.slot_mask, c.slot);

	ret = spdm_hash(r->info.neg.base_hash, r->chain[c.slot].data, r->chain[c.slot].len, h);
	if (ret)
		return da_errf(err, ret, "CHALLENGE_AUTH: hashing the chain failed");
	if (memcmp(h, a.cert_chain_hash, r->p.hash_size))
		return req_fail(r, err, "cert-chain-hash", -EKEYREJECTED,
				"CHALLENGE_AUTH: CertChainHash does not match slot %u chain", c.slot);
	req_pass(r, "cert-chain-hash", "CertChainHash = Hash(slot %u chain)", c.slot);

	if (!memcmp(a.nonce, c.nonce, SPDM_NONCE_SIZE))
		return req_fail(r, err, "responder-nonce", -EPROTO,
				"CHALLENGE_AUTH: Nonce is the requester's nonce reflected back");
	if (r->p.version >= SPDM_VER_13 &&
	    (!a.req_context || memcmp(a.req_context, c.req_context, SPDM_REQ_CONTEXT_SIZE)))
		return req_fail(r, err, "challenge", -EPROTO,
				"CHALLENGE_AUTH: RequesterContext differs from the CHALLENGE's");
	if (r->cfg.have_nonce && memcmp(c.nonce, r->cfg.nonce, SPDM_NONCE_SIZE))
		return req_fail(r, err, "requester-nonce", -ESTALE,
				"CHALLENGE: Nonce in the transcript is not the expected nonce");

	ret = hash_m1(r, req, (size_t)qlen, rsp, a.signed_len, h);
	if (ret)
		return da_errf(err, ret, "CHALLENGE_AUTH: hashing M1 failed");
	key = r->slot_key[c.slot];
	if (!key || !EVP_PKEY_up_ref(key))
		return da_errf(err, -ENOMEM, "CHALLENGE_AUTH: no leaf key for slot %u", c.slot);
	ret = spdm_verify(key, r->info.neg.base_asym, r->info.neg.base_hash, r->p.version,
			  SPDM_CTX_CHALLENGE_AUTH, h, a.signature, r->p.sig_size, err);
	if (ret) {
		EVP_PKEY_free(key);
		da_err_prefix(err, "CHALLENGE_AUTH");
		return req_fail(r, NULL, "challenge-signature", ret, "%s",
				err ? err->msg : "does not verify");
	}
	req_pass(r, "challenge-signature", "%s over M1 (%zu bytes) with the slot %u leaf key",
		 spdm_asym_name(r->info.neg.base_asym),
		 r->vca.len + r->m1.len + (size_t)qlen + a.signed_len, c.slot);

	/* Evidence: everything signed, then the signature. */
	da_buf_reset(&r->ev_vca);
	if (da_buf_append(&r->ev_vca, r->vca.data, r->vca.len) ||
	    da_buf_append(&r->ev_vca, r->m1.data, r->m1.len) ||
	    da_buf_append(&r->ev_vca, req, (size_t)qlen) ||
	    da_buf_append(&r->ev_vca, rsp, (size_t)slen)) {
		EVP_PKEY_free(key);
		return da_errf(err, -ENOMEM, "CHALLENGE_AUTH: out of memory");
	}
	EVP_PKEY_free(r->leaf_key);
	r->leaf_key = key;
	r->leaf_slot = c.slot;
	r->info.neg.slot = c.slot;
	r->info.authenticated = true;
	memcpy(r->info.req_nonce, c.nonce, SPDM_NONCE_SIZE);
	memcpy(r->info.rsp_nonce, a.nonce, SPDM_NONCE_SIZE);
	/* M1 ends with CHALLENGE_AUTH: B and C start over. */
	da_buf_free(&r->m1);
	return 0;
}
