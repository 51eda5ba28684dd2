// SPDX-License-Identifier: MIT
/*
 * `devauth policy init`: a policy from the verdicts of known-good
 * evidence.  The output is the input format of policy.c, so what init
 * writes verifies the evidence it came from.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "crypto/crypto.h"
#include "identity.h"
#include "verifier_internal.h"

static json_object *one_name(const char *s)
{
	json_object *a = json_object_new_array();

	json_object_array_add(a, json_object_new_string(s));
	return a;
}

static json_object *identity_json(const char *s)
{
	struct cma_identity id;
	json_object *j;
	char buf[24];

	if (cma_identity_parse(s, &id, NULL))
		return NULL;
	j = json_object_new_object();
#define ADD(key, fmt, val)						\
	do {								\
		snprintf(buf, sizeof(buf), fmt, val);			\
		json_object_object_add(j, key, json_object_new_string(buf)); \
	} while (0)
	ADD("vendor", "%04x", id.vendor);
	ADD("device", "%04x", id.device);
	ADD("class", "%06x", id.class_code);
	ADD("revision", "%02x", id.revision);
	if (id.has_subsys) {
		ADD("ssvid", "%04x", id.ssvid);
		ADD("ssid", "%04x", id.ssid);
	}
	if (id.has_serial)
		ADD("serial", "%016llx", (unsigned long long)id.serial);
#undef ADD
	return j;
}

/* A golden TDISP device: every bundle has a report, and they agree on what the section fixes. */
static int tdisp_section(const struct da_verdict *const *v, size_t n, json_object *j,
			 struct da_err *err)
{
	json_object *t = NULL, *o;
	int ret;

	if (!v[0]->report)
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (!v[i]->report) {
			json_object_put(t);
			return da_errf(err, -EINVAL,
				       "policy init: evidence %zu has no REPORT, evidence 1 has one",
				       i + 1);
		}
		ret = da_tdisp_policy_json(v[i], &o, err);
		if (ret) {
			json_object_put(t);
			da_err_prefix(err, "policy init: evidence %zu", i + 1);
			return ret;
		}
		if (!t) {
			t = o;
			continue;
		}
		ret = strcmp(json_object_to_json_string(t), json_object_to_json_string(o));
		json_object_put(o);
		if (ret) {
			json_object_put(t);
			return da_errf(err, -EINVAL,
				       "policy init: the TDISP report of evidence %zu differs from evidence 1's",
				       i + 1);
		}
	}
	json_object_object_add(j, "tdisp", t);
	return 0;
}

int da_policy_from_verdicts(const struct da_verdict *const *v, size_t n,
			    const uint8_t extra_volatile[32], const char *trust_path,
			    json_object **out, struct da_err *err)
{
	uint8_t vol[32] = { 0 };
	json_object *j, *refs, *vl, *ja;
	const struct da_verdict *g;
	struct spdm_meas_block b, o;
	struct cur c;
	char buf[160];
	int ret;

	*out = NULL;
	if (!n)
		return da_errf(err, -EINVAL, "policy init: no evidence");
	for (size_t i = 0; i < n; i++)
		if (!v[i]->accepted || !v[i]->replayed)
			return da_errf(err, -EKEYREJECTED,
				       "policy init: evidence %zu was not accepted: %s", i + 1,
				       v[i]->reason);
	g = v[0];
	if (extra_volatile)
		memcpy(vol, extra_volatile, sizeof(vol));
	/* Volatile: by type, or because the golden captures disagree. */
	c = cur_init(g->meas_record, g->meas_record_len);
	while (g->meas_record && spdm_meas_block_next(&c, &b, NULL) > 0) {
		bool differs = da_meas_type_volatile(b.dmtf_type);

		for (size_t i = 1; i < n && !differs; i++)
			differs = !da_verdict_find_block(v[i], b.index, &o) || o.raw_len != b.raw_len ||
				  memcmp(o.raw, b.raw, b.raw_len);
		if (differs)
			vol[b.index / 8] |= (uint8_t)(1u << (b.index % 8));
	}

	j = json_object_new_object();
	json_object_object_add(j, "version", json_object_new_int(1));
	snprintf(buf, sizeof(buf), "written by devauth policy init from %zu accepted bundle%s", n,
		 n > 1 ? "s" : "");
	json_object_object_add(j, "comment", json_object_new_string(buf));
	if (trust_path) {
		ja = json_object_new_array();
		json_object_array_add(ja, json_object_new_string(trust_path));
		json_object_object_add(j, "trust_anchors", ja);
	}
	json_object_object_add(j, "check_dates", json_object_new_boolean(1));
	json_object_object_add(j, "require_pcie_identity", json_object_new_boolean(g->identity[0]));
	if (g->identity[0]) {
		json_object *id = identity_json(g->identity);

		if (id)
			json_object_object_add(j, "identity", id);
	}
	snprintf(buf, sizeof(buf), "%u.%u", g->neg.version >> 4, g->neg.version & 0xf);
	json_object_object_add(j, "versions", one_name(buf));
	json_object_object_add(j, "base_asym", one_name(spdm_asym_name(g->neg.base_asym)));
	json_object_object_add(j, "base_hash", one_name(spdm_hash_name(g->neg.base_hash)));
	if (g->neg.measurement_hash)
		json_object_object_add(j, "measurement_hash",
				       one_name(spdm_meas_hash_name(g->neg.measurement_hash)));
	ja = json_object_new_array();
	json_object_array_add(ja, json_object_new_int(g->neg.slot));
	json_object_object_add(j, "slots", ja);
	json_object_object_add(j, "require_measurements",
			       json_object_new_boolean(g->meas_record != NULL));
	refs = json_object_new_array();
	c = cur_init(g->meas_record, g->meas_record_len);
	while (g->meas_record && spdm_meas_block_next(&c, &b, NULL) > 0) {
		json_object *r;

		if (vol[b.index / 8] & (1u << (b.index % 8)))
			continue;
		r = json_object_new_object();
		json_object_object_add(r, "index", json_object_new_int(b.index));
		json_object_object_add(r, "type", json_object_new_string(
			spdm_dmtf_meas_type_name(b.dmtf_type & 0x7f)));
		json_object_object_add(r, b.dmtf_type & SPDM_DMTF_MEAS_RAW_BIT ? "raw" : "digest",
				       da_json_hex(b.value, b.value_size));
		json_object_array_add(refs, r);
	}
	json_object_object_add(j, "measurements", refs);
	vl = json_object_new_array();
	for (unsigned int i = 1; i < 255; i++)
		if (vol[i / 8] & (1u << (i % 8)))
			json_object_array_add(vl, json_object_new_int((int)i));
	json_object_object_add(j, "volatile", vl);
	ret = tdisp_section(v, n, j, err);
	if (ret) {
		json_object_put(j);
		return ret;
	}
	*out = j;
	return 0;
}
