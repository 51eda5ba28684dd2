// SPDX-License-Identifier: MIT
/* A hostile capture file: pcap reader, then the SPDM message walk. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <devauth/pcap.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct da_capture c;
	struct da_spdm_msg *m;
	struct da_err err = { 0 };
	uint8_t *buf = malloc(size ? size : 1);
	size_t n;
	volatile uint8_t sink = 0;

	if (!buf)
		return 0;
	if (size)
		memcpy(buf, data, size);
	if (da_pcap_parse(buf, size, &c, &err))
		return 0;
	if (!da_capture_spdm(&c, &m, &n, &err)) {
		/* Touch every byte handed out, so ASan checks the bounds. */
		for (size_t i = 0; i < n; i++)
			for (size_t k = 0; k < m[i].len; k++)
				sink ^= m[i].data[k];
		free(m);
	}
	da_capture_free(&c);
	(void)sink;
	return 0;
}
