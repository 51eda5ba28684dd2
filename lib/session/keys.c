// SPDX-License-Identifier: MIT
/*
 * The DSP0274 key schedule ("Key schedule" and "Key update"), with
 * BinConcat(Length, "spdm1.X ", Label, Context):
 *   HandshakeSecret  = HKDF-Extract(Salt_0, IKM = DHE secret or PSK)
 *                      Salt_0 = 0^H, but 0xFF^H for a PSK from SPDM 1.3 on
 *                      (what the DMTF responder and spdm_dump derive)
 *   {req,rsp}-hs     = HKDF-Expand(HandshakeSecret, BinConcat(H, "req hs data"/"rsp hs data", TH1), H)
 *   Salt_1           = HKDF-Expand(HandshakeSecret, BinConcat(H, "derived"), H)
 *   MasterSecret     = HKDF-Extract(Salt_1, 0^H)
 *   {req,rsp}-data   = HKDF-Expand(MasterSecret, BinConcat(H, "req app data"/"rsp app data", TH2), H)
 *   ExportMaster     = HKDF-Expand(MasterSecret, BinConcat(H, "exp master", TH2), H)
 *   finished_key     = HKDF-Expand(hs secret, BinConcat(H, "finished"), H)
 *   key, iv          = HKDF-Expand(secret, BinConcat(keylen, "key") / BinConcat(12, "iv"))
 *   update           = HKDF-Expand(data secret, BinConcat(H, "traffic upd"), H)
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "crypto/crypto.h"
#include "cursor.h"
#include "session.h"

size_t spdm_bin_concat(uint8_t version, uint16_t length, const char *label,
		       const uint8_t *context, size_t context_len, uint8_t *out, size_t cap)
{
	struct wcur w = wcur_init(out, cap);
	/* "spdm1.1 " .. "spdm1.4 ": the negotiated version, trailing space, no NUL. */
	char vlabel[8] = { 's', 'p', 'd', 'm', (char)('0' + (version >> 4)), '.',
			   (char)('0' + (version & 0x0f)), ' ' };

	wcur_u16(&w, length);
	wcur_bytes(&w, vlabel, sizeof(vlabel));
	wcur_bytes(&w, label, strlen(label));
	if (context)
		wcur_bytes(&w, context, context_len);
	return w.err ? 0 : w.len;
}

static int expand(struct spdm_session *s, const uint8_t *prk, const char *label,
		  const uint8_t *ctx, uint8_t *out, size_t out_len)
{
	uint8_t info[2 + 8 + 16 + SPDM_MAX_HASH_SIZE];
	size_t n = spdm_bin_concat(s->cfg.version, (uint16_t)out_len, label, ctx,
				   ctx ? s->hash_size : 0, info, sizeof(info));

	if (!n)
		return -EINVAL;
	return spdm_hkdf_expand(s->cfg.base_hash, prk, s->hash_size, info, n, out, out_len);
}

static void log_secret(struct spdm_session *s, const char *label, const uint8_t *v, size_t n)
{
	if (s->cfg.keylog)
		s->cfg.keylog(s->cfg.keylog_ctx, s->id, label, v, n);
}

int spdm_sess_init(struct spdm_session *s, const struct spdm_sess_config *c, uint32_t id,
		   const char *name)
{
	memset(s, 0, sizeof(*s));
	s->cfg = *c;
	s->id = id;
	s->hash_size = spdm_hash_size(c->base_hash);
	s->key_size = spdm_aead_key_size(c->aead);
	snprintf(s->name, sizeof(s->name), "%s", name ? name : "session");
	if (!s->cfg.max_seq)
		s->cfg.max_seq = UINT64_MAX;
	if (!s->hash_size || !s->key_size || c->version < SPDM_VER_11)
		return -EINVAL;
	return 0;
}

static void wipe_keys(struct spdm_sess_keys *k)
{
	spdm_aead_free(&k->aead);
	OPENSSL_cleanse(k, sizeof(*k));
}

/* key, iv and the cipher context of one direction from its secret. */
static int direction_keys(struct spdm_session *s, enum spdm_sess_dir d, struct spdm_sess_keys *k)
{
	bool seal = (d == SPDM_DIR_REQ) == s->cfg.is_requester;
	int ret;

	ret = expand(s, k->secret, "key", NULL, k->key, s->key_size) ?:
	      expand(s, k->secret, "iv", NULL, k->iv, SPDM_AEAD_IV_SIZE);
	if (ret)
		return ret;
	ret = spdm_aead_init(&k->aead, s->cfg.aead, k->key, seal);
	if (ret)
		return ret;
	k->seq = 0;
	k->valid = true;
	return 0;
}

int spdm_sess_derive_handshake(struct spdm_session *s, const uint8_t *ikm, size_t ikm_len,
			       bool psk, const uint8_t *th1, struct da_err *err)
{
	static const char *const hs_label[2] = { "req hs data", "rsp hs data" };
	uint8_t salt0[SPDM_MAX_HASH_SIZE];
	int ret;

	memset(salt0, psk && s->cfg.version >= SPDM_VER_13 ? 0xff : 0, sizeof(salt0));
	if (s->state != SPDM_SESS_NONE)
		return da_errf(err, -EINVAL, "%s: session 0x%08x: handshake keys derived twice",
			       s->name, s->id);
	ret = spdm_hkdf_extract(s->cfg.base_hash, salt0, s->hash_size, ikm, ikm_len,
				s->handshake_secret);
	for (int d = 0; !ret && d < 2; d++) {
		struct spdm_sess_keys *k = &s->dir[d];

		ret = expand(s, s->handshake_secret, hs_label[d], th1, k->secret, s->hash_size) ?:
		      expand(s, k->secret, "finished", NULL, s->finished_key[d], s->hash_size) ?:
		      direction_keys(s, (enum spdm_sess_dir)d, k);
	}
	if (ret) {
		spdm_sess_end(s);
		return da_errf(err, ret, "%s: session 0x%08x: handshake key derivation failed",
			       s->name, s->id);
	}
	log_secret(s, "handshake_secret", s->handshake_secret, s->hash_size);
	log_secret(s, "req_hs_secret", s->dir[SPDM_DIR_REQ].secret, s->hash_size);
	log_secret(s, "rsp_hs_secret", s->dir[SPDM_DIR_RSP].secret, s->hash_size);
	s->state = SPDM_SESS_HANDSHAKE;
	return 0;
}

int spdm_sess_derive_data(struct spdm_session *s, const uint8_t *th2, struct da_err *err)
{
	static const char *const data_label[2] = { "req app data", "rsp app data" };
	uint8_t zero[SPDM_MAX_HASH_SIZE] = { 0 }, salt1[SPDM_MAX_HASH_SIZE];
	int ret;

	if (s->state != SPDM_SESS_HANDSHAKE)
		return da_errf(err, -EINVAL, "%s: session 0x%08x: data keys without a handshake",
			       s->name, s->id);
	ret = expand(s, s->handshake_secret, "derived", NULL, salt1, s->hash_size) ?:
	      spdm_hkdf_extract(s->cfg.base_hash, salt1, s->hash_size, zero, s->hash_size,
				s->master_secret) ?:
	      expand(s, s->master_secret, "exp master", th2, s->export_master, s->hash_size);
	OPENSSL_cleanse(salt1, sizeof(salt1));
	for (int d = 0; !ret && d < 2; d++) {
		struct spdm_sess_keys *k = &s->dir[d];

		wipe_keys(k);
		ret = expand(s, s->master_secret, data_label[d], th2, k->secret, s->hash_size) ?:
		      direction_keys(s, (enum spdm_sess_dir)d, k);
	}
	if (ret) {
		spdm_sess_end(s);
		return da_errf(err, ret, "%s: session 0x%08x: data key derivation failed",
			       s->name, s->id);
	}
	log_secret(s, "master_secret", s->master_secret, s->hash_size);
	log_secret(s, "req_data_secret", s->dir[SPDM_DIR_REQ].secret, s->hash_size);
	log_secret(s, "rsp_data_secret", s->dir[SPDM_DIR_RSP].secret, s->hash_size);
	/* The handshake is over: nothing may be derived or MACed from it again. */
	OPENSSL_cleanse(s->handshake_secret, sizeof(s->handshake_secret));
	OPENSSL_cleanse(s->finished_key, sizeof(s->finished_key));
	s->state = SPDM_SESS_ESTABLISHED;
	return 0;
}

int spdm_sess_verify_data(struct spdm_session *s, enum spdm_sess_dir dir, const uint8_t *th,
			  uint8_t *out)
{
	if (s->state != SPDM_SESS_HANDSHAKE)
		return -EINVAL;
	return spdm_hmac(s->cfg.base_hash, s->finished_key[dir], s->hash_size, th, s->hash_size,
			 out);
}

int spdm_sess_key_update(struct spdm_session *s, enum spdm_sess_dir dir, struct da_err *err)
{
	struct spdm_sess_keys *k = &s->dir[dir], n = { 0 };
	int ret;

	if (s->state != SPDM_SESS_ESTABLISHED)
		return da_errf(err, -EINVAL, "%s: session 0x%08x: KEY_UPDATE outside a session",
			       s->name, s->id);
	if (s->prev[dir].valid)
		return da_errf(err, -EBUSY, "%s: session 0x%08x: KEY_UPDATE already pending",
			       s->name, s->id);
	ret = expand(s, k->secret, "traffic upd", NULL, n.secret, s->hash_size) ?:
	      direction_keys(s, dir, &n);
	if (ret) {
		wipe_keys(&n);
		spdm_sess_end(s);
		return da_errf(err, ret, "%s: session 0x%08x: key update derivation failed",
			       s->name, s->id);
	}
	s->prev[dir] = *k;
	*k = n;
	log_secret(s, dir == SPDM_DIR_REQ ? "req_data_secret" : "rsp_data_secret", k->secret,
		   s->hash_size);
	return 0;
}

void spdm_sess_key_update_commit(struct spdm_session *s, enum spdm_sess_dir dir)
{
	wipe_keys(&s->prev[dir]);
}

void spdm_sess_key_update_rollback(struct spdm_session *s, enum spdm_sess_dir dir)
{
	if (!s->prev[dir].valid)
		return;
	wipe_keys(&s->dir[dir]);
	s->dir[dir] = s->prev[dir];
	OPENSSL_cleanse(&s->prev[dir], sizeof(s->prev[dir]));
}

int spdm_sess_import_secret(struct spdm_session *s, enum spdm_sess_dir dir,
			    const uint8_t *secret, uint64_t seq)
{
	struct spdm_sess_keys *k = &s->dir[dir];
	int ret;

	wipe_keys(k);
	memcpy(k->secret, secret, s->hash_size);
	ret = direction_keys(s, dir, k);
	if (ret) {
		spdm_sess_end(s);
		return ret;
	}
	k->seq = seq;
	s->state = SPDM_SESS_ESTABLISHED;
	return 0;
}

int spdm_sess_next_secret(struct spdm_session *s, const uint8_t *secret, uint8_t *out)
{
	return expand(s, secret, "traffic upd", NULL, out, s->hash_size);
}

void spdm_sess_end(struct spdm_session *s)
{
	for (int d = 0; d < 2; d++) {
		wipe_keys(&s->dir[d]);
		wipe_keys(&s->prev[d]);
	}
	OPENSSL_cleanse(s->handshake_secret, sizeof(s->handshake_secret));
	OPENSSL_cleanse(s->master_secret, sizeof(s->master_secret));
	OPENSSL_cleanse(s->export_master, sizeof(s->export_master));
	OPENSSL_cleanse(s->finished_key, sizeof(s->finished_key));
	s->state = SPDM_SESS_ENDED;
}
