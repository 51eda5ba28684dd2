// SPDX-License-Identifier: MIT
/* CERTIFICATE decoder. */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_spdm f;
	struct da_err err = { 0 };
	struct spdm_certificate c;
	int ret;

	if (!fuzz_spdm_init(&f, data, size))
		return 0;
	ret = spdm_decode_certificate(f.msg, f.len, f.p.version, &c, &err);
	fuzz_spdm_check_len(ret, f.len);
	if (ret > 0 && c.portion_len) {
		volatile uint8_t sink = c.portion[c.portion_len - 1];

		(void)sink;
	}
	return 0;
}
