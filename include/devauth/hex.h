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

/* da_unhex_buf() flags: blanks and colons may stand between bytes ("5a:3f 00"). */
#define DA_HEX_SEPARATORS 1u

/*
 * Hex digits s[0..len) (either case) into at most cap bytes of out; the
 * byte count in *n.  Errors, so that each caller can word them for its
 * key: -EINVAL a character that is not a hex digit, -EILSEQ an odd
 * number of digits, -ENODATA no digits, -EMSGSIZE more than cap bytes
 * (reported only when the text is otherwise well formed).
 */
int da_unhex_buf(const char *s, size_t len, uint8_t *out, size_t cap, size_t *n,
		 unsigned int flags);

#endif
