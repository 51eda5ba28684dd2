// SPDX-License-Identifier: MIT
/*
 * Large SPDM messages (1.2+, both sides CHUNK_CAP): a request larger
 * than the device's DataTransferSize goes out as CHUNK_SEND pieces, and
 * ERROR LargeResponse is followed by CHUNK_GET until the last chunk.
 * The caller sees exactly the large message, as if it had come in one
 * transfer: that is what transcripts and signatures cover, never the
 * chunk messages.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "req.h"

bool req_chunking(const struct spdm_req *r)
{
	return r->phase >= PH_CAPS && r->p.version >= SPDM_VER_12 &&
	       (r->info.rsp_caps & SPDM_CAP_CHUNK) && (r->own_caps & SPDM_CAP_CHUNK);
}

static size_t max_pad(const struct spdm_req *r)
{
	return r->t ? da_framing_max_pad(r->t->framing) : 0;
}

static int chunk_rsp_hdr(struct spdm_req *r, const char *req_name, uint8_t ver,
			 uint8_t expect, size_t len, struct spdm_hdr *h, struct da_err *err)
{
	struct spdm_error e;
	int ret;

	ret = spdm_decode_hdr(r->rsp_buf, len, h, err);
	if (ret < 0)
		return ret;
	if (h->code == SPDM_ERROR && expect != SPDM_CHUNK_SEND_ACK) {
		ret = spdm_decode_error(r->rsp_buf, len, &e, err);
		if (ret < 0)
			return ret;
		return da_errf(err, spdm_error_to_errno(e.code),
			       "%s: device answered ERROR %s (0x%02x, data 0x%02x)", req_name,
			       spdm_error_name(e.code), e.code, e.data);
	}
	if (h->code == SPDM_ERROR)
		return 1;	/* an ERROR to a chunk answers the large request */
	if (h->code != expect)
		return da_errf(err, -EPROTO, "%s: expected %s (0x%02x), device answered %s (0x%02x)",
			       req_name, req_msg_name(expect), expect, req_msg_name(h->code),
			       h->code);
	if (h->version != ver)
		return da_errf(err, -EPROTO,
			       "%s: SPDMVersion 0x%02x in the response, request was 0x%02x",
			       req_msg_name(h->code), h->version, ver);
	return 0;
}

int req_send_chunked(struct spdm_req *r, const uint8_t *req, size_t req_len,
		     unsigned int timeout_ms, size_t *rsp_len, struct da_err *err)
{
	uint32_t dts = r->info.data_transfer_size, seq = 0;
	uint8_t ver = req[0], handle = r->next_handle++;
	size_t off = 0, len, cap;
	struct spdm_chunk_ack a;
	struct spdm_hdr h;
	uint8_t *msg;
	int ret = 0;

	if (req_len > r->info.max_msg_size)
		return da_errf(err, -EMSGSIZE,
			       "%s: %zu bytes exceed the device's MaxSPDMmsgSize %u",
			       req_msg_name(req[1]), req_len, r->info.max_msg_size);
	cap = req_len + SPDM_CHUNK_FIRST_HDR_SIZE;
	msg = malloc(cap);
	if (!msg)
		return da_errf(err, -ENOMEM, "CHUNK_SEND: out of memory");
	while (off < req_len) {
		size_t n = spdm_chunk_capacity(ver, dts, seq);
		struct wcur w = wcur_init(msg, cap);
		struct spdm_chunk c = {
			.handle = handle, .seq = seq, .large_size = (uint32_t)req_len,
			.data = req + off,
		};
		long built;

		if (n > req_len - off)
			n = req_len - off;
		c.size = (uint32_t)n;
		if (off + n == req_len)
			c.attributes = SPDM_CHUNK_LAST;
		built = spdm_encode_chunk_send(&w, ver, &c);
		if (built < 0) {
			ret = da_errf(err, (int)built, "CHUNK_SEND: encoding chunk %u failed", seq);
			goto out;
		}
		len = 0;
		ret = da_transport_exchange(r->t, msg, (size_t)built, r->rsp_buf, REQ_BUF_SIZE,
					    &len, timeout_ms, err);
		if (ret < 0) {
			da_err_prefix(err, "CHUNK_SEND %u of %s", seq, req_msg_name(req[1]));
			goto out;
		}
		r->info.chunk_sends++;
		ret = chunk_rsp_hdr(r, "CHUNK_SEND", ver, SPDM_CHUNK_SEND_ACK, len, &h, err);
		if (ret < 0)
			goto out;
		if (ret == 1) {
			/* ERROR instead of an ACK: it is the answer to the large request. */
			*rsp_len = len;
			ret = 0;
			goto out;
		}
		ret = spdm_decode_chunk_send_ack(r->rsp_buf, len, ver, &a, err);
		if (ret < 0)
			goto out;
		/* The device's own complaint about a chunk says more than any echo. */
		if ((a.attributes & SPDM_CHUNK_EARLY_ERROR) && a.rsp_len >= 4 &&
		    a.rsp[1] == SPDM_ERROR) {
			memmove(r->rsp_buf, a.rsp, a.rsp_len);
			*rsp_len = a.rsp_len;
			ret = 0;
			goto out;
		}
		if (a.handle != handle || a.seq != seq) {
			ret = da_errf(err, -EPROTO,
				      "CHUNK_SEND_ACK: Handle %u ChunkSeqNo %u, sent Handle %u ChunkSeqNo %u",
				      a.handle, a.seq, handle, seq);
			goto out;
		}
		off += n;
		seq++;
		if ((a.attributes & SPDM_CHUNK_EARLY_ERROR) || off == req_len) {
			if (!a.rsp_len) {
				ret = da_errf(err, -EPROTO,
					      "CHUNK_SEND_ACK: %s without ResponseToLargeRequest",
					      off == req_len ? "last chunk" : "EarlyErrorDetected");
				goto out;
			}
			memmove(r->rsp_buf, a.rsp, a.rsp_len);
			*rsp_len = a.rsp_len;
			ret = 0;
			goto out;
		}
		ret = spdm_check_trailing(r->rsp_buf, len, len - a.rsp_len, max_pad(r), err);
		if (ret) {
			da_err_prefix(err, "CHUNK_SEND_ACK %u: response before the last chunk", seq - 1);
			goto out;
		}
	}
out:
	free(msg);
	return ret;
}

int req_get_chunked(struct spdm_req *r, uint8_t ver, uint8_t handle, unsigned int timeout_ms,
		    struct da_err *err)
{
	struct spdm_chunk_rx *rx = &r->rx;
	uint8_t msg[16];
	int ret;

	spdm_chunk_rx_reset(rx);
	rx->version = ver;
	rx->dts = r->own_dts;
	rx->max_size = r->own_max;
	for (uint32_t seq = 0;; seq++) {
		struct wcur w = wcur_init(msg, sizeof(msg));
		struct spdm_chunk c;
		struct spdm_hdr h;
		size_t len = 0;
		long built = spdm_encode_chunk_get(&w, ver, handle, seq);

		if (built < 0)
			return da_errf(err, (int)built, "CHUNK_GET: encoding chunk %u failed", seq);
		ret = da_transport_exchange(r->t, msg, (size_t)built, r->rsp_buf, REQ_BUF_SIZE,
					    &len, timeout_ms, err);
		if (ret < 0) {
			da_err_prefix(err, "CHUNK_GET %u", seq);
			return ret;
		}
		r->info.chunk_gets++;
		ret = chunk_rsp_hdr(r, "CHUNK_GET", ver, SPDM_CHUNK_RESPONSE, len, &h, err);
		if (ret < 0)
			return ret;
		if (len > rx->dts + max_pad(r))
			return da_errf(err, -EMSGSIZE,
				       "CHUNK_RESPONSE: %zu bytes exceed our DataTransferSize %u", len,
				       rx->dts);
		ret = spdm_decode_chunk_response(r->rsp_buf, len, ver, &c, err);
		if (ret < 0)
			return ret;
		ret = spdm_check_trailing(r->rsp_buf, len, (size_t)ret, max_pad(r), err);
		if (ret)
			return ret;
		if (c.handle != handle)
			return da_errf(err, -EPROTO,
				       "CHUNK_RESPONSE: Handle %u, ERROR LargeResponse gave Handle %u",
				       c.handle, handle);
		if (c.seq != seq)
			return da_errf(err, -EPROTO, "CHUNK_RESPONSE: ChunkSeqNo %u, asked for %u",
				       c.seq, seq);
		ret = spdm_chunk_rx_add(rx, &c, "CHUNK_RESPONSE", err);
		if (ret < 0)
			return ret;
		if (ret == 1)
			return 0;
	}
}

/* Replay: the large messages a capture's chunk exchanges carried. */
struct unchunk {
	struct da_spdm_msg *out;
	size_t n;
	uint8_t **bufs;
	size_t nbufs;
};

static bool msg_is(const struct da_spdm_msg *m, uint8_t code)
{
	return m->len >= 4 && m->data[1] == code;
}

static int keep_buf(struct unchunk *u, struct spdm_chunk_rx *rx, size_t record,
		    struct da_err *err)
{
	uint8_t **b = realloc(u->bufs, (u->nbufs + 1) * sizeof(*b));

	if (!b)
		return da_errf(err, -ENOMEM, "record %zu: out of memory", record);
	u->bufs = b;
	/* The reassembled message moves out of rx: rx starts afresh. */
	u->bufs[u->nbufs++] = rx->buf.data;
	u->out[u->n++] = (struct da_spdm_msg){
		.data = rx->buf.data, .len = rx->buf.len, .record = record,
	};
	rx->buf = (struct da_buf){ 0 };
	return 0;
}

/* A run of (CHUNK_SEND, CHUNK_SEND_ACK) from in[*i]: the request, then its response. */
static int unchunk_send(struct unchunk *u, const struct da_spdm_msg *in, size_t n, size_t *i,
			struct spdm_chunk_rx *rx, struct da_err *err)
{
	while (*i + 1 < n && msg_is(&in[*i], SPDM_CHUNK_SEND)) {
		const struct da_spdm_msg *q = &in[*i], *s = &in[*i + 1];
		struct spdm_chunk c;
		struct spdm_chunk_ack a;
		int ret;

		*i += 2;
		ret = spdm_decode_chunk_send(q->data, q->len, q->data[0], &c, err);
		if (ret >= 0)
			ret = spdm_chunk_rx_add(rx, &c, "CHUNK_SEND", err);
		if (ret < 0)
			goto fail;
		if (!msg_is(s, SPDM_CHUNK_SEND_ACK)) {
			/* An ERROR to a chunk answers the request (Busy: it is sent again). */
			ret = keep_buf(u, rx, q->record, err);
			if (!ret)
				u->out[u->n++] = *s;
			return ret;
		}
		ret = spdm_decode_chunk_send_ack(s->data, s->len, s->data[0], &a, err);
		if (ret < 0) {
			q = s;
			goto fail;
		}
		if (!rx->done && !(a.attributes & SPDM_CHUNK_EARLY_ERROR))
			continue;
		ret = keep_buf(u, rx, q->record, err);
		if (ret)
			return ret;
		u->out[u->n++] = (struct da_spdm_msg){
			.data = a.rsp, .len = a.rsp_len, .max_pad = s->max_pad, .record = s->record,
		};
		return 0;
fail:
		da_err_prefix(err, "record %zu", q->record);
		return ret;
	}
	return da_errf(err, -EPROTO, "record %zu: CHUNK_SEND without its last chunk",
		       in[*i < n ? *i : n - 1].record);
}

/* After ERROR LargeResponse at in[*i - 1]: the (CHUNK_GET, CHUNK_RESPONSE) run. */
static int unchunk_get(struct unchunk *u, const struct da_spdm_msg *in, size_t n, size_t *i,
		       struct spdm_chunk_rx *rx, struct da_err *err)
{
	while (*i + 1 < n && msg_is(&in[*i], SPDM_CHUNK_GET)) {
		const struct da_spdm_msg *s = &in[*i + 1];
		struct spdm_chunk c;
		int ret;

		*i += 2;
		ret = spdm_decode_chunk_response(s->data, s->len, s->data[0], &c, err);
		if (ret >= 0)
			ret = spdm_chunk_rx_add(rx, &c, "CHUNK_RESPONSE", err);
		if (ret < 0) {
			da_err_prefix(err, "record %zu", s->record);
			return ret;
		}
		if (ret == 1)
			return keep_buf(u, rx, s->record, err);
	}
	return da_errf(err, -EPROTO, "record %zu: large response without its last chunk",
		       in[*i < n ? *i : n - 1].record);
}

static bool has_chunks(const struct da_spdm_msg *in, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (msg_is(&in[i], SPDM_CHUNK_SEND) || msg_is(&in[i], SPDM_CHUNK_GET))
			return true;
	return false;
}

void req_unchunk_free(struct da_spdm_msg *out, uint8_t **bufs, size_t nbufs)
{
	for (size_t i = 0; i < nbufs; i++)
		free(bufs[i]);
	free(bufs);
	free(out);
}

int req_unchunk(const struct da_spdm_msg *in, size_t n, struct da_spdm_msg **out,
		size_t *nout, uint8_t ***bufs, size_t *nbufs, struct da_err *err)
{
	/* Captures are verified, not negotiated: only the capture's own bounds apply. */
	struct spdm_chunk_rx rx = { .dts = 0, .max_size = REQ_MAX_SPDM_MSG };
	struct unchunk u = { 0 };
	size_t i = 0;
	int ret = 0;

	*out = NULL;
	*nout = 0;
	*bufs = NULL;
	*nbufs = 0;
	if (!has_chunks(in, n))
		return 0;
	u.out = calloc(n ? n : 1, sizeof(*u.out));
	if (!u.out)
		return da_errf(err, -ENOMEM, "out of memory");
	while (i < n && !ret) {
		const struct da_spdm_msg *m = &in[i], *last;
		struct spdm_error e;

		rx.version = m->len ? m->data[0] : 0;
		if (msg_is(m, SPDM_CHUNK_SEND)) {
			ret = unchunk_send(&u, in, n, &i, &rx, err);
			spdm_chunk_rx_reset(&rx);
		} else {
			u.out[u.n++] = *m;
			i++;
		}
		/* A response (also one inside CHUNK_SEND_ACK) may say "fetch me in chunks". */
		if (ret || !u.n)
			continue;
		last = &u.out[u.n - 1];
		if (msg_is(last, SPDM_ERROR) &&
		    spdm_decode_error(last->data, last->len, &e, NULL) > 0 &&
		    e.code == SPDM_ERR_LARGE_RESPONSE && i < n && msg_is(&in[i], SPDM_CHUNK_GET)) {
			u.n--;
			ret = unchunk_get(&u, in, n, &i, &rx, err);
			spdm_chunk_rx_reset(&rx);
		}
	}
	spdm_chunk_rx_free(&rx);
	if (ret) {
		req_unchunk_free(u.out, u.bufs, u.nbufs);
		return ret;
	}
	*out = u.out;
	*nout = u.n;
	*bufs = u.bufs;
	*nbufs = u.nbufs;
	return 0;
}
