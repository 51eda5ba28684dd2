/* SPDX-License-Identifier: MIT */
#ifndef DEVAUTH_IDENTITY_H
#define DEVAUTH_IDENTITY_H

#include <devauth/error.h>

#include "crypto/x509.h"

/*
 * Parse the PCIe CMA identity string as it stands in a leaf's SAN
 * ("Vendor=8086:Device=0b25:CC=088000:REV=01[:SSVID=..:SSID=..][:serial]"),
 * the form users copy from `devauth probe` output.  Hex fields must
 * have exactly the width of the format (cma_identity_format() of the
 * result gives back the same string).
 */
int cma_identity_parse(const char *s, struct cma_identity *id, struct da_err *err);

#endif
