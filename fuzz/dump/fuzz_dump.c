// SPDX-License-Identifier: MIT
/*
 * The capture describer (devauth/dump.h) over one plaintext message:
 * byte 0 picks the negotiated sizes (bits 0-1 the hash, 2-4 the
 * signature, 5-7 the version), the rest is the message.  Fed twice, so
 * that a response also meets what its request asked.  The line must
 * stay a NUL-terminated string within its buffer.  Then the same bytes
 * as a capture for the passive PSK opener: messages of the length their
 * first byte gives, each fed as plain and tried as secured.
 */
#include <string.h>

#include <devauth/dump.h>
#include <devauth/requester.h>
#include <devauth/spdm.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const size_t hash_sizes[4] = { 0, 32, 48, 64 };
static const size_t sig_sizes[8] = { 0, 64, 96, 132, 256, 384, 512, 114 };

static void passive(const uint8_t *data, size_t size)
{
	static const uint8_t psk[] = "TestPskData";
	struct da_err err = { 0 };
	struct spdm_passive *p = spdm_passive_new(NULL, &err);
	const uint8_t *spdm;
	size_t spdm_len;
	uint32_t id;
	bool rsp;

	if (!p)
		return;
	if (spdm_passive_setup(p, (uint8_t)(0x12 + (data[0] & 1) * 2), SPDM_HASH_SHA384,
			       SPDM_AEAD_AES_256_GCM, DA_FRAMING_PCI_DOE, data[0] & 2) ||
	    spdm_passive_set_psk(p, psk, sizeof(psk)))
		goto out;
	for (size_t off = 1; off < size;) {
		size_t n = data[off++];

		if (n > size - off)
			n = size - off;
		spdm_passive_plain(p, data + off, n);
		if (!spdm_passive_open(p, data + off, n, &spdm, &spdm_len, &rsp, &id) &&
		    spdm_len > 0x10000)
			__builtin_trap();
		off += n;
	}
out:
	spdm_passive_free(p);
}

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
	passive(data, size);
	return 0;
}
