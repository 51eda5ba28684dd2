// SPDX-License-Identifier: MIT
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "peer_harness.h"
#include "reap.h"

static char peers_copy[256];

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static void remove_copy(void)
{
	char cmd[400];

	if (!peers_copy[0] || !strstr(peers_copy, "devauth-peers."))
		return;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", peers_copy);
	if (system(cmd))
		fprintf(stderr, "cannot remove %s\n", peers_copy);
}

const char *peer_dir(void)
{
	const char *src = getenv("DEVAUTH_PEERS");
	const char *tmp = getenv("TMPDIR");
	char cmd[800], probe[400];

	if (peers_copy[0])
		return peers_copy;
	if (!src || !*src) {
		fprintf(stderr, "DEVAUTH_PEERS is not set: the DMTF peers are required\n");
		abort();
	}
	snprintf(probe, sizeof(probe), "%s/spdm_responder_emu", src);
	if (access(probe, X_OK)) {
		fprintf(stderr, "%s: %s: the DMTF peers are required\n", probe, strerror(errno));
		abort();
	}
	snprintf(peers_copy, sizeof(peers_copy), "%s/devauth-peers.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(peers_copy)) {
		perror("mkdtemp");
		abort();
	}
	snprintf(cmd, sizeof(cmd), "cp -R '%s'/. '%s'/ && chmod -R u+w '%s'", src, peers_copy,
		 peers_copy);
	if (system(cmd)) {
		fprintf(stderr, "cannot copy %s to %s\n", src, peers_copy);
		abort();
	}
	atexit(remove_copy);
	return peers_copy;
}

int peer_free_port(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t sl = sizeof(sa);
	int fd, port = -1;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (!bind(fd, (struct sockaddr *)&sa, sizeof(sa)) &&
	    !getsockname(fd, (struct sockaddr *)&sa, &sl))
		port = ntohs(sa.sin_port);
	close(fd);
	return port;
}

/* Is a socket on `port` in LISTEN state (0A) in /proc/net/tcp or tcp6? */
static bool listening(int port)
{
	static const char *const files[] = { "/proc/net/tcp", "/proc/net/tcp6" };
	char line[512];

	for (size_t i = 0; i < 2; i++) {
		FILE *f = fopen(files[i], "r");

		if (!f)
			continue;
		while (fgets(line, sizeof(line), f)) {
			char local[128];
			unsigned int st, lport;
			char *colon;

			if (sscanf(line, " %*d: %127s %*s %x", local, &st) != 2)
				continue;
			colon = strrchr(local, ':');
			if (!colon || sscanf(colon + 1, "%x", &lport) != 1)
				continue;
			if ((int)lport == port && st == 0x0a) {
				fclose(f);
				return true;
			}
		}
		fclose(f);
	}
	return false;
}

int peer_wait_listen(int port, unsigned int timeout_ms)
{
	long end = now_ms() + timeout_ms;

	while (now_ms() < end) {
		if (listening(port))
			return 0;
		sleep_ms(20);
	}
	return -ETIMEDOUT;
}

/* A path to one of our own binaries ($DEVAUTH_BUILD/src/NAME/NAME). */
const char *peer_devauth_bin(const char *name, char *buf, size_t len)
{
	const char *b = getenv("DEVAUTH_BUILD");

	if (!b || !*b) {
		fprintf(stderr, "DEVAUTH_BUILD is not set: cannot find %s\n", name);
		abort();
	}
	snprintf(buf, len, "%s/src/%s/%s", b, name, name);
	return buf;
}

/*
 * prog: a DMTF binary in the peers' copy, or (with a '/') one of ours.
 * Both run in the peers' copy, so key paths like ecp384/... resolve; only
 * the DMTF ones get the TCP_NODELAY shim and lose our sanitizer options
 * (an ASan build of ours must not have a library preloaded before it).
 */
static pid_t spawn(const char *prog, const char *const *pre, const char *const *args,
		   int outfd)
{
	const char *argv[64];
	char path[400], preload[400];
	bool ours = strchr(prog, '/') != NULL;
	size_t n = 0;
	pid_t pid;

	if (ours)
		snprintf(path, sizeof(path), "%s", prog);
	else
		snprintf(path, sizeof(path), "%s/%s", peer_dir(), prog);
	snprintf(preload, sizeof(preload), "%s/nodelay.so", peer_dir());
	argv[n++] = path;
	for (size_t i = 0; pre && pre[i] && n < 63; i++)
		argv[n++] = pre[i];
	for (size_t i = 0; args && args[i] && n < 63; i++)
		argv[n++] = args[i];
	argv[n] = NULL;

	pid = fork();
	if (pid) {
		/* Its own group (setpgid below): the teardown kills the group. */
		if (pid > 0)
			setpgid(pid, pid);
		reap_track(pid, true);
		return pid;
	}
	if (chdir(peer_dir()))
		_exit(126);
	dup2(outfd, 1);
	dup2(outfd, 2);
	close(0);
	setpgid(0, 0);
	if (!ours) {
		/* The sanitizer runtimes of our own test build must not reach the peers. */
		unsetenv("ASAN_OPTIONS");
		unsetenv("UBSAN_OPTIONS");
		setenv("LD_PRELOAD", preload, 1);
	}
	execv(path, (char *const *)argv);
	_exit(127);
}

static int start_server(struct peer_proc *p, bool emu, const char *const *args,
			unsigned int timeout_s)
{
	char port[16], listen[48], emu_path[400];
	int fd;

	for (int attempt = 0; attempt < 5; attempt++) {
		const char *const dmtf_pre[] = { "--port", port, NULL };
		const char *const emu_pre[] = { "serve", "--ctl", "none", "--listen", listen,
						NULL };

		memset(p, 0, sizeof(*p));
		p->port = peer_free_port();
		if (p->port < 0)
			return -EADDRNOTAVAIL;
		snprintf(port, sizeof(port), "%d", p->port);
		snprintf(listen, sizeof(listen), "127.0.0.1:%d", p->port);
		snprintf(p->log, sizeof(p->log), "%s/%s-%d.log", peer_dir(),
			 emu ? "devauth-emu" : "responder", p->port);
		fd = open(p->log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (fd < 0)
			return -errno;
		if (emu)
			p->pid = spawn(peer_devauth_bin("devauth-emu", emu_path, sizeof(emu_path)),
				       emu_pre, args, fd);
		else
			p->pid = spawn("spdm_responder_emu", dmtf_pre, args, fd);
		close(fd);
		if (p->pid < 0)
			return -errno;
		long end = now_ms() + timeout_s * 1000L;

		while (now_ms() < end) {
			if (listening(p->port))
				return 0;
			if (!peer_alive(p))
				break;
			sleep_ms(20);
		}
		if (peer_alive(p)) {
			peer_stop(p);
			peer_dump_log(p);
			return -ETIMEDOUT;
		}
		/* Lost the port to someone else?  Try another one. */
		if (!peer_log_contains(p, "bind") && !peer_log_contains(p, "in use")) {
			peer_dump_log(p);
			return -ECHILD;
		}
	}
	return -EADDRINUSE;
}

int peer_start_responder(struct peer_proc *p, const char *const *args, unsigned int timeout_s)
{
	return start_server(p, false, args, timeout_s);
}

int peer_start_emu(struct peer_proc *p, const char *const *args, unsigned int timeout_s)
{
	return start_server(p, true, args, timeout_s);
}

int peer_start_responder_on(struct peer_proc *p, int port, const char *const *args,
			    unsigned int timeout_s)
{
	char ports[16];
	const char *const pre[] = { "--port", ports, NULL };
	long end;
	int fd;

	memset(p, 0, sizeof(*p));
	p->port = port;
	snprintf(ports, sizeof(ports), "%d", port);
	snprintf(p->log, sizeof(p->log), "%s/responder-%d-%ld.log", peer_dir(), port, now_ms());
	fd = open(p->log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	p->pid = spawn("spdm_responder_emu", pre, args, fd);
	close(fd);
	if (p->pid < 0)
		return -errno;
	end = now_ms() + timeout_s * 1000L;
	while (now_ms() < end) {
		if (listening(port))
			return 0;
		if (!peer_alive(p))
			break;
		sleep_ms(20);
	}
	peer_dump_log(p);
	if (peer_alive(p))
		peer_stop(p);
	return -ETIMEDOUT;
}

int peer_run(const char *prog, const char *const *args, char *out, size_t len,
	     unsigned int timeout_s)
{
	char log[512];
	int fd, status, rc = -1;
	long end = now_ms() + timeout_s * 1000L;
	pid_t pid;

	snprintf(log, sizeof(log), "%s/run-%d-%ld.log", peer_dir(), (int)getpid(), now_ms());
	fd = open(log, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	pid = spawn(prog, NULL, args, fd);
	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid) {
			rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
			break;
		}
		if (now_ms() >= end) {
			kill(-pid, SIGKILL);
			waitpid(pid, &status, 0);
			rc = -1;
			break;
		}
		sleep_ms(10);
	}
	if (out && len) {
		ssize_t n = pread(fd, out, len - 1, 0);

		out[n > 0 ? n : 0] = '\0';
	}
	close(fd);
	unlink(log);
	return rc;
}

bool peer_alive(struct peer_proc *p)
{
	int status;

	if (p->pid <= 0)
		return false;
	if (waitpid(p->pid, &status, WNOHANG) == p->pid) {
		p->pid = 0;
		return false;
	}
	return true;
}

int peer_stop(struct peer_proc *p)
{
	int status;

	if (p->pid <= 0)
		return 0;
	kill(-p->pid, SIGTERM);
	for (int i = 0; i < 200; i++) {
		if (waitpid(p->pid, &status, WNOHANG) == p->pid) {
			p->pid = 0;
			return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
		}
		sleep_ms(10);
	}
	kill(-p->pid, SIGKILL);
	waitpid(p->pid, &status, 0);
	p->pid = 0;
	return -1;
}

bool peer_log_contains(const struct peer_proc *p, const char *s)
{
	char buf[65536];
	FILE *f = fopen(p->log, "r");
	size_t n;

	if (!f)
		return false;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return strstr(buf, s) != NULL;
}

void peer_dump_log(const struct peer_proc *p)
{
	char buf[4096];
	FILE *f = fopen(p->log, "r");
	size_t n;

	if (!f)
		return;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	fprintf(stderr, "--- %s\n%s\n---\n", p->log, buf);
}
