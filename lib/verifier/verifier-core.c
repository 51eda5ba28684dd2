// SPDX-License-Identifier: MIT
/*
 * Helpers of the verifier's files (policy init, pins, revalidation,
 * the policy readers) that read a verdict or a policy value.  They call nothing of the
 * verifier, so every file here can use them without a circle.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hex.h"
#include "verifier_internal.h"

/* DMTF value types whose value is expected to change from boot to boot. */
bool da_meas_type_volatile(uint8_t dmtf_type)
{
	switch (dmtf_type & 0x7f) {
	case SPDM_DMTF_MEAS_HEM:
	case SPDM_DMTF_MEAS_INFORMATIONAL:
		return true;
	}
	return false;
}

bool da_verdict_find_block(const struct da_verdict *v, uint8_t index,
			   struct spdm_meas_block *out)
{
	struct cur c = cur_init(v->meas_record, v->meas_record_len);
	struct spdm_meas_block b;

	while (v->meas_record && spdm_meas_block_next(&c, &b, NULL) > 0) {
		if (b.index == index) {
			*out = b;
			return true;
		}
	}
	return false;
}


int da_policy_bad(struct da_err *err, const char *key, const char *what)
{
	return da_errf(err, -EINVAL, "policy: %s: %s", key, what);
}

int da_policy_uint(json_object *v, const char *key, uint64_t max, uint64_t *out,
		struct da_err *err)
{
	char what[96];

	if (da_json_uint(v, max, out, what, sizeof(what)))
		return da_policy_bad(err, key, what);
	return 0;
}

int da_policy_other_key(json_object *v, const char *name, const char *key, struct da_err *err)
{
	if (strcmp(name, "comment"))
		return da_policy_bad(err, key, "unknown key");
	return json_object_is_type(v, json_type_string) ? 0 :
	       da_policy_bad(err, key, "expected a string");
}
