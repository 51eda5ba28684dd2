// SPDX-License-Identifier: MIT
/*
 * The bundle decoder, hostile: anything that decodes must encode back
 * to the same bytes, and then goes through the whole verifier.
 */
#include <stdlib.h>
#include <string.h>

#include "cursor.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct da_evidence ev;
	struct da_buf b = { 0 };

	if (da_evidence_decode(data, size, &ev, NULL))
		return 0;
	if (da_evidence_encode(&ev, &b, NULL) || b.len != size || memcmp(b.data, data, size))
		abort();	/* the format is canonical: decode then encode is the identity */
	da_buf_free(&b);
	fuzz_verify(&ev);
	da_evidence_free(&ev);
	return 0;
}
