// SPDX-License-Identifier: MIT
/*
 * exec pins: a program decides whether a re-authenticated device is
 * still acceptable (docs/pin.md).  It runs with execve (no shell, no
 * PATH search), a fixed environment (PATH and DEVAUTH_DEVICE only), none
 * of the caller's descriptors (stdin the bundle, stdout and stderr one
 * pipe), in its own process group, killed with that group at its time
 * limit.  For a privileged caller (devauthd runs it as root) the
 * program must also sit in the directory the caller trusts, owned by
 * root and writable by nobody else, and its output -- which can be
 * anything the program can read -- is handed back for the log instead
 * of being put in a reason every local user can read.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <devauth/evidence.h>
#include <devauth/verifier.h>

#include "verifier_internal.h"

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct exec_out {
	char buf[DA_PIN_EXEC_OUTPUT_MAX + 1];
	size_t len;
	bool truncated;
};

/*
 * Run program with in on stdin (a socket, so that a program that never
 * reads cannot raise SIGPIPE in the caller) and the pin path as argv[1];
 * stdout and stderr are collected, bounded.  No shell, no PATH search.
 * Returns the exit status (0-255), -ETIMEDOUT when it was killed at the
 * limit, 256 + signal when a signal ended it, other -errno on failure.
 */
static int run_program(const char *program, const char *pin_path, const char *dev,
		       const uint8_t *in, size_t in_len, unsigned int timeout_ms,
		       struct exec_out *out, struct da_err *err)
{
	char env_dev[96];
	char *const argv[] = { (char *)program, (char *)pin_path, NULL };
	char *const envp[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin", env_dev, NULL };
	int in_sk[2] = { -1, -1 }, out_p[2] = { -1, -1 };
	int64_t deadline = now_ms() + timeout_ms;
	size_t sent = 0;
	bool timed_out = false;
	int status = 0, ret;
	pid_t pid;

	snprintf(env_dev, sizeof(env_dev), "DEVAUTH_DEVICE=%s", dev);
	out->len = 0;
	out->truncated = false;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, in_sk) ||
	    pipe2(out_p, O_CLOEXEC)) {
		ret = da_errf(err, -errno, "exec: %s: %s", program, strerror(errno));
		goto close_fds;
	}
	pid = fork();
	if (pid < 0) {
		ret = da_errf(err, -errno, "exec: %s: fork: %s", program, strerror(errno));
		goto close_fds;
	}
	if (!pid) {
		/* Only async-signal-safe calls between fork and execve. */
		setpgid(0, 0);
		if (dup2(in_sk[1], 0) < 0 || dup2(out_p[1], 1) < 0 || dup2(out_p[1], 2) < 0)
			_exit(127);
		/* No descriptor of the caller's reaches the program. */
		if (syscall(SYS_close_range, 3u, ~0u, 0u))
			for (int fd = 3; fd < 65536; fd++)
				close(fd);
		execve(program, argv, envp);
		_exit(127);
	}
	/* The child's own group, so that the kill reaches what it started too. */
	setpgid(pid, pid);
	close(in_sk[1]);
	close(out_p[1]);
	in_sk[1] = out_p[1] = -1;
	fcntl(in_sk[0], F_SETFL, O_NONBLOCK);
	if (!in_len)
		shutdown(in_sk[0], SHUT_WR);

	for (;;) {
		struct pollfd pfd[2] = {
			{ .fd = out_p[0], .events = POLLIN },
			{ .fd = sent < in_len ? in_sk[0] : -1, .events = POLLOUT },
		};
		int64_t left = deadline - now_ms();
		int n;

		if (out_p[0] < 0)
			break;
		if (left <= 0) {
			timed_out = true;
			break;
		}
		n = poll(pfd, 2, (int)left);
		if (n < 0 && errno != EINTR) {
			ret = da_errf(err, -errno, "exec: poll: %s", strerror(errno));
			timed_out = true;
			break;
		}
		if (n <= 0)
			continue;
		if (pfd[1].revents) {
			ssize_t w = send(in_sk[0], in + sent, in_len - sent, MSG_NOSIGNAL);

			if (w > 0)
				sent += (size_t)w;
			/* A program that stops reading decides on what it read. */
			if ((w < 0 && errno != EAGAIN && errno != EINTR) || sent == in_len) {
				sent = in_len;
				shutdown(in_sk[0], SHUT_WR);
			}
		}
		if (pfd[0].revents) {
			char tmp[1024];
			ssize_t r = read(out_p[0], tmp, sizeof(tmp));
			size_t room = DA_PIN_EXEC_OUTPUT_MAX - out->len;

			if (r < 0 && (errno == EINTR || errno == EAGAIN))
				continue;
			if (r <= 0) {
				close(out_p[0]);
				out_p[0] = -1;
				continue;
			}
			/* Keep the first bytes, drain the rest so the program never blocks. */
			if ((size_t)r > room)
				out->truncated = true;
			memcpy(out->buf + out->len, tmp, (size_t)r > room ? room : (size_t)r);
			out->len += (size_t)r > room ? room : (size_t)r;
		}
	}
	/* Output closed: the program is exiting (or closed it and runs on). */
	while (!timed_out) {
		pid_t w = waitpid(pid, &status, WNOHANG);

		if (w == pid)
			break;
		if (w < 0 && errno != EINTR) {
			timed_out = true;
			break;
		}
		if (now_ms() >= deadline) {
			timed_out = true;
			break;
		}
		poll(NULL, 0, 5);
	}
	if (timed_out) {
		kill(-pid, SIGKILL);
		kill(pid, SIGKILL);
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		ret = -ETIMEDOUT;
	} else if (WIFEXITED(status)) {
		ret = WEXITSTATUS(status);
	} else {
		ret = 256 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
	}
	out->buf[out->len] = '\0';
close_fds:
	for (int i = 0; i < 2; i++) {
		if (in_sk[i] >= 0)
			close(in_sk[i]);
		if (out_p[i] >= 0)
			close(out_p[i]);
	}
	return ret;
}

/* Program output into one printable line for an event's reason. */
static void one_line(const struct exec_out *o, char *dst, size_t cap)
{
	size_t n = 0;
	bool space = false;

	for (size_t i = 0; i < o->len && n + 1 < cap; i++) {
		unsigned char ch = (unsigned char)o->buf[i];

		if (isspace(ch)) {
			space = n > 0;
			continue;
		}
		if (space && n + 2 < cap)
			dst[n++] = ' ';
		space = false;
		dst[n++] = isprint(ch) ? (char)ch : '?';
	}
	dst[n] = '\0';
}

int pin_check_exec(const struct da_pin *pin, const struct da_evidence *ev,
		   const struct da_pin_check_opts *o, struct da_pin_result *res,
		   struct da_err *err)
{
	struct da_checklist *l = &res->checks;
	const char *pin_path = o->pin_path ? o->pin_path : pin->path;
	unsigned int ms = o->exec_timeout_ms ? o->exec_timeout_ms : pin->exec_timeout_ms;
	struct da_buf bundle = { 0 };
	struct exec_out *out;
	char line[300];
	int ret;

	if (!pin_path)
		return da_errf(err, -EINVAL, "exec: no pin file to pass to %s", pin->exec_program);
	if (!ms)
		ms = DA_PIN_EXEC_DEFAULT_MS;
	/* Checked again right before it runs: the file may have changed since the PIN. */
	if (o->exec_dir) {
		struct da_err aerr = { 0 };

		if (da_pin_exec_allowed(pin->exec_program, o->exec_dir, &aerr)) {
			da_check_add(l, "exec", DA_CHECK_FAIL, "exec: %s", aerr.msg);
			return 0;
		}
	}
	out = malloc(sizeof(*out));
	if (!out)
		return da_errf(err, -ENOMEM, "exec: out of memory");
	ret = da_evidence_encode(ev, &bundle, err);
	if (ret)
		goto out;
	ret = run_program(pin->exec_program, pin_path, ev->dev_name, bundle.data, bundle.len, ms,
			  out, err);
	if (ret < 0 && ret != -ETIMEDOUT)
		goto out;
	one_line(out, line, sizeof(line));
	snprintf(res->exec_output, sizeof(res->exec_output), "%s", line);
	/* What the program printed may be anything it can read: never in a reason. */
	if (o->exec_output_private)
		line[0] = '\0';
	if (ret == -ETIMEDOUT)
		da_check_add(l, "exec", DA_CHECK_FAIL, "exec: timed out after %u ms%s%s", ms,
			     line[0] ? ": " : "", line);
	else if (ret == 0)
		da_check_add(l, "exec", DA_CHECK_PASS, "%s accepted%s%s", pin->exec_program,
			     line[0] ? ": " : "", line);
	else if (ret == 127 && !line[0])
		da_check_add(l, "exec", DA_CHECK_FAIL, "exec: %s could not be run (exit 127)",
			     pin->exec_program);
	else if (ret > 255)
		da_check_add(l, "exec", DA_CHECK_FAIL, "exec: %s killed by signal %d%s%s",
			     pin->exec_program, ret - 256, line[0] ? ": " : "", line);
	else
		da_check_add(l, "exec", DA_CHECK_FAIL, "exec: %s rejected (exit %d)%s%s",
			     pin->exec_program, ret, line[0] ? ": " : "", line);
	ret = 0;
out:
	da_buf_free(&bundle);
	free(out);
	return ret;
}


/* Owned by root or by us, and nobody else may write to it. */
static int trusted_owner(const char *what, const char *path, const struct stat *st,
			 struct da_err *err)
{
	if (st->st_uid != 0 && st->st_uid != geteuid())
		return da_errf(err, -EPERM, "%s %s is owned by uid %u, not root", what, path,
			       (unsigned int)st->st_uid);
	if (st->st_mode & (S_IWGRP | S_IWOTH))
		return da_errf(err, -EPERM, "%s %s is writable by %s", what, path,
			       st->st_mode & S_IWOTH ? "everyone" : "its group");
	return 0;
}

int da_pin_exec_allowed(const char *program, const char *dir, struct da_err *err)
{
	char rdir[PATH_MAX], rprog[PATH_MAX];
	struct stat st;
	size_t n;
	int ret;

	if (!dir || !*dir)
		return da_errf(err, -EPERM,
			       "exec pins are disabled: the configuration names no exec directory");
	if (!program || program[0] != '/')
		return da_errf(err, -EPERM, "exec program must be an absolute path");
	if (!realpath(dir, rdir))
		return da_errf(err, -errno, "exec directory %s: %s", dir, strerror(errno));
	if (!realpath(program, rprog))
		return da_errf(err, -errno, "exec program %s: %s", program, strerror(errno));
	n = strlen(rdir);
	if (strncmp(rprog, rdir, n) || rprog[n] != '/' || strchr(rprog + n + 1, '/'))
		return da_errf(err, -EPERM, "exec program %s is not in the exec directory %s",
			       program, dir);
	if (stat(rdir, &st))
		return da_errf(err, -errno, "exec directory %s: %s", dir, strerror(errno));
	ret = trusted_owner("exec directory", dir, &st, err);
	if (ret)
		return ret;
	if (stat(rprog, &st))
		return da_errf(err, -errno, "exec program %s: %s", program, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return da_errf(err, -EPERM, "exec program %s is not a regular file", program);
	if (!(st.st_mode & S_IXUSR))
		return da_errf(err, -EPERM, "exec program %s is not executable", program);
	return trusted_owner("exec program", program, &st, err);
}
