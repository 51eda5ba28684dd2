/* SPDX-License-Identifier: MIT */
/* devauth dump --keylog: opening a capture's secured messages (dump_secured.c). */
#ifndef DEVAUTH_DUMP_SECURED_H
#define DEVAUTH_DUMP_SECURED_H

#include <stdbool.h>
#include <stdint.h>

#include "session/session.h"

#define DUMP_MAX_SESSIONS 16

struct dump_sess {
	uint32_t id;
	bool have[2], have_data[2];
	int gen[2];				/* 0 handshake keys, 1 data keys, 2.. key updates */
	uint64_t seq[2];			/* next sequence number per direction */
	uint8_t secret[2][SPDM_MAX_HASH_SIZE];	/* current secret per direction */
	uint8_t data[2][SPDM_MAX_HASH_SIZE];	/* the first data secrets, from the keylog */
};

struct dump_keys {
	struct spdm_keylog kl;
	struct spdm_sess_config cfg;
	struct spdm_session tmpl;		/* sizes and labels only, no keys */
	bool ready;
	struct dump_sess s[DUMP_MAX_SESSIONS];
	size_t n;
};

int dump_keys_load(struct dump_keys *k, const char *path, struct da_err *err);
/* What the capture's VCA negotiated; -EINVAL if it negotiated no session algorithms. */
int dump_keys_setup(struct dump_keys *k, uint8_t version, uint32_t base_hash, uint16_t aead,
		    enum da_framing framing, bool mac_only);
/*
 * Open one secured message: 0 with the SPDM message in out and the
 * direction that sent it; -ENOKEY if the keylog has no secrets for its
 * session, -EBADMSG if none opens it.
 */
int dump_keys_open(struct dump_keys *k, const uint8_t *msg, size_t len, uint8_t *out,
		   size_t cap, const uint8_t **spdm, size_t *spdm_len, enum spdm_sess_dir *dir,
		   uint32_t *id);
void dump_keys_free(struct dump_keys *k);

#endif
