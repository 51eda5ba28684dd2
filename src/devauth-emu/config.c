// SPDX-License-Identifier: MIT
/*
 * The device description: algorithm/version names shared with the
 * command line, and the JSON config file (docs/emu.md).  The file is
 * hostile input like any other: unknown keys and bad values are errors
 * that name the file, the device and the key; hex values are read
 * through struct cur.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "cursor.h"
#include "emu.h"

struct name_bit {
	const char *name;
	uint32_t bit;
};

static const struct name_bit asym_names[] = {
	{ "ecdsa-p256", SPDM_ASYM_ECDSA_P256 },
	{ "ecdsa-p384", SPDM_ASYM_ECDSA_P384 },
	{ "ecdsa-p521", SPDM_ASYM_ECDSA_P521 },
	{ "rsassa-2048", SPDM_ASYM_RSASSA_2048 },
	{ "rsassa-3072", SPDM_ASYM_RSASSA_3072 },
	{ "rsassa-4096", SPDM_ASYM_RSASSA_4096 },
	{ "rsapss-2048", SPDM_ASYM_RSAPSS_2048 },
	{ "rsapss-3072", SPDM_ASYM_RSAPSS_3072 },
	{ "rsapss-4096", SPDM_ASYM_RSAPSS_4096 },
	{ "ed25519", SPDM_ASYM_EDDSA_ED25519 },
	{ "ed448", SPDM_ASYM_EDDSA_ED448 },
	{ NULL, 0 }
};

static const struct name_bit hash_names[] = {
	{ "sha256", SPDM_HASH_SHA256 },
	{ "sha384", SPDM_HASH_SHA384 },
	{ "sha512", SPDM_HASH_SHA512 },
	{ NULL, 0 }
};

static const struct name_bit meas_hash_names[] = {
	{ "raw", SPDM_MEAS_HASH_RAW },
	{ "sha256", SPDM_MEAS_HASH_SHA256 },
	{ "sha384", SPDM_MEAS_HASH_SHA384 },
	{ "sha512", SPDM_MEAS_HASH_SHA512 },
	{ NULL, 0 }
};

static const struct name_bit version_names[] = {
	{ "1.0", SPDM_VER_10 },
	{ "1.1", SPDM_VER_11 },
	{ "1.2", SPDM_VER_12 },
	{ "1.3", SPDM_VER_13 },
	{ "1.4", SPDM_VER_14 },
	{ NULL, 0 }
};

/* CAPABILITIES flags by the names DSP0274 uses, lower case, without _CAP. */
static const struct name_bit cap_names[] = {
	{ "cache", SPDM_CAP_CACHE },
	{ "cert", SPDM_CAP_CERT },
	{ "chal", SPDM_CAP_CHAL },
	{ "meas-nosig", SPDM_CAP_MEAS_NOSIG },
	{ "meas-sig", SPDM_CAP_MEAS_SIG },
	{ "meas-fresh", SPDM_CAP_MEAS_FRESH },
	{ "encrypt", SPDM_CAP_ENCRYPT },
	{ "mac", SPDM_CAP_MAC },
	{ "mut-auth", SPDM_CAP_MUT_AUTH },
	{ "key-ex", SPDM_CAP_KEY_EX },
	{ "psk", 1u << 10 },
	{ "psk-with-context", 2u << 10 },
	{ "encap", SPDM_CAP_ENCAP },
	{ "hbeat", SPDM_CAP_HBEAT },
	{ "key-upd", SPDM_CAP_KEY_UPD },
	{ "handshake-in-the-clear", SPDM_CAP_HANDSHAKE_IN_THE_CLEAR },
	{ "pub-key-id", SPDM_CAP_PUB_KEY_ID },
	{ "chunk", SPDM_CAP_CHUNK },
	{ "alias-cert", SPDM_CAP_ALIAS_CERT },
	{ "set-cert", SPDM_CAP_SET_CERT },
	{ "csr", SPDM_CAP_CSR },
	{ "cert-install-reset", SPDM_CAP_CERT_INSTALL_RESET },
	{ "mel", SPDM_CAP_MEL },
	{ "event", SPDM_CAP_EVENT },
	{ "get-key-pair-info", SPDM_CAP_GET_KEY_PAIR_INFO },
	{ "set-key-pair-info", SPDM_CAP_SET_KEY_PAIR_INFO },
	{ NULL, 0 }
};

/* DMTFSpecMeasurementValueType names (DSP0274 table "DMTF measurement specification format"). */
static const struct name_bit meas_type_names[] = {
	{ "immutable-rom", SPDM_DMTF_MEAS_IMMUTABLE_ROM },
	{ "mutable-fw", SPDM_DMTF_MEAS_MUTABLE_FW },
	{ "hw-config", SPDM_DMTF_MEAS_HW_CONFIG },
	{ "fw-config", SPDM_DMTF_MEAS_FW_CONFIG },
	{ "manifest", SPDM_DMTF_MEAS_MANIFEST },
	{ "device-mode", SPDM_DMTF_MEAS_DEVICE_MODE },
	{ "version", SPDM_DMTF_MEAS_VERSION },
	{ "svn", SPDM_DMTF_MEAS_SVN },
	{ "hem", SPDM_DMTF_MEAS_HEM },
	{ NULL, 0 }
};

/*
 * Algorithm names go through the library's parser, so the DMTF spellings
 * ("ECDSA_P384", "SHA_384") work too; the tables above still say which
 * of them a device may use.
 */
static int lookup(const struct name_bit *t, const char *s, uint32_t *bit)
{
	int (*parse)(const char *, uint32_t *) = NULL;
	uint32_t b;

	for (const struct name_bit *e = t; e->name; e++) {
		if (!strcmp(e->name, s)) {
			*bit = e->bit;
			return 0;
		}
	}
	if (t == asym_names)
		parse = spdm_asym_from_name;
	else if (t == hash_names)
		parse = spdm_hash_from_name;
	else if (t == meas_hash_names)
		parse = spdm_meas_hash_from_name;
	if (!parse || parse(s, &b))
		return -EINVAL;
	for (; t->name; t++) {
		if (t->bit == b) {
			*bit = b;
			return 0;
		}
	}
	return -EINVAL;
}

int emu_parse_asym_name(const char *s, uint32_t *bit)
{
	return lookup(asym_names, s, bit);
}

int emu_parse_hash_name(const char *s, uint32_t *bit)
{
	return lookup(hash_names, s, bit);
}

int emu_parse_meas_hash_name(const char *s, uint32_t *bit)
{
	return lookup(meas_hash_names, s, bit);
}

int emu_parse_version_name(const char *s, uint8_t *ver)
{
	uint32_t v;
	int ret = lookup(version_names, s, &v);

	if (!ret)
		*ver = (uint8_t)v;
	return ret;
}

/* Split a comma list and look each name up; what names the list in errors. */
static int parse_list(const struct name_bit *t, const char *what, const char *list,
		      uint32_t *mask, struct da_err *err)
{
	char *copy = strdup(list), *save = NULL, *tok;
	uint32_t m = 0, bit;
	int ret = 0;

	if (!copy)
		return -ENOMEM;
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (lookup(t, tok, &bit)) {
			ret = da_errf(err, -EINVAL, "%s: unknown name '%s'", what, tok);
			goto out;
		}
		m |= bit;
	}
	if (!m)
		ret = da_errf(err, -EINVAL, "%s: empty list", what);
	else
		*mask = m;
out:
	free(copy);
	return ret;
}

int emu_parse_asym_list(const char *list, uint32_t *mask, struct da_err *err)
{
	return parse_list(asym_names, "--asym", list, mask, err);
}

int emu_parse_hash_list(const char *list, uint32_t *mask, struct da_err *err)
{
	return parse_list(hash_names, "--hash", list, mask, err);
}

/*
 * The responder negotiates within [min, max], so a list with a hole
 * cannot be represented: refuse it rather than silently widen it.
 */
static int versions_to_range(uint32_t mask, const char *what, uint8_t *min, uint8_t *max,
			     struct da_err *err)
{
	int lo = -1, hi = -1, i;

	for (i = 0; i < 32; i++) {
		if (!(mask & (1u << i)))
			continue;
		if (lo < 0)
			lo = i;
		hi = i;
	}
	if (lo < 0)
		return da_errf(err, -EINVAL, "%s: no version", what);
	for (i = lo; i <= hi; i++) {
		if (!(mask & (1u << i)))
			return da_errf(err, -EINVAL,
				       "%s: versions must be contiguous (1.%d missing)", what, i);
	}
	*min = (uint8_t)(SPDM_VER_10 + lo);
	*max = (uint8_t)(SPDM_VER_10 + hi);
	return 0;
}

int emu_parse_version_list(const char *list, uint8_t *min, uint8_t *max, struct da_err *err)
{
	char *copy = strdup(list), *save = NULL, *tok;
	uint32_t mask = 0;
	uint8_t v;
	int ret = 0;

	if (!copy)
		return -ENOMEM;
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (emu_parse_version_name(tok, &v)) {
			ret = da_errf(err, -EINVAL, "--spdm-version: unknown version '%s'", tok);
			goto out;
		}
		mask |= 1u << (v - SPDM_VER_10);
	}
	ret = versions_to_range(mask, "--spdm-version", min, max, err);
out:
	free(copy);
	return ret;
}

void emu_default_name(unsigned int i, char *buf, size_t len)
{
	/* One function per bus, like N endpoints behind a switch. */
	snprintf(buf, len, "%04x:%02x:00.0", (i + 1) >> 8, (i + 1) & 0xff);
}

int emu_parse_msg_size(const char *what, const char *s, uint32_t *out, struct da_err *err)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || *end || !*s || v < SPDM_MIN_DATA_TRANSFER_SIZE || v > EMU_MAX_SPDM_MSG_SIZE)
		return da_errf(err, -EINVAL, "%s: '%s' is not in %u..%u", what, s,
			       SPDM_MIN_DATA_TRANSFER_SIZE, EMU_MAX_SPDM_MSG_SIZE);
	*out = (uint32_t)v;
	return 0;
}

void emu_apply_defaults(struct emu_device_config *c, const struct emu_defaults *d)
{
	unsigned int s;

	if (d->have_versions) {
		c->min_version = d->min_version;
		c->max_version = d->max_version;
	}
	if (d->asym)
		c->asym = d->asym;
	if (d->hash)
		c->hash = d->hash;
	if (d->meas_hash)
		c->meas_hash = d->meas_hash;
	if (d->have_faults)
		c->faults = d->faults;
	if (d->data_transfer_size)
		c->data_transfer_size = d->data_transfer_size;
	if (d->max_spdm_msg_size)
		c->max_spdm_msg_size = d->max_spdm_msg_size;
	for (s = 0; s < SPDM_MAX_SLOTS; s++) {
		if (!(d->slot_mask & (1u << s)))
			continue;
		c->provisioned_slots |= (uint8_t)(1u << s);
		c->slot_files[s].chain_path = d->slot_chain[s];
		c->slot_files[s].key_path = d->slot_key[s];
	}
}

const char *emu_config_strdup(struct emu_config *c, const char *s)
{
	char **n;
	char *copy;

	copy = strdup(s);
	if (!copy)
		return NULL;
	n = realloc(c->strings, (c->nstrings + 1) * sizeof(*n));
	if (!n) {
		free(copy);
		return NULL;
	}
	c->strings = n;
	c->strings[c->nstrings++] = copy;
	return copy;
}

void emu_config_free(struct emu_config *c)
{
	unsigned int i;

	for (i = 0; i < c->nstrings; i++)
		free(c->strings[i]);
	free(c->strings);
	free(c->dev);
	memset(c, 0, sizeof(*c));
}

static int config_alloc(struct emu_config *out, unsigned int n, const struct emu_defaults *defs)
{
	unsigned int i;
	char name[32];

	memset(out, 0, sizeof(*out));
	out->dev = calloc(n ? n : 1, sizeof(*out->dev));
	if (!out->dev)
		return -ENOMEM;
	out->ndev = n;
	for (i = 0; i < n; i++) {
		emu_default_name(i, name, sizeof(name));
		emu_device_config_default(&out->dev[i].cfg, name, i);
		emu_apply_defaults(&out->dev[i].cfg, defs);
		out->dev[i].port_offset = -1;
	}
	return 0;
}

int emu_config_default(unsigned int n, const struct emu_defaults *defs, struct emu_config *out,
		       struct da_err *err)
{
	if (n < 1 || n > EMU_MAX_DEVICES)
		return da_errf(err, -EINVAL, "--devices: %u is not in 1..%u", n, EMU_MAX_DEVICES);
	if (config_alloc(out, n, defs))
		return da_errf(err, -ENOMEM, "out of memory");
	return 0;
}

/* ---- the JSON file ---- */

struct jctx {
	const char *file;
	char dir[PATH_MAX];		/* relative paths in the file are relative to it */
	int devidx;			/* -1 at the top level */
	const char *devname;
	struct emu_config *cfg;
	struct da_err *err;
};

static int jerr(struct jctx *j, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int jerr(struct jctx *j, const char *key, const char *fmt, ...)
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
static int j_uint(struct jctx *j, const char *key, json_object *v, uint64_t max, uint64_t *out)
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

static int j_bool(struct jctx *j, const char *key, json_object *v, bool *out)
{
	if (!json_object_is_type(v, json_type_boolean))
		return jerr(j, key, "expected true or false");
	*out = json_object_get_boolean(v);
	return 0;
}

static int j_string(struct jctx *j, const char *key, json_object *v, const char **out)
{
	if (!json_object_is_type(v, json_type_string))
		return jerr(j, key, "expected a string");
	*out = json_object_get_string(v);
	return 0;
}

/* A list of names: a JSON array of strings or one "a,b,c" string. */
static int j_names(struct jctx *j, const char *key, json_object *v, const struct name_bit *t,
		   uint32_t *mask)
{
	uint32_t m = 0, bit;
	size_t i, n;
	const char *s = NULL;
	char *copy, *save = NULL, *tok;
	int ret = 0;

	if (json_object_is_type(v, json_type_string)) {
		copy = strdup(json_object_get_string(v));
		if (!copy)
			return -ENOMEM;
		for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
			if (lookup(t, tok, &bit)) {
				ret = jerr(j, key, "unknown name \"%s\"", tok);
				break;
			}
			m |= bit;
		}
		free(copy);
		if (ret)
			return ret;
	} else if (json_object_is_type(v, json_type_array)) {
		n = json_object_array_length(v);
		for (i = 0; i < n; i++) {
			json_object *e = json_object_array_get_idx(v, i);

			if (!json_object_is_type(e, json_type_string))
				return jerr(j, key, "element %zu is not a string", i);
			s = json_object_get_string(e);
			if (lookup(t, s, &bit))
				return jerr(j, key, "unknown name \"%s\"", s);
			m |= bit;
		}
	} else {
		return jerr(j, key, "expected an array of names");
	}
	*mask = m;
	return 0;
}

static int hex_nibble(uint8_t ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* Hex digits (spaces and colons allowed between bytes) into at most cap bytes. */
static int j_hex(struct jctx *j, const char *key, const char *s, uint8_t *buf, size_t cap,
		 uint16_t *len)
{
	struct cur c = cur_init(s, strlen(s));
	struct wcur w = wcur_init(buf, cap);
	uint8_t hi, lo;
	int h, l;

	while (!cur_at_end(&c)) {
		if (cur_u8(&c, &hi))
			break;
		if (hi == ' ' || hi == ':')
			continue;
		if (cur_u8(&c, &lo))
			return jerr(j, key, "odd number of hex digits");
		h = hex_nibble(hi);
		l = hex_nibble(lo);
		if (h < 0 || l < 0)
			return jerr(j, key, "not a hex string");
		wcur_u8(&w, (uint8_t)(h << 4 | l));
	}
	if (wcur_finish(&w) < 0)
		return jerr(j, key, "longer than %zu bytes", cap);
	if (!w.len)
		return jerr(j, key, "empty value");
	*len = (uint16_t)w.len;
	return 0;
}

static int j_path(struct jctx *j, const char *key, json_object *v, const char **out)
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

static int parse_pci(struct jctx *j, json_object *o, struct cma_identity *id)
{
	char key[64];
	uint64_t u;
	int ret;

	if (!json_object_is_type(o, json_type_object))
		return jerr(j, "pci", "expected an object");
	json_object_object_foreach(o, k, v) {
		snprintf(key, sizeof(key), "pci.%s", k);
		if (!strcmp(k, "comment"))
			continue;
		if (!strcmp(k, "serial") && json_object_is_type(v, json_type_null)) {
			id->has_serial = false;
			continue;
		}
		if ((!strcmp(k, "ssvid") || !strcmp(k, "ssid")) &&
		    json_object_is_type(v, json_type_null)) {
			id->has_subsys = false;
			continue;
		}
		if (!strcmp(k, "vendor")) {
			ret = j_uint(j, key, v, 0xffff, &u);
			id->vendor = (uint16_t)u;
		} else if (!strcmp(k, "device")) {
			ret = j_uint(j, key, v, 0xffff, &u);
			id->device = (uint16_t)u;
		} else if (!strcmp(k, "class")) {
			ret = j_uint(j, key, v, 0xffffff, &u);
			id->class_code = (uint32_t)u;
		} else if (!strcmp(k, "revision")) {
			ret = j_uint(j, key, v, 0xff, &u);
			id->revision = (uint8_t)u;
		} else if (!strcmp(k, "ssvid")) {
			ret = j_uint(j, key, v, 0xffff, &u);
			id->ssvid = (uint16_t)u;
			id->has_subsys = true;
		} else if (!strcmp(k, "ssid")) {
			ret = j_uint(j, key, v, 0xffff, &u);
			id->ssid = (uint16_t)u;
			id->has_subsys = true;
		} else if (!strcmp(k, "serial")) {
			ret = j_uint(j, key, v, UINT64_MAX, &u);
			id->serial = u;
			id->has_serial = true;
		} else {
			ret = jerr(j, key, "unknown key");
		}
		if (ret)
			return ret;
	}
	return 0;
}


static int parse_versions(struct jctx *j, json_object *v, struct emu_device_config *c)
{
	char *copy = NULL, *save = NULL, *tok;
	uint32_t mask = 0;
	struct da_err e = { 0 };
	size_t i, n;
	uint8_t ver;
	int ret = 0;

	if (json_object_is_type(v, json_type_string)) {
		copy = strdup(json_object_get_string(v));
		if (!copy)
			return -ENOMEM;
		for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
			if (emu_parse_version_name(tok, &ver)) {
				ret = jerr(j, "versions", "unknown version \"%s\"", tok);
				goto out;
			}
			mask |= 1u << (ver - SPDM_VER_10);
		}
	} else if (json_object_is_type(v, json_type_array)) {
		n = json_object_array_length(v);
		for (i = 0; i < n; i++) {
			json_object *el = json_object_array_get_idx(v, i);

			if (!json_object_is_type(el, json_type_string) ||
			    emu_parse_version_name(json_object_get_string(el), &ver)) {
				ret = jerr(j, "versions", "element %zu is not one of 1.0 .. 1.4", i);
				goto out;
			}
			mask |= 1u << (ver - SPDM_VER_10);
		}
	} else {
		ret = jerr(j, "versions", "expected an array of versions");
		goto out;
	}
	if (versions_to_range(mask, "versions", &c->min_version, &c->max_version, &e))
		ret = jerr(j, "versions", "%s", e.msg);
out:
	free(copy);
	return ret;
}

static int parse_faults(struct jctx *j, json_object *v, uint64_t *faults)
{
	struct da_err e = { 0 };
	char list[1024];
	size_t i, n, used = 0;
	int len;

	if (json_object_is_type(v, json_type_string)) {
		snprintf(list, sizeof(list), "%s", json_object_get_string(v));
	} else if (json_object_is_type(v, json_type_array)) {
		n = json_object_array_length(v);
		list[0] = '\0';
		if (!n)
			snprintf(list, sizeof(list), "none");
		for (i = 0; i < n; i++) {
			json_object *el = json_object_array_get_idx(v, i);

			if (!json_object_is_type(el, json_type_string))
				return jerr(j, "faults", "element %zu is not a string", i);
			len = snprintf(list + used, sizeof(list) - used, "%s%s", i ? "," : "",
				       json_object_get_string(el));
			if (len < 0 || (size_t)len >= sizeof(list) - used)
				return jerr(j, "faults", "list too long");
			used += (size_t)len;
		}
	} else {
		return jerr(j, "faults", "expected an array of fault names");
	}
	if (emu_fault_parse(list, faults, &e))
		return jerr(j, "faults", "%s", e.msg);
	return 0;
}

static int parse_caps(struct jctx *j, json_object *v, uint32_t *caps)
{
	uint64_t u;
	int ret;

	if (json_object_is_type(v, json_type_int)) {
		ret = j_uint(j, "caps", v, UINT32_MAX, &u);
		if (!ret)
			*caps = (uint32_t)u;
		return ret;
	}
	if (json_object_is_type(v, json_type_string) && !strncmp(json_object_get_string(v),
								 "0x", 2)) {
		ret = j_uint(j, "caps", v, UINT32_MAX, &u);
		if (!ret)
			*caps = (uint32_t)u;
		return ret;
	}
	return j_names(j, "caps", v, cap_names, caps);
}

static int parse_slots(struct jctx *j, json_object *v, struct emu_device_config *c)
{
	char key[64];
	size_t i, n;
	uint8_t mask = 0;
	int ret;

	if (!json_object_is_type(v, json_type_array))
		return jerr(j, "slots", "expected an array of slot objects");
	n = json_object_array_length(v);
	if (!n)
		return jerr(j, "slots", "at least slot 0 must be provisioned");
	for (i = 0; i < SPDM_MAX_SLOTS; i++) {
		c->slot_files[i].chain_path = NULL;
		c->slot_files[i].key_path = NULL;
	}
	for (i = 0; i < n; i++) {
		json_object *o = json_object_array_get_idx(v, i), *sv;
		const char *chain = NULL, *keyp = NULL;
		uint64_t slot;

		snprintf(key, sizeof(key), "slots[%zu]", i);
		if (json_object_is_type(o, json_type_int)) {
			ret = j_uint(j, key, o, SPDM_MAX_SLOTS - 1, &slot);
			if (ret)
				return ret;
			goto set;
		}
		if (!json_object_is_type(o, json_type_object))
			return jerr(j, key, "expected a slot number or object");
		if (!json_object_object_get_ex(o, "slot", &sv)) {
			snprintf(key, sizeof(key), "slots[%zu].slot", i);
			return jerr(j, key, "missing");
		}
		json_object_object_foreach(o, k, kv) {
			snprintf(key, sizeof(key), "slots[%zu].%s", i, k);
			if (!strcmp(k, "comment"))
				continue;
			if (!strcmp(k, "slot"))
				ret = j_uint(j, key, kv, SPDM_MAX_SLOTS - 1, &slot);
			else if (!strcmp(k, "chain"))
				ret = j_path(j, key, kv, &chain);
			else if (!strcmp(k, "key"))
				ret = j_path(j, key, kv, &keyp);
			else
				ret = jerr(j, key, "unknown key");
			if (ret)
				return ret;
		}
		if (!chain != !keyp) {
			snprintf(key, sizeof(key), "slots[%zu]", i);
			return jerr(j, key, "\"chain\" and \"key\" go together");
		}
set:
		if (mask & (1u << slot)) {
			snprintf(key, sizeof(key), "slots[%zu]", i);
			return jerr(j, key, "slot %u listed twice", (unsigned int)slot);
		}
		mask |= (uint8_t)(1u << slot);
		c->slot_files[slot].chain_path = chain;
		c->slot_files[slot].key_path = keyp;
	}
	if (!(mask & 1))
		return jerr(j, "slots", "slot 0 must be provisioned");
	c->provisioned_slots = mask;
	return 0;
}

static int parse_meas_block(struct jctx *j, size_t i, json_object *o, struct emu_meas_block *b)
{
	char key[64];
	bool have_index = false, have_type = false, have_value = false;
	uint64_t u;
	uint32_t t;
	const char *s = NULL;
	size_t sl;
	int ret;

	memset(b, 0, sizeof(*b));
	if (!json_object_is_type(o, json_type_object)) {
		snprintf(key, sizeof(key), "measurements[%zu]", i);
		return jerr(j, key, "expected an object");
	}
	json_object_object_foreach(o, k, v) {
		snprintf(key, sizeof(key), "measurements[%zu].%s", i, k);
		if (!strcmp(k, "comment"))
			continue;
		if (!strcmp(k, "index")) {
			/* 0 and 0xFF are GET_MEASUREMENTS operations, not indices. */
			ret = j_uint(j, key, v, 0xfe, &u);
			if (!ret && u == 0)
				ret = jerr(j, key, "index 0 is reserved (1..254)");
			b->index = (uint8_t)u;
			have_index = true;
		} else if (!strcmp(k, "type")) {
			if (json_object_is_type(v, json_type_string) &&
			    !lookup(meas_type_names, json_object_get_string(v), &t)) {
				b->dmtf_type = (uint8_t)t;
				ret = 0;
			} else if (json_object_is_type(v, json_type_string) &&
				   strncmp(json_object_get_string(v), "0x", 2)) {
				ret = jerr(j, key, "unknown measurement type \"%s\"",
					   json_object_get_string(v));
			} else {
				ret = j_uint(j, key, v, 0x7f, &u);
				b->dmtf_type = (uint8_t)u;
			}
			have_type = true;
		} else if (!strcmp(k, "value-hex")) {
			ret = j_string(j, key, v, &s);
			if (!ret)
				ret = j_hex(j, key, s, b->value, sizeof(b->value), &b->len);
			if (!ret && have_value)
				ret = jerr(j, key, "value given twice");
			have_value = true;
		} else if (!strcmp(k, "value-string")) {
			ret = j_string(j, key, v, &s);
			sl = ret ? 0 : strlen(s);
			if (!ret && (!sl || sl > sizeof(b->value)))
				ret = jerr(j, key, "must be 1..%zu bytes", sizeof(b->value));
			if (!ret && have_value)
				ret = jerr(j, key, "value given twice");
			if (!ret) {
				memcpy(b->value, s, sl);
				b->len = (uint16_t)sl;
			}
			have_value = true;
		} else if (!strcmp(k, "volatile")) {
			ret = j_bool(j, key, v, &b->is_volatile);
		} else if (!strcmp(k, "firmware")) {
			ret = j_bool(j, key, v, &b->firmware);
		} else {
			ret = jerr(j, key, "unknown key");
		}
		if (ret)
			return ret;
	}
	snprintf(key, sizeof(key), "measurements[%zu]", i);
	if (!have_index)
		return jerr(j, key, "\"index\" is missing");
	if (!have_type)
		return jerr(j, key, "\"type\" is missing");
	if (!have_value)
		return jerr(j, key, "\"value-hex\" or \"value-string\" is missing");
	return 0;
}

static int parse_measurements(struct jctx *j, json_object *v, struct emu_device_config *c)
{
	char key[64];
	size_t i, k, n;
	int ret;

	if (!json_object_is_type(v, json_type_array))
		return jerr(j, "measurements", "expected an array of blocks");
	n = json_object_array_length(v);
	if (n > EMU_MAX_MEAS_BLOCKS)
		return jerr(j, "measurements", "%zu blocks, at most %d", n, EMU_MAX_MEAS_BLOCKS);
	for (i = 0; i < n; i++) {
		ret = parse_meas_block(j, i, json_object_array_get_idx(v, i), &c->meas[i]);
		if (ret)
			return ret;
		for (k = 0; k < i; k++) {
			if (c->meas[k].index == c->meas[i].index) {
				snprintf(key, sizeof(key), "measurements[%zu].index", i);
				return jerr(j, key, "index %u used twice", c->meas[i].index);
			}
		}
	}
	c->nmeas = n;
	return 0;
}

static int parse_device(struct jctx *j, json_object *o, struct emu_dev_spec *d)
{
	struct emu_device_config *c = &d->cfg;
	json_object *nv;
	uint64_t u;
	const char *s = NULL;
	int ret;

	if (!json_object_is_type(o, json_type_object))
		return jerr(j, "devices", "device %d is not an object", j->devidx);
	/* The name first, so that every later error can name the device. */
	if (json_object_object_get_ex(o, "name", &nv)) {
		ret = j_string(j, "name", nv, &s);
		if (ret)
			return ret;
		if (!*s || strlen(s) >= sizeof(c->name))
			return jerr(j, "name", "must be 1..%zu characters", sizeof(c->name) - 1);
		/* The control protocol splits at white space: names must be one word. */
		for (const char *q = s; *q; q++) {
			if ((unsigned char)*q <= ' ' || *q == 0x7f)
				return jerr(j, "name", "\"%s\": no spaces or control characters",
					    s);
		}
		snprintf(c->name, sizeof(c->name), "%s", s);
	}
	j->devname = c->name;

	json_object_object_foreach(o, k, v) {
		if (!strcmp(k, "name") || !strcmp(k, "comment")) {
			ret = 0;
		} else if (!strcmp(k, "port")) {
			ret = j_uint(j, k, v, 65535, &u);
			if (!ret && !u)
				ret = jerr(j, k, "port 0 is not allowed");
			d->port = (int)u;
		} else if (!strcmp(k, "port-offset")) {
			ret = j_uint(j, k, v, 65535, &u);
			d->port_offset = (int)u;
		} else if (!strcmp(k, "pci")) {
			ret = parse_pci(j, v, &c->id);
		} else if (!strcmp(k, "versions")) {
			ret = parse_versions(j, v, c);
		} else if (!strcmp(k, "asym")) {
			ret = j_names(j, k, v, asym_names, &c->asym);
			if (!ret && !c->asym)
				ret = jerr(j, k, "empty list");
		} else if (!strcmp(k, "hash")) {
			ret = j_names(j, k, v, hash_names, &c->hash);
			if (!ret && !c->hash)
				ret = jerr(j, k, "empty list");
		} else if (!strcmp(k, "meas-hash")) {
			ret = j_names(j, k, v, meas_hash_names, &c->meas_hash);
			if (!ret && !c->meas_hash)
				ret = jerr(j, k, "empty list");
		} else if (!strcmp(k, "caps")) {
			ret = parse_caps(j, v, &c->caps);
		} else if (!strcmp(k, "ct-exponent")) {
			ret = j_uint(j, k, v, 255, &u);
			c->ct_exponent = (uint8_t)u;
		} else if (!strcmp(k, "data-transfer-size") || !strcmp(k, "max-spdm-msg-size")) {
			ret = j_uint(j, k, v, EMU_MAX_SPDM_MSG_SIZE, &u);
			if (!ret && u < SPDM_MIN_DATA_TRANSFER_SIZE)
				ret = jerr(j, k, "%llu is below the minimum %u",
					   (unsigned long long)u, SPDM_MIN_DATA_TRANSFER_SIZE);
			if (k[0] == 'd')
				c->data_transfer_size = (uint32_t)u;
			else
				c->max_spdm_msg_size = (uint32_t)u;
		} else if (!strcmp(k, "rdt-exponent")) {
			ret = j_uint(j, k, v, 255, &u);
			c->rdt_exponent = (uint8_t)u;
		} else if (!strcmp(k, "slots")) {
			ret = parse_slots(j, v, c);
		} else if (!strcmp(k, "measurements")) {
			ret = parse_measurements(j, v, c);
		} else if (!strcmp(k, "faults")) {
			ret = parse_faults(j, v, &c->faults);
		} else {
			ret = jerr(j, k, "unknown key");
		}
		if (ret)
			return ret;
	}
	if (d->port && d->port_offset >= 0)
		return jerr(j, "port", "\"port\" and \"port-offset\" exclude each other");
	return 0;
}

static int read_file(const char *path, char **out, size_t *len, struct da_err *err)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL, *n;
	size_t cap = 0, used = 0, r;
	int ret = 0;

	if (!f)
		return da_errf(err, -errno, "%s: %s", path, strerror(errno));
	for (;;) {
		if (cap - used < 4096) {
			/* A device description is small; refuse anything absurd. */
			if (cap > (16u << 20)) {
				ret = da_errf(err, -EFBIG, "%s: larger than 16 MiB", path);
				goto out;
			}
			n = realloc(buf, cap + 65536);
			if (!n) {
				ret = da_errf(err, -ENOMEM, "%s: out of memory", path);
				goto out;
			}
			buf = n;
			cap += 65536;
		}
		r = fread(buf + used, 1, cap - used - 1, f);
		used += r;
		if (r == 0)
			break;
	}
	if (ferror(f)) {
		ret = da_errf(err, -EIO, "%s: read error", path);
		goto out;
	}
	buf[used] = '\0';
	*out = buf;
	*len = used;
	buf = NULL;
out:
	free(buf);
	fclose(f);
	return ret;
}

int emu_config_load(const char *path, const struct emu_defaults *defs, struct emu_config *out,
		    struct da_err *err)
{
	struct jctx j = { .file = path, .devidx = -1, .err = err };
	struct json_tokener *tok = NULL;
	json_object *root = NULL, *devs = NULL;
	const char *slash;
	char *text = NULL;
	size_t len = 0, n, i, k;
	int ret;

	memset(out, 0, sizeof(*out));
	ret = read_file(path, &text, &len, err);
	if (ret)
		return ret;
	if (len > INT_MAX) {
		ret = da_errf(err, -EFBIG, "%s: too large", path);
		goto out;
	}
	tok = json_tokener_new();
	if (!tok) {
		ret = da_errf(err, -ENOMEM, "%s: out of memory", path);
		goto out;
	}
	root = json_tokener_parse_ex(tok, text, (int)len);
	if (!root || json_tokener_get_error(tok) != json_tokener_success) {
		enum json_tokener_error je = json_tokener_get_error(tok);

		if (je == json_tokener_continue)
			ret = da_errf(err, -EINVAL, "%s: JSON: unexpected end of file", path);
		else
			ret = da_errf(err, -EINVAL, "%s: JSON: %s near byte %zu", path,
				      json_tokener_error_desc(je), json_tokener_get_parse_end(tok));
		goto out;
	}
	if (json_tokener_get_parse_end(tok) < len) {
		struct cur c = cur_init(text, len);
		uint8_t ch;

		/* Only whitespace may follow the document. */
		cur_skip(&c, json_tokener_get_parse_end(tok));
		while (!cur_u8(&c, &ch)) {
			if (ch != ' ' && ch != '\n' && ch != '\t' && ch != '\r') {
				ret = da_errf(err, -EINVAL, "%s: JSON: trailing data after byte %zu",
					      path, json_tokener_get_parse_end(tok));
				goto out;
			}
		}
	}
	if (!json_object_is_type(root, json_type_object)) {
		ret = da_errf(err, -EINVAL, "%s: expected a JSON object with \"devices\"", path);
		goto out;
	}
	json_object_object_foreach(root, key, val) {
		if (!strcmp(key, "devices")) {
			devs = val;
		} else if (strcmp(key, "comment")) {
			ret = jerr(&j, key, "unknown key");
			goto out;
		}
	}
	if (!devs || !json_object_is_type(devs, json_type_array)) {
		ret = jerr(&j, "devices", "missing or not an array");
		goto out;
	}
	n = json_object_array_length(devs);
	if (n < 1 || n > EMU_MAX_DEVICES) {
		ret = jerr(&j, "devices", "%zu devices, expected 1..%d", n, EMU_MAX_DEVICES);
		goto out;
	}
	slash = strrchr(path, '/');
	if (slash && (size_t)(slash - path) < sizeof(j.dir))
		snprintf(j.dir, sizeof(j.dir), "%.*s", (int)(slash - path), path);
	ret = config_alloc(out, (unsigned int)n, defs);
	if (ret) {
		ret = da_errf(err, ret, "%s: out of memory", path);
		goto out;
	}
	j.cfg = out;
	for (i = 0; i < n; i++) {
		j.devidx = (int)i;
		j.devname = NULL;
		ret = parse_device(&j, json_object_array_get_idx(devs, i), &out->dev[i]);
		if (ret)
			goto out;
		for (k = 0; k < i; k++) {
			if (!strcmp(out->dev[k].cfg.name, out->dev[i].cfg.name)) {
				ret = jerr(&j, "name", "\"%s\" is also device %zu",
					   out->dev[i].cfg.name, k);
				goto out;
			}
		}
	}
out:
	if (ret)
		emu_config_free(out);
	json_object_put(root);
	if (tok)
		json_tokener_free(tok);
	free(text);
	return ret;
}
