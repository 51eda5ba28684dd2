// SPDX-License-Identifier: MIT
/*
 * The pin file (docs/pin.md): hostile input like any other -- json-c
 * from a bounded buffer, unknown keys refused, every value checked for
 * type and range, every error naming the key -- and the mode names.
 * What a pin is checked against lives in revalidate.c.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/x509.h>

#include "crypto/crypto.h"
#include "cursor.h"
#include "hex.h"
#include "json.h"
#include "verifier_internal.h"

#include "file.h"

void da_pin_free(struct da_pin *pin)
{
	if (!pin)
		return;
	free(pin->path);
	free(pin->leaf_spki);
	free(pin->exec_program);
	free(pin);
}

/* ---- the pin file ---- */

static int bad(struct da_err *err, const char *key, const char *what)
{
	return da_errf(err, -EINVAL, "pin: %s: %s", key, what);
}

/* Hex string -> at most max bytes into out. */
static int get_hex(json_object *v, const char *key, uint8_t *out, size_t max, size_t *n,
		   struct da_err *err)
{
	size_t len;

	if (!json_object_is_type(v, json_type_string))
		return bad(err, key, "expected a hex string");
	len = (size_t)json_object_get_string_len(v);
	if (!len || len % 2)
		return bad(err, key, "expected an even, non-zero number of hex digits");
	if (len / 2 > max)
		return da_errf(err, -EINVAL, "pin: %s: %zu bytes, at most %zu allowed", key,
			       len / 2, max);
	if (da_unhex_buf(json_object_get_string(v), len, out, max, n, 0))
		return bad(err, key, "expected hex digits");
	return 0;
}

static int get_int(json_object *v, const char *key, int64_t min, int64_t max, int64_t *out,
		   struct da_err *err)
{
	int64_t i;

	if (!json_object_is_type(v, json_type_int))
		return bad(err, key, "expected an integer");
	i = json_object_get_int64(v);
	if (i < min || i > max)
		return da_errf(err, -EINVAL, "pin: %s: %lld is out of range %lld-%lld", key,
			       (long long)i, (long long)min, (long long)max);
	*out = i;
	return 0;
}

static int get_string(json_object *v, const char *key, char *out, size_t cap,
		      struct da_err *err)
{
	size_t len;

	if (!json_object_is_type(v, json_type_string))
		return bad(err, key, "expected a string");
	len = (size_t)json_object_get_string_len(v);
	if (len >= cap)
		return da_errf(err, -EINVAL, "pin: %s: longer than %zu characters", key, cap - 1);
	/* json-c strings may hold NULs; a name with one is not a name. */
	if (strlen(json_object_get_string(v)) != len)
		return bad(err, key, "contains a NUL character");
	memcpy(out, json_object_get_string(v), len + 1);
	return 0;
}

typedef const char *(*name_fn)(uint32_t bit);

static int get_alg(json_object *v, const char *key, name_fn fn, uint32_t *out,
		   struct da_err *err)
{
	char s[32];
	int ret = get_string(v, key, s, sizeof(s), err);

	if (ret)
		return ret;
	for (unsigned int b = 0; b < 32 && strcmp(s, "unknown"); b++) {
		if (!strcmp(fn(1u << b), s)) {
			*out = 1u << b;
			return 0;
		}
	}
	return da_errf(err, -EINVAL, "pin: %s: unknown algorithm \"%s\"", key, s);
}

static int get_measurements(json_object *v, struct da_pin *pin, struct da_err *err)
{
	uint8_t seen[32] = { 0 };
	char k[96];

	if (!json_object_is_type(v, json_type_array))
		return bad(err, "measurements", "expected an array");
	if (json_object_array_length(v) > 256)
		return bad(err, "measurements", "more than 256 entries");
	for (size_t i = 0; i < json_object_array_length(v); i++) {
		json_object *e = json_object_array_get_idx(v, i), *x;
		struct da_pin_meas *m = &pin->meas[pin->nmeas];
		size_t n = 0;
		int64_t idx = 0;
		int ret;

		snprintf(k, sizeof(k), "measurements[%zu]", i);
		if (!json_object_is_type(e, json_type_object))
			return bad(err, k, "expected an object with index and digest");
		json_object_object_foreach(e, key, val) {
			(void)val;
			if (strcmp(key, "index") && strcmp(key, "digest")) {
				snprintf(k, sizeof(k), "measurements[%zu].%.32s", i, key);
				return bad(err, k, "unknown key");
			}
		}
		snprintf(k, sizeof(k), "measurements[%zu].index", i);
		if (!json_object_object_get_ex(e, "index", &x))
			return bad(err, k, "missing");
		ret = get_int(x, k, 0, 255, &idx, err);
		if (ret)
			return ret;
		if (seen[idx / 8] & (1u << (idx % 8)))
			return da_errf(err, -EINVAL, "pin: %s: index %lld is pinned twice", k,
				       (long long)idx);
		seen[idx / 8] |= (uint8_t)(1u << (idx % 8));
		snprintf(k, sizeof(k), "measurements[%zu].digest", i);
		if (!json_object_object_get_ex(e, "digest", &x))
			return bad(err, k, "missing");
		ret = get_hex(x, k, m->digest, sizeof(m->digest), &n, err);
		if (ret)
			return ret;
		m->index = (uint8_t)idx;
		m->digest_len = (uint8_t)n;
		pin->nmeas++;
	}
	return 0;
}

static int get_volatile(json_object *v, struct da_pin *pin, struct da_err *err)
{
	char k[32];

	if (!json_object_is_type(v, json_type_array))
		return bad(err, "volatile", "expected an array of indices");
	for (size_t i = 0; i < json_object_array_length(v); i++) {
		int64_t idx = 0;
		int ret;

		snprintf(k, sizeof(k), "volatile[%zu]", i);
		ret = get_int(json_object_array_get_idx(v, i), k, 0, 255, &idx, err);
		if (ret)
			return ret;
		pin->volatile_idx[idx / 8] |= (uint8_t)(1u << (idx % 8));
	}
	return 0;
}

static int get_exec(json_object *v, struct da_pin *pin, struct da_err *err)
{
	json_object *x;
	char path[4096];
	int64_t ms = 0;
	int ret;

	if (!json_object_is_type(v, json_type_object))
		return bad(err, "exec", "expected an object with program and timeout_ms");
	json_object_object_foreach(v, key, val) {
		char k[48];

		(void)val;
		if (strcmp(key, "program") && strcmp(key, "timeout_ms")) {
			snprintf(k, sizeof(k), "exec.%.32s", key);
			return bad(err, k, "unknown key");
		}
	}
	if (!json_object_object_get_ex(v, "program", &x))
		return bad(err, "exec.program", "missing");
	ret = get_string(x, "exec.program", path, sizeof(path), err);
	if (ret)
		return ret;
	/* No shell and no PATH search: the pin names exactly what runs. */
	if (path[0] != '/')
		return bad(err, "exec.program", "must be an absolute path");
	pin->exec_program = strdup(path);
	if (!pin->exec_program)
		return da_errf(err, -ENOMEM, "pin: out of memory");
	pin->exec_timeout_ms = DA_PIN_EXEC_DEFAULT_MS;
	if (json_object_object_get_ex(v, "timeout_ms", &x)) {
		ret = get_int(x, "exec.timeout_ms", 1, DA_PIN_EXEC_MAX_MS, &ms, err);
		if (ret)
			return ret;
		pin->exec_timeout_ms = (unsigned int)ms;
	}
	return 0;
}

static const char *const known_keys[] = {
	"version", "mode", "spdm_version", "slot", "base_asym", "base_hash", "leaf_spki",
	"chain_hash", "identity", "digest_algorithm", "measurements", "volatile", "exec",
};

static int parse_obj(json_object *root, struct da_pin *pin, struct da_err *err)
{
	uint8_t spki[8192];
	json_object *v;
	char s[32];
	int64_t i;
	int ret;

	if (!json_object_is_type(root, json_type_object))
		return bad(err, "(top level)", "expected a JSON object");
	json_object_object_foreach(root, key, val) {
		bool known = false;

		(void)val;
		for (size_t k = 0; k < sizeof(known_keys) / sizeof(known_keys[0]); k++)
			known |= !strcmp(key, known_keys[k]);
		if (!known) {
			snprintf(s, sizeof(s), "%.31s", key);
			return bad(err, s, "unknown key");
		}
	}
	if (!json_object_object_get_ex(root, "version", &v))
		return bad(err, "version", "missing");
	ret = get_int(v, "version", 1, 1, &i, err);
	if (ret)
		return ret;
	if (!json_object_object_get_ex(root, "mode", &v))
		return bad(err, "mode", "missing");
	ret = get_string(v, "mode", s, sizeof(s), err);
	if (ret)
		return ret;
	if (da_pin_mode_parse(s, &pin->mode))
		return da_errf(err, -EINVAL,
			       "pin: mode: \"%s\" is not exact, same-key, same-device, exec or fatal",
			       s);
	if (json_object_object_get_ex(root, "spdm_version", &v)) {
		unsigned int minor;
		char extra;

		ret = get_string(v, "spdm_version", s, sizeof(s), err);
		if (ret)
			return ret;
		if (sscanf(s, "1.%u%c", &minor, &extra) != 1 || minor > 4)
			return bad(err, "spdm_version", "expected \"1.0\" .. \"1.4\"");
		pin->neg.version = (uint8_t)(0x10 | minor);
	}
	if (json_object_object_get_ex(root, "slot", &v)) {
		ret = get_int(v, "slot", 0, SPDM_MAX_SLOTS - 1, &i, err);
		if (ret)
			return ret;
		pin->have_slot = true;
		pin->neg.slot = (uint8_t)i;
	}
	if (json_object_object_get_ex(root, "base_asym", &v)) {
		ret = get_alg(v, "base_asym", spdm_asym_name, &pin->neg.base_asym, err);
		if (ret)
			return ret;
	}
	if (json_object_object_get_ex(root, "base_hash", &v)) {
		ret = get_alg(v, "base_hash", spdm_hash_name, &pin->neg.base_hash, err);
		if (ret)
			return ret;
	}
	if (json_object_object_get_ex(root, "leaf_spki", &v)) {
		const unsigned char *p = spki;
		EVP_PKEY *k;
		size_t n = 0;

		ret = get_hex(v, "leaf_spki", spki, sizeof(spki), &n, err);
		if (ret)
			return ret;
		/* Refuse a key we could not verify with now, not at the first reset. */
		k = d2i_PUBKEY(NULL, &p, (long)n);
		if (!k || p != spki + n) {
			EVP_PKEY_free(k);
			return bad(err, "leaf_spki", "not a DER SubjectPublicKeyInfo");
		}
		EVP_PKEY_free(k);
		pin->leaf_spki = malloc(n);
		if (!pin->leaf_spki)
			return da_errf(err, -ENOMEM, "pin: out of memory");
		memcpy(pin->leaf_spki, spki, n);
		pin->leaf_spki_len = n;
	}
	if (json_object_object_get_ex(root, "chain_hash", &v)) {
		ret = get_hex(v, "chain_hash", pin->chain_hash, sizeof(pin->chain_hash),
			      &pin->chain_hash_len, err);
		if (ret)
			return ret;
	}
	if (json_object_object_get_ex(root, "identity", &v)) {
		ret = get_string(v, "identity", pin->identity, sizeof(pin->identity), err);
		if (ret)
			return ret;
	}
	if (json_object_object_get_ex(root, "digest_algorithm", &v)) {
		ret = get_string(v, "digest_algorithm", pin->digest_algorithm,
				 sizeof(pin->digest_algorithm), err);
		if (ret)
			return ret;
	}
	if (json_object_object_get_ex(root, "measurements", &v)) {
		ret = get_measurements(v, pin, err);
		if (ret)
			return ret;
	}
	if (json_object_object_get_ex(root, "volatile", &v)) {
		ret = get_volatile(v, pin, err);
		if (ret)
			return ret;
	}
	if (json_object_object_get_ex(root, "exec", &v)) {
		ret = get_exec(v, pin, err);
		if (ret)
			return ret;
	}

	/* What each mode cannot do without. */
	switch (pin->mode) {
	case DA_PIN_EXACT:
		if (!pin->chain_hash_len)
			return bad(err, "chain_hash", "missing (mode exact compares it)");
		/* fallthrough */
	case DA_PIN_SAME_DEVICE:
	case DA_PIN_SAME_KEY:
		if (!pin->leaf_spki)
			return da_errf(err, -EINVAL, "pin: leaf_spki: missing (mode %s compares it)",
				       da_pin_mode_name(pin->mode));
		if (pin->nmeas && !pin->digest_algorithm[0])
			return bad(err, "digest_algorithm",
				   "missing (measurements are pinned)");
		break;
	case DA_PIN_EXEC:
		if (!pin->exec_program)
			return bad(err, "exec", "missing (mode exec runs its program)");
		break;
	case DA_PIN_FATAL:
		break;
	}
	if (pin->exec_program && pin->mode != DA_PIN_EXEC)
		return da_errf(err, -EINVAL, "pin: exec: only meaningful in mode exec, not %s",
			       da_pin_mode_name(pin->mode));
	return 0;
}

int da_pin_parse(const char *json, size_t len, struct da_pin **out, struct da_err *err)
{
	struct da_pin *pin;
	json_object *root;
	int ret;

	*out = NULL;
	ret = da_json_parse("pin", json, len, DA_PIN_MAX_SIZE, &root, err);
	if (ret)
		return ret;
	pin = calloc(1, sizeof(*pin));
	if (!pin) {
		json_object_put(root);
		return da_errf(err, -ENOMEM, "pin: out of memory");
	}
	ret = parse_obj(root, pin, err);
	json_object_put(root);
	if (ret) {
		da_pin_free(pin);
		return ret;
	}
	*out = pin;
	return 0;
}

int da_pin_load(const char *path, struct da_pin **out, struct da_err *err)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	int ret;

	*out = NULL;
	ret = da_read_file(path, &buf, &len, DA_PIN_MAX_SIZE, err);
	if (ret)
		return ret;
	ret = da_pin_parse((const char *)buf, len, out, err);
	free(buf);
	if (ret) {
		da_err_prefix(err, "%s", path);
		return ret;
	}
	(*out)->path = strdup(path);
	if (!(*out)->path) {
		da_pin_free(*out);
		*out = NULL;
		return da_errf(err, -ENOMEM, "%s: out of memory", path);
	}
	return 0;
}

