/* SPDX-License-Identifier: MIT */
/*
 * The DMTF spdm-emu socket protocol (docs/design.md): every frame in
 * both directions is three big-endian u32 (command, transport type,
 * payload size) and the payload.  Used by the client transport and by
 * devauth-emu.
 */
#ifndef DEVAUTH_EMU_PROTO_H
#define DEVAUTH_EMU_PROTO_H

#include <stddef.h>
#include <stdint.h>

#include <devauth/error.h>

#include "../cursor.h"

#define EMU_CMD_NORMAL		0x0001
#define EMU_CMD_TEST		0xDEAD
#define EMU_CMD_CONTINUE	0xFFFD
#define EMU_CMD_SHUTDOWN	0xFFFE
#define EMU_CMD_UNKNOWN		0xFFFF
#define EMU_DEFAULT_PORT	2323
#define EMU_HELLO_CLIENT	"Client Hello!"	/* sent with its NUL */
#define EMU_HELLO_SERVER	"Server Hello!"
/* Larger frames are refused: SPDM messages here are < 64 KiB + framing. */
#define EMU_MAX_PAYLOAD		(1u << 20)
#define EMU_FRAME_HDR_SIZE	12

/* "NORMAL", "TEST", ... or "0x1234" in buf (at least 11 bytes). */
const char *emu_cmd_name(uint32_t cmd, char *buf, size_t len);

/*
 * Parse one frame header from c (pure, for the socket reader and the
 * fuzzer): -EBADMSG if truncated, -EMSGSIZE if size exceeds max (and
 * EMU_MAX_PAYLOAD).  On error c is not advanced.
 */
int emu_frame_header_parse(struct cur *c, size_t max, uint32_t *cmd, uint32_t *transport,
			   uint32_t *size, struct da_err *err);

/* One write() per frame (header and payload together). */
int emu_send_frame(int fd, uint32_t cmd, uint32_t transport, const void *payload,
		   size_t len, struct da_err *err);
/*
 * Read one frame; timeout_ms applies to the whole frame (0 = wait
 * forever).  payload is reset and filled.  -ECONNRESET on EOF (a clean
 * hang-up between frames sets no message in err, so a server can tell
 * it from a peer that vanished mid-frame), -ETIMEDOUT, -EMSGSIZE above
 * max (the payload is left unread: drop the connection).
 */
int emu_recv_frame(int fd, unsigned int timeout_ms, size_t max, uint32_t *cmd,
		   uint32_t *transport, struct da_buf *payload, struct da_err *err);

#endif
