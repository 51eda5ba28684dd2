// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cursor.h"
#include "file.h"
#include "hex.h"
#include "json.h"

/*
 * json-c keeps the last of two equal keys without a word, so a second
 * "check_dates" or "mode" further down a file would silently win over
 * the one a reviewer read.  The text is walked once more after json-c
 * accepted it (so it is known to be well formed) and each object's keys,
 * decoded as json-c decodes them, are compared.
 */
struct dup_frame {
	bool obj;
	bool want_key;
	size_t idx;		/* array: the element; object: unused */
	char **keys;		/* object: decoded keys so far */
	size_t nkeys, cap;
};

struct dup_scan {
	struct dup_frame f[DA_JSON_MAX_DEPTH + 1];
	int depth;		/* frames in use */
};

static int cmp_key(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void frame_free(struct dup_frame *f)
{
	for (size_t i = 0; i < f->nkeys; i++)
		free(f->keys[i]);
	free(f->keys);
	memset(f, 0, sizeof(*f));
}

/* The decoded text of the JSON string raw[0..len) (quotes included). */
static char *decode_key(const char *raw, size_t len)
{
	struct json_tokener *tok;
	json_object *s = NULL;
	char *out;

	if (len < 2)
		return NULL;
	if (!memchr(raw, '\\', len))
		return strndup(raw + 1, len - 2);
	tok = json_tokener_new();
	if (!tok)
		return NULL;
	s = json_tokener_parse_ex(tok, raw, (int)len);
	json_tokener_free(tok);
	out = json_object_is_type(s, json_type_string) ? strdup(json_object_get_string(s)) : NULL;
	json_object_put(s);
	return out;
}

/* "a.b[2].c" down to frame upto (its current key last), into out. */
static void key_path(const struct dup_scan *s, int upto, const char *last, char *out,
		     size_t cap)
{
	size_t used = 0;

	out[0] = '\0';
	for (int i = 0; i <= upto && used < cap; i++) {
		const struct dup_frame *f = &s->f[i];
		const char *k;

		if (!f->obj) {
			used += (size_t)snprintf(out + used, cap - used, "[%zu]", f->idx);
			continue;
		}
		k = i == upto ? last : f->keys[f->nkeys - 1];
		used += (size_t)snprintf(out + used, cap - used, "%s%.40s", used ? "." : "", k);
	}
	if (!out[0])
		snprintf(out, cap, "(top level)");
}

static int frame_close(struct dup_scan *s, const char *name, struct da_err *err)
{
	struct dup_frame *f = &s->f[s->depth - 1];
	char path[256];
	int ret = 0;

	if (f->obj && f->nkeys > 1) {
		char **sorted = malloc(f->nkeys * sizeof(*sorted));

		if (!sorted)
			return da_errf(err, -ENOMEM, "%s: out of memory", name);
		memcpy(sorted, f->keys, f->nkeys * sizeof(*sorted));
		qsort(sorted, f->nkeys, sizeof(*sorted), cmp_key);
		for (size_t i = 1; i < f->nkeys; i++) {
			if (!strcmp(sorted[i - 1], sorted[i])) {
				key_path(s, s->depth - 1, sorted[i], path, sizeof(path));
				ret = da_errf(err, -EINVAL, "%s: %s: key given twice", name, path);
				break;
			}
		}
		free(sorted);
	}
	frame_free(f);
	s->depth--;
	return ret;
}

static int add_key(struct dup_frame *f, const char *raw, size_t len)
{
	char *k;

	if (f->nkeys == f->cap) {
		size_t cap = f->cap ? 2 * f->cap : 8;
		char **n = realloc(f->keys, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		f->keys = n;
		f->cap = cap;
	}
	k = decode_key(raw, len);
	if (!k)
		return -ENOMEM;
	f->keys[f->nkeys++] = k;
	return 0;
}

static int check_dup_keys(const char *name, const char *text, size_t len, struct da_err *err)
{
	struct cur c = cur_init(text, len);
	struct dup_scan s = { .depth = 0 };
	int ret = 0;
	uint8_t ch;

	while (!ret && !cur_u8(&c, &ch)) {
		struct dup_frame *top = s.depth ? &s.f[s.depth - 1] : NULL;

		switch (ch) {
		case '{':
		case '[':
			if (s.depth == DA_JSON_MAX_DEPTH + 1) {
				ret = da_errf(err, -EINVAL, "%s: offset %zu: nested too deep", name,
					      c.off - 1);
				break;
			}
			s.f[s.depth++] = (struct dup_frame){ .obj = ch == '{', .want_key = true };
			break;
		case '}':
		case ']':
			if (top)
				ret = frame_close(&s, name, err);
			break;
		case ',':
			if (top && top->obj)
				top->want_key = true;
			else if (top)
				top->idx++;
			break;
		case ':':
			if (top)
				top->want_key = false;
			break;
		case '"': {
			size_t start = c.off - 1;

			while (!cur_u8(&c, &ch) && ch != '"')
				if (ch == '\\')
					cur_skip(&c, 1);
			if (top && top->obj && top->want_key &&
			    add_key(top, text + start, c.off - start))
				ret = da_errf(err, -ENOMEM, "%s: out of memory", name);
			break;
		}
		default:
			break;
		}
	}
	while (s.depth)
		frame_free(&s.f[--s.depth]);
	return ret;
}

int da_json_parse(const char *name, const char *text, size_t len, size_t max,
		  json_object **root, struct da_err *err)
{
	struct json_tokener *tok;
	enum json_tokener_error je;
	json_object *r;
	size_t end;
	int ret;

	*root = NULL;
	if (len > max || len > INT32_MAX)
		return da_errf(err, -EFBIG, "%s: larger than %zu bytes", name,
			       max < INT32_MAX ? max : (size_t)INT32_MAX);
	tok = json_tokener_new_ex(DA_JSON_MAX_DEPTH);
	if (!tok)
		return da_errf(err, -ENOMEM, "%s: out of memory", name);
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	r = json_tokener_parse_ex(tok, text, (int)len);
	je = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	if (!r || je != json_tokener_success) {
		json_object_put(r);
		return da_errf(err, -EINVAL, "%s: offset %zu: invalid JSON: %s", name, end,
			       je == json_tokener_continue ? "unexpected end of input" :
			       json_tokener_error_desc(je));
	}
	/*
	 * STRICT also means whole: json-c refuses anything but white space
	 * after the value (a second value included) as a parse error above.
	 */
	ret = check_dup_keys(name, text, end, err);
	if (ret) {
		json_object_put(r);
		return ret;
	}
	*root = r;
	return 0;
}

int da_json_load(const char *path, size_t max, json_object **root, struct da_err *err)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	int ret;

	*root = NULL;
	ret = da_read_file(path, &buf, &len, max, err);
	if (ret)
		return ret;
	ret = da_json_parse(path, (const char *)buf, len, max, root, err);
	free(buf);
	return ret;
}

int da_json_uint(json_object *v, uint64_t max, uint64_t *out, char *what, size_t cap)
{
	const char *s, *digits;
	char *end;
	uint64_t x;

	if (json_object_is_type(v, json_type_int)) {
		int64_t i = json_object_get_int64(v);

		if (i < 0 || (uint64_t)i > max) {
			snprintf(what, cap, "%lld is out of range 0-%llu", (long long)i,
				 (unsigned long long)max);
			return -ERANGE;
		}
		*out = (uint64_t)i;
		return 0;
	}
	if (!json_object_is_type(v, json_type_string)) {
		snprintf(what, cap, "expected a number or a hex string");
		return -EINVAL;
	}
	s = json_object_get_string(v);
	digits = strncasecmp(s, "0x", 2) ? s : s + 2;
	/* strtoull would also take blanks, signs and a second 0x. */
	if (!*digits || strlen(digits) > 16 ||
	    strspn(digits, "0123456789abcdefABCDEF") != strlen(digits)) {
		snprintf(what, cap, "expected a hex string");
		return -EINVAL;
	}
	errno = 0;
	x = strtoull(digits, &end, 16);
	if (errno || *end || x > max) {
		snprintf(what, cap, "\"%.24s\" is out of range 0-0x%llx", s, (unsigned long long)max);
		return -ERANGE;
	}
	*out = x;
	return 0;
}

int da_json_identity(json_object *o, struct cma_identity *id, unsigned int *have,
		     unsigned int *nulls, const char **key, char *what, size_t cap)
{
	static const struct {
		const char *key;
		unsigned int bit;
		uint64_t max;
	} fields[] = {
		{ "vendor", ID_VENDOR, 0xffff }, { "device", ID_DEVICE, 0xffff },
		{ "class", ID_CLASS, 0xffffff }, { "revision", ID_REVISION, 0xff },
		{ "ssvid", ID_SSVID, 0xffff }, { "ssid", ID_SSID, 0xffff },
		{ "serial", ID_SERIAL, UINT64_MAX },
	};
	const unsigned int nullable = ID_SSVID | ID_SSID | ID_SERIAL;

	*have = 0;
	*nulls = 0;
	*key = NULL;
	if (!json_object_is_type(o, json_type_object)) {
		snprintf(what, cap, "expected an object");
		return -EINVAL;
	}
	json_object_object_foreach(o, k, val) {
		uint64_t x = 0;
		size_t i;

		if (!strcmp(k, "comment"))
			continue;
		for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
			if (!strcmp(k, fields[i].key))
				break;
		*key = k;
		if (i == sizeof(fields) / sizeof(fields[0])) {
			snprintf(what, cap, "unknown key");
			return -EINVAL;
		}
		if (json_object_is_type(val, json_type_null) && (fields[i].bit & nullable)) {
			*nulls |= fields[i].bit;
			continue;
		}
		if (da_json_uint(val, fields[i].max, &x, what, cap))
			return -EINVAL;
		*have |= fields[i].bit;
		switch (fields[i].bit) {
		case ID_VENDOR:
			id->vendor = (uint16_t)x;
			break;
		case ID_DEVICE:
			id->device = (uint16_t)x;
			break;
		case ID_CLASS:
			id->class_code = (uint32_t)x;
			break;
		case ID_REVISION:
			id->revision = (uint8_t)x;
			break;
		case ID_SSVID:
			id->ssvid = (uint16_t)x;
			break;
		case ID_SSID:
			id->ssid = (uint16_t)x;
			break;
		default:
			id->serial = x;
			break;
		}
	}
	*key = NULL;
	return 0;
}

json_object *da_json_hex(const uint8_t *p, size_t n)
{
	char *s = malloc(2 * n + 1);
	json_object *j;

	if (!s)
		return NULL;
	da_hex(p, n, s, 2 * n + 1);
	j = json_object_new_string(s);
	free(s);
	return j;
}
