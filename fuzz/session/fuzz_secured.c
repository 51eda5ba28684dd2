// SPDX-License-Identifier: MIT
/*
 * The DSP0277 secured-message decoder with keys fixed in the target:
 * a responder-role session derived from a constant DHE secret and TH
 * opens the input.  byte 0: [0] MCTP / PCI_DOE, [1] MAC-only, [2] raw
 * (the input is the whole secured message: headers, Length, padding) or
 * sealed (the input is the plaintext body, encrypted here with the
 * sender's keys, so that ApplicationDataLength and the inner MCTP type
 * are reached past the MAC).  Seeds: secured messages of DMTF exchanges
 * (raw) and bodies (sealed).
 */
#include <string.h>

#include "session/session.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void pair(struct spdm_session *snd, struct spdm_session *rcv, enum da_framing f,
		 bool mac_only)
{
	static const uint8_t ikm[48] = { 7 }, th[48] = { 9 };
	struct spdm_sess_config c = {
		.version = SPDM_VER_12, .sm_version = SPDM_SM_VER_12,
		.base_hash = SPDM_HASH_SHA384, .aead = SPDM_AEAD_AES_256_GCM,
		.mac_only = mac_only, .framing = f, .is_requester = true,
	};

	spdm_sess_init(snd, &c, 0xffffffffu, "fuzz");
	c.is_requester = false;
	spdm_sess_init(rcv, &c, 0xffffffffu, "fuzz");
	spdm_sess_derive_handshake(snd, ikm, sizeof(ikm), false, th, NULL);
	spdm_sess_derive_handshake(rcv, ikm, sizeof(ikm), false, th, NULL);
	spdm_sess_derive_data(snd, th, NULL);
	spdm_sess_derive_data(rcv, th, NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t msg[8192], out[8192];
	struct spdm_session snd, rcv;
	const uint8_t *spdm;
	size_t len, n;
	enum da_framing f;
	uint8_t sel;

	if (!size || size > 4096)
		return 0;
	sel = data[0];
	f = (sel & 1) ? DA_FRAMING_PCI_DOE : DA_FRAMING_MCTP;
	pair(&snd, &rcv, f, sel & 2);
	data++;
	size--;
	if (!(sel & 4)) {
		memcpy(msg, data, size);
		n = size;
	} else {
		/* SessionID | [seq 0] | Length, then the body and a valid tag over it. */
		struct spdm_sess_keys *k = &snd.dir[SPDM_DIR_REQ];
		struct wcur w = wcur_init(msg, sizeof(msg));
		size_t aad;

		wcur_u32(&w, snd.id);
		if (f == DA_FRAMING_MCTP)
			wcur_u16(&w, 0);
		wcur_u16(&w, (uint16_t)(size + SPDM_AEAD_TAG_SIZE));
		aad = w.len;
		wcur_bytes(&w, data, size);
		if (w.err)
			goto out;
		if (sel & 2)
			spdm_aead_seal(&k->aead, k->iv, msg, aad + size, NULL, 0, NULL,
				       msg + aad + size);
		else
			spdm_aead_seal(&k->aead, k->iv, msg, aad, msg + aad, size, msg + aad,
				       msg + aad + size);
		n = aad + size + SPDM_AEAD_TAG_SIZE;
	}
	if (!spdm_sess_open(&rcv, msg, n, out, sizeof(out), &spdm, &len, NULL)) {
		/* What opens lies inside the output buffer. */
		if (spdm < out || spdm + len > out + sizeof(out))
			__builtin_trap();
		if (len) {
			volatile uint8_t sink = spdm[len - 1];

			(void)sink;
		}
	} else if (rcv.state != SPDM_SESS_ENDED) {
		/* A refused message must end the session. */
		__builtin_trap();
	}
out:
	spdm_sess_end(&snd);
	spdm_sess_end(&rcv);
	return 0;
}
