// SPDX-License-Identifier: MIT
/*
 * The interop matrix against the DMTF reference binaries, one slice per
 * process so that meson runs the slices in parallel:
 *
 *   ours-vs-dmtf ASYM   our requester (devauth probe) against
 *                       spdm_responder_emu, PCI DOE, SPDM 1.0-1.4
 *   dmtf-vs-emu ASYM    spdm_requester_emu, default one-by-one measurement
 *                       flow and --meas_op ALL, against devauth-emu holding
 *                       the DMTF sample chain and key of ASYM in slot 0;
 *                       each capture is then verified by devauth dump
 *   transports          MCTP and NONE spot checks of both directions, and
 *                       a live 1.4 capture of the DMTF pair verified by us
 *   validator VER       spdm_device_validator_sample against devauth-emu,
 *                       compared with the DMTF responder under the same
 *                       settings (passes, NOT_TESTED)
 *   spdm-dump           spdm_dump -r on devauth's own PCI DOE and MCTP
 *                       captures: read, and every SPDM message named
 *
 * Each combination prints one PASS/FAIL line; the slice fails if any does.
 * The peers print no success line: success is exit status 0, their
 * "connect success!" and no "ERROR" (which they print on every failure).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "peer_harness.h"

#define OUT_MAX (1u << 20)

struct alg {
	const char *dmtf;	/* --asym of the DMTF tools (and of devauth-emu) */
	const char *dir;	/* their key folder */
	const char *ours;	/* as devauth prints it */
	bool v12;		/* EdDSA: SPDM 1.2+ only */
};

static const struct alg algs[] = {
	{ "ECDSA_P256", "ecp256", "ECDSA-P256", false },
	{ "ECDSA_P384", "ecp384", "ECDSA-P384", false },
	{ "ECDSA_P521", "ecp521", "ECDSA-P521", false },
	{ "RSASSA_3072", "rsa3072", "RSASSA-3072", false },
	{ "RSAPSS_3072", "rsa3072", "RSAPSS-3072", false },
	{ "RSAPSS_4096", "rsa4096", "RSAPSS-4096", false },
	{ "EDDSA_25519", "ed25519", "EdDSA-Ed25519", true },
};

static const char *const versions[] = { "1.0", "1.1", "1.2", "1.3", "1.4" };

static const char *g_mode, *g_arg;
static unsigned int g_pass, g_fail;
static char *out;

static const struct alg *find_alg(const char *name)
{
	for (size_t i = 0; i < sizeof(algs) / sizeof(algs[0]); i++)
		if (!strcmp(algs[i].dmtf, name))
			return &algs[i];
	fail_msg("unknown algorithm %s", name);
	return NULL;
}

static void result(bool ok, const char *what, const char *log)
{
	printf("%s %s\n", ok ? "PASS" : "FAIL", what);
	if (ok) {
		g_pass++;
		return;
	}
	g_fail++;
	if (log)
		fprintf(stderr, "--- %s\n%.6000s\n---\n", what, log);
}

static bool has(const char *s, const char *needle)
{
	return strstr(s, needle) != NULL;
}

/* devauth probe against whatever listens on port; authenticated, measured, trusted. */
static bool probe(int port, const char *trans, const char *ver, const struct alg *a,
		  const char *pcap)
{
	char bin[400], hp[32], trust[64], want[32];
	const char *args[16];
	size_t n = 0;
	int rc;

	snprintf(hp, sizeof(hp), "127.0.0.1:%d", port);
	snprintf(trust, sizeof(trust), "%s/ca.cert.der", a->dir);
	args[n++] = "probe";
	args[n++] = "--connect";
	args[n++] = hp;
	args[n++] = "--transport";
	args[n++] = trans;
	args[n++] = "--spdm-version";
	args[n++] = ver;
	args[n++] = "--trust";
	args[n++] = trust;
	if (pcap) {
		args[n++] = "--pcap";
		args[n++] = pcap;
	}
	args[n] = NULL;
	rc = peer_run(peer_devauth_bin("devauth", bin, sizeof(bin)), args, out, OUT_MAX, 60);
	snprintf(want, sizeof(want), "SPDM %s,", ver);
	return rc == 0 && has(out, want) && has(out, a->ours) &&
	       has(out, "pass     challenge-signature") &&
	       has(out, "pass     measurements-signature") && has(out, "pass     trust") &&
	       has(out, "verdict: all checks passed");
}

static void ours_vs_dmtf_one(const char *dtrans, const char *trans, const char *ver,
			     const struct alg *a)
{
	const char *const args[] = { "--trans", dtrans, "--ver", ver, "--asym", a->dmtf, NULL };
	struct peer_proc p;
	char what[128];
	bool ok;

	snprintf(what, sizeof(what), "devauth -> spdm_responder_emu %s %s %s", dtrans, ver,
		 a->dmtf);
	assert_int_equal(peer_start_responder(&p, args, 20), 0);
	ok = probe(p.port, trans, ver, a, NULL);
	result(ok, what, out);
	if (!ok)
		peer_dump_log(&p);
	peer_stop(&p);
}

/* The DMTF requester; with a capture that devauth dump must verify as well. */
static bool dmtf_requester(int port, const char *dtrans, const char *ver, const struct alg *a,
			   const char *meas_op, const char *tag)
{
	char pcap[96], bin[400], trust[64], port_s[16];
	const char *args[] = {
		"--trans", dtrans, "--port", port_s, "--ver", ver, "--asym", a->dmtf,
		"--exe_conn", "VCA,DIGEST,CERT,CHAL,MEAS", "--meas_op", meas_op,
		"--exe_session", "NO_END", "--pcap", pcap, NULL };
	/* it writes no pcap for NONE (and prints its usage instead of running) */
	bool capture = strcmp(dtrans, "NONE");
	const char *dargs[] = { "dump", pcap, "--verify", "--trust", trust, NULL };
	int rc;

	snprintf(port_s, sizeof(port_s), "%d", port);
	snprintf(pcap, sizeof(pcap), "dmtf-%s-%d.pcap", tag, port);
	snprintf(trust, sizeof(trust), "%s/ca.cert.der", a->dir);
	if (!capture)
		args[14] = NULL;	/* "--pcap" */
	rc = peer_run("spdm_requester_emu", args, out, OUT_MAX, 60);
	if (rc || !has(out, "connect success!") || has(out, "ERROR"))
		return false;
	if (!capture)
		return true;
	rc = peer_run(peer_devauth_bin("devauth", bin, sizeof(bin)), dargs, out, OUT_MAX, 60);
	return rc == 0 && has(out, "pass     measurements-signature") &&
	       has(out, "verdict: all checks passed");
}

static void dmtf_vs_emu(const char *dtrans, const char *trans, const struct alg *a,
			const char *const *vers, size_t nvers)
{
	char slot[96];
	const char *const args[] = { "--transport", trans, "--asym", a->dmtf, "--slot", slot,
				     NULL };
	static const char *const flows[] = { "ONE_BY_ONE", "ALL" };
	struct peer_proc p;

	snprintf(slot, sizeof(slot), "0:%s/bundle_responder.certchain.der:%s/end_responder.key",
		 a->dir, a->dir);
	assert_int_equal(peer_start_emu(&p, args, 30), 0);
	for (size_t v = 0; v < nvers; v++) {
		if (a->v12 && strcmp(vers[v], "1.2") < 0)
			continue;
		for (size_t f = 0; f < 2; f++) {
			char what[128];
			bool ok;

			snprintf(what, sizeof(what),
				 "spdm_requester_emu -> devauth-emu %s %s %s %s", dtrans,
				 vers[v], a->dmtf, flows[f]);
			ok = dmtf_requester(p.port, dtrans, vers[v], a, flows[f], trans);
			result(ok, what, out);
			if (!ok)
				peer_dump_log(&p);
		}
	}
	assert_true(peer_alive(&p));
	peer_stop(&p);
}

static void mode_ours_vs_dmtf(void)
{
	const struct alg *a = find_alg(g_arg);

	for (size_t v = 0; v < 5; v++)
		if (!a->v12 || strcmp(versions[v], "1.2") >= 0)
			ours_vs_dmtf_one("PCI_DOE", "pci-doe", versions[v], a);
}

static void mode_dmtf_vs_emu(void)
{
	dmtf_vs_emu("PCI_DOE", "pci-doe", find_alg(g_arg), versions, 5);
}

/* A live 1.4 exchange of the two DMTF peers, captured by their requester, verified by us. */
static void dmtf_pair_v14(void)
{
	/* LARGE_RESP left out: the 16-bit reads; test_large_cert.c keeps it */
	const char *const rargs[] = { "--trans", "PCI_DOE", "--cap",
		"CACHE,CERT,CHAL,MEAS_SIG,MEAS_FRESH,ENCRYPT,MAC,MUT_AUTH,KEY_EX,"
		"PSK_WITH_CONTEXT,ENCAP,HBEAT,KEY_UPD,HANDSHAKE_IN_CLEAR,SET_CERT,CSR,"
		"MULTI_KEY_NEG,GET_KEY_PAIR_INFO,SET_KEY_PAIR_INFO", NULL };
	char port_s[16], bin[400];
	const char *qargs[] = { "--trans", "PCI_DOE", "--port", port_s, "--cap", "CERT,CHAL",
				"--other_param", "OPAQUE_FMT_1,MULTI_KEY_CONN",
				"--exe_conn", "DIGEST,CERT,CHAL,MEAS", "--exe_session", "NO_END",
				"--pcap", "dmtf-pair-v14.pcap", NULL };
	const char *const vargs[] = { "verify", "--pcap", "dmtf-pair-v14.pcap", "--trust",
				      "ecp384/ca.cert.der", NULL };
	struct peer_proc p;
	bool ok;
	int rc;

	assert_int_equal(peer_start_responder(&p, rargs, 20), 0);
	snprintf(port_s, sizeof(port_s), "%d", p.port);
	rc = peer_run("spdm_requester_emu", qargs, out, OUT_MAX, 60);
	ok = rc == 0 && !has(out, "ERROR");
	peer_stop(&p);
	if (ok) {
		rc = peer_run(peer_devauth_bin("devauth", bin, sizeof(bin)), vargs, out, OUT_MAX,
			      60);
		ok = rc == 0 && has(out, "dmtf-pair-v14.pcap: accepted");
	}
	result(ok, "devauth verify --pcap of a live SPDM 1.4 DMTF pair capture", out);
}

static void mode_transports(void)
{
	static const char *const v12[] = { "1.2" }, *const v10_14[] = { "1.0", "1.4" };

	ours_vs_dmtf_one("MCTP", "mctp", "1.2", find_alg("ECDSA_P384"));
	ours_vs_dmtf_one("MCTP", "mctp", "1.4", find_alg("RSAPSS_3072"));
	ours_vs_dmtf_one("NONE", "none", "1.3", find_alg("ECDSA_P256"));
	ours_vs_dmtf_one("NONE", "none", "1.1", find_alg("RSASSA_3072"));
	dmtf_vs_emu("MCTP", "mctp", find_alg("ECDSA_P384"), v10_14, 2);
	dmtf_vs_emu("NONE", "none", find_alg("EDDSA_25519"), v12, 1);
	dmtf_pair_v14();
}

struct vresult {
	unsigned int pass, fail, not_tested;
	int rc;
};

/* "test suite (spdm_responder_conformance_test) - pass: N, fail: M" in test.log */
static void run_validator(struct peer_proc *p, const char *who, struct vresult *v)
{
	char port_s[16], path[512];
	const char *vargs[] = { "--trans", "PCI_DOE", "--port", port_s, "--ver", g_arg, NULL };
	const char *s;
	FILE *f;
	size_t n;

	memset(v, 0, sizeof(*v));
	snprintf(port_s, sizeof(port_s), "%d", p->port);
	snprintf(path, sizeof(path), "%s/test.log", peer_dir());
	unlink(path);
	v->rc = peer_run("spdm_device_validator_sample", vargs, out, OUT_MAX, 300);
	f = fopen(path, "r");
	if (!f)
		fail_msg("the Validator wrote no %s against %s (exit %d):\n%s", path, who, v->rc,
			 out);
	n = fread(out, 1, OUT_MAX - 1, f);
	fclose(f);
	out[n] = '\0';
	s = strstr(out, "test suite (spdm_responder_conformance_test) - pass: ");
	if (!s || sscanf(s, "test suite (spdm_responder_conformance_test) - pass: %u, fail: %u",
			 &v->pass, &v->fail) != 2)
		fail_msg("no suite result in %s against %s (exit %d)", path, who, v->rc);
	for (s = out; (s = strstr(s, " - NOT_TESTED ")); s++)
		v->not_tested++;
	for (s = out; v->fail && (s = strstr(s, " - FAIL ")); s++) {
		const char *e = strchr(s, '\n'), *b = s;

		while (b > out && b[-1] != '\n')
			b--;
		fprintf(stderr, "%s: %.*s\n", who, (int)(e ? e - b : 200), b);
	}
	printf("Validator --ver %s against %s: pass %u, fail %u, not tested %u\n", g_arg, who,
	       v->pass, v->fail, v->not_tested);
}

/*
 * devauth-emu against the DMTF responder under the same settings: the
 * same Validator run, the same sample chain in slot 0, and the DMTF
 * responder without mutual authentication, which devauth-emu does not
 * offer (with it the Validator cannot open the DMTF responder's
 * sessions at all).  Ours must fail nothing, pass at least as much and
 * leave no more untested.
 */
static void mode_validator(void)
{
	const char *const args[] = { "--transport", "pci-doe", "--asym", "ECDSA_P384", "--slot",
		"0:ecp384/bundle_responder.certchain.der:ecp384/end_responder.key", NULL };
	const char *const dargs[] = { "--trans", "PCI_DOE", "--mut_auth", "NO",
				      "--basic_mut_auth", "NO", NULL };
	struct vresult ours, dmtf;
	struct peer_proc p;
	char what[160];

	assert_int_equal(peer_start_responder(&p, dargs, 20), 0);
	run_validator(&p, "spdm_responder_emu", &dmtf);
	peer_stop(&p);
	assert_int_equal(peer_start_emu(&p, args, 30), 0);
	run_validator(&p, "devauth-emu", &ours);
	assert_true(peer_alive(&p));
	peer_stop(&p);
	snprintf(what, sizeof(what),
		 "spdm_device_validator_sample --ver %s -> devauth-emu: pass %u >= %u, fail %u, NOT_TESTED %u <= %u",
		 g_arg, ours.pass, dmtf.pass, ours.fail, ours.not_tested, dmtf.not_tested);
	result(dmtf.pass > 0 && ours.rc == 0 && ours.fail == 0 && ours.pass >= dmtf.pass &&
	       ours.not_tested <= dmtf.not_tested, what, NULL);
}

/*
 * spdm_dump names every message it knows ("SPDM_GET_VERSION", ...); a
 * record it cannot read has no name, and a file it refuses only gets its
 * usage text.
 */
static void dump_one(const char *trans, const char *expect_link)
{
	const char *const args[] = { "--transport", trans, "--asym", "ECDSA_P384", "--slot",
		"0:ecp384/bundle_responder.certchain.der:ecp384/end_responder.key", NULL };
	static const char *const must[] = {
		"SPDM_GET_VERSION", "SPDM_VERSION", "SPDM_GET_CAPABILITIES", "SPDM_CAPABILITIES",
		"SPDM_NEGOTIATE_ALGORITHMS", "SPDM_ALGORITHMS", "SPDM_GET_DIGESTS",
		"SPDM_DIGESTS", "SPDM_GET_CERTIFICATE", "SPDM_CERTIFICATE", "SPDM_CHALLENGE",
		"SPDM_CHALLENGE_AUTH", "SPDM_GET_MEASUREMENTS", "SPDM_MEASUREMENTS", NULL };
	char pcap[64], what[128];
	const char *const dargs[] = { "-r", pcap, NULL };
	unsigned int spdm = 0, named = 0;
	struct peer_proc p;
	bool ok;
	int rc;

	snprintf(pcap, sizeof(pcap), "own-%s.pcap", trans);
	snprintf(what, sizeof(what), "spdm_dump -r on devauth's %s capture", trans);
	assert_int_equal(peer_start_emu(&p, args, 30), 0);
	ok = probe(p.port, trans, "1.4", find_alg("ECDSA_P384"), pcap);
	peer_stop(&p);
	if (!ok) {
		result(false, what, out);
		return;
	}
	rc = peer_run("spdm_dump", dargs, out, OUT_MAX, 60);
	for (char *l = out; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		char *nl = strchr(l, '\n'), *at;

		if (nl)
			*nl = '\0';
		at = strstr(l, "SPDM(");
		if (at) {
			spdm++;
			at = strstr(at, " SPDM_");
			if (at && at[6] >= 'A' && at[6] <= 'Z' && strncmp(at, " SPDM_UNKNOWN", 13))
				named++;
			else
				fprintf(stderr, "unnamed: %s\n", l);
		}
		if (nl)
			*nl = '\n';
	}
	ok = rc == 0 && has(out, expect_link) && has(out, "MaxPacketSize - 65536") &&
	     !has(out, "Usage") && spdm >= 14 && named == spdm;
	for (size_t i = 0; must[i]; i++) {
		char w[64];

		snprintf(w, sizeof(w), " %s (", must[i]);
		ok = ok && has(out, w);
	}
	printf("%s: %u SPDM records, %u named\n", pcap, spdm, named);
	result(ok, what, out);
}

static void mode_spdm_dump(void)
{
	dump_one("pci-doe", "DataLink - 292 (PCI_DOE)");
	dump_one("mctp", "DataLink - 291 (MCTP)");
}

static void test_slice(void **state)
{
	(void)state;
	out = malloc(OUT_MAX);
	assert_non_null(out);
	if (!strcmp(g_mode, "ours-vs-dmtf"))
		mode_ours_vs_dmtf();
	else if (!strcmp(g_mode, "dmtf-vs-emu"))
		mode_dmtf_vs_emu();
	else if (!strcmp(g_mode, "transports"))
		mode_transports();
	else if (!strcmp(g_mode, "validator"))
		mode_validator();
	else if (!strcmp(g_mode, "spdm-dump"))
		mode_spdm_dump();
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
