// SPDX-License-Identifier: MIT
/*
 * The DMTF reference implementation's own bytes, replayed through the
 * requester's checks: the three captures must verify, and each tampered
 * copy must fail with its specific reason.
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

#include <devauth/pcap.h>
#include <devauth/requester.h>

#include "crypto/crypto.h"
#include "crypto/x509.h"
#include "spdm/codec.h"

struct capture {
	const char *dir;
	uint32_t asym, hash;
	uint8_t version;
	struct da_capture cap;
	struct da_spdm_msg *msgs;
	size_t n;
	/* mutable copies of every message */
	uint8_t *copy[64];
};

static struct capture caps[] = {
	{ .dir = "v11_rsassa3072_sha256", .asym = SPDM_ASYM_RSASSA_3072,
	  .hash = SPDM_HASH_SHA256, .version = SPDM_VER_11 },
	{ .dir = "v12_p384_sha384", .asym = SPDM_ASYM_ECDSA_P384,
	  .hash = SPDM_HASH_SHA384, .version = SPDM_VER_12 },
	{ .dir = "v13_p256_sha256", .asym = SPDM_ASYM_ECDSA_P256,
	  .hash = SPDM_HASH_SHA256, .version = SPDM_VER_13 },
};

static const char *vectors(void)
{
	const char *v = getenv("DEVAUTH_VECTORS");

	return v ? v : "../shared/vectors";
}

static int load(struct capture *c)
{
	char path[512];
	struct da_err err = { 0 };

	snprintf(path, sizeof(path), "%s/%s/exchange.pcap", vectors(), c->dir);
	if (da_pcap_read(path, &c->cap, &err) || da_capture_spdm(&c->cap, &c->msgs, &c->n, &err)) {
		fprintf(stderr, "%s: %s\n", path, err.msg);
		return -1;
	}
	if (c->n > 64)
		return -1;
	/* Point every message at a private copy so tests can tamper. */
	for (size_t i = 0; i < c->n; i++) {
		c->copy[i] = malloc(c->msgs[i].len);
		memcpy(c->copy[i], c->msgs[i].data, c->msgs[i].len);
		c->msgs[i].data = c->copy[i];
	}
	return 0;
}

static int setup(void **state)
{
	for (size_t i = 0; i < 3; i++)
		if (load(&caps[i]))
			return -1;
	return 0;
}

static int teardown(void **state)
{
	for (size_t i = 0; i < 3; i++) {
		for (size_t k = 0; k < caps[i].n; k++)
			free(caps[i].copy[k]);
		free(caps[i].msgs);
		da_capture_free(&caps[i].cap);
	}
	return 0;
}

/* Index of the nth message (0-based) with this SPDM code. */
static size_t find(const struct capture *c, uint8_t code, unsigned int nth)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->msgs[i].len >= 2 && c->msgs[i].data[1] == code && nth-- == 0)
			return i;
	fail_msg("no message 0x%02x in %s", code, c->dir);
	return 0;
}

static const struct da_check *check(const struct spdm_req *r, const char *name)
{
	const struct da_checklist *l = spdm_req_checks(r);

	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->c[i].name, name))
			return &l->c[i];
	return NULL;
}

/* Replay a (possibly modified) message list; returns the error. */
static int replay(const struct capture *c, const struct da_spdm_msg *msgs, size_t n,
		  const struct spdm_req_config *cfg_in, struct da_err *err,
		  struct spdm_req **out)
{
	struct spdm_req_config cfg;
	struct spdm_req *r;
	int ret;

	if (cfg_in)
		cfg = *cfg_in;
	else
		spdm_req_config_default(&cfg);
	cfg.dev_name = c->dir;
	r = spdm_req_new(&cfg, NULL);
	assert_non_null(r);
	ret = spdm_req_replay(r, msgs, n, err);
	if (out)
		*out = r;
	else
		spdm_req_free(r);
	return ret;
}

static void test_captures_verify(void **state)
{
	for (size_t i = 0; i < 3; i++) {
		struct capture *c = &caps[i];
		struct da_err err = { 0 };
		struct spdm_req *r;
		const struct spdm_req_info *info;
		const uint8_t *ev;
		size_t len;
		char path[512];
		struct da_trust *t;

		assert_int_equal(replay(c, c->msgs, c->n, NULL, &err, &r), 0);
		info = spdm_req_info(r);
		assert_int_equal(info->neg.version, c->version);
		assert_int_equal(info->neg.base_asym, c->asym);
		assert_int_equal(info->neg.base_hash, c->hash);
		assert_int_equal(info->neg.measurement_hash, SPDM_MEAS_HASH_SHA512);
		assert_true(info->authenticated);
		assert_true(info->measured);
		assert_int_equal(info->neg.slot, 0);
		assert_false(da_checklist_failed(spdm_req_checks(r)));
		assert_int_equal(check(r, "challenge-signature")->result, DA_CHECK_PASS);
		assert_int_equal(check(r, "measurements-signature")->result, DA_CHECK_PASS);
		assert_int_equal(check(r, "digest slot 0")->result, DA_CHECK_PASS);
		assert_int_equal(check(r, "cert-chain-hash")->result, DA_CHECK_PASS);
		/* The leaf has a DMTF otherName, not a PCIe one: reported, not failed. */
		assert_int_equal(check(r, "pcie-identity slot 0")->result, DA_CHECK_SKIP);

		/* Evidence: VCA ends with the signature and starts with GET_VERSION. */
		assert_int_equal(spdm_req_evidence(r, DA_EV_VCA, &ev, &len), 0);
		assert_true(len > info->sig_size + 4);
		assert_int_equal(ev[0], 0x10);
		assert_int_equal(ev[1], SPDM_GET_VERSION);
		assert_int_equal(spdm_req_evidence(r, DA_EV_MEASUREMENTS, &ev, &len), 0);
		assert_int_equal(spdm_req_evidence(r, DA_EV_CERT0, &ev, &len), 0);
		assert_int_equal(ev[0] | ev[1] << 8, len);
		assert_int_equal(spdm_req_evidence(r, DA_EV_REPORT, &ev, &len), -ENOENT);

		/* The slot 0 chain ends in the sample root, not in the slot 1 root... */
		snprintf(path, sizeof(path), "%s/%s/root-slot0.der", vectors(), c->dir);
		t = da_trust_load(path, &err);
		assert_non_null(t);
		assert_int_equal(da_trust_verify_chain(t, spdm_req_chain(r, 0), true, &err), 0);
		da_trust_free(t);
		spdm_req_free(r);
	}
}

static void test_chain_to_unknown_root_rejected(void **state)
{
	/* v13's slot 1 root is a different key: the slot 0 chain must not verify to it. */
	struct capture *c = &caps[2];
	struct da_err err = { 0 };
	struct spdm_req *r;
	struct da_trust *t;
	char path[512];

	assert_int_equal(replay(c, c->msgs, c->n, NULL, &err, &r), 0);
	snprintf(path, sizeof(path), "%s/%s/root-slot1.der", vectors(), c->dir);
	t = da_trust_load(path, &err);
	assert_non_null(t);
	assert_int_not_equal(da_trust_verify_chain(t, spdm_req_chain(r, 0), true, &err), 0);
	da_trust_free(t);
	spdm_req_free(r);
}

/* Flip one byte at off (negative: from the end) of message idx, replay, restore. */
static int flip(struct capture *c, size_t idx, long off, struct da_err *err,
		struct spdm_req **r)
{
	size_t at = off < 0 ? c->msgs[idx].len + (size_t)off : (size_t)off;
	int ret;

	c->copy[idx][at] ^= 0x01;
	ret = replay(c, c->msgs, c->n, NULL, err, r);
	c->copy[idx][at] ^= 0x01;
	return ret;
}

static void expect(int ret, int code, const struct da_err *err, const char *substr)
{
	if (ret != code || !strstr(err->msg, substr))
		fail_msg("expected %d with \"%s\", got %d: %s", code, substr, ret, err->msg);
}

static void test_tampered_challenge_signature(void **state)
{
	for (size_t i = 0; i < 3; i++) {
		struct capture *c = &caps[i];
		struct da_err err = { 0 };
		struct spdm_req *r;
		size_t auth = find(c, SPDM_CHALLENGE_AUTH, 0);
		struct spdm_dec_params p = {
			.version = c->version,
			.hash_size = (uint16_t)spdm_hash_size(c->hash),
			.sig_size = (uint16_t)spdm_sig_size(c->asym),
		};
		struct spdm_challenge_auth a;
		int ret;

		assert_true(spdm_decode_challenge_auth(c->msgs[auth].data, c->msgs[auth].len, &p,
						       SPDM_MEAS_SUMMARY_ALL, &a, NULL) > 0);
		ret = flip(c, auth, (long)(4 + 0), &err, &r);

		/* Flipping the CertChainHash is caught before the signature. */
		expect(ret, -EKEYREJECTED, &err, "CertChainHash does not match slot 0 chain");
		assert_int_equal(check(r, "cert-chain-hash")->result, DA_CHECK_FAIL);
		spdm_req_free(r);

		memset(&err, 0, sizeof(err));
		ret = flip(c, auth, (long)(a.signed_len + p.sig_size - 1), &err, &r);
		expect(ret, -EBADMSG, &err, "CHALLENGE_AUTH: signature");
		assert_int_equal(check(r, "challenge-signature")->result, DA_CHECK_FAIL);
		spdm_req_free(r);
	}
}

static void test_tampered_nonces(void **state)
{
	for (size_t i = 0; i < 3; i++) {
		struct capture *c = &caps[i];
		struct da_err err = { 0 };
		size_t chal = find(c, SPDM_CHALLENGE, 0);
		size_t auth = find(c, SPDM_CHALLENGE_AUTH, 0);
		size_t hlen = c->hash == SPDM_HASH_SHA384 ? 48 : 32;
		struct spdm_req_config cfg;
		int ret;

		/* The requester nonce is signed: changing it breaks the signature. */
		ret = flip(c, chal, 4 + 5, &err, NULL);
		expect(ret, -EBADMSG, &err, "CHALLENGE_AUTH: signature");
		/* So is the responder nonce. */
		memset(&err, 0, sizeof(err));
		ret = flip(c, auth, (long)(4 + hlen + 7), &err, NULL);
		expect(ret, -EBADMSG, &err, "CHALLENGE_AUTH: signature");
		/* A verifier that asked for its own nonce rejects an old transcript. */
		spdm_req_config_default(&cfg);
		cfg.have_nonce = true;
		memset(cfg.nonce, 0x5a, sizeof(cfg.nonce));
		memset(&err, 0, sizeof(err));
		ret = replay(c, c->msgs, c->n, &cfg, &err, NULL);
		expect(ret, -ESTALE, &err, "not the expected nonce");
		/* ... and accepts it with the nonce that was really sent. */
		memcpy(cfg.nonce, c->msgs[chal].data + 4, SPDM_NONCE_SIZE);
		memset(&err, 0, sizeof(err));
		assert_int_equal(replay(c, c->msgs, c->n, &cfg, &err, NULL), 0);
	}
}

static void test_tampered_certificate(void **state)
{
	for (size_t i = 0; i < 3; i++) {
		struct capture *c = &caps[i];
		struct da_err err = { 0 };
		size_t cert = find(c, SPDM_CERTIFICATE, 0);
		size_t hlen = c->hash == SPDM_HASH_SHA384 ? 48 : 32;
		int ret;

		/* A byte of the root certificate: RootHash no longer matches. */
		ret = flip(c, cert, (long)(8 + 4 + hlen + 40), &err, NULL);
		expect(ret, -EBADMSG, &err, "RootHash");
		/* The RootHash itself. */
		memset(&err, 0, sizeof(err));
		ret = flip(c, cert, 8 + 4 + 3, &err, NULL);
		expect(ret, -EBADMSG, &err, "RootHash");
	}
}

static void test_tampered_leaf_signature(void **state)
{
	/* The chain's last bytes are the leaf's signature (in the last portion). */
	for (size_t i = 0; i < 3; i++) {
		struct capture *c = &caps[i];
		struct da_err err = { 0 };
		size_t cert = find(c, SPDM_CERTIFICATE, 0);
		struct spdm_certificate cc;
		int ret;

		/* Find the portion that completes slot 0's chain. */
		while (spdm_decode_certificate(c->msgs[cert].data, c->msgs[cert].len, c->version,
					       &cc, NULL) > 0 && cc.remainder_len)
			cert = find(c, SPDM_CERTIFICATE, 1);
		ret = flip(c, cert, 8 + cc.portion_len - 3, &err, NULL);
		assert_true(ret == -EBADMSG || ret == -EKEYREJECTED);
		assert_non_null(strstr(err.msg, "certificate"));
	}
}

static void test_tampered_digest(void **state)
{
	for (size_t i = 0; i < 3; i++) {
		struct capture *c = &caps[i];
		struct da_err err = { 0 };
		struct spdm_req *r;
		size_t dig = find(c, SPDM_DIGESTS, 0);
		int ret = flip(c, dig, 4 + 1, &err, &r);

		expect(ret, -EKEYREJECTED, &err, "digest of slot 0 does not match");
		assert_int_equal(check(r, "digest slot 0")->result, DA_CHECK_FAIL);
		spdm_req_free(r);
	}
}

static void test_tampered_measurements(void **state)
{
	for (size_t i = 0; i < 3; i++) {
		struct capture *c = &caps[i];
		struct da_err err = { 0 };
		struct spdm_req *r;
		size_t m = find(c, SPDM_MEASUREMENTS, 0);
		int ret;

		/* A byte of the first block's digest. */
		ret = flip(c, m, 8 + 7 + 3, &err, &r);
		expect(ret, -EBADMSG, &err, "MEASUREMENTS: signature");
		assert_int_equal(check(r, "measurements-signature")->result, DA_CHECK_FAIL);
		spdm_req_free(r);
	}
}

static void test_truncated(void **state)
{
	for (size_t i = 0; i < 3; i++) {
		struct capture *c = &caps[i];
		struct da_err err = { 0 };
		size_t auth = find(c, SPDM_CHALLENGE_AUTH, 0);
		size_t save = c->msgs[auth].len;
		int ret;

		/* Cut in the middle of the signature. */
		c->msgs[auth].len = save - 20;
		ret = replay(c, c->msgs, c->n, NULL, &err, NULL);
		c->msgs[auth].len = save;
		expect(ret, -EBADMSG, &err, "CHALLENGE_AUTH");

		/*
		 * Prefixes of every message fail cleanly, never crash: every
		 * header and fixed-field boundary, and just short of the end
		 * (DOE padding, up to 3 bytes, may be cut without harm).
		 */
		for (size_t k = 0; k < c->n; k++) {
			static const size_t cuts[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 16, 20, 24,
						       36, 40, 44, 48, 68, 100 };
			size_t full = c->msgs[k].len;

			for (size_t ci = 0; ci < sizeof(cuts) / sizeof(cuts[0]) + 1; ci++) {
				size_t cut = ci < sizeof(cuts) / sizeof(cuts[0]) ? cuts[ci] :
					     full - 4;

				if (cut + 3 >= full)
					continue;
				c->msgs[k].len = cut;
				memset(&err, 0, sizeof(err));
				assert_int_not_equal(replay(c, c->msgs, c->n, NULL, &err, NULL), 0);
				assert_true(err.msg[0] != '\0');
			}
			c->msgs[k].len = full;
		}

		/* The last response missing. */
		memset(&err, 0, sizeof(err));
		ret = replay(c, c->msgs, c->n - 1, NULL, &err, NULL);
		expect(ret, -EPROTO, &err, "has no response");
	}
}

static void test_reordered(void **state)
{
	for (size_t i = 0; i < 3; i++) {
		struct capture *c = &caps[i];
		struct da_spdm_msg m[64];
		struct da_err err = { 0 };
		size_t alg = find(c, SPDM_NEGOTIATE_ALGORITHMS, 0);
		size_t dig = find(c, SPDM_GET_DIGESTS, 0);
		size_t chal = find(c, SPDM_CHALLENGE, 0);
		int ret;

		/* GET_DIGESTS before NEGOTIATE_ALGORITHMS. */
		memcpy(m, c->msgs, c->n * sizeof(m[0]));
		m[alg] = c->msgs[dig];
		m[alg + 1] = c->msgs[dig + 1];
		m[dig] = c->msgs[alg];
		m[dig + 1] = c->msgs[alg + 1];
		ret = replay(c, m, c->n, NULL, &err, NULL);
		expect(ret, -EPROTO, &err, "GET_DIGESTS: out of order");

		/* CHALLENGE and CHALLENGE_AUTH swapped. */
		memcpy(m, c->msgs, c->n * sizeof(m[0]));
		m[chal] = c->msgs[chal + 1];
		m[chal + 1] = c->msgs[chal];
		memset(&err, 0, sizeof(err));
		ret = replay(c, m, c->n, NULL, &err, NULL);
		expect(ret, -EPROTO, &err, "response without a request");
	}
}

static void test_version_echo(void **state)
{
	for (size_t i = 0; i < 3; i++) {
		struct capture *c = &caps[i];
		struct da_err err = { 0 };
		size_t d = find(c, SPDM_DIGESTS, 0);
		int ret;

		c->copy[d][0] ^= 0x03;
		ret = replay(c, c->msgs, c->n, NULL, &err, NULL);
		c->copy[d][0] ^= 0x03;
		expect(ret, -EPROTO, &err, "SPDMVersion");
	}
}

/*
 * The captures read a chain again after the challenge: those bytes must
 * be the chain already checked, or the device changed under us.
 */
static void test_reread_changed(void **state)
{
	for (size_t i = 0; i < 3; i++) {
		struct capture *c = &caps[i];
		struct da_err err = { 0 };
		size_t last = 0, portion;
		int ret;

		for (size_t k = 0; k < c->n; k++)
			if (c->msgs[k].len >= 2 && c->msgs[k].data[1] == SPDM_CERTIFICATE)
				last = k;
		assert_true(last > find(c, SPDM_CHALLENGE_AUTH, 0));
		/* The portion's last byte (DOE pads after it): same length, other content. */
		assert_true(c->msgs[last].len >= 8);
		portion = (size_t)(c->msgs[last].data[4] | c->msgs[last].data[5] << 8);
		assert_true(portion > 0 && 8 + portion <= c->msgs[last].len);
		ret = flip(c, last, (long)(8 + portion - 1), &err, NULL);
		expect(ret, -EKEYREJECTED, &err, "changed between two reads");
	}
}

/* A signed MEASUREMENTS whose Nonce is the request's own, reflected back. */
static void test_meas_nonce_reflected(void **state)
{
	for (size_t i = 0; i < 3; i++) {
		struct capture *c = &caps[i];
		struct da_err err = { 0 };
		size_t m = 0, rec, off;
		uint8_t keep[SPDM_NONCE_SIZE];
		int ret;

		for (size_t k = 0; k < c->n; k++)
			if (c->msgs[k].len >= 2 && c->msgs[k].data[1] == SPDM_MEASUREMENTS)
				m = k;
		assert_true(m > 0 && c->msgs[m - 1].data[1] == SPDM_GET_MEASUREMENTS);
		assert_true(c->msgs[m - 1].len >= 4 + SPDM_NONCE_SIZE);
		/* Nonce follows the MeasurementRecord (u8 count, u24 length, record). */
		rec = (size_t)(c->msgs[m].data[5] | c->msgs[m].data[6] << 8 |
			       c->msgs[m].data[7] << 16);
		off = 8 + rec;
		assert_true(off + SPDM_NONCE_SIZE <= c->msgs[m].len);
		memcpy(keep, c->copy[m] + off, SPDM_NONCE_SIZE);
		memcpy(c->copy[m] + off, c->msgs[m - 1].data + 4, SPDM_NONCE_SIZE);
		ret = replay(c, c->msgs, c->n, NULL, &err, NULL);
		memcpy(c->copy[m] + off, keep, SPDM_NONCE_SIZE);
		expect(ret, -EPROTO, &err, "MEASUREMENTS: Nonce is the requester's nonce reflected back");
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_captures_verify),
		cmocka_unit_test(test_chain_to_unknown_root_rejected),
		cmocka_unit_test(test_tampered_challenge_signature),
		cmocka_unit_test(test_tampered_nonces),
		cmocka_unit_test(test_tampered_certificate),
		cmocka_unit_test(test_tampered_leaf_signature),
		cmocka_unit_test(test_tampered_digest),
		cmocka_unit_test(test_tampered_measurements),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_reordered),
		cmocka_unit_test(test_version_echo),
		cmocka_unit_test(test_reread_changed),
		cmocka_unit_test(test_meas_nonce_reflected),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
