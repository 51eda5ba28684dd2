// SPDX-License-Identifier: MIT
/*
 * Opening a secure session (DSP0274 "Session"): KEY_EXCHANGE + FINISH
 * with the authenticated slot, or PSK_EXCHANGE (+ PSK_FINISH).
 *
 * The transcript hashes, message by message:
 *   KEY_EXCHANGE_RSP signature: VCA, Hash(slot's cert chain), KEY_EXCHANGE,
 *                               KEY_EXCHANGE_RSP up to Signature
 *   TH1 (keys, ResponderVerifyData): ... and the Signature
 *   RequesterVerifyData: ... ResponderVerifyData (not in the clear),
 *                        FINISH up to RequesterVerifyData
 *   FINISH_RSP verify data (in the clear only): ... the whole FINISH,
 *                        FINISH_RSP up to ResponderVerifyData
 *   TH2 (data keys):     ... the whole FINISH_RSP
 * PSK replaces the certificate-chain hash by nothing and the signature
 * by ResponderVerifyData.  With HANDSHAKE_IN_THE_CLEAR on both sides
 * FINISH and FINISH_RSP travel as plain SPDM messages, otherwise as
 * secured messages with the handshake keys.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/x509.h>

#include "crypto/pki.h"
#include "crypto/session_crypto.h"
#include "req.h"
#include "session/session.h"
#include "spdm/encapsulated.h"
#include "spdm/session_codec.h"

#define KE_BUF_SIZE (sizeof(struct spdm_key_exchange_fixed) + SPDM_MAX_DHE_SIZE + 2 + 64)
#define PSK_CAP_WITH_CONTEXT (2u << 10)

static const uint16_t sm_offer[] = { SPDM_SM_VER_10, SPDM_SM_VER_11, SPDM_SM_VER_12 };

struct hs {
	struct spdm_hash_ctx th;
	struct spdm_sess_params sp;
	bool mutual;			/* FINISH carries our signature */
	uint8_t mut_mode;		/* the MutAuthRequested bit */
	uint8_t req_slot;
	uint8_t meas_summary_type;
	enum spdm_opaque_fmt fmt;
	uint8_t h[SPDM_MAX_HASH_SIZE];
};

static void keylog(void *ctx, uint32_t id, const char *label, const uint8_t *v, size_t n)
{
	FILE *f = ctx;

	fprintf(f, "SPDM_SESSION 0x%08x %s ", id, label);
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%02x", v[i]);
	fputc('\n', f);
	fflush(f);
}

static int th_add(struct hs *x, const void *p, size_t n, struct da_err *err)
{
	if (spdm_hash_update(&x->th, p, n))
		return da_errf(err, -EIO, "transcript: hashing failed");
	return 0;
}

static int th_hash(struct hs *x, struct da_err *err)
{
	if (spdm_hash_final(&x->th, x->h))
		return da_errf(err, -EIO, "transcript: hashing failed");
	return 0;
}

static int open_session(struct spdm_req *r, uint32_t id, bool mac_only, uint16_t sm_version,
			struct da_err *err)
{
	struct spdm_sess_config c = {
		.version = r->p.version,
		.sm_version = sm_version,
		.base_hash = r->info.neg.base_hash,
		.aead = r->info.aead,
		.mac_only = mac_only,
		.is_requester = true,
		.framing = r->t->framing,
	};
	FILE *kl = NULL;
	int ret;

	if (r->cfg.keylog_path) {
		/* Secrets: owner-only, appended so that later sessions add to the same file. */
		int fd = open(r->cfg.keylog_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);

		kl = fd >= 0 ? fdopen(fd, "a") : NULL;
		if (!kl) {
			ret = -errno;
			if (fd >= 0)
				close(fd);
			return da_errf(err, ret, "keylog %s: cannot open", r->cfg.keylog_path);
		}
		c.keylog = keylog;
		c.keylog_ctx = kl;
	}
	r->sess = calloc(1, sizeof(*r->sess));
	if (!r->sess || spdm_sess_init(r->sess, &c, id, r->dev)) {
		if (kl)
			fclose(kl);
		free(r->sess);
		r->sess = NULL;
		return da_errf(err, -ENOMEM, "session: cannot set up session 0x%08x", id);
	}
	return 0;
}

static int selected_sm_version(struct spdm_req *r, struct hs *x, const char *name,
			       const uint8_t *opaque, uint16_t len, uint16_t *out,
			       struct da_err *err)
{
	struct spdm_sm_versions v;
	int ret = spdm_decode_sm_opaque(opaque, len, x->fmt, SPDM_SM_ID_VERSION_SELECTION, &v,
					err);

	if (ret) {
		da_err_prefix(err, "%s", name);
		return req_fail(r, NULL, "secured-message-version", ret, "%s", err->msg);
	}
	for (size_t i = 0; i < sizeof(sm_offer) / sizeof(sm_offer[0]); i++)
		if (v.v[0] == sm_offer[i]) {
			*out = v.v[0];
			return 0;
		}
	return req_fail(r, err, "secured-message-version", -EPROTO,
			"%s: selects secured-message version 0x%04x, which we did not offer", name,
			v.v[0]);
}

static int sm_opaque(struct hs *x, uint8_t *buf, size_t cap)
{
	struct spdm_sm_versions v = { .sm_id = SPDM_SM_ID_SUPPORTED_VERSION };
	struct wcur w = wcur_init(buf, cap);

	for (size_t i = 0; i < sizeof(sm_offer) / sizeof(sm_offer[0]); i++)
		v.v[v.count++] = sm_offer[i];
	return spdm_encode_sm_opaque(&w, x->fmt, &v);
}

/* FINISH or PSK_FINISH: everything up to the verify data is encoded in buf already. */
static int finish_verify_data(struct spdm_req *r, struct hs *x, uint8_t *buf, size_t n,
			      struct wcur *w, struct da_err *err)
{
	uint8_t vd[SPDM_MAX_HASH_SIZE];
	int ret;

	ret = th_add(x, buf, n, err) ?: th_hash(x, err);
	if (ret)
		return ret;
	if (spdm_sess_verify_data(r->sess, SPDM_DIR_REQ, x->h, vd))
		return da_errf(err, -EIO, "RequesterVerifyData: HMAC failed");
	wcur_bytes(w, vd, r->p.hash_size);
	ret = th_add(x, vd, r->p.hash_size, err);
	OPENSSL_cleanse(vd, sizeof(vd));
	return ret ?: (int)wcur_finish(w);
}

/* Compare a peer's verify data with HMAC(rsp finished key, current transcript hash). */
static int check_rsp_verify(struct spdm_req *r, struct hs *x, const char *check,
			    const char *name, const uint8_t *got, struct da_err *err)
{
	uint8_t vd[SPDM_MAX_HASH_SIZE];
	int ret;

	ret = th_hash(x, err);
	if (ret)
		return ret;
	if (spdm_sess_verify_data(r->sess, SPDM_DIR_RSP, x->h, vd))
		return da_errf(err, -EIO, "%s: HMAC failed", name);
	ret = CRYPTO_memcmp(vd, got, r->p.hash_size);
	OPENSSL_cleanse(vd, sizeof(vd));
	if (ret)
		return req_fail(r, err, check, -EBADMSG,
				"%s: ResponderVerifyData does not match HMAC(finished_key, TH)",
				name);
	req_pass(r, check, "%s ResponderVerifyData (HMAC-%s)", name,
		 spdm_hash_name(r->info.neg.base_hash));
	return th_add(x, got, r->p.hash_size, err);
}

/*
 * MutAuthRequested: without our MUT_AUTH_CAP the device may not ask.
 * Bit 0 alone: the device holds our chain already, FINISH just carries
 * our signature over a transcript with Hash(our chain) in it.
 */
static int mut_auth_requested(struct spdm_req *r, struct hs *x,
			      const struct spdm_key_exchange_rsp *k, struct da_err *err)
{
	static const char name[] = "KEY_EXCHANGE_RSP";
	uint8_t m = k->mut_auth_requested;

	if (!m)
		return 0;
	if (!r->cfg.req_key)
		return req_fail(r, err, "key-exchange", -EPROTO,
				"%s: MutAuthRequested 0x%02x, but we offered no MUT_AUTH_CAP", name,
				m);
	/* Exactly one way: the device holds our chain, or reads it (encapsulated). */
	if (m != SPDM_MUT_AUTH_REQUESTED && m != SPDM_MUT_AUTH_WITH_ENCAP &&
	    m != SPDM_MUT_AUTH_WITH_GET_DIGESTS)
		return req_fail(r, err, "mutual-auth", -EPROTO,
				"%s: MutAuthRequested 0x%02x is not one of 0x01, 0x02, 0x04", name,
				m);
	if (m != SPDM_MUT_AUTH_REQUESTED && !(r->own_caps & SPDM_CAP_ENCAP))
		return req_fail(r, err, "mutual-auth", -EPROTO,
				"%s: MutAuthRequested 0x%02x asks for encapsulated requests, but we offered no ENCAP_CAP",
				name, m);
	if (!r->info.req_base_asym || !spdm_key_matches_asym(r->cfg.req_key,
							      r->info.req_base_asym))
		return req_fail(r, err, "mutual-auth", -EPROTO,
				"ALGORITHMS: ReqBaseAsymAlg 0x%04x is not what our key signs",
				r->info.req_base_asym);
	if (m == SPDM_MUT_AUTH_REQUESTED && k->req_slot_id_param >= SPDM_MAX_SLOTS)
		return req_fail(r, err, "mutual-auth", -EPROTO,
				"%s: ReqSlotIDParam %u out of range", name, k->req_slot_id_param);
	x->mutual = true;
	x->mut_mode = m;
	/* With encapsulated requests the slot comes at their end (ReqSlotNumber), else 0. */
	x->req_slot = m == SPDM_MUT_AUTH_REQUESTED ? k->req_slot_id_param : 0;
	x->sp.req_sig_size = (uint16_t)spdm_sig_size(r->info.req_base_asym);
	return 0;
}

/* Hash(our chain in SPDM format) into the transcript, before FINISH. */
static int add_own_chain_hash(struct spdm_req *r, struct hs *x, struct da_err *err)
{
	struct da_buf chain = { 0 };
	uint8_t h[SPDM_MAX_HASH_SIZE];
	int ret;

	if (!r->cfg.req_certs || !r->cfg.n_req_certs)
		return da_errf(err, -EINVAL, "FINISH: mutual authentication without our chain");
	ret = pki_spdm_chain((X509 *const *)r->cfg.req_certs, r->cfg.n_req_certs,
			     r->info.neg.base_hash, &chain, err);
	if (!ret && spdm_hash(r->info.neg.base_hash, chain.data, chain.len, h))
		ret = da_errf(err, -EIO, "FINISH: hashing our chain failed");
	da_buf_free(&chain);
	return ret ?: th_add(x, h, r->p.hash_size, err);
}

/* FINISH up to the signature is in buf[0..n): sign the transcript so far, append. */
static int finish_signature(struct spdm_req *r, struct hs *x, const uint8_t *buf, size_t n,
			    struct wcur *w, struct da_err *err)
{
	uint8_t sig[SPDM_MAX_SIG_SIZE];
	int ret;

	ret = th_add(x, buf, n, err) ?: th_hash(x, err);
	if (ret)
		return ret;
	ret = spdm_sign(r->cfg.req_key, r->info.req_base_asym, r->info.neg.base_hash, r->p.version,
			SPDM_CTX_FINISH, x->h, sig, err);
	if (ret) {
		da_err_prefix(err, "FINISH: signing");
		return ret;
	}
	wcur_bytes(w, sig, x->sp.req_sig_size);
	return th_add(x, sig, x->sp.req_sig_size, err);
}

static int do_finish(struct spdm_req *r, struct hs *x, struct da_err *err)
{
	uint8_t buf[64 + SPDM_MAX_SIG_SIZE + SPDM_MAX_HASH_SIZE];
	struct wcur w = wcur_init(buf, sizeof(buf));
	struct spdm_finish f = { 0 };
	struct spdm_finish_rsp fr;
	const uint8_t *rsp;
	size_t rsp_len, start;
	int n, ret, slen;

	if (x->mutual) {
		f.attributes = SPDM_FINISH_SIGNATURE_INCLUDED;
		f.req_slot = x->req_slot;
		ret = add_own_chain_hash(r, x, err);
		if (ret)
			return req_fail(r, NULL, "mutual-auth", ret, "%s", err->msg);
	}
	n = spdm_encode_finish_unsigned(&w, &x->sp, &f);
	if (n < 0)
		return da_errf(err, n, "FINISH: encoding failed");
	start = 0;
	if (x->mutual) {
		ret = finish_signature(r, x, buf, (size_t)n, &w, err);
		if (ret)
			return req_fail(r, NULL, "mutual-auth", ret, "%s", err->msg);
		start = w.len;
	}
	n = finish_verify_data(r, x, buf + start, w.len - start, &w, err);
	if (n < 0)
		return n;
	if (x->sp.in_clear)
		ret = req_exchange(r, buf, (size_t)n, SPDM_FINISH_RSP, true, &rsp, &rsp_len, err);
	else
		ret = req_sess_exchange(r, buf, (size_t)n, SPDM_FINISH_RSP, true, false, &rsp,
					&rsp_len, err);
	if (ret)
		return req_fail(r, NULL, "finish", ret, "%s", err->msg);
	slen = req_true_len(r, rsp, rsp_len, spdm_decode_finish_rsp(rsp, rsp_len, &x->sp, &fr,
								    err),
			    x->sp.in_clear ? da_framing_max_pad(r->t->framing) : 0, err);
	if (slen < 0)
		return req_fail(r, NULL, "finish", slen, "%s", err->msg);
	if (x->sp.in_clear) {
		ret = th_add(x, rsp, fr.verify_off, err) ?:
		      check_rsp_verify(r, x, "finish-rsp-verify-data", "FINISH_RSP",
				       fr.verify_data, err);
	} else {
		ret = th_add(x, rsp, (size_t)slen, err);
	}
	ret = ret ?: th_hash(x, err) ?: spdm_sess_derive_data(r->sess, x->h, err);
	if (!ret && x->mutual) {
		r->sinfo.mutual_auth = true;
		r->sinfo.req_slot = x->req_slot;
		r->sinfo.req_asym = r->info.req_base_asym;
		req_pass(r, "mutual-auth", "FINISH signed with our %s key (our slot %u%s); the device accepted it",
			 spdm_asym_name(r->info.req_base_asym), x->req_slot,
			 x->mut_mode == SPDM_MUT_AUTH_REQUESTED ? "" :
			 ", chain read by encapsulated GET_DIGESTS/GET_CERTIFICATE");
	}
	return ret;
}

/*
 * What KEY_EXCHANGE_RSP is signed with and what stands for the identity
 * in the transcript: the slot's leaf key and Ct = Hash(its chain as
 * read), or for SlotID 0xFF the provisioned public key and the hash of
 * it as provisioned (its DER SubjectPublicKeyInfo).
 */
static int peer_identity(struct spdm_req *r, uint8_t slot, EVP_PKEY **key, uint8_t *ct,
			 struct da_err *err)
{
	uint8_t *der = NULL;
	int n, ret;

	if (slot != SPDM_SLOT_PROVISIONED) {
		*key = r->slot_key[slot];
		if (spdm_hash(r->info.neg.base_hash, r->chain[slot].data, r->chain[slot].len, ct))
			return da_errf(err, -EIO, "KEY_EXCHANGE_RSP: hashing the slot %u chain failed",
				       slot);
		return 0;
	}
	*key = r->cfg.peer_pubkey;
	n = i2d_PUBKEY(r->cfg.peer_pubkey, &der);
	if (n <= 0)
		return da_errf(err, -EINVAL, "KEY_EXCHANGE_RSP: the provisioned public key does not encode");
	ret = spdm_hash(r->info.neg.base_hash, der, (size_t)n, ct) ?
	      da_errf(err, -EIO, "KEY_EXCHANGE_RSP: hashing the provisioned public key failed") : 0;
	OPENSSL_free(der);
	return ret;
}

static int ke_response(struct spdm_req *r, struct hs *x, const uint8_t *ke, size_t ke_len,
		       uint16_t req_id, EVP_PKEY *dhe, const uint8_t *rsp, size_t rsp_len,
		       struct da_err *err)
{
	static const char name[] = "KEY_EXCHANGE_RSP";
	uint8_t ct[SPDM_MAX_HASH_SIZE], secret[SPDM_MAX_DHE_SIZE];
	struct spdm_key_exchange_rsp k;
	uint8_t slot = r->cfg.slot;
	EVP_PKEY *peer_key = NULL;
	uint16_t sm_version;
	bool mac_only;
	int slen, ret;

	slen = req_true_len(r, rsp, rsp_len,
			    spdm_decode_key_exchange_rsp(rsp, rsp_len, &x->sp, x->meas_summary_type,
							 &k, err),
			    da_framing_max_pad(r->t->framing), err);
	if (slen < 0)
		return req_fail(r, NULL, "key-exchange", slen, "%s", err->msg);
	/* Evidence: the signed half of the handshake, as exchanged. */
	da_buf_reset(&r->ev_session);
	if (da_buf_append(&r->ev_session, ke, ke_len) ||
	    da_buf_append(&r->ev_session, rsp, (size_t)slen))
		return da_errf(err, -ENOMEM, "%s: out of memory for evidence", name);
	ret = mut_auth_requested(r, x, &k, err);
	if (ret)
		return ret;
	ret = selected_sm_version(r, x, name, k.opaque, k.opaque_len, &sm_version, err);
	if (ret)
		return ret;
	/* The signature: VCA, Ct, KEY_EXCHANGE, KEY_EXCHANGE_RSP before it. */
	ret = peer_identity(r, slot, &peer_key, ct, err);
	if (ret)
		return ret;
	ret = th_add(x, r->vca.data, r->vca.len, err) ?: th_add(x, ct, r->p.hash_size, err) ?:
	      th_add(x, ke, ke_len, err) ?: th_add(x, rsp, k.signed_len, err) ?: th_hash(x, err);
	if (ret)
		return ret;
	ret = spdm_verify(peer_key, r->info.neg.base_asym, r->info.neg.base_hash, r->p.version,
			  SPDM_CTX_KEY_EXCHANGE_RSP, x->h, k.signature, r->p.sig_size, err);
	if (ret) {
		da_err_prefix(err, "%s", name);
		return req_fail(r, NULL, "key-exchange-signature", ret, "%s", err->msg);
	}
	if (slot == SPDM_SLOT_PROVISIONED)
		req_pass(r, "key-exchange-signature",
			 "%s over VCA, the provisioned public key's hash, KEY_EXCHANGE(_RSP)",
			 spdm_asym_name(r->info.neg.base_asym));
	else
		req_pass(r, "key-exchange-signature",
			 "%s over VCA, slot %u chain hash, KEY_EXCHANGE(_RSP)",
			 spdm_asym_name(r->info.neg.base_asym), slot);
	/* TH1 adds the signature. */
	ret = th_add(x, k.signature, r->p.sig_size, err) ?: th_hash(x, err);
	if (ret)
		return ret;
	ret = spdm_dhe_derive(dhe, r->info.dhe, k.exchange, secret, err);
	if (ret) {
		da_err_prefix(err, "%s", name);
		return req_fail(r, NULL, "key-exchange", ret, "%s", err->msg);
	}
	mac_only = !(r->info.rsp_caps & SPDM_CAP_ENCRYPT);
	ret = open_session(r, (uint32_t)req_id | (uint32_t)k.rsp_session_id << 16, mac_only,
			   sm_version, err);
	if (!ret) {
		if (r->sess->cfg.keylog)
			r->sess->cfg.keylog(r->sess->cfg.keylog_ctx, r->sess->id, "dhe_secret",
					    secret, spdm_dhe_secret_size(r->info.dhe));
		ret = spdm_sess_derive_handshake(r->sess, secret, spdm_dhe_secret_size(r->info.dhe),
						 false, x->h, err);
	}
	OPENSSL_cleanse(secret, sizeof(secret));
	if (ret)
		return ret;
	r->sinfo.heartbeat_period = k.heartbeat_period;
	r->sinfo.session_id = r->sess->id;
	r->sinfo.sm_version = sm_version;
	r->sinfo.mac_only = mac_only;
	if (!x->sp.in_clear)
		return check_rsp_verify(r, x, "responder-verify-data", name, k.verify_data, err);
	return 0;
}

static int key_exchange(struct spdm_req *r, struct hs *x, struct da_err *err)
{
	uint8_t buf[KE_BUF_SIZE], pub[SPDM_MAX_DHE_SIZE], opaque[64];
	struct wcur w = wcur_init(buf, sizeof(buf));
	struct spdm_key_exchange k = { 0 };
	uint8_t slot = r->cfg.slot;
	EVP_PKEY *dhe = NULL;
	const uint8_t *rsp;
	size_t rsp_len;
	int n, ret;

	if (slot == SPDM_SLOT_PROVISIONED) {
		if (!r->cfg.peer_pubkey || !spdm_key_matches_asym(r->cfg.peer_pubkey,
								  r->info.neg.base_asym))
			return req_fail(r, err, "key-exchange", -EINVAL,
					"KEY_EXCHANGE: SlotID 0xFF needs a provisioned %s public key",
					spdm_asym_name(r->info.neg.base_asym));
		if (!(r->info.rsp_caps & SPDM_CAP_PUB_KEY_ID))
			return req_fail(r, err, "key-exchange", -EOPNOTSUPP,
					"CAPABILITIES: SlotID 0xFF, but the device lacks PUB_KEY_ID_CAP (Flags 0x%08x)",
					r->info.rsp_caps);
	} else if (slot >= SPDM_MAX_SLOTS || !r->chain_ok[slot] || !r->slot_key[slot]) {
		return req_fail(r, err, "key-exchange", -EINVAL,
				"KEY_EXCHANGE: slot %u has no checked certificate chain", slot);
	}
	if (!r->info.dhe || !spdm_dhe_size(r->info.dhe))
		return req_fail(r, err, "key-exchange", -EOPNOTSUPP,
				"ALGORITHMS: no DHE group selected (DHE 0x%04x)", r->info.dhe);
	x->sp.dhe_size = (uint16_t)spdm_dhe_size(r->info.dhe);
	ret = spdm_dhe_generate(r->info.dhe, &dhe, pub, err);
	if (ret)
		return ret;
	n = sm_opaque(x, opaque, sizeof(opaque));
	if (r->cfg.have_ke_random)
		memcpy(k.random, r->cfg.ke_random, sizeof(k.random));
	if (n < 0 || (ret = da_random(&k.req_session_id, 2)) ||
	    (!r->cfg.have_ke_random && (ret = da_random(k.random, sizeof(k.random))))) {
		ret = da_errf(err, n < 0 ? n : ret, "KEY_EXCHANGE: cannot build the request");
		goto out;
	}
	k.meas_summary_type = x->meas_summary_type;
	k.slot = slot;
	k.exchange = pub;
	k.opaque = opaque;
	k.opaque_len = (uint16_t)n;
	n = spdm_encode_key_exchange(&w, &x->sp, &k);
	if (n < 0) {
		ret = da_errf(err, n, "KEY_EXCHANGE: encoding failed");
		goto out;
	}
	ret = req_exchange(r, buf, (size_t)n, SPDM_KEY_EXCHANGE_RSP, true, &rsp, &rsp_len, err);
	if (ret) {
		req_fail(r, NULL, "key-exchange", ret, "%s", err->msg);
		goto out;
	}
	ret = ke_response(r, x, buf, (size_t)n, k.req_session_id, dhe, rsp, rsp_len, err);
	if (!ret && x->mutual && x->mut_mode != SPDM_MUT_AUTH_REQUESTED) {
		ret = req_encap_mutual(r, x->mut_mode, x->sp.in_clear, &x->req_slot, err);
		if (ret)
			req_fail(r, NULL, "mutual-auth", ret, "%s", err->msg);
		else if (x->req_slot != 0)
			ret = req_fail(r, err, "mutual-auth", -EPROTO,
				       "ENCAPSULATED_RESPONSE_ACK: ReqSlotNumber %u, but we hold a chain in slot 0 only",
				       x->req_slot);
	}
	if (!ret)
		ret = do_finish(r, x, err);
out:
	EVP_PKEY_free(dhe);
	return ret;
}

static int psk_exchange(struct spdm_req *r, struct hs *x, struct da_err *err)
{
	static const char name[] = "PSK_EXCHANGE_RSP";
	uint8_t buf[256], ctx[SPDM_MAX_HASH_SIZE], opaque[64], fin[64 + SPDM_MAX_HASH_SIZE];
	struct wcur w = wcur_init(buf, sizeof(buf)), fw = wcur_init(fin, sizeof(fin));
	struct spdm_psk_exchange k = { 0 };
	struct spdm_psk_exchange_rsp kr;
	struct spdm_psk_finish pf = { 0 };
	const uint8_t *rsp, *o;
	uint16_t sm_version, olen;
	size_t rsp_len;
	int n, ret, slen;

	n = sm_opaque(x, opaque, sizeof(opaque));
	if (n < 0 || da_random(&k.req_session_id, 2) || da_random(ctx, r->p.hash_size))
		return da_errf(err, -EIO, "PSK_EXCHANGE: cannot build the request");
	k.meas_summary_type = x->meas_summary_type;
	_Static_assert(sizeof(r->cfg.psk_hint) == SPDM_MAX_PSK_HINT_SIZE, "PSKHint bound");
	k.hint = r->cfg.psk_hint;
	k.hint_len = (uint16_t)r->cfg.psk_hint_len;
	k.context = ctx;
	k.context_len = r->p.hash_size;
	k.opaque = opaque;
	k.opaque_len = (uint16_t)n;
	n = spdm_encode_psk_exchange(&w, &x->sp, &k);
	if (n < 0)
		return da_errf(err, n, "PSK_EXCHANGE: encoding failed");
	ret = req_exchange(r, buf, (size_t)n, SPDM_PSK_EXCHANGE_RSP, true, &rsp, &rsp_len, err);
	if (ret)
		return req_fail(r, NULL, "psk-exchange", ret, "%s", err->msg);
	slen = req_true_len(r, rsp, rsp_len,
			    spdm_decode_psk_exchange_rsp(rsp, rsp_len, &x->sp, x->meas_summary_type,
							 &kr, err),
			    da_framing_max_pad(r->t->framing), err);
	if (slen < 0)
		return req_fail(r, NULL, "psk-exchange", slen, "%s", err->msg);
	ret = selected_sm_version(r, x, name, kr.opaque, kr.opaque_len, &sm_version, err) ?:
	      th_add(x, r->vca.data, r->vca.len, err) ?: th_add(x, buf, (size_t)n, err) ?:
	      th_add(x, rsp, kr.verify_off, err) ?: th_hash(x, err) ?:
	      open_session(r, (uint32_t)k.req_session_id | (uint32_t)kr.rsp_session_id << 16,
			   !(r->info.rsp_caps & SPDM_CAP_ENCRYPT), sm_version, err);
	if (ret)
		return ret;
	if (r->sess->cfg.keylog)
		r->sess->cfg.keylog(r->sess->cfg.keylog_ctx, r->sess->id, "psk", r->cfg.psk,
				    r->cfg.psk_len);
	ret = spdm_sess_derive_handshake(r->sess, r->cfg.psk, r->cfg.psk_len, true, x->h, err) ?:
	      check_rsp_verify(r, x, "responder-verify-data", name, kr.verify_data, err);
	if (ret)
		return ret;
	r->sinfo.heartbeat_period = kr.heartbeat_period;
	r->sinfo.session_id = r->sess->id;
	r->sinfo.sm_version = sm_version;
	r->sinfo.mac_only = r->sess->cfg.mac_only;
	r->sinfo.psk = true;
	/* Without a responder context (PSK_CAP 01b) there is no PSK_FINISH: TH2 = TH1. */
	if ((r->info.rsp_caps & SPDM_CAP_PSK_MASK) != PSK_CAP_WITH_CONTEXT)
		return th_hash(x, err) ?: spdm_sess_derive_data(r->sess, x->h, err);
	n = spdm_encode_psk_finish_unsigned(&fw, &x->sp, &pf);
	if (n < 0)
		return da_errf(err, n, "PSK_FINISH: encoding failed");
	n = finish_verify_data(r, x, fin, (size_t)n, &fw, err);
	if (n < 0)
		return n;
	ret = req_sess_exchange(r, fin, (size_t)n, SPDM_PSK_FINISH_RSP, true, false, &rsp,
				&rsp_len, err);
	if (!ret)
		ret = req_true_len(r, rsp, rsp_len,
				   spdm_decode_psk_finish_rsp(rsp, rsp_len, r->p.version, &o, &olen,
							      err), 0, err);
	if (ret < 0)
		return req_fail(r, NULL, "psk-finish", ret, "%s", err->msg);
	return th_add(x, rsp, (size_t)ret, err) ?: th_hash(x, err) ?:
	       spdm_sess_derive_data(r->sess, x->h, err);
}

static int done_start(struct spdm_req *r, int ret, struct da_err *err)
{
	if (ret) {
		req_sess_free(r);
		/* A handshake that failed proves nothing: no SESSION evidence of it. */
		da_buf_reset(&r->ev_session);
		da_err_prefix(err, "%s", r->dev);
	}
	req_trim(r);
	return ret;
}

int spdm_req_session_start(struct spdm_req *r, struct da_err *err)
{
	bool psk = r->cfg.psk_len > 0;
	uint32_t caps = r->info.rsp_caps;
	struct hs x = { 0 };
	int ret;

	if (!r->t || r->phase != PH_ALGS)
		return da_errf(err, -EINVAL, "%s: a session needs a negotiated connection", r->dev);
	if (r->sess)
		return da_errf(err, -EBUSY, "%s: a session is already open", r->dev);
	if (r->cfg.psk_len > sizeof(r->cfg.psk) || r->cfg.psk_hint_len > sizeof(r->cfg.psk_hint))
		return da_errf(err, -EINVAL, "%s: PSK %zu bytes, PSKHint %zu: at most %zu and %zu",
			       r->dev, r->cfg.psk_len, r->cfg.psk_hint_len, sizeof(r->cfg.psk),
			       sizeof(r->cfg.psk_hint));
	memset(&r->sinfo, 0, sizeof(r->sinfo));
	da_buf_reset(&r->ev_session);
	if (!r->cfg.session || r->p.version < SPDM_VER_11)
		ret = req_fail(r, err, "session", -EOPNOTSUPP,
			       "%s: sessions need SPDM 1.1+ and were not offered (SPDM %u.%u)",
			       r->dev, r->p.version >> 4, r->p.version & 0xf);
	else if (!(caps & (psk ? SPDM_CAP_PSK_MASK : SPDM_CAP_KEY_EX)))
		ret = req_fail(r, err, "session", -EOPNOTSUPP,
			       "CAPABILITIES: device lacks %s (Flags 0x%08x)",
			       psk ? "PSK_CAP" : "KEY_EX_CAP", caps);
	else if (!(caps & (SPDM_CAP_ENCRYPT | SPDM_CAP_MAC)))
		ret = req_fail(r, err, "session", -EOPNOTSUPP,
			       "CAPABILITIES: device has neither ENCRYPT_CAP nor MAC_CAP");
	else if (!r->info.aead || !spdm_aead_key_size(r->info.aead))
		ret = req_fail(r, err, "session", -EOPNOTSUPP,
			       "ALGORITHMS: no AEAD selected (AEAD 0x%04x)", r->info.aead);
	else
		ret = 0;
	if (ret)
		return done_start(r, ret, err);
	x.sp.p = r->p;
	x.sp.in_clear = !psk && r->cfg.handshake_in_clear &&
			(caps & SPDM_CAP_HANDSHAKE_IN_THE_CLEAR);
	x.meas_summary_type = (caps & SPDM_CAP_MEAS_MASK) ? r->cfg.meas_summary_type :
							      SPDM_MEAS_SUMMARY_NONE;
	x.fmt = spdm_opaque_fmt_for(r->p.version, r->info.other_params);
	if (spdm_hash_init(&x.th, r->info.neg.base_hash))
		return done_start(r, da_errf(err, -ENOMEM, "transcript: out of memory"), err);
	req_l1_reset(r);
	ret = psk ? psk_exchange(r, &x, err) : key_exchange(r, &x, err);
	spdm_hash_free(&x.th);
	OPENSSL_cleanse(x.h, sizeof(x.h));
	if (!ret) {
		r->sinfo.established = true;
		r->sinfo.dhe = psk ? 0 : r->info.dhe;
		r->sinfo.aead = r->info.aead;
		r->sinfo.in_clear = x.sp.in_clear;
		req_pass(r, "session", "session 0x%08x established (%s%s, secured messages %u.%u)",
			 r->sinfo.session_id, psk ? "PSK" : "KEY_EXCHANGE",
			 x.sp.in_clear ? ", handshake in the clear" : "",
			 r->sinfo.sm_version >> 12, (r->sinfo.sm_version >> 8) & 0xf);
	}
	return done_start(r, ret, err);
}
