// SPDX-License-Identifier: MIT
/*
 * ERROR and RESPOND_IF_READY (DSP0274 sec 10.10 / 10.9), and the one place
 * SPDM ERROR codes become errno.
 *
 * ERROR: param1 ErrorCode, param2 ErrorData, ExtendedErrorData.  Only
 * ResponseNotReady (4 bytes: RDTExponent, RequestCode, Token, RDTM),
 * LargeResponse (1 byte: Handle, 1.2+) and VendorDefined (variable) carry
 * extended data; for every other code the message is the header alone.
 */
#include <errno.h>

#include "codec.h"

int spdm_encode_error(struct wcur *w, uint8_t version, uint8_t code, uint8_t data,
		      const uint8_t *ext, size_t ext_len)
{
	if (ext_len && !ext)
		return -EINVAL;
	spdm_encode_hdr(w, version, SPDM_ERROR, code, data);
	wcur_bytes(w, ext, ext_len);
	return (int)wcur_finish(w);
}

int spdm_encode_response_not_ready(struct wcur *w, uint8_t version, uint8_t rdt_exponent,
				   uint8_t request_code, uint8_t token, uint8_t rdtm)
{
	spdm_encode_hdr(w, version, SPDM_ERROR, SPDM_ERR_RESPONSE_NOT_READY, 0);
	wcur_u8(w, rdt_exponent);
	wcur_u8(w, request_code);
	wcur_u8(w, token);
	wcur_u8(w, rdtm);
	return (int)wcur_finish(w);
}

int spdm_decode_error(const uint8_t *msg, size_t len, struct spdm_error *e,
		      struct da_err *err)
{
	struct cur c = cur_init(msg, len);
	struct spdm_hdr h;

	*e = (struct spdm_error){ 0 };
	if (spdm_decode_hdr(msg, len, &h, NULL) || cur_skip(&c, SPDM_HDR_SIZE))
		return spdm_trunc(err, "ERROR", "header", len);
	e->code = h.param1;
	e->data = h.param2;
	switch (e->code) {
	case SPDM_ERR_RESPONSE_NOT_READY:
		if (cur_u8(&c, &e->rdt_exponent) || cur_u8(&c, &e->request_code) ||
		    cur_u8(&c, &e->token) || cur_u8(&c, &e->rdtm))
			return spdm_trunc(err, "ERROR", "ResponseNotReady ExtendedErrorData",
					  len);
		return (int)c.off;
	case SPDM_ERR_LARGE_RESPONSE:
		if (cur_ptr(&c, 1, &e->ext))
			return spdm_trunc(err, "ERROR", "LargeResponse Handle", len);
		e->ext_len = 1;
		return (int)c.off;
	case SPDM_ERR_VENDOR_DEFINED:
		/* Its length is its own business: keep it all. */
		cur_rest(&c, &e->ext, &e->ext_len);
		return (int)c.off;
	default:
		return SPDM_HDR_SIZE;
	}
}

int spdm_encode_respond_if_ready(struct wcur *w, uint8_t version, uint8_t request_code,
				 uint8_t token)
{
	spdm_encode_hdr(w, version, SPDM_RESPOND_IF_READY, request_code, token);
	return (int)wcur_finish(w);
}

int spdm_decode_respond_if_ready(const uint8_t *msg, size_t len, uint8_t *request_code,
				 uint8_t *token, struct da_err *err)
{
	struct spdm_hdr h;

	if (spdm_decode_hdr(msg, len, &h, NULL))
		return spdm_trunc(err, "RESPOND_IF_READY", "header", len);
	*request_code = h.param1;
	*token = h.param2;
	return SPDM_HDR_SIZE;
}

int spdm_error_to_errno(uint8_t code)
{
	switch (code) {
	case SPDM_ERR_BUSY:
		return -EBUSY;
	case SPDM_ERR_RESPONSE_NOT_READY:
		return -EINPROGRESS;
	case SPDM_ERR_REQUEST_RESYNCH:
	case SPDM_ERR_RESET_REQUIRED:
		return -ECONNRESET;
	case SPDM_ERR_VERSION_MISMATCH:
		return -EPROTO;
	case SPDM_ERR_UNSUPPORTED_REQUEST:
		return -EOPNOTSUPP;
	case SPDM_ERR_INVALID_REQUEST:
	case SPDM_ERR_UNEXPECTED_REQUEST:
		return -EINVAL;
	default:
		return -EPROTO;
	}
}
