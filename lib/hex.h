/* SPDX-License-Identifier: MIT */
/* Moved to the public API; kept so that lib/ code includes it as before. */
#ifndef DEVAUTH_LIB_HEX_H
#define DEVAUTH_LIB_HEX_H

#include <devauth/hex.h>

#endif
