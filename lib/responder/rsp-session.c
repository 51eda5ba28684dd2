// SPDX-License-Identifier: MIT
/*
 * The responder's secure sessions: up to RSP_MAX_SESSIONS per
 * connection (the DMTF requester keeps a KEY_EXCHANGE session open while
 * it opens a PSK one) and the path of a secured request: open it with
 * lib/session, answer it with the handler of its code, seal the answer.
 * What the session handlers share (a new session slot, the
 * secured-message version choice, TH) is in rsp-session-core.c.
 *
 * A secured message this responder cannot attribute or open is answered
 * in the clear, as DSP0277 leaves it to the responder and libspdm does:
 * ERROR InvalidSession for an unknown SessionID, ERROR DecryptError for
 * one that fails its checks, and then that session is gone (lib/session
 * wiped it).  Inside a session in its handshake only FINISH (or
 * PSK_FINISH) is allowed; established sessions take HEARTBEAT,
 * KEY_UPDATE, END_SESSION and GET_DIGESTS / GET_CERTIFICATE /
 * GET_MEASUREMENTS.  In-session measurements have their own L1 (VCA and
 * the session's measurement messages, as the signature code already
 * builds it from r->a); in-session certificate reads leave the outside
 * transcript B alone.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "crypto/crypto.h"
#include "responder_internal.h"
#include "transport/framing.h"

static struct rsp_session *find(struct spdm_responder *r, uint32_t id)
{
	for (int i = 0; i < RSP_MAX_SESSIONS; i++) {
		struct rsp_session *s = &r->sess[i];

		if (s->used && s->s.id == id &&
		    (s->s.state == SPDM_SESS_HANDSHAKE || s->s.state == SPDM_SESS_ESTABLISHED))
			return s;
	}
	return NULL;
}

/* A request inside s: only what DSP0274 allows in a session's current phase. */
static int session_request(struct spdm_responder *r, struct rsp_session *s, const uint8_t *req,
			   size_t len, uint8_t *rsp, size_t cap)
{
	struct rsp_ctx c = { .r = r, .req = req, .req_len = len, .w = wcur_init(rsp, cap) };
	struct da_buf outer_b = { 0 };
	int ret;

	if (spdm_decode_hdr(req, len, &c.hdr, NULL) < 0)
		return rsp_error(&c, SPDM_ERR_INVALID_REQUEST, 0);
	if (c.hdr.version != r->version)
		return rsp_error(&c, SPDM_ERR_VERSION_MISMATCH, 0);
	if (s->s.state == SPDM_SESS_HANDSHAKE) {
		if (c.hdr.code == SPDM_FINISH && !s->psk && !s->in_clear)
			return rsp_finish(&c);
		if (c.hdr.code == SPDM_PSK_FINISH && s->psk)
			return rsp_psk_finish(&c);
		return rsp_error(&c, SPDM_ERR_UNEXPECTED_REQUEST, 0);
	}
	if (c.hdr.code != SPDM_GET_MEASUREMENTS)
		da_buf_reset(&s->l1);
	switch (c.hdr.code) {
	case SPDM_HEARTBEAT:
		return rsp_heartbeat(&c);
	case SPDM_KEY_UPDATE:
		return rsp_key_update(&c);
	case SPDM_END_SESSION:
		return rsp_end_session(&c);
	case SPDM_GET_DIGESTS:
	case SPDM_GET_CERTIFICATE:
		outer_b = r->b;
		memset(&r->b, 0, sizeof(r->b));
		ret = c.hdr.code == SPDM_GET_DIGESTS ? rsp_get_digests(&c) :
						       rsp_get_certificate(&c);
		da_buf_free(&r->b);
		r->b = outer_b;
		return ret;
	case SPDM_GET_MEASUREMENTS: {
		struct da_buf outer_l1 = r->l1;

		r->l1 = s->l1;
		ret = rsp_get_measurements(&c);
		s->l1 = r->l1;
		r->l1 = outer_l1;
		return ret;
	}
	case SPDM_VENDOR_DEFINED_REQUEST:
		return rsp_vendor_defined(&c);
	case SPDM_GET_VERSION:
	case SPDM_GET_CAPABILITIES:
	case SPDM_NEGOTIATE_ALGORITHMS:
	case SPDM_CHALLENGE:
	case SPDM_KEY_EXCHANGE:
	case SPDM_FINISH:
	case SPDM_PSK_EXCHANGE:
	case SPDM_PSK_FINISH:
		return rsp_error(&c, SPDM_ERR_UNEXPECTED_REQUEST, 0);
	default:
		return rsp_error(&c, SPDM_ERR_UNSUPPORTED_REQUEST, c.hdr.code);
	}
}

static int clear_error(struct spdm_responder *r, uint8_t code, uint8_t *out, size_t cap,
		       bool *secured)
{
	struct wcur w = wcur_init(out, cap);

	*secured = false;
	return spdm_encode_error(&w, r->state >= RSP_AFTER_CAPS ? r->version : SPDM_VER_10, code,
				 0, NULL, 0);
}

/* The session faults bend a sealed response (docs/faults.md). */
static void bend_sealed(struct spdm_responder *r, struct rsp_session *s, uint8_t *m, size_t n)
{
	if (r->faults & RSP_FAULT(RSP_FAULT_BAD_MAC))
		m[n - 1] ^= 0x01;
	if (r->faults & RSP_FAULT(RSP_FAULT_WRONG_SESSION_ID))
		m[3] ^= 0x01;	/* the RspSessionID's high byte */
	/*
	 * Every response goes out with the sequence number of the first
	 * one under these keys: rewinding the counter of lib/session is the
	 * one way to build a replay that still carries a valid MAC.
	 */
	if (r->faults & RSP_FAULT(RSP_FAULT_REPLAY_SEQ))
		s->s.dir[SPDM_DIR_RSP].seq = 0;
}

int rsp_secured(struct spdm_responder *r, const uint8_t *msg, size_t len, uint8_t *out,
		size_t cap, bool *secured)
{
	struct rsp_session *s;
	uint8_t *plain = NULL, *rsp = NULL, th[SPDM_MAX_HASH_SIZE];
	const uint8_t *spdm;
	size_t slen, over, rsp_len = 0;
	struct wcur w;
	uint32_t id;
	int ret;

	*secured = true;
	r->faults = rsp_device_faults(r->dev);
	if (r->state != RSP_NEGOTIATED || spdm_sess_peek_id(msg, len, &id) ||
	    !(s = find(r, id)))
		return clear_error(r, SPDM_ERR_INVALID_SESSION, out, cap, secured);
	over = spdm_sess_overhead(&s->s);
	/* the connection's buffers, grown to the largest message so far */
	r->sec_plain.len = r->sec_rsp.len = 0;
	if (da_buf_reserve(&r->sec_plain, len ? len : 1) ||
	    da_buf_reserve(&r->sec_rsp, cap ? cap : 1)) {
		ret = -ENOMEM;
		goto out;
	}
	plain = r->sec_plain.data;
	rsp = r->sec_rsp.data;
	if (spdm_sess_open(&s->s, msg, len, plain, len, &spdm, &slen, NULL)) {
		rsp_session_free(s);
		ret = clear_error(r, SPDM_ERR_DECRYPT_ERROR, out, cap, secured);
		goto out;
	}
	r->cur_sess = s;
	ret = session_request(r, s, spdm, slen, rsp, cap > over ? cap - over : 0);
	r->cur_sess = NULL;
	if (ret <= 0)
		goto out;	/* nothing to send (heartbeat-silent), or a failure */
	rsp_len = (size_t)ret;
	if (!s->used) {
		/* the handler ended the session (a FINISH that does not verify): no keys left */
		*secured = false;
		ret = rsp_len <= cap ? (int)rsp_len : -EMSGSIZE;
		if (ret > 0)
			memcpy(out, rsp, rsp_len);
		goto out;
	}
	w = wcur_init(out, cap);
	ret = spdm_sess_seal(&s->s, rsp, (size_t)ret, &w, NULL);
	if (ret < 0) {
		rsp_session_free(s);
		goto out;
	}
	bend_sealed(r, s, out, (size_t)ret);
	s->sealed++;
	if (s->derive_after) {
		s->derive_after = false;
		if (rsp_session_th(s, th) || spdm_sess_derive_data(&s->s, th, NULL))
			rsp_session_free(s);
		else
			da_buf_free(&s->th);
		OPENSSL_cleanse(th, sizeof(th));
	}
	if (s->end_after)
		rsp_session_free(s);
out:
	if (plain)
		OPENSSL_cleanse(plain, len);
	if (rsp)
		OPENSSL_cleanse(rsp, rsp_len);
	return ret;
}

int rsp_outside_session(struct rsp_ctx *c)
{
	struct spdm_responder *r = c->r;
	uint32_t need;

	bool ok;

	switch (c->hdr.code) {
	case SPDM_HEARTBEAT:
	case SPDM_KEY_UPDATE:
		need = c->hdr.code == SPDM_HEARTBEAT ? SPDM_CAP_HBEAT : SPDM_CAP_KEY_UPD;
		ok = rsp_session_caps(r, SPDM_CAP_KEY_EX | SPDM_CAP_PSK_MASK) &&
		     (r->dev->cfg.caps & r->req_caps.flags & need);
		break;
	case SPDM_PSK_FINISH:
		ok = rsp_session_caps(r, SPDM_CAP_PSK_MASK);
		break;
	default:
		ok = rsp_session_caps(r, SPDM_CAP_KEY_EX | SPDM_CAP_PSK_MASK);
		break;
	}
	if (!ok)
		return rsp_error(c, SPDM_ERR_UNSUPPORTED_REQUEST, c->hdr.code);
	/* 1.2 named the error for exactly this */
	return rsp_error(c, r->version >= SPDM_VER_12 ? SPDM_ERR_SESSION_REQUIRED :
							SPDM_ERR_UNEXPECTED_REQUEST, 0);
}

int rsp_transport_secured(struct spdm_responder *r, const uint8_t *payload, size_t len,
			  struct wcur *w)
{
	uint64_t gen = rsp_device_reset_gen(r->dev);
	size_t cap = w->cap > 64 ? w->cap - 64 : 0;
	uint8_t *tmp;
	bool secured;
	int ret;

	/* the device was reset under us: the link goes down, the sessions are gone */
	if (gen != r->gen) {
		r->gen = gen;
		rsp_reset_connection(r);
		return -ECONNRESET;
	}
	tmp = malloc(cap ? cap : 1);
	if (!tmp)
		return -ENOMEM;
	ret = rsp_secured(r, payload, len, tmp, cap, &secured);
	if (ret > 0)
		ret = da_frame_encode(r->framing,
				      secured ? DA_PAYLOAD_SECURED_SPDM : DA_PAYLOAD_SPDM, tmp,
				      (size_t)ret, w);
	free(tmp);
	return ret;
}
