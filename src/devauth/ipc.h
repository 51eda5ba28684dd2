/* SPDX-License-Identifier: MIT */
/*
 * The one seam between the CLI and the TSM core.  Subcommands call
 * these; only ipc.c knows whether the TSM is devauthd on its local
 * socket or (later) the kernel's pci-tsm generic netlink family.
 */
#ifndef DEVAUTH_IPC_H
#define DEVAUTH_IPC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <devauth/error.h>
#include <devauth/buf.h>
#include <devauth/spdm.h>

#define IPC_DEFAULT_SOCKET "/run/devauth/devauthd.sock"

struct ipc_tsm {
	char name[32];
	char type[32];
};

struct ipc_dev {
	char name[64];
	char tsm[32];			/* "" when not connected */
	char endpoint[128];
	char status[DA_ERR_MSG_MAX];
	char identity[160];
	char pin_mode[16];		/* revalidation pin installed, "" if none */
	bool tdisp;			/* the TDISP interface is locked or running */
	uint32_t tdisp_state;		/* TDISP TDI state (CONFIG_LOCKED 1, RUN 2) */
	uint32_t state;			/* enum pci_tsm_state */
	struct spdm_negotiated neg;
	uint32_t types;			/* evidence objects present, bit n = type n */
	uint64_t generation;
};

struct ipc_list {
	struct ipc_tsm *tsms;
	size_t n_tsms;
	struct ipc_dev *devs;
	size_t n_devs;
};

struct ipc_evidence {
	uint64_t generation;
	bool digest;			/* objects are the TSM's digests */
	uint32_t base_hash;		/* of the digests: the connection's BaseHash */
	uint32_t present;		/* bit n: obj[n] was returned */
	struct da_buf obj[DA_EV_MAX + 1];
};

struct ipc;

/*
 * Open the TSM.  target NULL: $DEVAUTH_SOCKET, else the default socket.
 * "genetlink" selects the kernel backend (not available yet: -EOPNOTSUPP).
 */
int ipc_open(const char *target, struct ipc **out, struct da_err *err);
void ipc_close(struct ipc *ipc);

/* dev NULL: every TSM and device. */
int ipc_list(struct ipc *ipc, const char *dev, struct ipc_list *out, struct da_err *err);
void ipc_list_free(struct ipc_list *l);
/* tsm NULL: the first TSM; slot < 0: slot 0. */
int ipc_connect(struct ipc *ipc, const char *dev, const char *tsm, int slot, struct da_err *err);
int ipc_disconnect(struct ipc *ipc, const char *dev, struct da_err *err);
/* With have_gen, the TSM refuses when the evidence is no longer generation gen. */
int ipc_bind(struct ipc *ipc, const char *dev, bool have_gen, uint64_t gen, struct da_err *err);
int ipc_unbind(struct ipc *ipc, const char *dev, struct da_err *err);
/* ACCEPT; with have_gen, refused when the evidence is no longer generation gen. */
int ipc_accept(struct ipc *ipc, const char *dev, bool have_gen, uint64_t gen, struct da_err *err);
/* A command with only the device (UNLOCK). */
int ipc_simple(struct ipc *ipc, uint8_t cmd, const char *dev, struct da_err *err);
/* LOCK; nonce (32 bytes) or NULL for one of the TSM's. */
int ipc_lock(struct ipc *ipc, const char *dev, const uint8_t *nonce, struct da_err *err);
/*
 * devcmd.c: a whole "DEV [--socket PATH]" subcommand around one ipc
 * operation; prints "DEV: done" or the error, returns the exit status.
 */
int devcmd_main(int argc, char **argv, const char *name, const char *help,
		int (*op)(struct ipc *ipc, const char *dev, struct da_err *err), const char *done);
/*
 * The same with "[--generation N]" (bind, accept): op gets whether N was
 * given and N, and the TSM refuses unless the evidence is still that one.
 */
int devcmd_gen_main(int argc, char **argv, const char *name, const char *help,
		    const char *gen_help,
		    int (*op)(struct ipc *ipc, const char *dev, bool have_gen, uint64_t gen,
			      struct da_err *err),
		    const char *done);
/* The same with "[--nonce HEX]" (lock): op gets the 32 bytes, or NULL for one of the TSM's. */
int devcmd_nonce_main(int argc, char **argv, const char *name, const char *help,
		      const char *nonce_help,
		      int (*op)(struct ipc *ipc, const char *dev, const uint8_t *nonce,
				struct da_err *err),
		      const char *done);
/*
 * The end of every such subcommand (also connect): print the
 * outcome of ret (text, or JSON {command, device, result, detail}),
 * return the exit status; asking for the state the device is in is done.
 */
int devcmd_finish(struct ipc *ipc, const char *cmd, const char *dev, int ret,
		  const struct da_err *err, const char *done);
/*
 * Dump evidence objects (mask: bit n = type n).  nonce (32 bytes) makes
 * the TSM re-challenge the device with it first.  -EAGAIN when the
 * evidence changed during the dump.
 */
int ipc_evidence_read(struct ipc *ipc, const char *dev, uint32_t mask, bool digest,
		      const uint8_t *nonce, size_t nonce_len, struct ipc_evidence *out,
		      struct da_err *err);
void ipc_evidence_free(struct ipc_evidence *ev);

/* "cert0,vca,measurements" or "all" -> mask */
int ipc_parse_types(const char *s, uint32_t *mask);

/*
 * EVIDENCE_READ then LIST for the device's algorithms, retried (a few
 * times) while a refresh by someone else changes the generation.
 */
int ipc_evidence_fetch(struct ipc *ipc, const char *dev, uint32_t mask, bool digest,
		       const uint8_t *nonce, struct ipc_evidence *ev, struct ipc_dev *info,
		       struct da_err *err);
/*
 * An evidence bundle from a dump: the objects, the device's negotiated
 * algorithms as LIST reported them, and the nonce the caller supplied.
 */
struct da_evidence;
int ipc_evidence_bundle(const struct ipc_evidence *in, const struct ipc_dev *info,
			const uint8_t *nonce, struct da_evidence *out, struct da_err *err);

/* Recovery: pins, revalidation, reset and the events group. */
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
