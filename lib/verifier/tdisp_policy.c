// SPDX-License-Identifier: MIT
/*
 * The TDISP interface report in evidence: its structure (every length,
 * count and reserved field, through the lib/tdisp decoder) and the
 * policy's "tdisp" section (docs/policy.md).  No signature covers the
 * report bytes: the TSM read them inside the authenticated session, and
 * that is what the verifier trusts it for; the checks say so.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "crypto/crypto.h"
#include "hex.h"
#include "json.h"
#include "tdisp/tdisp_codec.h"
#include "verifier_internal.h"

/* Device-specific information up to this size goes into `policy init` as hex, else its digest. */
#define DSI_HEX_MAX 256

struct flag_name {
	uint16_t bit;
	const char *name;
};

static const struct flag_name info_names[] = {
	{ TDISP_INFO_NO_UPDATE_AFTER_LOCK, "no_update_after_lock" },
	{ TDISP_INFO_DMA_WITHOUT_PASID, "dma_without_pasid" },
	{ TDISP_INFO_DMA_WITH_PASID, "dma_with_pasid" },
	{ TDISP_INFO_ATS, "ats" },
	{ TDISP_INFO_PRS, "prs" },
	{ 0, NULL },
};

static const struct flag_name attr_names[] = {
	{ TDISP_MMIO_MSIX_TABLE, "msix_table" },
	{ TDISP_MMIO_MSIX_PBA, "msix_pba" },
	{ TDISP_MMIO_NON_TEE, "non_tee" },
	{ TDISP_MMIO_ATTR_UPDATABLE, "updatable" },
	{ 0, NULL },
};

void da_tdisp_policy_free(struct da_tdisp_policy *t)
{
	if (!t)
		return;
	free(t->dsi.data);
	free(t);
}

/* An array of flag names, each at most once. */
static int get_flags(json_object *v, const char *key, const struct flag_name *names,
		     uint16_t *out, struct da_err *err)
{
	char k[80];

	if (!json_object_is_type(v, json_type_array))
		return da_policy_bad(err, key, "expected an array of names");
	*out = 0;
	for (size_t i = 0; i < json_object_array_length(v); i++) {
		json_object *e = json_object_array_get_idx(v, i);
		const struct flag_name *f;

		snprintf(k, sizeof(k), "%s[%zu]", key, i);
		if (!json_object_is_type(e, json_type_string))
			return da_policy_bad(err, k, "expected a name");
		for (f = names; f->name; f++)
			if (!strcmp(f->name, json_object_get_string(e)))
				break;
		if (!f->name)
			return da_policy_bad(err, k, "unknown name");
		if (*out & f->bit)
			return da_policy_bad(err, k, "listed twice");
		*out |= f->bit;
	}
	return 0;
}

static int get_versions(json_object *v, struct da_tdisp_policy *t, struct da_err *err)
{
	char k[48];

	if (!json_object_is_type(v, json_type_array) || !json_object_array_length(v))
		return da_policy_bad(err, "tdisp.versions",
				     "expected a non-empty array of \"MAJOR.MINOR\"");
	if (json_object_array_length(v) > DA_TDISP_MAX_VERSIONS)
		return da_policy_bad(err, "tdisp.versions", "more than 16 entries");
	for (size_t i = 0; i < json_object_array_length(v); i++) {
		json_object *e = json_object_array_get_idx(v, i);
		unsigned int maj, min;
		char tail;

		snprintf(k, sizeof(k), "tdisp.versions[%zu]", i);
		if (!json_object_is_type(e, json_type_string) ||
		    sscanf(json_object_get_string(e), "%u.%u%c", &maj, &min, &tail) != 2 ||
		    maj > 15 || min > 15)
			return da_policy_bad(err, k, "expected \"MAJOR.MINOR\" (0-15 each)");
		t->versions[t->nversions++] = (uint8_t)(maj << 4 | min);
	}
	return 0;
}

static int get_range(json_object *v, const char *key, struct da_tdisp_range *r,
		     struct da_err *err)
{
	char k[96];
	uint64_t x;
	int ret = 0;

	if (!json_object_is_type(v, json_type_object))
		return da_policy_bad(err, key, "expected an object");
	json_object_object_foreach(v, name, e) {
		snprintf(k, sizeof(k), "%s.%s", key, name);
		if (!strcmp(name, "pages")) {
			ret = da_policy_uint(e, k, UINT32_MAX, &x, err);
			r->pages = (uint32_t)x;
			r->have_pages = true;
		} else if (!strcmp(name, "attributes")) {
			ret = get_flags(e, k, attr_names, &r->attributes, err);
			r->have_attributes = true;
		} else if (!strcmp(name, "range_id")) {
			ret = da_policy_uint(e, k, UINT16_MAX, &x, err);
			r->range_id = (uint16_t)x;
			r->have_range_id = true;
		} else {
			ret = da_policy_other_key(e, name, k, err);
		}
		if (ret)
			return ret;
	}
	return 0;
}

static int get_ranges(json_object *v, struct da_tdisp_policy *t, struct da_err *err)
{
	char k[48];
	int ret;

	if (!json_object_is_type(v, json_type_array))
		return da_policy_bad(err, "tdisp.mmio_ranges", "expected an array");
	if (json_object_array_length(v) > DA_TDISP_MAX_RANGES)
		return da_policy_bad(err, "tdisp.mmio_ranges", "more than 64 ranges");
	t->have_ranges = true;
	for (size_t i = 0; i < json_object_array_length(v); i++) {
		snprintf(k, sizeof(k), "tdisp.mmio_ranges[%zu]", i);
		ret = get_range(json_object_array_get_idx(v, i), k, &t->ranges[i], err);
		if (ret)
			return ret;
		t->nranges++;
	}
	return 0;
}

static int get_hex(json_object *v, const char *key, uint8_t **data, size_t *len,
		   size_t exact, struct da_err *err)
{
	size_t n, got = 0;

	if (!json_object_is_type(v, json_type_string))
		return da_policy_bad(err, key, "expected a hex string");
	n = (size_t)json_object_get_string_len(v);
	/* An empty string is device-specific information of length 0. */
	if (n % 2 || n / 2 > TDISP_REPORT_MAX || (exact && n / 2 != exact))
		return da_policy_bad(err, key, exact ? "expected 64 hex digits" :
				      "expected an even number of hex digits (0-65535 bytes)");
	*data = malloc(n / 2 + 1);
	if (!*data)
		return da_errf(err, -ENOMEM, "policy: out of memory");
	if (n && da_unhex_buf(json_object_get_string(v), n, *data, n / 2, &got, 0)) {
		free(*data);
		*data = NULL;
		return da_policy_bad(err, key, "expected hex digits");
	}
	*len = got;
	return 0;
}

static int parse_section(json_object *v, struct da_tdisp_policy *t, struct da_err *err)
{
	char k[64];
	uint64_t x;
	int ret = 0;

	if (!json_object_is_type(v, json_type_object))
		return da_policy_bad(err, "tdisp", "expected an object");
	json_object_object_foreach(v, key, e) {
		snprintf(k, sizeof(k), "tdisp.%s", key);
		if (!strcmp(key, "versions")) {
			ret = get_versions(e, t, err);
		} else if (!strcmp(key, "interface_id")) {
			ret = da_policy_uint(e, k, UINT32_MAX, &x, err);
			t->interface_id = (uint32_t)x;
			t->have_interface_id = true;
		} else if (!strcmp(key, "interface_info_required")) {
			ret = get_flags(e, k, info_names, &t->info_required, err);
		} else if (!strcmp(key, "interface_info_forbidden")) {
			ret = get_flags(e, k, info_names, &t->info_forbidden, err);
		} else if (!strcmp(key, "mmio_ranges")) {
			ret = get_ranges(e, t, err);
		} else if (!strcmp(key, "device_specific_info")) {
			ret = get_hex(e, k, &t->dsi.data, &t->dsi.len, 0, err);
		} else if (!strcmp(key, "device_specific_info_sha256")) {
			uint8_t *d = NULL;
			size_t n = 0;

			ret = get_hex(e, k, &d, &n, sizeof(t->dsi_sha256), err);
			if (!ret) {
				memcpy(t->dsi_sha256, d, sizeof(t->dsi_sha256));
				t->have_dsi_sha256 = true;
			}
			free(d);
		} else {
			ret = da_policy_other_key(e, key, k, err);
		}
		if (ret)
			return ret;
	}
	if (t->info_required & t->info_forbidden)
		return da_policy_bad(err, "tdisp.interface_info_forbidden",
				      "a flag is both required and forbidden");
	if (t->dsi.data && t->have_dsi_sha256)
		return da_policy_bad(err, "tdisp.device_specific_info_sha256",
				      "give device_specific_info or its digest, not both");
	return 0;
}

int da_tdisp_policy_parse(json_object *v, struct da_policy *p, struct da_err *err)
{
	struct da_tdisp_policy *t;
	int ret;

	if (p->tdisp)
		return da_policy_bad(err, "tdisp", "given twice");
	t = calloc(1, sizeof(*t));
	if (!t)
		return da_errf(err, -ENOMEM, "policy: out of memory");
	ret = parse_section(v, t, err);
	if (ret) {
		da_tdisp_policy_free(t);
		return ret;
	}
	p->tdisp = t;
	return 0;
}

static void flag_list(uint16_t bits, const struct flag_name *names, char *out, size_t cap)
{
	size_t o = 0;

	out[0] = '\0';
	for (const struct flag_name *f = names; f->name && o < cap; f++)
		if (bits & f->bit)
			o += (size_t)snprintf(out + o, cap - o, "%s%s", o ? "," : "", f->name);
	if (!o)
		snprintf(out, cap, "none");
}

/* Structure rules the decoder leaves to us: reserved fields and bits, page alignment. */
static void check_structure(const struct tdisp_report *r, struct da_checklist *l)
{
	struct tdisp_mmio_range m;
	char name[64];
	bool ok = true;

	if (r->reserved) {
		da_check_add(l, "tdisp.report.reserved", DA_CHECK_FAIL,
			     "0x%04x, must be 0", r->reserved);
		ok = false;
	}
	if (r->interface_info & TDISP_INFO_RESERVED) {
		da_check_add(l, "tdisp.interface_info.reserved", DA_CHECK_FAIL,
			     "INTERFACE_INFO 0x%04x sets reserved bits 0x%04x",
			     r->interface_info, r->interface_info & TDISP_INFO_RESERVED);
		ok = false;
	}
	for (uint32_t i = 0; i < r->mmio_count; i++) {
		tdisp_report_range(r, i, &m);
		if (m.attributes & TDISP_MMIO_RESERVED) {
			snprintf(name, sizeof(name), "tdisp.mmio_ranges[%u].attributes", i);
			da_check_add(l, name, DA_CHECK_FAIL, "0x%04x sets reserved bits 0x%04x",
				     m.attributes, m.attributes & TDISP_MMIO_RESERVED);
			ok = false;
		}
		if (m.first_page & 0xfff) {
			snprintf(name, sizeof(name), "tdisp.mmio_ranges[%u].first_page", i);
			da_check_add(l, name, DA_CHECK_FAIL,
				     "0x%" PRIx64 " is not 4 KiB aligned", m.first_page);
			ok = false;
		}
		if (!m.pages) {
			snprintf(name, sizeof(name), "tdisp.mmio_ranges[%u].pages", i);
			da_check_add(l, name, DA_CHECK_FAIL, "0: an empty range");
			ok = false;
		}
	}
	if (ok)
		da_check_add(l, "tdisp.report.reserved", DA_CHECK_PASS,
			     "reserved fields 0, ranges page aligned and non-empty");
}

static void check_ranges(const struct da_tdisp_policy *t, const struct tdisp_report *r,
			 struct da_checklist *l)
{
	struct tdisp_mmio_range m;
	char name[64], got[64], want[64];
	bool ok = true;

	if (!t->have_ranges)
		return;
	if (r->mmio_count != t->nranges) {
		da_check_add(l, "tdisp.mmio_ranges", DA_CHECK_FAIL,
			     "%u ranges, policy wants %zu", r->mmio_count, t->nranges);
		ok = false;
	}
	for (uint32_t i = 0; i < r->mmio_count && i < t->nranges; i++) {
		const struct da_tdisp_range *w = &t->ranges[i];

		tdisp_report_range(r, i, &m);
		if (w->have_pages && m.pages != w->pages) {
			snprintf(name, sizeof(name), "tdisp.mmio_ranges[%u].pages", i);
			da_check_add(l, name, DA_CHECK_FAIL, "%u, policy wants %u", m.pages,
				     w->pages);
			ok = false;
		}
		if (w->have_attributes && m.attributes != w->attributes) {
			snprintf(name, sizeof(name), "tdisp.mmio_ranges[%u].attributes", i);
			flag_list(m.attributes, attr_names, got, sizeof(got));
			flag_list(w->attributes, attr_names, want, sizeof(want));
			da_check_add(l, name, DA_CHECK_FAIL, "%s (0x%04x), policy wants %s", got,
				     m.attributes, want);
			ok = false;
		}
		if (w->have_range_id && m.range_id != w->range_id) {
			snprintf(name, sizeof(name), "tdisp.mmio_ranges[%u].range_id", i);
			da_check_add(l, name, DA_CHECK_FAIL, "%u, policy wants %u", m.range_id,
				     w->range_id);
			ok = false;
		}
	}
	if (ok)
		da_check_add(l, "tdisp.mmio_ranges", DA_CHECK_PASS,
			     "%u ranges as the policy expects", r->mmio_count);
}

static void check_dsi(const struct da_tdisp_policy *t, const struct tdisp_report *r,
		      struct da_checklist *l)
{
	uint8_t h[32];
	char hex[2 * 32 + 1];

	if (t->dsi.data) {
		if (t->dsi.len == r->dsi_len && (!r->dsi_len || !memcmp(t->dsi.data, r->dsi, r->dsi_len)))
			da_check_add(l, "tdisp.device_specific_info", DA_CHECK_PASS,
				     "%u bytes as the policy expects", r->dsi_len);
		else
			da_check_add(l, "tdisp.device_specific_info", DA_CHECK_FAIL,
				     "%u bytes differing from the policy's %zu", r->dsi_len,
				     t->dsi.len);
	} else if (t->have_dsi_sha256) {
		if (spdm_hash(SPDM_HASH_SHA256, r->dsi, r->dsi_len, h)) {
			da_check_add(l, "tdisp.device_specific_info", DA_CHECK_FAIL,
				     "SHA-256 failed");
			return;
		}
		da_hex(h, sizeof(h), hex, sizeof(hex));
		if (memcmp(h, t->dsi_sha256, sizeof(h)))
			da_check_add(l, "tdisp.device_specific_info", DA_CHECK_FAIL,
				     "SHA-256 %s, not the policy's", hex);
		else
			da_check_add(l, "tdisp.device_specific_info", DA_CHECK_PASS,
				     "SHA-256 %s as the policy expects", hex);
	}
}

/*
 * The lock's TDISP version and INTERFACE_ID come from the SESSION
 * object's TDISP header: fail closed when the policy constrains them and
 * the evidence cannot show them.
 */
static void check_lock(const struct da_tdisp_policy *t, const struct da_verdict *v,
		       struct da_checklist *l)
{
	bool ok = false;

	if (t->nversions && !v->have_tdisp_lock) {
		da_check_add(l, "tdisp.versions", DA_CHECK_FAIL,
			     "the evidence carries no TDISP version (no SESSION object with the lock's TDISP header)");
	} else if (t->nversions) {
		for (size_t i = 0; i < t->nversions; i++)
			ok |= t->versions[i] == v->tdisp_version;
		da_check_add(l, "tdisp.versions", ok ? DA_CHECK_PASS : DA_CHECK_FAIL,
			     "the lock used TDISP %u.%u, %s", v->tdisp_version >> 4,
			     v->tdisp_version & 0xf,
			     ok ? "which the policy allows" : "which the policy does not allow");
	}
	if (t->have_interface_id && !v->have_tdisp_lock)
		da_check_add(l, "tdisp.interface_id", DA_CHECK_FAIL,
			     "the evidence carries no INTERFACE_ID (no SESSION object with the lock's TDISP header)");
	else if (t->have_interface_id && (v->interface_id != t->interface_id ||
					  v->interface_id_reserved))
		da_check_add(l, "tdisp.interface_id", DA_CHECK_FAIL,
			     "the lock named INTERFACE_ID FUNCTION_ID 0x%08x (reserved 0x%016" PRIx64 "), policy expects 0x%08x",
			     v->interface_id, v->interface_id_reserved, t->interface_id);
	else if (t->have_interface_id)
		da_check_add(l, "tdisp.interface_id", DA_CHECK_PASS,
			     "the lock named INTERFACE_ID FUNCTION_ID 0x%08x as the policy expects",
			     v->interface_id);
}

static void check_policy(const struct da_tdisp_policy *t, const struct tdisp_report *r,
			 const struct da_verdict *v, struct da_checklist *l)
{
	char got[96], want[96];
	uint16_t missing, extra;

	check_lock(t, v, l);
	missing = t->info_required & ~r->interface_info;
	extra = t->info_forbidden & r->interface_info;
	flag_list(r->interface_info, info_names, got, sizeof(got));
	if (missing) {
		flag_list(missing, info_names, want, sizeof(want));
		da_check_add(l, "tdisp.interface_info", DA_CHECK_FAIL,
			     "%s (0x%04x), policy requires %s", got, r->interface_info, want);
	}
	if (extra) {
		flag_list(extra, info_names, want, sizeof(want));
		da_check_add(l, "tdisp.interface_info", DA_CHECK_FAIL,
			     "%s (0x%04x), policy forbids %s", got, r->interface_info, want);
	}
	if (!missing && !extra && (t->info_required || t->info_forbidden))
		da_check_add(l, "tdisp.interface_info", DA_CHECK_PASS,
			     "%s (0x%04x) as the policy allows", got, r->interface_info);
	check_ranges(t, r, l);
	check_dsi(t, r, l);
}

void da_tdisp_check(const struct da_policy *p, const uint8_t *rep, size_t len,
		    struct da_verdict *v)
{
	const struct da_tdisp_policy *t = p ? p->tdisp : NULL;
	struct da_checklist *l = &v->checks;
	struct da_err err = { 0 };
	struct tdisp_report r;

	if (!len) {
		if (t)
			da_check_add(l, "tdisp.report", DA_CHECK_FAIL,
				     "no REPORT in the evidence, the policy's tdisp section needs one");
		return;
	}
	/* The session itself is signed (check session-signature); only its content is not. */
	da_check_add(l, "tdisp.session", DA_CHECK_SKIP,
		     "trusted from the TSM: only that the REPORT (and the lock's TDISP header) arrived inside %s; no signature covers the report bytes",
		     v->session_signed ? "the session whose signed KEY_EXCHANGE_RSP verified" :
		     "the SPDM session (whose signature did not verify)");
	if (tdisp_decode_report(rep, len, &r, &err) < 0) {
		da_check_add(l, "tdisp.report", DA_CHECK_FAIL, "%s", err.msg);
		return;
	}
	da_check_add(l, "tdisp.report", DA_CHECK_PASS,
		     "%zu bytes: INTERFACE_INFO 0x%04x, %u MMIO ranges, %u bytes of device-specific info",
		     len, r.interface_info, r.mmio_count, r.dsi_len);
	check_structure(&r, l);
	if (t)
		check_policy(t, &r, v, l);
	else
		da_check_add(l, "tdisp.policy", DA_CHECK_SKIP,
			     "no tdisp section in the policy: the report is not compared");
}

static json_object *flags_json(uint16_t bits, const struct flag_name *names)
{
	json_object *a = json_object_new_array();

	for (const struct flag_name *f = names; f->name; f++)
		if (bits & f->bit)
			json_object_array_add(a, json_object_new_string(f->name));
	return a;
}

int da_tdisp_policy_json(const struct da_verdict *v, json_object **out, struct da_err *err)
{
	const uint8_t *rep = v->report;
	size_t len = v->report_len;
	char ver[8];
	uint16_t known = 0;
	struct tdisp_mmio_range m;
	struct tdisp_report r;
	json_object *o, *ranges;
	uint8_t h[32];
	long ret;

	*out = NULL;
	ret = tdisp_decode_report(rep, len, &r, err);
	if (ret < 0)
		return (int)ret;
	for (const struct flag_name *f = info_names; f->name; f++)
		known |= f->bit;
	o = json_object_new_object();
	if (v->have_tdisp_lock) {
		json_object *a = json_object_new_array();

		snprintf(ver, sizeof(ver), "%u.%u", v->tdisp_version >> 4, v->tdisp_version & 0xf);
		json_object_array_add(a, json_object_new_string(ver));
		json_object_object_add(o, "versions", a);
		json_object_object_add(o, "interface_id", json_object_new_int64(v->interface_id));
	}
	/* Exactly the golden device's flags: each known flag required or forbidden. */
	json_object_object_add(o, "interface_info_required",
			       flags_json(r.interface_info & known, info_names));
	json_object_object_add(o, "interface_info_forbidden",
			       flags_json(~r.interface_info & known, info_names));
	ranges = json_object_new_array();
	for (uint32_t i = 0; i < r.mmio_count; i++) {
		json_object *e = json_object_new_object();

		tdisp_report_range(&r, i, &m);
		json_object_object_add(e, "pages", json_object_new_int64(m.pages));
		json_object_object_add(e, "attributes", flags_json(m.attributes, attr_names));
		json_object_object_add(e, "range_id", json_object_new_int(m.range_id));
		json_object_array_add(ranges, e);
	}
	json_object_object_add(o, "mmio_ranges", ranges);
	if (r.dsi_len <= DSI_HEX_MAX) {
		json_object_object_add(o, "device_specific_info", da_json_hex(r.dsi, r.dsi_len));
	} else if (spdm_hash(SPDM_HASH_SHA256, r.dsi, r.dsi_len, h)) {
		json_object_put(o);
		return da_errf(err, -EIO, "policy init: SHA-256 of the device-specific info failed");
	} else {
		json_object_object_add(o, "device_specific_info_sha256", da_json_hex(h, sizeof(h)));
	}
	*out = o;
	return 0;
}
