// SPDX-License-Identifier: MIT
/*
 * devauth dump --keylog on sessions that carry TDISP and IDE_KM:
 * `devauth probe --session --tdisp --ide-km --pcap --keylog` against
 * the DMTF spdm_responder_emu over PCI_DOE (SPDM 1.2 and 1.4, the
 * responder writing its own --pcap too), then both captures dumped.
 * Every secured message must open; the opened VENDOR_DEFINED messages
 * must name, in order, exactly the TDISP and IDE_KM flow probe ran; and
 * the fields dump decodes must be those probe saw live: the lock's
 * START_INTERFACE_NONCE in LOCK_INTERFACE_RESPONSE and again in
 * START_INTERFACE_REQUEST, the report's length from its portions, the
 * TDI state sequence, the KEY_PROG streams.
 *
 * Then the DMTF peers among themselves: spdm_requester_emu --exe_session
 * PSK,APP (its IDE_KM and TDISP flow) against spdm_responder_emu, SPDM
 * 1.2 and 1.4 (where both use the large VENDOR_DEFINED form).  No keylog
 * exists there, so `dump --psk` derives the session's secrets from the
 * capture; its secured messages must be those the DMTF spdm_dump opens
 * with the same PSK, and the TDISP flow must hold together (the lock's
 * nonce restarts the interface, the report portions add up, the states
 * go CONFIG_UNLOCKED -> CONFIG_LOCKED -> RUN -> CONFIG_UNLOCKED) with
 * every KEY_PROG acknowledged.  The --json outputs are checked against
 * docs/json/dump.schema.json.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include <json-c/json.h>

#include "peer_harness.h"

#define OUT_MAX (1 << 20)
#define PORTION "64"

static char out[OUT_MAX];
static unsigned int n_json;

/* The messages probe --tdisp --ide-km sends and gets, in order (report of 100 bytes). */
static const char *const flow[] = {
	"TDISP GET_TDISP_VERSION", "TDISP TDISP_VERSION",
	"TDISP GET_TDISP_CAPABILITIES", "TDISP TDISP_CAPABILITIES",
	"TDISP GET_DEVICE_INTERFACE_STATE", "TDISP DEVICE_INTERFACE_STATE",
	"TDISP LOCK_INTERFACE_REQUEST", "TDISP LOCK_INTERFACE_RESPONSE",
	"TDISP GET_DEVICE_INTERFACE_STATE", "TDISP DEVICE_INTERFACE_STATE",
	"TDISP GET_DEVICE_INTERFACE_REPORT", "TDISP DEVICE_INTERFACE_REPORT",
	"TDISP GET_DEVICE_INTERFACE_REPORT", "TDISP DEVICE_INTERFACE_REPORT",
	"TDISP START_INTERFACE_REQUEST", "TDISP START_INTERFACE_RESPONSE",
	"TDISP GET_DEVICE_INTERFACE_STATE", "TDISP DEVICE_INTERFACE_STATE",
	"TDISP STOP_INTERFACE_REQUEST", "TDISP STOP_INTERFACE_RESPONSE",
	"TDISP GET_DEVICE_INTERFACE_STATE", "TDISP DEVICE_INTERFACE_STATE",
	"IDE_KM QUERY", "IDE_KM QUERY_RESP",
	"IDE_KM KEY_PROG", "IDE_KM KP_ACK", "IDE_KM K_SET_GO", "IDE_KM K_GOSTOP_ACK",
	"IDE_KM K_SET_STOP", "IDE_KM K_GOSTOP_ACK",
	"IDE_KM KEY_PROG", "IDE_KM KP_ACK", "IDE_KM K_SET_GO", "IDE_KM K_GOSTOP_ACK",
	"IDE_KM K_SET_STOP", "IDE_KM K_GOSTOP_ACK",
};
#define NFLOW (sizeof(flow) / sizeof(flow[0]))

/* What probe --json saw live. */
struct live {
	char nonce[65];
	size_t report_len;
	const char *states[4];
	size_t nstates;
	json_object *root;
};

static void keep_json(const char *doc)
{
	char path[700];
	FILE *f;

	snprintf(path, sizeof(path), "%s/json", peer_dir());
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/json/dump.%u.json", peer_dir(), n_json++);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(doc, f);
	fclose(f);
}

static json_object *get(json_object *o, const char *key)
{
	json_object *v = NULL;

	if (!json_object_object_get_ex(o, key, &v))
		fail_msg("no \"%s\" in %.200s", key, json_object_to_json_string(o));
	return v;
}

static void probe(const char *ver, const char *pcap, const char *rsp_pcap, const char *keylog,
		  struct live *l)
{
	const char *const rargs[] = { "--trans", "PCI_DOE", "--ver", ver, "--pcap", rsp_pcap, NULL };
	char hp[32], bin[512];
	const char *const pargs[] = { "probe", "--connect", hp, "--transport", "pci-doe",
				      "--session", "--tdisp", "--report-portion", PORTION,
				      "--ide-km", "--pcap", pcap, "--keylog", keylog, "--json",
				      NULL };
	json_object *t, *st;
	struct peer_proc p;
	int rc;

	unlink(keylog);
	assert_int_equal(peer_start_responder(&p, rargs, 20), 0);
	snprintf(hp, sizeof(hp), "127.0.0.1:%d", p.port);
	rc = peer_run(peer_devauth_bin("devauth", bin, sizeof(bin)), pargs, out, OUT_MAX, 120);
	if (rc) {
		fprintf(stderr, "%s\n", out);
		peer_dump_log(&p);
	}
	assert_int_equal(rc, 0);
	/* The responder exits when the connection closes; its capture is complete then. */
	for (int i = 0; i < 100 && peer_alive(&p); i++)
		usleep(50000);
	peer_stop(&p);
	l->root = json_tokener_parse(out);
	assert_non_null(l->root);
	t = get(l->root, "tdisp");
	snprintf(l->nonce, sizeof(l->nonce), "%s", json_object_get_string(get(t, "nonce")));
	assert_int_equal(strlen(l->nonce), 64);
	l->report_len = strlen(json_object_get_string(get(t, "report"))) / 2;
	/* Two portions of PORTION bytes at most: the flow above. */
	assert_true(l->report_len > 64 && l->report_len <= 128);
	st = get(t, "states");
	l->nstates = json_object_array_length(st);
	assert_int_equal(l->nstates, 4);
	for (size_t i = 0; i < l->nstates; i++)
		l->states[i] = json_object_get_string(json_object_array_get_idx(st, i));
	assert_int_equal(json_object_get_int(get(get(l->root, "ide_km"), "keys_programmed")), 2);
}

/* The secured VENDOR_DEFINED messages of one dump --json: names and summaries, in order. */
static void check_dump(const char *pcap, const char *keylog, const struct live *l)
{
	const char *const args[] = { "dump", pcap, "--keylog", keylog, "--json", NULL };
	json_object *j, *msgs;
	char bin[512], want[200];
	size_t n = 0, state = 0, nreport = 0, key_prog = 0;
	int rc;

	rc = peer_run(peer_devauth_bin("devauth", bin, sizeof(bin)), args, out, OUT_MAX, 60);
	if (rc)
		fprintf(stderr, "%s\n", out);
	assert_int_equal(rc, 0);
	keep_json(out);
	j = json_tokener_parse(out);
	assert_non_null(j);
	assert_true(json_object_get_int(get(j, "secured")) > (int)NFLOW);
	assert_int_equal(json_object_get_int(get(j, "decrypted")),
			 json_object_get_int(get(j, "secured")));
	msgs = get(j, "messages");
	for (size_t i = 0; i < json_object_array_length(msgs); i++) {
		json_object *m = json_object_array_get_idx(msgs, i), *v;
		const char *code = json_object_get_string(get(m, "message"));
		const char *sum = json_object_get_string(get(m, "summary"));
		const char *dir = json_object_get_string(get(m, "direction"));
		const char *proto, *name;
		char got[100];

		if (strncmp(code, "VENDOR_DEFINED_", 15))
			continue;
		/* Every VENDOR_DEFINED message here is inside the session and opened. */
		assert_true(json_object_get_boolean(get(m, "decrypted")));
		if (!json_object_object_get_ex(m, "protocol", &v))
			fail_msg("record %d: VENDOR_DEFINED not decoded: %s",
				 json_object_get_int(get(m, "record")), sum);
		proto = json_object_get_string(v);
		name = json_object_get_string(get(m, "protocol_message"));
		snprintf(got, sizeof(got), "%s %s", proto, name);
		assert_true(n < NFLOW);
		if (strcmp(got, flow[n]))
			fail_msg("VENDOR_DEFINED #%zu: dump says %s, probe sent %s", n, got, flow[n]);
		/* The summary names the same message, and the keys say who sent it. */
		snprintf(want, sizeof(want), "%s ", proto);
		assert_non_null(strstr(sum, want));
		assert_non_null(strstr(sum, name));
		assert_string_equal(dir, n % 2 ? "response" : "request");
		assert_string_equal(code, n % 2 ? "VENDOR_DEFINED_RESPONSE" :
						  "VENDOR_DEFINED_REQUEST");
		if (!strcmp(name, "LOCK_INTERFACE_RESPONSE") ||
		    !strcmp(name, "START_INTERFACE_REQUEST")) {
			snprintf(want, sizeof(want), " nonce %s", l->nonce);
			if (!strstr(sum, want))
				fail_msg("%s: %s, probe's lock nonce %s", name, sum, l->nonce);
		}
		if (!strcmp(name, "LOCK_INTERFACE_REQUEST"))
			assert_non_null(strstr(sum, " flags 0x"));
		if (!strcmp(name, "GET_DEVICE_INTERFACE_REPORT")) {
			snprintf(want, sizeof(want), " offset %s length " PORTION,
				 nreport ? PORTION : "0");
			assert_non_null(strstr(sum, want));
		}
		if (!strcmp(name, "DEVICE_INTERFACE_REPORT")) {
			size_t rest = l->report_len - 64;

			if (nreport++)
				snprintf(want, sizeof(want), " portion %zu remainder 0", rest);
			else
				snprintf(want, sizeof(want), " portion 64 remainder %zu", rest);
			if (!strstr(sum, want))
				fail_msg("%s: %s, want%s", name, sum, want);
		}
		if (!strcmp(name, "DEVICE_INTERFACE_STATE")) {
			assert_true(state < l->nstates);
			snprintf(want, sizeof(want), " state %s", l->states[state++]);
			assert_non_null(strstr(sum, want));
		}
		if (!strcmp(name, "KEY_PROG")) {
			/* probe programs key set 0 of stream 0, receive then transmit. */
			snprintf(want, sizeof(want), " stream 0 key set K0 %s PR port 0",
				 key_prog++ ? "TX" : "RX");
			assert_non_null(strstr(sum, want));
		}
		if (!strcmp(name, "KP_ACK"))
			assert_non_null(strstr(sum, " status Successful"));
		n++;
	}
	assert_int_equal(n, NFLOW);
	assert_int_equal(state, l->nstates);
	assert_int_equal(nreport, 2);
	assert_int_equal(key_prog, 2);
	json_object_put(j);
}

/* Text output: the same decoding, one line per message. */
static void check_text(const char *pcap, const char *keylog, const struct live *l)
{
	const char *const args[] = { "dump", pcap, "--keylog", keylog, NULL };
	char bin[512], want[200];
	int rc;

	rc = peer_run(peer_devauth_bin("devauth", bin, sizeof(bin)), args, out, OUT_MAX, 60);
	assert_int_equal(rc, 0);
	snprintf(want, sizeof(want), "TDISP 1.0 LOCK_INTERFACE_RESPONSE interface 0x00000000 nonce %s",
		 l->nonce);
	assert_non_null(strstr(out, want));
	assert_non_null(strstr(out, "] TDISP 1.0 GET_TDISP_VERSION interface 0x00000000\n"));
	assert_non_null(strstr(out, "] IDE_KM QUERY port 0\n"));
	assert_non_null(strstr(out, "] IDE_KM K_SET_GO stream 0 key set K0 TX PR port 0\n"));
}

static void one(const char *ver)
{
	char pcap[600], rsp_pcap[600], keylog[600];
	struct live l;

	snprintf(pcap, sizeof(pcap), "%s/tdisp-%s-%d.pcap", peer_dir(), ver, getpid());
	snprintf(rsp_pcap, sizeof(rsp_pcap), "%s/tdisp-rsp-%s-%d.pcap", peer_dir(), ver, getpid());
	snprintf(keylog, sizeof(keylog), "%s/tdisp-keys-%s-%d.txt", peer_dir(), ver, getpid());
	memset(&l, 0, sizeof(l));
	probe(ver, pcap, rsp_pcap, keylog, &l);
	/* Our capture, then the DMTF responder's of the same connection. */
	check_dump(pcap, keylog, &l);
	check_dump(rsp_pcap, keylog, &l);
	check_text(pcap, keylog, &l);
	json_object_put(l.root);
}

static void test_12(void **state)
{
	(void)state;
	one("1.2");
}

static void test_14(void **state)
{
	(void)state;
	one("1.4");
}

/* Without the keylog nothing is decoded: no TDISP line may appear. */
static void test_no_keylog(void **state)
{
	char pcap[600], rsp_pcap[600], keylog[600], bin[512];
	const char *const args[] = { "dump", pcap, NULL };
	struct live l;
	int rc;

	(void)state;
	snprintf(pcap, sizeof(pcap), "%s/nokeys-%d.pcap", peer_dir(), getpid());
	snprintf(rsp_pcap, sizeof(rsp_pcap), "%s/nokeys-rsp-%d.pcap", peer_dir(), getpid());
	snprintf(keylog, sizeof(keylog), "%s/nokeys-%d.txt", peer_dir(), getpid());
	memset(&l, 0, sizeof(l));
	probe("1.3", pcap, rsp_pcap, keylog, &l);
	json_object_put(l.root);
	rc = peer_run(peer_devauth_bin("devauth", bin, sizeof(bin)), args, out, OUT_MAX, 60);
	assert_int_equal(rc, 0);
	assert_non_null(strstr(out, " secured "));
	assert_null(strstr(out, "TDISP"));
	assert_null(strstr(out, "IDE_KM"));
}

/* The emulators' "TestPskData", NUL included. */
#define DMTF_PSK "5465737450736b4461746100"
#define MAX_SECURED 256

/* spdm_dump's names of one session's secured messages, in order. */
static size_t dmtf_names(const char *pcap, const char *sid, char names[][40], size_t max)
{
	const char *const args[] = { "-r", pcap, "--psk", DMTF_PSK, NULL };
	char tag[40];
	size_t n = 0;
	int rc;

	rc = peer_run("spdm_dump", args, out, OUT_MAX, 60);
	assert_int_equal(rc, 0);
	snprintf(tag, sizeof(tag), "SecuredSPDM(%s)", sid);
	for (char *l = out; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		char *nl = strchr(l, '\n'), *at;

		if (nl)
			*nl = '\0';
		if (strstr(l, tag) && (at = strstr(l, " SPDM_"))) {
			assert_true(n < max);
			assert_int_equal(sscanf(at + 6, "%39s", names[n]), 1);
			n++;
		}
		if (nl)
			*nl = '\n';
	}
	return n;
}

static size_t count_in(const char *const *v, size_t n, const char *s)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		k += !strcmp(v[i], s);
	return k;
}

static void dmtf_requester(const char *ver)
{
	const char *const rargs[] = { "--trans", "PCI_DOE", "--ver", ver, NULL };
	char pcap[600], port[16], bin[512], sid[16] = "", nonce[2][65] = { "", "" };
	const char *qargs[] = { "--trans", "PCI_DOE", "--port", port, "--ver", ver,
				"--exe_conn", "DIGEST", "--exe_session", "PSK,APP", "--pcap", pcap,
				NULL };
	const char *const dargs[] = { "dump", pcap, "--psk", DMTF_PSK, "--json", NULL };
	static char dmtf[MAX_SECURED][40], ours[MAX_SECURED][40];
	const char *tdisp[NFLOW], *states[8];
	unsigned int want_len = 0, got_len = 0, portions = 0, acked = 0;
	unsigned int cxl_idekm_query = 0, cxl_tsp_lock = 0;
	size_t n = 0, nt = 0, ns = 0, nd;
	json_object *j, *msgs;
	struct peer_proc p;
	int rc;

	snprintf(pcap, sizeof(pcap), "%s/dmtf-psk-%s-%d.pcap", peer_dir(), ver, getpid());
	assert_int_equal(peer_start_responder(&p, rargs, 20), 0);
	snprintf(port, sizeof(port), "%d", p.port);
	rc = peer_run("spdm_requester_emu", qargs, out, OUT_MAX, 120);
	if (rc || strstr(out, "ERROR")) {
		peer_dump_log(&p);
		fail_msg("spdm_requester_emu --exe_session PSK,APP: exit %d\n%.2000s", rc, out);
	}
	for (int i = 0; i < 100 && peer_alive(&p); i++)
		usleep(50000);
	peer_stop(&p);

	/* A second session with a PSK we do not know may follow: it stays closed, exit 1. */
	rc = peer_run(peer_devauth_bin("devauth", bin, sizeof(bin)), dargs, out, OUT_MAX, 60);
	if (rc != 0 && rc != 1)
		fail_msg("dump --psk: exit %d\n%.2000s", rc, out);
	keep_json(out);
	j = json_tokener_parse(out);
	assert_non_null(j);
	msgs = get(j, "messages");
	for (size_t i = 0; i < json_object_array_length(msgs); i++) {
		json_object *m = json_object_array_get_idx(msgs, i), *v;
		const char *code = json_object_get_string(get(m, "message"));
		const char *sum = json_object_get_string(get(m, "summary"));
		const char *id, *name;
		char *at;

		if (!json_object_object_get_ex(m, "session_id", &v))
			continue;
		id = json_object_get_string(v);
		if (!sid[0])
			snprintf(sid, sizeof(sid), "%s", id);
		if (strcmp(id, sid))
			continue;
		/* The first session is the PSK's: every message of it opens. */
		if (!json_object_get_boolean(get(m, "decrypted")))
			fail_msg("record %d of session %s not opened", json_object_get_int(get(m, "record")), sid);
		assert_true(n < MAX_SECURED);
		snprintf(ours[n++], sizeof(ours[0]), "%s", code);
		if (!json_object_object_get_ex(m, "protocol_message", &v))
			continue;
		name = json_object_get_string(v);
		/* The CXL part of the APP flow: named, its lifecycle is not ours to check here. */
		if (!strncmp(json_object_get_string(get(m, "protocol")), "CXL_", 4)) {
			cxl_idekm_query += !strcmp(name, "QUERY");
			cxl_tsp_lock += !strcmp(name, "LOCK_TARGET_CONFIGURATION") ||
					!strcmp(name, "LOCK_TARGET_CONFIGURATION_RSP");
			assert_string_not_equal(name, "unknown");
			continue;
		}
		if (!strcmp(json_object_get_string(get(m, "protocol")), "IDE_KM")) {
			if (!strcmp(name, "KP_ACK")) {
				assert_non_null(strstr(sum, " status Successful"));
				acked++;
			}
			continue;
		}
		assert_true(nt < NFLOW);
		tdisp[nt++] = name;
		if (!strcmp(name, "LOCK_INTERFACE_RESPONSE") || !strcmp(name, "START_INTERFACE_REQUEST")) {
			at = strstr(sum, " nonce ");
			assert_non_null(at);
			snprintf(nonce[name[0] == 'S'], sizeof(nonce[0]), "%.64s", at + 7);
		}
		if (!strcmp(name, "DEVICE_INTERFACE_STATE")) {
			at = strstr(sum, " state ");
			assert_non_null(at);
			assert_true(ns < 8);
			states[ns++] = at + 7;
		}
		if (!strcmp(name, "DEVICE_INTERFACE_REPORT")) {
			unsigned int pl, rem;

			at = strstr(sum, " portion ");
			assert_non_null(at);
			assert_int_equal(sscanf(at, " portion %u remainder %u", &pl, &rem), 2);
			if (!portions++)
				want_len = pl + rem;
			got_len += pl;
		}
	}
	/* The same secured messages, in the same order, as the DMTF spdm_dump opens. */
	assert_true(sid[0]);
	nd = dmtf_names(pcap, sid, dmtf, MAX_SECURED);
	assert_int_equal(nd, n);
	for (size_t i = 0; i < n; i++)
		if (strcmp(dmtf[i], ours[i]))
			fail_msg("secured #%zu: spdm_dump says %s, devauth dump %s", i, dmtf[i], ours[i]);
	/* The TDISP lifecycle, as probe runs it (the DMTF requester reads the report in two). */
	for (size_t i = 0, k = 0; i < NFLOW; i++) {
		if (strncmp(flow[i], "TDISP ", 6))
			continue;
		assert_true(k < nt);
		if (strcmp(tdisp[k], flow[i] + 6))
			fail_msg("TDISP #%zu: %s, want %s", k, tdisp[k], flow[i] + 6);
		k++;
	}
	assert_int_equal(nt, 22);
	assert_true(nonce[0][0]);
	assert_string_equal(nonce[0], nonce[1]);
	assert_int_equal(portions, 2);
	assert_int_equal(got_len, want_len);
	assert_int_equal(ns, 4);
	assert_true(!strncmp(states[0], "CONFIG_UNLOCKED", 15) && !strncmp(states[1], "CONFIG_LOCKED", 13) &&
		    !strncmp(states[2], "RUN", 3) && !strncmp(states[3], "CONFIG_UNLOCKED", 15));
	assert_true(acked >= 1);
	assert_true(cxl_idekm_query >= 1);
	assert_int_equal(cxl_tsp_lock, 2);
	assert_int_equal(count_in((const char *const *)tdisp, nt, "TDISP_ERROR"), 0);
	json_object_put(j);
}

static void test_dmtf_requester_12(void **state)
{
	(void)state;
	dmtf_requester("1.2");
}

static void test_dmtf_requester_14(void **state)
{
	(void)state;
	dmtf_requester("1.4");
}

static void test_schema(void **state)
{
	char schemas[600], dir[600], bin[700], from[700];
	const char *const cargs[] = { from, schemas, NULL };
	const char *const vargs[] = { bin, schemas, dir, NULL };
	const char *src = getenv("DEVAUTH_SRC");
	int rc;

	(void)state;
	assert_non_null(src);
	assert_int_equal(n_json, 6);
	snprintf(schemas, sizeof(schemas), "%s/schemas", peer_dir());
	mkdir(schemas, 0700);
	snprintf(from, sizeof(from), "%s/docs/json/dump.schema.json", src);
	assert_int_equal(peer_run("/bin/cp", cargs, out, OUT_MAX, 10), 0);
	snprintf(dir, sizeof(dir), "%s/json", peer_dir());
	snprintf(bin, sizeof(bin), "%s/tests/e2e/json_validate.py", src);
	rc = peer_run("/usr/bin/python3", vargs, out, OUT_MAX, 60);
	if (rc)
		fprintf(stderr, "%s\n", out);
	assert_int_equal(rc, 0);
	assert_non_null(strstr(out, "6 documents"));
	assert_non_null(strstr(out, " 0 bad"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_12),
		cmocka_unit_test(test_14),
		cmocka_unit_test(test_no_keylog),
		cmocka_unit_test(test_dmtf_requester_12),
		cmocka_unit_test(test_dmtf_requester_14),
		cmocka_unit_test(test_schema),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
