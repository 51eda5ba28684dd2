// SPDX-License-Identifier: MIT
/*
 * The keylog reader (`devauth dump --keylog`): any bytes either parse
 * into bounded entries or fail; every entry found is looked up again
 * and must be the first of its session and label.
 */
#include <stdint.h>
#include <string.h>

#include "session/session.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct da_err err = { 0 };
	struct spdm_keylog kl;

	if (spdm_keylog_parse(data, size, &kl, &err))
		return 0;
	for (size_t i = 0; i < kl.n; i++) {
		const struct spdm_keylog_entry *e = spdm_keylog_find(&kl, kl.e[i].id, kl.e[i].label);

		if (!e || e > &kl.e[i] || e->len > sizeof(e->value) || !e->len ||
		    strlen(e->label) >= sizeof(e->label))
			__builtin_trap();
	}
	spdm_keylog_free(&kl);
	return 0;
}
