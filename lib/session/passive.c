// SPDX-License-Identifier: MIT
/*
 * The public passive opener (devauth/dump.h): the secured messages of a
 * capture opened with the secrets `probe --keylog` wrote.
 *
 * A capture does not say who sent a secured message, nor when a
 * KEY_UPDATE took effect, nor (over DOE) the sequence number.  So each
 * message is tried as a request and as a response, first with the
 * direction's current keys at its next sequence number, then with the
 * next generation of keys at 0 (handshake -> data keys, or a key
 * update).  The MAC decides: a message that opens is from the direction
 * whose keys opened it, which is how its direction is known for real.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include <devauth/dump.h>
#include <devauth/file.h>

#include "session.h"

#define KEYLOG_MAX_FILE (1u << 20)
#define PASSIVE_MAX_SESSIONS 16
/* The largest secured message a capture record holds, opened. */
#define PASSIVE_PLAIN_MAX 0x10000

struct passive_sess {
	uint32_t id;
	bool have[2], have_data[2];
	int gen[2];				/* 0 handshake keys, 1 data keys, 2.. key updates */
	uint64_t seq[2];			/* next sequence number per direction */
	uint8_t secret[2][SPDM_MAX_HASH_SIZE];	/* current secret per direction */
	uint8_t data[2][SPDM_MAX_HASH_SIZE];	/* the first data secrets, from the keylog */
};

struct spdm_passive {
	struct spdm_keylog kl;
	struct spdm_sess_config cfg;
	struct spdm_session tmpl;		/* sizes and labels only, no keys */
	bool ready;
	struct passive_sess s[PASSIVE_MAX_SESSIONS];
	size_t n;
	uint8_t plain[PASSIVE_PLAIN_MAX];
};

static const char *const hs_label[2] = { "req_hs_secret", "rsp_hs_secret" };
static const char *const data_label[2] = { "req_data_secret", "rsp_data_secret" };

struct spdm_passive *spdm_passive_new(const char *keylog_path, struct da_err *err)
{
	struct spdm_passive *p = calloc(1, sizeof(*p));
	uint8_t *text = NULL;
	size_t len = 0;
	int ret;

	if (!p) {
		da_errf(err, -ENOMEM, "%s: out of memory", keylog_path);
		return NULL;
	}
	ret = da_read_file(keylog_path, &text, &len, KEYLOG_MAX_FILE, err);
	if (ret)
		goto fail;
	ret = spdm_keylog_parse(text, len, &p->kl, err);
	OPENSSL_cleanse(text, len);
	free(text);
	if (!ret)
		return p;
	da_err_prefix(err, "%s", keylog_path);
fail:
	spdm_keylog_free(&p->kl);
	free(p);
	return NULL;
}

int spdm_passive_setup(struct spdm_passive *p, uint8_t version, uint32_t base_hash,
		       uint16_t aead, enum da_framing framing, bool mac_only)
{
	struct spdm_sess_config c = {
		.version = version,
		.base_hash = base_hash,
		.aead = aead,
		.framing = framing,
		.mac_only = mac_only,
	};

	if (p->ready)
		spdm_sess_end(&p->tmpl);
	p->cfg = c;
	p->ready = !spdm_sess_init(&p->tmpl, &c, 0, "keylog");
	return p->ready ? 0 : -EINVAL;
}

static struct passive_sess *find_sess(struct spdm_passive *p, uint32_t id)
{
	struct passive_sess *s;

	for (size_t i = 0; i < p->n; i++)
		if (p->s[i].id == id)
			return &p->s[i];
	if (p->n == PASSIVE_MAX_SESSIONS)
		return NULL;
	s = &p->s[p->n];
	memset(s, 0, sizeof(*s));
	s->id = id;
	for (int d = 0; d < 2; d++) {
		const struct spdm_keylog_entry *hs = spdm_keylog_find(&p->kl, id, hs_label[d]);
		const struct spdm_keylog_entry *data = spdm_keylog_find(&p->kl, id, data_label[d]);
		const struct spdm_keylog_entry *e = hs ? hs : data;

		if (!e || e->len != p->tmpl.hash_size ||
		    (data && data->len != p->tmpl.hash_size))
			continue;
		memcpy(s->secret[d], e->value, e->len);
		s->gen[d] = hs ? 0 : 1;
		if (data)
			memcpy(s->data[d], data->value, data->len);
		s->have_data[d] = data != NULL;
		s->have[d] = true;
	}
	if (!s->have[0] && !s->have[1])
		return NULL;
	p->n++;
	return s;
}

/* Current keys at the next sequence number, else the next generation at 0. */
static int try_dir(struct spdm_passive *p, struct passive_sess *s, enum spdm_sess_dir d,
		   const uint8_t *msg, size_t len, const uint8_t **spdm, size_t *spdm_len)
{
	uint8_t next[SPDM_MAX_HASH_SIZE];
	struct da_err e = { 0 };
	int ret;

	if (!s->have[d])
		return -ENOKEY;
	ret = spdm_sess_passive_open(&p->cfg, s->id, d, s->secret[d], s->seq[d], msg, len,
				     p->plain, sizeof(p->plain), spdm, spdm_len, &e);
	if (!ret) {
		s->seq[d]++;
		return 0;
	}
	if (s->gen[d] == 0) {
		if (!s->have_data[d])
			return ret;
		memcpy(next, s->data[d], p->tmpl.hash_size);
	} else if (spdm_sess_next_secret(&p->tmpl, s->secret[d], next)) {
		return -EIO;
	}
	e = (struct da_err){ 0 };
	ret = spdm_sess_passive_open(&p->cfg, s->id, d, next, 0, msg, len, p->plain,
				     sizeof(p->plain), spdm, spdm_len, &e);
	if (!ret) {
		memcpy(s->secret[d], next, p->tmpl.hash_size);
		s->gen[d]++;
		s->seq[d] = 1;
	}
	OPENSSL_cleanse(next, sizeof(next));
	return ret;
}

int spdm_passive_open(struct spdm_passive *p, const uint8_t *msg, size_t len,
		      const uint8_t **spdm, size_t *spdm_len, bool *response, uint32_t *id)
{
	struct passive_sess *s;
	int ret = -EBADMSG;

	if (!p->ready || spdm_sess_peek_id(msg, len, id))
		return -EBADMSG;
	s = find_sess(p, *id);
	if (!s)
		return -ENOKEY;
	for (int mac = 0; mac < 2; mac++) {
		for (int d = 0; d < 2; d++) {
			ret = try_dir(p, s, (enum spdm_sess_dir)d, msg, len, spdm, spdm_len);
			if (!ret) {
				*response = d == SPDM_DIR_RSP;
				return 0;
			}
		}
		/* The device may have offered MAC_CAP only, or the other side may have. */
		p->cfg.mac_only = !p->cfg.mac_only;
	}
	return ret == -ENOKEY ? -ENOKEY : -EBADMSG;
}

int spdm_secured_session_id(const uint8_t *msg, size_t len, uint32_t *id)
{
	return spdm_sess_peek_id(msg, len, id);
}

void spdm_passive_free(struct spdm_passive *p)
{
	if (!p)
		return;
	spdm_keylog_free(&p->kl);
	spdm_sess_end(&p->tmpl);
	OPENSSL_cleanse(p, sizeof(*p));
	free(p);
}
