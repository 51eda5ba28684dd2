// SPDX-License-Identifier: MIT
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "identity.h"

/* Exactly width lower- or upper-case hex digits at *s, then ':' or NUL. */
static int hex_field(const char **s, const char *key, unsigned int width, uint64_t *out)
{
	size_t klen = strlen(key);
	uint64_t v = 0;

	if (key[0] && strncmp(*s, key, klen))
		return -EINVAL;
	*s += klen;
	for (unsigned int i = 0; i < width; i++) {
		char c = (*s)[i];

		if (!isxdigit((unsigned char)c))
			return -EINVAL;
		v = v << 4 | (uint64_t)(isdigit((unsigned char)c) ? c - '0' :
					tolower((unsigned char)c) - 'a' + 10);
	}
	*s += width;
	if (**s != ':' && **s != '\0')
		return -EINVAL;
	if (**s == ':')
		(*s)++;
	*out = v;
	return 0;
}

int cma_identity_parse(const char *s, struct cma_identity *id, struct da_err *err)
{
	const char *p = s;
	uint64_t v[4];

	memset(id, 0, sizeof(*id));
	if (hex_field(&p, "Vendor=", 4, &v[0]) || hex_field(&p, "Device=", 4, &v[1]) ||
	    hex_field(&p, "CC=", 6, &v[2]) || hex_field(&p, "REV=", 2, &v[3]))
		goto bad;
	id->vendor = (uint16_t)v[0];
	id->device = (uint16_t)v[1];
	id->class_code = (uint32_t)v[2];
	id->revision = (uint8_t)v[3];
	if (!strncmp(p, "SSVID=", 6)) {
		if (hex_field(&p, "SSVID=", 4, &v[0]) || hex_field(&p, "SSID=", 4, &v[1]))
			goto bad;
		id->has_subsys = true;
		id->ssvid = (uint16_t)v[0];
		id->ssid = (uint16_t)v[1];
	}
	if (*p) {
		if (hex_field(&p, "", 16, &v[0]) || *p)
			goto bad;
		id->has_serial = true;
		id->serial = v[0];
	}
	return 0;
bad:
	return da_errf(err, -EINVAL,
		       "identity \"%s\": expected Vendor=VVVV:Device=DDDD:CC=CCCCCC:REV=RR"
		       "[:SSVID=VVVV:SSID=DDDD][:SERIAL] in hex, e.g. "
		       "Vendor=8086:Device=0b25:CC=088000:REV=01", s);
}

int cma_identity_format(const struct cma_identity *id, char *buf, size_t len)
{
	char subsys[32] = "", serial[24] = "";

	if (id->has_subsys)
		snprintf(subsys, sizeof(subsys), ":SSVID=%04x:SSID=%04x", id->ssvid, id->ssid);
	if (id->has_serial)
		snprintf(serial, sizeof(serial), ":%016llx", (unsigned long long)id->serial);
	return snprintf(buf, len, "Vendor=%04x:Device=%04x:CC=%06x:REV=%02x%s%s", id->vendor,
			id->device, id->class_code & 0xffffff, id->revision, subsys, serial);
}
