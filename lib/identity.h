/* SPDX-License-Identifier: MIT */
/* The identity type and parser are public (devauth/identity.h); short names for lib/. */
#ifndef DEVAUTH_LIB_IDENTITY_H
#define DEVAUTH_LIB_IDENTITY_H

#include <devauth/identity.h>

enum {
	ID_VENDOR = CMA_ID_VENDOR,
	ID_DEVICE = CMA_ID_DEVICE,
	ID_CLASS = CMA_ID_CLASS,
	ID_REVISION = CMA_ID_REVISION,
	ID_SSVID = CMA_ID_SSVID,
	ID_SSID = CMA_ID_SSID,
	ID_SERIAL = CMA_ID_SERIAL,
};

#endif
