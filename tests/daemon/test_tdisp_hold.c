// SPDX-License-Identifier: MIT
/*
 * The session devauthd holds from LOCK to UNLOCK, with devauth-emu TDISP
 * devices (real processes: devauth-emu, devauthd, the devauth CLI, and
 * `devauth monitor --json` throughout):
 *
 *   rules      LOCK of an unconnected device refused; ACCEPT unlocked
 *              refused; ACCEPT --generation with a stale generation
 *              refused, with the lock's accepted; no un-accept (ACCEPT
 *              and LOCK of a running interface leave it RUN); LOCK,
 *              ACCEPT and UNLOCK EBUSY while bound.
 *   reset      lock + accept + bind, then `devauth-emu ctl reset`: one
 *              session-lost and unbound without any devauth command, the
 *              device connected, unlocked, unbound; a new lock + accept
 *              brings it back.
 *   heartbeat  a device negotiating a 1 s HeartbeatPeriod, locked,
 *              accepted, bound, then made heartbeat-silent: the failed
 *              HEARTBEAT makes it fall out the same way.
 *   accept     a locked device whose START fails inside the session
 *              (fault bad-mac): ACCEPT refused and the device falls out.
 *   update     the same 1 s device, running and bound, gets a firmware
 *              update (`devauth-emu ctl update`): the interface goes to
 *              ERROR, and the next keep-alive's state read makes it
 *              fall out, naming the state.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "harness.h"

#define D_RULES   "0000:01:00.0"
#define D_RESET   "0000:02:00.0"
#define D_HB      "0000:03:00.0"
#define D_UNCONN  "0000:04:00.0"

#define P256 "\"asym\": [\"ecdsa-p256\"], \"hash\": [\"sha256\"]"

static const char devices_json[] =
	"[ { \"name\": \"" D_RULES "\", " P256 " },"
	"  { \"name\": \"" D_RESET "\", " P256 " },"
	"  { \"name\": \"" D_HB "\", " P256 ", \"heartbeat-period\": 1 },"
	"  { \"name\": \"" D_UNCONN "\", " P256 " } ]";

static struct rig rig;
static char out[1 << 17];
static char mon_log[400];
static pid_t mon_pid;
static const char *const d_extra[] = { "--op-timeout-ms", "8000", NULL };

#define CLI(expect, needle, ...) do {						\
		int rc_ = devauth(&rig, out, sizeof(out), __VA_ARGS__, NULL);	\
		if (rc_ != (expect) || !strstr(out, (needle)))			\
			fail_msg("devauth %s: exit %d (want %d), no \"%s\" in: %s", \
				 #__VA_ARGS__, rc_, (expect), (needle), out);	\
	} while (0)

static int start_monitor(void)
{
	char bin[512];
	const char *argv[] = { bin_path("src/devauth/devauth", bin, sizeof(bin)), "monitor",
			       "--json", "--socket", rig.sock, NULL };

	mon_pid = proc_spawn(argv, mon_log);
	for (int i = 0; i < 2000 && mon_pid > 0; i++) {
		if (file_contains(mon_log, "monitor: listening"))
			return 0;
		usleep(10000);
	}
	return -1;
}

static int group_setup(void **state)
{
	(void)state;
	rig_init(&rig);
	snprintf(mon_log, sizeof(mon_log), "%s/monitor.log", rig.dir);
	if (rig_start_emu(&rig, devices_json, NULL)) {
		fprintf(stderr, "devauth-emu did not start; log %s\n", rig.emu.log);
		return -1;
	}
	if (rig_start_daemon(&rig, d_extra)) {
		fprintf(stderr, "devauthd did not start; log %s\n", rig.d.log);
		return -1;
	}
	return start_monitor();
}

static int group_teardown(void **state)
{
	int d, e;

	(void)state;
	d = rig_stop_daemon(&rig);
	e = rig_stop_emu(&rig);
	if (mon_pid > 0)
		proc_stop(mon_pid, 5000);
	rig_cleanup(&rig);
	return d || e ? -1 : 0;
}

static void emu_ctl(const char *cmd, const char *dev, const char *arg)
{
	char bin[512];
	const char *argv[] = { bin_path("src/devauth-emu/devauth-emu", bin, sizeof(bin)), "ctl",
			       "--ctl", rig.emu_ctl, cmd, dev, arg, NULL };

	if (run(argv, out, sizeof(out), 20000))
		fail_msg("devauth-emu ctl %s %s: %s", cmd, dev, out);
}

/* One field of dev in `devauth list --json`: into buf, "" when absent. */
static const char *field(const char *dev, const char *key, char *buf, size_t cap)
{
	json_object *root, *devs, *v;

	buf[0] = '\0';
	if (devauth(&rig, out, sizeof(out), "list", "--json", NULL))
		fail_msg("devauth list --json: %s", out);
	root = json_tokener_parse(out);
	if (!root || !json_object_object_get_ex(root, "devices", &devs))
		fail_msg("devauth list --json: not a device list: %s", out);
	for (size_t i = 0; i < json_object_array_length(devs); i++) {
		json_object *d = json_object_array_get_idx(devs, i);

		if (json_object_object_get_ex(d, "name", &v) &&
		    !strcmp(json_object_get_string(v), dev) &&
		    json_object_object_get_ex(d, key, &v) && v)
			snprintf(buf, cap, "%s", json_object_get_string(v));
	}
	json_object_put(root);
	return buf;
}

static void expect_field(const char *dev, const char *key, const char *want)
{
	char buf[512];

	if (strcmp(field(dev, key, buf, sizeof(buf)), want))
		fail_msg("%s: %s is \"%s\", want \"%s\"", dev, key, buf, want);
}

/* The monitor's events for dev as "event" words, the reason of the n-th in reason. */
static size_t events(const char *dev, char names[][64], size_t max, size_t n_reason,
		     char *reason, size_t cap)
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
			snprintf(names[n], 64, "%s", json_object_object_get_ex(j, "event", &v) ?
					json_object_get_string(v) : "?");
			if (n == n_reason && reason)
				snprintf(reason, cap, "%s",
					 json_object_object_get_ex(j, "reason", &v) && v ?
					 json_object_get_string(v) : "");
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

	return events(dev, names, 256, 0, NULL, 0);
}

/*
 * Wait (bounded, no command sent) until dev has the events after from:
 * session-lost with a reason holding why, then unbound when it was bound.
 */
static void expect_fall_out(const char *dev, size_t from, const char *why, bool was_bound)
{
	static char names[256][64];
	char reason[1024] = "";
	size_t got = 0, want = was_bound ? 2 : 1;

	for (int i = 0; i < 6000; i++) {
		got = events(dev, names, 256, from, reason, sizeof(reason));
		if (got >= from + want)
			break;
		usleep(10000);
	}
	if (got < from + want)
		fail_msg("%s: %zu event(s) after %zu, want session-lost%s", dev, got - from, from,
			 was_bound ? " + unbound" : "");
	if (strcmp(names[from], "session-lost") ||
	    (was_bound && strcmp(names[from + 1], "unbound")))
		fail_msg("%s: events %s, %s; want session-lost%s", dev, names[from],
			 got > from + 1 ? names[from + 1] : "-", was_bound ? ", unbound" : "");
	if (!strstr(reason, "TDISP interface fell out") || !strstr(reason, why))
		fail_msg("%s: session-lost reason \"%s\" does not name \"%s\"", dev, reason, why);
	/* Exactly one loss. */
	got = events(dev, names, 256, 0, NULL, 0);
	for (size_t i = from + 2; i < got; i++)
		if (!strcmp(names[i], "session-lost"))
			fail_msg("%s: a second session-lost", dev);
	/* Out: connected, unlocked, not bound; the status says why. */
	expect_field(dev, "state", "connected");
	expect_field(dev, "tdisp", "");
}

/* LOCK, ACCEPT with the lock's generation, BIND: RUN and bound. */
static void lock_accept_bind(const char *dev)
{
	char gen[32];

	CLI(0, "locked", "lock", dev);
	expect_field(dev, "tdisp", "CONFIG_LOCKED");
	field(dev, "generation", gen, sizeof(gen));
	CLI(0, "accepted", "accept", dev, "--generation", gen);
	expect_field(dev, "tdisp", "RUN");
	CLI(0, "bound", "bind", dev);
	expect_field(dev, "state", "bound");
}

static void test_rules(void **state)
{
	char gen[32], stale[32];

	(void)state;
	CLI(1, "not connected", "lock", D_UNCONN);
	expect_field(D_UNCONN, "tdisp", "");
	CLI(0, "", "connect", D_RULES);
	CLI(1, "not locked", "accept", D_RULES);
	CLI(0, "locked", "lock", D_RULES);
	field(D_RULES, "generation", gen, sizeof(gen));
	snprintf(stale, sizeof(stale), "%llu", strtoull(gen, NULL, 10) - 1);
	/* Not what userspace verified: refused, still locked. */
	CLI(1, "refusing to accept: evidence generation is", "accept", D_RULES, "--generation",
	    stale);
	expect_field(D_RULES, "tdisp", "CONFIG_LOCKED");
	CLI(0, "accepted", "accept", D_RULES, "--generation", gen);
	expect_field(D_RULES, "tdisp", "RUN");
	/* No un-accept: ACCEPT and LOCK of a running interface leave it RUN, same evidence. */
	field(D_RULES, "generation", gen, sizeof(gen));
	CLI(0, "already accepted (RUN)", "accept", D_RULES);
	CLI(0, "already", "lock", D_RULES);
	expect_field(D_RULES, "tdisp", "RUN");
	expect_field(D_RULES, "generation", gen);
	CLI(0, "bound", "bind", D_RULES);
	CLI(1, "a driver is bound", "lock", D_RULES);
	CLI(1, "a driver is bound", "accept", D_RULES);
	CLI(1, "a driver is bound", "unlock", D_RULES);
	expect_field(D_RULES, "tdisp", "RUN");
	CLI(0, "", "unbind", D_RULES);
	CLI(0, "", "unlock", D_RULES);
	expect_field(D_RULES, "tdisp", "");
	expect_field(D_RULES, "state", "connected");
}

static void test_reset(void **state)
{
	size_t from;

	(void)state;
	CLI(0, "", "connect", D_RESET);
	lock_accept_bind(D_RESET);
	from = mark(D_RESET);
	emu_ctl("reset", D_RESET, NULL);
	expect_fall_out(D_RESET, from, "link lost", true);
	/* Only a new lock + accept brings it back. */
	lock_accept_bind(D_RESET);
	CLI(0, "", "unbind", D_RESET);
	CLI(0, "", "unlock", D_RESET);
}

static void test_heartbeat(void **state)
{
	size_t from;

	(void)state;
	CLI(0, "", "connect", D_HB);
	lock_accept_bind(D_HB);
	from = mark(D_HB);
	emu_ctl("fault", D_HB, "heartbeat-silent");
	expect_fall_out(D_HB, from, "HEARTBEAT", true);
	emu_ctl("fault", D_HB, "none");
	lock_accept_bind(D_HB);
	CLI(0, "", "unbind", D_HB);
	CLI(0, "", "unlock", D_HB);
}

/* A START that fails inside the session (a MAC that does not verify): the lock is gone. */
static void test_accept_fails(void **state)
{
	size_t from;

	(void)state;
	CLI(0, "locked", "lock", D_RULES);
	from = mark(D_RULES);
	emu_ctl("fault", D_RULES, "bad-mac");
	CLI(1, "MAC does not verify", "accept", D_RULES);
	expect_fall_out(D_RULES, from, "MAC does not verify", false);
	emu_ctl("fault", D_RULES, "none");
	lock_accept_bind(D_RULES);
	CLI(0, "", "unbind", D_RULES);
	CLI(0, "", "unlock", D_RULES);
}

/* A firmware change under the lock: the device's TDISP ERROR state, seen by the keep-alive. */
static void test_update_error(void **state)
{
	size_t from;

	(void)state;
	lock_accept_bind(D_HB);
	from = mark(D_HB);
	emu_ctl("update", D_HB, NULL);
	expect_fall_out(D_HB, from, "reports the interface ERROR", true);
	lock_accept_bind(D_HB);
	CLI(0, "", "unbind", D_HB);
	CLI(0, "", "unlock", D_HB);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rules),
		cmocka_unit_test(test_reset),
		cmocka_unit_test(test_heartbeat),
		cmocka_unit_test(test_accept_fails),
		cmocka_unit_test(test_update_error),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
