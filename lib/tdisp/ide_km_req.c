// SPDX-License-Identifier: MIT
/* IDE_KM requests of the TSM: QUERY, KEY_PROG, K_SET_GO / K_SET_STOP. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "spdm/vendor_codec.h"
#include "tdisp.h"

/* QUERY_RESP with the largest IDE capability. */
#define IDEKM_RSP_CAP (IDEKM_QUERY_RESP_FIXED + 4 * IDEKM_MAX_REGS)

static int exchange(const struct tdisp_chan *ch, const uint8_t *req, size_t req_len, uint8_t *rsp,
		    size_t cap, size_t *len, struct da_err *err)
{
	int ret = ch->send(ch->ctx, PCI_PROTOCOL_IDE_KM, req, req_len, rsp, cap, len,
					  err);

	if (ret)
		da_err_prefix(err, "IDE_KM %s", idekm_msg_name(req[0]));
	return ret;
}

static int exact(const struct tdisp_chan *ch, long got, size_t len, uint8_t object, struct da_err *err)
{
	if (got < 0) {
		da_err_prefix(err, "%s", ch->dev);
		return (int)got;
	}
	if ((size_t)got != len)
		return da_errf(err, -EBADMSG, "%s: IDE_KM %s: %zu bytes after the message",
			       ch->dev, idekm_msg_name(object), len - (size_t)got);
	return 0;
}

int idekm_req_query(const struct tdisp_chan *ch, uint8_t port_index, struct idekm_port *q,
		    struct da_err *err)
{
	uint8_t req[IDEKM_QUERY_SIZE], *rsp = malloc(IDEKM_RSP_CAP);
	struct wcur w = wcur_init(req, sizeof(req));
	struct idekm_query_resp qr;
	size_t len;
	int ret;

	if (!rsp)
		return -ENOMEM;
	ret = idekm_encode_query(&w, port_index);
	if (ret > 0)
		ret = exchange(ch, req, (size_t)ret, rsp, IDEKM_RSP_CAP, &len, err) ?:
		      exact(ch, idekm_decode_query_resp(rsp, len, &qr, err), len, IDEKM_QUERY_RESP,
			    err);
	if (!ret && qr.port_index != port_index)
		ret = da_errf(err, -EPROTO, "%s: IDE_KM QUERY_RESP: PortIndex %u, QUERY asked for %u",
			      ch->dev, qr.port_index, port_index);
	if (ret)
		goto out;
	memset(q, 0, sizeof(*q));
	q->port_index = qr.port_index;
	q->dev_func = qr.dev_func;
	q->bus = qr.bus;
	q->segment = qr.segment;
	q->max_port_index = qr.max_port_index;
	q->nregs = qr.nregs;
	for (uint32_t i = 0; i < qr.nregs && i < IDEKM_KEEP_REGS; i++) {
		struct cur c = cur_init(qr.regs + 4 * i, 4);

		(void)cur_u32(&c, &q->regs[i]);
	}
out:
	free(rsp);
	return ret;
}

/* The ACK names the stream, key set, direction, sub-stream and port of its request. */
static int check_echo(const struct tdisp_chan *ch, uint8_t object, const struct idekm_stream *want,
		      const struct idekm_stream *got, struct da_err *err)
{
	if (got->stream_id != want->stream_id || got->kss != want->kss ||
	    got->port_index != want->port_index)
		return da_errf(err, -EPROTO,
			       "%s: IDE_KM %s: Stream ID %u, KeySet/RxTx/SubStream 0x%02x, PortIndex %u; request had %u, 0x%02x, %u",
			       ch->dev, idekm_msg_name(object), got->stream_id, got->kss,
			       got->port_index, want->stream_id, want->kss, want->port_index);
	return 0;
}

int idekm_req_key_prog(const struct tdisp_chan *ch, const struct idekm_stream *s,
		       const uint8_t key[IDEKM_KEY_SIZE], const uint8_t ifv[IDEKM_IFV_SIZE],
		       struct da_err *err)
{
	uint8_t req[IDEKM_KEY_PROG_SIZE], rsp[64];
	struct wcur w = wcur_init(req, sizeof(req));
	struct idekm_stream ack;
	size_t len;
	int ret;

	ret = idekm_encode_key_prog(&w, s, key, ifv);
	if (ret > 0)
		ret = exchange(ch, req, (size_t)ret, rsp, sizeof(rsp), &len, err);
	OPENSSL_cleanse(req, sizeof(req));
	if (!ret)
		ret = exact(ch, idekm_decode_stream_msg(rsp, len, IDEKM_KP_ACK, &ack, err), len,
			    IDEKM_KP_ACK, err) ?:
		      check_echo(ch, IDEKM_KP_ACK, s, &ack, err);
	if (!ret && ack.status != IDEKM_KP_SUCCESS)
		ret = da_errf(err, -EIO, "%s: IDE_KM KP_ACK: Status %u (%s) for Stream ID %u",
			      ch->dev, ack.status, idekm_kp_status_name(ack.status),
			      s->stream_id);
	return ret;
}

int idekm_req_key_set(const struct tdisp_chan *ch, bool go, const struct idekm_stream *s,
		      struct da_err *err)
{
	uint8_t req[IDEKM_STREAM_MSG_SIZE], rsp[64];
	struct wcur w = wcur_init(req, sizeof(req));
	struct idekm_stream ack;
	size_t len;
	int ret;

	ret = idekm_encode_stream_msg(&w, go ? IDEKM_K_SET_GO : IDEKM_K_SET_STOP, s);
	if (ret > 0)
		ret = exchange(ch, req, (size_t)ret, rsp, sizeof(rsp), &len, err) ?:
		      exact(ch, idekm_decode_stream_msg(rsp, len, IDEKM_K_GOSTOP_ACK, &ack, err), len,
			    IDEKM_K_GOSTOP_ACK, err) ?:
		      check_echo(ch, IDEKM_K_GOSTOP_ACK, s, &ack, err);
	return ret;
}
