// SPDX-License-Identifier: MIT
/*
 * IDE_KM: QUERY / QUERY_RESP (the port's IDE extended capability as
 * dwords), KEY_PROG / KP_ACK, K_SET_GO / K_SET_STOP / K_GOSTOP_ACK.
 * Every message starts with its object ID; the stream messages share
 * one layout (reserved 2, Stream ID, reserved or status, key set /
 * direction / sub-stream, port index).
 */
#include <errno.h>

#include "tdisp_codec.h"

struct idekm_wire_query {
	uint8_t object_id;
	uint8_t reserved;
	uint8_t port_index;
} __attribute__((packed));
_Static_assert(sizeof(struct idekm_wire_query) == IDEKM_QUERY_SIZE, "IDE_KM QUERY");

struct idekm_wire_query_resp {
	uint8_t object_id;
	uint8_t reserved;
	uint8_t port_index;
	uint8_t dev_func_num;
	uint8_t bus_num;
	uint8_t segment;
	uint8_t max_port_index;
} __attribute__((packed));
_Static_assert(sizeof(struct idekm_wire_query_resp) == IDEKM_QUERY_RESP_FIXED,
	       "IDE_KM QUERY_RESP");

struct idekm_wire_stream {
	uint8_t object_id;
	uint8_t reserved[2];
	uint8_t stream_id;
	uint8_t reserved_or_status;
	uint8_t key_sub_stream;
	uint8_t port_index;
} __attribute__((packed));
_Static_assert(sizeof(struct idekm_wire_stream) == IDEKM_STREAM_MSG_SIZE, "IDE_KM stream message");
_Static_assert(IDEKM_KEY_PROG_SIZE == 47, "IDE_KM KEY_PROG with an AES-256-GCM key and IFV");

static int km_trunc(struct da_err *err, uint8_t object, const char *field, size_t len)
{
	return da_errf(err, -EBADMSG, "IDE_KM %s: truncated at %s (%zu bytes)",
		       idekm_msg_name(object), field, len);
}

static int check_object(struct cur *c, uint8_t object, size_t len, struct da_err *err)
{
	uint8_t id;

	if (cur_u8(c, &id))
		return km_trunc(err, object, "Object ID", len);
	if (id != object)
		return da_errf(err, -EPROTO, "IDE_KM %s: Object ID 0x%02x (%s)",
			       idekm_msg_name(object), id, idekm_msg_name(id));
	return 0;
}

int idekm_encode_query(struct wcur *w, uint8_t port_index)
{
	wcur_u8(w, IDEKM_QUERY);
	wcur_u8(w, 0);
	wcur_u8(w, port_index);
	return (int)wcur_finish(w);
}

long idekm_decode_query(const uint8_t *msg, size_t len, uint8_t *port_index, struct da_err *err)
{
	struct cur c = cur_init(msg, len);
	int ret = check_object(&c, IDEKM_QUERY, len, err);

	if (ret)
		return ret;
	if (cur_skip(&c, 1) || cur_u8(&c, port_index))
		return km_trunc(err, IDEKM_QUERY, "PortIndex", len);
	return IDEKM_QUERY_SIZE;
}

int idekm_encode_query_resp(struct wcur *w, const struct idekm_query_resp *q)
{
	wcur_u8(w, IDEKM_QUERY_RESP);
	wcur_u8(w, 0);
	wcur_u8(w, q->port_index);
	wcur_u8(w, q->dev_func);
	wcur_u8(w, q->bus);
	wcur_u8(w, q->segment);
	wcur_u8(w, q->max_port_index);
	wcur_bytes(w, q->regs, (size_t)q->nregs * 4);
	return (int)wcur_finish(w);
}

long idekm_decode_query_resp(const uint8_t *msg, size_t len, struct idekm_query_resp *q,
			     struct da_err *err)
{
	struct cur c = cur_init(msg, len);
	int ret = check_object(&c, IDEKM_QUERY_RESP, len, err);
	size_t rest;

	if (ret)
		return ret;
	if (cur_skip(&c, 1) || cur_u8(&c, &q->port_index) || cur_u8(&c, &q->dev_func) ||
	    cur_u8(&c, &q->bus) || cur_u8(&c, &q->segment) || cur_u8(&c, &q->max_port_index))
		return km_trunc(err, IDEKM_QUERY_RESP, "MaxPortIndex", len);
	if (q->port_index > q->max_port_index)
		return da_errf(err, -EPROTO, "IDE_KM QUERY_RESP: PortIndex %u above MaxPortIndex %u",
			       q->port_index, q->max_port_index);
	/* The IDE extended capability: whole dwords, at least its two registers. */
	rest = cur_left(&c);
	if (rest % 4 || rest < 8 || rest / 4 > IDEKM_MAX_REGS)
		return da_errf(err, -EBADMSG,
			       "IDE_KM QUERY_RESP: IDE register block of %zu bytes (2 to %u dwords)",
			       rest, IDEKM_MAX_REGS);
	q->nregs = (uint32_t)(rest / 4);
	cur_rest(&c, &q->regs, &rest);
	return (long)c.off;
}

static void encode_stream(struct wcur *w, uint8_t object, const struct idekm_stream *s)
{
	wcur_u8(w, object);
	wcur_zero(w, 2);
	wcur_u8(w, s->stream_id);
	wcur_u8(w, object == IDEKM_KP_ACK ? s->status : 0);
	wcur_u8(w, s->kss);
	wcur_u8(w, s->port_index);
}

int idekm_encode_stream_msg(struct wcur *w, uint8_t object, const struct idekm_stream *s)
{
	encode_stream(w, object, s);
	return (int)wcur_finish(w);
}

static int decode_stream(struct cur *c, uint8_t object, size_t len, struct idekm_stream *s,
			 struct da_err *err)
{
	int ret = check_object(c, object, len, err);
	uint8_t b4;

	if (ret)
		return ret;
	if (cur_skip(c, 2) || cur_u8(c, &s->stream_id) || cur_u8(c, &b4) ||
	    cur_u8(c, &s->kss) || cur_u8(c, &s->port_index))
		return km_trunc(err, object, "PortIndex", len);
	s->status = object == IDEKM_KP_ACK ? b4 : 0;
	return 0;
}

long idekm_decode_stream_msg(const uint8_t *msg, size_t len, uint8_t object,
			     struct idekm_stream *s, struct da_err *err)
{
	struct cur c = cur_init(msg, len);
	int ret = decode_stream(&c, object, len, s, err);

	return ret ? ret : IDEKM_STREAM_MSG_SIZE;
}

int idekm_encode_key_prog(struct wcur *w, const struct idekm_stream *s,
			  const uint8_t key[IDEKM_KEY_SIZE], const uint8_t ifv[IDEKM_IFV_SIZE])
{
	encode_stream(w, IDEKM_KEY_PROG, s);
	wcur_bytes(w, key, IDEKM_KEY_SIZE);
	wcur_bytes(w, ifv, IDEKM_IFV_SIZE);
	return (int)wcur_finish(w);
}

long idekm_decode_key_prog(const uint8_t *msg, size_t len, struct idekm_stream *s,
			   const uint8_t **key, const uint8_t **ifv, struct da_err *err)
{
	struct cur c = cur_init(msg, len);
	int ret = decode_stream(&c, IDEKM_KEY_PROG, len, s, err);

	if (ret)
		return ret;
	if (cur_ptr(&c, IDEKM_KEY_SIZE, key))
		return km_trunc(err, IDEKM_KEY_PROG, "KEY", len);
	if (cur_ptr(&c, IDEKM_IFV_SIZE, ifv))
		return km_trunc(err, IDEKM_KEY_PROG, "IFV", len);
	return IDEKM_KEY_PROG_SIZE;
}

const char *idekm_msg_name(uint8_t object)
{
	switch (object) {
	case IDEKM_QUERY: return "QUERY";
	case IDEKM_QUERY_RESP: return "QUERY_RESP";
	case IDEKM_KEY_PROG: return "KEY_PROG";
	case IDEKM_KP_ACK: return "KP_ACK";
	case IDEKM_K_SET_GO: return "K_SET_GO";
	case IDEKM_K_SET_STOP: return "K_SET_STOP";
	case IDEKM_K_GOSTOP_ACK: return "K_GOSTOP_ACK";
	default: return "unknown IDE_KM object";
	}
}

const char *idekm_kp_status_name(uint8_t status)
{
	switch (status) {
	case IDEKM_KP_SUCCESS: return "Successful";
	case IDEKM_KP_INCORRECT_LENGTH: return "Incorrect Length";
	case IDEKM_KP_UNSUPPORTED_PORT: return "Unsupported Port Index value";
	case IDEKM_KP_UNSUPPORTED_VALUE: return "Unsupported value in other fields";
	case IDEKM_KP_UNSPECIFIED: return "Unspecified Failure";
	default: return "reserved";
	}
}
