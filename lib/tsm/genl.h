/* SPDX-License-Identifier: MIT */
/*
 * Generic netlink decoding for every family devauth reads: the pci-tsm
 * family (the daemon's socket, captures of the kernel's dumps) and the
 * "spdm" family's signature events (captures).  libmnl walks the
 * attributes; each payload is handed out as a struct cur bounded by
 * nlmsg_len.  A message must lie in memory padded to its alignment
 * (NLMSG_ALIGN(nlmsg_len)), because libmnl reads attribute headers up
 * to there: a datagram carries its padding, and genl_capture_next()
 * pads the last message of a capture that cut it.
 */
#ifndef DEVAUTH_LIB_TSM_GENL_H
#define DEVAUTH_LIB_TSM_GENL_H

#include <stddef.h>
#include <stdint.h>

#include <devauth/buf.h>
#include <devauth/error.h>

#include "cursor.h"

#define GENL_NLMSG_HDRLEN	16	/* struct nlmsghdr */
#define GENL_GENLMSG_HDRLEN	4	/* struct genlmsghdr */
#define GENL_NLMSG_MIN_TYPE	0x10	/* below: NLMSG_NOOP, _ERROR, _DONE, _OVERRUN */

/*
 * One attribute: its type (NLA_F_NESTED and NLA_F_NET_BYTEORDER masked
 * off), its payload and its offset in the message.  0 goes on; -errno
 * (with the caller's err filled) stops the walk with that value.
 */
typedef int (*genl_attr_fn)(uint16_t type, struct cur *val, size_t off, void *ctx);

/*
 * The attributes of the message msg (nlmsg_len bytes, padded in memory)
 * after hdr_len bytes of family headers.  0, the callback's -errno, or
 * 1 when an attribute runs past nlmsg_len (*bad: its offset).
 */
int genl_walk_attrs(const uint8_t *msg, size_t nlmsg_len, size_t hdr_len, genl_attr_fn fn,
		    void *ctx, size_t *bad);

/* Netlink messages back to back: a dump or events saved to a file. */
struct genl_capture {
	struct cur c;
	struct da_buf pad;	/* the last message, when the capture cut its padding */
};

struct genl_capture_msg {
	const uint8_t *p;	/* the message, padded */
	size_t len;		/* NLMSG_ALIGN(nlmsg_len) */
	uint32_t nlmsg_len;
	uint16_t type;
	size_t off;		/* of its nlmsghdr in the capture */
};

static inline struct genl_capture genl_capture_init(const uint8_t *buf, size_t len)
{
	return (struct genl_capture){ .c = cur_init(buf, len) };
}

/*
 * Next message: 1 with *m filled, 0 at the end, -errno (err names what
 * and the offset).  genl_capture_free() releases the padding copy.
 */
int genl_capture_next(struct genl_capture *cap, struct genl_capture_msg *m, const char *what,
		      struct da_err *err);
void genl_capture_free(struct genl_capture *cap);

#endif
