// SPDX-License-Identifier: MIT
/*
 * FINISH / FINISH_RSP (DSP0274 1.1+).
 *
 * FINISH: param1 bit 0 SignatureIncluded, param2 ReqSlotID;
 * OpaqueDataLength(2) + OpaqueData (1.4+), Signature (S of
 * ReqBaseAsymAlg, mutual authentication only), RequesterVerifyData(H).
 * FINISH_RSP: OpaqueDataLength(2) + OpaqueData (1.4+),
 * ResponderVerifyData (H, only when the handshake is in the clear).
 */
#include <errno.h>

#include "session_codec.h"

int spdm_encode_finish_unsigned(struct wcur *w, const struct spdm_sess_params *sp,
				const struct spdm_finish *f)
{
	if (!spdm_sess_hash_ok(sp))
		return -EINVAL;
	return spdm_put_hdr_opaque14(w, sp->p.version, SPDM_FINISH, f->attributes, f->req_slot,
				     f->opaque, f->opaque_len);
}

int spdm_decode_finish(const uint8_t *msg, size_t len, const struct spdm_sess_params *sp,
		       struct spdm_finish *f, struct da_err *err)
{
	static const char name[] = "FINISH";
	struct cur c = cur_init(msg, len);
	struct spdm_hdr h;
	int ret;

	*f = (struct spdm_finish){ 0 };
	if (!spdm_sess_hash_ok(sp))
		return da_errf(err, -EINVAL, "%s: hash algorithm not negotiated", name);
	if (spdm_decode_hdr(msg, len, &h, NULL))
		return spdm_trunc(err, name, "header", len);
	f->attributes = h.param1;
	f->req_slot = h.param2;
	ret = spdm_get_hdr_opaque14(&c, name, sp->p.version, len, &f->opaque_len, &f->opaque,
				    err);
	if (ret)
		return ret;
	f->signed_len = c.off;
	if (f->attributes & SPDM_FINISH_SIGNATURE_INCLUDED) {
		if (!sp->req_sig_size || sp->req_sig_size > SPDM_MAX_SIG_SIZE)
			return da_errf(err, -EPROTO,
				       "%s: Signature included, no requester algorithm negotiated",
				       name);
		if (cur_ptr(&c, sp->req_sig_size, &f->signature))
			return spdm_trunc(err, name, "Signature", len);
	}
	f->verify_off = c.off;
	if (cur_ptr(&c, sp->p.hash_size, &f->verify_data))
		return spdm_trunc(err, name, "RequesterVerifyData", len);
	return (int)c.off;
}

int spdm_encode_finish_rsp_unsigned(struct wcur *w, const struct spdm_sess_params *sp,
				    const struct spdm_finish_rsp *f)
{
	if (!spdm_sess_hash_ok(sp))
		return -EINVAL;
	return spdm_put_hdr_opaque14(w, sp->p.version, SPDM_FINISH_RSP, 0, 0, f->opaque,
				     f->opaque_len);
}

int spdm_decode_finish_rsp(const uint8_t *msg, size_t len, const struct spdm_sess_params *sp,
			   struct spdm_finish_rsp *f, struct da_err *err)
{
	static const char name[] = "FINISH_RSP";
	struct cur c = cur_init(msg, len);
	int ret;

	*f = (struct spdm_finish_rsp){ 0 };
	if (!spdm_sess_hash_ok(sp))
		return da_errf(err, -EINVAL, "%s: hash algorithm not negotiated", name);
	ret = spdm_get_hdr_opaque14(&c, name, sp->p.version, len, &f->opaque_len, &f->opaque,
				    err);
	if (ret)
		return ret;
	f->verify_off = c.off;
	if (sp->in_clear && cur_ptr(&c, sp->p.hash_size, &f->verify_data))
		return spdm_trunc(err, name, "ResponderVerifyData", len);
	return (int)c.off;
}
