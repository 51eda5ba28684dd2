// SPDX-License-Identifier: MIT
/*
 * HEARTBEAT / HEARTBEAT_ACK, inside an established session only
 * (rsp-session.c routes it).  Fault "heartbeat-silent": no answer at all,
 * as a device that lost the session would behave.
 */
#include "responder_internal.h"

int rsp_heartbeat(struct rsp_ctx *c)
{
	struct spdm_responder *r = c->r;

	if (!(r->dev->cfg.caps & r->req_caps.flags & SPDM_CAP_HBEAT))
		return rsp_error(c, SPDM_ERR_UNSUPPORTED_REQUEST, c->hdr.code);
	if (rsp_check_len(c, spdm_decode_heartbeat(c->req, c->req_len, NULL)))
		return rsp_error(c, SPDM_ERR_INVALID_REQUEST, 0);
	if (r->faults & RSP_FAULT(RSP_FAULT_HEARTBEAT_SILENT))
		return 0;
	return spdm_encode_heartbeat_ack(&c->w, r->version);
}
