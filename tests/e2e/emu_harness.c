// SPDX-License-Identifier: MIT
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

#include <devauth/spdm.h>

#include "emu_harness.h"
#include "reap.h"

const char *emu_bin;

void emu_mkdtemp(char *buf, size_t len)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(buf, len, "%s/devauth-emu-test.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(buf)) {
		perror("mkdtemp");
		abort();
	}
}

void emu_rmdir(const char *dir)
{
	char cmd[600];

	/* Test scratch space only, made by emu_mkdtemp(). */
	if (!strstr(dir, "devauth-emu-test."))
		return;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd))
		fprintf(stderr, "cannot remove %s\n", dir);
}

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static int random_port(void)
{
	static unsigned int seed;

	if (!seed)
		seed = (unsigned int)time(NULL) ^ ((unsigned int)getpid() << 8);
	return 20000 + (int)(rand_r(&seed) % 40000);
}

static pid_t spawn(const char *const *argv, const char *out_path, bool both)
{
	pid_t pid = fork();
	int fd;

	if (pid)
		return pid;
	fd = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd >= 0) {
		dup2(fd, 2);
		if (both)
			dup2(fd, 1);
		else
			dup2(open("/dev/null", O_WRONLY), 1);
	}
	execv(argv[0], (char *const *)argv);
	_exit(127);
}

static pid_t spawn_tracked(const char *const *argv, const char *out_path, bool both)
{
	pid_t pid = spawn(argv, out_path, both);

	reap_track(pid, false);
	return pid;
}

/* waitpid with a deadline: status, or -1 if the child is still running at the end. */
static int wait_child(pid_t pid, unsigned int timeout_ms, int *status)
{
	unsigned int waited = 0;
	pid_t r;

	for (;;) {
		r = waitpid(pid, status, WNOHANG);
		if (r == pid)
			return 0;
		if (r < 0)
			return -1;
		if (waited >= timeout_ms)
			return -1;
		sleep_ms(20);
		waited += 20;
	}
}

int emu_start(struct emu_proc *p, const char *const *extra)
{
	const unsigned int timeout_s = EMU_READY_GUARD_S;
	const char *argv[64];
	char listen[64];
	int attempt, n, status, i;
	unsigned int waited;
	struct stat st;

	if (!p->dir[0])
		emu_mkdtemp(p->dir, sizeof(p->dir));
	snprintf(p->ready, sizeof(p->ready), "%s/ready", p->dir);
	snprintf(p->ctl, sizeof(p->ctl), "%s/ctl.sock", p->dir);
	snprintf(p->log, sizeof(p->log), "%s/emu.log", p->dir);

	for (attempt = 0; attempt < 8; attempt++) {
		p->base_port = random_port();
		snprintf(listen, sizeof(listen), "127.0.0.1:%d", p->base_port);
		n = 0;
		argv[n++] = emu_bin;
		argv[n++] = "serve";
		argv[n++] = "--listen";
		argv[n++] = listen;
		argv[n++] = "--ready-file";
		argv[n++] = p->ready;
		argv[n++] = "--ctl";
		argv[n++] = p->ctl;
		for (i = 0; extra && extra[i] && n < 62; i++)
			argv[n++] = extra[i];
		argv[n] = NULL;
		unlink(p->ready);
		p->pid = spawn_tracked(argv, p->log, false);
		if (p->pid < 0)
			return -1;
		for (waited = 0; waited < timeout_s * 1000; waited += 20) {
			if (!stat(p->ready, &st))
				return 0;
			if (waitpid(p->pid, &status, WNOHANG) == p->pid) {
				p->pid = 0;
				break;
			}
			sleep_ms(20);
		}
		if (p->pid) {
			fprintf(stderr, "devauth-emu not ready after %u s\n", timeout_s);
			kill(p->pid, SIGKILL);
			waitpid(p->pid, &status, 0);
			p->pid = 0;
			return -1;
		}
		/* It exited: a taken port is worth another try, anything else is not. */
		if (!emu_log_contains(p, "in use")) {
			char cmd[400];

			snprintf(cmd, sizeof(cmd), "cat '%s' >&2", p->log);
			if (system(cmd))
				fprintf(stderr, "devauth-emu failed to start\n");
			return -1;
		}
	}
	return -1;
}

bool emu_alive(struct emu_proc *p)
{
	int status;

	return p->pid > 0 && waitpid(p->pid, &status, WNOHANG) == 0;
}

int emu_stop(struct emu_proc *p)
{
	int status;

	if (p->pid <= 0)
		return -1;
	kill(p->pid, SIGTERM);
	if (wait_child(p->pid, 20000, &status)) {
		kill(p->pid, SIGKILL);
		waitpid(p->pid, &status, 0);
		p->pid = 0;
		return -1;
	}
	p->pid = 0;
	if (!WIFEXITED(status)) {
		fprintf(stderr, "devauth-emu died with signal %d\n", WTERMSIG(status));
		return -1;
	}
	if (WEXITSTATUS(status)) {
		char cmd[400];

		snprintf(cmd, sizeof(cmd), "cat '%s' >&2", p->log);
		if (system(cmd))
			fprintf(stderr, "exit status %d\n", WEXITSTATUS(status));
	}
	return WEXITSTATUS(status);
}

static size_t read_whole(const char *path, char *out, size_t len)
{
	FILE *f = fopen(path, "r");
	size_t n;

	out[0] = '\0';
	if (!f)
		return 0;
	n = fread(out, 1, len - 1, f);
	out[n] = '\0';
	fclose(f);
	return n;
}

bool emu_log_contains(struct emu_proc *p, const char *s)
{
	static char buf[1 << 18];

	read_whole(p->log, buf, sizeof(buf));
	return strstr(buf, s) != NULL;
}

int emu_run(const char *const *args, char *out, size_t len, unsigned int timeout_s)
{
	const char *argv[32];
	char dir[256], path[320];
	int n = 0, status;
	pid_t pid;

	emu_mkdtemp(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/out", dir);
	argv[n++] = emu_bin;
	for (; *args && n < 31; args++)
		argv[n++] = *args;
	argv[n] = NULL;
	pid = spawn_tracked(argv, path, true);
	if (pid < 0)
		return -1;
	if (wait_child(pid, timeout_s * 1000, &status)) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		emu_rmdir(dir);
		return -1;
	}
	read_whole(path, out, len);
	emu_rmdir(dir);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int emu_connect(int port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	int fd, one = 1;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		close(fd);
		return -1;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

int emu_xchg(int fd, uint32_t cmd, uint32_t tt, const void *payload, size_t len,
	     uint32_t *rcmd, uint32_t *rtt, struct da_buf *rsp)
{
	struct da_err err = { 0 };
	int ret;

	ret = emu_send_frame(fd, cmd, tt, payload, len, &err);
	if (ret < 0)
		return ret;
	return emu_recv_frame(fd, 5000, EMU_MAX_PAYLOAD, rcmd, rtt, rsp, &err);
}

int emu_hello(int fd, enum da_framing f)
{
	struct da_buf rsp = { 0 };
	uint32_t cmd, tt;
	int ret;

	ret = emu_xchg(fd, EMU_CMD_TEST, f, EMU_HELLO_CLIENT, sizeof(EMU_HELLO_CLIENT), &cmd, &tt,
		       &rsp);
	if (!ret && (cmd != EMU_CMD_TEST || tt != (uint32_t)f ||
		     rsp.len != sizeof(EMU_HELLO_SERVER) ||
		     memcmp(rsp.data, EMU_HELLO_SERVER, sizeof(EMU_HELLO_SERVER))))
		ret = -EBADMSG;
	da_buf_free(&rsp);
	return ret;
}

int emu_discovery(int fd)
{
	struct da_err err = { 0 };
	struct da_buf rsp = { 0 };
	uint8_t req[64];
	struct wcur w;
	enum da_payload_kind kind;
	const uint8_t *pl;
	size_t plen;
	uint32_t cmd, tt;
	uint16_t vendor;
	uint8_t type, next, idx;
	int ret = 0;

	for (idx = 0; idx < 3 && !ret; idx++) {
		w = wcur_init(req, sizeof(req));
		ret = da_doe_discovery_request(idx, &w);
		if (ret < 0)
			break;
		ret = emu_xchg(fd, EMU_CMD_NORMAL, DA_FRAMING_PCI_DOE, req, w.len, &cmd, &tt, &rsp);
		if (ret)
			break;
		if (cmd != EMU_CMD_NORMAL) {
			ret = -EBADMSG;
			break;
		}
		ret = da_frame_decode(DA_FRAMING_PCI_DOE, rsp.data, rsp.len, &kind, &pl, &plen,
				      &err);
		if (!ret && kind != DA_PAYLOAD_DOE_DISCOVERY)
			ret = -EBADMSG;
		if (!ret)
			ret = da_doe_discovery_parse(pl, plen, &vendor, &type, &next, &err);
		if (!ret && (vendor != DA_DOE_VENDOR_PCISIG || type != idx ||
			     next != (idx + 1) % 3))
			ret = -EBADMSG;
	}
	da_buf_free(&rsp);
	return ret;
}

int emu_get_version(int fd, enum da_framing f)
{
	static const uint8_t get_version[] = { SPDM_VER_10, SPDM_GET_VERSION, 0, 0 };
	struct da_err err = { 0 };
	struct da_buf rsp = { 0 };
	uint8_t req[64];
	struct wcur w = wcur_init(req, sizeof(req));
	enum da_payload_kind kind;
	const uint8_t *pl;
	size_t plen;
	uint32_t cmd, tt;
	uint8_t ver, code, count;
	struct cur c;
	int ret;

	ret = da_frame_encode(f, DA_PAYLOAD_SPDM, get_version, sizeof(get_version), &w);
	if (ret < 0)
		return ret;
	ret = emu_xchg(fd, EMU_CMD_NORMAL, f, req, w.len, &cmd, &tt, &rsp);
	if (ret)
		goto out;
	if (cmd != EMU_CMD_NORMAL || tt != (uint32_t)f) {
		ret = -EBADMSG;
		goto out;
	}
	ret = da_frame_decode(f, rsp.data, rsp.len, &kind, &pl, &plen, &err);
	if (ret)
		goto out;
	/* VERSION: 1.0, code 0x04, 2 params, reserved, count, entries. */
	c = cur_init(pl, plen);
	if (kind != DA_PAYLOAD_SPDM || cur_u8(&c, &ver) || cur_u8(&c, &code) ||
	    cur_skip(&c, 3) || cur_u8(&c, &count) || cur_skip(&c, (size_t)count * 2) ||
	    ver != SPDM_VER_10 || code != SPDM_VERSION || !count)
		ret = -EBADMSG;
out:
	da_buf_free(&rsp);
	return ret;
}

int emu_shutdown(int fd, enum da_framing f)
{
	struct da_err err = { 0 };
	struct da_buf rsp = { 0 };
	uint32_t cmd, tt;
	int ret;

	ret = emu_xchg(fd, EMU_CMD_SHUTDOWN, f, NULL, 0, &cmd, &tt, &rsp);
	if (!ret && cmd != EMU_CMD_SHUTDOWN)
		ret = -EBADMSG;
	/* Then the server closes its end. */
	if (!ret && emu_recv_frame(fd, 5000, EMU_MAX_PAYLOAD, &cmd, &tt, &rsp, &err) !=
			    -ECONNRESET)
		ret = -EPROTO;
	da_buf_free(&rsp);
	return ret;
}

int emu_run_cases(const char *group, const struct CMUnitTest *tests, size_t n,
		  const char *name)
{
	size_t found = n, matches = 0;

	if (!name)
		return _cmocka_run_group_tests(group, tests, n, NULL, NULL);
	for (size_t i = 0; i < n; i++) {
		if (!strcmp(tests[i].name, name)) {
			found = i;
			matches++;
		}
	}
	if (matches != 1) {
		fprintf(stderr, "%s: %zu cases are called \"%s\", expected exactly 1\n", group,
			matches, name);
		return 1;
	}
	return _cmocka_run_group_tests(group, &tests[found], 1, NULL, NULL);
}
