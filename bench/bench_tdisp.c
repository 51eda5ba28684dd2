// SPDX-License-Identifier: MIT
/*
 * What do lock + report + accept cost a TSM, per device, against what
 * they cannot avoid?
 *
 * Each round, over one PCI_DOE connection to the device: KEY_EXCHANGE +
 * FINISH, then TDISP GET_VERSION, GET_CAPABILITIES, LOCK_INTERFACE,
 * GET_DEVICE_INTERFACE_REPORT (every portion), START_INTERFACE and
 * GET_DEVICE_INTERFACE_STATE (what ACCEPT does), timed; then STOP and
 * END_SESSION, not timed.  The device is devauth-emu and then the DMTF
 * spdm_responder_emu, the requester the same.  Printed per device:
 * wall-clock latency (device included), this thread's CPU time, and
 * that against its floor measured in the same run: the session floor
 * (session_floor.h) plus one raw EVP AES-256-GCM seal or open per TDISP
 * message exchanged, of the message's size.  Ratios are printed, never
 * asserted.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

#include <devauth/requester.h>
#include <devauth/tdisp.h>
#include <devauth/transport.h>

#include "peer_harness.h"
#include "session_floor.h"

/* TDISP requests and responses of one round (version .. state), requester side. */
#define TDISP_MSGS 12
/* Its index of the report response (each request is followed by its response). */
#define TDISP_MSG_REPORT 7

static double wall_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One AES-256-GCM operation per message; the report response is report_len long. */
static double aead_floor_once(size_t report_len)
{
	static const uint8_t key[32] = { 7 }, iv[12] = { 8 };
	static uint8_t msg[8192], ct[8192], tag[16];
	EVP_CIPHER_CTX *e = EVP_CIPHER_CTX_new();
	double t0, t;
	int outl;

	t0 = bench_cpu_now();
	EVP_EncryptInit_ex(e, EVP_aes_256_gcm(), NULL, key, NULL);
	for (int i = 0; i < TDISP_MSGS; i++) {
		/* Requests and short responses: a VENDOR_DEFINED header + TDISP header + body. */
		size_t n = i == TDISP_MSG_REPORT ? report_len + 32 : 48;

		if (n > sizeof(msg))
			n = sizeof(msg);
		EVP_EncryptInit_ex(e, NULL, NULL, NULL, iv);
		EVP_EncryptUpdate(e, NULL, &outl, msg, 8);
		EVP_EncryptUpdate(e, ct, &outl, msg, (int)n);
		EVP_EncryptFinal_ex(e, ct, &outl);
		EVP_CIPHER_CTX_ctrl(e, EVP_CTRL_AEAD_GET_TAG, 16, tag);
	}
	t = bench_cpu_now() - t0;
	EVP_CIPHER_CTX_free(e);
	return t;
}

struct round_times {
	double wall, cpu, sess_cpu, floor, aead;
	size_t report_len;
};

static int one_round(struct spdm_req *r, const struct session_floor *f, struct round_times *rt,
		     struct da_err *err)
{
	struct da_tdisp *t;
	const uint8_t *rep;
	double w0, c0, c1;
	uint8_t state = 0;
	int ret;

	w0 = wall_now();
	c0 = bench_cpu_now();
	ret = spdm_req_session_start(r, err);
	c1 = bench_cpu_now();
	if (ret)
		return ret;
	t = da_tdisp_new(r, 0);
	if (!t)
		return -1;
	ret = da_tdisp_version(t, err) ?: da_tdisp_capabilities(t, err) ?:
	      da_tdisp_lock(t, da_tdisp_lock_flags_supported(t) & TDISP_LOCK_NO_FW_UPDATE, err) ?:
	      da_tdisp_report(t, err) ?: da_tdisp_start(t, err) ?: da_tdisp_state(t, &state, err);
	rt->cpu += bench_cpu_now() - c0;
	rt->wall += wall_now() - w0;
	rt->sess_cpu += c1 - c0;
	if (!ret && state != TDISP_STATE_RUN) {
		snprintf(err->msg, sizeof(err->msg), "state %s after START", tdisp_state_name(state));
		ret = -1;
	}
	if (!ret && !da_tdisp_report_bytes(t, &rep, &rt->report_len)) {
		double a = aead_floor_once(rt->report_len);

		rt->aead += a;
		rt->floor += session_floor_once(f) + a;
	}
	if (!ret)
		ret = da_tdisp_stop(t, err);
	da_tdisp_free(t);
	if (!ret)
		ret = spdm_req_session_end(r, err);
	return ret;
}

static int bench_device(const char *what, bool dmtf, unsigned int iters,
			const struct session_floor *f, double *wall_ms)
{
	static const char *const dmtf_args[] = { "--trans", "PCI_DOE", "--dhe", "SECP_384_R1",
						 NULL };
	static const char *const emu_args[] = { "--asym", "ecdsa-p384", "--hash", "sha384",
						NULL };
	struct round_times rt = { 0 };
	struct spdm_req_config c;
	struct da_transport *t = NULL;
	struct da_err err = { 0 };
	struct spdm_req *r = NULL;
	struct peer_proc p;
	char hp[32];
	int ret = 1;

	if (dmtf ? peer_start_responder(&p, dmtf_args, 20) : peer_start_emu(&p, emu_args, 60))
		return 1;
	snprintf(hp, sizeof(hp), "127.0.0.1:%d", p.port);
	if (da_transport_emu_connect(hp, DA_FRAMING_PCI_DOE, 5000, &t, &err)) {
		fprintf(stderr, "%s: %s\n", what, err.msg);
		goto out;
	}
	spdm_req_config_default(&c);
	c.session = true;
	c.dhe_offer = SPDM_DHE_SECP384R1;
	c.aead_offer = SPDM_AEAD_AES_256_GCM;
	r = spdm_req_new(&c, t);
	if (!r || spdm_req_authenticate(r, &err)) {
		fprintf(stderr, "%s: authenticate: %s\n", what, err.msg);
		goto out;
	}
	for (unsigned int i = 0; i < iters; i++) {
		if (one_round(r, f, &rt, &err)) {
			fprintf(stderr, "%s: round %u: %s\n", what, i, err.msg);
			goto out;
		}
	}
	*wall_ms = 1e3 * rt.wall / iters;
	printf("%s: session + lock + report (%zu bytes) + accept: %.3f ms wall per device;"
	       " requester CPU %.3f ms (session %.3f, TDISP %.3f) vs floor %.3f ms"
	       " (session floor + %d AES-256-GCM): %.2fx; TDISP alone vs its %.3f ms of AEAD:"
	       " %.1fx\n",
	       what, rt.report_len, *wall_ms, 1e3 * rt.cpu / iters, 1e3 * rt.sess_cpu / iters,
	       1e3 * (rt.cpu - rt.sess_cpu) / iters, 1e3 * rt.floor / iters, TDISP_MSGS,
	       rt.cpu / rt.floor, 1e3 * rt.aead / iters, (rt.cpu - rt.sess_cpu) / rt.aead);
	ret = 0;
out:
	if (t && t->ops->close)
		t->ops->close(t, false, NULL);
	spdm_req_free(r);
	da_transport_destroy(t);
	peer_stop(&p);
	return ret;
}

int main(int argc, char **argv)
{
	unsigned int iters = argc > 1 ? (unsigned int)atoi(argv[1]) : 30;
	struct session_floor f;
	double emu_ms = 0, dmtf_ms = 0;
	int ret = 0;

	if (!iters)
		iters = 1;
	if (!getenv("DEVAUTH_PEERS"))
		setenv("DEVAUTH_PEERS", DEVAUTH_PEERS_DEFAULT, 0);
	if (session_floor_init(&f))
		return 1;
	ret |= bench_device("devauth-emu device", false, iters, &f, &emu_ms);
	ret |= bench_device("DMTF spdm_responder_emu device", true, iters, &f, &dmtf_ms);
	if (!ret)
		printf("lock + report + accept wall latency, devauth-emu vs DMTF responder as the"
		       " device: %.2fx\n", emu_ms / dmtf_ms);
	session_floor_free(&f);
	return ret ? 1 : 0;
}
