// SPDX-License-Identifier: MIT
/*
 * An in-process transport: the device is a function in the same
 * process.  Requests and responses are still framed, logged and
 * deframed exactly as over a socket, so the device side parses real
 * transport messages and a capture of an in-process run reads like one
 * taken on the wire.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <devauth/pcap.h>
#include <devauth/transport.h>

#include "framing.h"

/* Frame overhead beyond the SPDM message: DOE header and padding. */
#define INPROC_SLACK	(DA_DOE_HDR_SIZE + 4)
/* The largest transport message either direction may carry (DOE: 2^18 dwords). */
#define INPROC_MAX	((size_t)1 << 20)

struct inproc {
	struct da_transport t;
	da_inproc_handler handler;
	void *ctx;
	bool closed;
	uint8_t *tx, *rx;
	size_t tx_cap, rx_cap;
};

static int grow(uint8_t **buf, size_t *cap, size_t n)
{
	uint8_t *p;

	if (n <= *cap)
		return 0;
	p = realloc(*buf, n);
	if (!p)
		return -ENOMEM;
	*buf = p;
	*cap = n;
	return 0;
}

static int inproc_xfer(struct da_transport *t, enum da_payload_kind send_kind,
		       const uint8_t *req, size_t req_len, uint8_t *rsp, size_t rsp_cap,
		       size_t *rsp_len, enum da_payload_kind *rsp_kind, unsigned int timeout_ms,
		       struct da_err *err)
{
	struct inproc *ip = (struct inproc *)t;
	size_t want_rx, tlen, plen;
	enum da_payload_kind kind;
	const uint8_t *payload;
	struct wcur w;
	int ret;

	*rsp_len = 0;
	if (ip->closed)
		return da_errf(err, -ENOTCONN, "%s: transport already closed", t->name);
	if (req_len > INPROC_MAX - INPROC_SLACK)
		return da_errf(err, -EMSGSIZE, "%s: request of %zu bytes too large", t->name,
			       req_len);
	/* One byte more than a fitting answer needs, to tell "too large" apart. */
	want_rx = rsp_cap > INPROC_MAX - INPROC_SLACK - 1 ? INPROC_MAX : rsp_cap + INPROC_SLACK + 1;
	if (grow(&ip->tx, &ip->tx_cap, req_len + INPROC_SLACK) ||
	    grow(&ip->rx, &ip->rx_cap, want_rx))
		return da_errf(err, -ENOMEM, "%s: out of memory", t->name);
	w = wcur_init(ip->tx, ip->tx_cap);
	ret = da_frame_encode(t->framing, send_kind, req, req_len, &w);
	if (ret < 0)
		return da_errf(err, ret, "%s: cannot frame a %zu-byte request", t->name, req_len);
	tlen = (size_t)ret;
	if (t->pcap)
		da_pcap_log(t->pcap, ip->tx, tlen);

	ret = ip->handler(ip->ctx, ip->tx, tlen, ip->rx, ip->rx_cap);
	if (ret == -ETIMEDOUT)
		return da_errf(err, ret, "%s: no response within %u ms", t->name, timeout_ms);
	if (ret == -ECONNRESET)
		return da_errf(err, ret, "%s: device dropped the link", t->name);
	if (ret == -ENOSPC || ret == -EMSGSIZE)
		return da_errf(err, -EMSGSIZE,
			       "%s: response exceeds the %zu-byte buffer", t->name, rsp_cap);
	if (ret < 0)
		return da_errf(err, ret, "%s: device failed: %s", t->name, strerror(-ret));
	if ((size_t)ret > ip->rx_cap)
		return da_errf(err, -EINVAL, "%s: device claims %d bytes in a %zu-byte buffer",
			       t->name, ret, ip->rx_cap);
	if (t->pcap)
		da_pcap_log(t->pcap, ip->rx, (size_t)ret);

	ret = da_frame_decode(t->framing, ip->rx, (size_t)ret, &kind, &payload, &plen, err);
	if (ret) {
		da_err_prefix(err, "%s", t->name);
		return ret;
	}
	if (kind != DA_PAYLOAD_SPDM && (send_kind != DA_PAYLOAD_SECURED_SPDM ||
					kind != DA_PAYLOAD_SECURED_SPDM))
		return da_errf(err, -EBADMSG, "%s: transport: response is %s, not SPDM",
			       t->name,
			       kind == DA_PAYLOAD_SECURED_SPDM ? "secured SPDM" : "DOE discovery");
	if (plen > rsp_cap)
		return da_errf(err, -EMSGSIZE,
			       "%s: transport: response of %zu bytes exceeds the %zu-byte buffer",
			       t->name, plen, rsp_cap);
	if (plen)
		memcpy(rsp, payload, plen);
	*rsp_len = plen;
	*rsp_kind = kind;
	return 0;
}

static int inproc_exchange(struct da_transport *t, const uint8_t *req, size_t req_len,
			   uint8_t *rsp, size_t rsp_cap, size_t *rsp_len,
			   unsigned int timeout_ms, struct da_err *err)
{
	enum da_payload_kind kind;

	return inproc_xfer(t, DA_PAYLOAD_SPDM, req, req_len, rsp, rsp_cap, rsp_len, &kind,
			   timeout_ms, err);
}

static int inproc_exchange_secured(struct da_transport *t, const uint8_t *req, size_t req_len,
				   uint8_t *rsp, size_t rsp_cap, size_t *rsp_len,
				   bool *rsp_secured, unsigned int timeout_ms, struct da_err *err)
{
	enum da_payload_kind kind = DA_PAYLOAD_SPDM;
	int ret;

	if (t->framing == DA_FRAMING_NONE)
		return da_errf(err, -EOPNOTSUPP,
			       "%s: transport NONE cannot mark a secured message", t->name);
	ret = inproc_xfer(t, DA_PAYLOAD_SECURED_SPDM, req, req_len, rsp, rsp_cap, rsp_len, &kind,
			  timeout_ms, err);
	*rsp_secured = kind == DA_PAYLOAD_SECURED_SPDM;
	return ret;
}

static int inproc_close(struct da_transport *t, bool keep, struct da_err *err)
{
	struct inproc *ip = (struct inproc *)t;

	/* Nothing to tell a function; keep just means the device object lives on. */
	ip->closed = true;
	return 0;
}

static void inproc_destroy(struct da_transport *t)
{
	struct inproc *ip = (struct inproc *)t;

	free(ip->tx);
	free(ip->rx);
	free(ip);
}

static const struct da_transport_ops inproc_ops = {
	.exchange = inproc_exchange,
	.exchange_secured = inproc_exchange_secured,
	.close = inproc_close,
	.destroy = inproc_destroy,
};

int da_transport_inproc(enum da_framing framing, da_inproc_handler handler, void *ctx,
			struct da_transport **out)
{
	struct inproc *ip;

	*out = NULL;
	if (!handler || (framing != DA_FRAMING_NONE && framing != DA_FRAMING_MCTP &&
			 framing != DA_FRAMING_PCI_DOE))
		return -EINVAL;
	ip = calloc(1, sizeof(*ip));
	if (!ip)
		return -ENOMEM;
	ip->t.ops = &inproc_ops;
	ip->t.framing = framing;
	ip->handler = handler;
	ip->ctx = ctx;
	snprintf(ip->t.name, sizeof(ip->t.name), "inproc-%s", da_framing_name(framing));
	*out = &ip->t;
	return 0;
}

void da_transport_destroy(struct da_transport *t)
{
	if (t && t->ops && t->ops->destroy)
		t->ops->destroy(t);
}
