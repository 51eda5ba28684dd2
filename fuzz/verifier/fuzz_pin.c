// SPDX-License-Identifier: MIT
/* The pin parser (docs/pin.md), hostile JSON; a parsed fatal pin is also checked. */
#include <devauth/verifier.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct da_pin_check_opts o = { 0 };
	struct da_pin_result r;
	struct da_pin *pin = NULL;

	if (da_pin_parse((const char *)data, size, &pin, NULL))
		return 0;
	/* Only fatal decides without evidence and without running anything. */
	if (pin->mode == DA_PIN_FATAL && !da_pin_check(pin, NULL, &o, &r, NULL))
		da_pin_result_free(&r);
	da_pin_free(pin);
	return 0;
}
