// SPDX-License-Identifier: MIT
/*
 * GET_VERSION, GET_CAPABILITIES, NEGOTIATE_ALGORITHMS: the "A" part of
 * every transcript.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "crypto/session_crypto.h"
#include "req.h"

static bool one_bit(uint32_t v)
{
	return v && !(v & (v - 1));
}

int req_build_get_version(struct spdm_req *r, struct wcur *w)
{
	return spdm_encode_get_version(w);
}

static void fmt_versions(const struct spdm_version_rsp *v, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (unsigned int i = 0; i < v->count && off < len; i++) {
		uint8_t ver = spdm_version_entry_to_ver(v->entries[i]);
		int n = snprintf(buf + off, len - off, "%s%u.%u", i ? ", " : "", ver >> 4,
				 ver & 0xf);

		if (n < 0)
			break;
		off += (size_t)n;
	}
}

/* Highest version both sides speak within the configured range, 0 if none. */
static uint8_t common_version(const struct spdm_req *r)
{
	uint8_t best = 0;

	for (unsigned int i = 0; i < r->versions.count; i++) {
		uint8_t v = spdm_version_entry_to_ver(r->versions.entries[i]);

		if (v >= r->cfg.min_version && v <= r->cfg.max_version && v > best)
			best = v;
	}
	return best;
}

static bool version_offered(const struct spdm_req *r, uint8_t ver)
{
	for (unsigned int i = 0; i < r->versions.count; i++)
		if (spdm_version_entry_to_ver(r->versions.entries[i]) == ver)
			return true;
	return false;
}

int req_process_version(struct spdm_req *r, const uint8_t *req, size_t req_len,
			const uint8_t *rsp, size_t rsp_len, size_t max_pad, struct da_err *err)
{
	int qlen, slen, ret;
	char list[128];

	qlen = req_true_len(r, req, req_len, spdm_decode_get_version(req, req_len, err),
			    max_pad, err);
	if (qlen < 0)
		return qlen;
	if (req[0] != SPDM_VER_10)
		return da_errf(err, -EPROTO, "GET_VERSION: SPDMVersion 0x%02x, must be 0x10",
			       req[0]);
	ret = req_check_rsp_hdr(r, req, req_len, rsp, rsp_len, SPDM_VERSION, err);
	if (ret)
		return ret;
	slen = req_true_len(r, rsp, rsp_len,
			    spdm_decode_version(rsp, rsp_len, &r->versions, err), max_pad, err);
	if (slen < 0)
		return slen;

	/* GET_VERSION restarts the connection: every transcript starts over. */
	da_buf_reset(&r->vca);
	da_buf_reset(&r->m1);
	req_l1_reset(r);
	r->have_digests = false;
	r->reading_slot = -1;
	memset(&r->p, 0, sizeof(r->p));
	r->phase = PH_VERSION;
	if (da_buf_append(&r->vca, req, (size_t)qlen) ||
	    da_buf_append(&r->vca, rsp, (size_t)slen))
		return da_errf(err, -ENOMEM, "VERSION: out of memory");

	fmt_versions(&r->versions, list, sizeof(list));
	if (!common_version(r))
		return req_fail(r, err, "version", -EPROTO,
				"VERSION: no common version: device offers %s, allowed %u.%u-%u.%u",
				list, r->cfg.min_version >> 4, r->cfg.min_version & 0xf,
				r->cfg.max_version >> 4, r->cfg.max_version & 0xf);
	return 0;
}

int req_build_get_capabilities(struct spdm_req *r, struct wcur *w)
{
	uint8_t ver = common_version(r);
	struct spdm_caps c = {
		.ct_exponent = 0,
		/*
		 * We authenticate and nothing else, but from 1.2 on in messages
		 * of any size: CHUNK_CAP lets MaxSPDMmsgSize exceed the
		 * DataTransferSize of one transfer; 1.4 LARGE_RESP_CAP: we read
		 * certificate chains in the 32-bit LargeCertChain form.
		 */
		.flags = SPDM_CAP_CERT | SPDM_CAP_CHAL | (ver >= SPDM_VER_12 ? SPDM_CAP_CHUNK : 0) |
			 (ver >= SPDM_VER_14 ? SPDM_CAP_LARGE_RESP : 0),
		.data_transfer_size = r->cfg.data_transfer_size,
		.max_spdm_msg_size = r->cfg.max_spdm_msg_size,
	};

	/* Sessions exist from 1.1; PSK_CAP 01b: we hold a PSK, no context of our own needed. */
	if (r->cfg.session && ver >= SPDM_VER_11) {
		c.flags |= SPDM_CAP_ENCRYPT | SPDM_CAP_MAC | SPDM_CAP_KEY_EX | SPDM_CAP_HBEAT |
			   SPDM_CAP_KEY_UPD;
		if (r->cfg.handshake_in_clear)
			c.flags |= SPDM_CAP_HANDSHAKE_IN_THE_CLEAR;
		if (r->cfg.psk_len)
			c.flags |= 1u << 10;
		/* Mutual authentication; the device may read our chain by encapsulated requests. */
		if (r->cfg.req_key)
			c.flags |= SPDM_CAP_MUT_AUTH | SPDM_CAP_ENCAP;
	}
	return spdm_encode_get_capabilities(w, ver, &c);
}

int req_process_capabilities(struct spdm_req *r, const uint8_t *req, size_t req_len,
			     const uint8_t *rsp, size_t rsp_len, size_t max_pad,
			     struct da_err *err)
{
	struct spdm_caps qc, c;
	uint8_t ver = req_len ? req[0] : 0;
	int qlen, slen, ret;

	if (r->phase != PH_VERSION)
		return da_errf(err, -EPROTO, "GET_CAPABILITIES: out of order (no VERSION before)");
	qlen = req_true_len(r, req, req_len,
			    spdm_decode_get_capabilities(req, req_len, ver, &qc, err), max_pad,
			    err);
	if (qlen < 0)
		return qlen;
	if (!version_offered(r, ver) || ver < r->cfg.min_version || ver > r->cfg.max_version)
		return req_fail(r, err, "version", -EPROTO,
				"GET_CAPABILITIES: version %u.%u not offered by the device or not allowed",
				ver >> 4, ver & 0xf);
	ret = req_check_rsp_hdr(r, req, req_len, rsp, rsp_len, SPDM_CAPABILITIES, err);
	if (ret)
		return ret;
	slen = req_true_len(r, rsp, rsp_len,
			    spdm_decode_capabilities(rsp, rsp_len, ver, &c, err), max_pad, err);
	if (slen < 0)
		return slen;
	if (da_buf_append(&r->vca, req, (size_t)qlen) ||
	    da_buf_append(&r->vca, rsp, (size_t)slen))
		return da_errf(err, -ENOMEM, "CAPABILITIES: out of memory");

	r->own_caps = ver >= SPDM_VER_11 ? qc.flags : 0;
	r->own_dts = ver >= SPDM_VER_12 ? qc.data_transfer_size : 0;
	r->own_max = ver >= SPDM_VER_12 ? qc.max_spdm_msg_size : 0;
	r->info.neg.version = ver;
	r->p.version = ver;
	r->info.rsp_caps = c.flags;
	r->info.ct_exponent = c.ct_exponent;
	r->info.data_transfer_size = c.data_transfer_size;
	r->info.max_msg_size = c.max_spdm_msg_size;
	r->phase = PH_CAPS;
	req_pass(r, "version", "SPDM %u.%u", ver >> 4, ver & 0xf);

	if ((c.flags & SPDM_CAP_MEAS_MASK) == SPDM_CAP_MEAS_MASK)
		return req_fail(r, err, "capabilities", -EPROTO,
				"CAPABILITIES: MEAS_CAP has the reserved value 3");
	/* Known by a provisioned public key, the device needs no certificates but PUB_KEY_ID_CAP. */
	if (r->cfg.peer_pubkey && r->cfg.slot == SPDM_SLOT_PROVISIONED) {
		if (!(c.flags & SPDM_CAP_PUB_KEY_ID))
			return req_fail(r, err, "capabilities", -EOPNOTSUPP,
					"CAPABILITIES: device lacks PUB_KEY_ID_CAP (Flags 0x%08x): no provisioned public key to use",
					c.flags);
	} else if (!(c.flags & SPDM_CAP_CERT) || !(c.flags & SPDM_CAP_CHAL))
		return req_fail(r, err, "capabilities", -EOPNOTSUPP,
				"CAPABILITIES: device lacks %s (Flags 0x%08x): cannot authenticate",
				!(c.flags & SPDM_CAP_CERT) ? "CERT_CAP" : "CHAL_CAP", c.flags);
	req_pass(r, "capabilities", "Flags 0x%08x, CTExponent %u", c.flags, c.ct_exponent);
	return 0;
}

static uint32_t union_of(const uint32_t *pref, size_t n)
{
	uint32_t u = 0;

	for (size_t i = 0; i < n; i++)
		u |= pref[i];
	return u;
}

/* EdDSA exists from 1.2 on (DSP0274 1.2 added Ed25519/Ed448 to BaseAsymAlgo). */
static uint32_t asym_for_version(uint8_t ver)
{
	uint32_t a = spdm_supported_asym();

	if (ver < SPDM_VER_12)
		a &= ~(SPDM_ASYM_EDDSA_ED25519 | SPDM_ASYM_EDDSA_ED448 | SPDM_ASYM_SM2_P256);
	return a;
}

static uint16_t req_asym_offer(struct spdm_req *r)
{
	uint16_t bits = 0;

	for (int b = 0; b < 12; b++)
		if ((asym_for_version(r->p.version) & (1u << b)) &&
		    spdm_key_matches_asym(r->cfg.req_key, 1u << b))
			bits |= (uint16_t)(1u << b);
	return bits;
}

int req_build_negotiate_algorithms(struct spdm_req *r, struct wcur *w)
{
	struct spdm_neg_algs a = {
		.meas_spec = SPDM_MEAS_SPEC_DMTF,
		.other_params = r->p.version >= SPDM_VER_12 ? SPDM_OPAQUE_DATA_FMT_1 : 0,
		.base_asym = union_of(r->cfg.asym_pref, r->cfg.n_asym) & asym_for_version(r->p.version),
		.base_hash = union_of(r->cfg.hash_pref, r->cfg.n_hash) & spdm_supported_hash(),
		/*
		 * No DHE/AEAD/ReqBaseAsym/KeySchedule (nor 1.4 ReqPqcAsym/KEM)
		 * structs and no PqcAsymAlgo without a session: offering them
		 * would invite selections we have no use for, and OpenSSL 3.0
		 * has no ML-DSA/ML-KEM.
		 */
		.num_structs = 0,
	};

	/* Only a session has a use for them. */
	if (r->cfg.session && r->p.version >= SPDM_VER_11) {
		uint16_t dhe = (r->cfg.dhe_offer ?: 0xffff) & spdm_supported_dhe();
		uint16_t aead = (r->cfg.aead_offer ?: 0xffff) & spdm_supported_aead();

		a.structs[a.num_structs++] = (struct spdm_alg_struct){ SPDM_ALG_TYPE_DHE, dhe };
		a.structs[a.num_structs++] = (struct spdm_alg_struct){ SPDM_ALG_TYPE_AEAD, aead };
		/* Mutual authentication: what our key can sign (AlgTypes go in ascending order). */
		if (r->cfg.req_key && (r->own_caps & SPDM_CAP_MUT_AUTH))
			a.structs[a.num_structs++] = (struct spdm_alg_struct){
				SPDM_ALG_TYPE_REQ_BASE_ASYM, req_asym_offer(r) };
		a.structs[a.num_structs++] = (struct spdm_alg_struct){ SPDM_ALG_TYPE_KEY_SCHEDULE,
								      SPDM_KEY_SCHEDULE_SPDM };
	}
	return spdm_encode_negotiate_algorithms(w, r->p.version, &a);
}

static bool struct_ok(const struct spdm_neg_algs *q, const struct spdm_alg_struct *s)
{
	uint16_t offered = 0;

	for (unsigned int i = 0; i < q->num_structs; i++)
		if (q->structs[i].type == s->type)
			offered = q->structs[i].bits;
	return !(s->bits & ~offered) && (!s->bits || one_bit(s->bits));
}

int req_process_algorithms(struct spdm_req *r, const uint8_t *req, size_t req_len,
			   const uint8_t *rsp, size_t rsp_len, size_t max_pad,
			   struct da_err *err)
{
	struct spdm_neg_algs q;
	struct spdm_algorithms a;
	int qlen, slen, ret;
	uint8_t ver = r->p.version;

	if (r->phase != PH_CAPS)
		return da_errf(err, -EPROTO,
			       "NEGOTIATE_ALGORITHMS: out of order (no CAPABILITIES before)");
	qlen = req_true_len(r, req, req_len,
			    spdm_decode_negotiate_algorithms(req, req_len, ver, &q, err), max_pad,
			    err);
	if (qlen < 0)
		return qlen;
	ret = req_check_rsp_hdr(r, req, req_len, rsp, rsp_len, SPDM_ALGORITHMS, err);
	if (ret)
		return ret;
	slen = req_true_len(r, rsp, rsp_len, spdm_decode_algorithms(rsp, rsp_len, ver, &a, err),
			    max_pad, err);
	if (slen < 0)
		return slen;
	if (da_buf_append(&r->vca, req, (size_t)qlen) ||
	    da_buf_append(&r->vca, rsp, (size_t)slen))
		return da_errf(err, -ENOMEM, "ALGORITHMS: out of memory");

	r->offered_asym = q.base_asym;
	r->offered_hash = q.base_hash;
	if (!one_bit(a.base_asym_sel) || !(a.base_asym_sel & q.base_asym))
		return req_fail(r, err, "algorithms", -EPROTO,
				"ALGORITHMS: BaseAsymSel 0x%08x is not exactly one of the offered 0x%08x",
				a.base_asym_sel, q.base_asym);
	if (!one_bit(a.base_hash_sel) || !(a.base_hash_sel & q.base_hash))
		return req_fail(r, err, "algorithms", -EPROTO,
				"ALGORITHMS: BaseHashSel 0x%08x is not exactly one of the offered 0x%08x",
				a.base_hash_sel, q.base_hash);
	/* no ML-DSA/SLH-DSA in OpenSSL 3.0: we offer none, so none may be selected */
	if (a.pqc_asym_sel & ~q.pqc_asym)
		return req_fail(r, err, "algorithms", -EPROTO,
				"ALGORITHMS: PqcAsymSel 0x%08x was not offered (0x%08x)",
				a.pqc_asym_sel, q.pqc_asym);
	if (!(a.base_asym_sel & asym_for_version(ver)) || !spdm_hash_size(a.base_hash_sel))
		return req_fail(r, err, "algorithms", -EOPNOTSUPP,
				"ALGORITHMS: selected %s/%s, not supported here",
				spdm_asym_name(a.base_asym_sel), spdm_hash_name(a.base_hash_sel));
	if (r->info.rsp_caps & SPDM_CAP_MEAS_MASK) {
		if (a.meas_spec_sel != SPDM_MEAS_SPEC_DMTF)
			return req_fail(r, err, "algorithms", -EPROTO,
					"ALGORITHMS: MeasurementSpecificationSel 0x%02x, expected DMTF",
					a.meas_spec_sel);
		if (!one_bit(a.meas_hash_algo) ||
		    (a.meas_hash_algo != SPDM_MEAS_HASH_RAW &&
		     !spdm_meas_hash_size(a.meas_hash_algo)))
			return req_fail(r, err, "algorithms", -EPROTO,
					"ALGORITHMS: MeasurementHashAlgo 0x%08x is not exactly one supported algorithm",
					a.meas_hash_algo);
	}
	for (unsigned int i = 0; i < a.num_structs; i++)
		if (!struct_ok(&q, &a.structs[i]))
			return req_fail(r, err, "algorithms", -EPROTO,
					"ALGORITHMS: AlgType %u selects 0x%04x, not one offered bit",
					a.structs[i].type, a.structs[i].bits);

	r->info.neg.base_asym = a.base_asym_sel;
	r->info.pqc_asym = a.pqc_asym_sel;
	r->info.neg.base_hash = a.base_hash_sel;
	r->info.neg.measurement_hash = a.meas_hash_algo;
	r->info.meas_spec = a.meas_spec_sel;
	r->info.other_params = a.other_params_sel;
	for (unsigned int i = 0; i < a.num_structs; i++) {
		switch (a.structs[i].type) {
		case SPDM_ALG_TYPE_DHE:
			r->info.dhe = a.structs[i].bits;
			break;
		case SPDM_ALG_TYPE_AEAD:
			r->info.aead = a.structs[i].bits;
			break;
		case SPDM_ALG_TYPE_REQ_BASE_ASYM:
			r->info.req_base_asym = a.structs[i].bits;
			break;
		case SPDM_ALG_TYPE_KEY_SCHEDULE:
			r->info.key_schedule = a.structs[i].bits;
			break;
		case SPDM_ALG_TYPE_REQ_PQC_ASYM:
			r->info.req_pqc_asym = a.structs[i].bits;
			break;
		case SPDM_ALG_TYPE_KEM:
			r->info.kem = a.structs[i].bits;
			break;
		}
	}
	r->info.hash_size = spdm_hash_size(a.base_hash_sel);
	r->info.sig_size = spdm_sig_size(a.base_asym_sel);
	r->p.hash_size = (uint16_t)r->info.hash_size;
	r->p.sig_size = (uint16_t)r->info.sig_size;
	r->p.meas_hash_size = (uint16_t)spdm_meas_hash_size(a.meas_hash_algo);
	r->p.multi_key_conn = spdm_multi_key_conn_rsp(ver, r->info.rsp_caps, q.other_params);
	r->phase = PH_ALGS;
	req_pass(r, "algorithms", "%s, %s, measurements %s", spdm_asym_name(a.base_asym_sel),
		 spdm_hash_name(a.base_hash_sel),
		 a.meas_hash_algo ? spdm_meas_hash_name(a.meas_hash_algo) : "none");
	return 0;
}
