// SPDX-License-Identifier: MIT
/* HEARTBEAT / HEARTBEAT_ACK (DSP0274 1.1+): the header alone. */
#include <errno.h>

#include "session_codec.h"

int spdm_encode_heartbeat(struct wcur *w, uint8_t version)
{
	spdm_encode_hdr(w, version, SPDM_HEARTBEAT, 0, 0);
	return (int)wcur_finish(w);
}

int spdm_decode_heartbeat(const uint8_t *msg, size_t len, struct da_err *err)
{
	if (len < SPDM_HDR_SIZE)
		return spdm_trunc(err, "HEARTBEAT", "header", len);
	return SPDM_HDR_SIZE;
}

int spdm_encode_heartbeat_ack(struct wcur *w, uint8_t version)
{
	spdm_encode_hdr(w, version, SPDM_HEARTBEAT_ACK, 0, 0);
	return (int)wcur_finish(w);
}

int spdm_decode_heartbeat_ack(const uint8_t *msg, size_t len, struct da_err *err)
{
	if (len < SPDM_HDR_SIZE)
		return spdm_trunc(err, "HEARTBEAT_ACK", "header", len);
	return SPDM_HDR_SIZE;
}
