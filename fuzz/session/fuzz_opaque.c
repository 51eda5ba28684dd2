// SPDX-License-Identifier: MIT
/*
 * The opaque-data table and the secured-message version elements; what
 * decodes must re-encode to the same length (the format has no slack).
 */
#include "fuzz_sess_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct da_err err = { 0 };
	struct spdm_sm_versions s;
	struct spdm_opaque o;
	struct fuzz_sess f;
	uint8_t out[SPDM_MAX_OPAQUE_DATA_SIZE + 64];
	struct wcur w = wcur_init(out, sizeof(out));
	int ret;

	if (!fuzz_sess_init(&f, data, size))
		return 0;
	if (f.which & 1) {
		(void)spdm_decode_sm_opaque(f.msg, f.len, f.fmt, (f.which >> 1) & 1, &s, &err);
		return 0;
	}
	if (spdm_decode_opaque(f.msg, f.len, f.fmt, &o, &err))
		return 0;
	for (unsigned int i = 0; i < o.count; i++)
		fuzz_touch(o.el[i].data, o.el[i].data_len);
	/* Reserved bytes re-encode as zero: only the length must round-trip. */
	ret = spdm_encode_opaque(&w, f.fmt, &o);
	if (f.len <= sizeof(out) && ret != (int)f.len)
		__builtin_trap();
	return 0;
}
