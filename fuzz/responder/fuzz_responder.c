// SPDX-License-Identifier: MIT
/*
 * A sequence of requests, each prefixed by a length byte, through one
 * connection to a default device (PCI DOE rules: up to 3 bytes of zero
 * padding allowed).  The device must never crash nor answer with more
 * than the buffer.  Seeds: the requester messages of the DMTF captures.
 */
#include <stdint.h>
#include <stdlib.h>

#include "cursor.h"
#include "responder/device.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct rsp_device *dev;

static struct rsp_device *device(void)
{
	struct rsp_device_config cfg;

	if (dev)
		return dev;
	rsp_device_config_default(&cfg, "0000:99:00.0", 0);
	/* keep key generation cheap: RSA leaves would dominate the run time */
	cfg.asym &= SPDM_ASYM_ECDSA_P256 | SPDM_ASYM_ECDSA_P384 | SPDM_ASYM_EDDSA_ED25519 |
		    SPDM_ASYM_RSASSA_2048 | SPDM_ASYM_RSAPSS_2048 | SPDM_ASYM_RSASSA_3072;
	if (rsp_device_create(&cfg, &dev, NULL))
		abort();
	return dev;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t rsp[70000];
	struct spdm_responder *r = spdm_responder_new(device(), DA_FRAMING_PCI_DOE);
	struct cur c = cur_init(data, size);
	uint8_t len;

	if (!r)
		return 0;
	while (!cur_u8(&c, &len)) {
		const uint8_t *req;
		size_t n = len < cur_left(&c) ? len : cur_left(&c);
		int ret;

		if (cur_ptr(&c, n, &req))
			break;
		ret = spdm_responder_handle(r, req, n, rsp, sizeof(rsp));
		if (ret > (int)sizeof(rsp))
			abort();
	}
	spdm_responder_free(r);
	return 0;
}
