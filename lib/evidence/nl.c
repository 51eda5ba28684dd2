// SPDX-License-Identifier: MIT
/* Netlink framing from a byte buffer (see nl.h). */
#include <errno.h>

#include "nl.h"

static size_t align4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

int da_nl_next(struct cur *c, struct da_nlmsg *m, const char *what, struct da_err *err)
{
	uint32_t len, seq, pid;
	struct cur body;
	size_t at = c->off;

	if (cur_at_end(c))
		return 0;
	m->off = at;
	if (cur_u32(c, &len) || cur_u16(c, &m->type) || cur_u16(c, &m->flags) ||
	    cur_u32(c, &seq) || cur_u32(c, &pid))
		return da_errf(err, -EBADMSG, "%s: offset %zu: truncated nlmsghdr", what, at);
	if (len < 16 || cur_sub(c, len - 16, &body))
		return da_errf(err, -EBADMSG,
			       "%s: offset %zu: nlmsg_len %u does not fit the %zu bytes left", what,
			       at, len, cur_left(c) + 16);
	/* The last message of a buffer may lack its padding. */
	cur_skip(c, align4(len) - len > cur_left(c) ? cur_left(c) : align4(len) - len);
	if (m->type == DA_NLMSG_ERROR) {
		uint32_t e;

		if (cur_u32(&body, &e))
			return da_errf(err, -EBADMSG, "%s: offset %zu: truncated NLMSG_ERROR", what,
				       at);
		if ((int32_t)e < 0 && (int32_t)e > -4096)
			return da_errf(err, (int32_t)e, "%s: offset %zu: NLMSG_ERROR %d", what, at,
				       (int32_t)e);
		m->attrs = cur_init(NULL, 0);
		return 1;
	}
	if (m->type < DA_NLMSG_MIN_TYPE) {
		m->attrs = cur_init(NULL, 0);
		return 1;
	}
	if (cur_u8(&body, &m->cmd) || cur_u8(&body, &m->version) || cur_skip(&body, 2))
		return da_errf(err, -EBADMSG, "%s: offset %zu: truncated genlmsghdr", what, at);
	/* Attribute offsets are reported relative to the buffer: base at + 20. */
	if (cur_sub(&body, cur_left(&body), &m->attrs))
		return -EBADMSG;
	m->off = at + 20;
	return 1;
}

int da_nl_attr_next(struct cur *attrs, uint16_t *type, struct cur *val, size_t base,
		    const char *what, struct da_err *err)
{
	size_t at = base + attrs->off;
	uint16_t len;

	if (cur_at_end(attrs))
		return 0;
	if (cur_u16(attrs, &len) || cur_u16(attrs, type))
		return da_errf(err, -EBADMSG, "%s: offset %zu: truncated nlattr", what, at);
	if (len < 4 || cur_sub(attrs, (size_t)len - 4, val))
		return da_errf(err, -EBADMSG,
			       "%s: offset %zu: nla_len %u does not fit the %zu bytes left", what,
			       at, len, cur_left(attrs) + 4);
	cur_skip(attrs, align4(len) - len > cur_left(attrs) ? cur_left(attrs) :
			align4(len) - len);
	*type &= 0x3fff;	/* NLA_F_NESTED, NLA_F_NET_BYTEORDER */
	return 1;
}
