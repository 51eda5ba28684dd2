// SPDX-License-Identifier: MIT
/*
 * END_SESSION / END_SESSION_ACK (DSP0274 1.1+): param1 bit 0 of
 * END_SESSION asks the responder to clear the negotiated state it
 * preserved; the ACK is the header alone.
 */
#include <errno.h>

#include "session_codec.h"

int spdm_encode_end_session(struct wcur *w, uint8_t version, uint8_t attributes)
{
	spdm_encode_hdr(w, version, SPDM_END_SESSION, attributes, 0);
	return (int)wcur_finish(w);
}

int spdm_decode_end_session(const uint8_t *msg, size_t len, uint8_t *attributes,
			    struct da_err *err)
{
	struct spdm_hdr h;

	if (spdm_decode_hdr(msg, len, &h, NULL))
		return spdm_trunc(err, "END_SESSION", "header", len);
	*attributes = h.param1;
	return SPDM_HDR_SIZE;
}

int spdm_encode_end_session_ack(struct wcur *w, uint8_t version)
{
	spdm_encode_hdr(w, version, SPDM_END_SESSION_ACK, 0, 0);
	return (int)wcur_finish(w);
}

int spdm_decode_end_session_ack(const uint8_t *msg, size_t len, struct da_err *err)
{
	if (len < SPDM_HDR_SIZE)
		return spdm_trunc(err, "END_SESSION_ACK", "header", len);
	return SPDM_HDR_SIZE;
}
