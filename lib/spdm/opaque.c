// SPDX-License-Identifier: MIT
/*
 * The DMTF opaque-data formats (DSP0274 1.2+ "General opaque data
 * format", DSP0277 1.0 "secured message opaque data") and the
 * secured-message version elements inside them (DSP0277: Supported
 * version list in KEY_EXCHANGE / PSK_EXCHANGE, Version selection in the
 * responses).  The layout is described in session_codec.h.
 */
#include <errno.h>

#include "session_codec.h"

int spdm_get_opaque_field14(struct cur *c, const char *name, uint8_t version, size_t len,
			    uint16_t *olen, const uint8_t **o, struct da_err *err)
{
	if (version < SPDM_VER_14)
		return 0;
	return spdm_get_opaque_field(c, name, len, olen, o, err);
}

void spdm_put_opaque_field14(struct wcur *w, uint8_t version, const uint8_t *o, uint16_t olen)
{
	if (version >= SPDM_VER_14)
		spdm_put_opaque_field(w, o, olen);
}

int spdm_get_hdr_opaque14(struct cur *c, const char *name, uint8_t version, size_t len,
			  uint16_t *olen, const uint8_t **o, struct da_err *err)
{
	if (cur_skip(c, SPDM_HDR_SIZE))
		return spdm_trunc(err, name, "header", len);
	return spdm_get_opaque_field14(c, name, version, len, olen, o, err);
}

int spdm_put_hdr_opaque14(struct wcur *w, uint8_t version, uint8_t code, uint8_t param1,
			  uint8_t param2, const uint8_t *o, uint16_t olen)
{
	if (olen && !o)
		return -EINVAL;
	spdm_encode_hdr(w, version, code, param1, param2);
	spdm_put_opaque_field14(w, version, o, olen);
	return (int)wcur_finish(w);
}

enum spdm_opaque_fmt spdm_opaque_fmt_for(uint8_t version, uint8_t other_params_sel)
{
	if (version >= SPDM_VER_12 && (other_params_sel & SPDM_OPAQUE_DATA_FMT_1))
		return SPDM_OPAQUE_FMT_GENERAL;
	return SPDM_OPAQUE_FMT_DSP0277;
}

static int decode_element(struct cur *c, unsigned int i, struct spdm_opaque_element *e,
			  struct da_err *err)
{
	size_t start = c->off, pad;
	uint8_t b;

	if (cur_u8(c, &e->id) || cur_u8(c, &e->vendor_len))
		return da_errf(err, -EBADMSG, "OpaqueData: element %u truncated at its ID", i);
	if (cur_ptr(c, e->vendor_len, &e->vendor_id))
		return da_errf(err, -EBADMSG, "OpaqueData: element %u VendorLen %u exceeds the data",
			       i, e->vendor_len);
	if (cur_u16(c, &e->data_len))
		return da_errf(err, -EBADMSG,
			       "OpaqueData: element %u truncated at OpaqueElementDataLen", i);
	if (cur_ptr(c, e->data_len, &e->data))
		return da_errf(err, -EBADMSG,
			       "OpaqueData: element %u OpaqueElementDataLen %u exceeds the %zu bytes left",
			       i, e->data_len, cur_left(c));
	pad = (SPDM_OPAQUE_ALIGN - (c->off - start) % SPDM_OPAQUE_ALIGN) % SPDM_OPAQUE_ALIGN;
	while (pad--) {
		if (cur_u8(c, &b))
			return da_errf(err, -EBADMSG, "OpaqueData: element %u padding truncated", i);
		if (b)
			return da_errf(err, -EBADMSG, "OpaqueData: element %u padding is not zero", i);
	}
	return 0;
}

int spdm_decode_opaque(const uint8_t *data, size_t len, enum spdm_opaque_fmt fmt,
		       struct spdm_opaque *o, struct da_err *err)
{
	struct cur c = cur_init(data, len);
	uint32_t spec_id;
	uint8_t ver, total;
	int ret;

	*o = (struct spdm_opaque){ 0 };
	if (fmt == SPDM_OPAQUE_FMT_DSP0277) {
		if (cur_u32(&c, &spec_id) || cur_u8(&c, &ver) || cur_u8(&c, &total) ||
		    cur_skip(&c, SPDM_FIELD_SIZE(struct spdm_opaque_dsp0277_wire, reserved)))
			return da_errf(err, -EBADMSG,
				       "OpaqueData: %zu bytes, shorter than the 8-byte header", len);
		if (spec_id != SPDM_OPAQUE_SPEC_ID_DMTF)
			return da_errf(err, -EPROTO, "OpaqueData: SpecID 0x%08x is not DMTF",
				       spec_id);
		if (ver != SPDM_OPAQUE_VERSION)
			return da_errf(err, -EPROTO, "OpaqueData: OpaqueVersion %u, expected %u",
				       ver, SPDM_OPAQUE_VERSION);
	} else {
		if (cur_u8(&c, &total) ||
		    cur_skip(&c, SPDM_FIELD_SIZE(struct spdm_opaque_general_wire, reserved)))
			return da_errf(err, -EBADMSG,
				       "OpaqueData: %zu bytes, shorter than the 4-byte header", len);
	}
	if (total > SPDM_OPAQUE_MAX_ELEMENTS)
		return da_errf(err, -EPROTO, "OpaqueData: TotalElements %u exceeds the maximum %u",
			       total, SPDM_OPAQUE_MAX_ELEMENTS);
	for (unsigned int i = 0; i < total; i++) {
		ret = decode_element(&c, i, &o->el[i], err);
		if (ret)
			return ret;
	}
	o->count = total;
	if (!cur_at_end(&c))
		return da_errf(err, -EBADMSG, "OpaqueData: %zu bytes after element %u",
			       cur_left(&c), total);
	return 0;
}

int spdm_encode_opaque(struct wcur *w, enum spdm_opaque_fmt fmt, const struct spdm_opaque *o)
{
	if (o->count > SPDM_OPAQUE_MAX_ELEMENTS)
		return -EINVAL;
	if (fmt == SPDM_OPAQUE_FMT_DSP0277) {
		wcur_u32(w, SPDM_OPAQUE_SPEC_ID_DMTF);
		wcur_u8(w, SPDM_OPAQUE_VERSION);
		wcur_u8(w, o->count);
		wcur_zero(w, SPDM_FIELD_SIZE(struct spdm_opaque_dsp0277_wire, reserved));
	} else {
		wcur_u8(w, o->count);
		wcur_zero(w, SPDM_FIELD_SIZE(struct spdm_opaque_general_wire, reserved));
	}
	for (unsigned int i = 0; i < o->count; i++) {
		const struct spdm_opaque_element *e = &o->el[i];
		size_t n = SPDM_OPAQUE_ELEMENT_OVERHEAD + e->vendor_len + e->data_len;

		wcur_u8(w, e->id);
		wcur_u8(w, e->vendor_len);
		wcur_bytes(w, e->vendor_id, e->vendor_len);
		wcur_u16(w, e->data_len);
		wcur_bytes(w, e->data, e->data_len);
		wcur_zero(w, (SPDM_OPAQUE_ALIGN - n % SPDM_OPAQUE_ALIGN) % SPDM_OPAQUE_ALIGN);
	}
	return (int)wcur_finish(w);
}

int spdm_encode_sm_opaque(struct wcur *w, enum spdm_opaque_fmt fmt,
			  const struct spdm_sm_versions *s)
{
	uint8_t body[3 + 2 * SPDM_SM_MAX_VERSIONS];
	struct wcur bw = wcur_init(body, sizeof(body));
	struct spdm_opaque o = { .count = 1 };
	long n;

	if (!s->count || s->count > SPDM_SM_MAX_VERSIONS ||
	    (s->sm_id == SPDM_SM_ID_VERSION_SELECTION && s->count != 1))
		return -EINVAL;
	wcur_u8(&bw, SPDM_SM_DATA_VERSION);
	wcur_u8(&bw, s->sm_id);
	if (s->sm_id == SPDM_SM_ID_SUPPORTED_VERSION)
		wcur_u8(&bw, s->count);
	for (unsigned int i = 0; i < s->count; i++)
		wcur_u16(&bw, s->v[i]);
	n = wcur_finish(&bw);
	if (n < 0)
		return (int)n;
	o.el[0] = (struct spdm_opaque_element){ .id = 0, .data_len = (uint16_t)n, .data = body };
	return spdm_encode_opaque(w, fmt, &o);
}

/* 1 if e is a secured-message element of kind want (filled in), 0 if another kind. */
static int sm_element(const struct spdm_opaque_element *e, uint8_t want,
		      struct spdm_sm_versions *s, struct da_err *err)
{
	struct cur c = cur_init(e->data, e->data_len);
	uint8_t ver, id, count = 1;

	if (e->id != 0 || e->vendor_len || cur_u8(&c, &ver) || cur_u8(&c, &id) ||
	    ver != SPDM_SM_DATA_VERSION || id != want)
		return 0;
	if (id == SPDM_SM_ID_SUPPORTED_VERSION && cur_u8(&c, &count))
		return da_errf(err, -EBADMSG, "OpaqueData: supported-version element truncated");
	if (!count || count > SPDM_SM_MAX_VERSIONS)
		return da_errf(err, -EPROTO, "OpaqueData: VersionCount %u outside 1..%u", count,
			       SPDM_SM_MAX_VERSIONS);
	s->sm_id = id;
	s->count = count;
	for (unsigned int i = 0; i < count; i++)
		if (cur_u16(&c, &s->v[i]))
			return da_errf(err, -EBADMSG,
				       "OpaqueData: secured-message version %u truncated", i);
	if (!cur_at_end(&c))
		return da_errf(err, -EBADMSG,
			       "OpaqueData: %zu bytes after the secured-message versions",
			       cur_left(&c));
	return 1;
}

int spdm_decode_sm_opaque(const uint8_t *data, size_t len, enum spdm_opaque_fmt fmt,
			  uint8_t want, struct spdm_sm_versions *s, struct da_err *err)
{
	struct spdm_opaque o;
	bool found = false;
	int ret;

	*s = (struct spdm_sm_versions){ 0 };
	if (!len)
		return da_errf(err, -ENOENT, "OpaqueData: empty, no secured-message version");
	ret = spdm_decode_opaque(data, len, fmt, &o, err);
	if (ret)
		return ret;
	for (unsigned int i = 0; i < o.count; i++) {
		struct spdm_sm_versions t = { 0 };

		ret = sm_element(&o.el[i], want, &t, err);
		if (ret < 0)
			return ret;
		if (!ret)
			continue;
		if (found)
			return da_errf(err, -EPROTO,
				       "OpaqueData: two secured-message version elements");
		found = true;
		*s = t;
	}
	if (!found)
		return da_errf(err, -ENOENT, "OpaqueData: no secured-message version %s element",
			       want == SPDM_SM_ID_VERSION_SELECTION ? "selection" : "list");
	return 0;
}
