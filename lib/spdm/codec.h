/* SPDX-License-Identifier: MIT */
/*
 * SPDM wire codec: one encoder and one decoder per message, one file per
 * protocol phase (version.c, capabilities.c, algorithms.c, digests.c,
 * certificate.c, challenge.c, measurements.c, error.c, chunk.c).  Requester and
 * responder both use it.
 *
 * Decoders take the whole message (4-byte header included) and read it
 * only through struct cur.  They check the minimum length and every
 * length field against the bytes present.  They return the message's
 * true length (> 0) on success: bytes after it are NOT an error here,
 * because PCI DOE pads every data object to a dword and the padding
 * arrives with the message.  The caller decides how many trailing bytes
 * its transport allows (spdm_check_trailing()) and appends only the true
 * length to transcripts.  Decoders do NOT check the response code or the
 * echoed version: spdm_decode_hdr() + the caller do that, because the
 * caller knows what it asked for.  On failure they return -EBADMSG
 * (malformed) or -EPROTO (well-formed but not allowed) and set err to
 * "<MESSAGE>: <field> ...".  Decoders whose message is only a header
 * (GET_VERSION, GET_DIGESTS) return 4.
 *
 * Pointers in decoded structs borrow from the message buffer.  Field
 * widths and the fixed size of each message come from wire.h, where
 * each layout's size is checked against the specification's.
 *
 * Encoders write the whole message including the header into a wcur and
 * take the version for the header byte; fields that do not exist in
 * that version are not written.  They return wcur_finish(w): the total
 * bytes in w, or -ENOSPC.
 */
#ifndef DEVAUTH_SPDM_CODEC_H
#define DEVAUTH_SPDM_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <devauth/error.h>
#include <devauth/spdm.h>

#include "../cursor.h"
#include "wire.h"

struct spdm_hdr {
	uint8_t version;
	uint8_t code;
	uint8_t param1;
	uint8_t param2;
};

/*
 * What a decoder must know about the negotiated state to find field
 * boundaries.  Zero sizes mean "not negotiated yet".
 */
struct spdm_dec_params {
	uint8_t version;	/* negotiated, SPDM_VER_1x */
	uint16_t hash_size;	/* BaseHashAlgo digest size H */
	uint16_t sig_size;	/* BaseAsymAlgo signature size S */
	uint16_t meas_hash_size; /* MeasurementHashAlgo size, 0 for raw */
	bool multi_key_conn;	/* 1.3 MULTI_KEY_CONN_RSP negotiated */
};

int spdm_decode_hdr(const uint8_t *msg, size_t len, struct spdm_hdr *h,
		    struct da_err *err);
/*
 * len - true_len trailing bytes: at most max_pad (3 for PCI DOE, 0
 * otherwise) and all zero, else -EBADMSG naming the message.
 */
int spdm_check_trailing(const uint8_t *msg, size_t len, size_t true_len, size_t max_pad,
			struct da_err *err);
void spdm_encode_hdr(struct wcur *w, uint8_t version, uint8_t code,
		     uint8_t param1, uint8_t param2);
/*
 * For the decoders: "<MESSAGE>: truncated at <field> (<len> bytes)",
 * returns -EBADMSG.
 */
int spdm_trunc(struct da_err *err, const char *msg, const char *field, size_t len);
/*
 * OpaqueDataLength(2) then OpaqueData, as CHALLENGE_AUTH, MEASUREMENTS and
 * the session messages carry it: at most SPDM_MAX_OPAQUE_DATA_SIZE bytes
 * (-EPROTO), all of them present (-EBADMSG); *o borrows from the message.
 * len is the message's, for the error text.
 */
int spdm_get_opaque_field(struct cur *c, const char *name, size_t len, uint16_t *olen,
			  const uint8_t **o, struct da_err *err);
void spdm_put_opaque_field(struct wcur *w, const uint8_t *o, uint16_t olen);

/* ---- GET_VERSION / VERSION (version.c) ---- */
#define SPDM_MAX_VERSION_ENTRIES 16
struct spdm_version_rsp {
	uint8_t count;
	uint16_t entries[SPDM_MAX_VERSION_ENTRIES]; /* major<<12|minor<<8|upd<<4|alpha */
};
int spdm_encode_get_version(struct wcur *w);
int spdm_decode_get_version(const uint8_t *msg, size_t len, struct da_err *err);
int spdm_encode_version(struct wcur *w, const struct spdm_version_rsp *v);
/* More than SPDM_MAX_VERSION_ENTRIES entries is accepted; the rest are dropped. */
int spdm_decode_version(const uint8_t *msg, size_t len, struct spdm_version_rsp *v,
			struct da_err *err);
/* Entry -> header version byte (0x12 for 1.2.x) */
static inline uint8_t spdm_version_entry_to_ver(uint16_t e)
{
	return (uint8_t)(e >> 8);
}

/* ---- GET_CAPABILITIES / CAPABILITIES (capabilities.c) ---- */
struct spdm_caps {
	uint8_t ct_exponent;		/* 1.1+ */
	uint32_t flags;			/* 1.1+ for requests; all versions for responses */
	uint32_t data_transfer_size;	/* 1.2+ */
	uint32_t max_spdm_msg_size;	/* 1.2+ */
	uint8_t param1;			/* 1.3: request bit0 = SupportedAlgorithms wanted */
};
int spdm_encode_get_capabilities(struct wcur *w, uint8_t version, const struct spdm_caps *c);
/* 1.2+: the same DataTransferSize / MaxSPDMmsgSize checks as the response. */
int spdm_decode_get_capabilities(const uint8_t *msg, size_t len, uint8_t version,
				 struct spdm_caps *c, struct da_err *err);
int spdm_encode_capabilities(struct wcur *w, uint8_t version, const struct spdm_caps *c);
/*
 * 1.2+: DataTransferSize >= 42 and MaxSPDMmsgSize >= DataTransferSize are
 * checked here (-EPROTO).  A 1.3 response that carries the
 * SupportedAlgorithms extension (param1 bit 0) is rejected as we never
 * ask for it.
 */
int spdm_decode_capabilities(const uint8_t *msg, size_t len, uint8_t version,
			     struct spdm_caps *c, struct da_err *err);

/* ---- NEGOTIATE_ALGORITHMS / ALGORITHMS (algorithms.c) ---- */
struct spdm_alg_struct {
	uint8_t type;		/* SPDM_ALG_TYPE_* */
	uint16_t bits;		/* supported (request) or selected (response) */
};
/* one per known AlgType (2-7); the wire may carry more, unknown ones are skipped */
#define SPDM_MAX_ALG_STRUCTS 6
struct spdm_neg_algs {
	uint8_t meas_spec;
	uint8_t other_params;		/* 1.2+ */
	uint32_t base_asym;
	uint32_t base_hash;
	uint32_t pqc_asym;		/* 1.4 PqcAsymAlgo */
	uint8_t mel_spec;		/* 1.3 */
	uint8_t num_structs;
	struct spdm_alg_struct structs[SPDM_MAX_ALG_STRUCTS];
};
struct spdm_algorithms {
	uint8_t meas_spec_sel;
	uint8_t other_params_sel;	/* 1.2+ */
	uint32_t meas_hash_algo;
	uint32_t base_asym_sel;
	uint32_t base_hash_sel;
	uint32_t pqc_asym_sel;		/* 1.4 PqcAsymSel */
	uint8_t mel_spec_sel;		/* 1.3 */
	uint8_t num_structs;
	struct spdm_alg_struct structs[SPDM_MAX_ALG_STRUCTS];
};
int spdm_encode_negotiate_algorithms(struct wcur *w, uint8_t version,
				     const struct spdm_neg_algs *a);
/*
 * Extended (vendor) algorithms are skipped, and so are AlgStructures of
 * an AlgType the version does not define (1.1-1.3: 2-5; 1.4: 2-7), as
 * the spec lets a receiver do; a repeated known type or a known type
 * whose fixed algorithm size is not 2 is -EPROTO.  Length must equal the
 * true length (as ALGORITHMS).
 */
int spdm_decode_negotiate_algorithms(const uint8_t *msg, size_t len, uint8_t version,
				     struct spdm_neg_algs *a, struct da_err *err);
int spdm_encode_algorithms(struct wcur *w, uint8_t version, const struct spdm_algorithms *a);
/*
 * 1.3+ MULTI_KEY_CONN_RSP (the responder's DIGESTS carry KeyPairID etc.):
 * true when the responder's MULTI_KEY_CAP is "only", or "negotiated" and
 * the requester set MULTI_KEY_CONN in OtherParamsSupport.  The bit in
 * OtherParamsSelection is the other direction (MULTI_KEY_CONN_REQ).
 */
bool spdm_multi_key_conn_rsp(uint8_t version, uint32_t rsp_caps, uint8_t req_other_params);
/*
 * Checks the Length field equals the message length and the struct table
 * fits.  Does NOT check selection rules (that is policy of the caller,
 * see spdm_check_algorithms() in the requester).
 */
int spdm_decode_algorithms(const uint8_t *msg, size_t len, uint8_t version,
			   struct spdm_algorithms *a, struct da_err *err);

/* ---- GET_DIGESTS / DIGESTS (digests.c) ---- */
struct spdm_digests {
	uint8_t supported_mask;		/* 1.3 param1 */
	uint8_t provisioned_mask;	/* param2 */
	/* digest[slot] for each provisioned slot, in slot order */
	const uint8_t *digest[SPDM_MAX_SLOTS];
	/* 1.3 with MULTI_KEY_CONN only */
	uint8_t key_pair_id[SPDM_MAX_SLOTS];
	uint8_t cert_info[SPDM_MAX_SLOTS];
	uint16_t key_usage_mask[SPDM_MAX_SLOTS];
};
int spdm_encode_get_digests(struct wcur *w, uint8_t version);
int spdm_decode_get_digests(const uint8_t *msg, size_t len, struct da_err *err);
/* digest pointers for provisioned slots must be set; hash_size from p */
int spdm_encode_digests(struct wcur *w, const struct spdm_dec_params *p,
			const struct spdm_digests *d);
int spdm_decode_digests(const uint8_t *msg, size_t len, const struct spdm_dec_params *p,
			struct spdm_digests *d, struct da_err *err);

/* ---- GET_CERTIFICATE / CERTIFICATE (certificate.c) ---- */
/*
 * 1.4 LargeCertChain (Param1 bit 7): the 16-bit Offset/Length (request) and
 * PortionLength/RemainderLength (response) are zero and 32-bit
 * LargeOffset/LargeLength, LargePortionLength/LargeRemainderLength follow.
 * Decoded, offset/length and portion_len/remainder_len hold whichever form
 * the message used and large says which.
 */
#define SPDM_CERT_LARGE_CHAIN		0x80
#define SPDM_GET_CERTIFICATE_SIZE	8
#define SPDM_GET_CERTIFICATE_LARGE_SIZE	16
#define SPDM_CERTIFICATE_HDR_SIZE	8
#define SPDM_CERTIFICATE_LARGE_HDR_SIZE	16
struct spdm_get_certificate {
	uint8_t slot;
	uint8_t attributes;		/* 1.3 param2: bit0 SlotSizeRequested */
	bool large;			/* 1.4 LargeCertChain */
	uint32_t offset;
	uint32_t length;
};
struct spdm_certificate {
	uint8_t slot;
	uint8_t cert_info;		/* 1.3 param2 [2:0] certificate model */
	bool large;			/* 1.4 LargeCertChain */
	uint32_t portion_len;
	uint32_t remainder_len;
	const uint8_t *portion;
};
int spdm_encode_get_certificate(struct wcur *w, uint8_t version,
				const struct spdm_get_certificate *g);
int spdm_decode_get_certificate(const uint8_t *msg, size_t len, uint8_t version,
				struct spdm_get_certificate *g, struct da_err *err);
int spdm_encode_certificate(struct wcur *w, uint8_t version, const struct spdm_certificate *c);
int spdm_decode_certificate(const uint8_t *msg, size_t len, uint8_t version,
			    struct spdm_certificate *c, struct da_err *err);

/* ---- CHALLENGE / CHALLENGE_AUTH (challenge.c) ---- */
struct spdm_challenge {
	uint8_t slot;			/* 0xFF = provisioned public key */
	uint8_t meas_summary_type;	/* SPDM_MEAS_SUMMARY_* */
	uint8_t nonce[SPDM_NONCE_SIZE];
	uint8_t req_context[SPDM_REQ_CONTEXT_SIZE]; /* 1.3 */
};
struct spdm_challenge_auth {
	uint8_t param1;			/* [3:0] slot, bit 7 BasicMutAuthReq */
	uint8_t slot_mask;		/* param2 */
	const uint8_t *cert_chain_hash;	/* H bytes */
	const uint8_t *nonce;		/* 32 bytes */
	const uint8_t *meas_summary_hash; /* H bytes or NULL when not requested */
	uint16_t opaque_len;
	const uint8_t *opaque;
	const uint8_t *req_context;	/* 1.3, 8 bytes, else NULL */
	const uint8_t *signature;	/* S bytes */
	size_t signed_len;		/* bytes before the signature: what M1 covers */
};
int spdm_encode_challenge(struct wcur *w, uint8_t version, const struct spdm_challenge *c);
int spdm_decode_challenge(const uint8_t *msg, size_t len, uint8_t version,
			  struct spdm_challenge *c, struct da_err *err);
/*
 * Encodes everything but the signature (so the caller can hash the
 * transcript), then the caller appends S bytes with wcur_bytes().
 */
int spdm_encode_challenge_auth_unsigned(struct wcur *w, const struct spdm_dec_params *p,
					const struct spdm_challenge_auth *a);
/*
 * meas_summary_type: what the CHALLENGE asked for (decides whether the hash
 * exists).  OpaqueDataLength above SPDM_MAX_OPAQUE_DATA_SIZE is -EPROTO.
 */
int spdm_decode_challenge_auth(const uint8_t *msg, size_t len, const struct spdm_dec_params *p,
			       uint8_t meas_summary_type, struct spdm_challenge_auth *a,
			       struct da_err *err);

/* ---- GET_MEASUREMENTS / MEASUREMENTS (measurements.c) ---- */
struct spdm_get_measurements {
	uint8_t attributes;		/* SPDM_MEAS_ATTR_* */
	uint8_t operation;		/* SPDM_MEAS_OP_* or an index */
	uint8_t nonce[SPDM_NONCE_SIZE];	/* if signature requested */
	uint8_t slot;			/* SlotIDParam, 1.1+, if signature requested */
	uint8_t req_context[SPDM_REQ_CONTEXT_SIZE]; /* 1.3 */
};
struct spdm_measurements {
	uint8_t param1;			/* op COUNT: number of indices */
	uint8_t param2;			/* [3:0] slot, [5:4] content changed (1.2) */
	uint8_t num_blocks;
	uint32_t record_len;		/* 24 bits */
	const uint8_t *record;
	const uint8_t *nonce;		/* NULL where the version omits it */
	uint16_t opaque_len;
	const uint8_t *opaque;
	const uint8_t *req_context;	/* 1.3 */
	const uint8_t *signature;	/* NULL if not signed */
	size_t signed_len;		/* bytes before the signature */
};
int spdm_encode_get_measurements(struct wcur *w, uint8_t version,
				 const struct spdm_get_measurements *g);
int spdm_decode_get_measurements(const uint8_t *msg, size_t len, uint8_t version,
				 struct spdm_get_measurements *g, struct da_err *err);
/* signed: whether a signature follows (caller appends it, as for CHALLENGE_AUTH) */
int spdm_encode_measurements_unsigned(struct wcur *w, const struct spdm_dec_params *p,
				      bool sig_requested, const struct spdm_measurements *m);
/*
 * NumberOfBlocks must equal the blocks in the record (0 for a COUNT
 * response); every block must be well formed.  The Nonce exists from 1.2,
 * or when a signature was requested (1.0/1.1).
 */
int spdm_decode_measurements(const uint8_t *msg, size_t len, const struct spdm_dec_params *p,
			     bool sig_requested, struct spdm_measurements *m,
			     struct da_err *err);

/* One measurement block (DMTF measurement specification). */
/* struct spdm_meas_block: public (devauth/spdm.h), with spdm_meas_record_next(). */
/*
 * Iterate the MeasurementRecord: returns 1 with *b filled, 0 at the end,
 * negative on a malformed block.  A DMTF block whose value size does not
 * equal MeasurementSize - 3 is malformed.
 */
int spdm_meas_block_next(struct cur *rec, struct spdm_meas_block *b, struct da_err *err);
void spdm_encode_meas_block(struct wcur *w, uint8_t index, uint8_t dmtf_type,
			    const uint8_t *value, uint16_t value_size);

/* ---- CHUNK_SEND / CHUNK_SEND_ACK / CHUNK_GET / CHUNK_RESPONSE (chunk.c, 1.2+) ---- */
#define SPDM_CHUNK_LAST			(1u << 0)	/* CHUNK_SEND, CHUNK_RESPONSE param1 */
#define SPDM_CHUNK_EARLY_ERROR		(1u << 0)	/* CHUNK_SEND_ACK param1 */
/* CHUNK_SEND / CHUNK_RESPONSE bytes before SPDMchunk; chunk 0 adds LargeMessageSize */
#define SPDM_CHUNK_HDR_SIZE		12
#define SPDM_CHUNK_FIRST_HDR_SIZE	16
#define SPDM_ERR_LARGE_RESPONSE_SIZE	5

struct spdm_chunk {
	uint8_t attributes;		/* param1: SPDM_CHUNK_LAST */
	uint8_t handle;			/* param2 */
	uint32_t seq;			/* ChunkSeqNo: 16 bits before 1.4, 32 from 1.4 */
	uint32_t size;			/* ChunkSize, > 0 */
	uint32_t large_size;		/* LargeMessageSize, chunk 0 only */
	const uint8_t *data;
};
struct spdm_chunk_ack {
	uint8_t attributes;		/* param1: SPDM_CHUNK_EARLY_ERROR */
	uint8_t handle;
	uint32_t seq;
	const uint8_t *rsp;		/* ResponseToLargeRequest, may be empty */
	size_t rsp_len;
};
/* Bytes of ChunkSeqNo in CHUNK_GET / CHUNK_SEND_ACK: 2, or 4 from 1.4. */
size_t spdm_chunk_seq_size(uint8_t version);
/* -EINVAL for an empty chunk or a sequence number the version cannot carry. */
int spdm_encode_chunk_send(struct wcur *w, uint8_t version, const struct spdm_chunk *c);
/* ChunkSize 0 is -EPROTO; ChunkSize past the message -EBADMSG. */
int spdm_decode_chunk_send(const uint8_t *msg, size_t len, uint8_t version,
			   struct spdm_chunk *c, struct da_err *err);
int spdm_encode_chunk_response(struct wcur *w, uint8_t version, const struct spdm_chunk *c);
int spdm_decode_chunk_response(const uint8_t *msg, size_t len, uint8_t version,
			       struct spdm_chunk *c, struct da_err *err);
int spdm_encode_chunk_send_ack(struct wcur *w, uint8_t version, const struct spdm_chunk_ack *a);
/* The rest of the message is ResponseToLargeRequest: returns len. */
int spdm_decode_chunk_send_ack(const uint8_t *msg, size_t len, uint8_t version,
			       struct spdm_chunk_ack *a, struct da_err *err);
int spdm_encode_chunk_get(struct wcur *w, uint8_t version, uint8_t handle, uint32_t seq);
int spdm_decode_chunk_get(const uint8_t *msg, size_t len, uint8_t version, uint8_t *handle,
			  uint32_t *seq, struct da_err *err);
/* ERROR LargeResponse: ErrorData 0, ExtendedErrorData = Handle. */
int spdm_encode_large_response(struct wcur *w, uint8_t version, uint8_t handle);
/* SPDMchunk bytes one message of dts bytes carries for chunk seq. */
size_t spdm_chunk_capacity(uint8_t version, uint32_t dts, uint32_t seq);

/*
 * Reassembly of one large message.  The owner sets version, dts (the
 * receiver's DataTransferSize: a message that fits it is not chunked)
 * and max_size (the receiver's MaxSPDMmsgSize).  Chunk 0 starts over;
 * every chunk must carry the handle of chunk 0 and the next ChunkSeqNo
 * (-EPROTO), and stay within LargeMessageSize (-EMSGSIZE, as is a
 * LargeMessageSize above max_size).  Returns 1 when LastChunk completed
 * exactly LargeMessageSize bytes (buf holds the message), 0 for more.
 */
struct spdm_chunk_rx {
	uint8_t version;
	uint32_t dts, max_size;
	bool active, done;
	uint8_t handle;
	uint32_t next_seq;
	uint32_t total;
	struct da_buf buf;
};
int spdm_chunk_rx_add(struct spdm_chunk_rx *rx, const struct spdm_chunk *c, const char *name,
		      struct da_err *err);
void spdm_chunk_rx_reset(struct spdm_chunk_rx *rx);
void spdm_chunk_rx_free(struct spdm_chunk_rx *rx);

/* ---- ERROR / RESPOND_IF_READY (error.c) ---- */
struct spdm_error {
	uint8_t code;
	uint8_t data;
	/* ResponseNotReady extended data */
	uint8_t rdt_exponent;
	uint8_t request_code;
	uint8_t token;
	uint8_t rdtm;
	const uint8_t *ext;
	size_t ext_len;
};
int spdm_encode_error(struct wcur *w, uint8_t version, uint8_t code, uint8_t data,
		      const uint8_t *ext, size_t ext_len);
int spdm_encode_response_not_ready(struct wcur *w, uint8_t version, uint8_t rdt_exponent,
				   uint8_t request_code, uint8_t token, uint8_t rdtm);
int spdm_decode_error(const uint8_t *msg, size_t len, struct spdm_error *e,
		      struct da_err *err);
int spdm_encode_respond_if_ready(struct wcur *w, uint8_t version, uint8_t request_code,
				 uint8_t token);
int spdm_decode_respond_if_ready(const uint8_t *msg, size_t len, uint8_t *request_code,
				 uint8_t *token, struct da_err *err);
/*
 * The one place SPDM ERROR codes become errno:
 * Busy -> -EBUSY, ResponseNotReady -> -EINPROGRESS (caller retries with
 * RESPOND_IF_READY), RequestResynch/ResetRequired -> -ECONNRESET,
 * VersionMismatch -> -EPROTO, UnsupportedRequest -> -EOPNOTSUPP,
 * InvalidRequest/UnexpectedRequest/others -> -EINVAL or -EPROTO.
 */
int spdm_error_to_errno(uint8_t code);

#endif
