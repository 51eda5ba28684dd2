/* SPDX-License-Identifier: MIT */
/* Moved to the public API; kept so that lib/ code includes it as before. */
#ifndef DEVAUTH_LIB_PCI_TSM_H
#define DEVAUTH_LIB_PCI_TSM_H

#include <devauth/pci_tsm.h>

#include "cursor.h"

#endif
