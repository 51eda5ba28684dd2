// SPDX-License-Identifier: MIT
/* ERROR and RESPOND_IF_READY decoders and the errno mapping. */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_spdm f;
	struct da_err err = { 0 };
	struct spdm_error e;
	uint8_t code, token;
	int ret;

	if (!fuzz_spdm_init(&f, data, size))
		return 0;
	ret = spdm_decode_error(f.msg, f.len, &e, &err);
	fuzz_spdm_check_len(ret, f.len);
	if (ret > 0 && spdm_error_to_errno(e.code) >= 0)
		__builtin_trap();
	if (ret > 0)
		(void)spdm_error_name(e.code);
	fuzz_spdm_check_len(spdm_decode_respond_if_ready(f.msg, f.len, &code, &token, &err),
			    f.len);
	return 0;
}
