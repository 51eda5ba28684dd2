// SPDX-License-Identifier: MIT
/*
 * Large SPDM messages against the DMTF reference: our requester with a
 * small DataTransferSize against spdm_responder_emu (CHUNK in its --cap),
 * which must then answer ERROR LargeResponse and serve CHUNK_GET; and
 * spdm_requester_emu against a devauth-emu device whose DataTransferSize
 * is 42, which makes the DMTF requester use CHUNK_SEND.  Each run is
 * captured and the capture must show the chunk messages, so a run that
 * silently did not chunk fails.
 */
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
#include <devauth/transport.h>

#include "../e2e/emu_harness.h"
#include "peer_harness.h"



/*
 * How many messages with each request/response code a capture holds, and
 * the capture verified by our replay (the chunks folded back into the
 * large messages): the signatures must check over the reassembled ones.
 */
static void check_capture(const char *path, unsigned int counts[256])
{
	struct da_capture cap = { 0 };
	struct da_spdm_msg *msgs = NULL;
	struct da_err err = { 0 };
	struct spdm_req_config c;
	struct spdm_req *r;
	size_t n = 0;

	memset(counts, 0, 256 * sizeof(counts[0]));
	if (da_pcap_read(path, &cap, &err) || da_capture_spdm(&cap, &msgs, &n, &err))
		fail_msg("%s: %s", path, err.msg);
	for (size_t i = 0; i < n; i++)
		if (msgs[i].len >= 2)
			counts[msgs[i].data[1]]++;
	spdm_req_config_default(&c);
	r = spdm_req_new(&c, NULL);
	assert_non_null(r);
	if (spdm_req_replay(r, msgs, n, &err))
		fail_msg("%s: replay: %s", path, err.msg);
	assert_true(spdm_req_info(r)->authenticated);
	assert_true(spdm_req_info(r)->measured);
	spdm_req_free(r);
	free(msgs);
	da_capture_free(&cap);
}

static void our_requester_vs_dmtf(const char *ver, uint8_t v, uint32_t dts)
{
	static const char *const args[] = {
		"--trans", "PCI_DOE", "--cap", "CACHE,CERT,CHAL,MEAS_SIG,MEAS_FRESH,CHUNK", NULL
	};
	struct spdm_req_config c;
	struct da_transport *t = NULL;
	struct da_pcap *pcap = NULL;
	struct da_err err = { 0 };
	const struct spdm_req_info *info;
	unsigned int counts[256];
	struct peer_proc p;
	struct spdm_req *r;
	char hp[32], path[512];

	snprintf(path, sizeof(path), "%s/ours-%s-%u.pcap", peer_dir(), ver, dts);
	assert_int_equal(da_pcap_open_write(path, DA_FRAMING_PCI_DOE, &pcap, &err), 0);
	assert_int_equal(peer_start_responder(&p, args, 20), 0);
	snprintf(hp, sizeof(hp), "127.0.0.1:%d", p.port);
	assert_int_equal(da_transport_emu_connect_pcap(hp, DA_FRAMING_PCI_DOE, 5000, pcap, &t,
						       &err), 0);
	spdm_req_config_default(&c);
	c.dev_name = "dmtf";
	c.min_version = c.max_version = v;
	c.data_transfer_size = dts;
	r = spdm_req_new(&c, t);
	assert_non_null(r);
	if (spdm_req_authenticate(r, &err) || spdm_req_measure(r, &err)) {
		peer_dump_log(&p);
		fail_msg("SPDM %s, DataTransferSize %u: %s", ver, dts, err.msg);
	}
	info = spdm_req_info(r);
	assert_true(info->authenticated);
	assert_true(info->measured);
	assert_int_equal(info->neg.version, v);
	assert_true(info->rsp_caps & SPDM_CAP_CHUNK);
	/* The certificate portions and CHALLENGE_AUTH cannot fit: they must be fetched. */
	assert_true(info->chunk_gets > 0);
	if (t->ops->close)
		t->ops->close(t, false, NULL);
	spdm_req_free(r);
	da_transport_destroy(t);
	assert_int_equal(da_pcap_close(pcap), 0);
	peer_stop(&p);

	check_capture(path, counts);
	assert_true(counts[SPDM_CHUNK_GET] > 0);
	assert_int_equal(counts[SPDM_CHUNK_GET], counts[SPDM_CHUNK_RESPONSE]);
	fprintf(stderr, "SPDM %s DataTransferSize %u: %u CHUNK_GET, %u CHUNK_SEND\n", ver, dts,
		counts[SPDM_CHUNK_GET], counts[SPDM_CHUNK_SEND]);
}

static void test_our_requester_chunks_12(void **state)
{
	(void)state;
	our_requester_vs_dmtf("1.2", SPDM_VER_12, 42);
}

static void test_our_requester_chunks_13(void **state)
{
	(void)state;
	our_requester_vs_dmtf("1.3", SPDM_VER_13, 42);
}

static void test_our_requester_chunks_14(void **state)
{
	(void)state;
	/* 1.4: 4-byte ChunkSeqNo; a size that is not a multiple of anything */
	our_requester_vs_dmtf("1.4", SPDM_VER_14, 97);
}

static void dmtf_requester_vs_emu(const char *ver, unsigned int min_sends)
{
	const char *const extra[] = {
		"--transport", "pci-doe", "--data-transfer-size", "42", "--spdm-version", ver,
		/* the DMTF requester's default offer; no RSA keys to make */
		"--asym", "ecdsa-p384,ecdsa-p256", NULL
	};
	struct emu_proc e = { 0 };
	unsigned int counts[256];
	char port[16], path[512], out[65536];
	int rc;

	assert_int_equal(emu_start(&e, extra), 0);
	snprintf(port, sizeof(port), "%d", e.base_port);
	snprintf(path, sizeof(path), "%s/dmtf-req-%s.pcap", peer_dir(), ver);
	{
		const char *const rargs[] = {
			"--trans", "PCI_DOE", "--port", port, "--ver", ver,
			"--cap", "CERT,CHAL,CHUNK", "--exe_conn", "VCA,DIGEST,CERT,CHAL,MEAS",
			"--meas_op", "ALL", "--exe_session", "NO_END", "--pcap", path, NULL
		};

		rc = peer_run("spdm_requester_emu", rargs, out, sizeof(out), 120);
	}
	if (rc || strstr(out, "ERROR")) {
		char cmd[400];

		fprintf(stderr, "%s\n", out);
		snprintf(cmd, sizeof(cmd), "cat '%s' >&2", e.log);
		if (system(cmd))
			fprintf(stderr, "no devauth-emu log\n");
	}
	assert_int_equal(rc, 0);
	assert_null(strstr(out, "ERROR"));
	assert_int_equal(emu_stop(&e), 0);
	emu_rmdir(e.dir);

	check_capture(path, counts);
	/*
	 * NEGOTIATE_ALGORITHMS exceeds 42 bytes; from 1.3 (RequesterContext)
	 * CHALLENGE and GET_MEASUREMENTS do too.  Each takes two chunks.
	 */
	assert_true(counts[SPDM_CHUNK_SEND] >= min_sends);
	assert_int_equal(counts[SPDM_CHUNK_SEND], counts[SPDM_CHUNK_SEND_ACK]);
	assert_true(counts[SPDM_CERTIFICATE] > 0);
	fprintf(stderr, "DMTF requester SPDM %s vs devauth-emu DataTransferSize 42: %u CHUNK_SEND\n",
		ver, counts[SPDM_CHUNK_SEND]);
}

static void test_dmtf_requester_chunks_12(void **state)
{
	(void)state;
	dmtf_requester_vs_emu("1.2", 2);
}

static void test_dmtf_requester_chunks_13(void **state)
{
	(void)state;
	dmtf_requester_vs_emu("1.3", 6);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_our_requester_chunks_12),
		cmocka_unit_test(test_our_requester_chunks_13),
		cmocka_unit_test(test_our_requester_chunks_14),
		cmocka_unit_test(test_dmtf_requester_chunks_12),
		cmocka_unit_test(test_dmtf_requester_chunks_13),
	};
	const char *build = getenv("DEVAUTH_BUILD");
	static char bin[512];

	if (!build) {
		fprintf(stderr, "DEVAUTH_BUILD is not set: devauth-emu is required\n");
		return 1;
	}
	snprintf(bin, sizeof(bin), "%s/src/devauth-emu/devauth-emu", build);
	emu_bin = bin;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
