// SPDX-License-Identifier: MIT
/*
 * Revalidation pins (docs/pin.md): what a later re-challenge must find
 * again, derived from an accepted verdict.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto/crypto.h"
#include "hex.h"
#include "verifier_internal.h"

static const char *const mode_names[] = {
	[DA_PIN_EXACT] = "exact",
	[DA_PIN_SAME_KEY] = "same-key",
	[DA_PIN_SAME_DEVICE] = "same-device",
	[DA_PIN_EXEC] = "exec",
	[DA_PIN_FATAL] = "fatal",
};

int da_pin_mode_parse(const char *s, enum da_pin_mode *mode)
{
	for (unsigned int i = 0; i < sizeof(mode_names) / sizeof(mode_names[0]); i++) {
		if (!strcmp(s, mode_names[i])) {
			*mode = (enum da_pin_mode)i;
			return 0;
		}
	}
	return -EINVAL;
}

const char *da_pin_mode_name(enum da_pin_mode mode)
{
	return (unsigned int)mode < sizeof(mode_names) / sizeof(mode_names[0]) ?
	       mode_names[mode] : "unknown";
}

int da_pin_from_verdict(const struct da_verdict *v, enum da_pin_mode mode,
			const struct da_policy *policy, json_object **out, struct da_err *err)
{
	json_object *j, *ms, *vl;
	struct spdm_meas_block b;
	uint8_t h[SPDM_MAX_HASH_SIZE];
	uint32_t dig_alg;
	struct cur c;
	char buf[16];

	*out = NULL;
	if (!v->accepted || !v->replayed)
		return da_errf(err, -EKEYREJECTED, "pin: the evidence was not accepted: %s",
			       v->reason);
	if ((unsigned int)mode > DA_PIN_SAME_DEVICE)
		return da_errf(err, -EINVAL, "pin: mode %s is not derived from evidence",
			       da_pin_mode_name(mode));
	if (!v->leaf_spki_len)
		return da_errf(err, -ENOENT, "pin: no leaf public key");
	j = json_object_new_object();
	json_object_object_add(j, "version", json_object_new_int(1));
	json_object_object_add(j, "mode", json_object_new_string(da_pin_mode_name(mode)));
	snprintf(buf, sizeof(buf), "%u.%u", v->neg.version >> 4, v->neg.version & 0xf);
	json_object_object_add(j, "spdm_version", json_object_new_string(buf));
	json_object_object_add(j, "slot", json_object_new_int(v->neg.slot));
	json_object_object_add(j, "base_asym",
			       json_object_new_string(spdm_asym_name(v->neg.base_asym)));
	json_object_object_add(j, "base_hash",
			       json_object_new_string(spdm_hash_name(v->neg.base_hash)));
	json_object_object_add(j, "leaf_spki", da_json_hex(v->leaf_spki, v->leaf_spki_len));
	if (mode == DA_PIN_SAME_KEY) {
		*out = j;
		return 0;
	}
	if (mode == DA_PIN_EXACT)
		json_object_object_add(j, "chain_hash", da_json_hex(v->chain_hash, v->hash_size));
	if (v->identity[0])
		json_object_object_add(j, "identity", json_object_new_string(v->identity));
	/* Raw blocks are pinned by digest too: MeasurementHash, or BaseHash if raw only. */
	dig_alg = spdm_meas_hash_size(v->neg.measurement_hash) ? v->neg.measurement_hash : 0;
	json_object_object_add(j, "digest_algorithm", json_object_new_string(
		dig_alg ? spdm_meas_hash_name(dig_alg) : spdm_hash_name(v->neg.base_hash)));
	ms = json_object_new_array();
	vl = json_object_new_array();
	c = cur_init(v->meas_record, v->meas_record_len);
	while (v->meas_record && spdm_meas_block_next(&c, &b, NULL) > 0) {
		json_object *m;
		size_t hs;

		if (da_policy_is_volatile(policy, b.index) || da_meas_type_volatile(b.dmtf_type)) {
			json_object_array_add(vl, json_object_new_int(b.index));
			continue;
		}
		if (!(b.dmtf_type & SPDM_DMTF_MEAS_RAW_BIT)) {
			hs = b.value_size;
			memcpy(h, b.value, hs > sizeof(h) ? sizeof(h) : hs);
			hs = hs > sizeof(h) ? sizeof(h) : hs;
		} else if (dig_alg) {
			hs = spdm_meas_hash_size(dig_alg);
			if (spdm_meas_hash(dig_alg, b.value, b.value_size, h))
				goto fail;
		} else {
			hs = spdm_hash_size(v->neg.base_hash);
			if (spdm_hash(v->neg.base_hash, b.value, b.value_size, h))
				goto fail;
		}
		m = json_object_new_object();
		json_object_object_add(m, "index", json_object_new_int(b.index));
		json_object_object_add(m, "digest", da_json_hex(h, hs));
		json_object_array_add(ms, m);
	}
	json_object_object_add(j, "measurements", ms);
	json_object_object_add(j, "volatile", vl);
	*out = j;
	return 0;
fail:
	json_object_put(ms);
	json_object_put(vl);
	json_object_put(j);
	return da_errf(err, -EIO, "pin: hashing measurement block %u failed", b.index);
}

int da_json_write_file(json_object *j, const char *path, struct da_err *err)
{
	const char *s = json_object_to_json_string_ext(j, JSON_C_TO_STRING_PRETTY |
						      JSON_C_TO_STRING_NOSLASHESCAPE);
	FILE *f;
	char tmp[4096];
	int fd, ret = 0;

	if (!s)
		return da_errf(err, -ENOMEM, "%s: out of memory", path);
	if (snprintf(tmp, sizeof(tmp), "%s.tmpXXXXXX", path) >= (int)sizeof(tmp))
		return da_errf(err, -ENAMETOOLONG, "%s: path too long", path);
	fd = mkstemp(tmp);
	if (fd < 0)
		return da_errf(err, -errno, "%s: %s", tmp, strerror(errno));
	f = fdopen(fd, "w");
	if (!f) {
		ret = da_errf(err, -errno, "%s: %s", tmp, strerror(errno));
		close(fd);
		unlink(tmp);
		return ret;
	}
	/* Readers never see half a file: data on disk, then the name. */
	if (fprintf(f, "%s\n", s) < 0 || fflush(f) || fchmod(fd, 0644) || fsync(fd))
		ret = da_errf(err, -EIO, "%s: write failed", tmp);
	if (fclose(f) && !ret)
		ret = da_errf(err, -EIO, "%s: close failed", tmp);
	if (!ret && rename(tmp, path))
		ret = da_errf(err, -errno, "%s: rename: %s", path, strerror(errno));
	if (ret)
		unlink(tmp);
	return ret;
}
