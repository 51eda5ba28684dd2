// SPDX-License-Identifier: MIT
/* The policy parser, hostile JSON. */
#include <devauth/verifier.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct da_policy *p = NULL;

	if (!da_policy_parse((const char *)data, size, &p, NULL))
		da_policy_free(p);
	return 0;
}
