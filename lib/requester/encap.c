// SPDX-License-Identifier: MIT
/*
 * Encapsulated requests during a session handshake: a device that asks
 * for mutual authentication with MutAuthRequested bit 1 (or bit 2, which
 * implies a first GET_DIGESTS with RequestID 0) reads our chain through
 * the role inversion of DSP0274 before FINISH: GET_ENCAPSULATED_REQUEST,
 * then DELIVER_ENCAPSULATED_RESPONSE for each request it carries, until
 * an ENCAPSULATED_RESPONSE_ACK says it is done (and, with PayloadType 2,
 * which of our slots FINISH is to be signed with).  We answer GET_DIGESTS
 * and GET_CERTIFICATE for our one chain (slot 0); any other request gets
 * ERROR UnsupportedRequest.  These messages are secured with the
 * handshake keys like FINISH (plain in the clear) and are not part of
 * the session transcript: the chain enters it as its hash.
 */
#include <errno.h>
#include <string.h>

#include "crypto/pki.h"
#include "req.h"
#include "session/session.h"
#include "spdm/encapsulated.h"
#include "spdm/session_codec.h"

/* The device reads a chain of at most a few KiB: any more rounds is a device looping. */
#define ENCAP_MAX_ROUNDS 64
#define ENCAP_MAX_PORTION 1024

struct encap {
	struct da_buf chain;		/* ours, SPDM format */
	uint8_t digest[SPDM_MAX_HASH_SIZE];
	uint8_t req[64];		/* the device's current request (copied) */
	size_t req_len;
	uint8_t id;
};

static int exchange(struct spdm_req *r, bool in_clear, const uint8_t *q, size_t n, uint8_t code,
		    const uint8_t **rsp, size_t *rsp_len, struct da_err *err)
{
	if (in_clear)
		return req_exchange(r, q, n, code, true, rsp, rsp_len, err);
	return req_sess_exchange(r, q, n, code, true, false, rsp, rsp_len, err);
}

/* Our answer to the device's request, a whole SPDM message, into w. */
static int answer(struct spdm_req *r, struct encap *e, struct wcur *w, struct da_err *err)
{
	struct spdm_dec_params p = r->p;
	uint8_t ver = r->p.version;
	struct spdm_hdr h;

	if (spdm_decode_hdr(e->req, e->req_len, &h, NULL) || h.version != ver)
		return da_errf(err, -EPROTO,
			       "ENCAPSULATED_REQUEST: carried request of %zu bytes is not SPDM %u.%u",
			       e->req_len, ver >> 4, ver & 0xf);
	switch (h.code) {
	case SPDM_GET_DIGESTS: {
		struct spdm_digests d = { .supported_mask = 1, .provisioned_mask = 1 };

		if (spdm_decode_get_digests(e->req, e->req_len, err) < 0)
			return -EBADMSG;
		d.digest[0] = e->digest;
		p.multi_key_conn = false;
		return spdm_encode_digests(w, &p, &d);
	}
	case SPDM_GET_CERTIFICATE: {
		struct spdm_get_certificate g;
		struct spdm_certificate c = { 0 };
		size_t left;

		if (spdm_decode_get_certificate(e->req, e->req_len, ver, &g, err) < 0)
			return -EBADMSG;
		if (g.slot != 0 || g.offset > e->chain.len)
			return spdm_encode_error(w, ver, SPDM_ERR_INVALID_REQUEST, 0, NULL, 0);
		left = e->chain.len - g.offset;
		/* a device that saw our LARGE_RESP_CAP may ask in the 1.4 large form */
		c.large = g.large;
		c.portion_len = (uint32_t)(left < g.length ? left : g.length);
		if (c.portion_len > ENCAP_MAX_PORTION)
			c.portion_len = ENCAP_MAX_PORTION;
		c.remainder_len = (uint32_t)(left - c.portion_len);
		c.portion = e->chain.data + g.offset;
		return spdm_encode_certificate(w, ver, &c);
	}
	default:
		return spdm_encode_error(w, ver, SPDM_ERR_UNSUPPORTED_REQUEST, h.code, NULL, 0);
	}
}

static int take_request(struct encap *e, const uint8_t *p, size_t n, const char *name,
			struct da_err *err)
{
	if (n > sizeof(e->req))
		return da_errf(err, -EMSGSIZE, "%s: a %zu-byte encapsulated request (we take %zu)",
			       name, n, sizeof(e->req));
	memcpy(e->req, p, n);
	e->req_len = n;
	return 0;
}

static int rounds(struct spdm_req *r, struct encap *e, bool in_clear, uint8_t *req_slot,
		  struct da_err *err)
{
	static const char name[] = "ENCAPSULATED_RESPONSE_ACK";
	uint8_t buf[16 + ENCAP_MAX_PORTION + 2 * SPDM_MAX_HASH_SIZE];

	for (unsigned int i = 0; i < ENCAP_MAX_ROUNDS; i++) {
		uint8_t inner[8 + ENCAP_MAX_PORTION + SPDM_MAX_HASH_SIZE];
		struct wcur iw = wcur_init(inner, sizeof(inner)), w = wcur_init(buf, sizeof(buf));
		struct spdm_encap d = { .request_id = e->id }, ack;
		const uint8_t *rsp;
		size_t rsp_len;
		int n, ret;

		n = answer(r, e, &iw, err);
		if (n < 0)
			return n;
		d.payload = inner;
		d.payload_len = (size_t)n;
		n = spdm_encode_deliver_encapsulated_response(&w, r->p.version, &d);
		if (n < 0)
			return da_errf(err, n, "DELIVER_ENCAPSULATED_RESPONSE: encoding failed");
		ret = exchange(r, in_clear, buf, (size_t)n, SPDM_ENCAPSULATED_RESPONSE_ACK, &rsp,
			       &rsp_len, err);
		if (ret)
			return ret;
		ret = req_true_len(r, rsp, rsp_len,
				   spdm_decode_encapsulated_response_ack(rsp, rsp_len, r->p.version,
									 &ack, err),
				   in_clear ? da_framing_max_pad(r->t->framing) : 0, err);
		if (ret < 0)
			return ret;
		if (r->p.version >= SPDM_VER_12 && ack.ack_request_id != e->id)
			return da_errf(err, -EPROTO, "%s: AckRequestID %u, we answered RequestID %u",
				       name, ack.ack_request_id, e->id);
		if (ack.payload_type == SPDM_ENCAP_ACK_ABSENT)
			return 0;
		if (ack.payload_type == SPDM_ENCAP_ACK_REQ_SLOT) {
			*req_slot = ack.payload[0];
			return 0;
		}
		ret = take_request(e, ack.payload, ack.payload_len, name, err);
		if (ret)
			return ret;
		e->id = ack.request_id;
	}
	return da_errf(err, -ELOOP, "%s: still more requests after %u rounds", name,
		       ENCAP_MAX_ROUNDS);
}

int req_encap_mutual(struct spdm_req *r, uint8_t mut_auth, bool in_clear, uint8_t *req_slot,
		     struct da_err *err)
{
	struct encap e = { 0 };
	const uint8_t *rsp;
	size_t rsp_len;
	int ret;

	ret = pki_spdm_chain((X509 *const *)r->cfg.req_certs, r->cfg.n_req_certs,
			     r->info.neg.base_hash, &e.chain, err);
	if (!ret && spdm_hash(r->info.neg.base_hash, e.chain.data, e.chain.len, e.digest))
		ret = da_errf(err, -EIO, "encapsulated DIGESTS: hashing our chain failed");
	if (ret)
		goto out;
	if (mut_auth == SPDM_MUT_AUTH_WITH_GET_DIGESTS) {
		/* The device's first request is implied: GET_DIGESTS, RequestID 0. */
		uint8_t q[4] = { r->p.version, SPDM_GET_DIGESTS, 0, 0 };

		memcpy(e.req, q, sizeof(q));
		e.req_len = sizeof(q);
	} else {
		struct wcur w = wcur_init(r->req_buf, sizeof(r->req_buf));
		struct spdm_encap er;
		int n = spdm_encode_get_encapsulated_request(&w, r->p.version);

		if (n < 0) {
			ret = da_errf(err, n, "GET_ENCAPSULATED_REQUEST: encoding failed");
			goto out;
		}
		ret = exchange(r, in_clear, r->req_buf, (size_t)n, SPDM_ENCAPSULATED_REQUEST, &rsp,
			       &rsp_len, err);
		if (!ret)
			ret = req_true_len(r, rsp, rsp_len,
					   spdm_decode_encapsulated_request(rsp, rsp_len, &er, err),
					   0, err);
		if (ret < 0)
			goto out;
		e.id = er.request_id;
		ret = take_request(&e, er.payload, er.payload_len, "ENCAPSULATED_REQUEST", err);
		if (ret)
			goto out;
	}
	ret = rounds(r, &e, in_clear, req_slot, err);
out:
	da_buf_free(&e.chain);
	return ret;
}
