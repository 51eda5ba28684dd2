// SPDX-License-Identifier: MIT
/*
 * NEGOTIATE_ALGORITHMS / ALGORITHMS: one BaseAsym and one BaseHash from
 * the intersection of the offer and the device (selection order in
 * device.h), the MeasurementHash of the device's own choosing, and, when
 * both sides can open sessions, one DHE group, one AEAD and the SPDM key
 * schedule (dhe_order/aead_order below).  ReqBaseAsym is never selected
 * (no mutual authentication): each other offered structure of a known
 * type is echoed with nothing selected.  1.4's PqcAsymAlgo, ReqPqcAsymAlg and KEMAlg are
 * answered with none too: OpenSSL 3.0 has no ML-DSA, SLH-DSA or ML-KEM,
 * so a requester that offers only those gets ERROR like any other with no
 * common signature algorithm.  The connection takes its certificate chains and keys here,
 * now that it knows which it needs.
 */
#include <errno.h>

#include "crypto/crypto.h"
#include "crypto/session_crypto.h"
#include "responder_internal.h"

#define ASYM_ALL_BITS 0xfffu

static uint32_t other_bit(uint32_t not_in, uint32_t prefer)
{
	uint32_t left = prefer & ~not_in;

	if (left)
		return left & -left;
	for (unsigned int b = 0; b < 12; b++)
		if (!(not_in & (1u << b)))
			return 1u << b;
	return 1u << 12;	/* every defined bit offered: a reserved one */
}

static const uint32_t dhe_order[] = {
	SPDM_DHE_SECP384R1, SPDM_DHE_SECP256R1, SPDM_DHE_SECP521R1, SPDM_DHE_FFDHE_3072,
	SPDM_DHE_FFDHE_2048, SPDM_DHE_FFDHE_4096, 0
};
static const uint32_t aead_order[] = {
	SPDM_AEAD_AES_256_GCM, SPDM_AEAD_AES_128_GCM, SPDM_AEAD_CHACHA20_POLY1305, 0
};

/* The session algorithm of one offered structure, 0 when none is common. */
static uint32_t session_alg(struct spdm_responder *r, const struct spdm_alg_struct *s)
{
	const struct rsp_device_config *cfg = &r->dev->cfg;

	switch (s->type) {
	case SPDM_ALG_TYPE_DHE:
		if (!rsp_session_caps(r, SPDM_CAP_KEY_EX))
			return 0;
		return rsp_pick(dhe_order, s->bits & cfg->dhe & spdm_supported_dhe());
	case SPDM_ALG_TYPE_AEAD:
		if (!rsp_session_caps(r, SPDM_CAP_KEY_EX | SPDM_CAP_PSK_MASK))
			return 0;
		return rsp_pick(aead_order, s->bits & cfg->aead & spdm_supported_aead());
	case SPDM_ALG_TYPE_KEY_SCHEDULE:
		if (!rsp_session_caps(r, SPDM_CAP_KEY_EX | SPDM_CAP_PSK_MASK))
			return 0;
		return s->bits & SPDM_KEY_SCHEDULE_SPDM;
	default:
		return 0;
	}
}

int rsp_negotiate_algorithms(struct rsp_ctx *c)
{
	struct spdm_responder *r = c->r;
	struct rsp_device *d = r->dev;
	const struct rsp_device_config *cfg = &d->cfg;
	struct spdm_neg_algs na = { 0 };
	struct spdm_algorithms a = { 0 };
	uint32_t asym, hash, meas_hash = 0;
	int ret;

	if (r->state != RSP_AFTER_CAPS)
		return rsp_error(c, SPDM_ERR_UNEXPECTED_REQUEST, 0);
	if (rsp_check_len(c, spdm_decode_negotiate_algorithms(c->req, c->req_len, r->version,
							       &na, NULL)))
		return rsp_error(c, SPDM_ERR_INVALID_REQUEST, 0);

	asym = rsp_pick(rsp_asym_order,
			na.base_asym & rsp_device_slot_asym_mask(d) & spdm_supported_asym());
	hash = rsp_pick(rsp_hash_order, na.base_hash & cfg->hash & spdm_supported_hash());
	/* we authenticate: without a common signature and hash there is nothing to do */
	if (!asym || !hash)
		return rsp_error(c, SPDM_ERR_INVALID_REQUEST, 0);
	if ((cfg->caps & SPDM_CAP_MEAS_MASK) && (na.meas_spec & SPDM_MEAS_SPEC_DMTF)) {
		meas_hash = rsp_pick(rsp_meas_hash_order,
				     cfg->meas_hash & (spdm_supported_meas_hash() |
						       SPDM_MEAS_HASH_RAW));
		if (meas_hash)
			a.meas_spec_sel = SPDM_MEAS_SPEC_DMTF;
	}
	a.meas_hash_algo = meas_hash;
	a.base_asym_sel = asym;
	a.base_hash_sel = hash;
	if (r->version >= SPDM_VER_12) {
		if (na.other_params & SPDM_OPAQUE_DATA_FMT_1)
			a.other_params_sel = SPDM_OPAQUE_DATA_FMT_1;
		else if (na.other_params & SPDM_OPAQUE_DATA_FMT_0)
			a.other_params_sel = SPDM_OPAQUE_DATA_FMT_0;
	}
	a.num_structs = na.num_structs;
	r->dhe = r->aead = 0;
	for (unsigned int i = 0; i < na.num_structs && i < SPDM_MAX_ALG_STRUCTS; i++) {
		a.structs[i].type = na.structs[i].type;
		a.structs[i].bits = session_alg(r, &na.structs[i]);
		if (a.structs[i].type == SPDM_ALG_TYPE_DHE)
			r->dhe = (uint16_t)a.structs[i].bits;
		else if (a.structs[i].type == SPDM_ALG_TYPE_AEAD)
			r->aead = (uint16_t)a.structs[i].bits;
	}
	if (r->faults & RSP_FAULT(RSP_FAULT_TWO_ALGS))
		a.base_asym_sel |= other_bit(asym, na.base_asym);
	if (r->faults & RSP_FAULT(RSP_FAULT_UNSUPPORTED_ALG))
		a.base_asym_sel = other_bit(na.base_asym, 0);

	r->asym = asym;
	r->hash = hash;
	r->meas_hash = meas_hash;
	r->meas_spec = a.meas_spec_sel;
	r->other_params_sel = a.other_params_sel;
	r->p.version = r->version;
	r->p.hash_size = (uint16_t)spdm_hash_size(hash);
	r->p.sig_size = (uint16_t)spdm_sig_size(asym);
	r->p.meas_hash_size = (uint16_t)spdm_meas_hash_size(meas_hash);
	r->provisioned = 0;
	for (uint8_t i = 0; i < SPDM_MAX_SLOTS; i++) {
		if (!(cfg->provisioned_slots & (1u << i)))
			continue;
		ret = rsp_device_snapshot_slot(d, i, asym, hash, r->faults, &r->slot[i], NULL);
		if (ret < 0)
			return rsp_error(c, SPDM_ERR_UNSPECIFIED, 0);
		r->provisioned |= (uint8_t)(1u << i);
	}

	ret = spdm_encode_algorithms(&c->w, r->version, &a);
	if (ret < 0)
		return ret;
	ret = rsp_append(&r->a, c, c->w.p, (size_t)ret);
	if (ret < 0)
		return ret;
	r->state = RSP_NEGOTIATED;
	return wcur_finish(&c->w);
}
