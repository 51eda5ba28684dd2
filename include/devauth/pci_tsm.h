/* SPDX-License-Identifier: MIT */
/*
 * The pci-tsm generic netlink family (docs/netlink/pci-tsm.yaml is the
 * spec; these constants are kept by hand from it and must match it).
 *
 * devauthd serves it over an AF_UNIX SOCK_SEQPACKET socket, one netlink
 * message (or, for replies, one message per datagram) exactly as a
 * genetlink socket would carry it, so the same client code can later
 * talk to a kernel that has the family.  Shared by the daemon and the
 * CLI: building with libmnl, parsing through struct cur (headers) and
 * libmnl's validated attribute accessors.  Public because it is the
 * uABI, as a kernel uapi header would be: a client of the daemon needs
 * nothing else to speak to it.
 */
#ifndef DEVAUTH_PCI_TSM_H
#define DEVAUTH_PCI_TSM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/netlink.h>

#include <devauth/error.h>
#include <devauth/evidence.h>
#include <devauth/buf.h>
#include <devauth/spdm.h>

#define PCI_TSM_FAMILY_NAME	"pci-tsm"
#define PCI_TSM_FAMILY_VERSION	1
/*
 * On the local socket there is no CTRL_CMD_GETFAMILY: the family id is
 * this fixed value (>= GENL_MIN_ID) in every request and reply.
 */
#define PCI_TSM_LOCAL_FAMILY_ID	0x20

enum pci_tsm_cmd {
	PCI_TSM_CMD_UNSPEC = 0,
	PCI_TSM_CMD_EVIDENCE_READ = 1,	/* dump */
	PCI_TSM_CMD_LIST = 2,		/* dump: TSMs, then devices */
	PCI_TSM_CMD_CONNECT = 3,
	PCI_TSM_CMD_DISCONNECT = 4,
	PCI_TSM_CMD_BIND = 5,
	PCI_TSM_CMD_UNBIND = 6,
	PCI_TSM_CMD_LOCK = 7,		/* TDISP: EOPNOTSUPP for now */
	PCI_TSM_CMD_UNLOCK = 8,
	PCI_TSM_CMD_ACCEPT = 9,
	PCI_TSM_CMD_SUBSCRIBE = 10,	/* join the "events" multicast group */
	PCI_TSM_CMD_EVENT = 11,		/* notification (daemon -> subscribers) */
	/* recovery after a session loss (docs/pin.md) */
	PCI_TSM_CMD_PIN = 12,		/* install (PIN) or remove (no PIN) a device's pin */
	PCI_TSM_CMD_REVALIDATE = 13,	/* re-challenge a pinned device now */
	PCI_TSM_CMD_RESET = 14,		/* OS-initiated reset: session lost, then recover */
	__PCI_TSM_CMD_MAX,
};
#define PCI_TSM_CMD_MAX (__PCI_TSM_CMD_MAX - 1)

/*
 * Attributes 1-7 (the evidence attributes) are defined in
 * <devauth/evidence.h>, shared with the verifier's dump importer; the
 * values are fixed by the family spec and checked below.
 */
#define PCI_TSM_A_UNSPEC 0
enum pci_tsm_attr {
	PCI_TSM_A_TSM_NAME = 8,			/* string */
	PCI_TSM_A_SLOT = 9,			/* u32 */
	PCI_TSM_A_STATE = 10,			/* u32, enum pci_tsm_state */
	PCI_TSM_A_ENDPOINT = 11,		/* string */
	PCI_TSM_A_STATUS = 12,			/* string: last error, "" */
	PCI_TSM_A_IDENTITY = 13,		/* string: PCIe CMA identity */
	PCI_TSM_A_HASH_ALGO = 14,		/* u32: SPDM BaseHash bit of digests */
	PCI_TSM_A_VERSION = 15,			/* u32: negotiated SPDM version */
	PCI_TSM_A_BASE_ASYM = 16,		/* u32 */
	PCI_TSM_A_MEAS_HASH = 17,		/* u32 */
	PCI_TSM_A_TSM_TYPE = 18,		/* string: "native-spdm" */
	PCI_TSM_A_EVENT = 19,			/* u32, enum pci_tsm_event */
	PCI_TSM_A_MCGRP = 20,			/* u32: multicast group, 1 = events */
	PCI_TSM_A_CHECK = 21,			/* string: the revalidation check that failed */
	PCI_TSM_A_PIN = 22,			/* binary: pin JSON (docs/pin.md) */
	PCI_TSM_A_PIN_MODE = 23,		/* string: mode of the installed pin */
	PCI_TSM_A_TDISP_STATE = 24,		/* u32: TDISP TDI state while locked (LIST) */
	__PCI_TSM_A_MAX,
};
#define PCI_TSM_A_MAX (__PCI_TSM_A_MAX - 1)
_Static_assert(PCI_TSM_A_EVIDENCE_TYPE == 1 && PCI_TSM_A_EVIDENCE_VAL == 2 &&
	       PCI_TSM_A_EVIDENCE_TYPE_MASK == 3 && PCI_TSM_A_EVIDENCE_FLAGS == 4 &&
	       PCI_TSM_A_EVIDENCE_DEV_NAME == 5 && PCI_TSM_A_EVIDENCE_NONCE == 6 &&
	       PCI_TSM_A_EVIDENCE_GENERATION == 7, "pci-tsm evidence attributes");

#define PCI_TSM_EVIDENCE_FLAG_DIGEST	(1u << 0)
#define PCI_TSM_EVIDENCE_FLAGS_ALL	PCI_TSM_EVIDENCE_FLAG_DIGEST
#define PCI_TSM_NONCE_MAX		256
#define PCI_TSM_DEV_NAME_MAX		64
#define PCI_TSM_TSM_NAME_MAX		32
#define PCI_TSM_CHECK_MAX		40
#define PCI_TSM_PIN_MODE_MAX		16
/* Types a native-SPDM TSM can produce; REPORT needs TDISP. */
#define PCI_TSM_TYPES_NATIVE		((1u << (DA_EV_MEASUREMENTS + 1)) - 1)
#define PCI_TSM_TYPES_ALL		((1u << (DA_EV_MAX + 1)) - 1)

enum pci_tsm_state {
	PCI_TSM_STATE_UNCONNECTED = 0,
	PCI_TSM_STATE_CONNECTING = 1,
	PCI_TSM_STATE_CONNECTED = 2,	/* evidence ready */
	PCI_TSM_STATE_BOUND = 3,	/* connected and a driver bound */
	PCI_TSM_STATE_FAILED = 4,	/* last connect failed (STATUS says why) */
};
const char *pci_tsm_state_name(uint32_t state);

/* Multicast groups: on the local socket, joined with SUBSCRIBE (MCGRP). */
#define PCI_TSM_MCGRP_EVENTS	1

/* EVENT notifications (EVENT, DEV_NAME, STATE, GENERATION, STATUS = reason). */
enum pci_tsm_event {
	PCI_TSM_EVENT_CONNECTED = 1,
	PCI_TSM_EVENT_CONNECT_FAILED = 2,
	PCI_TSM_EVENT_DISCONNECTED = 3,
	PCI_TSM_EVENT_BOUND = 4,
	PCI_TSM_EVENT_UNBOUND = 5,
	/* recovery after a session loss (docs/pin.md) */
	PCI_TSM_EVENT_SESSION_LOST = 6,
	PCI_TSM_EVENT_REVALIDATED = 7,
	PCI_TSM_EVENT_REVALIDATION_FAILED = 8,
};
const char *pci_tsm_event_name(uint32_t event);
const char *pci_tsm_cmd_name(uint8_t cmd);

/* Largest request a client may send; larger ones are refused (EMSGSIZE). */
#define PCI_TSM_REQ_MAX		8192
/*
 * Replies: one datagram each.  An evidence object travels in one
 * message (TYPE, then VAL chunks of at most PCI_TSM_VAL_CHUNK bytes to
 * concatenate), so the largest message holds the largest object: a
 * 64 KiB chain, or a VCA transcript that contains one, plus headers.
 */
#define PCI_TSM_MSG_MAX		(192 * 1024)
#define PCI_TSM_VAL_CHUNK	4096

/*
 * A parsed message: request (from a client) or reply (from the daemon).
 * Pointers borrow from the parsed buffer.
 */
struct pci_tsm_msg {
	uint16_t nl_type;		/* family id, NLMSG_ERROR or NLMSG_DONE */
	uint16_t nl_flags;
	uint32_t seq, pid;
	uint8_t cmd, version;		/* genlmsghdr (family messages only) */
	int error;			/* NLMSG_ERROR / NLMSG_DONE: -errno (0 = ack) */
	char extack[DA_ERR_MSG_MAX];	/* NLMSGERR_ATTR_MSG, "" if none */
	uint64_t present;		/* bit n: attribute n was present */
	uint32_t type, type_mask, flags, state, event, mcgrp;
	struct spdm_negotiated neg;	/* SLOT, VERSION, BASE_ASYM, HASH_ALGO, MEAS_HASH */
	uint64_t generation;
	char dev_name[PCI_TSM_DEV_NAME_MAX];
	char tsm_name[PCI_TSM_TSM_NAME_MAX];
	char tsm_type[32];
	char endpoint[128];
	char status[DA_ERR_MSG_MAX];
	char identity[160];
	const uint8_t *nonce;
	size_t nonce_len;
	char check[PCI_TSM_CHECK_MAX];
	const uint8_t *pin;		/* PIN: JSON bytes, not NUL-terminated */
	size_t pin_len;
	char pin_mode[PCI_TSM_PIN_MODE_MAX];
	uint32_t tdisp_state;
	/* VAL chunks of this message, concatenated (only when val is set by the caller) */
	struct da_buf *val;
};

static inline bool pci_tsm_has(const struct pci_tsm_msg *m, unsigned int attr)
{
	return attr < 64 && (m->present >> attr) & 1;
}

/*
 * Parse one datagram holding exactly one netlink message.  Requests
 * (is_request) must be family messages of our id and version 1;
 * replies may also be NLMSG_ERROR or NLMSG_DONE.  Unknown attributes
 * are errors in requests (strict validation, as the kernel does for
 * new families) and ignored in replies (forward compatibility).
 */
int pci_tsm_parse(const uint8_t *buf, size_t len, bool is_request, struct pci_tsm_msg *m,
		  struct da_err *err);

/* Builders write into buf (cap bytes); they return the message length or -ENOSPC. */
struct nlmsghdr;
struct nlmsghdr *pci_tsm_put_hdr(void *buf, size_t cap, uint8_t cmd, uint16_t flags,
				 uint32_t seq);
/* Attribute puts that fail (not enough room) return false. */
bool pci_tsm_put_u32(struct nlmsghdr *nlh, size_t cap, uint16_t type, uint32_t v);
bool pci_tsm_put_u64(struct nlmsghdr *nlh, size_t cap, uint16_t type, uint64_t v);
bool pci_tsm_put_str(struct nlmsghdr *nlh, size_t cap, uint16_t type, const char *s);
bool pci_tsm_put_bin(struct nlmsghdr *nlh, size_t cap, uint16_t type, const void *p,
		     size_t len);
/*
 * VERSION, BASE_ASYM, HASH_ALGO and MEAS_HASH of neg: what the evidence
 * was collected with.  SLOT travels with the TSM binding, on its own;
 * pci_tsm_parse() fills all five back into pci_tsm_msg.neg.
 */
bool pci_tsm_put_negotiated(struct nlmsghdr *nlh, size_t cap, const struct spdm_negotiated *neg);
/*
 * NLMSG_ERROR for the request header req (error 0 = ACK), with
 * NLMSGERR_ATTR_MSG = msg when msg is non-empty; the request is capped
 * (only its header is echoed).
 */
size_t pci_tsm_put_error(void *buf, size_t cap, const struct pci_tsm_msg *req, int error,
			 const char *msg);
/* NLMSG_DONE closing a dump: int error, then the extack message if any. */
size_t pci_tsm_put_done(void *buf, size_t cap, uint32_t seq, int error, const char *msg);

#endif
