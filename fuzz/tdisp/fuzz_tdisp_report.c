// SPDX-License-Identifier: MIT
/*
 * The DEVICE_INTERFACE_REPORT structure: whatever decodes re-encodes to
 * the very same bytes (the structure has no slack), every range readable.
 * Byte 0 is reserved for a selector and ignored.
 */
#include <stdlib.h>
#include <string.h>

#include "tdisp/tdisp_codec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tdisp_mmio_range *ranges;
	struct da_err err = { 0 };
	struct tdisp_report r;
	uint8_t *out;
	struct wcur w;
	long got;

	if (size < 1)
		return 0;
	got = tdisp_decode_report(data + 1, size - 1, &r, &err);
	if (got < 0)
		return 0;
	if ((size_t)got != size - 1)
		__builtin_trap();
	ranges = calloc(r.mmio_count ? r.mmio_count : 1, sizeof(*ranges));
	out = malloc(size);
	if (!ranges || !out)
		abort();
	for (uint32_t i = 0; i < r.mmio_count; i++)
		tdisp_report_range(&r, i, &ranges[i]);
	w = wcur_init(out, size - 1);
	if (tdisp_encode_report(&w, &r, ranges) != got || memcmp(out, data + 1, (size_t)got))
		__builtin_trap();
	free(ranges);
	free(out);
	return 0;
}
