/* SPDX-License-Identifier: MIT */
/*
 * The native SPDM requester (what the kernel's lib/spdm does for PCIe
 * CMA): VERSION/CAPABILITIES/ALGORITHMS, DIGESTS, CERTIFICATE,
 * CHALLENGE, signed MEASUREMENTS.  It checks internal consistency
 * (docs/requester.md) and makes no trust decision.
 *
 * The same message-processing code runs live (over a transport) and
 * passively over a recorded exchange (a pcap or a transcript), so a
 * capture is verified by exactly the code that authenticates devices.
 */
#ifndef DEVAUTH_REQUESTER_H
#define DEVAUTH_REQUESTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <devauth/error.h>
#include <devauth/pcap.h>
#include <devauth/spdm.h>
#include <devauth/transport.h>

struct cma_identity;
/* OpenSSL's X509 and EVP_PKEY, by their struct tags: no OpenSSL headers needed here. */
struct x509_st;
struct evp_pkey_st;

#define SPDM_REQ_MAX_PREF 12

struct spdm_req_config {
	const char *dev_name;		/* prefix of every message ("0000:01:00.0") */
	uint8_t min_version, max_version;
	/* Algorithm preference, strongest wish first; the offer is their union. */
	uint32_t asym_pref[SPDM_REQ_MAX_PREF];
	size_t n_asym;
	uint32_t hash_pref[SPDM_REQ_MAX_PREF];
	size_t n_hash;
	uint8_t slot;			/* slot to CHALLENGE */
	bool all_slots;			/* read and check every provisioned chain */
	uint8_t meas_summary_type;	/* SPDM_MEAS_SUMMARY_*; NONE if no MEAS_CAP */
	bool have_nonce;		/* caller-supplied CHALLENGE nonce */
	uint8_t nonce[SPDM_NONCE_SIZE];
	bool have_meas_nonce;
	uint8_t meas_nonce[SPDM_NONCE_SIZE];
	const struct cma_identity *expect_id; /* PCIe SAN check; NULL: report only */
	unsigned int busy_retries;	/* ERROR Busy: bounded retries */
	unsigned int not_ready_retries;	/* ResponseNotReady: bounded RESPOND_IF_READY */
	unsigned int rtt_ms;		/* transport allowance added to CT/RDT */
	/*
	 * GET_CERTIFICATE Length; 0: at 1.2+ as much as one transfer each
	 * way carries (fewer round trips), before 1.2 (no sizes negotiated) 1024.
	 */
	uint16_t cert_portion;
	/*
	 * What we advertise at 1.2+ (with CHUNK_CAP): the largest single
	 * transfer we take (42 .. 4608) and the largest message reassembled
	 * from chunks (DataTransferSize .. 16 MiB).
	 */
	uint32_t data_transfer_size;
	uint32_t max_spdm_msg_size;
	/*
	 * The whole operation's end (CLOCK_MONOTONIC, ms; 0: none): no
	 * exchange waits past it and no ResponseNotReady wait reaches beyond
	 * it (-ETIMEDOUT), whatever CT and RDT allow.
	 */
	uint64_t deadline_ms;
	/*
	 * Secure sessions (DSP0277).  Only with session set do CAPABILITIES
	 * and NEGOTIATE_ALGORITHMS offer them (KEY_EX_CAP, ENCRYPT/MAC_CAP,
	 * HBEAT_CAP, KEY_UPD_CAP, DHE/AEAD/KeySchedule structures).
	 */
	bool session;
	uint16_t dhe_offer;		/* SPDM_DHE_* mask, 0: every supported group */
	uint16_t aead_offer;		/* SPDM_AEAD_* mask, 0: every supported AEAD */
	bool handshake_in_clear;	/* offer HANDSHAKE_IN_THE_CLEAR_CAP */
	uint8_t psk[64];		/* psk_len > 0: PSK_EXCHANGE instead of KEY_EXCHANGE */
	size_t psk_len;
	uint8_t psk_hint[64];		/* e.g. CXL TSP's 24-byte "SECONDARY_SESSION_0_PSK" */
	size_t psk_hint_len;
	const char *keylog_path;	/* append the session secrets here */
	/*
	 * KEY_EXCHANGE RandomData chosen by the caller (a verifier's nonce,
	 * so that the signed KEY_EXCHANGE_RSP proves the session fresh);
	 * without it, from the CSPRNG.
	 */
	bool have_ke_random;
	uint8_t ke_random[SPDM_NONCE_SIZE];
	/*
	 * Mutual authentication, off while req_key is NULL: our chain
	 * (req_certs[0] the root, the last our leaf) and its private key,
	 * both the caller's and kept until spdm_req_free().  Sessions then
	 * offer MUT_AUTH_CAP and the ReqBaseAsymAlg of the key, and when
	 * KEY_EXCHANGE_RSP asks for it FINISH carries our signature.
	 */
	struct x509_st *const *req_certs;
	size_t n_req_certs;
	struct evp_pkey_st *req_key;
	/*
	 * slot SPDM_SLOT_PROVISIONED (0xFF): the device's provisioned public
	 * key (PUB_KEY_ID_CAP, no certificates), the caller's: KEY_EXCHANGE
	 * with SlotID 0xFF after spdm_req_negotiate().
	 */
	struct evp_pkey_st *peer_pubkey;
};

#define SPDM_SLOT_PROVISIONED 0xFF

/* Defaults: 1.0-1.4, every algorithm this build does (strongest first), slot 0. */
void spdm_req_config_default(struct spdm_req_config *c);

enum da_check_result {
	DA_CHECK_PASS,
	DA_CHECK_FAIL,
	DA_CHECK_SKIP,
};

struct da_check {
	char name[40];
	enum da_check_result result;
	char detail[320];
};

/* Grows as checks are added; {0} is an empty list. */
struct da_checklist {
	size_t n, cap;
	struct da_check *c;
};

void da_check_add(struct da_checklist *l, const char *name, enum da_check_result res,
		  const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void da_checklist_reset(struct da_checklist *l);
void da_checklist_free(struct da_checklist *l);
/* Was there a failure? */
bool da_checklist_failed(const struct da_checklist *l);
const char *da_check_result_name(enum da_check_result r);

struct spdm_req;

struct spdm_req *spdm_req_new(const struct spdm_req_config *c, struct da_transport *t);
void spdm_req_free(struct spdm_req *r);
/* sizeof the per-device requester state (without its buffers), for benchmarks. */
size_t spdm_req_state_size(void);

/* Live: VCA, DIGESTS, CERTIFICATE, CHALLENGE; fills the checklist. */
int spdm_req_authenticate(struct spdm_req *r, struct da_err *err);
/* Live: VCA only (a device known by its provisioned public key: no certificates to read). */
int spdm_req_negotiate(struct spdm_req *r, struct da_err *err);
/* Live: signed GET_MEASUREMENTS of all blocks (needs spdm_req_authenticate() first). */
int spdm_req_measure(struct spdm_req *r, struct da_err *err);
/*
 * Re-challenge after recovery: VCA and CHALLENGE with a fresh nonce,
 * verified with the cached leaf key (no certificate read).
 */
int spdm_req_rechallenge(struct spdm_req *r, struct da_err *err);

/*
 * Passive: feed a recorded exchange, message by message, through the
 * same checks.  Requests must be followed by their responses.
 */
int spdm_req_replay(struct spdm_req *r, const struct da_spdm_msg *msgs, size_t n,
		    struct da_err *err);

struct spdm_req_info {
	struct spdm_negotiated neg;	/* .slot: the slot challenged */
	uint32_t rsp_caps;
	uint8_t ct_exponent;
	uint32_t data_transfer_size, max_msg_size;
	uint8_t meas_spec;
	uint16_t dhe, aead, req_base_asym, key_schedule;
	uint16_t req_pqc_asym, kem;	/* 1.4 AlgTypes 6, 7: never offered, so 0 */
	uint32_t pqc_asym;		/* 1.4 PqcAsymSel: never offered, so 0 */
	uint8_t other_params;
	uint8_t provisioned_mask, supported_mask;
	bool authenticated;		/* CHALLENGE_AUTH verified */
	bool measured;			/* signed MEASUREMENTS verified */
	uint8_t req_nonce[SPDM_NONCE_SIZE], rsp_nonce[SPDM_NONCE_SIZE];
	uint8_t meas_req_nonce[SPDM_NONCE_SIZE];
	size_t hash_size, sig_size;
	/* Large-message transfers on this connection (CHUNK_SEND, CHUNK_GET sent). */
	uint32_t chunk_sends, chunk_gets;
};
const struct spdm_req_info *spdm_req_info(const struct spdm_req *r);
const struct da_checklist *spdm_req_checks(const struct spdm_req *r);
/*
 * A new operation on a requester that is kept (a held session): its
 * deadline (as deadline_ms of the config, 0: none), and the checks list
 * starts empty, so that a session kept for days does not grow it with
 * every heartbeat.
 */
void spdm_req_begin_op(struct spdm_req *r, uint64_t deadline_ms);

/*
 * Evidence objects (pci-tsm types): CERTn = slot n's chain exactly as
 * read (SPDM header, RootHash, DER certificates); VCA = the whole
 * authentication transcript A || B || C followed by the CHALLENGE_AUTH
 * signature (so the last S bytes are the signature and everything
 * before is what was signed); MEASUREMENTS = L1 followed by the
 * MEASUREMENTS signature; SESSION = KEY_EXCHANGE || KEY_EXCHANGE_RSP
 * of the last session opened with KEY_EXCHANGE, as exchanged (signature
 * and ResponderVerifyData included).  -ENOENT if not collected.
 */
int spdm_req_evidence(const struct spdm_req *r, unsigned int type, const uint8_t **data,
		      size_t *len);
/* MeasurementRecord of the last MEASUREMENTS (all blocks), -ENOENT if none. */
int spdm_req_meas_record(const struct spdm_req *r, const uint8_t **data, size_t *len);
/*
 * Parsed chain of a slot (lib/crypto/x509.h), NULL if not read and
 * checked.  Parsed on first use and kept: the requester itself keeps
 * only the chain bytes and the leaf keys, to stay small per device.
 */
struct spdm_chain;
const struct spdm_chain *spdm_req_chain(struct spdm_req *r, uint8_t slot);
/*
 * Cached leaf public key of the challenged slot (borrowed), NULL before:
 * an OpenSSL EVP_PKEY, declared by its struct tag so that this header
 * needs no OpenSSL headers.
 */
struct evp_pkey_st;
struct evp_pkey_st *spdm_req_leaf_key(const struct spdm_req *r);
/* Subjects of the chain of a slot, root first, for display. */
size_t spdm_req_chain_subjects(const struct spdm_req *r, uint8_t slot, char (*out)[256],
			       size_t max);

/* ---- Secure sessions (lib/requester/session.c, in_session.c) ---- */
struct spdm_req_session_info {
	bool established;
	bool psk;
	uint32_t session_id;
	uint16_t dhe, aead;
	uint16_t sm_version;		/* selected DSP0277 version, 0x1000 = 1.0 */
	bool in_clear;			/* HANDSHAKE_IN_THE_CLEAR on both sides */
	bool mac_only;
	uint8_t heartbeat_period;	/* seconds, 0: none */
	bool measured;			/* signed MEASUREMENTS verified inside the session */
	bool mutual_auth;		/* the device asked, FINISH carried our signature */
	uint8_t req_slot;		/* our slot the device named (mutual_auth) */
	uint32_t req_asym;		/* ReqBaseAsymAlg we signed with (mutual_auth) */
	bool digests_checked;		/* in-session DIGESTS equal those of the authentication */
	unsigned int certs_checked;	/* chains re-read inside the session, byte-identical */
	unsigned int heartbeats, key_updates;
	bool ended;			/* END_SESSION_ACK received */
};

/*
 * KEY_EXCHANGE with the configured (authenticated) slot, checked with
 * the slot's leaf key, then FINISH; or PSK_EXCHANGE + PSK_FINISH when a
 * PSK is configured.  Needs spdm_req_authenticate() first.
 */
int spdm_req_session_start(struct spdm_req *r, struct da_err *err);
/* Signed GET_MEASUREMENTS (all blocks) inside the session. */
int spdm_req_session_measure(struct spdm_req *r, struct da_err *err);
/*
 * GET_DIGESTS inside the session: the mask and every digest must equal
 * those read at authentication (a difference fails naming the slot).
 */
int spdm_req_session_digests(struct spdm_req *r, struct da_err *err);
/* GET_CERTIFICATE inside the session of every checked slot: byte-identical chains. */
int spdm_req_session_certificate(struct spdm_req *r, struct da_err *err);
int spdm_req_session_heartbeat(struct spdm_req *r, struct da_err *err);
/* UpdateKey (or UpdateAllKeys) followed by VerifyNewKey. */
int spdm_req_session_key_update(struct spdm_req *r, bool all_keys, struct da_err *err);
/* END_SESSION; the secrets are wiped whatever the answer. */
int spdm_req_session_end(struct spdm_req *r, struct da_err *err);
const struct spdm_req_session_info *spdm_req_session_info(const struct spdm_req *r);
/* sizeof the session state a requester adds while a session is open. */
size_t spdm_req_session_state_size(void);

#endif
