// SPDX-License-Identifier: MIT
/*
 * The responder's session handling.  Each input runs on a fresh
 * connection to a default device (PCI DOE) in which the harness, as the
 * requester, has opened a PSK session (SPDM 1.2, SHA-384, AES-256-GCM,
 * the default PSK): so the fuzzer reaches what lies behind the MAC.
 * The input is records of selector(1), length(1), bytes:
 *   selector % 3 == 0  bytes are an SPDM request, sealed in the session
 *                      (the response is opened to keep the sequence
 *                      numbers in step, whatever it holds)
 *                  1   bytes are a secured message as is (SessionID,
 *                      Length, MAC ... all the fuzzer's)
 *                  2   bytes are a plain SPDM request (KEY_EXCHANGE,
 *                      FINISH in the clear, PSK_EXCHANGE, ...)
 * The device must never crash nor answer with more than the buffer.
 * Sealed requests reach the PCI-SIG VENDOR_DEFINED handling too (TDISP
 * state machines, report portions, IDE_KM key slots: the device is on
 * PCI_DOE).  Seeds: the DMTF requester's session requests (decrypted
 * from its capture against devauth-emu by spdm_dump --psk), and its
 * IDE_KM + TDISP flow (QUERY, KEY_PROG, K_SET_GO/STOP; GET_VERSION ..
 * STOP on FUNCTION_ID 0xBEEF) rebuilt message by message, plus the state
 * rules on interface 0 (START before LOCK, LOCK twice).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "cursor.h"
#include "responder/device.h"
#include "session/session.h"
#include "spdm/session_codec.h"
#include "transport/framing.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CAP (70000)

static struct rsp_device *dev;
static uint8_t rsp[CAP], tx[CAP], plain[CAP];

static struct rsp_device *device(void)
{
	struct rsp_device_config cfg;

	if (dev)
		return dev;
	rsp_device_config_default(&cfg, "0000:99:00.0", 0);
	cfg.asym = SPDM_ASYM_ECDSA_P384;
	if (rsp_device_create(&cfg, &dev, NULL))
		abort();
	return dev;
}

/* The harness's handshake transcript (bytes, hashed when needed). */
static uint8_t tr[8192];
static size_t trn;

static int tr_add(const void *p, size_t n)
{
	if (n > sizeof(tr) - trn)
		return -1;
	memcpy(tr + trn, p, n);
	trn += n;
	return 0;
}

/* One plain request; with keep, the pair joins the transcript. */
static int plain_xfer(struct spdm_responder *r, const uint8_t *req, size_t len, bool keep)
{
	int ret = spdm_responder_handle(r, req, len, rsp, sizeof(rsp));

	if (ret > (int)sizeof(rsp))
		abort();
	if (ret >= 4 && keep && (tr_add(req, len) || tr_add(rsp, (size_t)ret)))
		return -1;
	return ret;
}

/* A secured message (already sealed, or the fuzzer's) in a DOE object. */
static int secured_xfer(struct spdm_responder *r, const uint8_t *msg, size_t len)
{
	struct wcur w = wcur_init(tx, sizeof(tx));
	int ret = da_frame_encode(DA_FRAMING_PCI_DOE, DA_PAYLOAD_SECURED_SPDM, msg, len, &w);

	if (ret < 0)
		return ret;
	ret = spdm_responder_transport(r, tx, (size_t)ret, rsp, sizeof(rsp));
	if (ret > (int)sizeof(rsp))
		abort();
	return ret;
}

/* Seal req in s, send it, open what comes back. */
static void sealed_xfer(struct spdm_responder *r, struct spdm_session *s, const uint8_t *req,
			size_t len)
{
	uint8_t msg[600];
	struct wcur w = wcur_init(msg, sizeof(msg));
	enum da_payload_kind kind;
	const uint8_t *payload, *spdm;
	size_t plen, slen;
	int ret;

	if (s->state != SPDM_SESS_HANDSHAKE && s->state != SPDM_SESS_ESTABLISHED)
		return;
	ret = spdm_sess_seal(s, req, len, &w, NULL);
	if (ret < 0)
		return;
	ret = secured_xfer(r, msg, (size_t)ret);
	if (ret <= 0 || da_frame_decode(DA_FRAMING_PCI_DOE, rsp, (size_t)ret, &kind, &payload,
					&plen, NULL) || kind != DA_PAYLOAD_SECURED_SPDM)
		return;
	if (spdm_sess_open(s, payload, plen, plain, sizeof(plain), &spdm, &slen, NULL))
		return;
	/* follow the responder into its new keys, as a requester would */
	if (len >= 3 && req[1] == SPDM_KEY_UPDATE && slen >= 2 && spdm[1] == SPDM_KEY_UPDATE_ACK &&
	    (req[2] == SPDM_KEY_UPDATE_OP_UPDATE_KEY || req[2] == SPDM_KEY_UPDATE_OP_UPDATE_ALL_KEYS)) {
		if (req[2] == SPDM_KEY_UPDATE_OP_UPDATE_ALL_KEYS)
			spdm_sess_end(s);	/* its ACK came under a key we did not have */
		else if (!spdm_sess_key_update(s, SPDM_DIR_REQ, NULL))
			spdm_sess_key_update_commit(s, SPDM_DIR_REQ);
	}
}

/* VCA and PSK_EXCHANGE + PSK_FINISH as a requester; 0 when the session is up. */
static int open_session(struct spdm_responder *r, struct spdm_session *s)
{
	const struct rsp_device_config *cfg = rsp_device_config(device());
	struct spdm_sess_params sp = { .p = { .version = SPDM_VER_12, .hash_size = 48,
					      .sig_size = 96 } };
	struct spdm_sess_config sc = { .version = SPDM_VER_12, .sm_version = SPDM_SM_VER_11,
				       .base_hash = SPDM_HASH_SHA384,
				       .aead = SPDM_AEAD_AES_256_GCM, .is_requester = true,
				       .framing = DA_FRAMING_PCI_DOE };
	struct spdm_neg_algs na = { .meas_spec = SPDM_MEAS_SPEC_DMTF,
				    .base_asym = SPDM_ASYM_ECDSA_P384,
				    .base_hash = SPDM_HASH_SHA384, .num_structs = 3,
				    .structs = { { SPDM_ALG_TYPE_DHE, SPDM_DHE_SECP384R1 },
						 { SPDM_ALG_TYPE_AEAD, SPDM_AEAD_AES_256_GCM },
						 { SPDM_ALG_TYPE_KEY_SCHEDULE,
						   SPDM_KEY_SCHEDULE_SPDM } } };
	struct spdm_caps caps = { .flags = SPDM_CAP_CERT | SPDM_CAP_CHAL | SPDM_CAP_ENCRYPT |
					   SPDM_CAP_MAC | SPDM_CAP_KEY_EX | (1u << 10) |
					   SPDM_CAP_HBEAT | SPDM_CAP_KEY_UPD,
				  .data_transfer_size = 4096, .max_spdm_msg_size = 4096 };
	struct spdm_sm_versions v = { .sm_id = SPDM_SM_ID_SUPPORTED_VERSION, .count = 1,
				      .v = { SPDM_SM_VER_11 } };
	uint8_t req[512], opaque[32], ctx[48], th[48], vd[48], msg[600];
	struct spdm_psk_exchange k = { .req_session_id = 0x1234, .hint = cfg->psk_hint,
				       .hint_len = cfg->psk_hint_len, .context = ctx,
				       .context_len = 48 };
	struct spdm_psk_exchange_rsp kr;
	struct spdm_psk_finish pf = { 0 };
	enum da_payload_kind kind;
	const uint8_t *payload, *spdm;
	size_t plen, slen;
	struct wcur w;
	int n;

	trn = 0;
	memset(ctx, 0x5a, sizeof(ctx));
	w = wcur_init(req, sizeof(req));
	n = spdm_encode_get_version(&w);
	if (n < 0 || plain_xfer(r, req, (size_t)n, true) < 4)
		return -1;
	w = wcur_init(req, sizeof(req));
	n = spdm_encode_get_capabilities(&w, SPDM_VER_12, &caps);
	if (n < 0 || plain_xfer(r, req, (size_t)n, true) < 4 || rsp[1] != SPDM_CAPABILITIES)
		return -1;
	w = wcur_init(req, sizeof(req));
	n = spdm_encode_negotiate_algorithms(&w, SPDM_VER_12, &na);
	if (n < 0 || plain_xfer(r, req, (size_t)n, true) < 4 || rsp[1] != SPDM_ALGORITHMS)
		return -1;
	w = wcur_init(opaque, sizeof(opaque));
	n = spdm_encode_sm_opaque(&w, SPDM_OPAQUE_FMT_DSP0277, &v);
	if (n < 0)
		return -1;
	k.opaque = opaque;
	k.opaque_len = (uint16_t)n;
	w = wcur_init(req, sizeof(req));
	n = spdm_encode_psk_exchange(&w, &sp, &k);
	if (n < 0 || tr_add(req, (size_t)n))
		return -1;
	n = plain_xfer(r, req, (size_t)n, false);
	if (n < 4 || spdm_decode_psk_exchange_rsp(rsp, (size_t)n, &sp, 0, &kr, NULL) < 0 ||
	    tr_add(rsp, kr.verify_off) || spdm_hash(SPDM_HASH_SHA384, tr, trn, th) ||
	    spdm_sess_init(s, &sc, 0x1234u | (uint32_t)kr.rsp_session_id << 16, "fuzz") ||
	    spdm_sess_derive_handshake(s, cfg->psk, cfg->psk_len, true, th, NULL) ||
	    tr_add(kr.verify_data, 48))
		return -1;
	/* PSK_FINISH under the handshake keys */
	w = wcur_init(req, sizeof(req));
	n = spdm_encode_psk_finish_unsigned(&w, &sp, &pf);
	if (n < 0 || tr_add(req, (size_t)n) || spdm_hash(SPDM_HASH_SHA384, tr, trn, th) ||
	    spdm_sess_verify_data(s, SPDM_DIR_REQ, th, vd))
		return -1;
	wcur_bytes(&w, vd, 48);
	n = (int)wcur_finish(&w);
	if (n < 0 || tr_add(vd, 48))
		return -1;
	w = wcur_init(msg, sizeof(msg));
	n = spdm_sess_seal(s, req, (size_t)n, &w, NULL);
	if (n < 0)
		return -1;
	n = secured_xfer(r, msg, (size_t)n);
	if (n <= 0 || da_frame_decode(DA_FRAMING_PCI_DOE, rsp, (size_t)n, &kind, &payload, &plen,
				      NULL) || kind != DA_PAYLOAD_SECURED_SPDM ||
	    spdm_sess_open(s, payload, plen, plain, sizeof(plain), &spdm, &slen, NULL) ||
	    slen < 4 || spdm[1] != SPDM_PSK_FINISH_RSP || tr_add(spdm, 4) ||
	    spdm_hash(SPDM_HASH_SHA384, tr, trn, th))
		return -1;
	return spdm_sess_derive_data(s, th, NULL) ? -1 : 0;
}

/* DEVAUTH_FUZZ_CHECK=1: the harness must reach an established session. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct spdm_responder *r = spdm_responder_new(device(), DA_FRAMING_PCI_DOE);
	struct spdm_session s = { 0 };
	struct cur c = cur_init(data, size);
	uint8_t sel, len;

	if (!r)
		return 0;
	if (open_session(r, &s) && getenv("DEVAUTH_FUZZ_CHECK"))
		abort();
	while (!cur_u8(&c, &sel) && !cur_u8(&c, &len)) {
		const uint8_t *p;
		size_t n = len < cur_left(&c) ? len : cur_left(&c);

		if (cur_ptr(&c, n, &p))
			break;
		if (sel % 3 == 0)
			sealed_xfer(r, &s, p, n);
		else if (sel % 3 == 1)
			secured_xfer(r, p, n);
		else
			plain_xfer(r, p, n, false);
	}
	spdm_sess_end(&s);
	spdm_responder_free(r);
	return 0;
}
