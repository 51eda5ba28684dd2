// SPDX-License-Identifier: MIT
/*
 * END_SESSION / END_SESSION_ACK: the ACK still goes out under the
 * session's keys; then every secret of the session is wiped
 * (rsp-session.c, end_after).  The negotiated state is not preserved
 * for later connections either way (no CACHE_CAP).
 */
#include "responder_internal.h"

int rsp_end_session(struct rsp_ctx *c)
{
	struct spdm_responder *r = c->r;
	uint8_t attributes;
	int ret;

	if (rsp_check_len(c, spdm_decode_end_session(c->req, c->req_len, &attributes, NULL)))
		return rsp_error(c, SPDM_ERR_INVALID_REQUEST, 0);
	ret = spdm_encode_end_session_ack(&c->w, r->version);
	if (ret > 0)
		r->cur_sess->end_after = true;
	return ret;
}
