// SPDX-License-Identifier: MIT
/*
 * SPDM hashing and signatures on top of OpenSSL 3 EVP.  The only SPDM
 * specific parts are which bytes get signed (DSP0274 "Signature
 * generation") and the r||s encoding of ECDSA signatures on the wire.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/rsa.h>

#include <devauth/spdm.h>

#include "../cursor.h"
#include "crypto.h"

static const EVP_MD *hash_md(uint32_t base_hash)
{
	switch (base_hash) {
	case SPDM_HASH_SHA256:
		return EVP_sha256();
	case SPDM_HASH_SHA384:
		return EVP_sha384();
	case SPDM_HASH_SHA512:
		return EVP_sha512();
	case SPDM_HASH_SHA3_256:
		return EVP_sha3_256();
	case SPDM_HASH_SHA3_384:
		return EVP_sha3_384();
	case SPDM_HASH_SHA3_512:
		return EVP_sha3_512();
	default:
		return NULL;
	}
}

/* MeasurementHashAlgo bits 1..6 are the BaseHashAlgo bits 0..5 shifted by one. */
static uint32_t meas_to_base_hash(uint32_t meas_hash)
{
	if (meas_hash < SPDM_MEAS_HASH_SHA256 || meas_hash > SPDM_MEAS_HASH_SHA3_512)
		return 0;
	return meas_hash >> 1;
}

size_t spdm_hash_size(uint32_t base_hash)
{
	switch (base_hash) {
	case SPDM_HASH_SHA256:
	case SPDM_HASH_SHA3_256:
		return 32;
	case SPDM_HASH_SHA384:
	case SPDM_HASH_SHA3_384:
		return 48;
	case SPDM_HASH_SHA512:
	case SPDM_HASH_SHA3_512:
		return 64;
	default:
		return 0;
	}
}

size_t spdm_meas_hash_size(uint32_t meas_hash)
{
	return spdm_hash_size(meas_to_base_hash(meas_hash));
}

size_t spdm_sig_size(uint32_t base_asym)
{
	switch (base_asym) {
	case SPDM_ASYM_RSASSA_2048:
	case SPDM_ASYM_RSAPSS_2048:
		return 256;
	case SPDM_ASYM_RSASSA_3072:
	case SPDM_ASYM_RSAPSS_3072:
		return 384;
	case SPDM_ASYM_RSASSA_4096:
	case SPDM_ASYM_RSAPSS_4096:
		return 512;
	case SPDM_ASYM_ECDSA_P256:
		return 64;
	case SPDM_ASYM_ECDSA_P384:
		return 96;
	case SPDM_ASYM_ECDSA_P521:
		return 132;
	case SPDM_ASYM_EDDSA_ED25519:
		return 64;
	case SPDM_ASYM_EDDSA_ED448:
		return 114;
	default:
		return 0;
	}
}

static bool have_key_type(const char *name)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, name, NULL);

	if (!ctx)
		return false;
	EVP_PKEY_CTX_free(ctx);
	return true;
}

static bool have_md(const char *name)
{
	EVP_MD *md = EVP_MD_fetch(NULL, name, NULL);

	if (!md)
		return false;
	EVP_MD_free(md);
	return true;
}

/*
 * What this libcrypto offers does not change while the process runs: asked
 * once (the first NEGOTIATE_ALGORITHMS), not per request.
 */
static pthread_once_t supported_once = PTHREAD_ONCE_INIT;
static uint32_t supported_asym, supported_hash;

static uint32_t probe_asym(void)
{
	uint32_t a = 0;

	if (have_key_type("RSA"))
		a |= SPDM_ASYM_RSASSA_2048 | SPDM_ASYM_RSAPSS_2048 | SPDM_ASYM_RSASSA_3072 |
		     SPDM_ASYM_RSAPSS_3072 | SPDM_ASYM_RSASSA_4096 | SPDM_ASYM_RSAPSS_4096;
	if (have_key_type("EC"))
		a |= SPDM_ASYM_ECDSA_P256 | SPDM_ASYM_ECDSA_P384 | SPDM_ASYM_ECDSA_P521;
	if (have_key_type("ED25519"))
		a |= SPDM_ASYM_EDDSA_ED25519;
	if (have_key_type("ED448"))
		a |= SPDM_ASYM_EDDSA_ED448;
	return a;
}

static uint32_t probe_hash(void)
{
	uint32_t h = 0;

	if (have_md("SHA2-256"))
		h |= SPDM_HASH_SHA256;
	if (have_md("SHA2-384"))
		h |= SPDM_HASH_SHA384;
	if (have_md("SHA2-512"))
		h |= SPDM_HASH_SHA512;
	if (have_md("SHA3-256"))
		h |= SPDM_HASH_SHA3_256;
	if (have_md("SHA3-384"))
		h |= SPDM_HASH_SHA3_384;
	if (have_md("SHA3-512"))
		h |= SPDM_HASH_SHA3_512;
	return h;
}

static void probe_supported(void)
{
	supported_asym = probe_asym();
	supported_hash = probe_hash();
}

uint32_t spdm_supported_asym(void)
{
	pthread_once(&supported_once, probe_supported);
	return supported_asym;
}

uint32_t spdm_supported_hash(void)
{
	pthread_once(&supported_once, probe_supported);
	return supported_hash;
}

uint32_t spdm_supported_meas_hash(void)
{
	/* RAW needs no crypto; the rest mirror the base hashes. */
	return SPDM_MEAS_HASH_RAW | spdm_supported_hash() << 1;
}

int spdm_hash(uint32_t base_hash, const void *data, size_t len, uint8_t *out)
{
	const EVP_MD *md = hash_md(base_hash);
	unsigned int n = 0;

	if (!md)
		return -EOPNOTSUPP;
	if (!EVP_Digest(data, len, out, &n, md, NULL))
		return -EIO;
	return 0;
}

int spdm_meas_hash(uint32_t meas_hash, const void *data, size_t len, uint8_t *out)
{
	return spdm_hash(meas_to_base_hash(meas_hash), data, len, out);
}

int spdm_hash_init(struct spdm_hash_ctx *h, uint32_t base_hash)
{
	const EVP_MD *md = hash_md(base_hash);

	h->md = NULL;
	h->base_hash = base_hash;
	if (!md)
		return -EOPNOTSUPP;
	h->md = EVP_MD_CTX_new();
	if (!h->md)
		return -ENOMEM;
	if (!EVP_DigestInit_ex(h->md, md, NULL)) {
		spdm_hash_free(h);
		return -EIO;
	}
	return 0;
}

int spdm_hash_update(struct spdm_hash_ctx *h, const void *data, size_t len)
{
	if (!h->md)
		return -EINVAL;
	if (!EVP_DigestUpdate(h->md, data, len))
		return -EIO;
	return 0;
}

/*
 * Finalises a copy so the context stays usable: transcripts are hashed
 * once at the signature but keep growing afterwards (e.g. L1 after VCA).
 */
int spdm_hash_final(struct spdm_hash_ctx *h, uint8_t *out)
{
	EVP_MD_CTX *copy;
	unsigned int n = 0;
	int ret = 0;

	if (!h->md)
		return -EINVAL;
	copy = EVP_MD_CTX_new();
	if (!copy)
		return -ENOMEM;
	if (!EVP_MD_CTX_copy_ex(copy, h->md) || !EVP_DigestFinal_ex(copy, out, &n))
		ret = -EIO;
	EVP_MD_CTX_free(copy);
	return ret;
}

void spdm_hash_free(struct spdm_hash_ctx *h)
{
	EVP_MD_CTX_free(h->md);
	h->md = NULL;
}

void spdm_combined_prefix(uint8_t version, const char *context,
			  uint8_t out[SPDM_COMBINED_PREFIX_SIZE])
{
	/* 16 characters + NUL; the version digits are single hex nibbles. */
	char part[17];
	size_t clen = context ? strlen(context) : 0;
	struct wcur w = wcur_init(out, SPDM_COMBINED_PREFIX_SIZE);

	snprintf(part, sizeof(part), "dmtf-spdm-v%x.%x.*", version >> 4, version & 0xf);
	for (int i = 0; i < 4; i++)
		wcur_bytes(&w, part, 16);
	if (clen > SPDM_COMBINED_PREFIX_SIZE - 64)
		clen = SPDM_COMBINED_PREFIX_SIZE - 64;
	/* The zero padding goes BEFORE the context string (DSP0274 "Signature generation"). */
	wcur_zero(&w, SPDM_COMBINED_PREFIX_SIZE - 64 - clen);
	wcur_bytes(&w, context, clen);
}

enum asym_kind { ASYM_NONE, ASYM_RSASSA, ASYM_RSAPSS, ASYM_ECDSA, ASYM_EDDSA };

static enum asym_kind asym_kind(uint32_t base_asym)
{
	switch (base_asym) {
	case SPDM_ASYM_RSASSA_2048:
	case SPDM_ASYM_RSASSA_3072:
	case SPDM_ASYM_RSASSA_4096:
		return ASYM_RSASSA;
	case SPDM_ASYM_RSAPSS_2048:
	case SPDM_ASYM_RSAPSS_3072:
	case SPDM_ASYM_RSAPSS_4096:
		return ASYM_RSAPSS;
	case SPDM_ASYM_ECDSA_P256:
	case SPDM_ASYM_ECDSA_P384:
	case SPDM_ASYM_ECDSA_P521:
		return ASYM_ECDSA;
	case SPDM_ASYM_EDDSA_ED25519:
	case SPDM_ASYM_EDDSA_ED448:
		return ASYM_EDDSA;
	default:
		return ASYM_NONE;
	}
}

static const char *asym_name(uint32_t base_asym)
{
	switch (base_asym) {
	case SPDM_ASYM_RSASSA_2048: return "RSASSA-2048";
	case SPDM_ASYM_RSAPSS_2048: return "RSAPSS-2048";
	case SPDM_ASYM_RSASSA_3072: return "RSASSA-3072";
	case SPDM_ASYM_RSAPSS_3072: return "RSAPSS-3072";
	case SPDM_ASYM_RSASSA_4096: return "RSASSA-4096";
	case SPDM_ASYM_RSAPSS_4096: return "RSAPSS-4096";
	case SPDM_ASYM_ECDSA_P256: return "ECDSA P-256";
	case SPDM_ASYM_ECDSA_P384: return "ECDSA P-384";
	case SPDM_ASYM_ECDSA_P521: return "ECDSA P-521";
	case SPDM_ASYM_EDDSA_ED25519: return "Ed25519";
	case SPDM_ASYM_EDDSA_ED448: return "Ed448";
	default: return "unknown algorithm";
	}
}

bool spdm_key_matches_asym(EVP_PKEY *key, uint32_t base_asym)
{
	char group[64];
	size_t glen = 0;
	const char *want;

	if (!key)
		return false;
	switch (asym_kind(base_asym)) {
	case ASYM_RSASSA:
	case ASYM_RSAPSS:
		/* SPDM RSA keys are plain RSA keys; PSS is a padding choice. */
		if (!EVP_PKEY_is_a(key, "RSA") && !EVP_PKEY_is_a(key, "RSA-PSS"))
			return false;
		return (size_t)EVP_PKEY_get_bits(key) == spdm_sig_size(base_asym) * 8;
	case ASYM_ECDSA:
		if (!EVP_PKEY_is_a(key, "EC"))
			return false;
		if (!EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group,
						    sizeof(group), &glen))
			return false;
		want = base_asym == SPDM_ASYM_ECDSA_P256 ? "prime256v1" :
		       base_asym == SPDM_ASYM_ECDSA_P384 ? "secp384r1" : "secp521r1";
		return strcmp(group, want) == 0;
	case ASYM_EDDSA:
		return EVP_PKEY_is_a(key, base_asym == SPDM_ASYM_EDDSA_ED25519 ?
					  "ED25519" : "ED448");
	default:
		return false;
	}
}

/*
 * The message the primitive signs: 1.0/1.1 sign the transcript hash,
 * 1.2+ sign combined_spdm_prefix || transcript hash.
 */
static size_t signed_message(uint8_t version, const char *context, const uint8_t *hash,
			     size_t hlen, uint8_t *msg)
{
	if (version < SPDM_VER_12) {
		memcpy(msg, hash, hlen);
		return hlen;
	}
	spdm_combined_prefix(version, context, msg);
	memcpy(msg + SPDM_COMBINED_PREFIX_SIZE, hash, hlen);
	return SPDM_COMBINED_PREFIX_SIZE + hlen;
}

static int set_pss(EVP_PKEY_CTX *pctx, const EVP_MD *md)
{
	if (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) <= 0 ||
	    EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) <= 0 ||
	    EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, md) <= 0)
		return -EIO;
	return 0;
}

typedef int (*pkey_init_fn)(EVP_PKEY_CTX *ctx);
typedef int (*digest_init_fn)(EVP_MD_CTX *ctx, EVP_PKEY_CTX **pctx, const EVP_MD *md,
			      ENGINE *e, EVP_PKEY *key);

/* 1.0/1.1 RSA/ECDSA: init is EVP_PKEY_sign_init or EVP_PKEY_verify_init. */
static EVP_PKEY_CTX *prehashed_ctx(EVP_PKEY *key, enum asym_kind kind, const EVP_MD *md,
				   pkey_init_fn init)
{
	EVP_PKEY_CTX *pctx = EVP_PKEY_CTX_new(key, NULL);

	if (pctx && (init(pctx) <= 0 || EVP_PKEY_CTX_set_signature_md(pctx, md) <= 0 ||
		     (kind == ASYM_RSAPSS && set_pss(pctx, md)))) {
		EVP_PKEY_CTX_free(pctx);
		pctx = NULL;
	}
	return pctx;
}

/* 1.2+ and EdDSA: init is EVP_DigestSignInit or EVP_DigestVerifyInit. */
static int message_ctx(EVP_PKEY *key, enum asym_kind kind, const EVP_MD *md,
		       digest_init_fn init, EVP_MD_CTX **out)
{
	EVP_MD_CTX *mctx = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL;

	*out = NULL;
	if (!mctx)
		return -ENOMEM;
	/* pctx belongs to mctx from here on. */
	if (init(mctx, &pctx, kind == ASYM_EDDSA ? NULL : md, NULL, key) <= 0 ||
	    (kind == ASYM_RSAPSS && set_pss(pctx, md))) {
		EVP_MD_CTX_free(mctx);
		return -EIO;
	}
	*out = mctx;
	return 0;
}

/*
 * EdDSA is PureEdDSA over the message with OpenSSL's default empty
 * context, also for Ed448.  libspdm's crypt layer hands its Ed448
 * wrapper the SPDM context string, but its OpenSSL backend drops it, so
 * what the DMTF emulator actually signs carries an empty context too.
 *
 * 1.0/1.1 RSA/ECDSA: DSP0274 1.1 signs Hash(M1) as the digest, so the
 * transcript hash goes to the primitive as a precomputed digest (this is
 * what libspdm and the Linux C series do, and what the 1.1 DMTF capture
 * carries).  1.2+ hashes prefix || hash once more with EVP_DigestSign.
 */
static int raw_verify(EVP_PKEY *pub, enum asym_kind kind, const EVP_MD *md, uint8_t version,
		      const uint8_t *msg, size_t mlen, const uint8_t *der, size_t dlen)
{
	EVP_MD_CTX *mctx;
	EVP_PKEY_CTX *pctx;
	int ret;

	if (kind != ASYM_EDDSA && version < SPDM_VER_12) {
		pctx = prehashed_ctx(pub, kind, md, EVP_PKEY_verify_init);
		if (!pctx)
			return -EIO;
		ret = EVP_PKEY_verify(pctx, der, dlen, msg, mlen) == 1 ? 0 : -EBADMSG;
		EVP_PKEY_CTX_free(pctx);
		return ret;
	}
	ret = message_ctx(pub, kind, md, EVP_DigestVerifyInit, &mctx);
	if (ret)
		return ret;
	ret = EVP_DigestVerify(mctx, der, dlen, msg, mlen) == 1 ? 0 : -EBADMSG;
	EVP_MD_CTX_free(mctx);
	return ret;
}

static int raw_sign(EVP_PKEY *priv, enum asym_kind kind, const EVP_MD *md, uint8_t version,
		    const uint8_t *msg, size_t mlen, uint8_t *sig, size_t *slen)
{
	EVP_MD_CTX *mctx;
	EVP_PKEY_CTX *pctx;
	int ret;

	if (kind != ASYM_EDDSA && version < SPDM_VER_12) {
		pctx = prehashed_ctx(priv, kind, md, EVP_PKEY_sign_init);
		if (!pctx)
			return -EIO;
		ret = EVP_PKEY_sign(pctx, sig, slen, msg, mlen) == 1 ? 0 : -EIO;
		EVP_PKEY_CTX_free(pctx);
		return ret;
	}
	ret = message_ctx(priv, kind, md, EVP_DigestSignInit, &mctx);
	if (ret)
		return ret;
	ret = EVP_DigestSign(mctx, sig, slen, msg, mlen) == 1 ? 0 : -EIO;
	EVP_MD_CTX_free(mctx);
	return ret;
}

/* r||s (each half the signature) to DER for OpenSSL. */
static int ecdsa_rs_to_der(const uint8_t *sig, size_t sig_len, uint8_t **der, size_t *dlen)
{
	ECDSA_SIG *es = ECDSA_SIG_new();
	BIGNUM *r, *s;
	int n;

	if (!es)
		return -ENOMEM;
	r = BN_bin2bn(sig, (int)(sig_len / 2), NULL);
	s = BN_bin2bn(sig + sig_len / 2, (int)(sig_len / 2), NULL);
	if (!r || !s || !ECDSA_SIG_set0(es, r, s)) {
		BN_free(r);
		BN_free(s);
		ECDSA_SIG_free(es);
		return -ENOMEM;
	}
	*der = NULL;
	n = i2d_ECDSA_SIG(es, der);
	ECDSA_SIG_free(es);
	if (n <= 0)
		return -ENOMEM;
	*dlen = (size_t)n;
	return 0;
}

static int ecdsa_der_to_rs(const uint8_t *der, size_t dlen, uint8_t *sig, size_t sig_len)
{
	const unsigned char *p = der;
	ECDSA_SIG *es = d2i_ECDSA_SIG(NULL, &p, (long)dlen);
	const BIGNUM *r, *s;
	int ret = 0;

	if (!es)
		return -EIO;
	ECDSA_SIG_get0(es, &r, &s);
	/* Zero-padded to the curve size: SPDM fixes the wire size. */
	if (BN_bn2binpad(r, sig, (int)(sig_len / 2)) < 0 ||
	    BN_bn2binpad(s, sig + sig_len / 2, (int)(sig_len / 2)) < 0)
		ret = -EIO;
	ECDSA_SIG_free(es);
	return ret;
}

static int check_args(EVP_PKEY *key, uint32_t base_asym, uint32_t base_hash, uint8_t version,
		      const char *context, struct da_err *err)
{
	if (asym_kind(base_asym) == ASYM_NONE || !spdm_sig_size(base_asym))
		return da_errf(err, -EOPNOTSUPP, "signature: BaseAsymAlgo 0x%x not supported",
			       base_asym);
	if (!hash_md(base_hash))
		return da_errf(err, -EOPNOTSUPP, "signature: BaseHashAlgo 0x%x not supported",
			       base_hash);
	if (version >= SPDM_VER_12 && !context)
		return da_errf(err, -EINVAL, "signature: SPDM %x.%x needs a signing context",
			       version >> 4, version & 0xf);
	if (!spdm_key_matches_asym(key, base_asym))
		return da_errf(err, -EKEYREJECTED, "signature: key is not a %s key",
			       asym_name(base_asym));
	return 0;
}

int spdm_verify(EVP_PKEY *pub, uint32_t base_asym, uint32_t base_hash, uint8_t version,
		const char *context, const uint8_t *transcript_hash, const uint8_t *sig,
		size_t sig_len, struct da_err *err)
{
	uint8_t msg[SPDM_COMBINED_PREFIX_SIZE + SPDM_MAX_HASH_SIZE];
	enum asym_kind kind = asym_kind(base_asym);
	uint8_t *der = NULL;
	size_t mlen, dlen = sig_len;
	int ret;

	ret = check_args(pub, base_asym, base_hash, version, context, err);
	if (ret)
		return ret;
	if (sig_len != spdm_sig_size(base_asym))
		return da_errf(err, -EBADMSG, "signature: %zu bytes, %s needs %zu", sig_len,
			       asym_name(base_asym), spdm_sig_size(base_asym));
	mlen = signed_message(version, context, transcript_hash, spdm_hash_size(base_hash), msg);
	if (kind == ASYM_ECDSA) {
		ret = ecdsa_rs_to_der(sig, sig_len, &der, &dlen);
		if (ret)
			return da_errf(err, ret, "signature: cannot encode ECDSA r||s");
	}
	ret = raw_verify(pub, kind, hash_md(base_hash), version, msg, mlen, der ? der : sig,
			 dlen);
	OPENSSL_free(der);
	if (ret == -EBADMSG)
		return da_errf(err, ret, "signature: does not verify (%s, SPDM %x.%x)",
			       asym_name(base_asym), version >> 4, version & 0xf);
	if (ret)
		return da_errf(err, ret, "signature: OpenSSL verify failed (%s)",
			       asym_name(base_asym));
	return 0;
}

int spdm_sign(EVP_PKEY *priv, uint32_t base_asym, uint32_t base_hash, uint8_t version,
	      const char *context, const uint8_t *transcript_hash, uint8_t *sig,
	      struct da_err *err)
{
	uint8_t msg[SPDM_COMBINED_PREFIX_SIZE + SPDM_MAX_HASH_SIZE];
	/* DER ECDSA of P-521 is at most 139 bytes; RSA/EdDSA fit the wire size. */
	uint8_t raw[SPDM_MAX_SIG_SIZE + 16];
	enum asym_kind kind = asym_kind(base_asym);
	size_t mlen, rlen = sizeof(raw), want;
	int ret;

	ret = check_args(priv, base_asym, base_hash, version, context, err);
	if (ret)
		return ret;
	want = spdm_sig_size(base_asym);
	mlen = signed_message(version, context, transcript_hash, spdm_hash_size(base_hash), msg);
	ret = raw_sign(priv, kind, hash_md(base_hash), version, msg, mlen, raw, &rlen);
	if (ret)
		return da_errf(err, ret, "signature: OpenSSL sign failed (%s)",
			       asym_name(base_asym));
	if (kind == ASYM_ECDSA) {
		ret = ecdsa_der_to_rs(raw, rlen, sig, want);
		if (ret)
			return da_errf(err, ret, "signature: cannot convert ECDSA signature");
		return 0;
	}
	if (rlen != want)
		return da_errf(err, -EIO, "signature: %s produced %zu bytes, expected %zu",
			       asym_name(base_asym), rlen, want);
	memcpy(sig, raw, rlen);
	return 0;
}

int da_random(void *buf, size_t len)
{
	struct wcur w = wcur_init(buf, len);

	while (w.len < len) {
		ssize_t n = getrandom(w.p + w.len, len - w.len, 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		w.len += (size_t)n;
	}
	return 0;
}
