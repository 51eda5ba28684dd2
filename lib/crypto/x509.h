/* SPDX-License-Identifier: MIT */
/*
 * Certificate chains as SPDM carries them, and the internal consistency
 * checks a TSM makes (docs/design.md; no trust decision),
 * plus path validation against caller-supplied anchors for verifiers.
 * X.509 parsing and signature checks are OpenSSL's; this file only
 * decides which checks apply.
 */
#ifndef DEVAUTH_X509_H
#define DEVAUTH_X509_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/x509.h>

#include <devauth/buf.h>
#include <devauth/chain.h>
#include <devauth/error.h>
#include <devauth/identity.h>
#include <devauth/trust.h>

/*
 * A parsed SPDM certificate chain: u16 Length | u16 reserved |
 * RootHash[H] | DER certificates, root first.
 */
struct spdm_chain {
	STACK_OF(X509) *certs;		/* root first; owned */
	size_t ncerts;
	const uint8_t *root_hash;	/* borrowed from the chain bytes */
	/* offsets of each DER certificate inside the chain bytes */
	size_t cert_off[SPDM_CHAIN_MAX_CERTS];
	size_t cert_len[SPDM_CHAIN_MAX_CERTS];
	/*
	 * spdm_chain_check() passed on these very X509 objects: each one's
	 * signature by the previous holds (the first's is the trust check's).
	 */
	bool sigs_checked;
};

/*
 * Parse the chain bytes: Length equals len, RootHash equals
 * Hash(first certificate DER), each certificate is one complete DER
 * X.509 with no trailing bytes, at most SPDM_CHAIN_MAX_CERTS.
 * The DER walk uses struct cur over the ASN.1 length headers only to
 * find boundaries; OpenSSL parses each certificate.
 */
int spdm_chain_parse(const uint8_t *chain, size_t len, uint32_t base_hash,
		     struct spdm_chain *out, struct da_err *err);
void spdm_chain_free(struct spdm_chain *c);

/*
 * Internal consistency: each certificate after the first is signed
 * by the previous one (the first's own signature is not checked: a
 * self-signature proves nothing an anchor match does not);
 * BasicConstraints CA=TRUE on all but the leaf, CA=FALSE or absent on
 * the leaf; the leaf has digitalSignature and not keyCertSign key usage.
 * No dates, no trust anchors: that is policy.
 * Error messages name the certificate by position and subject:
 * "certificate 2 (CN=...): BasicConstraints CA=TRUE on the leaf".
 * On success marks the chain sigs_checked.
 */
int spdm_chain_check(struct spdm_chain *c, struct da_err *err);

/*
 * Leaf identity: the SubjectAltName otherName 2.23.147 UTF8String equals
 * the formatted identity exactly.  -ENOENT if the leaf carries no such
 * otherName, -EACCES if it differs (message shows both strings).
 */
int cma_check_leaf_san(X509 *leaf, const struct cma_identity *id, struct da_err *err);
/* The leaf's 2.23.147 string, if any (for display / verifiers); -ENOENT if none. */
int cma_leaf_san_string(X509 *leaf, char *buf, size_t len);

/* The leaf public key, with a reference the caller must free. */
EVP_PKEY *spdm_chain_leaf_key(const struct spdm_chain *c);
static inline X509 *spdm_chain_leaf(const struct spdm_chain *c)
{
	return c->ncerts ? sk_X509_value(c->certs, (int)c->ncerts - 1) : NULL;
}

/*
 * Trust anchors (devauth/trust.h): a chain marked sigs_checked has its
 * own links' signatures taken as verified; only a link to an anchor
 * above the chain is verified there.
 */

/*
 * Certificates from a buffer or file: a PEM bundle, or concatenated DER
 * certificates (each exactly one DER X.509).  *out is a new stack.
 */
int da_x509_parse_certs(const uint8_t *buf, size_t len, STACK_OF(X509) **out,
			struct da_err *err);
int da_x509_read_certs_file(const char *path, STACK_OF(X509) **out, struct da_err *err);
/* A certificate file's bytes (at most a few MiB), for the splitter below. */
int da_x509_read_file(const char *path, struct da_buf *b, struct da_err *err);
/*
 * The certificates of a PEM bundle or of concatenated DER, each handed
 * to add() as its DER, not decoded: the DER framing is checked, what is
 * inside is the decoder's.  0, add()'s error, or -errno with err set.
 */
int da_x509_split_certs(const uint8_t *buf, size_t len,
			int (*add)(void *arg, const uint8_t *der, size_t len), void *arg,
			struct da_err *err);

/* "CN=..., O=..." one-line subject for display. */
void da_x509_subject(X509 *x, char *buf, size_t len);

#endif
