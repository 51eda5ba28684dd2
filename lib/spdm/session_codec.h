/* SPDX-License-Identifier: MIT */
/*
 * SPDM session messages (DSP0274 1.1+), same conventions as codec.h:
 * one encoder and one decoder per message for both directions, decoders
 * read only through struct cur and return the true length, pointers
 * borrow from the message.  One file per message pair:
 *   key_exchange.c  KEY_EXCHANGE / KEY_EXCHANGE_RSP
 *   finish.c        FINISH / FINISH_RSP
 *   psk_exchange.c  PSK_EXCHANGE / PSK_EXCHANGE_RSP
 *   psk_finish.c    PSK_FINISH / PSK_FINISH_RSP
 *   heartbeat.c     HEARTBEAT / HEARTBEAT_ACK
 *   key_update.c    KEY_UPDATE / KEY_UPDATE_ACK
 *   end_session.c   END_SESSION / END_SESSION_ACK
 *   opaque.c        the DMTF opaque-data format and the DSP0277
 *                   secured-message version elements it carries
 *
 * Messages whose MAC or signature the caller computes over the bytes
 * before it are encoded in two steps, as CHALLENGE_AUTH is: the
 * _unsigned encoder writes everything up to that field and the caller
 * appends it with wcur_bytes().
 */
#ifndef DEVAUTH_SPDM_SESSION_CODEC_H
#define DEVAUTH_SPDM_SESSION_CODEC_H

#include "codec.h"

#define SPDM_RANDOM_SIZE		32
#define SPDM_MAX_DHE_SIZE		1024	/* FFDHE-4096: 512; secp521r1: 132 */
/*
 * DSP0274 bounds PSKHint only by its 2-byte length; this is a sanity
 * limit above the longest hint in use (a CXL TSP secondary session's
 * "SECONDARY_SESSION_0_PSK" with its NUL is 24 bytes).
 */
#define SPDM_MAX_PSK_HINT_SIZE		64
#define SPDM_MAX_PSK_CONTEXT_SIZE	64

/* KEY_EXCHANGE / PSK_EXCHANGE SessionPolicy (1.2+) */
#define SPDM_SESSION_POLICY_TERMINATION_RUNTIME_UPDATE	(1u << 0)
/* KEY_EXCHANGE_RSP MutAuthRequested */
#define SPDM_MUT_AUTH_REQUESTED			(1u << 0)
#define SPDM_MUT_AUTH_WITH_ENCAP		(1u << 1)
#define SPDM_MUT_AUTH_WITH_GET_DIGESTS		(1u << 2)
/* FINISH param1 */
#define SPDM_FINISH_SIGNATURE_INCLUDED		(1u << 0)
/* KEY_UPDATE param1 */
#define SPDM_KEY_UPDATE_OP_UPDATE_KEY		1
#define SPDM_KEY_UPDATE_OP_UPDATE_ALL_KEYS	2
#define SPDM_KEY_UPDATE_OP_VERIFY_NEW_KEY	3
/* END_SESSION param1 */
#define SPDM_END_SESSION_PRESERVE_STATE_CLEAR	(1u << 0)

/* Signing contexts (1.2+) of the session handshake. */
#define SPDM_CTX_KEY_EXCHANGE_RSP "responder-key_exchange_rsp signing"
#define SPDM_CTX_FINISH "requester-finish signing"

/* Fixed parts, for their sizes only (the codec reads fields through struct cur). */
struct spdm_key_exchange_fixed {
	uint8_t hdr[4];			/* param1 MeasurementSummaryHashType, param2 SlotID */
	uint8_t req_session_id[2];
	uint8_t session_policy;		/* reserved before 1.2 */
	uint8_t reserved;
	uint8_t random[SPDM_RANDOM_SIZE];
};
_Static_assert(sizeof(struct spdm_key_exchange_fixed) == 40, "KEY_EXCHANGE fixed part");

struct spdm_key_exchange_rsp_fixed {
	uint8_t hdr[4];			/* param1 HeartbeatPeriod */
	uint8_t rsp_session_id[2];
	uint8_t mut_auth_requested;
	uint8_t req_slot_id_param;
	uint8_t random[SPDM_RANDOM_SIZE];
};
_Static_assert(sizeof(struct spdm_key_exchange_rsp_fixed) == 40, "KEY_EXCHANGE_RSP fixed part");

struct spdm_psk_exchange_fixed {
	uint8_t hdr[4];			/* param1 HashType, param2 SessionPolicy (1.2+) */
	uint8_t req_session_id[2];
	uint8_t psk_hint_length[2];
	uint8_t context_length[2];
	uint8_t opaque_length[2];
};
_Static_assert(sizeof(struct spdm_psk_exchange_fixed) == 12, "PSK_EXCHANGE fixed part");

struct spdm_psk_exchange_rsp_fixed {
	uint8_t hdr[4];			/* param1 HeartbeatPeriod */
	uint8_t rsp_session_id[2];
	uint8_t reserved[2];
	uint8_t context_length[2];
	uint8_t opaque_length[2];
};
_Static_assert(sizeof(struct spdm_psk_exchange_rsp_fixed) == 12, "PSK_EXCHANGE_RSP fixed part");

/* What the session decoders need beyond struct spdm_dec_params. */
struct spdm_sess_params {
	struct spdm_dec_params p;	/* version, H, S */
	uint16_t dhe_size;		/* D: ExchangeData size of the DHE group */
	uint16_t req_sig_size;		/* ReqBaseAsymAlg signature size (mutual auth) */
	bool in_clear;			/* both sides set HANDSHAKE_IN_THE_CLEAR_CAP */
};

/* Every session message that carries a hash needs H negotiated and within bounds. */
static inline bool spdm_sess_hash_ok(const struct spdm_sess_params *sp)
{
	return sp->p.hash_size && sp->p.hash_size <= SPDM_MAX_HASH_SIZE;
}

/* ---- KEY_EXCHANGE / KEY_EXCHANGE_RSP (key_exchange.c) ---- */
struct spdm_key_exchange {
	uint8_t meas_summary_type;
	uint8_t slot;			/* 0xFF: the provisioned public key */
	uint16_t req_session_id;
	uint8_t session_policy;
	uint8_t random[SPDM_RANDOM_SIZE];
	const uint8_t *exchange;	/* D bytes */
	uint16_t opaque_len;
	const uint8_t *opaque;
};
struct spdm_key_exchange_rsp {
	uint8_t heartbeat_period;
	uint16_t rsp_session_id;
	uint8_t mut_auth_requested;
	uint8_t req_slot_id_param;
	const uint8_t *random;		/* 32 bytes */
	const uint8_t *exchange;	/* D bytes */
	const uint8_t *meas_summary_hash; /* H bytes, NULL when not requested */
	uint16_t opaque_len;
	const uint8_t *opaque;
	const uint8_t *signature;	/* S bytes */
	size_t signed_len;		/* bytes before Signature */
	const uint8_t *verify_data;	/* H bytes, NULL in the clear */
	size_t verify_off;		/* bytes before ResponderVerifyData */
};
int spdm_encode_key_exchange(struct wcur *w, const struct spdm_sess_params *sp,
			     const struct spdm_key_exchange *k);
int spdm_decode_key_exchange(const uint8_t *msg, size_t len, const struct spdm_sess_params *sp,
			     struct spdm_key_exchange *k, struct da_err *err);
/* Up to and without the Signature; the caller appends S, then (not in the clear) H. */
int spdm_encode_key_exchange_rsp_unsigned(struct wcur *w, const struct spdm_sess_params *sp,
					  const struct spdm_key_exchange_rsp *k);
/* meas_summary_type: what the KEY_EXCHANGE asked for. */
int spdm_decode_key_exchange_rsp(const uint8_t *msg, size_t len,
				 const struct spdm_sess_params *sp, uint8_t meas_summary_type,
				 struct spdm_key_exchange_rsp *k, struct da_err *err);

/* ---- FINISH / FINISH_RSP (finish.c) ---- */
struct spdm_finish {
	uint8_t attributes;		/* SPDM_FINISH_SIGNATURE_INCLUDED */
	uint8_t req_slot;
	uint16_t opaque_len;		/* 1.4 */
	const uint8_t *opaque;
	const uint8_t *signature;	/* req_sig_size bytes when included */
	size_t signed_len;		/* bytes before Signature */
	const uint8_t *verify_data;	/* H bytes */
	size_t verify_off;		/* bytes before RequesterVerifyData */
};
struct spdm_finish_rsp {
	uint16_t opaque_len;		/* 1.4 */
	const uint8_t *opaque;
	const uint8_t *verify_data;	/* H bytes in the clear, else NULL */
	size_t verify_off;
};
/* Up to the Signature (or the verify data when none is included). */
int spdm_encode_finish_unsigned(struct wcur *w, const struct spdm_sess_params *sp,
				const struct spdm_finish *f);
int spdm_decode_finish(const uint8_t *msg, size_t len, const struct spdm_sess_params *sp,
		       struct spdm_finish *f, struct da_err *err);
/* Up to ResponderVerifyData, which the caller appends in the clear. */
int spdm_encode_finish_rsp_unsigned(struct wcur *w, const struct spdm_sess_params *sp,
				    const struct spdm_finish_rsp *f);
int spdm_decode_finish_rsp(const uint8_t *msg, size_t len, const struct spdm_sess_params *sp,
			   struct spdm_finish_rsp *f, struct da_err *err);

/* ---- PSK_EXCHANGE / PSK_EXCHANGE_RSP (psk_exchange.c) ---- */
struct spdm_psk_exchange {
	uint8_t meas_summary_type;
	uint8_t session_policy;		/* 1.2+ */
	uint16_t req_session_id;
	uint16_t hint_len, context_len, opaque_len;
	const uint8_t *hint, *context, *opaque;
};
struct spdm_psk_exchange_rsp {
	uint8_t heartbeat_period;
	uint16_t rsp_session_id;
	uint16_t context_len, opaque_len;
	const uint8_t *meas_summary_hash; /* H bytes, NULL when not requested */
	const uint8_t *context, *opaque;
	const uint8_t *verify_data;	/* H bytes */
	size_t verify_off;
};
int spdm_encode_psk_exchange(struct wcur *w, const struct spdm_sess_params *sp,
			     const struct spdm_psk_exchange *k);
int spdm_decode_psk_exchange(const uint8_t *msg, size_t len, const struct spdm_sess_params *sp,
			     struct spdm_psk_exchange *k, struct da_err *err);
int spdm_encode_psk_exchange_rsp_unsigned(struct wcur *w, const struct spdm_sess_params *sp,
					  const struct spdm_psk_exchange_rsp *k);
int spdm_decode_psk_exchange_rsp(const uint8_t *msg, size_t len,
				 const struct spdm_sess_params *sp, uint8_t meas_summary_type,
				 struct spdm_psk_exchange_rsp *k, struct da_err *err);

/* ---- PSK_FINISH / PSK_FINISH_RSP (psk_finish.c) ---- */
struct spdm_psk_finish {
	uint16_t opaque_len;		/* 1.4 */
	const uint8_t *opaque;
	const uint8_t *verify_data;	/* H bytes */
	size_t verify_off;
};
int spdm_encode_psk_finish_unsigned(struct wcur *w, const struct spdm_sess_params *sp,
				    const struct spdm_psk_finish *f);
int spdm_decode_psk_finish(const uint8_t *msg, size_t len, const struct spdm_sess_params *sp,
			   struct spdm_psk_finish *f, struct da_err *err);
/* PSK_FINISH_RSP: header, and from 1.4 OpaqueDataLength + OpaqueData. */
int spdm_encode_psk_finish_rsp(struct wcur *w, uint8_t version, const uint8_t *opaque,
			       uint16_t opaque_len);
int spdm_decode_psk_finish_rsp(const uint8_t *msg, size_t len, uint8_t version,
			       const uint8_t **opaque, uint16_t *opaque_len, struct da_err *err);

/* ---- HEARTBEAT / HEARTBEAT_ACK (heartbeat.c): header only ---- */
int spdm_encode_heartbeat(struct wcur *w, uint8_t version);
int spdm_decode_heartbeat(const uint8_t *msg, size_t len, struct da_err *err);
int spdm_encode_heartbeat_ack(struct wcur *w, uint8_t version);
int spdm_decode_heartbeat_ack(const uint8_t *msg, size_t len, struct da_err *err);

/* ---- KEY_UPDATE / KEY_UPDATE_ACK (key_update.c) ---- */
struct spdm_key_update {
	uint8_t operation;		/* SPDM_KEY_UPDATE_OP_* */
	uint8_t tag;
};
int spdm_encode_key_update(struct wcur *w, uint8_t version, const struct spdm_key_update *k);
/* An operation outside 1..3 is -EPROTO. */
int spdm_decode_key_update(const uint8_t *msg, size_t len, struct spdm_key_update *k,
			   struct da_err *err);
int spdm_encode_key_update_ack(struct wcur *w, uint8_t version, const struct spdm_key_update *k);
int spdm_decode_key_update_ack(const uint8_t *msg, size_t len, struct spdm_key_update *k,
			       struct da_err *err);

/* ---- END_SESSION / END_SESSION_ACK (end_session.c) ---- */
int spdm_encode_end_session(struct wcur *w, uint8_t version, uint8_t attributes);
int spdm_decode_end_session(const uint8_t *msg, size_t len, uint8_t *attributes,
			    struct da_err *err);
int spdm_encode_end_session_ack(struct wcur *w, uint8_t version);
int spdm_decode_end_session_ack(const uint8_t *msg, size_t len, struct da_err *err);

/*
 * FINISH, FINISH_RSP, PSK_FINISH and PSK_FINISH_RSP: from 1.4 the header
 * is followed by OpaqueDataLength + OpaqueData, before 1.4 by nothing.
 */
int spdm_get_opaque_field14(struct cur *c, const char *name, uint8_t version, size_t len,
			    uint16_t *olen, const uint8_t **o, struct da_err *err);
void spdm_put_opaque_field14(struct wcur *w, uint8_t version, const uint8_t *o, uint16_t olen);
/* The same four: the header, then the 1.4 opaque field; c starts at the message. */
int spdm_get_hdr_opaque14(struct cur *c, const char *name, uint8_t version, size_t len,
			  uint16_t *olen, const uint8_t **o, struct da_err *err);
/* Writes the header and the 1.4 opaque field; -EINVAL for opaque bytes missing. */
int spdm_put_hdr_opaque14(struct wcur *w, uint8_t version, uint8_t code, uint8_t param1,
			  uint8_t param2, const uint8_t *o, uint16_t olen);

/* ---- Opaque data (opaque.c) ----
 *
 * 1.2+ with OpaqueDataFmt1 selected (DSP0274 "General opaque data
 * format"): TotalElements(1), Reserved(3), then elements.  1.1 and 1.2+
 * without Fmt1 use the DSP0277 1.0 table: SpecID(4) "DMTF"
 * (0x444D5446), OpaqueVersion(1) = 1, TotalElements(1), Reserved(2),
 * then the same elements.  An element is ID(1), VendorLen(1),
 * VendorID(VendorLen), OpaqueElementDataLen(2), the data, zero padding
 * to a multiple of 4 bytes counted from the element's start.
 * A DMTF (ID 0, no vendor ID) element whose data starts with
 * SMDataVersion 1 is a secured-message element: SMDataID 0 selects one
 * version (2 bytes), SMDataID 1 lists VersionCount(1) versions.
 */
#define SPDM_OPAQUE_SPEC_ID_DMTF	0x444D5446u
#define SPDM_OPAQUE_VERSION		1
#define SPDM_SM_DATA_VERSION		1
#define SPDM_SM_ID_VERSION_SELECTION	0
#define SPDM_SM_ID_SUPPORTED_VERSION	1
#define SPDM_OPAQUE_MAX_ELEMENTS	8
#define SPDM_SM_MAX_VERSIONS		8

enum spdm_opaque_fmt {
	SPDM_OPAQUE_FMT_DSP0277,	/* 1.1 (and 1.2+ without Fmt1): SpecID header */
	SPDM_OPAQUE_FMT_GENERAL,	/* 1.2+ OpaqueDataFmt1 */
};
/* Which format a negotiated version/OtherParamsSelection implies. */
enum spdm_opaque_fmt spdm_opaque_fmt_for(uint8_t version, uint8_t other_params_sel);

struct spdm_opaque_element {
	uint8_t id;			/* registry ID, 0 = DMTF */
	uint8_t vendor_len;
	const uint8_t *vendor_id;
	uint16_t data_len;
	const uint8_t *data;
};
struct spdm_opaque {
	uint8_t count;
	struct spdm_opaque_element el[SPDM_OPAQUE_MAX_ELEMENTS];
};
/* The whole OpaqueData must be the table; more elements than the maximum is -EPROTO. */
int spdm_decode_opaque(const uint8_t *data, size_t len, enum spdm_opaque_fmt fmt,
		       struct spdm_opaque *o, struct da_err *err);
int spdm_encode_opaque(struct wcur *w, enum spdm_opaque_fmt fmt, const struct spdm_opaque *o);

/* Secured-message version elements; versions are 0x1000 (1.0), 0x1100, 0x1200. */
struct spdm_sm_versions {
	uint8_t sm_id;			/* SPDM_SM_ID_* */
	uint8_t count;			/* 1 for a selection */
	uint16_t v[SPDM_SM_MAX_VERSIONS];
};
/* Writes a whole OpaqueData with one secured-message element. */
int spdm_encode_sm_opaque(struct wcur *w, enum spdm_opaque_fmt fmt,
			  const struct spdm_sm_versions *s);
/*
 * Finds the one secured-message element of kind want in an OpaqueData:
 * none is -ENOENT, two are -EPROTO, a malformed one -EBADMSG.
 */
int spdm_decode_sm_opaque(const uint8_t *data, size_t len, enum spdm_opaque_fmt fmt,
			  uint8_t want, struct spdm_sm_versions *s, struct da_err *err);

#endif
