/* SPDX-License-Identifier: MIT */
/* Hex text for digests, nonces and keys in output, JSON, state files and options. */
#ifndef DEVAUTH_HEX_H
#define DEVAUTH_HEX_H

#include <stddef.h>
#include <stdint.h>

/* Lower-case hex of p[0..n), cut to fit cap (always NUL-terminated when cap > 0). */
void da_hex(const void *p, size_t n, char *out, size_t cap);
/* Exactly 2*n hex digits (either case) into out; -EINVAL otherwise. */
int da_unhex(const char *s, uint8_t *out, size_t n);

#endif
