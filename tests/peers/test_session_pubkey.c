// SPDX-License-Identifier: MIT
/*
 * SlotID 0xFF: a device known by its provisioned public key.  The DMTF
 * spdm_responder_emu started with PUB_KEY_ID_CAP (and no CERT_CAP) signs
 * KEY_EXCHANGE_RSP with the key whose public half is
 * <alg>/end_responder.key.pub.der; we open the session with SlotID 0xFF
 * after VCA alone, with the hash of that public key in the transcript,
 * for SPDM 1.1-1.4 over both transports.  Another public key fails the
 * KEY_EXCHANGE_RSP signature; `probe --peer-pubkey` does it end to end.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/x509.h>

#include <devauth/requester.h>
#include <devauth/transport.h>

#include "file.h"
#include "peer_harness.h"

#define PUBKEY_CAPS "CHAL,MEAS_SIG,MEAS_FRESH,ENCRYPT,MAC,KEY_EX,HBEAT,KEY_UPD,HANDSHAKE_IN_CLEAR,PUB_KEY_ID"

static EVP_PKEY *read_pub(const char *name)
{
	struct da_err err = { 0 };
	char path[600];
	const unsigned char *p;
	EVP_PKEY *k;
	uint8_t *buf;
	size_t len;

	snprintf(path, sizeof(path), "%s/%s", peer_dir(), name);
	assert_int_equal(da_read_file(path, &buf, &len, 1 << 16, &err), 0);
	p = buf;
	k = d2i_PUBKEY(NULL, &p, (long)len);
	free(buf);
	assert_non_null(k);
	return k;
}

static int run(const char *ver, enum da_framing f, bool in_clear, const char *pub,
	       struct da_err *err)
{
	const char *args[] = { "--trans", f == DA_FRAMING_MCTP ? "MCTP" : "PCI_DOE", "--ver", ver,
			       "--cap", PUBKEY_CAPS, NULL };
	struct spdm_req_config c;
	struct da_transport *t = NULL;
	struct peer_proc p;
	struct spdm_req *r;
	EVP_PKEY *key = read_pub(pub);
	char hp[32];
	int ret;

	assert_int_equal(peer_start_responder(&p, args, 20), 0);
	snprintf(hp, sizeof(hp), "127.0.0.1:%d", p.port);
	assert_int_equal(da_transport_emu_connect(hp, f, 5000, &t, err), 0);
	spdm_req_config_default(&c);
	c.dev_name = "dmtf";
	c.min_version = c.max_version = (uint8_t)(0x10 | (ver[2] - '0'));
	c.session = true;
	c.handshake_in_clear = in_clear;
	c.slot = SPDM_SLOT_PROVISIONED;
	c.peer_pubkey = key;
	r = spdm_req_new(&c, t);
	assert_non_null(r);
	ret = spdm_req_negotiate(r, err) ?: spdm_req_session_start(r, err) ?:
	      spdm_req_session_heartbeat(r, err) ?: spdm_req_session_key_update(r, false, err) ?:
	      spdm_req_session_heartbeat(r, err) ?: spdm_req_session_end(r, err);
	if (!ret && (da_checklist_failed(spdm_req_checks(r)) ||
		     !spdm_req_session_info(r)->ended))
		ret = -EPROTO;
	if (ret && !strstr(pub, "requester"))
		peer_dump_log(&p);
	if (t->ops->close)
		t->ops->close(t, false, NULL);
	spdm_req_free(r);
	da_transport_destroy(t);
	peer_stop(&p);
	EVP_PKEY_free(key);
	return ret;
}

static void test_versions(void **state)
{
	static const char *const versions[] = { "1.1", "1.2", "1.3", "1.4" };

	(void)state;
	for (size_t v = 0; v < 4; v++)
		for (int f = 0; f < 2; f++) {
			struct da_err err = { 0 };

			if (run(versions[v], f ? DA_FRAMING_MCTP : DA_FRAMING_PCI_DOE, (v + f) % 2,
				"ecp384/end_responder.key.pub.der", &err))
				fail_msg("SPDM %s: %s", versions[v], err.msg);
		}
}

static void test_wrong_key(void **state)
{
	struct da_err err = { 0 };

	(void)state;
	assert_int_equal(run("1.3", DA_FRAMING_MCTP, false, "ecp384/end_requester.key.pub.der",
			     &err), -EBADMSG);
	assert_non_null(strstr(err.msg, "KEY_EXCHANGE_RSP"));
}

/* A device without PUB_KEY_ID_CAP (the emulator's defaults: certificates) is refused at CAPABILITIES. */
static void test_no_pub_key_id(void **state)
{
	const char *args[] = { "--trans", "MCTP", NULL };
	struct spdm_req_config c;
	struct da_transport *t = NULL;
	struct da_err err = { 0 };
	struct peer_proc p;
	struct spdm_req *r;
	char hp[32];

	(void)state;
	assert_int_equal(peer_start_responder(&p, args, 20), 0);
	snprintf(hp, sizeof(hp), "127.0.0.1:%d", p.port);
	assert_int_equal(da_transport_emu_connect(hp, DA_FRAMING_MCTP, 5000, &t, &err), 0);
	spdm_req_config_default(&c);
	c.session = true;
	c.slot = SPDM_SLOT_PROVISIONED;
	c.peer_pubkey = read_pub("ecp384/end_responder.key.pub.der");
	r = spdm_req_new(&c, t);
	assert_non_null(r);
	assert_int_equal(spdm_req_negotiate(r, &err), -EOPNOTSUPP);
	assert_non_null(strstr(err.msg, "lacks PUB_KEY_ID_CAP"));
	assert_non_null(strstr(err.msg, "no provisioned public key to use"));
	if (t->ops->close)
		t->ops->close(t, false, NULL);
	spdm_req_free(r);
	da_transport_destroy(t);
	peer_stop(&p);
	EVP_PKEY_free(c.peer_pubkey);
}

static void test_cli(void **state)
{
	static char out[1 << 16];
	const char *rargs[] = { "--trans", "PCI_DOE", "--cap", PUBKEY_CAPS, NULL };
	char hp[32], bin[512];
	const char *pargs[] = { "probe", "--connect", hp, "--session", "--peer-pubkey",
				"ecp384/end_responder.key.pub.der", "--heartbeat", "--json", NULL };
	struct peer_proc p;
	int rc;

	(void)state;
	assert_int_equal(peer_start_responder(&p, rargs, 20), 0);
	snprintf(hp, sizeof(hp), "127.0.0.1:%d", p.port);
	rc = peer_run(peer_devauth_bin("devauth", bin, sizeof(bin)), pargs, out, sizeof(out), 120);
	peer_stop(&p);
	if (rc)
		fprintf(stderr, "%s\n", out);
	assert_int_equal(rc, 0);
	assert_non_null(strstr(out, "the provisioned public key's hash"));
	assert_non_null(strstr(out, "\"ended\":true"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_versions),
		cmocka_unit_test(test_wrong_key),
		cmocka_unit_test(test_no_pub_key_id),
		cmocka_unit_test(test_cli),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
