// SPDX-License-Identifier: MIT
/*
 * Keylogs against the DMTF tools: `devauth probe --session --pcap
 * --keylog` with the DMTF spdm_responder_emu (itself writing --pcap),
 * then
 *   - `devauth dump --keylog` opens every secured message of our
 *     capture and of the DMTF responder's, and names each with the
 *     direction whose keys opened it (checked against the message's
 *     own request/response code);
 *   - the DMTF spdm_dump, given the keylog's dhe_secret (or the PSK),
 *     decodes our capture: every secured record with its direction and
 *     a named message, the same messages in the same order as ours;
 *   - a keylog with a wrong secret opens nothing and dump fails.
 * Over PCI_DOE and MCTP, UpdateKey and UpdateAllKeys, the handshake
 * encrypted and in the clear, and a PSK session.
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
#define MAX_SECURED 64

static char out[OUT_MAX];
static unsigned int n_json;

/* Keep a --json document for the schema check at the end. */
static void keep_json(const char *schema, const char *doc)
{
	char path[700];
	FILE *f;

	snprintf(path, sizeof(path), "%s/json", peer_dir());
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/json/%s.%u.json", peer_dir(), schema, n_json++);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(doc, f);
	fclose(f);
}

struct run {
	const char *trans, *ver;
	bool all_keys, in_clear, psk;
};

/* The decoded secured messages of one `devauth dump --keylog --json`, in order. */
struct decoded {
	unsigned int n, secured, decrypted;
	char name[MAX_SECURED][32];
};

static void keylog_value(const char *path, const char *label, char *hex, size_t len)
{
	char line[512], l[32];
	FILE *f = fopen(path, "r");

	assert_non_null(f);
	hex[0] = '\0';
	while (fgets(line, sizeof(line), f)) {
		char v[300];

		if (sscanf(line, "SPDM_SESSION %*s %31s %299s", l, v) == 2 && !strcmp(l, label)) {
			snprintf(hex, len, "%s", v);
			break;
		}
	}
	fclose(f);
	assert_true(hex[0]);
}

static void our_dump(const char *pcap, const char *keylog, struct decoded *d)
{
	const char *const args[] = { "dump", pcap, "--keylog", keylog, "--json", NULL };
	struct json_object *j, *msgs, *v;
	char bin[512];
	int rc;

	memset(d, 0, sizeof(*d));
	rc = peer_run(peer_devauth_bin("devauth", bin, sizeof(bin)), args, out, OUT_MAX, 60);
	if (rc)
		fprintf(stderr, "%s\n", out);
	assert_int_equal(rc, 0);
	keep_json("dump", out);
	j = json_tokener_parse(out);
	assert_non_null(j);
	assert_true(json_object_object_get_ex(j, "secured", &v));
	d->secured = (unsigned int)json_object_get_int(v);
	assert_true(json_object_object_get_ex(j, "decrypted", &v));
	d->decrypted = (unsigned int)json_object_get_int(v);
	assert_true(json_object_object_get_ex(j, "messages", &msgs));
	for (size_t i = 0; i < json_object_array_length(msgs); i++) {
		struct json_object *m = json_object_array_get_idx(msgs, i), *dir, *name, *dec;
		const char *nm;

		assert_true(json_object_object_get_ex(m, "direction", &dir));
		assert_true(json_object_object_get_ex(m, "message", &name));
		nm = json_object_get_string(name);
		if (!json_object_object_get_ex(m, "decrypted", &dec))
			continue;
		assert_true(json_object_get_boolean(dec));
		/*
		 * The direction comes from the keys that opened the message;
		 * the message's code must agree (requests are GET_*, FINISH,
		 * HEARTBEAT, ...; responses end in _RSP, _ACK or are data).
		 */
		if (!strcmp(json_object_get_string(dir), "request"))
			assert_true(!strncmp(nm, "GET_", 4) || !strcmp(nm, "FINISH") ||
				    !strcmp(nm, "PSK_FINISH") || !strcmp(nm, "HEARTBEAT") ||
				    !strcmp(nm, "KEY_UPDATE") || !strcmp(nm, "END_SESSION"));
		else
			assert_string_equal(json_object_get_string(dir), "response");
		if (!strcmp(json_object_get_string(dir), "response"))
			assert_true(strncmp(nm, "GET_", 4) && strcmp(nm, "FINISH") &&
				    strcmp(nm, "HEARTBEAT") && strcmp(nm, "KEY_UPDATE") &&
				    strcmp(nm, "END_SESSION"));
		assert_true(d->n < MAX_SECURED);
		snprintf(d->name[d->n++], sizeof(d->name[0]), "%s", nm);
	}
	json_object_put(j);
	assert_true(d->secured >= 12);
	assert_int_equal(d->decrypted, d->secured);
	assert_int_equal(d->n, d->secured);
}

/* spdm_dump's line: "... REQ->RSP SecuredSPDM(0x...) SPDM(14, 0xe8) SPDM_HEARTBEAT (...)". */
static void dmtf_dump(const char *pcap, const char *secret_opt, const char *secret,
		      const struct decoded *ours)
{
	const char *const args[] = { "-r", pcap, secret_opt, secret, NULL };
	unsigned int n = 0;
	int rc;

	rc = peer_run("spdm_dump", args, out, OUT_MAX, 60);
	assert_int_equal(rc, 0);
	for (char *l = out; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		char *nl = strchr(l, '\n'), *at, name[40];

		if (nl)
			*nl = '\0';
		if (strstr(l, "SecuredSPDM(")) {
			if (strstr(l, "<Unknown>") || strstr(l, "(?)") ||
			    (!strstr(l, " REQ->RSP ") && !strstr(l, " RSP->REQ ")))
				fail_msg("spdm_dump could not open: %s", l);
			at = strstr(l, " SPDM_");
			assert_non_null(at);
			assert_int_equal(sscanf(at + 6, "%39s", name), 1);
			assert_true(n < ours->n);
			/* The same message, in the same place, as our dump. */
			if (strcmp(name, ours->name[n]))
				fail_msg("secured #%u: spdm_dump says %s, devauth dump %s", n, name,
					 ours->name[n]);
			n++;
		}
		if (nl)
			*nl = '\n';
	}
	assert_int_equal(n, ours->n);
}

static void one(const struct run *x)
{
	char rsp_pcap[600], our_pcap[600], keylog[600], hp[32], secret[300], psk_hex[64];
	const char *rargs[] = { "--trans", x->trans, "--ver", x->ver, "--pcap", rsp_pcap, NULL };
	const char *pargs[24];
	struct decoded ours, theirs;
	struct peer_proc p;
	unsigned int n = 0;
	char bin[512];
	int rc;

	snprintf(rsp_pcap, sizeof(rsp_pcap), "%s/rsp-%s-%s-%d.pcap", peer_dir(), x->trans,
		 x->ver, getpid());
	snprintf(our_pcap, sizeof(our_pcap), "%s/our-%s-%s-%d.pcap", peer_dir(), x->trans,
		 x->ver, getpid());
	snprintf(keylog, sizeof(keylog), "%s/keys-%s-%s-%d.txt", peer_dir(), x->trans, x->ver,
		 getpid());
	unlink(keylog);
	assert_int_equal(peer_start_responder(&p, rargs, 20), 0);
	snprintf(hp, sizeof(hp), "127.0.0.1:%d", p.port);
	pargs[n++] = "probe";
	pargs[n++] = "--connect";
	pargs[n++] = hp;
	pargs[n++] = "--transport";
	pargs[n++] = !strcmp(x->trans, "MCTP") ? "mctp" : "pci-doe";
	pargs[n++] = "--session";
	pargs[n++] = "--heartbeat";
	pargs[n++] = x->all_keys ? "--key-update=all" : "--key-update";
	if (x->in_clear)
		pargs[n++] = "--handshake-in-clear";
	if (x->psk) {
		/* The emulators' "TestPskData" and "TestPskHint", NUL included. */
		pargs[n++] = "--psk";
		pargs[n++] = "5465737450736b4461746100";
		pargs[n++] = "--psk-hint";
		pargs[n++] = "5465737450736b48696e7400";
	}
	pargs[n++] = "--pcap";
	pargs[n++] = our_pcap;
	pargs[n++] = "--keylog";
	pargs[n++] = keylog;
	pargs[n++] = "--quiet";
	pargs[n] = NULL;
	rc = peer_run(peer_devauth_bin("devauth", bin, sizeof(bin)), pargs, out, OUT_MAX, 120);
	if (rc) {
		fprintf(stderr, "%s\n", out);
		peer_dump_log(&p);
	}
	assert_int_equal(rc, 0);
	/* The responder exits after SHUTDOWN; its capture is complete then. */
	for (int i = 0; i < 100 && peer_alive(&p); i++)
		usleep(50000);
	peer_stop(&p);

	our_dump(our_pcap, keylog, &ours);
	our_dump(rsp_pcap, keylog, &theirs);
	assert_int_equal(theirs.n, ours.n);
	for (unsigned int i = 0; i < ours.n; i++)
		assert_string_equal(theirs.name[i], ours.name[i]);
	if (x->psk) {
		snprintf(psk_hex, sizeof(psk_hex), "5465737450736b4461746100");
		dmtf_dump(our_pcap, "--psk", psk_hex, &ours);
	} else {
		keylog_value(keylog, "dhe_secret", secret, sizeof(secret));
		dmtf_dump(our_pcap, "--dhe_secret", secret, &ours);
	}
}

static void test_doe_update_key(void **state)
{
	struct run x = { .trans = "PCI_DOE", .ver = "1.3" };

	(void)state;
	one(&x);
}

static void test_mctp_all_keys_in_clear(void **state)
{
	struct run x = { .trans = "MCTP", .ver = "1.2", .all_keys = true, .in_clear = true };

	(void)state;
	one(&x);
}

static void test_mctp_14(void **state)
{
	struct run x = { .trans = "MCTP", .ver = "1.4" };

	(void)state;
	one(&x);
}

static void test_psk(void **state)
{
	struct run x = { .trans = "PCI_DOE", .ver = "1.2", .psk = true };

	(void)state;
	one(&x);
}

/* A keylog whose secrets are not the session's opens nothing: dump says so and fails. */
static void test_wrong_keylog(void **state)
{
	char our_pcap[600], keylog[600], bad[600], hp[32], bin[512];
	const char *rargs[] = { "--trans", "PCI_DOE", NULL };
	const char *pargs[] = { "probe", "--connect", hp, "--session", "--heartbeat", "--pcap",
				our_pcap, "--keylog", keylog, "--quiet", NULL };
	const char *dargs[] = { "dump", our_pcap, "--keylog", bad, NULL };
	char line[512];
	struct peer_proc p;
	FILE *in, *o;
	int rc;

	(void)state;
	snprintf(our_pcap, sizeof(our_pcap), "%s/wrong-%d.pcap", peer_dir(), getpid());
	snprintf(keylog, sizeof(keylog), "%s/wrong-%d.txt", peer_dir(), getpid());
	snprintf(bad, sizeof(bad), "%s/wrong-bad-%d.txt", peer_dir(), getpid());
	unlink(keylog);
	assert_int_equal(peer_start_responder(&p, rargs, 20), 0);
	snprintf(hp, sizeof(hp), "127.0.0.1:%d", p.port);
	rc = peer_run(peer_devauth_bin("devauth", bin, sizeof(bin)), pargs, out, OUT_MAX, 120);
	assert_int_equal(rc, 0);
	peer_stop(&p);
	/* The same keylog with one bit of every secret flipped. */
	in = fopen(keylog, "r");
	o = fopen(bad, "w");
	assert_non_null(in);
	assert_non_null(o);
	while (fgets(line, sizeof(line), in)) {
		size_t len = strlen(line);

		if (len > 2 && line[len - 2] != '\n')
			line[len - 2] = line[len - 2] == '0' ? '1' : '0';
		fputs(line, o);
	}
	fclose(in);
	fclose(o);
	rc = peer_run(peer_devauth_bin("devauth", bin, sizeof(bin)), dargs, out, OUT_MAX, 60);
	if (rc != 1 || !strstr(out, "\n0 of "))
		fail_msg("dump with a wrong keylog: exit %d\n%s", rc, out);
	assert_non_null(strstr(out, "not opened with the keylog"));
	assert_null(strstr(out, "[session 0x"));
	/* A secret that is not hex is a malformed keylog, named by its line: usage error. */
	o = fopen(bad, "w");
	assert_non_null(o);
	fputs("# devauth keylog\nSPDM_SESSION 0xffff0001 req_hs_secret 00112g\n", o);
	fclose(o);
	rc = peer_run(peer_devauth_bin("devauth", bin, sizeof(bin)), dargs, out, OUT_MAX, 60);
	if (rc != 2 || !strstr(out, "keylog: line 2: not"))
		fail_msg("dump with a malformed keylog: exit %d: %.300s", rc, out);
}

/* probe --session --json and dump --keylog --json against docs/json. */
static void test_schemas(void **state)
{
	char hp[32], bin[512], schemas[600], dir[600];
	const char *rargs[] = { "--trans", "MCTP", NULL };
	const char *pargs[] = { "probe", "--connect", hp, "--transport", "mctp", "--session",
				"--heartbeat", "--key-update", "--json", NULL };
	const char *vargs[] = { bin, schemas, dir, NULL };
	const char *src = getenv("DEVAUTH_SRC");
	struct peer_proc p;
	int rc;

	(void)state;
	assert_non_null(src);
	assert_int_equal(peer_start_responder(&p, rargs, 20), 0);
	snprintf(hp, sizeof(hp), "127.0.0.1:%d", p.port);
	rc = peer_run(peer_devauth_bin("devauth", bin, sizeof(bin)), pargs, out, OUT_MAX, 120);
	peer_stop(&p);
	assert_int_equal(rc, 0);
	assert_non_null(strstr(out, "\"session\":{"));
	assert_non_null(strstr(out, "\"digests_checked\":true"));
	keep_json("probe", out);
	assert_true(n_json >= 9);
	/* Only the two schemas this test has output for (the validator wants output for each). */
	snprintf(schemas, sizeof(schemas), "%s/schemas", peer_dir());
	mkdir(schemas, 0700);
	for (int i = 0; i < 2; i++) {
		char from[700];
		const char *const cargs[] = { from, schemas, NULL };

		snprintf(from, sizeof(from), "%s/docs/json/%s.schema.json", src,
			 i ? "probe" : "dump");
		assert_int_equal(peer_run("/bin/cp", cargs, out, OUT_MAX, 10), 0);
	}
	snprintf(dir, sizeof(dir), "%s/json", peer_dir());
	snprintf(bin, sizeof(bin), "%s/tests/e2e/json_validate.py", src);
	rc = peer_run("/usr/bin/python3", vargs, out, OUT_MAX, 60);
	if (rc)
		fprintf(stderr, "%s\n", out);
	assert_int_equal(rc, 0);
	assert_non_null(strstr(out, " 0 bad"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_doe_update_key),
		cmocka_unit_test(test_mctp_all_keys_in_clear),
		cmocka_unit_test(test_mctp_14),
		cmocka_unit_test(test_psk),
		cmocka_unit_test(test_wrong_keylog),
		cmocka_unit_test(test_schemas),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
