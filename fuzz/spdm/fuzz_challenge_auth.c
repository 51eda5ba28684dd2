// SPDX-License-Identifier: MIT
/* CHALLENGE_AUTH decoder. */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_spdm f;
	struct da_err err = { 0 };
	struct spdm_challenge_auth a;
	int ret;

	if (!fuzz_spdm_init(&f, data, size))
		return 0;
	ret = spdm_decode_challenge_auth(f.msg, f.len, &f.p, f.meas_summary_type, &a, &err);
	fuzz_spdm_check_len(ret, f.len);
	if (ret > 0 && a.signed_len + f.p.sig_size != (size_t)ret)
		__builtin_trap();
	if (ret > 0) {
		volatile uint8_t sink = a.signature[f.p.sig_size - 1];

		(void)sink;
	}
	return 0;
}
