// SPDX-License-Identifier: MIT
/*
 * The verifier's TDISP checks and `devauth attest --tdisp` with devauthd
 * and the DMTF spdm_responder_emu as the device (PCI_DOE): lock with a
 * nonce, the REPORT evidence; `devauth verify` with that nonce accepts
 * it with a matching tdisp policy (hand-written, and the one `policy
 * init` writes from the bundle) and rejects it with a mismatching one,
 * naming the field; `devauth attest --tdisp` refuses the device with the
 * mismatching policy and unlocks it, then accepts it with the matching
 * one: RUN and bound.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "harness.h"
#include "peer_harness.h"

#define DEV "dmtf0"
#define NONCE "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
#define OTHER "ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100"

static struct rig rig;
static struct peer_proc peer;
static char out[1 << 16];


#define CLI(expect, needle, ...) do {						\
		int rc_ = devauth(&rig, out, sizeof(out), __VA_ARGS__, NULL);	\
		if (rc_ != (expect) || !strstr(out, (needle)))			\
			fputs(out, stderr);				\
		if (rc_ != (expect) || !strstr(out, (needle)))			\
			fail_msg("devauth %s: exit %d (want %d), no \"%s\" in: %s", \
				 #__VA_ARGS__, rc_, (expect), (needle), out);	\
	} while (0)

/* The DMTF sample interface: four ranges, the third of 8 pages (pages_2 replaces it). */
static void write_policy(const char *path, unsigned int pages_2)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fprintf(f,
		"{ \"version\": 1, \"trust_anchors\": [ \"%s/ecp384/ca.cert.der\" ],\n"
		"  \"tdisp\": {\n"
		"    \"interface_info_required\": [ \"no_update_after_lock\", \"dma_without_pasid\" ],\n"
		"    \"interface_info_forbidden\": [ \"dma_with_pasid\", \"ats\", \"prs\" ],\n"
		"    \"mmio_ranges\": [\n"
		"      { \"pages\": 1, \"attributes\": [ \"non_tee\" ], \"range_id\": 1 },\n"
		"      { \"pages\": 4, \"attributes\": [ \"updatable\" ], \"range_id\": 2 },\n"
		"      { \"pages\": %u, \"attributes\": [ \"updatable\" ], \"range_id\": 3 },\n"
		"      { \"pages\": 8, \"attributes\": [ \"updatable\" ], \"range_id\": 4 } ],\n"
		"    \"device_specific_info\": \"74646973705f6465765f656d75000000\" } }\n",
		peer_dir(), pages_2);
	assert_int_equal(fclose(f), 0);
}

/* The CLI's offline commands (verify, policy init) take no --socket. */
static int offline(char *buf, size_t cap, ...)
{
	const char *argv[32];
	char bin[512];
	size_t n = 0;
	va_list ap;
	const char *a;

	argv[n++] = bin_path("src/devauth/devauth", bin, sizeof(bin));
	va_start(ap, cap);
	while ((a = va_arg(ap, const char *)) && n < 31)
		argv[n++] = a;
	va_end(ap);
	argv[n] = NULL;
	return run(argv, buf, cap, 60000);
}

#define OFF(expect, needle, ...) do {						\
		int rc_ = offline(out, sizeof(out), __VA_ARGS__, NULL);		\
		if (rc_ != (expect) || !strstr(out, (needle)))			\
			fputs(out, stderr);				\
		if (rc_ != (expect) || !strstr(out, (needle)))			\
			fail_msg("devauth %s: exit %d (want %d), no \"%s\" in: %s", \
				 #__VA_ARGS__, rc_, (expect), (needle), out);	\
	} while (0)

static char *slurp(const char *path, char *buf, size_t cap)
{
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return NULL;
	n = fread(buf, 1, cap - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void test_verify_and_attest(void **state)
{
	static const char *const args[] = { "--trans", "PCI_DOE", NULL };
	static const char *const d_extra[] = { "--op-timeout-ms", "10000", NULL };
	char cfg[1024], bundle[400], good[400], bad[400], init[400], trust[600];

	(void)state;
	rig_init(&rig);
	assert_int_equal(peer_start_responder(&peer, args, 20), 0);
	snprintf(cfg, sizeof(cfg),
		 "{ \"devices\": [ { \"name\": \"" DEV "\", \"transport\": \"127.0.0.1:%d\","
		 " \"framing\": \"pci-doe\" } ] }", peer.port);
	if (rig_start_daemon_cfg(&rig, cfg, d_extra))
		fail_msg("devauthd did not start; log %s", rig.d.log);
	snprintf(bundle, sizeof(bundle), "%s/locked.bundle", rig.dir);
	snprintf(good, sizeof(good), "%s/good.json", rig.dir);
	snprintf(bad, sizeof(bad), "%s/bad.json", rig.dir);
	snprintf(init, sizeof(init), "%s/init.json", rig.dir);
	snprintf(trust, sizeof(trust), "%s/ecp384/ca.cert.der", peer_dir());
	write_policy(good, 8);
	write_policy(bad, 16);

	CLI(0, "", "connect", DEV);
	CLI(0, "locked", "lock", DEV, "--nonce", NONCE);
	CLI(0, "", "evidence", DEV, "--type", "cert0,vca,measurements,report", "-o", bundle);

	/* The verifier: nonce, signatures, report structure, the tdisp policy. */
	OFF(0, "accepted", "verify", "--bundle", bundle, "--policy", good, "--nonce", NONCE);
	assert_non_null(strstr(out, "tdisp.mmio_ranges"));
	assert_non_null(strstr(out, "no signature covers the report bytes"));
	assert_non_null(strstr(out, "the evidence carries no session transcript"));
	OFF(1, "tdisp.mmio_ranges[2].pages: 8, policy wants 16", "verify", "--bundle", bundle,
	    "--policy", bad, "--nonce", NONCE, "--quiet");
	/* Someone else's nonce: the evidence is not fresh for us. */
	OFF(1, "REJECTED", "verify", "--bundle", bundle, "--policy", good, "--nonce", OTHER,
	    "--quiet");
	assert_null(strstr(out, "tdisp."));
	/* policy init from the golden bundle writes a tdisp section that accepts it. */
	OFF(0, "", "policy", "init", "--from", bundle, "--trust", trust, "-o", init);
	assert_non_null(slurp(init, out, sizeof(out)));
	assert_non_null(strstr(out, "\"mmio_ranges\""));
	OFF(0, "accepted", "verify", "--bundle", bundle, "--policy", init, "--nonce", NONCE);
	assert_non_null(strstr(out, "tdisp.interface_info"));

	/* attest --tdisp: refused (and unlocked) with the mismatching policy... */
	CLI(1, "tdisp.mmio_ranges[2].pages: 8, policy wants 16", "attest", "--tdisp", DEV,
	    "--policy", bad);
	assert_non_null(strstr(out, DEV ": TDISP CONFIG_UNLOCKED (unlocked)"));
	CLI(1, "\"unlocked\":true", "attest", "--tdisp", DEV, "--policy", bad, "--json");
	assert_non_null(strstr(out, "\"tdisp\":\"CONFIG_UNLOCKED\""));
	assert_non_null(strstr(out, "\"bound\":false"));
	CLI(0, "connected", "list", "--json");
	assert_null(strstr(out, "\"tdisp\""));
	/* ...accepted with the matching one: RUN and bound. */
	CLI(0, "\"tdisp\":\"RUN\"", "attest", "--tdisp", DEV, "--policy", good, "--json");
	assert_non_null(strstr(out, "\"accepted\":true"));
	assert_non_null(strstr(out, "\"bound\":true"));
	CLI(0, "\"tdisp\":\"RUN\"", "list", "--json");
	assert_non_null(strstr(out, "bound"));
	/* No un-accept: a running device is not attested again. */
	CLI(1, "already accepted", "attest", "--tdisp", DEV, "--policy", good);
	CLI(0, "", "unbind", DEV);
	CLI(0, "unlocked", "unlock", DEV);
	assert_true(peer_alive(&peer));
	assert_int_equal(rig_stop_daemon(&rig), 0);
	peer_stop(&peer);
	rig_cleanup(&rig);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_verify_and_attest),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
