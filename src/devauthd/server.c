// SPDX-License-Identifier: MIT
/*
 * The control socket: AF_UNIX SOCK_SEQPACKET, one netlink message per
 * datagram, the pci-tsm family exactly as genetlink would carry it.
 *
 * Every connection has its own thread, so a client that stalls, a dump
 * that is being read slowly, or a device operation that waits for a hung
 * device costs that client only.  Device operations are serialised per
 * device (dev_op_lock, with a timeout) and run in parallel across
 * devices; each SPDM exchange has the requester's CT/RDT timeout and the
 * whole operation op_timeout_ms.  A malformed request gets an error
 * reply and the connection goes on; a send that fails (client gone)
 * ends the connection.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/netlink.h>

#include <devauth/crypto.h>

#include "devauthd.h"

#define MAX_CONNS	CONN_MAX
#define SEND_TIMEOUT_S	10
/* accept() out of descriptors: pause listening, 50 ms doubling to 1 s. */
#define ACCEPT_BACKOFF_MIN_MS	50
#define ACCEPT_BACKOFF_MAX_MS	1000

struct conn {
	struct daemon *d;
	int fd;
	uid_t uid;
	pid_t pid;
	bool privileged;
	uint8_t *out;			/* PCI_TSM_MSG_MAX reply buffer */
};

static int stop_pipe[2] = { -1, -1 };
static volatile sig_atomic_t stop_requested;	/* a signal before the pipe exists */
static pthread_mutex_t subs_lock = PTHREAD_MUTEX_INITIALIZER;
static struct conn *subs[MAX_CONNS];	/* the "events" group */
static size_t n_subs;
static pthread_mutex_t conns_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t conns_cond = PTHREAD_COND_INITIALIZER;
static int conn_fds[MAX_CONNS];
static size_t n_conns;

void server_stop(void)
{
	char c = 1;

	stop_requested = 1;
	if (stop_pipe[1] >= 0 && write(stop_pipe[1], &c, 1) < 0)
		return;
}

static int send_msg(struct conn *c, const void *buf, size_t len)
{
	if (!len)
		return -ENOSPC;
	if (send(c->fd, buf, len, MSG_NOSIGNAL) != (ssize_t)len)
		return -errno ? -errno : -EIO;
	return 0;
}

static int reply_error(struct conn *c, const struct pci_tsm_msg *req, int error, const char *msg)
{
	unsigned int sup;

	/* A client must not fill the log: a budget per uid. */
	if (error && msg && *msg && log_allowed(c->uid, &sup))
		dlog("client pid %d uid %u: %s: %s%s", (int)c->pid, (unsigned int)c->uid,
		     req ? pci_tsm_cmd_name(req->cmd) : "?", msg,
		     sup ? " (and more from this uid, not logged)" : "");
	return send_msg(c, c->out, pci_tsm_put_error(c->out, PCI_TSM_MSG_MAX, req, error, msg));
}

/* A dump that fails after it started ends with NLMSG_DONE carrying the error. */
static int reply_done(struct conn *c, const struct pci_tsm_msg *req, int error, const char *msg)
{
	return send_msg(c, c->out, pci_tsm_put_done(c->out, PCI_TSM_MSG_MAX, req->seq, error, msg));
}

static bool need_privilege(struct conn *c, const struct pci_tsm_msg *m, struct da_err *err)
{
	if (c->privileged)
		return true;
	da_errf(err, -EPERM, "%s%s%s: permission denied: uid %u is neither root nor in group devauth",
		m->dev_name[0] ? m->dev_name : "", m->dev_name[0] ? ": " : "",
		pci_tsm_cmd_name(m->cmd), (unsigned int)c->uid);
	return false;
}

static struct dev *need_dev(struct conn *c, const struct pci_tsm_msg *m, struct da_err *err)
{
	struct dev *dv;

	if (!pci_tsm_has(m, PCI_TSM_A_EVIDENCE_DEV_NAME)) {
		da_errf(err, -EINVAL, "%s: DEV_NAME is required", pci_tsm_cmd_name(m->cmd));
		return NULL;
	}
	dv = daemon_find_dev(c->d, m->dev_name);
	if (!dv)
		da_errf(err, -ENODEV, "%s: no such device", m->dev_name);
	return dv;
}

static uint32_t obj_mask(const struct dev *dv)
{
	uint32_t mask = 0;

	for (unsigned int t = 0; t <= DA_EV_MAX; t++)
		if (dv->obj[t].len)
			mask |= 1u << t;
	return mask;
}

static int put_dev(struct conn *c, const struct pci_tsm_msg *req, struct dev *dv)
{
	struct nlmsghdr *nlh = pci_tsm_put_hdr(c->out, PCI_TSM_MSG_MAX, PCI_TSM_CMD_LIST,
					       NLM_F_MULTI, req->seq);
	bool ok;

	pthread_mutex_lock(&dv->lock);
	ok = pci_tsm_put_str(nlh, PCI_TSM_MSG_MAX, PCI_TSM_A_EVIDENCE_DEV_NAME, dv->name) &&
	     pci_tsm_put_u32(nlh, PCI_TSM_MSG_MAX, PCI_TSM_A_STATE, dv->state) &&
	     pci_tsm_put_str(nlh, PCI_TSM_MSG_MAX, PCI_TSM_A_ENDPOINT, dv->endpoint) &&
	     pci_tsm_put_u64(nlh, PCI_TSM_MSG_MAX, PCI_TSM_A_EVIDENCE_GENERATION, dv->generation);
	if (ok && dv->tsm[0])
		ok = pci_tsm_put_str(nlh, PCI_TSM_MSG_MAX, PCI_TSM_A_TSM_NAME, dv->tsm) &&
		     pci_tsm_put_u32(nlh, PCI_TSM_MSG_MAX, PCI_TSM_A_SLOT, dv->neg.slot);
	if (ok && dv->status[0])
		ok = pci_tsm_put_str(nlh, PCI_TSM_MSG_MAX, PCI_TSM_A_STATUS, dv->status);
	if (ok && dv->identity[0])
		ok = pci_tsm_put_str(nlh, PCI_TSM_MSG_MAX, PCI_TSM_A_IDENTITY, dv->identity);
	if (ok && dv->td)
		ok = pci_tsm_put_u32(nlh, PCI_TSM_MSG_MAX, PCI_TSM_A_TDISP_STATE, dv->tdisp_state);
	if (ok && dv->pin)
		ok = pci_tsm_put_str(nlh, PCI_TSM_MSG_MAX, PCI_TSM_A_PIN_MODE,
				     da_pin_mode_name(dv->pin->mode));
	if (ok && dv->have_evidence)
		ok = pci_tsm_put_negotiated(nlh, PCI_TSM_MSG_MAX, &dv->neg) &&
		     pci_tsm_put_u32(nlh, PCI_TSM_MSG_MAX, PCI_TSM_A_EVIDENCE_TYPE_MASK,
				     obj_mask(dv));
	pthread_mutex_unlock(&dv->lock);
	return ok ? send_msg(c, nlh, nlh->nlmsg_len) : -ENOSPC;
}

static int do_list(struct conn *c, const struct pci_tsm_msg *m)
{
	struct daemon *d = c->d;
	struct da_err err = { 0 };
	int ret;

	if (pci_tsm_has(m, PCI_TSM_A_EVIDENCE_DEV_NAME)) {
		struct dev *dv = need_dev(c, m, &err);

		if (!dv)
			return reply_error(c, m, err.code, err.msg);
		ret = put_dev(c, m, dv);
		return ret ? ret : reply_done(c, m, 0, NULL);
	}
	for (size_t i = 0; i < d->n_tsms; i++) {
		struct nlmsghdr *nlh = pci_tsm_put_hdr(c->out, PCI_TSM_MSG_MAX, PCI_TSM_CMD_LIST,
						       NLM_F_MULTI, m->seq);

		pci_tsm_put_str(nlh, PCI_TSM_MSG_MAX, PCI_TSM_A_TSM_NAME, d->tsms[i].name);
		pci_tsm_put_str(nlh, PCI_TSM_MSG_MAX, PCI_TSM_A_TSM_TYPE, d->tsms[i].type);
		ret = send_msg(c, nlh, nlh->nlmsg_len);
		if (ret)
			return ret;
	}
	for (size_t i = 0; i < d->n_devs; i++) {
		ret = put_dev(c, m, &d->devs[i]);
		if (ret)
			return ret;
	}
	return reply_done(c, m, 0, NULL);
}

/* One object, one message: TYPE, GENERATION (+ FLAGS, HASH_ALGO), then VAL chunks. */
static int send_object(struct conn *c, const struct pci_tsm_msg *m, unsigned int type,
		       const uint8_t *data, size_t len, uint64_t gen, uint32_t hash)
{
	struct nlmsghdr *nlh = pci_tsm_put_hdr(c->out, PCI_TSM_MSG_MAX, PCI_TSM_CMD_EVIDENCE_READ,
					       NLM_F_MULTI, m->seq);
	size_t off = 0;
	bool ok;

	ok = pci_tsm_put_u32(nlh, PCI_TSM_MSG_MAX, PCI_TSM_A_EVIDENCE_TYPE, type) &&
	     pci_tsm_put_u64(nlh, PCI_TSM_MSG_MAX, PCI_TSM_A_EVIDENCE_GENERATION, gen);
	if (ok && (m->flags & PCI_TSM_EVIDENCE_FLAG_DIGEST))
		ok = pci_tsm_put_u32(nlh, PCI_TSM_MSG_MAX, PCI_TSM_A_EVIDENCE_FLAGS, m->flags) &&
		     pci_tsm_put_u32(nlh, PCI_TSM_MSG_MAX, PCI_TSM_A_HASH_ALGO, hash);
	/* Our own object, cut into VAL chunks: no untrusted length here. */
	while (ok && off < len) {
		size_t n = len - off < PCI_TSM_VAL_CHUNK ? len - off : PCI_TSM_VAL_CHUNK;

		ok = pci_tsm_put_bin(nlh, PCI_TSM_MSG_MAX, PCI_TSM_A_EVIDENCE_VAL, data + off, n);
		off += n;
	}
	if (!ok)
		return reply_done(c, m, -EMSGSIZE, "EVIDENCE_READ: object larger than one message");
	return send_msg(c, nlh, nlh->nlmsg_len);
}

static int do_evidence(struct conn *c, const struct pci_tsm_msg *m)
{
	struct da_err err = { 0 };
	struct da_buf copy = { 0 };
	uint64_t gen0;
	uint32_t hash;
	struct dev *dv;
	bool first = true;
	int ret;

	if (!need_privilege(c, m, &err))
		return reply_error(c, m, err.code, err.msg);
	if (!(m->nl_flags & NLM_F_DUMP))
		return reply_error(c, m, -EOPNOTSUPP, "EVIDENCE_READ: is a dump (set NLM_F_DUMP)");
	dv = need_dev(c, m, &err);
	if (!dv)
		return reply_error(c, m, err.code, err.msg);
	if (!pci_tsm_has(m, PCI_TSM_A_EVIDENCE_TYPE_MASK) || !m->type_mask) {
		da_errf(&err, -EINVAL, "%s: EVIDENCE_READ: TYPE_MASK is required and not 0",
			dv->name);
		return reply_error(c, m, err.code, err.msg);
	}
	if (m->type_mask & ~PCI_TSM_TYPES_ALL) {
		da_errf(&err, -EINVAL, "%s: EVIDENCE_READ: TYPE_MASK %#x: unknown type", dv->name,
			m->type_mask);
		return reply_error(c, m, err.code, err.msg);
	}
	if (m->flags & ~PCI_TSM_EVIDENCE_FLAGS_ALL) {
		da_errf(&err, -EINVAL, "%s: EVIDENCE_READ: unknown FLAGS %#x", dv->name, m->flags);
		return reply_error(c, m, err.code, err.msg);
	}
	if (m->nonce) {
		if (m->nonce_len != SPDM_NONCE_SIZE) {
			da_errf(&err, -EINVAL, "%s: EVIDENCE_READ: NONCE is %zu bytes; SPDM takes %d",
				dv->name, m->nonce_len, SPDM_NONCE_SIZE);
			return reply_error(c, m, err.code, err.msg);
		}
		ret = dev_refresh(c->d, dv, m->nonce, &err);
		if (ret)
			return reply_error(c, m, ret, err.msg);
	}
	pthread_mutex_lock(&dv->lock);
	gen0 = dv->generation;
	hash = dv->neg.base_hash;
	ret = dv->have_evidence ? 0 : -ENXIO;
	pthread_mutex_unlock(&dv->lock);
	if (ret) {
		da_errf(&err, -ENXIO, "%s: no evidence: the device is not connected to a TSM",
			dv->name);
		return reply_error(c, m, err.code, err.msg);
	}
	for (unsigned int type = 0; type <= DA_EV_MAX; type++) {
		uint8_t digest[SPDM_MAX_HASH_SIZE];
		const uint8_t *p;
		size_t n;

		if (!(m->type_mask & (1u << type)))
			continue;
		if (c->d->dump_delay_ms && !first)
			usleep(c->d->dump_delay_ms * 1000u);
		/* The device lock is not held while sending: a slow reader blocks nobody. */
		pthread_mutex_lock(&dv->lock);
		if (dv->generation != gen0) {
			pthread_mutex_unlock(&dv->lock);
			da_errf(&err, -EAGAIN,
				"%s: EVIDENCE_READ: evidence changed during the dump (generation %llu -> %llu): retry",
				dv->name, (unsigned long long)gen0,
				(unsigned long long)dv->generation);
			ret = reply_done(c, m, err.code, err.msg);
			goto out;
		}
		da_buf_reset(&copy);
		ret = da_buf_append(&copy, dv->obj[type].data, dv->obj[type].len);
		pthread_mutex_unlock(&dv->lock);
		if (ret) {
			ret = reply_done(c, m, -ENOMEM, "EVIDENCE_READ: out of memory");
			goto out;
		}
		if (!copy.len)
			continue;	/* not collected (unprovisioned slot, no MEAS_CAP) */
		p = copy.data;
		n = copy.len;
		if (m->flags & PCI_TSM_EVIDENCE_FLAG_DIGEST) {
			if (spdm_hash(hash, copy.data, copy.len, digest)) {
				ret = reply_done(c, m, -EINVAL, "EVIDENCE_READ: cannot hash");
				goto out;
			}
			p = digest;
			n = spdm_hash_size(hash);
		}
		ret = send_object(c, m, type, p, n, gen0, hash);
		if (ret)
			goto out;
		first = false;
	}
	pthread_mutex_lock(&dv->lock);
	ret = dv->generation != gen0 ? -EAGAIN : 0;
	pthread_mutex_unlock(&dv->lock);
	if (ret)
		ret = reply_done(c, m, -EAGAIN,
				 "EVIDENCE_READ: evidence changed during the dump: retry");
	else
		ret = reply_done(c, m, 0, NULL);
out:
	da_buf_free(&copy);
	return ret;
}

static int do_state_change(struct conn *c, const struct pci_tsm_msg *m)
{
	struct da_err err = { 0 };
	const struct tsm *tsm;
	struct dev *dv;
	int ret;

	if (!need_privilege(c, m, &err))
		return reply_error(c, m, err.code, err.msg);
	dv = need_dev(c, m, &err);
	if (!dv)
		return reply_error(c, m, err.code, err.msg);
	switch (m->cmd) {
	case PCI_TSM_CMD_CONNECT:
		tsm = daemon_find_tsm(c->d, pci_tsm_has(m, PCI_TSM_A_TSM_NAME) ? m->tsm_name :
					    c->d->tsms[0].name);
		if (!tsm) {
			da_errf(&err, -ENODEV, "%s: CONNECT: no TSM named %s", dv->name, m->tsm_name);
			return reply_error(c, m, err.code, err.msg);
		}
		if (pci_tsm_has(m, PCI_TSM_A_SLOT) && m->neg.slot >= SPDM_MAX_SLOTS) {
			da_errf(&err, -EINVAL, "%s: CONNECT: SLOT %u: slots are 0-7", dv->name,
				m->neg.slot);
			return reply_error(c, m, err.code, err.msg);
		}
		ret = dev_connect(c->d, dv, tsm->name, (uint8_t)m->neg.slot, NULL, &err);
		break;
	case PCI_TSM_CMD_DISCONNECT:
		ret = dev_disconnect(c->d, dv, &err);
		break;
	case PCI_TSM_CMD_BIND:
		ret = dev_bind(c->d, dv, pci_tsm_has(m, PCI_TSM_A_EVIDENCE_GENERATION),
			       m->generation, &err);
		break;
	case PCI_TSM_CMD_UNBIND:
		ret = dev_unbind(c->d, dv, &err);
		break;
	case PCI_TSM_CMD_PIN:
		ret = dev_set_pin(c->d, dv, m->pin, m->pin_len, c->uid, &err);
		break;
	case PCI_TSM_CMD_REVALIDATE:
	case PCI_TSM_CMD_RESET: {
		struct da_pin_result res = { 0 };

		ret = dev_recover(c->d, dv, m->cmd == PCI_TSM_CMD_RESET, &res, &err);
		/* The events tell everyone; the caller also gets the verdict. */
		if (!ret && res.failed_check[0])
			ret = da_errf(&err, -EKEYREJECTED, "%s: revalidation failed: %s: %s",
				      dv->name, res.failed_check, res.reason);
		da_pin_result_free(&res);
		break;
	}
	case PCI_TSM_CMD_LOCK:
		if (m->nonce && m->nonce_len != SPDM_NONCE_SIZE) {
			ret = da_errf(&err, -EINVAL, "%s: LOCK: NONCE is %zu bytes; SPDM takes %d",
				      dv->name, m->nonce_len, SPDM_NONCE_SIZE);
			break;
		}
		ret = dev_lock(c->d, dv, m->nonce, &err);
		break;
	case PCI_TSM_CMD_ACCEPT:
		ret = dev_accept(c->d, dv, pci_tsm_has(m, PCI_TSM_A_EVIDENCE_GENERATION),
				 m->generation, &err);
		break;
	case PCI_TSM_CMD_UNLOCK:
		ret = dev_unlock(c->d, dv, &err);
		break;
	default:
		ret = da_errf(&err, -EOPNOTSUPP, "%s: %s: not a state change", dv->name,
			      pci_tsm_cmd_name(m->cmd));
		break;
	}
	return reply_error(c, m, ret, ret ? err.msg : NULL);
}

static void unsubscribe(struct conn *c)
{
	pthread_mutex_lock(&subs_lock);
	for (size_t i = 0; i < n_subs; i++) {
		if (subs[i] == c) {
			subs[i] = subs[--n_subs];
			break;
		}
	}
	pthread_mutex_unlock(&subs_lock);
}

static int do_subscribe(struct conn *c, const struct pci_tsm_msg *m)
{
	bool dup = false;

	if (pci_tsm_has(m, PCI_TSM_A_MCGRP) && m->mcgrp != PCI_TSM_MCGRP_EVENTS)
		return reply_error(c, m, -EINVAL, "SUBSCRIBE: unknown multicast group");
	pthread_mutex_lock(&subs_lock);
	for (size_t i = 0; i < n_subs; i++)
		dup |= subs[i] == c;
	if (!dup)
		subs[n_subs++] = c;	/* n_subs <= connections <= MAX_CONNS */
	pthread_mutex_unlock(&subs_lock);
	return reply_error(c, m, 0, NULL);
}

/*
 * Send an event to every subscriber, without blocking: one that cannot
 * take it is dropped from the group and its connection shut down, as a
 * netlink socket that overran gets ENOBUFS, so it knows it missed events.
 */
static void server_event(uint32_t event, const struct dev *dv, uint32_t state, uint64_t gen,
			 const char *reason, const char *check)
{
	uint32_t buf[(DA_ERR_MSG_MAX + 512) / 4];
	struct nlmsghdr *nlh = pci_tsm_put_hdr(buf, sizeof(buf), PCI_TSM_CMD_EVENT, 0, 0);

	pci_tsm_put_u32(nlh, sizeof(buf), PCI_TSM_A_EVENT, event);
	pci_tsm_put_str(nlh, sizeof(buf), PCI_TSM_A_EVIDENCE_DEV_NAME, dv->name);
	pci_tsm_put_u32(nlh, sizeof(buf), PCI_TSM_A_STATE, state);
	pci_tsm_put_u64(nlh, sizeof(buf), PCI_TSM_A_EVIDENCE_GENERATION, gen);
	if (reason && *reason)
		pci_tsm_put_str(nlh, sizeof(buf), PCI_TSM_A_STATUS, reason);
	if (check && *check)
		pci_tsm_put_str(nlh, sizeof(buf), PCI_TSM_A_CHECK, check);
	pthread_mutex_lock(&subs_lock);
	for (size_t i = 0; i < n_subs;) {
		if (send(subs[i]->fd, nlh, nlh->nlmsg_len, MSG_DONTWAIT | MSG_NOSIGNAL) ==
		    (ssize_t)nlh->nlmsg_len) {
			i++;
			continue;
		}
		dlog("event subscriber pid %d does not keep up: dropped", (int)subs[i]->pid);
		shutdown(subs[i]->fd, SHUT_RDWR);
		subs[i] = subs[--n_subs];
	}
	pthread_mutex_unlock(&subs_lock);
}

static int handle(struct conn *c, const uint8_t *buf, size_t len)
{
	struct pci_tsm_msg m = { 0 };
	struct da_err err = { 0 };
	int ret;

	ret = pci_tsm_parse(buf, len, true, &m, &err);
	if (ret)
		return reply_error(c, &m, ret, err.msg);
	switch (m.cmd) {
	case PCI_TSM_CMD_EVIDENCE_READ:
		return do_evidence(c, &m);
	case PCI_TSM_CMD_LIST:
		return do_list(c, &m);
	case PCI_TSM_CMD_SUBSCRIBE:
		return do_subscribe(c, &m);
	case PCI_TSM_CMD_EVENT:
		return reply_error(c, &m, -EOPNOTSUPP, "EVENT: a notification, not a request");
	default:
		return do_state_change(c, &m);
	}
}

static bool in_group(int fd, gid_t gid, gid_t group)
{
	gid_t groups[256];
	socklen_t len = sizeof(groups);

	if (group == (gid_t)-1)
		return false;
	if (gid == group)
		return true;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len))
		return false;
	for (size_t i = 0; i < len / sizeof(gid_t); i++)
		if (groups[i] == group)
			return true;
	return false;
}

static void conn_forget(int fd)
{
	pthread_mutex_lock(&conns_lock);
	for (size_t i = 0; i < n_conns; i++) {
		if (conn_fds[i] == fd) {
			conn_fds[i] = conn_fds[--n_conns];
			break;
		}
	}
	pthread_cond_broadcast(&conns_cond);
	pthread_mutex_unlock(&conns_lock);
}

static void *conn_thread(void *arg)
{
	struct conn *c = arg;
	/* Aligned: libmnl reads attributes in place. */
	uint32_t in[PCI_TSM_REQ_MAX / 4];

	for (;;) {
		ssize_t n = recv(c->fd, in, sizeof(in), MSG_TRUNC);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if ((size_t)n > sizeof(in)) {
			if (reply_error(c, NULL, -EMSGSIZE,
					"pci-tsm: request larger than 8192 bytes"))
				break;
			continue;
		}
		if (handle(c, (const uint8_t *)in, (size_t)n))
			break;
	}
	{
		int fd = c->fd;

		unsubscribe(c);
		slot_give(c->uid);
		free(c->out);
		free(c);
		close(fd);
		/* Last: at shutdown the main thread exits as soon as the count is 0. */
		conn_forget(fd);
	}
	return NULL;
}

static int accept_one(struct daemon *d, int lfd)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	struct timeval tv = { .tv_sec = SEND_TIMEOUT_S };
	int sndbuf = 4 * PCI_TSM_MSG_MAX;
	pthread_attr_t attr;
	pthread_t th;
	struct conn *c;
	struct da_err serr = { 0 };
	unsigned int sup;
	bool member;
	int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len)) {
		close(fd);
		return 0;
	}
	member = cred.uid != 0 && in_group(fd, cred.gid, d->group);
	if (slot_take(cred.uid, member, &serr)) {
		if (log_allowed(cred.uid, &sup))
			dlog("refusing a client (pid %d): %s", (int)cred.pid, serr.msg);
		close(fd);
		return 0;
	}
	pthread_mutex_lock(&conns_lock);
	conn_fds[n_conns++] = fd;
	pthread_mutex_unlock(&conns_lock);
	/* A client that stops reading a dump costs its own thread only, and not forever. */
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	/* Room for a few of the largest messages (root may exceed wmem_max). */
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sndbuf, sizeof(sndbuf)))
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
	c = calloc(1, sizeof(*c));
	if (c)
		c->out = calloc(1, PCI_TSM_MSG_MAX);
	if (!c || !c->out)
		goto fail;
	c->d = d;
	c->fd = fd;
	c->uid = cred.uid;
	c->pid = cred.pid;
	c->privileged = cred.uid == 0 || member;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 1 << 20);
	if (pthread_create(&th, &attr, conn_thread, c)) {
		pthread_attr_destroy(&attr);
		goto fail;
	}
	pthread_attr_destroy(&attr);
	return 0;
fail:
	if (c)
		free(c->out);
	free(c);
	slot_give(cred.uid);
	conn_forget(fd);
	close(fd);
	return 0;
}

static int write_ready(const char *path, const char *sock, struct da_err *err)
{
	char tmp[4096];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f)
		return da_errf(err, -errno, "ready file %s: %s", tmp, strerror(errno));
	fprintf(f, "%s\n", sock);
	if (fclose(f) || rename(tmp, path))
		return da_errf(err, -errno, "ready file %s: %s", path, strerror(errno));
	return 0;
}

/* systemd Type=notify without libsystemd: one datagram to $NOTIFY_SOCKET. */
static void sd_notify_ready(void)
{
	const char *p = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (!p || (p[0] != '/' && p[0] != '@') || strlen(p) >= sizeof(sa.sun_path))
		return;
	memcpy(sa.sun_path, p, strlen(p));
	if (p[0] == '@')
		sa.sun_path[0] = '\0';
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	sendto(fd, "READY=1", 7, MSG_NOSIGNAL, (struct sockaddr *)&sa,
	       (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(p)));
	close(fd);
}

int server_run(struct daemon *d, struct da_err *err)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	unsigned int backoff = 0;
	int lfd, ret = 0;

	if (strlen(d->socket_path) >= sizeof(sa.sun_path))
		return da_errf(err, -ENAMETOOLONG, "socket path %s is too long", d->socket_path);
	memcpy(sa.sun_path, d->socket_path, strlen(d->socket_path));
	if (pipe2(stop_pipe, O_CLOEXEC))
		return da_errf(err, -errno, "pipe: %s", strerror(errno));
	lfd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (lfd < 0)
		return da_errf(err, -errno, "socket: %s", strerror(errno));
	/* A stale socket from a previous run is replaced; a live one or anything else is not. */
	ret = socket_check_free(d->socket_path, err);
	if (ret) {
		close(lfd);
		return ret;
	}
	if (bind(lfd, (struct sockaddr *)&sa, sizeof(sa))) {
		ret = da_errf(err, -errno, "bind %s: %s", d->socket_path, strerror(errno));
		goto out;
	}
	if (chmod(d->socket_path, d->socket_mode) ||
	    (d->group != (gid_t)-1 && chown(d->socket_path, (uid_t)-1, d->group))) {
		ret = da_errf(err, -errno, "%s: permissions: %s", d->socket_path, strerror(errno));
		goto out;
	}
	if (listen(lfd, 256)) {
		ret = da_errf(err, -errno, "listen %s: %s", d->socket_path, strerror(errno));
		goto out;
	}
	if (d->ready_file) {
		ret = write_ready(d->ready_file, d->socket_path, err);
		if (ret)
			goto out;
	}
	/* Device events go to the subscribers from now on, and after the loop too. */
	daemon_event_sink_set(server_event);
	sd_notify_ready();
	dlog("serving %zu device(s) on %s", d->n_devs, d->socket_path);
	while (!stop_requested) {
		struct pollfd p[2] = {
			{ .fd = backoff ? -1 : lfd, .events = POLLIN },
			{ .fd = stop_pipe[0], .events = POLLIN },
		};
		int n = poll(p, 2, backoff ? (int)backoff : -1);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			ret = da_errf(err, -errno, "poll: %s", strerror(errno));
			break;
		}
		if (p[1].revents)
			break;
		if (!n) {
			/* The pause is over: listen again, and back off further if still short. */
			p[0].revents = POLLIN;
		}
		if (p[0].revents || !n) {
			int r = accept_one(d, lfd);

			/*
			 * Out of descriptors or memory: the connection stays queued
			 * and lfd readable, so polling it again at once would spin.
			 */
			if (r == -EMFILE || r == -ENFILE || r == -ENOBUFS || r == -ENOMEM) {
				if (!backoff)
					dlog("accept: %s: pausing new connections", strerror(-r));
				backoff = backoff ? backoff * 2 : ACCEPT_BACKOFF_MIN_MS;
				if (backoff > ACCEPT_BACKOFF_MAX_MS)
					backoff = ACCEPT_BACKOFF_MAX_MS;
			} else if (backoff && r != -EAGAIN) {
				dlog("accept: connections resumed");
				backoff = 0;
			} else if (r == -EAGAIN) {
				backoff = 0;
			}
		}
	}
out:
	close(lfd);
	unlink(d->socket_path);
	if (d->ready_file)
		unlink(d->ready_file);
	/* End what is in flight, wake every connection, wait (bounded) for the threads. */
	link_cancel_busy(d);
	pthread_mutex_lock(&conns_lock);
	for (size_t i = 0; i < n_conns; i++)
		shutdown(conn_fds[i], SHUT_RDWR);
	{
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += d->op_timeout_ms / 1000 + 2;
		while (n_conns)
			if (pthread_cond_timedwait(&conns_cond, &conns_lock, &ts))
				break;
	}
	if (n_conns) {
		dlog("%zu connection(s) still busy at exit", n_conns);
		ret = ret ? ret : -EBUSY;
	}
	pthread_mutex_unlock(&conns_lock);
	close(stop_pipe[0]);
	close(stop_pipe[1]);
	stop_pipe[0] = stop_pipe[1] = -1;
	return ret;
}
