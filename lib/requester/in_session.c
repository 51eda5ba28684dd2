// SPDX-License-Identifier: MIT
/*
 * Requests inside an established session: the secured exchange,
 * signed GET_MEASUREMENTS (the in-session L1: VCA and the measurement
 * messages of the session, as outside), HEARTBEAT, KEY_UPDATE and
 * END_SESSION.  Keys and sequence numbers stay in lib/session.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "req.h"
#include "session/session.h"
#include "spdm/session_codec.h"

size_t spdm_req_session_state_size(void)
{
	return sizeof(struct spdm_session);
}

const struct spdm_req_session_info *spdm_req_session_info(const struct spdm_req *r)
{
	return &r->sinfo;
}

int req_sess_exchange(struct spdm_req *r, const uint8_t *req, size_t req_len,
		      uint8_t expect_code, bool crypto, bool update_rsp_before_open,
		      const uint8_t **rsp, size_t *rsp_len, struct da_err *err)
{
	size_t cap = req_len + spdm_sess_overhead(r->sess), len = 0;
	const char *name = req_msg_name(req_len > 1 ? req[1] : 0);
	uint8_t *tx = NULL, *rx = NULL;
	bool secured = false;
	struct wcur w;
	int ret;

	if (!r->sess)
		return da_errf(err, -ENOTCONN, "%s: no session", name);
	if (!r->rsp_buf && !(r->rsp_buf = malloc(REQ_BUF_SIZE)))
		return da_errf(err, -ENOMEM, "%s: out of memory", name);
	tx = malloc(cap);
	rx = malloc(REQ_BUF_SIZE + 64);
	if (!tx || !rx) {
		ret = da_errf(err, -ENOMEM, "%s: out of memory", name);
		goto out;
	}
	w = wcur_init(tx, cap);
	ret = spdm_sess_seal(r->sess, req, req_len, &w, err);
	if (ret < 0)
		goto out;
	ret = da_transport_exchange_secured(r->t, tx, (size_t)ret, rx, REQ_BUF_SIZE + 64, &len,
					    &secured, req_timeout_ms(r, crypto), err);
	if (ret) {
		da_err_prefix(err, "%s", name);
		goto out;
	}
	if (!secured) {
		/* A responder that cannot decrypt answers ERROR in the clear; either way the session is gone. */
		struct spdm_error e;

		if (len <= REQ_BUF_SIZE && len >= 4 && rx[1] == SPDM_ERROR &&
		    !spdm_decode_error(rx, len, &e, NULL))
			ret = da_errf(err, spdm_error_to_errno(e.code),
				      "%s: device answered ERROR %s (0x%02x) in the clear inside session 0x%08x",
				      name, spdm_error_name(e.code), e.code, r->sess->id);
		else
			ret = da_errf(err, -EPROTO,
				      "%s: response in the clear where a secured message is due (session 0x%08x)",
				      name, r->sess->id);
		spdm_sess_end(r->sess);
		goto out;
	}
	if (update_rsp_before_open) {
		ret = spdm_sess_key_update(r->sess, SPDM_DIR_RSP, err);
		if (ret)
			goto out;
	}
	ret = spdm_sess_open(r->sess, rx, len, r->rsp_buf, REQ_BUF_SIZE, rsp, rsp_len, err);
	if (ret) {
		da_err_prefix(err, "%s", name);
		goto out;
	}
	ret = req_check_rsp_hdr(r, req, req_len, *rsp, *rsp_len, expect_code, err);
out:
	free(tx);
	free(rx);
	return ret;
}

int req_need_session(struct spdm_req *r, const char *what, struct da_err *err)
{
	if (!r->t || !r->sess || r->sess->state != SPDM_SESS_ESTABLISHED)
		return da_errf(err, -ENOTCONN, "%s: %s needs an established session", r->dev, what);
	return 0;
}

int req_sess_done(struct spdm_req *r, int ret, struct da_err *err)
{
	req_trim(r);
	if (ret)
		da_err_prefix(err, "%s", r->dev);
	return ret;
}

int spdm_req_session_measure(struct spdm_req *r, struct da_err *err)
{
	struct wcur w = wcur_init(r->req_buf, sizeof(r->req_buf));
	uint32_t meas = r->info.rsp_caps & SPDM_CAP_MEAS_MASK;
	const uint8_t *rsp;
	size_t rsp_len;
	long built;
	int ret;

	ret = req_need_session(r, "GET_MEASUREMENTS", err);
	if (ret)
		return ret;
	if (!meas) {
		da_check_add(&r->checks, "session-measurements", DA_CHECK_SKIP,
			     "device has no MEAS_CAP");
		return 0;
	}
	if (r->cfg.slot == SPDM_SLOT_PROVISIONED) {
		da_check_add(&r->checks, "session-measurements", DA_CHECK_SKIP,
			     "measurements signed with a provisioned public key are not verified yet");
		return 0;
	}
	/* The session's L1 starts afresh: nothing from outside the session is in it. */
	req_l1_reset(r);
	r->info.measured = false;
	built = req_build_get_measurements(r, SPDM_MEAS_OP_ALL, meas == SPDM_CAP_MEAS_SIG, &w);
	if (built < 0)
		return da_errf(err, (int)built, "%s: GET_MEASUREMENTS: encoding failed", r->dev);
	ret = req_sess_exchange(r, r->req_buf, (size_t)built, SPDM_MEASUREMENTS, true, false,
				&rsp, &rsp_len, err);
	if (!ret)
		ret = req_process_measurements(r, r->req_buf, (size_t)built, rsp, rsp_len, 0, err);
	if (ret)
		return req_sess_done(r, req_fail(r, NULL, "session-measurements", ret, "%s", err->msg), err);
	r->sinfo.measured = meas != SPDM_CAP_MEAS_SIG || r->info.measured;
	req_pass(r, "session-measurements", "%s MEASUREMENTS inside session 0x%08x",
		 meas == SPDM_CAP_MEAS_SIG ? "signed" : "unsigned", r->sinfo.session_id);
	return req_sess_done(r, 0, err);
}

int spdm_req_session_heartbeat(struct spdm_req *r, struct da_err *err)
{
	struct wcur w = wcur_init(r->req_buf, sizeof(r->req_buf));
	const uint8_t *rsp;
	size_t rsp_len;
	int ret, built;

	ret = req_need_session(r, "HEARTBEAT", err);
	if (ret)
		return ret;
	if (!(r->info.rsp_caps & SPDM_CAP_HBEAT)) {
		da_check_add(&r->checks, "heartbeat", DA_CHECK_SKIP, "device has no HBEAT_CAP");
		return 0;
	}
	built = spdm_encode_heartbeat(&w, r->p.version);
	if (built < 0)
		return da_errf(err, built, "%s: HEARTBEAT: encoding failed", r->dev);
	ret = req_sess_exchange(r, r->req_buf, (size_t)built, SPDM_HEARTBEAT_ACK, false, false,
				&rsp, &rsp_len, err);
	if (!ret)
		ret = req_true_len(r, rsp, rsp_len, spdm_decode_heartbeat_ack(rsp, rsp_len, err),
				   0, err);
	if (ret < 0)
		return req_sess_done(r, req_fail(r, NULL, "heartbeat", ret, "%s", err->msg), err);
	r->sinfo.heartbeats++;
	req_pass(r, "heartbeat", "HEARTBEAT_ACK (HeartbeatPeriod %u s)", r->sinfo.heartbeat_period);
	return req_sess_done(r, 0, err);
}

static int key_update_op(struct spdm_req *r, uint8_t op, struct da_err *err)
{
	struct wcur w = wcur_init(r->req_buf, sizeof(r->req_buf));
	struct spdm_key_update k = { .operation = op }, ack = { 0 };
	bool all = op == SPDM_KEY_UPDATE_OP_UPDATE_ALL_KEYS;
	const uint8_t *rsp;
	size_t rsp_len;
	int ret, built;

	ret = da_random(&k.tag, 1);
	if (ret)
		return da_errf(err, ret, "KEY_UPDATE: no random tag");
	built = spdm_encode_key_update(&w, r->p.version, &k);
	if (built < 0)
		return da_errf(err, built, "KEY_UPDATE: encoding failed");
	/*
	 * The request goes out with the old request key; the responder
	 * answers UpdateAllKeys with its new response key already.
	 */
	ret = req_sess_exchange(r, r->req_buf, (size_t)built, SPDM_KEY_UPDATE_ACK, false, all,
				&rsp, &rsp_len, err);
	if (!ret)
		ret = req_true_len(r, rsp, rsp_len, spdm_decode_key_update_ack(rsp, rsp_len, &ack,
									       err), 0, err);
	if (ret >= 0 && (ack.operation != k.operation || ack.tag != k.tag))
		ret = da_errf(err, -EPROTO,
			      "KEY_UPDATE_ACK: KeyOperation %u Tag 0x%02x, request had %u 0x%02x",
			      ack.operation, ack.tag, k.operation, k.tag);
	if (ret < 0) {
		if (r->sess->state == SPDM_SESS_ESTABLISHED)
			spdm_sess_key_update_rollback(r->sess, SPDM_DIR_RSP);
		return ret;
	}
	if (all)
		spdm_sess_key_update_commit(r->sess, SPDM_DIR_RSP);
	if (op == SPDM_KEY_UPDATE_OP_VERIFY_NEW_KEY)
		return 0;
	/* The ACK is in: from now on requests use the new request key. */
	ret = spdm_sess_key_update(r->sess, SPDM_DIR_REQ, err);
	if (!ret)
		spdm_sess_key_update_commit(r->sess, SPDM_DIR_REQ);
	return ret;
}

int spdm_req_session_key_update(struct spdm_req *r, bool all_keys, struct da_err *err)
{
	int ret;

	ret = req_need_session(r, "KEY_UPDATE", err);
	if (ret)
		return ret;
	if (!(r->info.rsp_caps & SPDM_CAP_KEY_UPD)) {
		da_check_add(&r->checks, "key-update", DA_CHECK_SKIP, "device has no KEY_UPD_CAP");
		return 0;
	}
	ret = key_update_op(r, all_keys ? SPDM_KEY_UPDATE_OP_UPDATE_ALL_KEYS :
			    SPDM_KEY_UPDATE_OP_UPDATE_KEY, err) ?:
	      key_update_op(r, SPDM_KEY_UPDATE_OP_VERIFY_NEW_KEY, err);
	if (ret)
		return req_sess_done(r, req_fail(r, NULL, "key-update", ret, "%s", err->msg), err);
	r->sinfo.key_updates++;
	req_pass(r, "key-update", "%s + VerifyNewKey acknowledged with the new keys",
		 all_keys ? "UpdateAllKeys" : "UpdateKey");
	return req_sess_done(r, 0, err);
}

int spdm_req_session_end(struct spdm_req *r, struct da_err *err)
{
	struct wcur w = wcur_init(r->req_buf, sizeof(r->req_buf));
	const uint8_t *rsp;
	size_t rsp_len;
	int ret, built;

	ret = req_need_session(r, "END_SESSION", err);
	if (ret)
		return ret;
	built = spdm_encode_end_session(&w, r->p.version, 0);
	if (built < 0)
		return da_errf(err, built, "%s: END_SESSION: encoding failed", r->dev);
	ret = req_sess_exchange(r, r->req_buf, (size_t)built, SPDM_END_SESSION_ACK, false, false,
				&rsp, &rsp_len, err);
	if (!ret)
		ret = req_true_len(r, rsp, rsp_len, spdm_decode_end_session_ack(rsp, rsp_len, err),
				   0, err);
	req_sess_free(r);
	r->sinfo.established = false;
	if (ret < 0)
		return req_sess_done(r, req_fail(r, NULL, "end-session", ret, "%s", err->msg), err);
	r->sinfo.ended = true;
	req_pass(r, "end-session", "END_SESSION_ACK; session 0x%08x secrets wiped",
		 r->sinfo.session_id);
	return req_sess_done(r, 0, err);
}
