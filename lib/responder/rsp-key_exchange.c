// SPDX-License-Identifier: MIT
/*
 * KEY_EXCHANGE / KEY_EXCHANGE_RSP: a fresh DHE key pair, the shared
 * secret with the requester's ExchangeData, and the response signed with
 * the slot's key over VCA, Hash(the slot's chain), KEY_EXCHANGE and
 * KEY_EXCHANGE_RSP up to the Signature (1.2+: with the
 * "responder-key_exchange_rsp signing" context).  TH1 adds the
 * Signature; it gives the handshake keys and, unless both sides have
 * HANDSHAKE_IN_THE_CLEAR_CAP, the ResponderVerifyData.  The transcript
 * stays with the session for FINISH (rsp-finish.c).
 */
#include <errno.h>
#include <string.h>

#include <openssl/crypto.h>

#include "crypto/crypto.h"
#include "responder_internal.h"

/* Everything after the request is decoded and the session exists. */
static int respond(struct rsp_ctx *c, struct rsp_session *s, const struct spdm_key_exchange *k,
		   uint16_t sm_version)
{
	struct spdm_responder *r = c->r;
	struct rsp_slot *slot = &r->slot[k->slot];
	struct spdm_key_exchange_rsp kr = { 0 };
	uint8_t random[SPDM_RANDOM_SIZE], pub[SPDM_MAX_DHE_SIZE], secret[SPDM_MAX_DHE_SIZE];
	uint8_t summary[SPDM_MAX_HASH_SIZE], opaque[64], th[SPDM_MAX_HASH_SIZE];
	uint8_t sig[SPDM_MAX_SIG_SIZE], vd[SPDM_MAX_HASH_SIZE];
	EVP_PKEY *dhe = NULL;
	int ret, n;

	ret = rsp_req_meas_summary(r, k->meas_summary_type, summary, &kr.meas_summary_hash);
	if (ret)
		return rsp_error(c, (uint8_t)ret, 0);
	n = rsp_session_sm_opaque(r, sm_version, opaque, sizeof(opaque));
	if (n < 0 || da_random(random, sizeof(random)) ||
	    spdm_dhe_generate(r->dhe, &dhe, pub, NULL))
		return rsp_error(c, SPDM_ERR_UNSPECIFIED, 0);
	/* an ExchangeData off the curve or out of range is the requester's fault */
	if (spdm_dhe_derive(dhe, r->dhe, k->exchange, secret, NULL)) {
		ret = rsp_error(c, SPDM_ERR_INVALID_REQUEST, 0);
		goto out;
	}
	kr.heartbeat_period = (r->dev->cfg.caps & SPDM_CAP_HBEAT) ?
			      r->dev->cfg.heartbeat_period : 0;
	kr.rsp_session_id = (uint16_t)(s->s.id >> 16);
	kr.random = random;
	kr.exchange = pub;
	kr.opaque = opaque;
	kr.opaque_len = (uint16_t)n;
	n = spdm_encode_key_exchange_rsp_unsigned(&c->w, &s->sp, &kr);
	if (n < 0) {
		ret = n;
		goto out;
	}
	/* VCA, Ct, KEY_EXCHANGE, KEY_EXCHANGE_RSP before the Signature */
	ret = da_buf_append(&s->th, r->a.data, r->a.len) ?:
	      da_buf_append(&s->th, slot->digest, r->p.hash_size) ?:
	      da_buf_append(&s->th, c->req, c->req_len) ?:
	      da_buf_append(&s->th, c->w.p, (size_t)n) ?: rsp_session_th(s, th) ?:
	      spdm_sign(slot->key, r->asym, r->hash, r->version, SPDM_CTX_KEY_EXCHANGE_RSP, th,
			sig, NULL);
	if (ret)
		goto fail;
	if (r->faults & RSP_FAULT(RSP_FAULT_BAD_KEY_EXCHANGE_SIG))
		sig[r->p.sig_size / 2] ^= 0x01;
	wcur_bytes(&c->w, sig, r->p.sig_size);
	/* TH1 */
	ret = da_buf_append(&s->th, sig, r->p.sig_size) ?: rsp_session_th(s, th) ?:
	      spdm_sess_derive_handshake(&s->s, secret, spdm_dhe_secret_size(r->dhe), false, th,
					 NULL);
	if (ret)
		goto fail;
	if (!s->in_clear) {
		ret = spdm_sess_verify_data(&s->s, SPDM_DIR_RSP, th, vd);
		if (ret)
			goto fail;
		if (r->faults & RSP_FAULT(RSP_FAULT_BAD_RSP_VERIFY_DATA))
			vd[0] ^= 0x01;
		wcur_bytes(&c->w, vd, r->p.hash_size);
		ret = da_buf_append(&s->th, vd, r->p.hash_size);
		OPENSSL_cleanse(vd, sizeof(vd));
		if (ret)
			goto fail;
	}
	ret = (int)wcur_finish(&c->w);
	if (ret < 0)
		goto fail;
	goto out;
fail:
	ret = rsp_error(c, SPDM_ERR_UNSPECIFIED, 0);
	rsp_session_free(s);
out:
	OPENSSL_cleanse(secret, sizeof(secret));
	OPENSSL_cleanse(th, sizeof(th));
	EVP_PKEY_free(dhe);
	return ret;
}

int rsp_key_exchange(struct rsp_ctx *c)
{
	struct spdm_responder *r = c->r;
	const struct rsp_device_config *cfg = &r->dev->cfg;
	struct spdm_sess_params sp = { .p = r->p };
	struct spdm_key_exchange k;
	struct rsp_session *s;
	uint16_t sm_version;
	int ret;

	/* as libspdm: unsupported unless both sides advertised it */
	if (!(cfg->caps & SPDM_CAP_KEY_EX) || !rsp_session_caps(r, SPDM_CAP_KEY_EX))
		return rsp_error(c, SPDM_ERR_UNSUPPORTED_REQUEST, c->hdr.code);
	if (!r->dhe || !r->aead)
		return rsp_error(c, SPDM_ERR_UNEXPECTED_REQUEST, 0);
	sp.dhe_size = (uint16_t)spdm_dhe_size(r->dhe);
	if (rsp_check_len(c, spdm_decode_key_exchange(c->req, c->req_len, &sp, &k, NULL)))
		return rsp_error(c, SPDM_ERR_INVALID_REQUEST, 0);
	/* slot 0xFF means a provisioned public key: we have certificates only */
	if (k.slot >= SPDM_MAX_SLOTS || !r->slot[k.slot].present)
		return rsp_error(c, SPDM_ERR_INVALID_REQUEST, 0);
	if (rsp_session_sm_version(r, k.opaque, k.opaque_len, &sm_version))
		return rsp_error(c, SPDM_ERR_INVALID_REQUEST, 0);
	s = rsp_session_new(r, k.req_session_id, false, sm_version, NULL);
	if (!s)
		return rsp_error(c, SPDM_ERR_SESSION_LIMIT_EXCEEDED, 0);
	s->slot = k.slot;
	s->in_clear = (cfg->caps & r->req_caps.flags & SPDM_CAP_HANDSHAKE_IN_THE_CLEAR) != 0;
	s->sp.in_clear = s->in_clear;
	ret = respond(c, s, &k, sm_version);
	if (ret >= 2 && c->w.p[1] == SPDM_ERROR)
		rsp_session_free(s);
	return ret;
}
