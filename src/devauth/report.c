// SPDX-License-Identifier: MIT
/*
 * One presentation of an SPDM exchange for probe, dump and verify:
 * human-readable and --json from the same facts.
 */
#include <stdio.h>
#include <string.h>

#include <devauth/chain.h>
#include <devauth/trust.h>

#include "cli.h"
#include "devauth.h"

void report_trust(struct spdm_req *r, struct da_checklist *extra, const struct report_opts *o)
{
	const struct spdm_req_info *info = spdm_req_info(r);
	const struct spdm_chain *c = spdm_req_chain(r, info->neg.slot);
	struct da_err err = { 0 };
	struct da_trust *t;

	if (!o->trust_path)
		return;
	if (!info->authenticated || !c) {
		da_check_add(extra, "trust", DA_CHECK_SKIP, "no authenticated chain to check");
		return;
	}
	t = o->trust ? o->trust : da_trust_load(o->trust_path, &err);
	if (!t) {
		da_check_add(extra, "trust", DA_CHECK_FAIL, "%s", err.msg);
		return;
	}
	if (da_trust_verify_chain(t, c, o->check_time, &err))
		da_check_add(extra, "trust", DA_CHECK_FAIL, "slot %u chain: %s", info->neg.slot,
			     err.msg);
	else
		da_check_add(extra, "trust", DA_CHECK_PASS, "slot %u chain ends in an anchor of %s%s",
			     info->neg.slot, o->trust_path, o->check_time ? "" : " (dates not checked)");
	if (t != o->trust)
		da_trust_free(t);
}

static void ver_str(uint8_t v, char *buf, size_t len)
{
	snprintf(buf, len, "%u.%u", v >> 4, v & 0xf);
}

static void print_checks(const struct da_checklist *l)
{
	for (size_t i = 0; l && i < l->n; i++)
		printf("    %-8s %-28s %s\n", da_check_result_name(l->c[i].result), l->c[i].name,
		       l->c[i].detail);
}

static void print_blocks(const struct spdm_req *r)
{
	const uint8_t *rec;
	size_t len, off = 0;
	struct spdm_meas_block b;
	char hex[2 * 64 + 1];

	if (spdm_req_meas_record(r, &rec, &len))
		return;
	printf("  measurements:\n");
	while (spdm_meas_record_next(rec, len, &off, &b, NULL) > 0) {
		da_hex(b.value, b.value_size > 64 ? 64 : b.value_size, hex, sizeof(hex));
		printf("    [%3u] %-22s %s%s %s%s\n", b.index,
		       spdm_dmtf_meas_type_name(b.dmtf_type & 0x7f),
		       b.dmtf_type & SPDM_DMTF_MEAS_RAW_BIT ? "raw" : "digest",
		       "", hex, b.value_size > 64 ? "..." : "");
	}
}

void report_print(const struct spdm_req *r, const struct da_checklist *extra,
		  const struct report_opts *o, bool ok, const char *error)
{
	const struct spdm_req_info *i = spdm_req_info(r);
	char v[8], subj[SPDM_CHAIN_MAX_CERTS][256];

	if (cli_out.quiet) {
		/* --quiet: the verdict only, with the first failure. */
		const struct da_checklist *ls[] = { spdm_req_checks(r), extra };
		const char *why = error;

		for (size_t n = 0; !why && n < 2; n++)
			for (size_t k = 0; !why && ls[n] && k < ls[n]->n; k++)
				if (ls[n]->c[k].result == DA_CHECK_FAIL)
					why = ls[n]->c[k].detail;
		printf("%s: verdict: %s%s%s\n", o->title, ok ? "all checks passed" : "FAILED",
		       why && !ok ? ": " : "", why && !ok ? why : "");
		return;
	}

	printf("%s\n", o->title);
	if (i->neg.version) {
		ver_str(i->neg.version, v, sizeof(v));
		printf("  SPDM %s, capabilities 0x%08x, CTExponent %u\n", v, i->rsp_caps,
		       i->ct_exponent);
	}
	if (i->neg.base_asym)
		printf("  algorithms: %s, %s, measurements %s\n", spdm_asym_name(i->neg.base_asym),
		       spdm_hash_name(i->neg.base_hash),
		       i->neg.measurement_hash ? spdm_meas_hash_name(i->neg.measurement_hash) : "none");
	if (i->provisioned_mask)
		printf("  slots: provisioned 0x%02x, challenged %u\n", i->provisioned_mask, i->neg.slot);
	for (uint8_t s = 0; s < SPDM_MAX_SLOTS; s++) {
		size_t n = spdm_req_chain_subjects(r, s, subj, SPDM_CHAIN_MAX_CERTS);

		if (!n)
			continue;
		printf("  chain slot %u:\n", s);
		for (size_t k = 0; k < n; k++)
			printf("    %zu %s%s\n", k, subj[k],
			       k == 0 ? " (root)" : k + 1 == n ? " (leaf)" : "");
	}
	print_blocks(r);
	printf("  checks:\n");
	print_checks(spdm_req_checks(r));
	print_checks(extra);
	if (error)
		printf("  error: %s\n", error);
	printf("  verdict: %s\n", ok ? "all checks passed" : "FAILED");
}

static json_object *checks_json(json_object *arr, const struct da_checklist *l)
{
	for (size_t i = 0; l && i < l->n; i++)
		json_object_array_add(arr, cli_check_json(&l->c[i]));
	return arr;
}

json_object *report_json(const struct spdm_req *r, const struct da_checklist *extra,
			 const struct report_opts *o, bool ok, const char *error)
{
	const struct spdm_req_info *i = spdm_req_info(r);
	json_object *j = json_object_new_object(), *checks = json_object_new_array();
	json_object *slots = json_object_new_array(), *blocks = json_object_new_array();
	char v[8], subj[SPDM_CHAIN_MAX_CERTS][256], hex[2 * 256 + 1];
	const uint8_t *rec;
	size_t len;

	json_object_object_add(j, "device", json_object_new_string(o->title));
	if (i->neg.version) {
		ver_str(i->neg.version, v, sizeof(v));
		json_object_object_add(j, "version", json_object_new_string(v));
		json_object_object_add(j, "capabilities", json_object_new_int64(i->rsp_caps));
	}
	if (i->neg.base_asym) {
		json_object_object_add(j, "base_asym",
				       json_object_new_string(spdm_asym_name(i->neg.base_asym)));
		json_object_object_add(j, "base_hash",
				       json_object_new_string(spdm_hash_name(i->neg.base_hash)));
		json_object_object_add(j, "measurement_hash",
				       json_object_new_string(i->neg.measurement_hash ?
							      spdm_meas_hash_name(i->neg.measurement_hash) :
							      "none"));
	}
	json_object_object_add(j, "provisioned_slots", json_object_new_int(i->provisioned_mask));
	json_object_object_add(j, "slot", json_object_new_int(i->neg.slot));
	for (uint8_t s = 0; s < SPDM_MAX_SLOTS; s++) {
		size_t n = spdm_req_chain_subjects(r, s, subj, SPDM_CHAIN_MAX_CERTS);
		json_object *slot, *certs;

		if (!n)
			continue;
		slot = json_object_new_object();
		certs = json_object_new_array();
		for (size_t k = 0; k < n; k++)
			json_object_array_add(certs, json_object_new_string(subj[k]));
		json_object_object_add(slot, "slot", json_object_new_int(s));
		json_object_object_add(slot, "subjects", certs);
		json_object_array_add(slots, slot);
	}
	json_object_object_add(j, "chains", slots);
	if (i->authenticated) {
		da_hex(i->req_nonce, SPDM_NONCE_SIZE, hex, sizeof(hex));
		json_object_object_add(j, "requester_nonce", json_object_new_string(hex));
		da_hex(i->rsp_nonce, SPDM_NONCE_SIZE, hex, sizeof(hex));
		json_object_object_add(j, "responder_nonce", json_object_new_string(hex));
	}
	if (!spdm_req_meas_record(r, &rec, &len)) {
		struct spdm_meas_block b;
		size_t off = 0;

		while (spdm_meas_record_next(rec, len, &off, &b, NULL) > 0) {
			json_object *bj = json_object_new_object();

			da_hex(b.value, b.value_size > 256 ? 256 : b.value_size, hex, sizeof(hex));
			json_object_object_add(bj, "index", json_object_new_int(b.index));
			json_object_object_add(bj, "type", json_object_new_string(
				spdm_dmtf_meas_type_name(b.dmtf_type & 0x7f)));
			json_object_object_add(bj, "raw", json_object_new_boolean(
				b.dmtf_type & SPDM_DMTF_MEAS_RAW_BIT));
			json_object_object_add(bj, "value", json_object_new_string(hex));
			json_object_array_add(blocks, bj);
		}
	}
	json_object_object_add(j, "measurements", blocks);
	checks_json(checks, spdm_req_checks(r));
	checks_json(checks, extra);
	json_object_object_add(j, "checks", checks);
	if (error)
		json_object_object_add(j, "error", json_object_new_string(error));
	json_object_object_add(j, "verdict", json_object_new_string(ok ? "pass" : "fail"));
	return j;
}
