/* SPDX-License-Identifier: MIT */
/*
 * TDISP 1.0 (PCIe r6.x 11.3) and IDE_KM (PCIe r6.x 6.33.3) messages, as
 * they travel in the payload of a PCI-SIG VENDOR_DEFINED message after
 * the protocol ID (lib/spdm/vendor_codec.h).
 *
 *   header.c     the TDISP header, GET_TDISP_VERSION, GET_TDISP_CAPABILITIES,
 *                TDISP_ERROR, names
 *   interface.c  LOCK_INTERFACE, GET_DEVICE_INTERFACE_STATE, START_INTERFACE,
 *                STOP_INTERFACE
 *   report.c     GET_DEVICE_INTERFACE_REPORT portions and the report structure
 *   ide_km.c     QUERY, KEY_PROG, K_SET_GO / K_SET_STOP and their answers
 *
 * As in lib/spdm/codec.h: decoders read only through struct cur, check
 * every length, return the true length (> 0) or -EBADMSG / -EPROTO with
 * "<MESSAGE>: <field> ..." in err, and do not check the message type
 * (the caller knows what it asked for).  A TDISP or IDE_KM message fills
 * its VENDOR_DEFINED payload exactly, so callers compare the true length
 * with the payload length.  Encoders return wcur_finish().
 */
#ifndef DEVAUTH_TDISP_CODEC_H
#define DEVAUTH_TDISP_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <devauth/error.h>
#include <devauth/tdisp.h>

#include "cursor.h"

#define TDISP_VER_10			0x10

/* Responses */
#define TDISP_VERSION			0x01
#define TDISP_CAPABILITIES		0x02
#define TDISP_LOCK_INTERFACE_RSP	0x03
#define TDISP_DEVICE_INTERFACE_REPORT	0x04
#define TDISP_DEVICE_INTERFACE_STATE	0x05
#define TDISP_START_INTERFACE_RSP	0x06
#define TDISP_STOP_INTERFACE_RSP	0x07
#define TDISP_ERROR			0x7F
/* Requests */
#define TDISP_GET_VERSION		0x81
#define TDISP_GET_CAPABILITIES		0x82
#define TDISP_LOCK_INTERFACE_REQ	0x83
#define TDISP_GET_DEVICE_INTERFACE_REPORT 0x84
#define TDISP_GET_DEVICE_INTERFACE_STATE 0x85
#define TDISP_START_INTERFACE_REQ	0x86
#define TDISP_STOP_INTERFACE_REQ	0x87


/* TDI states, lock flags, TDISP_NONCE_SIZE: devauth/tdisp.h */

/* TDISP_ERROR codes */
#define TDISP_ERR_INVALID_REQUEST	0x0001
#define TDISP_ERR_BUSY			0x0003
#define TDISP_ERR_INVALID_INTERFACE_STATE 0x0004
#define TDISP_ERR_UNSPECIFIED		0x0005
#define TDISP_ERR_UNSUPPORTED_REQUEST	0x0007
#define TDISP_ERR_VERSION_MISMATCH	0x0041
#define TDISP_ERR_VENDOR_SPECIFIC	0x00FF
#define TDISP_ERR_INVALID_INTERFACE	0x0101
#define TDISP_ERR_INVALID_NONCE		0x0102
#define TDISP_ERR_INSUFFICIENT_ENTROPY	0x0103
#define TDISP_ERR_INVALID_DEVICE_CONFIGURATION 0x0104


/* Report INTERFACE_INFO bits; the rest is reserved in TDISP 1.0. */
#define TDISP_INFO_NO_UPDATE_AFTER_LOCK	0x0001
#define TDISP_INFO_DMA_WITHOUT_PASID	0x0002
#define TDISP_INFO_DMA_WITH_PASID	0x0004
#define TDISP_INFO_ATS			0x0008
#define TDISP_INFO_PRS			0x0010
#define TDISP_INFO_RESERVED		0xFFE0

/* MMIO_RANGE attributes (bits 15:0 of the attribute dword; 31:16 is the range ID). */
#define TDISP_MMIO_MSIX_TABLE		0x0001
#define TDISP_MMIO_MSIX_PBA		0x0002
#define TDISP_MMIO_NON_TEE		0x0004
#define TDISP_MMIO_ATTR_UPDATABLE	0x0008
#define TDISP_MMIO_RESERVED		0xFFF0

#define TDISP_HDR_SIZE			16
#define TDISP_CAPS_REQ_SIZE		(TDISP_HDR_SIZE + 4)
#define TDISP_CAPS_RSP_SIZE		(TDISP_HDR_SIZE + 28)
#define TDISP_LOCK_REQ_SIZE		(TDISP_HDR_SIZE + 20)
#define TDISP_LOCK_RSP_SIZE		(TDISP_HDR_SIZE + TDISP_NONCE_SIZE)
#define TDISP_REPORT_REQ_SIZE		(TDISP_HDR_SIZE + 4)
#define TDISP_REPORT_RSP_FIXED		(TDISP_HDR_SIZE + 4)
#define TDISP_STATE_RSP_SIZE		(TDISP_HDR_SIZE + 1)
#define TDISP_START_REQ_SIZE		(TDISP_HDR_SIZE + TDISP_NONCE_SIZE)
#define TDISP_ERROR_FIXED		(TDISP_HDR_SIZE + 8)
#define TDISP_REPORT_FIXED		16
#define TDISP_MMIO_RANGE_SIZE		16
/* Offsets and lengths of a report are 16-bit. */
#define TDISP_REPORT_MAX		0xFFFF

/* INTERFACE_ID: FUNCTION_ID (requester ID, segment, segment valid) + 8 reserved bytes. */
struct tdisp_iface {
	uint32_t function_id;
	uint64_t reserved;
};

struct tdisp_hdr {
	uint8_t version;
	uint8_t type;
	uint16_t reserved;
	struct tdisp_iface iface;
};

struct tdisp_version_rsp {
	uint8_t count;
	const uint8_t *versions;	/* count entries, major << 4 | minor */
};

struct tdisp_caps {
	uint32_t dsm_caps;
	uint8_t req_msg_supported[16];	/* bit n: request code 0x80 + n */
	uint16_t lock_flags_supported;
	uint8_t dev_addr_width;
	uint8_t num_req_this;
	uint8_t num_req_all;
};

struct tdisp_lock_params {
	uint16_t flags;
	uint8_t default_stream_id;
	uint64_t mmio_reporting_offset;
	uint64_t bind_p2p_address_mask;
};

struct tdisp_report_portion {
	uint16_t portion_len;
	uint16_t remainder_len;
	const uint8_t *data;
};

struct tdisp_mmio_range {
	uint64_t first_page;		/* byte address of the first 4 KiB page */
	uint32_t pages;
	uint16_t attributes;
	uint16_t range_id;
};

/* The DEVICE_INTERFACE_REPORT structure; pointers borrow from the report. */
struct tdisp_report {
	uint16_t interface_info;
	uint16_t reserved;
	uint16_t msix_control;
	uint16_t lnr_control;
	uint32_t tph_control;
	uint32_t mmio_count;
	const uint8_t *mmio;		/* mmio_count * TDISP_MMIO_RANGE_SIZE bytes */
	uint32_t dsi_len;
	const uint8_t *dsi;		/* device-specific information */
};

struct tdisp_error {
	uint32_t code;
	uint32_t data;
	size_t ext_len;
	const uint8_t *ext;		/* extended error data */
};

/* header.c */
/* For the decoders: "TDISP <MESSAGE>: truncated at <field> (<len> bytes)", -EBADMSG. */
int tdisp_trunc(struct da_err *err, const char *msg, const char *field, size_t len);
void tdisp_encode_hdr(struct wcur *w, uint8_t version, uint8_t type,
		      const struct tdisp_iface *iface);
/* A message that is only the header (GET_VERSION, GET_STATE, STOP, START_RSP, ...). */
int tdisp_encode_simple(struct wcur *w, uint8_t version, uint8_t type,
			const struct tdisp_iface *iface);
long tdisp_decode_hdr(const uint8_t *msg, size_t len, struct tdisp_hdr *h, struct da_err *err);
/* A header-only message of that name: exactly the header. */
long tdisp_decode_simple(const uint8_t *msg, size_t len, const char *name, struct da_err *err);
int tdisp_encode_version_rsp(struct wcur *w, const struct tdisp_iface *iface,
			     const uint8_t *versions, uint8_t count);
long tdisp_decode_version_rsp(const uint8_t *msg, size_t len, struct tdisp_version_rsp *v,
			      struct da_err *err);
int tdisp_encode_get_caps(struct wcur *w, uint8_t version, const struct tdisp_iface *iface,
			  uint32_t tsm_caps);
long tdisp_decode_get_caps(const uint8_t *msg, size_t len, uint32_t *tsm_caps,
			   struct da_err *err);
int tdisp_encode_caps_rsp(struct wcur *w, uint8_t version, const struct tdisp_iface *iface,
			  const struct tdisp_caps *c);
long tdisp_decode_caps_rsp(const uint8_t *msg, size_t len, struct tdisp_caps *c,
			   struct da_err *err);
int tdisp_encode_error(struct wcur *w, uint8_t version, const struct tdisp_iface *iface,
		       uint32_t code, uint32_t data);
long tdisp_decode_error(const uint8_t *msg, size_t len, struct tdisp_error *e,
			struct da_err *err);
const char *tdisp_msg_name(uint8_t type);
const char *tdisp_error_name(uint32_t code);
int tdisp_error_to_errno(uint32_t code);

/* interface.c */
int tdisp_encode_lock(struct wcur *w, uint8_t version, const struct tdisp_iface *iface,
		      const struct tdisp_lock_params *p);
long tdisp_decode_lock(const uint8_t *msg, size_t len, struct tdisp_lock_params *p,
		       struct da_err *err);
int tdisp_encode_lock_rsp(struct wcur *w, uint8_t version, const struct tdisp_iface *iface,
			  const uint8_t nonce[TDISP_NONCE_SIZE]);
long tdisp_decode_lock_rsp(const uint8_t *msg, size_t len, uint8_t nonce[TDISP_NONCE_SIZE],
			   struct da_err *err);
int tdisp_encode_state_rsp(struct wcur *w, uint8_t version, const struct tdisp_iface *iface,
			   uint8_t state);
long tdisp_decode_state_rsp(const uint8_t *msg, size_t len, uint8_t *state,
			    struct da_err *err);
int tdisp_encode_start(struct wcur *w, uint8_t version, const struct tdisp_iface *iface,
		       const uint8_t nonce[TDISP_NONCE_SIZE]);
long tdisp_decode_start(const uint8_t *msg, size_t len, uint8_t nonce[TDISP_NONCE_SIZE],
			struct da_err *err);

/* report.c */
int tdisp_encode_get_report(struct wcur *w, uint8_t version, const struct tdisp_iface *iface,
			    uint16_t offset, uint16_t length);
long tdisp_decode_get_report(const uint8_t *msg, size_t len, uint16_t *offset,
			     uint16_t *length, struct da_err *err);
int tdisp_encode_report_rsp(struct wcur *w, uint8_t version, const struct tdisp_iface *iface,
			    const uint8_t *portion, uint16_t portion_len, uint16_t remainder_len);
long tdisp_decode_report_rsp(const uint8_t *msg, size_t len, struct tdisp_report_portion *p,
			     struct da_err *err);
/*
 * The whole report: every count and length against the bytes, nothing
 * after the device-specific information.  Reserved bits are left to the
 * verifier's policy (the structure stays decodable).
 */
long tdisp_decode_report(const uint8_t *rep, size_t len, struct tdisp_report *r,
			 struct da_err *err);
/* Range i < r->mmio_count of a decoded report. */
void tdisp_report_range(const struct tdisp_report *r, uint32_t i, struct tdisp_mmio_range *out);
int tdisp_encode_report(struct wcur *w, const struct tdisp_report *r,
			const struct tdisp_mmio_range *ranges);

/* ---- IDE_KM (ide_km.c) ---- */
#define IDEKM_QUERY			0x00
#define IDEKM_QUERY_RESP		0x01
#define IDEKM_KEY_PROG			0x02
#define IDEKM_KP_ACK			0x03
#define IDEKM_K_SET_GO			0x04
#define IDEKM_K_SET_STOP		0x05
#define IDEKM_K_GOSTOP_ACK		0x06

/* KEY_PROG / K_SET_*: the key set, direction and sub-stream byte. */
#define IDEKM_KSS_K1			0x01
#define IDEKM_KSS_TX			0x02
#define IDEKM_KSS_SUB_PR		0x00
#define IDEKM_KSS_SUB_NPR		0x10
#define IDEKM_KSS_SUB_CPL		0x20

#define IDEKM_KP_SUCCESS		0x00
#define IDEKM_KP_INCORRECT_LENGTH	0x01
#define IDEKM_KP_UNSUPPORTED_PORT	0x02
#define IDEKM_KP_UNSUPPORTED_VALUE	0x03
#define IDEKM_KP_UNSPECIFIED		0x04

#define IDEKM_QUERY_SIZE		3
#define IDEKM_QUERY_RESP_FIXED		7
#define IDEKM_STREAM_MSG_SIZE		7	/* KP_ACK, K_SET_GO, K_SET_STOP, K_GOSTOP_ACK */
#define IDEKM_KEY_SIZE			32	/* AES-256-GCM, 8 DW */
#define IDEKM_IFV_SIZE			8	/* the IV's invocation field, 2 DW */
#define IDEKM_KEY_PROG_SIZE		(IDEKM_STREAM_MSG_SIZE + IDEKM_KEY_SIZE + IDEKM_IFV_SIZE)
/* The IDE extended capability carried by QUERY_RESP, in dwords. */
#define IDEKM_MAX_REGS			(2 + 8 * 2 + 255 * (5 + 15 * 3))

struct idekm_query_resp {
	uint8_t port_index;
	uint8_t dev_func;
	uint8_t bus;
	uint8_t segment;
	uint8_t max_port_index;
	uint32_t nregs;
	const uint8_t *regs;		/* nregs little-endian dwords */
};

struct idekm_stream {
	uint8_t stream_id;
	uint8_t kss;			/* IDEKM_KSS_* */
	uint8_t port_index;
	uint8_t status;			/* KP_ACK only */
};

int idekm_encode_query(struct wcur *w, uint8_t port_index);
long idekm_decode_query(const uint8_t *msg, size_t len, uint8_t *port_index, struct da_err *err);
int idekm_encode_query_resp(struct wcur *w, const struct idekm_query_resp *q);
long idekm_decode_query_resp(const uint8_t *msg, size_t len, struct idekm_query_resp *q,
			     struct da_err *err);
int idekm_encode_key_prog(struct wcur *w, const struct idekm_stream *s,
			  const uint8_t key[IDEKM_KEY_SIZE], const uint8_t ifv[IDEKM_IFV_SIZE]);
/* key and ifv borrow from msg. */
long idekm_decode_key_prog(const uint8_t *msg, size_t len, struct idekm_stream *s,
			   const uint8_t **key, const uint8_t **ifv, struct da_err *err);
/* KP_ACK, K_SET_GO, K_SET_STOP, K_GOSTOP_ACK: object ID and the stream fields. */
int idekm_encode_stream_msg(struct wcur *w, uint8_t object, const struct idekm_stream *s);
long idekm_decode_stream_msg(const uint8_t *msg, size_t len, uint8_t object,
			     struct idekm_stream *s, struct da_err *err);
const char *idekm_msg_name(uint8_t object);
const char *idekm_kp_status_name(uint8_t status);

#endif
