// SPDX-License-Identifier: MIT
#include <string.h>
#include <time.h>

#include <devauth/requester.h>

#include "crypto/crypto.h"
#include "crypto/session_crypto.h"
#include "session_floor.h"

double bench_cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int session_floor_init(struct session_floor *f)
{
	EVP_MD_CTX *m = EVP_MD_CTX_new();
	int ok;

	memset(f, 0, sizeof(*f));
	f->hash[0] = 1;
	f->sig_len = sizeof(f->sig);
	f->key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
	ok = f->key && m && EVP_DigestSignInit(m, NULL, EVP_sha384(), NULL, f->key) == 1 &&
	     EVP_DigestSign(m, f->sig, &f->sig_len, f->hash, sizeof(f->hash)) == 1;
	EVP_MD_CTX_free(m);
	return ok ? 0 : -1;
}

void session_floor_free(struct session_floor *f)
{
	EVP_PKEY_free(f->key);
	f->key = NULL;
}

double session_floor_once(const struct session_floor *f)
{
	uint8_t pa[96], pb[96], secret[48], prk[48], out[48], info[64] = { 0 };
	EVP_PKEY *a = NULL, *b = NULL;
	EVP_MD_CTX *m = EVP_MD_CTX_new();
	double t0, t;

	spdm_dhe_generate(SPDM_DHE_SECP384R1, &b, pb, NULL);	/* the peer's, not timed */
	t0 = bench_cpu_now();
	spdm_dhe_generate(SPDM_DHE_SECP384R1, &a, pa, NULL);
	spdm_dhe_derive(a, SPDM_DHE_SECP384R1, pb, secret, NULL);
	EVP_DigestVerifyInit(m, NULL, EVP_sha384(), NULL, f->key);
	EVP_DigestVerify(m, f->sig, f->sig_len, f->hash, 48);
	/* The schedule: 2 extracts, ~12 expands, 3 HMACs. */
	spdm_hkdf_extract(SPDM_HASH_SHA384, info, 48, secret, 48, prk);
	spdm_hkdf_extract(SPDM_HASH_SHA384, info, 48, info, 48, prk);
	for (int i = 0; i < 12; i++)
		spdm_hkdf_expand(SPDM_HASH_SHA384, prk, 48, info, 40, out, 48);
	for (int i = 0; i < 3; i++)
		spdm_hmac(SPDM_HASH_SHA384, prk, 48, f->hash, 48, out);
	t = bench_cpu_now() - t0;
	EVP_MD_CTX_free(m);
	EVP_PKEY_free(a);
	EVP_PKEY_free(b);
	return t;
}
