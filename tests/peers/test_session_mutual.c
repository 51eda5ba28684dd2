// SPDX-License-Identifier: MIT
/*
 * Mutual authentication in KEY_EXCHANGE sessions against the DMTF
 * spdm_responder_emu started with --mut_auth WO_ENCAP (the responder
 * holds our chain: the requester bundle of its key folder) for SPDM
 * 1.2, 1.3, 1.4, ECDSA and RSA requester keys, both transports, the
 * handshake encrypted and in the clear; and with W_ENCAP / DIGESTS.  The responder verifies our
 * FINISH signature and RequesterVerifyData, whose transcript holds the
 * hash of our chain: a key that is not our leaf's, or a chain other
 * than the one the responder holds, must make it refuse FINISH.  With
 * --mut_auth W_ENCAP and DIGESTS the responder reads our chain through
 * encapsulated GET_DIGESTS / GET_CERTIFICATE before FINISH (SPDM 1.1
 * to 1.4), and then checks our signature with it.
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

#include <devauth/requester.h>
#include <devauth/transport.h>

#include "crypto/pki.h"
#include "peer_harness.h"

struct mrun {
	const char *ver;
	enum da_framing framing;
	const char *req_asym;		/* responder --req_asym */
	const char *dir;		/* key folder */
	const char *key;		/* our private key, in dir */
	const char *chain;		/* our chain, in dir */
	const char *mut_auth;		/* responder --mut_auth */
	bool in_clear;
};

static int run(const struct mrun *x, struct da_err *err, bool *mutual, uint32_t *req_asym)
{
	const char *args[] = { "--trans", x->framing == DA_FRAMING_MCTP ? "MCTP" : "PCI_DOE",
			       "--ver", x->ver, "--mut_auth", x->mut_auth, "--basic_mut_auth",
			       "NO", "--req_asym", x->req_asym, NULL };
	char path[600], hp[32];
	STACK_OF(X509) *certs = NULL;
	X509 *arr[8];
	struct spdm_req_config c;
	struct da_transport *t = NULL;
	struct peer_proc p;
	struct spdm_req *r;
	EVP_PKEY *key;
	int n, ret;

	snprintf(path, sizeof(path), "%s/%s/%s", peer_dir(), x->dir, x->chain);
	assert_int_equal(pki_read_certs(path, &certs, err), 0);
	n = sk_X509_num(certs);
	assert_true(n > 0 && n <= 8);
	for (int i = 0; i < n; i++)
		arr[i] = sk_X509_value(certs, i);
	snprintf(path, sizeof(path), "%s/%s/%s", peer_dir(), x->dir, x->key);
	key = pki_read_key_pem(path, err);
	assert_non_null(key);

	assert_int_equal(peer_start_responder(&p, args, 20), 0);
	snprintf(hp, sizeof(hp), "127.0.0.1:%d", p.port);
	assert_int_equal(da_transport_emu_connect(hp, x->framing, 5000, &t, err), 0);
	spdm_req_config_default(&c);
	c.dev_name = "dmtf";
	c.min_version = c.max_version = (uint8_t)(0x10 | (x->ver[2] - '0'));
	c.session = true;
	c.handshake_in_clear = x->in_clear;
	c.req_certs = arr;
	c.n_req_certs = (size_t)n;
	c.req_key = key;
	r = spdm_req_new(&c, t);
	assert_non_null(r);
	ret = spdm_req_authenticate(r, err);
	assert_int_equal(ret, 0);
	ret = spdm_req_session_start(r, err) ?: spdm_req_session_measure(r, err) ?:
	      spdm_req_session_heartbeat(r, err) ?: spdm_req_session_end(r, err);
	*mutual = spdm_req_session_info(r)->mutual_auth;
	*req_asym = spdm_req_session_info(r)->req_asym;
	if (!ret && da_checklist_failed(spdm_req_checks(r)))
		ret = -EPROTO;
	if (t->ops->close)
		t->ops->close(t, false, NULL);
	spdm_req_free(r);
	da_transport_destroy(t);
	peer_stop(&p);
	EVP_PKEY_free(key);
	sk_X509_pop_free(certs, X509_free);
	return ret;
}

static void test_mutual_matrix(void **state)
{
	static const struct mrun runs[] = {
		{ "1.2", DA_FRAMING_MCTP, "ECDSA_P384", "ecp384", "end_requester.key",
		  "bundle_requester.certchain.der", "WO_ENCAP", false },
		{ "1.2", DA_FRAMING_PCI_DOE, "RSAPSS_3072", "rsa3072", "end_requester.key",
		  "bundle_requester.certchain.der", "WO_ENCAP", true },
		{ "1.3", DA_FRAMING_PCI_DOE, "ECDSA_P256", "ecp256", "end_requester.key",
		  "bundle_requester.certchain.der", "WO_ENCAP", false },
		{ "1.3", DA_FRAMING_MCTP, "RSASSA_3072", "rsa3072", "end_requester.key",
		  "bundle_requester.certchain.der", "WO_ENCAP", true },
		{ "1.4", DA_FRAMING_MCTP, "ECDSA_P384", "ecp384", "end_requester.key",
		  "bundle_requester.certchain.der", "WO_ENCAP", true },
		{ "1.4", DA_FRAMING_PCI_DOE, "ECDSA_P521", "ecp521", "end_requester.key",
		  "bundle_requester.certchain.der", "WO_ENCAP", false },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(runs) / sizeof(runs[0]); i++) {
		struct da_err err = { 0 };
		uint32_t req_asym = 0;
		bool mutual = false;

		if (run(&runs[i], &err, &mutual, &req_asym))
			fail_msg("SPDM %s %s %s: %s", runs[i].ver, runs[i].req_asym,
				 runs[i].in_clear ? "in-clear" : "", err.msg);
		assert_true(mutual);
		assert_true(req_asym != 0);
	}
}

/* Our signature by a key that is not our leaf's: the device refuses FINISH. */
static void test_wrong_key(void **state)
{
	struct mrun x = { "1.3", DA_FRAMING_MCTP, "ECDSA_P384", "ecp384", "end_responder.key",
			  "bundle_requester.certchain.der", "WO_ENCAP", false };
	struct da_err err = { 0 };
	uint32_t req_asym;
	bool mutual;
	int ret;

	(void)state;
	ret = run(&x, &err, &mutual, &req_asym);
	assert_true(ret < 0);
	assert_false(mutual);
	assert_non_null(strstr(err.msg, "FINISH: device answered ERROR"));
}

/* Hash(our chain) in the transcript: another chain than the device holds breaks it. */
static void test_wrong_chain(void **state)
{
	struct mrun x = { "1.2", DA_FRAMING_PCI_DOE, "ECDSA_P384", "ecp384", "end_requester.key",
			  "bundle_responder.certchain.der", "WO_ENCAP", true };
	struct da_err err = { 0 };
	uint32_t req_asym;
	bool mutual;
	int ret;

	(void)state;
	ret = run(&x, &err, &mutual, &req_asym);
	assert_true(ret < 0);
	assert_false(mutual);
	assert_non_null(strstr(err.msg, "FINISH: device answered ERROR"));
}

/* The device reads our chain by encapsulated requests, every version, both transports. */
static void test_encap_modes(void **state)
{
	static const char *const modes[] = { "W_ENCAP", "DIGESTS" };
	static const char *const versions[] = { "1.1", "1.2", "1.3", "1.4" };

	(void)state;
	for (size_t v = 0; v < 4; v++)
		for (size_t i = 0; i < 2; i++) {
			struct mrun x = { versions[v], (v + i) % 2 ? DA_FRAMING_MCTP :
								      DA_FRAMING_PCI_DOE,
					  i ? "ECDSA_P256" : "ECDSA_P384", i ? "ecp256" : "ecp384",
					  "end_requester.key", "bundle_requester.certchain.der",
					  modes[i], false };
			struct da_err err = { 0 };
			uint32_t req_asym;
			bool mutual;

			if (run(&x, &err, &mutual, &req_asym))
				fail_msg("SPDM %s --mut_auth %s: %s", versions[v], modes[i], err.msg);
			assert_true(mutual);
		}
}

/* Read by encapsulated GET_CERTIFICATE, a chain that is not our key's fails FINISH. */
static void test_encap_wrong_chain(void **state)
{
	struct mrun x = { "1.3", DA_FRAMING_MCTP, "ECDSA_P384", "ecp384", "end_requester.key",
			  "bundle_responder.certchain.der", "W_ENCAP", false };
	struct da_err err = { 0 };
	uint32_t req_asym;
	bool mutual;

	(void)state;
	assert_true(run(&x, &err, &mutual, &req_asym) < 0);
	assert_false(mutual);
	assert_non_null(strstr(err.msg, "FINISH: device answered ERROR"));
}

/* The CLI: probe --session --mut-auth CHAIN:KEY --json reports it. */
static void test_cli(void **state)
{
	static char out[1 << 16];
	const char *rargs[] = { "--trans", "PCI_DOE", "--mut_auth", "WO_ENCAP", "--basic_mut_auth",
				"NO", "--req_asym", "ECDSA_P384", NULL };
	char hp[32], bin[512];
	const char *pargs[] = { "probe", "--connect", hp, "--session", "--mut-auth",
				"ecp384/bundle_requester.certchain.der:ecp384/end_requester.key",
				"--json", NULL };
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
	assert_non_null(strstr(out, "\"mutual_auth\":true"));
	assert_non_null(strstr(out, "\"name\":\"mutual-auth\",\"result\":\"pass\""));
	/* A key file that is not one is a usage error naming it. */
	pargs[5] = "ecp384/bundle_requester.certchain.der:ecp384/bundle_requester.certchain.der";
	rc = peer_run(peer_devauth_bin("devauth", bin, sizeof(bin)), pargs, out, sizeof(out), 30);
	assert_int_equal(rc, 2);
	assert_non_null(strstr(out, "bundle_requester.certchain.der"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mutual_matrix),
		cmocka_unit_test(test_wrong_key),
		cmocka_unit_test(test_wrong_chain),
		cmocka_unit_test(test_encap_modes),
		cmocka_unit_test(test_encap_wrong_chain),
		cmocka_unit_test(test_cli),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
