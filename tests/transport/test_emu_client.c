// SPDX-License-Identifier: MIT
/*
 * The spdm-emu socket client against a small responder thread on
 * 127.0.0.1 and ::1 (a host without IPv6 loopback fails the test) that speaks the protocol
 * and, on request, misbehaves the ways a real peer can; plus the frame
 * reader and writer over a socketpair.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include <devauth/pcap.h>
#include <devauth/transport.h>

#include "transport/emu_proto.h"
#include "transport/framing.h"

enum srv_mode {
	SRV_OK,
	SRV_CLOSE_MID_FRAME,	/* half a frame, then close */
	SRV_SILENT,		/* never answers SPDM */
	SRV_UNKNOWN,		/* answers UNKNOWN */
	SRV_OVERSIZED,		/* announces a 2 GiB payload */
	SRV_WRONG_TRANSPORT,	/* NORMAL frame with another transport type */
	SRV_BAD_DOE,		/* DOE object with vendor 0x0002 */
	SRV_BAD_HELLO,		/* TEST answered with something else */
	SRV_NO_SPDM,		/* DOE discovery lists only discovery */
	SRV_DISCOVERY_LOOP,	/* DOE discovery next index points back */
};

/* VERSION: 1.1 and 1.2 (10 bytes; DOE pads to 12). */
static const uint8_t canned_version[] = { 0x10, 0x04, 0x00, 0x00, 0x00, 0x02,
					  0x00, 0x11, 0x00, 0x12 };

struct srv {
	int lfd;
	int family;
	uint16_t port;
	enum da_framing framing;
	enum srv_mode mode;
	pthread_t th;
	volatile int stop;
	/* What the server saw, read after join. */
	int accepted, test_frames, disc_frames, spdm_frames, continues, shutdowns;
	uint32_t bad_transport;
	uint8_t last_req[64];
	size_t last_req_len;
};

static int send_raw(int fd, const void *b, size_t n)
{
	return send(fd, b, n, MSG_NOSIGNAL) == (ssize_t)n ? 0 : -1;
}

static void put_be32(uint8_t *b, uint32_t v)
{
	b[0] = v >> 24;
	b[1] = v >> 16;
	b[2] = v >> 8;
	b[3] = v;
}

/* Answer one NORMAL frame; returns 1 to drop the connection. */
static int srv_normal(struct srv *s, int fd, const struct da_buf *in)
{
	enum da_payload_kind kind;
	const uint8_t *p;
	size_t plen;
	uint8_t out[128];
	struct wcur w = wcur_init(out, sizeof(out));
	int n;

	if (da_frame_decode(s->framing, in->data, in->len, &kind, &p, &plen, NULL))
		return 1;
	if (kind == DA_PAYLOAD_DOE_DISCOVERY) {
		s->disc_frames++;
		if (s->mode == SRV_NO_SPDM || s->mode == SRV_DISCOVERY_LOOP) {
			/* type 0 only; next 0 ends the walk, next 0 + loop repeats index 0 */
			uint8_t body[4] = { 0x01, 0x00, 0x00,
					    s->mode == SRV_DISCOVERY_LOOP ? 1 : 0 };

			if (s->mode == SRV_DISCOVERY_LOOP && p[0] == 1)
				body[3] = 1;	/* index 1 -> next 1: a loop */
			n = da_frame_encode(s->framing, DA_PAYLOAD_DOE_DISCOVERY, body, 4, &w);
		} else {
			n = da_doe_discovery_answer(p, plen, &w, NULL);
		}
		return n < 0 || emu_send_frame(fd, EMU_CMD_NORMAL, s->framing, out, (size_t)n,
					       NULL);
	}
	s->spdm_frames++;
	s->last_req_len = plen < sizeof(s->last_req) ? plen : sizeof(s->last_req);
	memcpy(s->last_req, p, s->last_req_len);
	switch (s->mode) {
	case SRV_CLOSE_MID_FRAME: {
		uint8_t hdr[17];

		put_be32(hdr, EMU_CMD_NORMAL);
		put_be32(hdr + 4, s->framing);
		put_be32(hdr + 8, 20);
		memset(hdr + 12, 0x01, 5);
		send_raw(fd, hdr, sizeof(hdr));
		return 1;
	}
	case SRV_SILENT:
		return 0;
	case SRV_UNKNOWN:
		return emu_send_frame(fd, EMU_CMD_UNKNOWN, s->framing, NULL, 0, NULL) != 0;
	case SRV_OVERSIZED: {
		uint8_t hdr[12];

		put_be32(hdr, EMU_CMD_NORMAL);
		put_be32(hdr + 4, s->framing);
		put_be32(hdr + 8, 0x7fffffff);
		send_raw(fd, hdr, sizeof(hdr));
		return 0;
	}
	default:
		break;
	}
	n = da_frame_encode(s->framing, DA_PAYLOAD_SPDM, canned_version, sizeof(canned_version),
			    &w);
	if (n < 0)
		return 1;
	if (s->mode == SRV_BAD_DOE)
		out[0] = 0x02;
	return emu_send_frame(fd, EMU_CMD_NORMAL,
			      s->mode == SRV_WRONG_TRANSPORT ? s->framing + 1 : s->framing, out,
			      (size_t)n, NULL) != 0;
}

/* Serve one connection; returns 1 after SHUTDOWN. */
static int srv_conn(struct srv *s, int fd)
{
	static const char server[] = EMU_HELLO_SERVER, bad[] = "Go away!";
	struct da_buf in = { 0 };
	int ret = 0;

	while (!s->stop) {
		uint32_t cmd, transport;
		int r = emu_recv_frame(fd, 200, EMU_MAX_PAYLOAD, &cmd, &transport, &in, NULL);

		if (r == -ETIMEDOUT)
			continue;
		if (r)
			break;
		if (transport != (uint32_t)s->framing)
			s->bad_transport++;
		if (cmd == EMU_CMD_TEST) {
			s->test_frames++;
			if (in.len != sizeof(EMU_HELLO_CLIENT) ||
			    memcmp(in.data, EMU_HELLO_CLIENT, in.len))
				break;
			if (s->mode == SRV_BAD_HELLO)
				emu_send_frame(fd, EMU_CMD_TEST, s->framing, bad, sizeof(bad),
					       NULL);
			else
				emu_send_frame(fd, EMU_CMD_TEST, s->framing, server,
					       sizeof(server), NULL);
		} else if (cmd == EMU_CMD_CONTINUE) {
			s->continues++;
			emu_send_frame(fd, EMU_CMD_CONTINUE, s->framing, NULL, 0, NULL);
			break;
		} else if (cmd == EMU_CMD_SHUTDOWN) {
			s->shutdowns++;
			emu_send_frame(fd, EMU_CMD_SHUTDOWN, s->framing, NULL, 0, NULL);
			ret = 1;
			break;
		} else if (cmd == EMU_CMD_NORMAL) {
			if (srv_normal(s, fd, &in))
				break;
		} else {
			emu_send_frame(fd, EMU_CMD_UNKNOWN, s->framing, NULL, 0, NULL);
		}
	}
	da_buf_free(&in);
	close(fd);
	return ret;
}

static void *srv_main(void *arg)
{
	struct srv *s = arg;

	/* Unlike the DMTF responder, keep serving when a client just goes away. */
	while (!s->stop) {
		struct pollfd p = { .fd = s->lfd, .events = POLLIN };
		int fd;

		if (poll(&p, 1, 50) <= 0)
			continue;
		fd = accept(s->lfd, NULL, NULL);
		if (fd < 0)
			continue;
		s->accepted++;
		if (srv_conn(s, fd))
			break;
	}
	return NULL;
}

static int srv_start(struct srv *s, int family, enum da_framing f, enum srv_mode mode)
{
	struct sockaddr_storage ss = { 0 };
	socklen_t sl;

	memset(s, 0, sizeof(*s));
	s->family = family;
	s->framing = f;
	s->mode = mode;
	s->lfd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s->lfd < 0)
		return -1;
	if (family == AF_INET) {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;

		a->sin_family = AF_INET;
		a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		sl = sizeof(*a);
	} else {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;

		a->sin6_family = AF_INET6;
		a->sin6_addr = in6addr_loopback;
		sl = sizeof(*a);
	}
	if (bind(s->lfd, (struct sockaddr *)&ss, sl) || listen(s->lfd, 4) ||
	    getsockname(s->lfd, (struct sockaddr *)&ss, &sl)) {
		close(s->lfd);
		return -1;
	}
	s->port = ntohs(family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port :
					    ((struct sockaddr_in6 *)&ss)->sin6_port);
	assert_int_equal(pthread_create(&s->th, NULL, srv_main, s), 0);
	return 0;
}

static void srv_stop(struct srv *s)
{
	s->stop = 1;
	pthread_join(s->th, NULL);
	close(s->lfd);
}

static void hostport(char *b, size_t n, const struct srv *s)
{
	if (s->family == AF_INET6)
		snprintf(b, n, "[::1]:%u", s->port);
	else
		snprintf(b, n, "127.0.0.1:%u", s->port);
}

static const uint8_t get_version[] = { 0x10, 0x84, 0x00, 0x00 };

static int connect_mode(struct srv *s, enum da_framing f, enum srv_mode mode,
			struct da_transport **t, struct da_err *err)
{
	char hp[64];

	assert_int_equal(srv_start(s, AF_INET, f, mode), 0);
	hostport(hp, sizeof(hp), s);
	return da_transport_emu_connect(hp, f, 2000, t, err);
}

static void test_doe_full_flow_with_pcap(void **state)
{
	struct srv s;
	struct da_transport *t;
	struct da_pcap *p;
	struct da_capture c;
	struct da_spdm_msg *m;
	struct da_err err = { 0 };
	uint8_t rsp[64];
	size_t rsp_len, n;
	char hp[64], path[128];

	snprintf(path, sizeof(path), "/tmp/devauth-test-emu-%d.pcap", (int)getpid());
	assert_int_equal(da_pcap_open_write(path, DA_FRAMING_PCI_DOE, &p, NULL), 0);
	assert_int_equal(srv_start(&s, AF_INET, DA_FRAMING_PCI_DOE, SRV_OK), 0);
	hostport(hp, sizeof(hp), &s);
	assert_int_equal(da_transport_emu_connect_pcap(hp, DA_FRAMING_PCI_DOE, 2000, p, &t,
						       &err), 0);
	assert_string_equal(t->name, hp);
	assert_int_equal(t->framing, DA_FRAMING_PCI_DOE);
	assert_int_equal(da_transport_exchange(t, get_version, sizeof(get_version), rsp,
					       sizeof(rsp), &rsp_len, 2000, &err), 0);
	/* DOE padding stays: the SPDM layer knows the true length. */
	assert_int_equal(rsp_len, 12);
	assert_memory_equal(rsp, canned_version, sizeof(canned_version));
	assert_int_equal(rsp[10] | rsp[11], 0);
	/* Too small a buffer for the answer. */
	assert_int_equal(da_transport_exchange(t, get_version, sizeof(get_version), rsp, 8,
					       &rsp_len, 2000, &err), -EMSGSIZE);
	assert_non_null(strstr(err.msg, hp));
	assert_int_equal(t->ops->close(t, false, NULL), 0);
	/* Closed: no more exchanges. */
	assert_int_equal(da_transport_exchange(t, get_version, sizeof(get_version), rsp,
					       sizeof(rsp), &rsp_len, 2000, NULL), -ENOTCONN);
	da_transport_destroy(t);
	srv_stop(&s);
	assert_int_equal(da_pcap_close(p), 0);

	assert_int_equal(s.accepted, 1);
	assert_int_equal(s.test_frames, 1);
	assert_int_equal(s.disc_frames, 3);
	assert_int_equal(s.spdm_frames, 2);
	assert_int_equal(s.shutdowns, 1);
	assert_int_equal(s.bad_transport, 0);
	assert_int_equal(s.last_req_len, 4);
	assert_memory_equal(s.last_req, get_version, 4);

	/* The capture reads like a DMTF one: discovery, then SPDM. */
	assert_int_equal(da_pcap_read(path, &c, NULL), 0);
	assert_int_equal(c.nrec, 6 + 4);
	assert_int_equal(da_capture_spdm(&c, &m, &n, NULL), 0);
	assert_int_equal(n, 4);
	assert_int_equal(m[0].record, 6);
	assert_memory_equal(m[0].data, get_version, 4);
	assert_memory_equal(m[1].data, canned_version, sizeof(canned_version));
	free(m);
	da_capture_free(&c);
	unlink(path);
}

static void test_mctp_and_none(void **state)
{
	static const enum da_framing fr[] = { DA_FRAMING_MCTP, DA_FRAMING_NONE };

	for (size_t i = 0; i < 2; i++) {
		struct srv s;
		struct da_transport *t;
		uint8_t rsp[64];
		size_t rsp_len;

		assert_int_equal(connect_mode(&s, fr[i], SRV_OK, &t, NULL), 0);
		assert_int_equal(da_transport_exchange(t, get_version, sizeof(get_version), rsp,
						       sizeof(rsp), &rsp_len, 2000, NULL), 0);
		assert_int_equal(rsp_len, sizeof(canned_version));
		assert_memory_equal(rsp, canned_version, sizeof(canned_version));
		assert_int_equal(t->ops->close(t, false, NULL), 0);
		da_transport_destroy(t);
		srv_stop(&s);
		/* The reference requester says hello on every transport but NONE. */
		assert_int_equal(s.test_frames, fr[i] == DA_FRAMING_NONE ? 0 : 1);
		assert_int_equal(s.disc_frames, 0);
		assert_int_equal(s.spdm_frames, 1);
		assert_int_equal(s.shutdowns, 1);
		assert_int_equal(s.bad_transport, 0);
	}
}

static void test_continue_then_reconnect(void **state)
{
	struct srv s;
	struct da_transport *t;
	uint8_t rsp[64];
	size_t rsp_len;
	char hp[64];

	assert_int_equal(connect_mode(&s, DA_FRAMING_MCTP, SRV_OK, &t, NULL), 0);
	assert_int_equal(t->ops->close(t, true, NULL), 0);
	da_transport_destroy(t);
	hostport(hp, sizeof(hp), &s);
	assert_int_equal(da_transport_emu_connect(hp, DA_FRAMING_MCTP, 2000, &t, NULL), 0);
	assert_int_equal(da_transport_exchange(t, get_version, sizeof(get_version), rsp,
					       sizeof(rsp), &rsp_len, 2000, NULL), 0);
	/* A client that just goes away must not stop the server either. */
	da_transport_destroy(t);
	assert_int_equal(da_transport_emu_connect(hp, DA_FRAMING_MCTP, 2000, &t, NULL), 0);
	assert_int_equal(t->ops->close(t, false, NULL), 0);
	da_transport_destroy(t);
	srv_stop(&s);
	assert_int_equal(s.accepted, 3);
	assert_int_equal(s.continues, 1);
	assert_int_equal(s.shutdowns, 1);
}

static void test_ipv6_loopback(void **state)
{
	struct srv s;
	struct da_transport *t;
	struct da_err err = { 0 };
	uint8_t rsp[64];
	size_t rsp_len;
	char hp[64];

	/* A host without ::1 is a broken test environment, not a pass. */
	if (srv_start(&s, AF_INET6, DA_FRAMING_PCI_DOE, SRV_OK))
		fail_msg("cannot listen on [::1]: IPv6 loopback is unavailable on this host");
	hostport(hp, sizeof(hp), &s);
	assert_int_equal(da_transport_emu_connect(hp, DA_FRAMING_PCI_DOE, 2000, &t, &err), 0);
	assert_int_equal(da_transport_exchange(t, get_version, sizeof(get_version), rsp,
					       sizeof(rsp), &rsp_len, 2000, NULL), 0);
	assert_int_equal(rsp_len, 12);
	assert_int_equal(t->ops->close(t, false, NULL), 0);
	da_transport_destroy(t);
	srv_stop(&s);
	assert_int_equal(s.shutdowns, 1);
}

static void misbehave(enum da_framing f, enum srv_mode mode, int want, const char *needle,
		      unsigned int timeout_ms)
{
	struct srv s;
	struct da_transport *t;
	struct da_err err = { 0 };
	uint8_t rsp[64];
	size_t rsp_len = 99;

	assert_int_equal(connect_mode(&s, f, mode, &t, &err), 0);
	/* A server that never answers shows as -ETIMEDOUT; how long it took is bench/'s business. */
	assert_int_equal(da_transport_exchange(t, get_version, sizeof(get_version), rsp,
					       sizeof(rsp), &rsp_len, timeout_ms, &err), want);
	assert_int_equal(err.code, want);
	assert_int_equal(rsp_len, 0);
	if (!strstr(err.msg, needle))
		fail_msg("message \"%s\" lacks \"%s\"", err.msg, needle);
	/* After a broken stream the transport refuses to guess. */
	if (want == -ETIMEDOUT || want == -ECONNRESET || want == -EMSGSIZE)
		assert_int_equal(da_transport_exchange(t, get_version, sizeof(get_version), rsp,
						       sizeof(rsp), &rsp_len, 100, NULL),
				 -ECONNRESET);
	t->ops->close(t, false, NULL);
	da_transport_destroy(t);
	srv_stop(&s);
}

static void test_misbehaving_responder(void **state)
{
	misbehave(DA_FRAMING_PCI_DOE, SRV_CLOSE_MID_FRAME, -ECONNRESET, "after 5 of 20", 2000);
	misbehave(DA_FRAMING_MCTP, SRV_SILENT, -ETIMEDOUT, "timed out", 200);
	misbehave(DA_FRAMING_PCI_DOE, SRV_UNKNOWN, -EPROTO, "UNKNOWN", 2000);
	misbehave(DA_FRAMING_MCTP, SRV_OVERSIZED, -EMSGSIZE, "PayloadSize 2147483647", 2000);
	misbehave(DA_FRAMING_PCI_DOE, SRV_WRONG_TRANSPORT, -EPROTO, "transport type 3", 2000);
	misbehave(DA_FRAMING_PCI_DOE, SRV_BAD_DOE, -EBADMSG, "Vendor ID 0x0002", 2000);
}

static void test_connect_failures(void **state)
{
	struct srv s;
	struct da_transport *t = (void *)1;
	struct da_err err = { 0 };
	char hp[64];

	assert_int_equal(connect_mode(&s, DA_FRAMING_PCI_DOE, SRV_BAD_HELLO, &t, &err), -EPROTO);
	assert_null(t);
	assert_non_null(strstr(err.msg, "Server Hello!"));
	srv_stop(&s);

	da_err_clear(&err);
	assert_int_equal(connect_mode(&s, DA_FRAMING_PCI_DOE, SRV_NO_SPDM, &t, &err),
			 -EPROTONOSUPPORT);
	assert_non_null(strstr(err.msg, "no SPDM"));
	srv_stop(&s);
	assert_int_equal(s.disc_frames, 1);

	da_err_clear(&err);
	assert_int_equal(connect_mode(&s, DA_FRAMING_PCI_DOE, SRV_DISCOVERY_LOOP, &t, &err),
			 -EPROTO);
	assert_non_null(strstr(err.msg, "loops"));
	srv_stop(&s);

	/* Nobody listening on a port we just released. */
	assert_int_equal(srv_start(&s, AF_INET, DA_FRAMING_NONE, SRV_OK), 0);
	hostport(hp, sizeof(hp), &s);
	srv_stop(&s);
	da_err_clear(&err);
	assert_int_equal(da_transport_emu_connect(hp, DA_FRAMING_NONE, 1000, &t, &err),
			 -ECONNREFUSED);
	assert_non_null(strstr(err.msg, "connect"));

	da_err_clear(&err);
	assert_int_equal(da_transport_emu_connect("[::1", DA_FRAMING_NONE, 1000, &t, &err),
			 -EINVAL);
	assert_int_equal(da_transport_emu_connect("127.0.0.1:", DA_FRAMING_NONE, 1000, &t,
						  NULL), -EINVAL);
}

/* The frame layer by itself, over a socketpair. */
static void test_frames_over_socketpair(void **state)
{
	static const uint8_t want[] = { 0x00, 0x00, 0xde, 0xad, 0x00, 0x00, 0x00, 0x02,
					0x00, 0x00, 0x00, 0x0e, 'C', 'l', 'i', 'e', 'n', 't',
					' ', 'H', 'e', 'l', 'l', 'o', '!', 0x00 };
	struct da_buf in = { 0 };
	struct da_err err = { 0 };
	uint8_t got[128] = { 0 };
	uint32_t cmd, tr;
	int sv[2];

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(emu_send_frame(sv[0], EMU_CMD_TEST, 2, EMU_HELLO_CLIENT,
					sizeof(EMU_HELLO_CLIENT), NULL), 0);
	assert_int_equal(read(sv[1], got, sizeof(got)), (ssize_t)sizeof(want));
	assert_memory_equal(got, want, sizeof(want));

	/* Two frames back to back, read one at a time. */
	assert_int_equal(emu_send_frame(sv[0], EMU_CMD_NORMAL, 1, "\x05\x10\x84\x00\x00", 5,
					NULL), 0);
	assert_int_equal(emu_send_frame(sv[0], EMU_CMD_SHUTDOWN, 1, NULL, 0, NULL), 0);
	assert_int_equal(emu_recv_frame(sv[1], 1000, 64, &cmd, &tr, &in, NULL), 0);
	assert_int_equal(cmd, EMU_CMD_NORMAL);
	assert_int_equal(tr, 1);
	assert_int_equal(in.len, 5);
	assert_memory_equal(in.data, "\x05\x10\x84\x00\x00", 5);
	assert_int_equal(emu_recv_frame(sv[1], 1000, 64, &cmd, &tr, &in, NULL), 0);
	assert_int_equal(cmd, EMU_CMD_SHUTDOWN);
	assert_int_equal(in.len, 0);

	/* Nothing to read: timeout; above the limit: -EMSGSIZE. */
	assert_int_equal(emu_recv_frame(sv[1], 50, 64, &cmd, &tr, &in, &err), -ETIMEDOUT);
	assert_int_equal(emu_send_frame(sv[0], EMU_CMD_NORMAL, 1, got, 65, NULL), 0);
	da_err_clear(&err);
	assert_int_equal(emu_recv_frame(sv[1], 1000, 64, &cmd, &tr, &in, &err), -EMSGSIZE);
	assert_non_null(strstr(err.msg, "PayloadSize 65 exceeds the 64-byte limit"));
	assert_int_equal(emu_send_frame(sv[0], EMU_CMD_NORMAL, 1, got, EMU_MAX_PAYLOAD + 1,
					NULL), -EMSGSIZE);

	/* A header cut short by EOF. */
	assert_int_equal(write(sv[0], want, 7), 7);
	close(sv[0]);
	da_buf_reset(&in);
	/* the 65-byte payload is still queued: drain it first */
	assert_int_equal(read(sv[1], got, 65), 65);
	da_err_clear(&err);
	assert_int_equal(emu_recv_frame(sv[1], 1000, 64, &cmd, &tr, &in, &err), -ECONNRESET);
	assert_non_null(strstr(err.msg, "after 7 of 12 header"));
	close(sv[1]);

	/* A hang-up between frames is -ECONNRESET without a message. */
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	close(sv[0]);
	da_err_clear(&err);
	assert_int_equal(emu_recv_frame(sv[1], 1000, 64, &cmd, &tr, &in, &err), -ECONNRESET);
	assert_int_equal(err.code, 0);
	close(sv[1]);

	/* Writing to a closed peer is -ECONNRESET, not SIGPIPE. */
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	close(sv[1]);
	assert_int_equal(emu_send_frame(sv[0], EMU_CMD_NORMAL, 1, got, 4, NULL), -ECONNRESET);
	close(sv[0]);
	da_buf_free(&in);
}

struct bigw {
	int fd;
	size_t len;
	uint8_t *buf;
	int ret;
};

static void *big_writer(void *arg)
{
	struct bigw *b = arg;

	b->ret = emu_send_frame(b->fd, EMU_CMD_NORMAL, 2, b->buf, b->len, NULL);
	return NULL;
}

static void test_large_frame(void **state)
{
	struct bigw b = { .len = 600000 };
	struct da_buf in = { 0 };
	uint32_t cmd, tr;
	pthread_t th;
	int sv[2];

	b.buf = malloc(b.len);
	assert_non_null(b.buf);
	for (size_t i = 0; i < b.len; i++)
		b.buf[i] = (uint8_t)(i * 13);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	b.fd = sv[0];
	assert_int_equal(pthread_create(&th, NULL, big_writer, &b), 0);
	assert_int_equal(emu_recv_frame(sv[1], 5000, EMU_MAX_PAYLOAD, &cmd, &tr, &in, NULL), 0);
	pthread_join(th, NULL);
	assert_int_equal(b.ret, 0);
	assert_int_equal(in.len, b.len);
	assert_memory_equal(in.data, b.buf, b.len);
	close(sv[0]);
	close(sv[1]);
	free(b.buf);
	da_buf_free(&in);
}

static void test_header_parse(void **state)
{
	static const uint8_t h[] = { 0x00, 0x00, 0xff, 0xfd, 0x00, 0x00, 0x00, 0x01,
				     0x00, 0x10, 0x00, 0x01 };
	static const uint8_t ok[] = { 0x00, 0x00, 0xff, 0xfd, 0x00, 0x00, 0x00, 0x01,
				      0x00, 0x00, 0x00, 0x10 };
	struct cur c = cur_init(h, sizeof(h));
	uint32_t cmd, tr, size;
	char buf[16];

	assert_int_equal(emu_frame_header_parse(&c, SIZE_MAX, &cmd, &tr, &size, NULL),
			 -EMSGSIZE);
	assert_int_equal(c.off, 0);
	c = cur_init(h, 11);
	assert_int_equal(emu_frame_header_parse(&c, SIZE_MAX, &cmd, &tr, &size, NULL),
			 -EBADMSG);
	assert_int_equal(c.off, 0);
	c = cur_init(h, sizeof(h));
	assert_int_equal(emu_frame_header_parse(&c, 0x100001, &cmd, &tr, &size, NULL),
			 -EMSGSIZE);	/* capped at EMU_MAX_PAYLOAD */
	c = cur_init(ok, sizeof(ok));
	assert_int_equal(emu_frame_header_parse(&c, 16, &cmd, &tr, &size, NULL), 0);
	assert_int_equal(cmd, EMU_CMD_CONTINUE);
	assert_int_equal(tr, 1);
	assert_int_equal(size, 16);
	assert_true(cur_at_end(&c));
	assert_string_equal(emu_cmd_name(EMU_CMD_CONTINUE, buf, sizeof(buf)), "CONTINUE");
	assert_string_equal(emu_cmd_name(0x8001, buf, sizeof(buf)), "0x8001");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_doe_full_flow_with_pcap),
		cmocka_unit_test(test_mctp_and_none),
		cmocka_unit_test(test_continue_then_reconnect),
		cmocka_unit_test(test_ipv6_loopback),
		cmocka_unit_test(test_misbehaving_responder),
		cmocka_unit_test(test_connect_failures),
		cmocka_unit_test(test_frames_over_socketpair),
		cmocka_unit_test(test_large_frame),
		cmocka_unit_test(test_header_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
