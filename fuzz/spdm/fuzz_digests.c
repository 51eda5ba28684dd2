// SPDX-License-Identifier: MIT
/* DIGESTS decoder, with and without MULTI_KEY_CONN. */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_spdm f;
	struct da_err err = { 0 };
	struct spdm_digests d;
	int ret;

	if (!fuzz_spdm_init(&f, data, size))
		return 0;
	ret = spdm_decode_digests(f.msg, f.len, &f.p, &d, &err);
	fuzz_spdm_check_len(ret, f.len);
	for (unsigned int s = 0; ret > 0 && s < SPDM_MAX_SLOTS; s++) {
		/* Touch every digest so ASan sees an out-of-bounds pointer. */
		volatile uint8_t sink;

		if (d.digest[s])
			sink = d.digest[s][f.p.hash_size - 1];
		(void)sink;
	}
	return 0;
}
