// SPDX-License-Identifier: MIT
/*
 * Transport framings: exact bytes against the DOE discovery objects of
 * the DMTF captures, round trips for every framing and payload kind, and
 * the rejects a hostile device can provoke.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <devauth/transport.h>

#include "transport/framing.h"

/* Records 0..5 of every DMTF capture: the DOE discovery walk. */
static const uint8_t cap_disc_req0[] = { 0x01, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00,
					 0x00, 0x00, 0x00, 0x00 };
static const uint8_t cap_disc_rsp0[] = { 0x01, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00,
					 0x01, 0x00, 0x00, 0x01 };

static void test_framing_names(void **state)
{
	enum da_framing f;

	assert_int_equal(da_framing_parse("none", &f), 0);
	assert_int_equal(f, DA_FRAMING_NONE);
	assert_int_equal(da_framing_parse("mctp", &f), 0);
	assert_int_equal(f, DA_FRAMING_MCTP);
	assert_int_equal(da_framing_parse("pci-doe", &f), 0);
	assert_int_equal(f, DA_FRAMING_PCI_DOE);
	assert_int_equal(da_framing_parse("tcp", &f), -EINVAL);
	assert_int_equal(da_framing_parse("", &f), -EINVAL);
	assert_string_equal(da_framing_name(DA_FRAMING_PCI_DOE), "pci-doe");
	assert_string_equal(da_framing_name(DA_FRAMING_MCTP), "mctp");
	assert_string_equal(da_framing_name(DA_FRAMING_NONE), "none");
	assert_int_equal(da_framing_max_pad(DA_FRAMING_PCI_DOE), 3);
	assert_int_equal(da_framing_max_pad(DA_FRAMING_MCTP), 0);
	assert_int_equal(da_framing_max_pad(DA_FRAMING_NONE), 0);
}

static void test_doe_exact_bytes(void **state)
{
	static const uint8_t get_version[] = { 0x10, 0x84, 0x00, 0x00, 0x01 };
	static const uint8_t want[] = { 0x01, 0x00, 0x01, 0x00, 0x04, 0x00, 0x00, 0x00,
					0x10, 0x84, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00 };
	uint8_t buf[64];
	struct wcur w = wcur_init(buf, sizeof(buf));

	assert_int_equal(da_frame_encode(DA_FRAMING_PCI_DOE, DA_PAYLOAD_SPDM, get_version,
					 sizeof(get_version), &w), (int)sizeof(want));
	assert_memory_equal(buf, want, sizeof(want));

	w = wcur_init(buf, sizeof(buf));
	assert_int_equal(da_frame_encode(DA_FRAMING_MCTP, DA_PAYLOAD_SECURED_SPDM, get_version,
					 sizeof(get_version), &w), 6);
	assert_int_equal(buf[0], 0x06);
	assert_memory_equal(buf + 1, get_version, sizeof(get_version));

	/* Too small a buffer is the cursor's -ENOSPC. */
	w = wcur_init(buf, 10);
	assert_int_equal(da_frame_encode(DA_FRAMING_PCI_DOE, DA_PAYLOAD_SPDM, get_version,
					 sizeof(get_version), &w), -ENOSPC);
}

static void test_round_trips(void **state)
{
	static const enum da_framing fr[] = { DA_FRAMING_NONE, DA_FRAMING_MCTP,
					      DA_FRAMING_PCI_DOE };
	static const enum da_payload_kind kinds[] = { DA_PAYLOAD_SPDM, DA_PAYLOAD_SECURED_SPDM,
						      DA_PAYLOAD_DOE_DISCOVERY };
	static const size_t lens[] = { 1, 2, 3, 4, 5, 7, 8, 9, 1000, 4093 };
	uint8_t msg[4096], buf[4200];

	for (size_t i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)(i * 7 + 1);
	for (size_t fi = 0; fi < 3; fi++) {
		for (size_t ki = 0; ki < 3; ki++) {
			for (size_t li = 0; li < sizeof(lens) / sizeof(lens[0]); li++) {
				struct wcur w = wcur_init(buf, sizeof(buf));
				enum da_payload_kind kind;
				const uint8_t *p;
				size_t plen, len = lens[li];
				struct da_err err = { 0 };
				int n;

				n = da_frame_encode(fr[fi], kinds[ki], msg, len, &w);
				if ((fr[fi] == DA_FRAMING_NONE && kinds[ki] != DA_PAYLOAD_SPDM) ||
				    (fr[fi] == DA_FRAMING_MCTP &&
				     kinds[ki] == DA_PAYLOAD_DOE_DISCOVERY)) {
					assert_int_equal(n, -EINVAL);
					continue;
				}
				assert_true(n > 0);
				assert_int_equal(da_frame_decode(fr[fi], buf, (size_t)n, &kind,
								 &p, &plen, &err), 0);
				assert_int_equal(err.code, 0);
				assert_int_equal(kind, kinds[ki]);
				assert_memory_equal(p, msg, len);
				if (fr[fi] == DA_FRAMING_PCI_DOE) {
					/* The padding stays and is zero. */
					assert_int_equal(plen, (len + 3) & ~(size_t)3);
					assert_int_equal(n % 4, 0);
					for (size_t k = len; k < plen; k++)
						assert_int_equal(p[k], 0);
				} else {
					assert_int_equal(plen, len);
				}
			}
		}
	}
}

static int decode_err(enum da_framing f, const uint8_t *b, size_t len, const char *needle)
{
	enum da_payload_kind kind;
	const uint8_t *p;
	size_t plen;
	struct da_err err = { 0 };
	int ret = da_frame_decode(f, b, len, &kind, &p, &plen, &err);

	assert_int_equal(err.code, ret);
	if (needle && !strstr(err.msg, needle))
		fail_msg("message \"%s\" lacks \"%s\"", err.msg, needle);
	return ret;
}

static void test_doe_rejects(void **state)
{
	uint8_t b[16];

	memcpy(b, cap_disc_rsp0, 12);
	assert_int_equal(decode_err(DA_FRAMING_PCI_DOE, b, 12, NULL), 0);

	b[0] = 0x02;	/* vendor 0x0002 */
	assert_int_equal(decode_err(DA_FRAMING_PCI_DOE, b, 12, "Vendor ID 0x0002"), -EBADMSG);

	memcpy(b, cap_disc_rsp0, 12);
	b[4] = 4;	/* 4 dwords claimed, 3 received */
	assert_int_equal(decode_err(DA_FRAMING_PCI_DOE, b, 12, "Length 4 dwords"), -EBADMSG);
	b[4] = 2;
	assert_int_equal(decode_err(DA_FRAMING_PCI_DOE, b, 12, "Length 2 dwords"), -EBADMSG);
	b[4] = 0;	/* 0 = 2^18 dwords */
	assert_int_equal(decode_err(DA_FRAMING_PCI_DOE, b, 12, "Length 262144"), -EBADMSG);

	/* Reserved bits above the 18-bit length are ignored. */
	memcpy(b, cap_disc_rsp0, 12);
	b[6] = 0x04;
	b[7] = 0x80;
	assert_int_equal(decode_err(DA_FRAMING_PCI_DOE, b, 12, NULL), 0);

	memcpy(b, cap_disc_rsp0, 12);
	b[12] = 0;
	assert_int_equal(decode_err(DA_FRAMING_PCI_DOE, b, 13, "not whole dwords"),
			 -EBADMSG);
	assert_int_equal(decode_err(DA_FRAMING_PCI_DOE, b, 4, "shorter than the 8-byte header"),
			 -EBADMSG);
	assert_int_equal(decode_err(DA_FRAMING_PCI_DOE, b, 0, "shorter"), -EBADMSG);

	b[2] = 3;	/* unknown data object type */
	assert_int_equal(decode_err(DA_FRAMING_PCI_DOE, b, 12, "Data Object Type 3"), -EBADMSG);
}

static void test_doe_max_size(void **state)
{
	size_t max = (size_t)1 << 20;
	uint8_t *big = calloc(1, max + 8), *msg = calloc(1, max);
	struct wcur w = wcur_init(big, max + 8);
	enum da_payload_kind kind;
	const uint8_t *p;
	size_t plen;

	assert_non_null(big);
	assert_non_null(msg);
	/* The largest object: 2^18 dwords, written as Length 0. */
	assert_int_equal(da_frame_encode(DA_FRAMING_PCI_DOE, DA_PAYLOAD_SPDM, msg, max - 8, &w),
			 (int)max);
	assert_int_equal(big[4] | big[5] | big[6] | big[7], 0);
	assert_int_equal(da_frame_decode(DA_FRAMING_PCI_DOE, big, max, &kind, &p, &plen, NULL),
			 0);
	assert_int_equal(plen, max - 8);
	/* One dword more cannot be expressed. */
	w = wcur_init(big, max + 8);
	assert_int_equal(da_frame_encode(DA_FRAMING_PCI_DOE, DA_PAYLOAD_SPDM, msg, max - 7, &w),
			 -EMSGSIZE);
	assert_int_equal(decode_err(DA_FRAMING_PCI_DOE, big, max + 4, "exceeds"), -EBADMSG);
	free(big);
	free(msg);
}

static void test_mctp_none_rejects(void **state)
{
	static const uint8_t pldm[] = { 0x01, 0x10, 0x84 };
	static const uint8_t ic[] = { 0x85, 0x10, 0x84 };
	static const uint8_t spdm[] = { 0x05, 0x10, 0x84, 0x00, 0x00 };
	enum da_payload_kind kind;
	const uint8_t *p;
	size_t plen;

	assert_int_equal(decode_err(DA_FRAMING_MCTP, pldm, sizeof(pldm), "Message Type 0x01"),
			 -EBADMSG);
	assert_int_equal(decode_err(DA_FRAMING_MCTP, ic, sizeof(ic), "Message Type 0x85"),
			 -EBADMSG);
	assert_int_equal(decode_err(DA_FRAMING_MCTP, spdm, 0, "empty"), -EBADMSG);
	assert_int_equal(decode_err(DA_FRAMING_NONE, spdm, 0, "empty"), -EBADMSG);
	assert_int_equal(da_frame_decode(DA_FRAMING_MCTP, spdm, sizeof(spdm), &kind, &p, &plen,
					 NULL), 0);
	assert_int_equal(kind, DA_PAYLOAD_SPDM);
	assert_int_equal(plen, 4);
	assert_ptr_equal(p, spdm + 1);
	assert_int_equal(decode_err((enum da_framing)7, spdm, sizeof(spdm), "unknown framing"),
			 -EINVAL);
}

static void test_doe_discovery_matches_capture(void **state)
{
	uint8_t buf[32];
	struct wcur w = wcur_init(buf, sizeof(buf));
	enum da_payload_kind kind;
	const uint8_t *p;
	size_t plen;
	uint16_t vendor;
	uint8_t type, next;
	static const uint8_t want_type[3] = { 0, 1, 2 }, want_next[3] = { 1, 2, 0 };

	assert_int_equal(da_doe_discovery_request(0, &w), 12);
	assert_memory_equal(buf, cap_disc_req0, 12);

	for (uint8_t i = 0; i < 4; i++) {
		uint8_t req[32];
		struct wcur wr = wcur_init(req, sizeof(req));
		uint8_t idx = i < 3 ? i : 3;

		assert_int_equal(da_doe_discovery_request(idx, &wr), 12);
		assert_int_equal(da_frame_decode(DA_FRAMING_PCI_DOE, req, 12, &kind, &p, &plen,
						 NULL), 0);
		assert_int_equal(kind, DA_PAYLOAD_DOE_DISCOVERY);
		w = wcur_init(buf, sizeof(buf));
		assert_int_equal(da_doe_discovery_answer(p, plen, &w, NULL), 12);
		if (i == 0)
			assert_memory_equal(buf, cap_disc_rsp0, 12);
		assert_int_equal(da_frame_decode(DA_FRAMING_PCI_DOE, buf, 12, &kind, &p, &plen,
						 NULL), 0);
		assert_int_equal(da_doe_discovery_parse(p, plen, &vendor, &type, &next, NULL), 0);
		assert_int_equal(vendor, 1);
		assert_int_equal(type, want_type[i < 3 ? i : 2]);
		assert_int_equal(next, want_next[i < 3 ? i : 2]);
	}
	{
		struct da_err err = { 0 };

		assert_int_equal(da_doe_discovery_parse(p, 3, &vendor, &type, &next, &err),
				 -EBADMSG);
		assert_non_null(strstr(err.msg, "DOE discovery response"));
		w = wcur_init(buf, sizeof(buf));
		assert_int_equal(da_doe_discovery_answer(p, 2, &w, NULL), -EBADMSG);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_framing_names),
		cmocka_unit_test(test_doe_exact_bytes),
		cmocka_unit_test(test_round_trips),
		cmocka_unit_test(test_doe_rejects),
		cmocka_unit_test(test_doe_max_size),
		cmocka_unit_test(test_mctp_none_rejects),
		cmocka_unit_test(test_doe_discovery_matches_capture),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
