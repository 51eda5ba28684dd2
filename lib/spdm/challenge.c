// SPDX-License-Identifier: MIT
/*
 * CHALLENGE / CHALLENGE_AUTH (DSP0274 sec 10.8).
 *
 * CHALLENGE: param1 SlotID, param2 MeasurementSummaryHashType, Nonce(32);
 * 1.3 appends RequesterContext(8).
 * CHALLENGE_AUTH: param1 [3:0] SlotID (bit 7 BasicMutAuthReq, 1.1 only),
 * param2 SlotMask, CertChainHash(H), Nonce(32), MeasurementSummaryHash
 * (H, only when the CHALLENGE asked for one), OpaqueDataLength(2),
 * OpaqueData, RequesterContext(8, 1.3+), Signature(S).
 */
#include <errno.h>

#include "codec.h"

static bool sizes_ok(const struct spdm_dec_params *p)
{
	return p->hash_size && p->hash_size <= SPDM_MAX_HASH_SIZE &&
	       p->sig_size && p->sig_size <= SPDM_MAX_SIG_SIZE;
}

int spdm_encode_challenge(struct wcur *w, uint8_t version, const struct spdm_challenge *c)
{
	spdm_encode_hdr(w, version, SPDM_CHALLENGE, c->slot, c->meas_summary_type);
	wcur_bytes(w, c->nonce, SPDM_NONCE_SIZE);
	if (version >= SPDM_VER_13)
		wcur_bytes(w, c->req_context, SPDM_REQ_CONTEXT_SIZE);
	return (int)wcur_finish(w);
}

int spdm_decode_challenge(const uint8_t *msg, size_t len, uint8_t version,
			  struct spdm_challenge *c, struct da_err *err)
{
	struct cur cu = cur_init(msg, len);
	struct spdm_hdr h;

	*c = (struct spdm_challenge){ 0 };
	if (spdm_decode_hdr(msg, len, &h, NULL) || cur_skip(&cu, SPDM_HDR_SIZE))
		return spdm_trunc(err, "CHALLENGE", "header", len);
	if (cur_bytes(&cu, c->nonce, SPDM_NONCE_SIZE))
		return spdm_trunc(err, "CHALLENGE", "Nonce", len);
	if (version >= SPDM_VER_13 && cur_bytes(&cu, c->req_context, SPDM_REQ_CONTEXT_SIZE))
		return spdm_trunc(err, "CHALLENGE", "RequesterContext", len);
	c->slot = h.param1;
	c->meas_summary_type = h.param2;
	return (int)cu.off;
}

int spdm_encode_challenge_auth_unsigned(struct wcur *w, const struct spdm_dec_params *p,
					const struct spdm_challenge_auth *a)
{
	if (!sizes_ok(p) || !a->cert_chain_hash || !a->nonce ||
	    (a->opaque_len && !a->opaque) || (p->version >= SPDM_VER_13 && !a->req_context))
		return -EINVAL;
	spdm_encode_hdr(w, p->version, SPDM_CHALLENGE_AUTH, a->param1, a->slot_mask);
	wcur_bytes(w, a->cert_chain_hash, p->hash_size);
	wcur_bytes(w, a->nonce, SPDM_NONCE_SIZE);
	if (a->meas_summary_hash)
		wcur_bytes(w, a->meas_summary_hash, p->hash_size);
	spdm_put_opaque_field(w, a->opaque, a->opaque_len);
	if (p->version >= SPDM_VER_13)
		wcur_bytes(w, a->req_context, SPDM_REQ_CONTEXT_SIZE);
	return (int)wcur_finish(w);
}

int spdm_decode_challenge_auth(const uint8_t *msg, size_t len, const struct spdm_dec_params *p,
			       uint8_t meas_summary_type, struct spdm_challenge_auth *a,
			       struct da_err *err)
{
	static const char name[] = "CHALLENGE_AUTH";
	struct cur c = cur_init(msg, len);
	struct spdm_hdr h;
	int ret;

	*a = (struct spdm_challenge_auth){ 0 };
	if (!sizes_ok(p))
		return da_errf(err, -EINVAL, "%s: hash or signature algorithm not negotiated",
			       name);
	if (spdm_decode_hdr(msg, len, &h, NULL) || cur_skip(&c, SPDM_HDR_SIZE))
		return spdm_trunc(err, name, "header", len);
	a->param1 = h.param1;
	a->slot_mask = h.param2;
	if (cur_ptr(&c, p->hash_size, &a->cert_chain_hash))
		return spdm_trunc(err, name, "CertChainHash", len);
	if (cur_ptr(&c, SPDM_NONCE_SIZE, &a->nonce))
		return spdm_trunc(err, name, "Nonce", len);
	if (meas_summary_type != SPDM_MEAS_SUMMARY_NONE &&
	    cur_ptr(&c, p->hash_size, &a->meas_summary_hash))
		return spdm_trunc(err, name, "MeasurementSummaryHash", len);
	ret = spdm_get_opaque_field(&c, name, len, &a->opaque_len, &a->opaque, err);
	if (ret)
		return ret;
	if (p->version >= SPDM_VER_13 &&
	    cur_ptr(&c, SPDM_REQ_CONTEXT_SIZE, &a->req_context))
		return spdm_trunc(err, name, "RequesterContext", len);
	a->signed_len = c.off;
	if (cur_ptr(&c, p->sig_size, &a->signature))
		return da_errf(err, -EBADMSG, "%s: Signature needs %u bytes, %zu left",
			       name, p->sig_size, cur_left(&c));
	return (int)c.off;
}
