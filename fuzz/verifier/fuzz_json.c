// SPDX-License-Identifier: MIT
/*
 * The JSON reader every config, policy, pin and state file goes through,
 * with the identity object and the hex decoder on what it yields.
 */
#include "hex.h"
#include "json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cma_identity id = { 0 };
	unsigned int have, nulls;
	json_object *root = NULL;
	const char *key;
	uint8_t out[64];
	char what[96];
	size_t n;

	if (da_json_parse("fuzz", (const char *)data, size, 1 << 20, &root, NULL))
		return 0;
	da_json_identity(root, &id, &have, &nulls, &key, what, sizeof(what));
	if (!json_object_is_type(root, json_type_object))
		goto out;
	json_object_object_foreach(root, k, v) {
		(void)k;
		if (json_object_is_type(v, json_type_string))
			da_unhex_buf(json_object_get_string(v),
				     (size_t)json_object_get_string_len(v), out, sizeof(out), &n,
				     DA_HEX_SEPARATORS);
	}
out:
	json_object_put(root);
	return 0;
}
