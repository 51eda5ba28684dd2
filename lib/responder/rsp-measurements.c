// SPDX-License-Identifier: MIT
/*
 * GET_MEASUREMENTS / MEASUREMENTS: the count, one block or all of them,
 * as MeasurementHash digests or (1.2 RawBitStreamRequested, or a device
 * whose MeasurementHash is "raw only") as raw values.  A signed response
 * signs L1 = (1.2+: A ||) every GET_MEASUREMENTS/MEASUREMENTS since the
 * last other request or signed response, up to this signature; then L1
 * starts over.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "responder_internal.h"

#define BLOCK_MAX (7 + 256)

int rsp_encode_block(struct spdm_responder *r, struct wcur *w, const struct rsp_meas_block *b,
		     bool raw)
{
	uint8_t h[SPDM_MAX_HASH_SIZE];
	size_t hs = spdm_meas_hash_size(r->meas_hash);
	int ret;

	if (raw || !hs) {
		spdm_encode_meas_block(w, b->index, b->dmtf_type | SPDM_DMTF_MEAS_RAW_BIT,
				       b->value, b->len);
		return w->err;
	}
	ret = spdm_meas_hash(r->meas_hash, b->value, b->len, h);
	if (ret < 0)
		return ret;
	spdm_encode_meas_block(w, b->index, b->dmtf_type & ~SPDM_DMTF_MEAS_RAW_BIT, h,
			       (uint16_t)hs);
	return w->err;
}

static bool is_tcb(const struct rsp_meas_block *b)
{
	if (b->is_volatile)
		return false;
	switch (b->dmtf_type & ~SPDM_DMTF_MEAS_RAW_BIT) {
	case SPDM_DMTF_MEAS_IMMUTABLE_ROM:
	case SPDM_DMTF_MEAS_MUTABLE_FW:
	case SPDM_DMTF_MEAS_HW_CONFIG:
	case SPDM_DMTF_MEAS_FW_CONFIG:
		return true;
	default:
		return false;
	}
}

int rsp_meas_summary(struct spdm_responder *r, uint8_t type, uint8_t *out)
{
	struct rsp_meas_block *blocks;
	size_t n = 0;
	uint8_t *buf;
	struct wcur w;
	int ret = -ENOMEM;

	blocks = calloc(RSP_MAX_MEAS_BLOCKS, sizeof(*blocks));
	buf = malloc(RSP_MAX_MEAS_BLOCKS * BLOCK_MAX);
	if (!blocks || !buf)
		goto out;
	rsp_device_snapshot_meas(r->dev, blocks, &n);
	w = wcur_init(buf, RSP_MAX_MEAS_BLOCKS * BLOCK_MAX);
	for (size_t i = 0; i < n; i++) {
		if (type == SPDM_MEAS_SUMMARY_TCB && !is_tcb(&blocks[i]))
			continue;
		ret = rsp_encode_block(r, &w, &blocks[i], false);
		if (ret < 0)
			goto out;
	}
	ret = spdm_hash(r->hash, w.p, w.len, out);
out:
	free(blocks);
	free(buf);
	return ret;
}

int rsp_req_meas_summary(struct spdm_responder *r, uint8_t type, uint8_t *buf,
			 const uint8_t **hash)
{
	*hash = NULL;
	switch (type) {
	case SPDM_MEAS_SUMMARY_NONE:
		return 0;
	case SPDM_MEAS_SUMMARY_TCB:
	case SPDM_MEAS_SUMMARY_ALL:
		if (!r->meas_spec)
			return SPDM_ERR_INVALID_REQUEST;
		if (rsp_meas_summary(r, type, buf))
			return SPDM_ERR_UNSPECIFIED;
		*hash = buf;
		return 0;
	default:
		return SPDM_ERR_INVALID_REQUEST;
	}
}

static int l1_sign(struct spdm_responder *r, struct rsp_slot *s, uint8_t *sig)
{
	uint8_t th[SPDM_MAX_HASH_SIZE];
	struct spdm_hash_ctx h;
	int ret = spdm_hash_init(&h, r->hash);

	if (ret < 0)
		return ret;
	if (r->version >= SPDM_VER_12)
		ret = spdm_hash_update(&h, r->a.data, r->a.len);
	if (!ret)
		ret = spdm_hash_update(&h, r->l1.data, r->l1.len);
	if (!ret)
		ret = spdm_hash_final(&h, th);
	spdm_hash_free(&h);
	if (ret < 0)
		return ret;
	return spdm_sign(s->key, r->asym, r->hash, r->version, SPDM_CTX_MEASUREMENTS, th, sig,
			 NULL);
}

int rsp_get_measurements(struct rsp_ctx *c)
{
	struct spdm_responder *r = c->r;
	const struct rsp_device_config *cfg = &r->dev->cfg;
	struct spdm_get_measurements g = { 0 };
	struct spdm_measurements m = { 0 };
	struct rsp_meas_block *blocks = NULL;
	uint8_t nonce[SPDM_NONCE_SIZE], sig[SPDM_MAX_SIG_SIZE];
	struct rsp_slot *s = NULL;
	uint8_t *rec = NULL;
	struct wcur rw;
	size_t n = 0, last = SIZE_MAX, unsigned_len;
	bool sign, raw;
	int ret;

	if (!(cfg->caps & SPDM_CAP_MEAS_MASK) || !r->meas_spec)
		return rsp_error(c, SPDM_ERR_UNSUPPORTED_REQUEST, c->hdr.code);
	if (rsp_check_len(c, spdm_decode_get_measurements(c->req, c->req_len, r->version, &g,
							   NULL)))
		return rsp_error(c, SPDM_ERR_INVALID_REQUEST, 0);
	sign = g.attributes & SPDM_MEAS_ATTR_SIG;
	raw = (r->version >= SPDM_VER_12 && (g.attributes & SPDM_MEAS_ATTR_RAW)) ||
	      !spdm_meas_hash_size(r->meas_hash);
	if (sign) {
		uint8_t slot = r->version >= SPDM_VER_11 ? g.slot : 0;

		if (!(cfg->caps & SPDM_CAP_MEAS_SIG))
			return rsp_error(c, SPDM_ERR_INVALID_REQUEST, 0);
		if (slot >= SPDM_MAX_SLOTS || !r->slot[slot].present)
			return rsp_error(c, SPDM_ERR_INVALID_REQUEST, 0);
		s = &r->slot[slot];
		m.param2 = slot;
	}

	blocks = calloc(RSP_MAX_MEAS_BLOCKS, sizeof(*blocks));
	rec = malloc(RSP_MAX_MEAS_BLOCKS * BLOCK_MAX);
	if (!blocks || !rec) {
		ret = -ENOMEM;
		goto out;
	}
	rsp_device_snapshot_meas(r->dev, blocks, &n);
	rw = wcur_init(rec, RSP_MAX_MEAS_BLOCKS * BLOCK_MAX);
	if (g.operation == SPDM_MEAS_OP_COUNT) {
		m.param1 = (uint8_t)n;
	} else {
		for (size_t i = 0; i < n; i++) {
			if (g.operation != SPDM_MEAS_OP_ALL && blocks[i].index != g.operation)
				continue;
			last = rw.len;
			ret = rsp_encode_block(r, &rw, &blocks[i], raw);
			if (ret < 0)
				goto out;
			m.num_blocks++;
		}
		if (!m.num_blocks) {
			ret = rsp_error(c, SPDM_ERR_INVALID_REQUEST, 0);
			goto out;
		}
	}
	/* "bad-meas-block": the last block's MeasurementSize runs past the record */
	if ((r->faults & RSP_FAULT(RSP_FAULT_BAD_MEAS_BLOCK)) && last != SIZE_MAX)
		wcur_put_u16_at(&rw, last + 2, (uint16_t)(rw.len - last - 4 + 16));
	ret = da_random(nonce, sizeof(nonce));
	if (ret < 0)
		goto out;
	m.record_len = (uint32_t)rw.len;
	m.record = rec;
	m.nonce = nonce;
	m.opaque_len = 0;
	m.req_context = r->version >= SPDM_VER_13 ? g.req_context : NULL;
	ret = spdm_encode_measurements_unsigned(&c->w, &r->p, sign, &m);
	if (ret < 0)
		goto out;
	unsigned_len = (size_t)ret;
	ret = rsp_append(&r->l1, c, c->w.p, unsigned_len);
	if (ret < 0)
		goto out;
	if (sign) {
		ret = l1_sign(r, s, sig);
		da_buf_reset(&r->l1);
		if (ret < 0) {
			ret = rsp_error(c, SPDM_ERR_UNSPECIFIED, 0);
			goto out;
		}
		if (r->faults & RSP_FAULT(RSP_FAULT_BAD_MEAS_SIG))
			sig[r->p.sig_size / 2] ^= 0x01;
		wcur_bytes(&c->w, sig, r->p.sig_size);
	}
	ret = (int)wcur_finish(&c->w);
out:
	free(blocks);
	free(rec);
	return ret;
}
