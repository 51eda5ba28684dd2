// SPDX-License-Identifier: MIT
/*
 * ipc: the only place that knows how the CLI reaches the TSM core.
 *
 * Backend 1 (implemented): devauthd on an AF_UNIX SOCK_SEQPACKET socket
 * carrying pci-tsm netlink messages, one per datagram.
 * Backend 2 (slot): the kernel's pci-tsm generic netlink family.  The
 * messages are the same (lib/tsm/pci_tsm.h); what differs is opening
 * an AF_NETLINK/NETLINK_GENERIC socket, resolving the family id with
 * CTRL_CMD_GETFAMILY, and multi-message datagrams.  It plugs in as
 * another struct ipc_backend.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <devauth/evidence.h>

#include <libmnl/libmnl.h>
#include <linux/netlink.h>

#include <devauth/pci_tsm.h>

#include "ipc.h"

#define IPC_RECV_TIMEOUT_S	120

struct ipc;

/* Called for each family message of a reply; return -errno to stop. */
typedef int (*ipc_msg_cb)(const struct pci_tsm_msg *m, void *ctx, struct da_err *err);

struct ipc_backend {
	const char *name;
	int (*open)(struct ipc *ipc, const char *target, struct da_err *err);
	/* Send one request, feed the replies to cb, return the final status. */
	int (*xfer)(struct ipc *ipc, void *req, size_t len, struct da_buf *val, ipc_msg_cb cb,
		    void *ctx, struct da_err *err);
	void (*close)(struct ipc *ipc);
};

struct ipc {
	const struct ipc_backend *be;
	int fd;
	uint32_t seq;
	char target[108];
	uint32_t *rx;			/* PCI_TSM_MSG_MAX, aligned for libmnl */
	ipc_event_fn on_event;		/* events group member (ipc_subscribe) */
	void *event_ctx;
};

static bool deliver_event(struct ipc *ipc, const struct pci_tsm_msg *m)
{
	struct ipc_event e = { 0 };

	/* Notifications carry sequence 0 and may arrive between a request and its reply. */
	if (m->nl_type == NLMSG_ERROR || m->nl_type == NLMSG_DONE ||
	    m->cmd != PCI_TSM_CMD_EVENT || m->seq)
		return false;
	if (!ipc->on_event)
		return true;
	e.event = m->event;
	e.state = m->state;
	e.generation = m->generation;
	snprintf(e.dev, sizeof(e.dev), "%s", m->dev_name);
	snprintf(e.reason, sizeof(e.reason), "%s", m->status);
	snprintf(e.check, sizeof(e.check), "%s", m->check);
	ipc->on_event(&e, ipc->event_ctx);
	return true;
}

static int unix_open(struct ipc *ipc, const char *target, struct da_err *err)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = IPC_RECV_TIMEOUT_S };

	if (strlen(target) >= sizeof(sa.sun_path))
		return da_errf(err, -ENAMETOOLONG, "%s: socket path too long", target);
	memcpy(sa.sun_path, target, strlen(target));
	ipc->fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (ipc->fd < 0)
		return da_errf(err, -errno, "socket: %s", strerror(errno));
	if (connect(ipc->fd, (struct sockaddr *)&sa, sizeof(sa)))
		return da_errf(err, -errno, "%s: cannot reach devauthd: %s", target,
			       strerror(errno));
	setsockopt(ipc->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return 0;
}

static int unix_xfer(struct ipc *ipc, void *req, size_t len, struct da_buf *val, ipc_msg_cb cb,
		     void *ctx, struct da_err *err)
{
	const struct nlmsghdr *rq = req;

	if (send(ipc->fd, req, len, MSG_NOSIGNAL) != (ssize_t)len)
		return da_errf(err, -errno, "%s: send: %s", ipc->target, strerror(errno));
	for (;;) {
		struct pci_tsm_msg m = { .val = val };
		ssize_t n = recv(ipc->fd, ipc->rx, PCI_TSM_MSG_MAX, MSG_TRUNC);
		int ret;

		if (n < 0)
			return da_errf(err, errno == EAGAIN ? -ETIMEDOUT : -errno,
				       "%s: receive: %s", ipc->target,
				       errno == EAGAIN ? "no answer in time" : strerror(errno));
		if (n == 0)
			return da_errf(err, -ECONNRESET, "%s: devauthd closed the connection",
				       ipc->target);
		if ((size_t)n > PCI_TSM_MSG_MAX)
			return da_errf(err, -EMSGSIZE, "%s: reply of %zd bytes is too large",
				       ipc->target, n);
		if (val)
			da_buf_reset(val);
		ret = pci_tsm_parse((const uint8_t *)ipc->rx, (size_t)n, false, &m, err);
		if (ret)
			return ret;
		if (deliver_event(ipc, &m))
			continue;
		if (m.seq != rq->nlmsg_seq)
			return da_errf(err, -EPROTO, "%s: reply for sequence %u, expected %u",
				       ipc->target, m.seq, rq->nlmsg_seq);
		if (m.nl_type == NLMSG_ERROR || m.nl_type == NLMSG_DONE) {
			if (m.error)
				return da_errf(err, m.error, "%s",
					       m.extack[0] ? m.extack : strerror(-m.error));
			return 0;
		}
		if (cb) {
			ret = cb(&m, ctx, err);
			if (ret)
				return ret;
		}
	}
}

static void unix_close(struct ipc *ipc)
{
	if (ipc->fd >= 0)
		close(ipc->fd);
}

static const struct ipc_backend devauthd_backend = {
	.name = "devauthd",
	.open = unix_open,
	.xfer = unix_xfer,
	.close = unix_close,
};

/* Backend 2: kernel pci-tsm genetlink.  Not available yet. */
static int genl_open(struct ipc *ipc, const char *target, struct da_err *err)
{
	return da_errf(err, -EOPNOTSUPP,
		       "the kernel pci-tsm generic netlink backend is not implemented yet");
}

static const struct ipc_backend genetlink_backend = {
	.name = "genetlink",
	.open = genl_open,
};

int ipc_open(const char *target, struct ipc **out, struct da_err *err)
{
	struct ipc *ipc;
	int ret;

	if (!target)
		target = getenv("DEVAUTH_SOCKET");
	if (!target || !*target)
		target = IPC_DEFAULT_SOCKET;
	ipc = calloc(1, sizeof(*ipc));
	if (!ipc)
		return da_errf(err, -ENOMEM, "out of memory");
	ipc->fd = -1;
	ipc->rx = malloc(PCI_TSM_MSG_MAX);
	if (!ipc->rx) {
		free(ipc);
		return da_errf(err, -ENOMEM, "out of memory");
	}
	ipc->be = strcmp(target, "genetlink") ? &devauthd_backend : &genetlink_backend;
	snprintf(ipc->target, sizeof(ipc->target), "%s", target);
	ret = ipc->be->open(ipc, target, err);
	if (ret) {
		ipc_close(ipc);
		return ret;
	}
	*out = ipc;
	return 0;
}

void ipc_close(struct ipc *ipc)
{
	if (!ipc)
		return;
	if (ipc->be->close)
		ipc->be->close(ipc);
	free(ipc->rx);
	free(ipc);
}

/* A request with just DEV_NAME (and what add() puts), acked by NLMSG_ERROR. */
static int request(struct ipc *ipc, uint8_t cmd, uint16_t flags, const char *dev,
		   int (*add)(struct nlmsghdr *nlh, size_t cap, void *ctx), void *add_ctx,
		   struct da_buf *val, ipc_msg_cb cb, void *ctx, struct da_err *err)
{
	uint32_t buf[PCI_TSM_REQ_MAX / 4];
	struct nlmsghdr *nlh;

	nlh = pci_tsm_put_hdr(buf, sizeof(buf), cmd, NLM_F_REQUEST | NLM_F_ACK | flags,
			      ++ipc->seq);
	if (!nlh)
		return da_errf(err, -ENOSPC, "request too large");
	if (dev && !pci_tsm_put_str(nlh, sizeof(buf), PCI_TSM_A_EVIDENCE_DEV_NAME, dev))
		return da_errf(err, -ENAMETOOLONG, "device name too long");
	if (add && add(nlh, sizeof(buf), add_ctx))
		return da_errf(err, -ENOSPC, "request too large");
	return ipc->be->xfer(ipc, nlh, nlh->nlmsg_len, val, cb, ctx, err);
}

static int list_cb(const struct pci_tsm_msg *m, void *ctx, struct da_err *err)
{
	struct ipc_list *l = ctx;

	if (pci_tsm_has(m, PCI_TSM_A_EVIDENCE_DEV_NAME)) {
		struct ipc_dev *d = realloc(l->devs, (l->n_devs + 1) * sizeof(*d));

		if (!d)
			return da_errf(err, -ENOMEM, "out of memory");
		l->devs = d;
		d = &l->devs[l->n_devs++];
		memset(d, 0, sizeof(*d));
		snprintf(d->name, sizeof(d->name), "%s", m->dev_name);
		snprintf(d->tsm, sizeof(d->tsm), "%s", m->tsm_name);
		snprintf(d->endpoint, sizeof(d->endpoint), "%s", m->endpoint);
		snprintf(d->status, sizeof(d->status), "%s", m->status);
		snprintf(d->identity, sizeof(d->identity), "%s", m->identity);
		snprintf(d->pin_mode, sizeof(d->pin_mode), "%s", m->pin_mode);
		d->tdisp = pci_tsm_has(m, PCI_TSM_A_TDISP_STATE);
		d->tdisp_state = m->tdisp_state;
		d->state = m->state;
		d->neg = m->neg;
		d->types = m->type_mask;
		d->generation = m->generation;
	} else if (pci_tsm_has(m, PCI_TSM_A_TSM_NAME)) {
		struct ipc_tsm *t = realloc(l->tsms, (l->n_tsms + 1) * sizeof(*t));

		if (!t)
			return da_errf(err, -ENOMEM, "out of memory");
		l->tsms = t;
		t = &l->tsms[l->n_tsms++];
		snprintf(t->name, sizeof(t->name), "%s", m->tsm_name);
		snprintf(t->type, sizeof(t->type), "%s", m->tsm_type);
	}
	return 0;
}

int ipc_list(struct ipc *ipc, const char *dev, struct ipc_list *out, struct da_err *err)
{
	int ret;

	memset(out, 0, sizeof(*out));
	ret = request(ipc, PCI_TSM_CMD_LIST, NLM_F_DUMP, dev, NULL, NULL, NULL, list_cb, out, err);
	if (ret)
		ipc_list_free(out);
	return ret;
}

void ipc_list_free(struct ipc_list *l)
{
	free(l->tsms);
	free(l->devs);
	memset(l, 0, sizeof(*l));
}

struct connect_args {
	const char *tsm;
	int slot;
};

static int add_connect(struct nlmsghdr *nlh, size_t cap, void *ctx)
{
	const struct connect_args *a = ctx;

	if (a->tsm && !pci_tsm_put_str(nlh, cap, PCI_TSM_A_TSM_NAME, a->tsm))
		return -ENOSPC;
	if (a->slot >= 0 && !pci_tsm_put_u32(nlh, cap, PCI_TSM_A_SLOT, (uint32_t)a->slot))
		return -ENOSPC;
	return 0;
}

int ipc_connect(struct ipc *ipc, const char *dev, const char *tsm, int slot, struct da_err *err)
{
	struct connect_args a = { .tsm = tsm, .slot = slot };

	return request(ipc, PCI_TSM_CMD_CONNECT, 0, dev, add_connect, &a, NULL, NULL, NULL, err);
}

int ipc_disconnect(struct ipc *ipc, const char *dev, struct da_err *err)
{
	return request(ipc, PCI_TSM_CMD_DISCONNECT, 0, dev, NULL, NULL, NULL, NULL, NULL, err);
}

static int add_gen(struct nlmsghdr *nlh, size_t cap, void *ctx)
{
	return pci_tsm_put_u64(nlh, cap, PCI_TSM_A_EVIDENCE_GENERATION, *(uint64_t *)ctx) ?
	       0 : -ENOSPC;
}

int ipc_bind(struct ipc *ipc, const char *dev, bool have_gen, uint64_t gen, struct da_err *err)
{
	return request(ipc, PCI_TSM_CMD_BIND, 0, dev, have_gen ? add_gen : NULL, &gen, NULL, NULL,
		       NULL, err);
}

int ipc_accept(struct ipc *ipc, const char *dev, bool have_gen, uint64_t gen, struct da_err *err)
{
	return request(ipc, PCI_TSM_CMD_ACCEPT, 0, dev, have_gen ? add_gen : NULL, &gen, NULL,
		       NULL, NULL, err);
}

int ipc_unbind(struct ipc *ipc, const char *dev, struct da_err *err)
{
	return request(ipc, PCI_TSM_CMD_UNBIND, 0, dev, NULL, NULL, NULL, NULL, NULL, err);
}

int ipc_simple(struct ipc *ipc, uint8_t cmd, const char *dev, struct da_err *err)
{
	return request(ipc, cmd, 0, dev, NULL, NULL, NULL, NULL, NULL, err);
}

static int add_nonce(struct nlmsghdr *nlh, size_t cap, void *ctx)
{
	return pci_tsm_put_bin(nlh, cap, PCI_TSM_A_EVIDENCE_NONCE, ctx, SPDM_NONCE_SIZE) ?
	       0 : -ENOSPC;
}

int ipc_lock(struct ipc *ipc, const char *dev, const uint8_t *nonce, struct da_err *err)
{
	return request(ipc, PCI_TSM_CMD_LOCK, 0, dev, nonce ? add_nonce : NULL, (void *)nonce,
		       NULL, NULL, NULL, err);
}

struct ev_args {
	uint32_t mask;
	bool digest;
	const uint8_t *nonce;
	size_t nonce_len;
};

static int add_ev(struct nlmsghdr *nlh, size_t cap, void *ctx)
{
	const struct ev_args *a = ctx;

	if (!pci_tsm_put_u32(nlh, cap, PCI_TSM_A_EVIDENCE_TYPE_MASK, a->mask))
		return -ENOSPC;
	if (a->digest &&
	    !pci_tsm_put_u32(nlh, cap, PCI_TSM_A_EVIDENCE_FLAGS, PCI_TSM_EVIDENCE_FLAG_DIGEST))
		return -ENOSPC;
	if (a->nonce &&
	    !pci_tsm_put_bin(nlh, cap, PCI_TSM_A_EVIDENCE_NONCE, a->nonce, a->nonce_len))
		return -ENOSPC;
	return 0;
}

struct ev_ctx {
	struct ipc_evidence *ev;
	struct da_buf *val;
	int last_type;
	bool have_gen;
};

static int ev_cb(const struct pci_tsm_msg *m, void *ctx, struct da_err *err)
{
	struct ev_ctx *c = ctx;
	struct ipc_evidence *ev = c->ev;
	int ret;

	if (!pci_tsm_has(m, PCI_TSM_A_EVIDENCE_TYPE) || m->type > DA_EV_MAX)
		return da_errf(err, -EPROTO, "EVIDENCE_READ: reply without a valid TYPE");
	/* Objects come in ascending type order; one object may span messages. */
	if ((int)m->type < c->last_type ||
	    ((int)m->type != c->last_type && (ev->present >> m->type) & 1))
		return da_errf(err, -EPROTO, "EVIDENCE_READ: type %u out of order", m->type);
	if (pci_tsm_has(m, PCI_TSM_A_EVIDENCE_GENERATION)) {
		if (c->have_gen && m->generation != ev->generation)
			return da_errf(err, -EAGAIN,
				       "EVIDENCE_READ: generation changed within the dump");
		ev->generation = m->generation;
		c->have_gen = true;
	}
	if (pci_tsm_has(m, PCI_TSM_A_HASH_ALGO))
		ev->base_hash = m->neg.base_hash;
	c->last_type = (int)m->type;
	ev->present |= 1u << m->type;
	ret = da_buf_append(&ev->obj[m->type], c->val->data, c->val->len);
	if (ret)
		return da_errf(err, ret, "out of memory");
	return 0;
}

int ipc_evidence_read(struct ipc *ipc, const char *dev, uint32_t mask, bool digest,
		      const uint8_t *nonce, size_t nonce_len, struct ipc_evidence *out,
		      struct da_err *err)
{
	struct ev_args a = { .mask = mask, .digest = digest, .nonce = nonce,
			     .nonce_len = nonce_len };
	struct da_buf val = { 0 };
	struct ev_ctx c = { .ev = out, .val = &val, .last_type = -1 };
	int ret;

	memset(out, 0, sizeof(*out));
	out->digest = digest;
	ret = request(ipc, PCI_TSM_CMD_EVIDENCE_READ, NLM_F_DUMP, dev, add_ev, &a, &val, ev_cb,
		      &c, err);
	da_buf_free(&val);
	if (ret)
		ipc_evidence_free(out);
	return ret;
}

void ipc_evidence_free(struct ipc_evidence *ev)
{
	for (unsigned int t = 0; t <= DA_EV_MAX; t++)
		da_buf_free(&ev->obj[t]);
	ev->present = 0;
}

int ipc_parse_types(const char *s, uint32_t *mask)
{
	char buf[256], *save = NULL, *tok;

	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	snprintf(buf, sizeof(buf), "%s", s);
	*mask = 0;
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		unsigned int t;

		if (!strcmp(tok, "all")) {
			*mask |= PCI_TSM_TYPES_ALL;
			continue;
		}
		if (!strcmp(tok, "certs")) {
			*mask |= 0xff;
			continue;
		}
		for (t = 0; t <= DA_EV_MAX; t++)
			if (!strcasecmp(tok, da_evidence_type_key(t)))
				break;
		if (t > DA_EV_MAX)
			return -EINVAL;
		*mask |= 1u << t;
	}
	return *mask ? 0 : -EINVAL;
}

int ipc_evidence_bundle(const struct ipc_evidence *in, const struct ipc_dev *info,
			const uint8_t *nonce, struct da_evidence *out, struct da_err *err)
{
	da_evidence_init(out);
	snprintf(out->dev_name, sizeof(out->dev_name), "%s", info->name);
	snprintf(out->tsm, sizeof(out->tsm), "%s", info->tsm);
	snprintf(out->identity, sizeof(out->identity), "%s", info->identity);
	out->neg = info->neg;
	out->generation = in->generation;
	out->time = (uint64_t)time(NULL);
	if (nonce) {
		out->have_nonce = true;
		memcpy(out->nonce, nonce, SPDM_NONCE_SIZE);
	}
	for (unsigned int t = 0; t <= DA_EV_MAX; t++) {
		if (!((in->present >> t) & 1))
			continue;
		if (da_evidence_set(out, t, in->obj[t].data, in->obj[t].len)) {
			da_evidence_free(out);
			return da_errf(err, -ENOMEM, "%s: evidence: out of memory", info->name);
		}
	}
	return 0;
}

/*
 * Dump, then LIST for the algorithms; a generation change between the
 * two (or inside the dump: -EAGAIN) means another refresh came in
 * between, so read again.
 */
int ipc_evidence_fetch(struct ipc *ipc, const char *dev, uint32_t mask, bool digest,
			   const uint8_t *nonce, struct ipc_evidence *ev, struct ipc_dev *info,
			   struct da_err *err)
{
	int ret = -EAGAIN;

	for (int tries = 0; tries < 4 && ret == -EAGAIN; tries++) {
		struct ipc_list l;

		da_err_clear(err);
		ret = ipc_evidence_read(ipc, dev, mask, digest, nonce, nonce ? SPDM_NONCE_SIZE : 0,
					ev, err);
		if (ret)
			continue;
		ret = ipc_list(ipc, dev, &l, err);
		if (ret) {
			ipc_evidence_free(ev);
			break;
		}
		if (l.n_devs != 1) {
			ret = da_errf(err, -EPROTO, "%s: LIST answered %zu devices", dev, l.n_devs);
		} else if (l.devs[0].generation != ev->generation) {
			ret = da_errf(err, -EAGAIN, "%s: evidence changed while reading it", dev);
		} else {
			*info = l.devs[0];
		}
		ipc_list_free(&l);
		if (ret)
			ipc_evidence_free(ev);
	}
	return ret;
}

/* ---- recovery after a session loss (docs/pin.md) ---- */

struct pin_args {
	const char *json;
	size_t len;
};

static int add_pin(struct nlmsghdr *nlh, size_t cap, void *ctx)
{
	const struct pin_args *a = ctx;

	return pci_tsm_put_bin(nlh, cap, PCI_TSM_A_PIN, a->json, a->len) ? 0 : -ENOSPC;
}

int ipc_pin(struct ipc *ipc, const char *dev, const char *json, size_t len, struct da_err *err)
{
	struct pin_args a = { .json = json, .len = len };

	return request(ipc, PCI_TSM_CMD_PIN, 0, dev, json ? add_pin : NULL, &a, NULL, NULL, NULL,
		       err);
}

int ipc_revalidate(struct ipc *ipc, const char *dev, struct da_err *err)
{
	return request(ipc, PCI_TSM_CMD_REVALIDATE, 0, dev, NULL, NULL, NULL, NULL, NULL, err);
}

int ipc_reset(struct ipc *ipc, const char *dev, struct da_err *err)
{
	return request(ipc, PCI_TSM_CMD_RESET, 0, dev, NULL, NULL, NULL, NULL, NULL, err);
}

static int add_mcgrp(struct nlmsghdr *nlh, size_t cap, void *ctx)
{
	return pci_tsm_put_u32(nlh, cap, PCI_TSM_A_MCGRP, PCI_TSM_MCGRP_EVENTS) ? 0 : -ENOSPC;
}

int ipc_subscribe(struct ipc *ipc, ipc_event_fn fn, void *ctx, struct da_err *err)
{
	ipc->on_event = fn;
	ipc->event_ctx = ctx;
	return request(ipc, PCI_TSM_CMD_SUBSCRIBE, 0, NULL, add_mcgrp, NULL, NULL, NULL, NULL,
		       err);
}

int ipc_events(struct ipc *ipc, int timeout_ms, struct da_err *err)
{
	struct pollfd pfd = { .fd = ipc->fd, .events = POLLIN };

	for (;;) {
		struct pci_tsm_msg m = { 0 };
		ssize_t n;
		int ret;

		ret = poll(&pfd, 1, timeout_ms < 0 ? -1 : timeout_ms);
		if (ret < 0 && errno == EINTR)
			continue;
		if (ret < 0)
			return da_errf(err, -errno, "%s: poll: %s", ipc->target, strerror(errno));
		if (!ret)
			return 0;
		n = recv(ipc->fd, ipc->rx, PCI_TSM_MSG_MAX, MSG_TRUNC);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0)
			return da_errf(err, -errno, "%s: receive: %s", ipc->target, strerror(errno));
		if (n == 0)
			return da_errf(err, -ECONNRESET,
				       "%s: devauthd closed the connection (stopped, or events were missed)",
				       ipc->target);
		if ((size_t)n > PCI_TSM_MSG_MAX)
			return da_errf(err, -EMSGSIZE, "%s: message of %zd bytes is too large",
				       ipc->target, n);
		ret = pci_tsm_parse((const uint8_t *)ipc->rx, (size_t)n, false, &m, err);
		if (ret)
			return ret;
		deliver_event(ipc, &m);
	}
}
