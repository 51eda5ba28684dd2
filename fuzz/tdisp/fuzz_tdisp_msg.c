// SPDX-License-Identifier: MIT
/*
 * Every TDISP message decoder; byte 0 picks it, the rest is the
 * message.  What decodes re-encodes to the same length.
 */
#include "tdisp/tdisp_codec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile uint8_t sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t out[0x10100], nonce[TDISP_NONCE_SIZE];
	struct wcur w = wcur_init(out, sizeof(out));
	struct tdisp_iface iface = { 0 };
	struct da_err err = { 0 };
	struct tdisp_version_rsp v;
	struct tdisp_report_portion p;
	struct tdisp_lock_params lp;
	struct tdisp_caps caps;
	struct tdisp_error e;
	struct tdisp_hdr h;
	const uint8_t *msg;
	uint16_t off, len16;
	uint32_t tsm;
	uint8_t state;
	size_t len;
	long got = -1, again = -2;

	if (size < 1)
		return 0;
	msg = data + 1;
	len = size - 1;
	if (tdisp_decode_hdr(msg, len, &h, &err) < 0)
		return 0;
	iface = h.iface;
	switch (data[0] % 11) {
	case 0:
		got = tdisp_decode_version_rsp(msg, len, &v, &err);
		if (got > 0) {
			for (unsigned int i = 0; i < v.count; i++)
				sink ^= v.versions[i];
			again = tdisp_encode_version_rsp(&w, &iface, v.versions, v.count);
		}
		break;
	case 1:
		got = tdisp_decode_caps_rsp(msg, len, &caps, &err);
		if (got > 0)
			again = tdisp_encode_caps_rsp(&w, h.version, &iface, &caps);
		break;
	case 2:
		got = tdisp_decode_lock_rsp(msg, len, nonce, &err);
		if (got > 0)
			again = tdisp_encode_lock_rsp(&w, h.version, &iface, nonce);
		break;
	case 3:
		got = tdisp_decode_report_rsp(msg, len, &p, &err);
		if (got > 0) {
			for (unsigned int i = 0; i < p.portion_len; i++)
				sink ^= p.data[i];
			again = tdisp_encode_report_rsp(&w, h.version, &iface, p.data,
							p.portion_len, p.remainder_len);
		}
		break;
	case 4:
		got = tdisp_decode_state_rsp(msg, len, &state, &err);
		if (got > 0)
			again = tdisp_encode_state_rsp(&w, h.version, &iface, state);
		break;
	case 5:
		got = tdisp_decode_error(msg, len, &e, &err);
		if (got > 0) {
			for (size_t i = 0; i < e.ext_len; i++)
				sink ^= e.ext[i];
			/* The extended data is the rest: it is not re-encoded. */
			again = tdisp_encode_error(&w, h.version, &iface, e.code, e.data) +
				(long)e.ext_len;
		}
		break;
	case 6:
		got = tdisp_decode_simple(msg, len, "STOP_INTERFACE_RESPONSE", &err);
		if (got > 0)
			again = tdisp_encode_simple(&w, h.version, h.type, &iface);
		break;
	case 7:
		got = tdisp_decode_lock(msg, len, &lp, &err);
		if (got > 0)
			again = tdisp_encode_lock(&w, h.version, &iface, &lp);
		break;
	case 8:
		got = tdisp_decode_get_report(msg, len, &off, &len16, &err);
		if (got > 0)
			again = tdisp_encode_get_report(&w, h.version, &iface, off, len16);
		break;
	case 9:
		got = tdisp_decode_start(msg, len, nonce, &err);
		if (got > 0)
			again = tdisp_encode_start(&w, h.version, &iface, nonce);
		break;
	case 10:
		got = tdisp_decode_get_caps(msg, len, &tsm, &err);
		if (got > 0)
			again = tdisp_encode_get_caps(&w, h.version, &iface, tsm);
		break;
	}
	if (got > 0 && (size_t)got > len)
		__builtin_trap();
	if (got > 0 && again != got)
		__builtin_trap();
	return 0;
}
