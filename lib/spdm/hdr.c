// SPDX-License-Identifier: MIT
/*
 * The 4-byte SPDM header (DSP0274 sec 9.2) and the trailing-byte policy
 * shared by every decoder.
 */
#include <errno.h>

#include "codec.h"

int spdm_trunc(struct da_err *err, const char *msg, const char *field, size_t len)
{
	return da_errf(err, -EBADMSG, "%s: truncated at %s (%zu bytes)", msg, field, len);
}

int spdm_get_opaque_field(struct cur *c, const char *name, size_t len, uint16_t *olen,
			  const uint8_t **o, struct da_err *err)
{
	if (cur_u16(c, olen))
		return spdm_trunc(err, name, "OpaqueDataLength", len);
	if (*olen > SPDM_MAX_OPAQUE_DATA_SIZE)
		return da_errf(err, -EPROTO, "%s: OpaqueDataLength %u exceeds the maximum %u",
			       name, *olen, SPDM_MAX_OPAQUE_DATA_SIZE);
	if (cur_ptr(c, *olen, o))
		return da_errf(err, -EBADMSG, "%s: OpaqueDataLength %u exceeds the %zu bytes left",
			       name, *olen, cur_left(c));
	return 0;
}

void spdm_put_opaque_field(struct wcur *w, const uint8_t *o, uint16_t olen)
{
	wcur_u16(w, olen);
	wcur_bytes(w, o, olen);
}

int spdm_decode_hdr(const uint8_t *msg, size_t len, struct spdm_hdr *h, struct da_err *err)
{
	struct cur c = cur_init(msg, len);

	if (cur_u8(&c, &h->version) || cur_u8(&c, &h->code) ||
	    cur_u8(&c, &h->param1) || cur_u8(&c, &h->param2))
		return da_errf(err, -EBADMSG,
			       "SPDM: message of %zu bytes is shorter than the header", len);
	return 0;
}

int spdm_check_trailing(const uint8_t *msg, size_t len, size_t true_len, size_t max_pad,
			struct da_err *err)
{
	struct cur c = cur_init(msg, len);
	struct spdm_hdr h = { 0 };
	size_t extra;
	uint8_t b;

	if (true_len > len)
		return da_errf(err, -EINVAL, "SPDM: true length %zu exceeds the %zu bytes received",
			       true_len, len);
	extra = len - true_len;
	if (!extra)
		return 0;
	/* Name the message only when it has a header to name. */
	if (spdm_decode_hdr(msg, len, &h, NULL))
		h.code = 0;
	if (extra > max_pad)
		return da_errf(err, -EBADMSG, "%s: %zu bytes after the message, %s %zu",
			       spdm_code_name(h.code), extra, "padding allows at most", max_pad);
	if (cur_skip(&c, true_len))
		return -EBADMSG;
	while (!cur_at_end(&c)) {
		if (cur_u8(&c, &b))
			return -EBADMSG;
		if (b)
			return da_errf(err, -EBADMSG,
				       "%s: padding byte at offset %zu is 0x%02x, not 0",
				       spdm_code_name(h.code), c.off - 1, b);
	}
	return 0;
}

void spdm_encode_hdr(struct wcur *w, uint8_t version, uint8_t code, uint8_t param1,
		     uint8_t param2)
{
	wcur_u8(w, version);
	wcur_u8(w, code);
	wcur_u8(w, param1);
	wcur_u8(w, param2);
}
