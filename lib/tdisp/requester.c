// SPDX-License-Identifier: MIT
/*
 * TDISP requests of the TSM: version, capabilities, lock, the report in
 * portions, state, start, stop; each over requester/vendor.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "requester/vendor.h"
#include "spdm/vendor_codec.h"
#include "tdisp.h"

/* The largest TDISP message we take: a report portion within one transfer. */
#define TDISP_RSP_CAP 0x1400

static int session_send(void *ctx, uint8_t protocol, const uint8_t *req, size_t req_len,
			uint8_t *out, size_t cap, size_t *out_len, struct da_err *err)
{
	return spdm_req_session_vendor(ctx, protocol, req, req_len, out, cap, out_len, err);
}

void tdisp_chan_session(struct tdisp_chan *c, struct spdm_req *r)
{
	c->send = session_send;
	c->ctx = r;
	c->dev = spdm_req_dev(r);
}

void tdisp_req_init_chan(struct tdisp_req *t, const struct tdisp_chan *ch, uint32_t function_id)
{
	memset(t, 0, sizeof(*t));
	t->ch = *ch;
	t->iface.function_id = function_id;
	t->portion = TDISP_DEFAULT_PORTION;
}

void tdisp_req_init(struct tdisp_req *t, struct spdm_req *r, uint32_t function_id)
{
	struct tdisp_chan ch;

	tdisp_chan_session(&ch, r);
	tdisp_req_init_chan(t, &ch, function_id);
}

void tdisp_req_free(struct tdisp_req *t)
{
	OPENSSL_cleanse(t->nonce, sizeof(t->nonce));
	da_buf_free(&t->report);
	memset(&t->rep, 0, sizeof(t->rep));
}

/*
 * One TDISP request: the response is checked for TDISP_ERROR, its type,
 * the version echo and the INTERFACE_ID echo; *len is its true length
 * with nothing after it in the payload (decode re-checks the body).
 */
static int exchange(struct tdisp_req *t, const uint8_t *req, size_t req_len, uint8_t expect,
		    uint8_t *rsp, size_t *len, struct da_err *err)
{
	const char *name = tdisp_msg_name(req[1]);
	const char *dev = t->ch.dev;
	struct tdisp_hdr h;
	int ret;

	ret = t->ch.send(t->ch.ctx, PCI_PROTOCOL_TDISP, req, req_len, rsp, TDISP_RSP_CAP,
				      len, err);
	if (ret) {
		da_err_prefix(err, "TDISP %s", name);
		return ret;
	}
	if (tdisp_decode_hdr(rsp, *len, &h, err) < 0)
		goto bad;
	if (h.type == TDISP_ERROR) {
		struct tdisp_error e;

		if (tdisp_decode_error(rsp, *len, &e, err) < 0)
			goto bad;
		t->had_error = true;
		t->last_error = e;
		t->last_error.ext = NULL;
		return da_errf(err, tdisp_error_to_errno(e.code),
			       "%s: TDISP %s: device answered TDISP_ERROR %s (0x%04x, data 0x%08x)",
			       dev, name, tdisp_error_name(e.code), e.code, e.data);
	}
	if (h.type != expect)
		return da_errf(err, -EPROTO, "%s: TDISP %s: expected %s (0x%02x), device answered %s (0x%02x)",
			       dev, name, tdisp_msg_name(expect), expect, tdisp_msg_name(h.type),
			       h.type);
	/* Every response echoes the request's version; GET_VERSION is always 1.0. */
	if (h.version != req[0])
		return da_errf(err, -EPROTO, "%s: TDISP %s: TDISPVersion 0x%02x, request was 0x%02x",
			       dev, tdisp_msg_name(h.type), h.version, req[0]);
	if (h.iface.function_id != t->iface.function_id || h.iface.reserved != t->iface.reserved)
		return da_errf(err, -EPROTO,
			       "%s: TDISP %s: INTERFACE_ID FUNCTION_ID 0x%08x, request was 0x%08x",
			       dev, tdisp_msg_name(h.type), h.iface.function_id,
			       t->iface.function_id);
	return 0;
bad:
	da_err_prefix(err, "%s", dev);
	return -EBADMSG;
}

/* The decoder's true length must be the whole payload. */
static int exact(struct tdisp_req *t, long got, size_t len, uint8_t type, struct da_err *err)
{
	if (got < 0) {
		da_err_prefix(err, "%s", t->ch.dev);
		return (int)got;
	}
	if ((size_t)got != len)
		return da_errf(err, -EBADMSG, "%s: TDISP %s: %zu bytes after the message",
			       t->ch.dev, tdisp_msg_name(type), len - (size_t)got);
	return 0;
}

static int need_version(struct tdisp_req *t, uint8_t type, struct da_err *err)
{
	if (!t->version)
		return da_errf(err, -EPROTO, "%s: TDISP %s before GET_TDISP_VERSION",
			       t->ch.dev, tdisp_msg_name(type));
	return 0;
}

int tdisp_req_version(struct tdisp_req *t, struct da_err *err)
{
	uint8_t req[TDISP_HDR_SIZE], *rsp = malloc(TDISP_RSP_CAP);
	struct wcur w = wcur_init(req, sizeof(req));
	struct tdisp_version_rsp v;
	size_t len;
	int ret;

	if (!rsp)
		return -ENOMEM;
	ret = tdisp_encode_simple(&w, TDISP_VER_10, TDISP_GET_VERSION, &t->iface);
	if (ret > 0)
		ret = exchange(t, req, (size_t)ret, TDISP_VERSION, rsp, &len, err) ?:
		      exact(t, tdisp_decode_version_rsp(rsp, len, &v, err), len, TDISP_VERSION, err);
	if (ret)
		goto out;
	for (unsigned int i = 0; i < v.count; i++)
		if (v.versions[i] == TDISP_VER_10)
			t->version = TDISP_VER_10;
	if (!t->version)
		ret = da_errf(err, -EPROTONOSUPPORT,
			      "%s: TDISP VERSION: no TDISP 1.0 among %u versions",
			      t->ch.dev, v.count);
out:
	free(rsp);
	return ret;
}

int tdisp_req_capabilities(struct tdisp_req *t, struct da_err *err)
{
	uint8_t req[TDISP_CAPS_REQ_SIZE], *rsp;
	struct wcur w = wcur_init(req, sizeof(req));
	size_t len;
	int ret;

	ret = need_version(t, TDISP_GET_CAPABILITIES, err);
	if (ret)
		return ret;
	rsp = malloc(TDISP_RSP_CAP);
	if (!rsp)
		return -ENOMEM;
	/* TSM_CAPS: nothing is defined in TDISP 1.0. */
	ret = tdisp_encode_get_caps(&w, t->version, &t->iface, 0);
	if (ret > 0)
		ret = exchange(t, req, (size_t)ret, TDISP_CAPABILITIES, rsp, &len, err) ?:
		      exact(t, tdisp_decode_caps_rsp(rsp, len, &t->caps, err), len,
			    TDISP_CAPABILITIES, err);
	t->have_caps = !ret;
	free(rsp);
	return ret;
}

int tdisp_req_lock(struct tdisp_req *t, const struct tdisp_lock_params *p, struct da_err *err)
{
	uint8_t req[TDISP_LOCK_REQ_SIZE], *rsp;
	struct wcur w = wcur_init(req, sizeof(req));
	size_t len;
	int ret;

	ret = need_version(t, TDISP_LOCK_INTERFACE_REQ, err);
	if (ret)
		return ret;
	if (t->have_caps && (p->flags & ~t->caps.lock_flags_supported))
		return da_errf(err, -EOPNOTSUPP,
			       "%s: TDISP LOCK_INTERFACE_REQUEST: FLAGS 0x%04x not in the device's LOCK_INTERFACE_FLAGS_SUPPORTED 0x%04x",
			       t->ch.dev, p->flags, t->caps.lock_flags_supported);
	rsp = malloc(TDISP_RSP_CAP);
	if (!rsp)
		return -ENOMEM;
	ret = tdisp_encode_lock(&w, t->version, &t->iface, p);
	if (ret > 0)
		ret = exchange(t, req, (size_t)ret, TDISP_LOCK_INTERFACE_RSP, rsp, &len, err) ?:
		      exact(t, tdisp_decode_lock_rsp(rsp, len, t->nonce, err), len,
			    TDISP_LOCK_INTERFACE_RSP, err);
	t->locked = !ret;
	/* A new lock makes a new report. */
	da_buf_reset(&t->report);
	memset(&t->rep, 0, sizeof(t->rep));
	t->portions = 0;
	free(rsp);
	return ret;
}

static int report_portion(struct tdisp_req *t, uint8_t *rsp, uint16_t offset, uint32_t *total,
			  uint16_t *remainder, struct da_err *err)
{
	const char *dev = t->ch.dev;
	uint8_t req[TDISP_REPORT_REQ_SIZE];
	struct wcur w = wcur_init(req, sizeof(req));
	struct tdisp_report_portion p;
	uint16_t ask = t->portion;
	size_t len;
	int ret;

	ret = tdisp_encode_get_report(&w, t->version, &t->iface, offset, ask);
	if (ret > 0)
		ret = exchange(t, req, (size_t)ret, TDISP_DEVICE_INTERFACE_REPORT, rsp, &len, err) ?:
		      exact(t, tdisp_decode_report_rsp(rsp, len, &p, err), len,
			    TDISP_DEVICE_INTERFACE_REPORT, err);
	if (ret)
		return ret;
	if (!p.portion_len)
		return da_errf(err, -EPROTO,
			       "%s: TDISP DEVICE_INTERFACE_REPORT: PORTION_LENGTH 0 at OFFSET %u (REMAINDER_LENGTH %u)",
			       dev, offset, p.remainder_len);
	if (p.portion_len > ask)
		return da_errf(err, -EPROTO,
			       "%s: TDISP DEVICE_INTERFACE_REPORT: PORTION_LENGTH %u above the LENGTH %u asked for",
			       dev, p.portion_len, ask);
	if (!offset) {
		*total = (uint32_t)p.portion_len + p.remainder_len;
		if (*total > TDISP_REPORT_MAX)
			return da_errf(err, -EPROTO,
				       "%s: TDISP DEVICE_INTERFACE_REPORT: PORTION_LENGTH %u + REMAINDER_LENGTH %u above %u",
				       dev, p.portion_len, p.remainder_len, TDISP_REPORT_MAX);
	} else if ((uint32_t)offset + p.portion_len + p.remainder_len != *total) {
		return da_errf(err, -EPROTO,
			       "%s: TDISP DEVICE_INTERFACE_REPORT: OFFSET %u + PORTION_LENGTH %u + REMAINDER_LENGTH %u is not the report length %u of the first portion",
			       dev, offset, p.portion_len, p.remainder_len, *total);
	}
	if (da_buf_append(&t->report, p.data, p.portion_len))
		return -ENOMEM;
	*remainder = p.remainder_len;
	t->portions++;
	return 0;
}

int tdisp_req_report(struct tdisp_req *t, struct da_err *err)
{
	uint16_t remainder = 0;
	uint32_t total = 0;
	uint8_t *rsp;
	long got;
	int ret;

	ret = need_version(t, TDISP_GET_DEVICE_INTERFACE_REPORT, err);
	if (ret)
		return ret;
	if (!t->portion)
		return da_errf(err, -EINVAL, "%s: TDISP GET_DEVICE_INTERFACE_REPORT: LENGTH 0",
			       t->ch.dev);
	rsp = malloc(TDISP_RSP_CAP);
	if (!rsp)
		return -ENOMEM;
	da_buf_reset(&t->report);
	memset(&t->rep, 0, sizeof(t->rep));
	t->portions = 0;
	do {
		ret = report_portion(t, rsp, (uint16_t)t->report.len, &total, &remainder, err);
	} while (!ret && remainder);
	free(rsp);
	if (ret)
		return ret;
	got = tdisp_decode_report(t->report.data, t->report.len, &t->rep, err);
	if (got < 0) {
		da_err_prefix(err, "%s", t->ch.dev);
		return (int)got;
	}
	return 0;
}

int tdisp_req_state(struct tdisp_req *t, uint8_t *state, struct da_err *err)
{
	uint8_t req[TDISP_HDR_SIZE], *rsp;
	struct wcur w = wcur_init(req, sizeof(req));
	size_t len;
	int ret;

	ret = need_version(t, TDISP_GET_DEVICE_INTERFACE_STATE, err);
	if (ret)
		return ret;
	rsp = malloc(TDISP_RSP_CAP);
	if (!rsp)
		return -ENOMEM;
	ret = tdisp_encode_simple(&w, t->version, TDISP_GET_DEVICE_INTERFACE_STATE, &t->iface);
	if (ret > 0)
		ret = exchange(t, req, (size_t)ret, TDISP_DEVICE_INTERFACE_STATE, rsp, &len, err) ?:
		      exact(t, tdisp_decode_state_rsp(rsp, len, &t->state, err), len,
			    TDISP_DEVICE_INTERFACE_STATE, err);
	if (!ret && state)
		*state = t->state;
	free(rsp);
	return ret;
}

static int simple_rsp(struct tdisp_req *t, const uint8_t *req, size_t req_len, uint8_t expect,
		      struct da_err *err)
{
	uint8_t *rsp = malloc(TDISP_RSP_CAP);
	size_t len;
	int ret;

	if (!rsp)
		return -ENOMEM;
	ret = exchange(t, req, req_len, expect, rsp, &len, err) ?:
	      exact(t, tdisp_decode_simple(rsp, len, tdisp_msg_name(expect), err), len, expect,
		    err);
	free(rsp);
	return ret;
}

int tdisp_req_start(struct tdisp_req *t, const uint8_t nonce[TDISP_NONCE_SIZE],
		    struct da_err *err)
{
	uint8_t req[TDISP_START_REQ_SIZE];
	struct wcur w = wcur_init(req, sizeof(req));
	int ret;

	ret = need_version(t, TDISP_START_INTERFACE_REQ, err);
	if (ret)
		return ret;
	ret = tdisp_encode_start(&w, t->version, &t->iface, nonce);
	if (ret > 0)
		ret = simple_rsp(t, req, (size_t)ret, TDISP_START_INTERFACE_RSP, err);
	OPENSSL_cleanse(req, sizeof(req));
	return ret;
}

int tdisp_req_stop(struct tdisp_req *t, struct da_err *err)
{
	uint8_t req[TDISP_HDR_SIZE];
	struct wcur w = wcur_init(req, sizeof(req));
	int ret;

	ret = need_version(t, TDISP_STOP_INTERFACE_REQ, err);
	if (ret)
		return ret;
	ret = tdisp_encode_simple(&w, t->version, TDISP_STOP_INTERFACE_REQ, &t->iface);
	if (ret > 0)
		ret = simple_rsp(t, req, (size_t)ret, TDISP_STOP_INTERFACE_RSP, err);
	if (!ret) {
		t->locked = false;
		OPENSSL_cleanse(t->nonce, sizeof(t->nonce));
	}
	return ret;
}
