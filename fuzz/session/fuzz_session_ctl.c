// SPDX-License-Identifier: MIT
/* HEARTBEAT(_ACK), KEY_UPDATE(_ACK), END_SESSION(_ACK) decoders. */
#include "fuzz_sess_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct da_err err = { 0 };
	struct spdm_key_update k;
	struct fuzz_sess f;
	uint8_t attrs;
	int ret;

	if (!fuzz_sess_init(&f, data, size))
		return 0;
	switch (f.which % 6) {
	case 0:
		ret = spdm_decode_heartbeat(f.msg, f.len, &err);
		break;
	case 1:
		ret = spdm_decode_heartbeat_ack(f.msg, f.len, &err);
		break;
	case 2:
		ret = spdm_decode_key_update(f.msg, f.len, &k, &err);
		break;
	case 3:
		ret = spdm_decode_key_update_ack(f.msg, f.len, &k, &err);
		break;
	case 4:
		ret = spdm_decode_end_session(f.msg, f.len, &attrs, &err);
		break;
	default:
		ret = spdm_decode_end_session_ack(f.msg, f.len, &err);
		break;
	}
	fuzz_check_len(ret, f.len);
	return 0;
}
