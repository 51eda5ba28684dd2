/* SPDX-License-Identifier: MIT */
/*
 * Shared by the SPDM codec fuzz targets: the first two input bytes pick
 * the negotiated state, the rest is the message.
 *   byte 0: negotiated version (0x10..0x14)
 *   byte 1: [2:0] algorithm set (table below), bit 3 signature requested,
 *           bit 4 measurement summary hash requested, bit 5 MULTI_KEY_CONN
 * scripts/vectors-to-corpus.py writes the seeds in this format.
 */
#ifndef DEVAUTH_FUZZ_SPDM_COMMON_H
#define DEVAUTH_FUZZ_SPDM_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "spdm/codec.h"

struct fuzz_spdm {
	struct spdm_dec_params p;
	bool sig_requested;
	uint8_t meas_summary_type;
	const uint8_t *msg;
	size_t len;
};

static inline bool fuzz_spdm_init(struct fuzz_spdm *f, const uint8_t *data, size_t size)
{
	/* { hash size, signature size } */
	static const uint16_t sets[8][2] = {
		{ 32, 384 },	/* RSASSA-3072 / SHA-256 */
		{ 48, 96 },	/* ECDSA P-384 / SHA-384 */
		{ 32, 64 },	/* ECDSA P-256 / SHA-256 */
		{ 64, 132 },	/* ECDSA P-521 / SHA-512 */
		{ 32, 256 },	/* RSA-2048 / SHA-256 */
		{ 48, 512 },	/* RSA-4096 / SHA-384 */
		{ 64, 114 },	/* Ed448 / SHA-512 */
		{ 32, 64 },	/* Ed25519 / SHA-256 */
	};
	struct cur c = cur_init(data, size);
	uint8_t ver, sel;

	if (cur_u8(&c, &ver) || cur_u8(&c, &sel))
		return false;
	f->p = (struct spdm_dec_params){
		.version = (uint8_t)(SPDM_VER_10 + (ver & 0x0F) % 5),
		.hash_size = sets[sel & 7][0],
		.sig_size = sets[sel & 7][1],
		.meas_hash_size = 64,
		.multi_key_conn = sel & (1u << 5),
	};
	f->sig_requested = sel & (1u << 3);
	f->meas_summary_type = (sel & (1u << 4)) ? SPDM_MEAS_SUMMARY_ALL : SPDM_MEAS_SUMMARY_NONE;
	cur_rest(&c, &f->msg, &f->len);
	return true;
}

/* A successful decode must report a length within the input. */
static inline void fuzz_spdm_check_len(int ret, size_t len)
{
	if (ret > 0 && (size_t)ret > len)
		__builtin_trap();
}

#endif
