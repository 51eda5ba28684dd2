/* SPDX-License-Identifier: MIT */
/*
 * CXL IDE_KM (CXL 3.x 11.4.x) and CXL TSP (CXL 3.1 11.5), the payloads
 * of a VENDOR_DEFINED message with the PCI-SIG standard ID and the CXL
 * vendor ID 0x1E98, after the protocol ID (0 IDE_KM, 1 TSP).
 *
 *   cxl_ide_km.c  QUERY / QUERY_RESP, KEY_PROG / KP_ACK, K_SET_GO /
 *                 K_SET_STOP / K_GOSTOP_ACK, GET_KEY / GET_KEY_ACK
 *   cxl_tsp.c     the TSP header, GET_VERSION, GET_CAPABILITIES,
 *                 SET / GET_CONFIGURATION, GET_CONFIGURATION_REPORT,
 *                 LOCK_CONFIGURATION, SET_TE_STATE, ERROR
 *
 * Conventions of tdisp_codec.h: decoders read through struct cur, return
 * the true length or -EBADMSG / -EPROTO with the message and field in
 * err; encoders return wcur_finish().  Decoders also refuse non-zero
 * reserved fields: a device must, and a requester learns nothing from
 * one.
 */
#ifndef DEVAUTH_CXL_CODEC_H
#define DEVAUTH_CXL_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <devauth/error.h>

#include "cursor.h"

#define CXL_VENDOR_ID			0x1E98
#define CXL_PROTOCOL_IDE_KM		0x00
#define CXL_PROTOCOL_TSP		0x01

/* ---- IDE_KM (cxl_ide_km.c) ---- */
#define CXL_IDEKM_QUERY			0x00
#define CXL_IDEKM_QUERY_RESP		0x01
#define CXL_IDEKM_KEY_PROG		0x02
#define CXL_IDEKM_KP_ACK		0x03
#define CXL_IDEKM_K_SET_GO		0x04
#define CXL_IDEKM_K_SET_STOP		0x05
#define CXL_IDEKM_K_GOSTOP_ACK		0x06
#define CXL_IDEKM_GET_KEY		0x07
#define CXL_IDEKM_GET_KEY_ACK		0x08

/* QUERY_RESP Caps */
#define CXL_IDEKM_CAP_VERSION_1		0x01
#define CXL_IDEKM_CAP_VERSION_MASK	0x0F
#define CXL_IDEKM_CAP_IV_GEN		0x10
#define CXL_IDEKM_CAP_KEY_GEN		0x20
#define CXL_IDEKM_CAP_K_SET_STOP	0x40

/* The key sub-stream byte: bit 1 direction, bit 3 IV (KEY_PROG) or mode (K_SET_GO). */
#define CXL_IDEKM_KSS_TX		0x02
#define CXL_IDEKM_KSS_IV_DEFAULT	0x08
#define CXL_IDEKM_KSS_CONTAINMENT	0x08
#define CXL_IDEKM_KSS_SUB_MASK		0xF0
#define CXL_IDEKM_KSS_SUB_CXL		0x80
/* bits 0 and 2 are reserved everywhere; bit 3 in GET_KEY and K_SET_STOP */
#define CXL_IDEKM_KSS_RESERVED		0x05

#define CXL_IDEKM_KP_SUCCESS		0x00
#define CXL_IDEKM_KP_INVALID		0x01

#define CXL_IDEKM_QUERY_SIZE		3
#define CXL_IDEKM_QUERY_RESP_FIXED	8
#define CXL_IDEKM_STREAM_SIZE		7
#define CXL_IDEKM_KEY_SIZE		32	/* AES-256-GCM, 8 DW */
#define CXL_IDEKM_IV_SIZE		12	/* 3 DW */
#define CXL_IDEKM_KEY_MSG_SIZE		(CXL_IDEKM_STREAM_SIZE + CXL_IDEKM_KEY_SIZE + \
					 CXL_IDEKM_IV_SIZE)
/* The CXL IDE capability structure QUERY_RESP carries. */
#define CXL_IDE_CAP_SIZE		0x24

struct cxl_idekm_query_resp {
	uint8_t port_index;
	uint8_t dev_func, bus, segment;
	uint8_t max_port_index;
	uint8_t caps;			/* CXL_IDEKM_CAP_* */
	const uint8_t *ide_cap;		/* CXL_IDE_CAP_SIZE bytes */
};

struct cxl_idekm_stream {
	uint8_t stream_id;
	uint8_t kss;			/* CXL_IDEKM_KSS_* */
	uint8_t port_index;
	uint8_t status;			/* KP_ACK only */
};

long cxl_idekm_decode_query(const uint8_t *msg, size_t len, uint8_t *port_index,
			    struct da_err *err);
int cxl_idekm_encode_query_resp(struct wcur *w, const struct cxl_idekm_query_resp *q);
/*
 * KP_ACK, K_SET_GO, K_SET_STOP, K_GOSTOP_ACK, GET_KEY: the object ID
 * and the stream fields, exactly CXL_IDEKM_STREAM_SIZE bytes.
 */
long cxl_idekm_decode_stream(const uint8_t *msg, size_t len, uint8_t object,
			     struct cxl_idekm_stream *s, struct da_err *err);
int cxl_idekm_encode_stream(struct wcur *w, uint8_t object, const struct cxl_idekm_stream *s);
/* KEY_PROG and GET_KEY_ACK: the stream fields, the key and the IV (borrowed from msg). */
long cxl_idekm_decode_key_msg(const uint8_t *msg, size_t len, uint8_t object,
			      struct cxl_idekm_stream *s, const uint8_t **key,
			      const uint8_t **iv, struct da_err *err);
int cxl_idekm_encode_key_msg(struct wcur *w, uint8_t object, const struct cxl_idekm_stream *s,
			     const uint8_t key[CXL_IDEKM_KEY_SIZE],
			     const uint8_t iv[CXL_IDEKM_IV_SIZE]);
const char *cxl_idekm_msg_name(uint8_t object);

/* ---- TSP (cxl_tsp.c) ---- */
#define CXL_TSP_VER_10			0x10

#define CXL_TSP_GET_VERSION		0x81
#define CXL_TSP_GET_CAPABILITIES	0x82
#define CXL_TSP_SET_CONFIGURATION	0x83
#define CXL_TSP_GET_CONFIGURATION	0x84
#define CXL_TSP_GET_CONFIGURATION_REPORT 0x85
#define CXL_TSP_LOCK_CONFIGURATION	0x86
#define CXL_TSP_SET_TE_STATE		0x8D
#define CXL_TSP_ERROR			0x7F
/* a response's opcode is its request's with bit 7 clear */
#define CXL_TSP_RSP(op)			((uint8_t)((op) & 0x7F))

#define CXL_TSP_ERR_INVALID_REQUEST	0x01
#define CXL_TSP_ERR_BUSY		0x02
#define CXL_TSP_ERR_UNSPECIFIED		0x03
#define CXL_TSP_ERR_UNSUPPORTED_REQUEST	0x04
#define CXL_TSP_ERR_VERSION_MISMATCH	0x05
#define CXL_TSP_ERR_NO_PRIVILEGE	0x07
#define CXL_TSP_ERR_INVALID_SECURITY_CONFIGURATION 0x0A
#define CXL_TSP_ERR_INVALID_SECURITY_STATE 0x0B
#define CXL_TSP_ERR_ALREADY_LOCKED	0x0D

#define CXL_TSP_STATE_CONFIG_UNLOCKED	0
#define CXL_TSP_STATE_CONFIG_LOCKED	1
#define CXL_TSP_STATE_ERROR		2

/* Capability and configuration bits */
#define CXL_TSP_MEM_ENC_ENCRYPTION	0x0001
#define CXL_TSP_MEM_ALGO_AES_XTS_128	0x00000001
#define CXL_TSP_MEM_ALGO_AES_XTS_256	0x00000002
#define CXL_TSP_TE_WRITE_ACCESS		0x0001
#define CXL_TSP_TE_READ_ACCESS		0x0002
#define CXL_TSP_TE_IMPLICIT		0x0004
#define CXL_TSP_TE_EXPLICIT_OOB		0x0008
#define CXL_TSP_TE_EXPLICIT_IB		0x0010
#define CXL_TSP_CFG_LOCKED_FW_UPDATE	0x0001
#define CXL_TSP_CFG_ADDITIONAL_SESSIONS	0x0002	/* capabilities only */
#define CXL_TSP_CFG_SPECIAL_PURPOSE_MEM	0x0002	/* SET_CONFIGURATION only */

#define CXL_TSP_MAX_SECONDARY		4
#define CXL_TSP_PSK_SIZE		32
#define CXL_TSP_IB_GRAN_ENTRIES		8
#define CXL_TSP_IB_GRAN_UNUSED		0xFF	/* an entry's length index */

#define CXL_TSP_HDR_SIZE		4	/* version, opcode, reserved 2 */
#define CXL_TSP_CAPS_RSP_SIZE		52
#define CXL_TSP_SET_CONFIG_SIZE		352
#define CXL_TSP_GET_CONFIG_RSP_SIZE	192
#define CXL_TSP_REPORT_REQ_SIZE		8
#define CXL_TSP_REPORT_RSP_FIXED	8
#define CXL_TSP_TE_STATE_FIXED		16
#define CXL_TSP_MEM_RANGE_SIZE		16
#define CXL_TSP_ERROR_SIZE		12
#define CXL_TSP_MAX_RANGES		32

struct cxl_tsp_caps {
	uint16_t mem_enc_features;
	uint32_t mem_enc_algorithms;
	uint16_t range_keys;
	uint16_t te_features;
	uint32_t oob_granularity, ib_granularity;
	uint16_t cfg_features;
	uint32_t ckids;
	uint8_t secondary_sessions;
};

struct cxl_tsp_ib_gran {
	uint64_t granularity;
	uint8_t length_index;		/* CXL_TSP_IB_GRAN_UNUSED: no entry */
};

/* SET_CONFIGURATION's fields, and GET_CONFIGURATION_RSP's without the PSKs. */
struct cxl_tsp_config {
	uint16_t mem_enc_features;
	uint32_t mem_enc_algorithm;
	uint16_t te_features;
	uint32_t oob_granularity;
	uint16_t cfg_features;
	uint32_t ckid_base, ckids;
	struct cxl_tsp_ib_gran ib[CXL_TSP_IB_GRAN_ENTRIES];
	uint16_t validity;		/* bit i: secondary session i's PSK is valid */
	uint8_t secondary_ckid_type;
	uint8_t psk[CXL_TSP_MAX_SECONDARY][CXL_TSP_PSK_SIZE];
};

struct cxl_tsp_range {
	uint64_t start, length;
};

struct cxl_tsp_te_state {
	uint8_t te_state;
	uint8_t nranges;
	struct cxl_tsp_range range[CXL_TSP_MAX_RANGES];
};

/*
 * The header of any TSP message: the version and opcode; -EPROTO for a
 * version other than 1.0 (the device answers VERSION_MISMATCH).
 */
long cxl_tsp_decode_header(const uint8_t *msg, size_t len, uint8_t *opcode, struct da_err *err);
/* A request of only the header and reserved 2 (GET_VERSION, GET_CAPABILITIES, ...). */
long cxl_tsp_decode_bare(const uint8_t *msg, size_t len, uint8_t opcode, struct da_err *err);
int cxl_tsp_encode_bare(struct wcur *w, uint8_t opcode);
int cxl_tsp_encode_version_rsp(struct wcur *w, const uint8_t *versions, uint8_t n);
int cxl_tsp_encode_caps_rsp(struct wcur *w, const struct cxl_tsp_caps *c);
long cxl_tsp_decode_set_config(const uint8_t *msg, size_t len, struct cxl_tsp_config *c,
			       struct da_err *err);
int cxl_tsp_encode_get_config_rsp(struct wcur *w, const struct cxl_tsp_config *c, uint8_t state);
long cxl_tsp_decode_report_req(const uint8_t *msg, size_t len, uint16_t *offset,
			       uint16_t *length, struct da_err *err);
int cxl_tsp_encode_report_rsp(struct wcur *w, const uint8_t *portion, uint16_t n,
			      uint16_t remainder);
long cxl_tsp_decode_te_state(const uint8_t *msg, size_t len, struct cxl_tsp_te_state *t,
			     struct da_err *err);
int cxl_tsp_encode_error(struct wcur *w, uint32_t code, uint32_t data);
const char *cxl_tsp_msg_name(uint8_t opcode);

#endif
