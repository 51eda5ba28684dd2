// SPDX-License-Identifier: MIT
/*
 * The requester against the emulated responder, in process: real
 * handshakes, real keys and chains, every version x algorithm, every
 * framing, re-challenge with the cached key, and the fault catalogue
 * (one row per fault, asserting the requester's specific error).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <devauth/requester.h>
#include <devauth/transport.h>

#include "crypto/crypto.h"
#include "crypto/x509.h"
#include "responder/device.h"

static struct rsp_device *dev;
static struct rsp_device_config dcfg;

static int setup(void **state)
{
	struct da_err err = { 0 };

	rsp_device_config_default(&dcfg, "0000:01:00.0", 0);
	if (rsp_device_create(&dcfg, &dev, &err)) {
		fprintf(stderr, "rsp_device_create: %s\n", err.msg);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	rsp_device_free(dev);
	return 0;
}

struct conn {
	struct spdm_responder *rsp;
	struct da_transport *t;
	struct spdm_req *r;
};

static void conn_open(struct conn *c, enum da_framing f, const struct spdm_req_config *cfg)
{
	c->rsp = spdm_responder_new(dev, f);
	assert_non_null(c->rsp);
	assert_int_equal(da_transport_inproc(f, spdm_responder_transport, c->rsp, &c->t), 0);
	c->r = spdm_req_new(cfg, c->t);
	assert_non_null(c->r);
}

static void conn_close(struct conn *c)
{
	spdm_req_free(c->r);
	da_transport_destroy(c->t);
	spdm_responder_free(c->rsp);
}

static void config(struct spdm_req_config *cfg, uint8_t ver, uint32_t asym, uint32_t hash)
{
	spdm_req_config_default(cfg);
	cfg->dev_name = dcfg.name;
	cfg->min_version = cfg->max_version = ver;
	if (asym) {
		cfg->asym_pref[0] = asym;
		cfg->n_asym = 1;
	}
	if (hash) {
		cfg->hash_pref[0] = hash;
		cfg->n_hash = 1;
	}
	cfg->expect_id = &dcfg.id;
}

static void test_every_version_and_algorithm(void **state)
{
	static const uint32_t asyms[] = {
		SPDM_ASYM_ECDSA_P256, SPDM_ASYM_ECDSA_P384, SPDM_ASYM_ECDSA_P521,
		SPDM_ASYM_RSASSA_2048, SPDM_ASYM_RSASSA_3072, SPDM_ASYM_RSASSA_4096,
		SPDM_ASYM_RSAPSS_2048, SPDM_ASYM_RSAPSS_3072, SPDM_ASYM_RSAPSS_4096,
		SPDM_ASYM_EDDSA_ED25519, SPDM_ASYM_EDDSA_ED448,
	};
	static const uint32_t hashes[] = { SPDM_HASH_SHA256, SPDM_HASH_SHA384, SPDM_HASH_SHA512 };
	unsigned int runs = 0;

	for (uint8_t ver = SPDM_VER_10; ver <= SPDM_VER_14; ver++) {
		for (size_t a = 0; a < sizeof(asyms) / sizeof(asyms[0]); a++) {
			bool eddsa = asyms[a] & (SPDM_ASYM_EDDSA_ED25519 | SPDM_ASYM_EDDSA_ED448);

			if (!(spdm_supported_asym() & asyms[a]) || (eddsa && ver < SPDM_VER_12))
				continue;
			for (size_t h = 0; h < 3; h++) {
				struct spdm_req_config cfg;
				struct da_err err = { 0 };
				const struct spdm_req_info *i;
				struct conn c;
				int ret;

				config(&cfg, ver, asyms[a], hashes[h]);
				conn_open(&c, DA_FRAMING_PCI_DOE, &cfg);
				ret = spdm_req_authenticate(c.r, &err);
				if (!ret)
					ret = spdm_req_measure(c.r, &err);
				if (ret)
					fail_msg("%u.%u %s %s: %s", ver >> 4, ver & 0xf,
						 spdm_asym_name(asyms[a]), spdm_hash_name(hashes[h]),
						 err.msg);
				i = spdm_req_info(c.r);
				assert_int_equal(i->neg.version, ver);
				assert_int_equal(i->neg.base_asym, asyms[a]);
				assert_int_equal(i->neg.base_hash, hashes[h]);
				assert_true(i->authenticated);
				assert_true(i->measured);
				assert_false(da_checklist_failed(spdm_req_checks(c.r)));
				conn_close(&c);
				runs++;
			}
		}
	}
	/* 1.0/1.1 without EdDSA, 1.2-1.4 with it. */
	assert_true(runs >= 2 * 9 * 3 + 3 * 11 * 3 - 6 * 3);
}

static void test_every_framing(void **state)
{
	static const enum da_framing f[] = { DA_FRAMING_NONE, DA_FRAMING_MCTP, DA_FRAMING_PCI_DOE };

	for (size_t k = 0; k < 3; k++) {
		struct spdm_req_config cfg;
		struct da_err err = { 0 };
		struct conn c;

		config(&cfg, SPDM_VER_12, 0, 0);
		cfg.max_version = SPDM_VER_14;
		cfg.min_version = SPDM_VER_10;
		conn_open(&c, f[k], &cfg);
		assert_int_equal(spdm_req_authenticate(c.r, &err), 0);
		assert_int_equal(spdm_req_measure(c.r, &err), 0);
		assert_int_equal(spdm_req_info(c.r)->neg.version, SPDM_VER_14);
		conn_close(&c);
	}
}

static void test_caller_nonce_and_evidence(void **state)
{
	struct spdm_req_config cfg;
	struct da_err err = { 0 };
	const uint8_t *vca, *cert;
	size_t vlen, clen;
	struct conn c;
	uint8_t h[SPDM_MAX_HASH_SIZE];
	struct da_buf chain = { 0 };

	config(&cfg, SPDM_VER_13, SPDM_ASYM_ECDSA_P384, SPDM_HASH_SHA384);
	cfg.have_nonce = true;
	memset(cfg.nonce, 0xa5, sizeof(cfg.nonce));
	conn_open(&c, DA_FRAMING_PCI_DOE, &cfg);
	assert_int_equal(spdm_req_authenticate(c.r, &err), 0);
	assert_memory_equal(spdm_req_info(c.r)->req_nonce, cfg.nonce, SPDM_NONCE_SIZE);
	/* The nonce is inside the signed transcript that is handed out as evidence. */
	assert_int_equal(spdm_req_evidence(c.r, DA_EV_VCA, &vca, &vlen), 0);
	assert_non_null(memmem(vca, vlen, cfg.nonce, SPDM_NONCE_SIZE));
	/* CERT0 is exactly the device's slot 0 chain. */
	assert_int_equal(spdm_req_evidence(c.r, DA_EV_CERT0, &cert, &clen), 0);
	assert_int_equal(rsp_device_chain_for(dev, 0, SPDM_ASYM_ECDSA_P384, SPDM_HASH_SHA384,
					      &chain, &err), 0);
	assert_int_equal(chain.len, clen);
	assert_memory_equal(chain.data, cert, clen);
	/* The chain ends in the device's root, checked by OpenSSL path validation. */
	assert_int_equal(spdm_hash(SPDM_HASH_SHA384, cert, clen, h), 0);
	da_buf_free(&chain);
	conn_close(&c);
}

static void test_rechallenge(void **state)
{
	struct spdm_req_config cfg;
	struct da_err err = { 0 };
	uint8_t first[SPDM_NONCE_SIZE];
	struct conn c;

	config(&cfg, SPDM_VER_12, SPDM_ASYM_ECDSA_P256, SPDM_HASH_SHA256);
	conn_open(&c, DA_FRAMING_PCI_DOE, &cfg);
	assert_int_equal(spdm_req_rechallenge(c.r, &err), -EINVAL);
	memset(&err, 0, sizeof(err));
	assert_int_equal(spdm_req_authenticate(c.r, &err), 0);
	memcpy(first, spdm_req_info(c.r)->req_nonce, SPDM_NONCE_SIZE);
	/* The device resets; the requester re-challenges with the cached key and a new nonce. */
	rsp_device_reset(dev);
	spdm_responder_free(c.rsp);
	da_transport_destroy(c.t);
	c.rsp = spdm_responder_new(dev, DA_FRAMING_PCI_DOE);
	assert_int_equal(da_transport_inproc(DA_FRAMING_PCI_DOE, spdm_responder_transport, c.rsp,
					     &c.t), 0);
	spdm_req_free(c.r);
	c.r = spdm_req_new(&cfg, c.t);
	assert_int_equal(spdm_req_authenticate(c.r, &err), 0);
	assert_int_equal(spdm_req_rechallenge(c.r, &err), 0);
	assert_memory_not_equal(first, spdm_req_info(c.r)->req_nonce, SPDM_NONCE_SIZE);
	/* A swapped device (new key and certificate) fails the re-challenge. */
	assert_int_equal(rsp_device_swap(dev, &err), 0);
	memset(&err, 0, sizeof(err));
	assert_int_equal(spdm_req_rechallenge(c.r, &err), -EKEYREJECTED);
	assert_non_null(strstr(err.msg, "device changed"));
	conn_close(&c);
}

struct fault_row {
	const char *fault;
	int code;		/* 0: must succeed */
	const char *msg;	/* substring of the error message */
};

/* One row per fault of docs/faults.md, each with the requester's own error. */
static const struct fault_row fault_rows[] = {
	{ "bad-challenge-sig", -EBADMSG, "CHALLENGE_AUTH: signature" },
	{ "bad-meas-sig", -EBADMSG, "MEASUREMENTS: signature" },
	{ "wrong-chain-hash", -EKEYREJECTED, "CertChainHash does not match slot 0 chain" },
	{ "digest-mismatch", -EKEYREJECTED, "digest of slot 0 does not match the hash of its chain" },
	{ "root-hash-mismatch", -EBADMSG, "RootHash" },
	{ "leaf-ca", -EINVAL, "BasicConstraints CA=TRUE on the leaf" },
	{ "leaf-no-digsig", -ENOKEY, "lacks digitalSignature on the leaf" },
	{ "inter-not-ca", -EPERM, "CA=FALSE or absent on a CA certificate" },
	{ "broken-chain-sig", -EKEYREJECTED, "signature does not verify with the issuer's key" },
	{ "wrong-san", -EACCES, "does not match expected" },
	{ "no-san", -ENOENT, "no otherName 2.23.147" },
	/* Dates are policy: the TSM accepts it, the verifier's trust check does not. */
	{ "expired-leaf", 0, NULL },
	{ "truncated", -EBADMSG, "CHALLENGE_AUTH" },
	{ "length-overrun", -EBADMSG, "CERTIFICATE" },
	{ "wrong-version", -EPROTO, "SPDMVersion" },
	{ "wrong-code", -EPROTO, "expected DIGESTS" },
	{ "nonce-echo", -EPROTO, "reflected" },
	{ "not-ready-once", 0, NULL },
	{ "not-ready-forever", -ETIMEDOUT, "still ResponseNotReady" },
	{ "busy", -EBUSY, "still Busy" },
	{ "busy-once", 0, NULL },
	{ "resynch", -ECONNRESET, "RequestResynch" },
	{ "drop", -ECONNRESET, "GET_CERTIFICATE" },
	{ "two-algs", -EPROTO, "BaseAsymSel" },
	{ "unsupported-alg", -EPROTO, "not exactly one of the offered" },
	{ "bad-meas-block", -EBADMSG, "MEASUREMENTS" },
};

static int run_fault_ver(const char *fault, uint8_t ver, struct da_err *err)
{
	struct spdm_req_config cfg;
	uint64_t mask;
	struct conn c;
	int ret;

	assert_int_equal(rsp_fault_parse(fault, &mask, err), 0);
	rsp_device_set_faults(dev, mask);
	/* P-256 is offered alone, so "unsupported-alg" has something else to pick. */
	config(&cfg, ver, SPDM_ASYM_ECDSA_P256, SPDM_HASH_SHA256);
	cfg.busy_retries = 2;
	cfg.not_ready_retries = 2;
	conn_open(&c, DA_FRAMING_PCI_DOE, &cfg);
	ret = spdm_req_authenticate(c.r, err);
	if (!ret)
		ret = spdm_req_measure(c.r, err);
	conn_close(&c);
	rsp_device_set_faults(dev, 0);
	return ret;
}

static int run_fault(const char *fault, struct da_err *err)
{
	return run_fault_ver(fault, SPDM_VER_13, err);
}

static void test_fault_table(void **state)
{
	for (size_t i = 0; i < sizeof(fault_rows) / sizeof(fault_rows[0]); i++) {
		const struct fault_row *row = &fault_rows[i];
		struct da_err err = { 0 };
		int ret = run_fault(row->fault, &err);

		if (ret != row->code || (row->msg && !strstr(err.msg, row->msg)))
			fail_msg("fault %s: expected %d \"%s\", got %d \"%s\"", row->fault,
				 row->code, row->msg ? row->msg : "", ret, err.msg);
		/* Every error names the device first. */
		if (ret)
			assert_int_equal(strncmp(err.msg, dcfg.name, strlen(dcfg.name)), 0);
	}
}

static void test_fault_expired_leaf_fails_trust(void **state)
{
	struct spdm_req_config cfg;
	struct da_err err = { 0 };
	struct da_trust *t;
	uint64_t mask;
	struct conn c;
	char path[] = "/tmp/devauth-root-XXXXXX";
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "wb");

	assert_non_null(f);
	assert_int_equal(i2d_X509_fp(f, rsp_device_root(dev, 0)), 1);
	fclose(f);
	assert_int_equal(rsp_fault_parse("expired-leaf", &mask, &err), 0);
	rsp_device_set_faults(dev, mask);
	config(&cfg, SPDM_VER_12, SPDM_ASYM_ECDSA_P256, SPDM_HASH_SHA256);
	conn_open(&c, DA_FRAMING_PCI_DOE, &cfg);
	assert_int_equal(spdm_req_authenticate(c.r, &err), 0);
	t = da_trust_load(path, &err);
	assert_non_null(t);
	assert_int_equal(da_trust_verify_chain(t, spdm_req_chain(c.r, 0), false, &err), 0);
	assert_int_not_equal(da_trust_verify_chain(t, spdm_req_chain(c.r, 0), true, &err), 0);
	assert_non_null(strstr(err.msg, "expired"));
	da_trust_free(t);
	conn_close(&c);
	rsp_device_set_faults(dev, 0);
	unlink(path);
}

static void test_replay_challenge_fault(void **state)
{
	struct rsp_device *saved = dev;
	struct rsp_device_config one;
	struct da_err err = { 0 };

	/* A device of its own, so that its first CHALLENGE_AUTH is this test's. */
	rsp_device_config_default(&one, "0000:02:00.0", 1);
	one.asym = SPDM_ASYM_ECDSA_P256;
	one.hash = SPDM_HASH_SHA256;
	assert_int_equal(rsp_device_create(&one, &dev, &err), 0);
	dcfg.id = one.id;
	/* The first CHALLENGE_AUTH is genuine... */
	assert_int_equal(run_fault_ver("replay-challenge", SPDM_VER_12, &err), 0);
	/* ...sent again for a new nonce, only the signature can tell (up to 1.2). */
	assert_int_equal(run_fault_ver("replay-challenge", SPDM_VER_12, &err), -EBADMSG);
	assert_non_null(strstr(err.msg, "CHALLENGE_AUTH: signature"));
	rsp_device_free(dev);
	dev = saved;
	rsp_device_config_default(&dcfg, "0000:01:00.0", 0);
}

/*
 * The device's answers over MCTP (type byte, then SPDM), with the n-th
 * CERTIFICATE's 16-bit RemainderLength (SPDM bytes 6-7) set to remainder.
 */
struct tamper {
	struct spdm_responder *rsp;
	unsigned int nth, seen;
	uint16_t remainder;
};

static int tamper_certificate(void *ctx, const uint8_t *req, size_t req_len, uint8_t *rsp,
			      size_t rsp_cap)
{
	struct tamper *t = ctx;
	int n = spdm_responder_transport(t->rsp, req, req_len, rsp, rsp_cap);

	if (n >= 9 && rsp[0] == 0x05 && rsp[2] == SPDM_CERTIFICATE && t->seen++ == t->nth) {
		rsp[7] = (uint8_t)t->remainder;
		rsp[8] = (uint8_t)(t->remainder >> 8);
	}
	return n;
}

static int read_tampered(unsigned int nth, uint16_t remainder, struct da_err *err)
{
	struct tamper t = { .nth = nth, .remainder = remainder };
	struct spdm_req_config cfg;
	struct da_transport *tr;
	struct spdm_req *r;
	int ret;

	config(&cfg, SPDM_VER_12, 0, 0);
	cfg.cert_portion = 512;		/* the chain in several portions */
	t.rsp = spdm_responder_new(dev, DA_FRAMING_MCTP);
	assert_non_null(t.rsp);
	assert_int_equal(da_transport_inproc(DA_FRAMING_MCTP, tamper_certificate, &t, &tr), 0);
	r = spdm_req_new(&cfg, tr);
	assert_non_null(r);
	memset(err, 0, sizeof(*err));
	ret = spdm_req_authenticate(r, err);
	spdm_req_free(r);
	da_transport_destroy(tr);
	spdm_responder_free(t.rsp);
	return ret;
}

/* Each CERTIFICATE portion must agree with the first on the chain's total. */
static void test_certificate_portions(void **state)
{
	struct da_err err;

	(void)state;
	/* untouched (the remainder the device sends is what it is set to): authenticates */
	assert_int_equal(read_tampered(99, 0, &err), 0);
	assert_int_equal(read_tampered(1, 1, &err), -EPROTO);
	assert_non_null(strstr(err.msg, "earlier portions said"));
	assert_int_equal(read_tampered(0, 0xffff, &err), -EMSGSIZE);
	assert_non_null(strstr(err.msg, "exceeds"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_version_and_algorithm),
		cmocka_unit_test(test_every_framing),
		cmocka_unit_test(test_caller_nonce_and_evidence),
		cmocka_unit_test(test_fault_table),
		cmocka_unit_test(test_fault_expired_leaf_fails_trust),
		cmocka_unit_test(test_replay_challenge_fault),
		cmocka_unit_test(test_rechallenge),
		cmocka_unit_test(test_certificate_portions),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
