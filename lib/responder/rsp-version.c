// SPDX-License-Identifier: MIT
/*
 * GET_VERSION / VERSION.  Always accepted: it restarts the connection
 * (state and every transcript).  The request itself is always version
 * 1.0 (DSP0274: "SPDMVersion shall be 0x10" for GET_VERSION).
 */
#include <errno.h>

#include "responder_internal.h"

int rsp_get_version(struct rsp_ctx *c)
{
	struct spdm_responder *r = c->r;
	const struct rsp_device_config *cfg = &r->dev->cfg;
	struct spdm_version_rsp v = { 0 };
	int ret;

	rsp_reset_connection(r);
	if (c->hdr.version != SPDM_VER_10)
		return rsp_error(c, SPDM_ERR_VERSION_MISMATCH, 0);
	if (rsp_check_len(c, spdm_decode_get_version(c->req, c->req_len, NULL)))
		return rsp_error(c, SPDM_ERR_INVALID_REQUEST, 0);
	for (unsigned int ver = cfg->min_version; ver <= cfg->max_version; ver++) {
		if (v.count >= SPDM_MAX_VERSION_ENTRIES)
			break;
		/* VersionNumberEntry: major<<12 | minor<<8, update and alpha 0 */
		v.entries[v.count++] = (uint16_t)(ver << 8);
	}
	ret = spdm_encode_version(&c->w, &v);
	if (ret < 0)
		return ret;
	ret = rsp_append(&r->a, c, c->w.p, (size_t)ret);
	if (ret < 0)
		return ret;
	r->state = RSP_AFTER_VERSION;
	return wcur_finish(&c->w);
}
