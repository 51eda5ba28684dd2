// SPDX-License-Identifier: MIT
/*
 * The policy file (docs/policy.md, docs/policy.schema.json): JSON, read
 * with json-c from a length-bounded buffer.  Unknown keys are errors so
 * that a typo never silently weakens a policy; every error names the key.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "crypto/crypto.h"
#include "cursor.h"
#include "hex.h"
#include "json.h"
#include "verifier_internal.h"

#include "file.h"

#define POLICY_MAX_SIZE (4u << 20)

void da_policy_free(struct da_policy *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->ntrust; i++)
		free(p->trust[i]);
	for (size_t i = 0; i < p->nrefs; i++)
		for (size_t k = 0; k < p->refs[i].nvals; k++)
			free(p->refs[i].vals[k].data);
	da_tdisp_policy_free(p->tdisp);
	free(p);
}

static int get_bool(json_object *v, const char *key, bool *out, struct da_err *err)
{
	if (!json_object_is_type(v, json_type_boolean))
		return da_policy_bad(err, key, "expected true or false");
	*out = json_object_get_boolean(v);
	return 0;
}

static int get_hex_bytes(json_object *v, const char *key, struct da_policy_value *out,
			 struct da_err *err)
{
	size_t n, got = 0;

	if (!json_object_is_type(v, json_type_string))
		return da_policy_bad(err, key, "expected a hex string");
	n = (size_t)json_object_get_string_len(v);
	if (!n || n % 2 || n / 2 > 65535)
		return da_policy_bad(err, key,
				     "expected an even number of hex digits (1-65535 bytes)");
	out->data = malloc(n / 2);
	if (!out->data)
		return da_errf(err, -ENOMEM, "policy: out of memory");
	if (da_unhex_buf(json_object_get_string(v), n, out->data, n / 2, &got, 0)) {
		free(out->data);
		out->data = NULL;
		return da_policy_bad(err, key, "expected hex digits");
	}
	out->len = got;
	return 0;
}

static int get_array(json_object *v, const char *key, struct da_err *err)
{
	return json_object_is_type(v, json_type_array) ? 0 :
	       da_policy_bad(err, key, "expected an array");
}

typedef int (*parse_fn)(const char *s, uint32_t *bit);

static int get_alg_set(json_object *v, const char *key, parse_fn fn, uint32_t *out,
		       struct da_err *err)
{
	char k[64];
	int ret;

	ret = get_array(v, key, err);
	if (ret)
		return ret;
	*out = 0;
	for (size_t i = 0; i < json_object_array_length(v); i++) {
		json_object *e = json_object_array_get_idx(v, i);
		const char *s;
		uint32_t bit = 0;

		snprintf(k, sizeof(k), "%s[%zu]", key, i);
		if (!json_object_is_type(e, json_type_string))
			return da_policy_bad(err, k, "expected an algorithm name");
		s = json_object_get_string(e);
		/* devauth's spelling, devauth-emu's or the DMTF tools' */
		if (fn(s, &bit))
			return da_errf(err, -EINVAL, "policy: %s: unknown algorithm \"%s\"", k, s);
		*out |= bit;
	}
	if (!*out)
		return da_policy_bad(err, key, "an empty set allows nothing");
	return 0;
}

static int get_versions(json_object *v, struct da_policy *p, struct da_err *err)
{
	char k[32];
	int ret = get_array(v, "versions", err);

	if (ret)
		return ret;
	for (size_t i = 0; i < json_object_array_length(v); i++) {
		json_object *e = json_object_array_get_idx(v, i);
		const char *s = json_object_get_string(e);
		unsigned int minor;
		char extra;

		snprintf(k, sizeof(k), "versions[%zu]", i);
		if (!json_object_is_type(e, json_type_string) ||
		    sscanf(s, "1.%u%c", &minor, &extra) != 1 || minor > 4)
			return da_policy_bad(err, k, "expected \"1.0\" .. \"1.4\"");
		p->versions |= 1u << minor;
	}
	if (!p->versions)
		return da_policy_bad(err, "versions", "an empty set allows nothing");
	return 0;
}

static int get_index_list(json_object *v, const char *key, uint8_t *bitmap, struct da_err *err)
{
	char k[48];
	uint64_t x;
	int ret = get_array(v, key, err);

	if (ret)
		return ret;
	for (size_t i = 0; i < json_object_array_length(v); i++) {
		snprintf(k, sizeof(k), "%s[%zu]", key, i);
		ret = da_policy_uint(json_object_array_get_idx(v, i), k, 254, &x, err);
		if (ret)
			return ret;
		if (!x)
			return da_policy_bad(err, k, "index 0 is not a measurement block");
		bitmap[x / 8] |= (uint8_t)(1u << (x % 8));
	}
	return 0;
}

static int get_slots(json_object *v, struct da_policy *p, struct da_err *err)
{
	char k[32];
	uint64_t x;
	int ret = get_array(v, "slots", err);

	if (ret)
		return ret;
	for (size_t i = 0; i < json_object_array_length(v); i++) {
		snprintf(k, sizeof(k), "slots[%zu]", i);
		ret = da_policy_uint(json_object_array_get_idx(v, i), k, 7, &x, err);
		if (ret)
			return ret;
		p->slots |= (uint8_t)(1u << x);
	}
	if (!p->slots)
		return da_policy_bad(err, "slots", "an empty set allows nothing");
	return 0;
}

static int get_identity(json_object *v, struct da_policy *p, struct da_err *err)
{
	unsigned int nulls = 0;
	const char *key = NULL;
	char what[96], k[64];

	if (json_object_is_type(v, json_type_string)) {
		if (strcmp(json_object_get_string(v), "any"))
			return da_policy_bad(err, "identity", "expected \"any\" or an object");
		p->require_identity = true;
		return 0;
	}
	if (!json_object_is_type(v, json_type_object))
		return da_policy_bad(err, "identity", "expected \"any\" or an object");
	if (da_json_identity(v, &p->id, &p->id_fields, &nulls, &key, what, sizeof(what))) {
		snprintf(k, sizeof(k), "identity.%.40s", key);
		return da_policy_bad(err, k, what);
	}
	/* "none" is not a value a policy can demand. */
	if (nulls) {
		json_object_object_foreach(v, nk, nv) {
			if (json_object_is_type(nv, json_type_null)) {
				snprintf(k, sizeof(k), "identity.%.40s", nk);
				return da_policy_bad(err, k, "expected a number or a hex string");
			}
		}
	}
	p->require_identity = true;
	return 0;
}

static int get_values(json_object *v, const char *key, struct da_policy_ref *r,
		      struct da_err *err)
{
	char k[128];
	int ret;

	if (json_object_is_type(v, json_type_string))
		return get_hex_bytes(v, key, &r->vals[r->nvals++], err);
	ret = get_array(v, key, err);
	if (ret)
		return ret;
	if (!json_object_array_length(v))
		return da_policy_bad(err, key, "an empty set allows nothing");
	if (json_object_array_length(v) > DA_POLICY_MAX_VALUES)
		return da_policy_bad(err, key, "more than 16 values");
	for (size_t i = 0; i < json_object_array_length(v); i++) {
		snprintf(k, sizeof(k), "%s[%zu]", key, i);
		ret = get_hex_bytes(json_object_array_get_idx(v, i), k, &r->vals[r->nvals], err);
		if (ret)
			return ret;
		r->nvals++;
	}
	return 0;
}

static int get_measurements(json_object *v, struct da_policy *p, struct da_err *err)
{
	uint8_t seen[32] = { 0 };
	int ret = get_array(v, "measurements", err);

	if (ret)
		return ret;
	if (json_object_array_length(v) > 254)
		return da_policy_bad(err, "measurements", "more than 254 blocks");
	for (size_t i = 0; i < json_object_array_length(v); i++) {
		json_object *e = json_object_array_get_idx(v, i), *x;
		struct da_policy_ref *r = &p->refs[p->nrefs];
		char k[40], kk[96];
		uint64_t idx;
		bool d, raw;

		snprintf(k, sizeof(k), "measurements[%zu]", i);
		if (!json_object_is_type(e, json_type_object))
			return da_policy_bad(err, k, "expected an object");
		json_object_object_foreach(e, key, val) {
			(void)val;
			if (strcmp(key, "index") && strcmp(key, "digest") && strcmp(key, "raw") &&
			    strcmp(key, "type") && strcmp(key, "comment")) {
				snprintf(kk, sizeof(kk), "%s.%.32s", k, key);
				return da_policy_bad(err, kk, "unknown key");
			}
		}
		snprintf(kk, sizeof(kk), "%s.index", k);
		if (!json_object_object_get_ex(e, "index", &x))
			return da_policy_bad(err, kk, "missing");
		ret = da_policy_uint(x, kk, 254, &idx, err);
		if (ret)
			return ret;
		if (!idx)
			return da_policy_bad(err, kk, "index 0 is not a measurement block");
		if (seen[idx / 8] & (1u << (idx % 8)))
			return da_policy_bad(err, kk, "index listed twice");
		seen[idx / 8] |= (uint8_t)(1u << (idx % 8));
		d = json_object_object_get_ex(e, "digest", NULL);
		raw = json_object_object_get_ex(e, "raw", NULL);
		if (d == raw) {
			return da_policy_bad(err, k, "needs exactly one of \"digest\" and \"raw\"");
		}
		r->index = (uint8_t)idx;
		r->raw = raw;
		p->nrefs++;
		snprintf(kk, sizeof(kk), "%s.%s", k, raw ? "raw" : "digest");
		json_object_object_get_ex(e, raw ? "raw" : "digest", &x);
		ret = get_values(x, kk, r, err);
		if (ret)
			return ret;
	}
	return 0;
}

static int get_trust(json_object *v, struct da_policy *p, struct da_err *err)
{
	json_object *e;
	char k[48];

	if (json_object_is_type(v, json_type_string)) {
		p->trust[0] = strdup(json_object_get_string(v));
		if (!p->trust[0])
			return da_errf(err, -ENOMEM, "policy: out of memory");
		p->ntrust = 1;
		return 0;
	}
	if (get_array(v, "trust_anchors", err))
		return -EINVAL;
	if (json_object_array_length(v) > DA_POLICY_MAX_ANCHORS)
		return da_policy_bad(err, "trust_anchors", "more than 16 entries");
	for (size_t i = 0; i < json_object_array_length(v); i++) {
		e = json_object_array_get_idx(v, i);
		snprintf(k, sizeof(k), "trust_anchors[%zu]", i);
		if (!json_object_is_type(e, json_type_string) || !*json_object_get_string(e))
			return da_policy_bad(err, k, "expected a file or directory path");
		p->trust[p->ntrust] = strdup(json_object_get_string(e));
		if (!p->trust[p->ntrust])
			return da_errf(err, -ENOMEM, "policy: out of memory");
		p->ntrust++;
	}
	return 0;
}

static int parse_obj(json_object *root, struct da_policy *p, struct da_err *err)
{
	uint64_t x;
	int ret = 0;

	if (!json_object_is_type(root, json_type_object))
		return da_policy_bad(err, "(top level)", "expected an object");
	json_object_object_foreach(root, key, v) {
		if (!strcmp(key, "version")) {
			ret = da_policy_uint(v, key, 1, &x, err);
			if (!ret && x != 1)
				ret = da_policy_bad(err, key, "this build reads policy version 1");
		} else if (!strcmp(key, "trust_anchors")) {
			ret = get_trust(v, p, err);
		} else if (!strcmp(key, "check_dates")) {
			ret = get_bool(v, key, &p->check_dates, err);
		} else if (!strcmp(key, "require_pcie_identity")) {
			bool b = false;

			ret = get_bool(v, key, &b, err);
			p->require_identity |= b;
		} else if (!strcmp(key, "identity")) {
			ret = get_identity(v, p, err);
		} else if (!strcmp(key, "versions")) {
			ret = get_versions(v, p, err);
		} else if (!strcmp(key, "base_asym")) {
			ret = get_alg_set(v, key, spdm_asym_from_name, &p->asym, err);
		} else if (!strcmp(key, "base_hash")) {
			ret = get_alg_set(v, key, spdm_hash_from_name, &p->hash, err);
		} else if (!strcmp(key, "measurement_hash")) {
			ret = get_alg_set(v, key, spdm_meas_hash_from_name, &p->meas_hash, err);
		} else if (!strcmp(key, "slots")) {
			ret = get_slots(v, p, err);
		} else if (!strcmp(key, "require_measurements")) {
			ret = get_bool(v, key, &p->require_measurements, err);
		} else if (!strcmp(key, "measurements")) {
			ret = get_measurements(v, p, err);
		} else if (!strcmp(key, "volatile")) {
			ret = get_index_list(v, key, p->volatile_idx, err);
		} else if (!strcmp(key, "tdisp")) {
			ret = da_tdisp_policy_parse(v, p, err);
		} else {
			ret = da_policy_other_key(v, key, key, err);
		}
		if (ret)
			return ret;
	}
	/* A reference value for a volatile index could never be compared. */
	for (size_t i = 0; i < p->nrefs; i++)
		if (da_policy_is_volatile(p, p->refs[i].index))
			return da_errf(err, -EINVAL,
				       "policy: measurements: index %u is also listed as volatile",
				       p->refs[i].index);
	return 0;
}

int da_policy_parse(const char *json, size_t len, struct da_policy **out, struct da_err *err)
{
	struct da_policy *p;
	json_object *root;
	int ret;

	*out = NULL;
	ret = da_json_parse("policy", json, len, POLICY_MAX_SIZE, &root, err);
	if (ret)
		return ret;
	p = calloc(1, sizeof(*p));
	if (!p) {
		json_object_put(root);
		return da_errf(err, -ENOMEM, "policy: out of memory");
	}
	p->check_dates = true;
	ret = parse_obj(root, p, err);
	json_object_put(root);
	if (ret) {
		da_policy_free(p);
		return ret;
	}
	*out = p;
	return 0;
}

int da_policy_load(const char *path, struct da_policy **out, struct da_err *err)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	int ret;

	*out = NULL;
	ret = da_read_file(path, &buf, &len, POLICY_MAX_SIZE, err);
	if (ret)
		return ret;
	ret = da_policy_parse((const char *)buf, len, out, err);
	if (ret)
		da_err_prefix(err, "%s", path);
	free(buf);
	return ret;
}
