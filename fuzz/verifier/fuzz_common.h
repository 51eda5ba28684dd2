/* SPDX-License-Identifier: MIT */
/* Shared by the verifier fuzz targets: verify whatever an importer produced. */
#ifndef DEVAUTH_FUZZ_VERIFIER_COMMON_H
#define DEVAUTH_FUZZ_VERIFIER_COMMON_H

#include <devauth/evidence.h>
#include <devauth/verifier.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The whole verifier over imported evidence: malformed or judged, never a crash. */
static inline void fuzz_verify(const struct da_evidence *ev)
{
	struct da_verify_opts o = { 0 };
	struct da_verdict v = { 0 };
	struct da_err err = { 0 };
	json_object *j;

	if (!da_verify(ev, &o, &v, &err)) {
		j = da_verdict_json(&v);
		json_object_put(j);
	}
	da_verdict_free(&v);
}

#endif
