/* SPDX-License-Identifier: MIT */
/*
 * The ipc seam's recovery half (issue 6), implemented in ipc.c: pins,
 * revalidation, reset and the events group.  Kept apart from ipc.h only
 * because that header belongs to the daemon work; it can move there.
 */
#ifndef DEVAUTH_IPC_RECOVERY_H
#define DEVAUTH_IPC_RECOVERY_H

#include <stddef.h>
#include <stdint.h>

#include <devauth/error.h>

struct ipc;

struct ipc_event {
	uint32_t event;			/* enum pci_tsm_event */
	uint32_t state;			/* state the device was left in */
	uint64_t generation;
	char dev[64];
	char reason[DA_ERR_MSG_MAX];	/* "" if none */
	char check[40];			/* revalidation-failed: the check, "" otherwise */
};

typedef void (*ipc_event_fn)(const struct ipc_event *e, void *ctx);

/* Install (json) or remove (json NULL) the device's pin in the TSM. */
int ipc_pin(struct ipc *ipc, const char *dev, const char *json, size_t len, struct da_err *err);
/* Re-challenge a pinned device now; -EKEYREJECTED with the failed check when it fails. */
int ipc_revalidate(struct ipc *ipc, const char *dev, struct da_err *err);
/* An OS-initiated reset: session-lost, then recovery (revalidation when pinned). */
int ipc_reset(struct ipc *ipc, const char *dev, struct da_err *err);
/*
 * Join the events group; fn gets every event from then on (also those
 * that arrive while another request of this connection waits).
 */
int ipc_subscribe(struct ipc *ipc, ipc_event_fn fn, void *ctx, struct da_err *err);
/* Deliver events until timeout_ms pass without one (< 0: until the TSM closes): 0. */
int ipc_events(struct ipc *ipc, int timeout_ms, struct da_err *err);

#endif
