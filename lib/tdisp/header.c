// SPDX-License-Identifier: MIT
/* The TDISP header, GET_TDISP_VERSION, GET_TDISP_CAPABILITIES, TDISP_ERROR, names. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "tdisp_codec.h"

struct tdisp_wire_hdr {
	uint8_t version;
	uint8_t type;
	uint8_t reserved[2];
	uint32_t function_id;
	uint64_t iface_reserved;
} __attribute__((packed));
_Static_assert(sizeof(struct tdisp_wire_hdr) == TDISP_HDR_SIZE, "TDISP header");

struct tdisp_wire_caps_rsp {
	struct tdisp_wire_hdr hdr;
	uint32_t dsm_caps;
	uint8_t req_msg_supported[16];
	uint16_t lock_flags_supported;
	uint8_t reserved[3];
	uint8_t dev_addr_width;
	uint8_t num_req_this;
	uint8_t num_req_all;
} __attribute__((packed));
_Static_assert(sizeof(struct tdisp_wire_caps_rsp) == TDISP_CAPS_RSP_SIZE, "CAPABILITIES");

struct tdisp_wire_error {
	struct tdisp_wire_hdr hdr;
	uint32_t code;
	uint32_t data;
} __attribute__((packed));
_Static_assert(sizeof(struct tdisp_wire_error) == TDISP_ERROR_FIXED, "TDISP_ERROR");

int tdisp_trunc(struct da_err *err, const char *msg, const char *field, size_t len)
{
	return da_errf(err, -EBADMSG, "TDISP %s: truncated at %s (%zu bytes)", msg, field, len);
}

void tdisp_encode_hdr(struct wcur *w, uint8_t version, uint8_t type,
		      const struct tdisp_iface *iface)
{
	wcur_u8(w, version);
	wcur_u8(w, type);
	wcur_u16(w, 0);
	wcur_u32(w, iface->function_id);
	wcur_u64(w, iface->reserved);
}

int tdisp_encode_simple(struct wcur *w, uint8_t version, uint8_t type,
			const struct tdisp_iface *iface)
{
	tdisp_encode_hdr(w, version, type, iface);
	return (int)wcur_finish(w);
}

static int hdr_cur(struct cur *c, struct tdisp_hdr *h)
{
	return cur_u8(c, &h->version) || cur_u8(c, &h->type) || cur_u16(c, &h->reserved) ||
	       cur_u32(c, &h->iface.function_id) || cur_u64(c, &h->iface.reserved) ?
	       -EBADMSG : 0;
}

long tdisp_decode_hdr(const uint8_t *msg, size_t len, struct tdisp_hdr *h, struct da_err *err)
{
	struct cur c = cur_init(msg, len);

	if (hdr_cur(&c, h))
		return tdisp_trunc(err, "message", "header", len);
	return TDISP_HDR_SIZE;
}

long tdisp_decode_simple(const uint8_t *msg, size_t len, const char *name, struct da_err *err)
{
	struct tdisp_hdr h;

	if (len < TDISP_HDR_SIZE)
		return tdisp_trunc(err, name, "header", len);
	return tdisp_decode_hdr(msg, len, &h, err);
}

int tdisp_encode_version_rsp(struct wcur *w, const struct tdisp_iface *iface,
			     const uint8_t *versions, uint8_t count)
{
	tdisp_encode_hdr(w, TDISP_VER_10, TDISP_VERSION, iface);
	wcur_u8(w, count);
	wcur_bytes(w, versions, count);
	return (int)wcur_finish(w);
}

long tdisp_decode_version_rsp(const uint8_t *msg, size_t len, struct tdisp_version_rsp *v,
			      struct da_err *err)
{
	struct cur c = cur_init(msg, len);
	struct tdisp_hdr h;

	if (hdr_cur(&c, &h))
		return tdisp_trunc(err, "VERSION", "header", len);
	if (cur_u8(&c, &v->count))
		return tdisp_trunc(err, "VERSION", "VERSION_NUM_COUNT", len);
	if (!v->count)
		return da_errf(err, -EPROTO, "TDISP VERSION: VERSION_NUM_COUNT is 0");
	if (cur_ptr(&c, v->count, &v->versions))
		return da_errf(err, -EBADMSG,
			       "TDISP VERSION: VERSION_NUM_COUNT %u overruns the message (%zu bytes)",
			       v->count, len);
	return (long)c.off;
}

int tdisp_encode_get_caps(struct wcur *w, uint8_t version, const struct tdisp_iface *iface,
			  uint32_t tsm_caps)
{
	tdisp_encode_hdr(w, version, TDISP_GET_CAPABILITIES, iface);
	wcur_u32(w, tsm_caps);
	return (int)wcur_finish(w);
}

long tdisp_decode_get_caps(const uint8_t *msg, size_t len, uint32_t *tsm_caps,
			   struct da_err *err)
{
	struct cur c = cur_init(msg, len);
	struct tdisp_hdr h;

	if (hdr_cur(&c, &h) || cur_u32(&c, tsm_caps))
		return tdisp_trunc(err, "GET_CAPABILITIES", "TSM_CAPS", len);
	return TDISP_CAPS_REQ_SIZE;
}

int tdisp_encode_caps_rsp(struct wcur *w, uint8_t version, const struct tdisp_iface *iface,
			  const struct tdisp_caps *c)
{
	tdisp_encode_hdr(w, version, TDISP_CAPABILITIES, iface);
	wcur_u32(w, c->dsm_caps);
	wcur_bytes(w, c->req_msg_supported, sizeof(c->req_msg_supported));
	wcur_u16(w, c->lock_flags_supported);
	wcur_zero(w, 3);
	wcur_u8(w, c->dev_addr_width);
	wcur_u8(w, c->num_req_this);
	wcur_u8(w, c->num_req_all);
	return (int)wcur_finish(w);
}

long tdisp_decode_caps_rsp(const uint8_t *msg, size_t len, struct tdisp_caps *caps,
			   struct da_err *err)
{
	struct cur c = cur_init(msg, len);
	struct tdisp_hdr h;

	if (hdr_cur(&c, &h))
		return tdisp_trunc(err, "CAPABILITIES", "header", len);
	if (cur_u32(&c, &caps->dsm_caps) ||
	    cur_bytes(&c, caps->req_msg_supported, sizeof(caps->req_msg_supported)) ||
	    cur_u16(&c, &caps->lock_flags_supported) || cur_skip(&c, 3) ||
	    cur_u8(&c, &caps->dev_addr_width) || cur_u8(&c, &caps->num_req_this) ||
	    cur_u8(&c, &caps->num_req_all))
		return tdisp_trunc(err, "CAPABILITIES", "responder capabilities", len);
	return TDISP_CAPS_RSP_SIZE;
}

int tdisp_encode_error(struct wcur *w, uint8_t version, const struct tdisp_iface *iface,
		       uint32_t code, uint32_t data)
{
	tdisp_encode_hdr(w, version, TDISP_ERROR, iface);
	wcur_u32(w, code);
	wcur_u32(w, data);
	return (int)wcur_finish(w);
}

long tdisp_decode_error(const uint8_t *msg, size_t len, struct tdisp_error *e,
			struct da_err *err)
{
	struct cur c = cur_init(msg, len);
	struct tdisp_hdr h;

	if (hdr_cur(&c, &h))
		return tdisp_trunc(err, "TDISP_ERROR", "header", len);
	if (cur_u32(&c, &e->code) || cur_u32(&c, &e->data))
		return tdisp_trunc(err, "TDISP_ERROR", "ERROR_CODE", len);
	/* Extended error data has no length field: it is the rest of the payload. */
	cur_rest(&c, &e->ext, &e->ext_len);
	return (long)c.off;
}

const char *tdisp_msg_name(uint8_t type)
{
	switch (type) {
	case TDISP_VERSION: return "TDISP_VERSION";
	case TDISP_CAPABILITIES: return "TDISP_CAPABILITIES";
	case TDISP_LOCK_INTERFACE_RSP: return "LOCK_INTERFACE_RESPONSE";
	case TDISP_DEVICE_INTERFACE_REPORT: return "DEVICE_INTERFACE_REPORT";
	case TDISP_DEVICE_INTERFACE_STATE: return "DEVICE_INTERFACE_STATE";
	case TDISP_START_INTERFACE_RSP: return "START_INTERFACE_RESPONSE";
	case TDISP_STOP_INTERFACE_RSP: return "STOP_INTERFACE_RESPONSE";
	case TDISP_ERROR: return "TDISP_ERROR";
	case TDISP_GET_VERSION: return "GET_TDISP_VERSION";
	case TDISP_GET_CAPABILITIES: return "GET_TDISP_CAPABILITIES";
	case TDISP_LOCK_INTERFACE_REQ: return "LOCK_INTERFACE_REQUEST";
	case TDISP_GET_DEVICE_INTERFACE_REPORT: return "GET_DEVICE_INTERFACE_REPORT";
	case TDISP_GET_DEVICE_INTERFACE_STATE: return "GET_DEVICE_INTERFACE_STATE";
	case TDISP_START_INTERFACE_REQ: return "START_INTERFACE_REQUEST";
	case TDISP_STOP_INTERFACE_REQ: return "STOP_INTERFACE_REQUEST";
	default: return "unknown TDISP message";
	}
}

const char *tdisp_error_name(uint32_t code)
{
	switch (code) {
	case TDISP_ERR_INVALID_REQUEST: return "INVALID_REQUEST";
	case TDISP_ERR_BUSY: return "BUSY";
	case TDISP_ERR_INVALID_INTERFACE_STATE: return "INVALID_INTERFACE_STATE";
	case TDISP_ERR_UNSPECIFIED: return "UNSPECIFIED";
	case TDISP_ERR_UNSUPPORTED_REQUEST: return "UNSUPPORTED_REQUEST";
	case TDISP_ERR_VERSION_MISMATCH: return "VERSION_MISMATCH";
	case TDISP_ERR_VENDOR_SPECIFIC: return "VENDOR_SPECIFIC_ERROR";
	case TDISP_ERR_INVALID_INTERFACE: return "INVALID_INTERFACE";
	case TDISP_ERR_INVALID_NONCE: return "INVALID_NONCE";
	case TDISP_ERR_INSUFFICIENT_ENTROPY: return "INSUFFICIENT_ENTROPY";
	case TDISP_ERR_INVALID_DEVICE_CONFIGURATION: return "INVALID_DEVICE_CONFIGURATION";
	default: return "reserved";
	}
}

const char *tdisp_state_name(uint8_t state)
{
	switch (state) {
	case TDISP_STATE_CONFIG_UNLOCKED: return "CONFIG_UNLOCKED";
	case TDISP_STATE_CONFIG_LOCKED: return "CONFIG_LOCKED";
	case TDISP_STATE_RUN: return "RUN";
	case TDISP_STATE_ERROR: return "ERROR";
	default: return "reserved";
	}
}

int tdisp_error_to_errno(uint32_t code)
{
	switch (code) {
	case TDISP_ERR_INVALID_REQUEST: return -EINVAL;
	case TDISP_ERR_BUSY: return -EBUSY;
	case TDISP_ERR_INVALID_INTERFACE_STATE: return -EPERM;
	case TDISP_ERR_UNSUPPORTED_REQUEST: return -EOPNOTSUPP;
	case TDISP_ERR_VERSION_MISMATCH: return -EPROTONOSUPPORT;
	case TDISP_ERR_INVALID_INTERFACE: return -ENODEV;
	case TDISP_ERR_INVALID_NONCE: return -EACCES;
	case TDISP_ERR_INSUFFICIENT_ENTROPY: return -EAGAIN;
	case TDISP_ERR_INVALID_DEVICE_CONFIGURATION: return -EINVAL;
	default: return -EIO;
	}
}
