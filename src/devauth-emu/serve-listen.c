// SPDX-License-Identifier: MIT
/*
 * The listening side of `serve`: the listen sockets, each device's
 * thread (create the device, then accept clients one at a time and hand
 * them to serve-conn.c), and the ready file.
 */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "emu_internal.h"

/* The responder's account of what it answered, in --verbose. */
static void rsp_log(void *arg, const char *msg)
{
	dev_log(arg, "%s", msg);
}

static void peer_name(const struct sockaddr_storage *ss, socklen_t len, char *buf, size_t n)
{
	char host[64], port[16];

	if (getnameinfo((const struct sockaddr *)ss, len, host, sizeof(host), port, sizeof(port),
			NI_NUMERICHOST | NI_NUMERICSERV))
		snprintf(buf, n, "?");
	else if (ss->ss_family == AF_INET6)
		snprintf(buf, n, "[%s]:%s", host, port);
	else
		snprintf(buf, n, "%s:%s", host, port);
}

void emu_prewarm(struct rsp_device *dev)
{
	const struct rsp_device_config *c = rsp_device_config(dev);
	struct da_buf chain = { 0 };
	struct da_err err = { 0 };
	uint32_t hash = c->hash & -c->hash;
	unsigned int slot, a;

	/*
	 * The device makes a slot's leaf for a BaseAsym when a connection
	 * first negotiates it; an RSA-4096 key then takes longer than any
	 * requester waits for ALGORITHMS.  Make them all now, in the
	 * device's own thread.  Failures (a --slot key of another type)
	 * show up again, with a message, when a client negotiates.
	 */
	for (slot = 0; slot < SPDM_MAX_SLOTS; slot++) {
		if (!(c->provisioned_slots & (1u << slot)))
			continue;
		for (a = 0; a < 32; a++) {
			if (!(c->asym & (1u << a)))
				continue;
			da_err_clear(&err);
			rsp_device_chain_for(dev, (uint8_t)slot, 1u << a, hash, &chain, &err);
			da_buf_reset(&chain);
		}
	}
	da_buf_free(&chain);
}

static void mark_ready(struct emu_server *s, bool ok)
{
	pthread_mutex_lock(&s->ready_lock);
	if (ok)
		s->nready++;
	else
		s->nfailed++;
	pthread_cond_broadcast(&s->ready_cond);
	pthread_mutex_unlock(&s->ready_lock);
}

void *emu_device_thread(void *arg)
{
	struct emu_devslot *d = arg;
	struct emu_server *s = d->srv;
	struct sockaddr_storage ss;
	struct da_err err = { 0 };
	socklen_t sl;
	uint8_t *rsp_buf;
	int fd, one = 1, ret;
	struct pollfd p[2];
	enum client_end end;
	bool forget;

	/* Key generation is the slow part: each device does its own, in parallel. */
	ret = rsp_device_create(&d->spec->cfg, &d->dev, &err);
	rsp_buf = malloc(EMU_RSP_CAP);
	if (ret || !rsp_buf) {
		dev_log(d, "cannot create the device: %s",
			ret ? (err.msg[0] ? err.msg : strerror(-ret)) : "out of memory");
		free(rsp_buf);
		mark_ready(s, false);
		return NULL;
	}
	emu_prewarm(d->dev);
	d->faults = d->spec->cfg.faults;
	mark_ready(s, true);

	p[0] = (struct pollfd){ .fd = d->lfd, .events = POLLIN };
	p[1] = (struct pollfd){ .fd = s->stop_pipe[0], .events = POLLIN };
	while (!atomic_load(&s->stop)) {
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			dev_log(d, "poll: %s", strerror(errno));
			break;
		}
		if (p[1].revents)
			break;
		sl = sizeof(ss);
		fd = accept4(d->lfd, (struct sockaddr *)&ss, &sl, SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno != EINTR && errno != EAGAIN && errno != ECONNABORTED)
				dev_log(d, "accept: %s", strerror(errno));
			if (errno == EMFILE || errno == ENFILE)
				usleep(100 * 1000);
			continue;
		}
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));

		pthread_mutex_lock(&d->lock);
		d->client_fd = fd;
		d->dropped = false;
		forget = d->forget;
		d->forget = false;
		peer_name(&ss, sl, d->peer, sizeof(d->peer));
		pthread_mutex_unlock(&d->lock);
		if (forget && d->rsp) {
			/* A reset since the CONTINUE: the device has forgotten that conversation. */
			spdm_responder_free(d->rsp);
			d->rsp = NULL;
		}
		if (s->verbose)
			dev_log(d, "connected");

		if (!d->rsp) {
			d->rsp = spdm_responder_new(d->dev, s->framing);
			if (d->rsp && s->verbose)
				spdm_responder_set_log(d->rsp, rsp_log, d);
		}
		if (!d->rsp) {
			dev_log(d, "out of memory for a connection; closed");
			end = END_CLOSE;
		} else {
			end = emu_serve_client(d, fd, rsp_buf);
		}

		pthread_mutex_lock(&d->lock);
		d->client_fd = -1;
		d->peer[0] = '\0';
		pthread_mutex_unlock(&d->lock);
		close(fd);
		if (end != END_CONTINUE && d->rsp) {
			spdm_responder_free(d->rsp);
			d->rsp = NULL;
		}
		if (end == END_STOP)
			break;
	}
	free(rsp_buf);
	return NULL;
}

/* "HOST:PORT", "[V6]:PORT" or "PORT". */
int emu_parse_listen(const char *arg, char *host, size_t hlen, int *port, struct da_err *err)
{
	const char *colon, *p;
	char *end;
	long v;

	if (arg[0] == '[') {
		colon = strstr(arg, "]:");
		if (!colon)
			return da_errf(err, -EINVAL, "--listen: '%s' is not [ADDR]:PORT", arg);
		snprintf(host, hlen, "%.*s", (int)(colon - arg - 1), arg + 1);
		p = colon + 2;
	} else if ((colon = strrchr(arg, ':'))) {
		snprintf(host, hlen, "%.*s", (int)(colon - arg), arg);
		p = colon + 1;
	} else {
		snprintf(host, hlen, "127.0.0.1");
		p = arg;
	}
	errno = 0;
	v = strtol(p, &end, 10);
	if (errno || *end || !*p || v < 1 || v > 65535)
		return da_errf(err, -EINVAL, "--listen: bad port in '%s'", arg);
	*port = (int)v;
	return 0;
}

int emu_listen_on(const char *host, int port, struct da_err *err)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_PASSIVE | AI_NUMERICSERV };
	struct addrinfo *res = NULL;
	char ports[16];
	int fd = -1, one = 1, ret;

	snprintf(ports, sizeof(ports), "%d", port);
	ret = getaddrinfo(strcmp(host, "*") ? host : NULL, ports, &hints, &res);
	if (ret)
		return da_errf(err, -EINVAL, "--listen: %s: %s", host, gai_strerror(ret));
	fd = socket(res->ai_family, res->ai_socktype | SOCK_CLOEXEC, res->ai_protocol);
	if (fd < 0) {
		ret = da_errf(err, -errno, "socket: %s", strerror(errno));
		goto out;
	}
	/* Restarts must not wait for TIME_WAIT; two listeners still cannot share a port. */
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, res->ai_addr, res->ai_addrlen) < 0) {
		ret = da_errf(err, -errno, "bind %s:%d: %s", host, port, strerror(errno));
		goto out;
	}
	if (listen(fd, 16) < 0) {
		ret = da_errf(err, -errno, "listen %s:%d: %s", host, port, strerror(errno));
		goto out;
	}
	ret = fd;
	fd = -1;
out:
	if (fd >= 0)
		close(fd);
	freeaddrinfo(res);
	return ret;
}

int emu_write_ready_file(struct emu_server *s, const char *path, const char *host)
{
	char tmp[4096];
	unsigned int i;
	FILE *f;
	int ret = 0;

	snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid());
	f = fopen(tmp, "w");
	if (!f)
		return -errno;
	for (i = 0; i < s->ndev; i++)
		fprintf(f, "%s %s:%d\n", s->slots[i].spec->cfg.name, host, s->slots[i].port);
	if (fflush(f) || fsync(fileno(f)))
		ret = -errno;
	if (fclose(f) && !ret)
		ret = -errno;
	/* rename is atomic: a waiter sees no file or the whole file. */
	if (!ret && rename(tmp, path))
		ret = -errno;
	if (ret)
		unlink(tmp);
	return ret;
}
