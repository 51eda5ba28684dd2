// SPDX-License-Identifier: MIT
/*
 * CHALLENGE / CHALLENGE_AUTH: the signature over M1 = A || B || C
 * (docs/design.md, "Transcripts"): A the VCA messages, B every digests/certificate
 * exchange since, C this CHALLENGE and the CHALLENGE_AUTH up to its
 * signature.  B starts over once the response is signed.
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "crypto/crypto.h"
#include "responder_internal.h"

/* "slow": later than the requester's CT timeout, 2^CTExponent us + 2 s. */
static void sleep_past_ct(uint8_t ct_exponent)
{
	uint64_t us = (ct_exponent < 40 ? 1ull << ct_exponent : 1ull << 40) + 2500000ull;
	struct timespec ts = { .tv_sec = (time_t)(us / 1000000),
			       .tv_nsec = (long)(us % 1000000) * 1000 };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static int m1_hash(struct spdm_responder *r, const struct rsp_ctx *c, const uint8_t *rsp,
		   size_t rsp_len, uint8_t *out)
{
	struct spdm_hash_ctx h;
	int ret = spdm_hash_init(&h, r->hash);

	if (ret < 0)
		return ret;
	ret = spdm_hash_update(&h, r->a.data, r->a.len);
	if (!ret)
		ret = spdm_hash_update(&h, r->b.data, r->b.len);
	if (!ret)
		ret = spdm_hash_update(&h, c->req, c->req_len);
	if (!ret)
		ret = spdm_hash_update(&h, rsp, rsp_len);
	if (!ret)
		ret = spdm_hash_final(&h, out);
	spdm_hash_free(&h);
	return ret;
}

int rsp_challenge(struct rsp_ctx *c)
{
	struct spdm_responder *r = c->r;
	const struct rsp_device_config *cfg = &r->dev->cfg;
	struct spdm_challenge ch = { 0 };
	struct spdm_challenge_auth a = { 0 };
	uint8_t nonce[SPDM_NONCE_SIZE], chain_hash[SPDM_MAX_HASH_SIZE];
	uint8_t summary[SPDM_MAX_HASH_SIZE], th[SPDM_MAX_HASH_SIZE];
	uint8_t sig[SPDM_MAX_SIG_SIZE];
	struct rsp_slot *s;
	size_t unsigned_len, replay_len;
	int ret;

	if (!(cfg->caps & SPDM_CAP_CHAL))
		return rsp_error(c, SPDM_ERR_UNSUPPORTED_REQUEST, c->hdr.code);
	if (rsp_check_len(c, spdm_decode_challenge(c->req, c->req_len, r->version, &ch, NULL)))
		return rsp_error(c, SPDM_ERR_INVALID_REQUEST, 0);
	/* slot 0xFF means a provisioned public key: we have certificates only */
	if (ch.slot >= SPDM_MAX_SLOTS || !r->slot[ch.slot].present)
		return rsp_error(c, SPDM_ERR_INVALID_REQUEST, 0);
	s = &r->slot[ch.slot];
	ret = rsp_req_meas_summary(r, ch.meas_summary_type, summary, &a.meas_summary_hash);
	if (ret)
		return rsp_error(c, (uint8_t)ret, 0);
	if (r->faults & RSP_FAULT(RSP_FAULT_RESYNCH))
		return rsp_error(c, SPDM_ERR_REQUEST_RESYNCH, 0);
	if (r->faults & RSP_FAULT(RSP_FAULT_SLOW))
		sleep_past_ct(cfg->ct_exponent);

	memcpy(chain_hash, s->digest, sizeof(chain_hash));
	if (r->faults & RSP_FAULT(RSP_FAULT_WRONG_CHAIN_HASH))
		chain_hash[0] ^= 0x01;
	if (r->faults & RSP_FAULT(RSP_FAULT_NONCE_ECHO))
		memcpy(nonce, ch.nonce, sizeof(nonce));
	else if (da_random(nonce, sizeof(nonce)) < 0)
		return rsp_error(c, SPDM_ERR_UNSPECIFIED, 0);
	a.param1 = ch.slot;
	a.slot_mask = r->provisioned;
	a.cert_chain_hash = chain_hash;
	a.nonce = nonce;
	a.opaque_len = 0;
	a.req_context = r->version >= SPDM_VER_13 ? ch.req_context : NULL;
	ret = spdm_encode_challenge_auth_unsigned(&c->w, &r->p, &a);
	if (ret < 0)
		return ret;
	unsigned_len = (size_t)ret;
	ret = m1_hash(r, c, c->w.p, unsigned_len, th);
	if (!ret)
		ret = spdm_sign(s->key, r->asym, r->hash, r->version, SPDM_CTX_CHALLENGE_AUTH, th,
				sig, NULL);
	if (ret < 0)
		return rsp_error(c, SPDM_ERR_UNSPECIFIED, 0);
	if (r->faults & RSP_FAULT(RSP_FAULT_BAD_CHALLENGE_SIG))
		sig[r->p.sig_size / 2] ^= 0x01;
	wcur_bytes(&c->w, sig, r->p.sig_size);
	ret = (int)wcur_finish(&c->w);
	if (ret < 0)
		return ret;
	/* M1 is complete: the next CHALLENGE covers only what follows */
	da_buf_reset(&r->b);

	/* every device remembers its first CHALLENGE_AUTH; "replay-challenge" resends it */
	if (rsp_device_replay_auth(r->dev, c->w.p, c->w.len,
				   (r->faults & RSP_FAULT(RSP_FAULT_REPLAY_CHALLENGE)) != 0,
				   c->w.p, c->w.cap, &replay_len))
		ret = (int)replay_len;
	if (r->faults & RSP_FAULT(RSP_FAULT_TRUNCATED))
		ret = (int)(unsigned_len + r->p.sig_size / 2);
	return ret;
}
