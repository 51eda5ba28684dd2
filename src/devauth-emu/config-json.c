// SPDX-License-Identifier: MIT
/*
 * Typed reads of JSON values from the config file.  The file is hostile
 * input like any other: a value of the wrong type or out of range is an
 * error that names the file, the device and the key; hex values are
 * decoded by lib/hex.c.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emu_internal.h"
#include "hex.h"

int jerr(struct jctx *j, const char *key, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (j->devidx < 0)
		return da_errf(j->err, -EINVAL, "%s: key \"%s\": %s", j->file, key, msg);
	if (j->devname)
		return da_errf(j->err, -EINVAL, "%s: device %d (%s): key \"%s\": %s", j->file,
			       j->devidx, j->devname, key, msg);
	return da_errf(j->err, -EINVAL, "%s: device %d: key \"%s\": %s", j->file, j->devidx,
		       key, msg);
}

/* An integer given as a JSON number or as a string ("0x8086", "42"). */
int j_uint(struct jctx *j, const char *key, json_object *v, uint64_t max, uint64_t *out)
{
	const char *s, *digits;
	char *end;
	unsigned long long u;
	bool hex;
	int64_t i;

	switch (json_object_get_type(v)) {
	case json_type_int:
		i = json_object_get_int64(v);
		if (i < 0 || (uint64_t)i > max)
			return jerr(j, key, "%lld is out of range 0..%llu", (long long)i,
				    (unsigned long long)max);
		*out = (uint64_t)i;
		return 0;
	case json_type_string:
		s = json_object_get_string(v);
		/* Hex with 0x, else decimal: "010" is ten, not an octal eight. */
		hex = s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
		digits = hex ? s + 2 : s;
		/* strtoull would also take blanks and signs: only digits here. */
		if (!(hex ? isxdigit((unsigned char)*digits) : isdigit((unsigned char)*digits)))
			return jerr(j, key, "\"%s\" is not a number", s);
		errno = 0;
		u = strtoull(digits, &end, hex ? 16 : 10);
		if (errno || *end)
			return jerr(j, key, "\"%s\" is not a number", s);
		if (u > max)
			return jerr(j, key, "%s is out of range 0..%llu", s,
				    (unsigned long long)max);
		*out = u;
		return 0;
	default:
		return jerr(j, key, "expected a number");
	}
}

int j_bool(struct jctx *j, const char *key, json_object *v, bool *out)
{
	if (!json_object_is_type(v, json_type_boolean))
		return jerr(j, key, "expected true or false");
	*out = json_object_get_boolean(v);
	return 0;
}

int j_string(struct jctx *j, const char *key, json_object *v, const char **out)
{
	if (!json_object_is_type(v, json_type_string))
		return jerr(j, key, "expected a string");
	*out = json_object_get_string(v);
	return 0;
}

/* A list of names: a JSON array of strings or one "a,b,c" string. */
int j_names(struct jctx *j, const char *key, json_object *v, const struct name_bit *t,
		   uint32_t *mask)
{
	uint32_t m = 0, bit;
	size_t i, n, bad;
	const char *s = NULL;
	int bad_len, ret;

	if (json_object_is_type(v, json_type_string)) {
		s = json_object_get_string(v);
		ret = emu_name_list(t, s, &m, &bad, &bad_len);
		if (ret == -EINVAL)
			return jerr(j, key, "unknown name \"%.*s\"", bad_len, s + bad);
		if (ret)
			return ret;
	} else if (json_object_is_type(v, json_type_array)) {
		n = json_object_array_length(v);
		for (i = 0; i < n; i++) {
			json_object *e = json_object_array_get_idx(v, i);

			if (!json_object_is_type(e, json_type_string))
				return jerr(j, key, "element %zu is not a string", i);
			s = json_object_get_string(e);
			if (emu_name_lookup(t, s, &bit))
				return jerr(j, key, "unknown name \"%s\"", s);
			m |= bit;
		}
	} else {
		return jerr(j, key, "expected an array of names");
	}
	*mask = m;
	return 0;
}

/* Hex digits (spaces and colons allowed between bytes) into at most cap bytes. */
int j_hex(struct jctx *j, const char *key, const char *s, uint8_t *buf, size_t cap,
		 uint16_t *len)
{
	size_t n = 0;

	switch (da_unhex_buf(s, strlen(s), buf, cap, &n, DA_HEX_SEPARATORS)) {
	case 0:
		*len = (uint16_t)n;
		return 0;
	case -EILSEQ:
		return jerr(j, key, "odd number of hex digits");
	case -EMSGSIZE:
		return jerr(j, key, "longer than %zu bytes", cap);
	case -ENODATA:
		return jerr(j, key, "empty value");
	default:
		return jerr(j, key, "not a hex string");
	}
}

int j_path(struct jctx *j, const char *key, json_object *v, const char **out)
{
	char full[PATH_MAX * 2];
	const char *s = NULL;
	int ret;

	ret = j_string(j, key, v, &s);
	if (ret)
		return ret;
	if (!*s)
		return jerr(j, key, "empty path");
	if (s[0] == '/' || !j->dir[0])
		snprintf(full, sizeof(full), "%s", s);
	else
		snprintf(full, sizeof(full), "%s/%s", j->dir, s);
	*out = emu_config_strdup(j->cfg, full);
	return *out ? 0 : -ENOMEM;
}
