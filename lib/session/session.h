/* SPDX-License-Identifier: MIT */
/*
 * One SPDM secure session: the only owner of its keys, sequence numbers
 * and state (docs/session.md).
 *   keys.c     the DSP0274 key schedule: handshake, data and key-update
 *              secrets, finished keys, keys and IVs; wiping
 *   secured.c  DSP0277 secured messages: encode/decode, AAD, IV from the
 *              sequence number, MAC-only sessions, exhaustion
 *
 * A session has two directions: REQ (requester to responder) and RSP.
 * Which one it seals and which it opens follows its role, so the
 * requester and (later) the responder use the same code, and a test can
 * pair two sessions derived from one schedule as a loopback.
 *
 * Every decode failure, sequence-number exhaustion and spdm_sess_end()
 * wipes all secrets (OPENSSL_cleanse) and leaves the session ENDED:
 * nothing is sealed or opened after that.
 */
#ifndef DEVAUTH_SESSION_H
#define DEVAUTH_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <devauth/error.h>
#include <devauth/spdm.h>
#include <devauth/transport.h>

#include "crypto/session_crypto.h"
#include "cursor.h"

enum spdm_sess_state {
	SPDM_SESS_NONE,
	SPDM_SESS_HANDSHAKE,	/* handshake keys (after KEY_EXCHANGE_RSP / PSK_EXCHANGE_RSP) */
	SPDM_SESS_ESTABLISHED,	/* data keys (after FINISH_RSP / PSK_FINISH_RSP) */
	SPDM_SESS_ENDED,	/* secrets wiped */
};

enum spdm_sess_dir {
	SPDM_DIR_REQ = 0,	/* requester -> responder */
	SPDM_DIR_RSP = 1,
};

/* DSP0277 versions as in the opaque data: 0x1000 = 1.0 */
#define SPDM_SM_VER_10 0x1000
#define SPDM_SM_VER_11 0x1100
#define SPDM_SM_VER_12 0x1200

struct spdm_sess_keys {
	uint8_t secret[SPDM_MAX_HASH_SIZE];	/* this direction's handshake or data secret */
	uint8_t key[SPDM_AEAD_MAX_KEY_SIZE];
	uint8_t iv[SPDM_AEAD_IV_SIZE];
	uint64_t seq;				/* next sequence number */
	struct spdm_aead aead;
	bool valid;
};

typedef void (*spdm_sess_keylog_fn)(void *ctx, uint32_t session_id, const char *label,
				    const uint8_t *value, size_t len);

struct spdm_sess_config {
	uint8_t version;		/* negotiated SPDM version: the BinConcat label */
	uint16_t sm_version;		/* selected DSP0277 version */
	uint32_t base_hash;
	uint16_t aead;
	bool mac_only;			/* MAC_CAP without ENCRYPT_CAP on either side */
	bool is_requester;		/* seals REQ, opens RSP */
	enum da_framing framing;	/* MCTP: 2-byte sequence number, padding; DOE: none */
	uint64_t max_seq;		/* 0: UINT64_MAX (no wrap, DSP0277) */
	spdm_sess_keylog_fn keylog;	/* optional: every secret as it is derived */
	void *keylog_ctx;
};

struct spdm_session {
	struct spdm_sess_config cfg;
	uint32_t id;			/* ReqSessionID | RspSessionID << 16 */
	enum spdm_sess_state state;
	size_t hash_size, key_size;
	uint8_t handshake_secret[SPDM_MAX_HASH_SIZE];
	uint8_t master_secret[SPDM_MAX_HASH_SIZE];
	uint8_t export_master[SPDM_MAX_HASH_SIZE];
	uint8_t finished_key[2][SPDM_MAX_HASH_SIZE];
	struct spdm_sess_keys dir[2];
	/* The previous keys of a direction during KEY_UPDATE, until committed. */
	struct spdm_sess_keys prev[2];
	char name[64];			/* for messages: the device */
};

int spdm_sess_init(struct spdm_session *s, const struct spdm_sess_config *c, uint32_t id,
		   const char *name);
/*
 * KEY_EXCHANGE: ikm is the DHE shared secret; PSK_EXCHANGE (psk set):
 * the PSK.  th1 is the transcript hash TH1 (H bytes).  Derives the
 * handshake secret, both handshake secrets, keys, IVs and finished keys.
 */
int spdm_sess_derive_handshake(struct spdm_session *s, const uint8_t *ikm, size_t ikm_len,
			       bool psk, const uint8_t *th1, struct da_err *err);
/* th2: the transcript hash TH2.  Data secrets, keys and IVs; the handshake ones are wiped. */
int spdm_sess_derive_data(struct spdm_session *s, const uint8_t *th2, struct da_err *err);
/* HMAC(finished_key[dir], th) into out (H bytes): a VerifyData. */
int spdm_sess_verify_data(struct spdm_session *s, enum spdm_sess_dir dir, const uint8_t *th,
			  uint8_t *out);
/*
 * KEY_UPDATE of one direction: the new data secret is
 * HKDF-Expand(secret, BinConcat(H, "traffic upd")), new key and IV,
 * sequence number 0.  The old keys stay in prev[] until
 * spdm_sess_key_update_commit() (or _rollback() restores them).
 */
int spdm_sess_key_update(struct spdm_session *s, enum spdm_sess_dir dir, struct da_err *err);
void spdm_sess_key_update_commit(struct spdm_session *s, enum spdm_sess_dir dir);
void spdm_sess_key_update_rollback(struct spdm_session *s, enum spdm_sess_dir dir);
/*
 * A direction's secret from elsewhere (a keylog): its key, IV and
 * cipher context derived, sequence number seq, the session
 * ESTABLISHED.  Only for passive decoding: nothing else is derived.
 */
int spdm_sess_import_secret(struct spdm_session *s, enum spdm_sess_dir dir,
			    const uint8_t *secret, uint64_t seq);
/* The next generation of a data secret (KEY_UPDATE's "traffic upd"), H bytes into out. */
int spdm_sess_next_secret(struct spdm_session *s, const uint8_t *secret, uint8_t *out);
/* Wipe every secret; the session is ENDED.  Safe to call twice. */
void spdm_sess_end(struct spdm_session *s);

/*
 * BinConcat(length, "spdm1.X ", label, context) as DSP0274 "Key
 * schedule" defines it; context may be NULL.  Returns the size written.
 */
size_t spdm_bin_concat(uint8_t version, uint16_t length, const char *label,
		       const uint8_t *context, size_t context_len, uint8_t *out, size_t cap);

/* ---- secured.c ---- */
/* Wire sizes: SessionID(4) + SequenceNumber(framing) + Length(2) ... + MAC(16). */
size_t spdm_sess_seq_wire_size(enum da_framing f);
size_t spdm_sess_overhead(const struct spdm_session *s);
/*
 * Seal one SPDM message with the sending direction's current keys into
 * w (a whole secured message, without the transport header).  The
 * sequence number is used and incremented; at the maximum the session
 * ends with -ERANGE.
 */
int spdm_sess_seal(struct spdm_session *s, const uint8_t *spdm, size_t len, struct wcur *w,
		   struct da_err *err);
/*
 * Open one secured message with the receiving direction's keys into
 * out (cap bytes): SessionID, SequenceNumber (MCTP), Length (DOE may
 * pad up to 3 zero bytes after it), MAC, ApplicationDataLength, and for
 * MCTP the inner SPDM message type, are all checked; spdm and len point
 * to the SPDM message inside out.  Any failure ends the session.
 */
int spdm_sess_open(struct spdm_session *s, const uint8_t *msg, size_t msg_len, uint8_t *out,
		   size_t cap, const uint8_t **spdm, size_t *len, struct da_err *err);
/* Only the SessionID of a secured message (to route it), -EBADMSG if too short. */
int spdm_sess_peek_id(const uint8_t *msg, size_t len, uint32_t *id);


/* ---- keylog.c: `probe --keylog` files and passive opening ---- */
struct spdm_keylog_entry {
	uint32_t id;			/* the session's ReqSessionID | RspSessionID << 16 */
	char label[24];			/* dhe_secret, req_hs_secret, rsp_data_secret, ... */
	uint8_t value[64];
	size_t len;
};

struct spdm_keylog {
	size_t n, cap;
	struct spdm_keylog_entry *e;
};

/* Every SPDM_SESSION line of text; other lines are skipped. */
int spdm_keylog_parse(const uint8_t *text, size_t len, struct spdm_keylog *kl,
		      struct da_err *err);
/* The first entry of a session with this label, NULL if none. */
const struct spdm_keylog_entry *spdm_keylog_find(const struct spdm_keylog *kl, uint32_t id,
						 const char *label);
void spdm_keylog_free(struct spdm_keylog *kl);
/*
 * Open one secured message as if sent in direction dir with this
 * secret (H bytes) and sequence number, without any lasting state: a
 * failure (wrong direction, older keys) only reports.  c gives the
 * version, hash, AEAD, framing and MAC-only; its role is ignored.
 */
int spdm_sess_passive_open(const struct spdm_sess_config *c, uint32_t id,
			   enum spdm_sess_dir dir, const uint8_t *secret, uint64_t seq,
			   const uint8_t *msg, size_t msg_len, uint8_t *out, size_t cap,
			   const uint8_t **spdm, size_t *len, struct da_err *err);

#endif
