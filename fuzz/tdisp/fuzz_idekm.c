// SPDX-License-Identifier: MIT
/* The IDE_KM decoders; byte 0 picks one.  What decodes re-encodes to the same bytes. */
#include <string.h>

#include "tdisp/tdisp_codec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t objs[] = { IDEKM_KP_ACK, IDEKM_K_GOSTOP_ACK, IDEKM_K_SET_GO,
					IDEKM_K_SET_STOP };
	static uint8_t out[IDEKM_QUERY_RESP_FIXED + 4 * IDEKM_MAX_REGS];
	struct wcur w = wcur_init(out, sizeof(out));
	struct da_err err = { 0 };
	struct idekm_query_resp q;
	struct idekm_stream s;
	const uint8_t *msg, *key, *ifv;
	uint8_t port;
	long got = -1, again = -2;
	size_t len;

	if (size < 1)
		return 0;
	msg = data + 1;
	len = size - 1;
	switch (data[0] % 4) {
	case 0:
		got = idekm_decode_query_resp(msg, len, &q, &err);
		if (got > 0)
			again = idekm_encode_query_resp(&w, &q);
		break;
	case 1:
		got = idekm_decode_stream_msg(msg, len, objs[(data[0] >> 2) % 4], &s, &err);
		if (got > 0)
			again = idekm_encode_stream_msg(&w, objs[(data[0] >> 2) % 4], &s);
		break;
	case 2:
		got = idekm_decode_key_prog(msg, len, &s, &key, &ifv, &err);
		if (got > 0)
			again = idekm_encode_key_prog(&w, &s, key, ifv);
		break;
	case 3:
		got = idekm_decode_query(msg, len, &port, &err);
		if (got > 0)
			again = idekm_encode_query(&w, port);
		break;
	}
	if (got > 0 && ((size_t)got > len || again != got))
		__builtin_trap();
	/* Reserved bytes re-encode as zero; what is not reserved must round-trip. */
	if (got > 0 && data[0] % 4 == 0 && memcmp(out + 2, msg + 2, (size_t)got - 2))
		__builtin_trap();
	return 0;
}
