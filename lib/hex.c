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

int da_unhex(const char *s, uint8_t *out, size_t n)
{
	struct cur c = cur_init(s, strlen(s));

	if (c.len != 2 * n)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		uint8_t b[2];
		int hi, lo;

		if (cur_bytes(&c, b, 2))
			return -EINVAL;
		hi = nibble(b[0]);
		lo = nibble(b[1]);
		if (hi < 0 || lo < 0)
			return -EINVAL;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}
