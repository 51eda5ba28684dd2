// SPDX-License-Identifier: MIT
/*
 * AEAD for DSP0277 secured messages through EVP: AES-128-GCM,
 * AES-256-GCM, ChaCha20-Poly1305, all with a 12-byte IV and a 16-byte
 * tag.  The cipher context is keyed once per key (a direction, until a
 * key update) and only the IV changes per message.
 */
#include <errno.h>

#include <openssl/evp.h>

#include <devauth/spdm.h>

#include "session_crypto.h"

static const EVP_CIPHER *cipher(uint16_t aead)
{
	switch (aead) {
	case SPDM_AEAD_AES_128_GCM:
		return EVP_aes_128_gcm();
	case SPDM_AEAD_AES_256_GCM:
		return EVP_aes_256_gcm();
	case SPDM_AEAD_CHACHA20_POLY1305:
		return EVP_chacha20_poly1305();
	default:
		return NULL;
	}
}

size_t spdm_aead_key_size(uint16_t aead)
{
	switch (aead) {
	case SPDM_AEAD_AES_128_GCM:
		return 16;
	case SPDM_AEAD_AES_256_GCM:
	case SPDM_AEAD_CHACHA20_POLY1305:
		return 32;
	default:
		return 0;
	}
}

uint16_t spdm_supported_aead(void)
{
	return SPDM_AEAD_AES_128_GCM | SPDM_AEAD_AES_256_GCM | SPDM_AEAD_CHACHA20_POLY1305;
}

int spdm_aead_init(struct spdm_aead *a, uint16_t aead, const uint8_t *key, bool encrypt)
{
	const EVP_CIPHER *c = cipher(aead);

	*a = (struct spdm_aead){ .alg = aead, .encrypt = encrypt };
	if (!c)
		return -EOPNOTSUPP;
	a->ctx = EVP_CIPHER_CTX_new();
	if (!a->ctx)
		return -ENOMEM;
	if (EVP_CipherInit_ex2(a->ctx, c, key, NULL, encrypt, NULL) != 1 ||
	    EVP_CIPHER_CTX_ctrl(a->ctx, EVP_CTRL_AEAD_SET_IVLEN, SPDM_AEAD_IV_SIZE, NULL) != 1) {
		spdm_aead_free(a);
		return -EIO;
	}
	return 0;
}

int spdm_aead_seal(struct spdm_aead *a, const uint8_t iv[SPDM_AEAD_IV_SIZE],
		   const uint8_t *aad, size_t aad_len, const uint8_t *pt, size_t len,
		   uint8_t *ct, uint8_t tag[SPDM_AEAD_TAG_SIZE])
{
	int n;

	if (!a->ctx || !a->encrypt || len > INT32_MAX || aad_len > INT32_MAX)
		return -EINVAL;
	if (EVP_CipherInit_ex2(a->ctx, NULL, NULL, iv, 1, NULL) != 1 ||
	    (aad_len && EVP_EncryptUpdate(a->ctx, NULL, &n, aad, (int)aad_len) != 1) ||
	    (len && EVP_EncryptUpdate(a->ctx, ct, &n, pt, (int)len) != 1) ||
	    EVP_EncryptFinal_ex(a->ctx, ct + len, &n) != 1 ||
	    EVP_CIPHER_CTX_ctrl(a->ctx, EVP_CTRL_AEAD_GET_TAG, SPDM_AEAD_TAG_SIZE, tag) != 1)
		return -EIO;
	return 0;
}

int spdm_aead_open(struct spdm_aead *a, const uint8_t iv[SPDM_AEAD_IV_SIZE],
		   const uint8_t *aad, size_t aad_len, const uint8_t *ct, size_t len,
		   uint8_t *pt, const uint8_t tag[SPDM_AEAD_TAG_SIZE])
{
	uint8_t t[SPDM_AEAD_TAG_SIZE];
	int n;

	if (!a->ctx || a->encrypt || len > INT32_MAX || aad_len > INT32_MAX)
		return -EINVAL;
	for (int i = 0; i < SPDM_AEAD_TAG_SIZE; i++)
		t[i] = tag[i];
	if (EVP_CipherInit_ex2(a->ctx, NULL, NULL, iv, 0, NULL) != 1 ||
	    (aad_len && EVP_DecryptUpdate(a->ctx, NULL, &n, aad, (int)aad_len) != 1) ||
	    (len && EVP_DecryptUpdate(a->ctx, pt, &n, ct, (int)len) != 1) ||
	    EVP_CIPHER_CTX_ctrl(a->ctx, EVP_CTRL_AEAD_SET_TAG, SPDM_AEAD_TAG_SIZE, t) != 1)
		return -EIO;
	if (EVP_DecryptFinal_ex(a->ctx, pt + len, &n) != 1)
		return -EBADMSG;
	return 0;
}

void spdm_aead_free(struct spdm_aead *a)
{
	/* EVP_CIPHER_CTX_free() cleanses the key schedule. */
	EVP_CIPHER_CTX_free(a->ctx);
	a->ctx = NULL;
}
