// SPDX-License-Identifier: MIT
/*
 * Requests inside a session against the DMTF spdm_responder_emu:
 * GET_DIGESTS and GET_CERTIFICATE compared with what authentication
 * read (for every version and both transports), a device whose
 * in-session answers differ (the recorded digest or chain altered
 * between authentication and the session, so the real device's answer
 * no longer matches: the failure must name the slot), and the generic
 * in-session request (req_session_send) with HEARTBEAT and a
 * VENDOR_DEFINED_REQUEST.
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
#include "requester/req.h"
#include "session/session.h"

struct conn {
	struct peer_proc p;
	struct da_transport *t;
	struct spdm_req *r;
};

static void conn_open(struct conn *c, const char *ver, enum da_framing f)
{
	const char *args[] = { "--trans", f == DA_FRAMING_MCTP ? "MCTP" : "PCI_DOE", "--ver",
			       ver, NULL };
	struct spdm_req_config cfg;
	struct da_err err = { 0 };
	char hp[32];

	assert_int_equal(peer_start_responder(&c->p, args, 20), 0);
	snprintf(hp, sizeof(hp), "127.0.0.1:%d", c->p.port);
	assert_int_equal(da_transport_emu_connect(hp, f, 5000, &c->t, &err), 0);
	spdm_req_config_default(&cfg);
	cfg.dev_name = "dmtf";
	cfg.min_version = cfg.max_version = (uint8_t)(0x10 | (ver[2] - '0'));
	cfg.session = true;
	c->r = spdm_req_new(&cfg, c->t);
	assert_non_null(c->r);
	if (spdm_req_authenticate(c->r, &err) || spdm_req_session_start(c->r, &err)) {
		peer_dump_log(&c->p);
		fail_msg("SPDM %s %s: %s", ver, da_framing_name(f), err.msg);
	}
}

static void conn_close(struct conn *c)
{
	if (c->t->ops->close)
		c->t->ops->close(c->t, false, NULL);
	spdm_req_free(c->r);
	da_transport_destroy(c->t);
	peer_stop(&c->p);
}

static const struct da_check *find_check(const struct spdm_req *r, const char *name)
{
	const struct da_checklist *l = spdm_req_checks(r);

	for (size_t i = l->n; i-- > 0;)
		if (!strcmp(l->c[i].name, name))
			return &l->c[i];
	return NULL;
}

static void test_digests_certificate(void **state)
{
	static const char *const versions[] = { "1.1", "1.2", "1.3", "1.4" };

	(void)state;
	for (size_t v = 0; v < 4; v++)
		for (int f = 0; f < 2; f++) {
			struct conn c;
			struct da_err err = { 0 };
			const struct spdm_req_session_info *s;

			conn_open(&c, versions[v], f ? DA_FRAMING_MCTP : DA_FRAMING_PCI_DOE);
			if (spdm_req_session_digests(c.r, &err) ||
			    spdm_req_session_certificate(c.r, &err) ||
			    spdm_req_session_measure(c.r, &err) ||
			    spdm_req_session_end(c.r, &err))
				fail_msg("SPDM %s: %s", versions[v], err.msg);
			s = spdm_req_session_info(c.r);
			assert_true(s->digests_checked);
			assert_int_equal(s->certs_checked, 1);
			assert_true(s->measured);
			assert_int_equal(find_check(c.r, "session-digests")->result, DA_CHECK_PASS);
			assert_int_equal(find_check(c.r, "session-certificate")->result,
					 DA_CHECK_PASS);
			assert_false(da_checklist_failed(spdm_req_checks(c.r)));
			conn_close(&c);
		}
}

/* Slot 1 (the emulator provisions 0 and 1) recorded differently at authentication. */
static void test_digest_mismatch(void **state)
{
	struct da_err err = { 0 };
	struct conn c;
	int ret;

	(void)state;
	conn_open(&c, "1.3", DA_FRAMING_MCTP);
	assert_true(c.r->info.provisioned_mask & 0x02);
	c.r->digest[1][5] ^= 0x40;
	ret = spdm_req_session_digests(c.r, &err);
	assert_int_equal(ret, -EKEYREJECTED);
	assert_non_null(strstr(err.msg, "slot 1 digest inside session"));
	assert_int_equal(find_check(c.r, "session-digests")->result, DA_CHECK_FAIL);
	assert_false(c.r->sinfo.digests_checked);
	/* A slot the authentication did not see provisioned. */
	c.r->digest[1][5] ^= 0x40;
	c.r->info.provisioned_mask = 0x01;
	err = (struct da_err){ 0 };
	ret = spdm_req_session_digests(c.r, &err);
	assert_int_equal(ret, -EKEYREJECTED);
	assert_non_null(strstr(err.msg, "ProvisionedSlotMask 0x03 inside session"));
	assert_false(c.r->sinfo.digests_checked);
	/* A mismatch is the device's identity, not the channel: the session still works. */
	err = (struct da_err){ 0 };
	assert_int_equal(spdm_req_session_end(c.r, &err), 0);
	conn_close(&c);
}

static void test_chain_mismatch(void **state)
{
	struct da_err err = { 0 };
	struct conn c;
	int ret;

	(void)state;
	conn_open(&c, "1.2", DA_FRAMING_PCI_DOE);
	c.r->chain[0].data[c.r->chain[0].len - 1] ^= 0x01;
	ret = spdm_req_session_certificate(c.r, &err);
	assert_int_equal(ret, -EKEYREJECTED);
	assert_non_null(strstr(err.msg, "slot 0 chain inside session"));
	assert_int_equal(find_check(c.r, "session-certificate")->result, DA_CHECK_FAIL);
	assert_int_equal(c.r->sinfo.certs_checked, 0);
	conn_close(&c);
}

/* The generic helper: any SPDM request inside the session, the response copied out. */
static void test_session_send(void **state)
{
	uint8_t req[64], rsp[256];
	struct da_err err = { 0 };
	size_t n = 0, len;
	struct conn c;
	int ret;

	(void)state;
	conn_open(&c, "1.2", DA_FRAMING_MCTP);
	req[0] = 0x12;
	req[1] = SPDM_HEARTBEAT;
	req[2] = req[3] = 0;
	ret = req_session_send(c.r, req, 4, SPDM_HEARTBEAT_ACK, false, rsp, sizeof(rsp), &len,
			       &err);
	if (ret)
		fail_msg("HEARTBEAT: %s", err.msg);
	assert_int_equal(len, 4);
	assert_int_equal(rsp[1], SPDM_HEARTBEAT_ACK);
	/* A too-small buffer is refused without ending the session. */
	ret = req_session_send(c.r, req, 4, SPDM_HEARTBEAT_ACK, false, rsp, 2, &len, &err);
	assert_int_equal(ret, -EMSGSIZE);
	assert_int_equal(c.r->sess->state, SPDM_SESS_ESTABLISHED);
	/* A version other than the negotiated one never leaves. */
	req[0] = 0x11;
	assert_int_equal(req_session_send(c.r, req, 4, SPDM_HEARTBEAT_ACK, false, rsp,
					  sizeof(rsp), &len, &err), -EINVAL);
	/* VENDOR_DEFINED_REQUEST, PCI-SIG standard ID, vendor 0x1234, 2-byte payload. */
	req[n++] = 0x12;
	req[n++] = SPDM_VENDOR_DEFINED_REQUEST;
	req[n++] = 0;
	req[n++] = 0;
	req[n++] = 3;		/* StandardID: PCI-SIG */
	req[n++] = 0;
	req[n++] = 2;		/* Len */
	req[n++] = 0x34;
	req[n++] = 0x12;
	req[n++] = 2;		/* ReqLength */
	req[n++] = 0;
	req[n++] = 0xaa;
	req[n++] = 0x55;
	err = (struct da_err){ 0 };
	ret = req_session_send(c.r, req, n, SPDM_VENDOR_DEFINED_RESPONSE, false, rsp, sizeof(rsp),
			       &len, &err);
	/*
	 * The emulator registers no vendor handler and answers ERROR: it
	 * must come back as errno naming the SPDM error, the session up.
	 */
	assert_int_equal(ret, -EINVAL);
	assert_non_null(strstr(err.msg, "VENDOR_DEFINED_REQUEST: device answered ERROR InvalidRequest"));
	assert_int_equal(c.r->sess->state, SPDM_SESS_ESTABLISHED);
	req[0] = 0x12;
	req[1] = SPDM_HEARTBEAT;
	req[2] = req[3] = 0;
	assert_int_equal(req_session_send(c.r, req, 4, SPDM_HEARTBEAT_ACK, false, rsp,
					  sizeof(rsp), &len, &err), 0);
	assert_int_equal(spdm_req_session_end(c.r, &err), 0);
	/* No session, nothing sent. */
	assert_int_equal(req_session_send(c.r, req, 4, SPDM_HEARTBEAT_ACK, false, rsp,
					  sizeof(rsp), &len, &err), -ENOTCONN);
	conn_close(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_digests_certificate),
		cmocka_unit_test(test_digest_mismatch),
		cmocka_unit_test(test_chain_mismatch),
		cmocka_unit_test(test_session_send),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
