// SPDX-License-Identifier: MIT
/*
 * Requester core: state, the helpers every other file of the folder
 * uses (response header checks, message names, transcript trimming, the
 * session's release) and the list of checks that `devauth probe` prints.
 * It calls none of them: the exchange loop, which sits on chunk.c, is
 * in exchange.c.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "req.h"
#include "session/session.h"

void da_check_add(struct da_checklist *l, const char *name, enum da_check_result res,
		  const char *fmt, ...)
{
	struct da_check *c;
	va_list ap;

	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 16;
		struct da_check *p = realloc(l->c, cap * sizeof(*p));

		/* A check that cannot be recorded must not vanish silently. */
		if (!p)
			abort();
		l->c = p;
		l->cap = cap;
	}
	c = &l->c[l->n++];
	snprintf(c->name, sizeof(c->name), "%s", name);
	c->result = res;
	va_start(ap, fmt);
	vsnprintf(c->detail, sizeof(c->detail), fmt, ap);
	va_end(ap);
}

void da_checklist_reset(struct da_checklist *l)
{
	l->n = 0;
}

void da_checklist_free(struct da_checklist *l)
{
	free(l->c);
	*l = (struct da_checklist){ 0 };
}

bool da_checklist_failed(const struct da_checklist *l)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->c[i].result == DA_CHECK_FAIL)
			return true;
	return false;
}

const char *da_check_result_name(enum da_check_result r)
{
	switch (r) {
	case DA_CHECK_PASS:
		return "pass";
	case DA_CHECK_FAIL:
		return "FAIL";
	default:
		return "skipped";
	}
}

int req_fail(struct spdm_req *r, struct da_err *err, const char *check, int code,
	     const char *fmt, ...)
{
	char msg[DA_ERR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (check)
		da_check_add(&r->checks, check, DA_CHECK_FAIL, "%s", msg);
	return da_errf(err, code, "%s", msg);
}

void req_pass(struct spdm_req *r, const char *check, const char *fmt, ...)
{
	char msg[320];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	da_check_add(&r->checks, check, DA_CHECK_PASS, "%s", msg);
}

const char *req_msg_name(uint8_t code)
{
	return spdm_code_name(code);
}

void spdm_req_config_default(struct spdm_req_config *c)
{
	static const uint32_t asym[] = {
		SPDM_ASYM_ECDSA_P384, SPDM_ASYM_ECDSA_P256, SPDM_ASYM_ECDSA_P521,
		SPDM_ASYM_EDDSA_ED25519, SPDM_ASYM_EDDSA_ED448,
		SPDM_ASYM_RSAPSS_3072, SPDM_ASYM_RSASSA_3072,
		SPDM_ASYM_RSAPSS_4096, SPDM_ASYM_RSASSA_4096,
		SPDM_ASYM_RSAPSS_2048, SPDM_ASYM_RSASSA_2048,
	};
	static const uint32_t hash[] = { SPDM_HASH_SHA384, SPDM_HASH_SHA256, SPDM_HASH_SHA512 };

	memset(c, 0, sizeof(*c));
	c->min_version = SPDM_VER_10;
	c->max_version = SPDM_VER_14;
	for (size_t i = 0; i < sizeof(asym) / sizeof(asym[0]); i++)
		c->asym_pref[c->n_asym++] = asym[i];
	for (size_t i = 0; i < sizeof(hash) / sizeof(hash[0]); i++)
		c->hash_pref[c->n_hash++] = hash[i];
	c->slot = 0;
	c->meas_summary_type = SPDM_MEAS_SUMMARY_ALL;
	c->busy_retries = 3;
	c->not_ready_retries = 5;
	c->rtt_ms = 1000;
	c->cert_portion = 0;
	c->data_transfer_size = REQ_MAX_MSG;
	c->max_spdm_msg_size = REQ_DEFAULT_MAX_SPDM_MSG;
}

struct spdm_req *spdm_req_new(const struct spdm_req_config *c, struct da_transport *t)
{
	struct spdm_req *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->cfg = *c;
	r->t = t;
	r->replay = !t;
	snprintf(r->dev, sizeof(r->dev), "%s", c->dev_name ? c->dev_name :
		 (t ? t->name : "capture"));
	r->cfg.dev_name = r->dev;
	if (r->cfg.data_transfer_size > REQ_MAX_MSG ||
	    r->cfg.data_transfer_size < SPDM_MIN_DATA_TRANSFER_SIZE)
		r->cfg.data_transfer_size = REQ_MAX_MSG;
	if (r->cfg.max_spdm_msg_size > REQ_MAX_SPDM_MSG)
		r->cfg.max_spdm_msg_size = REQ_MAX_SPDM_MSG;
	if (r->cfg.max_spdm_msg_size < r->cfg.data_transfer_size)
		r->cfg.max_spdm_msg_size = r->cfg.data_transfer_size;
	if (r->cfg.cert_portion > REQ_MAX_MSG - 64)
		r->cfg.cert_portion = 0;
	r->reading_slot = -1;
	return r;
}

size_t spdm_req_state_size(void)
{
	return sizeof(struct spdm_req);
}

void req_sess_free(struct spdm_req *r)
{
	if (!r->sess)
		return;
	if (r->sess->cfg.keylog_ctx)
		fclose(r->sess->cfg.keylog_ctx);
	spdm_sess_end(r->sess);
	free(r->sess);
	r->sess = NULL;
}

void spdm_req_free(struct spdm_req *r)
{
	if (!r)
		return;
	da_buf_free(&r->vca);
	da_buf_free(&r->m1);
	da_buf_free(&r->l1);
	da_buf_free(&r->reading);
	da_buf_free(&r->ev_vca);
	da_buf_free(&r->ev_meas);
	da_buf_free(&r->ev_session);
	da_buf_free(&r->meas_record);
	spdm_chunk_rx_free(&r->rx);
	for (int i = 0; i < SPDM_MAX_SLOTS; i++) {
		da_buf_free(&r->chain[i]);
		spdm_chain_free(&r->parsed[i]);
		EVP_PKEY_free(r->slot_key[i]);
	}
	EVP_PKEY_free(r->leaf_key);
	req_sess_free(r);
	da_checklist_free(&r->checks);
	free(r->rsp_buf);
	free(r);
}

const struct spdm_req_info *spdm_req_info(const struct spdm_req *r)
{
	return &r->info;
}

const struct da_checklist *spdm_req_checks(const struct spdm_req *r)
{
	return &r->checks;
}

void spdm_req_begin_op(struct spdm_req *r, uint64_t deadline_ms)
{
	r->cfg.deadline_ms = deadline_ms;
	da_checklist_reset(&r->checks);
}

EVP_PKEY *spdm_req_leaf_key(const struct spdm_req *r)
{
	return r->leaf_key;
}

int spdm_req_evidence(const struct spdm_req *r, unsigned int type, const uint8_t **data,
		      size_t *len)
{
	const struct da_buf *b;

	if (type <= DA_EV_CERT7)
		b = &r->chain[type];
	else if (type == DA_EV_VCA)
		b = &r->ev_vca;
	else if (type == DA_EV_MEASUREMENTS)
		b = &r->ev_meas;
	else if (type == DA_EV_SESSION)
		b = &r->ev_session;
	else
		return -ENOENT;
	if (!b->len)
		return -ENOENT;
	*data = b->data;
	*len = b->len;
	return 0;
}

int spdm_req_meas_record(const struct spdm_req *r, const uint8_t **data, size_t *len)
{
	if (!r->meas_record.len)
		return -ENOENT;
	*data = r->meas_record.data;
	*len = r->meas_record.len;
	return 0;
}

const struct spdm_chain *spdm_req_chain(struct spdm_req *r, uint8_t slot)
{
	if (slot >= SPDM_MAX_SLOTS || !r->chain_ok[slot])
		return NULL;
	if (!r->parsed[slot].certs &&
	    spdm_chain_parse(r->chain[slot].data, r->chain[slot].len, r->info.neg.base_hash,
			     &r->parsed[slot], NULL))
		return NULL;
	return &r->parsed[slot];
}

size_t spdm_req_chain_subjects(const struct spdm_req *r, uint8_t slot, char (*out)[256],
			       size_t max)
{
	struct spdm_chain tmp = { 0 };
	const struct spdm_chain *c;
	size_t i;

	if (slot >= SPDM_MAX_SLOTS || !r->chain_ok[slot])
		return 0;
	/* the chain as the consistency check decoded it, or decoded now */
	c = &r->parsed[slot];
	if (!c->certs) {
		if (spdm_chain_parse(r->chain[slot].data, r->chain[slot].len, r->info.neg.base_hash,
				     &tmp, NULL))
			return 0;
		c = &tmp;
	}
	for (i = 0; i < c->ncerts && i < max; i++)
		da_x509_subject(sk_X509_value(c->certs, (int)i), out[i], sizeof(out[i]));
	spdm_chain_free(&tmp);
	return i;
}

void req_trim(struct spdm_req *r)
{
	free(r->rsp_buf);
	r->rsp_buf = NULL;
	da_buf_free(&r->reading);
	spdm_chunk_rx_free(&r->rx);
	r->reading_slot = -1;
	if (!r->m1.len)
		da_buf_free(&r->m1);
	if (!r->l1_open)
		da_buf_free(&r->l1);
}

void req_l1_reset(struct spdm_req *r)
{
	da_buf_reset(&r->l1);
	r->l1_open = false;
}

int req_true_len(struct spdm_req *r, const uint8_t *msg, size_t len, long true_len,
		 size_t max_pad, struct da_err *err)
{
	if (true_len < 0)
		return (int)true_len;
	return spdm_check_trailing(msg, len, (size_t)true_len, max_pad, err) ?: (int)true_len;
}

int req_check_rsp_hdr(struct spdm_req *r, const uint8_t *req, size_t req_len,
		      const uint8_t *rsp, size_t rsp_len, uint8_t expect_code,
		      struct da_err *err)
{
	struct spdm_hdr qh, h;
	int ret;

	ret = spdm_decode_hdr(req, req_len, &qh, err);
	if (ret < 0)
		return ret;
	ret = spdm_decode_hdr(rsp, rsp_len, &h, err);
	if (ret < 0)
		return ret;
	if (h.code == SPDM_ERROR) {
		struct spdm_error e;

		ret = spdm_decode_error(rsp, rsp_len, &e, err);
		if (ret < 0)
			return ret;
		return da_errf(err, spdm_error_to_errno(e.code),
			       "%s: device answered ERROR %s (0x%02x, data 0x%02x)",
			       req_msg_name(qh.code), spdm_error_name(e.code), e.code, e.data);
	}
	if (h.code != expect_code)
		return da_errf(err, -EPROTO, "%s: expected %s (0x%02x), device answered %s (0x%02x)",
			       req_msg_name(qh.code), req_msg_name(expect_code), expect_code,
			       req_msg_name(h.code), h.code);
	/* Every response echoes the version of its request; VERSION is always 1.0. */
	if (h.version != qh.version)
		return da_errf(err, -EPROTO,
			       "%s: SPDMVersion 0x%02x in the response, request was 0x%02x",
			       req_msg_name(h.code), h.version, qh.version);
	return 0;
}
