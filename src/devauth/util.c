// SPDX-License-Identifier: MIT
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "devauth.h"

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

