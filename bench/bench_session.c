// SPDX-License-Identifier: MIT
/*
 * What do sessions cost on the requester side, against what they cannot
 * avoid?
 *
 * 1. establishment: KEY_EXCHANGE + FINISH of our requester against the
 *    DMTF spdm_responder_emu (a separate process), measured as this
 *    thread's CPU time so that the responder and the socket do not
 *    count; the floor, measured in the same run, is one ECDHE P-384 key
 *    generation + derive, one ECDSA P-384 verification of a
 *    KEY_EXCHANGE_RSP-sized transcript hash, and the HMACs and hashes
 *    of the schedule.
 * 2. throughput: 4 KiB application messages sealed by the requester's
 *    session and opened by a responder-role session (and back), against
 *    raw EVP AES-256-GCM encrypting and decrypting the same bytes.
 * 3. the session state a requester adds.
 * Ratios are printed, never asserted.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

#include <devauth/requester.h>
#include <devauth/transport.h>

#include "crypto/crypto.h"
#include "crypto/session_crypto.h"
#include "peer_harness.h"
#include "session/session.h"
#include "session_floor.h"

static int bench_establish(unsigned int iters)
{
	static const char *const args[] = { "--trans", "MCTP", "--dhe", "SECP_384_R1", NULL };
	struct spdm_req_config c;
	struct da_transport *t = NULL;
	struct da_err err = { 0 };
	struct peer_proc p;
	struct spdm_req *r;
	double ours = 0, fl = 0, t0;
	struct session_floor f;
	char hp[32];
	int ret = 0;

	if (session_floor_init(&f))
		return 1;
	if (peer_start_responder(&p, args, 20)) {
		session_floor_free(&f);
		return 1;
	}
	snprintf(hp, sizeof(hp), "127.0.0.1:%d", p.port);
	if (da_transport_emu_connect(hp, DA_FRAMING_MCTP, 5000, &t, &err)) {
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	spdm_req_config_default(&c);
	c.session = true;
	c.dhe_offer = SPDM_DHE_SECP384R1;
	c.aead_offer = SPDM_AEAD_AES_256_GCM;
	r = spdm_req_new(&c, t);
	if (!r || spdm_req_authenticate(r, &err)) {
		fprintf(stderr, "authenticate: %s\n", err.msg);
		ret = 1;
		goto out;
	}
	for (unsigned int i = 0; i < iters; i++) {
		t0 = bench_cpu_now();
		ret = spdm_req_session_start(r, &err);
		ours += bench_cpu_now() - t0;
		if (ret || spdm_req_session_end(r, &err)) {
			fprintf(stderr, "session %u: %s\n", i, err.msg);
			ret = 1;
			goto out;
		}
		fl += session_floor_once(&f);
	}
	printf("session establishment (KEY_EXCHANGE + FINISH, secp384r1/P-384/SHA-384/AES-256-GCM,"
	       " requester CPU): %.3f ms vs floor %.3f ms (ECDHE keygen+derive, ECDSA verify,"
	       " HKDF/HMAC): %.2fx\n", 1e3 * ours / iters, 1e3 * fl / iters, ours / fl);
out:
	if (t && t->ops->close)
		t->ops->close(t, false, NULL);
	spdm_req_free(r);
	da_transport_destroy(t);
	peer_stop(&p);
	session_floor_free(&f);
	return ret;
}

static int bench_throughput(unsigned int iters)
{
	static uint8_t msg[4096], wire[4096 + 128], out[4096 + 128], ct[4096], tag[16];
	static const uint8_t key[32] = { 3 }, iv[12] = { 4 }, ikm[48] = { 5 }, th[48] = { 6 };
	struct spdm_sess_config c = {
		.version = SPDM_VER_12, .sm_version = SPDM_SM_VER_12,
		.base_hash = SPDM_HASH_SHA384, .aead = SPDM_AEAD_AES_256_GCM,
		.framing = DA_FRAMING_PCI_DOE, .is_requester = true,
	};
	struct spdm_session req, rsp;
	EVP_CIPHER_CTX *e = EVP_CIPHER_CTX_new(), *d = EVP_CIPHER_CTX_new();
	const uint8_t *m;
	double t0, ours, raw;
	size_t n, mlen;
	int outl;

	memset(msg, 0x5a, sizeof(msg));
	spdm_sess_init(&req, &c, 1, "bench");
	c.is_requester = false;
	spdm_sess_init(&rsp, &c, 1, "bench");
	spdm_sess_derive_handshake(&req, ikm, 48, false, th, NULL);
	spdm_sess_derive_handshake(&rsp, ikm, 48, false, th, NULL);
	spdm_sess_derive_data(&req, th, NULL);
	spdm_sess_derive_data(&rsp, th, NULL);
	t0 = bench_cpu_now();
	for (unsigned int i = 0; i < iters; i++) {
		struct wcur w = wcur_init(wire, sizeof(wire));

		n = (size_t)spdm_sess_seal(&req, msg, sizeof(msg), &w, NULL);
		spdm_sess_open(&rsp, wire, n, out, sizeof(out), &m, &mlen, NULL);
		w = wcur_init(wire, sizeof(wire));
		n = (size_t)spdm_sess_seal(&rsp, msg, sizeof(msg), &w, NULL);
		if (spdm_sess_open(&req, wire, n, out, sizeof(out), &m, &mlen, NULL) ||
		    mlen != sizeof(msg)) {
			fprintf(stderr, "throughput: round trip failed\n");
			return 1;
		}
	}
	ours = bench_cpu_now() - t0;
	EVP_EncryptInit_ex(e, EVP_aes_256_gcm(), NULL, key, NULL);
	EVP_DecryptInit_ex(d, EVP_aes_256_gcm(), NULL, key, NULL);
	t0 = bench_cpu_now();
	for (unsigned int i = 0; i < 2 * iters; i++) {
		EVP_EncryptInit_ex(e, NULL, NULL, NULL, iv);
		EVP_EncryptUpdate(e, NULL, &outl, msg, 8);
		EVP_EncryptUpdate(e, ct, &outl, msg, sizeof(msg));
		EVP_EncryptFinal_ex(e, ct, &outl);
		EVP_CIPHER_CTX_ctrl(e, EVP_CTRL_AEAD_GET_TAG, 16, tag);
		EVP_DecryptInit_ex(d, NULL, NULL, NULL, iv);
		EVP_DecryptUpdate(d, NULL, &outl, msg, 8);
		EVP_DecryptUpdate(d, out, &outl, ct, sizeof(ct));
		EVP_CIPHER_CTX_ctrl(d, EVP_CTRL_AEAD_SET_TAG, 16, tag);
		EVP_DecryptFinal_ex(d, out, &outl);
	}
	raw = bench_cpu_now() - t0;
	printf("secured messages, 4 KiB, AES-256-GCM, PCI_DOE framing: %.1f MB/s vs raw EVP %.1f MB/s:"
	       " %.2fx\n", 2.0 * iters * 4096 / ours / 1e6, 2.0 * iters * 4096 / raw / 1e6,
	       raw / ours);
	EVP_CIPHER_CTX_free(e);
	EVP_CIPHER_CTX_free(d);
	spdm_sess_end(&req);
	spdm_sess_end(&rsp);
	return 0;
}

int main(int argc, char **argv)
{
	unsigned int iters = argc > 1 ? (unsigned int)atoi(argv[1]) : 50;
	int ret = 0;

	if (!getenv("DEVAUTH_PEERS"))
		setenv("DEVAUTH_PEERS", DEVAUTH_PEERS_DEFAULT, 0);
	ret |= bench_establish(iters);
	ret |= bench_throughput(iters * 200);
	printf("session state per device: %zu bytes (struct spdm_session, plus 4 OpenSSL cipher"
	       " contexts) beyond the %zu-byte requester\n", spdm_req_session_state_size(),
	       spdm_req_state_size());
	return ret ? 1 : 0;
}
