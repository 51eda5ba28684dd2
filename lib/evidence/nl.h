/* SPDX-License-Identifier: MIT */
/*
 * Netlink messages from a byte buffer (a dump or an event saved to a
 * file), read only through struct cur: nlmsghdr (16 bytes, host byte
 * order, little endian here), genlmsghdr (4 bytes), nlattrs (4-byte
 * header), everything 4-byte aligned.
 */
#ifndef DEVAUTH_EVIDENCE_NL_H
#define DEVAUTH_EVIDENCE_NL_H

#include <stdint.h>

#include <devauth/error.h>

#include "cursor.h"

#define DA_NLMSG_ERROR 2
#define DA_NLMSG_DONE 3
#define DA_NLMSG_MIN_TYPE 0x10

struct da_nlmsg {
	size_t off;		/* offset of the nlmsghdr in the buffer */
	uint16_t type, flags;
	uint8_t cmd, version;	/* genlmsghdr, for type >= DA_NLMSG_MIN_TYPE */
	struct cur attrs;	/* the attributes, for generic netlink messages */
};

/*
 * Next message: 1 with *m filled, 0 at the end of the buffer, -errno
 * (err names what and the offset).  NLMSG_ERROR with a non-zero error
 * is returned as that errno.
 */
int da_nl_next(struct cur *c, struct da_nlmsg *m, const char *what, struct da_err *err);
/* Next attribute: 1 with type (flags masked off) and value, 0 at the end, -EBADMSG. */
int da_nl_attr_next(struct cur *attrs, uint16_t *type, struct cur *val, size_t base,
		    const char *what, struct da_err *err);

#endif
