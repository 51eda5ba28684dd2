/* SPDX-License-Identifier: MIT */
/*
 * Running the real devauth-emu binary from tests: start it on a random
 * base port in 20000-60000 (retrying when a port is taken), wait for its
 * --ready-file, talk the spdm-emu protocol to it, stop it with SIGTERM
 * and insist on a clean exit (which under ASan includes "no leaks").
 * Every process started here is registered with reap.h, so that a test
 * that fails half-way leaves none of them running.
 */
#ifndef DEVAUTH_EMU_HARNESS_H
#define DEVAUTH_EMU_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "cursor.h"
#include "transport/emu_proto.h"
#include "transport/framing.h"

struct emu_proc {
	pid_t pid;
	int base_port;
	char dir[256];			/* private temp dir */
	char ready[320], ctl[320], log[320];
};

/* Path of the devauth-emu binary (argv[1] of the test). */
extern const char *emu_bin;

/* A fresh temp directory for this test; removed by emu_rmdir(). */
void emu_mkdtemp(char *buf, size_t len);
void emu_rmdir(const char *dir);

/*
 * Start `devauth-emu serve --listen 127.0.0.1:PORT --ready-file R
 * --ctl C <extra...>` (extra is NULL-terminated).  Returns 0 when ready.
 * The wait has one hang guard for every caller (EMU_READY_GUARD_S): the
 * meson timeout of the test is the real limit.
 */
#define EMU_READY_GUARD_S 600
int emu_start(struct emu_proc *p, const char *const *extra);
/* SIGTERM, wait; returns the exit status (0 = clean), -1 on timeout/crash. */
int emu_stop(struct emu_proc *p);
bool emu_alive(struct emu_proc *p);
/* Does the server's stderr log contain s? */
bool emu_log_contains(struct emu_proc *p, const char *s);

/*
 * Run devauth-emu with args (NULL-terminated), capture stdout+stderr
 * into out (NUL-terminated); returns the exit status or -1.
 */
int emu_run(const char *const *args, char *out, size_t len, unsigned int timeout_s);

/* TCP connect to 127.0.0.1:port with TCP_NODELAY; -1 on failure. */
int emu_connect(int port);
/* Send one frame, receive one frame (5 s timeout). */
int emu_xchg(int fd, uint32_t cmd, uint32_t tt, const void *payload, size_t len,
	     uint32_t *rcmd, uint32_t *rtt, struct da_buf *rsp);
/* TEST hello: 0 if answered with TEST "Server Hello!\0". */
int emu_hello(int fd, enum da_framing f);
/* DOE discovery of indices 0, 1, 2: 0 if the answers are right. */
int emu_discovery(int fd);
/* GET_VERSION (1.0) -> VERSION: 0 if the answer is a VERSION with >= 1 entry. */
int emu_get_version(int fd, enum da_framing f);
/* SHUTDOWN echoed and the server closes: 0. */
int emu_shutdown(int fd, enum da_framing f);

/*
 * Meson runs each case as its own process: run exactly the case called
 * name (no pattern: a renamed function must not run zero cases and
 * pass), or every case when name is NULL.  Returns the exit status.
 */
struct CMUnitTest;
int emu_run_cases(const char *group, const struct CMUnitTest *tests, size_t n,
		  const char *name);

#endif
