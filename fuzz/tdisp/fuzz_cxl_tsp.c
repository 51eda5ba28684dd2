// SPDX-License-Identifier: MIT
/*
 * The CXL TSP request decoders a device runs; byte 0 picks one.  A
 * decoded SET_TARGET_CONFIGURATION, re-encoded as
 * GET_TARGET_CONFIGURATION_RSP, keeps its values (but the
 * SET-only configuration feature bits); every decoder stays inside its
 * input and names what was wrong.
 */
#include <string.h>

#include "tdisp/cxl_codec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t out[CXL_TSP_GET_CONFIG_RSP_SIZE];
	struct wcur w = wcur_init(out, sizeof(out));
	struct da_err err = { 0 };
	struct cxl_tsp_config c;
	struct cxl_tsp_te_state t;
	const uint8_t *msg;
	uint16_t off, want;
	uint8_t op;
	long got = -1;
	size_t len;

	if (size < 1)
		return 0;
	msg = data + 1;
	len = size - 1;
	if (cxl_tsp_decode_header(msg, len, &op, &err) < 0)
		return 0;
	memset(&err, 0, sizeof(err));
	switch (data[0] % 4) {
	case 0:
		got = cxl_tsp_decode_bare(msg, len, op, &err);
		break;
	case 1:
		got = cxl_tsp_decode_set_config(msg, len, &c, &err);
		if (got <= 0)
			break;
		if (got != CXL_TSP_SET_CONFIG_SIZE ||
		    cxl_tsp_encode_get_config_rsp(&w, &c, 0) != CXL_TSP_GET_CONFIG_RSP_SIZE)
			__builtin_trap();
		if (memcmp(out + 2, msg + 2, 22) || memcmp(out + 26, msg + 26, 10) ||
		    memcmp(out + 48, msg + 48, 8 * 16) ||
		    (out[24] | out[25] << 8) != (c.cfg_features & CXL_TSP_CFG_LOCKED_FW_UPDATE))
			__builtin_trap();
		break;
	case 2:
		got = cxl_tsp_decode_report_req(msg, len, &off, &want, &err);
		break;
	case 3:
		got = cxl_tsp_decode_te_state(msg, len, &t, &err);
		if (got > 0 && (size_t)got != CXL_TSP_TE_STATE_FIXED +
		    (size_t)t.nranges * CXL_TSP_MEM_RANGE_SIZE)
			__builtin_trap();
		break;
	}
	if (got > 0 && (size_t)got > len)
		__builtin_trap();
	if (got < 0 && !err.msg[0])
		__builtin_trap();
	return 0;
}
