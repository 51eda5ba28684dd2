// SPDX-License-Identifier: MIT
/*
 * A DMTF 1.4 capture (spdm_requester_emu against spdm_responder_emu, both
 * with LARGE_RESP_CAP) whose chains are read in the LargeCertChain form,
 * replayed through the requester's checks: it verifies as captured, and
 * each tampered copy fails with its own reason.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <devauth/pcap.h>
#include <devauth/requester.h>

#include "crypto/x509.h"
#include "cursor.h"

#define MAX_MSGS 64

static struct da_capture cap;
static struct da_spdm_msg *msgs;
static size_t nmsgs;
static uint8_t *copy[MAX_MSGS];

static int setup(void **state)
{
	const char *src = getenv("DEVAUTH_SRC");
	struct da_err err = { 0 };
	char path[512];

	(void)state;
	snprintf(path, sizeof(path), "%s/tests/requester/data/dmtf_large_resp_v14.pcap",
		 src ? src : ".");
	if (da_pcap_read(path, &cap, &err) || da_capture_spdm(&cap, &msgs, &nmsgs, &err)) {
		fprintf(stderr, "%s: %s\n", path, err.msg);
		return -1;
	}
	if (nmsgs > MAX_MSGS)
		return -1;
	for (size_t i = 0; i < nmsgs; i++) {
		copy[i] = malloc(msgs[i].len);
		memcpy(copy[i], msgs[i].data, msgs[i].len);
		msgs[i].data = copy[i];
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	for (size_t i = 0; i < nmsgs; i++)
		free(copy[i]);
	free(msgs);
	da_capture_free(&cap);
	return 0;
}

static size_t find(uint8_t code, unsigned int nth)
{
	for (size_t i = 0; i < nmsgs; i++)
		if (msgs[i].len >= 4 && msgs[i].data[1] == code && nth-- == 0)
			return i;
	fail_msg("no message 0x%02x", code);
	return 0;
}

static int replay(struct da_err *err)
{
	struct spdm_req_config cfg;
	struct spdm_req *r;
	int ret;

	spdm_req_config_default(&cfg);
	cfg.dev_name = "dmtf-v14";
	r = spdm_req_new(&cfg, NULL);
	assert_non_null(r);
	memset(err, 0, sizeof(*err));
	ret = spdm_req_replay(r, msgs, nmsgs, err);
	if (!ret) {
		assert_true(spdm_req_info(r)->authenticated);
		assert_true(spdm_req_info(r)->measured);
		assert_true(spdm_req_info(r)->rsp_caps & SPDM_CAP_LARGE_RESP);
	}
	spdm_req_free(r);
	return ret;
}

static void expect(int ret, int code, const struct da_err *err, const char *substr)
{
	if (ret != code || !strstr(err->msg, substr))
		fail_msg("expected %d with \"%s\", got %d: %s", code, substr, ret, err->msg);
}

static void test_capture_verifies(void **state)
{
	struct da_err err;
	size_t g = find(SPDM_GET_CERTIFICATE, 0);

	(void)state;
	/* the capture really uses the large form */
	assert_int_equal(msgs[g].data[0], SPDM_VER_14);
	assert_int_equal(msgs[g].data[2] & 0x80, 0x80);
	assert_int_equal(msgs[g].len, 16);
	if (replay(&err))
		fail_msg("replay: %s", err.msg);
}

static void test_large_without_device_cap(void **state)
{
	size_t i = find(SPDM_CAPABILITIES, 0);
	struct da_err err;
	int ret;

	(void)state;
	/* Flags bit 31 is byte 11 bit 7 of CAPABILITIES */
	assert_int_equal(copy[i][11] & 0x80, 0x80);
	copy[i][11] &= 0x7f;
	ret = replay(&err);
	copy[i][11] |= 0x80;
	expect(ret, -EPROTO, &err, "LargeCertChain but the device has no LARGE_RESP_CAP");
}

static void test_response_form_differs(void **state)
{
	size_t i = find(SPDM_CERTIFICATE, 0);
	struct da_err err;
	int ret;

	(void)state;
	/*
	 * A well-formed 16-bit CERTIFICATE of the same bytes: PortionLength
	 * covers everything after the 8-byte header.
	 */
	copy[i][2] &= 0x7f;
	copy[i][4] = (uint8_t)(msgs[i].len - 8);
	copy[i][5] = (uint8_t)((msgs[i].len - 8) >> 8);
	ret = replay(&err);
	copy[i][2] |= 0x80;
	copy[i][4] = copy[i][5] = 0;
	expect(ret, -EPROTO, &err, "CERTIFICATE: LargeCertChain 0, the request's 1");
}

static void test_large_chain_too_big(void **state)
{
	size_t i = find(SPDM_CERTIFICATE, 0);
	uint8_t save[4];
	struct da_err err;
	int ret;

	(void)state;
	/* LargeRemainderLength (bytes 12-15): 2 GiB more to come */
	memcpy(save, copy[i] + 12, 4);
	memcpy(copy[i] + 12, (uint8_t[]){ 0xff, 0xff, 0xff, 0x7f }, 4);
	ret = replay(&err);
	memcpy(copy[i] + 12, save, 4);
	expect(ret, -EMSGSIZE, &err, "exceeds 1048576");
}

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

/* A portion is never more than asked for, and never empty while more is to come. */
static void test_portions(void **state)
{
	size_t q = find(SPDM_GET_CERTIFICATE, 0), a = find(SPDM_CERTIFICATE, 0);
	uint32_t asked = get32(copy[q] + 12), got = get32(copy[a] + 8);
	size_t len = msgs[a].len;
	struct da_err err;
	int ret;

	(void)state;
	/* LargeLength of the request (bytes 12-15), LargePortionLength of the answer (8-11) */
	assert_true(got > 1 && got <= asked);
	assert_int_equal(get32(copy[a] + 12), 0);
	put32(copy[q] + 12, got - 1);
	ret = replay(&err);
	put32(copy[q] + 12, asked);
	expect(ret, -EPROTO, &err, "exceeds the");

	/* nothing in this portion, all of it still to come (LargeRemainderLength, 12-15) */
	put32(copy[a] + 8, 0);
	put32(copy[a] + 12, got);
	msgs[a].len = 16;
	ret = replay(&err);
	put32(copy[a] + 8, got);
	put32(copy[a] + 12, 0);
	msgs[a].len = len;
	expect(ret, -EPROTO, &err, "no progress");
}

/*
 * A chain above 64 KiB states its size in 32 bits over the reserved
 * field; the 16-bit Length of such a chain (the low half) is wrong.
 */
static void test_large_chain_length(void **state)
{
	const char *src = getenv("DEVAUTH_SRC");
	struct spdm_chain ch;
	struct da_err err = { 0 };
	uint8_t *buf = malloc(1u << 20);
	char path[512];
	size_t n;
	FILE *f;

	(void)state;
	assert_non_null(buf);
	snprintf(path, sizeof(path), "%s/fuzz/crypto/corpus/fuzz_chain/dmtf_p384_large_v14.bin",
		 src ? src : ".");
	f = fopen(path, "rb");
	assert_non_null(f);
	n = fread(buf, 1, 1u << 20, f);
	fclose(f);
	/* byte 0 selects SHA-384 for the fuzzer; the chain follows */
	assert_true(n > 65536 + 1);
	assert_int_equal(spdm_chain_parse(buf + 1, n - 1, SPDM_HASH_SHA384, &ch, &err), 0);
	assert_int_equal(ch.ncerts, 3);
	spdm_chain_free(&ch);
	buf[3] = buf[4] = 0;
	assert_int_equal(spdm_chain_parse(buf + 1, n - 1, SPDM_HASH_SHA384, &ch, &err), -EBADMSG);
	assert_non_null(strstr(err.msg, "certificate chain: Length"));
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_capture_verifies),
		cmocka_unit_test(test_large_without_device_cap),
		cmocka_unit_test(test_response_form_differs),
		cmocka_unit_test(test_large_chain_too_big),
		cmocka_unit_test(test_portions),
		cmocka_unit_test(test_large_chain_length),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
