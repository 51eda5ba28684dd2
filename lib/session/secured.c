// SPDX-License-Identifier: MIT
/*
 * DSP0277 secured messages:
 *   SessionID(4) | SequenceNumber(transport: MCTP 2, PCI_DOE 0) | Length(2)
 *   | encrypted { ApplicationDataLength(2) | ApplicationData | RandomData }
 *   | MAC(16)
 * AAD is everything before the ciphertext; a MAC-only session sends
 * ApplicationData in the clear right after Length and MACs AAD || it.
 * Length counts what follows it, MAC included.  The IV is the
 * direction's IV with the 64-bit sequence number XORed in little endian
 * at its start (DSP0277 1.0/1.1, and what libspdm sends by default for
 * 1.2).  Over MCTP the ApplicationData is itself an MCTP message body:
 * the message type (0x05, SPDM) and then the SPDM message; over DOE it
 * is the bare SPDM message.  Only MCTP adds random padding: a DOE data
 * object is padded to a dword by the framing after the MAC, which the
 * decoder allows (up to 3 zero bytes).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "crypto/crypto.h"
#include "cursor.h"
#include "session.h"
#include "transport/framing.h"

#define MCTP_MAX_RANDOM 32

size_t spdm_sess_seq_wire_size(enum da_framing f)
{
	return f == DA_FRAMING_MCTP ? 2 : 0;
}

static bool inner_mctp(const struct spdm_session *s)
{
	return s->cfg.framing == DA_FRAMING_MCTP;
}

size_t spdm_sess_overhead(const struct spdm_session *s)
{
	return 4 + spdm_sess_seq_wire_size(s->cfg.framing) + 2 + (s->cfg.mac_only ? 0 : 2) +
	       (inner_mctp(s) ? 1 + MCTP_MAX_RANDOM : 0) + SPDM_AEAD_TAG_SIZE;
}

static void make_iv(const struct spdm_sess_keys *k, uint8_t iv[SPDM_AEAD_IV_SIZE])
{
	memcpy(iv, k->iv, SPDM_AEAD_IV_SIZE);
	for (int i = 0; i < 8; i++)
		iv[i] ^= (uint8_t)(k->seq >> (8 * i));
}

static enum spdm_sess_dir send_dir(const struct spdm_session *s)
{
	return s->cfg.is_requester ? SPDM_DIR_REQ : SPDM_DIR_RSP;
}

static int fail(struct spdm_session *s, struct da_err *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(struct spdm_session *s, struct da_err *err, int code, const char *fmt, ...)
{
	char msg[DA_ERR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	spdm_sess_end(s);
	return da_errf(err, code, "%s: session 0x%08x: %s; session ended", s->name, s->id, msg);
}

/*
 * Sealing and opening both need an open session and a sequence number
 * left in the direction's keys; running out ends the session.
 */
static int check_usable(struct spdm_session *s, const struct spdm_sess_keys *k,
			struct da_err *err)
{
	if (s->state != SPDM_SESS_HANDSHAKE && s->state != SPDM_SESS_ESTABLISHED)
		return da_errf(err, -ENOTCONN, "%s: session 0x%08x is not open", s->name, s->id);
	if (k->seq >= s->cfg.max_seq)
		return fail(s, err, -ERANGE, "sequence number %llu exhausted",
			    (unsigned long long)k->seq);
	return 0;
}

int spdm_sess_seal(struct spdm_session *s, const uint8_t *spdm, size_t len, struct wcur *w,
		   struct da_err *err)
{
	struct spdm_sess_keys *k = &s->dir[send_dir(s)];
	size_t start = w->len, app_len = len + (inner_mctp(s) ? 1 : 0), aad_len, body;
	uint8_t iv[SPDM_AEAD_IV_SIZE], rnd = 0, *p;
	int ret;

	ret = check_usable(s, k, err);
	if (ret)
		return ret;
	if (!s->cfg.mac_only && inner_mctp(s)) {
		ret = da_random(&rnd, 1);
		if (ret)
			return da_errf(err, ret, "%s: no random padding", s->name);
		rnd %= MCTP_MAX_RANDOM;
	}
	body = s->cfg.mac_only ? app_len : 2 + app_len + rnd;
	if (body + SPDM_AEAD_TAG_SIZE > UINT16_MAX)
		return da_errf(err, -EMSGSIZE, "%s: %zu-byte message too large to secure",
			       s->name, len);
	wcur_u32(w, s->id);
	if (spdm_sess_seq_wire_size(s->cfg.framing))
		wcur_u16(w, (uint16_t)k->seq);
	wcur_u16(w, (uint16_t)(body + SPDM_AEAD_TAG_SIZE));
	aad_len = w->len - start;
	if (!s->cfg.mac_only)
		wcur_u16(w, (uint16_t)app_len);
	if (inner_mctp(s))
		wcur_u8(w, DA_MCTP_TYPE_SPDM);
	wcur_bytes(w, spdm, len);
	wcur_zero(w, rnd);
	wcur_zero(w, SPDM_AEAD_TAG_SIZE);
	if (w->err)
		return da_errf(err, w->err, "%s: secured message does not fit %zu bytes", s->name,
			       w->cap);
	p = w->p + start;
	if (rnd && (ret = da_random(p + aad_len + 2 + app_len, rnd)))
		return da_errf(err, ret, "%s: no random padding", s->name);
	make_iv(k, iv);
	if (s->cfg.mac_only)
		ret = spdm_aead_seal(&k->aead, iv, p, aad_len + body, NULL, 0, NULL,
				     p + aad_len + body);
	else
		ret = spdm_aead_seal(&k->aead, iv, p, aad_len, p + aad_len, body, p + aad_len,
				     p + aad_len + body);
	OPENSSL_cleanse(iv, sizeof(iv));
	if (ret)
		return fail(s, err, ret, "AEAD seal failed");
	k->seq++;
	return (int)(w->len - start);
}

int spdm_sess_peek_id(const uint8_t *msg, size_t len, uint32_t *id)
{
	struct cur c = cur_init(msg, len);

	return cur_u32(&c, id) ? -EBADMSG : 0;
}

int spdm_sess_open(struct spdm_session *s, const uint8_t *msg, size_t msg_len, uint8_t *out,
		   size_t cap, const uint8_t **spdm, size_t *len, struct da_err *err)
{
	enum spdm_sess_dir d = send_dir(s) == SPDM_DIR_REQ ? SPDM_DIR_RSP : SPDM_DIR_REQ;
	struct spdm_sess_keys *k = &s->dir[d];
	size_t seqw = spdm_sess_seq_wire_size(s->cfg.framing), aad_len, body, pad;
	size_t min = s->cfg.mac_only ? 0 : 2;
	struct cur c = cur_init(msg, msg_len), rest, pt;
	const uint8_t *p, *tag;
	uint8_t iv[SPDM_AEAD_IV_SIZE], b;
	uint16_t seq = 0, length, app_len;
	uint32_t id;
	int ret;

	*spdm = NULL;
	*len = 0;
	ret = check_usable(s, k, err);
	if (ret)
		return ret;
	if (cur_u32(&c, &id) || (seqw && cur_u16(&c, &seq)) || cur_u16(&c, &length))
		return fail(s, err, -EBADMSG, "secured message of %zu bytes: header truncated",
			    msg_len);
	if (id != s->id)
		return fail(s, err, -EBADMSG, "secured message: SessionID 0x%08x, expected 0x%08x",
			    id, s->id);
	if (seqw && seq != (uint16_t)k->seq)
		return fail(s, err, -EPROTO,
			    "secured message: SequenceNumber %u, expected %u (replayed or skipped)",
			    seq, (uint16_t)k->seq);
	aad_len = c.off;
	if (length > cur_left(&c) || length < min + SPDM_AEAD_TAG_SIZE)
		return fail(s, err, -EBADMSG,
			    "secured message: Length %u does not fit the %zu bytes after the header",
			    length, cur_left(&c));
	pad = cur_left(&c) - length;
	if (pad > da_framing_max_pad(s->cfg.framing))
		return fail(s, err, -EBADMSG, "secured message: %zu bytes after Length %u", pad,
			    length);
	if (cur_sub(&c, length, &rest))
		return -EBADMSG;
	while (!cur_at_end(&c))
		if (cur_u8(&c, &b) || b)
			return fail(s, err, -EBADMSG,
				    "secured message: the %zu bytes after Length %u are not zero padding",
				    pad, length);
	body = length - SPDM_AEAD_TAG_SIZE;
	if (cur_ptr(&rest, body, &p) || cur_ptr(&rest, SPDM_AEAD_TAG_SIZE, &tag))
		return -EBADMSG;
	if (body > cap)
		return fail(s, err, -EMSGSIZE, "secured message: %zu-byte body exceeds %zu", body,
			    cap);
	make_iv(k, iv);
	if (s->cfg.mac_only) {
		ret = spdm_aead_open(&k->aead, iv, msg, aad_len + body, NULL, 0, NULL, tag);
		if (!ret)
			memcpy(out, p, body);
	} else {
		ret = spdm_aead_open(&k->aead, iv, msg, aad_len, p, body, out, tag);
	}
	OPENSSL_cleanse(iv, sizeof(iv));
	if (ret == -EBADMSG)
		return fail(s, err, -EBADMSG, "secured message: MAC does not verify");
	if (ret)
		return fail(s, err, ret, "AEAD open failed");
	pt = cur_init(out, body);
	app_len = (uint16_t)body;
	if (!s->cfg.mac_only && (cur_u16(&pt, &app_len) || app_len > cur_left(&pt)))
		return fail(s, err, -EBADMSG,
			    "secured message: ApplicationDataLength %u exceeds the %zu bytes decrypted",
			    app_len, cur_left(&pt));
	if (inner_mctp(s)) {
		if (!app_len || cur_u8(&pt, &b) || b != DA_MCTP_TYPE_SPDM)
			return fail(s, err, -EBADMSG,
				    "secured message: inner MCTP message type is not SPDM (0x05)");
		app_len--;
	}
	k->seq++;
	*spdm = out + pt.off;
	*len = app_len;
	return 0;
}
