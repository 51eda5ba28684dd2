// SPDX-License-Identifier: MIT
/*
 * KEY_UPDATE / KEY_UPDATE_ACK, inside an established session.  The
 * request arrived under the old request key; from now on the requester
 * sends with the new one:
 *   UpdateKey      new request key; the ACK goes out under the
 *                  unchanged response key
 *   UpdateAllKeys  new request and response keys; the ACK already goes
 *                  out under the new response key
 *   VerifyNewKey   arrives under the new request key: acknowledged
 * The old keys are not kept: a requester that lost the ACK cannot be
 * answered under them again (it ends the session instead).  Fault
 * "key-update-refused": ERROR Busy, and the keys stay.
 */
#include "responder_internal.h"

int rsp_key_update(struct rsp_ctx *c)
{
	struct spdm_responder *r = c->r;
	struct rsp_session *s = r->cur_sess;
	struct spdm_key_update k;
	int ret = 0;

	if (!(r->dev->cfg.caps & r->req_caps.flags & SPDM_CAP_KEY_UPD))
		return rsp_error(c, SPDM_ERR_UNSUPPORTED_REQUEST, c->hdr.code);
	if (rsp_check_len(c, spdm_decode_key_update(c->req, c->req_len, &k, NULL)))
		return rsp_error(c, SPDM_ERR_INVALID_REQUEST, 0);
	if (r->faults & RSP_FAULT(RSP_FAULT_KEY_UPDATE_REFUSED))
		return rsp_error(c, SPDM_ERR_BUSY, 0);
	switch (k.operation) {
	case SPDM_KEY_UPDATE_OP_UPDATE_ALL_KEYS:
		ret = spdm_sess_key_update(&s->s, SPDM_DIR_RSP, NULL);
		if (!ret)
			spdm_sess_key_update_commit(&s->s, SPDM_DIR_RSP);
		/* fall through */
	case SPDM_KEY_UPDATE_OP_UPDATE_KEY:
		if (!ret)
			ret = spdm_sess_key_update(&s->s, SPDM_DIR_REQ, NULL);
		if (!ret)
			spdm_sess_key_update_commit(&s->s, SPDM_DIR_REQ);
		break;
	default:
		break;
	}
	if (ret)
		return rsp_error(c, SPDM_ERR_UNSPECIFIED, 0);
	return spdm_encode_key_update_ack(&c->w, r->version, &k);
}
