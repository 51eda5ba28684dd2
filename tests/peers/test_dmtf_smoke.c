// SPDX-License-Identifier: MIT
/*
 * The harness itself against the DMTF reference: a spdm_responder_emu on a
 * free port is authenticated and measured by our requester, and the DMTF
 * requester completes against a second one.  The wider interop matrix
 * lives in the other tests of this folder.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <devauth/requester.h>
#include <devauth/transport.h>

#include "peer_harness.h"

static void test_our_requester_vs_dmtf_responder(void **state)
{
	static const char *const args[] = { "--trans", "PCI_DOE", NULL };
	struct spdm_req_config c;
	struct da_transport *t = NULL;
	struct da_err err = { 0 };
	struct peer_proc p;
	struct spdm_req *r;
	char hp[32];

	(void)state;
	assert_int_equal(peer_start_responder(&p, args, 20), 0);
	snprintf(hp, sizeof(hp), "127.0.0.1:%d", p.port);
	assert_int_equal(da_transport_emu_connect(hp, DA_FRAMING_PCI_DOE, 5000, &t, &err), 0);
	spdm_req_config_default(&c);
	c.dev_name = "dmtf";
	r = spdm_req_new(&c, t);
	assert_non_null(r);
	if (spdm_req_authenticate(r, &err) || spdm_req_measure(r, &err)) {
		peer_dump_log(&p);
		fail_msg("%s", err.msg);
	}
	assert_true(spdm_req_info(r)->authenticated);
	assert_true(spdm_req_info(r)->measured);
	spdm_req_free(r);
	da_transport_destroy(t);
	peer_stop(&p);
}

static void test_dmtf_requester_vs_dmtf_responder(void **state)
{
	struct peer_proc p;
	char port[16], out[65536];
	int rc;

	(void)state;
	{
		static const char *const args[] = { "--trans", "MCTP", NULL };

		assert_int_equal(peer_start_responder(&p, args, 20), 0);
	}
	snprintf(port, sizeof(port), "%d", p.port);
	const char *const rargs[] = { "--trans", "MCTP", "--port", port, "--exe_conn",
				      "VCA,DIGEST,CERT,CHAL,MEAS", "--exe_session", "NO_END", NULL };

	rc = peer_run("spdm_requester_emu", rargs, out, sizeof(out), 60);
	if (rc || strstr(out, "ERROR")) {
		fprintf(stderr, "%s\n", out);
		peer_dump_log(&p);
	}
	assert_int_equal(rc, 0);
	assert_null(strstr(out, "ERROR"));
	peer_stop(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_our_requester_vs_dmtf_responder),
		cmocka_unit_test(test_dmtf_requester_vs_dmtf_responder),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
