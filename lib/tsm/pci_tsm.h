/* SPDX-License-Identifier: MIT */
/* The public pci-tsm codec, and what lib/ adds for captures of the kernel's family. */
#ifndef DEVAUTH_LIB_PCI_TSM_H
#define DEVAUTH_LIB_PCI_TSM_H

#include <devauth/pci_tsm.h>

#include "cursor.h"

/* A request from a client: strict (pci_tsm_parse()'s is_request). */
#define PCI_TSM_PARSE_REQUEST		(1u << 0)
/*
 * Any generic netlink family id: a capture of the kernel's pci-tsm family
 * carries the id the kernel assigned at registration, not ours.
 */
#define PCI_TSM_PARSE_ANY_FAMILY	(1u << 1)

/*
 * pci_tsm_parse() with flags.  buf must lie padded to its alignment in
 * memory (a datagram is; genl_capture_next() pads a capture's last one).
 */
int pci_tsm_parse_flags(const uint8_t *buf, size_t len, unsigned int flags,
			struct pci_tsm_msg *m, struct da_err *err);

#endif
