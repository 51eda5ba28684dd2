// SPDX-License-Identifier: MIT
/*
 * One connection to an emulated device: the SPDM state machine, the
 * transcripts (A = VCA, B = digests/certificates, L1 = measurements) and
 * the faults that apply to every request (busy, not-ready, wrong
 * version/code).  One file per request handles the rest (rsp-*.c).
 *
 * Transcript rules (DSP0274, as libspdm's responder applies them): every
 * request other than GET_MEASUREMENTS restarts L1; GET_MEASUREMENTS
 * restarts B (a CHALLENGE after it no longer covers the certificate
 * reads); CHALLENGE_AUTH restarts B after it is signed; GET_VERSION
 * restarts everything.  Only successful exchanges are appended, with
 * their true lengths; ERROR and RESPOND_IF_READY never are (the deferred
 * request and its final response are), and an ERROR to GET_MEASUREMENTS
 * restarts L1.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "responder_internal.h"
#include "transport/framing.h"

#define BIT_SET(arr, b) ((arr)[(b) / 8] & (1u << ((b) % 8)))
#define BIT_ON(arr, b) ((arr)[(b) / 8] |= (uint8_t)(1u << ((b) % 8)))

static bool is_known_request(uint8_t code)
{
	switch (code) {
	case SPDM_GET_VERSION:
	case SPDM_GET_CAPABILITIES:
	case SPDM_NEGOTIATE_ALGORITHMS:
	case SPDM_GET_DIGESTS:
	case SPDM_GET_CERTIFICATE:
	case SPDM_CHALLENGE:
	case SPDM_GET_MEASUREMENTS:
	case SPDM_RESPOND_IF_READY:
	case SPDM_KEY_EXCHANGE:
	case SPDM_FINISH:
	case SPDM_PSK_EXCHANGE:
	case SPDM_PSK_FINISH:
	case SPDM_HEARTBEAT:
	case SPDM_KEY_UPDATE:
	case SPDM_END_SESSION:
		return true;
	default:
		return false;
	}
}

/* not-ready-once / not-ready-forever apply to the requests that sign. */
static int maybe_defer(struct rsp_ctx *c)
{
	struct spdm_responder *r = c->r;
	uint8_t code = c->hdr.code;
	int ret;

	if (r->in_deferred || (code != SPDM_CHALLENGE && code != SPDM_GET_MEASUREMENTS))
		return 0;
	if (!(r->faults & RSP_FAULT(RSP_FAULT_NOT_READY_FOREVER))) {
		if (!(r->faults & RSP_FAULT(RSP_FAULT_NOT_READY_ONCE)) ||
		    BIT_SET(r->not_ready_done, code))
			return 0;
		BIT_ON(r->not_ready_done, code);
	}
	da_buf_reset(&r->pending);
	ret = da_buf_append(&r->pending, c->req, c->req_len);
	if (ret < 0)
		return ret;
	r->have_pending = true;
	r->pending_code = code;
	r->pending_token = r->next_token++;
	c->w.len = 0;
	return spdm_encode_response_not_ready(&c->w, r->version, r->dev->cfg.rdt_exponent, code,
					      r->pending_token, 2);
}

static int dispatch_request(struct rsp_ctx *c)
{
	struct spdm_responder *r = c->r;
	uint8_t code = c->hdr.code;
	int ret;

	if (r->faults & RSP_FAULT(RSP_FAULT_BUSY))
		return rsp_error(c, SPDM_ERR_BUSY, 0);
	if ((r->faults & RSP_FAULT(RSP_FAULT_BUSY_ONCE)) && !r->in_deferred &&
	    !BIT_SET(r->busy_once_done, code)) {
		BIT_ON(r->busy_once_done, code);
		return rsp_error(c, SPDM_ERR_BUSY, 0);
	}
	if (code == SPDM_GET_VERSION)
		return rsp_get_version(c);
	/* after GET_CAPABILITIES every request carries the negotiated version */
	if (r->state >= RSP_AFTER_CAPS && c->hdr.version != r->version)
		return rsp_error(c, SPDM_ERR_VERSION_MISMATCH, 0);
	if (!is_known_request(code))
		return rsp_error(c, SPDM_ERR_UNSUPPORTED_REQUEST, code);
	if (code == SPDM_RESPOND_IF_READY)
		return rsp_respond_if_ready(c);
	if (code != SPDM_GET_CAPABILITIES && code != SPDM_NEGOTIATE_ALGORITHMS &&
	    r->state != RSP_NEGOTIATED)
		return rsp_error(c, SPDM_ERR_UNEXPECTED_REQUEST, 0);

	if (code != SPDM_GET_MEASUREMENTS)
		da_buf_reset(&r->l1);
	else
		da_buf_reset(&r->b);

	ret = maybe_defer(c);
	if (ret)
		return ret;

	switch (code) {
	case SPDM_GET_CAPABILITIES:
		return rsp_get_capabilities(c);
	case SPDM_NEGOTIATE_ALGORITHMS:
		return rsp_negotiate_algorithms(c);
	case SPDM_GET_DIGESTS:
		return rsp_get_digests(c);
	case SPDM_GET_CERTIFICATE:
		return rsp_get_certificate(c);
	case SPDM_CHALLENGE:
		return rsp_challenge(c);
	case SPDM_GET_MEASUREMENTS:
		return rsp_get_measurements(c);
	case SPDM_KEY_EXCHANGE:
		return rsp_key_exchange(c);
	case SPDM_FINISH:
		return rsp_finish(c);
	case SPDM_PSK_EXCHANGE:
		return rsp_psk_exchange(c);
	case SPDM_PSK_FINISH:
	case SPDM_HEARTBEAT:
	case SPDM_KEY_UPDATE:
	case SPDM_END_SESSION:
		return rsp_outside_session(c);
	default:
		return rsp_error(c, SPDM_ERR_UNSUPPORTED_REQUEST, code);
	}
}

static int dispatch_one(struct spdm_responder *r, const uint8_t *req, size_t req_len,
			uint8_t *rsp, size_t rsp_cap, size_t overhead)
{
	struct rsp_ctx c = {
		.r = r, .req = req, .req_len = req_len, .w = wcur_init(rsp, rsp_cap),
	};
	int ret;

	if (spdm_decode_hdr(req, req_len, &c.hdr, NULL) < 0)
		return rsp_error(&c, SPDM_ERR_INVALID_REQUEST, 0);
	/* a large request is a message, not a chunk of one */
	if (overhead && (c.hdr.code == SPDM_CHUNK_SEND || c.hdr.code == SPDM_CHUNK_GET))
		return rsp_error(&c, SPDM_ERR_INVALID_REQUEST, 0);
	ret = dispatch_request(&c);
	if (ret < 4)
		return ret;
	/* faults that bend any response after it was built (and transcribed) */
	if ((r->faults & RSP_FAULT(RSP_FAULT_WRONG_VERSION)) && rsp[1] != SPDM_VERSION &&
	    rsp[1] != SPDM_ERROR)
		rsp[0] = rsp[0] == SPDM_VER_10 ? SPDM_VER_11 : (uint8_t)(rsp[0] - 1);
	if ((r->faults & RSP_FAULT(RSP_FAULT_WRONG_CODE)) && rsp[1] == SPDM_DIGESTS)
		rsp[1] = SPDM_CERTIFICATE;
	/* what does not fit the requester's DataTransferSize is fetched with CHUNK_GET */
	if (rsp[1] != SPDM_ERROR && rsp_too_large(r, (size_t)ret + overhead))
		return rsp_make_large(&c, (size_t)ret);
	return ret;
}

int rsp_dispatch(struct spdm_responder *r, const uint8_t *req, size_t req_len, uint8_t *rsp,
		 size_t rsp_cap)
{
	struct rsp_ctx c = {
		.r = r, .req = req, .req_len = req_len, .w = wcur_init(rsp, rsp_cap),
	};

	if (!r->in_deferred)
		r->faults = rsp_device_faults(r->dev);
	if (spdm_decode_hdr(req, req_len, &c.hdr, NULL) < 0)
		return rsp_error(&c, SPDM_ERR_INVALID_REQUEST, 0);
	if (c.hdr.code == SPDM_CHUNK_SEND || c.hdr.code == SPDM_CHUNK_GET) {
		if (!(r->dev->cfg.caps & SPDM_CAP_CHUNK) || r->version < SPDM_VER_12)
			return rsp_error(&c, SPDM_ERR_UNSUPPORTED_REQUEST, c.hdr.code);
		if (!rsp_chunking(r))
			return rsp_error(&c, SPDM_ERR_UNEXPECTED_REQUEST, 0);
		if (c.hdr.version != r->version)
			return rsp_error(&c, SPDM_ERR_VERSION_MISMATCH, 0);
		return c.hdr.code == SPDM_CHUNK_SEND ? rsp_chunk_send(&c) : rsp_chunk_get(&c);
	}
	/* any other request abandons a large message in progress */
	rsp_chunk_reset(r);
	/* 1.2+: one transfer is at most our DataTransferSize */
	if (r->state >= RSP_AFTER_CAPS && r->version >= SPDM_VER_12 &&
	    req_len > r->dev->cfg.data_transfer_size + da_framing_max_pad(r->framing))
		return rsp_error(&c, SPDM_ERR_REQUEST_TOO_LARGE, 0);
	return dispatch_one(r, req, req_len, rsp, rsp_cap, 0);
}

int spdm_responder_handle(struct spdm_responder *r, const uint8_t *req, size_t req_len,
			  uint8_t *rsp, size_t rsp_cap)
{
	uint64_t gen = rsp_device_reset_gen(r->dev);

	/* the device was reset under us: the link goes down, the state is gone */
	if (gen != r->gen) {
		r->gen = gen;
		rsp_reset_connection(r);
		return -ECONNRESET;
	}
	return rsp_dispatch(r, req, req_len, rsp, rsp_cap);
}

int spdm_responder_transport(void *ctx, const uint8_t *req, size_t req_len, uint8_t *rsp,
			     size_t rsp_cap)
{
	struct spdm_responder *r = ctx;
	enum da_payload_kind kind;
	const uint8_t *payload;
	size_t plen;
	struct wcur w = wcur_init(rsp, rsp_cap);
	uint8_t *tmp;
	int ret;

	if (da_frame_decode(r->framing, req, req_len, &kind, &payload, &plen, NULL) < 0)
		return 0;	/* not ours to answer: a real device ignores it */
	switch (kind) {
	case DA_PAYLOAD_DOE_DISCOVERY:
		ret = da_doe_discovery_answer(payload, plen, &w, NULL);
		return ret < 0 ? 0 : ret;
	case DA_PAYLOAD_SPDM:
		break;
	case DA_PAYLOAD_SECURED_SPDM:
		return rsp_transport_secured(r, payload, plen, &w);
	default:
		return 0;
	}
	tmp = malloc(rsp_cap ? rsp_cap : 1);
	if (!tmp)
		return -ENOMEM;
	ret = spdm_responder_handle(r, payload, plen, tmp, rsp_cap);
	if (ret > 0)
		ret = da_frame_encode(r->framing, DA_PAYLOAD_SPDM, tmp, (size_t)ret, &w);
	free(tmp);
	return ret;
}

struct spdm_responder *spdm_responder_new(struct rsp_device *d, enum da_framing framing)
{
	struct spdm_responder *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->dev = d;
	r->framing = framing;
	r->gen = rsp_device_reset_gen(d);
	r->dispatch_one = dispatch_one;
	return r;
}

void spdm_responder_free(struct spdm_responder *r)
{
	if (!r)
		return;
	rsp_reset_connection(r);
	rsp_tdisp_free(r);
	rsp_cxl_reset(r);
	da_buf_free(&r->a);
	da_buf_free(&r->b);
	da_buf_free(&r->l1);
	da_buf_free(&r->pending);
	spdm_chunk_rx_free(&r->rx);
	da_buf_free(&r->large);
	da_buf_free(&r->sec_plain);
	da_buf_free(&r->sec_rsp);
	free(r);
}
