// SPDX-License-Identifier: MIT
/*
 * Verifier throughput: evidence bundles verified per second per core
 * (decode the bundle, split the transcripts, replay every check, path
 * validation to the anchor, policy), against the operations the
 * protocol requires of any verifier, measured in the same run: the
 * challenged chain's certificates parsed and each signature but the
 * anchor's own checked (2 for root -> intermediate -> leaf), the
 * CHALLENGE_AUTH and the MEASUREMENTS signatures (hash of the
 * transcript, key decoded from the leaf SPKI, verify).  Not the root's
 * self-signature (the anchor is trusted as configured), not the other
 * slots' chains (never challenged).  Ratio = required time /
 * verification time (1.0: nothing beyond what the protocol needs).
 * Timing is printed, never asserted; a bundle that does not verify, or
 * any setup that fails, exits non-zero.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <devauth/evidence.h>
#include <devauth/requester.h>
#include <devauth/transport.h>
#include <devauth/verifier.h>

#include "crypto/crypto.h"
#include "crypto/x509.h"
#include "responder/device.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* What the required baseline does for one bundle, prepared outside the timed loop. */
struct raw {
	struct {
		size_t n;
		const uint8_t *der[SPDM_CHAIN_MAX_CERTS];
		size_t len[SPDM_CHAIN_MAX_CERTS];
	} chain;			/* the challenged slot's */
	size_t cert_sigs;
	uint8_t *spki;
	size_t spki_len;
	uint32_t asym, hash;
	uint8_t version;
	const uint8_t *obj[2];		/* VCA, MEASUREMENTS: signed bytes then signature */
	size_t obj_len[2];
	const char *ctx[2];
};

static const EVP_MD *md_of(uint32_t hash)
{
	return hash == SPDM_HASH_SHA384 ? EVP_sha384() :
	       hash == SPDM_HASH_SHA512 ? EVP_sha512() : EVP_sha256();
}

/* Parse the chain; check every certificate's signature with its issuer's key. */
static int raw_chain(const struct raw *w)
{
	X509 *x[SPDM_CHAIN_MAX_CERTS] = { 0 };
	int ret = 0;

	for (size_t k = 0; k < w->chain.n; k++) {
		const unsigned char *p = w->chain.der[k];

		x[k] = d2i_X509(NULL, &p, (long)w->chain.len[k]);
		if (!x[k])
			ret = -1;
		else if (k && x[k - 1] && X509_verify(x[k], X509_get0_pubkey(x[k - 1])) != 1)
			ret = -1;
	}
	for (size_t k = 0; k < w->chain.n; k++)
		X509_free(x[k]);
	return ret;
}

static int raw_sig(const struct raw *w, int i)
{
	size_t sl = spdm_sig_size(w->asym), hl = spdm_hash_size(w->hash), len = w->obj_len[i];
	const uint8_t *ev = w->obj[i], *sig = ev + len - sl;
	uint8_t msg[SPDM_COMBINED_PREFIX_SIZE + SPDM_MAX_HASH_SIZE], h[SPDM_MAX_HASH_SIZE];
	const unsigned char *kp = w->spki;
	unsigned char *der = NULL;
	EVP_PKEY_CTX *pc = NULL;
	EVP_MD_CTX *m;
	EVP_PKEY *key;
	size_t mlen, slen = sl;
	bool ec = w->asym & (SPDM_ASYM_ECDSA_P256 | SPDM_ASYM_ECDSA_P384 | SPDM_ASYM_ECDSA_P521);
	bool ed = w->asym & (SPDM_ASYM_EDDSA_ED25519 | SPDM_ASYM_EDDSA_ED448);
	int ok;

	EVP_Digest(ev, len - sl, h, NULL, md_of(w->hash), NULL);
	key = d2i_PUBKEY(NULL, &kp, (long)w->spki_len);
	if (!key)
		return -1;
	if (ec) {
		ECDSA_SIG *s = ECDSA_SIG_new();
		int n;

		ECDSA_SIG_set0(s, BN_bin2bn(sig, (int)sl / 2, NULL),
			       BN_bin2bn(sig + sl / 2, (int)sl / 2, NULL));
		n = i2d_ECDSA_SIG(s, &der);
		ECDSA_SIG_free(s);
		sig = der;
		slen = n > 0 ? (size_t)n : 0;
	}
	if (w->version < SPDM_VER_12) {
		pc = EVP_PKEY_CTX_new(key, NULL);
		EVP_PKEY_verify_init(pc);
		EVP_PKEY_CTX_set_signature_md(pc, md_of(w->hash));
		ok = EVP_PKEY_verify(pc, sig, slen, h, hl);
		EVP_PKEY_CTX_free(pc);
	} else {
		spdm_combined_prefix(w->version, w->ctx[i], msg);
		memcpy(msg + SPDM_COMBINED_PREFIX_SIZE, h, hl);
		mlen = SPDM_COMBINED_PREFIX_SIZE + hl;
		m = EVP_MD_CTX_new();
		EVP_DigestVerifyInit(m, &pc, ed ? NULL : md_of(w->hash), NULL, key);
		if (w->asym & (SPDM_ASYM_RSAPSS_2048 | SPDM_ASYM_RSAPSS_3072 |
			       SPDM_ASYM_RSAPSS_4096)) {
			EVP_PKEY_CTX_set_rsa_padding(pc, RSA_PKCS1_PSS_PADDING);
			EVP_PKEY_CTX_set_rsa_pss_saltlen(pc, RSA_PSS_SALTLEN_DIGEST);
		}
		ok = EVP_DigestVerify(m, sig, slen, msg, mlen);
		EVP_MD_CTX_free(m);
	}
	OPENSSL_free(der);
	EVP_PKEY_free(key);
	return ok == 1 ? 0 : -1;
}

static int raw_run(const struct raw *w)
{
	int ret = 0;

	ret |= raw_chain(w);
	ret |= raw_sig(w, 0);
	if (w->obj_len[1])
		ret |= raw_sig(w, 1);
	return ret;
}

/* Baseline inputs from the bundle: the challenged chain, the objects as they are. */
static int raw_prepare(const struct da_evidence *ev, struct raw *w, struct spdm_chain *c)
{
	const struct da_evidence_obj *o;
	unsigned char *spki = NULL;
	X509 *leaf;
	int n;

	memset(w, 0, sizeof(*w));
	w->asym = ev->neg.base_asym;
	w->hash = ev->neg.base_hash;
	w->version = ev->neg.version;
	if (ev->neg.slot >= SPDM_MAX_SLOTS || !ev->obj[DA_EV_CERT0 + ev->neg.slot].len)
		return -1;
	o = &ev->obj[DA_EV_CERT0 + ev->neg.slot];
	if (spdm_chain_parse(o->data, o->len, ev->neg.base_hash, c, NULL))
		return -1;
	for (size_t k = 0; k < c->ncerts; k++) {
		w->chain.der[k] = o->data + c->cert_off[k];
		w->chain.len[k] = c->cert_len[k];
	}
	w->chain.n = c->ncerts;
	w->cert_sigs = c->ncerts - 1;
	leaf = spdm_chain_leaf(c);
	n = i2d_PUBKEY(X509_get0_pubkey(leaf), &spki);
	if (n <= 0)
		return -1;
	w->spki = spki;
	w->spki_len = (size_t)n;
	w->obj[0] = ev->obj[DA_EV_VCA].data;
	w->obj_len[0] = ev->obj[DA_EV_VCA].len;
	w->ctx[0] = SPDM_CTX_CHALLENGE_AUTH;
	w->obj[1] = ev->obj[DA_EV_MEASUREMENTS].data;
	w->obj_len[1] = ev->obj[DA_EV_MEASUREMENTS].len;
	w->ctx[1] = SPDM_CTX_MEASUREMENTS;
	return w->spki ? 0 : -1;
}

static int bench_one(const char *name, const struct da_evidence *ev, const char *anchor)
{
	struct da_verify_opts o = { .trust_path = anchor };
	struct spdm_chain keep = { 0 };
	struct da_buf b = { 0 };
	struct da_err err = { 0 };
	double t0, tv, tr;
	unsigned int nv = 0, nr = 0;
	struct raw w = { 0 };
	int ret = -1;

	if (da_evidence_encode(ev, &b, &err) || raw_prepare(ev, &w, &keep) || raw_run(&w)) {
		fprintf(stderr, "%s: FAILED: setup: %s\n", name, err.msg[0] ? err.msg :
			"the required operations do not verify");
		goto out;
	}
	/*
	 * Rounds of both, interleaved, keeping each side's best round: the
	 * machine is shared, and load must not land on one side only.
	 */
	tv = tr = 1e9;
	for (int round = 0; round < 8; round++) {
		t0 = now();
		nv = 0;
		do {
			struct da_evidence d;
			struct da_verdict v = { 0 };

			if (da_evidence_decode(b.data, b.len, &d, &err) ||
			    da_verify(&d, &o, &v, &err) || !v.accepted) {
				fprintf(stderr, "%s: FAILED: not accepted: %s%s\n", name, err.msg,
					v.reason);
				da_verdict_free(&v);
				da_evidence_free(&d);
				goto out;
			}
			da_verdict_free(&v);
			da_evidence_free(&d);
			nv++;
		} while (now() - t0 < 0.1);
		if ((now() - t0) / nv < tv)
			tv = (now() - t0) / nv;
		t0 = now();
		nr = 0;
		do {
			if (raw_run(&w)) {
				fprintf(stderr, "%s: FAILED: a required operation failed\n", name);
				goto out;
			}
			nr++;
		} while (now() - t0 < 0.1);
		if ((now() - t0) / nr < tr)
			tr = (now() - t0) / nr;
	}
	printf("%-34s %8.0f bundles/s/core (%7.1f us), required (%zu-certificate chain: %zu certificate signatures + %d SPDM signatures) %7.1f us, ratio %.2f\n",
	       name, 1.0 / tv, tv * 1e6, w.chain.n, w.cert_sigs, w.obj_len[1] ? 2 : 1, tr * 1e6,
	       tr / tv);
	ret = 0;
out:
	spdm_chain_free(&keep);
	OPENSSL_free(w.spki);
	da_buf_free(&b);
	return ret;
}

static int emu_bundle(struct rsp_device *dev, uint8_t ver, uint32_t asym, uint32_t hash,
		      struct da_evidence *ev)
{
	struct spdm_req_config cfg;
	struct spdm_responder *rsp = spdm_responder_new(dev, DA_FRAMING_PCI_DOE);
	struct da_transport *t = NULL;
	struct spdm_req *r = NULL;
	struct da_err err = { 0 };
	int ret = -1;

	spdm_req_config_default(&cfg);
	cfg.min_version = cfg.max_version = ver;
	cfg.asym_pref[0] = asym;
	cfg.n_asym = 1;
	cfg.hash_pref[0] = hash;
	cfg.n_hash = 1;
	if (!rsp || da_transport_inproc(DA_FRAMING_PCI_DOE, spdm_responder_transport, rsp, &t))
		goto out;
	r = spdm_req_new(&cfg, t);
	da_evidence_init(ev);
	if (r && !spdm_req_authenticate(r, &err) && !spdm_req_measure(r, &err) &&
	    !da_evidence_from_req(ev, r, &err))
		ret = 0;
	else
		fprintf(stderr, "emu: %s\n", err.msg);
out:
	spdm_req_free(r);
	da_transport_destroy(t);
	spdm_responder_free(rsp);
	return ret;
}

int main(int argc, char **argv)
{
	static const char *const caps[] = {
		"v11_rsassa3072_sha256", "v12_p384_sha384", "v13_p256_sha256",
	};
	static const struct {
		uint8_t ver;
		uint32_t asym, hash;
	} emu[] = {
		{ SPDM_VER_13, SPDM_ASYM_ECDSA_P256, SPDM_HASH_SHA256 },
		{ SPDM_VER_12, SPDM_ASYM_ECDSA_P384, SPDM_HASH_SHA384 },
		{ SPDM_VER_13, SPDM_ASYM_EDDSA_ED25519, SPDM_HASH_SHA512 },
		{ SPDM_VER_12, SPDM_ASYM_RSAPSS_3072, SPDM_HASH_SHA256 },
		{ SPDM_VER_11, SPDM_ASYM_RSASSA_2048, SPDM_HASH_SHA256 },
	};
	const char *vectors = getenv("DEVAUTH_VECTORS");
	struct rsp_device_config dc;
	struct rsp_device *dev = NULL;
	struct da_err err = { 0 };
	char anchor[512], name[96];
	int failed = 0;
	FILE *f;

	if (!vectors)
		vectors = argc > 1 ? argv[1] : "../shared/vectors";
	for (size_t i = 0; i < 3; i++) {
		struct da_evidence ev;
		char pcap[512];

		snprintf(pcap, sizeof(pcap), "%s/%s/exchange.pcap", vectors, caps[i]);
		snprintf(anchor, sizeof(anchor), "%s/%s/root-slot0.der", vectors, caps[i]);
		da_evidence_init(&ev);
		if (da_evidence_import_pcap(pcap, &ev, &err)) {
			fprintf(stderr, "%s: FAILED: %s\n", pcap, err.msg);
			failed++;
			continue;
		}
		snprintf(name, sizeof(name), "dmtf %s", caps[i]);
		failed += bench_one(name, &ev, anchor) != 0;
		da_evidence_free(&ev);
	}
	rsp_device_config_default(&dc, "0000:01:00.0", 0);
	if (rsp_device_create(&dc, &dev, &err)) {
		fprintf(stderr, "emu: %s\n", err.msg);
		return 1;
	}
	snprintf(anchor, sizeof(anchor), "/tmp/bench-verify-root-%d.pem", (int)getpid());
	f = fopen(anchor, "w");
	if (!f || PEM_write_X509(f, rsp_device_root(dev, 0)) != 1)
		return 1;
	fclose(f);
	for (size_t i = 0; i < sizeof(emu) / sizeof(emu[0]); i++) {
		struct da_evidence ev;

		snprintf(name, sizeof(name), "emu %u.%u %s %s", emu[i].ver >> 4, emu[i].ver & 15,
			 spdm_asym_name(emu[i].asym), spdm_hash_name(emu[i].hash));
		if (!(spdm_supported_asym() & emu[i].asym)) {
			printf("%-34s not measured: this OpenSSL lacks %s\n", name,
			       spdm_asym_name(emu[i].asym));
			continue;
		}
		if (emu_bundle(dev, emu[i].ver, emu[i].asym, emu[i].hash, &ev)) {
			fprintf(stderr, "%s: FAILED: no evidence from the emulated device\n", name);
			failed++;
			continue;
		}
		failed += bench_one(name, &ev, anchor) != 0;
		da_evidence_free(&ev);
	}
	unlink(anchor);
	rsp_device_free(dev);
	if (failed)
		fprintf(stderr, "bench_verify: %d workloads FAILED\n", failed);
	return failed ? 1 : 0;
}
