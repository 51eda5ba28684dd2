// SPDX-License-Identifier: MIT
/*
 * LOCK / ACCEPT / UNLOCK: TDISP on a connected device, inside a secure
 * session the TSM holds from LOCK to UNLOCK (docs/tdisp.md, docs/devauthd.md).
 *
 * LOCK authenticates the device again over its held link, opens the
 * session, reads signed measurements inside it, negotiates TDISP, locks
 * the interface and reads its report; the evidence becomes that of the
 * lock (CERTs and VCA of the authentication, the in-session MEASUREMENTS,
 * REPORT as read, SESSION: the signed KEY_EXCHANGE / KEY_EXCHANGE_RSP and
 * the lock's TDISP header) with a new generation.  The nonce is the
 * CHALLENGE's, the KEY_EXCHANGE RandomData and the GET_MEASUREMENTS'.  ACCEPT starts the interface
 * with the lock's nonce and reads back RUN; UNLOCK stops it and ends the
 * session.  All three fail with EBUSY while a driver is bound; there is
 * no way back from RUN but UNLOCK.
 *
 * From LOCK to UNLOCK the session is kept alive: HEARTBEAT at half the
 * HeartbeatPeriod the device negotiated (keepalive.c wakes us, under the
 * op lock so it never interleaves with a command), with the interface's
 * state read back each time.  A loss of the link, a device reset, a
 * failed keep-alive, or a TDISP error or unexpected state on any TDISP
 * exchange makes the interface fall out (dev_tdisp_fall_out()): the
 * TVM's trust in it was given to that session and that state, and only
 * a new LOCK + ACCEPT, checked by userspace, gives it again.  A pin
 * never brings a TDISP interface back.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include <devauth/crypto.h>
#include <devauth/requester.h>
#include <devauth/tdisp.h>
#include "devauthd.h"

/* A command holding the device past its timeout: look again this soon. */
#define KEEPALIVE_RETRY_MS	100

struct dev_tdisp {
	struct spdm_req *r;
	struct da_transport *t;		/* the link the session runs on */
	struct da_tdisp *tdisp;
};

void dev_tdisp_drop(struct dev *dv)
{
	struct dev_tdisp *td = dv->td;

	if (!td)
		return;
	da_tdisp_free(td->tdisp);
	spdm_req_free(td->r);
	free(td);
	pthread_mutex_lock(&dv->lock);
	dv->td = NULL;
	dv->tdisp_state = TDISP_STATE_CONFIG_UNLOCKED;
	dv->ka_due_ms = 0;
	/* The report and the session it came through describe a lock that is gone. */
	da_buf_free(&dv->obj[DA_EV_REPORT]);
	da_buf_free(&dv->obj[DA_EV_SESSION]);
	dv->generation++;
	pthread_mutex_unlock(&dv->lock);
}

void dev_tdisp_fall_out(struct daemon *d, struct dev *dv, const char *why)
{
	char reason[DA_ERR_MSG_MAX];
	bool was_bound;

	if (!dv->td)
		return;
	snprintf(reason, sizeof(reason), "TDISP interface fell out: %.400s", why);
	dev_tdisp_drop(dv);
	/* The device's half of the session, and its lock, must not outlive ours. */
	link_drop(dv);
	pthread_mutex_lock(&dv->lock);
	was_bound = dv->bound;
	dv->bound = false;
	if (dv->state == PCI_TSM_STATE_BOUND)
		dv->state = dv->have_evidence ? PCI_TSM_STATE_CONNECTED :
			    PCI_TSM_STATE_UNCONNECTED;
	snprintf(dv->status, sizeof(dv->status), "%s", reason);
	pthread_mutex_unlock(&dv->lock);
	dlog("%s: %s", dv->name, reason);
	dev_trust_ended(d, dv, was_bound, PCI_TSM_EVENT_SESSION_LOST, reason, NULL);
}

/* Half the negotiated HeartbeatPeriod; 0 when the device keeps sessions without one. */
static uint64_t keepalive_interval_ms(const struct dev_tdisp *td)
{
	const struct spdm_req_session_info *si = spdm_req_session_info(td->r);

	if (!si->heartbeat_period || !(spdm_req_info(td->r)->rsp_caps & SPDM_CAP_HBEAT))
		return 0;
	return (uint64_t)si->heartbeat_period * 1000 / 2;
}

static void keepalive_arm(struct dev *dv, uint64_t in_ms)
{
	pthread_mutex_lock(&dv->lock);
	dv->ka_due_ms = dv->td && in_ms ? mono_ms() + in_ms : 0;
	pthread_mutex_unlock(&dv->lock);
	if (in_ms)
		keepalive_kick();
}

/* Under the op lock: EBUSY while bound, the state's refusal otherwise. */
static int check_state(struct dev *dv, const char *cmd, bool need_lock, struct da_err *err)
{
	int ret = 0;

	pthread_mutex_lock(&dv->lock);
	if (dv->state == PCI_TSM_STATE_BOUND)
		ret = da_errf(err, -EBUSY, "%s: %s: a driver is bound (unbind first)", dv->name, cmd);
	else if (dv->state != PCI_TSM_STATE_CONNECTED || !dv->have_evidence)
		ret = da_errf(err, -ENOTCONN, "%s: %s: device is %s, not connected", dv->name, cmd,
			      pci_tsm_state_name(dv->state));
	else if (need_lock && !dv->td)
		ret = da_errf(err, -EPERM, "%s: %s: the interface is not locked (LOCK first)",
			      dv->name, cmd);
	pthread_mutex_unlock(&dv->lock);
	return ret;
}

/* The held link must still be the one the session runs on. */
static int session_link(struct daemon *d, struct dev *dv, const char *cmd, struct da_err *err)
{
	struct da_transport *t = NULL;
	int ret;

	dv->deadline_ms = mono_ms() + d->op_timeout_ms;
	ret = link_get(d, dv, &t, err);
	if (ret)
		return ret;
	if (t != dv->td->t) {
		link_put(d, dv, true);
		dev_tdisp_fall_out(d, dv, "the link was lost since LOCK");
		return da_errf(err, -ENOTCONN, "%s: %s: the link was lost since LOCK: lock again",
			       dv->name, cmd);
	}
	spdm_req_begin_op(dv->td->r, dv->deadline_ms);
	return 0;
}

void dev_tdisp_keepalive(struct daemon *d, struct dev *dv)
{
	struct da_err err = { 0 };
	struct dev_tdisp *td;
	uint8_t state = 0;
	int ret;

	if (dev_op_lock(d, dv, &err)) {
		keepalive_arm(dv, KEEPALIVE_RETRY_MS);
		return;
	}
	if (!dv->td)
		goto out;
	ret = session_link(d, dv, "HEARTBEAT", &err);
	if (ret) {
		dev_tdisp_fall_out(d, dv, err.msg);
		goto out;
	}
	td = dv->td;
	ret = spdm_req_session_heartbeat(td->r, &err) ?:
	      da_tdisp_state(td->tdisp, &state, &err);
	if (!ret && state != dv->tdisp_state)
		ret = da_errf(&err, -EPROTO, "%s: keep-alive: the device reports the interface %s, not %s",
			      dv->name, tdisp_state_name(state), tdisp_state_name(dv->tdisp_state));
	link_put(d, dv, !ret);
	if (ret)
		dev_tdisp_fall_out(d, dv, err.msg);
	else
		keepalive_arm(dv, keepalive_interval_ms(td));
out:
	dv->deadline_ms = 0;
	dev_op_unlock(dv);
}

static int publish(struct dev *dv, struct dev_tdisp *td, struct da_err *err)
{
	struct da_buf obj[DA_EV_MAX + 1] = { 0 };
	int ret = 0;

	for (unsigned int type = 0; type <= DA_EV_MEASUREMENTS && !ret; type++) {
		const uint8_t *p;
		size_t n;

		if (!spdm_req_evidence(td->r, type, &p, &n))
			ret = da_buf_append(&obj[type], p, n);
	}
	if (!ret) {
		uint8_t hdr[TDISP_HDR_SIZE];
		const uint8_t *p;
		size_t n;

		/*
		 * SESSION: the signed KEY_EXCHANGE(_RSP), then the TDISP header
		 * the lock was sent with (version and INTERFACE_ID for the
		 * verifier's policy), docs/evidence.md.
		 */
		ret = da_tdisp_report_bytes(td->tdisp, &p, &n) ?:
		      da_buf_append(&obj[DA_EV_REPORT], p, n) ?:
		      spdm_req_evidence(td->r, DA_EV_SESSION, &p, &n) ?:
		      da_buf_append(&obj[DA_EV_SESSION], p, n) ?:
		      da_tdisp_lock_header(td->tdisp, hdr) ?:
		      da_buf_append(&obj[DA_EV_SESSION], hdr, sizeof(hdr));
	}
	if (ret) {
		for (unsigned int type = 0; type <= DA_EV_MAX; type++)
			da_buf_free(&obj[type]);
		return ret == -ENOENT ?
		       da_errf(err, -EPROTO, "%s: LOCK: no report or no KEY_EXCHANGE transcript to publish",
			       dv->name) :
		       da_errf(err, -ENOMEM, "%s: out of memory for evidence", dv->name);
	}
	pthread_mutex_lock(&dv->lock);
	for (unsigned int type = 0; type <= DA_EV_MAX; type++) {
		da_buf_free(&dv->obj[type]);
		dv->obj[type] = obj[type];
	}
	dv->generation++;
	dv->td = td;
	dv->tdisp_state = TDISP_STATE_CONFIG_LOCKED;
	pthread_mutex_unlock(&dv->lock);
	return 0;
}

/* Best effort, the first error is what the caller reports. */
static void undo_lock(struct dev_tdisp *td)
{
	struct da_err ignored = { 0 };

	da_tdisp_stop(td->tdisp, &ignored);
	spdm_req_session_end(td->r, &ignored);
}

static int lock_locked(struct daemon *d, struct dev *dv, const uint8_t *nonce,
		       struct da_err *err)
{
	struct spdm_req_config cfg;
	struct dev_tdisp *td;
	uint8_t own[SPDM_NONCE_SIZE];
	int ret;

	ret = dev_nonce(dv, &nonce, own, err);
	if (ret)
		return ret;
	td = calloc(1, sizeof(*td));
	if (!td)
		return da_errf(err, -ENOMEM, "%s: out of memory", dv->name);
	spdm_req_config_default(&cfg);
	cfg.dev_name = dv->name;
	cfg.slot = dv->neg.slot;
	if (dv->min_version) {
		cfg.min_version = dv->min_version;
		cfg.max_version = dv->max_version;
	}
	cfg.expect_id = dv->have_id ? &dv->id : NULL;
	cfg.have_nonce = cfg.have_meas_nonce = true;
	memcpy(cfg.nonce, nonce, SPDM_NONCE_SIZE);
	memcpy(cfg.meas_nonce, nonce, SPDM_NONCE_SIZE);
	/* The same nonce in the signed KEY_EXCHANGE: the session is as fresh as the caller asks. */
	cfg.have_ke_random = true;
	memcpy(cfg.ke_random, nonce, SPDM_NONCE_SIZE);
	cfg.session = true;
	dv->deadline_ms = mono_ms() + d->op_timeout_ms;
	cfg.deadline_ms = dv->deadline_ms;
	ret = link_get(d, dv, &td->t, err);
	if (ret)
		goto fail;
	td->r = spdm_req_new(&cfg, td->t);
	if (!td->r) {
		ret = da_errf(err, -ENOMEM, "%s: out of memory", dv->name);
		goto put;
	}
	ret = spdm_req_authenticate(td->r, err) ?: spdm_req_session_start(td->r, err) ?:
	      spdm_req_session_measure(td->r, err);
	if (ret)
		goto put;
	td->tdisp = da_tdisp_new(td->r, 0);
	if (!td->tdisp) {
		ret = da_errf(err, -ENOMEM, "%s: out of memory", dv->name);
		goto put;
	}
	ret = da_tdisp_version(td->tdisp, err) ?: da_tdisp_capabilities(td->tdisp, err);
	if (ret)
		goto put;
	ret = da_tdisp_lock(td->tdisp,
			    da_tdisp_lock_flags_supported(td->tdisp) & TDISP_LOCK_NO_FW_UPDATE, err);
	if (!ret) {
		ret = da_tdisp_report(td->tdisp, err) ?: publish(dv, td, err);
		/*
		 * Locked on the device, refused here: unlock it there too, or
		 * the interface stays locked (and the next LOCK is refused).
		 */
		if (ret)
			undo_lock(td);
	}
put:
	/* A device-level refusal leaves the link usable; link_put looks. */
	link_put(d, dv, !ret || ret == -EACCES || ret == -EPERM || ret == -EOPNOTSUPP);
	if (!ret)
		return 0;
fail:
	da_tdisp_free(td->tdisp);
	spdm_req_free(td->r);
	free(td);
	return ret;
}

int dev_lock(struct daemon *d, struct dev *dv, const uint8_t *nonce, struct da_err *err)
{
	int ret = dev_op_lock(d, dv, err);

	if (ret)
		return ret;
	ret = check_state(dv, "LOCK", false, err);
	if (!ret && dv->td)
		ret = da_errf(err, -EALREADY, "%s: LOCK: already %s", dv->name,
			      tdisp_state_name(dv->tdisp_state));
	if (!ret)
		ret = lock_locked(d, dv, nonce, err);
	dv->deadline_ms = 0;
	if (ret && ret != -EALREADY)
		dlog("%s: lock failed: %s", dv->name, err->msg);
	else if (!ret)
		dlog("%s: locked (TDISP report %zu bytes)", dv->name,
		     dv->obj[DA_EV_REPORT].len);
	if (!ret)
		keepalive_arm(dv, keepalive_interval_ms(dv->td));
	dev_op_unlock(dv);
	return ret;
}

/*
 * What START makes run must be what the verifier saw: the report is
 * read again and compared with the lock's evidence, so that a device
 * whose report changes while locked is not started.
 */
static int same_report(struct dev *dv, struct dev_tdisp *td, struct da_err *err)
{
	const uint8_t *p;
	size_t n, had;
	bool same;
	int ret;

	ret = da_tdisp_report(td->tdisp, err) ?: da_tdisp_report_bytes(td->tdisp, &p, &n);
	if (ret)
		return ret;
	pthread_mutex_lock(&dv->lock);
	had = dv->obj[DA_EV_REPORT].len;
	same = n == had && !memcmp(p, dv->obj[DA_EV_REPORT].data, n);
	pthread_mutex_unlock(&dv->lock);
	if (!same)
		return da_errf(err, -EPROTO,
			       "%s: ACCEPT: TDISP DEVICE_INTERFACE_REPORT changed since LOCK (%zu bytes, the evidence has %zu)",
			       dv->name, n, had);
	return 0;
}

int dev_accept(struct daemon *d, struct dev *dv, bool have_gen, uint64_t gen,
	       struct da_err *err)
{
	struct dev_tdisp *td;
	uint8_t state = 0;
	int ret = dev_op_lock(d, dv, err);

	if (ret)
		return ret;
	ret = check_state(dv, "ACCEPT", true, err);
	if (!ret && dv->tdisp_state == TDISP_STATE_RUN)
		ret = da_errf(err, -EALREADY, "%s: ACCEPT: already RUN", dv->name);
	if (!ret && have_gen && gen != dv->generation)
		ret = da_errf(err, -EAGAIN,
			      "%s: refusing to accept: evidence generation is %llu, not the verified %llu",
			      dv->name, (unsigned long long)dv->generation,
			      (unsigned long long)gen);
	if (!ret)
		ret = session_link(d, dv, "ACCEPT", err);
	if (ret)
		goto out;
	td = dv->td;
	ret = same_report(dv, td, err) ?: da_tdisp_start(td->tdisp, err) ?:
	      da_tdisp_state(td->tdisp, &state, err);
	if (!ret && state != TDISP_STATE_RUN)
		ret = da_errf(err, -EPROTO, "%s: ACCEPT: device reports %s after START",
			      dv->name, tdisp_state_name(state));
	link_put(d, dv, !ret || ret == -EACCES || ret == -EPERM || ret == -EPROTO);
	/* A START refused or a state other than RUN: the lock is no longer what was verified. */
	if (ret)
		dev_tdisp_fall_out(d, dv, err->msg);
	if (!ret) {
		pthread_mutex_lock(&dv->lock);
		dv->tdisp_state = TDISP_STATE_RUN;
		dv->generation++;
		/* What an earlier fall-out left is over: this interface is accepted. */
		dv->status[0] = '\0';
		pthread_mutex_unlock(&dv->lock);
		dlog("%s: accepted (TDISP RUN)", dv->name);
	}
out:
	dv->deadline_ms = 0;
	dev_op_unlock(dv);
	return ret;
}

int dev_unlock(struct daemon *d, struct dev *dv, struct da_err *err)
{
	struct da_err end_err = { 0 };
	struct dev_tdisp *td;
	int ret = dev_op_lock(d, dv, err);

	if (ret)
		return ret;
	ret = check_state(dv, "UNLOCK", false, err);
	if (!ret && !dv->td)
		ret = da_errf(err, -EALREADY, "%s: UNLOCK: not locked", dv->name);
	if (!ret)
		ret = session_link(d, dv, "UNLOCK", err);
	if (ret)
		goto out;
	td = dv->td;
	ret = da_tdisp_stop(td->tdisp, err);
	/* The session ends either way: a failed STOP leaves nothing to hold it for. */
	if (spdm_req_session_end(td->r, &end_err) && !ret)
		ret = da_errf(err, end_err.code, "%s", end_err.msg);
	link_put(d, dv, !ret);
	dev_tdisp_drop(dv);
	dlog("%s: unlocked%s%s", dv->name, ret ? ": " : "", ret ? err->msg : "");
out:
	dv->deadline_ms = 0;
	dev_op_unlock(dv);
	return ret;
}
