// SPDX-License-Identifier: MIT
/*
 * devauth dump --keylog: the secured messages of a capture opened with
 * the secrets `probe --keylog` wrote.
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

#include <devauth/file.h>

#include "dump_secured.h"

#define KEYLOG_MAX_FILE (1u << 20)

static const char *const hs_label[2] = { "req_hs_secret", "rsp_hs_secret" };
static const char *const data_label[2] = { "req_data_secret", "rsp_data_secret" };

int dump_keys_load(struct dump_keys *k, const char *path, struct da_err *err)
{
	uint8_t *text = NULL;
	size_t len = 0;
	int ret;

	memset(k, 0, sizeof(*k));
	ret = da_read_file(path, &text, &len, KEYLOG_MAX_FILE, err);
	if (ret)
		return ret;
	ret = spdm_keylog_parse(text, len, &k->kl, err);
	OPENSSL_cleanse(text, len);
	free(text);
	if (ret)
		da_err_prefix(err, "%s", path);
	return ret;
}

int dump_keys_setup(struct dump_keys *k, uint8_t version, uint32_t base_hash, uint16_t aead,
		    enum da_framing framing, bool mac_only)
{
	struct spdm_sess_config c = {
		.version = version,
		.base_hash = base_hash,
		.aead = aead,
		.framing = framing,
		.mac_only = mac_only,
	};

	k->cfg = c;
	k->ready = !spdm_sess_init(&k->tmpl, &c, 0, "keylog");
	return k->ready ? 0 : -EINVAL;
}

static struct dump_sess *find_sess(struct dump_keys *k, uint32_t id)
{
	struct dump_sess *s;

	for (size_t i = 0; i < k->n; i++)
		if (k->s[i].id == id)
			return &k->s[i];
	if (k->n == DUMP_MAX_SESSIONS)
		return NULL;
	s = &k->s[k->n];
	memset(s, 0, sizeof(*s));
	s->id = id;
	for (int d = 0; d < 2; d++) {
		const struct spdm_keylog_entry *hs = spdm_keylog_find(&k->kl, id, hs_label[d]);
		const struct spdm_keylog_entry *data = spdm_keylog_find(&k->kl, id, data_label[d]);
		const struct spdm_keylog_entry *e = hs ? hs : data;

		if (!e || e->len != k->tmpl.hash_size ||
		    (data && data->len != k->tmpl.hash_size))
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
	k->n++;
	return s;
}

/* Current keys at the next sequence number, else the next generation at 0. */
static int try_dir(struct dump_keys *k, struct dump_sess *s, enum spdm_sess_dir d,
		   const uint8_t *msg, size_t len, uint8_t *out, size_t cap, const uint8_t **spdm,
		   size_t *spdm_len)
{
	uint8_t next[SPDM_MAX_HASH_SIZE];
	struct da_err e = { 0 };
	int ret;

	if (!s->have[d])
		return -ENOKEY;
	ret = spdm_sess_passive_open(&k->cfg, s->id, d, s->secret[d], s->seq[d], msg, len, out,
				     cap, spdm, spdm_len, &e);
	if (!ret) {
		s->seq[d]++;
		return 0;
	}
	if (s->gen[d] == 0) {
		if (!s->have_data[d])
			return ret;
		memcpy(next, s->data[d], k->tmpl.hash_size);
	} else if (spdm_sess_next_secret(&k->tmpl, s->secret[d], next)) {
		return -EIO;
	}
	e = (struct da_err){ 0 };
	ret = spdm_sess_passive_open(&k->cfg, s->id, d, next, 0, msg, len, out, cap, spdm,
				     spdm_len, &e);
	if (!ret) {
		memcpy(s->secret[d], next, k->tmpl.hash_size);
		s->gen[d]++;
		s->seq[d] = 1;
	}
	OPENSSL_cleanse(next, sizeof(next));
	return ret;
}

int dump_keys_open(struct dump_keys *k, const uint8_t *msg, size_t len, uint8_t *out,
		   size_t cap, const uint8_t **spdm, size_t *spdm_len, enum spdm_sess_dir *dir,
		   uint32_t *id)
{
	struct dump_sess *s;
	int ret = -EBADMSG;

	if (!k->ready || spdm_sess_peek_id(msg, len, id))
		return -EBADMSG;
	s = find_sess(k, *id);
	if (!s)
		return -ENOKEY;
	for (int mac = 0; mac < 2; mac++) {
		for (int d = 0; d < 2; d++) {
			ret = try_dir(k, s, (enum spdm_sess_dir)d, msg, len, out, cap, spdm,
				      spdm_len);
			if (!ret) {
				*dir = (enum spdm_sess_dir)d;
				return 0;
			}
		}
		/* The device may have offered MAC_CAP only, or the other side may have. */
		k->cfg.mac_only = !k->cfg.mac_only;
	}
	return ret == -ENOKEY ? -ENOKEY : -EBADMSG;
}

void dump_keys_free(struct dump_keys *k)
{
	spdm_keylog_free(&k->kl);
	OPENSSL_cleanse(k->s, sizeof(k->s));
	spdm_sess_end(&k->tmpl);
}
