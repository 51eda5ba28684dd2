// SPDX-License-Identifier: MIT
/*
 * Secure sessions of our requester against the DMTF spdm_responder_emu:
 * SPDM 1.1-1.4 x DHE secp256r1/384r1/521r1 x AEAD AES-128-GCM /
 * AES-256-GCM / ChaCha20-Poly1305 over PCI_DOE and MCTP, every one with
 * signed in-session measurements, heartbeat, key update (then a
 * heartbeat on the new keys) and END_SESSION; HANDSHAKE_IN_THE_CLEAR
 * alternates so that each version and transport sees it on and off.
 * Then FFDHE, UpdateAllKeys, PSK for every version and transport, the
 * DSP0277 1.0 and 1.1 secured-message versions, MAC-only sessions, and
 * `devauth probe --session --json` itself.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <json-c/json.h>

#include <devauth/requester.h>
#include <devauth/transport.h>

#include "peer_harness.h"

/* The DMTF emulators' default PSK and hint ("TestPskData", "TestPskHint", NUL included). */
static const char dmtf_psk[] = "TestPskData";
static const char dmtf_psk_hint[] = "TestPskHint";

struct run {
	const char *ver;		/* "1.1" .. "1.4" */
	enum da_framing framing;
	uint16_t dhe, aead;
	bool in_clear;
	bool psk;
	bool all_keys;
	const char *sec_ver;		/* responder --sec_ver, NULL: all */
	const char *rsp_cap;		/* responder --cap, NULL: its defaults */
	uint16_t expect_sm;
};

static const char *dmtf_name_dhe(uint16_t d)
{
	switch (d) {
	case SPDM_DHE_SECP256R1: return "SECP_256_R1";
	case SPDM_DHE_SECP384R1: return "SECP_384_R1";
	case SPDM_DHE_SECP521R1: return "SECP_521_R1";
	case SPDM_DHE_FFDHE_2048: return "FFDHE_2048";
	case SPDM_DHE_FFDHE_3072: return "FFDHE_3072";
	default: return "FFDHE_4096";
	}
}

static const char *dmtf_name_aead(uint16_t a)
{
	switch (a) {
	case SPDM_AEAD_AES_128_GCM: return "AES_128_GCM";
	case SPDM_AEAD_AES_256_GCM: return "AES_256_GCM";
	default: return "CHACHA20_POLY1305";
	}
}

static void one_run(const struct run *x)
{
	const char *args[16];
	struct spdm_req_config c;
	struct da_transport *t = NULL;
	struct da_err err = { 0 };
	const struct spdm_req_session_info *s;
	struct peer_proc p;
	struct spdm_req *r;
	unsigned int n = 0;
	char hp[32];
	int ret;

	args[n++] = "--trans";
	args[n++] = x->framing == DA_FRAMING_MCTP ? "MCTP" : "PCI_DOE";
	args[n++] = "--ver";
	args[n++] = x->ver;
	args[n++] = "--dhe";
	args[n++] = dmtf_name_dhe(x->dhe);
	args[n++] = "--aead";
	args[n++] = dmtf_name_aead(x->aead);
	if (x->sec_ver) {
		args[n++] = "--sec_ver";
		args[n++] = x->sec_ver;
	}
	if (x->rsp_cap) {
		args[n++] = "--cap";
		args[n++] = x->rsp_cap;
	}
	args[n] = NULL;
	assert_int_equal(peer_start_responder(&p, args, 20), 0);
	snprintf(hp, sizeof(hp), "127.0.0.1:%d", p.port);
	assert_int_equal(da_transport_emu_connect(hp, x->framing, 5000, &t, &err), 0);
	spdm_req_config_default(&c);
	c.dev_name = "dmtf";
	c.min_version = c.max_version = (uint8_t)(0x10 | (x->ver[2] - '0'));
	c.session = true;
	c.dhe_offer = x->dhe;
	c.aead_offer = x->aead;
	c.handshake_in_clear = x->in_clear;
	if (x->psk) {
		c.psk_len = sizeof(dmtf_psk);
		memcpy(c.psk, dmtf_psk, c.psk_len);
		c.psk_hint_len = sizeof(dmtf_psk_hint);
		memcpy(c.psk_hint, dmtf_psk_hint, c.psk_hint_len);
	}
	r = spdm_req_new(&c, t);
	assert_non_null(r);
	ret = spdm_req_authenticate(r, &err) ?: spdm_req_session_start(r, &err) ?:
	      spdm_req_session_measure(r, &err) ?: spdm_req_session_heartbeat(r, &err) ?:
	      spdm_req_session_key_update(r, x->all_keys, &err) ?:
	      spdm_req_session_heartbeat(r, &err) ?: spdm_req_session_end(r, &err);
	if (ret) {
		peer_dump_log(&p);
		fail_msg("SPDM %s %s %s %s%s%s: %s", x->ver, da_framing_name(x->framing),
			 x->psk ? "PSK" : dmtf_name_dhe(x->dhe), dmtf_name_aead(x->aead),
			 x->in_clear ? " in-clear" : "", x->all_keys ? " all-keys" : "", err.msg);
	}
	assert_false(da_checklist_failed(spdm_req_checks(r)));
	s = spdm_req_session_info(r);
	assert_true(s->ended);
	assert_true(s->measured);
	assert_int_equal(s->psk, x->psk);
	assert_int_equal(s->aead, x->aead);
	if (!x->psk)
		assert_int_equal(s->dhe, x->dhe);
	assert_int_equal(s->in_clear, x->in_clear && !x->psk);
	assert_int_equal(s->heartbeats, 2);
	assert_int_equal(s->key_updates, 1);
	assert_int_equal(s->sm_version, x->expect_sm);
	/* Without the device's ENCRYPT_CAP the session only MACs. */
	assert_int_equal(s->mac_only, x->rsp_cap && !strstr(x->rsp_cap, "ENCRYPT"));
	if (t->ops->close)
		t->ops->close(t, false, NULL);
	spdm_req_free(r);
	da_transport_destroy(t);
	peer_stop(&p);
}

static const char *const versions[] = { "1.1", "1.2", "1.3", "1.4" };
static const enum da_framing framings[] = { DA_FRAMING_PCI_DOE, DA_FRAMING_MCTP };
static const uint16_t ecdhe[] = { SPDM_DHE_SECP256R1, SPDM_DHE_SECP384R1, SPDM_DHE_SECP521R1 };
static const uint16_t aeads[] = { SPDM_AEAD_AES_128_GCM, SPDM_AEAD_AES_256_GCM,
				  SPDM_AEAD_CHACHA20_POLY1305 };

static void matrix(const char *ver)
{
	unsigned int i = 0;

	for (size_t f = 0; f < 2; f++)
		for (size_t d = 0; d < 3; d++)
			for (size_t a = 0; a < 3; a++, i++) {
				struct run x = {
					.ver = ver, .framing = framings[f], .dhe = ecdhe[d],
					.aead = aeads[a], .in_clear = i % 2,
					.expect_sm = 0x1200,
				};

				one_run(&x);
			}
}

static void test_matrix_11(void **state) { (void)state; matrix("1.1"); }
static void test_matrix_12(void **state) { (void)state; matrix("1.2"); }
static void test_matrix_13(void **state) { (void)state; matrix("1.3"); }
static void test_matrix_14(void **state) { (void)state; matrix("1.4"); }

static void test_ffdhe_and_all_keys(void **state)
{
	static const uint16_t ff[] = { SPDM_DHE_FFDHE_2048, SPDM_DHE_FFDHE_3072,
				       SPDM_DHE_FFDHE_4096 };

	(void)state;
	for (size_t i = 0; i < 3; i++) {
		struct run x = {
			.ver = versions[i + 1], .framing = framings[i % 2], .dhe = ff[i],
			.aead = SPDM_AEAD_AES_256_GCM, .all_keys = true, .expect_sm = 0x1200,
		};

		one_run(&x);
	}
}

static void test_psk(void **state)
{
	(void)state;
	for (size_t v = 0; v < 4; v++)
		for (size_t f = 0; f < 2; f++) {
			struct run x = {
				.ver = versions[v], .framing = framings[f],
				.dhe = SPDM_DHE_SECP384R1, .aead = aeads[(v + f) % 3], .psk = true,
				.expect_sm = 0x1200,
			};

			one_run(&x);
		}
}

static void test_secured_message_versions(void **state)
{
	static const char *const sv[] = { "1.0", "1.1" };

	(void)state;
	for (size_t i = 0; i < 2; i++) {
		struct run x = {
			.ver = "1.2", .framing = framings[i], .dhe = SPDM_DHE_SECP256R1,
			.aead = SPDM_AEAD_AES_128_GCM, .sec_ver = sv[i],
			.expect_sm = (uint16_t)(0x1000 | (i << 8)),
		};

		one_run(&x);
	}
}

/* MAC_CAP without ENCRYPT_CAP on the device: MAC-only secured messages. */
static void test_mac_only(void **state)
{
	(void)state;
	for (size_t f = 0; f < 2; f++) {
		struct run x = {
			.ver = versions[2 + f], .framing = framings[f], .dhe = SPDM_DHE_SECP384R1,
			.aead = aeads[f + 1], .in_clear = f, .expect_sm = 0x1200,
			.rsp_cap = "CERT,CHAL,MEAS_SIG,MAC,KEY_EX,HBEAT,KEY_UPD,HANDSHAKE_IN_CLEAR",
		};

		one_run(&x);
	}
}

/* The CLI end to end: `devauth probe --session ... --json` and its report. */
static void test_cli_probe_session(void **state)
{
	static const char *const args[] = { "--trans", "MCTP", NULL };
	const char *build = getenv("DEVAUTH_BUILD");
	struct json_object *j, *s, *v;
	struct peer_proc p;
	char cmd[1024], out[1 << 16];
	size_t n;
	FILE *f;
	int rc;

	(void)state;
	assert_non_null(build);
	assert_int_equal(peer_start_responder(&p, args, 20), 0);
	snprintf(cmd, sizeof(cmd),
		 "%s/src/devauth/devauth probe --connect 127.0.0.1:%d --transport mctp --session"
		 " --dhe SECP_256_R1,secp384r1 --aead chacha20-poly1305 --heartbeat --key-update"
		 " --keylog %s/keylog-%d.txt --json", build, p.port, peer_dir(), p.port);
	f = popen(cmd, "r");
	assert_non_null(f);
	n = fread(out, 1, sizeof(out) - 1, f);
	out[n] = '\0';
	rc = pclose(f);
	if (rc) {
		fprintf(stderr, "%s\n", out);
		peer_dump_log(&p);
	}
	assert_int_equal(rc, 0);
	j = json_tokener_parse(out);
	assert_non_null(j);
	assert_true(json_object_object_get_ex(j, "session", &s));
	assert_true(json_object_object_get_ex(s, "dhe", &v));
	assert_string_equal(json_object_get_string(v), "secp384r1");
	assert_true(json_object_object_get_ex(s, "aead", &v));
	assert_string_equal(json_object_get_string(v), "chacha20-poly1305");
	assert_true(json_object_object_get_ex(s, "key_updates", &v));
	assert_int_equal(json_object_get_int(v), 1);
	assert_true(json_object_object_get_ex(s, "ended", &v));
	assert_true(json_object_get_boolean(v));
	json_object_put(j);
	/* The keylog holds the DHE secret and the data secrets of the session. */
	snprintf(cmd, sizeof(cmd), "%s/keylog-%d.txt", peer_dir(), p.port);
	f = fopen(cmd, "r");
	assert_non_null(f);
	n = fread(out, 1, sizeof(out) - 1, f);
	out[n] = '\0';
	fclose(f);
	assert_non_null(strstr(out, " dhe_secret "));
	assert_non_null(strstr(out, " req_data_secret "));
	peer_stop(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_matrix_11),
		cmocka_unit_test(test_matrix_12),
		cmocka_unit_test(test_matrix_13),
		cmocka_unit_test(test_matrix_14),
		cmocka_unit_test(test_ffdhe_and_all_keys),
		cmocka_unit_test(test_psk),
		cmocka_unit_test(test_secured_message_versions),
		cmocka_unit_test(test_mac_only),
		cmocka_unit_test(test_cli_probe_session),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
