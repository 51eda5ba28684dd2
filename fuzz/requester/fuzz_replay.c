// SPDX-License-Identifier: MIT
/*
 * A whole capture file, hostile: pcap parsing, deframing, and the
 * requester's replay of every message with every check, as
 * `devauth dump --verify` runs it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <devauth/pcap.h>
#include <devauth/requester.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct da_capture cap = { 0 };
	struct da_spdm_msg *msgs = NULL;
	struct spdm_req_config cfg;
	struct da_err err = { 0 };
	struct spdm_req *r;
	uint8_t *buf;
	size_t n = 0;

	buf = malloc(size ? size : 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	if (da_pcap_parse(buf, size, &cap, &err))
		return 0;
	if (da_capture_spdm(&cap, &msgs, &n, &err))
		goto out;
	spdm_req_config_default(&cfg);
	r = spdm_req_new(&cfg, NULL);
	if (r) {
		spdm_req_replay(r, msgs, n, &err);
		spdm_req_free(r);
	}
out:
	free(msgs);
	da_capture_free(&cap);
	return 0;
}
