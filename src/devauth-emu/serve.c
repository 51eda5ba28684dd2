// SPDX-License-Identifier: MIT
/*
 * `devauth-emu serve`: one TCP port and one thread per emulated device,
 * speaking the DMTF spdm-emu socket protocol (system.md section 6).
 *
 * A device serves one client at a time and any number over time.  A
 * client that vanishes, stalls mid-frame, sends garbage or oversized
 * frames costs only its own connection: the thread logs one line and
 * goes back to accept().  Unlike the reference responder, SHUTDOWN ends
 * the client, never the process; only SIGINT/SIGTERM do that.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cursor.h"
#include "emu.h"
#include "transport/emu_proto.h"

/* A started frame must be complete within this time, or the client is dropped. */
#define EMU_FRAME_TIMEOUT_MS 10000
#define EMU_FRAME_TIMEOUT_MAX_MS 3600000
/* One transport message out: SPDM responses here stay far below this. */
#define EMU_RSP_CAP (256u * 1024)

struct emu_devslot {
	struct emu_server *srv;
	unsigned int idx;
	const struct emu_dev_spec *spec;
	struct emu_device *dev;
	struct spdm_responder *rsp;	/* kept across clients only after CONTINUE */
	int port;
	int lfd;
	pthread_t thread;
	bool started;

	pthread_mutex_t lock;		/* protects client_fd, dropped, faults */
	int client_fd;
	bool dropped;			/* the control socket cut the connection */
	bool forget;			/* reset/swap: no SPDM state survives, even after CONTINUE */
	uint64_t faults;
	char peer[128];
};

struct emu_server {
	struct emu_devslot *slots;
	unsigned int ndev;
	enum da_framing framing;
	bool verbose;
	unsigned int frame_timeout_ms;
	int stop_pipe[2];		/* readable once the process is stopping */
	atomic_bool stop;

	pthread_mutex_t ready_lock;
	pthread_cond_t ready_cond;
	unsigned int nready, nfailed;
};

unsigned int emu_server_ndev(struct emu_server *s)
{
	return s->ndev;
}

struct emu_device *emu_server_device(struct emu_server *s, unsigned int i)
{
	return i < s->ndev ? s->slots[i].dev : NULL;
}

const char *emu_server_dev_name(struct emu_server *s, unsigned int i)
{
	return i < s->ndev ? s->slots[i].spec->cfg.name : NULL;
}

int emu_server_dev_port(struct emu_server *s, unsigned int i)
{
	return i < s->ndev ? s->slots[i].port : -1;
}

bool emu_server_drop_client(struct emu_server *s, unsigned int i)
{
	struct emu_devslot *d;
	bool had = false;

	if (i >= s->ndev)
		return false;
	d = &s->slots[i];
	pthread_mutex_lock(&d->lock);
	d->forget = true;
	if (d->client_fd >= 0) {
		/*
		 * shutdown, not close: the serving thread owns the descriptor
		 * and sees EOF; closing here could hit a reused number.
		 */
		shutdown(d->client_fd, SHUT_RDWR);
		d->dropped = true;
		had = true;
	}
	pthread_mutex_unlock(&d->lock);
	return had;
}

bool emu_server_has_client(struct emu_server *s, unsigned int i)
{
	bool has;

	if (i >= s->ndev)
		return false;
	pthread_mutex_lock(&s->slots[i].lock);
	has = s->slots[i].client_fd >= 0;
	pthread_mutex_unlock(&s->slots[i].lock);
	return has;
}

int emu_server_find(struct emu_server *s, const char *dev)
{
	unsigned int i;
	char *end;
	unsigned long n;

	for (i = 0; i < s->ndev; i++) {
		if (!strcmp(s->slots[i].spec->cfg.name, dev))
			return (int)i;
	}
	if (!*dev || *dev < '0' || *dev > '9')
		return -1;
	errno = 0;
	n = strtoul(dev, &end, 10);
	if (errno || *end || n >= s->ndev)
		return -1;
	return (int)n;
}

uint64_t emu_server_faults(struct emu_server *s, unsigned int i)
{
	uint64_t f;

	pthread_mutex_lock(&s->slots[i].lock);
	f = s->slots[i].faults;
	pthread_mutex_unlock(&s->slots[i].lock);
	return f;
}

void emu_server_set_faults(struct emu_server *s, unsigned int i, uint64_t faults)
{
	pthread_mutex_lock(&s->slots[i].lock);
	s->slots[i].faults = faults;
	emu_device_set_faults(s->slots[i].dev, faults);
	pthread_mutex_unlock(&s->slots[i].lock);
}

static void dev_log(struct emu_devslot *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void dev_log(struct emu_devslot *d, const char *fmt, ...)
{
	char msg[600];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (d->peer[0])
		emu_log("%s (port %d): client %s: %s", d->spec->cfg.name, d->port, d->peer, msg);
	else
		emu_log("%s (port %d): %s", d->spec->cfg.name, d->port, msg);
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

enum client_end {
	END_CLOSE,		/* conversation over: forget the SPDM state */
	END_CONTINUE,		/* CONTINUE: keep the SPDM state for the next client */
	END_STOP,		/* the process is stopping */
};

/* Wait for the client to send something, or for the process to stop. */
static int wait_readable(struct emu_server *s, int fd)
{
	struct pollfd p[2] = {
		{ .fd = fd, .events = POLLIN },
		{ .fd = s->stop_pipe[0], .events = POLLIN },
	};

	for (;;) {
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (p[1].revents)
			return -ESHUTDOWN;
		return 0;
	}
}

static enum client_end serve_client(struct emu_devslot *d, int fd, uint8_t *rsp_buf)
{
	struct emu_server *s = d->srv;
	struct da_buf payload = { 0 };
	struct da_err err = { 0 };
	enum client_end end = END_CLOSE;
	uint32_t cmd, tt;
	bool dropped;
	int ret, n;

	for (;;) {
		da_err_clear(&err);
		ret = wait_readable(s, fd);
		if (ret == -ESHUTDOWN) {
			end = END_STOP;
			goto out;
		}
		if (!ret)
			ret = emu_recv_frame(fd, s->frame_timeout_ms, EMU_MAX_PAYLOAD, &cmd, &tt,
					     &payload, &err);
		if (ret < 0) {
			pthread_mutex_lock(&d->lock);
			dropped = d->dropped;
			pthread_mutex_unlock(&d->lock);
			if (atomic_load(&s->stop))
				end = END_STOP;
			else if (dropped)
				dev_log(d, "connection closed by the control socket");
			else if (ret == -ECONNRESET)
				dev_log(d, "closed the connection without SHUTDOWN%s%s",
					err.msg[0] ? ": " : "", err.msg);
			else
				dev_log(d, "%s; connection closed",
					err.msg[0] ? err.msg : strerror(-ret));
			goto out;
		}

		if (tt != (uint32_t)s->framing && cmd != EMU_CMD_SHUTDOWN &&
		    cmd != EMU_CMD_CONTINUE) {
			/* Another transport's frame: the reference answers UNKNOWN, so do we. */
			if (s->verbose)
				dev_log(d, "transport type %u, expected %u: UNKNOWN", tt,
					(unsigned int)s->framing);
			ret = emu_send_frame(fd, EMU_CMD_UNKNOWN, s->framing, NULL, 0, &err);
			goto sent;
		}

		switch (cmd) {
		case EMU_CMD_TEST:
			ret = emu_send_frame(fd, EMU_CMD_TEST, s->framing, EMU_HELLO_SERVER,
					     sizeof(EMU_HELLO_SERVER), &err);
			break;
		case EMU_CMD_NORMAL:
			n = spdm_responder_transport(d->rsp, payload.data, payload.len, rsp_buf,
						     EMU_RSP_CAP);
			if (n == -ETIMEDOUT || n == 0) {
				/* The device stays silent; the client's timeout decides. */
				ret = 0;
				break;
			}
			if (n == -ECONNRESET) {
				dev_log(d, "device dropped the link");
				goto out;
			}
			if (n < 0) {
				dev_log(d, "NORMAL frame (%zu bytes) not answerable: %s; "
					"connection closed", payload.len, strerror(-n));
				goto out;
			}
			ret = emu_send_frame(fd, EMU_CMD_NORMAL, s->framing, rsp_buf, (size_t)n,
					     &err);
			break;
		case EMU_CMD_CONTINUE:
			emu_send_frame(fd, EMU_CMD_CONTINUE, s->framing, NULL, 0, &err);
			end = END_CONTINUE;
			if (s->verbose)
				dev_log(d, "CONTINUE: state kept for the next client");
			goto out;
		case EMU_CMD_SHUTDOWN:
			emu_send_frame(fd, EMU_CMD_SHUTDOWN, s->framing, NULL, 0, &err);
			if (s->verbose)
				dev_log(d, "SHUTDOWN: conversation over");
			goto out;
		default:
			if (s->verbose)
				dev_log(d, "unknown command 0x%x: UNKNOWN", cmd);
			ret = emu_send_frame(fd, EMU_CMD_UNKNOWN, s->framing, NULL, 0, &err);
			break;
		}
sent:
		if (ret < 0) {
			dev_log(d, "send: %s; connection closed",
				err.msg[0] ? err.msg : strerror(-ret));
			goto out;
		}
	}
out:
	da_buf_free(&payload);
	return end;
}

void emu_prewarm(struct emu_device *dev)
{
	const struct emu_device_config *c = emu_device_config(dev);
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
			emu_device_chain_for(dev, (uint8_t)slot, 1u << a, hash, &chain, &err);
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

static void *device_thread(void *arg)
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
	ret = emu_device_create(&d->spec->cfg, &d->dev, &err);
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

		if (!d->rsp)
			d->rsp = spdm_responder_new(d->dev, s->framing);
		if (!d->rsp) {
			dev_log(d, "out of memory for a connection; closed");
			end = END_CLOSE;
		} else {
			end = serve_client(d, fd, rsp_buf);
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
static int parse_listen(const char *arg, char *host, size_t hlen, int *port, struct da_err *err)
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

static int listen_on(const char *host, int port, struct da_err *err)
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

static int write_ready_file(struct emu_server *s, const char *path, const char *host)
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

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: %s [serve] [--listen HOST:PORT] [--transport pci-doe|mctp|none]\n"
		"          [--devices N | --config FILE] [--spdm-version 1.0,1.1,...]\n"
		"          [--asym LIST] [--hash LIST] [--meas-hash LIST]\n"
		"          [--slot N:CHAIN.der:KEY.pem]... [--fault LIST]\n"
		"          [--ctl PATH|none] [--ready-file PATH] [--frame-timeout MS]\n"
		"          [--data-transfer-size N] [--max-spdm-msg-size N] [--verbose]\n"
		"Device i listens on PORT+i (default 127.0.0.1:%d).  See devauth-emu(1).\n",
		EMU_PROG, EMU_DEFAULT_PORT);
}

static int parse_slot_opt(const char *arg, struct emu_defaults *defs, struct emu_config *pool,
			  struct da_err *err)
{
	const char *c1 = strchr(arg, ':'), *c2 = strrchr(arg, ':');
	char chain[4096];
	const char *cp, *kp;
	unsigned int slot;

	/* N:CHAIN:KEY; the chain path may contain colons, the key path may not. */
	if (!c1 || c1 == c2 || c1 != arg + 1 || arg[0] < '0' || arg[0] > '7' || c2 == c1 + 1 ||
	    !c2[1])
		return da_errf(err, -EINVAL, "--slot: '%s' is not N:CHAIN:KEY (N 0..7)", arg);
	slot = (unsigned int)(arg[0] - '0');
	snprintf(chain, sizeof(chain), "%.*s", (int)(c2 - c1 - 1), c1 + 1);
	cp = emu_config_strdup(pool, chain);
	kp = emu_config_strdup(pool, c2 + 1);
	if (!cp || !kp)
		return da_errf(err, -ENOMEM, "out of memory");
	defs->slot_mask |= (uint8_t)(1u << slot);
	defs->slot_chain[slot] = cp;
	defs->slot_key[slot] = kp;
	return 0;
}

enum {
	OPT_LISTEN = 256, OPT_TRANSPORT, OPT_DEVICES, OPT_CONFIG, OPT_VERSION, OPT_ASYM, OPT_HASH,
	OPT_MEAS_HASH, OPT_SLOT, OPT_FAULT, OPT_CTL, OPT_READY, OPT_FRAME_TIMEOUT, OPT_DTS,
	OPT_MAX_MSG,
};

static const struct option serve_opts[] = {
	{ "listen", required_argument, NULL, OPT_LISTEN },
	{ "transport", required_argument, NULL, OPT_TRANSPORT },
	{ "devices", required_argument, NULL, OPT_DEVICES },
	{ "config", required_argument, NULL, OPT_CONFIG },
	{ "spdm-version", required_argument, NULL, OPT_VERSION },
	{ "asym", required_argument, NULL, OPT_ASYM },
	{ "hash", required_argument, NULL, OPT_HASH },
	{ "meas-hash", required_argument, NULL, OPT_MEAS_HASH },
	{ "slot", required_argument, NULL, OPT_SLOT },
	{ "fault", required_argument, NULL, OPT_FAULT },
	{ "ctl", required_argument, NULL, OPT_CTL },
	{ "ready-file", required_argument, NULL, OPT_READY },
	{ "frame-timeout", required_argument, NULL, OPT_FRAME_TIMEOUT },
	{ "data-transfer-size", required_argument, NULL, OPT_DTS },
	{ "max-spdm-msg-size", required_argument, NULL, OPT_MAX_MSG },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

static int parse_meas_hash_list(const char *list, uint32_t *mask, struct da_err *err)
{
	char *copy = strdup(list), *save = NULL, *tok;
	uint32_t m = 0, bit;
	int ret = 0;

	if (!copy)
		return -ENOMEM;
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (emu_parse_meas_hash_name(tok, &bit)) {
			ret = da_errf(err, -EINVAL, "--meas-hash: unknown name '%s'", tok);
			goto out;
		}
		m |= bit;
	}
	if (!m)
		ret = da_errf(err, -EINVAL, "--meas-hash: empty list");
	*mask = m;
out:
	free(copy);
	return ret;
}

int serve_main(int argc, char **argv)
{
	struct emu_defaults defs = { 0 };
	struct emu_config cfg = { 0 }, pool = { 0 };
	struct emu_server srv = { .stop_pipe = { -1, -1 } };
	struct emu_ctl *ctl = NULL;
	struct da_err err = { 0 };
	const char *listen_arg = NULL, *config = NULL, *ctl_arg = NULL, *ready = NULL;
	char host[256], ctl_path[4096];
	unsigned long ndev = 0, ul;
	unsigned int i, nthreads = 0;
	sigset_t sigs;
	/* Bad options and an invalid configuration are usage errors (2); see devauth-emu(1). */
	int base_port = EMU_DEFAULT_PORT, opt, sig, ret = 2, r;
	char *end;

	srv.framing = DA_FRAMING_PCI_DOE;
	srv.frame_timeout_ms = EMU_FRAME_TIMEOUT_MS;
	snprintf(host, sizeof(host), "127.0.0.1");
	optind = 1;
	while ((opt = getopt_long(argc, argv, "vh", serve_opts, NULL)) != -1) {
		r = 0;
		switch (opt) {
		case OPT_LISTEN:
			listen_arg = optarg;
			r = parse_listen(optarg, host, sizeof(host), &base_port, &err);
			break;
		case OPT_TRANSPORT:
			if (da_framing_parse(optarg, &srv.framing))
				r = da_errf(&err, -EINVAL,
					    "--transport: '%s' is not pci-doe, mctp or none",
					    optarg);
			break;
		case OPT_DEVICES:
			errno = 0;
			ndev = strtoul(optarg, &end, 10);
			if (errno || *end || !*optarg || ndev < 1 || ndev > EMU_MAX_DEVICES)
				r = da_errf(&err, -EINVAL, "--devices: '%s' is not in 1..%d",
					    optarg, EMU_MAX_DEVICES);
			break;
		case OPT_CONFIG:
			config = optarg;
			break;
		case OPT_VERSION:
			r = emu_parse_version_list(optarg, &defs.min_version, &defs.max_version,
						   &err);
			defs.have_versions = true;
			break;
		case OPT_ASYM:
			r = emu_parse_asym_list(optarg, &defs.asym, &err);
			break;
		case OPT_HASH:
			r = emu_parse_hash_list(optarg, &defs.hash, &err);
			break;
		case OPT_MEAS_HASH:
			r = parse_meas_hash_list(optarg, &defs.meas_hash, &err);
			break;
		case OPT_SLOT:
			r = parse_slot_opt(optarg, &defs, &pool, &err);
			break;
		case OPT_FAULT:
			r = emu_fault_parse(optarg, &defs.faults, &err);
			if (r)
				da_err_prefix(&err, "--fault");
			defs.have_faults = true;
			break;
		case OPT_CTL:
			ctl_arg = optarg;
			break;
		case OPT_FRAME_TIMEOUT:
			errno = 0;
			ul = strtoul(optarg, &end, 10);
			if (errno || *end || !*optarg || ul < 1 || ul > EMU_FRAME_TIMEOUT_MAX_MS)
				r = da_errf(&err, -EINVAL, "--frame-timeout: '%s' is not in 1..%u ms",
					    optarg, EMU_FRAME_TIMEOUT_MAX_MS);
			else
				srv.frame_timeout_ms = (unsigned int)ul;
			break;
		case OPT_READY:
			ready = optarg;
			break;
		case OPT_DTS:
			r = emu_parse_msg_size("--data-transfer-size", optarg,
					       &defs.data_transfer_size, &err);
			break;
		case OPT_MAX_MSG:
			r = emu_parse_msg_size("--max-spdm-msg-size", optarg,
					       &defs.max_spdm_msg_size, &err);
			break;
		case 'v':
			srv.verbose = true;
			break;
		case 'h':
			usage(stdout);
			ret = 0;
			goto out;
		default:
			usage(stderr);
			goto out;
		}
		if (r) {
			emu_log("%s", err.msg[0] ? err.msg : strerror(-r));
			goto out;
		}
	}
	if (optind < argc) {
		emu_log("unexpected argument '%s'", argv[optind]);
		usage(stderr);
		goto out;
	}
	if (config && ndev) {
		emu_log("--devices and --config exclude each other (the file lists the devices)");
		goto out;
	}
	(void)listen_arg;

	r = config ? emu_config_load(config, &defs, &cfg, &err) :
		     emu_config_default(ndev ? (unsigned int)ndev : 1, &defs, &cfg, &err);
	if (r) {
		emu_log("%s", err.msg[0] ? err.msg : strerror(-r));
		goto out;
	}
	/* From here on a failure is the run's (ports, devices that cannot start): 1. */
	ret = 1;

	/*
	 * Signals go to sigwait() in this thread only; SIGPIPE is ignored
	 * so a vanished client is an EPIPE on one connection, not the end.
	 */
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);

	if (pipe2(srv.stop_pipe, O_CLOEXEC)) {
		emu_log("pipe: %s", strerror(errno));
		goto out;
	}
	pthread_mutex_init(&srv.ready_lock, NULL);
	pthread_cond_init(&srv.ready_cond, NULL);
	srv.ndev = cfg.ndev;
	srv.slots = calloc(cfg.ndev, sizeof(*srv.slots));
	if (!srv.slots) {
		emu_log("out of memory");
		goto stop;
	}
	for (i = 0; i < cfg.ndev; i++) {
		srv.slots[i].srv = &srv;
		srv.slots[i].idx = i;
		srv.slots[i].spec = &cfg.dev[i];
		srv.slots[i].lfd = -1;
		srv.slots[i].client_fd = -1;
		pthread_mutex_init(&srv.slots[i].lock, NULL);
	}
	for (i = 0; i < cfg.ndev; i++) {
		struct emu_devslot *d = &srv.slots[i];
		const struct emu_dev_spec *spec = &cfg.dev[i];
		unsigned int k;

		d->port = spec->port ? spec->port :
			  base_port + (spec->port_offset >= 0 ? spec->port_offset : (int)i);
		if (d->port > 65535) {
			emu_log("%s: port %d is above 65535", spec->cfg.name, d->port);
			goto stop;
		}
		for (k = 0; k < i; k++) {
			if (srv.slots[k].port == d->port) {
				emu_log("%s: port %d is also the port of %s", spec->cfg.name,
					d->port, srv.slots[k].spec->cfg.name);
				goto stop;
			}
		}
		/* Bind everything first, so a busy port fails before any key is made. */
		r = listen_on(host, d->port, &err);
		if (r < 0) {
			emu_log("%s: %s", spec->cfg.name, err.msg);
			goto stop;
		}
		d->lfd = r;
	}
	for (i = 0; i < cfg.ndev; i++) {
		r = pthread_create(&srv.slots[i].thread, NULL, device_thread, &srv.slots[i]);
		if (r) {
			emu_log("%s: cannot start a thread: %s", cfg.dev[i].cfg.name, strerror(r));
			goto stop;
		}
		srv.slots[i].started = true;
		nthreads++;
	}
	pthread_mutex_lock(&srv.ready_lock);
	while (srv.nready + srv.nfailed < nthreads)
		pthread_cond_wait(&srv.ready_cond, &srv.ready_lock);
	pthread_mutex_unlock(&srv.ready_lock);
	if (srv.nfailed)
		goto stop;

	if (!ctl_arg || strcmp(ctl_arg, "none")) {
		if (ctl_arg)
			snprintf(ctl_path, sizeof(ctl_path), "%s", ctl_arg);
		else
			emu_ctl_default_path(ctl_path, sizeof(ctl_path));
		da_err_clear(&err);
		r = emu_ctl_start(&srv, ctl_path, &ctl, &err);
		if (r && ctl_arg) {
			emu_log("--ctl: %s", err.msg);
			goto stop;
		}
		/* The default path is a convenience: without it we still serve. */
		if (r)
			emu_log("no control socket (%s); use --ctl PATH", err.msg);
	}

	if (ready) {
		r = write_ready_file(&srv, ready, host);
		if (r) {
			emu_log("--ready-file %s: %s", ready, strerror(-r));
			goto stop;
		}
	}
	emu_log("serving %u device%s on %s:%d%s (%s)", srv.ndev, srv.ndev == 1 ? "" : "s", host,
		srv.slots[0].port, srv.ndev > 1 ? "+" : "", da_framing_name(srv.framing));

	for (;;) {
		if (sigwait(&sigs, &sig))
			continue;
		if (sig == SIGINT || sig == SIGTERM)
			break;
	}
	emu_log("signal %d: stopping", sig);
	ret = 0;
stop:
	atomic_store(&srv.stop, true);
	if (srv.stop_pipe[1] >= 0 && write(srv.stop_pipe[1], "x", 1) < 0)
		emu_log("stop pipe: %s", strerror(errno));
	if (ctl)
		emu_ctl_stop(ctl);
	for (i = 0; i < srv.ndev && srv.slots; i++)
		emu_server_drop_client(&srv, i);
	for (i = 0; i < srv.ndev && srv.slots; i++) {
		struct emu_devslot *d = &srv.slots[i];

		if (d->started)
			pthread_join(d->thread, NULL);
		if (d->rsp)
			spdm_responder_free(d->rsp);
		if (d->dev)
			emu_device_free(d->dev);
		if (d->lfd >= 0)
			close(d->lfd);
		pthread_mutex_destroy(&d->lock);
	}
	if (ready && ret == 0)
		unlink(ready);
	free(srv.slots);
	if (srv.stop_pipe[0] >= 0) {
		close(srv.stop_pipe[0]);
		close(srv.stop_pipe[1]);
		pthread_mutex_destroy(&srv.ready_lock);
		pthread_cond_destroy(&srv.ready_cond);
	}
out:
	emu_config_free(&cfg);
	emu_config_free(&pool);
	return ret;
}
