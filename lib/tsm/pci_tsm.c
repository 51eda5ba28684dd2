// SPDX-License-Identifier: MIT
/*
 * pci-tsm messages: build with libmnl, parse headers through struct cur
 * and attributes through genl_walk_attrs() (libmnl's walk, payloads as
 * bounded cursors).  The one decoder of the family: devauthd (requests
 * in, replies out), devauth (the other way) and the evidence importer
 * (captures of the kernel's dumps, PCI_TSM_PARSE_ANY_FAMILY).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "tsm/genl.h"
#include "tsm/pci_tsm.h"

const char *pci_tsm_state_name(uint32_t state)
{
	switch (state) {
	case PCI_TSM_STATE_UNCONNECTED: return "unconnected";
	case PCI_TSM_STATE_CONNECTING: return "connecting";
	case PCI_TSM_STATE_CONNECTED: return "connected";
	case PCI_TSM_STATE_BOUND: return "bound";
	case PCI_TSM_STATE_FAILED: return "failed";
	}
	return "unknown";
}

const char *pci_tsm_event_name(uint32_t event)
{
	switch (event) {
	case PCI_TSM_EVENT_CONNECTED: return "connected";
	case PCI_TSM_EVENT_CONNECT_FAILED: return "connect-failed";
	case PCI_TSM_EVENT_DISCONNECTED: return "disconnected";
	case PCI_TSM_EVENT_BOUND: return "bound";
	case PCI_TSM_EVENT_UNBOUND: return "unbound";
	case PCI_TSM_EVENT_SESSION_LOST: return "session-lost";
	case PCI_TSM_EVENT_REVALIDATED: return "revalidated";
	case PCI_TSM_EVENT_REVALIDATION_FAILED: return "revalidation-failed";
	}
	return "unknown";
}

const char *pci_tsm_cmd_name(uint8_t cmd)
{
	static const char *const names[] = {
		[PCI_TSM_CMD_EVIDENCE_READ] = "EVIDENCE_READ",
		[PCI_TSM_CMD_LIST] = "LIST",
		[PCI_TSM_CMD_CONNECT] = "CONNECT",
		[PCI_TSM_CMD_DISCONNECT] = "DISCONNECT",
		[PCI_TSM_CMD_BIND] = "BIND",
		[PCI_TSM_CMD_UNBIND] = "UNBIND",
		[PCI_TSM_CMD_LOCK] = "LOCK",
		[PCI_TSM_CMD_UNLOCK] = "UNLOCK",
		[PCI_TSM_CMD_ACCEPT] = "ACCEPT",
		[PCI_TSM_CMD_SUBSCRIBE] = "SUBSCRIBE",
		[PCI_TSM_CMD_EVENT] = "EVENT",
		[PCI_TSM_CMD_PIN] = "PIN",
		[PCI_TSM_CMD_REVALIDATE] = "REVALIDATE",
		[PCI_TSM_CMD_RESET] = "RESET",
	};

	if (cmd < sizeof(names) / sizeof(names[0]) && names[cmd])
		return names[cmd];
	return "UNKNOWN";
}

struct parse_ctx {
	struct pci_tsm_msg *m;
	bool strict;
	struct da_err *err;
};

static int attr_str(struct parse_ctx *c, struct cur *v, const char *what, char *dst, size_t cap)
{
	const uint8_t *p;
	size_t n;

	cur_rest(v, &p, &n);
	if (!n || p[n - 1] != '\0')
		return da_errf(c->err, -EINVAL, "pci-tsm: attribute %s is not a NUL-terminated string",
			       what);
	if (n > cap)
		return da_errf(c->err, -EINVAL, "pci-tsm: attribute %s is %zu bytes, at most %zu",
			       what, n, cap);
	memcpy(dst, p, n);
	return 0;
}

/* Netlink integers are in host byte order. */
static int attr_u32(struct parse_ctx *c, struct cur *v, const char *what, uint32_t *out)
{
	if (cur_left(v) != sizeof(*out))
		return da_errf(c->err, -EINVAL, "pci-tsm: attribute %s is %zu bytes, not a u32",
			       what, cur_left(v));
	return cur_bytes(v, out, sizeof(*out));
}

/* SLOT and VERSION are u32 on the wire but a byte in SPDM. */
static int attr_u32_byte(struct parse_ctx *c, struct cur *v, const char *what, uint8_t *out)
{
	uint32_t x = 0;
	int ret = attr_u32(c, v, what, &x);

	if (ret)
		return ret;
	if (x > 0xff)
		return da_errf(c->err, -EINVAL, "pci-tsm: attribute %s is %u, at most 255", what,
			       x);
	*out = (uint8_t)x;
	return 0;
}

/* PIN and EVIDENCE_NONCE borrow from the message. */
static int attr_bin(struct parse_ctx *c, struct cur *v, const char *what, size_t max,
		    const uint8_t **p, size_t *n)
{
	size_t len = cur_left(v);

	if (!len || len > max) {
		if (max == SIZE_MAX)
			return da_errf(c->err, -EINVAL, "pci-tsm: attribute %s is empty", what);
		return da_errf(c->err, -EINVAL, "pci-tsm: attribute %s is %zu bytes, 1-%zu allowed",
			       what, len, max);
	}
	cur_rest(v, p, n);
	return 0;
}

static int attr_cb(uint16_t type, struct cur *v, size_t off, void *data)
{
	struct parse_ctx *c = data;
	struct pci_tsm_msg *m = c->m;
	const uint8_t *p;
	size_t n;
	int ret = 0;

	(void)off;
	if (type > PCI_TSM_A_MAX || type == PCI_TSM_A_UNSPEC) {
		if (!c->strict)
			return 0;
		return da_errf(c->err, -EINVAL, "pci-tsm: unknown attribute %u", type);
	}
	if (pci_tsm_has(m, type) && type != PCI_TSM_A_EVIDENCE_VAL)
		return da_errf(c->err, -EINVAL, "pci-tsm: attribute %u given twice", type);
	m->present |= 1ull << type;
	switch (type) {
	case PCI_TSM_A_EVIDENCE_TYPE:
		ret = attr_u32(c, v, "EVIDENCE_TYPE", &m->type);
		break;
	case PCI_TSM_A_EVIDENCE_TYPE_MASK:
		ret = attr_u32(c, v, "EVIDENCE_TYPE_MASK", &m->type_mask);
		break;
	case PCI_TSM_A_EVIDENCE_FLAGS:
		ret = attr_u32(c, v, "EVIDENCE_FLAGS", &m->flags);
		break;
	case PCI_TSM_A_SLOT:
		ret = attr_u32_byte(c, v, "SLOT", &m->neg.slot);
		break;
	case PCI_TSM_A_STATE:
		ret = attr_u32(c, v, "STATE", &m->state);
		break;
	case PCI_TSM_A_HASH_ALGO:
		ret = attr_u32(c, v, "HASH_ALGO", &m->neg.base_hash);
		break;
	case PCI_TSM_A_VERSION:
		ret = attr_u32_byte(c, v, "VERSION", &m->neg.version);
		break;
	case PCI_TSM_A_BASE_ASYM:
		ret = attr_u32(c, v, "BASE_ASYM", &m->neg.base_asym);
		break;
	case PCI_TSM_A_MEAS_HASH:
		ret = attr_u32(c, v, "MEAS_HASH", &m->neg.measurement_hash);
		break;
	case PCI_TSM_A_EVENT:
		ret = attr_u32(c, v, "EVENT", &m->event);
		break;
	case PCI_TSM_A_MCGRP:
		ret = attr_u32(c, v, "MCGRP", &m->mcgrp);
		break;
	case PCI_TSM_A_EVIDENCE_GENERATION:
		if (cur_left(v) != sizeof(m->generation) ||
		    cur_bytes(v, &m->generation, sizeof(m->generation)))
			ret = da_errf(c->err, -EINVAL,
				      "pci-tsm: attribute EVIDENCE_GENERATION is not a u64");
		break;
	case PCI_TSM_A_EVIDENCE_DEV_NAME:
		ret = attr_str(c, v, "EVIDENCE_DEV_NAME", m->dev_name, sizeof(m->dev_name));
		break;
	case PCI_TSM_A_TSM_NAME:
		ret = attr_str(c, v, "TSM_NAME", m->tsm_name, sizeof(m->tsm_name));
		break;
	case PCI_TSM_A_TSM_TYPE:
		ret = attr_str(c, v, "TSM_TYPE", m->tsm_type, sizeof(m->tsm_type));
		break;
	case PCI_TSM_A_ENDPOINT:
		ret = attr_str(c, v, "ENDPOINT", m->endpoint, sizeof(m->endpoint));
		break;
	case PCI_TSM_A_STATUS:
		ret = attr_str(c, v, "STATUS", m->status, sizeof(m->status));
		break;
	case PCI_TSM_A_IDENTITY:
		ret = attr_str(c, v, "IDENTITY", m->identity, sizeof(m->identity));
		break;
	case PCI_TSM_A_CHECK:
		ret = attr_str(c, v, "CHECK", m->check, sizeof(m->check));
		break;
	case PCI_TSM_A_TDISP_STATE:
		ret = attr_u32(c, v, "TDISP_STATE", &m->tdisp_state);
		break;
	case PCI_TSM_A_PIN_MODE:
		ret = attr_str(c, v, "PIN_MODE", m->pin_mode, sizeof(m->pin_mode));
		break;
	case PCI_TSM_A_PIN:
		/* The pin parser bounds and checks it; here only that it is there. */
		ret = attr_bin(c, v, "PIN", SIZE_MAX, &m->pin, &m->pin_len);
		break;
	case PCI_TSM_A_EVIDENCE_NONCE:
		ret = attr_bin(c, v, "EVIDENCE_NONCE", PCI_TSM_NONCE_MAX, &m->nonce,
			       &m->nonce_len);
		break;
	case PCI_TSM_A_EVIDENCE_VAL:
		cur_rest(v, &p, &n);
		if (m->val)
			ret = da_buf_append(m->val, p, n);
		if (ret)
			da_errf(c->err, ret, "pci-tsm: EVIDENCE_VAL: out of memory");
		break;
	}
	return ret;
}

static int extack_cb(uint16_t type, struct cur *v, size_t off, void *data)
{
	struct parse_ctx *c = data;

	(void)off;
	if (type != NLMSGERR_ATTR_MSG)
		return 0;
	if (attr_str(c, v, "NLMSGERR_ATTR_MSG", c->m->extack, sizeof(c->m->extack)))
		return -EINVAL;
	return 0;
}

/* NLMSG_ERROR and NLMSG_DONE: the errno, then (with NLM_F_ACK_TLVS) the extack. */
static int parse_status(const uint8_t *buf, const struct nlmsghdr *nlh, struct cur *c,
			struct pci_tsm_msg *m, struct parse_ctx *pc, struct da_err *err)
{
	int32_t e;
	size_t off = sizeof(*nlh), bad;
	int ret;

	if (cur_bytes(c, &e, sizeof(e)))
		return da_errf(err, -EBADMSG, "pci-tsm: %s without an error code",
			       nlh->nlmsg_type == NLMSG_ERROR ? "NLMSG_ERROR" : "NLMSG_DONE");
	off += sizeof(e);
	if (e > 0 || e < -4095)
		return da_errf(err, -EBADMSG, "pci-tsm: error code %d out of range", e);
	m->error = e;
	if (nlh->nlmsg_type == NLMSG_ERROR) {
		struct nlmsghdr orig;

		if (cur_bytes(c, &orig, sizeof(orig)))
			return da_errf(err, -EBADMSG, "pci-tsm: NLMSG_ERROR without the request header");
		off += sizeof(orig);
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED)) {
			/* The whole request is echoed: skip its payload. */
			if (orig.nlmsg_len < sizeof(orig) ||
			    cur_skip(c, NLMSG_ALIGN(orig.nlmsg_len) - sizeof(orig)))
				return da_errf(err, -EBADMSG,
					       "pci-tsm: NLMSG_ERROR: echoed request length %u",
					       orig.nlmsg_len);
			off += NLMSG_ALIGN(orig.nlmsg_len) - sizeof(orig);
		}
	}
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS) || cur_at_end(c))
		return 0;
	ret = genl_walk_attrs(buf, nlh->nlmsg_len, off - sizeof(*nlh), extack_cb, pc, &bad);
	if (ret)
		return da_errf(err, ret < 0 ? ret : -EINVAL,
			       "pci-tsm: malformed extended ack attributes");
	return 0;
}

int pci_tsm_parse_flags(const uint8_t *buf, size_t len, unsigned int flags,
			struct pci_tsm_msg *m, struct da_err *err)
{
	bool is_request = flags & PCI_TSM_PARSE_REQUEST;
	struct parse_ctx pc = { .m = m, .strict = is_request, .err = err };
	struct cur c = cur_init(buf, len);
	struct nlmsghdr nlh;
	struct genlmsghdr g;
	struct da_buf *val = m->val;
	size_t bad;
	int ret;

	memset(m, 0, sizeof(*m));
	m->val = val;
	if (cur_bytes(&c, &nlh, sizeof(nlh)))
		return da_errf(err, -EBADMSG, "pci-tsm: message of %zu bytes is shorter than nlmsghdr",
			       len);
	/*
	 * libmnl reads attribute headers up to NLMSG_ALIGN(nlmsg_len): a
	 * datagram must carry its alignment padding (libmnl and the kernel
	 * always send it), or libmnl would read past what was received.
	 */
	if (nlh.nlmsg_len <= len && len < NLMSG_ALIGN(nlh.nlmsg_len))
		return da_errf(err, -EBADMSG,
			       "pci-tsm: nlmsg_len %u, but the %zu-byte datagram lacks its alignment padding",
			       nlh.nlmsg_len, len);
	m->nl_type = nlh.nlmsg_type;
	m->nl_flags = nlh.nlmsg_flags;
	m->seq = nlh.nlmsg_seq;
	m->pid = nlh.nlmsg_pid;
	/* One message per datagram, and its length is the datagram's (up to alignment). */
	if (nlh.nlmsg_len < sizeof(nlh) || nlh.nlmsg_len > len || NLMSG_ALIGN(nlh.nlmsg_len) < len)
		return da_errf(err, -EBADMSG, "pci-tsm: nlmsg_len %u does not match the %zu bytes received",
			       nlh.nlmsg_len, len);
	c.len = nlh.nlmsg_len;
	if (nlh.nlmsg_type == NLMSG_ERROR || nlh.nlmsg_type == NLMSG_DONE) {
		if (is_request)
			return da_errf(err, -EINVAL, "pci-tsm: message type %u is not a request",
				       nlh.nlmsg_type);
		return parse_status(buf, &nlh, &c, m, &pc, err);
	}
	if (flags & PCI_TSM_PARSE_ANY_FAMILY ? nlh.nlmsg_type < NLMSG_MIN_TYPE :
	    nlh.nlmsg_type != PCI_TSM_LOCAL_FAMILY_ID)
		return da_errf(err, -EOPNOTSUPP, "pci-tsm: message type %u is not the pci-tsm family (%u)",
			       nlh.nlmsg_type, PCI_TSM_LOCAL_FAMILY_ID);
	if (is_request && !(nlh.nlmsg_flags & NLM_F_REQUEST))
		return da_errf(err, -EINVAL, "pci-tsm: NLM_F_REQUEST is not set");
	if (cur_bytes(&c, &g, sizeof(g)))
		return da_errf(err, -EBADMSG, "pci-tsm: message without a genlmsghdr");
	m->cmd = g.cmd;
	m->version = g.version;
	if (is_request && (g.cmd == PCI_TSM_CMD_UNSPEC || g.cmd > PCI_TSM_CMD_MAX))
		return da_errf(err, -EOPNOTSUPP, "pci-tsm: unknown command %u", g.cmd);
	if (g.version != PCI_TSM_FAMILY_VERSION)
		return da_errf(err, -EOPNOTSUPP, "pci-tsm: %s: version %u, only %u is known",
			       pci_tsm_cmd_name(g.cmd), g.version, PCI_TSM_FAMILY_VERSION);
	ret = genl_walk_attrs(buf, nlh.nlmsg_len, sizeof(g), attr_cb, &pc, &bad);
	if (ret > 0)
		return da_errf(err, -EINVAL,
			       "pci-tsm: %s: attribute at offset %zu runs past the message end",
			       pci_tsm_cmd_name(g.cmd), bad);
	return ret;
}

int pci_tsm_parse(const uint8_t *buf, size_t len, bool is_request, struct pci_tsm_msg *m,
		  struct da_err *err)
{
	return pci_tsm_parse_flags(buf, len, is_request ? PCI_TSM_PARSE_REQUEST : 0, m, err);
}

struct nlmsghdr *pci_tsm_put_hdr(void *buf, size_t cap, uint8_t cmd, uint16_t flags,
				 uint32_t seq)
{
	struct nlmsghdr *nlh;
	struct genlmsghdr *g;

	if (cap < MNL_NLMSG_HDRLEN + MNL_ALIGN(sizeof(*g)))
		return NULL;
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = PCI_TSM_LOCAL_FAMILY_ID;
	nlh->nlmsg_flags = flags;
	nlh->nlmsg_seq = seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = PCI_TSM_FAMILY_VERSION;
	return nlh;
}

bool pci_tsm_put_u32(struct nlmsghdr *nlh, size_t cap, uint16_t type, uint32_t v)
{
	return mnl_attr_put_u32_check(nlh, cap, type, v);
}

bool pci_tsm_put_u64(struct nlmsghdr *nlh, size_t cap, uint16_t type, uint64_t v)
{
	return mnl_attr_put_u64_check(nlh, cap, type, v);
}

bool pci_tsm_put_negotiated(struct nlmsghdr *nlh, size_t cap, const struct spdm_negotiated *neg)
{
	return pci_tsm_put_u32(nlh, cap, PCI_TSM_A_VERSION, neg->version) &&
	       pci_tsm_put_u32(nlh, cap, PCI_TSM_A_BASE_ASYM, neg->base_asym) &&
	       pci_tsm_put_u32(nlh, cap, PCI_TSM_A_HASH_ALGO, neg->base_hash) &&
	       pci_tsm_put_u32(nlh, cap, PCI_TSM_A_MEAS_HASH, neg->measurement_hash);
}

/*
 * Older libmnl leaves an attribute's alignment padding as it found it:
 * a reply built in a reused buffer would carry stale or uninitialised
 * bytes out of the process.  Zero it.
 */
static bool zero_pad(struct nlmsghdr *nlh, uint32_t before, bool ok)
{
	const struct nlattr *a = (const struct nlattr *)((const uint8_t *)nlh + before);
	uint32_t end = before + a->nla_len;

	if (ok && end < nlh->nlmsg_len)
		memset((uint8_t *)nlh + end, 0, nlh->nlmsg_len - end);
	return ok;
}

bool pci_tsm_put_str(struct nlmsghdr *nlh, size_t cap, uint16_t type, const char *s)
{
	uint32_t before = nlh->nlmsg_len;

	return zero_pad(nlh, before, mnl_attr_put_strz_check(nlh, cap, type, s));
}

bool pci_tsm_put_bin(struct nlmsghdr *nlh, size_t cap, uint16_t type, const void *p, size_t len)
{
	uint32_t before = nlh->nlmsg_len;

	if (len > UINT16_MAX - MNL_ATTR_HDRLEN)
		return false;
	return zero_pad(nlh, before, mnl_attr_put_check(nlh, cap, type, len, p));
}

static size_t put_status(void *buf, size_t cap, uint16_t type, uint32_t seq, uint32_t pid,
			 int error, const struct nlmsghdr *orig, const char *msg)
{
	struct nlmsghdr *nlh;
	int32_t *e;

	if (cap < MNL_NLMSG_HDRLEN + sizeof(struct nlmsgerr) + 16)
		return 0;
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = type;
	nlh->nlmsg_seq = seq;
	nlh->nlmsg_pid = pid;
	if (orig) {
		struct nlmsgerr *ne = mnl_nlmsg_put_extra_header(nlh, sizeof(*ne));

		ne->error = error;
		ne->msg = *orig;
		nlh->nlmsg_flags = NLM_F_CAPPED;
	} else {
		e = mnl_nlmsg_put_extra_header(nlh, sizeof(*e));
		*e = error;
	}
	if (msg && *msg) {
		/* A message that does not fit is cut, never dropped. */
		char tmp[DA_ERR_MSG_MAX];

		uint32_t before = nlh->nlmsg_len;

		snprintf(tmp, sizeof(tmp), "%s", msg);
		if (zero_pad(nlh, before, mnl_attr_put_strz_check(nlh, cap, NLMSGERR_ATTR_MSG, tmp)))
			nlh->nlmsg_flags |= NLM_F_ACK_TLVS;
	}
	return nlh->nlmsg_len;
}

size_t pci_tsm_put_error(void *buf, size_t cap, const struct pci_tsm_msg *req, int error,
			 const char *msg)
{
	struct nlmsghdr orig = {
		.nlmsg_len = MNL_NLMSG_HDRLEN,
		.nlmsg_type = req ? req->nl_type : 0,
		.nlmsg_flags = req ? req->nl_flags : 0,
		.nlmsg_seq = req ? req->seq : 0,
		.nlmsg_pid = req ? req->pid : 0,
	};

	return put_status(buf, cap, NLMSG_ERROR, orig.nlmsg_seq, 0, error, &orig, msg);
}

size_t pci_tsm_put_done(void *buf, size_t cap, uint32_t seq, int error, const char *msg)
{
	size_t n = put_status(buf, cap, NLMSG_DONE, seq, 0, error, NULL, msg);

	if (n)
		((struct nlmsghdr *)buf)->nlmsg_flags |= NLM_F_MULTI;
	return n;
}
