// SPDX-License-Identifier: MIT
/*
 * NEGOTIATE_ALGORITHMS / ALGORITHMS (DSP0274 sec 10.5).
 *
 * Fixed part, request (32 bytes): header, Length(2),
 * MeasurementSpecification, OtherParamsSupport (1.2+, reserved before),
 * BaseAsymAlgo(4), BaseHashAlgo(4), PqcAsymAlgo(4, 1.4+, reserved
 * before), Reserved(8), ExtAsymCount, ExtHashCount, Reserved,
 * MELspecification (1.3+, reserved before).
 *
 * Fixed part, response (36 bytes): header, Length(2),
 * MeasurementSpecificationSel, OtherParamsSelection (1.2+),
 * MeasurementHashAlgo(4), BaseAsymSel(4), BaseHashSel(4), PqcAsymSel(4,
 * 1.4+, reserved before), Reserved(7), MELspecificationSel (1.3+),
 * ExtAsymSelCount, ExtHashSelCount, Reserved(2).
 *
 * Then ExtAsym and ExtHash (4 bytes each), then from 1.1 param1
 * AlgStructure tables: AlgType, AlgCount ([7:4] fixed bytes = 2,
 * [3:0] external count), AlgSupported(2), AlgExternal(4 each).  1.4
 * adds AlgType 6 (ReqPqcAsymAlg) and 7 (KEMAlg), so up to 6 structures.
 * A structure of a type the version does not define is skipped by its own
 * sizes (fixed size from AlgCount[7:4], externals from [3:0]).
 */
#include <errno.h>
#include <string.h>

#include "codec.h"

#define NA_FIELD(f) SPDM_FIELD_SIZE(struct spdm_negotiate_algorithms_wire, f)
#define ALGS_FIELD(f) SPDM_FIELD_SIZE(struct spdm_algorithms_wire, f)

static bool alg_type_known(uint8_t version, uint8_t t)
{
	if (t == SPDM_ALG_TYPE_REQ_PQC_ASYM || t == SPDM_ALG_TYPE_KEM)
		return version >= SPDM_VER_14;
	return t == SPDM_ALG_TYPE_DHE || t == SPDM_ALG_TYPE_AEAD ||
	       t == SPDM_ALG_TYPE_REQ_BASE_ASYM || t == SPDM_ALG_TYPE_KEY_SCHEDULE;
}

_Static_assert(NA_FIELD(length) == ALGS_FIELD(length), "one Length field for both messages");

/*
 * Both messages: the header with the struct count in param1 (reserved in
 * 1.0), then room for Length, which put_end fills in once the structs are
 * written.  Returns the struct count or -EINVAL; *start and *at for put_end.
 */
static int put_head(struct wcur *w, uint8_t version, uint8_t code, uint8_t num_structs,
		    size_t *start, size_t *at)
{
	uint8_t n = version >= SPDM_VER_11 ? num_structs : 0;

	if (n > SPDM_MAX_ALG_STRUCTS)
		return -EINVAL;
	*start = w->len;
	spdm_encode_hdr(w, version, code, n, 0);
	*at = wcur_reserve(w, NA_FIELD(length));
	return n;
}

static int put_end(struct wcur *w, size_t start, size_t at, uint8_t n,
		   const struct spdm_alg_struct *s)
{
	for (uint8_t i = 0; i < n; i++) {
		wcur_u8(w, s[i].type);
		wcur_u8(w, (uint8_t)(SPDM_ALG_FIXED_SIZE << 4));
		wcur_u16(w, s[i].bits);
	}
	wcur_put_u16_at(w, at, (uint16_t)(w->len - start));
	return (int)wcur_finish(w);
}

/*
 * The struct table and the external algorithm lists.  Every table must fit
 * in the Length-bounded cursor c.
 */
static int decode_structs(struct cur *c, const char *name, uint8_t version, uint8_t n,
			  struct spdm_alg_struct *out, uint8_t *num, struct da_err *err)
{
	uint8_t seen = 0, k = 0;

	for (uint8_t i = 0; i < n; i++) {
		uint8_t type, count;
		uint16_t bits;

		if (cur_u8(c, &type) || cur_u8(c, &count))
			return da_errf(err, -EBADMSG,
				       "%s: AlgStructure %u does not fit in Length", name, i);
		if (!alg_type_known(version, type)) {
			if (cur_skip(c, (size_t)(count >> 4) + SPDM_EXT_ALG_SIZE * (count & 0x0F)))
				return da_errf(err, -EBADMSG,
					       "%s: AlgStructure %u (AlgType %u) %s", name, i,
					       type, "does not fit in Length");
			continue;
		}
		if (seen & (1u << type))
			return da_errf(err, -EPROTO, "%s: AlgType %u appears twice", name, type);
		seen |= (uint8_t)(1u << type);
		if ((size_t)(count >> 4) != SPDM_ALG_FIXED_SIZE)
			return da_errf(err, -EPROTO,
				       "%s: AlgStructure %u AlgCount fixed size %u, expected %zu",
				       name, i, count >> 4, SPDM_ALG_FIXED_SIZE);
		if (cur_u16(c, &bits))
			return da_errf(err, -EBADMSG,
				       "%s: AlgStructure %u AlgSupported does not fit in Length",
				       name, i);
		if (cur_skip(c, SPDM_EXT_ALG_SIZE * (count & 0x0F)))
			return da_errf(err, -EBADMSG,
				       "%s: AlgStructure %u: %u external algorithms %s",
				       name, i, count & 0x0F, "do not fit in Length");
		/* six known types, each at most once: k stays below SPDM_MAX_ALG_STRUCTS */
		out[k].type = type;
		out[k].bits = bits;
		k++;
	}
	*num = k;
	return 0;
}

/*
 * Length is the whole message; it must fit what was received and equal
 * what its fields add up to.  Returns param1 (the struct count) and the
 * Length-bounded cursor in *body, positioned after the Length field.
 */
static int length_field(const uint8_t *msg, size_t len, const char *name, uint8_t *param1,
			uint16_t *length, struct cur *body, struct da_err *err)
{
	struct cur c = cur_init(msg, len);
	struct spdm_hdr h;

	*param1 = 0;
	if (spdm_decode_hdr(msg, len, &h, NULL) || cur_skip(&c, SPDM_HDR_SIZE))
		return spdm_trunc(err, name, "header", len);
	*param1 = h.param1;
	if (cur_u16(&c, length))
		return spdm_trunc(err, name, "Length", len);
	if (*length > len)
		return da_errf(err, -EBADMSG, "%s: Length %u exceeds the %zu bytes received",
			       name, *length, len);
	if (*length < SPDM_ALGS_LENGTH_END)
		return da_errf(err, -EBADMSG, "%s: Length %u is shorter than its own header",
			       name, *length);
	*body = cur_init(msg, *length);
	return cur_skip(body, SPDM_ALGS_LENGTH_END);
}

static int check_length_used(const struct cur *c, const char *name, uint16_t length,
			     struct da_err *err)
{
	if (!cur_at_end(c))
		return da_errf(err, -EBADMSG, "%s: Length %u, but the fields end at %zu",
			       name, length, c->off);
	return length;
}

/*
 * What follows the fixed fields in both messages: vendor (external)
 * algorithms, which we never select and skip, then from 1.1 the struct
 * table (in 1.0 param1 is reserved), and nothing past Length.
 */
static int decode_tail(struct cur *c, const char *name, uint8_t version, uint8_t nstructs,
		       uint8_t ext_asym, uint8_t ext_hash, uint16_t length,
		       struct spdm_alg_struct *structs, uint8_t *num, struct da_err *err)
{
	/* The response's fields are the "Sel" counts; name them as the spec does. */
	const char *sel = strcmp(name, "ALGORITHMS") ? "" : "Sel";
	int ret;

	if (cur_skip(c, SPDM_EXT_ALG_SIZE * ext_asym))
		return da_errf(err, -EBADMSG, "%s: ExtAsym%sCount %u does not fit in Length %u",
			       name, sel, ext_asym, length);
	if (cur_skip(c, SPDM_EXT_ALG_SIZE * ext_hash))
		return da_errf(err, -EBADMSG, "%s: ExtHash%sCount %u does not fit in Length %u",
			       name, sel, ext_hash, length);
	if (version >= SPDM_VER_11) {
		ret = decode_structs(c, name, version, nstructs, structs, num, err);
		if (ret)
			return ret;
	}
	return check_length_used(c, name, length, err);
}

int spdm_encode_negotiate_algorithms(struct wcur *w, uint8_t version,
				     const struct spdm_neg_algs *a)
{
	size_t start, at;
	int n = put_head(w, version, SPDM_NEGOTIATE_ALGORITHMS, a->num_structs, &start, &at);

	if (n < 0)
		return n;
	wcur_u8(w, a->meas_spec);
	wcur_u8(w, version >= SPDM_VER_12 ? a->other_params : 0);
	wcur_u32(w, a->base_asym);
	wcur_u32(w, a->base_hash);
	wcur_u32(w, version >= SPDM_VER_14 ? a->pqc_asym : 0);
	wcur_zero(w, NA_FIELD(reserved));
	wcur_u8(w, 0);		/* ExtAsymCount */
	wcur_u8(w, 0);		/* ExtHashCount */
	wcur_zero(w, NA_FIELD(reserved2));
	wcur_u8(w, version >= SPDM_VER_13 ? a->mel_spec : 0);
	return put_end(w, start, at, (uint8_t)n, a->structs);
}

int spdm_decode_negotiate_algorithms(const uint8_t *msg, size_t len, uint8_t version,
				     struct spdm_neg_algs *a, struct da_err *err)
{
	static const char name[] = "NEGOTIATE_ALGORITHMS";
	struct cur c;
	uint16_t length;
	uint8_t nstructs, ext_asym, ext_hash, mel;
	int ret;

	*a = (struct spdm_neg_algs){ 0 };
	ret = length_field(msg, len, name, &nstructs, &length, &c, err);
	if (ret)
		return ret;
	if (cur_u8(&c, &a->meas_spec) || cur_u8(&c, &a->other_params) ||
	    cur_u32(&c, &a->base_asym) || cur_u32(&c, &a->base_hash) ||
	    cur_u32(&c, &a->pqc_asym) || cur_skip(&c, NA_FIELD(reserved)) ||
	    cur_u8(&c, &ext_asym) || cur_u8(&c, &ext_hash) ||
	    cur_skip(&c, NA_FIELD(reserved2)) || cur_u8(&c, &mel))
		return da_errf(err, -EBADMSG, "%s: Length %u is shorter than the fixed fields",
			       name, length);
	if (version < SPDM_VER_12)
		a->other_params = 0;
	if (version < SPDM_VER_14)
		a->pqc_asym = 0;
	if (version >= SPDM_VER_13)
		a->mel_spec = mel;
	return decode_tail(&c, name, version, nstructs, ext_asym, ext_hash, length, a->structs,
			   &a->num_structs, err);
}

int spdm_encode_algorithms(struct wcur *w, uint8_t version, const struct spdm_algorithms *a)
{
	size_t start, at;
	int n = put_head(w, version, SPDM_ALGORITHMS, a->num_structs, &start, &at);

	if (n < 0)
		return n;
	wcur_u8(w, a->meas_spec_sel);
	wcur_u8(w, version >= SPDM_VER_12 ? a->other_params_sel : 0);
	wcur_u32(w, a->meas_hash_algo);
	wcur_u32(w, a->base_asym_sel);
	wcur_u32(w, a->base_hash_sel);
	wcur_u32(w, version >= SPDM_VER_14 ? a->pqc_asym_sel : 0);
	wcur_zero(w, ALGS_FIELD(reserved));
	wcur_u8(w, version >= SPDM_VER_13 ? a->mel_spec_sel : 0);
	wcur_u8(w, 0);		/* ExtAsymSelCount */
	wcur_u8(w, 0);		/* ExtHashSelCount */
	wcur_zero(w, ALGS_FIELD(reserved2));
	return put_end(w, start, at, (uint8_t)n, a->structs);
}

int spdm_decode_algorithms(const uint8_t *msg, size_t len, uint8_t version,
			   struct spdm_algorithms *a, struct da_err *err)
{
	static const char name[] = "ALGORITHMS";
	struct cur c;
	uint16_t length;
	uint8_t nstructs, ext_asym, ext_hash, mel;
	int ret;

	*a = (struct spdm_algorithms){ 0 };
	ret = length_field(msg, len, name, &nstructs, &length, &c, err);
	if (ret)
		return ret;
	if (cur_u8(&c, &a->meas_spec_sel) || cur_u8(&c, &a->other_params_sel) ||
	    cur_u32(&c, &a->meas_hash_algo) || cur_u32(&c, &a->base_asym_sel) ||
	    cur_u32(&c, &a->base_hash_sel) || cur_u32(&c, &a->pqc_asym_sel) ||
	    cur_skip(&c, ALGS_FIELD(reserved)) || cur_u8(&c, &mel) ||
	    cur_u8(&c, &ext_asym) || cur_u8(&c, &ext_hash) ||
	    cur_skip(&c, ALGS_FIELD(reserved2)))
		return da_errf(err, -EBADMSG, "%s: Length %u is shorter than the fixed fields",
			       name, length);
	if (version < SPDM_VER_12)
		a->other_params_sel = 0;
	if (version < SPDM_VER_14)
		a->pqc_asym_sel = 0;
	if (version >= SPDM_VER_13)
		a->mel_spec_sel = mel;
	return decode_tail(&c, name, version, nstructs, ext_asym, ext_hash, length, a->structs,
			   &a->num_structs, err);
}

bool spdm_multi_key_conn_rsp(uint8_t version, uint32_t rsp_caps, uint8_t req_other_params)
{
	uint32_t mk = rsp_caps & SPDM_CAP_MULTI_KEY_MASK;

	if (version < SPDM_VER_13)
		return false;
	return mk == SPDM_CAP_MULTI_KEY_ONLY ||
	       (mk == SPDM_CAP_MULTI_KEY_NEG && (req_other_params & SPDM_MULTI_KEY_CONN));
}
