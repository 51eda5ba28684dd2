// SPDX-License-Identifier: MIT
/*
 * The pci-tsm message parser, every way: as devauthd reads a client's
 * request (strict), as the CLI reads the daemon's replies (lenient,
 * VAL chunks collected, NLMSG_ERROR / NLMSG_DONE with extack), and as
 * the importer reads a message of a captured dump (any family id).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tsm/pci_tsm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct da_buf val = { 0 };
	struct pci_tsm_msg m = { 0 };
	struct da_err err = { 0 };
	uint32_t *copy;

	if (size > PCI_TSM_MSG_MAX)
		return 0;
	/* Both sides receive into aligned buffers; libmnl relies on it. */
	copy = malloc(size ? size : 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	pci_tsm_parse((const uint8_t *)copy, size, true, &m, &err);
	da_err_clear(&err);
	m.val = &val;
	if (!pci_tsm_parse((const uint8_t *)copy, size, false, &m, &err)) {
		/* What a parse returns must be usable: strings terminated, nonce in bounds. */
		if (strlen(m.dev_name) >= sizeof(m.dev_name) || strlen(m.extack) >= sizeof(m.extack))
			abort();
		if (m.nonce && (m.nonce_len > PCI_TSM_NONCE_MAX ||
				m.nonce < (const uint8_t *)copy ||
				m.nonce + m.nonce_len > (const uint8_t *)copy + size))
			abort();
		if (val.len > size)
			abort();
	}
	da_err_clear(&err);
	da_buf_reset(&val);
	if (!pci_tsm_parse_flags((const uint8_t *)copy, size, PCI_TSM_PARSE_ANY_FAMILY, &m, &err) &&
	    val.len > size)
		abort();
	da_buf_free(&val);
	free(copy);
	return 0;
}
