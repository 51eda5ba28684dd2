// SPDX-License-Identifier: MIT
/*
 * What the requester does with a tampered session, against the real
 * DMTF spdm_responder_emu: a transport in the middle changes one
 * response (a KEY_EXCHANGE_RSP signature or ResponderVerifyData, the
 * FINISH_RSP verify data in the clear, a secured message's MAC or
 * SessionID, a replayed secured message, a response in the clear where
 * a secured one is due).  Each must fail with its own message, leave
 * no session behind, and never hang or crash.
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

#include "peer_harness.h"

enum what {
	T_KE_SIGNATURE,		/* a byte of the KEY_EXCHANGE_RSP signature */
	T_KE_VERIFY,		/* the last byte of ResponderVerifyData */
	T_FINISH_VERIFY,	/* the last byte of FINISH_RSP in the clear */
	T_MAC,			/* the last byte of the 2nd secured response */
	T_SESSION_ID,		/* the first byte of the 2nd secured response */
	T_REPLAY,		/* the 1st secured response again as the 2nd */
	T_CLEAR,		/* the 2nd secured response handed over as plain SPDM */
};

struct mitm {
	struct da_transport t;
	struct da_transport *inner;
	enum what what;
	unsigned int secured_n;
	uint8_t first[4096];
	size_t first_len;
	size_t sig_size, hash_size;
	bool done;
};

static int m_exchange(struct da_transport *t, const uint8_t *req, size_t req_len, uint8_t *rsp,
		      size_t rsp_cap, size_t *rsp_len, unsigned int timeout_ms, struct da_err *err)
{
	struct mitm *m = (struct mitm *)t;
	int ret = da_transport_exchange(m->inner, req, req_len, rsp, rsp_cap, rsp_len, timeout_ms,
					err);

	if (ret || m->done || *rsp_len < 4)
		return ret;
	/* DOE pads; the tests run over MCTP so that the true length is what arrives. */
	if (rsp[1] == SPDM_KEY_EXCHANGE_RSP && m->what == T_KE_SIGNATURE) {
		rsp[*rsp_len - m->hash_size - m->sig_size / 2] ^= 0x01;
		m->done = true;
	} else if (rsp[1] == SPDM_KEY_EXCHANGE_RSP && m->what == T_KE_VERIFY) {
		rsp[*rsp_len - 1] ^= 0x80;
		m->done = true;
	} else if (rsp[1] == SPDM_FINISH_RSP && m->what == T_FINISH_VERIFY) {
		rsp[*rsp_len - 1] ^= 0x01;
		m->done = true;
	}
	return 0;
}

static int m_exchange_secured(struct da_transport *t, const uint8_t *req, size_t req_len,
			      uint8_t *rsp, size_t rsp_cap, size_t *rsp_len, bool *secured,
			      unsigned int timeout_ms, struct da_err *err)
{
	struct mitm *m = (struct mitm *)t;
	int ret = da_transport_exchange_secured(m->inner, req, req_len, rsp, rsp_cap, rsp_len,
						secured, timeout_ms, err);

	if (ret || !*secured)
		return ret;
	if (++m->secured_n == 1 && *rsp_len <= sizeof(m->first)) {
		memcpy(m->first, rsp, *rsp_len);
		m->first_len = *rsp_len;
	}
	if (m->secured_n != 2)
		return 0;
	switch (m->what) {
	case T_MAC:
		rsp[*rsp_len - 1] ^= 0x01;
		break;
	case T_SESSION_ID:
		rsp[0] ^= 0x01;
		break;
	case T_REPLAY:
		memcpy(rsp, m->first, m->first_len);
		*rsp_len = m->first_len;
		break;
	case T_CLEAR:
		*secured = false;
		break;
	default:
		break;
	}
	return 0;
}

static int m_close(struct da_transport *t, bool keep, struct da_err *err)
{
	struct mitm *m = (struct mitm *)t;

	return m->inner->ops->close(m->inner, keep, err);
}

static void m_destroy(struct da_transport *t)
{
	(void)t;
}

static const struct da_transport_ops mitm_ops = {
	.exchange = m_exchange,
	.exchange_secured = m_exchange_secured,
	.close = m_close,
	.destroy = m_destroy,
};

/* Authenticate, then open a session through the tampering transport; returns the error. */
static int tampered(enum what what, bool in_clear, struct da_err *err, bool *sess_gone)
{
	static const char *const args[] = { "--trans", "MCTP", "--ver", "1.2", NULL };
	struct mitm m = { .what = what, .sig_size = 96, .hash_size = 48 };
	struct spdm_req_config c;
	struct peer_proc p;
	struct spdm_req *r;
	char hp[32];
	int ret;

	assert_int_equal(peer_start_responder(&p, args, 20), 0);
	snprintf(hp, sizeof(hp), "127.0.0.1:%d", p.port);
	assert_int_equal(da_transport_emu_connect(hp, DA_FRAMING_MCTP, 5000, &m.inner, err), 0);
	m.t.ops = &mitm_ops;
	m.t.framing = DA_FRAMING_MCTP;
	snprintf(m.t.name, sizeof(m.t.name), "mitm");
	spdm_req_config_default(&c);
	c.dev_name = "dmtf";
	c.session = true;
	c.handshake_in_clear = in_clear;
	c.dhe_offer = SPDM_DHE_SECP384R1;
	c.rtt_ms = 3000;
	r = spdm_req_new(&c, &m.t);
	assert_non_null(r);
	assert_int_equal(spdm_req_authenticate(r, err), 0);
	/* P-384 / SHA-384 are the DMTF defaults: the sizes the tampering assumes. */
	assert_int_equal(spdm_req_info(r)->sig_size, 96);
	ret = spdm_req_session_start(r, err);
	if (!ret)
		ret = spdm_req_session_heartbeat(r, err) ?: spdm_req_session_heartbeat(r, err);
	/* Whatever failed, no request goes out in a session any more. */
	*sess_gone = spdm_req_session_heartbeat(r, NULL) == -ENOTCONN;
	spdm_req_free(r);
	da_transport_destroy(m.inner);
	peer_stop(&p);
	return ret;
}

static void expect(enum what what, bool in_clear, int code, const char *msg)
{
	struct da_err err = { 0 };
	bool gone = false;
	int ret = tampered(what, in_clear, &err, &gone);

	if (ret != code || !strstr(err.msg, msg))
		fail_msg("got %d '%s', expected %d '%s'", ret, err.msg, code, msg);
	assert_true(gone);
}

static void test_bad_signature(void **state)
{
	(void)state;
	expect(T_KE_SIGNATURE, false, -EBADMSG, "KEY_EXCHANGE_RSP: signature: does not verify");
}

static void test_bad_responder_verify_data(void **state)
{
	(void)state;
	expect(T_KE_VERIFY, false, -EBADMSG,
	       "KEY_EXCHANGE_RSP: ResponderVerifyData does not match");
}

static void test_bad_finish_rsp_verify_data(void **state)
{
	(void)state;
	expect(T_FINISH_VERIFY, true, -EBADMSG, "FINISH_RSP: ResponderVerifyData does not match");
}

static void test_bad_mac(void **state)
{
	(void)state;
	expect(T_MAC, false, -EBADMSG, "MAC does not verify; session ended");
}

static void test_wrong_session_id(void **state)
{
	(void)state;
	expect(T_SESSION_ID, false, -EBADMSG, "SessionID 0x");
}

static void test_replayed_response(void **state)
{
	(void)state;
	expect(T_REPLAY, true, -EPROTO, "(replayed or skipped)");
}

static void test_response_in_the_clear(void **state)
{
	(void)state;
	expect(T_CLEAR, false, -EPROTO, "in the clear where a secured message is due");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_signature),
		cmocka_unit_test(test_bad_responder_verify_data),
		cmocka_unit_test(test_bad_finish_rsp_verify_data),
		cmocka_unit_test(test_bad_mac),
		cmocka_unit_test(test_wrong_session_id),
		cmocka_unit_test(test_replayed_response),
		cmocka_unit_test(test_response_in_the_clear),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
