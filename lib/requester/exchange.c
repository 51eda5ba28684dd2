// SPDX-License-Identifier: MIT
/*
 * The exchange loop: Busy, ResponseNotReady, large messages through
 * chunk.c, timeouts from CTExponent/RDTExponent and the operation's
 * deadline.  Kept apart from core.c so that the folder's helpers never
 * call up into the chunking they serve.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include "req.h"

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
