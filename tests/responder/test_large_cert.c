// SPDX-License-Identifier: MIT
/*
 * GET_CERTIFICATE in the 1.4 LargeCertChain form against the responder:
 * answered in kind by a device with LARGE_RESP_CAP, UnsupportedRequest
 * from one without; a chain above 64 KiB only in the large form.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "rsp_client.h"

static struct rsp_device *make(uint32_t extra_caps)
{
	struct rsp_device_config cfg;
	struct rsp_device *d = NULL;
	struct da_err err = { 0 };

	rsp_device_config_default(&cfg, "0000:01:00.0", 1);
	cfg.caps |= extra_caps;
	if (rsp_device_create(&cfg, &d, &err))
		fail_msg("rsp_device_create: %s", err.msg);
	return d;
}

static void get_cert(struct client *c, bool large, uint32_t offset, uint32_t length)
{
	struct wcur w = wcur_init(c->req, sizeof(c->req));

	assert_true(spdm_encode_get_certificate(&w, SPDM_VER_14, &(struct spdm_get_certificate){
		.slot = 0, .large = large, .offset = offset, .length = length }) > 0);
	c->req_len = w.len;
	assert_true(client_xfer(c) >= 4);
}

static void test_large_answered_in_kind(void **state)
{
	struct rsp_device *d = make(SPDM_CAP_LARGE_RESP);
	struct client *c = calloc(1, sizeof(*c));
	struct spdm_certificate cert;
	size_t total;
	int n;

	(void)state;
	client_init(c, d);
	client_vca(c, SPDM_VER_14, SPDM_ASYM_ECDSA_P384, SPDM_HASH_SHA384);
	client_digests(c);
	get_cert(c, true, 0, 200);
	n = spdm_decode_certificate(c->rsp, (size_t)c->rsp_len, SPDM_VER_14, &cert, NULL);
	assert_int_equal(n, SPDM_CERTIFICATE_LARGE_HDR_SIZE + 200);
	assert_true(cert.large);
	assert_int_equal(c->rsp[2] & 0x80, 0x80);
	/* the 16-bit fields are zero in the large form */
	assert_int_equal(c->rsp[4] | c->rsp[5] | c->rsp[6] | c->rsp[7], 0);
	assert_int_equal(cert.portion_len, 200);
	total = 200 + cert.remainder_len;
	get_cert(c, true, 200, 0x7fffffff);
	n = spdm_decode_certificate(c->rsp, (size_t)c->rsp_len, SPDM_VER_14, &cert, NULL);
	assert_true(n > 0);
	assert_true(cert.large);
	assert_int_equal(200 + cert.portion_len + cert.remainder_len, total);
	client_fini(c);
	free(c);
	rsp_device_free(d);
}

static void test_large_without_cap(void **state)
{
	struct rsp_device *d = make(0);
	struct client *c = calloc(1, sizeof(*c));

	(void)state;
	assert_false(rsp_device_config(d)->caps & SPDM_CAP_LARGE_RESP);
	client_init(c, d);
	client_vca(c, SPDM_VER_14, SPDM_ASYM_ECDSA_P384, SPDM_HASH_SHA384);
	client_digests(c);
	get_cert(c, true, 0, 200);
	assert_int_equal(client_expect_error(c, SPDM_ERR_UNSUPPORTED_REQUEST),
			 SPDM_GET_CERTIFICATE);
	/* the 16-bit form still works */
	get_cert(c, false, 0, 200);
	assert_int_equal(c->rsp[1], SPDM_CERTIFICATE);
	client_fini(c);
	free(c);
	rsp_device_free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_large_answered_in_kind),
		cmocka_unit_test(test_large_without_cap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
