// SPDX-License-Identifier: MIT
/*
 * The JSON config file (docs/emu.md): the file, its top level, the
 * device list and each device's keys (identity, versions, algorithms,
 * capabilities, limits, faults; slots and measurements are
 * config-slots.c's).  Unknown keys and bad values are errors that name
 * the file, the device and the key.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emu_internal.h"
#include "json.h"

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
	{ "set-key-pair-reset", SPDM_CAP_SET_KEY_PAIR_RESET },
	{ "large-resp", SPDM_CAP_LARGE_RESP },
	{ NULL, 0 }
};

static int parse_pci(struct jctx *j, json_object *o, struct cma_identity *id)
{
	unsigned int have = 0, nulls = 0;
	const char *k = NULL;
	char what[96], key[64];

	if (!json_object_is_type(o, json_type_object))
		return jerr(j, "pci", "expected an object");
	if (da_json_identity(o, id, &have, &nulls, &k, what, sizeof(what))) {
		snprintf(key, sizeof(key), "pci.%.40s", k);
		return jerr(j, key, "%s", what);
	}
	if (nulls & (ID_SSVID | ID_SSID))
		id->has_subsys = false;
	else if (have & (ID_SSVID | ID_SSID))
		id->has_subsys = true;
	if (nulls & ID_SERIAL)
		id->has_serial = false;
	else if (have & ID_SERIAL)
		id->has_serial = true;
	return 0;
}

static int parse_versions(struct jctx *j, json_object *v, struct rsp_device_config *c)
{
	uint32_t mask = 0, bit;
	struct da_err e = { 0 };
	size_t i, n, bad;
	int bad_len, ret;

	if (json_object_is_type(v, json_type_string)) {
		const char *s = json_object_get_string(v);

		ret = emu_name_list(emu_version_bits, s, &mask, &bad, &bad_len);
		if (ret == -EINVAL)
			return jerr(j, "versions", "unknown version \"%.*s\"", bad_len, s + bad);
		if (ret)
			return ret;
	} else if (json_object_is_type(v, json_type_array)) {
		n = json_object_array_length(v);
		for (i = 0; i < n; i++) {
			json_object *el = json_object_array_get_idx(v, i);

			if (!json_object_is_type(el, json_type_string) ||
			    emu_name_lookup(emu_version_bits, json_object_get_string(el), &bit))
				return jerr(j, "versions", "element %zu is not one of 1.0 .. 1.4",
					    i);
			mask |= bit;
		}
	} else {
		return jerr(j, "versions", "expected an array of versions");
	}
	if (emu_versions_to_range(mask, "versions", &c->min_version, &c->max_version, &e))
		return jerr(j, "versions", "%s", e.msg);
	return 0;
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
	if (rsp_fault_parse(list, faults, &e))
		return jerr(j, "faults", "%s", e.msg);
	return 0;
}

int emu_parse_caps_list(const char *what, const char *list, uint32_t *mask,
			struct da_err *err)
{
	return emu_parse_name_list(cap_names, what, "capability", true, list, mask, err);
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

/* A JSON array of strings or one "a,b,c" string, as one comma list. */
static int join_list(struct jctx *j, const char *key, json_object *v, char *list, size_t cap)
{
	size_t i, n, used = 0;
	int len;

	if (json_object_is_type(v, json_type_string)) {
		snprintf(list, cap, "%s", json_object_get_string(v));
		return 0;
	}
	if (!json_object_is_type(v, json_type_array))
		return jerr(j, key, "expected an array of names or a comma separated string");
	n = json_object_array_length(v);
	list[0] = '\0';
	for (i = 0; i < n; i++) {
		json_object *el = json_object_array_get_idx(v, i);

		if (!json_object_is_type(el, json_type_string))
			return jerr(j, key, "element %zu is not a string", i);
		len = snprintf(list + used, cap - used, "%s%s", i ? "," : "",
			       json_object_get_string(el));
		if (len < 0 || (size_t)len >= cap - used)
			return jerr(j, key, "list too long");
		used += (size_t)len;
	}
	return 0;
}

/* "dhe" and "aead": the session algorithms, in devauth's or the DMTF spelling. */
static int parse_session_algs(struct jctx *j, const char *key, json_object *v, uint32_t *out)
{
	char list[512];
	uint16_t m = 0;
	int ret = join_list(j, key, v, list, sizeof(list));

	if (ret)
		return ret;
	ret = key[0] == 'd' ? spdm_dhe_parse_list(list, &m) : spdm_aead_parse_list(list, &m);
	if (ret || !m)
		return jerr(j, key, "\"%s\": not a list of %s names", list,
			    key[0] == 'd' ? "DHE" : "AEAD");
	*out = m;
	return 0;
}

/* "psk-hex" and "psk-hint-hex": the PSK and its hint. */
static int parse_psk(struct jctx *j, const char *key, json_object *v,
		     struct rsp_device_config *c)
{
	bool hint = !strcmp(key, "psk-hint-hex");
	const char *s;
	int ret = j_string(j, key, v, &s);

	if (ret)
		return ret;
	if (hint)
		return j_hex(j, key, s, c->psk_hint, sizeof(c->psk_hint), &c->psk_hint_len);
	ret = j_hex(j, key, s, c->psk, sizeof(c->psk), &c->psk_len);
	if (!ret && !c->psk_len)
		ret = jerr(j, key, "an empty PSK");
	return ret;
}

static int parse_device(struct jctx *j, json_object *o, struct emu_dev_spec *d)
{
	struct rsp_device_config *c = &d->cfg;
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
			ret = j_names(j, k, v, emu_asym_names, &c->asym);
			if (!ret && !c->asym)
				ret = jerr(j, k, "empty list");
		} else if (!strcmp(k, "hash")) {
			ret = j_names(j, k, v, emu_hash_names, &c->hash);
			if (!ret && !c->hash)
				ret = jerr(j, k, "empty list");
		} else if (!strcmp(k, "meas-hash")) {
			ret = j_names(j, k, v, emu_meas_hash_names, &c->meas_hash);
			if (!ret && !c->meas_hash)
				ret = jerr(j, k, "empty list");
		} else if (!strcmp(k, "caps")) {
			ret = parse_caps(j, v, &c->caps);
		} else if (!strcmp(k, "ct-exponent")) {
			ret = j_uint(j, k, v, 255, &u);
			c->ct_exponent = (uint8_t)u;
		} else if (!strcmp(k, "data-transfer-size") || !strcmp(k, "max-spdm-msg-size")) {
			ret = j_uint(j, k, v, RSP_MAX_SPDM_MSG_SIZE, &u);
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
			ret = emu_parse_slots(j, v, c);
		} else if (!strcmp(k, "measurements")) {
			ret = emu_parse_measurements(j, v, c);
		} else if (!strcmp(k, "faults")) {
			ret = parse_faults(j, v, &c->faults);
		} else if (!strcmp(k, "dhe") || !strcmp(k, "aead")) {
			ret = parse_session_algs(j, k, v, k[0] == 'd' ? &c->dhe : &c->aead);
		} else if (!strcmp(k, "psk-hex") || !strcmp(k, "psk-hint-hex")) {
			ret = parse_psk(j, k, v, c);
		} else if (!strcmp(k, "tdisp")) {
			ret = emu_parse_tdisp(j, v, &c->tdisp);
		} else if (!strcmp(k, "heartbeat-period")) {
			ret = j_uint(j, k, v, 255, &u);
			c->heartbeat_period = (uint8_t)u;
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

int emu_config_load(const char *path, const struct emu_defaults *defs, struct emu_config *out,
		    struct da_err *err)
{
	struct jctx j = { .file = path, .devidx = -1, .err = err };
	json_object *root = NULL, *devs = NULL;
	const char *slash;
	size_t n, i, k;
	int ret;

	memset(out, 0, sizeof(*out));
	/* A device description is small; refuse anything absurd. */
	ret = da_json_load(path, 16u << 20, &root, err);
	if (ret)
		return ret;
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
	ret = emu_config_alloc(out, (unsigned int)n, defs);
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
	return ret;
}
