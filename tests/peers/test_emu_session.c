// SPDX-License-Identifier: MIT
/*
 * Secure sessions served by devauth-emu, one slice per process:
 *
 *   dmtf-requester TRANS  the DMTF spdm_requester_emu with
 *                         --exe_session KEY_EX,PSK,HEARTBEAT,KEY_UPDATE,
 *                         MEAS,DIGEST,CERT,NO_END against devauth-emu
 *                         holding the DMTF sample chain: SPDM 1.1-1.4,
 *                         handshake in the clear (its default) and not,
 *                         UpdateAllKeys and UpdateKey, AES-256-GCM and
 *                         ChaCha20-Poly1305; each capture must show the
 *                         handshakes, and the run no ERROR line
 *   ours TRANS            devauth probe --session against devauth-emu:
 *                         heartbeat and key update, both AEAD kinds, the
 *                         handshake in the clear, PSK with the DMTF default
 *                         and with a PSK of the command line, a wrong PSK
 *   faults                every session fault of docs/faults.md: devauth
 *                         probe --session fails with exit status 1 and
 *                         the error that names what was wrong
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "peer_harness.h"

#define OUT_MAX (1u << 20)
#define SLOT0 "0:ecp384/bundle_responder.certchain.der:ecp384/end_responder.key"
/* "TestPskData\0" and "TestPskHint\0", the DMTF emulators' defaults */
#define DMTF_PSK "5465737450736b4461746100"
#define DMTF_PSK_HINT "5465737450736b48696e7400"

static const char *const versions[] = { "1.1", "1.2", "1.3", "1.4" };
static const char *g_mode, *g_arg;
static unsigned int g_pass, g_fail;
static char *out;

static void result(bool ok, const char *what)
{
	printf("%s %s\n", ok ? "PASS" : "FAIL", what);
	if (ok) {
		g_pass++;
		return;
	}
	g_fail++;
	fprintf(stderr, "--- %s\n%.8000s\n---\n", what, out);
}

static bool has(const char *s, const char *needle)
{
	return strstr(s, needle) != NULL;
}

static unsigned int count(const char *s, const char *needle)
{
	unsigned int n = 0;

	for (; (s = strstr(s, needle)); s++)
		n++;
	return n;
}

static const char *dmtf_trans(const char *t)
{
	return !strcmp(t, "mctp") ? "MCTP" : "PCI_DOE";
}

/* One DMTF requester run; its capture must hold both handshakes. */
static bool dmtf_requester(int port, const char *trans, const char *ver, const char *cap,
			   const char *key_upd, const char *aead, bool in_clear)
{
	char port_s[16], pcap[96];
	const char *args[32];
	const char *const dargs[] = { "-r", pcap, NULL };
	size_t n = 0;
	int rc;

	snprintf(port_s, sizeof(port_s), "%d", port);
	snprintf(pcap, sizeof(pcap), "emu-session-%s-%s-%s-%d.pcap", trans, ver, key_upd, port);
	args[n++] = "--trans";
	args[n++] = dmtf_trans(trans);
	args[n++] = "--port";
	args[n++] = port_s;
	args[n++] = "--ver";
	args[n++] = ver;
	if (cap) {
		args[n++] = "--cap";
		args[n++] = cap;
	}
	args[n++] = "--key_upd";
	args[n++] = key_upd;
	args[n++] = "--aead";
	args[n++] = aead;
	args[n++] = "--exe_conn";
	args[n++] = "VCA,DIGEST,CERT";
	args[n++] = "--exe_session";
	args[n++] = "KEY_EX,PSK,HEARTBEAT,KEY_UPDATE,MEAS,DIGEST,CERT,NO_END";
	args[n++] = "--pcap";
	args[n++] = pcap;
	args[n] = NULL;
	rc = peer_run("spdm_requester_emu", args, out, OUT_MAX, 120);
	if (rc || !has(out, "connect success!") || has(out, "ERROR"))
		return false;
	rc = peer_run("spdm_dump", dargs, out, OUT_MAX, 60);
	/*
	 * Two KEY_EXCHANGE sessions (the emulator opens one before and one
	 * after PSK), one PSK session; FINISH is legible only in the clear.
	 * Everything else of the sessions is secured.
	 */
	return rc == 0 && count(out, " SPDM_KEY_EXCHANGE_RSP ") == 2 &&
	       count(out, " SPDM_PSK_EXCHANGE_RSP ") == 1 &&
	       count(out, " SPDM_FINISH_RSP ") == (in_clear ? 2u : 0u) &&
	       count(out, "SecuredSPDM") >= 20;
}

static void mode_dmtf_requester(void)
{
	const char *const args[] = { "--transport", g_arg, "--asym", "ECDSA_P384", "--slot",
				     SLOT0, NULL };
	/* the DMTF default set without HANDSHAKE_IN_CLEAR (and without MUT_AUTH, ENCAP) */
	static const char no_clear[] = "CERT,CHAL,ENCRYPT,MAC,KEY_EX,PSK,HBEAT,KEY_UPD";
	struct peer_proc p;
	char what[160];

	assert_int_equal(peer_start_emu(&p, args, 30), 0);
	for (size_t v = 0; v < 4; v++) {
		snprintf(what, sizeof(what),
			 "spdm_requester_emu --exe_session ... -> devauth-emu %s %s in the clear, UpdateAllKeys, AES-256-GCM",
			 g_arg, versions[v]);
		result(dmtf_requester(p.port, g_arg, versions[v], NULL, "ALL", "AES_256_GCM",
				      true), what);
		snprintf(what, sizeof(what),
			 "spdm_requester_emu --exe_session ... -> devauth-emu %s %s secured FINISH, UpdateKey, ChaCha20-Poly1305",
			 g_arg, versions[v]);
		result(dmtf_requester(p.port, g_arg, versions[v], no_clear, "REQ",
				      "CHACHA20_POLY1305", false), what);
	}
	assert_true(peer_alive(&p));
	peer_stop(&p);
}

/* devauth probe --session with extra options; returns its exit status (out has its output). */
static int probe(int port, const char *trans, const char *const *extra)
{
	char bin[400], hp[32];
	const char *args[32];
	size_t n = 0;

	snprintf(hp, sizeof(hp), "127.0.0.1:%d", port);
	args[n++] = "probe";
	args[n++] = "--connect";
	args[n++] = hp;
	args[n++] = "--transport";
	args[n++] = trans;
	args[n++] = "--trust";
	args[n++] = "ecp384/ca.cert.der";
	args[n++] = "--session";
	for (; extra && *extra && n < 31; extra++)
		args[n++] = *extra;
	args[n] = NULL;
	return peer_run(peer_devauth_bin("devauth", bin, sizeof(bin)), args, out, OUT_MAX, 120);
}

static bool session_ok(int rc, const char *aead)
{
	char want[64];

	snprintf(want, sizeof(want), "%s", aead);
	return rc == 0 && has(out, "pass     session ") &&
	       has(out, "pass     session-measurements ") && has(out, "pass     end-session ") &&
	       has(out, "verdict: all checks passed") && has(out, want);
}

static void mode_ours(void)
{
	const char *const args[] = { "--transport", g_arg, "--asym", "ECDSA_P384", "--slot",
				     SLOT0, NULL };
	const char *const psk_args[] = { "--transport", g_arg, "--asym", "ECDSA_P384", "--slot",
					 SLOT0, "--psk", "00112233445566778899aabbccddeeff",
					 "--psk-hint", "6465766175746821", NULL };
	struct peer_proc p;
	char what[160];
	int rc;

	assert_int_equal(peer_start_emu(&p, args, 30), 0);
	for (size_t v = 0; v < 4; v++) {
		const char *gcm[] = { "--spdm-version", versions[v], "--aead", "aes-256-gcm",
				      "--dhe", "secp384r1", "--heartbeat", "--key-update", NULL };
		const char *chacha[] = { "--spdm-version", versions[v], "--aead",
					 "CHACHA20_POLY1305", "--dhe", "SECP_256_R1",
					 "--handshake-in-clear", "--heartbeat", "--key-update=all",
					 NULL };
		const char *psk[] = { "--spdm-version", versions[v], "--aead", "aes-128-gcm",
				      "--psk", DMTF_PSK, "--psk-hint", DMTF_PSK_HINT,
				      "--heartbeat", "--key-update", NULL };

		rc = probe(p.port, g_arg, gcm);
		snprintf(what, sizeof(what), "devauth probe --session %s %s AES-256-GCM", g_arg,
			 versions[v]);
		result(session_ok(rc, "AEAD aes-256-gcm") && has(out, "pass     heartbeat ") &&
		       has(out, "pass     key-update ") &&
		       has(out, "pass     responder-verify-data "), what);
		rc = probe(p.port, g_arg, chacha);
		snprintf(what, sizeof(what),
			 "devauth probe --session %s %s ChaCha20-Poly1305, handshake in the clear",
			 g_arg, versions[v]);
		result(session_ok(rc, "AEAD chacha20-poly1305") &&
		       has(out, "handshake in the clear") &&
		       has(out, "pass     finish-rsp-verify-data ") &&
		       has(out, "UpdateAllKeys + VerifyNewKey"), what);
		rc = probe(p.port, g_arg, psk);
		snprintf(what, sizeof(what), "devauth probe --session %s %s PSK (DMTF default)",
			 g_arg, versions[v]);
		result(session_ok(rc, "AEAD aes-128-gcm") && has(out, "(PSK, secured messages"), what);
	}
	assert_true(peer_alive(&p));
	peer_stop(&p);

	/* a PSK from the command line; the DMTF default no longer opens a session */
	assert_int_equal(peer_start_emu(&p, psk_args, 30), 0);
	{
		const char *good[] = { "--psk", "00112233445566778899aabbccddeeff", "--psk-hint",
				       "6465766175746821", NULL };
		const char *wrong_psk[] = { "--psk", "ff112233445566778899aabbccddeeff",
					    "--psk-hint", "6465766175746821", NULL };
		const char *wrong_hint[] = { "--psk", DMTF_PSK, "--psk-hint", DMTF_PSK_HINT,
					     NULL };

		rc = probe(p.port, g_arg, good);
		snprintf(what, sizeof(what), "devauth probe --session %s, devauth-emu --psk", g_arg);
		result(session_ok(rc, "") && has(out, "(PSK, secured messages"), what);
		rc = probe(p.port, g_arg, wrong_psk);
		snprintf(what, sizeof(what), "devauth probe --session %s, another PSK: refused",
			 g_arg);
		result(rc == 1 &&
		       has(out, "PSK_EXCHANGE_RSP: ResponderVerifyData does not match HMAC"), what);
		rc = probe(p.port, g_arg, wrong_hint);
		snprintf(what, sizeof(what), "devauth probe --session %s, unknown PSKHint: refused",
			 g_arg);
		result(rc == 1 && has(out, "PSK_EXCHANGE") && has(out, "InvalidRequest"), what);
	}
	assert_true(peer_alive(&p));
	peer_stop(&p);
}

struct fault_case {
	const char *fault;
	const char *extra;	/* a probe option the fault needs, or NULL */
	const char *msg;	/* in the error line */
	const char *pre;	/* when set, the line reads "PRE: HOST:PORT: MSG" */
};

static const struct fault_case faults[] = {
	{ "bad-key-exchange-sig", NULL, "KEY_EXCHANGE_RSP: signature: does not verify", NULL },
	{ "bad-rsp-verify-data", NULL,
	  "KEY_EXCHANGE_RSP: ResponderVerifyData does not match HMAC(finished_key, TH)", NULL },
	{ "bad-mac", NULL, "secured message: MAC does not verify; session ended", "FINISH" },
	{ "wrong-session-id", NULL, "secured message: SessionID 0x", "FINISH" },
	{ "replay-seq", "--heartbeat",
	  "secured message: SequenceNumber 0, expected 1 (replayed or skipped); session ended",
	  "GET_CERTIFICATE" },
	{ "heartbeat-silent", "--heartbeat", "spdm-emu frame: timed out", "HEARTBEAT" },
	{ "key-update-refused", "--key-update", "KEY_UPDATE: device answered ERROR Busy (0x03",
	  NULL },
};

static void mode_faults(void)
{
	for (size_t i = 0; i < sizeof(faults) / sizeof(faults[0]); i++) {
		const struct fault_case *f = &faults[i];
		const char *const args[] = { "--transport", "mctp", "--asym", "ECDSA_P384",
					     "--slot", SLOT0, "--fault", f->fault, NULL };
		const char *extra[] = { "--timeout-ms", "2000", f->extra, NULL };
		char what[128], expect[256], hp[32];
		struct peer_proc p;
		int rc;

		assert_int_equal(peer_start_emu(&p, args, 30), 0);
		snprintf(hp, sizeof(hp), "127.0.0.1:%d", p.port);
		if (f->pre)
			snprintf(expect, sizeof(expect), "%s: %s: ", f->pre, hp);
		else
			expect[0] = '\0';
		/* the prefix and the message, as one line names them */
		snprintf(expect + strlen(expect), sizeof(expect) - strlen(expect), "%s", f->pre ?
			 "" : f->msg);
		rc = probe(p.port, "mctp", extra);
		snprintf(what, sizeof(what), "devauth probe --session against fault %s", f->fault);
		result(rc == 1 && has(out, expect) && has(out, f->msg) && has(out, "verdict: FAILED") &&
		       !has(out, "pass     end-session "), what);
		/* the fault ends that connection's session only: the device serves on */
		assert_true(peer_alive(&p));
		peer_stop(&p);
	}
	/* MAC tampering is also caught on a session the requester finished in the clear */
	{
		const char *const args[] = { "--transport", "pci-doe", "--asym", "ECDSA_P384",
					     "--slot", SLOT0, "--fault", "bad-mac", NULL };
		const char *extra[] = { "--handshake-in-clear", NULL };
		struct peer_proc p;
		int rc;

		assert_int_equal(peer_start_emu(&p, args, 30), 0);
		rc = probe(p.port, "pci-doe", extra);
		result(rc == 1 && has(out, "GET_DIGESTS: ") &&
		       has(out, "secured message: MAC does not verify; session ended"),
		       "devauth probe --session --handshake-in-clear against fault bad-mac (DOE)");
		peer_stop(&p);
	}
}

static void test_slice(void **state)
{
	(void)state;
	out = malloc(OUT_MAX);
	assert_non_null(out);
	if (!strcmp(g_mode, "dmtf-requester"))
		mode_dmtf_requester();
	else if (!strcmp(g_mode, "ours"))
		mode_ours();
	else if (!strcmp(g_mode, "faults"))
		mode_faults();
	else
		fail_msg("unknown mode %s", g_mode);
	free(out);
	printf("%s %s: %u of %u passed\n", g_mode, g_arg ? g_arg : "", g_pass, g_pass + g_fail);
	assert_int_equal(g_fail, 0);
	assert_true(g_pass > 0);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_slice),
	};

	if (argc < 2) {
		fprintf(stderr, "usage: %s MODE [ARG]\n", argv[0]);
		return 2;
	}
	g_mode = argv[1];
	g_arg = argc > 2 ? argv[2] : NULL;
	setvbuf(stdout, NULL, _IOLBF, 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
