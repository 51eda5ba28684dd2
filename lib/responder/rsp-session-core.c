// SPDX-License-Identifier: MIT
/*
 * What the session handlers (KEY_EXCHANGE, PSK_EXCHANGE, FINISH,
 * PSK_FINISH) and the secured-message path share: the capability test,
 * a new session slot, the secured-message version choice and its
 * opaque element, the running TH.  They call down into this file; it
 * calls none of them.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "crypto/crypto.h"
#include "responder_internal.h"

static const uint16_t sm_supported[] = { SPDM_SM_VER_10, SPDM_SM_VER_11, SPDM_SM_VER_12 };

bool rsp_session_caps(const struct spdm_responder *r, uint32_t need)
{
	uint32_t ours = r->dev->cfg.caps, theirs = r->req_caps.flags;
	bool key_ex = (need & SPDM_CAP_KEY_EX) && (ours & theirs & SPDM_CAP_KEY_EX);
	/* PSK_CAP is two bits with different meanings on each side: any value counts */
	bool psk = (need & SPDM_CAP_PSK_MASK) && (ours & SPDM_CAP_PSK_MASK) &&
		   (theirs & SPDM_CAP_PSK_MASK);

	return r->version >= SPDM_VER_11 && (key_ex || psk) &&
	       (ours & theirs & (SPDM_CAP_ENCRYPT | SPDM_CAP_MAC));
}

struct rsp_session *rsp_session_new(struct spdm_responder *r, uint16_t req_id, bool psk,
				    uint16_t sm_version, struct da_err *err)
{
	uint32_t both = r->dev->cfg.caps & r->req_caps.flags;
	struct spdm_sess_config sc = {
		.version = r->version,
		.sm_version = sm_version,
		.base_hash = r->hash,
		.aead = r->aead,
		/* DSP0274: a session encrypts only when both sides have ENCRYPT_CAP */
		.mac_only = !(both & SPDM_CAP_ENCRYPT),
		.is_requester = false,
		.framing = r->framing,
	};
	struct rsp_session *s = NULL;
	uint16_t rsp_id;
	uint32_t id;

	for (int i = 0; i < RSP_MAX_SESSIONS && !s; i++)
		if (!r->sess[i].used)
			s = &r->sess[i];
	if (!s) {
		da_errf(err, -ENOSPC, "%s: all %d sessions in use", r->dev->cfg.name,
			RSP_MAX_SESSIONS);
		return NULL;
	}
	for (;;) {
		bool taken = false;

		if (da_random(&rsp_id, sizeof(rsp_id)))
			return NULL;
		id = (uint32_t)req_id | (uint32_t)rsp_id << 16;
		for (int i = 0; i < RSP_MAX_SESSIONS; i++)
			taken |= r->sess[i].used && r->sess[i].s.id == id;
		if (rsp_id && !taken)
			break;
	}
	memset(s, 0, sizeof(*s));
	if (spdm_sess_init(&s->s, &sc, id, r->dev->cfg.name)) {
		da_errf(err, -EINVAL, "%s: cannot set up session 0x%08x", r->dev->cfg.name, id);
		return NULL;
	}
	s->used = true;
	s->psk = psk;
	s->sp.p = r->p;
	s->sp.dhe_size = psk ? 0 : (uint16_t)spdm_dhe_size(r->dhe);
	return s;
}

int rsp_session_sm_version(struct spdm_responder *r, const uint8_t *opaque, uint16_t len,
			   uint16_t *sel)
{
	enum spdm_opaque_fmt fmt = spdm_opaque_fmt_for(r->version, r->other_params_sel);
	struct spdm_sm_versions v;
	int ret;

	ret = spdm_decode_sm_opaque(opaque, len, fmt, SPDM_SM_ID_SUPPORTED_VERSION, &v, NULL);
	if (ret == -ENOENT) {
		/* a requester that lists nothing speaks the first version */
		*sel = SPDM_SM_VER_10;
		return 0;
	}
	if (ret)
		return ret;
	/* the highest version both support */
	for (int i = (int)(sizeof(sm_supported) / sizeof(sm_supported[0])) - 1; i >= 0; i--)
		for (unsigned int j = 0; j < v.count; j++)
			if (v.v[j] == sm_supported[i]) {
				*sel = sm_supported[i];
				return 0;
			}
	return -EPROTO;
}

int rsp_session_sm_opaque(struct spdm_responder *r, uint16_t sel, uint8_t *buf, size_t cap)
{
	struct spdm_sm_versions v = { .sm_id = SPDM_SM_ID_VERSION_SELECTION, .count = 1,
				      .v = { sel } };
	struct wcur w = wcur_init(buf, cap);

	return spdm_encode_sm_opaque(&w, spdm_opaque_fmt_for(r->version, r->other_params_sel),
				     &v);
}

int rsp_session_th(struct rsp_session *s, uint8_t *out)
{
	return spdm_hash(s->s.cfg.base_hash, s->th.data, s->th.len, out);
}

/*
 * The transcript so far plus the request up to its verify data: compare
 * the requester's verify data with what that gives.  The request is
 * added to the transcript only when it verifies, so that a bad one
 * leaves the handshake to the next FINISH.
 */
static int check_req_verify_at(struct rsp_session *s, const uint8_t *req, size_t n,
			       const uint8_t *got)
{
	uint8_t th[SPDM_MAX_HASH_SIZE], vd[SPDM_MAX_HASH_SIZE];
	size_t before = s->th.len;
	int ret;

	ret = da_buf_append(&s->th, req, n) ?: rsp_session_th(s, th) ?:
	      spdm_sess_verify_data(&s->s, SPDM_DIR_REQ, th, vd);
	if (!ret && CRYPTO_memcmp(vd, got, s->s.hash_size))
		ret = -EBADMSG;
	if (ret)
		s->th.len = before;
	OPENSSL_cleanse(vd, sizeof(vd));
	return ret;
}

static void end_with_error(struct rsp_session *s)
{
	/* inside the session the ERROR still goes out under its keys */
	if (s->psk || !s->in_clear)
		s->end_after = true;
	else
		rsp_session_free(s);
}

/*
 * FINISH and PSK_FINISH: a RequesterVerifyData that does not verify ends
 * the session with ERROR DecryptError (any other failure: Unspecified).
 * Returns 0 when it verifies, else the ERROR's length (or -errno).
 */
int rsp_session_req_verify(struct rsp_ctx *c, struct rsp_session *s, size_t off,
			   const uint8_t *got)
{
	int ret = check_req_verify_at(s, c->req, off, got);

	if (!ret)
		return 0;
	end_with_error(s);
	return rsp_error(c, ret == -EBADMSG ? SPDM_ERR_DECRYPT_ERROR : SPDM_ERR_UNSPECIFIED, 0);
}
