// SPDX-License-Identifier: MIT
/*
 * VENDOR_DEFINED_REQUEST / RESPONSE and the PCI-SIG envelope; byte 0
 * bit 0 picks the direction.  A decoded message re-encodes to its true
 * length.
 */
#include "spdm/vendor_codec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t out[0x10200];
	struct wcur w = wcur_init(out, sizeof(out));
	struct da_err err = { 0 };
	struct spdm_vendor_msg m;
	const uint8_t *body;
	size_t body_len;
	uint8_t proto;
	bool rsp;
	long got;

	if (size < 2)
		return 0;
	rsp = data[0] & 1;
	got = spdm_decode_vendor_defined(data + 1, size - 1, rsp, &m, &err);
	if (got > 0 && (got > (long)(size - 1) ||
			spdm_encode_vendor_defined(&w, data[1], rsp, &m) != got))
		__builtin_trap();
	got = spdm_decode_pci_vendor(data + 1, size - 1, rsp, &proto, &body, &body_len, &err);
	w = wcur_init(out, sizeof(out));
	if (got > 0 && spdm_encode_pci_vendor(&w, data[1], rsp, proto, body, body_len) != got)
		__builtin_trap();
	return 0;
}
