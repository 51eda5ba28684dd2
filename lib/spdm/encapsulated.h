/* SPDX-License-Identifier: MIT */
/*
 * Encapsulated requests (DSP0274 1.1+, "Requester-Responder role
 * inversion"): the responder's own requests (GET_DIGESTS,
 * GET_CERTIFICATE for mutual authentication) carried in responses.
 *   encap_request.c   GET_ENCAPSULATED_REQUEST / ENCAPSULATED_REQUEST
 *   encap_response.c  DELIVER_ENCAPSULATED_RESPONSE / ENCAPSULATED_RESPONSE_ACK
 * Param1 is the RequestID that pairs an encapsulated request with its
 * answer; from 1.2 ENCAPSULATED_RESPONSE_ACK adds AckRequestID and 3
 * reserved bytes before its payload.  The payload pointers borrow from
 * the message.
 */
#ifndef DEVAUTH_SPDM_ENCAPSULATED_H
#define DEVAUTH_SPDM_ENCAPSULATED_H

#include "codec.h"

/* ENCAPSULATED_RESPONSE_ACK Param2 */
#define SPDM_ENCAP_ACK_ABSENT		0	/* done */
#define SPDM_ENCAP_ACK_PRESENT		1	/* another encapsulated request follows */
#define SPDM_ENCAP_ACK_REQ_SLOT		2	/* done; the payload is ReqSlotNumber */

struct spdm_encap {
	uint8_t request_id;		/* Param1 */
	uint8_t payload_type;		/* ENCAPSULATED_RESPONSE_ACK Param2 */
	uint8_t ack_request_id;		/* ENCAPSULATED_RESPONSE_ACK, 1.2+ */
	const uint8_t *payload;		/* the carried SPDM message, or ReqSlotNumber */
	size_t payload_len;
};

int spdm_encode_get_encapsulated_request(struct wcur *w, uint8_t version);
int spdm_decode_get_encapsulated_request(const uint8_t *msg, size_t len, struct da_err *err);
/* The carried request must be a whole SPDM message (at least its header). */
int spdm_encode_encapsulated_request(struct wcur *w, uint8_t version, const struct spdm_encap *e);
int spdm_decode_encapsulated_request(const uint8_t *msg, size_t len, struct spdm_encap *e,
				     struct da_err *err);
int spdm_encode_deliver_encapsulated_response(struct wcur *w, uint8_t version,
					      const struct spdm_encap *e);
int spdm_decode_deliver_encapsulated_response(const uint8_t *msg, size_t len,
					      struct spdm_encap *e, struct da_err *err);
/*
 * PRESENT carries a request (at least a header), REQ_SLOT one byte
 * (a slot 0-7), ABSENT nothing; any other Param2 is -EPROTO.
 */
int spdm_encode_encapsulated_response_ack(struct wcur *w, uint8_t version,
					  const struct spdm_encap *e);
int spdm_decode_encapsulated_response_ack(const uint8_t *msg, size_t len, uint8_t version,
					  struct spdm_encap *e, struct da_err *err);

#endif
