/* SPDX-License-Identifier: MIT */
/* Moved to the public API; kept so that lib/ code includes it as before. */
#ifndef DEVAUTH_LIB_FILE_H
#define DEVAUTH_LIB_FILE_H

#include <devauth/file.h>

#endif
