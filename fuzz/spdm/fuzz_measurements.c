// SPDX-License-Identifier: MIT
/* MEASUREMENTS decoder and the measurement block iterator. */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_spdm f;
	struct da_err err = { 0 };
	struct spdm_measurements m;
	struct spdm_meas_block b;
	struct cur rec;
	unsigned int n = 0;
	int ret;

	if (!fuzz_spdm_init(&f, data, size))
		return 0;
	ret = spdm_decode_measurements(f.msg, f.len, &f.p, f.sig_requested, &m, &err);
	fuzz_spdm_check_len(ret, f.len);
	if (ret <= 0) {
		/* Also walk the raw input as a record: the iterator must hold alone. */
		rec = cur_init(f.msg, f.len);
		while (spdm_meas_block_next(&rec, &b, NULL) > 0)
			;
		return 0;
	}
	rec = cur_init(m.record, m.record_len);
	while ((ret = spdm_meas_block_next(&rec, &b, &err)) > 0) {
		volatile uint8_t sink = b.raw[b.raw_len - 1];

		(void)sink;
		n++;
	}
	if (ret < 0 || n != m.num_blocks)
		__builtin_trap();
	return 0;
}
