// SPDX-License-Identifier: MIT
/*
 * GET_DIGESTS / DIGESTS: Hash(chain) of every provisioned slot, in slot
 * order; 1.3 also reports the SupportedSlotMask (the slots this device
 * has, which are the provisioned ones: it cannot take new certificates).
 */
#include <errno.h>
#include <string.h>

#include "responder_internal.h"

int rsp_get_digests(struct rsp_ctx *c)
{
	struct spdm_responder *r = c->r;
	uint8_t bad[SPDM_MAX_SLOTS][SPDM_MAX_HASH_SIZE];
	struct spdm_digests d = { 0 };
	int ret;

	if (rsp_check_len(c, spdm_decode_get_digests(c->req, c->req_len, NULL)))
		return rsp_error(c, SPDM_ERR_INVALID_REQUEST, 0);
	if (!(r->dev->cfg.caps & SPDM_CAP_CERT))
		return rsp_error(c, SPDM_ERR_UNSUPPORTED_REQUEST, c->hdr.code);
	d.supported_mask = r->provisioned;
	d.provisioned_mask = r->provisioned;
	for (int i = 0; i < SPDM_MAX_SLOTS; i++) {
		if (!r->slot[i].present)
			continue;
		d.digest[i] = r->slot[i].digest;
		if (r->faults & RSP_FAULT(RSP_FAULT_DIGEST_MISMATCH)) {
			memcpy(bad[i], r->slot[i].digest, sizeof(bad[i]));
			bad[i][0] ^= 0x01;
			d.digest[i] = bad[i];
		}
	}
	ret = spdm_encode_digests(&c->w, &r->p, &d);
	if (ret < 0)
		return ret;
	ret = rsp_append(&r->b, c, c->w.p, (size_t)ret);
	if (ret < 0)
		return ret;
	return wcur_finish(&c->w);
}
