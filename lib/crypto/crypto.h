/* SPDX-License-Identifier: MIT */
/*
 * Everything cryptographic goes through OpenSSL 3 EVP here (crypto.c);
 * certificate chains through x509.c.  Algorithm arguments are the SPDM
 * bit values (SPDM_ASYM_*, SPDM_HASH_*, SPDM_MEAS_HASH_*).
 */
#ifndef DEVAUTH_CRYPTO_H
#define DEVAUTH_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include <devauth/crypto.h>
#include <devauth/error.h>

/* Signature size for a BaseAsymAlgo bit (P-256: 64, RSA-3072: 384, Ed448: 114), else 0. */
size_t spdm_sig_size(uint32_t base_asym);
/* Which algorithm bits this build can do (OpenSSL provider dependent). */
uint32_t spdm_supported_asym(void);
uint32_t spdm_supported_hash(void);
uint32_t spdm_supported_meas_hash(void);

/* One-shot hashes: spdm_hash() is public (devauth/crypto.h). */
int spdm_meas_hash(uint32_t meas_hash, const void *data, size_t len, uint8_t *out);

/*
 * Incremental hash (used for transcripts too large to keep twice).
 * spdm_hash_final() finalises a copy: the context stays usable, so a
 * transcript can be hashed at a signature and keep growing.
 */
struct spdm_hash_ctx {
	EVP_MD_CTX *md;
	uint32_t base_hash;
};
int spdm_hash_init(struct spdm_hash_ctx *h, uint32_t base_hash);
int spdm_hash_update(struct spdm_hash_ctx *h, const void *data, size_t len);
int spdm_hash_final(struct spdm_hash_ctx *h, uint8_t *out);
void spdm_hash_free(struct spdm_hash_ctx *h);

/*
 * SPDM signing contexts (1.2+): the combined_spdm_prefix is
 * "dmtf-spdm-v1.X.*" x4, zero padding to 36 bytes of context, then the
 * context string without NUL.
 */
#define SPDM_CTX_CHALLENGE_AUTH "responder-challenge_auth signing"
#define SPDM_CTX_MEASUREMENTS "responder-measurements signing"
#define SPDM_COMBINED_PREFIX_SIZE 100
/* Writes the 100-byte prefix for version (0x12..0x14) and context. */
void spdm_combined_prefix(uint8_t version, const char *context,
			  uint8_t out[SPDM_COMBINED_PREFIX_SIZE]);

/*
 * Verify an SPDM signature over a transcript whose hash is
 * transcript_hash (H bytes of base_hash):
 *  - 1.0/1.1: the signed message is transcript_hash itself;
 *  - 1.2+: the signed message is combined_prefix(version, context) ||
 *    transcript_hash.
 * 1.2+: RSA and ECDSA hash the signed message with base_hash as usual;
 * 1.0/1.1: transcript_hash IS the digest fed to the RSA/ECDSA primitive
 * (Sign(Hash(M1)), as libspdm does and the DMTF 1.1 capture proves; not
 * Hash(Hash(M1))).  EdDSA signs the message directly.  ECDSA signatures are r||s, each the size
 * of the curve order, and are converted to DER for OpenSSL here.  RSAPSS
 * uses salt length = hash length.
 * Returns 0 if valid, -EBADMSG if the signature does not verify, other
 * -errno on errors.
 */
int spdm_verify(EVP_PKEY *pub, uint32_t base_asym, uint32_t base_hash, uint8_t version,
		const char *context, const uint8_t *transcript_hash, const uint8_t *sig,
		size_t sig_len, struct da_err *err);
/* The signing side (responder); sig gets exactly spdm_sig_size(base_asym) bytes. */
int spdm_sign(EVP_PKEY *priv, uint32_t base_asym, uint32_t base_hash, uint8_t version,
	      const char *context, const uint8_t *transcript_hash, uint8_t *sig,
	      struct da_err *err);
/* Does the key match the algorithm (type, curve, modulus size)? */
bool spdm_key_matches_asym(EVP_PKEY *key, uint32_t base_asym);

#endif
