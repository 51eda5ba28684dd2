// SPDX-License-Identifier: MIT
#include <errno.h>
#include <string.h>

#include "cursor.h"
#include "hex.h"

void da_hex(const void *p, size_t n, char *out, size_t cap)
{
	static const char d[] = "0123456789abcdef";
	const uint8_t *b = p;
	size_t i;

	if (!cap)
		return;
	for (i = 0; i < n && 2 * i + 2 < cap; i++) {
		out[2 * i] = d[b[i] >> 4];
		out[2 * i + 1] = d[b[i] & 15];
	}
	out[2 * i] = '\0';
}

static int nibble(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

int da_unhex_buf(const char *s, size_t len, uint8_t *out, size_t cap, size_t *n,
		 unsigned int flags)
{
	struct cur c = cur_init(s, len);
	size_t used = 0;
	uint8_t hi, lo;

	while (!cur_u8(&c, &hi)) {
		int h, l;

		if ((flags & DA_HEX_SEPARATORS) && (hi == ' ' || hi == ':'))
			continue;
		if (cur_u8(&c, &lo))
			return -EILSEQ;
		h = nibble(hi);
		l = nibble(lo);
		if (h < 0 || l < 0)
			return -EINVAL;
		/* Keep reading past cap: a bad digit later is the better message. */
		if (used < cap)
			out[used] = (uint8_t)(h << 4 | l);
		used++;
	}
	if (!used)
		return -ENODATA;
	if (used > cap)
		return -EMSGSIZE;
	*n = used;
	return 0;
}

int da_unhex(const char *s, uint8_t *out, size_t n)
{
	size_t len = strlen(s), got = 0;

	if (len != 2 * n)
		return -EINVAL;
	if (!n)
		return 0;
	return da_unhex_buf(s, len, out, n, &got, 0) ? -EINVAL : 0;
}
