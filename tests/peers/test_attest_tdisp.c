// SPDX-License-Identifier: MIT
/*
 * The verifier's TDISP checks and `devauth attest --tdisp` with devauthd
 * and the DMTF spdm_responder_emu as the device (PCI_DOE): lock with a
 * nonce, the REPORT and SESSION evidence (the KEY_EXCHANGE carries the
 * nonce); `devauth verify` with that nonce accepts it with a matching
 * tdisp policy (hand-written, and the one `policy init` writes from the
 * bundle) and rejects it with a mismatching one, naming the field (MMIO
 * range, TDISP version, INTERFACE_ID), with another nonce, with a
 * KEY_EXCHANGE_RSP signature byte or RandomData byte changed, and
 * without the SESSION object; `devauth attest --tdisp` refuses the device with the
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

#include <devauth/evidence.h>

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
/* lock: the tdisp section's "versions" / "interface_id" members, each with a trailing comma. */
static void write_policy(const char *path, unsigned int pages_2, const char *lock)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fprintf(f,
		"{ \"version\": 1, \"trust_anchors\": [ \"%s/ecp384/ca.cert.der\" ],\n"
		"  \"tdisp\": { %s\n"
		"    \"interface_info_required\": [ \"no_update_after_lock\", \"dma_without_pasid\" ],\n"
		"    \"interface_info_forbidden\": [ \"dma_with_pasid\", \"ats\", \"prs\" ],\n"
		"    \"mmio_ranges\": [\n"
		"      { \"pages\": 1, \"attributes\": [ \"non_tee\" ], \"range_id\": 1 },\n"
		"      { \"pages\": 4, \"attributes\": [ \"updatable\" ], \"range_id\": 2 },\n"
		"      { \"pages\": %u, \"attributes\": [ \"updatable\" ], \"range_id\": 3 },\n"
		"      { \"pages\": 8, \"attributes\": [ \"updatable\" ], \"range_id\": 4 } ],\n"
		"    \"device_specific_info\": \"74646973705f6465765f656d75000000\" } }\n",
		peer_dir(), lock, pages_2);
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

/*
 * The SESSION object of the lock: KEY_EXCHANGE (RandomData at offset 8:
 * the caller's nonce), KEY_EXCHANGE_RSP, the lock's TDISP header.
 */
static void check_session(const char *bundle)
{
	static const uint8_t nonce[32] = {
		0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb,
		0xcc, 0xdd, 0xee, 0xff, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
		0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff,
	};
	static const uint8_t hdr[16] = { 0x10, 0x83 };	/* TDISP 1.0, LOCK_INTERFACE_REQUEST */
	const struct da_evidence_obj *o;
	struct da_err err = { 0 };
	struct da_evidence ev;

	if (da_evidence_read_file(bundle, &ev, &err))
		fail_msg("%s: %s", bundle, err.msg);
	o = &ev.obj[DA_EV_SESSION];
	assert_true(o->len > 40 + 16);
	assert_int_equal(o->data[1], 0xE4);		/* KEY_EXCHANGE */
	assert_memory_equal(o->data + 8, nonce, sizeof(nonce));
	assert_memory_equal(o->data + o->len - 16, hdr, sizeof(hdr));
	da_evidence_free(&ev);
}

enum tamper_what { TAMPER_SIGNATURE, TAMPER_RANDOM, TAMPER_DROP };

/*
 * A copy of the bundle with the SESSION object changed: a signature
 * byte (the last before ResponderVerifyData, SHA-384 here, and the
 * lock's TDISP header), a RandomData byte, or the object dropped.
 */
static void tamper(const char *from, const char *to, enum tamper_what what)
{
	struct da_err err = { 0 };
	struct da_evidence ev;
	struct da_evidence_obj *o;

	if (da_evidence_read_file(from, &ev, &err))
		fail_msg("%s: %s", from, err.msg);
	o = &ev.obj[DA_EV_SESSION];
	assert_true(o->len > 40 + 48 + 16);
	if (what == TAMPER_SIGNATURE)
		o->data[o->len - 16 - 48 - 1] ^= 0x01;
	else if (what == TAMPER_RANDOM)
		o->data[8] ^= 0x01;
	else
		assert_int_equal(da_evidence_set(&ev, DA_EV_SESSION, NULL, 0), 0);
	if (da_evidence_write_file(&ev, to, &err))
		fail_msg("%s: %s", to, err.msg);
	da_evidence_free(&ev);
}

static void test_verify_and_attest(void **state)
{
	static const char *const args[] = { "--trans", "PCI_DOE", NULL };
	static const char *const d_extra[] = { "--op-timeout-ms", "10000", NULL };
	char cfg[1024], bundle[400], good[400], bad[400], init[400], trust[600];
	char tampered[400], lockpol[400];

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
	snprintf(tampered, sizeof(tampered), "%s/tampered.bundle", rig.dir);
	snprintf(lockpol, sizeof(lockpol), "%s/lock.json", rig.dir);
	write_policy(good, 8, "\"versions\": [ \"1.0\" ], \"interface_id\": 0,");
	write_policy(bad, 16, "");

	CLI(0, "", "connect", DEV);
	CLI(0, "locked", "lock", DEV, "--nonce", NONCE);
	CLI(0, "", "evidence", DEV, "--type", "cert0,vca,measurements,report,session", "-o",
	    bundle);
	check_session(bundle);

	/* The verifier: nonce, signatures (the session's too), report structure, tdisp policy. */
	OFF(0, "accepted", "verify", "--bundle", bundle, "--policy", good, "--nonce", NONCE);
	assert_non_null(strstr(out, "tdisp.mmio_ranges"));
	assert_non_null(strstr(out, "no signature covers the report bytes"));
	assert_non_null(strstr(out, "the session whose signed KEY_EXCHANGE_RSP verified"));
	assert_non_null(strstr(out, "KEY_EXCHANGE RandomData is the verifier's nonce"));
	assert_non_null(strstr(out, "the lock used TDISP 1.0, which the policy allows"));
	assert_non_null(strstr(out, "INTERFACE_ID FUNCTION_ID 0x00000000 as the policy expects"));
	OFF(0, "\"name\":\"session-signature\",\"result\":\"pass\"", "verify", "--bundle",
	    bundle, "--policy", good, "--nonce", NONCE, "--json");
	assert_non_null(strstr(out, "\"tdisp_lock\":{\"session_signed\":true,"
				    "\"tdisp_version\":\"1.0\",\"interface_id\":0}"));
	OFF(1, "tdisp.mmio_ranges[2].pages: 8, policy wants 16", "verify", "--bundle", bundle,
	    "--policy", bad, "--nonce", NONCE, "--quiet");
	/* Someone else's nonce: the evidence is not fresh for us. */
	OFF(1, "nonce", "verify", "--bundle", bundle, "--policy", good, "--nonce", OTHER,
	    "--quiet");
	assert_non_null(strstr(out, "REJECTED"));
	assert_null(strstr(out, "tdisp."));
	/* The lock's TDISP version and INTERFACE_ID against the policy. */
	write_policy(lockpol, 8, "\"versions\": [ \"1.1\", \"2.0\" ],");
	OFF(1, "tdisp.versions: the lock used TDISP 1.0, which the policy does not allow",
	    "verify", "--bundle", bundle, "--policy", lockpol, "--nonce", NONCE, "--quiet");
	write_policy(lockpol, 8, "\"interface_id\": 1,");
	OFF(1, "tdisp.interface_id: the lock named INTERFACE_ID FUNCTION_ID 0x00000000", "verify",
	    "--bundle", bundle, "--policy", lockpol, "--nonce", NONCE, "--quiet");
	/* A KEY_EXCHANGE_RSP signature byte changed: the session is not the device's. */
	tamper(bundle, tampered, TAMPER_SIGNATURE);
	OFF(1, "session-signature: KEY_EXCHANGE_RSP", "verify", "--bundle", tampered, "--policy",
	    good, "--nonce", NONCE, "--quiet");
	/* RandomData changed: not our nonce (and no longer what was signed). */
	tamper(bundle, tampered, TAMPER_RANDOM);
	OFF(1, "\"name\":\"session-nonce\",\"result\":\"fail\"", "verify", "--bundle", tampered,
	    "--policy", good, "--nonce", NONCE, "--json");
	assert_non_null(strstr(out, "\"name\":\"session-signature\",\"result\":\"fail\""));
	/* The REPORT without the SESSION object proves no session with this device. */
	tamper(bundle, tampered, TAMPER_DROP);
	OFF(1, "session: a REPORT without the SESSION object", "verify", "--bundle", tampered,
	    "--policy", good, "--nonce", NONCE, "--quiet");
	/* policy init from the golden bundle writes a tdisp section that accepts it. */
	OFF(0, "", "policy", "init", "--from", bundle, "--trust", trust, "-o", init);
	assert_non_null(slurp(init, out, sizeof(out)));
	assert_non_null(strstr(out, "\"mmio_ranges\""));
	assert_non_null(strstr(out, "\"versions\""));
	assert_non_null(strstr(out, "\"interface_id\""));
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
