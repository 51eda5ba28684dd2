/* SPDX-License-Identifier: MIT */
/* A raw pci-tsm client for the daemon tests: builds and reads messages by hand. */
#ifndef DAEMON_CLIENT_H
#define DAEMON_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cursor.h"
#include "tsm/pci_tsm.h"

int cli_open(const char *sock);
int cli_send(int fd, const void *buf, size_t len);
/* Receive and parse one reply; -errno on socket or parse errors. */
int cli_recv(int fd, struct pci_tsm_msg *m, struct da_buf *val, struct da_buf *raw);

struct cli_req {
	uint8_t cmd;
	uint16_t flags;			/* added to NLM_F_REQUEST */
	const char *dev;
	bool have_mask;
	uint32_t mask, ev_flags;
	const uint8_t *nonce;
	size_t nonce_len;
	bool have_gen;
	uint64_t gen;
};
/* Build and send; returns the sequence number used or -errno. */
int cli_request(int fd, const struct cli_req *r);

struct cli_dump {
	int error;			/* final NLMSG_DONE / NLMSG_ERROR status */
	char extack[DA_ERR_MSG_MAX];
	uint64_t generation;
	uint32_t hash_algo;
	uint32_t present;
	uint32_t flags_seen;
	struct da_buf obj[DA_EV_MAX + 1];
	struct da_buf raw;		/* every reply message, concatenated */
};
/* A whole request/reply exchange (dump or ack); 0 when it could be read. */
int cli_xfer(int fd, const struct cli_req *r, struct cli_dump *out);
void cli_dump_free(struct cli_dump *d);

#endif
