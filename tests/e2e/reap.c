// SPDX-License-Identifier: MIT
/*
 * The teardown of reap.h.  It runs from atexit and from signal handlers,
 * so it uses only async-signal-safe calls: kill, waitpid, nanosleep and
 * raw getdents64 / open / read over /proc (no stdio, no malloc).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "reap.h"

#define REAP_MAX 256
#define REAP_GRACE_MS 3000

static struct {
	pid_t pid;
	bool group;
} tracked[REAP_MAX];
static pid_t owner;			/* the test process; its children inherit this */

static int stat_of(pid_t pid, pid_t *ppid, pid_t *pgrp);

/* Still a child of ours (and not a pid reused by someone else since)? */
static bool ours(pid_t pid)
{
	pid_t ppid, pgrp;

	return !stat_of(pid, &ppid, &pgrp) && ppid == getpid();
}

static const int fatal_signals[] = { SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGABRT };

static void nap_ms(long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static void on_exit_reap(void)
{
	reap_all();
}

static void on_signal(int sig)
{
	int saved = errno;

	reap_all();
	signal(sig, SIG_DFL);
	errno = saved;
	raise(sig);
}

__attribute__((constructor)) static void reap_init(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	owner = getpid();
	atexit(on_exit_reap);
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(fatal_signals) / sizeof(fatal_signals[0]); i++) {
		struct sigaction old;

		/* Whoever set a handler of their own (a sanitizer, a test) keeps it. */
		if (!sigaction(fatal_signals[i], NULL, &old) && old.sa_handler == SIG_DFL)
			sigaction(fatal_signals[i], &sa, NULL);
	}
}

static bool track_in_free_slot(pid_t pid, bool group)
{
	for (size_t i = 0; i < REAP_MAX; i++) {
		pid_t zero = 0;

		if (__atomic_load_n(&tracked[i].pid, __ATOMIC_ACQUIRE))
			continue;
		tracked[i].group = group;
		if (__atomic_compare_exchange_n(&tracked[i].pid, &zero, pid, false,
						__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
			return true;
	}
	return false;
}

void reap_track(pid_t pid, bool group)
{
	if (pid <= 0 || track_in_free_slot(pid, group))
		return;
	/* Full: forget the ones reaped since, then try again. */
	for (size_t i = 0; i < REAP_MAX; i++)
		if (tracked[i].pid > 0 && !ours(tracked[i].pid))
			reap_untrack(tracked[i].pid);
	/* Still full of live children: the /proc scan finds this one at the end. */
	track_in_free_slot(pid, group);
}

void reap_untrack(pid_t pid)
{
	for (size_t i = 0; pid > 0 && i < REAP_MAX; i++) {
		pid_t p = pid;

		__atomic_compare_exchange_n(&tracked[i].pid, &p, 0, false, __ATOMIC_ACQ_REL,
					    __ATOMIC_ACQUIRE);
	}
}

/* "PID (comm) S PPID PGRP ...": the parent and group of pid; -1 if gone. */
static int stat_of(pid_t pid, pid_t *ppid, pid_t *pgrp)
{
	char path[64], buf[512], *p;
	ssize_t n;
	int fd, k = 0;
	long v;

	/* snprintf is not async-signal-safe: build "/proc/PID/stat" by hand. */
	memcpy(path, "/proc/", 6);
	{
		char digits[16];
		int nd = 0;

		for (v = pid; v > 0 && nd < 15; v /= 10)
			digits[nd++] = (char)('0' + v % 10);
		for (k = 0; k < nd; k++)
			path[6 + k] = digits[nd - 1 - k];
		memcpy(path + 6 + nd, "/stat", 6);
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	/* comm may hold spaces and parentheses: the fields start after the last ')'. */
	p = strrchr(buf, ')');
	if (!p || p[1] != ' ' || !p[2] || p[3] != ' ')
		return -1;
	p += 4;
	for (k = 0; k < 2; k++) {
		v = 0;
		while (*p >= '0' && *p <= '9')
			v = v * 10 + (*p++ - '0');
		if (*p++ != ' ' && k == 0)
			return -1;
		if (k == 0)
			*ppid = (pid_t)v;
		else
			*pgrp = (pid_t)v;
	}
	return 0;
}

static pid_t parse_pid(const char *s)
{
	long v = 0;

	if (!*s)
		return 0;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return 0;
		v = v * 10 + (*s - '0');
	}
	return (pid_t)v;
}

/* Signal every child of ours still there; how many were signalled. */
static int signal_children(int sig)
{
	/* getdents64 records are 8-byte aligned from the start of the buffer. */
	char buf[4096] __attribute__((aligned(8)));
	int fd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC), hits = 0;
	pid_t self = getpid(), mygrp = getpgrp();
	long n;

	if (fd < 0)
		return 0;
	while ((n = syscall(SYS_getdents64, fd, buf, sizeof(buf))) > 0) {
		for (long off = 0; off < n;) {
			struct {
				unsigned long long ino;
				long long off;
				unsigned short reclen;
				unsigned char type;
				char name[];
			} *d = (void *)(buf + off);
			pid_t pid = parse_pid(d->name), ppid, pgrp;

			off += d->reclen;
			if (pid <= 0 || pid == self || stat_of(pid, &ppid, &pgrp) || ppid != self)
				continue;
			if (pgrp == pid && pgrp != mygrp)
				kill(-pgrp, sig);
			kill(pid, sig);
			hits++;
		}
	}
	close(fd);
	return hits;
}

static bool any_left(void)
{
	bool left = false;

	for (size_t i = 0; i < REAP_MAX; i++) {
		pid_t pid = tracked[i].pid;

		if (pid <= 0)
			continue;
		if (waitpid(pid, NULL, WNOHANG) == pid || !ours(pid))
			tracked[i].pid = 0;
		else
			left = true;
	}
	/* Reap what has exited, so that only the living count below. */
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	return left || signal_children(0) > 0;
}

void reap_all(void)
{
	int saved = errno;

	if (getpid() != owner)
		return;
	for (int sig = 0; sig < 2; sig++) {
		int s = sig ? SIGKILL : SIGTERM;

		for (size_t i = 0; i < REAP_MAX; i++) {
			pid_t pid = tracked[i].pid;

			/* Never signal a number that is no longer our child's. */
			if (pid <= 0 || !ours(pid)) {
				tracked[i].pid = 0;
				continue;
			}
			if (tracked[i].group)
				kill(-pid, s);
			kill(pid, s);
		}
		signal_children(s);
		for (long waited = 0; waited < REAP_GRACE_MS && any_left(); waited += 20)
			nap_ms(20);
		if (!any_left())
			break;
	}
	errno = saved;
}
