// SPDX-License-Identifier: MIT
/*
 * The config file's "slots" (which certificate slots a device has and
 * the chain and key files in them) and "measurements" (its measurement
 * blocks).
 */
#include <stdio.h>
#include <string.h>

#include "emu_internal.h"

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

int emu_parse_slots(struct jctx *j, json_object *v, struct rsp_device_config *c)
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

static int parse_meas_block(struct jctx *j, size_t i, json_object *o, struct rsp_meas_block *b)
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
			    !emu_name_lookup(meas_type_names, json_object_get_string(v), &t)) {
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

int emu_parse_measurements(struct jctx *j, json_object *v, struct rsp_device_config *c)
{
	char key[64];
	size_t i, k, n;
	int ret;

	if (!json_object_is_type(v, json_type_array))
		return jerr(j, "measurements", "expected an array of blocks");
	n = json_object_array_length(v);
	if (n > RSP_MAX_MEAS_BLOCKS)
		return jerr(j, "measurements", "%zu blocks, at most %d", n, RSP_MAX_MEAS_BLOCKS);
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
