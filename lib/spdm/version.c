// SPDX-License-Identifier: MIT
/*
 * GET_VERSION / VERSION (DSP0274 sec 10.3).  The layout is the same in
 * every version: GET_VERSION is always sent as 1.0.
 */
#include <errno.h>

#include "codec.h"

int spdm_encode_get_version(struct wcur *w)
{
	spdm_encode_hdr(w, SPDM_VER_10, SPDM_GET_VERSION, 0, 0);
	return (int)wcur_finish(w);
}

int spdm_decode_get_version(const uint8_t *msg, size_t len, struct da_err *err)
{
	if (len < SPDM_HDR_SIZE)
		return spdm_trunc(err, "GET_VERSION", "header", len);
	return SPDM_HDR_SIZE;
}

int spdm_encode_version(struct wcur *w, const struct spdm_version_rsp *v)
{
	uint8_t n = v->count;

	if (n > SPDM_MAX_VERSION_ENTRIES)
		return -EINVAL;
	spdm_encode_hdr(w, SPDM_VER_10, SPDM_VERSION, 0, 0);
	wcur_zero(w, SPDM_FIELD_SIZE(struct spdm_version_wire, reserved));
	wcur_u8(w, n);
	for (uint8_t i = 0; i < n; i++)
		wcur_u16(w, v->entries[i]);
	return (int)wcur_finish(w);
}

int spdm_decode_version(const uint8_t *msg, size_t len, struct spdm_version_rsp *v,
			struct da_err *err)
{
	struct cur c = cur_init(msg, len);
	uint8_t n;
	uint16_t e;

	v->count = 0;
	if (cur_skip(&c, SPDM_HDR_SIZE))
		return spdm_trunc(err, "VERSION", "header", len);
	if (cur_skip(&c, SPDM_FIELD_SIZE(struct spdm_version_wire, reserved)))
		return spdm_trunc(err, "VERSION", "Reserved", len);
	if (cur_u8(&c, &n))
		return spdm_trunc(err, "VERSION", "VersionNumberEntryCount", len);
	if (!n)
		return da_errf(err, -EPROTO, "VERSION: VersionNumberEntryCount is 0");
	if (cur_left(&c) / SPDM_VERSION_ENTRY_SIZE < n)
		return da_errf(err, -EBADMSG,
			       "VERSION: VersionNumberEntryCount %u needs %zu bytes, %zu left",
			       n, n * SPDM_VERSION_ENTRY_SIZE, cur_left(&c));
	for (unsigned int i = 0; i < n; i++) {
		if (cur_u16(&c, &e))
			return -EBADMSG;
		if (v->count < SPDM_MAX_VERSION_ENTRIES)
			v->entries[v->count++] = e;
	}
	return (int)c.off;
}
