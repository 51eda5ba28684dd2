// SPDX-License-Identifier: MIT
/*
 * GET_CAPABILITIES / CAPABILITIES.  The request's version byte picks
 * the connection's version (one of those VERSION listed).  Requester
 * flags are checked the way DSP0274 1.1+ defines their dependencies;
 * 1.2+ adds DataTransferSize/MaxSPDMmsgSize.
 */
#include <errno.h>

#include "responder_internal.h"

static bool has(uint32_t flags, uint32_t bit)
{
	return (flags & bit) != 0;
}

/* The flag combinations DSP0274 1.1-1.3 forbid for a requester. */
static bool req_flags_valid(uint32_t f, uint8_t ver)
{
	uint32_t psk = (f & SPDM_CAP_PSK_MASK) >> 10;
	bool key_ex = has(f, SPDM_CAP_KEY_EX), cert = has(f, SPDM_CAP_CERT);
	bool chal = has(f, SPDM_CAP_CHAL), mut = has(f, SPDM_CAP_MUT_AUTH);
	bool pub_key = has(f, SPDM_CAP_PUB_KEY_ID);

	if (ver < SPDM_VER_11)
		return true;
	/* a requester either has a PSK or not: PSK_CAP 2 and 3 are reserved */
	if (psk >= 2)
		return false;
	/* measurement capabilities are the responder's only */
	if (f & (SPDM_CAP_MEAS_MASK | SPDM_CAP_MEAS_FRESH))
		return false;
	if (key_ex || psk) {
		if (!has(f, SPDM_CAP_MAC) && !has(f, SPDM_CAP_ENCRYPT))
			return false;
	} else if (f & (SPDM_CAP_MAC | SPDM_CAP_ENCRYPT | SPDM_CAP_HANDSHAKE_IN_THE_CLEAR |
			SPDM_CAP_HBEAT | SPDM_CAP_KEY_UPD)) {
		return false;
	}
	if (!key_ex && psk && has(f, SPDM_CAP_HANDSHAKE_IN_THE_CLEAR))
		return false;
	if (cert && pub_key)
		return false;
	if ((cert || pub_key) && !chal && !key_ex)
		return false;
	if (!cert && !pub_key && mut)
		return false;
	if (mut && !key_ex && !chal)
		return false;
	if (ver == SPDM_VER_11 && mut && !has(f, SPDM_CAP_ENCAP))
		return false;
	return true;
}

static uint32_t flags_for_version(uint32_t caps, uint8_t ver)
{
	if (ver == SPDM_VER_10)
		return caps & 0x3f;
	if (ver == SPDM_VER_11)
		return caps & 0x1ffff;
	if (ver == SPDM_VER_12)
		return caps & 0x3fffff;
	return caps;
}

int rsp_get_capabilities(struct rsp_ctx *c)
{
	struct spdm_responder *r = c->r;
	const struct rsp_device_config *cfg = &r->dev->cfg;
	uint8_t ver = c->hdr.version;
	struct spdm_caps req = { 0 }, rsp = { 0 };
	int ret;

	if (r->state != RSP_AFTER_VERSION)
		return rsp_error(c, SPDM_ERR_UNEXPECTED_REQUEST, 0);
	if (ver < cfg->min_version || ver > cfg->max_version)
		return rsp_error(c, SPDM_ERR_VERSION_MISMATCH, 0);
	if (rsp_check_len(c, spdm_decode_get_capabilities(c->req, c->req_len, ver, &req, NULL)))
		return rsp_error(c, SPDM_ERR_INVALID_REQUEST, 0);
	if (!req_flags_valid(req.flags, ver))
		return rsp_error(c, SPDM_ERR_INVALID_REQUEST, 0);
	if (ver >= SPDM_VER_12) {
		if (req.data_transfer_size < SPDM_MIN_DATA_TRANSFER_SIZE ||
		    req.max_spdm_msg_size < req.data_transfer_size)
			return rsp_error(c, SPDM_ERR_INVALID_REQUEST, 0);
		/* without chunking a message is one transfer */
		if (!(req.flags & SPDM_CAP_CHUNK) &&
		    req.max_spdm_msg_size != req.data_transfer_size)
			return rsp_error(c, SPDM_ERR_INVALID_REQUEST, 0);
	}

	rsp.ct_exponent = cfg->ct_exponent;
	rsp.flags = flags_for_version(cfg->caps, ver);
	rsp.data_transfer_size = cfg->data_transfer_size;
	/* DSP0274 1.2+: without CHUNK_CAP a message is one transfer. */
	rsp.max_spdm_msg_size = (rsp.flags & SPDM_CAP_CHUNK) ? cfg->max_spdm_msg_size :
							       cfg->data_transfer_size;
	ret = spdm_encode_capabilities(&c->w, ver, &rsp);
	if (ret < 0)
		return ret;
	ret = rsp_append(&r->a, c, c->w.p, (size_t)ret);
	if (ret < 0)
		return ret;
	r->version = ver;
	r->req_caps = req;
	r->p.version = ver;
	r->state = RSP_AFTER_CAPS;
	return wcur_finish(&c->w);
}
