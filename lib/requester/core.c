// SPDX-License-Identifier: MIT
/*
 * Requester core: state, the exchange loop (Busy, ResponseNotReady,
 * large messages through chunk.c, timeouts from CTExponent/RDTExponent),
 * response header checks and the list of checks that `devauth probe`
 * prints.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "req.h"

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
	c->cert_portion = 1024;
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
	if (!r->cfg.cert_portion || r->cfg.cert_portion > REQ_MAX_MSG - 64)
		r->cfg.cert_portion = 1024;
	r->reading_slot = -1;
	return r;
}

size_t spdm_req_state_size(void)
{
	return sizeof(struct spdm_req);
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

static unsigned long long pow2_us(uint8_t exp)
{
	return exp >= 63 ? ~0ull : 1ull << exp;
}

unsigned int req_timeout_ms(struct spdm_req *r, bool crypto)
{
	unsigned long long ms = r->cfg.rtt_ms;

	/* DSP0274: CT = 2^CTExponent us bounds cryptographic responses. */
	if (crypto)
		ms += (pow2_us(r->info.ct_exponent) + 999) / 1000;
	return ms > 600000 ? 600000 : (unsigned int)ms;
}

static void sleep_us(unsigned long long us)
{
	struct timespec ts = { .tv_sec = (time_t)(us / 1000000),
			       .tv_nsec = (long)(us % 1000000) * 1000 };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* The exchange's timeout, cut to what is left of the operation. */
static int deadline_timeout(struct spdm_req *r, bool crypto, uint8_t code, unsigned int *ms,
			    struct da_err *err)
{
	uint64_t now;

	*ms = req_timeout_ms(r, crypto);
	if (!r->cfg.deadline_ms)
		return 0;
	now = mono_ms();
	if (now >= r->cfg.deadline_ms)
		return da_errf(err, -ETIMEDOUT, "%s: the operation's deadline has passed",
			       req_msg_name(code));
	if (r->cfg.deadline_ms - now < *ms)
		*ms = (unsigned int)(r->cfg.deadline_ms - now);
	return 0;
}

int req_exchange(struct spdm_req *r, const uint8_t *req, size_t req_len, uint8_t expect_code,
		 bool crypto, const uint8_t **rsp, size_t *rsp_len, struct da_err *err)
{
	unsigned int busy = 0, not_ready = 0;
	size_t len;
	const uint8_t *send = req;
	size_t send_len = req_len;
	uint8_t rir[8];
	struct spdm_hdr qh, h;
	struct spdm_error e;
	bool large;
	int ret;

	ret = spdm_decode_hdr(req, req_len, &qh, err);
	if (ret < 0)
		return ret;
	if (!r->rsp_buf) {
		r->rsp_buf = malloc(REQ_BUF_SIZE);
		if (!r->rsp_buf)
			return da_errf(err, -ENOMEM, "%s: out of memory", req_msg_name(qh.code));
	}
	for (;;) {
		unsigned int tmo;

		len = 0;
		ret = deadline_timeout(r, crypto, qh.code, &tmo, err);
		if (ret)
			return ret;
		large = false;
		if (req_chunking(r) && send_len > r->info.data_transfer_size)
			ret = req_send_chunked(r, send, send_len, tmo, &len, err);
		else if (r->phase >= PH_CAPS && r->p.version >= SPDM_VER_12 &&
			 send_len > r->info.data_transfer_size)
			return da_errf(err, -EMSGSIZE,
				       "%s: %zu bytes exceed the device's DataTransferSize %u and one side lacks CHUNK_CAP",
				       req_msg_name(qh.code), send_len, r->info.data_transfer_size);
		else
			ret = da_transport_exchange(r->t, send, send_len, r->rsp_buf, REQ_BUF_SIZE,
						    &len, tmo, err);
		if (ret < 0) {
			if (ret == -ETIMEDOUT && crypto)
				da_err_prefix(err, "%s: no response within %u ms (2^CTExponent %u us + %u ms)",
					      req_msg_name(qh.code), req_timeout_ms(r, crypto),
					      r->info.ct_exponent, r->cfg.rtt_ms);
			else if (ret == -ETIMEDOUT)
				da_err_prefix(err, "%s: no response within %u ms",
					      req_msg_name(qh.code), req_timeout_ms(r, crypto));
			else
				da_err_prefix(err, "%s", req_msg_name(qh.code));
			return ret;
		}
		ret = spdm_decode_hdr(r->rsp_buf, len, &h, err);
		if (ret < 0)
			return ret;
		if (h.code != SPDM_ERROR)
			break;
		ret = spdm_decode_error(r->rsp_buf, len, &e, err);
		if (ret < 0)
			return ret;
		if (e.code == SPDM_ERR_LARGE_RESPONSE && req_chunking(r)) {
			ret = req_get_chunked(r, h.version, e.ext[0], req_timeout_ms(r, crypto), err);
			if (ret < 0) {
				da_err_prefix(err, "%s: large response", req_msg_name(qh.code));
				return ret;
			}
			large = true;
			break;
		}
		if (e.code == SPDM_ERR_BUSY && busy < r->cfg.busy_retries) {
			busy++;
			sleep_us(10000ull * busy);
			send = req;
			send_len = req_len;
			continue;
		}
		if (e.code == SPDM_ERR_RESPONSE_NOT_READY && not_ready < r->cfg.not_ready_retries) {
			struct wcur w = wcur_init(rir, sizeof(rir));
			unsigned long long wt = pow2_us(e.rdt_exponent);

			if (e.request_code != qh.code)
				return da_errf(err, -EPROTO,
					       "%s: ResponseNotReady names request 0x%02x",
					       req_msg_name(qh.code), e.request_code);
			if (wt > 60000000ull)
				return da_errf(err, -ETIMEDOUT,
					       "%s: ResponseNotReady asks to wait 2^%u us",
					       req_msg_name(qh.code), e.rdt_exponent);
			if (r->cfg.deadline_ms && mono_ms() + wt / 1000 >= r->cfg.deadline_ms)
				return da_errf(err, -ETIMEDOUT,
					       "%s: ResponseNotReady asks to wait 2^%u us, past the operation's deadline",
					       req_msg_name(qh.code), e.rdt_exponent);
			not_ready++;
			sleep_us(wt);
			ret = spdm_encode_respond_if_ready(&w, qh.version, qh.code, e.token);
			if (ret < 0)
				return da_errf(err, ret, "RESPOND_IF_READY: encoding failed");
			send = rir;
			send_len = (size_t)ret;
			continue;
		}
		if (e.code == SPDM_ERR_BUSY)
			return da_errf(err, -EBUSY, "%s: device still Busy after %u retries",
				       req_msg_name(qh.code), busy);
		if (e.code == SPDM_ERR_RESPONSE_NOT_READY)
			return da_errf(err, -ETIMEDOUT,
				       "%s: device still ResponseNotReady after %u RESPOND_IF_READY",
				       req_msg_name(qh.code), not_ready);
		return da_errf(err, spdm_error_to_errno(e.code),
			       "%s: device answered ERROR %s (0x%02x, data 0x%02x)",
			       req_msg_name(qh.code), spdm_error_name(e.code), e.code, e.data);
	}
	if (large) {
		*rsp = r->rx.buf.data;
		*rsp_len = r->rx.buf.len;
	} else {
		/* 1.2+: no single transfer may exceed the DataTransferSize we advertised. */
		if (r->p.version >= SPDM_VER_12 && r->own_dts &&
		    len > r->own_dts + da_framing_max_pad(r->t->framing))
			return da_errf(err, -EMSGSIZE,
				       "%s: %zu-byte response exceeds our DataTransferSize %u",
				       req_msg_name(h.code), len, r->own_dts);
		*rsp = r->rsp_buf;
		*rsp_len = len;
	}
	if (h.code != expect_code || large)
		return req_check_rsp_hdr(r, req, req_len, *rsp, *rsp_len, expect_code, err);
	return 0;
}
