/* SPDX-License-Identifier: MIT */
/*
 * Running the DMTF reference binaries (spdm_responder_emu,
 * spdm_requester_emu, spdm_device_validator_sample, spdm_dump) from tests.
 *
 * The binaries read their keys and certificates from the working
 * directory, so each test process copies the peers' bin/ folder (found
 * through $DEVAUTH_PEERS) into a private temp dir once and runs them there
 * with the TCP_NODELAY shim preloaded.  A responder is "ready" when its
 * port is in LISTEN state in /proc/net/tcp: the DMTF responder serves a
 * single connection and exits when it closes, so a probing connect would
 * kill it.  A missing peers folder is a failure, never a skip.  Every
 * process started here is registered with reap.h (tests/e2e), so that a
 * test that fails an assertion half-way leaves none of them running.
 */
#ifndef DEVAUTH_PEER_HARNESS_H
#define DEVAUTH_PEER_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct peer_proc {
	pid_t pid;
	int port;
	char log[512];
};

/* The private copy of the peers' bin/ (created on first use); aborts if absent. */
const char *peer_dir(void);

/* A TCP port on 127.0.0.1 that was free a moment ago. */
int peer_free_port(void);

/*
 * Start bin/PROG --port P ARGS... (NULL-terminated) in the background on a
 * free port, output to its own log; for a responder wait until it listens.
 * Returns 0, or -errno with the log's tail on stderr.
 */
int peer_start_responder(struct peer_proc *p, const char *const *args, unsigned int timeout_s);

/* The same on a given port (a device replaced at the address of the one before). */
int peer_start_responder_on(struct peer_proc *p, int port, const char *const *args,
			    unsigned int timeout_s);

/*
 * Start our devauth-emu: serve --ctl none --listen 127.0.0.1:P ARGS... in
 * the peers' copy (so key paths like ecp384/end_responder.key resolve), on
 * a free port; wait until it listens.
 */
int peer_start_emu(struct peer_proc *p, const char *const *args, unsigned int timeout_s);

/* $DEVAUTH_BUILD/src/NAME/NAME into buf; aborts if DEVAUTH_BUILD is unset. */
const char *peer_devauth_bin(const char *name, char *buf, size_t len);

/*
 * Run PROG ARGS... (NULL-terminated) in the foreground with a time limit:
 * bin/PROG of the peers, or, when PROG has a '/', that binary of ours (no
 * shim), both in the peers' copy; stdout+stderr into out (NUL-terminated,
 * truncated to len).
 * Returns the exit status, 128+signal when killed, -1 on timeout.
 */
int peer_run(const char *prog, const char *const *args, char *out, size_t len,
	     unsigned int timeout_s);

/* SIGTERM (then SIGKILL), reap; returns the exit status or -1. */
int peer_stop(struct peer_proc *p);
bool peer_alive(struct peer_proc *p);
bool peer_log_contains(const struct peer_proc *p, const char *s);
/* Print the log to stderr (for a failing test). */
void peer_dump_log(const struct peer_proc *p);

/* Wait until something LISTENs on 127.0.0.1:port (or any address). */
int peer_wait_listen(int port, unsigned int timeout_ms);

#endif
