// SPDX-License-Identifier: MIT
/*
 * Transcript objects back into messages.  Each message is measured by
 * its decoder (which returns the true length and reads only through
 * struct cur), in the order the exchange happened; the negotiated sizes
 * that later decoders need come from ALGORITHMS as the walk passes it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <devauth/evidence.h>

#include "crypto/crypto.h"
#include "transcript.h"

void da_msg_list_free(struct da_msg_list *l)
{
	free(l->m);
	*l = (struct da_msg_list){ 0 };
}

static int push(struct da_msg_list *l, const uint8_t *p, size_t len, size_t origin)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 16;
		struct da_spdm_msg *m = realloc(l->m, cap * sizeof(*m));

		if (!m)
			return -ENOMEM;
		l->m = m;
		l->cap = cap;
	}
	l->m[l->n++] = (struct da_spdm_msg){ .data = p, .len = len, .record = origin };
	return 0;
}

struct walk {
	const char *obj;		/* "VCA" / "MEASUREMENTS" */
	unsigned int type;
	struct cur c;
	struct da_transcript_info *ti;
	bool have_algs;
	uint8_t summary;		/* of the last CHALLENGE */
	bool meas_sig;			/* the last GET_MEASUREMENTS asked for a signature */
	uint32_t rsp_caps;		/* CAPABILITIES Flags */
	uint8_t req_other_params;	/* NEGOTIATE_ALGORITHMS OtherParamsSupport */
};

/* The true length of the message at the cursor, by its decoder. */
static long measure(struct walk *w, const struct spdm_hdr *h, const uint8_t *m, size_t left,
		    struct da_err *err)
{
	struct da_transcript_info *ti = w->ti;
	union {
		struct spdm_version_rsp v;
		struct spdm_caps caps;
		struct spdm_neg_algs na;
		struct spdm_algorithms a;
		struct spdm_digests d;
		struct spdm_get_certificate gc;
		struct spdm_certificate c;
		struct spdm_challenge ch;
		struct spdm_challenge_auth ca;
		struct spdm_get_measurements gm;
		struct spdm_measurements me;
	} u;
	long n;

	switch (h->code) {
	case SPDM_GET_VERSION:
		return spdm_decode_get_version(m, left, err);
	case SPDM_VERSION:
		return spdm_decode_version(m, left, &u.v, err);
	case SPDM_GET_CAPABILITIES:
		n = spdm_decode_get_capabilities(m, left, h->version, &u.caps, err);
		ti->req_caps = u.caps.flags;
		return n;
	case SPDM_CAPABILITIES:
		n = spdm_decode_capabilities(m, left, h->version, &u.caps, err);
		w->rsp_caps = u.caps.flags;
		ti->rsp_caps = u.caps.flags;
		return n;
	case SPDM_NEGOTIATE_ALGORITHMS:
		n = spdm_decode_negotiate_algorithms(m, left, h->version, &u.na, err);
		w->req_other_params = u.na.other_params;
		return n;
	case SPDM_ALGORITHMS:
		n = spdm_decode_algorithms(m, left, h->version, &u.a, err);
		if (n < 0)
			return n;
		ti->neg.base_asym = u.a.base_asym_sel;
		ti->neg.base_hash = u.a.base_hash_sel;
		ti->neg.measurement_hash = u.a.meas_hash_algo;
		for (unsigned int i = 0; i < u.a.num_structs; i++)
			if (u.a.structs[i].type == SPDM_ALG_TYPE_DHE)
				ti->dhe = u.a.structs[i].bits;
		ti->p.version = h->version;
		ti->neg.version = h->version;
		ti->p.hash_size = (uint16_t)spdm_hash_size(u.a.base_hash_sel);
		ti->p.sig_size = (uint16_t)spdm_sig_size(u.a.base_asym_sel);
		ti->p.meas_hash_size = (uint16_t)spdm_meas_hash_size(u.a.meas_hash_algo);
		ti->p.multi_key_conn = spdm_multi_key_conn_rsp(h->version, w->rsp_caps,
							       w->req_other_params);
		/* Sizes are what the rest of the walk needs: unknown ones end it here. */
		if (!ti->p.hash_size || !ti->p.sig_size)
			return da_errf(err, -EPROTO,
				       "ALGORITHMS: BaseAsymSel 0x%08x / BaseHashSel 0x%08x select no single known algorithm",
				       u.a.base_asym_sel, u.a.base_hash_sel);
		w->have_algs = true;
		return n;
	}
	if (!w->have_algs)
		return da_errf(err, -EPROTO, "%s: before ALGORITHMS", spdm_code_name(h->code));
	switch (h->code) {
	case SPDM_GET_DIGESTS:
		return spdm_decode_get_digests(m, left, err);
	case SPDM_DIGESTS:
		return spdm_decode_digests(m, left, &ti->p, &u.d, err);
	case SPDM_GET_CERTIFICATE:
		return spdm_decode_get_certificate(m, left, h->version, &u.gc, err);
	case SPDM_CERTIFICATE:
		return spdm_decode_certificate(m, left, h->version, &u.c, err);
	case SPDM_CHALLENGE:
		n = spdm_decode_challenge(m, left, h->version, &u.ch, err);
		if (n < 0)
			return n;
		w->summary = u.ch.meas_summary_type;
		ti->neg.slot = u.ch.slot;
		/* The nonce follows the 4-byte header in every version. */
		ti->req_nonce_off = w->c.off + 4;
		return n;
	case SPDM_CHALLENGE_AUTH:
		n = spdm_decode_challenge_auth(m, left, &ti->p, w->summary, &u.ca, err);
		if (n < 0)
			return n;
		ti->sig_off = w->c.off + u.ca.signed_len;
		ti->rsp_nonce_off = w->c.off + 4 + ti->p.hash_size;
		return n;
	case SPDM_GET_MEASUREMENTS:
		n = spdm_decode_get_measurements(m, left, h->version, &u.gm, err);
		if (n >= 0)
			w->meas_sig = u.gm.attributes & SPDM_MEAS_ATTR_SIG;
		return n;
	case SPDM_MEASUREMENTS:
		return spdm_decode_measurements(m, left, &ti->p, w->meas_sig, &u.me, err);
	}
	return da_errf(err, -EPROTO, "%s (0x%02x) does not belong in this transcript",
		       spdm_code_name(h->code), h->code);
}

/* Next message: its header, its bytes and its offset. */
static int next_msg(struct walk *w, struct da_msg_list *out, struct spdm_hdr *h,
		    struct da_err *err)
{
	size_t at = w->c.off, left = cur_left(&w->c);
	const uint8_t *m;
	long n;
	int ret;

	if (cur_ptr(&w->c, left, &m))
		return -EBADMSG;
	w->c.off = at;
	ret = spdm_decode_hdr(m, left, h, err);
	if (ret < 0)
		goto bad;
	n = measure(w, h, m, left, err);
	if (n < 0) {
		ret = (int)n;
		goto bad;
	}
	if (cur_skip(&w->c, (size_t)n)) {
		ret = -EBADMSG;
		goto bad;
	}
	ret = push(out, m, (size_t)n, da_msg_origin(w->type, at));
	if (ret)
		return da_errf(err, ret, "%s: out of memory", w->obj);
	return 0;
bad:
	da_err_prefix(err, "%s object, offset %zu", w->obj, at);
	return ret;
}

int da_split_vca(const uint8_t *buf, size_t len, struct da_msg_list *out,
		 struct da_transcript_info *ti, struct da_err *err)
{
	struct walk w = { .obj = "VCA", .type = DA_EV_VCA, .c = cur_init(buf, len), .ti = ti };
	bool first = true;
	struct spdm_hdr h;
	int ret;

	memset(ti, 0, sizeof(*ti));
	if (!len)
		return da_errf(err, -ENOENT, "VCA object: empty");
	while (!cur_at_end(&w.c)) {
		size_t at = w.c.off;

		ret = next_msg(&w, out, &h, err);
		if (ret)
			return ret;
		if (first && h.code != SPDM_GET_VERSION)
			return da_errf(err, -EPROTO,
				       "VCA object, offset 0: starts with %s, not GET_VERSION",
				       spdm_code_name(h.code));
		first = false;
		if (h.code == SPDM_GET_MEASUREMENTS || h.code == SPDM_MEASUREMENTS)
			return da_errf(err, -EPROTO,
				       "VCA object, offset %zu: %s belongs in the MEASUREMENTS object",
				       at, spdm_code_name(h.code));
		if (h.code == SPDM_ALGORITHMS && !ti->a_len)
			ti->a_len = w.c.off;
		if (h.code == SPDM_CHALLENGE)
			ti->chal_off = at;
		if (h.code == SPDM_CHALLENGE_AUTH) {
			ti->chal_auth_off = at;
			if (!cur_at_end(&w.c))
				return da_errf(err, -EBADMSG,
					       "VCA object, offset %zu: %zu bytes after CHALLENGE_AUTH",
					       w.c.off, cur_left(&w.c));
			return 0;
		}
	}
	return da_errf(err, -EBADMSG, "VCA object, offset %zu: ends without CHALLENGE_AUTH", len);
}

int da_split_meas(const uint8_t *buf, size_t len, const struct da_transcript_info *ti,
		  struct da_msg_list *out, size_t *a_len, struct da_err *err)
{
	struct da_transcript_info t = *ti;
	struct walk w = { .obj = "MEASUREMENTS", .type = DA_EV_MEASUREMENTS,
			  .c = cur_init(buf, len), .ti = &t, .have_algs = true };
	struct spdm_hdr h;
	int ret;

	*a_len = 0;
	/* From 1.2, L1 starts with A; before, with the measurement messages. */
	if (ti->p.version >= SPDM_VER_12) {
		if (cur_skip(&w.c, ti->a_len))
			return da_errf(err, -EBADMSG,
				       "MEASUREMENTS object, offset 0: %zu bytes, shorter than the %zu bytes of A",
				       len, ti->a_len);
		*a_len = ti->a_len;
	}
	if (cur_at_end(&w.c))
		return da_errf(err, -EBADMSG, "MEASUREMENTS object, offset %zu: no messages", len);
	while (!cur_at_end(&w.c)) {
		size_t at = w.c.off;

		ret = next_msg(&w, out, &h, err);
		if (ret)
			return ret;
		if (h.code != SPDM_GET_MEASUREMENTS)
			return da_errf(err, -EPROTO,
				       "MEASUREMENTS object, offset %zu: %s where GET_MEASUREMENTS belongs",
				       at, spdm_code_name(h.code));
		at = w.c.off;
		if (cur_at_end(&w.c))
			return da_errf(err, -EBADMSG,
				       "MEASUREMENTS object, offset %zu: GET_MEASUREMENTS has no response",
				       at);
		ret = next_msg(&w, out, &h, err);
		if (ret)
			return ret;
		if (h.code != SPDM_MEASUREMENTS)
			return da_errf(err, -EPROTO,
				       "MEASUREMENTS object, offset %zu: %s where MEASUREMENTS belongs",
				       at, spdm_code_name(h.code));
		if (w.meas_sig) {
			if (!cur_at_end(&w.c))
				return da_errf(err, -EBADMSG,
					       "MEASUREMENTS object, offset %zu: %zu bytes after the signed MEASUREMENTS",
					       w.c.off, cur_left(&w.c));
			return 0;
		}
	}
	return da_errf(err, -EBADMSG,
		       "MEASUREMENTS object, offset %zu: ends without a signed MEASUREMENTS", len);
}
