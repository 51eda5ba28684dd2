// SPDX-License-Identifier: MIT
/*
 * The held-link ops of the spdm-emu client (watch_fd, check, cancel)
 * against a real TCP peer: an idle link is fine and its descriptor stays
 * quiet; a peer that closes gives -ECONNRESET, one that sends bytes
 * nobody asked for gives -EPROTO, both seen through poll() on watch_fd
 * first; cancel() from another thread ends an exchange that waits on a
 * silent device with -ECANCELED.
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
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>

#include <devauth/transport.h>

#include "transport/emu_proto.h"

enum peer_act { ACT_CLOSE, ACT_UNSOLICITED, ACT_SILENT };

struct peer {
	int lfd, port;
	enum peer_act act;
	int go[2];			/* the test says when to act */
	pthread_t th;
};

static void *peer_main(void *arg)
{
	struct peer *p = arg;
	struct da_buf in = { 0 };
	uint32_t cmd, tt;
	char c;
	int fd = accept(p->lfd, NULL, NULL);

	if (fd < 0)
		return NULL;
	/* The hello every framing but NONE starts with. */
	if (!emu_recv_frame(fd, 5000, EMU_MAX_PAYLOAD, &cmd, &tt, &in, NULL))
		emu_send_frame(fd, EMU_CMD_TEST, tt, EMU_HELLO_SERVER, sizeof(EMU_HELLO_SERVER),
			       NULL);
	if (read(p->go[0], &c, 1) == 1) {
		if (p->act == ACT_UNSOLICITED)
			emu_send_frame(fd, EMU_CMD_NORMAL, tt, "\x10\x60\0\0", 4, NULL);
		if (p->act == ACT_SILENT) {
			/* Take the request, never answer; wait for the client to go. */
			emu_recv_frame(fd, 5000, EMU_MAX_PAYLOAD, &cmd, &tt, &in, NULL);
			while (read(fd, &c, 1) > 0)
				;
		}
	}
	if (p->act != ACT_UNSOLICITED || read(p->go[0], &c, 1) >= 0)
		close(fd);
	da_buf_free(&in);
	return NULL;
}

static void peer_start(struct peer *p, enum peer_act act)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t sl = sizeof(sa);

	memset(p, 0, sizeof(*p));
	p->act = act;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	p->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(p->lfd >= 0);
	assert_int_equal(bind(p->lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(p->lfd, 1), 0);
	assert_int_equal(getsockname(p->lfd, (struct sockaddr *)&sa, &sl), 0);
	p->port = ntohs(sa.sin_port);
	assert_int_equal(pipe(p->go), 0);
	assert_int_equal(pthread_create(&p->th, NULL, peer_main, p), 0);
}

static void peer_go(struct peer *p)
{
	assert_int_equal(write(p->go[1], "x", 1), 1);
}

static void peer_end(struct peer *p)
{
	close(p->go[1]);
	pthread_join(p->th, NULL);
	close(p->go[0]);
	close(p->lfd);
}

static struct da_transport *open_link(struct peer *p)
{
	struct da_transport *t = NULL;
	struct da_err err = { 0 };
	char hp[32];

	snprintf(hp, sizeof(hp), "127.0.0.1:%d", p->port);
	if (da_transport_emu_connect(hp, DA_FRAMING_MCTP, 5000, &t, &err))
		fail_msg("connect: %s", err.msg);
	return t;
}

/* Idle: check passes and the descriptor has nothing to say. */
static void expect_idle(struct da_transport *t)
{
	struct pollfd pf = { .fd = da_transport_watch_fd(t), .events = POLLIN };

	assert_true(pf.fd >= 0);
	assert_int_equal(da_transport_check(t, NULL), 0);
	assert_int_equal(poll(&pf, 1, 100), 0);
}

/* The watcher's view: the descriptor wakes up, then check says why. */
static void expect_woken(struct da_transport *t, int want, const char *needle)
{
	struct pollfd pf = { .fd = da_transport_watch_fd(t), .events = POLLIN | POLLRDHUP };
	struct da_err err = { 0 };

	assert_int_equal(poll(&pf, 1, 10000), 1);
	assert_int_equal(da_transport_check(t, &err), want);
	if (!strstr(err.msg, needle))
		fail_msg("expected \"%s\" in \"%s\"", needle, err.msg);
}

static void test_peer_closes(void **state)
{
	struct peer p;
	struct da_transport *t;

	peer_start(&p, ACT_CLOSE);
	t = open_link(&p);
	expect_idle(t);
	peer_go(&p);
	expect_woken(t, -ECONNRESET, "closed or reset the link");
	da_transport_destroy(t);
	peer_end(&p);
}

static void test_unsolicited_bytes(void **state)
{
	struct peer p;
	struct da_transport *t;

	peer_start(&p, ACT_UNSOLICITED);
	t = open_link(&p);
	expect_idle(t);
	peer_go(&p);
	expect_woken(t, -EPROTO, "sent bytes nobody asked for");
	/* Looking did not consume them: still there. */
	assert_int_equal(da_transport_check(t, NULL), -EPROTO);
	da_transport_destroy(t);
	peer_end(&p);
}

struct xchg {
	struct da_transport *t;
	int ret;
	char msg[DA_ERR_MSG_MAX];
};

static void *exchange_thread(void *arg)
{
	static const uint8_t get_version[] = { 0x10, 0x84, 0x00, 0x00 };
	struct xchg *x = arg;
	struct da_err err = { 0 };
	uint8_t rsp[64];
	size_t n;

	x->ret = da_transport_exchange(x->t, get_version, sizeof(get_version), rsp, sizeof(rsp),
				       &n, 60000, &err);
	snprintf(x->msg, sizeof(x->msg), "%s", err.msg);
	return NULL;
}

static void test_cancel_ends_a_waiting_exchange(void **state)
{
	struct peer p;
	struct xchg x = { 0 };
	pthread_t th;

	peer_start(&p, ACT_SILENT);
	x.t = open_link(&p);
	peer_go(&p);
	assert_int_equal(pthread_create(&th, NULL, exchange_thread, &x), 0);
	usleep(200000);
	da_transport_cancel(x.t);
	/* Without cancel this waits for its 60 s timeout. */
	pthread_join(th, NULL);
	assert_int_equal(x.ret, -ECANCELED);
	assert_non_null(strstr(x.msg, "canceled"));
	assert_int_equal(da_transport_check(x.t, NULL), -ECONNRESET);
	da_transport_destroy(x.t);
	peer_end(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_peer_closes),
		cmocka_unit_test(test_unsolicited_bytes),
		cmocka_unit_test(test_cancel_ends_a_waiting_exchange),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
