// SPDX-License-Identifier: MIT
/* The pcap importer (capture parsing, replay, objects), hostile, then the verifier. */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct da_evidence ev;

	da_evidence_init(&ev);
	if (!da_evidence_import_pcap_buf(data, size, &ev, NULL))
		fuzz_verify(&ev);
	da_evidence_free(&ev);
	return 0;
}
