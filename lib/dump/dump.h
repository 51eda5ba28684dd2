/* SPDX-License-Identifier: MIT */
/* The capture describer's parts (devauth/dump.h): SPDM in describe.c, VENDOR_DEFINED in vendor.c. */
#ifndef DEVAUTH_DUMP_H
#define DEVAUTH_DUMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A PCI-SIG VENDOR_DEFINED message: its TDISP or IDE_KM message and main fields. */
void dump_vendor(const uint8_t *msg, size_t len, bool response, char *out, size_t cap);

#endif
