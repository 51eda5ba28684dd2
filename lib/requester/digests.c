// SPDX-License-Identifier: MIT
/* GET_DIGESTS: which slots are provisioned, and the hash of each chain. */
#include <errno.h>
#include <string.h>

#include "req.h"

int req_build_get_digests(struct spdm_req *r, struct wcur *w)
{
	return spdm_encode_get_digests(w, r->p.version);
}

int req_process_digests(struct spdm_req *r, const uint8_t *req, size_t req_len,
			const uint8_t *rsp, size_t rsp_len, size_t max_pad, struct da_err *err)
{
	struct spdm_digests d;
	int qlen, slen, ret;

	if (r->phase != PH_ALGS)
		return da_errf(err, -EPROTO, "GET_DIGESTS: out of order (algorithms not negotiated)");
	qlen = req_true_len(r, req, req_len, spdm_decode_get_digests(req, req_len, err), max_pad,
			    err);
	if (qlen < 0)
		return qlen;
	ret = req_check_rsp_hdr(r, req, req_len, rsp, rsp_len, SPDM_DIGESTS, err);
	if (ret)
		return ret;
	slen = req_true_len(r, rsp, rsp_len, spdm_decode_digests(rsp, rsp_len, &r->p, &d, err),
			    max_pad, err);
	if (slen < 0)
		return slen;
	if (da_buf_append(&r->m1, req, (size_t)qlen) || da_buf_append(&r->m1, rsp, (size_t)slen))
		return da_errf(err, -ENOMEM, "DIGESTS: out of memory");
	if (!d.provisioned_mask)
		return req_fail(r, err, "digests", -ENOENT, "DIGESTS: no slot is provisioned");
	if (r->p.version >= SPDM_VER_13 && (d.provisioned_mask & ~d.supported_mask))
		return req_fail(r, err, "digests", -EPROTO,
				"DIGESTS: ProvisionedSlotMask 0x%02x not within SupportedSlotMask 0x%02x",
				d.provisioned_mask, d.supported_mask);

	r->info.provisioned_mask = d.provisioned_mask;
	r->info.supported_mask = d.supported_mask;
	for (int s = 0; s < SPDM_MAX_SLOTS; s++) {
		if (!(d.provisioned_mask & (1u << s)))
			continue;
		memcpy(r->digest[s], d.digest[s], r->p.hash_size);
		/*
		 * A chain we already hold (re-challenge, or a second read in a
		 * capture) must still be the one the device reports.
		 */
		if (r->chain_ok[s]) {
			uint8_t h[SPDM_MAX_HASH_SIZE];

			ret = spdm_hash(r->info.neg.base_hash, r->chain[s].data, r->chain[s].len, h);
			if (ret)
				return da_errf(err, ret, "DIGESTS: hashing slot %d chain failed", s);
			if (memcmp(h, r->digest[s], r->p.hash_size))
				return req_fail(r, err, "digest-matches-chain", -EKEYREJECTED,
						"DIGESTS: slot %d digest differs from the chain read before (device changed?)",
						s);
		}
	}
	r->have_digests = true;
	return 0;
}
