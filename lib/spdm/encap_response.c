// SPDX-License-Identifier: MIT
/*
 * DELIVER_ENCAPSULATED_RESPONSE (Param1 RequestID, then our answer as a
 * whole SPDM message) and ENCAPSULATED_RESPONSE_ACK (Param1 the next
 * RequestID, Param2 what the payload is; 1.2+ AckRequestID and 3
 * reserved bytes before it).
 */
#include <errno.h>

#include "encapsulated.h"

int spdm_encode_deliver_encapsulated_response(struct wcur *w, uint8_t version,
					      const struct spdm_encap *e)
{
	if (e->payload_len < 4)
		return -EINVAL;
	spdm_encode_hdr(w, version, SPDM_DELIVER_ENCAPSULATED_RESPONSE, e->request_id, 0);
	wcur_bytes(w, e->payload, e->payload_len);
	return (int)wcur_finish(w);
}

int spdm_decode_deliver_encapsulated_response(const uint8_t *msg, size_t len,
					      struct spdm_encap *e, struct da_err *err)
{
	struct cur c = cur_init(msg, len);
	struct spdm_hdr h;

	*e = (struct spdm_encap){ 0 };
	if (spdm_decode_hdr(msg, len, &h, NULL) || cur_skip(&c, 4))
		return spdm_trunc(err, "DELIVER_ENCAPSULATED_RESPONSE", "header", len);
	e->request_id = h.param1;
	cur_rest(&c, &e->payload, &e->payload_len);
	if (e->payload_len < 4)
		return spdm_trunc(err, "DELIVER_ENCAPSULATED_RESPONSE", "EncapsulatedResponse", len);
	return (int)len;
}

int spdm_encode_encapsulated_response_ack(struct wcur *w, uint8_t version,
					  const struct spdm_encap *e)
{
	if ((e->payload_type == SPDM_ENCAP_ACK_PRESENT && e->payload_len < 4) ||
	    (e->payload_type == SPDM_ENCAP_ACK_REQ_SLOT && e->payload_len != 1) ||
	    (e->payload_type == SPDM_ENCAP_ACK_ABSENT && e->payload_len) ||
	    e->payload_type > SPDM_ENCAP_ACK_REQ_SLOT)
		return -EINVAL;
	spdm_encode_hdr(w, version, SPDM_ENCAPSULATED_RESPONSE_ACK, e->request_id,
			e->payload_type);
	if (version >= SPDM_VER_12) {
		wcur_u8(w, e->ack_request_id);
		wcur_zero(w, 3);
	}
	if (e->payload_len)
		wcur_bytes(w, e->payload, e->payload_len);
	return (int)wcur_finish(w);
}

int spdm_decode_encapsulated_response_ack(const uint8_t *msg, size_t len, uint8_t version,
					  struct spdm_encap *e, struct da_err *err)
{
	static const char name[] = "ENCAPSULATED_RESPONSE_ACK";
	struct cur c = cur_init(msg, len);
	struct spdm_hdr h;
	uint8_t slot;

	*e = (struct spdm_encap){ 0 };
	if (spdm_decode_hdr(msg, len, &h, NULL) || cur_skip(&c, 4))
		return spdm_trunc(err, name, "header", len);
	e->request_id = h.param1;
	e->payload_type = h.param2;
	if (version >= SPDM_VER_12 && (cur_u8(&c, &e->ack_request_id) || cur_skip(&c, 3)))
		return spdm_trunc(err, name, "AckRequestID", len);
	switch (e->payload_type) {
	case SPDM_ENCAP_ACK_ABSENT:
		/* Nothing follows; what does is the framing's (padding), for the caller to judge. */
		return (int)c.off;
	case SPDM_ENCAP_ACK_PRESENT:
		cur_rest(&c, &e->payload, &e->payload_len);
		if (e->payload_len < 4)
			return spdm_trunc(err, name, "EncapsulatedRequest", len);
		return (int)len;
	case SPDM_ENCAP_ACK_REQ_SLOT:
		if (cur_ptr(&c, 1, &e->payload))
			return spdm_trunc(err, name, "ReqSlotNumber", len);
		e->payload_len = 1;
		slot = e->payload[0];
		if (slot >= SPDM_MAX_SLOTS)
			return da_errf(err, -EPROTO, "%s: ReqSlotNumber %u out of range", name, slot);
		return (int)c.off;
	default:
		return da_errf(err, -EPROTO, "%s: PayloadType %u is reserved", name,
			       e->payload_type);
	}
}
