/* SPDX-License-Identifier: MIT */
/*
 * devauthd: the TSM core as a daemon.  It owns the devices and their
 * SPDM state, runs connect, keeps evidence with a generation counter and
 * serves the pci-tsm family (lib/tsm/pci_tsm.h) on a local socket.
 *
 * Per device: a state machine (enum pci_tsm_state), an operation lock
 * that serialises SPDM work on that device (held across the exchange,
 * taken with a timeout so a hung device only costs its own callers), and
 * a state lock for the short reads of fields by dumps and LIST.
 */
#ifndef DEVAUTHD_H
#define DEVAUTHD_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <devauth/error.h>
#include <devauth/spdm.h>
#include <devauth/transport.h>
#include <devauth/verifier.h>

#include <json-c/json.h>

#include <devauth/identity.h>
#include <devauth/pci_tsm.h>

#define DAEMON_MAX_DEVICES	4096
#define DAEMON_MAX_TSMS		8

struct tsm {
	char name[PCI_TSM_TSM_NAME_MAX];
	char type[32];			/* "native-spdm" */
};

struct dev {
	char name[PCI_TSM_DEV_NAME_MAX];
	char endpoint[128];		/* "127.0.0.1:2400" (spdm-emu socket) */
	enum da_framing framing;
	bool have_id;
	struct cma_identity id;		/* expected PCIe identity, checked by the TSM */
	uint8_t min_version, max_version;

	pthread_mutex_t op_lock;	/* serialises SPDM operations */
	pthread_mutex_t lock;		/* protects everything below */
	uint32_t state;			/* enum pci_tsm_state */
	char tsm[PCI_TSM_TSM_NAME_MAX];
	char status[DA_ERR_MSG_MAX];	/* why the last operation failed, "" */
	uint64_t generation;		/* bumps on every evidence change */
	bool have_evidence;
	struct da_buf obj[DA_EV_MAX + 1];
	struct spdm_negotiated neg;	/* .slot: the slot CONNECT asked for */
	char identity[160];		/* SAN identity string of the leaf, "" */
	/* Persisted (state.json): the binding and the digests it was accepted with. */
	bool bound;
	uint32_t bound_hash;
	uint8_t bound_digest[DA_EV_MAX + 1][SPDM_MAX_HASH_SIZE];
	bool bound_have[DA_EV_MAX + 1];
	/* Persisted (pins/NAME.json): what a recovered device must show again. */
	struct da_pin *pin;
	/*
	 * Which BIND the pin describes: a pin installed before the current
	 * binding says nothing about what userspace accepted at that BIND.
	 */
	uint64_t bind_epoch, pin_epoch;
	/*
	 * The device's one link (link.c), kept open for the daemon's life and
	 * used by every operation; only the op_lock holder touches it.
	 * lost_queued: a loss handler for it is already on its way.
	 */
	struct da_transport *link;
	bool link_busy;			/* an operation uses it (dv->lock) */
	uint64_t deadline_ms;		/* the running operation's end (op_lock), 0 */
	atomic_bool lost_queued;
	/* TDISP (tdisp.c): the held session and interface from LOCK to UNLOCK (op_lock). */
	struct dev_tdisp *td;
	uint8_t tdisp_state;		/* TDISP_STATE_*, CONFIG_UNLOCKED without td */
	uint64_t ka_due_ms;		/* the held session's next keep-alive (lock), 0: none */
};

struct daemon {
	const char *config_path;
	const char *socket_path;
	const char *state_dir;
	const char *ready_file;
	mode_t socket_mode;
	unsigned int op_timeout_ms;	/* whole device operation */
	unsigned int dump_delay_ms;	/* testing: pause between dumped objects */
	gid_t group;			/* "devauth" group, (gid_t)-1 if none */
	char *exec_dir;			/* config "exec-dir": where exec pins' programs live */
	struct tsm tsms[DAEMON_MAX_TSMS];
	size_t n_tsms;
	struct dev *devs;
	size_t n_devs;
	pthread_mutex_t state_lock;	/* serialises state.json writes */
};

/* config.c */
int daemon_config_load(struct daemon *d, const char *path, struct da_err *err);
void daemon_free(struct daemon *d);
struct dev *daemon_find_dev(struct daemon *d, const char *name);
const struct tsm *daemon_find_tsm(struct daemon *d, const char *name);

/* device.c: each returns 0 or -errno with err naming the device and reason. */
int dev_connect(struct daemon *d, struct dev *dv, const char *tsm, uint8_t slot,
		const uint8_t *nonce, struct da_err *err);
int dev_refresh(struct daemon *d, struct dev *dv, const uint8_t *nonce, struct da_err *err);
int dev_disconnect(struct daemon *d, struct dev *dv, struct da_err *err);
int dev_bind(struct daemon *d, struct dev *dv, bool have_gen, uint64_t gen, struct da_err *err);
int dev_unbind(struct daemon *d, struct dev *dv, struct da_err *err);
/*
 * Recovery after a lost session (docs/pin.md).  reset: an OS-initiated reset, the session is lost
 * (session-lost) and the device recovered; otherwise an on-demand
 * revalidation, which needs a pin.  A pinned device is re-authenticated
 * with a fresh CSPRNG nonce and checked against its pin: revalidated, or
 * revalidation-failed + unbound + unconnected.  Returns 0 when recovery
 * ran (the events tell the outcome), -errno when it could not start.
 */
int dev_recover(struct daemon *d, struct dev *dv, bool reset, struct da_pin_result *res,
		struct da_err *err);
/* dev-core.c: wait for the device's operation lock at most op_timeout_ms: -EBUSY. */
int dev_op_lock(struct daemon *d, struct dev *dv, struct da_err *err);
void dev_op_unlock(struct dev *dv);
/*
 * dev-core.c: the nonce of an authentication: the caller's (*nonce), or
 * else a fresh one of the CSPRNG in own, which *nonce then points at.
 */
int dev_nonce(struct dev *dv, const uint8_t **nonce, uint8_t own[SPDM_NONCE_SIZE],
	      struct da_err *err);
/* dev-core.c: tell the events group what just happened, with the state it left behind. */
void dev_notify(struct dev *dv, uint32_t event, const char *reason, const char *check);
/*
 * dev-core.c, op lock held, after the daemon took trust away (revoked,
 * or the TDISP interface fell out) and dv->bound is already false:
 * was_bound, the unbinding is persisted (never undone: a failed save is
 * logged); then event (0: none) naming why, then UNBOUND if it was bound.
 */
void dev_trust_ended(struct daemon *d, struct dev *dv, bool was_bound, uint32_t event,
		     const char *reason, const char *check);

/*
 * link.c: the held links and the one thread that watches the idle ones.
 * link_get/link_put bracket every use, with the operation lock held:
 * link_get opens the link if there is none (or it died) and stops
 * watching it; link_put watches it again (ok: the operation went well,
 * so a dead link is a loss to report) or drops it quietly (the failed
 * operation already told).  A link that ends while idle -- EOF, reset,
 * unsolicited bytes -- is a lost session: session-lost at once, then
 * reconnect with bounded back-off and recovery by the device's mode.
 */
/*
 * What the watcher calls, with the device's op lock held, when an idle
 * link really is gone: the layer above (the device state machine) says
 * what the loss means.  The link layer never calls up into it.
 */
typedef void (*link_lost_fn)(struct daemon *d, struct dev *dv, const char *why);
int link_start(struct daemon *d, link_lost_fn on_lost, struct da_err *err);
/* At daemon stop: CONTINUE on every link, so a device outlives us. */
void link_stop(struct daemon *d);
/* At daemon stop, before waiting for clients: end every exchange in flight now. */
void link_cancel_busy(struct daemon *d);
/* CLOCK_MONOTONIC milliseconds, for operation deadlines. */
uint64_t mono_ms(void);
int link_get(struct daemon *d, struct dev *dv, struct da_transport **t, struct da_err *err);
void link_put(struct daemon *d, struct dev *dv, bool ok);
/* Ends the link without a word to the device (it is gone or misbehaved). */
void link_drop(struct dev *dv);
/* device.c, the link_lost_fn: what the loss of a connected device's session means. */
void dev_session_lost_locked(struct daemon *d, struct dev *dv, const char *why);
/* Sleep up to ms unless the daemon stops: false when it stops. */
bool link_nap(unsigned int ms);

/*
 * reauth.c: a re-authentication of a device userspace bound (CONNECT
 * again, a NONCE refresh, recovery, the restore at start) must show what
 * was accepted: the pin when there is one, else the digests persisted at
 * BIND (the slot's certificate chain, so its leaf key).  ev is the new
 * evidence; 0 when it matches, -EKEYREJECTED with res naming the check.
 */
int dev_reauth_check(struct daemon *d, struct dev *dv, const struct da_evidence *ev,
		     const uint8_t *nonce, struct da_pin_result *res, struct da_err *err);
/*
 * da_pin_check as the TSM runs it: exec programs only from the exec
 * directory, their output to the log, never into a reason.
 */
int dev_pin_check(struct daemon *d, struct dev *dv, const struct da_evidence *ev,
		  const uint8_t *nonce, struct da_pin_result *res, struct da_err *err);
/* device.c, at start: every device state.json says is bound is checked before serving. */
void dev_restore_bound(struct daemon *d);

/* guard.c: slots per uid, log rate per uid, the socket and the state directory. */
#define CONN_MAX		1024
#define CONN_PER_UID		64
#define CONN_ROOT_RESERVE	64
#define CONN_GROUP_RESERVE	64
/* member: of the socket's group (its reserve is theirs too). */
int slot_take(uid_t uid, bool member, struct da_err *err);
void slot_give(uid_t uid);
/* May a client of uid cause one more log line?  suppressed: lines left out before it. */
bool log_allowed(uid_t uid, unsigned int *suppressed);
/* 0 when path is free (a stale socket is removed); -EADDRINUSE when a daemon answers. */
int socket_check_free(const char *path, struct da_err *err);
int state_dir_check(const char *dir, struct da_err *err);
void state_dir_clean(const char *dir);

/* state.c: bound devices and their accepted digests, written atomically. */
int state_save(struct daemon *d, struct da_err *err);
int state_load(struct daemon *d, struct da_err *err);
/* The parsed file's checks, for state_load and the fuzzer (path names it in errors). */
int state_load_obj(struct daemon *d, const char *path, json_object *root, struct da_err *err);

/* pins.c: json NULL removes the pin. */
int dev_set_pin(struct daemon *d, struct dev *dv, const uint8_t *json, size_t len, uid_t uid,
		struct da_err *err);
int pins_load(struct daemon *d, struct da_err *err);

/*
 * tdisp.c: LOCK, ACCEPT, UNLOCK (each takes the op lock); EBUSY while a
 * driver is bound, ENOTCONN unless connected.  dev_tdisp_drop (op lock
 * held): the session and the TDISP state are gone (link lost, freed).
 */
int dev_lock(struct daemon *d, struct dev *dv, const uint8_t *nonce, struct da_err *err);
int dev_accept(struct daemon *d, struct dev *dv, bool have_gen, uint64_t gen,
	       struct da_err *err);
int dev_unlock(struct daemon *d, struct dev *dv, struct da_err *err);
void dev_tdisp_drop(struct dev *dv);
/*
 * The interface falls out (op lock held) on a session loss, a device
 * reset, a failed keep-alive or a TDISP error: session-lost naming why,
 * the driver unbound, the session, the link and the TDISP state dropped;
 * the device stays connected with the evidence of its authentication and
 * only a new LOCK + ACCEPT brings the interface back (no revalidation).
 * Nothing happens when no interface is held.
 */
void dev_tdisp_fall_out(struct daemon *d, struct dev *dv, const char *why);
/*
 * The keep-alive callback (takes the op lock): HEARTBEAT inside the held
 * session and the interface's state read back; any failure, or a state
 * other than the one held, is a fall-out.
 */
void dev_tdisp_keepalive(struct daemon *d, struct dev *dv);

/*
 * keepalive.c: the one timer thread of the held sessions, due times in
 * dv->ka_due_ms; keepalive_kick() after setting one.
 */
typedef void (*keepalive_fn)(struct daemon *d, struct dev *dv);
int keepalive_start(struct daemon *d, keepalive_fn cb, struct da_err *err);
void keepalive_stop(void);
void keepalive_kick(void);

/* server.c */
int server_run(struct daemon *d, struct da_err *err);
void server_stop(void);

/* log.c: one line to stderr, "devauthd: " first. */
void dlog(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/*
 * log.c: a device event (PCI_TSM_EVENT_*) with the state it left behind,
 * to the sink the server registered (it notifies the "events" group and
 * never blocks); dropped while none is.
 */
typedef void (*daemon_event_sink)(uint32_t event, const struct dev *dv, uint32_t state,
				  uint64_t gen, const char *reason, const char *check);
void daemon_event_sink_set(daemon_event_sink sink);
void daemon_event(uint32_t event, const struct dev *dv, uint32_t state, uint64_t gen,
		  const char *reason, const char *check);

#endif
