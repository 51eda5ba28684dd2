// SPDX-License-Identifier: MIT
/*
 * The flows, in protocol order: live over a transport, or replayed from
 * a recorded exchange.  Both end in req_process_pair().
 */
#include <errno.h>
#include <string.h>

#include "req.h"

int req_process_pair(struct spdm_req *r, const uint8_t *req, size_t req_len,
		     const uint8_t *rsp, size_t rsp_len, size_t max_pad, struct da_err *err)
{
	struct spdm_hdr h;
	int ret;

	ret = spdm_decode_hdr(req, req_len, &h, err);
	if (ret < 0)
		return ret;
	if (h.code != SPDM_GET_MEASUREMENTS)
		req_l1_reset(r);
	/* After negotiation every request carries the negotiated version. */
	if (r->phase == PH_ALGS && h.code != SPDM_GET_VERSION && h.version != r->p.version)
		return da_errf(err, -EPROTO, "%s: SPDMVersion 0x%02x, negotiated 0x%02x",
			       req_msg_name(h.code), h.version, r->p.version);
	switch (h.code) {
	case SPDM_GET_VERSION:
		return req_process_version(r, req, req_len, rsp, rsp_len, max_pad, err);
	case SPDM_GET_CAPABILITIES:
		return req_process_capabilities(r, req, req_len, rsp, rsp_len, max_pad, err);
	case SPDM_NEGOTIATE_ALGORITHMS:
		return req_process_algorithms(r, req, req_len, rsp, rsp_len, max_pad, err);
	case SPDM_GET_DIGESTS:
		return req_process_digests(r, req, req_len, rsp, rsp_len, max_pad, err);
	case SPDM_GET_CERTIFICATE:
		ret = req_process_certificate(r, req, req_len, rsp, rsp_len, max_pad, err);
		return ret < 0 ? ret : 0;
	case SPDM_CHALLENGE:
		return req_process_challenge_auth(r, req, req_len, rsp, rsp_len, max_pad, err);
	case SPDM_GET_MEASUREMENTS:
		return req_process_measurements(r, req, req_len, rsp, rsp_len, max_pad, err);
	default:
		return da_errf(err, -EOPNOTSUPP, "%s (0x%02x): not part of authentication",
			       req_msg_name(h.code), h.code);
	}
}

typedef int (*build_fn)(struct spdm_req *r, struct wcur *w);

/* Build with fn, exchange, process: one step of the live flow. */
static int step(struct spdm_req *r, long built, uint8_t expect, bool crypto,
		struct da_err *err)
{
	const uint8_t *rsp;
	size_t rsp_len;
	int ret;

	if (built < 0)
		return da_errf(err, (int)built, "encoding the request failed");
	ret = req_exchange(r, r->req_buf, (size_t)built, expect, crypto, &rsp, &rsp_len, err);
	if (ret)
		return ret;
	return req_process_pair(r, r->req_buf, (size_t)built, rsp, rsp_len,
				da_framing_max_pad(r->t->framing), err);
}

static long build(struct spdm_req *r, build_fn fn)
{
	struct wcur w = wcur_init(r->req_buf, sizeof(r->req_buf));

	return fn(r, &w);
}

static int vca(struct spdm_req *r, struct da_err *err)
{
	return step(r, build(r, req_build_get_version), SPDM_VERSION, false, err) ?:
	       step(r, build(r, req_build_get_capabilities), SPDM_CAPABILITIES, false, err) ?:
	       step(r, build(r, req_build_negotiate_algorithms), SPDM_ALGORITHMS, false, err);
}

static int read_chain(struct spdm_req *r, uint8_t slot, struct da_err *err)
{
	uint32_t offset = 0;

	/* A whole chain in 1-byte portions is the most a device may drag it out. */
	for (unsigned int i = 0; i <= SPDM_MAX_LARGE_CERT_CHAIN_SIZE; i++) {
		struct wcur w = wcur_init(r->req_buf, sizeof(r->req_buf));
		long built = req_build_get_certificate(r, slot, offset, &w);
		const uint8_t *rsp;
		size_t rsp_len;
		int ret;

		if (built < 0)
			return da_errf(err, (int)built, "GET_CERTIFICATE: encoding failed");
		ret = req_exchange(r, r->req_buf, (size_t)built, SPDM_CERTIFICATE, false, &rsp,
				   &rsp_len, err);
		if (ret)
			return ret;
		ret = req_process_certificate(r, r->req_buf, (size_t)built, rsp, rsp_len,
					      da_framing_max_pad(r->t->framing), err);
		if (ret)
			return ret < 0 ? ret : 0;
		offset = (uint32_t)r->reading.len;
	}
	return da_errf(err, -EPROTO, "CERTIFICATE: slot %u chain never completed", slot);
}

static int challenge(struct spdm_req *r, uint8_t slot, struct da_err *err)
{
	struct wcur w = wcur_init(r->req_buf, sizeof(r->req_buf));

	return step(r, req_build_challenge(r, slot, &w), SPDM_CHALLENGE_AUTH, true, err);
}

static int finish(struct spdm_req *r, int ret, struct da_err *err)
{
	req_trim(r);
	if (ret)
		da_err_prefix(err, "%s", r->dev);
	return ret;
}

int spdm_req_negotiate(struct spdm_req *r, struct da_err *err)
{
	if (!r->t)
		return da_errf(err, -EINVAL, "%s: no transport", r->dev);
	da_checklist_reset(&r->checks);
	return finish(r, vca(r, err), err);
}

int spdm_req_authenticate(struct spdm_req *r, struct da_err *err)
{
	uint8_t slot = r->cfg.slot;
	int ret;

	if (!r->t)
		return da_errf(err, -EINVAL, "%s: no transport", r->dev);
	da_checklist_reset(&r->checks);
	ret = vca(r, err) ?: step(r, build(r, req_build_get_digests), SPDM_DIGESTS, false, err);
	if (ret)
		return finish(r, ret, err);
	if (slot >= SPDM_MAX_SLOTS || !(r->info.provisioned_mask & (1u << slot)))
		return finish(r, req_fail(r, err, "digests", -ENOENT,
					  "DIGESTS: slot %u is not provisioned (ProvisionedSlotMask 0x%02x)",
					  slot, r->info.provisioned_mask), err);
	for (uint8_t s = 0; s < SPDM_MAX_SLOTS; s++) {
		if (s != slot && !(r->cfg.all_slots && (r->info.provisioned_mask & (1u << s))))
			continue;
		ret = read_chain(r, s, err);
		if (ret)
			return finish(r, ret, err);
	}
	return finish(r, challenge(r, slot, err), err);
}

int spdm_req_rechallenge(struct spdm_req *r, struct da_err *err)
{
	int ret;

	if (!r->t || !r->leaf_key)
		return da_errf(err, -EINVAL, "%s: re-challenge needs an earlier authentication",
			       r->dev);
	da_checklist_reset(&r->checks);
	ret = vca(r, err) ?: step(r, build(r, req_build_get_digests), SPDM_DIGESTS, false, err) ?:
	      challenge(r, r->leaf_slot, err);
	return finish(r, ret, err);
}

int spdm_req_measure(struct spdm_req *r, struct da_err *err)
{
	struct wcur w = wcur_init(r->req_buf, sizeof(r->req_buf));
	uint32_t meas = r->info.rsp_caps & SPDM_CAP_MEAS_MASK;

	if (!r->t || r->phase != PH_ALGS)
		return da_errf(err, -EINVAL, "%s: measurements need a negotiated connection",
			       r->dev);
	if (!meas) {
		da_check_add(&r->checks, "measurements", DA_CHECK_SKIP, "device has no MEAS_CAP");
		return 0;
	}
	return finish(r, step(r, req_build_get_measurements(r, SPDM_MEAS_OP_ALL,
							    meas == SPDM_CAP_MEAS_SIG, &w),
			      SPDM_MEASUREMENTS, true, err), err);
}

static bool is_request(const struct da_spdm_msg *m)
{
	return m->len >= 2 && (m->data[1] & 0x80);
}

static int replay(struct spdm_req *r, const struct da_spdm_msg *msgs, size_t n,
		  struct da_err *err);

int spdm_req_replay(struct spdm_req *r, const struct da_spdm_msg *msgs, size_t n,
		    struct da_err *err)
{
	struct da_spdm_msg *large = NULL;
	uint8_t **bufs = NULL;
	size_t nlarge = 0, nbufs = 0;
	int ret;

	da_checklist_reset(&r->checks);
	/* Large messages are checked as the requester saw them: reassembled. */
	ret = req_unchunk(msgs, n, &large, &nlarge, &bufs, &nbufs, err);
	if (ret)
		return ret;
	ret = large ? replay(r, large, nlarge, err) : replay(r, msgs, n, err);
	req_unchunk_free(large, bufs, nbufs);
	return ret;
}

static int replay(struct spdm_req *r, const struct da_spdm_msg *msgs, size_t n,
		  struct da_err *err)
{
	size_t i = 0;
	int ret;

	while (i < n) {
		const struct da_spdm_msg *q = &msgs[i], *s;
		struct spdm_hdr h;

		if (q->secured)
			return da_errf(err, -EOPNOTSUPP,
				       "record %zu: secured SPDM message (DSP0277) not supported",
				       q->record);
		if (!is_request(q))
			return da_errf(err, -EPROTO, "record %zu: response without a request",
				       q->record);
		if (i + 1 >= n)
			return da_errf(err, -EPROTO, "record %zu: %s has no response", q->record,
				       req_msg_name(q->data[1]));
		s = &msgs[i + 1];
		if (is_request(s))
			return da_errf(err, -EPROTO, "record %zu: %s follows %s without a response",
				       s->record, req_msg_name(s->data[1]), req_msg_name(q->data[1]));
		i += 2;
		ret = spdm_decode_hdr(s->data, s->len, &h, err);
		if (ret < 0)
			return ret;
		if (h.code == SPDM_ERROR) {
			struct spdm_error e;

			ret = spdm_decode_error(s->data, s->len, &e, err);
			if (ret < 0)
				return ret;
			/*
			 * A measurement request the device refused (an index it
			 * does not have, as a one-by-one reader meets them) ends
			 * L1 on both sides; the reader goes on with the next.
			 */
			if (q->data[1] == SPDM_GET_MEASUREMENTS &&
			    e.code != SPDM_ERR_RESPONSE_NOT_READY) {
				req_l1_reset(r);
				continue;
			}
			if (e.code == SPDM_ERR_BUSY)
				continue;	/* the request is sent again */
			if (e.code == SPDM_ERR_RESPONSE_NOT_READY && i + 1 < n &&
			    is_request(&msgs[i]) && msgs[i].data[1] == SPDM_RESPOND_IF_READY) {
				/* The transcript pairs the request with the late response. */
				s = &msgs[i + 1];
				i += 2;
			}
		}
		ret = req_process_pair(r, q->data, q->len, s->data, s->len,
				       q->max_pad > s->max_pad ? q->max_pad : s->max_pad, err);
		if (ret) {
			da_err_prefix(err, "record %zu", s->record);
			return ret;
		}
	}
	req_trim(r);
	return 0;
}
