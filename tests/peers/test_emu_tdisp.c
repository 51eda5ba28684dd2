// SPDX-License-Identifier: MIT
/*
 * TDISP and IDE_KM served by devauth-emu (PCI_DOE), one slice per process:
 *
 *   ours     devauth probe --session --tdisp --ide-km against devauth-emu:
 *            SPDM 1.2-1.4, both default interfaces (FUNCTION_ID 0 and
 *            0xBEEF), the report in one portion and in 16-byte portions;
 *            the states walk CONFIG_UNLOCKED -> CONFIG_LOCKED -> RUN ->
 *            CONFIG_UNLOCKED and the report is the one of docs/emu.md
 *   config   a config file's "tdisp": an interface of its own (FUNCTION_ID,
 *            flags, MSI-X / LNR / TPH, an MMIO range, device-specific
 *            info) in the report as given; "tdisp": false on the second
 *            device: VENDOR_DEFINED is UnsupportedRequest
 *   faults   the report and lock faults of docs/faults.md: devauth probe
 *            fails with exit status 1 and the error naming the field
 *   dmtf-app the DMTF spdm_requester_emu --exe_session KEY_EX,APP, SPDM
 *            1.2-1.4: PCI IDE_KM, TDISP, CXL IDE_KM, CXL TSP and the TSP
 *            secondary PSK session, exit status 0 and no ERROR line; the
 *            device's log names the CXL messages it answered
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

static const char *const versions[] = { "1.2", "1.3", "1.4" };
static const char *g_mode;
static unsigned int g_fail;
static char *out;

static void result(bool ok, const char *what)
{
	printf("%s %s\n", ok ? "PASS" : "FAIL", what);
	if (ok)
		return;
	g_fail++;
	fprintf(stderr, "--- %s\n%.8000s\n---\n", what, out);
}

static bool has(const char *s, const char *needle)
{
	return strstr(s, needle) != NULL;
}

static int probe(int port, const char *const *extra)
{
	char bin[400], hp[32];
	const char *args[32];
	size_t n = 0;

	snprintf(hp, sizeof(hp), "127.0.0.1:%d", port);
	args[n++] = "probe";
	args[n++] = "--connect";
	args[n++] = hp;
	args[n++] = "--transport";
	args[n++] = "pci-doe";
	args[n++] = "--trust";
	args[n++] = "ecp384/ca.cert.der";
	args[n++] = "--session";
	args[n++] = "--tdisp";
	for (; extra && *extra && n < 31; extra++)
		args[n++] = *extra;
	args[n] = NULL;
	return peer_run(peer_devauth_bin("devauth", bin, sizeof(bin)), args, out, OUT_MAX, 120);
}

static void mode_ours(void)
{
	const char *const args[] = { "--transport", "pci-doe", "--asym", "ECDSA_P384", "--slot",
				     SLOT0, NULL };
	struct peer_proc p;
	char what[160];
	int rc;

	assert_int_equal(peer_start_emu(&p, args, 30), 0);
	for (size_t v = 0; v < 3; v++) {
		const char *whole[] = { "--spdm-version", versions[v], "--ide-km", NULL };
		const char *beef[] = { "--spdm-version", versions[v], "--function-id", "0xbeef",
				       "--report-portion", "16", NULL };

		rc = probe(p.port, whole);
		snprintf(what, sizeof(what),
			 "devauth probe --session --tdisp --ide-km -> devauth-emu SPDM %s, interface 0",
			 versions[v]);
		result(rc == 0 && has(out, "TDISP 1.0 interface 0x00000000: lock nonce ") &&
		       has(out, "report: 76 bytes in 1 portions; INTERFACE_INFO 0x0003") &&
		       has(out, "MMIO range 1: first page 0x0000000000010000, 1 pages, attributes 0x0001 MSIX_TABLE") &&
		       has(out, "states: CONFIG_UNLOCKED -> CONFIG_LOCKED -> RUN -> CONFIG_UNLOCKED") &&
		       has(out, "2 keys programmed, K_SET_GO and K_SET_STOP acknowledged") &&
		       has(out, "verdict: all checks passed"), what);
		rc = probe(p.port, beef);
		snprintf(what, sizeof(what),
			 "devauth probe --session --tdisp -> devauth-emu SPDM %s, interface 0xBEEF in 16-byte portions",
			 versions[v]);
		result(rc == 0 && has(out, "TDISP 1.0 interface 0x0000beef: lock nonce ") &&
		       has(out, "report: 40 bytes in 3 portions; INTERFACE_INFO 0x0005") &&
		       has(out, "MMIO range 0: first page 0x0000000000020000, 4 pages") &&
		       has(out, "states: CONFIG_UNLOCKED -> CONFIG_LOCKED -> RUN -> CONFIG_UNLOCKED") &&
		       has(out, "verdict: all checks passed"), what);
	}
	assert_true(peer_alive(&p));
	peer_stop(&p);
}

static const char config_json[] =
	"{ \"devices\": [\n"
	"  { \"name\": \"tdi0\", \"asym\": [\"ECDSA_P384\"],\n"
	"    \"slots\": [ { \"slot\": 0, \"chain\": \"ecp384/bundle_responder.certchain.der\",\n"
	"                 \"key\": \"ecp384/end_responder.key\" } ],\n"
	"    \"tdisp\": { \"lock-flags\": 1, \"interfaces\": [\n"
	"      { \"function-id\": \"0x10\", \"interface-info\": 8, \"msix-control\": \"0x8001\",\n"
	"        \"lnr-control\": 1, \"tph-control\": \"0x100\",\n"
	"        \"mmio\": [ { \"first-page\": \"0x4000\", \"pages\": 2, \"attributes\": 4,\n"
	"                    \"range-id\": 7 } ],\n"
	"        \"device-info-hex\": \"de:ad:be:ef:01\" } ] } },\n"
	"  { \"name\": \"plain\", \"asym\": [\"ECDSA_P384\"], \"tdisp\": false }\n"
	"] }\n";

static void mode_config(void)
{
	char path[600];
	const char *const args[] = { "--transport", "pci-doe", "--config", path, NULL };
	const char *const tdi[] = { "--function-id", "0x10", NULL };
	const char *const none[] = { NULL };
	struct peer_proc p;
	FILE *f;
	int rc;

	snprintf(path, sizeof(path), "%s/emu-tdisp.json", peer_dir());
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fputs(config_json, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(peer_start_emu(&p, args, 60), 0);
	rc = probe(p.port, tdi);
	result(rc == 0 && has(out, "TDISP 1.0 interface 0x00000010: lock nonce ") &&
	       has(out, "report: 41 bytes in 1 portions; INTERFACE_INFO 0x0008 ATS; MSI-X control 0x8001, LNR control 0x0001, TPH control 0x00000100") &&
	       has(out, "MMIO range 7: first page 0x0000000000004000, 2 pages, attributes 0x0004 NON_TEE") &&
	       has(out, "device-specific info: 5 bytes deadbeef01") &&
	       has(out, "states: CONFIG_UNLOCKED -> CONFIG_LOCKED -> RUN -> CONFIG_UNLOCKED"),
	       "devauth probe --tdisp: the interface of a config file's \"tdisp\"");
	rc = probe(p.port, none);
	result(rc == 1 && has(out, "TDISP GET_TDISP_CAPABILITIES: device answered ") &&
	       has(out, "TDISP_ERROR INVALID_INTERFACE"),
	       "devauth probe --tdisp: FUNCTION_ID 0 is not among the config's interfaces");
	rc = probe(p.port + 1, none);
	result(rc == 1 &&
	       has(out, "VENDOR_DEFINED_REQUEST: device answered ERROR UnsupportedRequest"),
	       "devauth probe --tdisp: \"tdisp\": false, no VENDOR_DEFINED");
	assert_true(peer_alive(&p));
	peer_stop(&p);
}

struct fault_case {
	const char *fault;
	const char *msg;
};

static const struct fault_case faults[] = {
	{ "report-changes",
	  "TDISP DEVICE_INTERFACE_REPORT: OFFSET 16 + PORTION_LENGTH 16 + REMAINDER_LENGTH 48 is not the report length 76 of the first portion" },
	{ "lock-refused",
	  "TDISP LOCK_INTERFACE_REQUEST: device answered TDISP_ERROR INVALID_DEVICE_CONFIGURATION (0x0104" },
	{ "report-mmio-overrun",
	  "TDISP interface report: MMIO_RANGE_COUNT 4 overruns the report (60 bytes left)" },
};

static void mode_faults(void)
{
	for (size_t i = 0; i < sizeof(faults) / sizeof(faults[0]); i++) {
		const struct fault_case *f = &faults[i];
		const char *const args[] = { "--transport", "pci-doe", "--asym", "ECDSA_P384",
					     "--slot", SLOT0, "--fault", f->fault, NULL };
		const char *extra[] = { "--report-portion", "16", NULL };
		char what[128], expect[320];
		struct peer_proc p;
		int rc;

		assert_int_equal(peer_start_emu(&p, args, 30), 0);
		snprintf(expect, sizeof(expect), "error: 127.0.0.1:%d: %s", p.port, f->msg);
		rc = probe(p.port, extra);
		snprintf(what, sizeof(what), "devauth probe --session --tdisp against fault %s",
			 f->fault);
		result(rc == 1 && has(out, expect) && has(out, "verdict: FAILED") &&
		       !has(out, "-> RUN"), what);
		assert_true(peer_alive(&p));
		peer_stop(&p);
	}
}

static const char *const cxl_lines[] = {
	"CXL IDE_KM QUERY port 0: QUERY_RESP",
	"CXL IDE_KM GET_KEY port 0: GET_KEY_ACK",
	"CXL IDE_KM KEY_PROG port 0 Rx: KP_ACK status 0",
	"CXL IDE_KM KEY_PROG port 0 Tx: KP_ACK status 0",
	"CXL IDE_KM K_SET_GO port 0 Rx: K_GOSTOP_ACK",
	"CXL IDE_KM K_SET_GO port 0 Tx: K_GOSTOP_ACK",
	"CXL TSP SET_TARGET_CONFIGURATION: 1 secondary session PSK(s)",
	"CXL TSP GET_TARGET_CONFIGURATION_REPORT offset 0: 220 bytes",
	"CXL TSP LOCK_TARGET_CONFIGURATION: CONFIG_LOCKED",
	"CXL TSP SET_TARGET_TE_STATE 1: 1 range(s)",
	"PSK_EXCHANGE: CXL TSP secondary session 0",
	"CXL IDE_KM K_SET_STOP port 0 Tx: K_GOSTOP_ACK",
};

static void mode_dmtf_app(void)
{
	const char *const args[] = { "--transport", "pci-doe", "--asym", "ECDSA_P384", "--slot",
				     SLOT0, "--verbose", NULL };

	for (size_t v = 0; v < 3; v++) {
		char port[16], what[160];
		const char *rargs[] = { "--trans", "PCI_DOE", "--port", port, "--ver", versions[v],
					"--exe_conn", "VCA,DIGEST,CERT", "--exe_session",
					"KEY_EX,APP", NULL };
		struct peer_proc p;
		bool logged = true;
		int rc;

		assert_int_equal(peer_start_emu(&p, args, 30), 0);
		snprintf(port, sizeof(port), "%d", p.port);
		rc = peer_run("spdm_requester_emu", rargs, out, OUT_MAX, 120);
		snprintf(what, sizeof(what),
			 "spdm_requester_emu --exe_session KEY_EX,APP -> devauth-emu SPDM %s",
			 versions[v]);
		result(rc == 0 && has(out, "connect success!") && !has(out, "ERROR"), what);
		for (size_t i = 0; i < sizeof(cxl_lines) / sizeof(cxl_lines[0]); i++) {
			if (peer_log_contains(&p, cxl_lines[i]))
				continue;
			fprintf(stderr, "devauth-emu log lacks \"%s\"\n", cxl_lines[i]);
			logged = false;
		}
		snprintf(what, sizeof(what), "devauth-emu logged the CXL messages, SPDM %s",
			 versions[v]);
		if (!logged)
			peer_dump_log(&p);
		result(logged, what);
		assert_true(peer_alive(&p));
		peer_stop(&p);
	}
}

static void test_slice(void **state)
{
	(void)state;
	out = malloc(OUT_MAX);
	assert_non_null(out);
	if (!strcmp(g_mode, "ours"))
		mode_ours();
	else if (!strcmp(g_mode, "faults"))
		mode_faults();
	else if (!strcmp(g_mode, "config"))
		mode_config();
	else if (!strcmp(g_mode, "dmtf-app"))
		mode_dmtf_app();
	else
		fail_msg("unknown mode %s", g_mode);
	free(out);
	assert_int_equal(g_fail, 0);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_slice),
	};

	if (argc < 2) {
		fprintf(stderr, "usage: %s MODE\n", argv[0]);
		return 2;
	}
	g_mode = argv[1];
	setvbuf(stdout, NULL, _IOLBF, 0);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
