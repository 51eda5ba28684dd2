/* SPDX-License-Identifier: MIT */
/*
 * The cryptographic facts a library user needs to size and make SPDM
 * values, by the SPDM algorithm bit values (SPDM_ASYM_*, SPDM_HASH_*,
 * SPDM_MEAS_HASH_* of devauth/spdm.h).  Computed with OpenSSL 3 EVP
 * inside the library; nothing here names an OpenSSL type.
 */
#ifndef DEVAUTH_PUBLIC_CRYPTO_H
#define DEVAUTH_PUBLIC_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

/* Digest size for a BaseHashAlgo bit, 0 if unsupported. */
size_t spdm_hash_size(uint32_t base_hash);
/* Digest size for a MeasurementHashAlgo bit; 0 for RAW and unsupported. */
size_t spdm_meas_hash_size(uint32_t meas_hash);
/* One-shot hash of data[0..len) into out (spdm_hash_size() bytes): 0, or -errno. */
int spdm_hash(uint32_t base_hash, const void *data, size_t len, uint8_t *out);
/* Fill buf from the OS CSPRNG (getrandom), for nonces: 0, or -errno. */
int da_random(void *buf, size_t len);

#endif
