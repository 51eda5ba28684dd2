// SPDX-License-Identifier: MIT
/*
 * CXL IDE_KM: the PCIe IDE_KM object IDs plus GET_KEY / GET_KEY_ACK;
 * QUERY_RESP carries a Caps byte and the CXL IDE capability structure
 * instead of the PCIe IDE registers; the key sub-stream byte names
 * direction, IV (or mode) and the CXL sub-stream; keys travel with a
 * whole 3 DW IV, present even when the IV is the default one.
 */
#include <errno.h>

#include "cxl_codec.h"

struct cxl_idekm_wire_query {
	uint8_t object_id;
	uint8_t reserved;
	uint8_t port_index;
} __attribute__((packed));
_Static_assert(sizeof(struct cxl_idekm_wire_query) == CXL_IDEKM_QUERY_SIZE, "CXL QUERY");

struct cxl_idekm_wire_query_resp {
	uint8_t object_id;
	uint8_t reserved;
	uint8_t port_index;
	uint8_t dev_func_num;
	uint8_t bus_num;
	uint8_t segment;
	uint8_t max_port_index;
	uint8_t caps;
} __attribute__((packed));
_Static_assert(sizeof(struct cxl_idekm_wire_query_resp) == CXL_IDEKM_QUERY_RESP_FIXED,
	       "CXL QUERY_RESP");

struct cxl_idekm_wire_stream {
	uint8_t object_id;
	uint8_t reserved[2];
	uint8_t stream_id;
	uint8_t reserved_or_status;
	uint8_t key_sub_stream;
	uint8_t port_index;
} __attribute__((packed));
_Static_assert(sizeof(struct cxl_idekm_wire_stream) == CXL_IDEKM_STREAM_SIZE,
	       "CXL IDE_KM stream message");

struct cxl_idekm_wire_key_msg {
	struct cxl_idekm_wire_stream s;
	uint8_t key[CXL_IDEKM_KEY_SIZE];
	uint8_t iv[CXL_IDEKM_IV_SIZE];
} __attribute__((packed));
_Static_assert(sizeof(struct cxl_idekm_wire_key_msg) == CXL_IDEKM_KEY_MSG_SIZE,
	       "CXL KEY_PROG / GET_KEY_ACK");

const char *cxl_idekm_msg_name(uint8_t object)
{
	static const char *const names[] = {
		"QUERY", "QUERY_RESP", "KEY_PROG", "KP_ACK", "K_SET_GO", "K_SET_STOP",
		"K_GOSTOP_ACK", "GET_KEY", "GET_KEY_ACK",
	};

	return object < sizeof(names) / sizeof(names[0]) ? names[object] : "unknown";
}

static int truncated(struct da_err *err, uint8_t object, const char *field, size_t len)
{
	return da_errf(err, -EBADMSG, "CXL IDE_KM %s: truncated at %s (%zu bytes)",
		       cxl_idekm_msg_name(object), field, len);
}

static int check_object(struct cur *c, uint8_t object, size_t len, struct da_err *err)
{
	uint8_t id;

	if (cur_u8(c, &id))
		return truncated(err, object, "Object ID", len);
	if (id != object)
		return da_errf(err, -EPROTO, "CXL IDE_KM %s: Object ID 0x%02x (%s)",
			       cxl_idekm_msg_name(object), id, cxl_idekm_msg_name(id));
	return 0;
}

static int reserved(struct cur *c, uint8_t object, const char *field, size_t n, size_t len,
		    struct da_err *err)
{
	for (size_t i = 0; i < n; i++) {
		uint8_t b;

		if (cur_u8(c, &b))
			return truncated(err, object, field, len);
		if (b)
			return da_errf(err, -EBADMSG, "CXL IDE_KM %s: %s 0x%02x is not zero",
				       cxl_idekm_msg_name(object), field, b);
	}
	return 0;
}

long cxl_idekm_decode_query(const uint8_t *msg, size_t len, uint8_t *port_index,
			    struct da_err *err)
{
	struct cur c = cur_init(msg, len);
	int ret = check_object(&c, CXL_IDEKM_QUERY, len, err) ?:
		  reserved(&c, CXL_IDEKM_QUERY, "Reserved", 1, len, err);

	if (ret)
		return ret;
	if (cur_u8(&c, port_index))
		return truncated(err, CXL_IDEKM_QUERY, "PortIndex", len);
	return (long)c.off;
}

int cxl_idekm_encode_query_resp(struct wcur *w, const struct cxl_idekm_query_resp *q)
{
	wcur_u8(w, CXL_IDEKM_QUERY_RESP);
	wcur_u8(w, 0);
	wcur_u8(w, q->port_index);
	wcur_u8(w, q->dev_func);
	wcur_u8(w, q->bus);
	wcur_u8(w, q->segment);
	wcur_u8(w, q->max_port_index);
	wcur_u8(w, q->caps);
	wcur_bytes(w, q->ide_cap, CXL_IDE_CAP_SIZE);
	return (int)wcur_finish(w);
}

static int decode_stream(struct cur *c, uint8_t object, size_t len, struct cxl_idekm_stream *s,
			 struct da_err *err)
{
	uint8_t b4;
	int ret = check_object(c, object, len, err) ?:
		  reserved(c, object, "Reserved", 2, len, err);

	if (ret)
		return ret;
	if (cur_u8(c, &s->stream_id) || cur_u8(c, &b4) || cur_u8(c, &s->kss) ||
	    cur_u8(c, &s->port_index))
		return truncated(err, object, "PortIndex", len);
	s->status = 0;
	if (object == CXL_IDEKM_KP_ACK)
		s->status = b4;
	else if (b4)
		return da_errf(err, -EBADMSG, "CXL IDE_KM %s: Reserved 0x%02x is not zero",
			       cxl_idekm_msg_name(object), b4);
	return 0;
}

long cxl_idekm_decode_stream(const uint8_t *msg, size_t len, uint8_t object,
			     struct cxl_idekm_stream *s, struct da_err *err)
{
	struct cur c = cur_init(msg, len);
	int ret = decode_stream(&c, object, len, s, err);

	return ret ? ret : (long)c.off;
}

int cxl_idekm_encode_stream(struct wcur *w, uint8_t object, const struct cxl_idekm_stream *s)
{
	wcur_u8(w, object);
	wcur_zero(w, 2);
	wcur_u8(w, s->stream_id);
	wcur_u8(w, object == CXL_IDEKM_KP_ACK ? s->status : 0);
	wcur_u8(w, s->kss);
	wcur_u8(w, s->port_index);
	return (int)wcur_finish(w);
}

long cxl_idekm_decode_key_msg(const uint8_t *msg, size_t len, uint8_t object,
			      struct cxl_idekm_stream *s, const uint8_t **key,
			      const uint8_t **iv, struct da_err *err)
{
	struct cur c = cur_init(msg, len);
	int ret = decode_stream(&c, object, len, s, err);

	if (ret)
		return ret;
	if (cur_ptr(&c, CXL_IDEKM_KEY_SIZE, key))
		return truncated(err, object, "Key", len);
	if (cur_ptr(&c, CXL_IDEKM_IV_SIZE, iv))
		return truncated(err, object, "IV", len);
	return (long)c.off;
}

int cxl_idekm_encode_key_msg(struct wcur *w, uint8_t object, const struct cxl_idekm_stream *s,
			     const uint8_t key[CXL_IDEKM_KEY_SIZE],
			     const uint8_t iv[CXL_IDEKM_IV_SIZE])
{
	cxl_idekm_encode_stream(w, object, s);
	wcur_bytes(w, key, CXL_IDEKM_KEY_SIZE);
	wcur_bytes(w, iv, CXL_IDEKM_IV_SIZE);
	return (int)wcur_finish(w);
}
