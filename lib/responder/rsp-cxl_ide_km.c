// SPDX-License-Identifier: MIT
/*
 * CXL IDE_KM on an emulated device, the device side.  A CXL.cachemem
 * link has one IDE stream per port, Stream ID 0, and one CXL sub-stream
 * (8); a port takes an Rx and a Tx key.  The device generates keys
 * (KEY_GEN_CAP, IV_GEN_CAP): GET_KEY hands out a fresh key and IV the
 * host then programs for the device's Rx.  QUERY answers with the CXL
 * IDE capability structure: CXL IDE capable, skid and containment modes;
 * its other registers read zero (there is no link whose state they
 * could report).  As with PCIe IDE_KM the keys are not kept: a port only
 * remembers which directions were programmed and which are going.
 * Requests that cannot be parsed, or name a port, stream or sub-stream
 * the device does not have, get SPDM ERROR InvalidRequest (IDE_KM has no
 * error message); KEY_PROG says what was wrong in KP_ACK's status.
 */
#include <errno.h>
#include <string.h>

#include <openssl/crypto.h>

#include "crypto/crypto.h"
#include "responder_internal.h"

#define CXL_IDE_CAP_CAPABLE		0x00000001u
#define CXL_IDE_CAP_SKID		0x00000002u
#define CXL_IDE_CAP_CONTAINMENT		0x00000004u

static void cxl_init(struct spdm_responder *r)
{
	if (!r->cxl.init || r->cxl.gen != r->gen)
		rsp_cxl_reset(r);
}

/* Stream ID 0, the CXL sub-stream, no reserved bit (and bit 3 reserved too unless allowed). */
static bool stream_ok(const struct spdm_responder *r, const struct cxl_idekm_stream *s,
		      bool bit3)
{
	uint8_t reserved = CXL_IDEKM_KSS_RESERVED | (bit3 ? 0 : CXL_IDEKM_KSS_IV_DEFAULT);

	return s->stream_id == 0 && (s->kss & CXL_IDEKM_KSS_SUB_MASK) == CXL_IDEKM_KSS_SUB_CXL &&
	       !(s->kss & reserved) && s->port_index <= r->dev->cfg.tdisp.ide_max_port_index;
}

static uint8_t dir_bit(const struct cxl_idekm_stream *s)
{
	return (s->kss & CXL_IDEKM_KSS_TX) ? 2 : 1;
}

static int query(struct spdm_responder *r, const uint8_t *req, size_t len, struct wcur *w)
{
	const struct rsp_tdisp_config *tc = &r->dev->cfg.tdisp;
	struct cxl_idekm_query_resp q = { 0 };
	uint8_t cap[CXL_IDE_CAP_SIZE] = { 0 };
	uint32_t v = CXL_IDE_CAP_CAPABLE | CXL_IDE_CAP_SKID | CXL_IDE_CAP_CONTAINMENT;
	uint8_t port;

	if (cxl_idekm_decode_query(req, len, &port, NULL) != (long)len ||
	    port > tc->ide_max_port_index)
		return -EBADMSG;
	for (int i = 0; i < 4; i++)
		cap[i] = (uint8_t)(v >> (8 * i));
	q.port_index = port;
	q.dev_func = (uint8_t)(r->dev->cfg.id.device & 0xff);
	q.max_port_index = tc->ide_max_port_index;
	q.caps = CXL_IDEKM_CAP_VERSION_1 | CXL_IDEKM_CAP_IV_GEN | CXL_IDEKM_CAP_KEY_GEN |
		 CXL_IDEKM_CAP_K_SET_STOP;
	q.ide_cap = cap;
	rsp_logf(r, "CXL IDE_KM QUERY port %u: QUERY_RESP", port);
	return cxl_idekm_encode_query_resp(w, &q);
}

static int get_key(struct spdm_responder *r, const uint8_t *req, size_t len, struct wcur *w)
{
	struct cxl_idekm_stream s;
	uint8_t key[CXL_IDEKM_KEY_SIZE], iv[CXL_IDEKM_IV_SIZE];
	int ret;

	if (cxl_idekm_decode_stream(req, len, CXL_IDEKM_GET_KEY, &s, NULL) != (long)len ||
	    !stream_ok(r, &s, false) || (s.kss & CXL_IDEKM_KSS_TX))
		return -EBADMSG;
	if (da_random(key, sizeof(key)) || da_random(iv, sizeof(iv)))
		return -EIO;
	ret = cxl_idekm_encode_key_msg(w, CXL_IDEKM_GET_KEY_ACK, &s, key, iv);
	OPENSSL_cleanse(key, sizeof(key));
	OPENSSL_cleanse(iv, sizeof(iv));
	rsp_logf(r, "CXL IDE_KM GET_KEY port %u: GET_KEY_ACK", s.port_index);
	return ret;
}

static int key_prog(struct spdm_responder *r, const uint8_t *req, size_t len, struct wcur *w)
{
	struct cxl_idekm_stream s = { 0 };
	const uint8_t *key, *iv;
	long got = cxl_idekm_decode_key_msg(req, len, CXL_IDEKM_KEY_PROG, &s, &key, &iv, NULL);

	if (got < 0) {
		/* too short or with a reserved byte set: say so, if it names a stream at all */
		if (len < CXL_IDEKM_STREAM_SIZE || req[0] != CXL_IDEKM_KEY_PROG)
			return -EBADMSG;
		s.stream_id = req[3];
		s.kss = req[5];
		s.port_index = req[6];
		s.status = CXL_IDEKM_KP_INVALID;
	} else if (got != (long)len || !stream_ok(r, &s, true)) {
		s.status = CXL_IDEKM_KP_INVALID;
	} else {
		r->cxl.programmed[s.port_index] |= dir_bit(&s);
		r->cxl.going[s.port_index] &= (uint8_t)~dir_bit(&s);
		s.status = CXL_IDEKM_KP_SUCCESS;
	}
	rsp_logf(r, "CXL IDE_KM KEY_PROG port %u %s: KP_ACK status %u", s.port_index,
		 (s.kss & CXL_IDEKM_KSS_TX) ? "Tx" : "Rx", s.status);
	return cxl_idekm_encode_stream(w, CXL_IDEKM_KP_ACK, &s);
}

static int go_stop(struct spdm_responder *r, const uint8_t *req, size_t len, struct wcur *w)
{
	uint8_t object = req[0];
	bool go = object == CXL_IDEKM_K_SET_GO;
	struct cxl_idekm_stream s;
	uint8_t bit;

	/* K_SET_GO's bit 3 picks skid or containment mode; K_SET_STOP has none */
	if (cxl_idekm_decode_stream(req, len, object, &s, NULL) != (long)len ||
	    !stream_ok(r, &s, go))
		return -EBADMSG;
	bit = dir_bit(&s);
	if (go) {
		/* only a programmed key can go */
		if (!(r->cxl.programmed[s.port_index] & bit))
			return -EBADMSG;
		r->cxl.going[s.port_index] |= bit;
	} else {
		r->cxl.going[s.port_index] &= (uint8_t)~bit;
		r->cxl.programmed[s.port_index] &= (uint8_t)~bit;
	}
	rsp_logf(r, "CXL IDE_KM %s port %u %s: K_GOSTOP_ACK", cxl_idekm_msg_name(object),
		 s.port_index, bit == 2 ? "Tx" : "Rx");
	s.kss &= (uint8_t)~CXL_IDEKM_KSS_CONTAINMENT;
	return cxl_idekm_encode_stream(w, CXL_IDEKM_K_GOSTOP_ACK, &s);
}

int rsp_cxl_ide_km(struct spdm_responder *r, const uint8_t *req, size_t len, struct wcur *w)
{
	if (!len)
		return -EBADMSG;
	cxl_init(r);
	switch (req[0]) {
	case CXL_IDEKM_QUERY:
		return query(r, req, len, w);
	case CXL_IDEKM_GET_KEY:
		return get_key(r, req, len, w);
	case CXL_IDEKM_KEY_PROG:
		return key_prog(r, req, len, w);
	case CXL_IDEKM_K_SET_GO:
	case CXL_IDEKM_K_SET_STOP:
		return go_stop(r, req, len, w);
	default:
		return -EBADMSG;
	}
}
