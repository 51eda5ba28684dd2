// SPDX-License-Identifier: MIT
/*
 * LOCK_INTERFACE_REQUEST / LOCK_INTERFACE_RESPONSE, DEVICE_INTERFACE_STATE,
 * START_INTERFACE_REQUEST (GET_DEVICE_INTERFACE_STATE, STOP_INTERFACE and
 * the START/STOP responses are header-only: tdisp_encode_simple()).
 */
#include <errno.h>
#include <string.h>

#include "tdisp_codec.h"

struct tdisp_wire_lock_req {
	uint8_t hdr[TDISP_HDR_SIZE];
	uint16_t flags;
	uint8_t default_stream_id;
	uint8_t reserved;
	uint64_t mmio_reporting_offset;
	uint64_t bind_p2p_address_mask;
} __attribute__((packed));
_Static_assert(sizeof(struct tdisp_wire_lock_req) == TDISP_LOCK_REQ_SIZE, "LOCK_INTERFACE_REQUEST");

struct tdisp_wire_nonce_msg {
	uint8_t hdr[TDISP_HDR_SIZE];
	uint8_t nonce[TDISP_NONCE_SIZE];
} __attribute__((packed));
_Static_assert(sizeof(struct tdisp_wire_nonce_msg) == TDISP_LOCK_RSP_SIZE,
	       "LOCK_INTERFACE_RESPONSE");
_Static_assert(sizeof(struct tdisp_wire_nonce_msg) == TDISP_START_REQ_SIZE,
	       "START_INTERFACE_REQUEST");

struct tdisp_wire_state_rsp {
	uint8_t hdr[TDISP_HDR_SIZE];
	uint8_t state;
} __attribute__((packed));
_Static_assert(sizeof(struct tdisp_wire_state_rsp) == TDISP_STATE_RSP_SIZE,
	       "DEVICE_INTERFACE_STATE");

int tdisp_encode_lock(struct wcur *w, uint8_t version, const struct tdisp_iface *iface,
		      const struct tdisp_lock_params *p)
{
	tdisp_encode_hdr(w, version, TDISP_LOCK_INTERFACE_REQ, iface);
	wcur_u16(w, p->flags);
	wcur_u8(w, p->default_stream_id);
	wcur_u8(w, 0);
	wcur_u64(w, p->mmio_reporting_offset);
	wcur_u64(w, p->bind_p2p_address_mask);
	return (int)wcur_finish(w);
}

long tdisp_decode_lock(const uint8_t *msg, size_t len, struct tdisp_lock_params *p,
		       struct da_err *err)
{
	struct cur c = cur_init(msg, len);
	uint8_t rsvd;

	if (cur_skip(&c, TDISP_HDR_SIZE))
		return tdisp_trunc(err, "LOCK_INTERFACE_REQUEST", "header", len);
	if (cur_u16(&c, &p->flags) || cur_u8(&c, &p->default_stream_id) || cur_u8(&c, &rsvd) ||
	    cur_u64(&c, &p->mmio_reporting_offset) || cur_u64(&c, &p->bind_p2p_address_mask))
		return tdisp_trunc(err, "LOCK_INTERFACE_REQUEST", "LOCK_INTERFACE parameters", len);
	return TDISP_LOCK_REQ_SIZE;
}

static int encode_nonce_msg(struct wcur *w, uint8_t version, uint8_t type,
			    const struct tdisp_iface *iface, const uint8_t *nonce)
{
	tdisp_encode_hdr(w, version, type, iface);
	wcur_bytes(w, nonce, TDISP_NONCE_SIZE);
	return (int)wcur_finish(w);
}

static long decode_nonce_msg(const uint8_t *msg, size_t len, const char *name, uint8_t *nonce,
			     struct da_err *err)
{
	struct cur c = cur_init(msg, len);

	if (cur_skip(&c, TDISP_HDR_SIZE))
		return tdisp_trunc(err, name, "header", len);
	if (cur_bytes(&c, nonce, TDISP_NONCE_SIZE))
		return tdisp_trunc(err, name, "START_INTERFACE_NONCE", len);
	return (long)c.off;
}

int tdisp_encode_lock_rsp(struct wcur *w, uint8_t version, const struct tdisp_iface *iface,
			  const uint8_t nonce[TDISP_NONCE_SIZE])
{
	return encode_nonce_msg(w, version, TDISP_LOCK_INTERFACE_RSP, iface, nonce);
}

long tdisp_decode_lock_rsp(const uint8_t *msg, size_t len, uint8_t nonce[TDISP_NONCE_SIZE],
			   struct da_err *err)
{
	return decode_nonce_msg(msg, len, "LOCK_INTERFACE_RESPONSE", nonce, err);
}

int tdisp_encode_start(struct wcur *w, uint8_t version, const struct tdisp_iface *iface,
		       const uint8_t nonce[TDISP_NONCE_SIZE])
{
	return encode_nonce_msg(w, version, TDISP_START_INTERFACE_REQ, iface, nonce);
}

long tdisp_decode_start(const uint8_t *msg, size_t len, uint8_t nonce[TDISP_NONCE_SIZE],
			struct da_err *err)
{
	return decode_nonce_msg(msg, len, "START_INTERFACE_REQUEST", nonce, err);
}

int tdisp_encode_state_rsp(struct wcur *w, uint8_t version, const struct tdisp_iface *iface,
			   uint8_t state)
{
	tdisp_encode_hdr(w, version, TDISP_DEVICE_INTERFACE_STATE, iface);
	wcur_u8(w, state);
	return (int)wcur_finish(w);
}

long tdisp_decode_state_rsp(const uint8_t *msg, size_t len, uint8_t *state,
			    struct da_err *err)
{
	struct cur c = cur_init(msg, len);

	if (cur_skip(&c, TDISP_HDR_SIZE))
		return tdisp_trunc(err, "DEVICE_INTERFACE_STATE", "header", len);
	if (cur_u8(&c, state))
		return tdisp_trunc(err, "DEVICE_INTERFACE_STATE", "TDI_STATE", len);
	if (*state > TDISP_STATE_ERROR)
		return da_errf(err, -EPROTO, "TDISP DEVICE_INTERFACE_STATE: TDI_STATE %u is reserved",
			       *state);
	return TDISP_STATE_RSP_SIZE;
}
