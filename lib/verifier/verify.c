// SPDX-License-Identifier: MIT
/*
 * The userspace verifier.  The transcript objects are split back into
 * messages and replayed through the requester (every internal
 * consistency check, by the code that authenticates devices); then
 * what only a verifier decides: the objects agree with the transcript,
 * the chain ends in a trust anchor, the identity, the nonce, the
 * version and algorithms allowed, and each measurement block against
 * its reference values.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/x509.h>

#include "crypto/crypto.h"
#include "crypto/x509.h"
#include "identity.h"
#include "evidence/transcript.h"
#include "hex.h"
#include "verifier_internal.h"

void da_verdict_free(struct da_verdict *v)
{
	da_checklist_free(&v->checks);
	free(v->leaf_spki);
	free(v->meas_record);
	free(v->report);
	memset(v, 0, sizeof(*v));
}

/*
 * The replay names messages by "record N"; for evidence objects N
 * encodes the object and the offset (da_msg_origin), which we spell out.
 */
static void origin_message(const char *msg, bool objects, char *out, size_t cap)
{
	unsigned long long rec;
	int used = 0;

	if (objects && sscanf(msg, "record %llu: %n", &rec, &used) == 1 && used > 0 &&
	    (rec >> 32) <= DA_EV_MAX) {
		snprintf(out, cap, "%s object, offset %llu: %s",
			 da_evidence_type_name((unsigned int)(rec >> 32)), rec & 0xffffffffull,
			 msg + used);
		return;
	}
	snprintf(out, cap, "%s", msg);
}

static void version_name(uint8_t v, char *buf, size_t n)
{
	snprintf(buf, n, "%u.%u", v >> 4, v & 0xf);
}

static void learn_facts(struct spdm_req *r, struct da_verdict *v)
{
	const struct spdm_req_info *i = spdm_req_info(r);
	const struct spdm_chain *c;
	const uint8_t *data;
	size_t len;
	X509 *leaf;

	v->replayed = true;
	v->neg = i->neg;
	v->hash_size = i->hash_size;
	if (i->authenticated) {
		v->have_nonce = true;
		memcpy(v->nonce, i->req_nonce, SPDM_NONCE_SIZE);
	}
	if (!spdm_req_evidence(r, i->neg.slot, &data, &len))
		spdm_hash(i->neg.base_hash, data, len, v->chain_hash);
	c = spdm_req_chain(r, i->neg.slot);
	leaf = c ? spdm_chain_leaf(c) : NULL;
	if (leaf) {
		unsigned char *der = NULL;
		int n = i2d_PUBKEY(X509_get0_pubkey(leaf), &der);

		if (n > 0) {
			v->leaf_spki = malloc((size_t)n);
			if (v->leaf_spki) {
				memcpy(v->leaf_spki, der, (size_t)n);
				v->leaf_spki_len = (size_t)n;
			}
		}
		OPENSSL_free(der);
		if (cma_leaf_san_string(leaf, v->identity, sizeof(v->identity)) < 0)
			v->identity[0] = '\0';
	}
	if (i->measured && !spdm_req_meas_record(r, &data, &len) && len) {
		v->meas_record = malloc(len);
		if (v->meas_record) {
			memcpy(v->meas_record, data, len);
			v->meas_record_len = len;
		}
	}
}

static void check_trust(struct spdm_req *r, const struct da_verify_opts *o,
			struct da_verdict *v)
{
	const struct da_policy *p = o->policy;
	const struct spdm_chain *c = spdm_req_chain(r, v->neg.slot);
	const char *paths[DA_POLICY_MAX_ANCHORS];
	bool dates = p ? p->check_dates : true;
	struct da_err err = { 0 };
	size_t n = 0;

	if (o->trust_path) {
		paths[n++] = o->trust_path;
	} else if (p) {
		for (size_t i = 0; i < p->ntrust; i++)
			paths[n++] = p->trust[i];
	}
	if (!n) {
		da_check_add(&v->checks, "trust", DA_CHECK_SKIP,
			     "no trust anchors given: the chain was not checked against any");
		return;
	}
	if (!c) {
		da_check_add(&v->checks, "trust", DA_CHECK_FAIL, "slot %u chain is not available",
			     v->neg.slot);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		struct da_trust *t;

		da_err_clear(&err);
		t = da_trust_load(paths[i], &err);
		if (!t)
			continue;
		if (!da_trust_verify_chain(t, c, dates, &err)) {
			da_trust_free(t);
			da_check_add(&v->checks, "trust", DA_CHECK_PASS,
				     "slot %u chain ends in an anchor of %s%s", v->neg.slot, paths[i],
				     dates ? "" : " (validity dates not checked)");
			return;
		}
		da_trust_free(t);
	}
	da_check_add(&v->checks, "trust", DA_CHECK_FAIL, "slot %u chain: %s", v->neg.slot, err.msg);
}

static void check_identity(const struct da_verify_opts *o, struct da_verdict *v)
{
	const struct da_policy *p = o->policy;
	struct cma_identity id;
	struct da_err err = { 0 };
	char want[160];

	if (!p || !p->require_identity) {
		if (v->identity[0])
			da_check_add(&v->checks, "identity", DA_CHECK_SKIP,
				     "not required by policy; leaf carries \"%s\"", v->identity);
		else
			da_check_add(&v->checks, "identity", DA_CHECK_SKIP,
				     "not required by policy; leaf carries no PCIe identity");
		return;
	}
	if (!v->identity[0]) {
		da_check_add(&v->checks, "identity", DA_CHECK_FAIL,
			     "leaf certificate has no PCIe CMA identity (SubjectAltName otherName 2.23.147), policy requires one");
		return;
	}
	if (cma_identity_parse(v->identity, &id, &err)) {
		da_check_add(&v->checks, "identity", DA_CHECK_FAIL, "leaf PCIe identity: %s",
			     err.msg);
		return;
	}
#define ID_CMP(bit, field, fmt, name)							\
	do {										\
		if ((p->id_fields & (bit)) && id.field != p->id.field) {		\
			da_check_add(&v->checks, "identity", DA_CHECK_FAIL,		\
				     "leaf identity \"%s\": " name " " fmt ", policy expects " fmt, \
				     v->identity, id.field, p->id.field);		\
			return;								\
		}									\
	} while (0)
	ID_CMP(ID_VENDOR, vendor, "%04x", "Vendor");
	ID_CMP(ID_DEVICE, device, "%04x", "Device");
	ID_CMP(ID_CLASS, class_code, "%06x", "CC");
	ID_CMP(ID_REVISION, revision, "%02x", "REV");
#undef ID_CMP
	if ((p->id_fields & (ID_SSVID | ID_SSID)) && !id.has_subsys) {
		da_check_add(&v->checks, "identity", DA_CHECK_FAIL,
			     "leaf identity \"%s\" has no SSVID/SSID, policy expects them",
			     v->identity);
		return;
	}
	if (((p->id_fields & ID_SSVID) && id.ssvid != p->id.ssvid) ||
	    ((p->id_fields & ID_SSID) && id.ssid != p->id.ssid)) {
		da_check_add(&v->checks, "identity", DA_CHECK_FAIL,
			     "leaf identity \"%s\": SSVID/SSID %04x:%04x, policy expects %04x:%04x",
			     v->identity, id.ssvid, id.ssid, p->id.ssvid, p->id.ssid);
		return;
	}
	if ((p->id_fields & ID_SERIAL) && (!id.has_serial || id.serial != p->id.serial)) {
		da_check_add(&v->checks, "identity", DA_CHECK_FAIL,
			     "leaf identity \"%s\": serial %s, policy expects %016" PRIx64,
			     v->identity, id.has_serial ? "differs" : "absent", p->id.serial);
		return;
	}
	snprintf(want, sizeof(want), "%s", p->id_fields ? "matches the policy" : "present (any)");
	da_check_add(&v->checks, "identity", DA_CHECK_PASS, "leaf identity \"%s\" %s",
		     v->identity, want);
}

static void check_policy_algs(const struct da_policy *p, struct da_verdict *v)
{
	char ver[8];

	version_name(v->neg.version, ver, sizeof(ver));
	if (!p || (!p->versions && !p->asym && !p->hash && !p->meas_hash && !p->slots)) {
		da_check_add(&v->checks, "policy-algorithms", DA_CHECK_SKIP,
			     "no policy on versions, algorithms or slots");
		return;
	}
	if (p->versions && !(p->versions & (1u << (v->neg.version & 0xf))))
		da_check_add(&v->checks, "policy-version", DA_CHECK_FAIL,
			     "SPDM %s is not allowed by the policy", ver);
	else
		da_check_add(&v->checks, "policy-version", DA_CHECK_PASS, "SPDM %s", ver);
	if ((p->asym && !(p->asym & v->neg.base_asym)) || (p->hash && !(p->hash & v->neg.base_hash)) ||
	    (p->meas_hash && v->neg.measurement_hash && !(p->meas_hash & v->neg.measurement_hash)))
		da_check_add(&v->checks, "policy-algorithms", DA_CHECK_FAIL,
			     "%s / %s / measurements %s: not allowed by the policy",
			     spdm_asym_name(v->neg.base_asym), spdm_hash_name(v->neg.base_hash),
			     v->neg.measurement_hash ? spdm_meas_hash_name(v->neg.measurement_hash) : "none");
	else
		da_check_add(&v->checks, "policy-algorithms", DA_CHECK_PASS, "%s / %s",
			     spdm_asym_name(v->neg.base_asym), spdm_hash_name(v->neg.base_hash));
	if (p->slots && !(p->slots & (1u << v->neg.slot)))
		da_check_add(&v->checks, "policy-slot", DA_CHECK_FAIL,
			     "slot %u is not allowed by the policy", v->neg.slot);
	else
		da_check_add(&v->checks, "policy-slot", DA_CHECK_PASS, "slot %u", v->neg.slot);
}

static const struct da_policy_ref *find_ref(const struct da_policy *p, uint8_t index)
{
	for (size_t i = 0; p && i < p->nrefs; i++)
		if (p->refs[i].index == index)
			return &p->refs[i];
	return NULL;
}

/*
 * Does the block match one of the reference values?  A digest reference
 * against a raw block hashes the block; a raw reference against a
 * digest block hashes the reference (with the MeasurementHashAlgo).
 */
static bool ref_matches(const struct da_policy_ref *ref, const struct spdm_meas_block *b,
			uint32_t meas_hash)
{
	bool block_raw = b->dmtf_type & SPDM_DMTF_MEAS_RAW_BIT;
	size_t hs = spdm_meas_hash_size(meas_hash);
	uint8_t h[SPDM_MAX_HASH_SIZE];

	for (size_t i = 0; i < ref->nvals; i++) {
		const struct da_policy_value *val = &ref->vals[i];

		if (ref->raw == block_raw) {
			if (val->len == b->value_size && !memcmp(val->data, b->value, val->len))
				return true;
		} else if (!ref->raw) {
			if (hs && val->len == hs &&
			    !spdm_meas_hash(meas_hash, b->value, b->value_size, h) &&
			    !memcmp(h, val->data, hs))
				return true;
		} else if (hs && b->value_size == hs &&
			   !spdm_meas_hash(meas_hash, val->data, val->len, h) &&
			   !memcmp(h, b->value, hs)) {
			return true;
		}
	}
	return false;
}

static void check_measurements(const struct da_policy *p, bool have_obj, struct da_verdict *v)
{
	uint8_t seen[32] = { 0 };
	struct spdm_meas_block b;
	struct cur c;
	char name[40], val[2 * 32 + 4];
	int ret;

	if (!v->meas_record) {
		if (p && (p->require_measurements || p->nrefs))
			da_check_add(&v->checks, "measurements", DA_CHECK_FAIL,
				     "no signed MEASUREMENTS in the evidence, the policy needs them");
		else
			da_check_add(&v->checks, "measurements", DA_CHECK_SKIP, "%s",
				     have_obj ? "not verified" : "no signed MEASUREMENTS in the evidence");
		return;
	}
	c = cur_init(v->meas_record, v->meas_record_len);
	while ((ret = spdm_meas_block_next(&c, &b, NULL)) > 0) {
		const struct da_policy_ref *ref = find_ref(p, b.index);

		seen[b.index / 8] |= (uint8_t)(1u << (b.index % 8));
		snprintf(name, sizeof(name), "measurement[%u]", b.index);
		da_hex(b.value, b.value_size > 32 ? 32 : b.value_size, val, sizeof(val));
		if (b.value_size > 32)
			strcat(val, "...");
		if (da_policy_is_volatile(p, b.index))
			da_check_add(&v->checks, name, DA_CHECK_SKIP, "volatile, not compared (%s)",
				     val);
		else if (!ref)
			da_check_add(&v->checks, name, DA_CHECK_SKIP, "no reference value (%s)",
				     val);
		else if (ref_matches(ref, &b, v->neg.measurement_hash))
			da_check_add(&v->checks, name, DA_CHECK_PASS, "matches the reference (%s)",
				     val);
		else
			da_check_add(&v->checks, name, DA_CHECK_FAIL,
				     "%s %s differs from the reference value%s",
				     spdm_dmtf_meas_type_name(b.dmtf_type & 0x7f), val,
				     ref->nvals > 1 ? "s" : "");
	}
	for (size_t i = 0; p && i < p->nrefs; i++) {
		uint8_t idx = p->refs[i].index;

		if (!(seen[idx / 8] & (1u << (idx % 8)))) {
			snprintf(name, sizeof(name), "measurement[%u]", idx);
			da_check_add(&v->checks, name, DA_CHECK_FAIL,
				     "block %u has a reference value but is not in the evidence", idx);
		}
	}
}

/* Checks only the bundle's objects need: do they agree with what was replayed? */
struct ev_ctx {
	const struct da_evidence *ev;
	size_t meas_a_len;
	size_t vca_a_len;
	const struct da_transcript_info *ti;
};

static void check_objects(struct spdm_req *r, const struct ev_ctx *e, struct da_verdict *v)
{
	const struct da_evidence *ev = e->ev;
	const struct da_evidence_obj *m = &ev->obj[DA_EV_MEASUREMENTS];

	for (unsigned int t = DA_EV_CERT0; t <= DA_EV_CERT7; t++) {
		const struct da_evidence_obj *o = &ev->obj[t];
		const uint8_t *data;
		size_t len;
		char name[16];

		if (!o->len)
			continue;
		snprintf(name, sizeof(name), "object-cert%u", t);
		if (spdm_req_evidence(r, t, &data, &len))
			da_check_add(&v->checks, name, DA_CHECK_SKIP,
				     "CERT%u is not read in the VCA transcript: neither verified nor used", t);
		else if (len != o->len || memcmp(data, o->data, len))
			da_check_add(&v->checks, name, DA_CHECK_FAIL,
				     "CERT%u object differs from the slot %u chain in the VCA transcript",
				     t, t);
		else
			da_check_add(&v->checks, name, DA_CHECK_PASS,
				     "CERT%u equals the chain read in the transcript", t);
	}
	if (m->len && e->meas_a_len) {
		if (e->meas_a_len != e->vca_a_len || m->len < e->meas_a_len ||
		    memcmp(m->data, ev->obj[DA_EV_VCA].data, e->meas_a_len))
			da_check_add(&v->checks, "object-measurements", DA_CHECK_FAIL,
				     "MEASUREMENTS object: its VCA prefix (bytes 0-%zu) differs from the VCA object's",
				     e->meas_a_len);
		else
			da_check_add(&v->checks, "object-measurements", DA_CHECK_PASS,
				     "L1 starts with the VCA of the VCA object");
	}
	if ((ev->neg.version && ev->neg.version != v->neg.version) ||
	    (ev->neg.base_asym && ev->neg.base_asym != v->neg.base_asym) ||
	    (ev->neg.base_hash && ev->neg.base_hash != v->neg.base_hash) ||
	    (ev->obj[DA_EV_VCA].len && ev->neg.slot != v->neg.slot))
		da_check_add(&v->checks, "metadata", DA_CHECK_FAIL,
			     "bundle metadata (version 0x%02x, %s, %s, slot %u) contradicts the transcript",
			     ev->neg.version, spdm_asym_name(ev->neg.base_asym),
			     spdm_hash_name(ev->neg.base_hash), ev->neg.slot);
}

/* The TDISP report, kept in the verdict for `policy init`. */
static void check_report(const struct da_policy *p, const struct da_evidence *ev,
			 struct da_verdict *v)
{
	const struct da_evidence_obj *rep = &ev->obj[DA_EV_REPORT];

	da_tdisp_check(p, rep->data, rep->len, v);
	if (rep->len) {
		v->report = malloc(rep->len);
		if (v->report) {
			memcpy(v->report, rep->data, rep->len);
			v->report_len = rep->len;
		}
	}
}

static void finish_verdict(struct da_verdict *v)
{
	v->accepted = !da_checklist_failed(&v->checks);
	v->reason[0] = '\0';
	for (size_t i = 0; i < v->checks.n; i++) {
		if (v->checks.c[i].result == DA_CHECK_FAIL) {
			snprintf(v->reason, sizeof(v->reason), "%s: %s", v->checks.c[i].name,
				 v->checks.c[i].detail);
			break;
		}
	}
}

static int verify_core(const struct da_spdm_msg *msgs, size_t n, const char *name,
		       const struct da_verify_opts *o, const struct ev_ctx *e,
		       struct da_verdict *v, struct da_err *err)
{
	const struct da_checklist *rc;
	struct spdm_req_config cfg;
	struct da_err rerr = { 0 };
	struct spdm_req *r;
	int ret;

	memset(v, 0, sizeof(*v));
	spdm_req_config_default(&cfg);
	cfg.dev_name = name;
	if (o->have_nonce) {
		/* The verifier's nonce must be the CHALLENGE's and the signed GET_MEASUREMENTS'. */
		cfg.have_nonce = cfg.have_meas_nonce = true;
		memcpy(cfg.nonce, o->nonce, SPDM_NONCE_SIZE);
		memcpy(cfg.meas_nonce, o->nonce, SPDM_NONCE_SIZE);
	}
	r = spdm_req_new(&cfg, NULL);
	if (!r)
		return da_errf(err, -ENOMEM, "%s: out of memory", name);
	ret = spdm_req_replay(r, msgs, n, &rerr);
	rc = spdm_req_checks(r);
	for (size_t i = 0; i < rc->n; i++)
		da_check_add(&v->checks, rc->c[i].name, rc->c[i].result, "%s", rc->c[i].detail);
	if (ret) {
		char msg[DA_ERR_MSG_MAX];

		const char *check = "transcript";

		origin_message(rerr.msg, e != NULL, msg, sizeof(msg));
		/* The requester listed most failures; the reason adds where it happened. */
		for (size_t i = 0; i < v->checks.n; i++) {
			if (v->checks.c[i].result == DA_CHECK_FAIL) {
				check = v->checks.c[i].name;
				break;
			}
		}
		if (!strcmp(check, "transcript"))
			da_check_add(&v->checks, "transcript", DA_CHECK_FAIL, "%s", msg);
		finish_verdict(v);
		snprintf(v->reason, sizeof(v->reason), "%.40s: %.400s", check, msg);
		spdm_req_free(r);
		return 0;
	}
	if (!spdm_req_info(r)->authenticated) {
		da_check_add(&v->checks, "challenge", DA_CHECK_FAIL,
			     "no CHALLENGE_AUTH: the exchange never authenticated the device");
		finish_verdict(v);
		spdm_req_free(r);
		return 0;
	}
	learn_facts(r, v);
	if (e)
		check_objects(r, e, v);
	check_trust(r, o, v);
	if (e)
		da_check_session(r, e->ev, e->ti, o, v);
	check_identity(o, v);
	if (o->have_nonce)
		da_check_add(&v->checks, "nonce", DA_CHECK_PASS,
			     "the transcript's requester nonce is the verifier's%s",
			     spdm_req_info(r)->measured ? " (CHALLENGE and GET_MEASUREMENTS)" : "");
	else
		da_check_add(&v->checks, "nonce", DA_CHECK_SKIP,
			     "no nonce supplied: freshness not checked");
	check_policy_algs(o->policy, v);
	check_measurements(o->policy, e && e->ev->obj[DA_EV_MEASUREMENTS].len, v);
	if (e)
		check_report(o->policy, e->ev, v);
	else if (o->policy && o->policy->tdisp)
		da_check_add(&v->checks, "tdisp.report", DA_CHECK_FAIL,
			     "a capture carries no REPORT object, the policy's tdisp section needs one");
	finish_verdict(v);
	spdm_req_free(r);
	return 0;
}

int da_verify_msgs(const struct da_spdm_msg *msgs, size_t n, const char *name,
		   const struct da_verify_opts *o, struct da_verdict *verdict,
		   struct da_err *err)
{
	return verify_core(msgs, n, name ? name : "capture", o, NULL, verdict, err);
}

int da_verify(const struct da_evidence *ev, const struct da_verify_opts *o,
	      struct da_verdict *verdict, struct da_err *err)
{
	const struct da_evidence_obj *vca = &ev->obj[DA_EV_VCA];
	const struct da_evidence_obj *meas = &ev->obj[DA_EV_MEASUREMENTS];
	struct da_transcript_info ti;
	struct da_msg_list l = { 0 };
	struct ev_ctx e = { .ev = ev };
	int ret;

	memset(verdict, 0, sizeof(*verdict));
	if (!vca->len)
		return da_errf(err, -ENOENT,
			       "evidence: no VCA object (the authentication transcript)");
	ret = da_split_vca(vca->data, vca->len, &l, &ti, err);
	if (ret)
		goto out;
	e.vca_a_len = ti.a_len;
	e.ti = &ti;
	if (meas->len) {
		ret = da_split_meas(meas->data, meas->len, &ti, &l, &e.meas_a_len, err);
		if (ret)
			goto out;
	}
	ret = verify_core(l.m, l.n, ev->dev_name[0] ? ev->dev_name : "evidence", o, &e, verdict,
			  err);
out:
	da_msg_list_free(&l);
	return ret;
}

json_object *da_verdict_json(const struct da_verdict *v)
{
	json_object *j = json_object_new_object(), *a = json_object_new_array();
	char buf[2 * SPDM_MAX_HASH_SIZE + 1];

	json_object_object_add(j, "accepted", json_object_new_boolean(v->accepted));
	json_object_object_add(j, "verdict",
			       json_object_new_string(v->accepted ? "accepted" : "rejected"));
	if (!v->accepted)
		json_object_object_add(j, "reason", json_object_new_string(v->reason));
	if (v->replayed) {
		version_name(v->neg.version, buf, sizeof(buf));
		json_object_object_add(j, "version", json_object_new_string(buf));
		json_object_object_add(j, "base_asym",
				       json_object_new_string(spdm_asym_name(v->neg.base_asym)));
		json_object_object_add(j, "base_hash",
				       json_object_new_string(spdm_hash_name(v->neg.base_hash)));
		json_object_object_add(j, "measurement_hash", json_object_new_string(
			v->neg.measurement_hash ? spdm_meas_hash_name(v->neg.measurement_hash) : "none"));
		json_object_object_add(j, "slot", json_object_new_int(v->neg.slot));
		json_object_object_add(j, "identity", v->identity[0] ?
				       json_object_new_string(v->identity) : NULL);
		da_hex(v->chain_hash, v->hash_size, buf, sizeof(buf));
		json_object_object_add(j, "chain_hash", json_object_new_string(buf));
	}
	if (v->have_tdisp_lock) {
		json_object *t = json_object_new_object();

		json_object_object_add(t, "session_signed", json_object_new_boolean(v->session_signed));
		version_name(v->tdisp_version, buf, sizeof(buf));
		json_object_object_add(t, "tdisp_version", json_object_new_string(buf));
		json_object_object_add(t, "interface_id", json_object_new_int64(v->interface_id));
		json_object_object_add(j, "tdisp_lock", t);
	}
	for (size_t i = 0; i < v->checks.n; i++) {
		json_object *c = json_object_new_object();

		json_object_object_add(c, "name", json_object_new_string(v->checks.c[i].name));
		json_object_object_add(c, "result", json_object_new_string(
			v->checks.c[i].result == DA_CHECK_PASS ? "pass" :
			v->checks.c[i].result == DA_CHECK_FAIL ? "fail" : "skipped"));
		json_object_object_add(c, "detail", json_object_new_string(v->checks.c[i].detail));
		json_object_array_add(a, c);
	}
	json_object_object_add(j, "checks", a);
	return j;
}
