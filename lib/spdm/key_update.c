// SPDX-License-Identifier: MIT
/*
 * KEY_UPDATE / KEY_UPDATE_ACK (DSP0274 1.1+): param1 KeyOperation
 * (1 UpdateKey, 2 UpdateAllKeys, 3 VerifyNewKey), param2 Tag; the ACK
 * echoes both.
 */
#include <errno.h>

#include "session_codec.h"

static int decode(const uint8_t *msg, size_t len, const char *name, struct spdm_key_update *k,
		  struct da_err *err)
{
	struct spdm_hdr h;

	if (spdm_decode_hdr(msg, len, &h, NULL))
		return spdm_trunc(err, name, "header", len);
	k->operation = h.param1;
	k->tag = h.param2;
	if (k->operation < SPDM_KEY_UPDATE_OP_UPDATE_KEY ||
	    k->operation > SPDM_KEY_UPDATE_OP_VERIFY_NEW_KEY)
		return da_errf(err, -EPROTO, "%s: KeyOperation %u is reserved", name,
			       k->operation);
	return SPDM_HDR_SIZE;
}

int spdm_encode_key_update(struct wcur *w, uint8_t version, const struct spdm_key_update *k)
{
	spdm_encode_hdr(w, version, SPDM_KEY_UPDATE, k->operation, k->tag);
	return (int)wcur_finish(w);
}

int spdm_decode_key_update(const uint8_t *msg, size_t len, struct spdm_key_update *k,
			   struct da_err *err)
{
	return decode(msg, len, "KEY_UPDATE", k, err);
}

int spdm_encode_key_update_ack(struct wcur *w, uint8_t version, const struct spdm_key_update *k)
{
	spdm_encode_hdr(w, version, SPDM_KEY_UPDATE_ACK, k->operation, k->tag);
	return (int)wcur_finish(w);
}

int spdm_decode_key_update_ack(const uint8_t *msg, size_t len, struct spdm_key_update *k,
			       struct da_err *err)
{
	return decode(msg, len, "KEY_UPDATE_ACK", k, err);
}
