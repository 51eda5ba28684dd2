/* SPDX-License-Identifier: MIT */
/* Moved to the public API; kept so that lib/ code includes it as before. */
#ifndef DEVAUTH_LIB_JSON_H
#define DEVAUTH_LIB_JSON_H

#include <devauth/json.h>

#include "identity.h"

#endif
