// SPDX-License-Identifier: MIT
/*
 * The requester end of the DMTF spdm-emu socket protocol: what the
 * reference spdm_requester_emu does before and around SPDM, so that
 * devauth can talk to spdm_responder_emu, QEMU's SPDM socket and
 * devauth-emu alike.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <devauth/pcap.h>
#include <devauth/transport.h>

#include "emu_proto.h"
#include "framing.h"

/* How long close() waits for the SHUTDOWN/CONTINUE echo. */
#define EMU_CLOSE_WAIT_MS	1000
/* Frame overhead beyond the SPDM message: DOE header and padding. */
#define EMU_FRAME_SLACK		(DA_DOE_HDR_SIZE + 4)

struct emu_client {
	struct da_transport t;
	int fd;
	/*
	 * After a timeout or a broken frame the stream is out of step (a late
	 * answer would be taken for the next one): refuse further use.
	 */
	bool broken;
	bool doe_secured;	/* DOE discovery listed secured SPDM */
	atomic_bool canceled;	/* cancel() from another thread */
	uint8_t *tx;
	size_t tx_cap;
	struct da_buf rx;
};

static struct emu_client *to_emu(struct da_transport *t)
{
	return (struct emu_client *)t;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* "host:port", "[v6]:port", "host" or a bare IPv6 address (default port). */
static int split_hostport(const char *hp, char *host, size_t hcap, char *port, size_t pcap,
			  struct da_err *err)
{
	const char *colon, *h = hp, *hend;
	size_t hl;

	if (hp[0] == '[') {
		h = hp + 1;
		hend = strchr(h, ']');
		if (!hend || (hend[1] && hend[1] != ':'))
			return da_errf(err, -EINVAL, "%s: bad [address]:port", hp);
		colon = hend[1] ? hend + 1 : NULL;
	} else {
		colon = strrchr(hp, ':');
		if (colon && strchr(hp, ':') != colon)
			colon = NULL;	/* bare IPv6 address */
		hend = colon ? colon : hp + strlen(hp);
	}
	hl = (size_t)(hend - h);
	if (!hl || hl >= hcap)
		return da_errf(err, -EINVAL, "%s: bad host", hp);
	memcpy(host, h, hl);
	host[hl] = '\0';
	if (colon) {
		unsigned long n = 0;
		const char *d;

		/* A number, not a service name: getaddrinfo would take "99999" modulo 65536. */
		for (d = colon + 1; *d >= '0' && *d <= '9' && n <= 65535; d++)
			n = n * 10 + (unsigned long)(*d - '0');
		if (d == colon + 1 || *d || !n || n > 65535)
			return da_errf(err, -EINVAL, "%s: port must be a number from 1 to 65535", hp);
		snprintf(port, pcap, "%lu", n);
	} else {
		snprintf(port, pcap, "%d", EMU_DEFAULT_PORT);
	}
	return 0;
}

static int connect_one(const struct addrinfo *ai, long long deadline)
{
	int fd, flags, soerr = 0, r;
	socklen_t sl = sizeof(soerr);

	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
		    ai->ai_protocol);
	if (fd < 0)
		return -errno;
	if (connect(fd, ai->ai_addr, ai->ai_addrlen)) {
		struct pollfd p = { .fd = fd, .events = POLLOUT };

		if (errno != EINPROGRESS) {
			r = -errno;
			goto fail;
		}
		for (;;) {
			long long left = deadline < 0 ? -1 : deadline - now_ms();

			if (deadline >= 0 && left <= 0) {
				r = -ETIMEDOUT;
				goto fail;
			}
			r = poll(&p, 1, left < 0 ? -1 : (int)(left > 1 << 30 ? 1 << 30 : left));
			if (r < 0 && errno == EINTR)
				continue;
			if (r < 0) {
				r = -errno;
				goto fail;
			}
			if (!r) {
				r = -ETIMEDOUT;
				goto fail;
			}
			break;
		}
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) || soerr) {
			r = soerr ? -soerr : -errno;
			goto fail;
		}
	}
	flags = fcntl(fd, F_GETFL);
	if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK)) {
		r = -errno;
		goto fail;
	}
	return fd;
fail:
	close(fd);
	return r;
}

static int tcp_connect(const char *hostport, unsigned int timeout_ms, struct da_err *err)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_ADDRCONFIG };
	struct addrinfo *res = NULL, *ai;
	long long deadline = timeout_ms ? now_ms() + timeout_ms : -1;
	char host[256], port[16];
	int fd = -ECONNREFUSED, r, one = 1;

	r = split_hostport(hostport, host, sizeof(host), port, sizeof(port), err);
	if (r)
		return r;
	/*
	 * A literal address first: it needs neither the resolver (NSS,
	 * nscd) nor AI_ADDRCONFIG's dump of every interface address.
	 */
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	r = getaddrinfo(host, port, &hints, &res);
	if (r == EAI_NONAME) {
		hints.ai_flags = AI_ADDRCONFIG;
		r = getaddrinfo(host, port, &hints, &res);
	}
	if (r == EAI_NONAME || r == EAI_ADDRFAMILY) {
		/* AI_ADDRCONFIG hides ::1 on hosts whose only v6 address is lo. */
		hints.ai_flags = 0;
		r = getaddrinfo(host, port, &hints, &res);
	}
	if (r)
		return da_errf(err, -EHOSTUNREACH, "%s: %s", hostport, gai_strerror(r));
	for (ai = res; ai; ai = ai->ai_next) {
		fd = connect_one(ai, deadline);
		if (fd >= 0 || fd == -ETIMEDOUT)
			break;
	}
	freeaddrinfo(res);
	if (fd < 0)
		return da_errf(err, fd, "%s: connect: %s", hostport, strerror(-fd));
	/* Requests are small and strictly request/response: never wait for Nagle. */
	if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one))) {
		r = -errno;
		close(fd);
		return da_errf(err, r, "%s: TCP_NODELAY: %s", hostport, strerror(-r));
	}
	return fd;
}

/* Receive one frame, which must be cmd for our transport type. */
static int recv_expect(struct emu_client *e, uint32_t want, unsigned int timeout_ms,
		       struct da_err *err)
{
	char b1[16], b2[16];
	uint32_t cmd, transport;
	int ret;

	ret = emu_recv_frame(e->fd, timeout_ms, EMU_MAX_PAYLOAD, &cmd, &transport, &e->rx,
			     err);
	if (ret) {
		e->broken = true;
		if (ret == -ECONNRESET)
			da_errf(err, ret, "spdm-emu: responder closed the connection");
		return ret;
	}
	/*
	 * The DMTF responder and devauth-emu answer the hello of another
	 * transport type with UNKNOWN: that is the usual framing mismatch.
	 */
	if (cmd == EMU_CMD_UNKNOWN && want == EMU_CMD_TEST)
		return da_errf(err, -EPROTO,
			       "spdm-emu: responder answered UNKNOWN to TEST: it does not speak %s "
			       "framing (try another --transport: pci-doe, mctp, none)",
			       da_framing_name(e->t.framing));
	if (cmd == EMU_CMD_UNKNOWN && want != EMU_CMD_UNKNOWN)
		return da_errf(err, -EPROTO,
			       "spdm-emu: responder answered UNKNOWN to %s (command not supported)",
			       emu_cmd_name(want, b1, sizeof(b1)));
	if (cmd != want)
		return da_errf(err, -EPROTO, "spdm-emu: expected a %s frame, got %s",
			       emu_cmd_name(want, b1, sizeof(b1)),
			       emu_cmd_name(cmd, b2, sizeof(b2)));
	if (transport != (uint32_t)e->t.framing)
		return da_errf(err, -EPROTO,
			       "spdm-emu: %s frame has transport type %u, expected %u (%s): "
			       "try another --transport",
			       emu_cmd_name(cmd, b1, sizeof(b1)), transport,
			       (unsigned int)e->t.framing, da_framing_name(e->t.framing));
	return 0;
}

static int send_cmd(struct emu_client *e, uint32_t cmd, const void *p, size_t len,
		    struct da_err *err)
{
	int ret = emu_send_frame(e->fd, cmd, (uint32_t)e->t.framing, p, len, err);

	if (ret)
		e->broken = true;
	return ret;
}

static int tx_reserve(struct emu_client *e, size_t n)
{
	uint8_t *p;

	if (n <= e->tx_cap)
		return 0;
	p = realloc(e->tx, n);
	if (!p)
		return -ENOMEM;
	e->tx = p;
	e->tx_cap = n;
	return 0;
}

/*
 * One NORMAL round trip of a whole transport message; on success e->rx
 * holds the answer.  Both directions go to the capture.
 */
static int round_trip(struct emu_client *e, size_t tx_len, unsigned int timeout_ms,
		      struct da_err *err)
{
	int ret;

	if (e->fd < 0)
		return da_errf(err, -ENOTCONN, "spdm-emu: connection already closed");
	if (atomic_load(&e->canceled))
		return da_errf(err, -ECANCELED, "spdm-emu: exchange canceled");
	if (e->broken)
		return da_errf(err, -ECONNRESET,
			       "spdm-emu: connection unusable after an earlier transport error");
	if (e->t.pcap)
		da_pcap_log(e->t.pcap, e->tx, tx_len);
	ret = send_cmd(e, EMU_CMD_NORMAL, e->tx, tx_len, err);
	if (ret)
		return ret;
	ret = recv_expect(e, EMU_CMD_NORMAL, timeout_ms, err);
	if (ret && atomic_load(&e->canceled)) {
		/* What the reader saw (EOF) is the cancel's doing: say so instead. */
		da_err_clear(err);
		return da_errf(err, -ECANCELED, "spdm-emu: exchange canceled");
	}
	if (ret)
		return ret;
	if (e->t.pcap)
		da_pcap_log(e->t.pcap, e->rx.data, e->rx.len);
	return 0;
}

static int emu_xfer(struct da_transport *t, enum da_payload_kind send_kind,
		    const uint8_t *req, size_t req_len, uint8_t *rsp, size_t rsp_cap,
		    size_t *rsp_len, enum da_payload_kind *rsp_kind, unsigned int timeout_ms,
		    struct da_err *err)
{
	struct emu_client *e = to_emu(t);
	enum da_payload_kind kind;
	const uint8_t *payload;
	struct wcur w;
	size_t plen;
	int ret;

	*rsp_len = 0;
	if (req_len > EMU_MAX_PAYLOAD - EMU_FRAME_SLACK)
		return da_errf(err, -EMSGSIZE, "%s: request of %zu bytes too large", t->name,
			       req_len);
	if (tx_reserve(e, req_len + EMU_FRAME_SLACK))
		return da_errf(err, -ENOMEM, "%s: out of memory", t->name);
	w = wcur_init(e->tx, e->tx_cap);
	ret = da_frame_encode(t->framing, send_kind, req, req_len, &w);
	if (ret < 0)
		return da_errf(err, ret, "%s: cannot frame a %zu-byte request", t->name, req_len);
	ret = round_trip(e, (size_t)ret, timeout_ms, err);
	if (ret)
		goto out;
	ret = da_frame_decode(t->framing, e->rx.data, e->rx.len, &kind, &payload, &plen, err);
	if (ret)
		goto out;
	if (kind != DA_PAYLOAD_SPDM && (send_kind != DA_PAYLOAD_SECURED_SPDM ||
					kind != DA_PAYLOAD_SECURED_SPDM)) {
		ret = da_errf(err, -EBADMSG, "transport: response is %s, not SPDM",
			      kind == DA_PAYLOAD_SECURED_SPDM ? "secured SPDM" : "DOE discovery");
		goto out;
	}
	if (plen > rsp_cap) {
		ret = da_errf(err, -EMSGSIZE,
			      "transport: response of %zu bytes exceeds the %zu-byte buffer", plen,
			      rsp_cap);
		goto out;
	}
	if (plen)
		memcpy(rsp, payload, plen);
	*rsp_len = plen;
	*rsp_kind = kind;
out:
	if (ret)
		da_err_prefix(err, "%s", t->name);
	return ret;
}

static int emu_exchange(struct da_transport *t, const uint8_t *req, size_t req_len,
			uint8_t *rsp, size_t rsp_cap, size_t *rsp_len, unsigned int timeout_ms,
			struct da_err *err)
{
	enum da_payload_kind kind;

	return emu_xfer(t, DA_PAYLOAD_SPDM, req, req_len, rsp, rsp_cap, rsp_len, &kind,
			timeout_ms, err);
}

static int emu_exchange_secured(struct da_transport *t, const uint8_t *req, size_t req_len,
				uint8_t *rsp, size_t rsp_cap, size_t *rsp_len, bool *rsp_secured,
				unsigned int timeout_ms, struct da_err *err)
{
	enum da_payload_kind kind = DA_PAYLOAD_SPDM;
	int ret;

	if (t->framing == DA_FRAMING_NONE)
		return da_errf(err, -EOPNOTSUPP,
			       "%s: transport NONE cannot mark a secured message", t->name);
	ret = emu_xfer(t, DA_PAYLOAD_SECURED_SPDM, req, req_len, rsp, rsp_cap, rsp_len, &kind,
		       timeout_ms, err);
	*rsp_secured = kind == DA_PAYLOAD_SECURED_SPDM;
	return ret;
}

static int emu_close(struct da_transport *t, bool keep, struct da_err *err)
{
	struct emu_client *e = to_emu(t);
	uint32_t cmd = keep ? EMU_CMD_CONTINUE : EMU_CMD_SHUTDOWN;
	int ret = 0;

	if (e->fd < 0)
		return 0;
	if (!e->broken) {
		ret = send_cmd(e, cmd, NULL, 0, err);
		if (!ret)
			ret = recv_expect(e, cmd, EMU_CLOSE_WAIT_MS, err);
		if (ret)
			da_err_prefix(err, "%s", t->name);
	}
	close(e->fd);
	e->fd = -1;
	return ret;
}

static void emu_destroy(struct da_transport *t)
{
	struct emu_client *e = to_emu(t);

	if (e->fd >= 0)
		close(e->fd);
	free(e->tx);
	da_buf_free(&e->rx);
	free(e);
}

static int emu_watch_fd(struct da_transport *t)
{
	return to_emu(t)->fd;
}

/*
 * Between exchanges nothing may arrive: readable means the peer closed,
 * reset, or sent bytes of its own.  MSG_PEEK tells which without
 * consuming them.
 */
static int emu_check(struct da_transport *t, struct da_err *err)
{
	struct emu_client *e = to_emu(t);
	struct pollfd p = { .fd = e->fd, .events = POLLIN };
	uint8_t b;
	ssize_t n;

	if (e->fd < 0 || e->broken || atomic_load(&e->canceled))
		return da_errf(err, -ECONNRESET, "%s: link unusable after an earlier error",
			       t->name);
	if (poll(&p, 1, 0) < 0)
		return da_errf(err, -errno, "%s: poll: %s", t->name, strerror(errno));
	if (!p.revents)
		return 0;
	n = recv(e->fd, &b, 1, MSG_PEEK | MSG_DONTWAIT);
	if (n > 0)
		return da_errf(err, -EPROTO, "%s: the device sent bytes nobody asked for",
			       t->name);
	if (n < 0 && (errno == EAGAIN || errno == EINTR) && !(p.revents & (POLLHUP | POLLERR)))
		return 0;
	return da_errf(err, -ECONNRESET, "%s: the device closed or reset the link%s%s", t->name,
		       n < 0 ? ": " : "", n < 0 ? strerror(errno) : "");
}

static void emu_cancel(struct da_transport *t)
{
	struct emu_client *e = to_emu(t);

	atomic_store(&e->canceled, true);
	if (e->fd >= 0)
		shutdown(e->fd, SHUT_RDWR);
}

static const struct da_transport_ops emu_ops = {
	.exchange = emu_exchange,
	.exchange_secured = emu_exchange_secured,
	.close = emu_close,
	.destroy = emu_destroy,
	.watch_fd = emu_watch_fd,
	.check = emu_check,
	.cancel = emu_cancel,
};

static int hello(struct emu_client *e, unsigned int timeout_ms, struct da_err *err)
{
	static const char server[] = EMU_HELLO_SERVER;
	static const char client[] = EMU_HELLO_CLIENT;
	int ret;

	ret = send_cmd(e, EMU_CMD_TEST, client, sizeof(client), err);
	if (!ret)
		ret = recv_expect(e, EMU_CMD_TEST, timeout_ms, err);
	if (ret)
		return ret;
	if (e->rx.len != sizeof(server) || memcmp(e->rx.data, server, sizeof(server)))
		return da_errf(err, -EPROTO,
			       "spdm-emu: TEST answer of %zu bytes is not \"Server Hello!\"",
			       e->rx.len);
	return 0;
}

/* Walk the DOE discovery table (index 0, 1, ... until next index 0). */
static int doe_discovery(struct emu_client *e, unsigned int timeout_ms, struct da_err *err)
{
	uint8_t seen[256] = { 0 }, index = 0;
	bool spdm = false;
	int ret;

	for (;;) {
		enum da_payload_kind kind;
		const uint8_t *payload;
		uint16_t vendor;
		uint8_t type, next;
		struct wcur w;
		size_t plen;

		seen[index] = 1;
		if (tx_reserve(e, DA_DOE_HDR_SIZE + 4))
			return da_errf(err, -ENOMEM, "out of memory");
		w = wcur_init(e->tx, e->tx_cap);
		ret = da_doe_discovery_request(index, &w);
		if (ret < 0)
			return da_errf(err, ret, "DOE discovery: cannot encode the request");
		ret = round_trip(e, (size_t)ret, timeout_ms, err);
		if (ret)
			return ret;
		ret = da_frame_decode(DA_FRAMING_PCI_DOE, e->rx.data, e->rx.len, &kind,
				      &payload, &plen, err);
		if (ret)
			return ret;
		if (kind != DA_PAYLOAD_DOE_DISCOVERY)
			return da_errf(err, -EPROTO,
				       "DOE discovery: index %u answered with another object type",
				       index);
		ret = da_doe_discovery_parse(payload, plen, &vendor, &type, &next, err);
		if (ret)
			return ret;
		if (vendor == DA_DOE_VENDOR_PCISIG && type == DA_DOE_TYPE_SPDM)
			spdm = true;
		if (vendor == DA_DOE_VENDOR_PCISIG && type == DA_DOE_TYPE_SECURED_SPDM)
			e->doe_secured = true;
		if (!next)
			break;
		if (seen[next])
			return da_errf(err, -EPROTO,
				       "DOE discovery: Next Index %u loops back", next);
		index = next;
	}
	if (!spdm)
		return da_errf(err, -EPROTONOSUPPORT,
			       "DOE discovery: the device lists no SPDM data object type");
	return 0;
}

int da_transport_emu_connect_pcap(const char *hostport, enum da_framing framing,
				  unsigned int timeout_ms, struct da_pcap *pcap,
				  struct da_transport **out, struct da_err *err)
{
	struct emu_client *e;
	int fd, ret;

	*out = NULL;
	if (framing != DA_FRAMING_NONE && framing != DA_FRAMING_MCTP &&
	    framing != DA_FRAMING_PCI_DOE)
		return da_errf(err, -EINVAL, "%s: unknown framing %d", hostport, (int)framing);
	fd = tcp_connect(hostport, timeout_ms, err);
	if (fd < 0)
		return fd;
	e = calloc(1, sizeof(*e));
	if (!e) {
		close(fd);
		return da_errf(err, -ENOMEM, "%s: out of memory", hostport);
	}
	e->fd = fd;
	e->t.ops = &emu_ops;
	e->t.framing = framing;
	e->t.pcap = pcap;
	snprintf(e->t.name, sizeof(e->t.name), "%s", hostport);

	/* The reference requester skips TEST only for NONE; so do we. */
	if (framing != DA_FRAMING_NONE) {
		ret = hello(e, timeout_ms, err);
		if (ret)
			goto fail;
	}
	if (framing == DA_FRAMING_PCI_DOE) {
		ret = doe_discovery(e, timeout_ms, err);
		if (ret)
			goto fail;
	}
	*out = &e->t;
	return 0;
fail:
	da_err_prefix(err, "%s", hostport);
	emu_destroy(&e->t);
	return ret;
}

int da_transport_emu_connect(const char *hostport, enum da_framing framing,
			     unsigned int timeout_ms, struct da_transport **out,
			     struct da_err *err)
{
	return da_transport_emu_connect_pcap(hostport, framing, timeout_ms, NULL, out, err);
}
