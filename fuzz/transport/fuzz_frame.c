// SPDX-License-Identifier: MIT
/*
 * A hostile transport message under every framing, and the DOE
 * discovery parser and answerer; what decodes must encode back to the
 * same bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <devauth/transport.h>

#include "transport/framing.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void one(enum da_framing f, const uint8_t *data, size_t size)
{
	static uint8_t out[(1u << 20) + 16];
	enum da_payload_kind kind;
	const uint8_t *p;
	size_t plen;
	struct wcur w;
	uint16_t vendor;
	uint8_t type, next;
	int n;

	if (da_frame_decode(f, data, size, &kind, &p, &plen, NULL))
		return;
	if (kind == DA_PAYLOAD_DOE_DISCOVERY) {
		da_doe_discovery_parse(p, plen, &vendor, &type, &next, NULL);
		w = wcur_init(out, sizeof(out));
		da_doe_discovery_answer(p, plen, &w, NULL);
	}
	w = wcur_init(out, sizeof(out));
	n = da_frame_encode(f, kind, p, plen, &w);
	if (n < 0)
		abort();
	/* DOE may differ only in the reserved byte and reserved length bits. */
	if (f != DA_FRAMING_PCI_DOE) {
		if ((size_t)n != size || memcmp(out, data, size))
			abort();
	} else if ((size_t)n != size || memcmp(out + 8, data + 8, size - 8)) {
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint16_t vendor;
	uint8_t type, next, out[64];
	struct wcur w = wcur_init(out, sizeof(out));

	one(DA_FRAMING_NONE, data, size);
	one(DA_FRAMING_MCTP, data, size);
	one(DA_FRAMING_PCI_DOE, data, size);
	da_doe_discovery_parse(data, size, &vendor, &type, &next, NULL);
	da_doe_discovery_answer(data, size, &w, NULL);
	return 0;
}
