// SPDX-License-Identifier: MIT
/*
 * Recovery end to end (docs/pin.md): the real devauth-emu, devauthd and
 * devauth binaries, a `devauth monitor --json` running throughout.  Each
 * case attests a device, pins it in devauthd, changes the device with
 * devauth-emu's control commands (reset, swap, update) -- reset and swap
 * cut the link, which devauthd notices by itself -- or resets the
 * device's session from the OS side (`devauth reset`) and checks the
 * events, the state, and the evidence.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <json-c/json.h>

#include <devauth/evidence.h>

#include "harness.h"
#include "evidence/transcript.h"

#define D_RESET  "0000:01:00.0"
#define D_SWAP   "0000:02:00.0"
#define D_UPDATE "0000:03:00.0"
#define D_EXEC   "0000:04:00.0"
#define D_PLAIN  "0000:05:00.0"
#define D_FATAL  "0000:06:00.0"
#define D_LOSS   "0000:07:00.0"

static const char devices_json[] =
	"[ { \"name\": \"" D_RESET "\", \"asym\": [\"ecdsa-p256\"], \"hash\": [\"sha256\"] },"
	"  { \"name\": \"" D_SWAP "\", \"asym\": [\"ecdsa-p384\"], \"hash\": [\"sha384\"] },"
	"  { \"name\": \"" D_UPDATE "\", \"asym\": [\"ecdsa-p256\"], \"hash\": [\"sha256\"] },"
	"  { \"name\": \"" D_EXEC "\", \"asym\": [\"ecdsa-p256\"], \"hash\": [\"sha256\"] },"
	"  { \"name\": \"" D_PLAIN "\", \"asym\": [\"ecdsa-p256\"], \"hash\": [\"sha256\"] },"
	"  { \"name\": \"" D_FATAL "\", \"asym\": [\"ecdsa-p256\"], \"hash\": [\"sha256\"] },"
	"  { \"name\": \"" D_LOSS "\", \"asym\": [\"ecdsa-p256\"], \"hash\": [\"sha256\"] } ]";

static struct rig rig;
static char out[1 << 17];
static char mon_log[400];
static pid_t mon_pid;

static int count_listening(void)
{
	char buf[1 << 16];
	FILE *f = fopen(mon_log, "r");
	size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;
	int count = 0;

	if (f)
		fclose(f);
	buf[n] = '\0';
	for (char *p = buf; (p = strstr(p, "monitor: listening")); p++)
		count++;
	return count;
}

static int start_monitor(void)
{
	char bin[512];
	const char *argv[] = { bin_path("src/devauth/devauth", bin, sizeof(bin)), "monitor",
			       "--json", "--socket", rig.sock, NULL };
	int before = count_listening();

	/* proc_spawn appends: one log across daemon restarts. */
	mon_pid = proc_spawn(argv, mon_log);
	for (int i = 0; i < 2000 && mon_pid > 0; i++) {
		if (count_listening() > before)
			return 0;
		usleep(10000);
	}
	return -1;
}

/* The rig's directory (root's, 0755) is where exec pins' programs may live. */
static int start_daemon(const char *const *extra)
{
	char cfg[1024];

	snprintf(cfg, sizeof(cfg), "{ \"emu-ready-file\": \"%s\", \"exec-dir\": \"%s\" }",
		 rig.emu_ready, rig.dir);
	return rig_start_daemon_cfg(&rig, cfg, extra);
}

static int group_setup(void **state)
{
	static const char *const d_extra[] = { "--op-timeout-ms", "8000", NULL };

	rig_init(&rig);
	snprintf(mon_log, sizeof(mon_log), "%s/monitor.log", rig.dir);
	if (rig_start_emu(&rig, devices_json, NULL)) {
		fprintf(stderr, "devauth-emu did not start; log %s\n", rig.emu.log);
		return -1;
	}
	if (start_daemon(d_extra)) {
		fprintf(stderr, "devauthd did not start; log %s\n", rig.d.log);
		return -1;
	}
	return start_monitor();
}

static int group_teardown(void **state)
{
	int d = rig_stop_daemon(&rig), e = rig_stop_emu(&rig);

	if (mon_pid > 0)
		proc_stop(mon_pid, 5000);
	rig_cleanup(&rig);
	return d || e ? -1 : 0;
}

/* A monitor's events for dev, in order, from its whole log. */
static size_t events_in(const char *log, const char *dev, json_object **ev, size_t max)
{
	char line[4096];
	size_t n = 0;
	FILE *f = fopen(log, "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f) && n < max) {
		json_object *j, *d;

		if (line[0] != '{')
			continue;
		j = json_tokener_parse(line);
		if (j && json_object_object_get_ex(j, "device", &d) &&
		    !strcmp(json_object_get_string(d), dev))
			ev[n++] = j;
		else
			json_object_put(j);
	}
	fclose(f);
	return n;
}

static size_t events(const char *dev, json_object **ev, size_t max)
{
	return events_in(mon_log, dev, ev, max);
}

static const char *field(json_object *j, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(j, key, &v) ? json_object_get_string(v) : "";
}

static size_t mark(const char *dev)
{
	json_object *ev[256];
	size_t n = events(dev, ev, 256);

	for (size_t i = 0; i < n; i++)
		json_object_put(ev[i]);
	return n;
}

/*
 * Wait until the events for dev after `from` are exactly want[]
 * ("session-lost", "revalidated", ...); the last is returned (caller
 * puts it).  A further event within settle_ms fails too.
 */
static json_object *expect_events(const char *dev, size_t from, const char *const *want,
				  size_t nwant, const char *what)
{
	json_object *ev[256], *last = NULL;
	size_t n = 0;

	for (int i = 0; i < 1000; i++) {
		n = events(dev, ev, 256);
		if (n >= from + nwant) {
			usleep(200000);	/* and nothing more comes */
			for (size_t k = 0; k < n; k++)
				json_object_put(ev[k]);
			n = events(dev, ev, 256);
			break;
		}
		for (size_t k = 0; k < n; k++)
			json_object_put(ev[k]);
		n = 0;
		usleep(10000);
	}
	if (n != from + nwant) {
		for (size_t k = from; k < n; k++)
			fprintf(stderr, "  event: %s\n", json_object_to_json_string(ev[k]));
		fail_msg("%s: %zu events for %s, expected %zu", what, n - from, dev, nwant);
	}
	for (size_t k = 0; k < nwant; k++)
		if (strcmp(field(ev[from + k], "event"), want[k]))
			fail_msg("%s: event %zu is %s (%s), expected %s", what, k,
				 field(ev[from + k], "event"), field(ev[from + k], "reason"), want[k]);
	last = json_object_get(ev[n - 1]);
	for (size_t k = 0; k < n; k++)
		json_object_put(ev[k]);
	return last;
}

static const char *state_of(const char *dev)
{
	static char st[32];
	json_object *j, *devs;

	assert_int_equal(devauth(&rig, out, sizeof(out), "list", dev, "--json", NULL), 0);
	j = json_tokener_parse(out);
	assert_non_null(j);
	assert_true(json_object_object_get_ex(j, "devices", &devs));
	snprintf(st, sizeof(st), "%s", field(json_object_array_get_idx(devs, 0), "state"));
	json_object_put(j);
	return st;
}

static void emu_ctl_arg(const char *cmd, const char *dev, const char *arg)
{
	char bin[512];
	const char *argv[] = { bin_path("src/devauth-emu/devauth-emu", bin, sizeof(bin)), "ctl",
			       "--ctl", rig.emu_ctl, cmd, dev, arg, NULL };

	if (run(argv, out, sizeof(out), 10000))
		fail_msg("devauth-emu ctl %s %s %s: %s", cmd, dev, arg ? arg : "", out);
}

static void emu_ctl(const char *cmd, const char *dev)
{
	emu_ctl_arg(cmd, dev, NULL);
}

/* attest (bound) then pin with the extra arguments (NULL-terminated, at most 6). */
static void attest_and_pin(const char *dev, const char *a1, const char *a2, const char *a3,
			   const char *a4, const char *a5, const char *a6)
{
	if (devauth(&rig, out, sizeof(out), "attest", dev, "--insecure-no-trust-anchor", NULL))
		fail_msg("attest %s: %s", dev, out);
	assert_string_equal(state_of(dev), "bound");
	if (devauth(&rig, out, sizeof(out), "pin", dev, "--current", a1, a2, a3, a4, a5, a6, NULL))
		fail_msg("pin %s %s %s: %s", dev, a1 ? a1 : "", a2 ? a2 : "", out);
	assert_non_null(strstr(out, "pin installed"));
	/* The installed pin's mode shows in the device list. */
	assert_int_equal(devauth(&rig, out, sizeof(out), "list", dev, "--json", NULL), 0);
	assert_non_null(strstr(out, "\"pin\""));
}

static const char *const ok_seq[] = { "session-lost", "revalidated" };
static const char *const fail_seq[] = { "session-lost", "revalidation-failed", "unbound" };

/* devauth reset DEV: recovery fails with check (and reason); unbound, unconnected. */
static void reset_fails(const char *dev, const char *check, const char *reason,
			const char *what)
{
	size_t m = mark(dev);
	json_object *e;

	if (devauth(&rig, out, sizeof(out), "reset", dev, NULL) != 1)
		fail_msg("%s: reset did not fail: %s", what, out);
	assert_non_null(strstr(out, "revalidation failed"));
	e = expect_events(dev, m, fail_seq, 3, what);
	json_object_put(e);
	{
		json_object *ev[256];
		size_t n = events(dev, ev, 256);

		/* The revalidation-failed event carries the check and the reason. */
		if (strcmp(field(ev[n - 2], "check"), check) ||
		    (reason && !strstr(field(ev[n - 2], "reason"), reason)))
			fail_msg("%s: revalidation-failed %s", what,
				 json_object_to_json_string(ev[n - 2]));
		for (size_t k = 0; k < n; k++)
			json_object_put(ev[k]);
	}
	assert_string_equal(state_of(dev), "unconnected");
}

static uint64_t reset_passes(const char *dev, const char *what)
{
	size_t m = mark(dev);
	json_object *e, *g;
	uint64_t gen;

	if (devauth(&rig, out, sizeof(out), "reset", dev, NULL))
		fail_msg("%s: reset: %s", what, out);
	e = expect_events(dev, m, ok_seq, 2, what);
	assert_true(json_object_object_get_ex(e, "generation", &g));
	gen = (uint64_t)json_object_get_int64(g);
	assert_string_equal(field(e, "state"), "bound");
	json_object_put(e);
	assert_string_equal(state_of(dev), "bound");
	return gen;
}

/*
 * devauth-emu ctl reset/swap cut the device's link, as a real reset does:
 * devauthd notices by itself (no devauth command) and the events in
 * want[] follow, in order.
 */
static json_object *ctl_expect(const char *cmd, const char *dev, const char *const *want,
			       size_t nwant, const char *what)
{
	size_t m = mark(dev);

	emu_ctl(cmd, dev);
	return expect_events(dev, m, want, nwant, what);
}

static uint64_t ctl_passes(const char *cmd, const char *dev, const char *what)
{
	json_object *e = ctl_expect(cmd, dev, ok_seq, 2, what), *g;
	uint64_t gen;

	assert_true(json_object_object_get_ex(e, "generation", &g));
	gen = (uint64_t)json_object_get_int64(g);
	assert_string_equal(field(e, "state"), "bound");
	json_object_put(e);
	assert_string_equal(state_of(dev), "bound");
	return gen;
}

static void ctl_fails(const char *cmd, const char *dev, const char *check, const char *reason,
		      const char *what)
{
	json_object *ev[256];
	size_t n;

	json_object_put(ctl_expect(cmd, dev, fail_seq, 3, what));
	n = events(dev, ev, 256);
	if (strcmp(field(ev[n - 2], "check"), check) ||
	    (reason && !strstr(field(ev[n - 2], "reason"), reason)))
		fail_msg("%s: revalidation-failed %s", what, json_object_to_json_string(ev[n - 2]));
	for (size_t k = 0; k < n; k++)
		json_object_put(ev[k]);
	assert_string_equal(state_of(dev), "unconnected");
}

/* CHALLENGE nonce of the device's current evidence (read without a nonce of ours). */
static void current_nonce(const char *dev, uint8_t nonce[32], uint64_t *gen)
{
	char path[400];
	struct da_evidence ev;
	struct da_msg_list l = { 0 };
	struct da_transcript_info ti;
	struct da_err err = { 0 };

	snprintf(path, sizeof(path), "%s/cur.bundle", rig.dir);
	if (devauth(&rig, out, sizeof(out), "evidence", dev, "-o", path, NULL))
		fail_msg("evidence %s: %s", dev, out);
	assert_int_equal(da_evidence_read_file(path, &ev, &err), 0);
	assert_int_equal(da_split_vca(ev.obj[DA_EV_VCA].data, ev.obj[DA_EV_VCA].len, &l, &ti,
				      &err), 0);
	assert_true(ti.req_nonce_off + 32 <= ev.obj[DA_EV_VCA].len);
	memcpy(nonce, ev.obj[DA_EV_VCA].data + ti.req_nonce_off, 32);
	*gen = ev.generation;
	/* The evidence stands on its own (signatures, transcript). */
	{
		char bin[512];
		const char *argv[] = { bin_path("src/devauth/devauth", bin, sizeof(bin)), "verify",
				       "--bundle", path, NULL };

		if (run(argv, out, sizeof(out), 30000))
			fail_msg("verify %s: %s", dev, out);
	}
	da_msg_list_free(&l);
	da_evidence_free(&ev);
}

static void test_reset_pinned(void **state)
{
	uint8_t n0[32], n1[32], n2[32];
	uint64_t g0, g1, g2, gev;

	alarm(180);
	attest_and_pin(D_RESET, "--mode", "same-device", "--volatile", "16", NULL, NULL);
	current_nonce(D_RESET, n0, &g0);
	gev = ctl_passes("reset", D_RESET, "same-device, 16 volatile, after a device reset");
	current_nonce(D_RESET, n1, &g1);
	/* New evidence under a new generation, answering a nonce it never saw before. */
	assert_true(g1 > g0);
	assert_int_equal(g1, gev);
	assert_memory_not_equal(n0, n1, 32);
	/* Again: a fresh nonce each time, never the last one replayed. */
	gev = reset_passes(D_RESET, "second reset");
	current_nonce(D_RESET, n2, &g2);
	assert_true(g2 > g1);
	assert_memory_not_equal(n1, n2, 32);
	assert_memory_not_equal(n0, n2, 32);

	/* The same reset against an exact pin (16 pinned): the boot counter moved. */
	if (devauth(&rig, out, sizeof(out), "pin", D_RESET, "--current", "--mode", "exact", NULL))
		fail_msg("pin exact: %s", out);
	ctl_fails("reset", D_RESET, "pin-measurement[16]", "measurement 16 differs from the pin",
		  "exact with 16 pinned");
	/* It stays so until userspace attests it again. */
	if (devauth(&rig, out, sizeof(out), "bind", D_RESET, NULL) == 0)
		fail_msg("bind after failed revalidation succeeded: %s", out);
	alarm(0);
}

static void test_swap_every_mode(void **state)
{
	static const char *const modes[] = { "exact", "same-key", "same-device" };

	alarm(180);
	for (size_t i = 0; i < 3; i++) {
		attest_and_pin(D_SWAP, "--mode", modes[i], "--volatile", "16", NULL, NULL);
		ctl_fails("swap", D_SWAP, "pin-key", "leaf key differs from the pin", modes[i]);
	}
	alarm(0);
}

static void test_update(void **state)
{
	alarm(180);
	attest_and_pin(D_UPDATE, "--mode", "same-key", NULL, NULL, NULL, NULL);
	emu_ctl("update", D_UPDATE);
	reset_passes(D_UPDATE, "same-key after update");

	if (devauth(&rig, out, sizeof(out), "pin", D_UPDATE, "--current", "--mode", "exact",
		    "--volatile", "16", NULL))
		fail_msg("pin exact: %s", out);
	emu_ctl("update", D_UPDATE);
	reset_fails(D_UPDATE, "pin-measurement[2]", "measurement 2 differs from the pin",
		    "exact after update");

	attest_and_pin(D_UPDATE, "--mode", "same-device", "--volatile", "16", NULL, NULL);
	emu_ctl("update", D_UPDATE);
	reset_fails(D_UPDATE, "pin-measurement[2]", "measurement 2 differs from the pin",
		    "same-device after update");
	alarm(0);
}

static void script(const char *name, const char *body, char *path, size_t cap)
{
	FILE *f;

	snprintf(path, cap, "%s/%s", rig.dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(body, f);
	fclose(f);
	assert_int_equal(chmod(path, 0755), 0);
}

static void test_exec(void **state)
{
	char reject[400], hang[400], accept[400];

	alarm(180);
	/* The program gets the bundle on stdin and the pin as argv[1]. */
	script("accept.sh", "#!/bin/sh\n[ -s \"$1\" ] || exit 9\nn=$(wc -c)\n"
	       "[ \"$n\" -gt 1000 ] || exit 8\nexit 0\n", accept, sizeof(accept));
	script("reject.sh", "#!/bin/sh\necho \"firmware of $DEVAUTH_DEVICE not allowed\"\nexit 4\n",
	       reject, sizeof(reject));
	script("hang.sh", "#!/bin/sh\nsleep 60\n", hang, sizeof(hang));

	attest_and_pin(D_EXEC, "--mode", "exec", "--exec", accept, NULL, NULL);
	ctl_passes("reset", D_EXEC, "exec accepting");

	if (devauth(&rig, out, sizeof(out), "pin", D_EXEC, "--current", "--exec", reject, NULL))
		fail_msg("pin exec: %s", out);
	reset_fails(D_EXEC, "exec", "rejected (exit 4)", "exec rejecting");
	/* What the program printed goes to the daemon's log, never to events or LIST. */
	assert_true(file_contains(rig.d.log, "firmware of " D_EXEC " not allowed"));
	assert_false(file_contains(mon_log, "firmware of"));
	assert_int_equal(devauth(&rig, out, sizeof(out), "list", D_EXEC, "--json", NULL), 0);
	assert_null(strstr(out, "firmware of"));

	attest_and_pin(D_EXEC, "--exec", hang, "--timeout-ms", "500", NULL, NULL);
	/* The limit is the program's; the test's own bound is the alarm. */
	reset_fails(D_EXEC, "exec", "timed out after 500 ms", "exec hanging");
	alarm(0);
}

static void test_unpinned_and_fatal(void **state)
{
	static const char *const lost[] = { "session-lost" };
	static const char *const fatal[] = { "session-lost", "unbound" };
	char mon2_log[400];
	json_object *e;
	pid_t mon2;
	size_t m;

	alarm(120);
	if (devauth(&rig, out, sizeof(out), "attest", D_PLAIN, "--insecure-no-trust-anchor",
		    NULL))
		fail_msg("attest: %s", out);
	/* Unpinned: the lost link is reported, nothing else happens. */
	json_object_put(ctl_expect("reset", D_PLAIN, lost, 1, "unpinned link drop"));
	assert_string_equal(state_of(D_PLAIN), "bound");
	m = mark(D_PLAIN);
	if (devauth(&rig, out, sizeof(out), "reset", D_PLAIN, NULL))
		fail_msg("reset unpinned: %s", out);
	e = expect_events(D_PLAIN, m, lost, 1, "unpinned reset");
	json_object_put(e);
	assert_string_equal(state_of(D_PLAIN), "bound");
	/* On demand needs a pin. */
	assert_int_equal(devauth(&rig, out, sizeof(out), "revalidate", D_PLAIN, NULL), 1);
	assert_non_null(strstr(out, "no pin"));
	/* A pin that does not parse is refused with the key named; nothing is installed. */
	{
		char path[400];
		FILE *f;

		snprintf(path, sizeof(path), "%s/bad-pin.json", rig.dir);
		f = fopen(path, "w");
		assert_non_null(f);
		fputs("{ \"version\": 1, \"mode\": \"exec\", \"exec\": { \"program\": \"x.sh\" } }",
		      f);
		fclose(f);
		assert_int_equal(devauth(&rig, out, sizeof(out), "pin", D_PLAIN, "--install", path,
					 NULL), 1);
		assert_non_null(strstr(out, "exec.program: must be an absolute path"));
		assert_int_equal(devauth(&rig, out, sizeof(out), "revalidate", D_PLAIN, NULL), 1);
		assert_non_null(strstr(out, "no pin"));
	}

	/* A second monitor, for this part only: each gets every event. */
	{
		char bin[512];
		const char *argv[] = { bin_path("src/devauth/devauth", bin, sizeof(bin)), "monitor",
				       "--json", "--socket", rig.sock, NULL };

		snprintf(mon2_log, sizeof(mon2_log), "%s/monitor2.log", rig.dir);
		mon2 = proc_spawn(argv, mon2_log);
		assert_true(mon2 > 0);
		for (int i = 0; i < 2000 && !file_contains(mon2_log, "listening"); i++)
			usleep(10000);
		assert_true(file_contains(mon2_log, "listening"));
	}
	if (devauth(&rig, out, sizeof(out), "attest", D_FATAL, "--insecure-no-trust-anchor",
		    NULL))
		fail_msg("attest: %s", out);
	if (devauth(&rig, out, sizeof(out), "pin", D_FATAL, "--mode", "fatal", NULL))
		fail_msg("pin fatal: %s", out);
	m = mark(D_FATAL);
	if (devauth(&rig, out, sizeof(out), "reset", D_FATAL, NULL) != 1)
		fail_msg("reset fatal did not fail: %s", out);
	/* No re-challenge: no connected, no revalidated or -failed. */
	e = expect_events(D_FATAL, m, fatal, 2, "fatal reset");
	json_object_put(e);
	assert_string_equal(state_of(D_FATAL), "unconnected");
	{
		json_object *a[64], *b[64];
		size_t na = events(D_FATAL, a, 64), nb = events_in(mon2_log, D_FATAL, b, 64);

		/* connected, bound, session-lost, unbound: the same in both. */
		assert_int_equal(na, 4);
		assert_int_equal(nb, na);
		/* Each monitor stamps its own arrival time and counts its own sequence. */
		for (size_t k = 0; k < na; k++) {
			assert_true(json_object_object_get_ex(a[k], "seq", NULL));
			assert_true(json_object_object_get_ex(b[k], "time", NULL));
			json_object_object_del(a[k], "seq");
			json_object_object_del(a[k], "time");
			json_object_object_del(b[k], "seq");
			json_object_object_del(b[k], "time");
			assert_string_equal(json_object_to_json_string(a[k]),
					    json_object_to_json_string(b[k]));
		}
		for (size_t k = 0; k < na; k++) {
			json_object_put(a[k]);
			json_object_put(b[k]);
		}
	}
	proc_stop(mon2, 5000);	/* SIGTERM ends a monitor: no exit status to check */
	alarm(0);
}

static void test_refresh_failure_is_a_loss(void **state)
{
	json_object *ev[256];
	char nonce[65], path[400];
	size_t m, n;

	alarm(120);
	attest_and_pin(D_LOSS, "--mode", "same-key", NULL, NULL, NULL, NULL);
	/* A failed request (CHALLENGE answered with RequestResynch): the session is lost. */
	emu_ctl_arg("fault", D_LOSS, "resynch");
	memset(nonce, 'a', 64);
	nonce[64] = '\0';
	m = mark(D_LOSS);
	snprintf(path, sizeof(path), "%s/loss.bundle", rig.dir);
	assert_int_not_equal(devauth(&rig, out, sizeof(out), "evidence", D_LOSS, "--nonce", nonce,
				     "-o", path, NULL), 0);
	/* Recovery re-challenges, which fails the same way: trust ends. */
	for (int i = 0; i < 500 && mark(D_LOSS) < m + 3; i++)
		usleep(10000);
	n = events(D_LOSS, ev, 256);
	assert_true(n >= m + 3);
	assert_string_equal(field(ev[m], "event"), "session-lost");
	assert_string_equal(field(ev[m + 1], "event"), "revalidation-failed");
	assert_string_equal(field(ev[m + 1], "check"), "connect");
	assert_string_equal(field(ev[m + 2], "event"), "unbound");
	for (size_t k = 0; k < n; k++)
		json_object_put(ev[k]);
	emu_ctl_arg("fault", D_LOSS, "none");
	alarm(0);
}

static void test_restart_keeps_pins(void **state)
{
	static const char *const d_extra[] = { "--op-timeout-ms", "8000", NULL };

	alarm(180);
	attest_and_pin(D_RESET, "--mode", "same-device", "--volatile", "16", NULL, NULL);
	/* The monitor ends with the daemon (it sees the connection close). */
	assert_int_equal(rig_stop_daemon(&rig), 0);
	{
		int st = 0;
		pid_t w = 0;

		/* ...by itself, with an error: it knows it can miss events now. */
		for (int i = 0; i < 500 && !(w = waitpid(mon_pid, &st, WNOHANG)); i++)
			usleep(10000);
		if (w != mon_pid)
			proc_stop(mon_pid, 5000);
		assert_int_equal(w, mon_pid);
		assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 1);
	}
	assert_int_equal(start_daemon(d_extra), 0);
	assert_int_equal(start_monitor(), 0);
	assert_string_equal(state_of(D_RESET), "bound");
	ctl_passes("reset", D_RESET, "after a daemon restart");
	/* And a swap is still caught. */
	ctl_fails("swap", D_RESET, "pin-key", NULL, "swap after a daemon restart");
	alarm(0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reset_pinned),
		cmocka_unit_test(test_swap_every_mode),
		cmocka_unit_test(test_update),
		cmocka_unit_test(test_exec),
		cmocka_unit_test(test_unpinned_and_fatal),
		cmocka_unit_test(test_refresh_failure_is_a_loss),
		cmocka_unit_test(test_restart_keeps_pins),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
