// SPDX-License-Identifier: MIT
/*
 * The control socket: a UNIX stream socket with a one-line text
 * protocol (docs/emu.md).  A client sends one command line and reads the
 * reply until EOF; the reply's last line is "ok" or "error: ...".
 *
 *   list | reset DEV | swap DEV | update DEV | fault DEV NAME[,NAME] | fault DEV none
 *
 * DEV is a device name ("0000:01:00.0") or its index.  reset and swap
 * also cut the device's current connection, as a real reset or a
 * physical replacement takes the link down.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "cursor.h"
#include "emu.h"

#define CTL_READ_TIMEOUT_MS 2000
/* swap makes new keys (RSA-4096 can take seconds): be patient. */
#define CTL_REPLY_TIMEOUT_MS 120000
#define CTL_REPLY_MAX (1u << 20)

struct emu_ctl {
	struct emu_server *srv;
	int lfd;
	int stop_pipe[2];
	pthread_t thread;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
};

void emu_ctl_default_path(char *buf, size_t len)
{
	const char *xdg = getenv("XDG_RUNTIME_DIR");

	if (xdg && xdg[0] == '/')
		snprintf(buf, len, "%s/devauth-emu.sock", xdg);
	else
		snprintf(buf, len, "/run/devauth-emu.sock");
}

struct reply {
	char *buf;
	size_t len, used;
};

static void rappend(struct reply *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void rappend(struct reply *r, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (r->used + 1 >= r->len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(r->buf + r->used, r->len - r->used, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	r->used += (size_t)n < r->len - r->used ? (size_t)n : r->len - r->used - 1;
}

static void faults_string(uint64_t faults, char *buf, size_t len)
{
	size_t used = 0;
	int f, n;

	buf[0] = '\0';
	for (f = 0; f < RSP_FAULT_COUNT && used + 1 < len; f++) {
		if (!(faults & (1ull << f)))
			continue;
		n = snprintf(buf + used, len - used, "%s%s", used ? "," : "",
			     rsp_fault_name((enum rsp_fault)f));
		if (n < 0 || (size_t)n >= len - used)
			break;
		used += (size_t)n;
	}
	if (!used)
		snprintf(buf, len, "none");
}

static void ctl_list(struct emu_server *s, struct reply *r)
{
	char faults[1024];
	unsigned int i;

	for (i = 0; i < emu_server_ndev(s); i++) {
		faults_string(emu_server_faults(s, i), faults, sizeof(faults));
		rappend(r, "%u %s port=%d connected=%s reset-gen=%llu faults=%s\n", i,
			emu_server_dev_name(s, i), emu_server_dev_port(s, i),
			emu_server_has_client(s, i) ? "yes" : "no",
			(unsigned long long)rsp_device_reset_gen(emu_server_device(s, i)), faults);
	}
	rappend(r, "ok\n");
}

void emu_ctl_execute(struct emu_server *s, const char *line, char *out, size_t len)
{
	struct reply r = { .buf = out, .len = len };
	struct da_err err = { 0 };
	char copy[EMU_CTL_LINE_MAX], *save = NULL, *argv[4];
	uint64_t faults;
	int argc = 0, idx, ret;
	char *tok;

	out[0] = '\0';
	if (strlen(line) >= sizeof(copy)) {
		rappend(&r, "error: command line too long\n");
		return;
	}
	snprintf(copy, sizeof(copy), "%s", line);
	for (tok = strtok_r(copy, " \t\r\n", &save); tok; tok = strtok_r(NULL, " \t\r\n", &save)) {
		if (argc == 4) {
			rappend(&r, "error: too many arguments\n");
			return;
		}
		argv[argc++] = tok;
	}
	if (!argc) {
		rappend(&r, "error: empty command\n");
		return;
	}
	if (!strcmp(argv[0], "list")) {
		if (argc != 1) {
			rappend(&r, "error: usage: list\n");
			return;
		}
		ctl_list(s, &r);
		return;
	}
	if (strcmp(argv[0], "reset") && strcmp(argv[0], "swap") && strcmp(argv[0], "update") &&
	    strcmp(argv[0], "fault")) {
		rappend(&r, "error: unknown command '%s' (list, reset, swap, update, fault)\n",
			argv[0]);
		return;
	}
	if (!strcmp(argv[0], "fault") ? argc != 3 : argc != 2) {
		rappend(&r, "error: usage: %s DEV%s\n", argv[0],
			!strcmp(argv[0], "fault") ? " NAME[,NAME]|none" : "");
		return;
	}
	idx = emu_server_find(s, argv[1]);
	if (idx < 0) {
		rappend(&r, "error: no device '%s'\n", argv[1]);
		return;
	}

	if (!strcmp(argv[0], "reset")) {
		ret = rsp_device_reset(emu_server_device(s, (unsigned int)idx));
		if (!ret)
			emu_server_drop_client(s, (unsigned int)idx);
	} else if (!strcmp(argv[0], "swap")) {
		ret = rsp_device_swap(emu_server_device(s, (unsigned int)idx), &err);
		if (!ret) {
			emu_server_drop_client(s, (unsigned int)idx);
			emu_prewarm(emu_server_device(s, (unsigned int)idx));
		}
	} else if (!strcmp(argv[0], "update")) {
		ret = rsp_device_update(emu_server_device(s, (unsigned int)idx));
	} else {
		ret = rsp_fault_parse(argv[2], &faults, &err);
		if (!ret)
			emu_server_set_faults(s, (unsigned int)idx, faults);
	}
	if (ret) {
		rappend(&r, "error: %s %s: %s\n", argv[0], emu_server_dev_name(s, (unsigned int)idx),
			err.msg[0] ? err.msg : strerror(-ret));
		return;
	}
	emu_log("ctl: %s %s%s%s", argv[0], emu_server_dev_name(s, (unsigned int)idx),
		argc > 2 ? " " : "", argc > 2 ? argv[2] : "");
	rappend(&r, "ok\n");
}

static unsigned long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000 + (unsigned long long)ts.tv_nsec / 1000000;
}

/* Read until EOF, newline (when stop_at_nl) or cap bytes, within timeout_ms. */
static int read_some(int fd, uint8_t *buf, size_t cap, bool stop_at_nl, unsigned int timeout_ms,
		     size_t *got)
{
	unsigned long long deadline = now_ms() + timeout_ms;
	struct pollfd p = { .fd = fd, .events = POLLIN };
	size_t used = 0;
	ssize_t n;
	int left, ret;

	while (used < cap) {
		left = (int)(deadline - now_ms());
		if (deadline <= now_ms())
			return -ETIMEDOUT;
		ret = poll(&p, 1, left);
		if (ret < 0 && errno == EINTR)
			continue;
		if (ret < 0)
			return -errno;
		if (!ret)
			return -ETIMEDOUT;
		n = read(fd, buf + used, cap - used);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		if (stop_at_nl && memchr(buf + used, '\n', (size_t)n)) {
			used += (size_t)n;
			break;
		}
		used += (size_t)n;
	}
	*got = used;
	return 0;
}

/* The first line of what a client sent, via the cursor: the bytes are the client's. */
static int first_line(const uint8_t *buf, size_t len, char *line, size_t cap)
{
	struct cur c = cur_init(buf, len);
	struct wcur w = wcur_init(line, cap - 1);
	uint8_t ch;

	while (!cur_u8(&c, &ch)) {
		if (ch == '\n')
			break;
		if (ch == '\0')
			return -EINVAL;
		wcur_u8(&w, ch);
	}
	if (wcur_finish(&w) < 0)
		return -E2BIG;
	line[w.len] = '\0';
	return 0;
}

static void write_all(int fd, const char *buf, size_t len)
{
	ssize_t n;

	while (len) {
		n = send(fd, buf, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		buf += n;
		len -= (size_t)n;
	}
}

static void ctl_handle(struct emu_ctl *c, int fd)
{
	uint8_t in[EMU_CTL_LINE_MAX];
	char line[EMU_CTL_LINE_MAX];
	size_t got = 0, rlen;
	char *reply;
	int ret;

	rlen = 4096 + (size_t)emu_server_ndev(c->srv) * 256;
	reply = malloc(rlen);
	if (!reply)
		return;
	ret = read_some(fd, in, sizeof(in), true, CTL_READ_TIMEOUT_MS, &got);
	if (!ret)
		ret = first_line(in, got, line, sizeof(line));
	if (ret == -E2BIG)
		snprintf(reply, rlen, "error: command line too long\n");
	else if (ret == -EINVAL)
		snprintf(reply, rlen, "error: NUL byte in command\n");
	else if (ret)
		snprintf(reply, rlen, "error: %s\n", strerror(-ret));
	else
		emu_ctl_execute(c->srv, line, reply, rlen);
	write_all(fd, reply, strlen(reply));
	free(reply);
}

static void *ctl_thread(void *arg)
{
	struct emu_ctl *c = arg;
	struct pollfd p[2] = {
		{ .fd = c->lfd, .events = POLLIN },
		{ .fd = c->stop_pipe[0], .events = POLLIN },
	};
	int fd;

	for (;;) {
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			emu_log("ctl: poll: %s", strerror(errno));
			break;
		}
		if (p[1].revents)
			break;
		fd = accept4(c->lfd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EMFILE || errno == ENFILE)
				usleep(100 * 1000);
			continue;
		}
		ctl_handle(c, fd);
		close(fd);
	}
	return NULL;
}

static int ctl_addr(const char *path, struct sockaddr_un *sa, struct da_err *err)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (!*path || strlen(path) >= sizeof(sa->sun_path))
		return da_errf(err, -ENAMETOOLONG, "%s: socket path empty or longer than %zu",
			       path, sizeof(sa->sun_path) - 1);
	memcpy(sa->sun_path, path, strlen(path));
	return 0;
}

int emu_ctl_start(struct emu_server *s, const char *path, struct emu_ctl **out,
		  struct da_err *err)
{
	struct sockaddr_un sa;
	struct emu_ctl *c;
	struct stat st;
	int fd, ret;

	ret = ctl_addr(path, &sa, err);
	if (ret)
		return ret;
	c = calloc(1, sizeof(*c));
	if (!c)
		return da_errf(err, -ENOMEM, "out of memory");
	c->srv = s;
	c->lfd = -1;
	c->stop_pipe[0] = c->stop_pipe[1] = -1;
	snprintf(c->path, sizeof(c->path), "%s", path);

	/* A leftover socket of a dead instance is removed; a live one is not ours to take. */
	if (!lstat(path, &st)) {
		if (!S_ISSOCK(st.st_mode)) {
			ret = da_errf(err, -EEXIST, "%s exists and is not a socket", path);
			goto fail;
		}
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd >= 0 && !connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
			close(fd);
			ret = da_errf(err, -EADDRINUSE, "%s: another devauth-emu is listening",
				      path);
			goto fail;
		}
		if (fd >= 0)
			close(fd);
		unlink(path);
	}
	c->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->lfd < 0) {
		ret = da_errf(err, -errno, "socket: %s", strerror(errno));
		goto fail;
	}
	if (bind(c->lfd, (struct sockaddr *)&sa, sizeof(sa))) {
		ret = da_errf(err, -errno, "bind %s: %s", path, strerror(errno));
		goto fail;
	}
	/* Control resets and breaks devices: owner only. */
	chmod(path, 0600);
	if (listen(c->lfd, 8)) {
		ret = da_errf(err, -errno, "listen %s: %s", path, strerror(errno));
		goto fail_unlink;
	}
	if (pipe2(c->stop_pipe, O_CLOEXEC)) {
		ret = da_errf(err, -errno, "pipe: %s", strerror(errno));
		goto fail_unlink;
	}
	ret = pthread_create(&c->thread, NULL, ctl_thread, c);
	if (ret) {
		ret = da_errf(err, -ret, "thread: %s", strerror(ret));
		goto fail_unlink;
	}
	*out = c;
	return 0;
fail_unlink:
	unlink(path);
fail:
	if (c->lfd >= 0)
		close(c->lfd);
	if (c->stop_pipe[0] >= 0) {
		close(c->stop_pipe[0]);
		close(c->stop_pipe[1]);
	}
	free(c);
	return ret;
}

void emu_ctl_stop(struct emu_ctl *c)
{
	if (!c)
		return;
	if (write(c->stop_pipe[1], "x", 1) < 0)
		emu_log("ctl: stop: %s", strerror(errno));
	pthread_join(c->thread, NULL);
	close(c->lfd);
	close(c->stop_pipe[0]);
	close(c->stop_pipe[1]);
	unlink(c->path);
	free(c);
}

/* ---- `devauth-emu ctl` ---- */

static void ctl_usage(FILE *f)
{
	fprintf(f,
		"Usage: %s ctl [--ctl PATH] COMMAND\n"
		"Commands: list | reset DEV | swap DEV | update DEV | fault DEV NAME[,NAME]|none\n"
		"DEV is a device name (0000:01:00.0) or its index.  Default PATH:\n"
		"$XDG_RUNTIME_DIR/devauth-emu.sock or /run/devauth-emu.sock.\n",
		EMU_PROG);
}

/* Print the reply line by line; the last line decides the exit status. */
static int print_reply(const uint8_t *buf, size_t len)
{
	struct cur c = cur_init(buf, len);
	char line[4096];
	struct wcur w;
	uint8_t ch;
	bool last_ok = false, any = false;
	int ret;

	while (!cur_at_end(&c)) {
		w = wcur_init(line, sizeof(line) - 1);
		while (!(ret = cur_u8(&c, &ch)) && ch != '\n')
			wcur_u8(&w, ch);
		/* Overlong lines are cut, not trusted. */
		line[w.err ? w.cap : w.len] = '\0';
		any = true;
		last_ok = !strcmp(line, "ok");
		if (!strncmp(line, "error:", 6))
			fprintf(stderr, "%s: %s\n", EMU_PROG, line);
		else
			printf("%s\n", line);
	}
	if (!any)
		fprintf(stderr, "%s: ctl: empty reply\n", EMU_PROG);
	return last_ok ? 0 : 1;
}

int ctl_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "ctl", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	char path[4096], line[EMU_CTL_LINE_MAX];
	struct sockaddr_un sa;
	struct da_err err = { 0 };
	uint8_t *reply = NULL;
	size_t used = 0, got;
	int opt, fd = -1, i, ret = 1, r;

	emu_ctl_default_path(path, sizeof(path));
	optind = 1;
	/* "+": stop at the first non-option, so "fault 0 -x" is not an option. */
	while ((opt = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			snprintf(path, sizeof(path), "%s", optarg);
			break;
		case 'h':
			ctl_usage(stdout);
			return 0;
		default:
			ctl_usage(stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		ctl_usage(stderr);
		return 2;
	}
	line[0] = '\0';
	for (i = optind; i < argc; i++) {
		if (strchr(argv[i], '\n') ||
		    strlen(line) + strlen(argv[i]) + 3 >= sizeof(line)) {
			fprintf(stderr, "%s: ctl: bad or too long command\n", EMU_PROG);
			return 2;
		}
		if (line[0])
			strcat(line, " ");
		strcat(line, argv[i]);
	}
	strcat(line, "\n");

	if (ctl_addr(path, &sa, &err)) {
		fprintf(stderr, "%s: ctl: %s\n", EMU_PROG, err.msg);
		return 1;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		fprintf(stderr, "%s: ctl: %s: %s\n", EMU_PROG, path, strerror(errno));
		goto out;
	}
	write_all(fd, line, strlen(line));
	reply = malloc(CTL_REPLY_MAX);
	if (!reply)
		goto out;
	r = read_some(fd, reply, CTL_REPLY_MAX, false, CTL_REPLY_TIMEOUT_MS, &got);
	if (r) {
		fprintf(stderr, "%s: ctl: %s: %s\n", EMU_PROG, path, strerror(-r));
		goto out;
	}
	used = got;
	ret = print_reply(reply, used);
out:
	free(reply);
	if (fd >= 0)
		close(fd);
	return ret;
}
