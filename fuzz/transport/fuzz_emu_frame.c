// SPDX-License-Identifier: MIT
/*
 * A hostile spdm-emu byte stream: the pure header parser over the whole
 * input, then the real socket reader over a socketpair fed with it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "transport/emu_proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_MAX_FRAME 4096

static void parse_stream(const uint8_t *data, size_t size)
{
	struct cur c = cur_init(data, size);
	uint32_t cmd, tr, len;
	const uint8_t *p;
	volatile uint8_t sink = 0;

	while (!emu_frame_header_parse(&c, FUZZ_MAX_FRAME, &cmd, &tr, &len, NULL)) {
		if (cur_ptr(&c, len, &p))
			break;
		for (uint32_t i = 0; i < len; i++)
			sink ^= p[i];
	}
	(void)sink;
}

static void socket_stream(const uint8_t *data, size_t size)
{
	struct da_buf in = { 0 };
	uint32_t cmd, tr;
	int sv[2];

	/* Stay well inside the socket buffer so the write never blocks. */
	if (size > 65536 || socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		return;
	if (size && write(sv[0], data, size) != (ssize_t)size)
		goto out;
	shutdown(sv[0], SHUT_WR);
	while (!emu_recv_frame(sv[1], 1000, FUZZ_MAX_FRAME, &cmd, &tr, &in, NULL))
		if (in.len > FUZZ_MAX_FRAME)
			abort();
out:
	close(sv[0]);
	close(sv[1]);
	da_buf_free(&in);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	parse_stream(data, size);
	socket_stream(data, size);
	return 0;
}
