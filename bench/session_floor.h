/* SPDX-License-Identifier: MIT */
/*
 * The floor of one session establishment (KEY_EXCHANGE + FINISH) on the
 * requester side, as raw OpenSSL operations: one ECDHE P-384 key
 * generation + derive, one ECDSA P-384 verification of a transcript
 * hash, and the HKDF / HMAC of the key schedule.  Shared by the benches
 * that put a session underneath what they measure.
 */
#ifndef DEVAUTH_BENCH_SESSION_FLOOR_H
#define DEVAUTH_BENCH_SESSION_FLOOR_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

/* This thread's CPU time in seconds. */
double bench_cpu_now(void);

struct session_floor {
	EVP_PKEY *key;
	uint8_t sig[256], hash[48];
	size_t sig_len;
};

int session_floor_init(struct session_floor *f);
void session_floor_free(struct session_floor *f);
/* One establishment's raw operations: their CPU time in seconds. */
double session_floor_once(const struct session_floor *f);

#endif
