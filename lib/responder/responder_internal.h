/* SPDX-License-Identifier: MIT */
/*
 * Private to lib/responder: the device object, one connection's state,
 * and the per-request handlers.  Nothing outside lib/responder includes
 * this.
 */
#ifndef DEVAUTH_RESPONDER_INTERNAL_H
#define DEVAUTH_RESPONDER_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "crypto/pki.h"
#include "device.h"
#include "session/session.h"
#include "spdm/codec.h"
#include "spdm/session_codec.h"
#include "tdisp/cxl_codec.h"
#include "tdisp/tdisp_codec.h"

#define RSP_FAULT(f) (1ull << (f))

/* Algorithm preference orders (documented in device.h and docs/faults.md). */
extern const uint32_t rsp_asym_order[];
extern const uint32_t rsp_hash_order[];
extern const uint32_t rsp_meas_hash_order[];
uint32_t rsp_pick(const uint32_t *order, uint32_t mask);

/* A leaf generated for (slot, asym, pki faults); dropped by swap. */
struct rsp_leaf {
	uint8_t slot;
	uint32_t asym;
	unsigned int pki_faults;
	struct pki_ca leaf;
};

struct rsp_dev_slot {
	bool from_file;
	uint32_t file_asym;		/* the key's BaseAsym bit family, file slots */
	STACK_OF(X509) *file_certs;	/* root first, file slots */
	EVP_PKEY *file_key;
	struct pki_ca root;		/* generated slots */
	struct pki_ca inter;
	struct pki_ca inter_bad;	/* CA=FALSE, made on demand */
};

struct rsp_device {
	pthread_mutex_t lock;
	struct rsp_device_config cfg;	/* meas[] and faults change at runtime */
	uint64_t reset_gen;
	uint64_t swap_gen;
	uint64_t update_gen;		/* firmware updates (ctl update) so far */
	struct rsp_dev_slot slot[SPDM_MAX_SLOTS];
	struct rsp_leaf *leaves;
	size_t nleaves;
	/* fault "replay-challenge": the first CHALLENGE_AUTH this device sent */
	uint8_t *first_auth;
	size_t first_auth_len;
};

/* What a connection took from the device for one slot at ALGORITHMS time. */
struct rsp_slot {
	bool present;
	EVP_PKEY *key;			/* leaf private key, referenced */
	struct da_buf chain;		/* SPDM chain bytes (header, RootHash, certs) */
	uint8_t digest[SPDM_MAX_HASH_SIZE];
};

/*
 * One secure session of a connection (rsp-session.c).  The keys and
 * sequence numbers are lib/session's; this holds what the handshake
 * needs on top: the transcript so far (hashed at each step) and the
 * in-session measurement transcript.
 */
#define RSP_MAX_SESSIONS 4

struct rsp_session {
	bool used;
	bool psk;
	bool in_clear;			/* FINISH / FINISH_RSP as plain messages */
	uint8_t slot;
	struct spdm_sess_params sp;
	struct spdm_session s;
	struct da_buf th;		/* VCA, Ct, KEY_EXCHANGE ... as far as the handshake went */
	struct da_buf l1;		/* in-session GET_MEASUREMENTS/MEASUREMENTS */
	/* to do once the response is sealed (it still travels under the old keys) */
	bool derive_after;		/* FINISH_RSP / PSK_FINISH_RSP: data keys from th */
	bool end_after;			/* END_SESSION_ACK: wipe and free */
	unsigned int sealed;		/* secured responses sent */
	/* opened with CXL TSP secondary session PSK cxl_index */
	bool cxl_secondary;
	uint8_t cxl_index;
};

/*
 * CXL IDE_KM and TSP, in this connection (rsp-cxl_ide_km.c,
 * rsp-cxl_tsp.c).  A reset of the device takes all of it.
 */
#define RSP_CXL_PORTS 256
struct rsp_cxl {
	bool init;
	uint64_t gen;			/* the reset generation the state belongs to */
	uint8_t programmed[RSP_CXL_PORTS];	/* per port: bit 0 Rx key, bit 1 Tx key */
	uint8_t going[RSP_CXL_PORTS];
	uint8_t tsp_state;		/* CXL_TSP_STATE_* */
	bool configured;
	uint32_t primary;		/* the session that set the configuration */
	struct cxl_tsp_config cfg;	/* with the secondary sessions' PSKs */
};

/* One TDISP interface of the device, in this connection (rsp-tdisp.c). */
struct rsp_tdi {
	uint8_t state;			/* TDISP_STATE_* */
	uint32_t owner;			/* the session that locked it */
	uint8_t nonce[32];		/* START_INTERFACE_NONCE of the lock */
	struct tdisp_lock_params lock;
	struct da_buf report;		/* built at LOCK */
	unsigned int reads;		/* GET_DEVICE_INTERFACE_REPORT since LOCK */
};

enum rsp_state {
	RSP_IDLE = 0,		/* nothing yet, or after a reset */
	RSP_AFTER_VERSION,
	RSP_AFTER_CAPS,
	RSP_NEGOTIATED,
};

struct spdm_responder {
	struct rsp_device *dev;
	enum da_framing framing;
	uint64_t gen;			/* device reset_gen this connection lives in */
	enum rsp_state state;
	uint8_t version;		/* negotiated with GET_CAPABILITIES */
	struct spdm_caps req_caps;
	uint32_t asym, hash, meas_hash;	/* selected */
	uint8_t meas_spec;
	uint8_t other_params_sel;	/* 1.2+ ALGORITHMS OtherParamsSelection */
	uint16_t dhe, aead;		/* selected; 0 without sessions */
	struct spdm_dec_params p;
	struct rsp_slot slot[SPDM_MAX_SLOTS];
	uint8_t provisioned;

	struct da_buf a;		/* VCA */
	struct da_buf b;		/* DIGESTS/CERTIFICATE since VCA or the last CHALLENGE */
	struct da_buf l1;		/* GET_MEASUREMENTS/MEASUREMENTS since the last signature */

	uint64_t faults;		/* snapshot for the request being served */
	/* fault state */
	uint8_t busy_once_done[32];	/* bit per request code */
	uint8_t not_ready_done[32];
	bool have_pending;		/* a request deferred with ResponseNotReady */
	uint8_t pending_code;
	uint8_t pending_token;
	uint8_t next_token;
	struct da_buf pending;
	bool in_deferred;		/* answering RESPOND_IF_READY */

	/* Large messages (rsp-chunk.c) */
	struct spdm_chunk_rx rx;	/* a CHUNK_SEND request being reassembled */
	struct da_buf large;		/* a response served with CHUNK_GET */
	bool have_large;
	uint8_t large_handle;
	uint32_t large_seq;		/* next ChunkSeqNo */
	size_t large_off;		/* bytes of it already sent */
	uint8_t next_handle;

	/* Secure sessions (rsp-session.c) */
	struct rsp_session sess[RSP_MAX_SESSIONS];
	struct rsp_session *cur_sess;	/* the one a secured request arrived in */
	struct da_buf sec_plain;	/* rsp_secured(): the opened request, wiped after use */
	struct da_buf sec_rsp;		/* and the response before sealing */
	/* TDISP and IDE_KM (rsp-vendor.c, rsp-tdisp.c, rsp-ide_km.c) */
	bool tdisp_init;
	uint64_t tdisp_gen;		/* the reset generation the states belong to */
	uint64_t tdisp_update_gen;	/* the firmware the locks were taken on */
	struct rsp_tdi tdi[RSP_MAX_TDI];
	uint16_t ide_programmed[256];	/* per stream ID, a bit per key slot */
	uint16_t ide_going[256];
	struct rsp_cxl cxl;
	/* what the device answered, for its log (spdm_responder_set_log) */
	void (*log)(void *arg, const char *msg);
	void *log_arg;
	/* responder.c's dispatcher, for rsp_dispatch_one() (rsp-common.c) */
	int (*dispatch_one)(struct spdm_responder *r, const uint8_t *req, size_t req_len,
			    uint8_t *rsp, size_t rsp_cap, size_t overhead);
};

/* A response being built: w writes into the caller's buffer. */
struct rsp_ctx {
	struct spdm_responder *r;
	const uint8_t *req;
	size_t req_len;			/* true length after the decoder */
	struct spdm_hdr hdr;
	struct wcur w;
};

/* rsp-common.c.  Errors that become an SPDM ERROR response; returns the response length. */
int rsp_error(struct rsp_ctx *c, uint8_t code, uint8_t data);
int rsp_error_ext(struct rsp_ctx *c, uint8_t code, uint8_t data, const void *ext, size_t n);
/* Check the decoder's true length against the framing's padding. */
int rsp_check_len(struct rsp_ctx *c, int true_len);
/* Append request (true length) and response to a transcript. */
int rsp_append(struct da_buf *t, const struct rsp_ctx *c, const uint8_t *rsp, size_t rsp_len);
/* 1.2+: the response must fit the requester's DataTransferSize. */
bool rsp_too_large(const struct spdm_responder *r, size_t len);

int rsp_get_version(struct rsp_ctx *c);
int rsp_get_capabilities(struct rsp_ctx *c);
int rsp_negotiate_algorithms(struct rsp_ctx *c);
int rsp_get_digests(struct rsp_ctx *c);
int rsp_get_certificate(struct rsp_ctx *c);
int rsp_challenge(struct rsp_ctx *c);
int rsp_get_measurements(struct rsp_ctx *c);
int rsp_respond_if_ready(struct rsp_ctx *c);

/* rsp-chunk.c */
/* 1.2+ and both sides advertised CHUNK_CAP. */
bool rsp_chunking(const struct spdm_responder *r);
int rsp_chunk_send(struct rsp_ctx *c);
int rsp_chunk_get(struct rsp_ctx *c);
/*
 * A response of len bytes in c->w that does not fit the requester's
 * DataTransferSize: keep it for CHUNK_GET and answer ERROR
 * LargeResponse (or ResponseTooLarge when it cannot be chunked).
 */
int rsp_make_large(struct rsp_ctx *c, size_t len);
/* rsp-common.c: a large message in progress abandoned */
void rsp_chunk_reset(struct spdm_responder *r);

/* ---- sessions (rsp-session.c and one file per message pair) ---- */
/* Both sides offered KEY_EX_CAP (or PSK_CAP) and a way to protect messages. */
bool rsp_session_caps(const struct spdm_responder *r, uint32_t need);
/* A free slot with a fresh RspSessionID, or NULL (SessionLimitExceeded). */
struct rsp_session *rsp_session_new(struct spdm_responder *r, uint16_t req_id, bool psk,
				    uint16_t sm_version, struct da_err *err);
void rsp_session_free(struct rsp_session *s);
void rsp_sessions_free(struct spdm_responder *r);
/* The secured-message version from the request's OpaqueData; writes the selection. */
int rsp_session_sm_version(struct spdm_responder *r, const uint8_t *opaque, uint16_t len,
			   uint16_t *sel);
int rsp_session_sm_opaque(struct spdm_responder *r, uint16_t sel, uint8_t *buf, size_t cap);
/* Hash of the handshake transcript so far into out (H bytes). */
int rsp_session_th(struct rsp_session *s, uint8_t *out);
/*
 * FINISH / PSK_FINISH: RequesterVerifyData (got, at off in the request)
 * against the transcript so far and the request up to it, which joins
 * the transcript only when it matches.  0 when it does; else the
 * session ends (once its ERROR is sealed, or now in the clear) and the
 * return is the ERROR DecryptError (Unspecified on another failure).
 */
int rsp_session_req_verify(struct rsp_ctx *c, struct rsp_session *s, size_t off,
			   const uint8_t *got);
/* One secured transport payload in, one secured payload (or an ERROR in the clear) out. */
int rsp_secured(struct spdm_responder *r, const uint8_t *msg, size_t len, uint8_t *out,
		size_t cap, bool *secured);

/* A session-only request outside any session. */
int rsp_outside_session(struct rsp_ctx *c);
/* spdm_responder_transport() for a secured payload: the whole transport message into w. */
int rsp_transport_secured(struct spdm_responder *r, const uint8_t *payload, size_t len,
			  struct wcur *w);

int rsp_key_exchange(struct rsp_ctx *c);
int rsp_finish(struct rsp_ctx *c);
int rsp_psk_exchange(struct rsp_ctx *c);
int rsp_psk_finish(struct rsp_ctx *c);
int rsp_heartbeat(struct rsp_ctx *c);
int rsp_key_update(struct rsp_ctx *c);
int rsp_end_session(struct rsp_ctx *c);

/* ---- TDISP and IDE_KM inside a session ---- */
/* Over PCI_DOE, with TDISP in the device's config. */
bool rsp_tdisp_enabled(const struct spdm_responder *r);
int rsp_vendor_defined(struct rsp_ctx *c);
/* One message body after the protocol ID in, the answer's body into w; -EBADMSG: unparsable. */
int rsp_tdisp(struct spdm_responder *r, const uint8_t *req, size_t len, struct wcur *w);
int rsp_ide_km(struct spdm_responder *r, const uint8_t *req, size_t len, struct wcur *w);
void rsp_tdisp_free(struct spdm_responder *r);
/* The CXL vendor ID's protocols: over PCI_DOE, with TDISP and "cxl" in the device's config. */
static inline bool rsp_cxl_enabled(const struct spdm_responder *r)
{
	return r->framing == DA_FRAMING_PCI_DOE && r->dev->cfg.tdisp.enabled &&
	       r->dev->cfg.tdisp.cxl;
}
int rsp_cxl_ide_km(struct spdm_responder *r, const uint8_t *req, size_t len, struct wcur *w);
int rsp_cxl_tsp(struct spdm_responder *r, const uint8_t *req, size_t len, struct wcur *w);
/* rsp-common.c: the CXL state of this connection, as a device just out of reset has it. */
void rsp_cxl_reset(struct spdm_responder *r);
/* A secondary session's PSK for this PSKHint, or NULL (TSP SET_TARGET_CONFIGURATION). */
const uint8_t *rsp_cxl_secondary_psk(struct spdm_responder *r, const uint8_t *hint,
				     uint16_t hint_len, uint8_t *index);
/* rsp-common.c: a line for the device's log (spdm_responder_set_log) */
void rsp_logf(struct spdm_responder *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Core dispatch (responder.c). */
int rsp_dispatch(struct spdm_responder *r, const uint8_t *req, size_t req_len, uint8_t *rsp,
		 size_t rsp_cap);
/*
 * rsp-common.c: one (possibly reassembled or deferred) request, through
 * the dispatcher the responder registered; overhead: bytes the response
 * travels in besides itself (CHUNK_SEND_ACK's), for the
 * DataTransferSize check.
 */
int rsp_dispatch_one(struct spdm_responder *r, const uint8_t *req, size_t req_len,
		     uint8_t *rsp, size_t rsp_cap, size_t overhead);
void rsp_reset_connection(struct spdm_responder *r);

/* device.c: snapshots under the device lock */
int rsp_device_snapshot_slot(struct rsp_device *d, uint8_t slot, uint32_t asym,
			     uint32_t hash, uint64_t faults, struct rsp_slot *out,
			     struct da_err *err);
uint32_t rsp_device_slot_asym_mask(struct rsp_device *d);
void rsp_device_snapshot_meas(struct rsp_device *d, struct rsp_meas_block *out, size_t *n);
uint64_t rsp_device_faults(struct rsp_device *d);
/*
 * replay-challenge: the device keeps the first CHALLENGE_AUTH it sends;
 * with replay set, a later one is replaced by it (returns true, out
 * filled).
 */
bool rsp_device_replay_auth(struct rsp_device *d, const uint8_t *auth, size_t len,
			    bool replay, uint8_t *out, size_t cap, size_t *out_len);

/* faults.c: pki faults a device fault set implies */
unsigned int rsp_faults_to_pki_leaf(uint64_t faults);
bool rsp_faults_inter_bad(uint64_t faults);

/* measurements helpers (rsp-measurements.c) shared with CHALLENGE */
int rsp_meas_summary(struct spdm_responder *r, uint8_t type, uint8_t *out);
/*
 * The MeasurementSummaryHash a CHALLENGE, KEY_EXCHANGE or PSK_EXCHANGE
 * asks for, computed into buf: 0 with *hash set (NULL for none), or the
 * SPDM error code to answer with.
 */
int rsp_req_meas_summary(struct spdm_responder *r, uint8_t type, uint8_t *buf,
			 const uint8_t **hash);
/* Encode one block as it goes on the wire (hashed unless raw). */
int rsp_encode_block(struct spdm_responder *r, struct wcur *w, const struct rsp_meas_block *b,
		     bool raw);

#endif
