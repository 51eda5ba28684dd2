// SPDX-License-Identifier: MIT
/* CAPABILITIES decoder, every version. */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_spdm f;
	struct da_err err = { 0 };
	struct spdm_caps c;
	int ret;

	if (!fuzz_spdm_init(&f, data, size))
		return 0;
	ret = spdm_decode_capabilities(f.msg, f.len, f.p.version, &c, &err);
	fuzz_spdm_check_len(ret, f.len);
	if (ret > 0)
		spdm_check_trailing(f.msg, f.len, (size_t)ret, 3, &err);
	return 0;
}
