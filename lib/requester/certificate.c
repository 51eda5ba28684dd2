// SPDX-License-Identifier: MIT
/*
 * GET_CERTIFICATE: read a slot's chain in portions, then check it for
 * internal consistency (docs/design.md).  No trust decision here: that
 * needs anchors only a verifier is given.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "req.h"

/*
 * 1.4 LargeCertChain where both sides have LARGE_RESP_CAP, as the DMTF
 * requester does: then every GET_CERTIFICATE uses the 32-bit form, also
 * for a chain that 16 bits could describe.
 */
bool req_large_cert(const struct spdm_req *r)
{
	return r->p.version >= SPDM_VER_14 && (r->info.rsp_caps & SPDM_CAP_LARGE_RESP) &&
	       (r->own_caps & SPDM_CAP_LARGE_RESP);
}

int req_build_get_certificate(struct spdm_req *r, uint8_t slot, uint32_t offset,
			      struct wcur *w)
{
	struct spdm_get_certificate g = {
		.slot = slot,
		.large = req_large_cert(r),
		.offset = offset,
		.length = r->cfg.cert_portion,
	};
	uint32_t hdr = g.large ? SPDM_CERTIFICATE_LARGE_HDR_SIZE : SPDM_CERTIFICATE_HDR_SIZE;

	if (!g.length)
		g.length = r->p.version >= SPDM_VER_12 ? UINT16_MAX : 1024;

	/*
	 * 1.2+: the whole CERTIFICATE must fit one transfer each way, or with
	 * chunking the smaller MaxSPDMmsgSize.
	 */
	if (r->p.version >= SPDM_VER_12) {
		uint32_t lim = req_chunking(r) ? r->info.max_msg_size : r->info.data_transfer_size;
		uint32_t own = req_chunking(r) ? r->own_max : r->own_dts;

		if (own && own < lim)
			lim = own;
		if (lim > hdr && g.length > lim - hdr)
			g.length = lim - hdr;
	}
	return spdm_encode_get_certificate(w, r->p.version, &g);
}

int req_process_certificate(struct spdm_req *r, const uint8_t *req, size_t req_len,
			    const uint8_t *rsp, size_t rsp_len, size_t max_pad,
			    struct da_err *err)
{
	struct spdm_get_certificate g;
	struct spdm_certificate c;
	int qlen, slen, ret;
	uint32_t total, max;
	uint64_t sum;

	if (r->phase != PH_ALGS)
		return da_errf(err, -EPROTO,
			       "GET_CERTIFICATE: out of order (algorithms not negotiated)");
	qlen = req_true_len(r, req, req_len,
			    spdm_decode_get_certificate(req, req_len, r->p.version, &g, err),
			    max_pad, err);
	if (qlen < 0)
		return qlen;
	ret = req_check_rsp_hdr(r, req, req_len, rsp, rsp_len, SPDM_CERTIFICATE, err);
	if (ret)
		return ret;
	slen = req_true_len(r, rsp, rsp_len,
			    spdm_decode_certificate(rsp, rsp_len, r->p.version, &c, err), max_pad,
			    err);
	if (slen < 0)
		return slen;
	if (da_buf_append(&r->m1, req, (size_t)qlen) || da_buf_append(&r->m1, rsp, (size_t)slen))
		return da_errf(err, -ENOMEM, "CERTIFICATE: out of memory");

	if (g.slot >= SPDM_MAX_SLOTS)
		return da_errf(err, -EPROTO, "GET_CERTIFICATE: SlotID %u out of range", g.slot);
	if (c.slot != g.slot)
		return da_errf(err, -EPROTO, "CERTIFICATE: SlotID %u, requested %u", c.slot,
			       g.slot);
	if (g.large && !(r->info.rsp_caps & SPDM_CAP_LARGE_RESP))
		return da_errf(err, -EPROTO,
			       "GET_CERTIFICATE: LargeCertChain but the device has no LARGE_RESP_CAP");
	if (c.large != g.large)
		return da_errf(err, -EPROTO, "CERTIFICATE: LargeCertChain %u, the request's %u",
			       c.large, g.large);
	if (c.portion_len > g.length)
		return da_errf(err, -EPROTO, "CERTIFICATE: PortionLength %u exceeds the %u requested",
			       c.portion_len, g.length);
	if (!c.portion_len && c.remainder_len)
		return da_errf(err, -EPROTO,
			       "CERTIFICATE: PortionLength 0 with RemainderLength %u (no progress)",
			       c.remainder_len);
	/* 64-bit sums: three 32-bit fields of the large form may wrap 32 bits */
	sum = (uint64_t)g.offset + c.portion_len + c.remainder_len;
	max = g.large ? SPDM_MAX_LARGE_CERT_CHAIN_SIZE : SPDM_MAX_CERT_CHAIN_SIZE;
	if (sum > max)
		return da_errf(err, -EMSGSIZE, "CERTIFICATE: chain of %llu bytes exceeds %u",
			       (unsigned long long)sum, max);
	if (g.offset == 0) {
		da_buf_reset(&r->reading);
		r->reading_slot = g.slot;
		r->reading_total = c.portion_len + c.remainder_len;
	} else if (r->reading_slot != g.slot || g.offset != r->reading.len) {
		return da_errf(err, -EPROTO,
			       "GET_CERTIFICATE: Offset %u of slot %u does not continue the read so far",
			       g.offset, g.slot);
	}
	total = (uint32_t)sum;
	if (total != r->reading_total)
		return da_errf(err, -EPROTO,
			       "CERTIFICATE: Offset %u + PortionLength %u + RemainderLength %u = %u, earlier portions said %u",
			       g.offset, c.portion_len, c.remainder_len, total, r->reading_total);
	if (da_buf_append(&r->reading, c.portion, c.portion_len))
		return da_errf(err, -ENOMEM, "CERTIFICATE: out of memory");
	if (c.remainder_len)
		return 0;

	r->reading_slot = -1;
	if (r->chain_ok[g.slot]) {
		/* A second read of a slot must return the same bytes. */
		if (r->chain[g.slot].len != r->reading.len ||
		    memcmp(r->chain[g.slot].data, r->reading.data, r->reading.len))
			return req_fail(r, err, "chain-format", -EKEYREJECTED,
					"CERTIFICATE: slot %u chain changed between two reads", g.slot);
		return 1;
	}
	da_buf_free(&r->chain[g.slot]);
	r->chain[g.slot] = r->reading;
	r->reading = (struct da_buf){ 0 };
	ret = req_check_chain(r, g.slot, err);
	return ret ? ret : 1;
}

int req_check_chain(struct spdm_req *r, uint8_t slot, struct da_err *err)
{
	struct da_buf *b = &r->chain[slot];
	struct spdm_chain c = { 0 };
	uint8_t h[SPDM_MAX_HASH_SIZE];
	char check[40], id[200];
	X509 *leaf;
	EVP_PKEY *key = NULL;
	int ret;

	spdm_chain_free(&r->parsed[slot]);
	EVP_PKEY_free(r->slot_key[slot]);
	r->slot_key[slot] = NULL;
	snprintf(check, sizeof(check), "chain-format slot %u", slot);
	ret = spdm_chain_parse(b->data, b->len, r->info.neg.base_hash, &c, err);
	if (ret) {
		da_err_prefix(err, "CERTIFICATE: slot %u", slot);
		req_fail(r, NULL, check, ret, "%s", err ? err->msg : "parse failed");
		goto out;
	}
	req_pass(r, check, "%zu certificates, %zu bytes, RootHash matches", c.ncerts, b->len);

	snprintf(check, sizeof(check), "chain-consistency slot %u", slot);
	ret = spdm_chain_check(&c, err);
	if (ret) {
		da_err_prefix(err, "CERTIFICATE: slot %u", slot);
		req_fail(r, NULL, check, ret, "%s", err ? err->msg : "check failed");
		goto out;
	}
	req_pass(r, check, "signatures, BasicConstraints, KeyUsage");

	snprintf(check, sizeof(check), "digest slot %u", slot);
	if (!r->have_digests || !(r->info.provisioned_mask & (1u << slot))) {
		ret = req_fail(r, err, check, -ENOENT,
			       "CERTIFICATE: slot %u is not in DIGESTS' ProvisionedSlotMask 0x%02x",
			       slot, r->info.provisioned_mask);
		goto out;
	}
	ret = spdm_hash(r->info.neg.base_hash, b->data, b->len, h);
	if (ret) {
		da_errf(err, ret, "CERTIFICATE: hashing slot %u chain failed", slot);
		goto out;
	}
	if (memcmp(h, r->digest[slot], r->p.hash_size)) {
		ret = req_fail(r, err, check, -EKEYREJECTED,
			       "DIGESTS: digest of slot %u does not match the hash of its chain", slot);
		goto out;
	}
	req_pass(r, check, "DIGESTS[%u] = Hash(chain)", slot);

	leaf = spdm_chain_leaf(&c);
	key = spdm_chain_leaf_key(&c);
	snprintf(check, sizeof(check), "leaf-key slot %u", slot);
	if (!key || !spdm_key_matches_asym(key, r->info.neg.base_asym)) {
		ret = req_fail(r, err, check, -EKEYREJECTED,
			       "CERTIFICATE: slot %u leaf key is not a %s key", slot,
			       spdm_asym_name(r->info.neg.base_asym));
		goto out;
	}
	req_pass(r, check, "%s", spdm_asym_name(r->info.neg.base_asym));

	snprintf(check, sizeof(check), "pcie-identity slot %u", slot);
	if (r->cfg.expect_id) {
		ret = cma_check_leaf_san(leaf, r->cfg.expect_id, err);
		if (ret) {
			da_err_prefix(err, "CERTIFICATE: slot %u", slot);
			req_fail(r, NULL, check, ret, "%s", err ? err->msg : "SAN mismatch");
			goto out;
		}
		cma_identity_format(r->cfg.expect_id, id, sizeof(id));
		req_pass(r, check, "%s", id);
	} else if (cma_leaf_san_string(leaf, id, sizeof(id)) >= 0) {
		da_check_add(&r->checks, check, DA_CHECK_SKIP, "leaf says %s (no identity to compare)",
			     id);
	} else {
		da_check_add(&r->checks, check, DA_CHECK_SKIP,
			     "leaf carries no PCIe identity (otherName 2.23.147)");
	}
	r->slot_key[slot] = key;
	key = NULL;
	r->chain_ok[slot] = true;
	/*
	 * Keep the slot to CHALLENGE decoded, its signatures marked checked:
	 * a trust check in this process takes it as it is and does not verify
	 * those signatures again (da_trust_verify_chain()).  Other slots stay
	 * bytes (decoded again if a caller asks), to keep the state per device
	 * small.
	 */
	if (slot == r->cfg.slot) {
		r->parsed[slot] = c;
		c = (struct spdm_chain){ 0 };
	}
out:
	EVP_PKEY_free(key);
	spdm_chain_free(&c);
	return ret;
}
