// SPDX-License-Identifier: MIT
/*
 * GET_CAPABILITIES / CAPABILITIES (DSP0274 sec 10.4).
 *
 * Layout by version (Tables "GET_CAPABILITIES request" / "CAPABILITIES
 * response"):
 *   1.0: request is the header only; response has Reserved, CTExponent,
 *        Reserved(2), Flags(4) = 12 bytes.
 *   1.1: request gains Reserved, CTExponent, Reserved(2), Flags = 12 bytes.
 *   1.2+: both gain DataTransferSize(4) and MaxSPDMmsgSize(4) = 20 bytes.
 *   1.3: param1 bit 0 of the request asks for the SupportedAlgorithms
 *        extension in the response (response param1 bit 0 says it is there).
 */
#include <errno.h>

#include "codec.h"

#define CAPS_FIELD(f) SPDM_FIELD_SIZE(struct spdm_capabilities_wire, f)

static void encode_body(struct wcur *w, uint8_t version, const struct spdm_caps *c)
{
	wcur_zero(w, CAPS_FIELD(reserved));
	wcur_u8(w, c->ct_exponent);
	wcur_zero(w, CAPS_FIELD(reserved2));
	wcur_u32(w, c->flags);
	if (version >= SPDM_VER_12) {
		wcur_u32(w, c->data_transfer_size);
		wcur_u32(w, c->max_spdm_msg_size);
	}
}

static int decode_body(struct cur *c, size_t len, uint8_t version, struct spdm_caps *caps,
		       const char *name, struct da_err *err)
{
	if (cur_skip(c, CAPS_FIELD(reserved)))
		return spdm_trunc(err, name, "Reserved", len);
	if (cur_u8(c, &caps->ct_exponent))
		return spdm_trunc(err, name, "CTExponent", len);
	if (cur_skip(c, CAPS_FIELD(reserved2)))
		return spdm_trunc(err, name, "Reserved", len);
	if (cur_u32(c, &caps->flags))
		return spdm_trunc(err, name, "Flags", len);
	if (version < SPDM_VER_12)
		return 0;
	if (cur_u32(c, &caps->data_transfer_size))
		return spdm_trunc(err, name, "DataTransferSize", len);
	if (cur_u32(c, &caps->max_spdm_msg_size))
		return spdm_trunc(err, name, "MaxSPDMmsgSize", len);
	if (caps->data_transfer_size < SPDM_MIN_DATA_TRANSFER_SIZE)
		return da_errf(err, -EPROTO, "%s: DataTransferSize %u is below the minimum %u",
			       name, caps->data_transfer_size, SPDM_MIN_DATA_TRANSFER_SIZE);
	if (caps->max_spdm_msg_size < caps->data_transfer_size)
		return da_errf(err, -EPROTO,
			       "%s: MaxSPDMmsgSize %u is below DataTransferSize %u",
			       name, caps->max_spdm_msg_size, caps->data_transfer_size);
	return 0;
}

int spdm_encode_get_capabilities(struct wcur *w, uint8_t version, const struct spdm_caps *c)
{
	spdm_encode_hdr(w, version, SPDM_GET_CAPABILITIES,
			version >= SPDM_VER_13 ? c->param1 : 0, 0);
	if (version >= SPDM_VER_11)
		encode_body(w, version, c);
	return (int)wcur_finish(w);
}

int spdm_decode_get_capabilities(const uint8_t *msg, size_t len, uint8_t version,
				 struct spdm_caps *c, struct da_err *err)
{
	struct cur cu = cur_init(msg, len);
	struct spdm_hdr h;
	int ret;

	*c = (struct spdm_caps){ 0 };
	if (spdm_decode_hdr(msg, len, &h, NULL) || cur_skip(&cu, SPDM_HDR_SIZE))
		return spdm_trunc(err, "GET_CAPABILITIES", "header", len);
	if (version < SPDM_VER_11)
		return SPDM_HDR_SIZE;
	if (version >= SPDM_VER_13)
		c->param1 = h.param1;
	ret = decode_body(&cu, len, version, c, "GET_CAPABILITIES", err);
	return ret ? ret : (int)cu.off;
}

int spdm_encode_capabilities(struct wcur *w, uint8_t version, const struct spdm_caps *c)
{
	/* We never send the SupportedAlgorithms extension, so param1 stays 0. */
	spdm_encode_hdr(w, version, SPDM_CAPABILITIES, 0, 0);
	encode_body(w, version, c);
	return (int)wcur_finish(w);
}

int spdm_decode_capabilities(const uint8_t *msg, size_t len, uint8_t version,
			     struct spdm_caps *c, struct da_err *err)
{
	struct cur cu = cur_init(msg, len);
	struct spdm_hdr h;
	int ret;

	*c = (struct spdm_caps){ 0 };
	if (spdm_decode_hdr(msg, len, &h, NULL) || cur_skip(&cu, SPDM_HDR_SIZE))
		return spdm_trunc(err, "CAPABILITIES", "header", len);
	if (version >= SPDM_VER_13) {
		c->param1 = h.param1;
		if (h.param1 & 1)
			return da_errf(err, -EPROTO,
				       "CAPABILITIES: Param1 announces SupportedAlgorithms, %s",
				       "which was not requested");
	}
	ret = decode_body(&cu, len, version, c, "CAPABILITIES", err);
	return ret ? ret : (int)cu.off;
}
