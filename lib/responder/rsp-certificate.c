// SPDX-License-Identifier: MIT
/*
 * GET_CERTIFICATE / CERTIFICATE: a portion of a slot's chain.  An offset
 * at or past the end of the chain is InvalidRequest; the length is
 * clipped to what is left and (1.2+) to the requester's DataTransferSize
 * (MaxSPDMmsgSize when both chunk) minus our 8-byte header, so
 * RemainderLength tells the requester how
 * much is still to read.  1.3 SlotSizeRequested answers with no portion
 * and the chain size as RemainderLength.  1.4 LargeCertChain requests are
 * answered in the same 32-bit form when the device has LARGE_RESP_CAP
 * (UnsupportedRequest otherwise, as libspdm does); a chain that 16 bits
 * cannot describe is InvalidRequest in the 16-bit form.
 */
#include <errno.h>

#include "responder_internal.h"

int rsp_get_certificate(struct rsp_ctx *c)
{
	struct spdm_responder *r = c->r;
	struct spdm_get_certificate g = { 0 };
	struct spdm_certificate cert = { 0 };
	const struct da_buf *chain;
	struct cur cc;
	size_t len, left, max, hdr;
	int ret;

	if (rsp_check_len(c, spdm_decode_get_certificate(c->req, c->req_len, r->version, &g,
							  NULL)))
		return rsp_error(c, SPDM_ERR_INVALID_REQUEST, 0);
	if (!(r->dev->cfg.caps & SPDM_CAP_CERT))
		return rsp_error(c, SPDM_ERR_UNSUPPORTED_REQUEST, c->hdr.code);
	if (g.slot >= SPDM_MAX_SLOTS || !r->slot[g.slot].present)
		return rsp_error(c, SPDM_ERR_INVALID_REQUEST, 0);
	if (g.large && !(r->dev->cfg.caps & SPDM_CAP_LARGE_RESP))
		return rsp_error(c, SPDM_ERR_UNSUPPORTED_REQUEST, c->hdr.code);
	chain = &r->slot[g.slot].chain;
	if (!g.large && chain->len > SPDM_MAX_CERT_CHAIN_SIZE)
		return rsp_error(c, SPDM_ERR_INVALID_REQUEST, 0);
	cert.slot = g.slot;
	cert.large = g.large;
	hdr = g.large ? SPDM_CERTIFICATE_LARGE_HDR_SIZE : SPDM_CERTIFICATE_HDR_SIZE;

	if (r->version >= SPDM_VER_13 && (g.attributes & 1)) {
		cert.portion_len = 0;
		cert.remainder_len = (uint32_t)chain->len;
		goto encode;
	}
	if (g.offset >= chain->len)
		return rsp_error(c, SPDM_ERR_INVALID_REQUEST, 0);
	left = chain->len - g.offset;
	len = g.length < left ? g.length : left;
	max = c->w.cap > hdr ? c->w.cap - hdr : 0;
	if (r->version >= SPDM_VER_12) {
		/* with chunking the limit is the requester's whole-message size */
		uint32_t lim = rsp_chunking(r) ? r->req_caps.max_spdm_msg_size :
						 r->req_caps.data_transfer_size;

		if (lim - hdr < max)
			max = lim - hdr;
	}
	if (len > max)
		len = max;
	/* "drop": the link goes away in the middle of reading the chain */
	if ((r->faults & RSP_FAULT(RSP_FAULT_DROP)) && (g.offset > 0 || len == left))
		return -ECONNRESET;
	cc = cur_init(chain->data, chain->len);
	if (cur_skip(&cc, g.offset) || cur_ptr(&cc, len, &cert.portion))
		return rsp_error(c, SPDM_ERR_INVALID_REQUEST, 0);
	cert.portion_len = (uint32_t)len;
	cert.remainder_len = (uint32_t)(left - len);
encode:
	ret = spdm_encode_certificate(&c->w, r->version, &cert);
	if (ret < 0)
		return ret;
	/* "length-overrun": PortionLength claims more bytes than follow */
	if ((r->faults & RSP_FAULT(RSP_FAULT_LENGTH_OVERRUN)) && !cert.large)
		wcur_put_u16_at(&c->w, 4, (uint16_t)(cert.portion_len + 64));
	else if (r->faults & RSP_FAULT(RSP_FAULT_LENGTH_OVERRUN))
		wcur_put_u32_at(&c->w, 8, cert.portion_len + 64);
	ret = rsp_append(&r->b, c, c->w.p, c->w.len);
	if (ret < 0)
		return ret;
	return wcur_finish(&c->w);
}
