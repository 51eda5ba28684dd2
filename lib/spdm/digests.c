// SPDX-License-Identifier: MIT
/*
 * GET_DIGESTS / DIGESTS (DSP0274 sec 10.6).
 *
 * DIGESTS: param2 is the (provisioned) slot mask; one H-byte digest per
 * set bit, in slot order.  1.3 makes param1 the SupportedSlotMask and,
 * only when MULTI_KEY_CONN was negotiated, appends KeyPairID[n],
 * CertificateInfo[n] and KeyUsageMask[n] (2 bytes each) for the same n
 * slots (DSP0274 1.3 Table "Successful DIGESTS response message format").
 */
#include <errno.h>

#include "codec.h"

static bool has_multi_key(const struct spdm_dec_params *p)
{
	return p->version >= SPDM_VER_13 && p->multi_key_conn;
}

int spdm_encode_get_digests(struct wcur *w, uint8_t version)
{
	spdm_encode_hdr(w, version, SPDM_GET_DIGESTS, 0, 0);
	return (int)wcur_finish(w);
}

int spdm_decode_get_digests(const uint8_t *msg, size_t len, struct da_err *err)
{
	if (len < SPDM_HDR_SIZE)
		return spdm_trunc(err, "GET_DIGESTS", "header", len);
	return SPDM_HDR_SIZE;
}

int spdm_encode_digests(struct wcur *w, const struct spdm_dec_params *p,
			const struct spdm_digests *d)
{
	uint8_t mask = d->provisioned_mask;

	if (!p->hash_size || p->hash_size > SPDM_MAX_HASH_SIZE)
		return -EINVAL;
	spdm_encode_hdr(w, p->version, SPDM_DIGESTS,
			p->version >= SPDM_VER_13 ? d->supported_mask : 0, mask);
	for (unsigned int s = 0; s < SPDM_MAX_SLOTS; s++) {
		if (!(mask & (1u << s)))
			continue;
		if (!d->digest[s])
			return -EINVAL;
		wcur_bytes(w, d->digest[s], p->hash_size);
	}
	if (has_multi_key(p)) {
		for (unsigned int s = 0; s < SPDM_MAX_SLOTS; s++)
			if (mask & (1u << s))
				wcur_u8(w, d->key_pair_id[s]);
		for (unsigned int s = 0; s < SPDM_MAX_SLOTS; s++)
			if (mask & (1u << s))
				wcur_u8(w, d->cert_info[s]);
		for (unsigned int s = 0; s < SPDM_MAX_SLOTS; s++)
			if (mask & (1u << s))
				wcur_u16(w, d->key_usage_mask[s]);
	}
	return (int)wcur_finish(w);
}

int spdm_decode_digests(const uint8_t *msg, size_t len, const struct spdm_dec_params *p,
			struct spdm_digests *d, struct da_err *err)
{
	struct cur c = cur_init(msg, len);
	struct spdm_hdr h;
	unsigned int s;

	*d = (struct spdm_digests){ 0 };
	if (!p->hash_size || p->hash_size > SPDM_MAX_HASH_SIZE)
		return da_errf(err, -EINVAL, "DIGESTS: no hash algorithm negotiated");
	if (spdm_decode_hdr(msg, len, &h, NULL) || cur_skip(&c, SPDM_HDR_SIZE))
		return spdm_trunc(err, "DIGESTS", "header", len);
	if (p->version >= SPDM_VER_13)
		d->supported_mask = h.param1;
	d->provisioned_mask = h.param2;
	for (s = 0; s < SPDM_MAX_SLOTS; s++) {
		if (!(h.param2 & (1u << s)))
			continue;
		if (cur_ptr(&c, p->hash_size, &d->digest[s]))
			return da_errf(err, -EBADMSG,
				       "DIGESTS: Digest for slot %u needs %u bytes, %zu left",
				       s, p->hash_size, cur_left(&c));
	}
	if (!has_multi_key(p))
		return (int)c.off;
	for (s = 0; s < SPDM_MAX_SLOTS; s++)
		if ((h.param2 & (1u << s)) && cur_u8(&c, &d->key_pair_id[s]))
			return spdm_trunc(err, "DIGESTS", "KeyPairID", len);
	for (s = 0; s < SPDM_MAX_SLOTS; s++)
		if ((h.param2 & (1u << s)) && cur_u8(&c, &d->cert_info[s]))
			return spdm_trunc(err, "DIGESTS", "CertificateInfo", len);
	for (s = 0; s < SPDM_MAX_SLOTS; s++)
		if ((h.param2 & (1u << s)) && cur_u16(&c, &d->key_usage_mask[s]))
			return spdm_trunc(err, "DIGESTS", "KeyUsageMask", len);
	return (int)c.off;
}
