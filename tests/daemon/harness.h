/* SPDX-License-Identifier: MIT */
/*
 * Real processes for the daemon tests: devauth-emu with N devices on a
 * random 127.0.0.1 base port, devauthd on a temp socket, and the devauth
 * CLI.  Readiness is the processes' --ready-file (polled, never a fixed
 * sleep); everything has a deadline; teardown is SIGTERM and a check
 * for a clean exit.
 */
#ifndef DAEMON_HARNESS_H
#define DAEMON_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct proc {
	pid_t pid;
	char log[512];
};

struct rig {
	char dir[256];
	char emu_ready[320], emu_ctl[320], emu_cfg[320];
	char sock[320], d_ready[320], d_cfg[320], state[320];
	int base_port;
	struct proc emu, d;
};

/* $DEVAUTH_BUILD/<rel> */
const char *bin_path(const char *rel, char *buf, size_t len);

/* A fresh world-searchable temp dir (so a uid 65534 client can reach the socket). */
void rig_init(struct rig *r);
void rig_cleanup(struct rig *r);
/*
 * devauth-emu serve --config FILE (written from json_devices, a JSON
 * array of device objects without ports: they get port-offset by index)
 * with extra args (NULL-terminated).
 */
int rig_start_emu(struct rig *r, const char *json_devices, const char *const *extra);
/* devauthd on the emu's devices (its ready file), extra args NULL-terminated. */
int rig_start_daemon(struct rig *r, const char *const *extra);
/* The same with the whole devauthd config given (JSON text). */
int rig_start_daemon_cfg(struct rig *r, const char *cfg, const char *const *extra);
int rig_stop_daemon(struct rig *r);
int rig_stop_emu(struct rig *r);

/* Spawn argv with stdout+stderr into log; pid or -1. */
pid_t proc_spawn(const char *const *argv, const char *log);
/* Wait for path to exist, at most timeout_ms; 0 or -ETIMEDOUT (-ECHILD if pid died). */
int wait_file(const char *path, pid_t pid, unsigned int timeout_ms);
/* SIGTERM and wait at most timeout_ms: exit status, -1 if killed or hung. */
int proc_stop(pid_t pid, unsigned int timeout_ms);
/* Run argv, capture stdout+stderr into out; exit status, or -1 on timeout/crash. */
int run(const char *const *argv, char *out, size_t len, unsigned int timeout_ms);
/* Run the devauth CLI against the rig's socket: devauth ARGS... */
int devauth(struct rig *r, char *out, size_t len, ...) __attribute__((sentinel));
bool file_contains(const char *path, const char *s);

#endif
