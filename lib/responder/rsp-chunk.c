// SPDX-License-Identifier: MIT
/*
 * Large messages (1.2+, both sides CHUNK_CAP).  A request larger than our
 * DataTransferSize arrives as CHUNK_SEND pieces, each acknowledged; the
 * last CHUNK_SEND_ACK carries the response to the reassembled request.
 * A response larger than the requester's DataTransferSize is kept and
 * answered with ERROR LargeResponse; CHUNK_GET then fetches it piece by
 * piece.  Transcripts see only the large messages (rsp_dispatch_one()
 * handles them like any other request), never the chunk messages.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "responder_internal.h"

bool rsp_chunking(const struct spdm_responder *r)
{
	return r->state >= RSP_AFTER_CAPS && r->version >= SPDM_VER_12 &&
	       (r->dev->cfg.caps & SPDM_CAP_CHUNK) && (r->req_caps.flags & SPDM_CAP_CHUNK);
}

int rsp_make_large(struct rsp_ctx *c, size_t len)
{
	struct spdm_responder *r = c->r;
	uint8_t size[4];
	struct wcur sw = wcur_init(size, sizeof(size));

	if (!rsp_chunking(r) || len > r->req_caps.max_spdm_msg_size) {
		wcur_u32(&sw, (uint32_t)len);
		return rsp_error_ext(c, SPDM_ERR_RESPONSE_TOO_LARGE, 0, size, sizeof(size));
	}
	da_buf_reset(&r->large);
	if (da_buf_append(&r->large, c->w.p, len))
		return -ENOMEM;
	r->have_large = true;
	r->large_handle = r->next_handle++;
	r->large_seq = 0;
	r->large_off = 0;
	c->w.len = 0;
	c->w.err = 0;
	return spdm_encode_large_response(&c->w, r->version, r->large_handle);
}

int rsp_chunk_get(struct rsp_ctx *c)
{
	struct spdm_responder *r = c->r;
	struct spdm_chunk ch = { 0 };
	size_t n, left;
	uint8_t handle;
	uint32_t seq;

	if (rsp_check_len(c, spdm_decode_chunk_get(c->req, c->req_len, r->version, &handle, &seq,
						   NULL)))
		return rsp_error(c, SPDM_ERR_INVALID_REQUEST, 0);
	if (!r->have_large)
		return rsp_error(c, SPDM_ERR_UNEXPECTED_REQUEST, 0);
	if (handle != r->large_handle || seq != r->large_seq) {
		rsp_chunk_reset(r);
		return rsp_error(c, SPDM_ERR_INVALID_REQUEST, 0);
	}
	left = r->large.len - r->large_off;
	n = spdm_chunk_capacity(r->version, r->req_caps.data_transfer_size, seq);
	if (n > left)
		n = left;
	ch.handle = handle;
	ch.seq = seq;
	ch.size = (uint32_t)n;
	ch.large_size = (uint32_t)r->large.len;
	ch.data = r->large.data + r->large_off;
	if (n == left)
		ch.attributes = SPDM_CHUNK_LAST;
	if (spdm_encode_chunk_response(&c->w, r->version, &ch) < 0)
		return rsp_error(c, SPDM_ERR_UNSPECIFIED, 0);
	r->large_off += n;
	r->large_seq++;
	if (n == left)
		rsp_chunk_reset(r);
	return wcur_finish(&c->w);
}

static int ack(struct rsp_ctx *c, const struct spdm_chunk *ch, uint8_t attributes,
	       const uint8_t *rsp, size_t rsp_len)
{
	struct spdm_chunk_ack a = {
		.attributes = attributes, .handle = ch->handle, .seq = ch->seq,
		.rsp = rsp, .rsp_len = rsp_len,
	};

	c->w.len = 0;
	c->w.err = 0;
	return spdm_encode_chunk_send_ack(&c->w, c->r->version, &a);
}

static int ack_error(struct rsp_ctx *c, const struct spdm_chunk *ch, uint8_t code)
{
	uint8_t e[4];
	struct wcur w = wcur_init(e, sizeof(e));

	spdm_encode_error(&w, c->r->version, code, 0, NULL, 0);
	return ack(c, ch, SPDM_CHUNK_EARLY_ERROR, e, w.len);
}

int rsp_chunk_send(struct rsp_ctx *c)
{
	struct spdm_responder *r = c->r;
	const struct rsp_device_config *cfg = &r->dev->cfg;
	size_t overhead = 4 + spdm_chunk_seq_size(r->version);
	struct spdm_chunk ch;
	uint8_t *inner;
	int ret, n;

	if (rsp_check_len(c, spdm_decode_chunk_send(c->req, c->req_len, r->version, &ch, NULL)))
		return rsp_error(c, SPDM_ERR_INVALID_REQUEST, 0);
	/* A new large request replaces a response nobody fetched. */
	da_buf_reset(&r->large);
	r->have_large = false;
	r->rx.version = r->version;
	r->rx.dts = cfg->data_transfer_size;
	r->rx.max_size = cfg->max_spdm_msg_size;
	ret = spdm_chunk_rx_add(&r->rx, &ch, "CHUNK_SEND", NULL);
	if (ret < 0) {
		spdm_chunk_rx_reset(&r->rx);
		return ack_error(c, &ch, ret == -EMSGSIZE ? SPDM_ERR_REQUEST_TOO_LARGE :
			       SPDM_ERR_INVALID_REQUEST);
	}
	if (!ret)
		return ack(c, &ch, 0, NULL, 0);

	inner = malloc(c->w.cap);
	if (!inner)
		return -ENOMEM;
	n = rsp_dispatch_one(r, r->rx.buf.data, r->rx.buf.len, inner, c->w.cap, overhead);
	spdm_chunk_rx_reset(&r->rx);
	if (n < 0) {
		free(inner);
		return n;
	}
	ret = ack(c, &ch, 0, inner, (size_t)n);
	free(inner);
	return ret;
}
