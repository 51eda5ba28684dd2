// SPDX-License-Identifier: MIT
/* Generic netlink: bounded attribute walk and capture splitting (see genl.h). */
#include <errno.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <linux/netlink.h>

#include "tsm/genl.h"

_Static_assert(GENL_NLMSG_HDRLEN == sizeof(struct nlmsghdr), "nlmsghdr is 16 bytes");
_Static_assert(GENL_NLMSG_MIN_TYPE == NLMSG_MIN_TYPE, "first family id");

struct walk {
	const uint8_t *base;
	size_t msg_len;
	size_t consumed;	/* aligned bytes of the attributes seen */
	genl_attr_fn fn;
	void *ctx;
	int ret;
	size_t bad;
};

/*
 * libmnl walks up to the ALIGNED message end and lets the last attribute
 * reach into the padding: each attribute must end within nlmsg_len
 * before a byte of its payload is read.
 */
static int walk_cb(const struct nlattr *a, void *data)
{
	struct walk *w = data;
	size_t off = (size_t)((const uint8_t *)a - w->base);
	struct cur val;
	int ret;

	if (off + mnl_attr_get_len(a) > w->msg_len) {
		w->bad = off;
		w->ret = 1;
		return MNL_CB_ERROR;
	}
	w->consumed += MNL_ALIGN(mnl_attr_get_len(a));
	val = cur_init(mnl_attr_get_payload(a), mnl_attr_get_payload_len(a));
	ret = w->fn(mnl_attr_get_type(a), &val, off, w->ctx);
	if (ret) {
		w->ret = ret;
		return MNL_CB_ERROR;
	}
	return MNL_CB_OK;
}

int genl_walk_attrs(const uint8_t *msg, size_t nlmsg_len, size_t hdr_len, genl_attr_fn fn,
		    void *ctx, size_t *bad)
{
	struct walk w = { .base = msg, .msg_len = nlmsg_len, .fn = fn, .ctx = ctx };
	size_t start = GENL_NLMSG_HDRLEN + hdr_len;

	if (nlmsg_len <= start)
		return 0;
	if (mnl_attr_parse((const struct nlmsghdr *)msg, (unsigned int)hdr_len, walk_cb, &w) < 0) {
		*bad = w.bad;
		return w.ret;
	}
	/* libmnl stops quietly at an attribute that runs past the end: that is an error. */
	if (w.consumed < nlmsg_len - start) {
		*bad = start + w.consumed;
		return 1;
	}
	return 0;
}

int genl_capture_next(struct genl_capture *cap, struct genl_capture_msg *m, const char *what,
		      struct da_err *err)
{
	static const uint8_t zero[NLMSG_ALIGNTO];
	struct cur peek = cap->c;
	size_t at = cap->c.off, aligned, have;
	struct nlmsghdr h;
	const uint8_t *p;

	if (cur_at_end(&cap->c))
		return 0;
	memset(m, 0, sizeof(*m));
	m->off = at;
	if (cur_bytes(&peek, &h, sizeof(h)))
		return da_errf(err, -EBADMSG, "%s: offset %zu: truncated nlmsghdr", what, at);
	if (h.nlmsg_len < sizeof(h) || h.nlmsg_len > cur_left(&cap->c))
		return da_errf(err, -EBADMSG,
			       "%s: offset %zu: nlmsg_len %u does not fit the %zu bytes left", what,
			       at, h.nlmsg_len, cur_left(&cap->c));
	m->nlmsg_len = h.nlmsg_len;
	m->type = h.nlmsg_type;
	aligned = NLMSG_ALIGN(h.nlmsg_len);
	m->len = aligned;
	if (!cur_ptr(&cap->c, aligned, &m->p))
		return 1;
	/* The last message of a capture may lack (part of) its padding. */
	have = cur_left(&cap->c);

	cur_ptr(&cap->c, have, &p);
	da_buf_reset(&cap->pad);
	if (da_buf_append(&cap->pad, p, have) ||
	    da_buf_append(&cap->pad, zero, aligned - have))
		return da_errf(err, -ENOMEM, "%s: offset %zu: out of memory", what, at);
	m->p = cap->pad.data;
	return 1;
}

void genl_capture_free(struct genl_capture *cap)
{
	da_buf_free(&cap->pad);
}
