// SPDX-License-Identifier: MIT
/*
 * RESPOND_IF_READY: answer the request we deferred with ResponseNotReady
 * (faults "not-ready-once" / "not-ready-forever") when the requester
 * names it by code and token.  The deferred request is then processed as
 * if it had just arrived, so its transcript entries are the original
 * request and the final response (never the ERROR or this request).
 */
#include <errno.h>
#include <string.h>

#include "responder_internal.h"

int rsp_respond_if_ready(struct rsp_ctx *c)
{
	struct spdm_responder *r = c->r;
	uint8_t code, token;
	struct da_buf req = { 0 };
	int ret;

	if (rsp_check_len(c, spdm_decode_respond_if_ready(c->req, c->req_len, &code, &token,
							   NULL)))
		return rsp_error(c, SPDM_ERR_INVALID_REQUEST, 0);
	if (!r->have_pending || r->in_deferred)
		return rsp_error(c, SPDM_ERR_UNEXPECTED_REQUEST, 0);
	if (code != r->pending_code || token != r->pending_token)
		return rsp_error(c, SPDM_ERR_INVALID_REQUEST, 0);
	if (r->faults & RSP_FAULT(RSP_FAULT_NOT_READY_FOREVER)) {
		c->w.len = 0;
		return spdm_encode_response_not_ready(&c->w, r->version,
						      r->dev->cfg.rdt_exponent, code, token, 2);
	}
	/* answer from our own copy: the pending buffer is reset on the way */
	req = r->pending;
	memset(&r->pending, 0, sizeof(r->pending));
	r->have_pending = false;
	r->in_deferred = true;
	/* it may have come in chunks: no DataTransferSize check on the copy */
	ret = rsp_dispatch_one(r, req.data, req.len, c->w.p, c->w.cap, 0);
	r->in_deferred = false;
	da_buf_free(&req);
	return ret;
}
