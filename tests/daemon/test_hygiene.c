// SPDX-License-Identifier: MIT
/*
 * The privilege and denial-of-service holes of devauthd, one test each,
 * against the real processes: exec pins from a group member, programs
 * outside the exec directory, slot exhaustion by one uid, accept() out
 * of descriptors, reply bytes under valgrind, a second daemon on the
 * socket, a state directory others may write, temporary files of an
 * interrupted write, a FIFO given as a file, a flood of refused
 * requests, and a state.json with a field out of range.
 *
 * The daemon's socket group is "nogroup" (gid 65534): uid 65534 is a
 * member (privileged, like a devauth group member), uid 65533 is nobody.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <libmnl/libmnl.h>

#include "client.h"
#include "harness.h"

#define DEV0 "0000:01:00.0"	/* the main daemon's */
#define DEV1 "0000:02:00.0"	/* the valgrind daemon's */
#define DEV_NR "0000:03:00.0"	/* ResponseNotReady, RDTExponent 25 (33 s), forever */
#define DEV_SLOW "0000:04:00.0"	/* answers CHALLENGE after 2^24 us + 2.5 s */
#define MEMBER 65534		/* in the socket's group */
#define STRANGER 65533		/* in no group of the daemon's */
#define CONN_PER_UID_EXPECTED 64	/* devauthd's slots for one uid but root */

static const char devices_json[] =
	"[ { \"name\": \"" DEV0 "\", \"asym\": [\"ecdsa-p256\"], \"hash\": [\"sha256\"] },"
	"  { \"name\": \"" DEV1 "\", \"asym\": [\"ecdsa-p256\"], \"hash\": [\"sha256\"] },"
	"  { \"name\": \"" DEV_NR "\", \"asym\": [\"ecdsa-p256\"], \"hash\": [\"sha256\"],"
	"    \"rdt-exponent\": 25, \"faults\": [\"not-ready-forever\"] },"
	"  { \"name\": \"" DEV_SLOW "\", \"asym\": [\"ecdsa-p256\"], \"hash\": [\"sha256\"],"
	"    \"ct-exponent\": 24, \"faults\": [\"slow\"] } ]";

static struct rig rig;
static char out[1 << 17];
static char exec_dir[400];

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

static int write_file(const char *path, const char *s, mode_t mode)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -errno;
	fputs(s, f);
	if (fclose(f))
		return -EIO;
	return chmod(path, mode) ? -errno : 0;
}

static int group_setup(void **state)
{
	static const char *const extra[] = { "--group", "nogroup", "--socket-mode", "0666",
					     "--op-timeout-ms", "8000", NULL };
	char cfg[1024];

	rig_init(&rig);
	snprintf(exec_dir, sizeof(exec_dir), "%s/exec.d", rig.dir);
	if (mkdir(exec_dir, 0755) || rig_start_emu(&rig, devices_json, NULL))
		return -1;
	snprintf(cfg, sizeof(cfg), "{ \"emu-ready-file\": \"%s\", \"exec-dir\": \"%s\" }",
		 rig.emu_ready, exec_dir);
	if (rig_start_daemon_cfg(&rig, cfg, extra)) {
		fprintf(stderr, "devauthd did not start; log %s\n", rig.d.log);
		return -1;
	}
	return 0;
}

static int group_teardown(void **state)
{
	int d = rig_stop_daemon(&rig), e = rig_stop_emu(&rig);

	rig_cleanup(&rig);
	return d || e ? -1 : 0;
}

/* Become uid (in group gid only) in a child; false if that failed. */
static bool become(uid_t uid, gid_t gid)
{
	gid_t g = gid;

	return !setgroups(1, &g) && !setgid(gid) && !setuid(uid);
}

/* devauth ARGS... --socket rig.sock as uid/gid; exit status, output in out. */
static int devauth_as(uid_t uid, gid_t gid, const char *const *args)
{
	const char *argv[32];
	char bin[512];
	size_t n = 0, got = 0;
	int p[2], st;
	pid_t pid;

	argv[n++] = bin_path("src/devauth/devauth", bin, sizeof(bin));
	for (size_t i = 0; args[i] && n < 28; i++)
		argv[n++] = args[i];
	argv[n++] = "--socket";
	argv[n++] = rig.sock;
	argv[n] = NULL;
	if (pipe2(p, O_CLOEXEC))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		dup2(p[1], 1);
		dup2(p[1], 2);
		if (!become(uid, gid))
			_exit(120);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(p[1]);
	for (;;) {
		ssize_t r = read(p[0], out + got, sizeof(out) - 1 - got);

		if (r <= 0)
			break;
		got += (size_t)r;
	}
	out[got] = '\0';
	close(p[0]);
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void test_exec_pin_privilege(void **state)
{
	char ok[500], outside[500], gw[500];

	alarm(120);
	snprintf(ok, sizeof(ok), "%s/accept.sh", exec_dir);
	snprintf(gw, sizeof(gw), "%s/group-writable.sh", exec_dir);
	snprintf(outside, sizeof(outside), "%s/evil.sh", rig.dir);
	assert_int_equal(write_file(ok, "#!/bin/sh\nexit 0\n", 0755), 0);
	assert_int_equal(write_file(gw, "#!/bin/sh\nexit 0\n", 0775), 0);
	assert_int_equal(write_file(outside, "#!/bin/sh\nhead -c 300 /etc/shadow\n", 0755), 0);
	if (devauth(&rig, out, sizeof(out), "connect", DEV0, NULL))
		fail_msg("connect: %s", out);
	/* A member of the socket's group: privileged, but not for exec pins. */
	assert_int_equal(devauth_as(MEMBER, MEMBER, (const char *const[]){ "pin", DEV0,
				    "--current", "--exec", ok, NULL }), 1);
	expect_out("exec pins only from root", "exec pin from a group member");
	/* Even a same-key pin works for the member: only exec is root's. */
	assert_int_equal(devauth_as(MEMBER, MEMBER, (const char *const[]){ "pin", DEV0,
				    "--current", "--mode", "same-key", NULL }), 0);
	/* Root: only programs in the exec directory, owned by root, writable by nobody else. */
	assert_int_equal(devauth(&rig, out, sizeof(out), "pin", DEV0, "--current", "--exec",
				 outside, NULL), 1);
	expect_out("is not in the exec directory", "program outside exec-dir");
	assert_int_equal(devauth(&rig, out, sizeof(out), "pin", DEV0, "--current", "--exec", gw,
				 NULL), 1);
	expect_out("writable by its group", "group-writable program");
	/* Writable by nobody else, but owned by a user who may rewrite it. */
	assert_int_equal(chown(ok, MEMBER, MEMBER), 0);
	assert_int_equal(devauth(&rig, out, sizeof(out), "pin", DEV0, "--current", "--exec", ok,
				 NULL), 1);
	expect_out("is owned by uid", "program owned by another user");
	assert_int_equal(chown(ok, 0, 0), 0);
	assert_int_equal(devauth(&rig, out, sizeof(out), "pin", DEV0, "--current", "--exec", ok,
				 NULL), 0);
	expect_out("pin installed", "root's exec pin");
	/* Made writable after the PIN: refused at run time, with a fixed reason. */
	assert_int_equal(chmod(ok, 0777), 0);
	assert_int_equal(devauth(&rig, out, sizeof(out), "revalidate", DEV0, NULL), 1);
	expect_out("writable by everyone", "program changed after the pin");
	assert_int_equal(chmod(ok, 0755), 0);
	assert_int_equal(devauth(&rig, out, sizeof(out), "pin", DEV0, "--remove", NULL), 0);
	alarm(0);
}

/* Open n connections as uid; *served counts those the daemon answers. */
static void hold_connections(uid_t uid, int n, int report_fd, int wait_fd)
{
	int served = 0;

	if (!become(uid, uid))
		_exit(120);
	for (int i = 0; i < n; i++) {
		struct cli_req r = { .cmd = PCI_TSM_CMD_LIST, .flags = NLM_F_DUMP };
		struct cli_dump d;
		int fd = cli_open(rig.sock);

		if (fd < 0)
			continue;
		if (!cli_xfer(fd, &r, &d) && !d.error)
			served++;
		cli_dump_free(&d);
	}
	if (write(report_fd, &served, sizeof(served)) != sizeof(served))
		_exit(121);
	/* Hold them until told. */
	if (read(wait_fd, &served, 1) < 0)
		_exit(122);
	_exit(0);
}

static void test_slots_per_uid(void **state)
{
	int rep[2], hold[2], served = -1, st;
	pid_t pid;

	alarm(120);
	assert_int_equal(pipe(rep), 0);
	assert_int_equal(pipe(hold), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid)
		hold_connections(STRANGER, 80, rep[1], hold[0]);
	assert_int_equal(read(rep[0], &served, sizeof(served)), (ssize_t)sizeof(served));
	fprintf(stderr, "uid %d: %d of 80 connections served\n", STRANGER, served);
	if (served != CONN_PER_UID_EXPECTED) {
		/* Let the holder go first: a failed test must not leave it holding the daemon. */
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
		fail_msg("uid %d was served %d connections, at most %d allowed", STRANGER, served,
			 CONN_PER_UID_EXPECTED);
	}
	/* The uid holds all it may; root (and everyone else) still gets in. */
	assert_int_equal(devauth(&rig, out, sizeof(out), "list", NULL), 0);
	assert_int_equal(devauth_as(MEMBER, MEMBER, (const char *const[]){ "list", NULL }), 0);
	assert_int_equal(write(hold[1], "x", 1), 1);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	close(rep[0]);
	close(rep[1]);
	close(hold[0]);
	close(hold[1]);
	alarm(0);
}

/*
 * Slots are reserved for root and the socket's group: however many
 * other users fill theirs, a member (and root) still gets in.  15
 * strangers ask for 64 each: together they get at most what is left
 * after the two reserves.
 */
#define N_STRANGERS 15
#define CONN_OTHERS_EXPECTED (1024 - 64 - 64)

static void test_group_reserve(void **state)
{
	int rep[2], hold[2], served, total = 0, st;
	pid_t pids[N_STRANGERS];

	alarm(240);
	assert_int_equal(pipe(rep), 0);
	assert_int_equal(pipe(hold), 0);
	for (int i = 0; i < N_STRANGERS; i++) {
		pids[i] = fork();
		assert_true(pids[i] >= 0);
		if (!pids[i])
			hold_connections((uid_t)(30001 + i), 64, rep[1], hold[0]);
	}
	for (int i = 0; i < N_STRANGERS; i++) {
		assert_int_equal(read(rep[0], &served, sizeof(served)), (ssize_t)sizeof(served));
		total += served;
	}
	fprintf(stderr, "%d strangers: %d connections served\n", N_STRANGERS, total);
	/* A member's LIST while the strangers hold theirs, then let them go. */
	st = devauth_as(MEMBER, MEMBER, (const char *const[]){ "list", NULL });
	if (write(hold[1], "xxxxxxxxxxxxxxx", N_STRANGERS) != N_STRANGERS)
		fail_msg("cannot release the strangers");
	for (int i = 0; i < N_STRANGERS; i++)
		waitpid(pids[i], NULL, 0);
	close(rep[0]);
	close(rep[1]);
	close(hold[0]);
	close(hold[1]);
	if (total > CONN_OTHERS_EXPECTED)
		fail_msg("strangers got %d connections, the reserves leave them %d", total,
			 CONN_OTHERS_EXPECTED);
	/* The rig's own connections may hold a few; the rest were served. */
	assert_true(total >= CONN_OTHERS_EXPECTED - 16);
	if (st != 0)
		fail_msg("a member of the socket's group was refused: %s", out);
	alarm(0);
}

/* A daemon of our own next to the main one: its own socket, state, log. */
struct side {
	char sock[400], state[400], ready[400], cfg[400], log[400];
	pid_t pid;
};

static void side_init(struct side *s, const char *tag, const char *cfg_json)
{
	snprintf(s->sock, sizeof(s->sock), "%s/%s.sock", rig.dir, tag);
	snprintf(s->state, sizeof(s->state), "%s/%s.state", rig.dir, tag);
	snprintf(s->ready, sizeof(s->ready), "%s/%s.ready", rig.dir, tag);
	snprintf(s->cfg, sizeof(s->cfg), "%s/%s.json", rig.dir, tag);
	snprintf(s->log, sizeof(s->log), "%s/%s.log", rig.dir, tag);
	assert_int_equal(write_file(s->cfg, cfg_json, 0644), 0);
	s->pid = 0;
}

/* Spawn devauthd (under prefix[] if given), with nofile as its descriptor limit if > 0. */
static pid_t side_spawn(struct side *s, const char *const *prefix, rlim_t nofile,
			const char *const *extra)
{
	const char *argv[48];
	char bin[512];
	size_t n = 0;
	pid_t pid;

	for (size_t i = 0; prefix && prefix[i]; i++)
		argv[n++] = prefix[i];
	argv[n++] = bin_path("src/devauthd/devauthd", bin, sizeof(bin));
	argv[n++] = "--config";
	argv[n++] = s->cfg;
	argv[n++] = "--socket";
	argv[n++] = s->sock;
	argv[n++] = "--state-dir";
	argv[n++] = s->state;
	argv[n++] = "--ready-file";
	argv[n++] = s->ready;
	for (size_t i = 0; extra && extra[i] && n < 46; i++)
		argv[n++] = extra[i];
	argv[n] = NULL;
	unlink(s->ready);
	pid = fork();
	if (!pid) {
		int fd = open(s->log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);

		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		if (nofile) {
			struct rlimit rl = { nofile, nofile };

			setrlimit(RLIMIT_NOFILE, &rl);
		}
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	s->pid = pid;
	return pid;
}

/* Exit status of a daemon that must refuse to start (bounded wait). */
static int side_exit(struct side *s)
{
	int st;

	for (int i = 0; i < 2000; i++) {
		if (waitpid(s->pid, &st, WNOHANG) == s->pid)
			return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
		usleep(10000);
	}
	kill(s->pid, SIGKILL);
	waitpid(s->pid, &st, 0);
	return -1;
}

static void test_second_daemon_refused(void **state)
{
	struct side s;

	alarm(60);
	side_init(&s, "second", "{ \"devices\": [] }");
	snprintf(s.sock, sizeof(s.sock), "%s", rig.sock);
	side_spawn(&s, NULL, 0, NULL);
	assert_int_equal(side_exit(&s), 1);
	assert_true(file_contains(s.log, "another devauthd answers on this socket"));
	/* The live daemon still has its socket. */
	assert_int_equal(devauth(&rig, out, sizeof(out), "list", NULL), 0);
	alarm(0);
}

static void test_state_dir_refused(void **state)
{
	struct side s;

	alarm(60);
	side_init(&s, "open", "{ \"devices\": [] }");
	assert_int_equal(mkdir(s.state, 0700), 0);
	assert_int_equal(chmod(s.state, 0777), 0);
	side_spawn(&s, NULL, 0, NULL);
	assert_int_equal(side_exit(&s), 1);
	assert_true(file_contains(s.log, "writable by everyone"));
	assert_int_equal(chmod(s.state, 0700), 0);
	assert_int_equal(chown(s.state, MEMBER, MEMBER), 0);
	side_spawn(&s, NULL, 0, NULL);
	assert_int_equal(side_exit(&s), 1);
	assert_true(file_contains(s.log, "owned by uid 65534"));
	alarm(0);
}

static void test_stale_temp_files(void **state)
{
	char a[500], b[500], pins[450];
	struct side s;

	alarm(60);
	side_init(&s, "stale", "{ \"devices\": [] }");
	snprintf(pins, sizeof(pins), "%s/pins", s.state);
	assert_int_equal(mkdir(s.state, 0700), 0);
	assert_int_equal(mkdir(pins, 0700), 0);
	snprintf(a, sizeof(a), "%s/.state.json.Ab12Cd", s.state);
	snprintf(b, sizeof(b), "%s/.pin.Xy34Zw", pins);
	assert_int_equal(write_file(a, "{ \"half\": ", 0600), 0);
	assert_int_equal(write_file(b, "{ \"version\"", 0600), 0);
	side_spawn(&s, NULL, 0, NULL);
	assert_int_equal(wait_file(s.ready, s.pid, 20000), 0);
	assert_int_equal(access(a, F_OK), -1);
	assert_int_equal(access(b, F_OK), -1);
	assert_int_equal(proc_stop(s.pid, 20000), 0);
	alarm(0);
}

static void test_state_json_validated(void **state)
{
	static const char *const bad[][2] = {
		{ "\"slot\": 9", "\"slot\": not 0-7" },
		{ "\"slot\": 0, \"tsm\": \"tsm9\"", "\"tsm\": not a configured TSM name" },
		{ "\"slot\": 0, \"hash-algo\": 3", "\"hash-algo\": not one known" },
		{ "\"slot\": 0, \"colour\": 1", "key \"colour\": unknown" },
	};
	char path[500], json[1024];
	struct side s;

	alarm(60);
	side_init(&s, "badstate", "{ \"devices\": [ { \"name\": \"x\", \"transport\": \"127.0.0.1:1\" } ] }");
	assert_int_equal(mkdir(s.state, 0700), 0);
	snprintf(path, sizeof(path), "%s/state.json", s.state);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(json, sizeof(json),
			 "{ \"version\": 1, \"devices\": { \"x\": { \"bound\": true, %s%s"
			 " \"digests\": { \"cert0\": \"%064d\" } } } }",
			 bad[i][0], strstr(bad[i][0], "hash-algo") ? "," : ", \"hash-algo\": 1,", 0);
		assert_int_equal(write_file(path, json, 0600), 0);
		unlink(s.log);
		side_spawn(&s, NULL, 0, NULL);
		assert_int_equal(side_exit(&s), 1);
		if (!file_contains(s.log, bad[i][1]))
			fail_msg("state.json with %s: expected \"%s\" in %s", bad[i][0], bad[i][1],
				 s.log);
	}
	/* A FIFO for state.json: refused, not waited on. */
	unlink(path);
	assert_int_equal(mkfifo(path, 0600), 0);
	unlink(s.log);
	side_spawn(&s, NULL, 0, NULL);
	assert_int_equal(side_exit(&s), 1);
	assert_true(file_contains(s.log, "not a regular file"));
	alarm(0);
}

static void test_fifo_refused(void **state)
{
	char fifo[400], bin[512];
	const char *argv[] = { bin_path("src/devauth/devauth", bin, sizeof(bin)), "verify",
			       "--bundle", fifo, NULL };

	alarm(60);
	snprintf(fifo, sizeof(fifo), "%s/bundle.fifo", rig.dir);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	/* Without the check this blocks in open() until the run() limit kills it (-1). */
	assert_int_equal(run(argv, out, sizeof(out), 20000), 2);
	expect_out("not a regular file (a FIFO)", "verify --bundle FIFO");
	alarm(0);
}

static void test_log_rate_limited(void **state)
{
	char needle[64];
	int lines = 0;
	pid_t pid;
	int st;

	alarm(120);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		int fd;

		if (!become(STRANGER, STRANGER))
			_exit(120);
		fd = cli_open(rig.sock);
		for (int i = 0; fd >= 0 && i < 2000; i++) {
			struct cli_req r = { .cmd = PCI_TSM_CMD_CONNECT, .dev = DEV0 };
			struct cli_dump d;

			if (cli_xfer(fd, &r, &d) || d.error != -EPERM)
				_exit(12);
			cli_dump_free(&d);
		}
		_exit(fd >= 0 ? 0 : 11);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	snprintf(needle, sizeof(needle), "uid %d: CONNECT", STRANGER);
	{
		FILE *f = fopen(rig.d.log, "r");
		char line[4096];

		assert_non_null(f);
		while (fgets(line, sizeof(line), f))
			lines += strstr(line, needle) != NULL;
		fclose(f);
	}
	fprintf(stderr, "2000 refused requests: %d log lines\n", lines);
	/* The burst and whatever the refill allowed while they ran; 2000 without the budget. */
	assert_true(lines >= 1);
	assert_true(lines < 200);
	alarm(0);
}

/* CPU seconds (user + system) a process has used so far. */
static double cpu_s(pid_t pid)
{
	char path[64], buf[2048], *p;
	unsigned long ut = 0, st = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut,
			 &st) != 2)
		return -1;
	return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

static void test_emfile_no_spin(void **state)
{
	static const char *const extra[] = { "--socket-mode", "0666", NULL };
	int fds[64], n = 0;
	double c0, c1;
	uint64_t t0, t1;
	struct side s;

	alarm(120);
	side_init(&s, "nofile", "{ \"devices\": [] }");
	side_spawn(&s, NULL, 24, extra);
	assert_int_equal(wait_file(s.ready, s.pid, 20000), 0);
	/* More clients than the daemon has descriptors: accept() fails with EMFILE. */
	for (int i = 0; i < 40; i++) {
		int fd = cli_open(s.sock);

		if (fd >= 0)
			fds[n++] = fd;
	}
	for (int i = 0; i < 300 && !file_contains(s.log, "pausing new connections"); i++)
		usleep(10000);
	assert_true(file_contains(s.log, "pausing new connections"));
	c0 = cpu_s(s.pid);
	t0 = now_ms();
	sleep(2);
	c1 = cpu_s(s.pid);
	t1 = now_ms();
	fprintf(stderr, "out of descriptors: %.3f s CPU in %.3f s\n", c1 - c0,
		(double)(t1 - t0) / 1000);
	/* A spinning accept loop burns all of it; a paused one almost none. */
	assert_true(c1 - c0 < 0.5 * (double)(t1 - t0) / 1000);
	for (int i = 0; i < n; i++)
		close(fds[i]);
	/* Descriptors back: the daemon serves again. */
	{
		char bin[512];
		const char *argv[] = { bin_path("src/devauth/devauth", bin, sizeof(bin)), "list",
				       "--socket", s.sock, NULL };

		assert_int_equal(run(argv, out, sizeof(out), 20000), 0);
	}
	assert_int_equal(proc_stop(s.pid, 20000), 0);
	alarm(0);
}

/* The HOST:PORT devauth-emu serves the device of the ready file's line `line` (0-based) on. */
static void endpoint_of(const char *dev, unsigned int line, char *ep, size_t cap)
{
	FILE *f = fopen(rig.emu_ready, "r");
	char buf[300], name[128], addr[128];

	assert_non_null(f);
	for (unsigned int i = 0; i <= line; i++)
		assert_non_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	assert_int_equal(sscanf(buf, "%127s %127s", name, addr), 2);
	assert_string_equal(name, dev);
	snprintf(ep, cap, "%s", addr);
}

static void side_one_device(struct side *s, const char *tag, const char *dev, unsigned int line)
{
	char cfg[800], ep[128];

	endpoint_of(dev, line, ep, sizeof(ep));
	snprintf(cfg, sizeof(cfg),
		 "{ \"devices\": [ { \"name\": \"%s\", \"transport\": \"%s\" } ] }", dev, ep);
	side_init(s, tag, cfg);
}

/* RDTExponent 25 asks for 33 s a try, 5 tries: the CONNECT ends at --op-timeout-ms. */
static void test_not_ready_bounded(void **state)
{
	static const char *const extra[] = { "--socket-mode", "0666", "--op-timeout-ms", "2000",
					     NULL };
	char bin[512];
	struct side s;
	uint64_t t0;
	int rc;

	alarm(120);
	side_one_device(&s, "notready", DEV_NR, 2);
	side_spawn(&s, NULL, 0, extra);
	assert_int_equal(wait_file(s.ready, s.pid, 20000), 0);
	{
		const char *argv[] = { bin_path("src/devauth/devauth", bin, sizeof(bin)), "connect",
				       DEV_NR, "--socket", s.sock, NULL };

		t0 = now_ms();
		/* run()'s limit (60 s) is far below the 168 s the retries would take. */
		rc = run(argv, out, sizeof(out), 60000);
	}
	fprintf(stderr, "ResponseNotReady 2^25 us, --op-timeout-ms 2000: CONNECT ended after %llu ms\n",
		(unsigned long long)(now_ms() - t0));
	assert_int_equal(rc, 1);
	expect_out("past the operation's deadline", "ResponseNotReady beyond the deadline");
	assert_int_equal(proc_stop(s.pid, 20000), 0);
	alarm(0);
}

/* SIGTERM while a CONNECT waits on a device: exit 0, the operation canceled. */
static void test_sigterm_exits_zero(void **state)
{
	static const char *const extra[] = { "--socket-mode", "0666", "--op-timeout-ms", "15000",
					     NULL };
	char bin[512], clog[500];
	struct side s;
	uint64_t t0;
	pid_t cli;
	int rc;

	alarm(120);
	side_one_device(&s, "sigterm", DEV_SLOW, 3);
	{
		/*
		 * In an ASan build, LeakSanitizer's exit-time stop-the-world
		 * races the connection threads that are still ending, and
		 * with abort_on_error turns a clean exit into SIGABRT now and
		 * then.  This case is about the exit status; devauthd's leaks
		 * are checked by every other daemon test.
		 */
		const char *asan = getenv("ASAN_OPTIONS");
		char *saved = asan ? strdup(asan) : NULL;
		char opts[512];

		snprintf(opts, sizeof(opts), "%s%sdetect_leaks=0", asan ? asan : "",
			 asan && *asan ? ":" : "");
		setenv("ASAN_OPTIONS", opts, 1);
		side_spawn(&s, NULL, 0, extra);
		if (saved)
			setenv("ASAN_OPTIONS", saved, 1);
		else
			unsetenv("ASAN_OPTIONS");
		free(saved);
	}
	assert_int_equal(wait_file(s.ready, s.pid, 20000), 0);
	snprintf(clog, sizeof(clog), "%s/sigterm-client.log", rig.dir);
	{
		const char *argv[] = { bin_path("src/devauth/devauth", bin, sizeof(bin)), "connect",
				       DEV_SLOW, "--socket", s.sock, NULL };

		cli = proc_spawn(argv, clog);
		assert_true(cli > 0);
	}
	/* In flight: the device sits on CHALLENGE for 19 s. */
	for (int i = 0; i < 1000; i++) {
		const char *argv[] = { bin_path("src/devauth/devauth", bin, sizeof(bin)), "list",
				       DEV_SLOW, "--socket", s.sock, NULL };

		run(argv, out, sizeof(out), 10000);
		if (strstr(out, "connecting"))
			break;
		usleep(20000);
	}
	expect_out("connecting", "CONNECT in flight");
	usleep(300000);
	t0 = now_ms();
	rc = proc_stop(s.pid, 40000);
	fprintf(stderr, "SIGTERM with a CONNECT in flight (op-timeout 15000 ms): exit %d after %llu ms\n",
		rc, (unsigned long long)(now_ms() - t0));
	if (rc != 0) {
		char cmd[600];

		snprintf(cmd, sizeof(cmd), "tail -60 '%s' >&2", s.log);
		if (system(cmd))
			fprintf(stderr, "cannot show %s\n", s.log);
		fail_msg("devauthd exit %d after SIGTERM (its log is above)", rc);
	}
	assert_true(file_contains(s.log, "canceled"));
	proc_stop(cli, 20000);
	alarm(0);
}

/* Every reply byte initialised: valgrind's memcheck watches each sendmsg. */
static void test_replies_under_valgrind(void **state)
{
	static const char *const vg[] = { "valgrind", "--error-exitcode=99", "--quiet",
					  "--trace-children=no", NULL };
	static const char *const extra[] = { "--socket-mode", "0666", "--op-timeout-ms", "30000",
					     NULL };
	char cfg[800], bin[512], ep[64];
	struct side s;
	int st;

	alarm(300);
	/* DEV1's address from the emu's ready file: its second line. */
	{
		FILE *f = fopen(rig.emu_ready, "r");
		char line[300], name[128];

		assert_non_null(f);
		assert_non_null(fgets(line, sizeof(line), f));
		assert_non_null(fgets(line, sizeof(line), f));
		fclose(f);
		assert_int_equal(sscanf(line, "%127s %63s", name, ep), 2);
		assert_string_equal(name, DEV1);
	}
	snprintf(cfg, sizeof(cfg),
		 "{ \"devices\": [ { \"name\": \"" DEV1 "\", \"transport\": \"%s\" } ] }", ep);
	side_init(&s, "valgrind", cfg);
	side_spawn(&s, vg, 0, extra);
	assert_int_equal(wait_file(s.ready, s.pid, 120000), 0);
	{
		const char *dv = bin_path("src/devauth/devauth", bin, sizeof(bin));
		const char *const cmds[][7] = {
			{ dv, "list", "--socket", s.sock, NULL },
			{ dv, "connect", DEV1, "--socket", s.sock, NULL },
			{ dv, "list", DEV1, "--socket", s.sock, NULL },
			{ dv, "evidence", DEV1, "--digest", "--socket", s.sock },
			{ dv, "bind", "nosuchdevice", "--socket", s.sock, NULL },
		};

		for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
			run((const char *const *)cmds[i], out, sizeof(out), 120000);
	}
	kill(s.pid, SIGTERM);
	assert_int_equal(waitpid(s.pid, &st, 0), s.pid);
	if (!WIFEXITED(st) || WEXITSTATUS(st) || file_contains(s.log, "uninitialised"))
		fail_msg("devauthd under valgrind: status %d, see %s", st, s.log);
	alarm(0);
}

/*
 * "valgrind" runs only the memcheck case: valgrind cannot run a daemon
 * built with ASan, so meson defines that case in unsanitized builds
 * only (tests/daemon/meson.build), and no run of it is skipped.
 */
int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exec_pin_privilege),
		cmocka_unit_test(test_slots_per_uid),
		cmocka_unit_test(test_group_reserve),
		cmocka_unit_test(test_second_daemon_refused),
		cmocka_unit_test(test_state_dir_refused),
		cmocka_unit_test(test_stale_temp_files),
		cmocka_unit_test(test_state_json_validated),
		cmocka_unit_test(test_fifo_refused),
		cmocka_unit_test(test_log_rate_limited),
		cmocka_unit_test(test_emfile_no_spin),
		cmocka_unit_test(test_not_ready_bounded),
		cmocka_unit_test(test_sigterm_exits_zero),
	};
	const struct CMUnitTest vg_tests[] = {
		cmocka_unit_test(test_replies_under_valgrind),
	};

	if (argc == 2 && !strcmp(argv[1], "valgrind"))
		return cmocka_run_group_tests(vg_tests, group_setup, group_teardown);
	if (argc != 1) {
		fprintf(stderr, "usage: %s [valgrind]\n", argv[0]);
		return 2;
	}
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
