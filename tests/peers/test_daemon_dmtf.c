// SPDX-License-Identifier: MIT
/*
 * devauthd owning DMTF reference devices: two spdm_responder_emu
 * processes (which serve one connection and exit on SHUTDOWN or when it
 * closes) next to a devauth-emu fleet, a monitor running throughout.
 *
 *  - attest --all --policy (trust anchors: the fleet's root and the DMTF
 *    ECP384 root) accepts exactly the healthy devices;
 *  - each DMTF device then serves CONNECT again and repeated EVIDENCE_READ
 *    with NONCE over its one link, every bundle verifying with its nonce;
 *  - a daemon restart leaves the reference devices running (CONTINUE) and
 *    their bindings restored;
 *  - a pinned DMTF device killed and replaced on the same port by one
 *    with other keys: session-lost, then revalidation-failed, unbound,
 *    with no devauth command after the pin.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "crypto/crypto.h"
#include "harness.h"
#include "peer_harness.h"

#define E_GOOD0 "0000:01:00.0"
#define E_GOOD1 "0000:02:00.0"
#define E_BAD   "0000:03:00.0"	/* bad CHALLENGE_AUTH signature */
#define DMTF0   "dmtf0"
#define DMTF1   "dmtf1"

static struct rig rig;
static struct peer_proc peer[2];
static char out[1 << 17];
static char mon_log[400], policy[400];
static pid_t mon_pid;
static const char *const d_extra[] = { "--op-timeout-ms", "10000", NULL };
static const char *const p384[] = { "--trans", "PCI_DOE", NULL };

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void expect_out(const char *needle, const char *what)
{
	if (!strstr(out, needle))
		fail_msg("%s: expected \"%s\" in: %s", what, needle, out);
}

static int start_monitor(void)
{
	char bin[512];
	const char *argv[] = { bin_path("src/devauth/devauth", bin, sizeof(bin)), "monitor",
			       "--json", "--socket", rig.sock, NULL };

	unlink(mon_log);
	mon_pid = proc_spawn(argv, mon_log);
	for (int i = 0; i < 2000 && mon_pid > 0; i++) {
		if (file_contains(mon_log, "monitor: listening"))
			return 0;
		usleep(10000);
	}
	return -1;
}

static void stop_monitor(void)
{
	if (mon_pid > 0)
		proc_stop(mon_pid, 5000);
	mon_pid = 0;
}

static int start_daemon(void)
{
	char cfg[2048];

	snprintf(cfg, sizeof(cfg),
		 "{ \"emu-ready-file\": \"%s\", \"devices\": ["
		 " { \"name\": \"" DMTF0 "\", \"transport\": \"127.0.0.1:%d\", \"framing\": \"pci-doe\" },"
		 " { \"name\": \"" DMTF1 "\", \"transport\": \"127.0.0.1:%d\", \"framing\": \"pci-doe\" } ] }",
		 rig.emu_ready, peer[0].port, peer[1].port);
	return rig_start_daemon_cfg(&rig, cfg, d_extra);
}

static int write_policy(const char *pki)
{
	FILE *f;

	snprintf(policy, sizeof(policy), "%s/policy.json", rig.dir);
	f = fopen(policy, "w");
	if (!f)
		return -1;
	fprintf(f, "{ \"version\": 1, \"trust_anchors\": [ \"%s/root.der\", \"%s/ecp384/ca.cert.der\" ] }\n",
		pki, peer_dir());
	return fclose(f) ? -1 : 0;
}

static int group_setup(void **state)
{
	char pki[300], bin[512], devs[4096];

	rig_init(&rig);
	snprintf(mon_log, sizeof(mon_log), "%s/monitor.log", rig.dir);
	for (int i = 0; i < 2; i++)
		if (peer_start_responder(&peer[i], p384, 20)) {
			fprintf(stderr, "spdm_responder_emu %d did not start\n", i);
			return -1;
		}
	/* A fleet with its own PKI, so that the policy can name its root. */
	snprintf(pki, sizeof(pki), "%s/pki", rig.dir);
	{
		const char *argv[] = { bin_path("src/devauth-emu/devauth-emu", bin, sizeof(bin)),
				       "pki", "--out", pki, "--count", "3", NULL };

		if (run(argv, out, sizeof(out), 60000)) {
			fprintf(stderr, "devauth-emu pki: %s\n", out);
			return -1;
		}
	}
	snprintf(devs, sizeof(devs),
		 "[ { \"name\": \"" E_GOOD0 "\", \"slots\": [ { \"slot\": 0, \"chain\": \"%s/dev0/slot0/chain.der\", \"key\": \"%s/dev0/slot0/key.pem\" } ] },"
		 "  { \"name\": \"" E_GOOD1 "\", \"slots\": [ { \"slot\": 0, \"chain\": \"%s/dev1/slot0/chain.der\", \"key\": \"%s/dev1/slot0/key.pem\" } ] },"
		 "  { \"name\": \"" E_BAD "\", \"faults\": [\"bad-challenge-sig\"],"
		 "    \"slots\": [ { \"slot\": 0, \"chain\": \"%s/dev2/slot0/chain.der\", \"key\": \"%s/dev2/slot0/key.pem\" } ] } ]",
		 pki, pki, pki, pki, pki, pki);
	if (rig_start_emu(&rig, devs, NULL)) {
		fprintf(stderr, "devauth-emu did not start; log %s\n", rig.emu.log);
		return -1;
	}
	if (write_policy(pki) || start_daemon()) {
		fprintf(stderr, "devauthd did not start; log %s\n", rig.d.log);
		return -1;
	}
	return start_monitor();
}

static int group_teardown(void **state)
{
	int d = rig_stop_daemon(&rig), e = rig_stop_emu(&rig);

	stop_monitor();
	for (int i = 0; i < 2; i++)
		peer_stop(&peer[i]);
	rig_cleanup(&rig);
	return d || e ? -1 : 0;
}

/* The events for dev in the monitor's log, as "event[check]" words in order. */
static size_t events(const char *dev, char names[][64], size_t max)
{
	char line[4096];
	size_t n = 0;
	FILE *f = fopen(mon_log, "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f) && n < max) {
		json_object *j = line[0] == '{' ? json_tokener_parse(line) : NULL, *v;

		if (j && json_object_object_get_ex(j, "device", &v) &&
		    !strcmp(json_object_get_string(v), dev)) {
			const char *ev = json_object_object_get_ex(j, "event", &v) ?
					 json_object_get_string(v) : "?";

			if (json_object_object_get_ex(j, "check", &v))
				snprintf(names[n], 64, "%s[%s]", ev, json_object_get_string(v));
			else
				snprintf(names[n], 64, "%s", ev);
			n++;
		}
		json_object_put(j);
	}
	fclose(f);
	return n;
}

static size_t mark(const char *dev)
{
	static char names[256][64];

	return events(dev, names, 256);
}

/* Wait (bounded) for from + n events; they must be want[], and the first is timed. */
static void expect_after(const char *dev, size_t from, const char *const *want, size_t n,
			 uint64_t t0, const char *what)
{
	static char names[256][64];
	size_t got = 0;
	bool timed = false;

	for (int i = 0; i < 3000; i++) {
		got = events(dev, names, 256);
		if (!timed && got > from) {
			fprintf(stderr, "%s: %s %llu ms after the cause\n", dev, names[from],
				(unsigned long long)(now_ms() - t0));
			timed = true;
		}
		if (got >= from + n)
			break;
		usleep(10000);
	}
	for (size_t k = 0; k < n; k++) {
		if (from + k >= got || strcmp(names[from + k], want[k])) {
			for (size_t j = from; j < got; j++)
				fprintf(stderr, "  event %zu: %s\n", j - from, names[j]);
			fail_msg("%s: event %zu is %s, expected %s", what, k,
				 from + k < got ? names[from + k] : "(none)", want[k]);
		}
	}
}

static const char *state_of(const char *dev)
{
	static char st[32];
	json_object *j, *devs, *v;

	assert_int_equal(devauth(&rig, out, sizeof(out), "list", dev, "--json", NULL), 0);
	j = json_tokener_parse(out);
	assert_non_null(j);
	assert_true(json_object_object_get_ex(j, "devices", &devs));
	assert_true(json_object_object_get_ex(json_object_array_get_idx(devs, 0), "state", &v));
	snprintf(st, sizeof(st), "%s", json_object_get_string(v));
	json_object_put(j);
	return st;
}

/* devauth evidence DEV --nonce N, then devauth verify of the bundle with that nonce. */
static void refresh_verifies(const char *dev, unsigned int round)
{
	uint8_t raw[32];
	char nonce[65], path[400], bin[512];

	assert_int_equal(da_random(raw, sizeof(raw)), 0);
	for (int i = 0; i < 32; i++)
		snprintf(nonce + 2 * i, 3, "%02x", raw[i]);
	snprintf(path, sizeof(path), "%s/%s-%u.bundle", rig.dir, dev, round);
	if (devauth(&rig, out, sizeof(out), "evidence", dev, "--nonce", nonce, "-o", path, NULL))
		fail_msg("%s: evidence --nonce, round %u: %s", dev, round, out);
	{
		const char *argv[] = { bin_path("src/devauth/devauth", bin, sizeof(bin)), "verify",
				       "--bundle", path, "--policy", policy, "--nonce", nonce, NULL };

		if (run(argv, out, sizeof(out), 30000))
			fail_msg("%s: verify, round %u: %s", dev, round, out);
	}
}

static void test_attest_all_and_refresh(void **state)
{
	alarm(240);
	assert_int_equal(devauth(&rig, out, sizeof(out), "attest", "--all", "--policy", policy,
				 NULL), 1);
	expect_out("5 device(s): 4 accepted, 1 refused", "attest --all");
	for (const char *const *d = (const char *const[]){ E_GOOD0, E_GOOD1, DMTF0, DMTF1, NULL };
	     *d; d++)
		if (strcmp(state_of(*d), "bound"))
			fail_msg("%s is %s after attest --all", *d, state_of(*d));
	assert_string_equal(state_of(E_BAD), "failed");
	for (int i = 0; i < 2; i++) {
		const char *dev = i ? DMTF1 : DMTF0;

		/* CONNECT again (the reference device would have exited on SHUTDOWN). */
		if (devauth(&rig, out, sizeof(out), "connect", dev, NULL))
			fail_msg("%s: connect again: %s", dev, out);
		for (unsigned int r = 0; r < 3; r++)
			refresh_verifies(dev, r);
		assert_string_equal(state_of(dev), "bound");
		assert_true(peer_alive(&peer[i]));
	}
	alarm(0);
}

static void test_restart_keeps_reference_devices(void **state)
{
	alarm(180);
	stop_monitor();
	assert_int_equal(rig_stop_daemon(&rig), 0);
	/* CONTINUE, not SHUTDOWN: the reference devices outlive the daemon. */
	assert_true(peer_alive(&peer[0]));
	assert_true(peer_alive(&peer[1]));
	assert_int_equal(start_daemon(), 0);
	assert_int_equal(start_monitor(), 0);
	/* Restored only after showing the accepted chain again, over a new link. */
	assert_string_equal(state_of(DMTF0), "bound");
	assert_string_equal(state_of(DMTF1), "bound");
	refresh_verifies(DMTF0, 10);
	refresh_verifies(DMTF1, 10);
	alarm(0);
}

static void test_replaced_with_other_keys(void **state)
{
	static const char *const p256[] = { "--trans", "PCI_DOE", "--asym", "ECDSA_P256",
					    "--hash", "SHA_256", NULL };
	static const char *const want[] = { "session-lost", "revalidation-failed[pin-key]",
					    "unbound" };
	uint64_t t0;
	size_t m;
	int port = peer[1].port;

	alarm(180);
	if (devauth(&rig, out, sizeof(out), "pin", DMTF1, "--current", "--mode", "same-key", NULL))
		fail_msg("pin: %s", out);
	m = mark(DMTF1);
	t0 = now_ms();
	peer_stop(&peer[1]);
	assert_int_equal(peer_start_responder_on(&peer[1], port, p256, 20), 0);
	expect_after(DMTF1, m, want, 3, t0, "reference device replaced");
	assert_string_equal(state_of(DMTF1), "unconnected");
	/* The other reference device is untouched. */
	assert_string_equal(state_of(DMTF0), "bound");
	alarm(0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_attest_all_and_refresh),
		cmocka_unit_test(test_restart_keeps_reference_devices),
		cmocka_unit_test(test_replaced_with_other_keys),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
