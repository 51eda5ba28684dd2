// SPDX-License-Identifier: MIT
/* KEY_EXCHANGE, KEY_EXCHANGE_RSP, PSK_EXCHANGE, PSK_EXCHANGE_RSP decoders. */
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
		struct spdm_key_exchange k;

		ret = spdm_decode_key_exchange(f.msg, f.len, &f.sp, &k, &err);
		if (ret > 0) {
			fuzz_touch(k.exchange, f.sp.dhe_size);
			fuzz_touch(k.opaque, k.opaque_len);
		}
		break;
	}
	case 1: {
		struct spdm_key_exchange_rsp k;

		ret = spdm_decode_key_exchange_rsp(f.msg, f.len, &f.sp, f.meas_summary_type, &k,
						   &err);
		if (ret > 0) {
			fuzz_touch(k.signature, f.sp.p.sig_size);
			fuzz_touch(k.verify_data, f.sp.p.hash_size);
			if (k.signed_len + f.sp.p.sig_size != k.verify_off)
				__builtin_trap();
		}
		break;
	}
	case 2: {
		struct spdm_psk_exchange k;

		ret = spdm_decode_psk_exchange(f.msg, f.len, &f.sp, &k, &err);
		if (ret > 0) {
			fuzz_touch(k.hint, k.hint_len);
			fuzz_touch(k.opaque, k.opaque_len);
		}
		break;
	}
	default: {
		struct spdm_psk_exchange_rsp k;

		ret = spdm_decode_psk_exchange_rsp(f.msg, f.len, &f.sp, f.meas_summary_type, &k,
						   &err);
		if (ret > 0)
			fuzz_touch(k.verify_data, f.sp.p.hash_size);
		break;
	}
	}
	fuzz_check_len(ret, f.len);
	return 0;
}
