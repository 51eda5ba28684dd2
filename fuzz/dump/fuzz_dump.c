// SPDX-License-Identifier: MIT
/*
 * The capture describer (devauth/dump.h) over one plaintext message:
 * byte 0 picks the negotiated sizes (bits 0-1 the hash, 2-4 the
 * signature, 5-7 the version), the rest is the message.  Fed twice, so
 * that a response also meets what its request asked.  The line must
 * stay a NUL-terminated string within its buffer.
 */
#include <string.h>

#include <devauth/dump.h>
#include <devauth/requester.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const size_t hash_sizes[4] = { 0, 32, 48, 64 };
static const size_t sig_sizes[8] = { 0, 64, 96, 132, 256, 384, 512, 114 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct spdm_req_info info;
	const char *proto, *name;
	char line[256], small[12];
	struct da_dump *d;

	if (size < 1)
		return 0;
	memset(&info, 0, sizeof(info));
	info.hash_size = hash_sizes[data[0] & 3];
	info.sig_size = sig_sizes[(data[0] >> 2) & 7];
	info.neg.version = (uint8_t)(0x10 + (data[0] >> 5));
	info.neg.measurement_hash = SPDM_MEAS_HASH_SHA384;
	d = da_dump_new(&info);
	if (!d)
		return 0;
	for (int i = 0; i < 2; i++) {
		memset(line, 0x55, sizeof(line));
		da_dump_describe(d, data + 1, size - 1, line, sizeof(line));
		if (!memchr(line, '\0', sizeof(line)))
			__builtin_trap();
	}
	memset(small, 0x55, sizeof(small));
	da_dump_describe(d, data + 1, size - 1, small, sizeof(small));
	if (!memchr(small, '\0', sizeof(small)))
		__builtin_trap();
	if (!da_dump_vendor_message(data + 1, size - 1, &proto, &name) &&
	    (!proto[0] || !name[0]))
		__builtin_trap();
	da_dump_free(d);
	return 0;
}
