// SPDX-License-Identifier: MIT
/*
 * The TDISP report checks of the verifier: the report structure rules
 * and every field of the policy's "tdisp" section, each mismatch a
 * failed check that names the field; the policy reader's errors; and
 * `policy init`'s section verifying the report it came from.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <devauth/verifier.h>

#include "cursor.h"
#include "tdisp/tdisp_codec.h"
#include "verifier/verifier_internal.h"

static const uint8_t dsi[] = { 0xde, 0xad, 0xbe, 0xef };

/* The golden report: NO_UPDATE_AFTER_LOCK | DMA_WITHOUT_PASID, three ranges, 4 bytes of DSI. */
static size_t make_report(uint8_t *buf, size_t cap, uint16_t info, uint16_t reserved,
			  const struct tdisp_mmio_range *ranges, uint32_t n)
{
	struct tdisp_report r = { .interface_info = info, .reserved = reserved,
				  .mmio_count = n, .dsi_len = sizeof(dsi), .dsi = dsi };
	struct wcur w = wcur_init(buf, cap);
	int len = tdisp_encode_report(&w, &r, ranges);

	assert_true(len > 0);
	return (size_t)len;
}

static const struct tdisp_mmio_range golden[] = {
	{ 0x0000, 1, TDISP_MMIO_NON_TEE, 0 },
	{ 0x8000, 4, TDISP_MMIO_MSIX_TABLE, 1 },
	{ 0x10000, 32, TDISP_MMIO_ATTR_UPDATABLE, 2 },
};

#define GOLDEN_INFO (TDISP_INFO_NO_UPDATE_AFTER_LOCK | TDISP_INFO_DMA_WITHOUT_PASID)

static const char policy_ok[] =
	"{ \"version\": 1, \"tdisp\": {"
	" \"interface_info_required\": [\"no_update_after_lock\", \"dma_without_pasid\"],"
	" \"interface_info_forbidden\": [\"ats\", \"prs\"],"
	" \"mmio_ranges\": ["
	"  { \"pages\": 1, \"attributes\": [\"non_tee\"], \"range_id\": 0 },"
	"  { \"pages\": 4, \"attributes\": [\"msix_table\"], \"range_id\": 1 },"
	"  { \"pages\": 32, \"attributes\": [\"updatable\"], \"range_id\": 2 } ],"
	" \"device_specific_info\": \"deadbeef\" } }";

static struct da_policy *load(const char *json)
{
	struct da_err err = { 0 };
	struct da_policy *p = NULL;

	if (da_policy_parse(json, strlen(json), &p, &err))
		fail_msg("policy: %s", err.msg);
	return p;
}

/* The failed check named name, with want in its detail; every other check must pass or skip. */
static void expect_only_fail(const struct da_checklist *l, const char *name, const char *want)
{
	bool seen = false;

	for (size_t i = 0; i < l->n; i++) {
		if (l->c[i].result != DA_CHECK_FAIL)
			continue;
		if (strcmp(l->c[i].name, name))
			fail_msg("unexpected failure %s: %s", l->c[i].name, l->c[i].detail);
		if (!strstr(l->c[i].detail, want))
			fail_msg("%s: \"%s\" lacks \"%s\"", name, l->c[i].detail, want);
		seen = true;
	}
	if (!seen)
		fail_msg("no failed check %s", name);
}

/* lock: the TDISP facts a SESSION object gave (version, INTERFACE_ID), NULL: none. */
static void run_lock(const char *policy, const uint8_t *rep, size_t len,
		     const struct da_verdict *lock, struct da_checklist *l)
{
	struct da_policy *p = policy ? load(policy) : NULL;
	struct da_verdict v = { 0 };

	if (lock) {
		v.session_signed = lock->session_signed;
		v.have_tdisp_lock = lock->have_tdisp_lock;
		v.tdisp_version = lock->tdisp_version;
		v.interface_id = lock->interface_id;
		v.interface_id_reserved = lock->interface_id_reserved;
	}
	da_checklist_reset(l);
	v.checks = *l;
	da_tdisp_check(p, rep, len, &v);
	*l = v.checks;
	da_policy_free(p);
}

static void run(const char *policy, const uint8_t *rep, size_t len, struct da_checklist *l)
{
	run_lock(policy, rep, len, NULL, l);
}

static void test_golden_accepted(void **state)
{
	struct da_checklist l = { 0 };
	uint8_t rep[256];
	size_t len = make_report(rep, sizeof(rep), GOLDEN_INFO, 0, golden, 3);
	bool trust_said = false;

	(void)state;
	run(policy_ok, rep, len, &l);
	assert_false(da_checklist_failed(&l));
	for (size_t i = 0; i < l.n; i++)
		trust_said |= !strcmp(l.c[i].name, "tdisp.session") &&
			      strstr(l.c[i].detail, "no signature covers the report bytes");
	assert_true(trust_said);
	/* Without a tdisp section the structure is still checked, the content is not. */
	run(NULL, rep, len, &l);
	assert_false(da_checklist_failed(&l));
	da_checklist_free(&l);
}

static void test_field_mismatches(void **state)
{
	struct da_verdict lock = { .have_tdisp_lock = true, .tdisp_version = 0x10,
				   .interface_id = 7 };
	struct tdisp_mmio_range r[3];
	struct da_checklist l = { 0 };
	uint8_t rep[256];
	size_t len;
	char pol[1024];

	(void)state;
	memcpy(r, golden, sizeof(r));
	r[2].pages = 16;
	len = make_report(rep, sizeof(rep), GOLDEN_INFO, 0, r, 3);
	run(policy_ok, rep, len, &l);
	expect_only_fail(&l, "tdisp.mmio_ranges[2].pages", "16, policy wants 32");

	memcpy(r, golden, sizeof(r));
	r[1].attributes = TDISP_MMIO_MSIX_PBA;
	len = make_report(rep, sizeof(rep), GOLDEN_INFO, 0, r, 3);
	run(policy_ok, rep, len, &l);
	expect_only_fail(&l, "tdisp.mmio_ranges[1].attributes", "msix_pba (0x0002), policy wants msix_table");

	memcpy(r, golden, sizeof(r));
	r[0].range_id = 7;
	len = make_report(rep, sizeof(rep), GOLDEN_INFO, 0, r, 3);
	run(policy_ok, rep, len, &l);
	expect_only_fail(&l, "tdisp.mmio_ranges[0].range_id", "7, policy wants 0");

	len = make_report(rep, sizeof(rep), GOLDEN_INFO, 0, golden, 2);
	run(policy_ok, rep, len, &l);
	expect_only_fail(&l, "tdisp.mmio_ranges", "2 ranges, policy wants 3");

	len = make_report(rep, sizeof(rep), TDISP_INFO_NO_UPDATE_AFTER_LOCK, 0, golden, 3);
	run(policy_ok, rep, len, &l);
	expect_only_fail(&l, "tdisp.interface_info", "policy requires dma_without_pasid");

	len = make_report(rep, sizeof(rep), GOLDEN_INFO | TDISP_INFO_ATS, 0, golden, 3);
	run(policy_ok, rep, len, &l);
	expect_only_fail(&l, "tdisp.interface_info", "policy forbids ats");

	/* Device-specific info, as hex and as its SHA-256. */
	len = make_report(rep, sizeof(rep), GOLDEN_INFO, 0, golden, 3);
	rep[len - 1] ^= 1;
	run(policy_ok, rep, len, &l);
	expect_only_fail(&l, "tdisp.device_specific_info", "differing from the policy's 4");
	/* SHA-256 of de ad be ef */
	snprintf(pol, sizeof(pol), "{ \"tdisp\": { \"device_specific_info_sha256\": "
		 "\"5f78c33274e43fa9de5659265c1d917e25c03722dcb0b8d27db8d5feaa813953\" } }");
	run(pol, rep, len, &l);
	expect_only_fail(&l, "tdisp.device_specific_info", "not the policy's");
	rep[len - 1] ^= 1;
	run(pol, rep, len, &l);
	assert_false(da_checklist_failed(&l));

	/* What the evidence cannot show fails closed. */
	run("{ \"tdisp\": { \"versions\": [\"1.0\"] } }", rep, len, &l);
	expect_only_fail(&l, "tdisp.versions", "carries no TDISP version");
	run("{ \"tdisp\": { \"interface_id\": 0 } }", rep, len, &l);
	expect_only_fail(&l, "tdisp.interface_id", "carries no INTERFACE_ID");
	/* With the lock's TDISP header (the SESSION object) both are compared. */
	run_lock("{ \"tdisp\": { \"versions\": [\"1.0\"], \"interface_id\": 7 } }", rep, len,
		 &lock, &l);
	assert_false(da_checklist_failed(&l));
	run_lock("{ \"tdisp\": { \"versions\": [\"1.1\", \"2.0\"] } }", rep, len, &lock, &l);
	expect_only_fail(&l, "tdisp.versions", "TDISP 1.0, which the policy does not allow");
	run_lock("{ \"tdisp\": { \"interface_id\": 8 } }", rep, len, &lock, &l);
	expect_only_fail(&l, "tdisp.interface_id", "FUNCTION_ID 0x00000007");
	lock.interface_id_reserved = 1;
	run_lock("{ \"tdisp\": { \"interface_id\": 7 } }", rep, len, &lock, &l);
	expect_only_fail(&l, "tdisp.interface_id", "reserved 0x0000000000000001");

	/* A tdisp section and no report. */
	run(policy_ok, NULL, 0, &l);
	expect_only_fail(&l, "tdisp.report", "no REPORT in the evidence");
	da_checklist_free(&l);
}

static void test_structure(void **state)
{
	struct tdisp_mmio_range r[3];
	struct da_checklist l = { 0 };
	uint8_t rep[256];
	size_t len;

	(void)state;
	len = make_report(rep, sizeof(rep), GOLDEN_INFO, 0x0100, golden, 3);
	run(NULL, rep, len, &l);
	expect_only_fail(&l, "tdisp.report.reserved", "0x0100, must be 0");

	len = make_report(rep, sizeof(rep), GOLDEN_INFO | 0x0020, 0, golden, 3);
	run(NULL, rep, len, &l);
	expect_only_fail(&l, "tdisp.interface_info.reserved", "reserved bits 0x0020");

	memcpy(r, golden, sizeof(r));
	r[1].attributes |= 0x0010;
	len = make_report(rep, sizeof(rep), GOLDEN_INFO, 0, r, 3);
	run(NULL, rep, len, &l);
	expect_only_fail(&l, "tdisp.mmio_ranges[1].attributes", "sets reserved bits 0x0010");

	memcpy(r, golden, sizeof(r));
	r[2].first_page = 0x10800;
	len = make_report(rep, sizeof(rep), GOLDEN_INFO, 0, r, 3);
	run(NULL, rep, len, &l);
	expect_only_fail(&l, "tdisp.mmio_ranges[2].first_page", "not 4 KiB aligned");

	memcpy(r, golden, sizeof(r));
	r[0].pages = 0;
	len = make_report(rep, sizeof(rep), GOLDEN_INFO, 0, r, 3);
	run(NULL, rep, len, &l);
	expect_only_fail(&l, "tdisp.mmio_ranges[0].pages", "an empty range");

	/* Counts and lengths: MMIO_RANGE_COUNT overrun, DSI length overrun, trailing bytes. */
	len = make_report(rep, sizeof(rep), GOLDEN_INFO, 0, golden, 3);
	rep[12] = 9;
	run(NULL, rep, len, &l);
	expect_only_fail(&l, "tdisp.report", "MMIO_RANGE_COUNT 9 overruns");
	rep[12] = 3;
	rep[16 + 3 * 16] = 5;
	run(NULL, rep, len, &l);
	expect_only_fail(&l, "tdisp.report", "DEVICE_SPECIFIC_INFO_LEN 5 overruns");
	rep[16 + 3 * 16] = 4;
	rep[len] = 0;
	run(NULL, rep, len + 1, &l);
	expect_only_fail(&l, "tdisp.report", "1 bytes after DEVICE_SPECIFIC_INFO");
	run(NULL, rep, 10, &l);
	expect_only_fail(&l, "tdisp.report", "MMIO_RANGE_COUNT");
	da_checklist_free(&l);
}

static void expect_parse_error(const char *json, const char *want)
{
	struct da_err err = { 0 };
	struct da_policy *p = NULL;

	if (!da_policy_parse(json, strlen(json), &p, &err)) {
		da_policy_free(p);
		fail_msg("accepted: %s", json);
	}
	if (!strstr(err.msg, want))
		fail_msg("\"%s\" lacks \"%s\"", err.msg, want);
}

static void test_reader(void **state)
{
	(void)state;
	expect_parse_error("{ \"tdisp\": [] }", "policy: tdisp: expected an object");
	expect_parse_error("{ \"tdisp\": { \"mmio\": [] } }", "tdisp.mmio: unknown key");
	expect_parse_error("{ \"tdisp\": { \"versions\": [\"1\"] } }", "tdisp.versions[0]");
	expect_parse_error("{ \"tdisp\": { \"versions\": [] } }", "tdisp.versions");
	expect_parse_error("{ \"tdisp\": { \"interface_id\": -1 } }", "tdisp.interface_id");
	expect_parse_error("{ \"tdisp\": { \"interface_info_required\": [\"bogus\"] } }",
			   "tdisp.interface_info_required[0]: unknown name");
	expect_parse_error("{ \"tdisp\": { \"interface_info_required\": [\"ats\", \"ats\"] } }",
			   "tdisp.interface_info_required[1]: listed twice");
	expect_parse_error("{ \"tdisp\": { \"interface_info_required\": [\"ats\"],"
			   " \"interface_info_forbidden\": [\"ats\"] } }", "both required and forbidden");
	expect_parse_error("{ \"tdisp\": { \"mmio_ranges\": [ { \"size\": 1 } ] } }",
			   "tdisp.mmio_ranges[0].size: unknown key");
	expect_parse_error("{ \"tdisp\": { \"mmio_ranges\": [ { \"range_id\": 65536 } ] } }",
			   "tdisp.mmio_ranges[0].range_id");
	expect_parse_error("{ \"tdisp\": { \"mmio_ranges\": [ { \"attributes\": [\"x\"] } ] } }",
			   "tdisp.mmio_ranges[0].attributes[0]: unknown name");
	expect_parse_error("{ \"tdisp\": { \"device_specific_info\": \"abc\" } }",
			   "tdisp.device_specific_info");
	expect_parse_error("{ \"tdisp\": { \"device_specific_info\": \"zz\" } }",
			   "tdisp.device_specific_info: expected hex digits");
	expect_parse_error("{ \"tdisp\": { \"device_specific_info_sha256\": \"00\" } }",
			   "expected 64 hex digits");
	expect_parse_error("{ \"tdisp\": { \"device_specific_info\": \"00\","
			   " \"device_specific_info_sha256\": \"" 
			   "0000000000000000000000000000000000000000000000000000000000000000\" } }",
			   "not both");
}

/* `policy init`'s section is the golden report's, and verifies it. */
static void test_init_section(void **state)
{
	struct tdisp_mmio_range r[3];
	struct da_checklist l = { 0 };
	struct da_verdict v = { 0 };
	struct da_err err = { 0 };
	json_object *sec, *root;
	const char *s;
	uint8_t rep[256];
	size_t len = make_report(rep, sizeof(rep), GOLDEN_INFO, 0, golden, 3);

	(void)state;
	v.report = rep;
	v.report_len = len;
	v.have_tdisp_lock = true;
	v.tdisp_version = 0x10;
	v.interface_id = 0x1234;
	assert_int_equal(da_tdisp_policy_json(&v, &sec, &err), 0);
	root = json_object_new_object();
	json_object_object_add(root, "tdisp", sec);
	s = json_object_to_json_string(root);
	assert_non_null(strstr(s, "\"versions\": [ \"1.0\" ]"));
	assert_non_null(strstr(s, "\"interface_id\": 4660"));
	run_lock(s, rep, len, &v, &l);
	assert_false(da_checklist_failed(&l));
	v.interface_id = 0x1235;
	run_lock(s, rep, len, &v, &l);
	expect_only_fail(&l, "tdisp.interface_id", "policy expects 0x00001234");
	v.interface_id = 0x1234;
	memcpy(r, golden, sizeof(r));
	r[2].pages = 16;
	len = make_report(rep, sizeof(rep), GOLDEN_INFO, 0, r, 3);
	run_lock(s, rep, len, &v, &l);
	expect_only_fail(&l, "tdisp.mmio_ranges[2].pages", "16, policy wants 32");
	json_object_put(root);
	v.report_len = 10;
	assert_int_not_equal(da_tdisp_policy_json(&v, &sec, &err), 0);
	da_checklist_free(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_golden_accepted),
		cmocka_unit_test(test_field_mismatches),
		cmocka_unit_test(test_structure),
		cmocka_unit_test(test_reader),
		cmocka_unit_test(test_init_section),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
