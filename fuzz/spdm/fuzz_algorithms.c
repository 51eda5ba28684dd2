// SPDX-License-Identifier: MIT
/* ALGORITHMS decoder: Length, ext counts, 1.4 PqcAsymSel, struct table (unknown types skipped). */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_spdm f;
	struct da_err err = { 0 };
	struct spdm_algorithms a;
	int ret;

	if (!fuzz_spdm_init(&f, data, size))
		return 0;
	ret = spdm_decode_algorithms(f.msg, f.len, f.p.version, &a, &err);
	fuzz_spdm_check_len(ret, f.len);
	if (ret > 0 && a.num_structs > SPDM_MAX_ALG_STRUCTS)
		__builtin_trap();
	return 0;
}
