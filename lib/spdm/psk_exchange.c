// SPDX-License-Identifier: MIT
/*
 * PSK_EXCHANGE / PSK_EXCHANGE_RSP (DSP0274 1.1+).
 *
 * PSK_EXCHANGE: param1 MeasurementSummaryHashType, param2 SessionPolicy
 * (1.2+), ReqSessionID(2), PSKHintLength(2), RequesterContextLength(2),
 * OpaqueDataLength(2), PSKHint, RequesterContext, OpaqueData.
 * PSK_EXCHANGE_RSP: param1 HeartbeatPeriod, RspSessionID(2),
 * Reserved(2), ResponderContextLength(2), OpaqueDataLength(2),
 * MeasurementSummaryHash (H, when requested), ResponderContext,
 * OpaqueData, ResponderVerifyData(H).
 */
#include <errno.h>

#include "session_codec.h"

int spdm_encode_psk_exchange(struct wcur *w, const struct spdm_sess_params *sp,
			     const struct spdm_psk_exchange *k)
{
	if ((k->hint_len && !k->hint) || (k->context_len && !k->context) ||
	    (k->opaque_len && !k->opaque))
		return -EINVAL;
	spdm_encode_hdr(w, sp->p.version, SPDM_PSK_EXCHANGE, k->meas_summary_type,
			sp->p.version >= SPDM_VER_12 ? k->session_policy : 0);
	wcur_u16(w, k->req_session_id);
	wcur_u16(w, k->hint_len);
	wcur_u16(w, k->context_len);
	wcur_u16(w, k->opaque_len);
	wcur_bytes(w, k->hint, k->hint_len);
	wcur_bytes(w, k->context, k->context_len);
	wcur_bytes(w, k->opaque, k->opaque_len);
	return (int)wcur_finish(w);
}

static int field(struct cur *c, const char *name, const char *fld, uint16_t n, uint16_t max,
		 const uint8_t **out, struct da_err *err)
{
	if (n > max)
		return da_errf(err, -EPROTO, "%s: %s length %u exceeds the maximum %u", name, fld,
			       n, max);
	if (cur_ptr(c, n, out))
		return da_errf(err, -EBADMSG, "%s: %s length %u exceeds the %zu bytes left", name,
			       fld, n, cur_left(c));
	return 0;
}

int spdm_decode_psk_exchange(const uint8_t *msg, size_t len, const struct spdm_sess_params *sp,
			     struct spdm_psk_exchange *k, struct da_err *err)
{
	static const char name[] = "PSK_EXCHANGE";
	struct cur c = cur_init(msg, len);
	struct spdm_hdr h;
	int ret;

	*k = (struct spdm_psk_exchange){ 0 };
	if (len < sizeof(struct spdm_psk_exchange_fixed))
		return spdm_trunc(err, name, "fixed fields", len);
	if (spdm_decode_hdr(msg, len, &h, NULL) || cur_skip(&c, SPDM_HDR_SIZE) ||
	    cur_u16(&c, &k->req_session_id) || cur_u16(&c, &k->hint_len) ||
	    cur_u16(&c, &k->context_len) || cur_u16(&c, &k->opaque_len))
		return spdm_trunc(err, name, "fixed fields", len);
	k->meas_summary_type = h.param1;
	k->session_policy = sp->p.version >= SPDM_VER_12 ? h.param2 : 0;
	ret = field(&c, name, "PSKHint", k->hint_len, SPDM_MAX_PSK_HINT_SIZE, &k->hint, err) ?:
	      field(&c, name, "RequesterContext", k->context_len, SPDM_MAX_PSK_CONTEXT_SIZE,
		    &k->context, err) ?:
	      field(&c, name, "OpaqueData", k->opaque_len, SPDM_MAX_OPAQUE_DATA_SIZE, &k->opaque,
		    err);
	return ret ? ret : (int)c.off;
}

int spdm_encode_psk_exchange_rsp_unsigned(struct wcur *w, const struct spdm_sess_params *sp,
					  const struct spdm_psk_exchange_rsp *k)
{
	if (!spdm_sess_hash_ok(sp) || (k->context_len && !k->context) || (k->opaque_len && !k->opaque))
		return -EINVAL;
	spdm_encode_hdr(w, sp->p.version, SPDM_PSK_EXCHANGE_RSP, k->heartbeat_period, 0);
	wcur_u16(w, k->rsp_session_id);
	wcur_u16(w, 0);
	wcur_u16(w, k->context_len);
	wcur_u16(w, k->opaque_len);
	if (k->meas_summary_hash)
		wcur_bytes(w, k->meas_summary_hash, sp->p.hash_size);
	wcur_bytes(w, k->context, k->context_len);
	wcur_bytes(w, k->opaque, k->opaque_len);
	return (int)wcur_finish(w);
}

int spdm_decode_psk_exchange_rsp(const uint8_t *msg, size_t len,
				 const struct spdm_sess_params *sp, uint8_t meas_summary_type,
				 struct spdm_psk_exchange_rsp *k, struct da_err *err)
{
	static const char name[] = "PSK_EXCHANGE_RSP";
	struct cur c = cur_init(msg, len);
	struct spdm_hdr h;
	uint16_t rsvd;
	int ret;

	*k = (struct spdm_psk_exchange_rsp){ 0 };
	if (!spdm_sess_hash_ok(sp))
		return da_errf(err, -EINVAL, "%s: hash algorithm not negotiated", name);
	if (len < sizeof(struct spdm_psk_exchange_rsp_fixed))
		return spdm_trunc(err, name, "fixed fields", len);
	if (spdm_decode_hdr(msg, len, &h, NULL) || cur_skip(&c, SPDM_HDR_SIZE) ||
	    cur_u16(&c, &k->rsp_session_id) || cur_u16(&c, &rsvd) ||
	    cur_u16(&c, &k->context_len) || cur_u16(&c, &k->opaque_len))
		return spdm_trunc(err, name, "fixed fields", len);
	k->heartbeat_period = h.param1;
	if (meas_summary_type != SPDM_MEAS_SUMMARY_NONE &&
	    cur_ptr(&c, sp->p.hash_size, &k->meas_summary_hash))
		return spdm_trunc(err, name, "MeasurementSummaryHash", len);
	ret = field(&c, name, "ResponderContext", k->context_len, SPDM_MAX_PSK_CONTEXT_SIZE,
		    &k->context, err) ?:
	      field(&c, name, "OpaqueData", k->opaque_len, SPDM_MAX_OPAQUE_DATA_SIZE, &k->opaque,
		    err);
	if (ret)
		return ret;
	k->verify_off = c.off;
	if (cur_ptr(&c, sp->p.hash_size, &k->verify_data))
		return spdm_trunc(err, name, "ResponderVerifyData", len);
	return (int)c.off;
}
