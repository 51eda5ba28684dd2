// SPDX-License-Identifier: MIT
/*
 * What every request handler (rsp-*.c) and the dispatcher share: ERROR
 * responses, the true-length check, transcript appends, the size limit,
 * the connection reset (sessions included), and the way back into the dispatcher for a
 * request that arrives inside another (CHUNK_SEND, RESPOND_IF_READY).
 * Handlers call down into this file only; the dispatcher (responder.c)
 * calls them.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "crypto/crypto.h"
#include "responder_internal.h"
#include "transport/framing.h"

void rsp_session_free(struct rsp_session *s)
{
	if (!s->used)
		return;
	spdm_sess_end(&s->s);
	da_buf_free(&s->th);
	da_buf_free(&s->l1);
	OPENSSL_cleanse(s, sizeof(*s));
}

void rsp_sessions_free(struct spdm_responder *r)
{
	for (int i = 0; i < RSP_MAX_SESSIONS; i++)
		rsp_session_free(&r->sess[i]);
	r->cur_sess = NULL;
}

static void slots_free(struct spdm_responder *r)
{
	for (int i = 0; i < SPDM_MAX_SLOTS; i++) {
		EVP_PKEY_free(r->slot[i].key);
		da_buf_free(&r->slot[i].chain);
		memset(&r->slot[i], 0, sizeof(r->slot[i]));
	}
}

void rsp_reset_connection(struct spdm_responder *r)
{
	rsp_sessions_free(r);
	slots_free(r);
	da_buf_reset(&r->a);
	da_buf_reset(&r->b);
	da_buf_reset(&r->l1);
	da_buf_reset(&r->pending);
	r->have_pending = false;
	rsp_chunk_reset(r);
	r->state = RSP_IDLE;
	r->version = 0;
	r->asym = r->hash = r->meas_hash = 0;
	r->meas_spec = 0;
	r->provisioned = 0;
	memset(&r->req_caps, 0, sizeof(r->req_caps));
	memset(&r->p, 0, sizeof(r->p));
}

void rsp_chunk_reset(struct spdm_responder *r)
{
	spdm_chunk_rx_reset(&r->rx);
	da_buf_reset(&r->large);
	r->have_large = false;
	r->large_seq = 0;
	r->large_off = 0;
}

static uint8_t err_version(const struct spdm_responder *r)
{
	return r->state >= RSP_AFTER_CAPS ? r->version : SPDM_VER_10;
}

int rsp_error_ext(struct rsp_ctx *c, uint8_t code, uint8_t data, const void *ext, size_t n)
{
	/*
	 * An ERROR ends the measurement transcript on both sides: the
	 * requester (libspdm's too) drops what it had, so a later signature
	 * over the old L1 could never verify.
	 */
	if (c->hdr.code == SPDM_GET_MEASUREMENTS)
		da_buf_reset(&c->r->l1);
	c->w.len = 0;
	c->w.err = 0;
	return spdm_encode_error(&c->w, err_version(c->r), code, data, ext, n);
}

int rsp_error(struct rsp_ctx *c, uint8_t code, uint8_t data)
{
	return rsp_error_ext(c, code, data, NULL, 0);
}

int rsp_check_len(struct rsp_ctx *c, int true_len)
{
	if (true_len < 0)
		return true_len;
	if (spdm_check_trailing(c->req, c->req_len, (size_t)true_len,
				da_framing_max_pad(c->r->framing), NULL))
		return -EBADMSG;
	c->req_len = (size_t)true_len;
	return 0;
}

int rsp_append(struct da_buf *t, const struct rsp_ctx *c, const uint8_t *rsp, size_t rsp_len)
{
	int ret = da_buf_append(t, c->req, c->req_len);

	if (!ret)
		ret = da_buf_append(t, rsp, rsp_len);
	return ret;
}

bool rsp_too_large(const struct spdm_responder *r, size_t len)
{
	return r->version >= SPDM_VER_12 && r->req_caps.data_transfer_size &&
	       len > r->req_caps.data_transfer_size;
}

int rsp_dispatch_one(struct spdm_responder *r, const uint8_t *req, size_t req_len,
		     uint8_t *rsp, size_t rsp_cap, size_t overhead)
{
	return r->dispatch_one(r, req, req_len, rsp, rsp_cap, overhead);
}

void spdm_responder_set_log(struct spdm_responder *r, void (*log)(void *arg, const char *msg),
			    void *arg)
{
	r->log = log;
	r->log_arg = arg;
}

void rsp_logf(struct spdm_responder *r, const char *fmt, ...)
{
	char line[256];
	va_list ap;

	if (!r->log)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	r->log(r->log_arg, line);
}

void rsp_cxl_reset(struct spdm_responder *r)
{
	OPENSSL_cleanse(&r->cxl, sizeof(r->cxl));
	r->cxl.init = true;
	r->cxl.gen = r->gen;
	r->cxl.tsp_state = CXL_TSP_STATE_CONFIG_UNLOCKED;
}
