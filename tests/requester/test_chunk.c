// SPDX-License-Identifier: MIT
/*
 * Large messages between the requester and the emulated responder, in
 * process: both directions chunked at every version that has chunking
 * and at the smallest DataTransferSize, the reassembled messages in the
 * transcripts (signatures verify, the replay of the same exchange
 * verifies), and a tampering wire in between that breaks one rule at a
 * time: ChunkSeqNo, Handle, a chunk past LargeMessageSize, a
 * LargeMessageSize above our MaxSPDMmsgSize, a CHUNK_SEND the device must
 * refuse.  Each gives its own errno and a message naming the field.
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

#include <devauth/requester.h>
#include <devauth/transport.h>

#include "responder/device.h"

static struct rsp_device *dev;
static struct rsp_device_config dcfg;

static int setup(void **state)
{
	struct da_err err = { 0 };

	rsp_device_config_default(&dcfg, "0000:01:00.0", 0);
	dcfg.data_transfer_size = SPDM_MIN_DATA_TRANSFER_SIZE;
	dcfg.asym = SPDM_ASYM_ECDSA_P384;
	if (rsp_device_create(&dcfg, &dev, &err)) {
		fprintf(stderr, "rsp_device_create: %s\n", err.msg);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	rsp_device_free(dev);
	return 0;
}

enum tamper {
	T_NONE,
	T_RSP_SEQ,		/* CHUNK_RESPONSE 1 says ChunkSeqNo 2 */
	T_RSP_HANDLE,		/* CHUNK_RESPONSE 1 has another Handle */
	T_RSP_SHRINK,		/* chunk 0 says LargeMessageSize is 10 bytes less */
	T_RSP_HUGE,		/* chunk 0 says LargeMessageSize 16 MiB + 1 */
	T_REQ_SEQ,		/* our CHUNK_SEND 1 goes out as ChunkSeqNo 5 */
	T_ACK_SEQ,		/* CHUNK_SEND_ACK echoes ChunkSeqNo 9 */
	T_REQ_HUGE,		/* our chunk 0 claims LargeMessageSize 1 MiB + 1 */
};

/* Record the wire, bend it, count what passed. */
struct wire {
	struct spdm_responder *rsp;
	enum tamper tamper;
	uint8_t version;
	unsigned int chunk_sends, chunk_gets, rirs;
	struct da_spdm_msg log[4096];
	uint8_t *copies[4096];
	size_t n;
};

static void wire_log(struct wire *w, const uint8_t *m, size_t len)
{
	uint8_t *c;

	assert_true(w->n < 4096);
	c = malloc(len ? len : 1);
	assert_non_null(c);
	memcpy(c, m, len);
	w->copies[w->n] = c;
	w->log[w->n] = (struct da_spdm_msg){ .data = c, .len = len, .record = w->n };
	w->n++;
}

static void put_u32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static uint32_t seq_of(const uint8_t *m, uint8_t ver)
{
	return ver >= SPDM_VER_14 ? (uint32_t)m[4] | (uint32_t)m[5] << 8 | (uint32_t)m[6] << 16 |
				    (uint32_t)m[7] << 24 :
				    (uint32_t)m[4] | (uint32_t)m[5] << 8;
}

static void set_seq(uint8_t *m, uint8_t ver, uint32_t seq)
{
	if (ver >= SPDM_VER_14) {
		put_u32(m + 4, seq);
	} else {
		m[4] = (uint8_t)seq;
		m[5] = (uint8_t)(seq >> 8);
	}
}

/* Framing NONE: a transport message is the SPDM message. */
static int wire_handler(void *ctx, const uint8_t *req, size_t req_len, uint8_t *rsp,
			size_t rsp_cap)
{
	struct wire *w = ctx;
	uint8_t buf[8192];
	int n;

	assert_true(req_len <= sizeof(buf));
	memcpy(buf, req, req_len);
	if (req_len >= 8 && buf[1] == SPDM_CHUNK_SEND) {
		w->chunk_sends++;
		if (w->tamper == T_REQ_SEQ && seq_of(buf, buf[0]) == 1)
			set_seq(buf, buf[0], 5);
		if (w->tamper == T_REQ_HUGE && seq_of(buf, buf[0]) == 0 && req_len >= 16)
			put_u32(buf + 12, (1u << 20) + 1);
	}
	if (req_len >= 4 && buf[1] == SPDM_CHUNK_GET)
		w->chunk_gets++;
	if (req_len >= 4 && buf[1] == SPDM_RESPOND_IF_READY)
		w->rirs++;
	wire_log(w, buf, req_len);
	n = spdm_responder_transport(w->rsp, buf, req_len, rsp, rsp_cap);
	if (n >= 16 && rsp[1] == SPDM_CHUNK_RESPONSE) {
		uint8_t ver = rsp[0];
		uint32_t seq = seq_of(rsp, ver);

		if (w->tamper == T_RSP_SEQ && seq == 1)
			set_seq(rsp, ver, 2);
		if (w->tamper == T_RSP_HANDLE && seq == 1)
			rsp[3] ^= 0x5a;
		if (w->tamper == T_RSP_SHRINK && seq == 0)
			put_u32(rsp + 12, (uint32_t)(rsp[12] | rsp[13] << 8 | rsp[14] << 16) - 10);
		if (w->tamper == T_RSP_HUGE && seq == 0)
			put_u32(rsp + 12, (16u << 20) + 1);
	}
	if (n >= 6 && rsp[1] == SPDM_CHUNK_SEND_ACK && w->tamper == T_ACK_SEQ)
		set_seq(rsp, rsp[0], 9);
	if (n > 0)
		wire_log(w, rsp, (size_t)n);
	return n;
}

struct conn {
	struct wire *w;
	struct da_transport *t;
	struct spdm_req *r;
};

static void conn_open(struct conn *c, uint8_t ver, uint32_t dts, enum tamper tamper)
{
	struct spdm_req_config cfg;

	c->w = calloc(1, sizeof(*c->w));
	assert_non_null(c->w);
	c->w->tamper = tamper;
	c->w->rsp = spdm_responder_new(dev, DA_FRAMING_NONE);
	assert_non_null(c->w->rsp);
	assert_int_equal(da_transport_inproc(DA_FRAMING_NONE, wire_handler, c->w, &c->t), 0);
	spdm_req_config_default(&cfg);
	cfg.dev_name = dcfg.name;
	cfg.min_version = cfg.max_version = ver;
	cfg.data_transfer_size = dts;
	cfg.expect_id = &dcfg.id;
	c->r = spdm_req_new(&cfg, c->t);
	assert_non_null(c->r);
}

static void conn_close(struct conn *c)
{
	spdm_req_free(c->r);
	da_transport_destroy(c->t);
	spdm_responder_free(c->w->rsp);
	for (size_t i = 0; i < c->w->n; i++)
		free(c->w->copies[i]);
	free(c->w);
}

static void test_chunked_both_ways(void **state)
{
	for (uint8_t ver = SPDM_VER_12; ver <= SPDM_VER_14; ver++) {
		struct da_err err = { 0 };
		const struct spdm_req_info *i;
		struct spdm_req *replay;
		struct spdm_req_config cfg;
		struct conn c;

		conn_open(&c, ver, SPDM_MIN_DATA_TRANSFER_SIZE, T_NONE);
		if (spdm_req_authenticate(c.r, &err) || spdm_req_measure(c.r, &err))
			fail_msg("%x: %s", ver, err.msg);
		i = spdm_req_info(c.r);
		assert_true(i->authenticated);
		assert_true(i->measured);
		assert_int_equal(i->data_transfer_size, SPDM_MIN_DATA_TRANSFER_SIZE);
		assert_true(i->rsp_caps & SPDM_CAP_CHUNK);
		assert_true(i->chunk_gets > 0);
		assert_int_equal(i->chunk_gets, c.w->chunk_gets);
		/* 1.3 adds RequesterContext: CHALLENGE and GET_MEASUREMENTS are 44+ bytes. */
		if (ver >= SPDM_VER_13)
			assert_true(i->chunk_sends >= 4);
		else
			assert_int_equal(i->chunk_sends, 0);
		assert_int_equal(i->chunk_sends, c.w->chunk_sends);

		/* The same wire, replayed: the same checks over the reassembled messages. */
		spdm_req_config_default(&cfg);
		replay = spdm_req_new(&cfg, NULL);
		assert_non_null(replay);
		if (spdm_req_replay(replay, c.w->log, c.w->n, &err))
			fail_msg("%x replay: %s", ver, err.msg);
		assert_true(spdm_req_info(replay)->authenticated);
		assert_true(spdm_req_info(replay)->measured);
		spdm_req_free(replay);
		conn_close(&c);
	}
}

static void expect_failure(uint8_t ver, enum tamper t, int code, const char *msg)
{
	struct da_err err = { 0 };
	struct conn c;
	int ret;

	conn_open(&c, ver, SPDM_MIN_DATA_TRANSFER_SIZE, t);
	ret = spdm_req_authenticate(c.r, &err);
	if (!ret)
		ret = spdm_req_measure(c.r, &err);
	if (ret != code || !strstr(err.msg, msg))
		fail_msg("tamper %d at %x: got %d \"%s\", expected %d \"%s\"", t, ver, ret, err.msg,
			 code, msg);
	assert_non_null(strstr(err.msg, dcfg.name));
	conn_close(&c);
}

static void test_tampered_chunks(void **state)
{
	for (uint8_t ver = SPDM_VER_12; ver <= SPDM_VER_14; ver++) {
		expect_failure(ver, T_RSP_SEQ, -EPROTO, "CHUNK_RESPONSE: ChunkSeqNo 2, asked for 1");
		expect_failure(ver, T_RSP_HANDLE, -EPROTO, "CHUNK_RESPONSE: Handle");
		expect_failure(ver, T_RSP_SHRINK, -EMSGSIZE, "goes past LargeMessageSize");
		expect_failure(ver, T_RSP_HUGE, -EMSGSIZE,
			       "LargeMessageSize 16777217 exceeds MaxSPDMmsgSize 65536");
	}
	/* Our large requests exist from 1.3 on (RequesterContext). */
	for (uint8_t ver = SPDM_VER_13; ver <= SPDM_VER_14; ver++) {
		/* The device notices the gap and answers EarlyErrorDetected + InvalidRequest. */
		expect_failure(ver, T_REQ_SEQ, -EINVAL, "ERROR InvalidRequest");
		expect_failure(ver, T_ACK_SEQ, -EPROTO, "CHUNK_SEND_ACK: Handle");
		/* Above the device's MaxSPDMmsgSize: RequestTooLarge. */
		expect_failure(ver, T_REQ_HUGE, -EPROTO, "ERROR RequestTooLarge");
	}
}

/* A large request deferred with ResponseNotReady, its answer then fetched in chunks. */
static void test_not_ready_large_request(void **state)
{
	static const uint64_t faults[] = {
		1ull << RSP_FAULT_NOT_READY_ONCE, 1ull << RSP_FAULT_BUSY_ONCE,
	};

	for (size_t k = 0; k < 2; k++) {
		struct da_err err = { 0 };
		struct conn c;

		rsp_device_set_faults(dev, faults[k]);
		conn_open(&c, SPDM_VER_13, SPDM_MIN_DATA_TRANSFER_SIZE, T_NONE);
		if (spdm_req_authenticate(c.r, &err) || spdm_req_measure(c.r, &err))
			fail_msg("fault %zu: %s", k, err.msg);
		assert_true(spdm_req_info(c.r)->authenticated);
		assert_true(spdm_req_info(c.r)->measured);
		assert_true(spdm_req_info(c.r)->chunk_sends > 0);
		/* not-ready-once defers CHALLENGE and GET_MEASUREMENTS, both sent in chunks */
		if (k == 0)
			assert_int_equal(c.w->rirs, 2);
		conn_close(&c);
		rsp_device_set_faults(dev, 0);
	}
}

/* A device without CHUNK_CAP and a small DataTransferSize: our 44-byte CHALLENGE cannot go. */
static void test_device_without_chunk_cap(void **state)
{
	struct rsp_device_config nc = dcfg;
	struct rsp_device *small;
	struct spdm_responder *rsp;
	struct da_transport *t;
	struct spdm_req_config cfg;
	struct da_err err = { 0 };
	struct spdm_req *r;

	nc.caps &= ~SPDM_CAP_CHUNK;
	assert_int_equal(rsp_device_create(&nc, &small, &err), 0);
	rsp = spdm_responder_new(small, DA_FRAMING_NONE);
	assert_non_null(rsp);
	assert_int_equal(da_transport_inproc(DA_FRAMING_NONE, spdm_responder_transport, rsp, &t), 0);
	spdm_req_config_default(&cfg);
	cfg.dev_name = nc.name;
	cfg.min_version = cfg.max_version = SPDM_VER_13;
	r = spdm_req_new(&cfg, t);
	assert_non_null(r);
	assert_int_equal(spdm_req_authenticate(r, &err), -EMSGSIZE);
	assert_non_null(strstr(err.msg, "CHALLENGE: 44 bytes exceed the device's DataTransferSize 42"));
	/* it advertised MaxSPDMmsgSize = DataTransferSize, as DSP0274 wants without CHUNK_CAP */
	assert_int_equal(spdm_req_info(r)->max_msg_size, SPDM_MIN_DATA_TRANSFER_SIZE);
	spdm_req_free(r);
	da_transport_destroy(t);
	spdm_responder_free(rsp);
	rsp_device_free(small);
}

static void test_no_chunking_below_12(void **state)
{
	struct da_err err = { 0 };
	struct conn c;

	conn_open(&c, SPDM_VER_11, SPDM_MIN_DATA_TRANSFER_SIZE, T_NONE);
	assert_int_equal(spdm_req_authenticate(c.r, &err), 0);
	assert_int_equal(spdm_req_measure(c.r, &err), 0);
	assert_int_equal(spdm_req_info(c.r)->chunk_gets + spdm_req_info(c.r)->chunk_sends, 0);
	conn_close(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chunked_both_ways),
		cmocka_unit_test(test_tampered_chunks),
		cmocka_unit_test(test_not_ready_large_request),
		cmocka_unit_test(test_device_without_chunk_cap),
		cmocka_unit_test(test_no_chunking_below_12),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
