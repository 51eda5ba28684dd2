// SPDX-License-Identifier: MIT
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "devauth.h"

static int nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int parse_hex(const char *s, uint8_t *out, size_t len)
{
	if (strlen(s) != len * 2)
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		int hi = nibble(s[2 * i]), lo = nibble(s[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -EINVAL;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

static int one_version(const char *s, const char *end, uint8_t *v)
{
	if (end - s != 3 || s[0] != '1' || s[1] != '.' || s[2] < '0' || s[2] > '4')
		return -EINVAL;
	*v = (uint8_t)(0x10 | (s[2] - '0'));
	return 0;
}

int parse_version_range(const char *s, uint8_t *min, uint8_t *max)
{
	const char *dash = strchr(s, '-');

	if (!dash) {
		if (one_version(s, s + strlen(s), min))
			return -EINVAL;
		*max = *min;
		return 0;
	}
	if (one_version(s, dash, min) || one_version(dash + 1, dash + 1 + strlen(dash + 1), max) ||
	    *min > *max)
		return -EINVAL;
	return 0;
}

void hex_str(const uint8_t *p, size_t n, char *out, size_t outlen)
{
	static const char d[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n && 2 * i + 2 < outlen; i++) {
		out[2 * i] = d[p[i] >> 4];
		out[2 * i + 1] = d[p[i] & 0xf];
	}
	out[2 * i] = '\0';
}
