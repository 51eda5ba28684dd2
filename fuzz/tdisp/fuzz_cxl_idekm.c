// SPDX-License-Identifier: MIT
/*
 * The CXL IDE_KM decoders a device runs; byte 0 picks one (bits 1:0) and
 * for the stream messages the object (bits 7:2).  Reserved bytes must be
 * zero to decode, so what decodes re-encodes to the same bytes.
 */
#include <string.h>

#include "tdisp/cxl_codec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t objs[] = { CXL_IDEKM_KP_ACK, CXL_IDEKM_K_GOSTOP_ACK,
					CXL_IDEKM_K_SET_GO, CXL_IDEKM_K_SET_STOP,
					CXL_IDEKM_GET_KEY };
	static uint8_t out[CXL_IDEKM_KEY_MSG_SIZE];
	struct wcur w = wcur_init(out, sizeof(out));
	struct da_err err = { 0 };
	struct cxl_idekm_stream s;
	const uint8_t *msg, *key, *iv;
	uint8_t port, obj;
	long got = -1, again = -2;
	size_t len;

	if (size < 1)
		return 0;
	msg = data + 1;
	len = size - 1;
	obj = objs[(data[0] >> 2) % sizeof(objs)];
	switch (data[0] % 3) {
	case 0:
		got = cxl_idekm_decode_query(msg, len, &port, &err);
		if (got > 0 && (got != 3 || msg[1] || msg[2] != port))
			__builtin_trap();
		return 0;
	case 1:
		got = cxl_idekm_decode_stream(msg, len, obj, &s, &err);
		if (got > 0)
			again = cxl_idekm_encode_stream(&w, obj, &s);
		break;
	case 2:
		obj = (data[0] >> 2) & 1 ? CXL_IDEKM_GET_KEY_ACK : CXL_IDEKM_KEY_PROG;
		got = cxl_idekm_decode_key_msg(msg, len, obj, &s, &key, &iv, &err);
		if (got > 0)
			again = cxl_idekm_encode_key_msg(&w, obj, &s, key, iv);
		break;
	}
	if (got > 0 && ((size_t)got > len || again != got || memcmp(out, msg, (size_t)got)))
		__builtin_trap();
	if (got < 0 && !err.msg[0])
		__builtin_trap();
	return 0;
}
