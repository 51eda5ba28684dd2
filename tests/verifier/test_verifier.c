// SPDX-License-Identifier: MIT
/*
 * The userspace verifier end to end: the DMTF captures with their roots,
 * emulator evidence for every version through every importer, a table
 * of tampering (each object and field class) with the specific reason
 * each is rejected for, policies, pins and the bundle round trip.
 */
#include <errno.h>
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

#include <devauth/evidence.h>
#include <devauth/pcap.h>
#include <devauth/verifier.h>

#include "crypto/crypto.h"
#include "evidence/transcript.h"
#include "verifier_harness.h"

static struct rsp_device *dev, *other, *expired;
static char root[256], other_root[256], expired_root[256];

static int setup(void **state)
{
	struct rsp_device_config c;
	struct da_err err = { 0 };

	rsp_device_config_default(&c, "0000:01:00.0", 0);
	if (rsp_device_create(&c, &dev, &err))
		goto fail;
	rsp_device_config_default(&c, "0000:02:00.0", 1);
	if (rsp_device_create(&c, &other, &err))
		goto fail;
	rsp_device_config_default(&c, "0000:03:00.0", 2);
	c.faults = 1ull << RSP_FAULT_EXPIRED_LEAF;
	if (rsp_device_create(&c, &expired, &err))
		goto fail;
	write_root(dev, root, sizeof(root));
	write_root(other, other_root, sizeof(other_root));
	write_root(expired, expired_root, sizeof(expired_root));
	return 0;
fail:
	fprintf(stderr, "rsp_device_create: %s\n", err.msg);
	return -1;
}

static int teardown(void **state)
{
	unlink(root);
	unlink(other_root);
	unlink(expired_root);
	rsp_device_free(dev);
	rsp_device_free(other);
	rsp_device_free(expired);
	return 0;
}

static const char *vectors(void)
{
	const char *v = getenv("DEVAUTH_VECTORS");

	return v ? v : "../shared/vectors";
}

static struct da_policy *policy(const char *json)
{
	struct da_policy *p = NULL;
	struct da_err err = { 0 };

	if (da_policy_parse(json, strlen(json), &p, &err))
		fail_msg("policy %s: %s", json, err.msg);
	return p;
}

/* Verify and expect acceptance (or fail with the verdict). */
static void expect_accepted(const struct da_evidence *ev, const struct da_verify_opts *o,
			    const char *what)
{
	struct da_verdict v = { 0 };
	struct da_err err = { 0 };

	if (da_verify(ev, o, &v, &err))
		fail_msg("%s: da_verify: %s", what, err.msg);
	if (!v.accepted)
		fail_msg("%s: rejected: %s", what, v.reason);
	assert_true(v.replayed);
	da_verdict_free(&v);
}

static void expect_rejected(const struct da_evidence *ev, const struct da_verify_opts *o,
			    const char *reason, const char *what)
{
	struct da_verdict v = { 0 };
	struct da_err err = { 0 };

	if (da_verify(ev, o, &v, &err))
		fail_msg("%s: malformed instead of rejected: %s", what, err.msg);
	if (v.accepted)
		fail_msg("%s: accepted, expected a rejection for \"%s\"", what, reason);
	if (!strstr(v.reason, reason))
		fail_msg("%s: rejected for \"%s\", expected \"%s\"", what, v.reason, reason);
	da_verdict_free(&v);
}

static void roundtrip(const struct da_evidence *ev, struct da_evidence *out)
{
	struct da_buf a = { 0 }, b = { 0 };
	struct da_err err = { 0 };

	assert_int_equal(da_evidence_encode(ev, &a, &err), 0);
	if (da_evidence_decode(a.data, a.len, out, &err))
		fail_msg("decode: %s", err.msg);
	assert_int_equal(da_evidence_encode(out, &b, &err), 0);
	assert_int_equal(a.len, b.len);
	assert_memory_equal(a.data, b.data, a.len);
	da_buf_free(&a);
	da_buf_free(&b);
}

/* ---- the DMTF captures ---- */

static void test_dmtf_captures(void **state)
{
	static const char *const caps[] = {
		"v11_rsassa3072_sha256", "v12_p384_sha384", "v13_p256_sha256",
	};
	struct da_policy *need_id = policy("{ \"require_pcie_identity\": true }");

	for (size_t i = 0; i < 3; i++) {
		char pcap[512], anchor[512];
		struct da_verify_opts o = { .trust_path = anchor };
		struct da_evidence ev, rt;
		struct da_err err = { 0 };
		struct da_capture cap = { 0 };
		struct da_spdm_msg *msgs = NULL;
		struct da_verdict v = { 0 };
		size_t n = 0;

		snprintf(pcap, sizeof(pcap), "%s/%s/exchange.pcap", vectors(), caps[i]);
		snprintf(anchor, sizeof(anchor), "%s/%s/root-slot0.der", vectors(), caps[i]);
		da_evidence_init(&ev);
		if (da_evidence_import_pcap(pcap, &ev, &err))
			fail_msg("%s: %s", pcap, err.msg);
		assert_non_null(ev.obj[DA_EV_VCA].data);
		assert_non_null(ev.obj[DA_EV_MEASUREMENTS].data);
		assert_non_null(ev.obj[DA_EV_CERT0].data);
		assert_string_equal(ev.identity, "");
		/* Through a bundle, byte-exact. */
		roundtrip(&ev, &rt);
		expect_accepted(&rt, &o, caps[i]);
		/* No PCIe identity in the leaf: a policy that requires one rejects it for that. */
		o.policy = need_id;
		expect_rejected(&rt, &o, "no PCIe CMA identity", caps[i]);
		o.policy = NULL;
		/* The root of slot 1 is not the root of the challenged slot 0. */
		snprintf(anchor, sizeof(anchor), "%s/%s/root-slot1.der", vectors(), caps[i]);
		expect_rejected(&rt, &o, "trust:", caps[i]);
		snprintf(anchor, sizeof(anchor), "%s/%s/root-slot0.der", vectors(), caps[i]);

		/* The capture verified directly, without cutting objects. */
		assert_int_equal(da_pcap_read(pcap, &cap, &err), 0);
		assert_int_equal(da_capture_spdm(&cap, &msgs, &n, &err), 0);
		assert_int_equal(da_verify_msgs(msgs, n, pcap, &o, &v, &err), 0);
		assert_true(v.accepted);
		assert_non_null(v.meas_record);
		da_verdict_free(&v);
		o.policy = need_id;
		assert_int_equal(da_verify_msgs(msgs, n, pcap, &o, &v, &err), 0);
		assert_false(v.accepted);
		assert_non_null(strstr(v.reason, "identity"));
		da_verdict_free(&v);
		free(msgs);
		da_capture_free(&cap);
		da_evidence_free(&ev);
		da_evidence_free(&rt);
	}
	da_policy_free(need_id);
}

/* ---- emulator evidence through every importer ---- */

static void through_importers(const struct da_evidence *ev, const char *what)
{
	struct da_verify_opts o = { .trust_path = root };
	struct da_evidence in;
	struct da_buf b = { 0 };
	struct da_err err = { 0 };
	char dir[256];

	if (ev->have_nonce) {
		o.have_nonce = true;
		memcpy(o.nonce, ev->nonce, SPDM_NONCE_SIZE);
	}
	/* bundle */
	roundtrip(ev, &in);
	expect_accepted(&in, &o, what);
	da_evidence_free(&in);

	/* sysfs */
	snprintf(dir, sizeof(dir), "/tmp/devauth-test-sysfs-%d", (int)getpid());
	rm_rf(dir);
	write_sysfs(ev, dir);
	da_evidence_init(&in);
	if (da_evidence_import_sysfs(dir, &in, &err))
		fail_msg("%s: sysfs: %s", what, err.msg);
	assert_int_equal(in.obj[DA_EV_VCA].len, ev->obj[DA_EV_VCA].len);
	assert_memory_equal(in.obj[DA_EV_VCA].data, ev->obj[DA_EV_VCA].data, in.obj[DA_EV_VCA].len);
	assert_int_equal(in.obj[DA_EV_MEASUREMENTS].len, ev->obj[DA_EV_MEASUREMENTS].len);
	assert_int_equal(in.obj[ev->neg.slot].len, ev->obj[ev->neg.slot].len);
	expect_accepted(&in, &o, what);
	da_evidence_free(&in);
	rm_rf(dir);

	/* netlink sig events */
	build_sig_events(ev, &b);
	da_evidence_init(&in);
	if (da_evidence_import_netlink_sig(b.data, b.len, &in, &err))
		fail_msg("%s: sig: %s", what, err.msg);
	assert_string_equal(in.dev_name, ev->dev_name);
	assert_int_equal(in.neg.version, ev->neg.version);
	expect_accepted(&in, &o, what);
	da_evidence_free(&in);

	/* pci-tsm dump, in odd-sized chunks */
	build_pci_tsm_dump(ev, 7, 333, &b);
	da_evidence_init(&in);
	if (da_evidence_import_pci_tsm(b.data, b.len, &in, &err))
		fail_msg("%s: pci-tsm: %s", what, err.msg);
	assert_int_equal(in.generation, 7);
	for (unsigned int t = 0; t <= DA_EV_MAX; t++) {
		assert_int_equal(in.obj[t].len, ev->obj[t].len);
		if (in.obj[t].len)
			assert_memory_equal(in.obj[t].data, ev->obj[t].data, in.obj[t].len);
	}
	expect_accepted(&in, &o, what);
	da_evidence_free(&in);
	da_buf_free(&b);
}

static void test_emulator_every_version_and_importer(void **state)
{
	static const struct {
		uint32_t asym, hash;
	} algs[] = {
		{ SPDM_ASYM_ECDSA_P256, SPDM_HASH_SHA256 },
		{ SPDM_ASYM_ECDSA_P384, SPDM_HASH_SHA384 },
		{ SPDM_ASYM_RSAPSS_3072, SPDM_HASH_SHA512 },
		{ SPDM_ASYM_RSASSA_2048, SPDM_HASH_SHA256 },
		{ SPDM_ASYM_EDDSA_ED25519, SPDM_HASH_SHA512 },
	};
	unsigned int runs = 0;

	for (uint8_t ver = SPDM_VER_10; ver <= SPDM_VER_14; ver++) {
		for (size_t a = 0; a < sizeof(algs) / sizeof(algs[0]); a++) {
			struct collect_opts co = { .version = ver, .asym = algs[a].asym,
						   .hash = algs[a].hash, .have_nonce = true };
			struct da_evidence ev;
			char what[96], pcap[128];

			if (!(spdm_supported_asym() & co.asym) ||
			    (ver < SPDM_VER_12 && (co.asym & SPDM_ASYM_EDDSA_ED25519)))
				continue;
			snprintf(what, sizeof(what), "%u.%u %s %s", ver >> 4, ver & 15,
				 spdm_asym_name(co.asym), spdm_hash_name(co.hash));
			snprintf(pcap, sizeof(pcap), "/tmp/devauth-test-verifier-%d.pcap",
				 (int)getpid());
			memset(co.nonce, 0x40 + ver, sizeof(co.nonce));
			co.pcap_path = pcap;
			collect(dev, &co, &ev);
			assert_int_equal(ev.neg.version, ver);
			assert_true(ev.identity[0]);
			through_importers(&ev, what);
			/* pcap importer: the capture of this exchange gives the same objects. */
			{
				struct da_evidence pc;
				struct da_err err = { 0 };
				struct da_verify_opts o = { .trust_path = root,
							    .have_nonce = true };

				memcpy(o.nonce, co.nonce, SPDM_NONCE_SIZE);
				da_evidence_init(&pc);
				if (da_evidence_import_pcap(pcap, &pc, &err))
					fail_msg("%s: pcap: %s", what, err.msg);
				for (unsigned int t = 0; t <= DA_EV_MAX; t++) {
					assert_int_equal(pc.obj[t].len, ev.obj[t].len);
					if (pc.obj[t].len)
						assert_memory_equal(pc.obj[t].data, ev.obj[t].data,
								    pc.obj[t].len);
				}
				expect_accepted(&pc, &o, what);
				da_evidence_free(&pc);
			}
			unlink(pcap);
			da_evidence_free(&ev);
			runs++;
		}
	}
	assert_true(runs >= 20);
}

/* Every BaseAsym x BaseHash of this build, every version: bundle and pci-tsm dump. */
static void test_emulator_every_algorithm(void **state)
{
	static const uint32_t hashes[] = { SPDM_HASH_SHA256, SPDM_HASH_SHA384, SPDM_HASH_SHA512 };
	struct da_verify_opts o = { .trust_path = root };
	unsigned int runs = 0;

	for (uint8_t ver = SPDM_VER_10; ver <= SPDM_VER_14; ver++) {
		for (unsigned int b = 0; b < 12; b++) {
			uint32_t asym = 1u << b;
			bool eddsa = asym & (SPDM_ASYM_EDDSA_ED25519 | SPDM_ASYM_EDDSA_ED448);

			if (!(spdm_supported_asym() & asym) || (eddsa && ver < SPDM_VER_12))
				continue;
			for (size_t h = 0; h < 3; h++) {
				struct collect_opts co = { .version = ver, .asym = asym,
							   .hash = hashes[h] };
				struct da_evidence ev, in;
				struct da_buf d = { 0 };
				struct da_err err = { 0 };
				char what[96];

				snprintf(what, sizeof(what), "%u.%u %s %s", ver >> 4, ver & 15,
					 spdm_asym_name(asym), spdm_hash_name(hashes[h]));
				collect(dev, &co, &ev);
				assert_int_equal(ev.neg.base_asym, asym);
				assert_int_equal(ev.neg.base_hash, hashes[h]);
				roundtrip(&ev, &in);
				expect_accepted(&in, &o, what);
				da_evidence_free(&in);
				build_pci_tsm_dump(&ev, 1, 4096, &d);
				da_evidence_init(&in);
				if (da_evidence_import_pci_tsm(d.data, d.len, &in, &err))
					fail_msg("%s: %s", what, err.msg);
				expect_accepted(&in, &o, what);
				da_evidence_free(&in);
				da_buf_free(&d);
				da_evidence_free(&ev);
				runs++;
			}
		}
	}
	/* 1.0/1.1 without EdDSA, 1.2-1.4 with it (SM2 is not in OpenSSL's default set). */
	assert_true(runs >= 2 * 9 * 3 + 3 * 11 * 3 - 6 * 3);
}

/* ---- tampering ---- */

/* Offset of the first message with this code in the VCA object. */
static size_t msg_off(const struct da_evidence *ev, uint8_t code, bool last)
{
	const struct da_evidence_obj *o = &ev->obj[DA_EV_VCA];
	struct da_transcript_info ti;
	struct da_msg_list l = { 0 };
	size_t off = SIZE_MAX;

	assert_int_equal(da_split_vca(o->data, o->len, &l, &ti, NULL), 0);
	for (size_t i = 0; i < l.n; i++) {
		if (l.m[i].data[1] == code) {
			off = (size_t)(l.m[i].data - o->data);
			if (!last)
				break;
		}
	}
	da_msg_list_free(&l);
	assert_true(off != SIZE_MAX);
	return off;
}

/* Offset of the (last) MEASUREMENTS response in the MEASUREMENTS object. */
static size_t meas_rsp_off(const struct da_evidence *ev)
{
	const struct da_evidence_obj *o = &ev->obj[DA_EV_MEASUREMENTS];
	struct da_transcript_info ti;
	struct da_msg_list l = { 0 };
	size_t off, a;

	assert_int_equal(da_split_vca(ev->obj[DA_EV_VCA].data, ev->obj[DA_EV_VCA].len, &l, &ti,
				      NULL), 0);
	da_msg_list_free(&l);
	assert_int_equal(da_split_meas(o->data, o->len, &ti, &l, &a, NULL), 0);
	off = (size_t)(l.m[l.n - 1].data - o->data);
	da_msg_list_free(&l);
	return off;
}

static void flip(struct da_evidence *ev, unsigned int type, size_t off)
{
	assert_true(off < ev->obj[type].len);
	ev->obj[type].data[off] ^= 0x01;
}

enum tamper {
	T_VCA_SIG, T_CHAL_NONCE, T_RSP_NONCE, T_CHAIN_HASH, T_DIGEST, T_CERT_BYTE,
	T_CAPS_BYTE, T_MEAS_SIG, T_MEAS_VALUE, T_MEAS_A, T_CERT_OBJ, T_METADATA, T_TRUNCATE,
	T_TRAILING, T_REORDER, T_OTHER_SIG, T_MEAS_OTHER,
};

static void tamper(struct da_evidence *ev, enum tamper t, const struct da_evidence *b)
{
	struct da_evidence_obj *vca = &ev->obj[DA_EV_VCA], *meas = &ev->obj[DA_EV_MEASUREMENTS];
	size_t h = spdm_hash_size(ev->neg.base_hash), s = spdm_sig_size(ev->neg.base_asym);

	switch (t) {
	case T_VCA_SIG:
		flip(ev, DA_EV_VCA, vca->len - 1);
		break;
	case T_CHAL_NONCE:
		flip(ev, DA_EV_VCA, msg_off(ev, SPDM_CHALLENGE, false) + 4);
		break;
	case T_RSP_NONCE:
		flip(ev, DA_EV_VCA, msg_off(ev, SPDM_CHALLENGE_AUTH, false) + 4 + h);
		break;
	case T_CHAIN_HASH:
		flip(ev, DA_EV_VCA, msg_off(ev, SPDM_CHALLENGE_AUTH, false) + 4);
		break;
	case T_DIGEST:
		flip(ev, DA_EV_VCA, msg_off(ev, SPDM_DIGESTS, false) + 4);
		break;
	case T_CERT_BYTE: {
		/* Near the end of the last portion: the leaf certificate's signature. */
		size_t c = msg_off(ev, SPDM_CERTIFICATE, true);
		size_t portion = vca->data[c + 4] | (size_t)vca->data[c + 5] << 8;

		assert_true(portion > 20);
		flip(ev, DA_EV_VCA, c + 8 + portion - 20);
		break;
	}
	case T_CAPS_BYTE:
		flip(ev, DA_EV_VCA, msg_off(ev, SPDM_CAPABILITIES, false) + 5);
		break;
	case T_MEAS_SIG:
		flip(ev, DA_EV_MEASUREMENTS, meas->len - 1);
		break;
	case T_MEAS_VALUE:
		/* First byte of the first block's value: header 4, counts 4, block 4 + 3. */
		flip(ev, DA_EV_MEASUREMENTS, meas_rsp_off(ev) + 8 + 7);
		break;
	case T_MEAS_A:
		flip(ev, DA_EV_MEASUREMENTS, 2);
		break;
	case T_CERT_OBJ:
		flip(ev, ev->neg.slot, ev->obj[ev->neg.slot].len - 10);
		break;
	case T_METADATA:
		ev->neg.base_hash = ev->neg.base_hash == SPDM_HASH_SHA256 ? SPDM_HASH_SHA384 :
				SPDM_HASH_SHA256;
		break;
	case T_TRUNCATE:
		vca->len--;
		break;
	case T_TRAILING: {
		uint8_t z[1] = { 0 };
		struct da_buf x = { 0 };

		da_buf_append(&x, vca->data, vca->len);
		da_buf_append(&x, z, 1);
		da_evidence_set(ev, DA_EV_VCA, x.data, x.len);
		da_buf_free(&x);
		break;
	}
	case T_REORDER: {
		/* Swap GET_DIGESTS and DIGESTS. */
		size_t q = msg_off(ev, SPDM_GET_DIGESTS, false);
		size_t r = msg_off(ev, SPDM_DIGESTS, false);
		/* One digest per bit of ProvisionedSlotMask. */
		size_t qlen = r - q, rlen = 4 + (size_t)__builtin_popcount(vca->data[r + 3]) * h;
		uint8_t *tmp = malloc(qlen + rlen);

		memcpy(tmp, vca->data + r, rlen);
		memcpy(tmp + rlen, vca->data + q, qlen);
		memcpy(vca->data + q, tmp, qlen + rlen);
		free(tmp);
		break;
	}
	case T_OTHER_SIG:
		/* A signature that is valid, but by another device over its own transcript. */
		memcpy(vca->data + vca->len - s, b->obj[DA_EV_VCA].data + b->obj[DA_EV_VCA].len - s,
		       s);
		break;
	case T_MEAS_OTHER:
		da_evidence_set(ev, DA_EV_MEASUREMENTS, b->obj[DA_EV_MEASUREMENTS].data,
				b->obj[DA_EV_MEASUREMENTS].len);
		break;
	}
}

static void test_tampering(void **state)
{
	static const struct {
		enum tamper t;
		const char *name;
		const char *reason;	/* substring of the verdict's reason; NULL: malformed */
		const char *malformed;	/* substring of the error when malformed */
	} table[] = {
		{ T_VCA_SIG, "CHALLENGE_AUTH signature byte", "challenge-signature", NULL },
		{ T_CHAL_NONCE, "CHALLENGE nonce", "challenge-signature", NULL },
		{ T_RSP_NONCE, "CHALLENGE_AUTH responder nonce", "challenge-signature", NULL },
		{ T_CHAIN_HASH, "CHALLENGE_AUTH CertChainHash", "cert-chain-hash", NULL },
		{ T_DIGEST, "DIGESTS entry", "digest slot 0: VCA object", NULL },
		{ T_CERT_BYTE, "certificate byte in CERTIFICATE", "chain-consistency slot 0", NULL },
		{ T_CAPS_BYTE, "CAPABILITIES byte (in A)", "challenge-signature", NULL },
		{ T_MEAS_SIG, "MEASUREMENTS signature byte", "measurements-signature", NULL },
		{ T_MEAS_VALUE, "measurement block value", "measurements-signature", NULL },
		{ T_CERT_OBJ, "CERT0 object", "object-cert0", NULL },
		{ T_METADATA, "bundle metadata", "metadata", NULL },
		{ T_TRUNCATE, "VCA truncated by one byte", NULL, "VCA object, offset" },
		{ T_TRAILING, "a byte after CHALLENGE_AUTH", NULL, "after CHALLENGE_AUTH" },
		{ T_REORDER, "GET_DIGESTS and DIGESTS swapped", "transcript: VCA object, offset", NULL },
		{ T_OTHER_SIG, "valid signature of another device", "challenge-signature", NULL },
		{ T_MEAS_OTHER, "MEASUREMENTS of another device", "measurements-signature", NULL },
		{ T_MEAS_A, "VCA prefix of the MEASUREMENTS object", "object-measurements", NULL },
	};
	static const uint8_t versions[] = { SPDM_VER_11, SPDM_VER_12, SPDM_VER_13 };

	for (size_t vi = 0; vi < sizeof(versions); vi++) {
		struct collect_opts co = { .version = versions[vi], .asym = SPDM_ASYM_ECDSA_P256,
					   .hash = SPDM_HASH_SHA256 };
		struct da_verify_opts o = { .trust_path = root };
		struct da_evidence good, b;

		collect(dev, &co, &good);
		collect(other, &co, &b);
		expect_accepted(&good, &o, "untampered");
		for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
			struct da_evidence ev;
			struct da_verdict v = { 0 };
			struct da_err err = { 0 };
			char what[128];
			int ret;

			/* Before 1.2, L1 does not start with A. */
			if (table[i].t == T_MEAS_A && versions[vi] < SPDM_VER_12)
				continue;
			snprintf(what, sizeof(what), "%x: %s", versions[vi], table[i].name);
			roundtrip(&good, &ev);
			tamper(&ev, table[i].t, &b);
			ret = da_verify(&ev, &o, &v, &err);
			if (getenv("VERIFIER_TEST_VERBOSE"))
				printf("%s -> %s\n", what, ret ? err.msg : v.reason);
			if (table[i].reason) {
				if (ret)
					fail_msg("%s: malformed: %s", what, err.msg);
				if (v.accepted)
					fail_msg("%s: accepted", what);
				if (!strstr(v.reason, table[i].reason))
					fail_msg("%s: reason \"%s\", expected \"%s\"", what, v.reason,
						 table[i].reason);
			} else {
				if (!ret)
					fail_msg("%s: not malformed (%s)", what,
						 v.accepted ? "accepted" : v.reason);
				if (!strstr(err.msg, table[i].malformed))
					fail_msg("%s: error \"%s\", expected \"%s\"", what, err.msg,
						 table[i].malformed);
			}
			da_verdict_free(&v);
			da_evidence_free(&ev);
		}
		/* Another device's own, fully valid evidence chains to another root. */
		expect_rejected(&b, &o, "trust:", "other device against our root");
		da_evidence_free(&good);
		da_evidence_free(&b);
	}
}

static void test_nonce_root_dates_identity(void **state)
{
	struct collect_opts co = { .version = SPDM_VER_12, .asym = SPDM_ASYM_ECDSA_P384,
				   .hash = SPDM_HASH_SHA384, .have_nonce = true };
	struct da_verify_opts o = { .trust_path = root, .have_nonce = true };
	struct da_policy *p;
	struct da_evidence ev, ex;
	char json[512];

	memset(co.nonce, 0x11, sizeof(co.nonce));
	collect(dev, &co, &ev);
	memcpy(o.nonce, co.nonce, SPDM_NONCE_SIZE);
	expect_accepted(&ev, &o, "fresh nonce");
	/* An old nonce: the evidence answers an earlier request. */
	o.nonce[0] ^= 0xff;
	expect_rejected(&ev, &o, "Nonce in the transcript is not the expected nonce", "old nonce");
	o.have_nonce = false;
	/* An unknown root. */
	o.trust_path = other_root;
	expect_rejected(&ev, &o, "trust:", "unknown root");
	o.trust_path = root;

	/* Identity: "any" passes (the emulator leaf has one), a wrong vendor fails. */
	p = policy("{ \"identity\": \"any\" }");
	o.policy = p;
	expect_accepted(&ev, &o, "identity any");
	da_policy_free(p);
	snprintf(json, sizeof(json), "{ \"identity\": { \"vendor\": \"0x%04x\" } }",
		 (unsigned int)(rsp_device_config(dev)->id.vendor ^ 1));
	p = policy(json);
	o.policy = p;
	expect_rejected(&ev, &o, "Vendor", "wrong vendor");
	da_policy_free(p);
	/* Version, algorithm and slot policies. */
	p = policy("{ \"versions\": [\"1.3\", \"1.4\"] }");
	o.policy = p;
	expect_rejected(&ev, &o, "policy-version", "version not allowed");
	da_policy_free(p);
	p = policy("{ \"base_asym\": [\"ECDSA-P256\"] }");
	o.policy = p;
	expect_rejected(&ev, &o, "policy-algorithms", "algorithm not allowed");
	da_policy_free(p);
	p = policy("{ \"slots\": [1] }");
	o.policy = p;
	expect_rejected(&ev, &o, "policy-slot", "slot not allowed");
	da_policy_free(p);
	/* A measurement that differs from the reference. */
	p = policy("{ \"measurements\": [ { \"index\": 1, \"digest\": \"00112233\" } ] }");
	o.policy = p;
	expect_rejected(&ev, &o, "measurement[1]", "reference mismatch");
	da_policy_free(p);
	o.policy = NULL;

	/* An expired leaf: rejected when dates count, accepted when the policy says not. */
	co.have_nonce = false;
	collect(expired, &co, &ex);
	o.trust_path = expired_root;
	expect_rejected(&ex, &o, "expired", "expired leaf");
	p = policy("{ \"check_dates\": false }");
	o.policy = p;
	expect_accepted(&ex, &o, "expired leaf, dates off");
	da_policy_free(p);
	da_evidence_free(&ex);
	da_evidence_free(&ev);
}

static void test_policy_init_and_pin(void **state)
{
	struct collect_opts co = { .version = SPDM_VER_13, .asym = SPDM_ASYM_ECDSA_P256,
				   .hash = SPDM_HASH_SHA256 };
	struct da_verify_opts o = { .trust_path = root };
	struct da_verdict v1 = { 0 }, v2 = { 0 };
	const struct da_verdict *vs[2] = { &v1, &v2 };
	struct da_evidence e1, e2;
	struct da_policy *p = NULL;
	struct da_err err = { 0 };
	json_object *j = NULL, *x, *pin = NULL;
	const char *s;
	bool vol16 = false;

	collect(dev, &co, &e1);
	rsp_device_reset(dev);	/* the boot counter block moves on */
	collect(dev, &co, &e2);
	assert_int_equal(da_verify(&e1, &o, &v1, &err), 0);
	assert_int_equal(da_verify(&e2, &o, &v2, &err), 0);
	assert_true(v1.accepted && v2.accepted);
	/* With one golden capture, the changed block would be a mismatch... */
	assert_int_equal(da_policy_from_verdicts(vs, 1, NULL, root, &j, &err), 0);
	s = json_object_to_json_string(j);
	assert_int_equal(da_policy_parse(s, strlen(s), &p, &err), 0);
	o.policy = p;
	expect_accepted(&e1, &o, "policy from e1, on e1");
	expect_rejected(&e2, &o, "measurement[", "policy from e1, on e2");
	da_policy_free(p);
	json_object_put(j);
	/* ...with two, it is volatile, and both verify. */
	assert_int_equal(da_policy_from_verdicts(vs, 2, NULL, root, &j, &err), 0);
	assert_true(json_object_object_get_ex(j, "volatile", &x));
	for (size_t i = 0; i < json_object_array_length(x); i++)
		vol16 |= json_object_get_int(json_object_array_get_idx(x, i)) == 16;
	assert_true(vol16);
	assert_true(json_object_object_get_ex(j, "identity", &x));
	s = json_object_to_json_string(j);
	assert_int_equal(da_policy_parse(s, strlen(s), &p, &err), 0);
	o.policy = p;
	expect_accepted(&e1, &o, "policy from both, on e1");
	expect_accepted(&e2, &o, "policy from both, on e2");

	/* Pins: the same key across both; exact pins leave out the volatile block. */
	assert_int_equal(da_pin_from_verdict(&v1, DA_PIN_SAME_KEY, p, &pin, &err), 0);
	assert_true(json_object_object_get_ex(pin, "leaf_spki", &x));
	assert_false(json_object_object_get_ex(pin, "chain_hash", NULL));
	assert_false(json_object_object_get_ex(pin, "measurements", NULL));
	json_object_put(pin);
	assert_int_equal(da_pin_from_verdict(&v1, DA_PIN_EXACT, p, &pin, &err), 0);
	assert_true(json_object_object_get_ex(pin, "chain_hash", &x));
	assert_int_equal(strlen(json_object_get_string(x)), 64);
	assert_true(json_object_object_get_ex(pin, "measurements", &x));
	assert_true(json_object_array_length(x) > 3);
	for (size_t i = 0; i < json_object_array_length(x); i++) {
		json_object *idx;

		json_object_object_get_ex(json_object_array_get_idx(x, i), "index", &idx);
		assert_int_not_equal(json_object_get_int(idx), 16);
	}
	json_object_put(pin);
	/* Exact pins of the two captures are the same (only the volatile block changed). */
	{
		json_object *p1 = NULL, *p2 = NULL;

		assert_int_equal(da_pin_from_verdict(&v1, DA_PIN_EXACT, p, &p1, &err), 0);
		assert_int_equal(da_pin_from_verdict(&v2, DA_PIN_EXACT, p, &p2, &err), 0);
		assert_string_equal(json_object_to_json_string(p1), json_object_to_json_string(p2));
		json_object_put(p1);
		json_object_put(p2);
	}
	/* No pin from rejected evidence. */
	v1.accepted = false;
	assert_int_equal(da_pin_from_verdict(&v1, DA_PIN_EXACT, p, &pin, &err), -EKEYREJECTED);
	da_policy_free(p);
	json_object_put(j);
	da_verdict_free(&v1);
	da_verdict_free(&v2);
	da_evidence_free(&e1);
	da_evidence_free(&e2);
}

static void test_policy_errors(void **state)
{
	static const struct {
		const char *json, *key;
	} bad[] = {
		{ "{ \"trust_anchor\": \"x\" }", "trust_anchor: unknown key" },
		{ "{ \"check_dates\": 1 }", "check_dates: expected true or false" },
		{ "{ \"identity\": { \"vendor\": \"0x1ffff\" } }", "identity.vendor" },
		{ "{ \"identity\": { \"vendr\": 1 } }", "identity.vendr: unknown key" },
		{ "{ \"identity\": \"some\" }", "identity: expected" },
		{ "{ \"versions\": [\"2.0\"] }", "versions[0]" },
		{ "{ \"base_asym\": [\"ECDSA-P999\"] }", "base_asym[0]: unknown algorithm" },
		{ "{ \"base_hash\": [] }", "base_hash: an empty set" },
		{ "{ \"base_hash\": [\"unknown\"] }", "base_hash[0]: unknown algorithm" },
		{ "{ \"slots\": [8] }", "slots[0]" },
		{ "{ \"measurements\": [ { \"index\": 0, \"digest\": \"00\" } ] }",
		  "measurements[0].index" },
		{ "{ \"measurements\": [ { \"index\": 1 } ] }", "measurements[0]: needs exactly one" },
		{ "{ \"measurements\": [ { \"index\": 1, \"digest\": \"0g\" } ] }",
		  "measurements[0].digest" },
		{ "{ \"measurements\": [ { \"index\": 1, \"digest\": [\"00\", 5] } ] }",
		  "measurements[0].digest[1]" },
		{ "{ \"measurements\": [ { \"index\": 1, \"raw\": \"00\", \"x\": 1 } ] }",
		  "measurements[0].x: unknown key" },
		{ "{ \"volatile\": [300] }", "volatile[0]" },
		{ "{ \"volatile\": [2], \"measurements\": [ { \"index\": 2, \"raw\": \"00\" } ] }",
		  "index 2 is also listed as volatile" },
		{ "{ \"version\": 2 }", "version" },
		{ "{ \"check_dates\": true ", "offset" },
		{ "[]", "(top level)" },
		{ "{} x", "offset 3" },
		/* json-c would keep the second; a reviewer reads the first. */
		{ "{ \"check_dates\": true, \"check_d\\u0061tes\": false }",
		  "policy: check_dates: key given twice" },
		{ "{ \"measurements\": [ { \"index\": 1, \"raw\": \"00\" }, "
		  "{ \"index\": 2, \"raw\": \"00\", \"raw\": \"01\" } ] }",
		  "policy: measurements[1].raw: key given twice" },
		{ "{ \"identity\": { \"serial\": null } }", "identity.serial: expected a number" },
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct da_policy *p = NULL;
		struct da_err err = { 0 };

		if (!da_policy_parse(bad[i].json, strlen(bad[i].json), &p, &err))
			fail_msg("accepted: %s", bad[i].json);
		assert_null(p);
		if (!strstr(err.msg, bad[i].key))
			fail_msg("%s: error \"%s\" does not name \"%s\"", bad[i].json, err.msg,
				 bad[i].key);
	}
	{
		struct da_policy *p = NULL;
		struct da_err err = { 0 };
		static const char ok[] =
			"{ \"version\": 1, \"trust_anchors\": [\"/a\", \"/b\"], \"check_dates\": false,"
			" \"identity\": { \"vendor\": \"8086\", \"device\": 2853, \"class\": \"0x088000\","
			" \"revision\": \"01\", \"serial\": \"0011223344556677\" },"
			" \"versions\": [\"1.2\", \"1.3\"], \"base_asym\": [\"ecdsa-p384\"],"
			" \"base_hash\": [\"SHA-384\"], \"measurement_hash\": [\"raw\", \"SHA-512\"],"
			" \"slots\": [0, 1], \"require_measurements\": true, \"volatile\": [16, \"0xfd\"],"
			" \"measurements\": [ { \"index\": 1, \"digest\": [\"00\", \"ff\"], \"type\": \"x\" } ] }\n";

		assert_int_equal(da_policy_parse(ok, strlen(ok), &p, &err), 0);
		da_policy_free(p);
	}
}

static void test_bundle_format(void **state)
{
	struct collect_opts co = { .version = SPDM_VER_12, .asym = SPDM_ASYM_ECDSA_P256,
				   .hash = SPDM_HASH_SHA256, .have_nonce = true };
	struct da_evidence ev, rd;
	struct da_buf b = { 0 };
	struct da_err err = { 0 };
	char path[128];
	uint8_t report[5] = { 1, 2, 3, 4, 5 };

	memset(co.nonce, 0x77, sizeof(co.nonce));
	collect(dev, &co, &ev);
	ev.time = 1700000000;
	assert_int_equal(da_evidence_set(&ev, DA_EV_REPORT, report, sizeof(report)), 0);
	roundtrip(&ev, &rd);
	assert_string_equal(rd.dev_name, ev.dev_name);
	assert_string_equal(rd.tsm, "tsm0");
	assert_string_equal(rd.identity, ev.identity);
	assert_true(rd.have_nonce);
	assert_memory_equal(rd.nonce, co.nonce, SPDM_NONCE_SIZE);
	assert_int_equal(rd.time, 1700000000);
	assert_int_equal(rd.obj[DA_EV_REPORT].len, 5);
	/* The REPORT is carried; five bytes are no interface report. */
	{
		struct da_verify_opts o = { .trust_path = root };
		struct da_verdict v = { 0 };
		bool seen = false;

		assert_int_equal(da_verify(&rd, &o, &v, &err), 0);
		assert_false(v.accepted);
		for (size_t i = 0; i < v.checks.n; i++)
			seen |= !strcmp(v.checks.c[i].name, "tdisp.report") &&
				v.checks.c[i].result == DA_CHECK_FAIL;
		assert_true(seen);
		/* And a REPORT needs the SESSION that proves its session was this device's. */
		assert_non_null(strstr(v.reason, "session: a REPORT without the SESSION object"));
		da_verdict_free(&v);
	}
	da_evidence_free(&rd);

	/* Files: atomic write, read back equal. */
	snprintf(path, sizeof(path), "/tmp/devauth-test-bundle-%d.bin", (int)getpid());
	assert_int_equal(da_evidence_write_file(&ev, path, &err), 0);
	assert_int_equal(da_evidence_read_file(path, &rd, &err), 0);
	assert_int_equal(da_evidence_encode(&rd, &b, &err), 0);
	{
		struct da_buf a = { 0 };

		assert_int_equal(da_evidence_encode(&ev, &a, &err), 0);
		assert_int_equal(a.len, b.len);
		assert_memory_equal(a.data, b.data, a.len);
		da_buf_free(&a);
	}
	da_evidence_free(&rd);
	unlink(path);

	/* Malformed bundles name the offset. */
	{
		uint8_t *x = malloc(b.len + 8);

		memcpy(x, b.data, b.len);
		x[0] ^= 1;
		assert_int_equal(da_evidence_decode(x, b.len, &rd, &err), -EBADMSG);
		assert_non_null(strstr(err.msg, "offset 0"));
		memcpy(x, b.data, b.len);
		da_err_clear(&err);
		assert_int_equal(da_evidence_decode(x, b.len - 1, &rd, &err), -EBADMSG);
		assert_non_null(strstr(err.msg, "REPORT length 5 exceeds"));
		da_err_clear(&err);
		memcpy(x + b.len, "\x00\x01\x00\x00\x00\x00", 6);
		assert_int_equal(da_evidence_decode(x, b.len + 6, &rd, &err), -EBADMSG);
		assert_non_null(strstr(err.msg, "out of order"));
		da_err_clear(&err);
		x[8] = 2;
		assert_int_equal(da_evidence_decode(x, b.len, &rd, &err), -EPROTONOSUPPORT);
		free(x);
	}
	da_buf_free(&b);
	da_evidence_free(&ev);
}

static void test_export(void **state)
{
	static const uint8_t versions[] = { SPDM_VER_11, SPDM_VER_12 };

	for (size_t i = 0; i < sizeof(versions); i++) {
		struct collect_opts co = { .version = versions[i], .asym = SPDM_ASYM_ECDSA_P256,
					   .hash = SPDM_HASH_SHA256 };
		struct da_transcript_info ti;
		struct da_msg_list l = { 0 };
		struct da_evidence ev;
		struct da_buf b = { 0 };
		struct da_err err = { 0 };
		const struct da_evidence_obj *m;

		collect(dev, &co, &ev);
		m = &ev.obj[DA_EV_MEASUREMENTS];
		assert_int_equal(da_evidence_export_meas_transcript(&ev, &b, &err), 0);
		assert_int_equal(da_split_vca(ev.obj[DA_EV_VCA].data, ev.obj[DA_EV_VCA].len, &l,
					      &ti, NULL), 0);
		da_msg_list_free(&l);
		/* VCA || GET_MEASUREMENTS || MEASUREMENTS with its signature */
		assert_memory_equal(b.data, ev.obj[DA_EV_VCA].data, ti.a_len);
		if (versions[i] >= SPDM_VER_12) {
			assert_int_equal(b.len, m->len);
		} else {
			assert_int_equal(b.len, ti.a_len + m->len);
			assert_memory_equal(b.data + ti.a_len, m->data, m->len);
		}
		assert_int_equal(b.data[ti.a_len + 1], SPDM_GET_MEASUREMENTS);
		da_buf_free(&b);
		da_evidence_free(&ev);
	}
}

/*
 * Not a test: with DEVAUTH_WRITE_SEEDS=DIR (fuzz/verifier/corpus) the
 * binary runs only this, writing the seed corpora of the verifier fuzz
 * targets from real evidence.
 */
static void seed(const char *target, const char *name, const void *p, size_t n)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", getenv("DEVAUTH_WRITE_SEEDS"), target);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/%s/%s", getenv("DEVAUTH_WRITE_SEEDS"), target, name);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(p, 1, n, f), n);
	fclose(f);
}

static void sysfs_record(struct da_buf *b, uint8_t id, const void *p, size_t n)
{
	uint8_t h[3] = { id, (uint8_t)n, (uint8_t)(n >> 8) };

	da_buf_append(b, h, 3);
	da_buf_append(b, p, n);
}

static void seeds_from(const struct da_evidence *ev, const char *tag)
{
	const struct da_evidence_obj *vca = &ev->obj[DA_EV_VCA], *m = &ev->obj[DA_EV_MEASUREMENTS];
	size_t s = spdm_sig_size(ev->neg.base_asym);
	struct da_buf b = { 0 };
	char name[64];
	uint8_t l[2] = { (uint8_t)vca->len, (uint8_t)(vca->len >> 8) };
	static const char ct[] = "responder-challenge_auth signing";
	static const char mt[] = "responder-measurements signing";

	snprintf(name, sizeof(name), "%s.bin", tag);
	assert_int_equal(da_evidence_encode(ev, &b, NULL), 0);
	seed("fuzz_bundle", name, b.data, b.len);
	da_buf_reset(&b);
	da_buf_append(&b, l, 2);
	da_buf_append(&b, vca->data, vca->len);
	da_buf_append(&b, m->data, m->len);
	seed("fuzz_transcript", name, b.data, b.len);
	build_pci_tsm_dump(ev, 3, 1000, &b);
	seed("fuzz_import_pci_tsm", name, b.data, b.len);
	build_sig_events(ev, &b);
	seed("fuzz_import_sig", name, b.data, b.len);
	da_buf_reset(&b);
	sysfs_record(&b, 0, ct, sizeof(ct) - 1);
	sysfs_record(&b, 1, vca->data, vca->len - s);
	sysfs_record(&b, 2, vca->data + vca->len - s, s);
	sysfs_record(&b, 3, ev->obj[ev->neg.slot].data, ev->obj[ev->neg.slot].len);
	if (m->len) {
		sysfs_record(&b, 5, mt, sizeof(mt) - 1);
		sysfs_record(&b, 6, m->data, m->len - s);
		sysfs_record(&b, 7, m->data + m->len - s, s);
	}
	seed("fuzz_import_sysfs", name, b.data, b.len);
	da_buf_free(&b);
}

static void write_seeds(void **state)
{
	static const char *const caps[] = {
		"v11_rsassa3072_sha256", "v12_p384_sha384", "v13_p256_sha256",
	};
	static const char *const policies[] = {
		"{ \"version\": 1, \"trust_anchors\": [\"root.pem\"], \"check_dates\": false,"
		" \"identity\": { \"vendor\": \"8086\", \"device\": \"0b25\", \"class\": \"088000\","
		" \"revision\": \"01\", \"ssvid\": \"8086\", \"ssid\": \"0000\", \"serial\": \"00a0c9fffe123456\" },"
		" \"versions\": [\"1.2\", \"1.3\"], \"base_asym\": [\"ECDSA-P384\", \"EdDSA-Ed25519\"],"
		" \"base_hash\": [\"SHA-384\"], \"measurement_hash\": [\"SHA-512\", \"raw\"],"
		" \"slots\": [0, 1], \"require_measurements\": true, \"volatile\": [16, \"0xfd\"],"
		" \"measurements\": [ { \"index\": 1, \"digest\": [\"00ff\", \"ff00\"] },"
		" { \"index\": 2, \"raw\": \"0102\", \"type\": \"mutable firmware\", \"comment\": \"x\" } ] }",
		"{ \"identity\": \"any\", \"require_pcie_identity\": true }",
		"{}",
	};
	struct collect_opts co = { .asym = SPDM_ASYM_ECDSA_P256, .hash = SPDM_HASH_SHA256 };
	char name[32], path[512];

	for (uint8_t ver = SPDM_VER_10; ver <= SPDM_VER_13; ver++) {
		struct da_evidence ev;

		co.version = ver;
		snprintf(path, sizeof(path), "/tmp/devauth-seed-%d.pcap", (int)getpid());
		co.pcap_path = path;
		collect(dev, &co, &ev);
		snprintf(name, sizeof(name), "emu-v1%u", ver & 15);
		seeds_from(&ev, name);
		{
			FILE *f = fopen(path, "r");
			uint8_t buf[65536];
			size_t n = fread(buf, 1, sizeof(buf), f);

			fclose(f);
			snprintf(name, sizeof(name), "emu-v1%u.pcap", ver & 15);
			seed("fuzz_import_pcap", name, buf, n);
		}
		unlink(path);
		da_evidence_free(&ev);
	}
	for (size_t i = 0; i < 3; i++) {
		struct da_evidence ev;

		snprintf(path, sizeof(path), "%s/%s/exchange.pcap", vectors(), caps[i]);
		da_evidence_init(&ev);
		assert_int_equal(da_evidence_import_pcap(path, &ev, NULL), 0);
		seeds_from(&ev, caps[i]);
		da_evidence_free(&ev);
	}
	for (size_t i = 0; i < sizeof(policies) / sizeof(policies[0]); i++) {
		snprintf(name, sizeof(name), "policy%zu.json", i);
		seed("fuzz_policy", name, policies[i], strlen(policies[i]));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dmtf_captures),
		cmocka_unit_test(test_emulator_every_version_and_importer),
		cmocka_unit_test(test_emulator_every_algorithm),
		cmocka_unit_test(test_tampering),
		cmocka_unit_test(test_nonce_root_dates_identity),
		cmocka_unit_test(test_policy_init_and_pin),
		cmocka_unit_test(test_policy_errors),
		cmocka_unit_test(test_bundle_format),
		cmocka_unit_test(test_export),
	};
	/* Seed writing is a tool run by hand, never a test that reports SKIP. */
	const struct CMUnitTest seeds[] = {
		cmocka_unit_test(write_seeds),
	};

	if (getenv("DEVAUTH_WRITE_SEEDS"))
		return cmocka_run_group_tests(seeds, setup, teardown);
	return cmocka_run_group_tests(tests, setup, teardown);
}
