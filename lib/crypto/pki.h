/* SPDX-License-Identifier: MIT */
/*
 * A test PKI made with OpenSSL: root CA -> intermediate CA -> leaf, the
 * leaf carrying the PCIe CMA identity in its SubjectAltName.  Used by
 * `devauth-emu pki`, by the emulator when it has no --slot files, and by
 * tests that need real chains (including deliberately broken ones).
 * Test keys only.
 */
#ifndef DEVAUTH_PKI_H
#define DEVAUTH_PKI_H

#include <stdbool.h>
#include <stdint.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <devauth/error.h>

#include "../cursor.h"
#include "x509.h"

/* Ways to break a generated chain (one bit each, combinable). */
enum pki_fault {
	PKI_FAULT_LEAF_CA_TRUE		= 1u << 0,
	PKI_FAULT_LEAF_NO_DIGSIG	= 1u << 1,
	PKI_FAULT_INTER_CA_FALSE	= 1u << 2,
	PKI_FAULT_BROKEN_SIG		= 1u << 3, /* leaf not signed by the intermediate's key */
	PKI_FAULT_WRONG_SAN		= 1u << 4, /* 2.23.147 of another device id */
	PKI_FAULT_NO_SAN		= 1u << 5,
	PKI_FAULT_EXPIRED_LEAF		= 1u << 6,
	PKI_FAULT_LEAF_KEYCERTSIGN	= 1u << 7,
};

struct pki_ca {
	EVP_PKEY *key;
	X509 *cert;
};

/* New key for an SPDM BaseAsym bit (EC curve / RSA size / Ed25519 / Ed448). */
EVP_PKEY *pki_new_key(uint32_t base_asym, struct da_err *err);
/* Self-signed root CA with the given CN. */
int pki_make_root(uint32_t base_asym, const char *cn, struct pki_ca *out, struct da_err *err);
/* Intermediate CA signed by issuer. faults: PKI_FAULT_INTER_CA_FALSE. */
int pki_make_intermediate(const struct pki_ca *issuer, uint32_t base_asym, const char *cn,
			  unsigned int faults, struct pki_ca *out, struct da_err *err);
/*
 * Leaf for a device: SAN otherName 2.23.147 = cma_identity_format(id)
 * unless faults say otherwise, plus the DMTF otherName
 * 1.3.6.1.4.1.412.274.1 when dmtf_id is not NULL.
 */
int pki_make_leaf(const struct pki_ca *issuer, uint32_t base_asym, const char *cn,
		  const struct cma_identity *id, const char *dmtf_id, unsigned int faults,
		  struct pki_ca *out, struct da_err *err);
void pki_ca_free(struct pki_ca *c);

/*
 * The SPDM chain bytes for certs (root first): u16 Length | u16 0 |
 * Hash(root DER) | DER...  Appends to out.
 */
int pki_spdm_chain(X509 *const *certs, size_t n, uint32_t base_hash, struct da_buf *out,
		   struct da_err *err);

/* PEM/DER file helpers for `devauth-emu pki` and --slot. */
int pki_write_cert_pem(const char *path, X509 *x, struct da_err *err);
int pki_write_cert_der(const char *path, X509 *x, struct da_err *err);
int pki_write_key_pem(const char *path, EVP_PKEY *k, struct da_err *err);
EVP_PKEY *pki_read_key_pem(const char *path, struct da_err *err);
/* A file of concatenated DER certificates (root first) or a PEM bundle. */
int pki_read_certs(const char *path, STACK_OF(X509) **out, struct da_err *err);

#endif
