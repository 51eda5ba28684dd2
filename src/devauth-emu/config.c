// SPDX-License-Identifier: MIT
/*
 * The device description shared by the command line and the config
 * file: algorithm and version names, the serve defaults, the device
 * list's allocation and its string pool.  The JSON file itself is read
 * by config-device.c (top level, device list, per-device keys) with the
 * value readers of config-json.c and the slot/measurement sections of
 * config-slots.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emu_internal.h"

const struct name_bit emu_asym_names[] = {
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

const struct name_bit emu_hash_names[] = {
	{ "sha256", SPDM_HASH_SHA256 },
	{ "sha384", SPDM_HASH_SHA384 },
	{ "sha512", SPDM_HASH_SHA512 },
	{ NULL, 0 }
};

const struct name_bit emu_meas_hash_names[] = {
	{ "raw", SPDM_MEAS_HASH_RAW },
	{ "sha256", SPDM_MEAS_HASH_SHA256 },
	{ "sha384", SPDM_MEAS_HASH_SHA384 },
	{ "sha512", SPDM_MEAS_HASH_SHA512 },
	{ NULL, 0 }
};

const struct name_bit emu_version_bits[] = {
	{ "1.0", 1u << (SPDM_VER_10 - SPDM_VER_10) },
	{ "1.1", 1u << (SPDM_VER_11 - SPDM_VER_10) },
	{ "1.2", 1u << (SPDM_VER_12 - SPDM_VER_10) },
	{ "1.3", 1u << (SPDM_VER_13 - SPDM_VER_10) },
	{ "1.4", 1u << (SPDM_VER_14 - SPDM_VER_10) },
	{ NULL, 0 }
};

/*
 * Algorithm names go through the library's parser, so the DMTF spellings
 * ("ECDSA_P384", "SHA_384") work too; the tables above still say which
 * of them a device may use.
 */
int emu_name_lookup(const struct name_bit *t, const char *s, uint32_t *bit)
{
	int (*parse)(const char *, uint32_t *) = NULL;
	uint32_t b;

	for (const struct name_bit *e = t; e->name; e++) {
		if (!strcmp(e->name, s)) {
			*bit = e->bit;
			return 0;
		}
	}
	if (t == emu_asym_names)
		parse = spdm_asym_from_name;
	else if (t == emu_hash_names)
		parse = spdm_hash_from_name;
	else if (t == emu_meas_hash_names)
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
	return emu_name_lookup(emu_asym_names, s, bit);
}

int emu_parse_hash_name(const char *s, uint32_t *bit)
{
	return emu_name_lookup(emu_hash_names, s, bit);
}

int emu_name_list(const struct name_bit *t, const char *list, uint32_t *mask, size_t *bad,
		  int *bad_len)
{
	char *copy = strdup(list), *save = NULL, *tok;
	uint32_t m = 0, bit;
	int ret = 0;

	if (!copy)
		return -ENOMEM;
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (emu_name_lookup(t, tok, &bit)) {
			*bad = (size_t)(tok - copy);
			*bad_len = (int)strlen(tok);
			ret = -EINVAL;
			goto out;
		}
		m |= bit;
	}
	*mask = m;
out:
	free(copy);
	return ret;
}

int emu_parse_name_list(const struct name_bit *t, const char *what, const char *noun,
			bool empty_ok, const char *list, uint32_t *mask, struct da_err *err)
{
	uint32_t m = 0;
	size_t bad = 0;
	int bad_len = 0;
	int ret = emu_name_list(t, list, &m, &bad, &bad_len);

	if (ret == -EINVAL)
		return da_errf(err, ret, "%s: unknown %s '%.*s'", what, noun, bad_len, list + bad);
	if (ret)
		return ret;
	if (!m && !empty_ok)
		return da_errf(err, -EINVAL, "%s: empty list", what);
	*mask = m;
	return 0;
}

int emu_parse_asym_list(const char *list, uint32_t *mask, struct da_err *err)
{
	return emu_parse_name_list(emu_asym_names, "--asym", "name", false, list, mask, err);
}

int emu_parse_hash_list(const char *list, uint32_t *mask, struct da_err *err)
{
	return emu_parse_name_list(emu_hash_names, "--hash", "name", false, list, mask, err);
}

int emu_parse_meas_hash_list(const char *list, uint32_t *mask, struct da_err *err)
{
	return emu_parse_name_list(emu_meas_hash_names, "--meas-hash", "name", false, list, mask,
				   err);
}

/*
 * The responder negotiates within [min, max], so a list with a hole
 * cannot be represented: refuse it rather than silently widen it.
 */
int emu_versions_to_range(uint32_t mask, const char *what, uint8_t *min, uint8_t *max,
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
	uint32_t mask = 0;
	int ret = emu_parse_name_list(emu_version_bits, "--spdm-version", "version", true, list,
				      &mask, err);

	if (ret)
		return ret;
	return emu_versions_to_range(mask, "--spdm-version", min, max, err);
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
	if (errno || *end || !*s || v < SPDM_MIN_DATA_TRANSFER_SIZE || v > RSP_MAX_SPDM_MSG_SIZE)
		return da_errf(err, -EINVAL, "%s: '%s' is not in %u..%u", what, s,
			       SPDM_MIN_DATA_TRANSFER_SIZE, RSP_MAX_SPDM_MSG_SIZE);
	*out = (uint32_t)v;
	return 0;
}

void emu_apply_defaults(struct rsp_device_config *c, const struct emu_defaults *d)
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
	if (d->have_caps)
		c->caps = d->caps;
	c->caps &= ~d->caps_off;
	if (d->dhe)
		c->dhe = d->dhe;
	if (d->aead)
		c->aead = d->aead;
	if (d->psk_len) {
		memcpy(c->psk, d->psk, d->psk_len);
		c->psk_len = d->psk_len;
	}
	if (d->have_psk_hint) {
		memcpy(c->psk_hint, d->psk_hint, d->psk_hint_len);
		c->psk_hint_len = d->psk_hint_len;
	}
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

int emu_config_alloc(struct emu_config *out, unsigned int n, const struct emu_defaults *defs)
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
		rsp_device_config_default(&out->dev[i].cfg, name, i);
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
	if (emu_config_alloc(out, n, defs))
		return da_errf(err, -ENOMEM, "out of memory");
	return 0;
}
