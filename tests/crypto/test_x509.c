// SPDX-License-Identifier: MIT
/*
 * lib/crypto/x509.c and pki.c: chains generated here (good and broken in
 * every way enum pki_fault knows), the SPDM chain framing, the PCIe CMA
 * SAN, trust anchors, and the DMTF sample roots.
 */
#include <errno.h>
#include <limits.h>
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

#include <openssl/pem.h>

#include <devauth/spdm.h>

#include "crypto/crypto.h"
#include "crypto/pki.h"
#include "crypto/x509.h"

static const struct cma_identity dev_id = {
	.vendor = 0x8086, .device = 0x0b25, .class_code = 0x010802, .revision = 0x01,
	.has_subsys = true, .ssvid = 0x8086, .ssid = 0x0000,
	.has_serial = true, .serial = 0x00a1b2c3d4e5f607ull,
};

struct pki {
	struct pki_ca root, inter, leaf;
	struct da_buf chain;
	uint32_t hash;
};

static void pki_free(struct pki *p)
{
	pki_ca_free(&p->leaf);
	pki_ca_free(&p->inter);
	pki_ca_free(&p->root);
	da_buf_free(&p->chain);
}

static void make_pki(struct pki *p, uint32_t asym, uint32_t hash, unsigned int faults)
{
	struct da_err err = { 0 };
	X509 *certs[3];

	memset(p, 0, sizeof(*p));
	p->hash = hash;
	if (pki_make_root(asym, "devauth test root", &p->root, &err) ||
	    pki_make_intermediate(&p->root, asym, "devauth test intermediate", faults, &p->inter,
				  &err) ||
	    pki_make_leaf(&p->inter, asym, "devauth test device", &dev_id, "ACME:WIDGET:42",
			  faults, &p->leaf, &err))
		fail_msg("pki: %s", err.msg);
	certs[0] = p->root.cert;
	certs[1] = p->inter.cert;
	certs[2] = p->leaf.cert;
	if (pki_spdm_chain(certs, 3, hash, &p->chain, &err))
		fail_msg("pki_spdm_chain: %s", err.msg);
}

static char tmpdir[64];

static int setup_tmp(void **state)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/devauth-test-x509-XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown_tmp(void **state)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_identity_format(void **state)
{
	struct cma_identity id = dev_id;
	char buf[128];

	assert_int_equal(cma_identity_format(&id, buf, sizeof(buf)), 78);
	assert_string_equal(buf,
		"Vendor=8086:Device=0b25:CC=010802:REV=01:SSVID=8086:SSID=0000:00a1b2c3d4e5f607");
	id.has_serial = false;
	cma_identity_format(&id, buf, sizeof(buf));
	assert_string_equal(buf, "Vendor=8086:Device=0b25:CC=010802:REV=01:SSVID=8086:SSID=0000");
	id.has_subsys = false;
	id.class_code = 0xff0c0330;	/* only 24 bits are the class code */
	cma_identity_format(&id, buf, sizeof(buf));
	assert_string_equal(buf, "Vendor=8086:Device=0b25:CC=0c0330:REV=01");
}

/* Every algorithm makes a chain that parses, checks and is trusted by its root. */
static void test_good_chains(void **state)
{
	static const struct { uint32_t asym, hash; } algs[] = {
		{ SPDM_ASYM_ECDSA_P256, SPDM_HASH_SHA256 },
		{ SPDM_ASYM_ECDSA_P384, SPDM_HASH_SHA384 },
		{ SPDM_ASYM_ECDSA_P521, SPDM_HASH_SHA512 },
		{ SPDM_ASYM_RSASSA_2048, SPDM_HASH_SHA256 },
		{ SPDM_ASYM_RSAPSS_3072, SPDM_HASH_SHA384 },
		{ SPDM_ASYM_EDDSA_ED25519, SPDM_HASH_SHA512 },
		{ SPDM_ASYM_EDDSA_ED448, SPDM_HASH_SHA256 },
	};
	char path[256], san[128], want[128];

	for (size_t i = 0; i < sizeof(algs) / sizeof(algs[0]); i++) {
		struct da_err err = { 0 };
		struct spdm_chain c;
		struct da_trust *t;
		struct pki p;
		EVP_PKEY *k;

		make_pki(&p, algs[i].asym, algs[i].hash, 0);
		if (spdm_chain_parse(p.chain.data, p.chain.len, p.hash, &c, &err))
			fail_msg("parse asym 0x%x: %s", algs[i].asym, err.msg);
		assert_int_equal(c.ncerts, 3);
		assert_int_equal(c.cert_off[0], 4 + spdm_hash_size(p.hash));
		assert_int_equal(c.cert_off[2] + c.cert_len[2], p.chain.len);
		if (spdm_chain_check(&c, &err))
			fail_msg("check asym 0x%x: %s", algs[i].asym, err.msg);
		k = spdm_chain_leaf_key(&c);
		assert_true(EVP_PKEY_eq(k, p.leaf.key) == 1);
		assert_true(spdm_key_matches_asym(k, algs[i].asym));
		EVP_PKEY_free(k);
		assert_int_equal(cma_check_leaf_san(spdm_chain_leaf(&c), &dev_id, &err), 0);
		cma_identity_format(&dev_id, want, sizeof(want));
		assert_int_equal(cma_leaf_san_string(spdm_chain_leaf(&c), san, sizeof(san)),
				 (int)strlen(want));
		assert_string_equal(san, want);

		snprintf(path, sizeof(path), "%s/root%zu.der", tmpdir, i);
		assert_int_equal(pki_write_cert_der(path, p.root.cert, &err), 0);
		t = da_trust_load(path, &err);
		assert_non_null(t);
		if (da_trust_verify_chain(t, &c, true, &err))
			fail_msg("trust asym 0x%x: %s", algs[i].asym, err.msg);
		da_trust_free(t);
		spdm_chain_free(&c);
		pki_free(&p);
	}
}

static void test_chain_framing(void **state)
{
	struct da_err err = { 0 };
	struct spdm_chain c;
	struct da_buf b = { 0 };
	struct pki p;
	uint8_t *d;

	make_pki(&p, SPDM_ASYM_ECDSA_P256, SPDM_HASH_SHA256, 0);
	d = p.chain.data;

	/* Wrong hash algorithm: RootHash cannot match (and header length differs). */
	assert_int_equal(spdm_chain_parse(d, p.chain.len, SPDM_HASH_SHA384, &c, &err), -EBADMSG);
	assert_null(c.certs);

	/* Length field disagreeing with the bytes. */
	da_err_clear(&err);
	assert_int_equal(spdm_chain_parse(d, p.chain.len - 1, p.hash, &c, &err), -EBADMSG);
	assert_non_null(strstr(err.msg, "Length"));

	/* RootHash flipped. */
	d[4] ^= 1;
	da_err_clear(&err);
	assert_int_equal(spdm_chain_parse(d, p.chain.len, p.hash, &c, &err), -EBADMSG);
	assert_non_null(strstr(err.msg, "RootHash"));
	d[4] ^= 1;

	/* Header only. */
	da_err_clear(&err);
	assert_int_equal(spdm_chain_parse(d, 2, p.hash, &c, &err), -EBADMSG);
	assert_non_null(strstr(err.msg, "header"));

	/* Trailing byte after the leaf (Length adjusted so only the DER walk sees it). */
	assert_int_equal(da_buf_append(&b, d, p.chain.len), 0);
	assert_int_equal(da_buf_append(&b, "\x30", 1), 0);
	b.data[0] = (uint8_t)b.len;
	b.data[1] = (uint8_t)(b.len >> 8);
	da_err_clear(&err);
	assert_int_equal(spdm_chain_parse(b.data, b.len, p.hash, &c, &err), -EBADMSG);
	assert_non_null(strstr(err.msg, "certificate 3: truncated DER header"));

	/* Indefinite length on the first certificate. */
	b.data[4 + 32 + 1] = 0x80;
	da_err_clear(&err);
	assert_int_equal(spdm_chain_parse(b.data, b.len, p.hash, &c, &err), -EBADMSG);
	assert_non_null(strstr(err.msg, "indefinite"));

	/* A five-byte length. */
	b.data[4 + 32 + 1] = 0x85;
	da_err_clear(&err);
	assert_int_equal(spdm_chain_parse(b.data, b.len, p.hash, &c, &err), -EBADMSG);
	assert_non_null(strstr(err.msg, "DER length of 5 bytes"));

	/* Not a SEQUENCE. */
	b.data[4 + 32] = 0x31;
	da_err_clear(&err);
	assert_int_equal(spdm_chain_parse(b.data, b.len, p.hash, &c, &err), -EBADMSG);
	assert_non_null(strstr(err.msg, "not SEQUENCE"));

	/* A length running past the buffer (certificate 1's header). */
	memcpy(b.data, d, p.chain.len);
	b.len = p.chain.len;
	assert_int_equal(spdm_chain_parse(d, p.chain.len, p.hash, &c, &err), 0);
	b.data[c.cert_off[1] + 2] = 0xff;
	spdm_chain_free(&c);
	da_err_clear(&err);
	assert_int_equal(spdm_chain_parse(b.data, b.len, p.hash, &c, &err), -EBADMSG);
	assert_non_null(strstr(err.msg, "certificate 1"));

	/* A byte flipped inside the leaf's body: DER still frames, X.509 or signature fails. */
	memcpy(b.data, d, p.chain.len);
	assert_int_equal(spdm_chain_parse(d, p.chain.len, p.hash, &c, &err), 0);
	b.data[c.cert_off[2] + c.cert_len[2] - 10] ^= 0x01;
	spdm_chain_free(&c);
	da_err_clear(&err);
	if (spdm_chain_parse(b.data, b.len, p.hash, &c, &err) == 0) {
		assert_int_equal(spdm_chain_check(&c, &err), -EKEYREJECTED);
		spdm_chain_free(&c);
	}
	assert_true(err.code < 0);

	da_buf_free(&b);
	pki_free(&p);
}

static void test_too_many_certs(void **state)
{
	struct pki p;
	X509 *certs[SPDM_CHAIN_MAX_CERTS];
	struct da_buf b = { 0 };
	struct da_err err = { 0 };
	struct spdm_chain c;
	uint8_t *der = NULL;
	int dlen;

	make_pki(&p, SPDM_ASYM_ECDSA_P256, SPDM_HASH_SHA256, 0);
	for (int i = 0; i < SPDM_CHAIN_MAX_CERTS; i++)
		certs[i] = p.root.cert;
	assert_int_equal(pki_spdm_chain(certs, SPDM_CHAIN_MAX_CERTS, p.hash, &b, &err), 0);
	assert_int_equal(spdm_chain_parse(b.data, b.len, p.hash, &c, &err), 0);
	assert_int_equal(c.ncerts, SPDM_CHAIN_MAX_CERTS);
	spdm_chain_free(&c);
	/* A seventeenth certificate. */
	dlen = i2d_X509(p.root.cert, &der);
	assert_true(dlen > 0);
	assert_int_equal(da_buf_append(&b, der, (size_t)dlen), 0);
	OPENSSL_free(der);
	b.data[0] = (uint8_t)b.len;
	b.data[1] = (uint8_t)(b.len >> 8);
	assert_int_equal(spdm_chain_parse(b.data, b.len, p.hash, &c, &err), -E2BIG);
	assert_non_null(strstr(err.msg, "more than 16"));
	da_buf_free(&b);
	pki_free(&p);
}

/* Each fault is caught by the check meant for it, with its own code and message. */
static void test_fault_table(void **state)
{
	static const struct {
		unsigned int fault;
		int check_ret;		/* spdm_chain_check */
		const char *check_msg;
		int san_ret;		/* cma_check_leaf_san */
		int trust_ret;		/* da_trust_verify_chain, dates checked */
		const char *trust_msg;
	} rows[] = {
		{ PKI_FAULT_LEAF_CA_TRUE, -EINVAL, "certificate 2 (O=devauth test PKI, "
		  "CN=devauth test device): BasicConstraints CA=TRUE on the leaf", 0, 0, NULL },
		{ PKI_FAULT_LEAF_NO_DIGSIG, -ENOKEY, "certificate 2 (O=devauth test PKI, "
		  "CN=devauth test device): KeyUsage lacks digitalSignature", 0, 0, NULL },
		{ PKI_FAULT_INTER_CA_FALSE, -EPERM, "certificate 1 (O=devauth test PKI, "
		  "CN=devauth test intermediate): BasicConstraints CA=FALSE", 0, -EKEYREJECTED,
		  "depth 1" },
		{ PKI_FAULT_BROKEN_SIG, -EKEYREJECTED, "certificate 2 (O=devauth test PKI, "
		  "CN=devauth test device): signature does not verify", 0, -EKEYREJECTED,
		  "signature failure" },
		{ PKI_FAULT_WRONG_SAN, 0, NULL, -EACCES, 0, NULL },
		{ PKI_FAULT_NO_SAN, 0, NULL, -ENOENT, 0, NULL },
		{ PKI_FAULT_EXPIRED_LEAF, 0, NULL, 0, -EKEYEXPIRED, "depth 0" },
		{ PKI_FAULT_LEAF_KEYCERTSIGN, -EINVAL, "certificate 2 (O=devauth test PKI, "
		  "CN=devauth test device): KeyUsage keyCertSign on the leaf", 0, 0, NULL },
	};
	char path[256];
	struct da_err err = { 0 };
	struct da_trust *t;
	unsigned int seen = 0;

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct spdm_chain c;
		struct pki p;
		int ret;

		seen |= rows[i].fault;
		make_pki(&p, SPDM_ASYM_ECDSA_P256, SPDM_HASH_SHA256, rows[i].fault);
		da_err_clear(&err);
		assert_int_equal(spdm_chain_parse(p.chain.data, p.chain.len, p.hash, &c, &err), 0);

		ret = spdm_chain_check(&c, &err);
		if (ret != rows[i].check_ret)
			fail_msg("fault 0x%x: check %d (%s), want %d", rows[i].fault, ret, err.msg,
				 rows[i].check_ret);
		if (rows[i].check_msg && !strstr(err.msg, rows[i].check_msg))
			fail_msg("fault 0x%x: message \"%s\"", rows[i].fault, err.msg);

		da_err_clear(&err);
		ret = cma_check_leaf_san(spdm_chain_leaf(&c), &dev_id, &err);
		if (ret != rows[i].san_ret)
			fail_msg("fault 0x%x: SAN %d (%s)", rows[i].fault, ret, err.msg);

		snprintf(path, sizeof(path), "%s/fault%zu.pem", tmpdir, i);
		assert_int_equal(pki_write_cert_pem(path, p.root.cert, &err), 0);
		t = da_trust_load(path, &err);
		assert_non_null(t);
		da_err_clear(&err);
		ret = da_trust_verify_chain(t, &c, true, &err);
		if (ret != rows[i].trust_ret)
			fail_msg("fault 0x%x: trust %d (%s)", rows[i].fault, ret, err.msg);
		if (rows[i].trust_msg && !strstr(err.msg, rows[i].trust_msg))
			fail_msg("fault 0x%x: trust message \"%s\"", rows[i].fault, err.msg);
		if (rows[i].fault == PKI_FAULT_EXPIRED_LEAF) {
			assert_non_null(strstr(err.msg, "expired"));
			assert_int_equal(da_trust_verify_chain(t, &c, false, NULL), 0);
		}
		da_trust_free(t);
		spdm_chain_free(&c);
		pki_free(&p);
	}
	assert_int_equal(seen, 0xff);
}

static void test_san(void **state)
{
	struct cma_identity other = dev_id;
	struct da_err err = { 0 };
	char buf[128], want[128];
	struct pki p;

	make_pki(&p, SPDM_ASYM_ECDSA_P256, SPDM_HASH_SHA256, PKI_FAULT_WRONG_SAN);
	assert_int_equal(cma_check_leaf_san(p.leaf.cert, &dev_id, &err), -EACCES);
	/* Both strings are in the message. */
	other.device ^= 1;
	cma_identity_format(&other, buf, sizeof(buf));
	assert_non_null(strstr(err.msg, buf));
	cma_identity_format(&dev_id, want, sizeof(want));
	assert_non_null(strstr(err.msg, want));
	assert_int_equal(cma_check_leaf_san(p.leaf.cert, &other, NULL), 0);
	/* A serial number that differs in its last digit. */
	other.serial ^= 1;
	assert_int_equal(cma_check_leaf_san(p.leaf.cert, &other, NULL), -EACCES);
	/* A prefix of the real string is not a match. */
	other = dev_id;
	other.device ^= 1;
	other.has_serial = false;
	assert_int_equal(cma_check_leaf_san(p.leaf.cert, &other, NULL), -EACCES);
	/* Too small a buffer. */
	assert_int_equal(cma_leaf_san_string(p.leaf.cert, buf, 10), -ENOSPC);
	pki_free(&p);

	make_pki(&p, SPDM_ASYM_ECDSA_P256, SPDM_HASH_SHA256, PKI_FAULT_NO_SAN);
	da_err_clear(&err);
	assert_int_equal(cma_check_leaf_san(p.leaf.cert, &dev_id, &err), -ENOENT);
	assert_non_null(strstr(err.msg, "2.23.147"));
	assert_int_equal(cma_leaf_san_string(p.leaf.cert, buf, sizeof(buf)), -ENOENT);
	assert_int_equal(cma_leaf_san_string(p.root.cert, buf, sizeof(buf)), -ENOENT);
	pki_free(&p);
}

/*
 * Each signature once: the trust check takes a chain's sigs_checked as
 * spdm_chain_check() left it and does not verify those links again.  A
 * chain with a broken leaf signature, marked checked by hand, shows it.
 */
static void test_trust_takes_checked_signatures(void **state)
{
	char path[256];
	struct da_err err = { 0 };
	struct spdm_chain c;
	struct da_trust *t;
	struct pki p;

	(void)state;
	make_pki(&p, SPDM_ASYM_ECDSA_P256, SPDM_HASH_SHA256, PKI_FAULT_BROKEN_SIG);
	assert_int_equal(spdm_chain_parse(p.chain.data, p.chain.len, p.hash, &c, &err), 0);
	assert_int_equal(spdm_chain_check(&c, &err), -EKEYREJECTED);
	assert_false(c.sigs_checked);
	snprintf(path, sizeof(path), "%s/once.pem", tmpdir);
	assert_int_equal(pki_write_cert_pem(path, p.root.cert, &err), 0);
	t = da_trust_load(path, &err);
	assert_non_null(t);
	assert_int_equal(da_trust_verify_chain(t, &c, true, &err), -EKEYREJECTED);
	c.sigs_checked = true;
	assert_int_equal(da_trust_verify_chain(t, &c, true, &err), 0);
	da_trust_free(t);
	spdm_chain_free(&c);
	pki_free(&p);
}

/* x without AuthorityKeyIdentifier, signed again by key: issuers then match by name only. */
static X509 *no_akid(X509 *x, EVP_PKEY *key)
{
	X509 *y = X509_dup(x);
	int at;

	assert_non_null(y);
	at = X509_get_ext_by_NID(y, NID_authority_key_identifier, -1);
	assert_true(at >= 0);
	X509_EXTENSION_free(X509_delete_ext(y, at));
	assert_true(X509_sign(y, key, EVP_sha384()) > 0);
	return y;
}

static void trust_file(struct da_trust **t, const char *name, X509 *anchor)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	assert_int_equal(pki_write_cert_pem(path, anchor, NULL), 0);
	*t = da_trust_load(path, NULL);
	assert_non_null(*t);
}

/*
 * Where OpenSSL's path building matches an issuer by name alone (no
 * AuthorityKeyIdentifier), a checked chain's trust check must still
 * verify the links the consistency check never saw: an anchor of the
 * right name but another key above the chain, and an anchor standing in
 * for the chain's own intermediate.
 */
static void test_trust_checked_name_only(void **state)
{
	struct da_err err = { 0 };
	struct spdm_chain c;
	struct da_trust *t;
	struct da_buf b = { 0 };
	struct pki p, q;
	X509 *inter, *leaf, *other_inter;

	(void)state;
	make_pki(&p, SPDM_ASYM_ECDSA_P384, SPDM_HASH_SHA384, 0);
	make_pki(&q, SPDM_ASYM_ECDSA_P384, SPDM_HASH_SHA384, 0);
	inter = no_akid(p.inter.cert, p.root.key);
	leaf = no_akid(p.leaf.cert, p.inter.key);
	other_inter = no_akid(q.inter.cert, q.root.key);

	/* [intermediate, leaf] under the other root (same name) */
	assert_int_equal(pki_spdm_chain((X509 *[]){ inter, leaf }, 2, p.hash, &b, &err), 0);
	assert_int_equal(spdm_chain_parse(b.data, b.len, p.hash, &c, &err), 0);
	assert_int_equal(spdm_chain_check(&c, &err), 0);
	trust_file(&t, "name-root.pem", p.root.cert);
	assert_int_equal(da_trust_verify_chain(t, &c, true, &err), 0);
	da_trust_free(t);
	trust_file(&t, "name-other-root.pem", q.root.cert);
	da_err_clear(&err);
	assert_int_equal(da_trust_verify_chain(t, &c, true, &err), -EKEYREJECTED);
	assert_non_null(strstr(err.msg, "signature failure"));
	da_trust_free(t);
	spdm_chain_free(&c);
	da_buf_free(&b);

	/* [root, intermediate, leaf] with the other intermediate (same name) as the anchor */
	assert_int_equal(pki_spdm_chain((X509 *[]){ p.root.cert, inter, leaf }, 3, p.hash, &b,
					&err), 0);
	assert_int_equal(spdm_chain_parse(b.data, b.len, p.hash, &c, &err), 0);
	assert_int_equal(spdm_chain_check(&c, &err), 0);
	trust_file(&t, "name-other-inter.pem", other_inter);
	da_err_clear(&err);
	assert_int_equal(da_trust_verify_chain(t, &c, true, &err), -EKEYREJECTED);
	assert_non_null(strstr(err.msg, "signature failure"));
	da_trust_free(t);
	spdm_chain_free(&c);
	da_buf_free(&b);

	X509_free(inter);
	X509_free(leaf);
	X509_free(other_inter);
	pki_free(&q);
	pki_free(&p);
}

/*
 * The chain's first certificate has no previous one: its self-signature
 * is not the consistency check's (anyone can sign their own
 * certificate).  What decides is the anchor: the trust check builds the
 * path to it (the intermediate verified with the anchor's key, the
 * chain's copy of the root off the path), takes an anchor for what it
 * is, and refuses a chain that reaches no anchor however well it is
 * signed.
 */
static void test_root_self_signature(void **state)
{
	struct da_buf b = { 0 };
	struct da_err err = { 0 };
	struct spdm_chain c;
	struct da_trust *t;
	uint8_t *der = NULL;
	const uint8_t *q;
	X509 *certs[3], *bad;
	struct pki p, other;
	int dlen;

	(void)state;
	make_pki(&p, SPDM_ASYM_ECDSA_P256, SPDM_HASH_SHA256, 0);
	dlen = i2d_X509(p.root.cert, &der);
	assert_true(dlen > 8);
	/* the last byte of the signature value: still DER, no longer a signature */
	der[dlen - 1] ^= 0x01;
	q = der;
	bad = d2i_X509(NULL, &q, dlen);
	assert_non_null(bad);
	OPENSSL_free(der);
	assert_int_equal(X509_verify(bad, X509_get0_pubkey(p.root.cert)), 0);
	certs[0] = bad;
	certs[1] = p.inter.cert;
	certs[2] = p.leaf.cert;
	assert_int_equal(pki_spdm_chain(certs, 3, p.hash, &b, &err), 0);
	assert_int_equal(spdm_chain_parse(b.data, b.len, p.hash, &c, &err), 0);
	assert_int_equal(spdm_chain_check(&c, &err), 0);
	assert_true(c.sigs_checked);
	trust_file(&t, "root.pem", p.root.cert);
	assert_int_equal(da_trust_verify_chain(t, &c, true, &err), 0);
	da_trust_free(t);
	trust_file(&t, "bad-root.pem", bad);
	assert_int_equal(da_trust_verify_chain(t, &c, true, &err), 0);
	da_trust_free(t);
	make_pki(&other, SPDM_ASYM_ECDSA_P256, SPDM_HASH_SHA256, 0);
	trust_file(&t, "other-root.pem", other.root.cert);
	da_err_clear(&err);
	assert_true(da_trust_verify_chain(t, &c, true, &err) < 0);
	da_trust_free(t);
	pki_free(&other);
	spdm_chain_free(&c);
	X509_free(bad);
	da_buf_free(&b);
	pki_free(&p);
}

static void test_trust_anchors(void **state)
{
	char dir[128], path[256];
	struct da_err err = { 0 };
	struct pki p, q;
	struct spdm_chain c;
	struct da_trust *t;

	make_pki(&p, SPDM_ASYM_ECDSA_P384, SPDM_HASH_SHA384, 0);
	make_pki(&q, SPDM_ASYM_ECDSA_P384, SPDM_HASH_SHA384, 0);
	assert_int_equal(spdm_chain_parse(p.chain.data, p.chain.len, p.hash, &c, &err), 0);
	/* checked, as the requester leaves it: the trust check's own path */
	assert_int_equal(spdm_chain_check(&c, &err), 0);

	/* The wrong root (same names, other keys). */
	snprintf(path, sizeof(path), "%s/other.pem", tmpdir);
	assert_int_equal(pki_write_cert_pem(path, q.root.cert, &err), 0);
	t = da_trust_load(path, &err);
	assert_non_null(t);
	assert_int_equal(da_trust_verify_chain(t, &c, true, &err), -EKEYREJECTED);
	assert_non_null(strstr(err.msg, "depth "));
	assert_int_equal(da_trust_verify_chain(t, &c, false, NULL), -EKEYREJECTED);
	da_trust_free(t);

	/* A directory holding the other root, the right root, and files to ignore. */
	snprintf(dir, sizeof(dir), "%s/anchors", tmpdir);
	assert_int_equal(mkdir(dir, 0700), 0);
	snprintf(path, sizeof(path), "%s/a.pem", dir);
	assert_int_equal(pki_write_cert_pem(path, q.root.cert, NULL), 0);
	snprintf(path, sizeof(path), "%s/b.crt", dir);
	assert_int_equal(pki_write_cert_der(path, p.root.cert, NULL), 0);
	snprintf(path, sizeof(path), "%s/key.pem.bak", dir);
	assert_int_equal(pki_write_key_pem(path, p.root.key, NULL), 0);
	t = da_trust_load(dir, &err);
	assert_non_null(t);
	assert_int_equal(da_trust_verify_chain(t, &c, true, &err), 0);
	da_trust_free(t);

	/* An intermediate as the anchor (partial chain). */
	snprintf(path, sizeof(path), "%s/inter.der", tmpdir);
	assert_int_equal(pki_write_cert_der(path, p.inter.cert, NULL), 0);
	t = da_trust_load(path, &err);
	assert_non_null(t);
	assert_int_equal(da_trust_verify_chain(t, &c, true, &err), 0);
	da_trust_free(t);

	/* A chain that starts at the intermediate: the root is only an anchor. */
	{
		X509 *two[2] = { p.inter.cert, p.leaf.cert };
		struct da_buf b = { 0 };
		struct spdm_chain c2;

		assert_int_equal(pki_spdm_chain(two, 2, p.hash, &b, &err), 0);
		assert_int_equal(spdm_chain_parse(b.data, b.len, p.hash, &c2, &err), 0);
		assert_int_equal(spdm_chain_check(&c2, &err), 0);
		snprintf(path, sizeof(path), "%s/root.pem", tmpdir);
		assert_int_equal(pki_write_cert_pem(path, p.root.cert, NULL), 0);
		t = da_trust_load(path, &err);
		assert_non_null(t);
		assert_int_equal(da_trust_verify_chain(t, &c2, true, &err), 0);
		da_trust_free(t);
		/*
		 * Checked, the chain's own links are not verified again; the
		 * link to an anchor above it still is: the other root (same
		 * name, other key) signed nothing here.
		 */
		assert_true(c2.sigs_checked);
		snprintf(path, sizeof(path), "%s/other-root.pem", tmpdir);
		assert_int_equal(pki_write_cert_pem(path, q.root.cert, NULL), 0);
		t = da_trust_load(path, &err);
		assert_non_null(t);
		da_err_clear(&err);
		assert_int_equal(da_trust_verify_chain(t, &c2, true, &err), -EKEYREJECTED);
		da_trust_free(t);
		/* the same with an intermediate of the other PKI as the anchor */
		snprintf(path, sizeof(path), "%s/other-inter.pem", tmpdir);
		assert_int_equal(pki_write_cert_pem(path, q.inter.cert, NULL), 0);
		t = da_trust_load(path, &err);
		assert_non_null(t);
		assert_int_equal(da_trust_verify_chain(t, &c, true, &err), -EKEYREJECTED);
		da_trust_free(t);
		spdm_chain_free(&c2);
		da_buf_free(&b);
	}

	/* Not certificates, missing file, empty directory. */
	snprintf(path, sizeof(path), "%s/key.pem", tmpdir);
	assert_int_equal(pki_write_key_pem(path, p.leaf.key, NULL), 0);
	da_err_clear(&err);
	assert_null(da_trust_load(path, &err));
	assert_true(err.code < 0);
	da_err_clear(&err);
	snprintf(path, sizeof(path), "%s/missing.der", tmpdir);
	assert_null(da_trust_load(path, &err));
	assert_int_equal(err.code, -ENOENT);
	snprintf(dir, sizeof(dir), "%s/empty", tmpdir);
	assert_int_equal(mkdir(dir, 0700), 0);
	da_err_clear(&err);
	assert_null(da_trust_load(dir, &err));
	assert_non_null(strstr(err.msg, "no certificates"));

	spdm_chain_free(&c);
	pki_free(&q);
	pki_free(&p);
}

static void write_bytes(const char *path, const void *a, size_t alen, const void *b, size_t blen)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(a, 1, alen, f), alen);
	if (blen)
		assert_int_equal(fwrite(b, 1, blen, f), blen);
	assert_int_equal(fclose(f), 0);
}

/*
 * Anchors are decoded only when the chain carries none of them byte for
 * byte: an undecodable one next to the chain's own root is never looked
 * at, and reported as soon as a chain needs it.  Byte for byte means
 * that: a root of the same length but another name is no match.
 */
static void test_trust_decoded_lazily(void **state)
{
	/* a DER SEQUENCE, framed correctly, that is no certificate */
	static const uint8_t junk[] = { 0x30, 0x03, 0x02, 0x01, 0x00 };
	X509 *two[2];
	struct da_err err = { 0 };
	struct da_buf b = { 0 };
	struct spdm_chain c, c2;
	unsigned char *der = NULL, *hit;
	char path[256];
	struct da_trust *t;
	struct pki p;
	int n;

	make_pki(&p, SPDM_ASYM_ECDSA_P256, SPDM_HASH_SHA256, 0);
	assert_int_equal(spdm_chain_parse(p.chain.data, p.chain.len, p.hash, &c, &err), 0);
	assert_int_equal(spdm_chain_check(&c, &err), 0);
	two[0] = p.inter.cert;
	two[1] = p.leaf.cert;
	assert_int_equal(pki_spdm_chain(two, 2, p.hash, &b, &err), 0);
	assert_int_equal(spdm_chain_parse(b.data, b.len, p.hash, &c2, &err), 0);
	assert_int_equal(spdm_chain_check(&c2, &err), 0);
	n = i2d_X509(p.root.cert, &der);
	assert_true(n > 0);

	snprintf(path, sizeof(path), "%s/junk-and-root.der", tmpdir);
	write_bytes(path, junk, sizeof(junk), der, (size_t)n);
	t = da_trust_load(path, &err);
	assert_non_null(t);
	assert_int_equal(da_trust_verify_chain(t, &c, true, &err), 0);
	da_err_clear(&err);
	assert_int_equal(da_trust_verify_chain(t, &c2, true, &err), -EBADMSG);
	assert_non_null(strstr(err.msg, "certificate 0: not a valid DER X.509"));
	da_trust_free(t);

	/* the root renamed ("root" -> "roox"; names compare case-folded) */
	while ((hit = memmem(der, (size_t)n, "test root", 9)))
		memcpy(hit, "test roox", 9);
	snprintf(path, sizeof(path), "%s/renamed-root.der", tmpdir);
	write_bytes(path, der, (size_t)n, NULL, 0);
	t = da_trust_load(path, &err);
	assert_non_null(t);
	da_err_clear(&err);
	assert_int_equal(da_trust_verify_chain(t, &c, true, &err), -EKEYREJECTED);
	da_trust_free(t);

	OPENSSL_free(der);
	spdm_chain_free(&c2);
	spdm_chain_free(&c);
	da_buf_free(&b);
	pki_free(&p);
}

static void test_files_round_trip(void **state)
{
	char path[256];
	STACK_OF(X509) *sk = NULL;
	struct da_err err = { 0 };
	struct pki p;
	EVP_PKEY *k;
	FILE *f;
	struct stat st;

	make_pki(&p, SPDM_ASYM_EDDSA_ED25519, SPDM_HASH_SHA256, 0);
	snprintf(path, sizeof(path), "%s/leaf.key", tmpdir);
	assert_int_equal(pki_write_key_pem(path, p.leaf.key, &err), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0077, 0);
	k = pki_read_key_pem(path, &err);
	assert_non_null(k);
	assert_int_equal(EVP_PKEY_eq(k, p.leaf.key), 1);
	EVP_PKEY_free(k);

	/* Concatenated DER, root first. */
	snprintf(path, sizeof(path), "%s/chain.der", tmpdir);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(i2d_X509_fp(f, p.root.cert), 1);
	assert_int_equal(i2d_X509_fp(f, p.inter.cert), 1);
	assert_int_equal(i2d_X509_fp(f, p.leaf.cert), 1);
	fclose(f);
	assert_int_equal(pki_read_certs(path, &sk, &err), 0);
	assert_int_equal(sk_X509_num(sk), 3);
	assert_int_equal(X509_cmp(sk_X509_value(sk, 2), p.leaf.cert), 0);
	sk_X509_pop_free(sk, X509_free);

	/* PEM bundle. */
	snprintf(path, sizeof(path), "%s/chain.pem", tmpdir);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(PEM_write_X509(f, p.root.cert), 1);
	assert_int_equal(PEM_write_X509(f, p.leaf.cert), 1);
	fclose(f);
	assert_int_equal(pki_read_certs(path, &sk, &err), 0);
	assert_int_equal(sk_X509_num(sk), 2);
	assert_int_equal(X509_cmp(sk_X509_value(sk, 0), p.root.cert), 0);
	sk_X509_pop_free(sk, X509_free);

	/* Garbage. */
	snprintf(path, sizeof(path), "%s/garbage", tmpdir);
	f = fopen(path, "wb");
	assert_non_null(f);
	fputs("hello", f);
	fclose(f);
	da_err_clear(&err);
	assert_int_equal(pki_read_certs(path, &sk, &err), -EBADMSG);
	assert_null(sk);
	assert_null(pki_read_key_pem(path, NULL));
	pki_free(&p);
}

static void test_subject(void **state)
{
	char buf[64];
	struct pki p;

	make_pki(&p, SPDM_ASYM_ECDSA_P256, SPDM_HASH_SHA256, 0);
	da_x509_subject(p.leaf.cert, buf, sizeof(buf));
	assert_string_equal(buf, "O=devauth test PKI, CN=devauth test device");
	da_x509_subject(p.leaf.cert, buf, 8);
	assert_string_equal(buf, "O=devau");
	da_x509_subject(NULL, buf, sizeof(buf));
	assert_string_equal(buf, "");
	pki_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_identity_format),
		cmocka_unit_test(test_good_chains),
		cmocka_unit_test(test_chain_framing),
		cmocka_unit_test(test_too_many_certs),
		cmocka_unit_test(test_fault_table),
		cmocka_unit_test(test_san),
		cmocka_unit_test(test_trust_takes_checked_signatures),
		cmocka_unit_test(test_trust_checked_name_only),
		cmocka_unit_test(test_root_self_signature),
		cmocka_unit_test(test_trust_anchors),
		cmocka_unit_test(test_trust_decoded_lazily),
		cmocka_unit_test(test_files_round_trip),
		cmocka_unit_test(test_subject),
	};

	return cmocka_run_group_tests(tests, setup_tmp, teardown_tmp);
}
