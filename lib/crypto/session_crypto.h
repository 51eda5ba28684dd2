/* SPDX-License-Identifier: MIT */
/*
 * The session primitives, all OpenSSL 3 EVP: DHE key agreement
 * (dhe.c), AEAD (aead.c), HMAC and HKDF (kdf.c).  Algorithm arguments
 * are the SPDM bit values (SPDM_DHE_*, SPDM_AEAD_*, SPDM_HASH_*).
 */
#ifndef DEVAUTH_SESSION_CRYPTO_H
#define DEVAUTH_SESSION_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include <devauth/error.h>

/* ---- dhe.c ---- */
/* ExchangeData size D (ECDHE: X||Y without the 0x04 prefix; FFDHE: the prime size). */
size_t spdm_dhe_size(uint16_t dhe);
/* Shared secret size (ECDHE: the X coordinate; FFDHE: the prime size). */
size_t spdm_dhe_secret_size(uint16_t dhe);
uint16_t spdm_supported_dhe(void);
/* A fresh key pair; pub gets D bytes in the SPDM encoding. */
int spdm_dhe_generate(uint16_t dhe, EVP_PKEY **key, uint8_t *pub, struct da_err *err);
/*
 * The shared secret with the peer's D-byte ExchangeData (checked to be
 * on the curve / in range by OpenSSL); secret gets
 * spdm_dhe_secret_size() bytes.
 */
int spdm_dhe_derive(EVP_PKEY *key, uint16_t dhe, const uint8_t *peer, uint8_t *secret,
		    struct da_err *err);

/* ---- aead.c ---- */
#define SPDM_AEAD_IV_SIZE 12
#define SPDM_AEAD_TAG_SIZE 16
#define SPDM_AEAD_MAX_KEY_SIZE 32
size_t spdm_aead_key_size(uint16_t aead);
uint16_t spdm_supported_aead(void);

/* One key, one direction; the key schedule stays in the cipher context. */
struct spdm_aead {
	EVP_CIPHER_CTX *ctx;
	uint16_t alg;
	bool encrypt;
};
int spdm_aead_init(struct spdm_aead *a, uint16_t aead, const uint8_t *key, bool encrypt);
/* ct may equal pt; len 0 is a MAC over aad alone. */
int spdm_aead_seal(struct spdm_aead *a, const uint8_t iv[SPDM_AEAD_IV_SIZE],
		   const uint8_t *aad, size_t aad_len, const uint8_t *pt, size_t len,
		   uint8_t *ct, uint8_t tag[SPDM_AEAD_TAG_SIZE]);
/* -EBADMSG when the tag does not verify (pt then holds nothing usable). */
int spdm_aead_open(struct spdm_aead *a, const uint8_t iv[SPDM_AEAD_IV_SIZE],
		   const uint8_t *aad, size_t aad_len, const uint8_t *ct, size_t len,
		   uint8_t *pt, const uint8_t tag[SPDM_AEAD_TAG_SIZE]);
void spdm_aead_free(struct spdm_aead *a);

/* ---- kdf.c ---- */
/* out gets spdm_hash_size(base_hash) bytes. */
int spdm_hmac(uint32_t base_hash, const uint8_t *key, size_t key_len, const void *data,
	      size_t len, uint8_t *out);
/* HKDF-Extract(salt, ikm) -> prk (H bytes). */
int spdm_hkdf_extract(uint32_t base_hash, const uint8_t *salt, size_t salt_len,
		      const uint8_t *ikm, size_t ikm_len, uint8_t *prk);
/* HKDF-Expand(prk, info, out_len). */
int spdm_hkdf_expand(uint32_t base_hash, const uint8_t *prk, size_t prk_len,
		     const uint8_t *info, size_t info_len, uint8_t *out, size_t out_len);
/* OpenSSL's name of a BaseHashAlgo ("SHA384"), NULL if unsupported. */
const char *spdm_hash_ossl_name(uint32_t base_hash);

#endif
