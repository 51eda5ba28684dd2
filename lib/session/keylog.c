// SPDX-License-Identifier: MIT
/*
 * Reading a session keylog (what `probe --keylog` writes, see
 * docs/session.md) and opening secured messages passively with the
 * secrets it holds, for `devauth dump --keylog`.
 *
 * A keylog line is "SPDM_SESSION 0x<8 hex> <label> <hex>"; other lines
 * (comments, blank, a label we do not know) are skipped, a line that
 * starts like one and is malformed is -EBADMSG naming the line.  The
 * file is someone's word: parsed through struct cur only, every secret
 * bounded by SPDM_MAX_HASH_SIZE (a PSK by 64 bytes).
 *
 * A passive opener has no state to lose: it builds a one-direction
 * session from a secret and a sequence number for each attempt, so
 * that trying the wrong direction or the wrong generation of keys
 * (the reader does not know which side sent a secured message, nor
 * when a KEY_UPDATE took effect) costs nothing but the attempt.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "cursor.h"
#include "session.h"

#define KEYLOG_PREFIX "SPDM_SESSION "
#define KEYLOG_MAX_ENTRIES 4096

static int hexval(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* A run of hex digits up to a space or the end of c, into out (cap bytes). */
static int hex_field(struct cur *c, uint8_t *out, size_t cap, size_t *n)
{
	uint8_t hi, lo;

	*n = 0;
	for (;;) {
		struct cur peek = *c;

		if (cur_u8(&peek, &hi) || hi == ' ')
			break;
		if (cur_u8(c, &hi) || cur_u8(c, &lo) || hexval(hi) < 0 || hexval(lo) < 0 ||
		    *n >= cap)
			return -EBADMSG;
		out[(*n)++] = (uint8_t)(hexval(hi) << 4 | hexval(lo));
	}
	return *n ? 0 : -EBADMSG;
}

static int parse_line(struct cur *l, struct spdm_keylog_entry *e)
{
	uint8_t id[4], b = 0;
	size_t n, lab_len = 0;

	if (cur_skip(l, strlen(KEYLOG_PREFIX)) || cur_u8(l, &b) || b != '0' || cur_u8(l, &b) ||
	    (b != 'x' && b != 'X') || hex_field(l, id, sizeof(id), &n) || n != 4 ||
	    cur_u8(l, &b) || b != ' ')
		return -EBADMSG;
	e->id = (uint32_t)id[0] << 24 | (uint32_t)id[1] << 16 | (uint32_t)id[2] << 8 | id[3];
	while (!cur_u8(l, &b) && b != ' ') {
		if (lab_len + 1 >= sizeof(e->label) || b < '!' || b > '~')
			return -EBADMSG;
		e->label[lab_len++] = (char)b;
	}
	if (b != ' ' || !lab_len)
		return -EBADMSG;
	e->label[lab_len] = '\0';
	if (hex_field(l, e->value, sizeof(e->value), &e->len) || !cur_at_end(l))
		return -EBADMSG;
	return 0;
}

int spdm_keylog_parse(const uint8_t *text, size_t len, struct spdm_keylog *kl,
		      struct da_err *err)
{
	struct cur c = cur_init(text, len);
	unsigned int line = 0;

	memset(kl, 0, sizeof(*kl));
	while (!cur_at_end(&c)) {
		struct spdm_keylog_entry e = { 0 };
		struct cur peek = c, l;
		const uint8_t *start;
		size_t n = 0;
		uint8_t b = 0;

		while (!cur_u8(&peek, &b) && b != '\n')
			n++;
		if (cur_ptr(&c, n, &start) || (b == '\n' && cur_skip(&c, 1)))
			break;
		line++;
		if (n && start[n - 1] == '\r')
			n--;
		l = cur_init(start, n);
		if (n < strlen(KEYLOG_PREFIX) || memcmp(start, KEYLOG_PREFIX, strlen(KEYLOG_PREFIX)))
			continue;
		if (parse_line(&l, &e)) {
			OPENSSL_cleanse(&e, sizeof(e));
			spdm_keylog_free(kl);
			return da_errf(err, -EBADMSG,
				       "keylog: line %u: not \"SPDM_SESSION 0x<id> <label> <hex>\" (at most %u bytes)",
				       line, (unsigned int)sizeof(e.value));
		}
		if (kl->n == KEYLOG_MAX_ENTRIES) {
			OPENSSL_cleanse(&e, sizeof(e));
			spdm_keylog_free(kl);
			return da_errf(err, -EFBIG, "keylog: more than %u secrets",
				       KEYLOG_MAX_ENTRIES);
		}
		if (kl->n == kl->cap) {
			size_t cap = kl->cap ? kl->cap * 2 : 16;
			struct spdm_keylog_entry *ne = calloc(cap, sizeof(*ne));

			if (!ne) {
				spdm_keylog_free(kl);
				return da_errf(err, -ENOMEM, "keylog: out of memory");
			}
			if (kl->n)
				memcpy(ne, kl->e, kl->n * sizeof(*ne));
			if (kl->e)
				OPENSSL_cleanse(kl->e, kl->cap * sizeof(*kl->e));
			free(kl->e);
			kl->e = ne;
			kl->cap = cap;
		}
		kl->e[kl->n++] = e;
		OPENSSL_cleanse(&e, sizeof(e));
	}
	return 0;
}

const struct spdm_keylog_entry *spdm_keylog_find(const struct spdm_keylog *kl, uint32_t id,
						 const char *label)
{
	for (size_t i = 0; i < kl->n; i++)
		if (kl->e[i].id == id && !strcmp(kl->e[i].label, label))
			return &kl->e[i];
	return NULL;
}

void spdm_keylog_free(struct spdm_keylog *kl)
{
	if (kl->e)
		OPENSSL_cleanse(kl->e, kl->cap * sizeof(*kl->e));
	free(kl->e);
	memset(kl, 0, sizeof(*kl));
}

int spdm_sess_passive_open(const struct spdm_sess_config *c, uint32_t id,
			   enum spdm_sess_dir dir, const uint8_t *secret, uint64_t seq,
			   const uint8_t *msg, size_t msg_len, uint8_t *out, size_t cap,
			   const uint8_t **spdm, size_t *len, struct da_err *err)
{
	struct spdm_sess_config pc = *c;
	struct spdm_session *s;
	int ret;

	/* The role that opens dir: a responder opens requests. */
	pc.is_requester = dir == SPDM_DIR_RSP;
	pc.keylog = NULL;
	s = malloc(sizeof(*s));
	if (!s)
		return da_errf(err, -ENOMEM, "session: out of memory");
	ret = spdm_sess_init(s, &pc, id, "keylog");
	if (!ret)
		ret = spdm_sess_import_secret(s, dir, secret, seq);
	if (ret)
		ret = da_errf(err, ret, "session 0x%08x: cannot derive keys from the keylog", id);
	else
		ret = spdm_sess_open(s, msg, msg_len, out, cap, spdm, len, err);
	spdm_sess_end(s);
	free(s);
	return ret;
}
