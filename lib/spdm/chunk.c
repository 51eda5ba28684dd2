// SPDX-License-Identifier: MIT
/*
 * CHUNK_SEND / CHUNK_SEND_ACK and CHUNK_GET / CHUNK_RESPONSE (DSP0274
 * 1.2+ "large SPDM message transfer").
 *
 * CHUNK_SEND:     param1 bit 0 LastChunk, param2 Handle, ChunkSeqNo,
 *                 ChunkSize(4), LargeMessageSize(4) in chunk 0 only,
 *                 SPDMchunk.
 * CHUNK_SEND_ACK: param1 bit 0 EarlyErrorDetected, param2 Handle,
 *                 ChunkSeqNo, then ResponseToLargeRequest on the last
 *                 chunk (or with EarlyErrorDetected).
 * CHUNK_GET:      param1 reserved, param2 Handle, ChunkSeqNo.
 * CHUNK_RESPONSE: as CHUNK_SEND, param1 bit 0 LastChunk.
 *
 * ChunkSeqNo is 2 bytes followed by 2 reserved bytes in 1.2/1.3 (none
 * after it in CHUNK_SEND_ACK and CHUNK_GET) and 4 bytes from 1.4, so the
 * CHUNK_SEND / CHUNK_RESPONSE fixed part is 12 bytes in every version.
 * The decoders only check the message's own consistency; sequence,
 * handle and size rules across chunks are the reassembler's.
 */
#include <errno.h>

#include "codec.h"

/* header + ChunkSeqNo (+ Reserved before 1.4) + ChunkSize */
_Static_assert(SPDM_CHUNK_HDR_SIZE == 4 + 2 + 2 + 4 && SPDM_CHUNK_HDR_SIZE == 4 + 4 + 4,
	       "CHUNK_SEND/CHUNK_RESPONSE fixed part is 12 bytes in 1.2, 1.3 and 1.4");
_Static_assert(SPDM_CHUNK_FIRST_HDR_SIZE == SPDM_CHUNK_HDR_SIZE + 4,
	       "chunk 0 adds the 4-byte LargeMessageSize");
/* The smallest DataTransferSize must still carry a byte of chunk 0. */
_Static_assert(SPDM_MIN_DATA_TRANSFER_SIZE > SPDM_CHUNK_FIRST_HDR_SIZE,
	       "MIN_DATA_TRANSFER_SIZE leaves room for chunk data");
/* ERROR LargeResponse is the header and a 1-byte Handle. */
_Static_assert(SPDM_ERR_LARGE_RESPONSE_SIZE == 4 + 1, "ERROR LargeResponse is 5 bytes");

static bool seq32(uint8_t version)
{
	return version >= SPDM_VER_14;
}

size_t spdm_chunk_seq_size(uint8_t version)
{
	return seq32(version) ? 4 : 2;
}

static void put_seq(struct wcur *w, uint8_t version, uint32_t seq, bool reserved)
{
	if (seq32(version)) {
		wcur_u32(w, seq);
		return;
	}
	wcur_u16(w, (uint16_t)seq);
	if (reserved)
		wcur_u16(w, 0);
}

static int get_seq(struct cur *c, uint8_t version, bool reserved, uint32_t *seq)
{
	uint16_t s16, rsvd;

	if (seq32(version))
		return cur_u32(c, seq);
	if (cur_u16(c, &s16))
		return -EBADMSG;
	if (reserved && cur_u16(c, &rsvd))
		return -EBADMSG;
	*seq = s16;
	return 0;
}

static int encode_chunk(struct wcur *w, uint8_t version, uint8_t code,
			const struct spdm_chunk *c)
{
	if (!c->size || !c->data || (!seq32(version) && c->seq > 0xFFFF))
		return -EINVAL;
	spdm_encode_hdr(w, version, code, c->attributes, c->handle);
	put_seq(w, version, c->seq, true);
	wcur_u32(w, c->size);
	if (c->seq == 0)
		wcur_u32(w, c->large_size);
	wcur_bytes(w, c->data, c->size);
	return (int)wcur_finish(w);
}

static int decode_chunk(const uint8_t *msg, size_t len, uint8_t version, const char *name,
			struct spdm_chunk *c, struct da_err *err)
{
	struct cur cu = cur_init(msg, len);
	struct spdm_hdr h;

	*c = (struct spdm_chunk){ 0 };
	if (spdm_decode_hdr(msg, len, &h, NULL) || cur_skip(&cu, SPDM_HDR_SIZE))
		return spdm_trunc(err, name, "header", len);
	c->attributes = h.param1;
	c->handle = h.param2;
	if (get_seq(&cu, version, true, &c->seq))
		return spdm_trunc(err, name, "ChunkSeqNo", len);
	if (cur_u32(&cu, &c->size))
		return spdm_trunc(err, name, "ChunkSize", len);
	if (c->seq == 0 && cur_u32(&cu, &c->large_size))
		return spdm_trunc(err, name, "LargeMessageSize", len);
	if (!c->size)
		return da_errf(err, -EPROTO, "%s: ChunkSize 0 in chunk %u", name, c->seq);
	if (cur_ptr(&cu, c->size, &c->data))
		return da_errf(err, -EBADMSG, "%s: ChunkSize %u exceeds the %zu bytes left",
			       name, c->size, cur_left(&cu));
	return (int)cu.off;
}

int spdm_encode_chunk_send(struct wcur *w, uint8_t version, const struct spdm_chunk *c)
{
	return encode_chunk(w, version, SPDM_CHUNK_SEND, c);
}

int spdm_decode_chunk_send(const uint8_t *msg, size_t len, uint8_t version,
			   struct spdm_chunk *c, struct da_err *err)
{
	return decode_chunk(msg, len, version, "CHUNK_SEND", c, err);
}

int spdm_encode_chunk_response(struct wcur *w, uint8_t version, const struct spdm_chunk *c)
{
	return encode_chunk(w, version, SPDM_CHUNK_RESPONSE, c);
}

int spdm_decode_chunk_response(const uint8_t *msg, size_t len, uint8_t version,
			       struct spdm_chunk *c, struct da_err *err)
{
	return decode_chunk(msg, len, version, "CHUNK_RESPONSE", c, err);
}

int spdm_encode_chunk_send_ack(struct wcur *w, uint8_t version, const struct spdm_chunk_ack *a)
{
	if ((a->rsp_len && !a->rsp) || (!seq32(version) && a->seq > 0xFFFF))
		return -EINVAL;
	spdm_encode_hdr(w, version, SPDM_CHUNK_SEND_ACK, a->attributes, a->handle);
	put_seq(w, version, a->seq, false);
	wcur_bytes(w, a->rsp, a->rsp_len);
	return (int)wcur_finish(w);
}

int spdm_decode_chunk_send_ack(const uint8_t *msg, size_t len, uint8_t version,
			       struct spdm_chunk_ack *a, struct da_err *err)
{
	struct cur cu = cur_init(msg, len);
	struct spdm_hdr h;

	*a = (struct spdm_chunk_ack){ 0 };
	if (spdm_decode_hdr(msg, len, &h, NULL) || cur_skip(&cu, SPDM_HDR_SIZE))
		return spdm_trunc(err, "CHUNK_SEND_ACK", "header", len);
	a->attributes = h.param1;
	a->handle = h.param2;
	if (get_seq(&cu, version, false, &a->seq))
		return spdm_trunc(err, "CHUNK_SEND_ACK", "ChunkSeqNo", len);
	/*
	 * ResponseToLargeRequest has no length field: it is the rest of the
	 * message, transport padding included (the caller's decoder of the
	 * embedded response finds its true length).
	 */
	cur_rest(&cu, &a->rsp, &a->rsp_len);
	return (int)len;
}

int spdm_encode_chunk_get(struct wcur *w, uint8_t version, uint8_t handle, uint32_t seq)
{
	if (!seq32(version) && seq > 0xFFFF)
		return -EINVAL;
	spdm_encode_hdr(w, version, SPDM_CHUNK_GET, 0, handle);
	put_seq(w, version, seq, false);
	return (int)wcur_finish(w);
}

int spdm_decode_chunk_get(const uint8_t *msg, size_t len, uint8_t version, uint8_t *handle,
			  uint32_t *seq, struct da_err *err)
{
	struct cur cu = cur_init(msg, len);
	struct spdm_hdr h;

	*handle = 0;
	*seq = 0;
	if (spdm_decode_hdr(msg, len, &h, NULL) || cur_skip(&cu, SPDM_HDR_SIZE))
		return spdm_trunc(err, "CHUNK_GET", "header", len);
	*handle = h.param2;
	if (get_seq(&cu, version, false, seq))
		return spdm_trunc(err, "CHUNK_GET", "ChunkSeqNo", len);
	return (int)cu.off;
}

int spdm_encode_large_response(struct wcur *w, uint8_t version, uint8_t handle)
{
	return spdm_encode_error(w, version, SPDM_ERR_LARGE_RESPONSE, 0, &handle, 1);
}

/*
 * Reassembly: the rules a receiver of a chunked message applies to each
 * chunk, in both directions.
 */
int spdm_chunk_rx_add(struct spdm_chunk_rx *rx, const struct spdm_chunk *c, const char *name,
		      struct da_err *err)
{
	if (c->seq == 0) {
		/* A new large message starts: forget any earlier one. */
		rx->active = true;
		rx->done = false;
		rx->handle = c->handle;
		rx->next_seq = 0;
		rx->total = c->large_size;
		da_buf_reset(&rx->buf);
		/* A message that would fit one transfer must not be chunked. */
		if (c->large_size <= rx->dts)
			return da_errf(err, -EPROTO,
				       "%s: LargeMessageSize %u fits DataTransferSize %u",
				       name, c->large_size, rx->dts);
		if (c->large_size > rx->max_size)
			return da_errf(err, -EMSGSIZE,
				       "%s: LargeMessageSize %u exceeds MaxSPDMmsgSize %u",
				       name, c->large_size, rx->max_size);
		if (da_buf_reserve(&rx->buf, c->large_size))
			return da_errf(err, -ENOMEM, "%s: out of memory", name);
	} else if (!rx->active) {
		return da_errf(err, -EPROTO, "%s: chunk %u without chunk 0", name, c->seq);
	}
	if (c->handle != rx->handle)
		return da_errf(err, -EPROTO, "%s: Handle %u, the large message has Handle %u",
			       name, c->handle, rx->handle);
	if (c->seq != rx->next_seq)
		return da_errf(err, -EPROTO, "%s: ChunkSeqNo %u, expected %u", name, c->seq,
			       rx->next_seq);
	if (c->size > rx->total - rx->buf.len)
		return da_errf(err, -EMSGSIZE,
			       "%s: chunk %u of %u bytes goes past LargeMessageSize %u (%zu received)",
			       name, c->seq, c->size, rx->total, rx->buf.len);
	if (da_buf_append(&rx->buf, c->data, c->size))
		return da_errf(err, -ENOMEM, "%s: out of memory", name);
	rx->next_seq++;
	if (c->attributes & SPDM_CHUNK_LAST) {
		if (rx->buf.len != rx->total)
			return da_errf(err, -EPROTO,
				       "%s: LastChunk after %zu bytes, LargeMessageSize %u",
				       name, rx->buf.len, rx->total);
		rx->active = false;
		rx->done = true;
		return 1;
	}
	if (rx->buf.len == rx->total)
		return da_errf(err, -EPROTO,
			       "%s: chunk %u completes LargeMessageSize %u without LastChunk",
			       name, c->seq, rx->total);
	/* A 2-byte ChunkSeqNo must not wrap. */
	if (!seq32(rx->version) && rx->next_seq > 0xFFFF)
		return da_errf(err, -EPROTO, "%s: ChunkSeqNo would wrap", name);
	return 0;
}

void spdm_chunk_rx_reset(struct spdm_chunk_rx *rx)
{
	rx->active = false;
	rx->done = false;
	rx->next_seq = 0;
	rx->total = 0;
	da_buf_reset(&rx->buf);
}

void spdm_chunk_rx_free(struct spdm_chunk_rx *rx)
{
	da_buf_free(&rx->buf);
	rx->active = rx->done = false;
}

size_t spdm_chunk_capacity(uint8_t version, uint32_t dts, uint32_t seq)
{
	size_t hdr = seq ? SPDM_CHUNK_HDR_SIZE : SPDM_CHUNK_FIRST_HDR_SIZE;

	(void)version;
	return dts > hdr ? dts - hdr : 0;
}
