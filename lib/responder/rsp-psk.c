// SPDX-License-Identifier: MIT
/*
 * PSK_EXCHANGE / PSK_EXCHANGE_RSP and PSK_FINISH / PSK_FINISH_RSP.  The
 * PSKHint must name the device's PSK (an empty hint matches a device
 * without one).  TH1 = VCA, PSK_EXCHANGE, PSK_EXCHANGE_RSP up to the
 * ResponderVerifyData; the handshake secret comes from the PSK.  With
 * PSK_CAP 10b the response carries a ResponderContext and the requester
 * must send PSK_FINISH (inside the session, under the handshake keys);
 * with 01b there is none and the data keys follow from TH1 with the
 * verify data at once.  A CXL TSP device also opens its secondary
 * sessions here, with the PSKs its configuration delivered
 * (rsp_cxl_secondary_psk()).
 */
#include <errno.h>
#include <string.h>

#include <openssl/crypto.h>

#include "crypto/crypto.h"
#include "responder_internal.h"

static bool with_context(const struct spdm_responder *r)
{
	return (r->dev->cfg.caps & SPDM_CAP_PSK_MASK) == RSP_PSK_CAP_WITH_CONTEXT;
}

static bool hint_matches(const struct rsp_device_config *cfg, const struct spdm_psk_exchange *k)
{
	return k->hint_len == cfg->psk_hint_len &&
	       (!k->hint_len || !CRYPTO_memcmp(k->hint, cfg->psk_hint, k->hint_len));
}

static int respond(struct rsp_ctx *c, struct rsp_session *s, const struct spdm_psk_exchange *k,
		   uint16_t sm_version, const uint8_t *psk, size_t psk_len)
{
	struct spdm_responder *r = c->r;
	const struct rsp_device_config *cfg = &r->dev->cfg;
	struct spdm_psk_exchange_rsp kr = { 0 };
	uint8_t summary[SPDM_MAX_HASH_SIZE], opaque[64], th[SPDM_MAX_HASH_SIZE];
	uint8_t ctx[SPDM_MAX_HASH_SIZE], vd[SPDM_MAX_HASH_SIZE];
	size_t h = r->p.hash_size;
	int ret, n;

	ret = rsp_req_meas_summary(r, k->meas_summary_type, summary, &kr.meas_summary_hash);
	if (ret)
		return rsp_error(c, (uint8_t)ret, 0);
	n = rsp_session_sm_opaque(r, sm_version, opaque, sizeof(opaque));
	if (n < 0 || da_random(ctx, h))
		return rsp_error(c, SPDM_ERR_UNSPECIFIED, 0);
	kr.heartbeat_period = (cfg->caps & SPDM_CAP_HBEAT) ? cfg->heartbeat_period : 0;
	kr.rsp_session_id = (uint16_t)(s->s.id >> 16);
	kr.context = with_context(r) ? ctx : NULL;
	kr.context_len = with_context(r) ? (uint16_t)h : 0;
	kr.opaque = opaque;
	kr.opaque_len = (uint16_t)n;
	n = spdm_encode_psk_exchange_rsp_unsigned(&c->w, &s->sp, &kr);
	if (n < 0)
		return n;
	ret = da_buf_append(&s->th, r->a.data, r->a.len) ?:
	      da_buf_append(&s->th, c->req, c->req_len) ?:
	      da_buf_append(&s->th, c->w.p, (size_t)n) ?: rsp_session_th(s, th) ?:
	      spdm_sess_derive_handshake(&s->s, psk, psk_len, true, th, NULL) ?:
	      spdm_sess_verify_data(&s->s, SPDM_DIR_RSP, th, vd);
	if (ret)
		goto fail;
	if (r->faults & RSP_FAULT(RSP_FAULT_BAD_RSP_VERIFY_DATA))
		vd[0] ^= 0x01;
	wcur_bytes(&c->w, vd, h);
	ret = da_buf_append(&s->th, vd, h);
	if (!ret && !with_context(r))
		ret = rsp_session_th(s, th) ?: spdm_sess_derive_data(&s->s, th, NULL);
	if (ret)
		goto fail;
	ret = (int)wcur_finish(&c->w);
	if (ret >= 0)
		goto out;
fail:
	ret = rsp_error(c, SPDM_ERR_UNSPECIFIED, 0);
out:
	OPENSSL_cleanse(vd, sizeof(vd));
	OPENSSL_cleanse(th, sizeof(th));
	return ret;
}

int rsp_psk_exchange(struct rsp_ctx *c)
{
	struct spdm_responder *r = c->r;
	const struct rsp_device_config *cfg = &r->dev->cfg;
	struct spdm_sess_params sp = { .p = r->p };
	const uint8_t *psk = cfg->psk, *cxl_psk = NULL;
	size_t psk_len = cfg->psk_len;
	struct spdm_psk_exchange k;
	struct rsp_session *s;
	uint16_t sm_version;
	uint8_t cxl_index = 0;
	int ret;

	/* without a PSK of its own, a CXL TSP device may still take secondary sessions */
	if (!(cfg->caps & SPDM_CAP_PSK_MASK) || (!cfg->psk_len && !rsp_cxl_enabled(r)) ||
	    !rsp_session_caps(r, SPDM_CAP_PSK_MASK))
		return rsp_error(c, SPDM_ERR_UNSUPPORTED_REQUEST, c->hdr.code);
	if (!r->aead)
		return rsp_error(c, SPDM_ERR_UNEXPECTED_REQUEST, 0);
	if (rsp_check_len(c, spdm_decode_psk_exchange(c->req, c->req_len, &sp, &k, NULL)))
		return rsp_error(c, SPDM_ERR_INVALID_REQUEST, 0);
	if (k.hint_len)
		cxl_psk = rsp_cxl_secondary_psk(r, k.hint, k.hint_len, &cxl_index);
	if (cxl_psk) {
		psk = cxl_psk;
		psk_len = CXL_TSP_PSK_SIZE;
	} else if (!cfg->psk_len || !hint_matches(cfg, &k)) {
		return rsp_error(c, SPDM_ERR_INVALID_REQUEST, 0);
	}
	if (rsp_session_sm_version(r, k.opaque, k.opaque_len, &sm_version))
		return rsp_error(c, SPDM_ERR_INVALID_REQUEST, 0);
	s = rsp_session_new(r, k.req_session_id, true, sm_version, NULL);
	if (!s)
		return rsp_error(c, SPDM_ERR_SESSION_LIMIT_EXCEEDED, 0);
	s->cxl_secondary = cxl_psk != NULL;
	s->cxl_index = cxl_index;
	if (cxl_psk)
		rsp_logf(r, "PSK_EXCHANGE: CXL TSP secondary session %u", cxl_index);
	ret = respond(c, s, &k, sm_version, psk, psk_len);
	if (ret >= 2 && c->w.p[1] == SPDM_ERROR)
		rsp_session_free(s);
	if (!s->used || s->s.state == SPDM_SESS_ESTABLISHED)
		da_buf_free(&s->th);
	return ret;
}

int rsp_psk_finish(struct rsp_ctx *c)
{
	struct spdm_responder *r = c->r;
	struct rsp_session *s = r->cur_sess;
	struct spdm_psk_finish f;
	int ret, n;

	if (!s || !with_context(r))
		return rsp_error(c, SPDM_ERR_UNEXPECTED_REQUEST, 0);
	if (rsp_check_len(c, spdm_decode_psk_finish(c->req, c->req_len, &s->sp, &f, NULL)))
		return rsp_error(c, SPDM_ERR_INVALID_REQUEST, 0);
	ret = rsp_session_req_verify(c, s, f.verify_off, f.verify_data);
	if (ret)
		return ret;
	n = spdm_encode_psk_finish_rsp(&c->w, r->version, NULL, 0);
	ret = n < 0 ? n : da_buf_append(&s->th, f.verify_data, r->p.hash_size) ?:
			  da_buf_append(&s->th, c->w.p, (size_t)n);
	if (ret) {
		rsp_session_free(s);
		return rsp_error(c, SPDM_ERR_UNSPECIFIED, 0);
	}
	s->derive_after = true;
	return n;
}
