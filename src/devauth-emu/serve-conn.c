// SPDX-License-Identifier: MIT
/*
 * One client connection: spdm-emu frames in, the device's responses
 * out, until SHUTDOWN, CONTINUE, a broken client or the process
 * stopping.  A client that stalls mid-frame, sends garbage or
 * oversized frames costs only its own connection.
 */
#include <errno.h>
#include <poll.h>
#include <string.h>

#include "emu_internal.h"
#include "transport/emu_proto.h"

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

enum client_end emu_serve_client(struct emu_devslot *d, int fd, uint8_t *rsp_buf)
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
