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

#include <devauth/buf.h>
#include <devauth/crypto.h>
#include <devauth/dump.h>
#include <devauth/file.h>

#include "session.h"
#include "spdm/codec.h"
#include "spdm/session_codec.h"

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
	bool psk;				/* secrets derived here, not from the keylog */
	struct da_buf th;			/* PSK: the transcript until PSK_FINISH_RSP */
	uint8_t th1[SPDM_MAX_HASH_SIZE];	/* PSK: TH1, which the data secrets need again */
};

struct spdm_passive {
	struct spdm_keylog kl;
	struct spdm_sess_config cfg;
	struct spdm_session tmpl;		/* sizes and labels only, no keys */
	bool ready;
	struct passive_sess s[PASSIVE_MAX_SESSIONS];
	size_t n;
	uint8_t psk[64];
	size_t psk_len;
	struct da_buf vca;			/* the last GET_VERSION .. ALGORITHMS */
	bool vca_open;				/* ALGORITHMS not seen yet */
	struct da_buf psk_req;			/* the PSK_EXCHANGE waiting for its answer */
	uint16_t req_session_id;
	uint8_t meas_summary_type;
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
		da_errf(err, -ENOMEM, "%s: out of memory", keylog_path ? keylog_path : "dump");
		return NULL;
	}
	if (!keylog_path)
		return p;
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

/*
 * PSK sessions (DSP0274 PSK_EXCHANGE): nothing secret crosses the wire
 * but the PSK is known, so the secrets follow from the transcript the
 * capture holds, as the requester derives them (lib/requester/session.c):
 * TH1 = VCA, PSK_EXCHANGE, PSK_EXCHANGE_RSP up to ResponderVerifyData;
 * TH2 = ... the verify data, PSK_FINISH, PSK_FINISH_RSP (opened with the
 * handshake keys), or, without PSK_FINISH, TH1 and the verify data.
 */
int spdm_passive_set_psk(struct spdm_passive *p, const uint8_t *psk, size_t len)
{
	if (!len || len > sizeof(p->psk))
		return -EINVAL;
	memcpy(p->psk, psk, len);
	p->psk_len = len;
	return 0;
}

static struct spdm_sess_params passive_params(const struct spdm_passive *p)
{
	struct spdm_sess_params sp = { 0 };

	sp.p.version = p->cfg.version;
	sp.p.hash_size = (uint16_t)p->tmpl.hash_size;
	return sp;
}

/* Secrets of one derivation into s: the handshake ones, or (data) the first data ones. */
static int psk_derive(struct spdm_passive *p, struct passive_sess *s, const uint8_t *th1,
		      const uint8_t *th2)
{
	struct da_err err = { 0 };
	struct spdm_session k;
	int ret;

	ret = spdm_sess_init(&k, &p->cfg, s->id, "psk");
	if (ret)
		return ret;
	ret = spdm_sess_derive_handshake(&k, p->psk, p->psk_len, true, th1, &err);
	if (!ret && !th2) {
		for (int d = 0; d < 2; d++)
			memcpy(s->secret[d], k.dir[d].secret, p->tmpl.hash_size);
	}
	if (!ret && th2)
		ret = spdm_sess_derive_data(&k, th2, &err);
	if (!ret && th2) {
		for (int d = 0; d < 2; d++) {
			memcpy(s->data[d], k.dir[d].secret, p->tmpl.hash_size);
			s->have_data[d] = true;
		}
	}
	spdm_sess_end(&k);
	return ret;
}

static int th_hash(struct spdm_passive *p, const struct da_buf *th, uint8_t *out)
{
	return spdm_hash(p->cfg.base_hash, th->data, th->len, out) ? -EIO : 0;
}

static void psk_exchange_rsp(struct spdm_passive *p, const uint8_t *msg, size_t len)
{
	struct spdm_sess_params sp = passive_params(p);
	uint8_t th2[SPDM_MAX_HASH_SIZE];
	struct spdm_psk_exchange_rsp r;
	struct passive_sess *s;
	uint32_t id;
	int n;

	n = spdm_decode_psk_exchange_rsp(msg, len, &sp, p->meas_summary_type, &r, NULL);
	if (n < 0 || !p->psk_req.len || p->vca_open || !p->vca.len ||
	    p->n == PASSIVE_MAX_SESSIONS)
		return;
	id = (uint32_t)p->req_session_id | (uint32_t)r.rsp_session_id << 16;
	s = &p->s[p->n];
	memset(s, 0, sizeof(*s));
	s->id = id;
	s->psk = true;
	if (da_buf_append(&s->th, p->vca.data, p->vca.len) ||
	    da_buf_append(&s->th, p->psk_req.data, p->psk_req.len) ||
	    da_buf_append(&s->th, msg, r.verify_off) || th_hash(p, &s->th, s->th1) ||
	    psk_derive(p, s, s->th1, NULL) ||
	    da_buf_append(&s->th, r.verify_data, p->tmpl.hash_size) ||
	    th_hash(p, &s->th, th2) || psk_derive(p, s, s->th1, th2)) {
		da_buf_free(&s->th);
		OPENSSL_cleanse(s, sizeof(*s));
		return;
	}
	/* Until a PSK_FINISH_RSP says otherwise, TH2 is TH1 and the verify data. */
	OPENSSL_cleanse(th2, sizeof(th2));
	s->have[0] = s->have[1] = true;
	da_buf_reset(&p->psk_req);
	p->n++;
}

/* An opened handshake message of a PSK session: PSK_FINISH(_RSP) completes TH2. */
static void psk_finish(struct spdm_passive *p, struct passive_sess *s, const uint8_t *msg,
		       size_t len)
{
	uint8_t th2[SPDM_MAX_HASH_SIZE];

	if (len < 2 || (msg[1] != SPDM_PSK_FINISH && msg[1] != SPDM_PSK_FINISH_RSP) ||
	    da_buf_append(&s->th, msg, len))
		return;
	if (msg[1] != SPDM_PSK_FINISH_RSP)
		return;
	if (!th_hash(p, &s->th, th2))
		psk_derive(p, s, s->th1, th2);
	OPENSSL_cleanse(th2, sizeof(th2));
}

void spdm_passive_plain(struct spdm_passive *p, const uint8_t *msg, size_t len)
{
	struct spdm_sess_params sp = passive_params(p);
	struct spdm_psk_exchange k;
	struct spdm_neg_algs na;
	struct spdm_version_rsp v;
	struct spdm_algorithms a;
	struct spdm_caps c;
	long n = -1;

	if (!p->psk_len || !p->ready || len < 2)
		return;
	switch (msg[1]) {
	case SPDM_GET_VERSION:
		da_buf_reset(&p->vca);
		p->vca_open = true;
		n = spdm_decode_get_version(msg, len, NULL);
		break;
	case SPDM_VERSION:
		n = spdm_decode_version(msg, len, &v, NULL);
		break;
	case SPDM_GET_CAPABILITIES:
		n = spdm_decode_get_capabilities(msg, len, msg[0], &c, NULL);
		break;
	case SPDM_CAPABILITIES:
		n = spdm_decode_capabilities(msg, len, msg[0], &c, NULL);
		break;
	case SPDM_NEGOTIATE_ALGORITHMS:
		n = spdm_decode_negotiate_algorithms(msg, len, msg[0], &na, NULL);
		break;
	case SPDM_ALGORITHMS:
		n = spdm_decode_algorithms(msg, len, msg[0], &a, NULL);
		break;
	case SPDM_PSK_EXCHANGE:
		da_buf_reset(&p->psk_req);
		n = spdm_decode_psk_exchange(msg, len, &sp, &k, NULL);
		if (n > 0 && !da_buf_append(&p->psk_req, msg, (size_t)n)) {
			p->req_session_id = k.req_session_id;
			p->meas_summary_type = k.meas_summary_type;
		}
		return;
	case SPDM_PSK_EXCHANGE_RSP:
		psk_exchange_rsp(p, msg, len);
		return;
	default:
		return;
	}
	if (!p->vca_open)
		return;
	/* A VCA message that does not decode leaves no transcript to derive from. */
	if (n <= 0 || da_buf_append(&p->vca, msg, (size_t)n)) {
		da_buf_reset(&p->vca);
		p->vca_open = false;
		return;
	}
	if (msg[1] == SPDM_ALGORITHMS)
		p->vca_open = false;
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
				if (s->psk && s->gen[d] == 0)
					psk_finish(p, s, *spdm, *spdm_len);
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
	for (size_t i = 0; i < p->n; i++)
		da_buf_free(&p->s[i].th);
	da_buf_free(&p->vca);
	da_buf_free(&p->psk_req);
	OPENSSL_cleanse(p, sizeof(*p));
	free(p);
}
