/* SPDX-License-Identifier: MIT */
/*
 * Requester internals.  Files follow the protocol:
 *   core.c          state, exchange (Busy, ResponseNotReady, timeouts),
 *                   response header checks, transcripts, checks list
 *   chunk.c         1.2+ large messages: CHUNK_SEND, CHUNK_GET, replay
 *   vca.c           GET_VERSION, GET_CAPABILITIES, NEGOTIATE_ALGORITHMS
 *   digests.c       GET_DIGESTS
 *   certificate.c   GET_CERTIFICATE and the chain checks
 *   challenge.c     CHALLENGE and the CHALLENGE_AUTH signature
 *   measurements.c  GET_MEASUREMENTS and the L1 signature
 *   authenticate.c  the flows in protocol order, live and replayed
 *   session.c       KEY_EXCHANGE/FINISH, PSK_EXCHANGE/PSK_FINISH
 *   in_session.c    secured exchange, MEASUREMENTS, HEARTBEAT, KEY_UPDATE, END_SESSION
 *   in_session_auth.c  DIGESTS and CERTIFICATE inside the session, req_session_send()
 *   encap.c         encapsulated requests of mutual authentication
 *
 * Each phase has a build_* function (live: makes the request) and a
 * process_* function (live and replay: takes the request bytes and the
 * response bytes and does every check), so a capture is verified by
 * exactly the code that talks to devices.
 */
#ifndef DEVAUTH_REQ_H
#define DEVAUTH_REQ_H

#include <devauth/requester.h>

#include "crypto/crypto.h"
#include "crypto/x509.h"
#include "cursor.h"
#include "spdm/codec.h"

/*
 * One transfer is at most REQ_MAX_MSG (our largest DataTransferSize; 1.0
 * and 1.1 devices are kept small by the portion size we ask for).  Larger
 * messages come in chunks (1.2+) and are reassembled in a growable
 * buffer up to our MaxSPDMmsgSize.  Keeps the per-device state small: the
 * chains and transcripts, which are evidence, live in growable buffers.
 */
#define REQ_MAX_MSG 0x1200
#define REQ_BUF_SIZE (REQ_MAX_MSG + 64)
#define REQ_DEFAULT_MAX_SPDM_MSG 0x10000
#define REQ_MAX_SPDM_MSG (16u << 20)

enum req_phase {
	PH_NONE,		/* nothing yet, or after GET_VERSION was sent */
	PH_VERSION,		/* VERSION received */
	PH_CAPS,		/* CAPABILITIES received */
	PH_ALGS,		/* ALGORITHMS received: negotiated */
};

struct spdm_req {
	struct spdm_req_config cfg;
	struct da_transport *t;		/* NULL when replaying */
	bool replay;
	char dev[64];

	enum req_phase phase;
	struct spdm_version_rsp versions;
	uint8_t req_caps_version;	/* version the requester chose */
	/* What our GET_CAPABILITIES said (live: the config; replay: the capture). */
	uint32_t own_caps, own_dts, own_max;
	/* Large messages: the handle of our next CHUNK_SEND, a response being reassembled */
	uint8_t next_handle;
	struct spdm_chunk_rx rx;
	uint32_t offered_asym, offered_hash, offered_meas_hash;
	struct spdm_dec_params p;
	struct spdm_req_info info;

	/* Transcripts, exactly as signatures cover them (true lengths). */
	struct da_buf vca;		/* A */
	struct da_buf m1;		/* B || C, reset after each CHALLENGE */
	struct da_buf l1;		/* measurement messages since the last other request */
	bool l1_open;

	/* Digests and chains */
	bool have_digests;
	uint8_t digest[SPDM_MAX_SLOTS][SPDM_MAX_HASH_SIZE];
	struct da_buf chain[SPDM_MAX_SLOTS];	/* complete chains, as read */
	struct spdm_chain parsed[SPDM_MAX_SLOTS];	/* as checked; for spdm_req_chain() */
	EVP_PKEY *slot_key[SPDM_MAX_SLOTS];		/* leaf key of each checked chain */
	bool chain_ok[SPDM_MAX_SLOTS];
	/* A chain read in progress */
	struct da_buf reading;
	int reading_slot;
	uint32_t reading_total;

	/* CHALLENGE in flight */
	uint8_t chal_slot;
	uint8_t chal_summary_type;
	EVP_PKEY *leaf_key;		/* of chal_slot, cached for re-challenge */
	uint8_t leaf_slot;

	/* Evidence */
	struct da_buf ev_vca;
	struct da_buf ev_meas;
	struct da_buf ev_session;	/* KEY_EXCHANGE || KEY_EXCHANGE_RSP */
	struct da_buf meas_record;

	struct da_checklist checks;

	/* Secure session (session.c, in_session.c); NULL when none is open. */
	struct spdm_session *sess;
	struct spdm_req_session_info sinfo;

	/* Message buffers: the response buffer lives only during an operation. */
	uint8_t req_buf[512];
	uint8_t *rsp_buf;
};

/* core.c */
/* Drop what only an operation in progress needs. */
void req_trim(struct spdm_req *r);
int req_fail(struct spdm_req *r, struct da_err *err, const char *check, int code,
	     const char *fmt, ...) __attribute__((format(printf, 5, 6)));
void req_pass(struct spdm_req *r, const char *check, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/*
 * Send req, get the response to it: retries Busy, follows
 * ResponseNotReady with RESPOND_IF_READY, maps other ERRORs to errno
 * (spdm_error_to_errno), checks the echoed version and the response
 * code.  crypto: the request makes the device sign (CT timeout).
 */
int req_exchange(struct spdm_req *r, const uint8_t *req, size_t req_len, uint8_t expect_code,
		 bool crypto, const uint8_t **rsp, size_t *rsp_len, struct da_err *err);
/* Header checks for a response in replay and live: code, version echo. */
int req_check_rsp_hdr(struct spdm_req *r, const uint8_t *req, size_t req_len,
		      const uint8_t *rsp, size_t rsp_len, uint8_t expect_code,
		      struct da_err *err);
/* Decoder's true length + the framing's allowed padding. */
int req_true_len(struct spdm_req *r, const uint8_t *msg, size_t len, long true_len,
		 size_t max_pad, struct da_err *err);
/* A non-measurement request closes the L1 transcript (DSP0274 L1 rules). */
void req_l1_reset(struct spdm_req *r);
const char *req_msg_name(uint8_t code);
/* Ends and frees the session, if one is held (its keylog closed). */
void req_sess_free(struct spdm_req *r);

/* chunk.c */
/* 1.2+ and both sides advertised CHUNK_CAP. */
bool req_chunking(const struct spdm_req *r);
/*
 * Send req (larger than the device's DataTransferSize) as CHUNK_SEND;
 * the ResponseToLargeRequest (or an ERROR answering a chunk) is left at
 * the start of rsp_buf, its length in *rsp_len.
 */
int req_send_chunked(struct spdm_req *r, const uint8_t *req, size_t req_len,
		     unsigned int timeout_ms, size_t *rsp_len, struct da_err *err);
/* After ERROR LargeResponse: CHUNK_GET until LastChunk, the message in r->rx.buf. */
int req_get_chunked(struct spdm_req *r, uint8_t ver, uint8_t handle, unsigned int timeout_ms,
		    struct da_err *err);

/*
 * Replay: the capture's messages with every chunk exchange replaced by
 * the large messages it carried (ERROR LargeResponse by the reassembled
 * response).  *out stays NULL when there is no chunk message (use in).
 */
int req_unchunk(const struct da_spdm_msg *in, size_t n, struct da_spdm_msg **out,
		size_t *nout, uint8_t ***bufs, size_t *nbufs, struct da_err *err);
void req_unchunk_free(struct da_spdm_msg *out, uint8_t **bufs, size_t nbufs);

/* vca.c */
int req_build_get_version(struct spdm_req *r, struct wcur *w);
int req_process_version(struct spdm_req *r, const uint8_t *req, size_t req_len,
			const uint8_t *rsp, size_t rsp_len, size_t max_pad, struct da_err *err);
int req_build_get_capabilities(struct spdm_req *r, struct wcur *w);
int req_process_capabilities(struct spdm_req *r, const uint8_t *req, size_t req_len,
			     const uint8_t *rsp, size_t rsp_len, size_t max_pad,
			     struct da_err *err);
int req_build_negotiate_algorithms(struct spdm_req *r, struct wcur *w);
int req_process_algorithms(struct spdm_req *r, const uint8_t *req, size_t req_len,
			   const uint8_t *rsp, size_t rsp_len, size_t max_pad,
			   struct da_err *err);

/* digests.c */
int req_build_get_digests(struct spdm_req *r, struct wcur *w);
int req_process_digests(struct spdm_req *r, const uint8_t *req, size_t req_len,
			const uint8_t *rsp, size_t rsp_len, size_t max_pad, struct da_err *err);

/* certificate.c */
bool req_large_cert(const struct spdm_req *r);
int req_build_get_certificate(struct spdm_req *r, uint8_t slot, uint32_t offset,
			      struct wcur *w);
/* Returns 1 when the chain is complete (and checked), 0 if more to read. */
int req_process_certificate(struct spdm_req *r, const uint8_t *req, size_t req_len,
			    const uint8_t *rsp, size_t rsp_len, size_t max_pad,
			    struct da_err *err);
int req_check_chain(struct spdm_req *r, uint8_t slot, struct da_err *err);

/* challenge.c */
int req_build_challenge(struct spdm_req *r, uint8_t slot, struct wcur *w);
int req_process_challenge_auth(struct spdm_req *r, const uint8_t *req, size_t req_len,
			       const uint8_t *rsp, size_t rsp_len, size_t max_pad,
			       struct da_err *err);

/* measurements.c */
int req_build_get_measurements(struct spdm_req *r, uint8_t operation, bool sign,
			       struct wcur *w);
int req_process_measurements(struct spdm_req *r, const uint8_t *req, size_t req_len,
			     const uint8_t *rsp, size_t rsp_len, size_t max_pad,
			     struct da_err *err);

/* session.c / in_session.c */
/*
 * One request inside the session: sealed, exchanged as a secured
 * message, opened; ERROR answers map to errno as in req_exchange(), a
 * plain (unsecured) answer is refused.  update_rsp_before_open: the
 * answer comes with new response keys (KEY_UPDATE UpdateAllKeys).
 */
/* in_session.c: -ENOTCONN naming what unless a session is established. */
int req_need_session(struct spdm_req *r, const char *what, struct da_err *err);
/* in_session.c: the end of an in-session request: buffers trimmed, the device named on error. */
int req_sess_done(struct spdm_req *r, int ret, struct da_err *err);
int req_sess_exchange(struct spdm_req *r, const uint8_t *req, size_t req_len,
		      uint8_t expect_code, bool crypto, bool update_rsp_before_open,
		      const uint8_t **rsp, size_t *rsp_len, struct da_err *err);
/*
 * encap.c: answer the device's encapsulated GET_DIGESTS / GET_CERTIFICATE
 * with our chain between KEY_EXCHANGE_RSP and FINISH (MutAuthRequested
 * bit 1 or 2, mut_auth); *req_slot gets the ReqSlotNumber if the device
 * names one.
 */
int req_encap_mutual(struct spdm_req *r, uint8_t mut_auth, bool in_clear, uint8_t *req_slot,
		     struct da_err *err);
/*
 * An arbitrary SPDM request (req, req_len: a whole message of the
 * negotiated version) sent inside the established session, for
 * protocols carried over SPDM (VENDOR_DEFINED_REQUEST: TDISP, IDE_KM).
 * The response must carry expect_code and echo the version; an ERROR
 * answer maps to errno as in req_exchange() and leaves the session up,
 * anything else wrong (MAC, SessionID, a plain answer) ends it.  The
 * response is copied to out (cap bytes), its length in *out_len.
 * crypto: the device signs or derives to answer (CT timeout).  Any
 * request but GET_MEASUREMENTS closes the in-session L2 transcript.
 */
int req_session_send(struct spdm_req *r, const uint8_t *req, size_t req_len,
		     uint8_t expect_code, bool crypto, uint8_t *out, size_t cap,
		     size_t *out_len, struct da_err *err);
unsigned int req_timeout_ms(struct spdm_req *r, bool crypto);

/* authenticate.c: one (request, response) pair, dispatched on the request code. */
int req_process_pair(struct spdm_req *r, const uint8_t *req, size_t req_len,
		     const uint8_t *rsp, size_t rsp_len, size_t max_pad, struct da_err *err);

#endif
