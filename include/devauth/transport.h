/* SPDX-License-Identifier: MIT */
/*
 * How SPDM messages reach a device.  One small interface; the
 * implementations are one file each under lib/transport/:
 *   emu_client.c  the DMTF spdm-emu socket protocol (what QEMU speaks too)
 *   inproc.c      an in-process pair for tests and benchmarks
 * framing.c turns SPDM messages into transport messages (NONE, MCTP,
 * PCI_DOE) and back, for both sides, and answers DOE discovery.
 */
#ifndef DEVAUTH_TRANSPORT_H
#define DEVAUTH_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <errno.h>

#include <devauth/error.h>

/* Values are the spdm-emu TransportType numbers. */
enum da_framing {
	DA_FRAMING_NONE = 0,
	DA_FRAMING_MCTP = 1,
	DA_FRAMING_PCI_DOE = 2,
};
int da_framing_parse(const char *s, enum da_framing *out); /* "none", "mctp", "pci-doe" */
const char *da_framing_name(enum da_framing f);
/* Trailing padding a framing may add after an SPDM message. */
size_t da_framing_max_pad(enum da_framing f);

struct da_pcap;
struct da_transport;

struct da_transport_ops {
	/*
	 * Send one SPDM request, wait at most timeout_ms for one SPDM
	 * response.  rsp gets the SPDM message with the framing header
	 * removed (DOE padding is still there: the SPDM layer knows the
	 * true length).  -ETIMEDOUT, -ECONNRESET (peer closed), -EBADMSG
	 * (bad framing), -EMSGSIZE (larger than rsp_cap).
	 */
	int (*exchange)(struct da_transport *t, const uint8_t *req, size_t req_len,
			uint8_t *rsp, size_t rsp_cap, size_t *rsp_len,
			unsigned int timeout_ms, struct da_err *err);
	/*
	 * Optional (NULL: no sessions): the same for a DSP0277 secured
	 * message, framed as secured SPDM (MCTP type 0x06, DOE data object
	 * type 2).  *rsp_secured says what came back: a responder answers
	 * a message it cannot decrypt with a plain SPDM ERROR.
	 */
	int (*exchange_secured)(struct da_transport *t, const uint8_t *req, size_t req_len,
				uint8_t *rsp, size_t rsp_cap, size_t *rsp_len, bool *rsp_secured,
				unsigned int timeout_ms, struct da_err *err);
	/* End the conversation: SHUTDOWN, or CONTINUE when keep is set. */
	int (*close)(struct da_transport *t, bool keep, struct da_err *err);
	void (*destroy)(struct da_transport *t);
	/*
	 * Optional, for a holder that keeps one link open for a long time
	 * (a TSM, as a kernel keeps a DOE mailbox).  watch_fd: a descriptor
	 * that becomes readable or hangs up when the link needs a look while
	 * no exchange runs (-1: none; the holder polls it, no timer).  check:
	 * without blocking, 0 when the link is usable, -ECONNRESET when the
	 * peer closed or reset it or an earlier error left it out of step,
	 * -EPROTO when the device sent bytes nobody asked for.  cancel: from
	 * any thread, make a running or later exchange fail at once
	 * (-ECANCELED); the link is unusable afterwards.
	 */
	int (*watch_fd)(struct da_transport *t);
	int (*check)(struct da_transport *t, struct da_err *err);
	void (*cancel)(struct da_transport *t);
};

struct da_transport {
	const struct da_transport_ops *ops;
	enum da_framing framing;
	struct da_pcap *pcap;		/* not owned; every transport message is logged */
	char name[64];			/* for messages: "127.0.0.1:2323" */
};

static inline int da_transport_exchange(struct da_transport *t, const uint8_t *req,
					size_t req_len, uint8_t *rsp, size_t rsp_cap,
					size_t *rsp_len, unsigned int timeout_ms,
					struct da_err *err)
{
	return t->ops->exchange(t, req, req_len, rsp, rsp_cap, rsp_len, timeout_ms, err);
}

/* The optional ops, with their meaning when a transport has none. */
static inline int da_transport_watch_fd(struct da_transport *t)
{
	return t->ops->watch_fd ? t->ops->watch_fd(t) : -1;
}

static inline int da_transport_check(struct da_transport *t, struct da_err *err)
{
	return t->ops->check ? t->ops->check(t, err) : 0;
}

static inline void da_transport_cancel(struct da_transport *t)
{
	if (t->ops->cancel)
		t->ops->cancel(t);
}

/* -EOPNOTSUPP when the transport cannot carry secured messages. */
static inline int da_transport_exchange_secured(struct da_transport *t, const uint8_t *req,
						size_t req_len, uint8_t *rsp, size_t rsp_cap,
						size_t *rsp_len, bool *rsp_secured,
						unsigned int timeout_ms, struct da_err *err)
{
	if (!t->ops->exchange_secured)
		return da_errf(err, -EOPNOTSUPP, "%s: transport carries no secured messages",
			       t->name);
	return t->ops->exchange_secured(t, req, req_len, rsp, rsp_cap, rsp_len, rsp_secured,
					timeout_ms, err);
}

/*
 * spdm-emu socket client: TCP connect to host:port (TCP_NODELAY), TEST
 * hello unless framing is NONE, DOE discovery for PCI_DOE.
 */
int da_transport_emu_connect(const char *hostport, enum da_framing framing,
			     unsigned int timeout_ms, struct da_transport **out,
			     struct da_err *err);
/*
 * The same, with pcap set before the DOE discovery so that the capture
 * holds every transport message from the first one on, as the DMTF
 * captures do.  hostport: "host:port", "[v6addr]:port" or "host" (2323).
 */
int da_transport_emu_connect_pcap(const char *hostport, enum da_framing framing,
				  unsigned int timeout_ms, struct da_pcap *pcap,
				  struct da_transport **out, struct da_err *err);

/*
 * In-process transport: exchange() frames the request, hands the
 * transport message to handler (the device side, which must deframe,
 * answer DOE discovery itself if it wants to), and deframes the answer,
 * exactly as over a socket.  handler returns the response transport
 * message length or -errno; -ETIMEDOUT models a device that never
 * answers, -ECONNRESET a device that dropped the link.
 */
typedef int (*da_inproc_handler)(void *ctx, const uint8_t *req, size_t req_len,
				 uint8_t *rsp, size_t rsp_cap);
int da_transport_inproc(enum da_framing framing, da_inproc_handler handler, void *ctx,
			struct da_transport **out);

void da_transport_destroy(struct da_transport *t);

#endif
