// SPDX-License-Identifier: MIT
/*
 * The policy's "tdisp" section, hostile JSON: read it, and when it
 * reads, check a fixed interface report against it (every comparison
 * and message formatting over whatever the section holds).
 */
#include <devauth/verifier.h>

#include "verifier/verifier_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* INTERFACE_INFO 0x0003, two MMIO ranges, 4 bytes of device-specific info. */
static const uint8_t report[] = {
	0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x02, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
	0x04, 0x00, 0x00, 0x00,
	0x00, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00,
	0x01, 0x00, 0x01, 0x00,
	0x04, 0x00, 0x00, 0x00, 0xde, 0xad, 0xbe, 0xef,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct da_verdict v = { .have_tdisp_lock = true, .tdisp_version = 0x10 };
	struct da_policy *p = NULL;

	if (da_policy_parse((const char *)data, size, &p, NULL))
		return 0;
	da_tdisp_check(p, report, sizeof(report), &v);
	v.have_tdisp_lock = false;
	da_tdisp_check(p, NULL, 0, &v);
	da_checklist_free(&v.checks);
	da_policy_free(p);
	return 0;
}
