// SPDX-License-Identifier: MIT
/*
 * How much does devauth add on top of the cryptography the protocol
 * requires?
 *
 * 1. replay: each DMTF capture verified by the requester (what
 *    `devauth dump --verify` does), against the operations any verifier
 *    must do: the challenged chain's certificates parsed and each
 *    signature but the root's own checked (the anchor is trusted, the
 *    other slots were never challenged), the CHALLENGE_AUTH and the
 *    MEASUREMENTS signatures.
 * 2. in-process: a full live authentication + signed measurements
 *    against the emulated responder (both sides in this process), against
 *    the same required operations plus the two signatures the device
 *    must make.
 * 3. peer: the same flow run by the DMTF spdm_requester_emu and by
 *    `devauth probe`, each as its own process against the same
 *    devauth-emu serving the DMTF's own certificates; CPU time of the
 *    requester process (getrusage of the child).
 * Both baselines are measured in the same run.  Ratio = required time /
 * devauth time (1.0: nothing beyond the required work).  Timing is
 * printed, never asserted; any failed workload exits non-zero.  Also
 * prints the requester's state per device.
 */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <devauth/pcap.h>
#include <devauth/requester.h>

#include "crypto/crypto.h"
#include "crypto/x509.h"
#include "responder/device.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * One raw operation, set up outside the timed loop.  Everything a
 * verification must do anyway is in it, with fresh OpenSSL objects each
 * time as for a new device: a certificate is parsed (d2i_X509) and its
 * signature checked with its issuer's key; an SPDM signature is checked
 * with a key decoded from the leaf's SubjectPublicKeyInfo.
 */
struct raw_op {
	/* SPDM signature */
	const uint8_t *spki;
	size_t spki_len;
	const EVP_MD *md;
	bool prehashed;			/* 1.0/1.1: the digest goes to the primitive */
	bool pss;
	uint8_t msg[SPDM_COMBINED_PREFIX_SIZE + SPDM_MAX_HASH_SIZE];
	size_t mlen;
	uint8_t *sig;
	size_t slen;
	/* or a chain: each certificate parsed once, each signature checked */
	size_t ncerts;
	const uint8_t *der[SPDM_CHAIN_MAX_CERTS];
	size_t der_len[SPDM_CHAIN_MAX_CERTS];
	uint8_t *spki_owned;
};

static const EVP_MD *md_of(uint32_t hash)
{
	return hash == SPDM_HASH_SHA384 ? EVP_sha384() :
	       hash == SPDM_HASH_SHA512 ? EVP_sha512() : EVP_sha256();
}

static bool is_ec(uint32_t asym)
{
	return asym & (SPDM_ASYM_ECDSA_P256 | SPDM_ASYM_ECDSA_P384 | SPDM_ASYM_ECDSA_P521);
}

static int raw_chain(struct raw_op *o)
{
	X509 *x[SPDM_CHAIN_MAX_CERTS] = { 0 };
	int ret = 0;

	for (size_t k = 0; k < o->ncerts; k++) {
		const unsigned char *p = o->der[k];

		x[k] = d2i_X509(NULL, &p, (long)o->der_len[k]);
		/* Not the root's self-signature: the anchor is trusted as configured. */
		if (!x[k] || (k && X509_verify(x[k], X509_get0_pubkey(x[k - 1])) != 1))
			ret = -1;
	}
	for (size_t k = 0; k < o->ncerts; k++)
		X509_free(x[k]);
	return ret;
}

static int raw_run(struct raw_op *o)
{
	const unsigned char *kp = o->spki;
	EVP_MD_CTX *m;
	EVP_PKEY_CTX *p = NULL;
	EVP_PKEY *key;
	int ok;

	if (o->ncerts)
		return raw_chain(o);
	key = d2i_PUBKEY(NULL, &kp, (long)o->spki_len);
	if (!key)
		return -1;
	if (o->prehashed) {
		p = EVP_PKEY_CTX_new(key, NULL);
		EVP_PKEY_verify_init(p);
		EVP_PKEY_CTX_set_signature_md(p, o->md);
		ok = EVP_PKEY_verify(p, o->sig, o->slen, o->msg, o->mlen);
		EVP_PKEY_CTX_free(p);
		EVP_PKEY_free(key);
		return ok == 1 ? 0 : -1;
	}
	m = EVP_MD_CTX_new();
	EVP_DigestVerifyInit(m, &p, o->md, NULL, key);
	if (o->pss) {
		EVP_PKEY_CTX_set_rsa_padding(p, RSA_PKCS1_PSS_PADDING);
		EVP_PKEY_CTX_set_rsa_pss_saltlen(p, RSA_PSS_SALTLEN_DIGEST);
	}
	ok = EVP_DigestVerify(m, o->sig, o->slen, o->msg, o->mlen);
	EVP_MD_CTX_free(m);
	EVP_PKEY_free(key);
	return ok == 1 ? 0 : -1;
}

/* The signature at the end of an evidence object, as a raw op. */
static int sig_op(struct raw_op *o, const struct spdm_req_info *i, EVP_PKEY *key,
		  const uint8_t *ev, size_t len, const char *ctx)
{
	uint8_t h[SPDM_MAX_HASH_SIZE];
	size_t sl = i->sig_size, hl = i->hash_size;

	unsigned char *spki = NULL;
	int klen = i2d_PUBKEY(key, &spki);

	memset(o, 0, sizeof(*o));
	if (klen <= 0)
		return -1;
	o->spki = o->spki_owned = spki;
	o->spki_len = (size_t)klen;
	o->md = md_of(i->neg.base_hash);
	spdm_hash(i->neg.base_hash, ev, len - sl, h);
	if (i->neg.version < SPDM_VER_12) {
		o->prehashed = true;
		memcpy(o->msg, h, hl);
		o->mlen = hl;
	} else {
		spdm_combined_prefix(i->neg.version, ctx, o->msg);
		memcpy(o->msg + SPDM_COMBINED_PREFIX_SIZE, h, hl);
		o->mlen = SPDM_COMBINED_PREFIX_SIZE + hl;
	}
	o->pss = i->neg.base_asym & (SPDM_ASYM_RSAPSS_2048 | SPDM_ASYM_RSAPSS_3072 |
				 SPDM_ASYM_RSAPSS_4096);
	if (is_ec(i->neg.base_asym)) {
		ECDSA_SIG *s = ECDSA_SIG_new();
		unsigned char *der = NULL;
		int n;

		ECDSA_SIG_set0(s, BN_bin2bn(ev + len - sl, (int)sl / 2, NULL),
			       BN_bin2bn(ev + len - sl / 2, (int)sl / 2, NULL));
		n = i2d_ECDSA_SIG(s, &der);
		ECDSA_SIG_free(s);
		if (n <= 0)
			return -1;
		o->sig = der;
		o->slen = (size_t)n;
	} else {
		o->sig = OPENSSL_malloc(sl);
		memcpy(o->sig, ev + len - sl, sl);
		o->slen = sl;
	}
	return raw_run(o);
}

/*
 * The challenged slot's chain, from the chain bytes; returns the number
 * of certificates (0 when there is none: a failed workload).
 */
static size_t chain_ops(struct spdm_req *r, struct raw_op *ops, size_t *nops)
{
	uint8_t s = spdm_req_info(r)->neg.slot;
	const struct spdm_chain *c = s < SPDM_MAX_SLOTS ? spdm_req_chain(r, s) : NULL;
	struct raw_op *o = &ops[*nops];
	const uint8_t *chain;
	size_t len;

	if (!c || !c->ncerts || spdm_req_evidence(r, DA_EV_CERT0 + s, &chain, &len))
		return 0;
	memset(o, 0, sizeof(*o));
	for (size_t k = 0; k < c->ncerts; k++) {
		o->der[k] = chain + c->cert_off[k];
		o->der_len[k] = c->cert_len[k];
	}
	o->ncerts = c->ncerts;
	(*nops)++;
	return c->ncerts;
}

static double time_raw(struct raw_op *ops, size_t n, unsigned int iters)
{
	double t0 = now();

	for (unsigned int k = 0; k < iters; k++)
		for (size_t i = 0; i < n; i++)
			if (raw_run(&ops[i])) {
				fprintf(stderr, "raw op %zu failed\n", i);
				exit(1);
			}
	return (now() - t0) / iters;
}

static void free_ops(struct raw_op *ops, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		OPENSSL_free(ops[i].sig);
		OPENSSL_free(ops[i].spki_owned);
	}
}

static size_t heap_in_use(void)
{
	struct mallinfo2 mi = mallinfo2();

	return mi.uordblks + mi.hblkhd;
}

static int bench_replay(const char *vectors, const char *dir, unsigned int iters)
{
	char path[512];
	struct da_capture cap = { 0 };
	struct da_spdm_msg *msgs = NULL;
	struct spdm_req_config cfg;
	struct da_err err = { 0 };
	struct raw_op ops[40];
	struct spdm_req *r;
	const uint8_t *ev;
	size_t n = 0, nops = 0, ncerts, before, after, len, ev_bytes = 0;
	double t0, t_req, t_raw;

	snprintf(path, sizeof(path), "%s/%s/exchange.pcap", vectors, dir);
	if (da_pcap_read(path, &cap, &err) || da_capture_spdm(&cap, &msgs, &n, &err)) {
		fprintf(stderr, "%s: %s\n", path, err.msg);
		return -1;
	}
	spdm_req_config_default(&cfg);
	t0 = now();
	for (unsigned int k = 0; k < iters; k++) {
		r = spdm_req_new(&cfg, NULL);
		if (spdm_req_replay(r, msgs, n, &err)) {
			fprintf(stderr, "%s: %s\n", dir, err.msg);
			return -1;
		}
		spdm_req_free(r);
	}
	t_req = (now() - t0) / iters;

	before = heap_in_use();
	r = spdm_req_new(&cfg, NULL);
	if (spdm_req_replay(r, msgs, n, &err)) {
		fprintf(stderr, "%s: FAILED: %s\n", dir, err.msg);
		return -1;
	}
	after = heap_in_use();
	for (unsigned int ty = 0; ty <= DA_EV_MEASUREMENTS; ty++)
		if (!spdm_req_evidence(r, ty, &ev, &len))
			ev_bytes += len;
	ncerts = chain_ops(r, ops, &nops);
	if (!ncerts || spdm_req_evidence(r, DA_EV_VCA, &ev, &n) ||
	    sig_op(&ops[nops++], spdm_req_info(r), spdm_req_leaf_key(r), ev, n,
		   SPDM_CTX_CHALLENGE_AUTH) ||
	    spdm_req_evidence(r, DA_EV_MEASUREMENTS, &ev, &n) ||
	    sig_op(&ops[nops++], spdm_req_info(r), spdm_req_leaf_key(r), ev, n,
		   SPDM_CTX_MEASUREMENTS)) {
		fprintf(stderr, "%s: FAILED: the required operations do not verify\n", dir);
		return -1;
	}
	t_raw = time_raw(ops, nops, iters);
	printf("replay %-24s %8.1f us/verification, required (%zu certificate signatures + 2 SPDM signatures) %8.1f us, ratio %.2f\n",
	       dir, t_req * 1e6, ncerts - 1, t_raw * 1e6, t_raw / t_req);
	printf("       requester state: %zu bytes beyond %zu evidence bytes (%zu-byte struct, buffers, keys)\n",
	       after - before > ev_bytes ? after - before - ev_bytes : 0, ev_bytes,
	       spdm_req_state_size());
	free_ops(ops, nops);
	spdm_req_free(r);
	free(msgs);
	da_capture_free(&cap);
	return 0;
}

static int bench_inproc(uint32_t asym, uint32_t hash, uint8_t ver, unsigned int iters)
{
	struct rsp_device_config dc;
	struct rsp_device *dev;
	struct spdm_req_config cfg;
	struct da_err err = { 0 };
	struct raw_op ops[16];
	size_t nops = 0, n, ncerts;
	const uint8_t *ev;
	double t0, t_auth, t_raw, t_sign = 0;
	struct spdm_req *r;

	rsp_device_config_default(&dc, "0000:01:00.0", 0);
	dc.asym = asym;
	dc.hash = hash;
	dc.min_version = dc.max_version = ver;
	if (rsp_device_create(&dc, &dev, &err)) {
		fprintf(stderr, "emu: %s\n", err.msg);
		return -1;
	}
	spdm_req_config_default(&cfg);
	t0 = now();
	for (unsigned int k = 0; k <= iters; k++) {
		struct spdm_responder *rsp = spdm_responder_new(dev, DA_FRAMING_PCI_DOE);
		struct da_transport *t;

		if (k == 1)
			t0 = now();	/* the first run warms caches and builds chains */
		da_transport_inproc(DA_FRAMING_PCI_DOE, spdm_responder_transport, rsp, &t);
		r = spdm_req_new(&cfg, t);
		if (spdm_req_authenticate(r, &err) || spdm_req_measure(r, &err)) {
			fprintf(stderr, "inproc: %s\n", err.msg);
			return -1;
		}
		if (k == iters)
			break;
		spdm_req_free(r);
		da_transport_destroy(t);
		spdm_responder_free(rsp);
	}
	t_auth = (now() - t0) / iters;

	/* Raw: the responder's two signatures, the requester's checks. */
	ncerts = chain_ops(r, ops, &nops);
	if (!ncerts || spdm_req_evidence(r, DA_EV_VCA, &ev, &n) ||
	    sig_op(&ops[nops++], spdm_req_info(r), spdm_req_leaf_key(r), ev, n,
		   SPDM_CTX_CHALLENGE_AUTH) ||
	    spdm_req_evidence(r, DA_EV_MEASUREMENTS, &ev, &n) ||
	    sig_op(&ops[nops++], spdm_req_info(r), spdm_req_leaf_key(r), ev, n,
		   SPDM_CTX_MEASUREMENTS)) {
		fprintf(stderr, "inproc %s: FAILED: the required operations do not verify\n",
			spdm_asym_name(asym));
		return -1;
	}
	t_raw = time_raw(ops, nops, iters);
	{
		/* Signing cost with a fresh key of the same kind (the device's is private). */
		EVP_PKEY *k = NULL;
		EVP_PKEY_CTX *kc;
		uint8_t sig[SPDM_MAX_SIG_SIZE], h[SPDM_MAX_HASH_SIZE] = { 0 };

		if (is_ec(asym)) {
			kc = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
			EVP_PKEY_keygen_init(kc);
			EVP_PKEY_CTX_set_group_name(kc, asym == SPDM_ASYM_ECDSA_P256 ? "P-256" :
						    asym == SPDM_ASYM_ECDSA_P384 ? "P-384" : "P-521");
		} else {
			kc = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
			EVP_PKEY_keygen_init(kc);
			EVP_PKEY_CTX_set_rsa_keygen_bits(kc, asym == SPDM_ASYM_RSASSA_2048 ? 2048 :
							 asym == SPDM_ASYM_RSASSA_3072 ? 3072 : 4096);
		}
		EVP_PKEY_generate(kc, &k);
		EVP_PKEY_CTX_free(kc);
		t0 = now();
		for (unsigned int it = 0; it < iters; it++) {
			for (int s = 0; s < 2; s++) {
				EVP_MD_CTX *m = EVP_MD_CTX_new();
				size_t sl = sizeof(sig);

				EVP_DigestSignInit(m, NULL, md_of(hash), NULL, k);
				EVP_DigestSign(m, sig, &sl, h, 100 + spdm_hash_size(hash));
				EVP_MD_CTX_free(m);
			}
		}
		t_sign = (now() - t0) / iters;
		EVP_PKEY_free(k);
	}
	printf("inproc %-11s %-7s %u.%u %8.1f us/authentication+measurements, required (2 signs, %zu certificate signatures, 2 SPDM verifies) %8.1f us, ratio %.2f\n",
	       spdm_asym_name(asym), spdm_hash_name(hash), ver >> 4, ver & 0xf, t_auth * 1e6,
	       ncerts - 1, (t_raw + t_sign) * 1e6, (t_raw + t_sign) / t_auth);
	free_ops(ops, nops);
	spdm_req_free(r);
	rsp_device_free(dev);
	return 0;
}

int main(int argc, char **argv)
{
	const char *vectors = getenv("DEVAUTH_VECTORS");
	unsigned int iters = argc > 1 ? (unsigned int)atoi(argv[1]) : 50;
	static const char *const caps[] = {
		"v11_rsassa3072_sha256", "v12_p384_sha384", "v13_p256_sha256",
	};
	int ret = 0;

	if (!vectors)
		vectors = "../shared/vectors";
	const char *only = argc > 2 ? argv[2] : "";

	for (size_t i = 0; i < 3 && strcmp(only, "inproc"); i++)
		ret |= bench_replay(vectors, caps[i], iters);
	if (!strcmp(only, "replay"))
		return ret ? 1 : 0;
	ret |= bench_inproc(SPDM_ASYM_ECDSA_P256, SPDM_HASH_SHA256, SPDM_VER_13, iters);
	ret |= bench_inproc(SPDM_ASYM_ECDSA_P384, SPDM_HASH_SHA384, SPDM_VER_12, iters);
	ret |= bench_inproc(SPDM_ASYM_RSASSA_3072, SPDM_HASH_SHA256, SPDM_VER_11, iters / 5 + 1);
	return ret ? 1 : 0;
}
