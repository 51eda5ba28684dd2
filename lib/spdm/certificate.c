// SPDX-License-Identifier: MIT
/*
 * GET_CERTIFICATE / CERTIFICATE (DSP0274 sec 10.7).
 *
 * GET_CERTIFICATE: param1 [3:0] SlotID, Offset(2), Length(2).  1.3 makes
 * param2 the request attributes (bit 0 SlotSizeRequested).
 * CERTIFICATE: param1 [3:0] SlotID, PortionLength(2), RemainderLength(2),
 * the portion.  1.3 makes param2 [2:0] the CertificateInfo (certificate
 * model).
 * 1.4 LargeCertChain (Param1 bit 7, only where both sides have
 * LARGE_RESP_CAP): the 16-bit fields are zero and LargeOffset/LargeLength,
 * LargePortionLength/LargeRemainderLength (32 bits each) follow them.
 * Before 1.4 bit 7 is reserved and ignored.
 */
#include <errno.h>

#include "codec.h"

int spdm_encode_get_certificate(struct wcur *w, uint8_t version,
				const struct spdm_get_certificate *g)
{
	bool large = version >= SPDM_VER_14 && g->large;

	if (!large && (g->offset > UINT16_MAX || g->length > UINT16_MAX))
		return -ERANGE;
	spdm_encode_hdr(w, version, SPDM_GET_CERTIFICATE,
			(g->slot & 0x0F) | (large ? SPDM_CERT_LARGE_CHAIN : 0),
			version >= SPDM_VER_13 ? g->attributes : 0);
	wcur_u16(w, large ? 0 : (uint16_t)g->offset);
	wcur_u16(w, large ? 0 : (uint16_t)g->length);
	if (large) {
		wcur_u32(w, g->offset);
		wcur_u32(w, g->length);
	}
	return (int)wcur_finish(w);
}

int spdm_decode_get_certificate(const uint8_t *msg, size_t len, uint8_t version,
				struct spdm_get_certificate *g, struct da_err *err)
{
	struct cur c = cur_init(msg, len);
	uint16_t off16, len16;
	struct spdm_hdr h;

	*g = (struct spdm_get_certificate){ 0 };
	if (spdm_decode_hdr(msg, len, &h, NULL) || cur_skip(&c, SPDM_HDR_SIZE))
		return spdm_trunc(err, "GET_CERTIFICATE", "header", len);
	if (cur_u16(&c, &off16))
		return spdm_trunc(err, "GET_CERTIFICATE", "Offset", len);
	if (cur_u16(&c, &len16))
		return spdm_trunc(err, "GET_CERTIFICATE", "Length", len);
	g->offset = off16;
	g->length = len16;
	g->large = version >= SPDM_VER_14 && (h.param1 & SPDM_CERT_LARGE_CHAIN);
	if (g->large) {
		if (cur_u32(&c, &g->offset))
			return spdm_trunc(err, "GET_CERTIFICATE", "LargeOffset", len);
		if (cur_u32(&c, &g->length))
			return spdm_trunc(err, "GET_CERTIFICATE", "LargeLength", len);
	}
	g->slot = h.param1 & 0x0F;
	if (version >= SPDM_VER_13)
		g->attributes = h.param2;
	return (int)c.off;
}

int spdm_encode_certificate(struct wcur *w, uint8_t version, const struct spdm_certificate *c)
{
	bool large = version >= SPDM_VER_14 && c->large;

	if (c->portion_len && !c->portion)
		return -EINVAL;
	if (!large && (c->portion_len > UINT16_MAX || c->remainder_len > UINT16_MAX))
		return -ERANGE;
	spdm_encode_hdr(w, version, SPDM_CERTIFICATE,
			(c->slot & 0x0F) | (large ? SPDM_CERT_LARGE_CHAIN : 0),
			version >= SPDM_VER_13 ? c->cert_info & 0x07 : 0);
	wcur_u16(w, large ? 0 : (uint16_t)c->portion_len);
	wcur_u16(w, large ? 0 : (uint16_t)c->remainder_len);
	if (large) {
		wcur_u32(w, c->portion_len);
		wcur_u32(w, c->remainder_len);
	}
	wcur_bytes(w, c->portion, c->portion_len);
	return (int)wcur_finish(w);
}

int spdm_decode_certificate(const uint8_t *msg, size_t len, uint8_t version,
			    struct spdm_certificate *c, struct da_err *err)
{
	struct cur cu = cur_init(msg, len);
	uint16_t portion16, remainder16;
	struct spdm_hdr h;

	*c = (struct spdm_certificate){ 0 };
	if (spdm_decode_hdr(msg, len, &h, NULL) || cur_skip(&cu, SPDM_HDR_SIZE))
		return spdm_trunc(err, "CERTIFICATE", "header", len);
	if (cur_u16(&cu, &portion16))
		return spdm_trunc(err, "CERTIFICATE", "PortionLength", len);
	if (cur_u16(&cu, &remainder16))
		return spdm_trunc(err, "CERTIFICATE", "RemainderLength", len);
	c->portion_len = portion16;
	c->remainder_len = remainder16;
	c->large = version >= SPDM_VER_14 && (h.param1 & SPDM_CERT_LARGE_CHAIN);
	if (c->large) {
		if (cur_u32(&cu, &c->portion_len))
			return spdm_trunc(err, "CERTIFICATE", "LargePortionLength", len);
		if (cur_u32(&cu, &c->remainder_len))
			return spdm_trunc(err, "CERTIFICATE", "LargeRemainderLength", len);
	}
	if (cur_ptr(&cu, c->portion_len, &c->portion))
		return da_errf(err, -EBADMSG,
			       "CERTIFICATE: %sPortionLength %u exceeds the %zu bytes left",
			       c->large ? "Large" : "", c->portion_len, cur_left(&cu));
	c->slot = h.param1 & 0x0F;
	if (version >= SPDM_VER_13)
		c->cert_info = h.param2 & 0x07;
	return (int)cu.off;
}
