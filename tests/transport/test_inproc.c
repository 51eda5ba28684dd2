// SPDX-License-Identifier: MIT
/*
 * The in-process transport: the device function sees real transport
 * messages, the requester gets the deframed answer, both go to the
 * capture, and device failures come back as the documented errnos.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <devauth/pcap.h>
#include <devauth/transport.h>

#include "transport/framing.h"

enum dev_mode { DEV_OK, DEV_TIMEOUT, DEV_RESET, DEV_BAD_FRAME, DEV_SECURED, DEV_BIG,
		DEV_LIES };

struct dev {
	enum da_framing framing;
	enum dev_mode mode;
	int calls;
	uint8_t seen[64];
	size_t seen_len;
};

static const uint8_t version[] = { 0x10, 0x04, 0x00, 0x00, 0x00, 0x01, 0x00, 0x12 };
static const uint8_t get_version[] = { 0x10, 0x84, 0x00, 0x00 };

static int device(void *ctx, const uint8_t *req, size_t req_len, uint8_t *rsp, size_t cap)
{
	struct dev *d = ctx;
	struct wcur w = wcur_init(rsp, cap);
	enum da_payload_kind kind;
	const uint8_t *p;
	size_t plen;
	uint8_t big[300] = { 0x10, 0x04 };

	d->calls++;
	d->seen_len = req_len < sizeof(d->seen) ? req_len : sizeof(d->seen);
	memcpy(d->seen, req, d->seen_len);
	if (da_frame_decode(d->framing, req, req_len, &kind, &p, &plen, NULL) ||
	    kind != DA_PAYLOAD_SPDM)
		return -EBADMSG;
	switch (d->mode) {
	case DEV_TIMEOUT:
		return -ETIMEDOUT;
	case DEV_RESET:
		return -ECONNRESET;
	case DEV_BAD_FRAME:
		memset(rsp, 0xee, 12);
		return 12;
	case DEV_SECURED:
		return da_frame_encode(d->framing, DA_PAYLOAD_SECURED_SPDM, version,
				       sizeof(version), &w);
	case DEV_BIG:
		return da_frame_encode(d->framing, DA_PAYLOAD_SPDM, big, sizeof(big), &w);
	case DEV_LIES:
		return (int)cap + 1;
	default:
		return da_frame_encode(d->framing, DA_PAYLOAD_SPDM, version, sizeof(version),
				       &w);
	}
}

static void test_round_trip_all_framings(void **state)
{
	static const enum da_framing fr[] = { DA_FRAMING_NONE, DA_FRAMING_MCTP,
					      DA_FRAMING_PCI_DOE };

	for (size_t i = 0; i < 3; i++) {
		struct dev d = { .framing = fr[i] };
		struct da_transport *t;
		struct da_pcap *p = NULL;
		uint8_t rsp[64];
		size_t rsp_len;
		char path[128];

		snprintf(path, sizeof(path), "/tmp/devauth-test-inproc-%d.pcap", (int)getpid());
		if (fr[i] != DA_FRAMING_NONE)
			assert_int_equal(da_pcap_open_write(path, fr[i], &p, NULL), 0);
		assert_int_equal(da_transport_inproc(fr[i], device, &d, &t), 0);
		t->pcap = p;
		assert_non_null(strstr(t->name, da_framing_name(fr[i])));
		assert_int_equal(da_transport_exchange(t, get_version, sizeof(get_version), rsp,
						       sizeof(rsp), &rsp_len, 100, NULL), 0);
		assert_int_equal(d.calls, 1);
		/* The device got a real transport message. */
		if (fr[i] == DA_FRAMING_PCI_DOE) {
			assert_int_equal(d.seen_len, 12);
			assert_int_equal(d.seen[0], 0x01);
			assert_int_equal(d.seen[2], DA_DOE_TYPE_SPDM);
			assert_int_equal(d.seen[4], 3);
			assert_memory_equal(d.seen + 8, get_version, 4);
		} else if (fr[i] == DA_FRAMING_MCTP) {
			assert_int_equal(d.seen_len, 5);
			assert_int_equal(d.seen[0], 0x05);
		} else {
			assert_int_equal(d.seen_len, 4);
		}
		assert_int_equal(rsp_len, sizeof(version));
		assert_memory_equal(rsp, version, sizeof(version));
		assert_int_equal(t->ops->close(t, true, NULL), 0);
		assert_int_equal(da_transport_exchange(t, get_version, sizeof(get_version), rsp,
						       sizeof(rsp), &rsp_len, 100, NULL),
				 -ENOTCONN);
		da_transport_destroy(t);
		if (p) {
			struct da_capture c;
			struct da_spdm_msg *m;
			size_t n;

			assert_int_equal(da_pcap_close(p), 0);
			assert_int_equal(da_pcap_read(path, &c, NULL), 0);
			assert_int_equal(c.nrec, 2);
			assert_int_equal(da_capture_spdm(&c, &m, &n, NULL), 0);
			assert_int_equal(n, 2);
			assert_memory_equal(m[0].data, get_version, 4);
			assert_memory_equal(m[1].data, version, sizeof(version));
			free(m);
			da_capture_free(&c);
			unlink(path);
		}
	}
}

static void expect_fail(enum da_framing f, enum dev_mode mode, size_t cap, int want,
			const char *needle)
{
	struct dev d = { .framing = f, .mode = mode };
	struct da_transport *t;
	struct da_err err = { 0 };
	uint8_t rsp[64];
	size_t rsp_len = 7;

	assert_int_equal(da_transport_inproc(f, device, &d, &t), 0);
	assert_int_equal(da_transport_exchange(t, get_version, sizeof(get_version), rsp, cap,
					       &rsp_len, 100, &err), want);
	assert_int_equal(err.code, want);
	assert_int_equal(rsp_len, 0);
	if (!strstr(err.msg, needle))
		fail_msg("message \"%s\" lacks \"%s\"", err.msg, needle);
	da_transport_destroy(t);
}

static void test_device_failures(void **state)
{
	expect_fail(DA_FRAMING_PCI_DOE, DEV_TIMEOUT, 64, -ETIMEDOUT, "no response");
	expect_fail(DA_FRAMING_MCTP, DEV_RESET, 64, -ECONNRESET, "dropped");
	expect_fail(DA_FRAMING_PCI_DOE, DEV_BAD_FRAME, 64, -EBADMSG, "Vendor ID 0xeeee");
	expect_fail(DA_FRAMING_MCTP, DEV_BAD_FRAME, 64, -EBADMSG, "Message Type 0xee");
	expect_fail(DA_FRAMING_PCI_DOE, DEV_SECURED, 64, -EBADMSG, "secured SPDM");
	expect_fail(DA_FRAMING_PCI_DOE, DEV_BIG, 64, -EMSGSIZE, "exceeds the 64-byte buffer");
	expect_fail(DA_FRAMING_NONE, DEV_OK, 4, -EMSGSIZE, "exceeds the 4-byte buffer");
	expect_fail(DA_FRAMING_MCTP, DEV_LIES, 64, -EINVAL, "claims");
}

static void test_bad_arguments(void **state)
{
	struct da_transport *t = (void *)1;

	assert_int_equal(da_transport_inproc(DA_FRAMING_MCTP, NULL, NULL, &t), -EINVAL);
	assert_null(t);
	assert_int_equal(da_transport_inproc((enum da_framing)9, device, NULL, &t), -EINVAL);
	da_transport_destroy(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip_all_framings),
		cmocka_unit_test(test_device_failures),
		cmocka_unit_test(test_bad_arguments),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
