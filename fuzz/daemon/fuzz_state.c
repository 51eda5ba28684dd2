// SPDX-License-Identifier: MIT
/*
 * devauthd's state.json checks (src/devauthd/state.c): whoever can write
 * the file decides what comes up bound, so every byte is hostile.  Two
 * configured devices and one TSM; the input is the file's text.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "../../src/devauthd/devauthd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The daemon's log is main.c's; the fuzzer needs none. */
void dlog(const char *fmt, ...)
{
	(void)fmt;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct dev devs[2];
	struct daemon d = { .devs = devs, .n_devs = 2, .n_tsms = 1 };
	struct json_tokener *tok;
	struct da_err err = { 0 };
	json_object *root;

	if (size > 1 << 20)
		return 0;
	memset(devs, 0, sizeof(devs));
	snprintf(devs[0].name, sizeof(devs[0].name), "0000:01:00.0");
	snprintf(devs[1].name, sizeof(devs[1].name), "0000:02:00.0");
	snprintf(d.tsms[0].name, sizeof(d.tsms[0].name), "tsm0");
	tok = json_tokener_new();
	if (!tok)
		return 0;
	root = json_tokener_parse_ex(tok, (const char *)data, (int)size);
	if (root) {
		if (!state_load_obj(&d, "fuzz", root, &err)) {
			/* Whatever loads is consistent: the bound slot's digest is there. */
			for (size_t i = 0; i < 2; i++)
				if (devs[i].bound && (devs[i].neg.slot > 7 ||
						      !devs[i].bound_have[devs[i].neg.slot]))
					abort();
		}
		json_object_put(root);
	}
	json_tokener_free(tok);
	return 0;
}
