// SPDX-License-Identifier: MIT
/*
 * GET_CERTIFICATE / CERTIFICATE (DSP0274 sec 10.7).
 *
 * GET_CERTIFICATE: param1 [3:0] SlotID, Offset(2), Length(2).  1.3 makes
 * param2 the request attributes (bit 0 SlotSizeRequested).
 * CERTIFICATE: param1 [3:0] SlotID, PortionLength(2), RemainderLength(2),
 * the portion.  1.3 makes param2 [2:0] the CertificateInfo (certificate
 * model).
 * The 1.4 large-certificate-chain form (32-bit offsets) is not supported:
 * we never advertise LARGE_RESP_CAP, so a peer must not use it.
 */
#include <errno.h>

#include "codec.h"

int spdm_encode_get_certificate(struct wcur *w, uint8_t version,
				const struct spdm_get_certificate *g)
{
	spdm_encode_hdr(w, version, SPDM_GET_CERTIFICATE, g->slot & 0x0F,
			version >= SPDM_VER_13 ? g->attributes : 0);
	wcur_u16(w, g->offset);
	wcur_u16(w, g->length);
	return (int)wcur_finish(w);
}

int spdm_decode_get_certificate(const uint8_t *msg, size_t len, uint8_t version,
				struct spdm_get_certificate *g, struct da_err *err)
{
	struct cur c = cur_init(msg, len);
	struct spdm_hdr h;

	*g = (struct spdm_get_certificate){ 0 };
	if (spdm_decode_hdr(msg, len, &h, NULL) || cur_skip(&c, SPDM_HDR_SIZE))
		return spdm_trunc(err, "GET_CERTIFICATE", "header", len);
	if (cur_u16(&c, &g->offset))
		return spdm_trunc(err, "GET_CERTIFICATE", "Offset", len);
	if (cur_u16(&c, &g->length))
		return spdm_trunc(err, "GET_CERTIFICATE", "Length", len);
	g->slot = h.param1 & 0x0F;
	if (version >= SPDM_VER_13)
		g->attributes = h.param2;
	return (int)c.off;
}

int spdm_encode_certificate(struct wcur *w, uint8_t version, const struct spdm_certificate *c)
{
	if (c->portion_len && !c->portion)
		return -EINVAL;
	spdm_encode_hdr(w, version, SPDM_CERTIFICATE, c->slot & 0x0F,
			version >= SPDM_VER_13 ? c->cert_info & 0x07 : 0);
	wcur_u16(w, c->portion_len);
	wcur_u16(w, c->remainder_len);
	wcur_bytes(w, c->portion, c->portion_len);
	return (int)wcur_finish(w);
}

int spdm_decode_certificate(const uint8_t *msg, size_t len, uint8_t version,
			    struct spdm_certificate *c, struct da_err *err)
{
	struct cur cu = cur_init(msg, len);
	struct spdm_hdr h;

	*c = (struct spdm_certificate){ 0 };
	if (spdm_decode_hdr(msg, len, &h, NULL) || cur_skip(&cu, SPDM_HDR_SIZE))
		return spdm_trunc(err, "CERTIFICATE", "header", len);
	if (cur_u16(&cu, &c->portion_len))
		return spdm_trunc(err, "CERTIFICATE", "PortionLength", len);
	if (cur_u16(&cu, &c->remainder_len))
		return spdm_trunc(err, "CERTIFICATE", "RemainderLength", len);
	if (cur_ptr(&cu, c->portion_len, &c->portion))
		return da_errf(err, -EBADMSG,
			       "CERTIFICATE: PortionLength %u exceeds the %zu bytes left",
			       c->portion_len, cur_left(&cu));
	c->slot = h.param1 & 0x0F;
	if (version >= SPDM_VER_13)
		c->cert_info = h.param2 & 0x07;
	return (int)cu.off;
}
