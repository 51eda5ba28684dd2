// SPDX-License-Identifier: MIT
/*
 * The SESSION object (docs/evidence.md): the KEY_EXCHANGE and
 * KEY_EXCHANGE_RSP of the session a TSM held while it locked a TDISP
 * interface, then the TDISP header that lock was sent with.  The
 * KEY_EXCHANGE_RSP signature is checked here with the leaf key the
 * replay verified, over VCA (A), Hash(the slot's chain), KEY_EXCHANGE
 * and KEY_EXCHANGE_RSP up to the signature; the verifier's nonce must
 * be the KEY_EXCHANGE RandomData.  What the signature cannot cover (that
 * the REPORT arrived inside this session) is the TSM's word.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "crypto/crypto.h"
#include "crypto/session_crypto.h"
#include "evidence/transcript.h"
#include "hex.h"
#include "spdm/session_codec.h"
#include "tdisp/tdisp_codec.h"
#include "verifier_internal.h"

struct sess_obj {
	struct spdm_key_exchange ke;
	struct spdm_key_exchange_rsp kr;
	const uint8_t *ke_msg, *kr_msg;
	size_t ke_len, kr_len;
	bool have_hdr;
	struct tdisp_hdr hdr;
};

/* Split the object; every length through the codec's decoders. */
static int split(const uint8_t *buf, size_t len, const struct da_transcript_info *ti,
		 struct sess_obj *s, struct da_err *err)
{
	struct spdm_sess_params sp = { .p = ti->p };
	size_t off = 0;
	long n;

	sp.dhe_size = (uint16_t)spdm_dhe_size(ti->dhe);
	sp.in_clear = ti->req_caps & ti->rsp_caps & SPDM_CAP_HANDSHAKE_IN_THE_CLEAR;
	if (!sp.dhe_size)
		return da_errf(err, -EPROTO,
			       "SESSION object: the VCA selects no DHE group this verifier knows (DHE 0x%04x)",
			       ti->dhe);
	n = spdm_decode_key_exchange(buf, len, &sp, &s->ke, err);
	if (n < 0) {
		da_err_prefix(err, "SESSION object, offset 0");
		return (int)n;
	}
	s->ke_msg = buf;
	s->ke_len = (size_t)n;
	off = (size_t)n;
	n = spdm_decode_key_exchange_rsp(buf + off, len - off, &sp, s->ke.meas_summary_type,
					 &s->kr, err);
	if (n < 0) {
		da_err_prefix(err, "SESSION object, offset %zu", off);
		return (int)n;
	}
	s->kr_msg = buf + off;
	s->kr_len = (size_t)n;
	off += (size_t)n;
	if (off == len)
		return 0;
	if (len - off != TDISP_HDR_SIZE)
		return da_errf(err, -EBADMSG,
			       "SESSION object, offset %zu: %zu bytes after KEY_EXCHANGE_RSP, not a %u-byte TDISP header",
			       off, len - off, TDISP_HDR_SIZE);
	n = tdisp_decode_hdr(buf + off, len - off, &s->hdr, err);
	if (n < 0) {
		da_err_prefix(err, "SESSION object, offset %zu", off);
		return (int)n;
	}
	if (s->hdr.type != TDISP_LOCK_INTERFACE_REQ || s->hdr.reserved)
		return da_errf(err, -EBADMSG,
			       "SESSION object, offset %zu: TDISP header of message 0x%02x (reserved 0x%04x), not of LOCK_INTERFACE_REQUEST",
			       off, s->hdr.type, s->hdr.reserved);
	s->have_hdr = true;
	return 0;
}

static int signature(struct spdm_req *r, const struct da_evidence *ev,
		     const struct da_transcript_info *ti, const struct sess_obj *s,
		     struct da_verdict *v, struct da_err *err)
{
	const struct spdm_req_info *i = spdm_req_info(r);
	uint8_t h[SPDM_MAX_HASH_SIZE];
	struct da_buf th = { 0 };
	EVP_PKEY *leaf = spdm_req_leaf_key(r);
	int ret;

	if (!leaf)
		return da_errf(err, -ENOKEY, "no verified leaf key to check KEY_EXCHANGE_RSP with");
	/* The session must run with the identity that was authenticated. */
	if (s->ke.slot != i->neg.slot)
		return da_errf(err, -EPROTO,
			       "KEY_EXCHANGE SlotID %u, but the authentication challenged slot %u",
			       s->ke.slot, i->neg.slot);
	ret = da_buf_append(&th, ev->obj[DA_EV_VCA].data, ti->a_len) ?:
	      da_buf_append(&th, v->chain_hash, i->hash_size) ?:
	      da_buf_append(&th, s->ke_msg, s->ke_len) ?:
	      da_buf_append(&th, s->kr_msg, s->kr.signed_len);
	if (ret) {
		da_buf_free(&th);
		return da_errf(err, -ENOMEM, "out of memory");
	}
	ret = spdm_hash(i->neg.base_hash, th.data, th.len, h) ?
	      da_errf(err, -EIO, "hashing the session transcript failed") :
	      spdm_verify(leaf, i->neg.base_asym, i->neg.base_hash, i->neg.version,
			  SPDM_CTX_KEY_EXCHANGE_RSP, h, s->kr.signature, i->sig_size, err);
	da_buf_free(&th);
	if (ret)
		da_err_prefix(err, "KEY_EXCHANGE_RSP");
	return ret;
}

void da_check_session(struct spdm_req *r, const struct da_evidence *ev,
		      const struct da_transcript_info *ti, const struct da_verify_opts *o,
		      struct da_verdict *v)
{
	const struct da_evidence_obj *so = &ev->obj[DA_EV_SESSION];
	struct da_err err = { 0 };
	struct sess_obj s = { 0 };
	char hex[2 * SPDM_NONCE_SIZE + 1];

	if (!so->len) {
		if (ev->obj[DA_EV_REPORT].len)
			da_check_add(&v->checks, "session", DA_CHECK_FAIL,
				     "a REPORT without the SESSION object: no signed KEY_EXCHANGE_RSP ties the report's session to this device");
		return;
	}
	if (split(so->data, so->len, ti, &s, &err)) {
		da_check_add(&v->checks, "session", DA_CHECK_FAIL, "%s", err.msg);
		return;
	}
	da_check_add(&v->checks, "session", DA_CHECK_PASS,
		     "KEY_EXCHANGE (%zu bytes) and KEY_EXCHANGE_RSP (%zu bytes)%s",
		     s.ke_len, s.kr_len, s.have_hdr ? " and the lock's TDISP header" : "");
	if (signature(r, ev, ti, &s, v, &err)) {
		da_check_add(&v->checks, "session-signature", DA_CHECK_FAIL, "%s", err.msg);
	} else {
		v->session_signed = true;
		da_check_add(&v->checks, "session-signature", DA_CHECK_PASS,
			     "KEY_EXCHANGE_RSP signed (%s) by the verified leaf over VCA, the slot %u chain hash, KEY_EXCHANGE and KEY_EXCHANGE_RSP",
			     spdm_asym_name(v->neg.base_asym), v->neg.slot);
	}
	da_hex(s.ke.random, SPDM_NONCE_SIZE, hex, sizeof(hex));
	if (!o->have_nonce)
		da_check_add(&v->checks, "session-nonce", DA_CHECK_SKIP,
			     "no nonce supplied: the session's freshness not checked (RandomData %s)",
			     hex);
	else if (CRYPTO_memcmp(s.ke.random, o->nonce, SPDM_NONCE_SIZE))
		da_check_add(&v->checks, "session-nonce", DA_CHECK_FAIL,
			     "KEY_EXCHANGE RandomData %s is not the verifier's nonce", hex);
	else
		da_check_add(&v->checks, "session-nonce", DA_CHECK_PASS,
			     "KEY_EXCHANGE RandomData is the verifier's nonce");
	if (s.have_hdr) {
		v->have_tdisp_lock = true;
		v->tdisp_version = s.hdr.version;
		v->interface_id = s.hdr.iface.function_id;
		v->interface_id_reserved = s.hdr.iface.reserved;
	}
}
