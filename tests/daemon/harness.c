// SPDX-License-Identifier: MIT
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void nap(void)
{
	struct timespec ts = { .tv_nsec = 10 * 1000000L };

	nanosleep(&ts, NULL);
}

const char *bin_path(const char *rel, char *buf, size_t len)
{
	const char *b = getenv("DEVAUTH_BUILD");

	snprintf(buf, len, "%s/%s", b && *b ? b : ".", rel);
	return buf;
}

void rig_init(struct rig *r)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->dir, sizeof(r->dir), "/tmp/devauthd-test.XXXXXX");
	if (!mkdtemp(r->dir)) {
		perror("mkdtemp");
		abort();
	}
	chmod(r->dir, 0755);
	snprintf(r->emu_ready, sizeof(r->emu_ready), "%s/emu.ready", r->dir);
	snprintf(r->emu_ctl, sizeof(r->emu_ctl), "%s/emu.ctl", r->dir);
	snprintf(r->emu_cfg, sizeof(r->emu_cfg), "%s/emu.json", r->dir);
	snprintf(r->sock, sizeof(r->sock), "%s/devauthd.sock", r->dir);
	snprintf(r->d_ready, sizeof(r->d_ready), "%s/devauthd.ready", r->dir);
	snprintf(r->d_cfg, sizeof(r->d_cfg), "%s/devauthd.json", r->dir);
	snprintf(r->state, sizeof(r->state), "%s/state", r->dir);
	snprintf(r->emu.log, sizeof(r->emu.log), "%s/emu.log", r->dir);
	snprintf(r->d.log, sizeof(r->d.log), "%s/devauthd.log", r->dir);
}

void rig_cleanup(struct rig *r)
{
	char cmd[400];

	if (r->d.pid > 0)
		rig_stop_daemon(r);
	if (r->emu.pid > 0)
		rig_stop_emu(r);
	if (!strstr(r->dir, "/tmp/devauthd-test.") || getenv("DEVAUTHD_TEST_KEEP"))
		return;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", r->dir);
	if (system(cmd))
		fprintf(stderr, "cannot remove %s\n", r->dir);
}

pid_t proc_spawn(const char *const *argv, const char *log)
{
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);

		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	return pid;
}

int wait_file(const char *path, pid_t pid, unsigned int timeout_ms)
{
	uint64_t end = now_ms() + timeout_ms;

	while (now_ms() < end) {
		int st;

		if (!access(path, F_OK))
			return 0;
		if (pid > 0 && waitpid(pid, &st, WNOHANG) == pid)
			return -ECHILD;
		nap();
	}
	return -ETIMEDOUT;
}

int proc_stop(pid_t pid, unsigned int timeout_ms)
{
	uint64_t end = now_ms() + timeout_ms;
	int st;

	if (pid <= 0)
		return -1;
	kill(pid, SIGTERM);
	while (now_ms() < end) {
		pid_t w = waitpid(pid, &st, WNOHANG);

		if (w == pid)
			return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
		if (w < 0)
			return -1;
		nap();
	}
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	return -1;
}

int run(const char *const *argv, char *out, size_t len, unsigned int timeout_ms)
{
	uint64_t end = now_ms() + timeout_ms;
	size_t got = 0;
	int p[2], st = 0;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		dup2(p[1], 1);
		dup2(p[1], 2);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(p[1]);
	for (;;) {
		struct pollfd pf = { .fd = p[0], .events = POLLIN };
		int64_t left = (int64_t)(end - now_ms());
		char tmp[4096];
		ssize_t n;

		if (left <= 0 || poll(&pf, 1, (int)left) <= 0) {
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			close(p[0]);
			return -1;
		}
		n = read(p[0], tmp, sizeof(tmp));
		if (n <= 0)
			break;
		if (out && got + 1 < len) {
			size_t k = (size_t)n < len - 1 - got ? (size_t)n : len - 1 - got;

			memcpy(out + got, tmp, k);
			got += k;
		}
	}
	close(p[0]);
	if (out && len)
		out[got] = '\0';
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

int devauth(struct rig *r, char *out, size_t len, ...)
{
	const char *argv[32];
	char bin[512];
	size_t n = 0;
	va_list ap;
	const char *a;

	argv[n++] = bin_path("src/devauth/devauth", bin, sizeof(bin));
	va_start(ap, len);
	while ((a = va_arg(ap, const char *)) && n < 28)
		argv[n++] = a;
	va_end(ap);
	argv[n++] = "--socket";
	argv[n++] = r->sock;
	argv[n] = NULL;
	/* getopt permutes, so --socket may follow the positional arguments. */
	return run(argv, out, len, 60000);
}

bool file_contains(const char *path, const char *s)
{
	char buf[1 << 16];
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return false;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return strstr(buf, s) != NULL;
}

static int write_file(const char *path, const char *s)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -errno;
	fputs(s, f);
	return fclose(f) ? -EIO : 0;
}

int rig_start_emu(struct rig *r, const char *json_devices, const char *const *extra)
{
	static unsigned int seed;
	char bin[512], listen[64];
	/* 1024 devices do not fit a fixed buffer (bench_daemon). */
	size_t cap = strlen(json_devices) + 32;
	char *cfg = malloc(cap);
	int wret;

	if (!seed)
		seed = (unsigned int)time(NULL) ^ ((unsigned int)getpid() << 12);
	if (!cfg)
		return -1;
	snprintf(cfg, cap, "{ \"devices\": %s }", json_devices);
	wret = write_file(r->emu_cfg, cfg);
	free(cfg);
	if (wret)
		return -1;
	for (int attempt = 0; attempt < 8; attempt++) {
		const char *argv[40] = {
			bin_path("src/devauth-emu/devauth-emu", bin, sizeof(bin)), "serve",
			"--config", r->emu_cfg, "--listen", listen, "--ctl", r->emu_ctl,
			"--ready-file", r->emu_ready,
		};
		size_t n = 10;
		int ret;

		r->base_port = 20000 + (int)(rand_r(&seed) % 30000);
		snprintf(listen, sizeof(listen), "127.0.0.1:%d", r->base_port);
		for (size_t i = 0; extra && extra[i] && n < 38; i++)
			argv[n++] = extra[i];
		argv[n] = NULL;
		r->emu.pid = proc_spawn(argv, r->emu.log);
		ret = wait_file(r->emu_ready, r->emu.pid, 60000);
		if (!ret)
			return 0;
		if (ret != -ECHILD) {
			proc_stop(r->emu.pid, 5000);
			r->emu.pid = 0;
			return -1;
		}
		r->emu.pid = 0;	/* port taken: try another */
	}
	return -1;
}

int rig_start_daemon(struct rig *r, const char *const *extra)
{
	char cfg[600];

	snprintf(cfg, sizeof(cfg), "{ \"emu-ready-file\": \"%s\" }", r->emu_ready);
	return rig_start_daemon_cfg(r, cfg, extra);
}

int rig_start_daemon_cfg(struct rig *r, const char *cfg, const char *const *extra)
{
	char bin[512];
	const char *argv[40] = {
		bin_path("src/devauthd/devauthd", bin, sizeof(bin)), "--config", r->d_cfg,
		"--socket", r->sock, "--state-dir", r->state, "--ready-file", r->d_ready,
	};
	size_t n = 9;

	if (write_file(r->d_cfg, cfg))
		return -1;
	for (size_t i = 0; extra && extra[i] && n < 38; i++)
		argv[n++] = extra[i];
	argv[n] = NULL;
	unlink(r->d_ready);
	r->d.pid = proc_spawn(argv, r->d.log);
	if (r->d.pid < 0 || wait_file(r->d_ready, r->d.pid, 20000)) {
		if (r->d.pid > 0)
			proc_stop(r->d.pid, 5000);
		r->d.pid = 0;
		return -1;
	}
	return 0;
}

int rig_stop_daemon(struct rig *r)
{
	int ret = proc_stop(r->d.pid, 40000);

	r->d.pid = 0;
	return ret;
}

int rig_stop_emu(struct rig *r)
{
	int ret = proc_stop(r->emu.pid, 20000);

	r->emu.pid = 0;
	return ret;
}
