// SPDX-License-Identifier: MIT
/*
 * Large messages as a user meets them: `devauth-emu pki --asym
 * rsassa-4096` makes a 3-certificate chain above 4 KiB, a devauth-emu
 * device with DataTransferSize 42 serves it, and `devauth probe
 * --data-transfer-size 42` authenticates it with chunks both ways (the
 * capture must show CHUNK_SEND and CHUNK_GET) and `devauth dump --verify`
 * verifies the capture.  A MaxSPDMmsgSize too small for a message fails
 * with the message saying so.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include <devauth/pcap.h>
#include <devauth/spdm.h>

#include "emu_harness.h"

static const char *cli_bin;

/* emu_run() for either binary. */
static int run(const char *bin, const char *const *args, char *out, size_t len)
{
	const char *save = emu_bin;
	int rc;

	emu_bin = bin;
	rc = emu_run(args, out, len, 120);
	emu_bin = save;
	return rc;
}

static void count_codes(const char *path, unsigned int counts[256])
{
	struct da_capture cap = { 0 };
	struct da_spdm_msg *msgs = NULL;
	struct da_err err = { 0 };
	size_t n = 0;

	memset(counts, 0, 256 * sizeof(counts[0]));
	if (da_pcap_read(path, &cap, &err) || da_capture_spdm(&cap, &msgs, &n, &err))
		fail_msg("%s: %s", path, err.msg);
	for (size_t i = 0; i < n; i++)
		if (msgs[i].len >= 2)
			counts[msgs[i].data[1]]++;
	free(msgs);
	da_capture_free(&cap);
}

struct big_pki {
	char dir[256];
	char root[320], chain[320], key[320], slot[700];
};

static void make_big_pki(struct big_pki *k)
{
	char out[4096];
	struct stat st;
	int rc;

	emu_mkdtemp(k->dir, sizeof(k->dir));
	{
		const char *const args[] = { "pki", "--out", k->dir, "--asym",
					     "rsassa-4096", NULL };

		rc = run(emu_bin, args, out, sizeof(out));
	}
	if (rc)
		fail_msg("devauth-emu pki: %d: %s", rc, out);
	snprintf(k->root, sizeof(k->root), "%s/root.der", k->dir);
	snprintf(k->chain, sizeof(k->chain), "%s/dev0/slot0/chain.der", k->dir);
	snprintf(k->key, sizeof(k->key), "%s/dev0/slot0/key.pem", k->dir);
	snprintf(k->slot, sizeof(k->slot), "0:%s:%s", k->chain, k->key);
	assert_int_equal(stat(k->chain, &st), 0);
	/* root, intermediate and leaf with RSA-4096 keys: above what 4 KiB carries */
	assert_true(st.st_size > 4096);
}

static void probe_chunked(const struct big_pki *k, const char *ver, bool sends)
{
	const char *const extra[] = {
		"--asym", "rsassa-4096", "--hash", "sha384", "--slot", k->slot,
		"--data-transfer-size", "42", NULL
	};
	struct emu_proc p = { 0 };
	unsigned int counts[256];
	char hp[64], pcap[400], out[65536];
	int rc;

	assert_int_equal(emu_start(&p, extra), 0);
	snprintf(hp, sizeof(hp), "127.0.0.1:%d", p.base_port);
	snprintf(pcap, sizeof(pcap), "%s/probe-%s.pcap", p.dir, ver);
	{
		const char *const args[] = { "probe", "--connect", hp, "--trust", k->root,
					     "--spdm-version", ver, "--data-transfer-size", "42",
					     "--pcap", pcap, NULL };

		rc = run(cli_bin, args, out, sizeof(out));
	}
	if (rc)
		fail_msg("devauth probe %s: %d:\n%s", ver, rc, out);
	assert_non_null(strstr(out, "all checks passed"));
	assert_non_null(strstr(out, "3 certificates"));

	count_codes(pcap, counts);
	assert_true(counts[SPDM_CHUNK_GET] > 4096 / 42);
	assert_int_equal(counts[SPDM_CHUNK_GET], counts[SPDM_CHUNK_RESPONSE]);
	/* From 1.3 CHALLENGE and GET_MEASUREMENTS exceed 42 bytes: sent in chunks. */
	if (sends)
		assert_true(counts[SPDM_CHUNK_SEND] >= 4);
	else
		assert_int_equal(counts[SPDM_CHUNK_SEND], 0);
	assert_int_equal(counts[SPDM_CHUNK_SEND], counts[SPDM_CHUNK_SEND_ACK]);
	{
		const char *const args[] = { "dump", pcap, "--verify", "--trust", k->root,
					     NULL };

		rc = run(cli_bin, args, out, sizeof(out));
	}
	if (rc)
		fail_msg("devauth dump --verify %s: %d:\n%s", ver, rc, out);
	assert_int_equal(emu_stop(&p), 0);
	emu_rmdir(p.dir);
}

static void test_chunk_probe(void **state)
{
	struct big_pki k;

	make_big_pki(&k);
	probe_chunked(&k, "1.2", false);
	probe_chunked(&k, "1.3", true);
	probe_chunked(&k, "1.4", true);
	emu_rmdir(k.dir);
}

/* MaxSPDMmsgSize bounds what may be reassembled, each way. */
static void test_chunk_limits(void **state)
{
	static const char *const small_max[] = {
		"--data-transfer-size", "42", "--max-spdm-msg-size", "43",
		/* one key to make: the request size under test does not depend on it */
		"--asym", "ECDSA_P384", NULL
	};
	struct emu_proc p = { 0 };
	char hp[64], out[65536];
	int rc;

	assert_int_equal(emu_start(&p, small_max), 0);
	snprintf(hp, sizeof(hp), "127.0.0.1:%d", p.base_port);
	{
		/* CHALLENGE at 1.3 is 44 bytes: more than the device takes */
		const char *const args[] = { "probe", "--connect", hp, "--spdm-version",
					     "1.3", NULL };

		rc = run(cli_bin, args, out, sizeof(out));
	}
	assert_int_equal(rc, 1);
	assert_non_null(strstr(out, "CHALLENGE: 44 bytes exceed the device's MaxSPDMmsgSize 43"));
	assert_int_equal(emu_stop(&p), 0);
	emu_rmdir(p.dir);

	p = (struct emu_proc){ 0 };
	assert_int_equal(emu_start(&p, NULL), 0);
	snprintf(hp, sizeof(hp), "127.0.0.1:%d", p.base_port);
	{
		/* the signed MEASUREMENTS of all blocks is larger than 400 bytes */
		const char *const args[] = { "probe", "--connect", hp,
					     "--data-transfer-size", "42",
					     "--max-spdm-msg-size", "400", NULL };

		rc = run(cli_bin, args, out, sizeof(out));
	}
	assert_int_equal(rc, 1);
	assert_non_null(strstr(out, "GET_MEASUREMENTS: device answered ERROR ResponseTooLarge"));
	assert_int_equal(emu_stop(&p), 0);
	emu_rmdir(p.dir);
}

/* The option and the config key reject what DSP0274 forbids. */
static void test_chunk_bad_sizes(void **state)
{
	static const char *const bad[][3] = {
		{ "--data-transfer-size", "41", "--data-transfer-size: '41' is not in 42.." },
		{ "--max-spdm-msg-size", "x", "--max-spdm-msg-size: 'x' is not in 42.." },
	};
	char out[8192];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *const args[] = { "serve", "--ctl", "none", bad[i][0],
					     bad[i][1], NULL };

		assert_int_not_equal(emu_run(args, out, sizeof(out), 30), 0);
		if (!strstr(out, bad[i][2]))
			fail_msg("%s %s: %s", bad[i][0], bad[i][1], out);
	}
	{
		char hp[64];
		const char *const args[] = { "serve", "--ctl", "none", "--listen", hp,
					     "--data-transfer-size", "4096", "--max-spdm-msg-size",
					     "1000", NULL };

		/* a port nobody should serve on: the device fails before serving */
		snprintf(hp, sizeof(hp), "127.0.0.1:%d", 20000 + (int)(getpid() % 30000));

		assert_int_not_equal(emu_run(args, out, sizeof(out), 30), 0);
		assert_non_null(strstr(out, "max-spdm-msg-size 1000 not within data-transfer-size 4096"));
	}
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chunk_probe),
		cmocka_unit_test(test_chunk_limits),
		cmocka_unit_test(test_chunk_bad_sizes),
	};

	if (argc < 3) {
		fprintf(stderr, "usage: %s PATH-TO-devauth-emu PATH-TO-devauth\n", argv[0]);
		return 1;
	}
	emu_bin = argv[1];
	cli_bin = argv[2];
	return cmocka_run_group_tests(tests, NULL, NULL);
}
