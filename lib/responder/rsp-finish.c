// SPDX-License-Identifier: MIT
/*
 * FINISH / FINISH_RSP: the RequesterVerifyData must be HMAC(the request
 * direction's finished key, Hash(TH1 transcript ... FINISH up to it)).
 * A FINISH that does not verify ends the session: ERROR DecryptError,
 * inside the session under the handshake keys (then they are wiped) or
 * in the clear, as libspdm answers it.  A malformed FINISH gets ERROR
 * InvalidRequest and leaves the handshake as it was.  Inside the session FINISH_RSP carries no verify
 * data and goes out under the handshake keys, so the data keys are
 * derived only after it is sealed (rsp-session.c); in the clear
 * FINISH_RSP carries ResponderVerifyData and the keys change at once.
 * TH2 is the whole transcript up to and with FINISH_RSP.  Mutual
 * authentication is not offered: a FINISH with a Signature is refused.
 */
#include <errno.h>
#include <string.h>

#include <openssl/crypto.h>

#include "crypto/crypto.h"
#include "responder_internal.h"

/* The one session whose handshake runs in the clear, for a plain FINISH. */
static struct rsp_session *clear_session(struct spdm_responder *r)
{
	for (int i = 0; i < RSP_MAX_SESSIONS; i++) {
		struct rsp_session *s = &r->sess[i];

		if (s->used && !s->psk && s->in_clear && s->s.state == SPDM_SESS_HANDSHAKE)
			return s;
	}
	return NULL;
}

int rsp_finish(struct rsp_ctx *c)
{
	struct spdm_responder *r = c->r;
	struct rsp_session *s = r->cur_sess ? r->cur_sess : clear_session(r);
	struct spdm_finish f;
	struct spdm_finish_rsp fr = { 0 };
	uint8_t th[SPDM_MAX_HASH_SIZE], vd[SPDM_MAX_HASH_SIZE];
	size_t h;
	int ret, n;

	if (!(r->dev->cfg.caps & SPDM_CAP_KEY_EX) || !rsp_session_caps(r, SPDM_CAP_KEY_EX))
		return rsp_error(c, SPDM_ERR_UNSUPPORTED_REQUEST, c->hdr.code);
	/* a handshake that is not in the clear takes FINISH inside its session only */
	if (!s)
		return rsp_error(c, r->version >= SPDM_VER_12 ? SPDM_ERR_SESSION_REQUIRED :
								SPDM_ERR_UNEXPECTED_REQUEST, 0);
	h = r->p.hash_size;
	/* no mutual authentication: no Signature (ReqSlotID is reserved without one) */
	if (rsp_check_len(c, spdm_decode_finish(c->req, c->req_len, &s->sp, &f, NULL)) ||
	    (f.attributes & SPDM_FINISH_SIGNATURE_INCLUDED))
		return rsp_error(c, SPDM_ERR_INVALID_REQUEST, 0);
	ret = rsp_session_req_verify(c, s, f.verify_off, f.verify_data);
	if (ret)
		return ret;
	n = spdm_encode_finish_rsp_unsigned(&c->w, &s->sp, &fr);
	ret = n < 0 ? n : da_buf_append(&s->th, f.verify_data, h);
	if (!ret && s->in_clear) {
		ret = da_buf_append(&s->th, c->w.p, (size_t)n) ?: rsp_session_th(s, th) ?:
		      spdm_sess_verify_data(&s->s, SPDM_DIR_RSP, th, vd);
		if (!ret) {
			if (r->faults & RSP_FAULT(RSP_FAULT_BAD_RSP_VERIFY_DATA))
				vd[0] ^= 0x01;
			wcur_bytes(&c->w, vd, h);
			ret = da_buf_append(&s->th, vd, h) ?: rsp_session_th(s, th) ?:
			      spdm_sess_derive_data(&s->s, th, NULL);
		}
	} else if (!ret) {
		ret = da_buf_append(&s->th, c->w.p, (size_t)n);
		s->derive_after = true;
	}
	OPENSSL_cleanse(vd, sizeof(vd));
	OPENSSL_cleanse(th, sizeof(th));
	if (!ret)
		ret = (int)wcur_finish(&c->w);
	if (ret < 0) {
		rsp_session_free(s);
		return rsp_error(c, SPDM_ERR_UNSPECIFIED, 0);
	}
	/* the handshake transcript is done with */
	if (!s->derive_after)
		da_buf_free(&s->th);
	return ret;
}
