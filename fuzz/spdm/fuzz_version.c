// SPDX-License-Identifier: MIT
/* VERSION and GET_VERSION decoders. */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_spdm f;
	struct da_err err = { 0 };
	struct spdm_version_rsp v;
	int ret;

	if (!fuzz_spdm_init(&f, data, size))
		return 0;
	ret = spdm_decode_version(f.msg, f.len, &v, &err);
	fuzz_spdm_check_len(ret, f.len);
	if (ret > 0 && (v.count == 0 || v.count > SPDM_MAX_VERSION_ENTRIES))
		__builtin_trap();
	fuzz_spdm_check_len(spdm_decode_get_version(f.msg, f.len, &err), f.len);
	return 0;
}
