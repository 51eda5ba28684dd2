/* SPDX-License-Identifier: MIT */
/*
 * Shared by the session-message fuzz targets: three bytes pick the
 * negotiated state, the rest is the message.
 *   byte 0: negotiated version (0x10..0x14 via % 5, as the codec targets)
 *   byte 1: [2:0] algorithm set (table below), bit 3 handshake in the
 *           clear, bit 4 measurement summary hash requested, bit 5 the
 *           DSP0277 1.0 opaque format instead of the general one
 *   byte 2: which decoder of the family
 * extract_seeds.py writes the seeds in this format from DMTF exchanges.
 */
#ifndef DEVAUTH_FUZZ_SESS_COMMON_H
#define DEVAUTH_FUZZ_SESS_COMMON_H

#include "spdm/session_codec.h"

struct fuzz_sess {
	struct spdm_sess_params sp;
	uint8_t meas_summary_type;
	enum spdm_opaque_fmt fmt;
	uint8_t which;
	const uint8_t *msg;
	size_t len;
};

static inline bool fuzz_sess_init(struct fuzz_sess *f, const uint8_t *data, size_t size)
{
	/* { H, S, D } */
	static const uint16_t sets[8][3] = {
		{ 48, 96, 96 },		/* P-384 / SHA-384 / secp384r1 */
		{ 32, 64, 64 },		/* P-256 / SHA-256 / secp256r1 */
		{ 64, 132, 132 },	/* P-521 / SHA-512 / secp521r1 */
		{ 32, 384, 384 },	/* RSA-3072 / SHA-256 / ffdhe3072 */
		{ 48, 256, 256 },	/* RSA-2048 / SHA-384 / ffdhe2048 */
		{ 64, 512, 512 },	/* RSA-4096 / SHA-512 / ffdhe4096 */
		{ 48, 96, 64 },		/* P-384 / SHA-384 / secp256r1 */
		{ 32, 64, 132 },	/* P-256 / SHA-256 / secp521r1 */
	};
	struct cur c = cur_init(data, size);
	uint8_t ver, sel, which;

	if (cur_u8(&c, &ver) || cur_u8(&c, &sel) || cur_u8(&c, &which))
		return false;
	f->sp = (struct spdm_sess_params){
		.p = {
			.version = (uint8_t)(SPDM_VER_10 + (ver & 0x0F) % 5),
			.hash_size = sets[sel & 7][0],
			.sig_size = sets[sel & 7][1],
		},
		.dhe_size = sets[sel & 7][2],
		.req_sig_size = sets[sel & 7][1],
		.in_clear = sel & (1u << 3),
	};
	f->meas_summary_type = (sel & (1u << 4)) ? SPDM_MEAS_SUMMARY_ALL : SPDM_MEAS_SUMMARY_NONE;
	f->fmt = (sel & (1u << 5)) ? SPDM_OPAQUE_FMT_DSP0277 : SPDM_OPAQUE_FMT_GENERAL;
	f->which = which;
	cur_rest(&c, &f->msg, &f->len);
	return true;
}

/* Touch the last byte of a borrowed field, so ASan sees an overrun. */
static inline void fuzz_touch(const uint8_t *p, size_t n)
{
	if (p && n) {
		volatile uint8_t sink = p[n - 1];

		(void)sink;
	}
}

static inline void fuzz_check_len(int ret, size_t len)
{
	if (ret > 0 && (size_t)ret > len)
		__builtin_trap();
}

#endif
