// SPDX-License-Identifier: MIT
/*
 * Frames of the DMTF spdm-emu socket protocol, shared by the client
 * transport and devauth-emu.  A frame goes out in one send() so that a
 * peer reading with small reads and Nagle off never sees half a header
 * sitting in a buffer; frames come in under one deadline for the whole
 * frame, not per read.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "emu_proto.h"

const char *emu_cmd_name(uint32_t cmd, char *buf, size_t len)
{
	switch (cmd) {
	case EMU_CMD_NORMAL:
		return "NORMAL";
	case EMU_CMD_TEST:
		return "TEST";
	case EMU_CMD_CONTINUE:
		return "CONTINUE";
	case EMU_CMD_SHUTDOWN:
		return "SHUTDOWN";
	case EMU_CMD_UNKNOWN:
		return "UNKNOWN";
	}
	snprintf(buf, len, "0x%x", cmd);
	return buf;
}

int emu_frame_header_parse(struct cur *c, size_t max, uint32_t *cmd, uint32_t *transport,
			   uint32_t *size, struct da_err *err)
{
	size_t save = c->off;
	uint32_t a, b, n;

	if (cur_be32(c, &a) || cur_be32(c, &b) || cur_be32(c, &n)) {
		c->off = save;
		return da_errf(err, -EBADMSG, "spdm-emu frame: header truncated at %zu bytes",
			       cur_left(c));
	}
	if (max > EMU_MAX_PAYLOAD)
		max = EMU_MAX_PAYLOAD;
	if (n > max) {
		c->off = save;
		return da_errf(err, -EMSGSIZE,
			       "spdm-emu frame: PayloadSize %u exceeds the %zu-byte limit", n, max);
	}
	*cmd = a;
	*transport = b;
	*size = n;
	return 0;
}

int emu_send_frame(int fd, uint32_t cmd, uint32_t transport, const void *payload,
		   size_t len, struct da_err *err)
{
	uint8_t small[EMU_FRAME_HDR_SIZE + 512], *buf = small;
	size_t total, done = 0;
	struct wcur w;
	bool use_write = false;
	int ret = 0;

	if (len > EMU_MAX_PAYLOAD)
		return da_errf(err, -EMSGSIZE, "spdm-emu frame: payload of %zu bytes too large",
			       len);
	total = EMU_FRAME_HDR_SIZE + len;
	if (total > sizeof(small)) {
		buf = malloc(total);
		if (!buf)
			return da_errf(err, -ENOMEM, "spdm-emu frame: out of memory");
	}
	w = wcur_init(buf, total);
	wcur_be32(&w, cmd);
	wcur_be32(&w, transport);
	wcur_be32(&w, (uint32_t)len);
	wcur_bytes(&w, payload, len);
	if (wcur_finish(&w) < 0) {
		ret = da_errf(err, -EINVAL, "spdm-emu frame: encoding failed");
		goto out;
	}

	while (done < total) {
		ssize_t n;

		/* MSG_NOSIGNAL: a peer that went away is an error, not SIGPIPE. */
		if (use_write)
			n = write(fd, buf + done, total - done);
		else
			n = send(fd, buf + done, total - done, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ENOTSOCK && !use_write) {
				use_write = true;
				continue;
			}
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				struct pollfd p = { .fd = fd, .events = POLLOUT };

				poll(&p, 1, 1000);
				continue;
			}
			if (errno == EPIPE || errno == ECONNRESET) {
				ret = da_errf(err, -ECONNRESET,
					      "spdm-emu frame: peer closed the connection");
				goto out;
			}
			ret = -errno;
			da_errf(err, ret, "spdm-emu frame: send: %s", strerror(errno));
			goto out;
		}
		done += (size_t)n;
	}
out:
	if (buf != small)
		free(buf);
	return ret;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Read exactly n bytes before deadline (-1: none).  At a frame start
 * (header) an EOF before the first byte is a plain hang-up.
 */
static int read_full(int fd, uint8_t *buf, size_t n, long long deadline, struct da_err *err,
		     bool header)
{
	size_t done = 0;

	while (done < n) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int left = -1, r;
		ssize_t got;

		if (deadline >= 0) {
			long long d = deadline - now_ms();

			left = d < 0 ? 0 : (d > 1 << 30 ? 1 << 30 : (int)d);
		}
		r = poll(&p, 1, left);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return da_errf(err, -errno, "spdm-emu frame: poll: %s", strerror(errno));
		}
		if (!r)
			return da_errf(err, -ETIMEDOUT,
				       "spdm-emu frame: timed out after %zu of %zu %s bytes",
				       done, n, header ? "header" : "payload");
		got = read(fd, buf + done, n - done);
		if (got < 0) {
			if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)
				continue;
			if (errno == ECONNRESET)
				return da_errf(err, -ECONNRESET,
					       "spdm-emu frame: connection reset");
			return da_errf(err, -errno, "spdm-emu frame: read: %s", strerror(errno));
		}
		if (!got && !done && header)
			return -ECONNRESET;	/* a hang-up between frames: no message */
		if (!got)
			return da_errf(err, -ECONNRESET,
				       "spdm-emu frame: peer closed after %zu of %zu %s bytes",
				       done, n, header ? "header" : "payload");
		done += (size_t)got;
	}
	return 0;
}

int emu_recv_frame(int fd, unsigned int timeout_ms, size_t max, uint32_t *cmd,
		   uint32_t *transport, struct da_buf *payload, struct da_err *err)
{
	uint8_t hdr[EMU_FRAME_HDR_SIZE];
	long long deadline = timeout_ms ? now_ms() + timeout_ms : -1;
	struct cur c;
	uint32_t size;
	int ret;

	da_buf_reset(payload);
	ret = read_full(fd, hdr, sizeof(hdr), deadline, err, true);
	if (ret)
		return ret;
	c = cur_init(hdr, sizeof(hdr));
	ret = emu_frame_header_parse(&c, max, cmd, transport, &size, err);
	if (ret)
		return ret;
	if (!size)
		return 0;
	ret = da_buf_reserve(payload, size);
	if (ret)
		return da_errf(err, ret, "spdm-emu frame: no memory for %u bytes", size);
	ret = read_full(fd, payload->data, size, deadline, err, false);
	if (ret)
		return ret;
	payload->len = size;
	return 0;
}
