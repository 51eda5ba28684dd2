// SPDX-License-Identifier: MIT
/*
 * devauth-emu against devauth's own SPDM requester, over real sockets:
 * the example config's devices authenticate (and the faulty one does
 * not), a `pki` chain given with --slot is the chain the device serves,
 * and control-socket faults and swaps change what the requester sees.
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

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <devauth/requester.h>
#include <devauth/spdm.h>
#include <devauth/transport.h>

#include "crypto/pki.h"
#include "crypto/x509.h"
#include "emu_harness.h"

struct auth_result {
	int ret;
	bool authenticated;
	uint8_t version;
	uint32_t asym, hash;
	X509 *leaf;			/* copy of the slot 0 leaf, caller frees */
	EVP_PKEY *key;			/* leaf public key, caller frees */
	char err[DA_ERR_MSG_MAX];
};

static void authenticate_over(enum da_framing framing, int port, const char *name,
			      const struct cma_identity *id, bool measure, struct auth_result *res)
{
	struct spdm_req_config cfg;
	struct da_transport *t = NULL;
	struct da_err err = { 0 };
	const struct spdm_req_info *info;
	const struct spdm_chain *chain;
	struct spdm_req *r;
	char hostport[64];

	memset(res, 0, sizeof(*res));
	snprintf(hostport, sizeof(hostport), "127.0.0.1:%d", port);
	assert_int_equal(da_transport_emu_connect(hostport, framing, 10000, &t, &err), 0);
	spdm_req_config_default(&cfg);
	cfg.dev_name = name;
	cfg.expect_id = id;
	cfg.meas_summary_type = SPDM_MEAS_SUMMARY_NONE;
	r = spdm_req_new(&cfg, t);
	assert_non_null(r);
	res->ret = spdm_req_authenticate(r, &err);
	if (!res->ret && measure)
		res->ret = spdm_req_measure(r, &err);
	info = spdm_req_info(r);
	res->authenticated = info->authenticated && !res->ret;
	res->version = info->neg.version;
	res->asym = info->neg.base_asym;
	res->hash = info->neg.base_hash;
	chain = spdm_req_chain(r, 0);
	if (chain && spdm_chain_leaf(chain)) {
		res->leaf = X509_dup(spdm_chain_leaf(chain));
		res->key = spdm_chain_leaf_key(chain);
	}
	snprintf(res->err, sizeof(res->err), "%s", err.msg);
	spdm_req_free(r);
	da_err_clear(&err);
	t->ops->close(t, false, &err);
	da_transport_destroy(t);
}

static void authenticate(int port, const char *name, const struct cma_identity *id,
			 bool measure, struct auth_result *res)
{
	authenticate_over(DA_FRAMING_PCI_DOE, port, name, id, measure, res);
}

static void auth_result_free(struct auth_result *res)
{
	X509_free(res->leaf);
	EVP_PKEY_free(res->key);
	res->leaf = NULL;
	res->key = NULL;
}

static void test_auth_example(void **state)
{
	/* docs/examples/emu-devices.json, device 0 */
	static const struct cma_identity id0 = {
		.vendor = 0x8086, .device = 0x0b25, .class_code = 0x120000, .revision = 1,
		.has_subsys = true, .ssvid = 0x8086, .ssid = 0x0000,
		.has_serial = true, .serial = 0x00a0c9fffe123456ull,
	};
	struct cma_identity wrong = id0;
	const char *src = getenv("DEVAUTH_SRC");
	char path[512];
	const char *extra[] = { "--config", path, NULL };
	struct emu_proc p = { 0 };
	struct auth_result res;

	assert_non_null(src);
	snprintf(path, sizeof(path), "%s/docs/examples/emu-devices.json", src);
	assert_int_equal(emu_start(&p, extra), 0);

	/* 1.2-1.3, P-384 preferred, SHA-384, the PCIe identity of the file. */
	authenticate(p.base_port, "0000:01:00.0", &id0, true, &res);
	if (res.ret)
		fail_msg("device 0: %s", res.err);
	assert_true(res.authenticated);
	assert_int_equal(res.version, SPDM_VER_13);
	assert_int_equal(res.asym, SPDM_ASYM_ECDSA_P384);
	assert_int_equal(res.hash, SPDM_HASH_SHA384);
	auth_result_free(&res);

	/* The same device does not pass for another serial number. */
	wrong.serial ^= 1;
	authenticate(p.base_port, "0000:01:00.0", &wrong, false, &res);
	assert_false(res.ret == 0 && res.authenticated);
	auth_result_free(&res);

	authenticate(p.base_port + 1, "0000:02:00.0", NULL, true, &res);
	if (res.ret)
		fail_msg("device 1: %s", res.err);
	assert_int_equal(res.version, SPDM_VER_14);
	assert_int_equal(res.asym, SPDM_ASYM_RSAPSS_3072);
	assert_int_equal(res.hash, SPDM_HASH_SHA256);
	auth_result_free(&res);

	authenticate(p.base_port + 2, "0000:03:00.0", NULL, false, &res);
	if (res.ret)
		fail_msg("device 2: %s", res.err);
	assert_int_equal(res.version, SPDM_VER_12);
	assert_int_equal(res.hash, SPDM_HASH_SHA512);
	auth_result_free(&res);

	/* bad-challenge-sig: the requester must refuse it. */
	authenticate(p.base_port + 3, "0000:04:00.0", NULL, false, &res);
	assert_true(res.ret < 0);
	assert_false(res.authenticated);
	auth_result_free(&res);

	assert_int_equal(emu_stop(&p), 0);
	emu_rmdir(p.dir);
}

static void test_auth_pki_slot(void **state)
{
	char dir[256], slot[1200], path[512], out[4096];
	const char *args[] = { "pki", "--out", dir, "--count", "1", "--asym", "ecdsa-p384", NULL };
	const char *extra[] = { "--devices", "1", "--asym", "ecdsa-p384", "--hash", "sha384",
				"--slot", slot, NULL };
	STACK_OF(X509) *certs = NULL;
	struct da_err err = { 0 };
	struct emu_proc p = { 0 };
	struct auth_result res;

	emu_mkdtemp(dir, sizeof(dir));
	assert_int_equal(emu_run(args, out, sizeof(out), 120), 0);
	snprintf(slot, sizeof(slot), "0:%s/dev0/slot0/chain.der:%s/dev0/slot0/key.pem", dir, dir);
	assert_int_equal(emu_start(&p, extra), 0);

	authenticate(p.base_port, "0000:01:00.0", NULL, false, &res);
	if (res.ret)
		fail_msg("%s", res.err);
	assert_true(res.authenticated);
	/* The device served exactly the leaf that `pki` wrote. */
	snprintf(path, sizeof(path), "%s/dev0/slot0/chain.der", dir);
	assert_int_equal(pki_read_certs(path, &certs, &err), 0);
	assert_non_null(res.leaf);
	assert_int_equal(X509_cmp(res.leaf, sk_X509_value(certs, 2)), 0);
	sk_X509_pop_free(certs, X509_free);
	auth_result_free(&res);

	assert_int_equal(emu_stop(&p), 0);
	emu_rmdir(p.dir);
	emu_rmdir(dir);
}

static int ctl(struct emu_proc *p, const char *a1, const char *a2, const char *a3)
{
	const char *args[] = { "ctl", "--ctl", p->ctl, a1, a2, a3, NULL };
	char out[4096];

	return emu_run(args, out, sizeof(out), 60);
}

static void test_auth_ctl(void **state)
{
	static const char *const extra[] = { "--asym", "ecdsa-p256", "--hash", "sha256", NULL };
	struct emu_proc p = { 0 };
	struct auth_result before, res;

	assert_int_equal(emu_start(&p, extra), 0);
	authenticate(p.base_port, "0000:01:00.0", NULL, false, &before);
	if (before.ret)
		fail_msg("%s", before.err);
	assert_non_null(before.key);

	assert_int_equal(ctl(&p, "fault", "0000:01:00.0", "bad-challenge-sig"), 0);
	authenticate(p.base_port, "0000:01:00.0", NULL, false, &res);
	assert_true(res.ret < 0);
	auth_result_free(&res);

	assert_int_equal(ctl(&p, "fault", "0", "none"), 0);
	authenticate(p.base_port, "0000:01:00.0", NULL, false, &res);
	assert_int_equal(res.ret, 0);
	/* reset keeps the device's identity and key. */
	assert_int_equal(ctl(&p, "reset", "0", NULL), 0);
	auth_result_free(&res);
	authenticate(p.base_port, "0000:01:00.0", NULL, false, &res);
	assert_int_equal(res.ret, 0);
	assert_int_equal(EVP_PKEY_eq(res.key, before.key), 1);
	auth_result_free(&res);

	/* swap: another device with the same identity, so another key. */
	assert_int_equal(ctl(&p, "swap", "0", NULL), 0);
	authenticate(p.base_port, "0000:01:00.0", NULL, false, &res);
	assert_int_equal(res.ret, 0);
	assert_int_not_equal(EVP_PKEY_eq(res.key, before.key), 1);
	auth_result_free(&res);
	auth_result_free(&before);

	assert_int_equal(emu_stop(&p), 0);
	emu_rmdir(p.dir);
}

/* The same device model over MCTP and bare SPDM framing. */
static void test_auth_transports(void **state)
{
	static const char *const mctp[] = { "--transport", "mctp", "--asym", "ecdsa-p384",
					    "--hash", "sha384", NULL };
	static const char *const none[] = { "--transport", "none", "--asym", "ed25519",
					    "--hash", "sha512", NULL };
	struct emu_proc p = { 0 };
	struct auth_result res;

	assert_int_equal(emu_start(&p, mctp), 0);
	authenticate_over(DA_FRAMING_MCTP, p.base_port, "0000:01:00.0", NULL, true, &res);
	if (res.ret)
		fail_msg("mctp: %s", res.err);
	assert_int_equal(res.asym, SPDM_ASYM_ECDSA_P384);
	auth_result_free(&res);
	assert_int_equal(emu_stop(&p), 0);

	assert_int_equal(emu_start(&p, none), 0);
	authenticate_over(DA_FRAMING_NONE, p.base_port, "0000:01:00.0", NULL, true, &res);
	if (res.ret)
		fail_msg("none: %s", res.err);
	assert_int_equal(res.asym, SPDM_ASYM_EDDSA_ED25519);
	auth_result_free(&res);
	assert_int_equal(emu_stop(&p), 0);
	emu_rmdir(p.dir);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_auth_example),
		cmocka_unit_test(test_auth_pki_slot),
		cmocka_unit_test(test_auth_ctl),
		cmocka_unit_test(test_auth_transports),
	};

	if (argc < 2) {
		fprintf(stderr, "usage: %s PATH-TO-devauth-emu [TEST-NAME]\n", argv[0]);
		return 1;
	}
	emu_bin = argv[1];
	return emu_run_cases("emu_auth", tests, sizeof(tests) / sizeof(tests[0]),
			     argc > 2 ? argv[2] : NULL);
}
