// SPDX-License-Identifier: MIT
/*
 * GET_MEASUREMENTS / MEASUREMENTS (DSP0274 sec 10.11) and the DMTF
 * measurement block format.
 *
 * GET_MEASUREMENTS: param1 attributes, param2 operation; when a signature
 * is requested Nonce(32), then SlotIDParam (1.1+).  1.3 always appends
 * RequesterContext(8), signature or not.
 *
 * MEASUREMENTS: param1 (op COUNT: number of indices), param2 [3:0] SlotID,
 * [5:4] content changed (1.2+); NumberOfBlocks, MeasurementRecordLength
 * (3), record, Nonce(32), OpaqueDataLength(2), OpaqueData,
 * RequesterContext (8, 1.3+), Signature (S, if requested).
 * The Nonce: DSP0274 1.0 and 1.1 include it only when a signature was
 * requested; from 1.2 it is always present.  DMTF's own tools read the
 * older tables differently: libspdm (both roles) and the
 * SPDM-Responder-Validator expect it in every MEASUREMENTS of every
 * version and fail a 1.0/1.1 unsigned response without it.  The
 * requesters that ask 1.0/1.1 devices for unsigned measurements are, as
 * far as we know, libspdm's, so we send it always, and accept both forms.  An unsigned 1.0/1.1 response is read with a
 * Nonce when that form ends where a message can end: at most DOE padding
 * after OpaqueData, or (inside a recorded transcript) the next
 * GET_MEASUREMENTS of the same version; otherwise without.
 */
#include <errno.h>

#include "codec.h"

static bool form_ends(const struct cur *c, size_t nonce, uint8_t version)
{
	struct cur t = *c;
	uint8_t v, code;
	uint16_t olen;

	if (cur_skip(&t, nonce) || cur_u16(&t, &olen) || cur_skip(&t, olen))
		return false;
	if (cur_left(&t) <= 3)
		return true;
	return !cur_u8(&t, &v) && !cur_u8(&t, &code) && v == version &&
	       code == SPDM_GET_MEASUREMENTS;
}

static bool has_nonce(uint8_t version, bool sig_requested, const struct cur *c)
{
	if (sig_requested || version >= SPDM_VER_12)
		return true;
	return c && form_ends(c, SPDM_NONCE_SIZE, version);
}

int spdm_encode_get_measurements(struct wcur *w, uint8_t version,
				 const struct spdm_get_measurements *g)
{
	spdm_encode_hdr(w, version, SPDM_GET_MEASUREMENTS, g->attributes, g->operation);
	if (g->attributes & SPDM_MEAS_ATTR_SIG) {
		wcur_bytes(w, g->nonce, SPDM_NONCE_SIZE);
		if (version >= SPDM_VER_11)
			wcur_u8(w, g->slot);
	}
	if (version >= SPDM_VER_13)
		wcur_bytes(w, g->req_context, SPDM_REQ_CONTEXT_SIZE);
	return (int)wcur_finish(w);
}

int spdm_decode_get_measurements(const uint8_t *msg, size_t len, uint8_t version,
				 struct spdm_get_measurements *g, struct da_err *err)
{
	static const char name[] = "GET_MEASUREMENTS";
	struct cur c = cur_init(msg, len);
	struct spdm_hdr h;

	*g = (struct spdm_get_measurements){ 0 };
	if (spdm_decode_hdr(msg, len, &h, NULL) || cur_skip(&c, SPDM_HDR_SIZE))
		return spdm_trunc(err, name, "header", len);
	g->attributes = h.param1;
	g->operation = h.param2;
	if (h.param1 & SPDM_MEAS_ATTR_SIG) {
		if (cur_bytes(&c, g->nonce, SPDM_NONCE_SIZE))
			return spdm_trunc(err, name, "Nonce", len);
		if (version >= SPDM_VER_11 && cur_u8(&c, &g->slot))
			return spdm_trunc(err, name, "SlotIDParam", len);
	}
	if (version >= SPDM_VER_13 && cur_bytes(&c, g->req_context, SPDM_REQ_CONTEXT_SIZE))
		return spdm_trunc(err, name, "RequesterContext", len);
	return (int)c.off;
}

int spdm_encode_measurements_unsigned(struct wcur *w, const struct spdm_dec_params *p,
				      bool sig_requested, const struct spdm_measurements *m)
{
	bool nonce = true;

	(void)sig_requested;

	if (m->record_len > 0xFFFFFF || (m->record_len && !m->record) ||
	    (nonce && !m->nonce) || (m->opaque_len && !m->opaque) ||
	    (p->version >= SPDM_VER_13 && !m->req_context))
		return -EINVAL;
	spdm_encode_hdr(w, p->version, SPDM_MEASUREMENTS, m->param1, m->param2);
	wcur_u8(w, m->num_blocks);
	wcur_u24(w, m->record_len);
	wcur_bytes(w, m->record, m->record_len);
	if (nonce)
		wcur_bytes(w, m->nonce, SPDM_NONCE_SIZE);
	spdm_put_opaque_field(w, m->opaque, m->opaque_len);
	if (p->version >= SPDM_VER_13)
		wcur_bytes(w, m->req_context, SPDM_REQ_CONTEXT_SIZE);
	return (int)wcur_finish(w);
}

int spdm_decode_measurements(const uint8_t *msg, size_t len, const struct spdm_dec_params *p,
			     bool sig_requested, struct spdm_measurements *m,
			     struct da_err *err)
{
	static const char name[] = "MEASUREMENTS";
	struct cur c = cur_init(msg, len), rec;
	struct spdm_meas_block b;
	struct spdm_hdr h;
	unsigned int blocks = 0;
	int ret;

	*m = (struct spdm_measurements){ 0 };
	if (sig_requested && (!p->sig_size || p->sig_size > SPDM_MAX_SIG_SIZE))
		return da_errf(err, -EINVAL, "%s: signature algorithm not negotiated", name);
	if (spdm_decode_hdr(msg, len, &h, NULL) || cur_skip(&c, SPDM_HDR_SIZE))
		return spdm_trunc(err, name, "header", len);
	m->param1 = h.param1;
	m->param2 = h.param2;
	if (cur_u8(&c, &m->num_blocks))
		return spdm_trunc(err, name, "NumberOfBlocks", len);
	if (cur_u24(&c, &m->record_len))
		return spdm_trunc(err, name, "MeasurementRecordLength", len);
	if (cur_sub(&c, m->record_len, &rec))
		return da_errf(err, -EBADMSG,
			       "%s: MeasurementRecordLength %u exceeds the %zu bytes left",
			       name, m->record_len, cur_left(&c));
	m->record = rec.p;
	/* NumberOfBlocks is 0 for a COUNT response, whose record is empty. */
	while ((ret = spdm_meas_block_next(&rec, &b, err)) > 0)
		blocks++;
	if (ret < 0)
		return ret;
	if (blocks != m->num_blocks)
		return da_errf(err, -EBADMSG,
			       "%s: NumberOfBlocks %u, but the record holds %u blocks",
			       name, m->num_blocks, blocks);
	if (has_nonce(p->version, sig_requested, &c) && cur_ptr(&c, SPDM_NONCE_SIZE, &m->nonce))
		return spdm_trunc(err, name, "Nonce", len);
	ret = spdm_get_opaque_field(&c, name, len, &m->opaque_len, &m->opaque, err);
	if (ret)
		return ret;
	if (p->version >= SPDM_VER_13 &&
	    cur_ptr(&c, SPDM_REQ_CONTEXT_SIZE, &m->req_context))
		return spdm_trunc(err, name, "RequesterContext", len);
	m->signed_len = c.off;
	if (sig_requested && cur_ptr(&c, p->sig_size, &m->signature))
		return da_errf(err, -EBADMSG, "%s: Signature needs %u bytes, %zu left",
			       name, p->sig_size, cur_left(&c));
	return (int)c.off;
}

int spdm_meas_block_next(struct cur *rec, struct spdm_meas_block *b, struct da_err *err)
{
	static const char name[] = "MEASUREMENTS";
	struct cur blk;
	size_t start = rec->off;

	*b = (struct spdm_meas_block){ 0 };
	if (cur_at_end(rec))
		return 0;
	if (cur_u8(rec, &b->index) || cur_u8(rec, &b->spec) || cur_u16(rec, &b->size)) {
		rec->off = start;
		return da_errf(err, -EBADMSG, "%s: block header at record offset %zu is truncated",
			       name, start);
	}
	if (cur_sub(rec, b->size, &blk)) {
		size_t left = cur_left(rec);

		rec->off = start;
		return da_errf(err, -EBADMSG,
			       "%s: block %u MeasurementSize %u exceeds the %zu bytes left",
			       name, b->index, b->size, left);
	}
	b->raw = rec->p + start;
	b->raw_len = sizeof(struct spdm_meas_block_wire) + b->size;
	if (b->spec != SPDM_MEAS_SPEC_DMTF)
		return 1;
	if (cur_u8(&blk, &b->dmtf_type) || cur_u16(&blk, &b->value_size)) {
		rec->off = start;
		return da_errf(err, -EBADMSG,
			       "%s: block %u MeasurementSize %u is too small for a DMTF header",
			       name, b->index, b->size);
	}
	if (b->value_size != cur_left(&blk)) {
		rec->off = start;
		return da_errf(err, -EBADMSG,
			       "%s: block %u DMTFSpecMeasurementValueSize %u is not %s %u - 3",
			       name, b->index, b->value_size, "MeasurementSize", b->size);
	}
	cur_ptr(&blk, b->value_size, &b->value);
	return 1;
}

int spdm_meas_record_next(const uint8_t *rec, size_t len, size_t *off,
			  struct spdm_meas_block *b, struct da_err *err)
{
	struct cur c = cur_init(rec, len);
	int ret;

	/* *off is the caller's, from the previous call: past the end is the end. */
	c.off = *off < len ? *off : len;
	ret = spdm_meas_block_next(&c, b, err);
	if (ret > 0)
		*off = c.off;
	return ret;
}

void spdm_encode_meas_block(struct wcur *w, uint8_t index, uint8_t dmtf_type,
			    const uint8_t *value, uint16_t value_size)
{
	/* MeasurementSize is 16-bit and includes the DMTF header. */
	if (value_size > 0xFFFF - SPDM_DMTF_MEAS_HDR_SIZE) {
		if (!w->err)
			w->err = -EINVAL;
		return;
	}
	wcur_u8(w, index);
	wcur_u8(w, SPDM_MEAS_SPEC_DMTF);
	wcur_u16(w, (uint16_t)(value_size + SPDM_DMTF_MEAS_HDR_SIZE));
	wcur_u8(w, dmtf_type);
	wcur_u16(w, value_size);
	wcur_bytes(w, value, value_size);
}
