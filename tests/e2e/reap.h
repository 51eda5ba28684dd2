/* SPDX-License-Identifier: MIT */
/*
 * No test leaves a process behind.  Every process a test harness
 * starts is registered here; when the test process ends, however it
 * ends (main returning after cmocka longjmp'ed out of a failed case,
 * exit(), abort(), ASan's abort, meson's SIGTERM at its timeout), every
 * registered process and every other direct child still running gets
 * SIGTERM (its process group when it leads one), then SIGKILL.
 */
#ifndef DEVAUTH_TEST_REAP_H
#define DEVAUTH_TEST_REAP_H

#include <stdbool.h>
#include <sys/types.h>

/* Register pid (group: it leads its own process group; kill that). */
void reap_track(pid_t pid, bool group);
/* pid was reaped by its starter: forget it. */
void reap_untrack(pid_t pid);
/* The teardown itself: stop everything registered and every direct child. */
void reap_all(void);

#endif
