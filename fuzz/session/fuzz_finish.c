// SPDX-License-Identifier: MIT
/* FINISH, FINISH_RSP, PSK_FINISH, PSK_FINISH_RSP decoders. */
#include "fuzz_sess_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct da_err err = { 0 };
	struct fuzz_sess f;
	int ret;

	if (!fuzz_sess_init(&f, data, size))
		return 0;
	switch (f.which % 4) {
	case 0: {
		struct spdm_finish x;

		ret = spdm_decode_finish(f.msg, f.len, &f.sp, &x, &err);
		if (ret > 0) {
			fuzz_touch(x.verify_data, f.sp.p.hash_size);
			if (x.verify_off + f.sp.p.hash_size != (size_t)ret)
				__builtin_trap();
		}
		break;
	}
	case 1: {
		struct spdm_finish_rsp x;

		ret = spdm_decode_finish_rsp(f.msg, f.len, &f.sp, &x, &err);
		if (ret > 0)
			fuzz_touch(x.verify_data, f.sp.p.hash_size);
		break;
	}
	case 2: {
		struct spdm_psk_finish x;

		ret = spdm_decode_psk_finish(f.msg, f.len, &f.sp, &x, &err);
		if (ret > 0)
			fuzz_touch(x.verify_data, f.sp.p.hash_size);
		break;
	}
	default: {
		const uint8_t *o;
		uint16_t olen;

		ret = spdm_decode_psk_finish_rsp(f.msg, f.len, f.sp.p.version, &o, &olen, &err);
		if (ret > 0)
			fuzz_touch(o, olen);
		break;
	}
	}
	fuzz_check_len(ret, f.len);
	return 0;
}
