// SPDX-License-Identifier: MIT
/*
 * The encapsulated-request messages (encap_request.c, encap_response.c):
 * each decoder by the message's own code; what decodes must re-encode
 * to the same length, with the payload inside the input.
 */
#include <string.h>

#include "fuzz_common.h"
#include "spdm/encapsulated.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t out[0x2000];
	struct wcur w = wcur_init(out, sizeof(out));
	struct da_err err = { 0 };
	struct spdm_encap e = { 0 };
	struct fuzz_spdm f;
	int ret, enc;

	if (!fuzz_spdm_init(&f, data, size) || f.len < 2)
		return 0;
	switch (f.msg[1]) {
	case SPDM_ENCAPSULATED_REQUEST:
		ret = spdm_decode_encapsulated_request(f.msg, f.len, &e, &err);
		enc = ret > 0 ? spdm_encode_encapsulated_request(&w, f.msg[0], &e) : 0;
		break;
	case SPDM_DELIVER_ENCAPSULATED_RESPONSE:
		ret = spdm_decode_deliver_encapsulated_response(f.msg, f.len, &e, &err);
		enc = ret > 0 ? spdm_encode_deliver_encapsulated_response(&w, f.msg[0], &e) : 0;
		break;
	case SPDM_ENCAPSULATED_RESPONSE_ACK:
		ret = spdm_decode_encapsulated_response_ack(f.msg, f.len, f.p.version, &e, &err);
		enc = ret > 0 ? spdm_encode_encapsulated_response_ack(&w, f.p.version, &e) : 0;
		break;
	default:
		ret = spdm_decode_get_encapsulated_request(f.msg, f.len, &err);
		enc = ret > 0 ? spdm_encode_get_encapsulated_request(&w, f.msg[0]) : 0;
		break;
	}
	fuzz_spdm_check_len(ret, f.len);
	if (ret > 0 && e.payload_len && (e.payload < f.msg || e.payload + e.payload_len > f.msg + f.len))
		__builtin_trap();
	if (ret > 0 && (size_t)ret <= sizeof(out) && enc != ret)
		__builtin_trap();
	return 0;
}
