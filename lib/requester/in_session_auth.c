// SPDX-License-Identifier: MIT
/*
 * GET_DIGESTS and GET_CERTIFICATE inside an established session, and
 * the generic in-session request.  The digests and chains read inside
 * the session must be the ones read and checked at authentication:
 * a device that answers differently once the channel is private is
 * presenting another identity, so every difference fails naming the
 * slot.  Nothing read here replaces what authentication recorded.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "req.h"
#include "session/session.h"

int req_session_send(struct spdm_req *r, const uint8_t *req, size_t req_len,
		     uint8_t expect_code, bool crypto, uint8_t *out, size_t cap,
		     size_t *out_len, struct da_err *err)
{
	const uint8_t *rsp;
	size_t rsp_len;
	int ret;

	*out_len = 0;
	ret = req_need_session(r, req_msg_name(req_len > 1 ? req[1] : 0), err);
	if (ret)
		return ret;
	if (req_len < 4 || req[0] != r->p.version)
		return da_errf(err, -EINVAL,
			       "%s: in-session request of %zu bytes is not an SPDM %u.%u message",
			       r->dev, req_len, r->p.version >> 4, r->p.version & 0xf);
	/* Anything but a measurement request closes the L1/L2 transcript. */
	if (req[1] != SPDM_GET_MEASUREMENTS)
		req_l1_reset(r);
	ret = req_sess_exchange(r, req, req_len, expect_code, crypto, false, &rsp, &rsp_len, err);
	if (!ret && rsp_len > cap)
		ret = da_errf(err, -EMSGSIZE, "%s: %zu-byte response exceeds the %zu-byte buffer",
			      req_msg_name(req[1]), rsp_len, cap);
	if (!ret) {
		memcpy(out, rsp, rsp_len);
		*out_len = rsp_len;
	}
	return req_sess_done(r, ret, err);
}

int spdm_req_session_digests(struct spdm_req *r, struct da_err *err)
{
	struct wcur w = wcur_init(r->req_buf, sizeof(r->req_buf));
	struct spdm_digests d;
	const uint8_t *rsp;
	size_t rsp_len;
	int ret, built;

	ret = req_need_session(r, "GET_DIGESTS", err);
	if (ret)
		return ret;
	if (!(r->info.rsp_caps & SPDM_CAP_CERT) || !r->have_digests) {
		da_check_add(&r->checks, "session-digests", DA_CHECK_SKIP,
			     "no DIGESTS at authentication to compare with");
		return 0;
	}
	req_l1_reset(r);
	built = spdm_encode_get_digests(&w, r->p.version);
	if (built < 0)
		return da_errf(err, built, "%s: GET_DIGESTS: encoding failed", r->dev);
	ret = req_sess_exchange(r, r->req_buf, (size_t)built, SPDM_DIGESTS, false, false, &rsp,
				&rsp_len, err);
	if (!ret)
		ret = req_true_len(r, rsp, rsp_len, spdm_decode_digests(rsp, rsp_len, &r->p, &d, err),
				   0, err);
	if (ret < 0)
		return req_sess_done(r, req_fail(r, NULL, "session-digests", ret, "%s", err->msg), err);
	if (d.provisioned_mask != r->info.provisioned_mask) {
		ret = req_fail(r, err, "session-digests", -EKEYREJECTED,
			       "DIGESTS: ProvisionedSlotMask 0x%02x inside session 0x%08x, 0x%02x at authentication",
			       d.provisioned_mask, r->sinfo.session_id, r->info.provisioned_mask);
		return req_sess_done(r, ret, err);
	}
	for (int s = 0; s < SPDM_MAX_SLOTS; s++) {
		if (!(d.provisioned_mask & (1u << s)) ||
		    !memcmp(d.digest[s], r->digest[s], r->p.hash_size))
			continue;
		ret = req_fail(r, err, "session-digests", -EKEYREJECTED,
			       "DIGESTS: slot %d digest inside session 0x%08x differs from the one at authentication",
			       s, r->sinfo.session_id);
		return req_sess_done(r, ret, err);
	}
	r->sinfo.digests_checked = true;
	req_pass(r, "session-digests", "slots 0x%02x: the digests of the authentication",
		 d.provisioned_mask);
	return req_sess_done(r, 0, err);
}

/* One slot's chain read inside the session into *b. */
static int read_chain(struct spdm_req *r, uint8_t slot, struct da_buf *b, struct da_err *err)
{
	uint32_t total = 0;

	for (;;) {
		struct wcur w = wcur_init(r->req_buf, sizeof(r->req_buf));
		struct spdm_get_certificate g;
		struct spdm_certificate c;
		const uint8_t *rsp;
		size_t rsp_len;
		int ret, built;

		if (b->len > UINT16_MAX)
			return da_errf(err, -EMSGSIZE,
				       "CERTIFICATE: slot %u chain exceeds what GET_CERTIFICATE can address",
				       slot);
		built = req_build_get_certificate(r, slot, (uint16_t)b->len, &w);
		if (built < 0)
			return da_errf(err, built, "GET_CERTIFICATE: encoding failed");
		if (spdm_decode_get_certificate(r->req_buf, (size_t)built, r->p.version, &g,
						err) < 0)
			return -EINVAL;
		ret = req_sess_exchange(r, r->req_buf, (size_t)built, SPDM_CERTIFICATE, false,
					false, &rsp, &rsp_len, err);
		if (!ret)
			ret = req_true_len(r, rsp, rsp_len,
					   spdm_decode_certificate(rsp, rsp_len, r->p.version, &c,
								   err), 0, err);
		if (ret < 0)
			return ret;
		if (c.slot != slot)
			return da_errf(err, -EPROTO, "CERTIFICATE: SlotID %u, requested %u", c.slot,
				       slot);
		if (c.portion_len > g.length || (!c.portion_len && c.remainder_len))
			return da_errf(err, -EPROTO,
				       "CERTIFICATE: PortionLength %u (requested %u, RemainderLength %u)",
				       c.portion_len, g.length, c.remainder_len);
		if (!b->len)
			total = (uint32_t)c.portion_len + c.remainder_len;
		if (b->len + c.portion_len + c.remainder_len != total)
			return da_errf(err, -EPROTO,
				       "CERTIFICATE: Offset %zu + PortionLength %u + RemainderLength %u, earlier portions said %u",
				       b->len, c.portion_len, c.remainder_len, total);
		if (total > SPDM_MAX_CERT_CHAIN_SIZE)
			return da_errf(err, -EMSGSIZE, "CERTIFICATE: chain of %u bytes exceeds %u",
				       total, SPDM_MAX_CERT_CHAIN_SIZE);
		if (da_buf_append(b, c.portion, c.portion_len))
			return da_errf(err, -ENOMEM, "CERTIFICATE: out of memory");
		if (!c.remainder_len)
			return 0;
	}
}

int spdm_req_session_certificate(struct spdm_req *r, struct da_err *err)
{
	struct da_buf b = { 0 };
	unsigned int n = 0;
	int ret;

	ret = req_need_session(r, "GET_CERTIFICATE", err);
	if (ret)
		return ret;
	if (!(r->info.rsp_caps & SPDM_CAP_CERT)) {
		da_check_add(&r->checks, "session-certificate", DA_CHECK_SKIP,
			     "device has no CERT_CAP");
		return 0;
	}
	req_l1_reset(r);
	for (uint8_t s = 0; s < SPDM_MAX_SLOTS; s++) {
		if (!r->chain_ok[s])
			continue;
		da_buf_reset(&b);
		ret = read_chain(r, s, &b, err);
		if (ret) {
			da_err_prefix(err, "slot %u", s);
			ret = req_fail(r, NULL, "session-certificate", ret, "%s", err->msg);
			goto out;
		}
		if (b.len != r->chain[s].len || memcmp(b.data, r->chain[s].data, b.len)) {
			ret = req_fail(r, err, "session-certificate", -EKEYREJECTED,
				       "CERTIFICATE: slot %u chain inside session 0x%08x (%zu bytes) differs from the one at authentication (%zu bytes)",
				       s, r->sinfo.session_id, b.len, r->chain[s].len);
			goto out;
		}
		n++;
	}
	r->sinfo.certs_checked = n;
	req_pass(r, "session-certificate", "%u chain%s inside the session, byte for byte those of the authentication",
		 n, n == 1 ? "" : "s");
out:
	da_buf_free(&b);
	return req_sess_done(r, ret, err);
}
