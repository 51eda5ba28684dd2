// SPDX-License-Identifier: MIT
/*
 * IDE_KM on an emulated device (PCIe r6.x 6.33.3), the device side:
 * QUERY answers with a port's IDE extended capability, KEY_PROG fills a
 * key slot (stream, key set, direction, sub-stream), K_SET_GO / K_SET_STOP
 * start and stop a programmed slot.  The keys themselves are not kept:
 * there is no link to encrypt, a slot only remembers it was programmed.
 */
#include <errno.h>
#include <string.h>

#include <openssl/crypto.h>

#include "responder_internal.h"
#include "tdisp/tdisp_codec.h"

/* Key set bit 0, direction bit 1, sub-stream bits 5:4 (0..2) -> slot 0..11. */
static int kss_slot(uint8_t kss)
{
	uint8_t sub = (kss >> 4) & 3;

	if ((kss & ~0x33u) || sub > 2)
		return -1;
	return (kss & 3) | sub << 2;
}

static void put_dw(uint8_t *p, size_t *n, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[(*n)++] = (uint8_t)(v >> (8 * i));
}

static int query(struct spdm_responder *r, const uint8_t *req, size_t len, struct wcur *w)
{
	const struct rsp_tdisp_config *tc = &r->dev->cfg.tdisp;
	uint8_t port, regs[3 * 4];
	struct idekm_query_resp q = { 0 };
	size_t n = 0;

	if (idekm_decode_query(req, len, &port, NULL) != (long)len || port > tc->ide_max_port_index)
		return -EBADMSG;
	/*
	 * The IDE extended capability: its header (ID 0x0030, version 1),
	 * the capability register (selective streams, ide_streams of them,
	 * AES-GCM 256) and the control register.
	 */
	put_dw(regs, &n, 0x00010030);
	put_dw(regs, &n, 0x2u | (uint32_t)(tc->ide_streams ? tc->ide_streams - 1 : 0) << 16);
	put_dw(regs, &n, 0);
	q.port_index = port;
	q.dev_func = (uint8_t)(r->dev->cfg.id.device & 0xff);
	q.max_port_index = tc->ide_max_port_index;
	q.nregs = (uint32_t)(n / 4);
	q.regs = regs;
	return idekm_encode_query_resp(w, &q);
}

int rsp_ide_km(struct spdm_responder *r, const uint8_t *req, size_t len, struct wcur *w)
{
	const struct rsp_tdisp_config *tc = &r->dev->cfg.tdisp;
	const uint8_t *key, *ifv;
	struct idekm_stream s = { 0 };
	int slot = -1;

	if (!len)
		return -EBADMSG;
	switch (req[0]) {
	case IDEKM_QUERY:
		return query(r, req, len, w);
	case IDEKM_KEY_PROG:
		if (idekm_decode_key_prog(req, len, &s, &key, &ifv, NULL) < 0) {
			if (idekm_decode_stream_msg(req, len < IDEKM_STREAM_MSG_SIZE ? len :
						    IDEKM_STREAM_MSG_SIZE, IDEKM_KEY_PROG, &s,
						    NULL) < 0)
				return -EBADMSG;
			s.status = IDEKM_KP_INCORRECT_LENGTH;
		} else if ((long)len != IDEKM_KEY_PROG_SIZE) {
			s.status = IDEKM_KP_INCORRECT_LENGTH;
		} else if (s.port_index > tc->ide_max_port_index) {
			s.status = IDEKM_KP_UNSUPPORTED_PORT;
		} else if (s.stream_id >= tc->ide_streams || (slot = kss_slot(s.kss)) < 0) {
			s.status = IDEKM_KP_UNSUPPORTED_VALUE;
		} else {
			r->ide_programmed[s.stream_id] |= (uint16_t)(1u << slot);
			r->ide_going[s.stream_id] &= (uint16_t)~(1u << slot);
			s.status = IDEKM_KP_SUCCESS;
		}
		return idekm_encode_stream_msg(w, IDEKM_KP_ACK, &s);
	case IDEKM_K_SET_GO:
	case IDEKM_K_SET_STOP:
		if (idekm_decode_stream_msg(req, len, req[0], &s, NULL) != (long)len ||
		    s.port_index > tc->ide_max_port_index || s.stream_id >= tc->ide_streams ||
		    (slot = kss_slot(s.kss)) < 0)
			return -EBADMSG;
		if (req[0] == IDEKM_K_SET_GO) {
			/* only a programmed slot can go */
			if (!(r->ide_programmed[s.stream_id] & (1u << slot)))
				return -EBADMSG;
			r->ide_going[s.stream_id] |= (uint16_t)(1u << slot);
		} else {
			r->ide_going[s.stream_id] &= (uint16_t)~(1u << slot);
			r->ide_programmed[s.stream_id] &= (uint16_t)~(1u << slot);
		}
		return idekm_encode_stream_msg(w, IDEKM_K_GOSTOP_ACK, &s);
	default:
		return -EBADMSG;
	}
}
