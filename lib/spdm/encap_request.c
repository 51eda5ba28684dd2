// SPDX-License-Identifier: MIT
/*
 * GET_ENCAPSULATED_REQUEST (the header alone) and ENCAPSULATED_REQUEST
 * (Param1 RequestID, then the responder's request as a whole SPDM
 * message).
 */
#include <errno.h>

#include "encapsulated.h"

int spdm_encode_get_encapsulated_request(struct wcur *w, uint8_t version)
{
	spdm_encode_hdr(w, version, SPDM_GET_ENCAPSULATED_REQUEST, 0, 0);
	return (int)wcur_finish(w);
}

int spdm_decode_get_encapsulated_request(const uint8_t *msg, size_t len, struct da_err *err)
{
	return len < 4 ? spdm_trunc(err, "GET_ENCAPSULATED_REQUEST", "header", len) : 4;
}

int spdm_encode_encapsulated_request(struct wcur *w, uint8_t version, const struct spdm_encap *e)
{
	if (e->payload_len < 4)
		return -EINVAL;
	spdm_encode_hdr(w, version, SPDM_ENCAPSULATED_REQUEST, e->request_id, 0);
	wcur_bytes(w, e->payload, e->payload_len);
	return (int)wcur_finish(w);
}

int spdm_decode_encapsulated_request(const uint8_t *msg, size_t len, struct spdm_encap *e,
				     struct da_err *err)
{
	struct cur c = cur_init(msg, len);
	struct spdm_hdr h;

	*e = (struct spdm_encap){ 0 };
	if (spdm_decode_hdr(msg, len, &h, NULL) || cur_skip(&c, 4))
		return spdm_trunc(err, "ENCAPSULATED_REQUEST", "header", len);
	e->request_id = h.param1;
	cur_rest(&c, &e->payload, &e->payload_len);
	/* The carried request has no length of its own: it is the rest, and at least a header. */
	if (e->payload_len < 4)
		return spdm_trunc(err, "ENCAPSULATED_REQUEST", "EncapsulatedRequest", len);
	return (int)len;
}
