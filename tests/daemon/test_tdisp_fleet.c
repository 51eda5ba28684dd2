// SPDX-License-Identifier: MIT
/*
 * `devauth attest --tdisp --all` over a fleet of 16 devauth-emu TDISP
 * devices behind devauthd, each with its own chain from one test PKI:
 * ten healthy ones, four that break a TDISP rule on the way to RUN
 * (docs/faults.md: a report that changes between two reads, one whose
 * MMIO count overruns it, a refused lock, interfaces left in ERROR by a
 * reset) and two whose report is well formed but not what the policy's
 * tdisp section wants.  Exactly the healthy ones end RUN and bound; each
 * refused one carries the reason naming what failed, and is left
 * unlocked and unbound; the exit status is 1 (CLI contract: a device
 * was refused).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "harness.h"

#define NDEV 16
#define DSI_GOOD "f1f2f3f4f5f6f7f8"

/* What each device is, and what attest must say about it ("" = accepted). */
static const struct fleet_dev {
	const char *faults;		/* NULL: none */
	const char *dsi;		/* device-info-hex of interface 0 */
	unsigned int pages0;		/* pages of its first MMIO range */
	const char *reason;
	bool locked;			/* refused after its lock: attest unlocks it */
} fleet[NDEV] = {
	[10] = { "report-changes", DSI_GOOD, 16,
		 "TDISP DEVICE_INTERFACE_REPORT changed since LOCK", true },
	[11] = { "report-mmio-overrun", DSI_GOOD, 16,
		 "MMIO_RANGE_COUNT 4 overruns the report", false },
	[12] = { "lock-refused", DSI_GOOD, 16,
		 "TDISP LOCK_INTERFACE_REQUEST: device answered TDISP_ERROR INVALID_DEVICE_CONFIGURATION", false },
	[13] = { "error-after-reset", DSI_GOOD, 16,
		 "TDISP LOCK_INTERFACE_REQUEST: device answered TDISP_ERROR INVALID_INTERFACE_STATE", false },
	[14] = { NULL, "0badc0de0badc0de", 16, "tdisp.device_specific_info", true },
	[15] = { NULL, DSI_GOOD, 32, "tdisp.mmio_ranges[0].pages: 32, policy wants 16", true },
};

static struct rig rig;
static char out[1 << 18];

static void dev_name(unsigned int i, char *buf, size_t len)
{
	snprintf(buf, len, "0000:%02x:00.0", 0x40 + i);
}

static bool healthy(unsigned int i)
{
	return !fleet[i].reason;
}

/* The devices array; with pki, each device's slot 0 is its chain from pki/. */
static char *devices_json(const char *pki)
{
	size_t cap = 64 * 1024, n = 0;
	char *s = malloc(cap);

	assert_non_null(s);
	n += (size_t)snprintf(s + n, cap - n, "[");
	for (unsigned int i = 0; i < NDEV; i++) {
		const struct fleet_dev *f = &fleet[i];
		char name[32];

		dev_name(i, name, sizeof(name));
		n += (size_t)snprintf(s + n, cap - n,
			"%s{ \"name\": \"%s\", \"asym\": [\"ecdsa-p256\"], \"hash\": [\"sha256\"],"
			" \"faults\": [\"%s\"],"
			" \"tdisp\": { \"interfaces\": [ { \"function-id\": 0, \"interface-info\": 3,"
			" \"msix-control\": 3, \"device-info-hex\": \"%s\", \"mmio\": ["
			" { \"first-page\": 0, \"pages\": %u, \"attributes\": 0, \"range-id\": 0 },"
			" { \"first-page\": \"0x10000\", \"pages\": 1, \"attributes\": 1, \"range-id\": 1 },"
			" { \"first-page\": \"0x11000\", \"pages\": 1, \"attributes\": 2, \"range-id\": 1 }"
			" ] } ] }",
			i ? ", " : "", name, f->faults ? f->faults : "none",
			f->dsi ? f->dsi : DSI_GOOD, f->pages0 ? f->pages0 : 16);
		if (pki)
			n += (size_t)snprintf(s + n, cap - n,
				", \"slots\": [ { \"slot\": 0, \"chain\": \"%s/dev%u/slot0/chain.der\","
				" \"key\": \"%s/dev%u/slot0/key.pem\" } ]", pki, i, pki, i);
		n += (size_t)snprintf(s + n, cap - n, " }");
		assert_true(n < cap);
	}
	snprintf(s + n, cap - n, " ]");
	return s;
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

/* One PKI for the fleet: the policy's trust anchor is its root. */
static void make_pki(const char *pki)
{
	char bin[512], cfg[400];
	char *devs = devices_json(NULL);
	char *text = malloc(strlen(devs) + 32);
	const char *argv[] = { bin_path("src/devauth-emu/devauth-emu", bin, sizeof(bin)), "pki",
			       "--out", pki, "--devices", cfg, NULL };

	assert_non_null(text);
	snprintf(cfg, sizeof(cfg), "%s/pki.json", rig.dir);
	sprintf(text, "{ \"devices\": %s }", devs);
	write_file(cfg, text);
	free(text);
	free(devs);
	if (run(argv, out, sizeof(out), 120000))
		fail_msg("devauth-emu pki: %s", out);
}

static void write_policy(const char *path, const char *pki)
{
	char text[2048];

	snprintf(text, sizeof(text),
		 "{ \"version\": 1, \"trust_anchors\": [ \"%s/root.der\" ],\n"
		 "  \"require_pcie_identity\": true,\n"
		 "  \"tdisp\": {\n"
		 "    \"interface_info_required\": [ \"no_update_after_lock\", \"dma_without_pasid\" ],\n"
		 "    \"interface_info_forbidden\": [ \"dma_with_pasid\", \"ats\", \"prs\" ],\n"
		 "    \"mmio_ranges\": [\n"
		 "      { \"pages\": 16, \"attributes\": [], \"range_id\": 0 },\n"
		 "      { \"pages\": 1, \"attributes\": [ \"msix_table\" ], \"range_id\": 1 },\n"
		 "      { \"pages\": 1, \"attributes\": [ \"msix_pba\" ], \"range_id\": 1 } ],\n"
		 "    \"device_specific_info\": \"" DSI_GOOD "\" } }\n", pki);
	write_file(path, text);
}

static json_object *find_dev(json_object *arr, const char *key, const char *name)
{
	for (size_t k = 0; k < json_object_array_length(arr); k++) {
		json_object *o = json_object_array_get_idx(arr, k), *v;

		if (json_object_object_get_ex(o, key, &v) &&
		    !strcmp(json_object_get_string(v), name))
			return o;
	}
	return NULL;
}

static const char *str_of(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_string(v) : NULL;
}

static bool bool_of(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) && json_object_get_boolean(v);
}

/*
 * again: the second run, where the running ones are not attested again
 * (there is no un-accept) and the refused ones are refused for the same
 * reason, which they can only be if the first refusal left the device
 * unlocked.
 */
static void check_attest(json_object *res, bool again)
{
	assert_true(json_object_is_type(res, json_type_array));
	assert_int_equal(json_object_array_length(res), NDEV);
	for (unsigned int i = 0; i < NDEV; i++) {
		char name[32];
		json_object *o;
		const char *reason;

		dev_name(i, name, sizeof(name));
		o = find_dev(res, "device", name);
		if (!o)
			fail_msg("%s: not in the attest output", name);
		reason = str_of(o, "reason");
		if (healthy(i) && again) {
			if (bool_of(o, "accepted") || !reason || !strstr(reason, "already accepted") ||
			    strcmp(str_of(o, "tdisp") ?: "", "RUN"))
				fail_msg("%s: running, attested again: %s", name,
					 json_object_to_json_string(o));
			continue;
		}
		if (healthy(i)) {
			if (!bool_of(o, "accepted") || !bool_of(o, "bound") ||
			    strcmp(str_of(o, "tdisp") ?: "", "RUN"))
				fail_msg("%s: healthy, not accepted + bound + RUN: %s", name,
					 json_object_to_json_string(o));
			assert_null(reason);
			continue;
		}
		if (bool_of(o, "accepted") || bool_of(o, "bound"))
			fail_msg("%s (%s): accepted or bound: %s", name, fleet[i].reason,
				 json_object_to_json_string(o));
		if (!reason || !strstr(reason, fleet[i].reason))
			fail_msg("%s: reason \"%s\", want \"%s\"", name, reason ?: "(none)",
				 fleet[i].reason);
		if (fleet[i].locked != bool_of(o, "unlocked"))
			fail_msg("%s: \"unlocked\" %d, want %d", name, bool_of(o, "unlocked"),
				 fleet[i].locked);
		/* Nothing is left locked for someone else to accept. */
		if (strcmp(str_of(o, "tdisp") ?: "(none)", "CONFIG_UNLOCKED"))
			fail_msg("%s: left in TDISP %s", name, str_of(o, "tdisp") ?: "(none)");
	}
}

static void check_list(json_object *l)
{
	json_object *devs;

	assert_true(json_object_object_get_ex(l, "devices", &devs));
	assert_int_equal(json_object_array_length(devs), NDEV);
	for (unsigned int i = 0; i < NDEV; i++) {
		char name[32];
		json_object *o;
		const char *state, *tdisp;

		dev_name(i, name, sizeof(name));
		o = find_dev(devs, "name", name);
		if (!o)
			fail_msg("%s: not listed", name);
		state = str_of(o, "state");
		tdisp = str_of(o, "tdisp");
		assert_non_null(state);
		if (healthy(i)) {
			if (strcmp(state, "bound") || !tdisp || strcmp(tdisp, "RUN"))
				fail_msg("%s: listed %s / TDISP %s, want bound / RUN", name, state,
					 tdisp ?: "(none)");
		} else if (!strcmp(state, "bound") || tdisp) {
			fail_msg("%s: refused, but listed %s / TDISP %s", name, state,
				 tdisp ?: "(none)");
		}
	}
}

static void test_attest_fleet(void **state)
{
	char pki[400], policy[400], *devs;
	json_object *j;
	int rc;

	(void)state;
	rig_init(&rig);
	snprintf(pki, sizeof(pki), "%s/pki", rig.dir);
	snprintf(policy, sizeof(policy), "%s/policy.json", rig.dir);
	make_pki(pki);
	write_policy(policy, pki);
	devs = devices_json(pki);
	rc = rig_start_emu(&rig, devs, NULL);
	free(devs);
	if (rc)
		fail_msg("devauth-emu did not start; log %s", rig.emu.log);
	{
		/* The error-after-reset device has been reset before the TSM ever sees it. */
		char bin[512], name[32];
		const char *argv[] = { bin_path("src/devauth-emu/devauth-emu", bin, sizeof(bin)),
				       "ctl", "--ctl", rig.emu_ctl, "reset", name, NULL };

		dev_name(13, name, sizeof(name));
		if (run(argv, out, sizeof(out), 20000))
			fail_msg("devauth-emu ctl reset: %s", out);
	}
	if (rig_start_daemon(&rig, NULL))
		fail_msg("devauthd did not start; log %s", rig.d.log);

	rc = devauth(&rig, out, sizeof(out), "attest", "--tdisp", "--all", "--policy", policy,
		     "--json", NULL);
	j = json_tokener_parse(out);
	if (rc != 1 || !j)
		fail_msg("attest --tdisp --all: exit %d (want 1): %s", rc, out);
	check_attest(j, false);
	json_object_put(j);

	rc = devauth(&rig, out, sizeof(out), "list", "--json", NULL);
	j = json_tokener_parse(out);
	if (rc || !j)
		fail_msg("list --json: exit %d: %s", rc, out);
	check_list(j);
	json_object_put(j);

	/* Again: nothing changes. */
	rc = devauth(&rig, out, sizeof(out), "attest", "--tdisp", "--all", "--policy", policy,
		     "--json", NULL);
	j = json_tokener_parse(out);
	if (rc != 1 || !j)
		fail_msg("attest --tdisp --all again: exit %d (want 1): %s", rc, out);
	check_attest(j, true);
	json_object_put(j);
	rc = devauth(&rig, out, sizeof(out), "list", "--json", NULL);
	j = json_tokener_parse(out);
	assert_non_null(j);
	check_list(j);
	json_object_put(j);

	assert_int_equal(rig_stop_daemon(&rig), 0);
	assert_int_equal(rig_stop_emu(&rig), 0);
	rig_cleanup(&rig);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_attest_fleet),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
