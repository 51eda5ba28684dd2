// SPDX-License-Identifier: MIT
/*
 * KEY_EXCHANGE / KEY_EXCHANGE_RSP (DSP0274 1.1+ "KEY_EXCHANGE request
 * and KEY_EXCHANGE_RSP response").
 *
 * KEY_EXCHANGE: param1 MeasurementSummaryHashType, param2 SlotID,
 * ReqSessionID(2), SessionPolicy(1, reserved before 1.2), Reserved(1),
 * RandomData(32), ExchangeData(D), OpaqueDataLength(2), OpaqueData.
 * KEY_EXCHANGE_RSP: param1 HeartbeatPeriod, RspSessionID(2),
 * MutAuthRequested(1), ReqSlotIDParam(1), RandomData(32),
 * ExchangeData(D), MeasurementSummaryHash(H, only when requested),
 * OpaqueDataLength(2), OpaqueData, Signature(S), ResponderVerifyData
 * (H, absent when both sides negotiated HANDSHAKE_IN_THE_CLEAR).
 */
#include <errno.h>

#include "session_codec.h"

static bool sizes_ok(const struct spdm_sess_params *sp)
{
	return sp->p.hash_size && sp->p.hash_size <= SPDM_MAX_HASH_SIZE && sp->p.sig_size &&
	       sp->p.sig_size <= SPDM_MAX_SIG_SIZE && sp->dhe_size &&
	       sp->dhe_size <= SPDM_MAX_DHE_SIZE;
}

int spdm_encode_key_exchange(struct wcur *w, const struct spdm_sess_params *sp,
			     const struct spdm_key_exchange *k)
{
	if (!sizes_ok(sp) || !k->exchange || (k->opaque_len && !k->opaque))
		return -EINVAL;
	spdm_encode_hdr(w, sp->p.version, SPDM_KEY_EXCHANGE, k->meas_summary_type, k->slot);
	wcur_u16(w, k->req_session_id);
	wcur_u8(w, sp->p.version >= SPDM_VER_12 ? k->session_policy : 0);
	wcur_u8(w, 0);
	wcur_bytes(w, k->random, SPDM_RANDOM_SIZE);
	wcur_bytes(w, k->exchange, sp->dhe_size);
	spdm_put_opaque_field(w, k->opaque, k->opaque_len);
	return (int)wcur_finish(w);
}

int spdm_decode_key_exchange(const uint8_t *msg, size_t len, const struct spdm_sess_params *sp,
			     struct spdm_key_exchange *k, struct da_err *err)
{
	static const char name[] = "KEY_EXCHANGE";
	struct cur c = cur_init(msg, len);
	struct spdm_hdr h;
	uint8_t rsvd;
	int ret;

	*k = (struct spdm_key_exchange){ 0 };
	if (!sizes_ok(sp))
		return da_errf(err, -EINVAL, "%s: algorithms not negotiated", name);
	if (len < sizeof(struct spdm_key_exchange_fixed))
		return spdm_trunc(err, name, "fixed fields", len);
	if (spdm_decode_hdr(msg, len, &h, NULL) || cur_skip(&c, SPDM_HDR_SIZE) ||
	    cur_u16(&c, &k->req_session_id) || cur_u8(&c, &k->session_policy) ||
	    cur_u8(&c, &rsvd) || cur_bytes(&c, k->random, SPDM_RANDOM_SIZE))
		return spdm_trunc(err, name, "fixed fields", len);
	k->meas_summary_type = h.param1;
	k->slot = h.param2;
	if (sp->p.version < SPDM_VER_12)
		k->session_policy = 0;
	if (cur_ptr(&c, sp->dhe_size, &k->exchange))
		return spdm_trunc(err, name, "ExchangeData", len);
	ret = spdm_get_opaque_field(&c, name, len, &k->opaque_len, &k->opaque, err);
	if (ret)
		return ret;
	return (int)c.off;
}

int spdm_encode_key_exchange_rsp_unsigned(struct wcur *w, const struct spdm_sess_params *sp,
					  const struct spdm_key_exchange_rsp *k)
{
	if (!sizes_ok(sp) || !k->random || !k->exchange || (k->opaque_len && !k->opaque))
		return -EINVAL;
	spdm_encode_hdr(w, sp->p.version, SPDM_KEY_EXCHANGE_RSP, k->heartbeat_period, 0);
	wcur_u16(w, k->rsp_session_id);
	wcur_u8(w, k->mut_auth_requested);
	wcur_u8(w, k->req_slot_id_param);
	wcur_bytes(w, k->random, SPDM_RANDOM_SIZE);
	wcur_bytes(w, k->exchange, sp->dhe_size);
	if (k->meas_summary_hash)
		wcur_bytes(w, k->meas_summary_hash, sp->p.hash_size);
	spdm_put_opaque_field(w, k->opaque, k->opaque_len);
	return (int)wcur_finish(w);
}

int spdm_decode_key_exchange_rsp(const uint8_t *msg, size_t len,
				 const struct spdm_sess_params *sp, uint8_t meas_summary_type,
				 struct spdm_key_exchange_rsp *k, struct da_err *err)
{
	static const char name[] = "KEY_EXCHANGE_RSP";
	struct cur c = cur_init(msg, len);
	struct spdm_hdr h;
	int ret;

	*k = (struct spdm_key_exchange_rsp){ 0 };
	if (!sizes_ok(sp))
		return da_errf(err, -EINVAL, "%s: algorithms not negotiated", name);
	if (len < sizeof(struct spdm_key_exchange_rsp_fixed))
		return spdm_trunc(err, name, "fixed fields", len);
	if (spdm_decode_hdr(msg, len, &h, NULL) || cur_skip(&c, SPDM_HDR_SIZE) ||
	    cur_u16(&c, &k->rsp_session_id) || cur_u8(&c, &k->mut_auth_requested) ||
	    cur_u8(&c, &k->req_slot_id_param) || cur_ptr(&c, SPDM_RANDOM_SIZE, &k->random))
		return spdm_trunc(err, name, "fixed fields", len);
	k->heartbeat_period = h.param1;
	if (cur_ptr(&c, sp->dhe_size, &k->exchange))
		return spdm_trunc(err, name, "ExchangeData", len);
	if (meas_summary_type != SPDM_MEAS_SUMMARY_NONE &&
	    cur_ptr(&c, sp->p.hash_size, &k->meas_summary_hash))
		return spdm_trunc(err, name, "MeasurementSummaryHash", len);
	ret = spdm_get_opaque_field(&c, name, len, &k->opaque_len, &k->opaque, err);
	if (ret)
		return ret;
	k->signed_len = c.off;
	if (cur_ptr(&c, sp->p.sig_size, &k->signature))
		return da_errf(err, -EBADMSG, "%s: Signature needs %u bytes, %zu left", name,
			       sp->p.sig_size, cur_left(&c));
	k->verify_off = c.off;
	if (!sp->in_clear && cur_ptr(&c, sp->p.hash_size, &k->verify_data))
		return da_errf(err, -EBADMSG, "%s: ResponderVerifyData needs %u bytes, %zu left",
			       name, sp->p.hash_size, cur_left(&c));
	return (int)c.off;
}
