// SPDX-License-Identifier: MIT
/*
 * A throw-away PKI for tests and the emulator: root -> intermediate ->
 * leaf, optionally broken in one of the ways enum pki_fault lists so the
 * checks in x509.c can be shown to fire.  Test keys only.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509v3.h>

#include <devauth/spdm.h>

#include "crypto.h"
#include "pki.h"

#define CMA_SAN_OID "2.23.147"
#define DMTF_SAN_OID "1.3.6.1.4.1.412.274.1"
#define DAY (24 * 60 * 60L)

EVP_PKEY *pki_new_key(uint32_t base_asym, struct da_err *err)
{
	EVP_PKEY *k = NULL;

	switch (base_asym) {
	case SPDM_ASYM_RSASSA_2048:
	case SPDM_ASYM_RSAPSS_2048:
	case SPDM_ASYM_RSASSA_3072:
	case SPDM_ASYM_RSAPSS_3072:
	case SPDM_ASYM_RSASSA_4096:
	case SPDM_ASYM_RSAPSS_4096:
		k = EVP_RSA_gen((unsigned int)spdm_sig_size(base_asym) * 8);
		break;
	case SPDM_ASYM_ECDSA_P256:
		k = EVP_EC_gen("P-256");
		break;
	case SPDM_ASYM_ECDSA_P384:
		k = EVP_EC_gen("P-384");
		break;
	case SPDM_ASYM_ECDSA_P521:
		k = EVP_EC_gen("P-521");
		break;
	case SPDM_ASYM_EDDSA_ED25519:
		k = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
		break;
	case SPDM_ASYM_EDDSA_ED448:
		k = EVP_PKEY_Q_keygen(NULL, NULL, "ED448");
		break;
	default:
		da_errf(err, -EOPNOTSUPP, "pki: BaseAsymAlgo 0x%x not supported", base_asym);
		return NULL;
	}
	if (!k)
		da_errf(err, -EIO, "pki: key generation failed for BaseAsymAlgo 0x%x", base_asym);
	return k;
}

/* Certificate signature digest by the signer's key: matched to its strength. */
static const EVP_MD *sign_md(EVP_PKEY *signer)
{
	if (EVP_PKEY_is_a(signer, "ED25519") || EVP_PKEY_is_a(signer, "ED448"))
		return NULL;
	if (EVP_PKEY_is_a(signer, "EC")) {
		int bits = EVP_PKEY_get_bits(signer);

		if (bits > 384)
			return EVP_sha512();
		if (bits > 256)
			return EVP_sha384();
	}
	return EVP_sha256();
}

static int add_name(X509_NAME *n, const char *field, const char *val)
{
	return X509_NAME_add_entry_by_txt(n, field, MBSTRING_UTF8, (const unsigned char *)val,
					  -1, -1, 0) ? 0 : -ENOMEM;
}

static int set_serial(X509 *x)
{
	uint8_t raw[16];
	ASN1_INTEGER *ai;
	BIGNUM *bn;
	int ret;

	ret = da_random(raw, sizeof(raw));
	if (ret)
		return ret;
	/* Positive and non-zero, as RFC 5280 wants. */
	raw[0] = (raw[0] & 0x7f) | 0x01;
	bn = BN_bin2bn(raw, sizeof(raw), NULL);
	ai = bn ? BN_to_ASN1_INTEGER(bn, NULL) : NULL;
	ret = ai && X509_set_serialNumber(x, ai) ? 0 : -ENOMEM;
	ASN1_INTEGER_free(ai);
	BN_free(bn);
	return ret;
}

static int add_basic_constraints(X509 *x, bool ca)
{
	BASIC_CONSTRAINTS *bc = BASIC_CONSTRAINTS_new();
	int ret;

	if (!bc)
		return -ENOMEM;
	bc->ca = ca ? 0xff : 0;
	ret = X509_add1_ext_i2d(x, NID_basic_constraints, bc, 1, X509V3_ADD_REPLACE) == 1 ?
	      0 : -EIO;
	BASIC_CONSTRAINTS_free(bc);
	return ret;
}

/* bits: KeyUsage bit numbers of RFC 5280 (0 digitalSignature ... 6 cRLSign). */
static int add_key_usage(X509 *x, unsigned int bits)
{
	ASN1_BIT_STRING *ku = ASN1_BIT_STRING_new();
	int ret = -ENOMEM;

	if (!ku)
		return -ENOMEM;
	for (int i = 0; i < 9; i++)
		if ((bits & (1u << i)) && !ASN1_BIT_STRING_set_bit(ku, i, 1))
			goto out;
	ret = X509_add1_ext_i2d(x, NID_key_usage, ku, 1, X509V3_ADD_REPLACE) == 1 ? 0 : -EIO;
out:
	ASN1_BIT_STRING_free(ku);
	return ret;
}

#define KU_BIT_DIGSIG		(1u << 0)
#define KU_BIT_NONREP		(1u << 1)
#define KU_BIT_CERTSIGN		(1u << 5)
#define KU_BIT_CRLSIGN		(1u << 6)

/* Key identifiers help OpenSSL pick the issuer when names repeat. */
static int add_key_ids(X509 *x, X509 *issuer)
{
	X509V3_CTX v3;
	X509_EXTENSION *ext;
	int ret = 0;

	X509V3_set_ctx(&v3, issuer, x, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &v3, NID_subject_key_identifier, "hash");
	if (!ext || !X509_add_ext(x, ext, -1))
		ret = -EIO;
	X509_EXTENSION_free(ext);
	if (ret || issuer == x)
		return ret;
	ext = X509V3_EXT_conf_nid(NULL, &v3, NID_authority_key_identifier, "keyid:always");
	if (!ext || !X509_add_ext(x, ext, -1))
		ret = -EIO;
	X509_EXTENSION_free(ext);
	return ret;
}

static int push_othername(GENERAL_NAMES *gens, const char *oid_txt, const char *val)
{
	GENERAL_NAME *gn = GENERAL_NAME_new();
	ASN1_OBJECT *oid = OBJ_txt2obj(oid_txt, 1);
	ASN1_TYPE *type = ASN1_TYPE_new();
	ASN1_UTF8STRING *s = ASN1_UTF8STRING_new();

	if (!gn || !oid || !type || !s || !ASN1_STRING_set(s, val, -1))
		goto fail;
	ASN1_TYPE_set(type, V_ASN1_UTF8STRING, s);
	s = NULL;
	if (!GENERAL_NAME_set0_othername(gn, oid, type))
		goto fail;
	oid = NULL;
	type = NULL;
	if (!sk_GENERAL_NAME_push(gens, gn))
		goto fail;
	return 0;
fail:
	ASN1_UTF8STRING_free(s);
	ASN1_TYPE_free(type);
	ASN1_OBJECT_free(oid);
	GENERAL_NAME_free(gn);
	return -ENOMEM;
}

static int add_san(X509 *x, const char *cma, const char *dmtf)
{
	GENERAL_NAMES *gens;
	int ret = 0;

	if (!cma && !dmtf)
		return 0;
	gens = sk_GENERAL_NAME_new_null();
	if (!gens)
		return -ENOMEM;
	if (cma)
		ret = push_othername(gens, CMA_SAN_OID, cma);
	if (!ret && dmtf)
		ret = push_othername(gens, DMTF_SAN_OID, dmtf);
	if (!ret && X509_add1_ext_i2d(x, NID_subject_alt_name, gens, 0, X509V3_ADD_REPLACE) != 1)
		ret = -EIO;
	GENERAL_NAMES_free(gens);
	return ret;
}

/*
 * The common part of every certificate: subject, issuer, validity,
 * serial, public key.  issuer == NULL makes it self-issued.
 */
static X509 *new_cert(EVP_PKEY *key, const char *cn, const struct pki_ca *issuer, bool expired)
{
	X509 *x = X509_new();
	X509_NAME *name = X509_NAME_new();

	if (!x || !name)
		goto fail;
	if (!X509_set_version(x, X509_VERSION_3) || set_serial(x))
		goto fail;
	if (add_name(name, "O", "devauth test PKI") || add_name(name, "CN", cn) ||
	    !X509_set_subject_name(x, name))
		goto fail;
	if (!X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer->cert) : name))
		goto fail;
	if (expired) {
		if (!X509_gmtime_adj(X509_getm_notBefore(x), -30 * DAY) ||
		    !X509_gmtime_adj(X509_getm_notAfter(x), -DAY))
			goto fail;
	} else if (!X509_gmtime_adj(X509_getm_notBefore(x), -DAY) ||
		   !X509_time_adj_ex(X509_getm_notAfter(x), 3650, 0, NULL)) {
		goto fail;
	}
	if (!X509_set_pubkey(x, key))
		goto fail;
	X509_NAME_free(name);
	return x;
fail:
	X509_NAME_free(name);
	X509_free(x);
	return NULL;
}

static int sign_cert(X509 *x, EVP_PKEY *signer)
{
	return X509_sign(x, signer, sign_md(signer)) > 0 ? 0 : -EIO;
}

void pki_ca_free(struct pki_ca *c)
{
	if (!c)
		return;
	EVP_PKEY_free(c->key);
	X509_free(c->cert);
	c->key = NULL;
	c->cert = NULL;
}

static int make_ca(const struct pki_ca *issuer, uint32_t base_asym, const char *cn, bool ca,
		   struct pki_ca *out, struct da_err *err)
{
	int ret;

	out->cert = NULL;
	out->key = pki_new_key(base_asym, err);
	if (!out->key)
		return err && err->code ? err->code : -EIO;
	out->cert = new_cert(out->key, cn, issuer, false);
	if (!out->cert) {
		ret = -ENOMEM;
		goto fail;
	}
	ret = add_basic_constraints(out->cert, ca);
	if (!ret)
		ret = add_key_usage(out->cert, KU_BIT_CERTSIGN | KU_BIT_CRLSIGN);
	if (!ret)
		ret = add_key_ids(out->cert, issuer ? issuer->cert : out->cert);
	if (!ret)
		ret = sign_cert(out->cert, issuer ? issuer->key : out->key);
	if (!ret)
		return 0;
fail:
	pki_ca_free(out);
	ERR_clear_error();
	return da_errf(err, ret, "pki: cannot make CA certificate \"%s\"", cn);
}

int pki_make_root(uint32_t base_asym, const char *cn, struct pki_ca *out, struct da_err *err)
{
	return make_ca(NULL, base_asym, cn, true, out, err);
}

int pki_make_intermediate(const struct pki_ca *issuer, uint32_t base_asym, const char *cn,
			  unsigned int faults, struct pki_ca *out, struct da_err *err)
{
	return make_ca(issuer, base_asym, cn, !(faults & PKI_FAULT_INTER_CA_FALSE), out, err);
}

int pki_make_leaf(const struct pki_ca *issuer, uint32_t base_asym, const char *cn,
		  const struct cma_identity *id, const char *dmtf_id, unsigned int faults,
		  struct pki_ca *out, struct da_err *err)
{
	unsigned int ku = KU_BIT_DIGSIG | KU_BIT_NONREP;
	struct cma_identity other;
	EVP_PKEY *wrong = NULL;
	char san[128];
	const char *cma = NULL;
	int ret;

	out->cert = NULL;
	out->key = pki_new_key(base_asym, err);
	if (!out->key)
		return err && err->code ? err->code : -EIO;
	out->cert = new_cert(out->key, cn, issuer, faults & PKI_FAULT_EXPIRED_LEAF);
	if (!out->cert) {
		ret = -ENOMEM;
		goto fail;
	}
	if (id && !(faults & PKI_FAULT_NO_SAN)) {
		other = *id;
		/* Another function of the same vendor: the classic mix-up. */
		if (faults & PKI_FAULT_WRONG_SAN)
			other.device ^= 0x0001;
		cma_identity_format(&other, san, sizeof(san));
		cma = san;
	}
	if (faults & PKI_FAULT_LEAF_NO_DIGSIG)
		ku &= ~KU_BIT_DIGSIG;
	if (faults & PKI_FAULT_LEAF_KEYCERTSIGN)
		ku |= KU_BIT_CERTSIGN;
	ret = add_basic_constraints(out->cert, faults & PKI_FAULT_LEAF_CA_TRUE);
	if (!ret)
		ret = add_key_usage(out->cert, ku);
	if (!ret)
		ret = add_san(out->cert, cma, dmtf_id);
	if (!ret)
		ret = add_key_ids(out->cert, issuer->cert);
	if (ret)
		goto fail;
	if (faults & PKI_FAULT_BROKEN_SIG) {
		/* Right issuer name, wrong key: only the signature check can notice. */
		wrong = pki_new_key(base_asym, NULL);
		ret = wrong ? sign_cert(out->cert, wrong) : -EIO;
		EVP_PKEY_free(wrong);
	} else {
		ret = sign_cert(out->cert, issuer->key);
	}
	if (!ret)
		return 0;
fail:
	pki_ca_free(out);
	ERR_clear_error();
	return da_errf(err, ret, "pki: cannot make leaf certificate \"%s\"", cn);
}

int pki_spdm_chain(X509 *const *certs, size_t n, uint32_t base_hash, struct da_buf *out,
		   struct da_err *err)
{
	uint8_t hdr[4 + SPDM_MAX_HASH_SIZE], root_hash[SPDM_MAX_HASH_SIZE];
	size_t hlen = spdm_hash_size(base_hash), total, start = out->len;
	struct wcur w = wcur_init(hdr, sizeof(hdr));
	unsigned char *der[SPDM_CHAIN_MAX_CERTS] = { 0 };
	int dlen[SPDM_CHAIN_MAX_CERTS];
	int ret = 0;

	if (!hlen)
		return da_errf(err, -EOPNOTSUPP, "pki: BaseHashAlgo 0x%x unsupported", base_hash);
	if (!n || n > SPDM_CHAIN_MAX_CERTS)
		return da_errf(err, -EINVAL, "pki: %zu certificates in a chain", n);
	total = 4 + hlen;
	for (size_t i = 0; i < n; i++) {
		dlen[i] = i2d_X509(certs[i], &der[i]);
		if (dlen[i] <= 0) {
			ret = da_errf(err, -EIO, "pki: cannot encode certificate %zu", i);
			goto out;
		}
		total += (size_t)dlen[i];
	}
	if (total > SPDM_MAX_LARGE_CERT_CHAIN_SIZE) {
		ret = da_errf(err, -E2BIG, "pki: chain of %zu bytes exceeds %u", total,
			      SPDM_MAX_LARGE_CERT_CHAIN_SIZE);
		goto out;
	}
	/* above 64 KiB (1.4 only) the Length is 32 bits, over the reserved field */
	wcur_u32(&w, (uint32_t)total);
	ret = spdm_hash(base_hash, der[0], (size_t)dlen[0], root_hash);
	wcur_bytes(&w, root_hash, hlen);
	if (!ret && wcur_finish(&w) < 0)
		ret = -ENOSPC;
	if (!ret)
		ret = da_buf_append(out, hdr, 4 + hlen);
	for (size_t i = 0; !ret && i < n; i++)
		ret = da_buf_append(out, der[i], (size_t)dlen[i]);
	if (ret) {
		out->len = start;
		da_errf(err, ret, "pki: cannot build the SPDM chain");
	}
out:
	for (size_t i = 0; i < n; i++)
		OPENSSL_free(der[i]);
	return ret;
}

static FILE *open_out(const char *path, mode_t mode, struct da_err *err)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	FILE *f;

	if (fd < 0) {
		da_errf(err, -errno, "%s: %s", path, strerror(errno));
		return NULL;
	}
	f = fdopen(fd, "wb");
	if (!f) {
		da_errf(err, -errno, "%s: %s", path, strerror(errno));
		close(fd);
	}
	return f;
}

static int close_out(FILE *f, const char *path, int ok, struct da_err *err)
{
	if (fclose(f) || !ok) {
		ERR_clear_error();
		return da_errf(err, -EIO, "%s: write failed", path);
	}
	return 0;
}

int pki_write_cert_pem(const char *path, X509 *x, struct da_err *err)
{
	FILE *f = open_out(path, 0644, err);

	if (!f)
		return err && err->code ? err->code : -EIO;
	return close_out(f, path, PEM_write_X509(f, x), err);
}

int pki_write_cert_der(const char *path, X509 *x, struct da_err *err)
{
	FILE *f = open_out(path, 0644, err);

	if (!f)
		return err && err->code ? err->code : -EIO;
	return close_out(f, path, i2d_X509_fp(f, x), err);
}

int pki_write_key_pem(const char *path, EVP_PKEY *k, struct da_err *err)
{
	/* Test keys, but still private keys: not world readable. */
	FILE *f = open_out(path, 0600, err);

	if (!f)
		return err && err->code ? err->code : -EIO;
	return close_out(f, path, PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL), err);
}

EVP_PKEY *pki_read_key_pem(const char *path, struct da_err *err)
{
	FILE *f = fopen(path, "rb");
	EVP_PKEY *k;

	if (!f) {
		da_errf(err, -errno, "%s: %s", path, strerror(errno));
		return NULL;
	}
	k = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	if (!k) {
		ERR_clear_error();
		da_errf(err, -EBADMSG, "%s: not a PEM private key", path);
	}
	return k;
}

int pki_read_certs(const char *path, STACK_OF(X509) **out, struct da_err *err)
{
	return da_x509_read_certs_file(path, out, err);
}
