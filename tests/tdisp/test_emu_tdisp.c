// SPDX-License-Identifier: MIT
/*
 * devauth-emu's TDISP device, in process, through our requester over a
 * real secure session (PCI_DOE): the state rules a well-behaved TSM
 * never exercises (START with a stale nonce, START without LOCK, LOCK
 * twice, a session lost while locked, a reset) and the faults that
 * break exactly those rules.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <devauth/requester.h>
#include <devauth/transport.h>

#include "responder/device.h"
#include "tdisp/tdisp.h"

struct conn {
	struct rsp_device *dev;
	struct spdm_responder *rsp;
	struct da_transport *t;
	struct spdm_req *r;
	struct tdisp_req td;
};

static void conn_open(struct conn *c, struct rsp_device *dev)
{
	struct spdm_req_config cfg;
	struct da_err err = { 0 };

	memset(c, 0, sizeof(*c));
	c->dev = dev;
	c->rsp = spdm_responder_new(dev, DA_FRAMING_PCI_DOE);
	assert_non_null(c->rsp);
	assert_int_equal(da_transport_inproc(DA_FRAMING_PCI_DOE, spdm_responder_transport, c->rsp,
					     &c->t), 0);
	spdm_req_config_default(&cfg);
	cfg.dev_name = "emu";
	cfg.session = true;
	c->r = spdm_req_new(&cfg, c->t);
	assert_non_null(c->r);
	if (spdm_req_authenticate(c->r, &err) || spdm_req_session_start(c->r, &err))
		fail_msg("session: %s", err.msg);
	tdisp_req_init(&c->td, c->r, 0);
	if (tdisp_req_version(&c->td, &err) || tdisp_req_capabilities(&c->td, &err))
		fail_msg("TDISP: %s", err.msg);
}

static void conn_close(struct conn *c)
{
	tdisp_req_free(&c->td);
	spdm_req_free(c->r);
	da_transport_destroy(c->t);
	spdm_responder_free(c->rsp);
}

static struct rsp_device *device(const char *faults)
{
	struct rsp_device_config cfg;
	struct rsp_device *d;
	struct da_err err = { 0 };

	rsp_device_config_default(&cfg, "emu", 0);
	if (faults && rsp_fault_parse(faults, &cfg.faults, &err))
		fail_msg("%s", err.msg);
	if (rsp_device_create(&cfg, &d, &err))
		fail_msg("rsp_device_create: %s", err.msg);
	return d;
}

static uint8_t state(struct conn *c)
{
	struct da_err err = { 0 };
	uint8_t s = 0xff;

	if (tdisp_req_state(&c->td, &s, &err))
		fail_msg("state: %s", err.msg);
	return s;
}

static void do_lock(struct conn *c)
{
	struct tdisp_lock_params lp = { 0 };
	struct da_err err = { 0 };

	if (tdisp_req_lock(&c->td, &lp, &err))
		fail_msg("lock: %s", err.msg);
}

static void expect_err(int ret, const struct da_err *err, const char *msg)
{
	assert_int_not_equal(ret, 0);
	if (!strstr(err->msg, msg))
		fail_msg("expected \"%s\" in \"%s\"", msg, err->msg);
}

/* START takes the nonce of the lock only, and only while locked. */
static void test_start_rules(void **state_)
{
	struct rsp_device *d = device(NULL);
	uint8_t stale[TDISP_NONCE_SIZE];
	struct da_err err = { 0 };
	struct conn c;

	(void)state_;
	conn_open(&c, d);
	expect_err(tdisp_req_start(&c.td, c.td.nonce, &err), &err,
		   "START_INTERFACE_REQUEST: device answered TDISP_ERROR INVALID_INTERFACE_STATE");
	assert_int_equal(state(&c), TDISP_STATE_CONFIG_UNLOCKED);
	do_lock(&c);
	memcpy(stale, c.td.nonce, sizeof(stale));
	stale[0] ^= 1;
	memset(&err, 0, sizeof(err));
	expect_err(tdisp_req_start(&c.td, stale, &err), &err, "TDISP_ERROR INVALID_NONCE");
	assert_int_equal(state(&c), TDISP_STATE_CONFIG_LOCKED);
	memset(&err, 0, sizeof(err));
	assert_int_equal(tdisp_req_start(&c.td, c.td.nonce, &err), 0);
	assert_int_equal(state(&c), TDISP_STATE_RUN);
	/* a nonce is good for one START */
	memset(&err, 0, sizeof(err));
	expect_err(tdisp_req_start(&c.td, c.td.nonce, &err), &err, "INVALID_INTERFACE_STATE");
	memset(&err, 0, sizeof(err));
	assert_int_equal(tdisp_req_stop(&c.td, &err), 0);
	assert_int_equal(state(&c), TDISP_STATE_CONFIG_UNLOCKED);
	conn_close(&c);
	rsp_device_free(d);
}

/* A second LOCK while locked, or the locking session's end: ERROR until STOP. */
static void test_error_rules(void **state_)
{
	struct rsp_device *d = device(NULL);
	struct tdisp_lock_params lp = { 0 };
	struct da_err err = { 0 };
	struct conn c;

	(void)state_;
	conn_open(&c, d);
	do_lock(&c);
	expect_err(tdisp_req_lock(&c.td, &lp, &err), &err, "INVALID_INTERFACE_STATE");
	assert_int_equal(state(&c), TDISP_STATE_ERROR);
	memset(&err, 0, sizeof(err));
	assert_int_equal(tdisp_req_stop(&c.td, &err), 0);
	assert_int_equal(state(&c), TDISP_STATE_CONFIG_UNLOCKED);
	do_lock(&c);
	/* the session ends, a new one in the same connection finds the lock gone */
	assert_int_equal(spdm_req_session_end(c.r, &err), 0);
	if (spdm_req_session_start(c.r, &err))
		fail_msg("session: %s", err.msg);
	assert_int_equal(state(&c), TDISP_STATE_ERROR);
	conn_close(&c);
	rsp_device_free(d);
}

/* The faults that break the rules above: the wrong thing is accepted. */
static void test_start_faults(void **state_)
{
	struct rsp_device *d = device("start-any-nonce");
	uint8_t wrong[TDISP_NONCE_SIZE] = { 0 };
	struct da_err err = { 0 };
	struct conn c;

	(void)state_;
	conn_open(&c, d);
	do_lock(&c);
	assert_int_equal(tdisp_req_start(&c.td, wrong, &err), 0);
	assert_int_equal(state(&c), TDISP_STATE_RUN);
	conn_close(&c);
	rsp_device_free(d);

	d = device("start-unlocked");
	conn_open(&c, d);
	assert_int_equal(tdisp_req_start(&c.td, wrong, &err), 0);
	assert_int_equal(state(&c), TDISP_STATE_RUN);
	conn_close(&c);
	rsp_device_free(d);
}

/* After a reset the interface is CONFIG_UNLOCKED; with error-after-reset, ERROR. */
static void test_reset(void **state_)
{
	const char *const faults[] = { NULL, "error-after-reset" };
	struct tdisp_lock_params lp = { 0 };

	(void)state_;
	for (int i = 0; i < 2; i++) {
		struct rsp_device *d = device(faults[i]);
		struct da_err err = { 0 };
		struct conn c;

		conn_open(&c, d);
		do_lock(&c);
		conn_close(&c);
		assert_int_equal(rsp_device_reset(d), 0);
		conn_open(&c, d);
		if (!i) {
			assert_int_equal(state(&c), TDISP_STATE_CONFIG_UNLOCKED);
			do_lock(&c);
		} else {
			assert_int_equal(state(&c), TDISP_STATE_ERROR);
			expect_err(tdisp_req_lock(&c.td, &lp, &err), &err,
				   "LOCK_INTERFACE_REQUEST: device answered TDISP_ERROR INVALID_INTERFACE_STATE");
		}
		conn_close(&c);
		rsp_device_free(d);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_start_rules),
		cmocka_unit_test(test_error_rules),
		cmocka_unit_test(test_start_faults),
		cmocka_unit_test(test_reset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
