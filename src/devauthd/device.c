// SPDX-License-Identifier: MIT
/*
 * The per-device state machine:
 *
 *   unconnected --CONNECT--> connecting --ok--> connected --BIND--> bound
 *        ^                       |                  |                 |
 *        |                       +--fail--> failed  |  <---UNBIND-----+
 *        +-----------DISCONNECT-----------------------+
 *
 * A refresh (EVIDENCE_READ with NONCE) re-authenticates a connected or
 * bound device with the caller's nonce and keeps its state.  Every
 * evidence change bumps the generation, so a dump that spans one can
 * tell.
 *
 * Recovery (docs/pin.md): a lost session (a failed refresh, a RESET) is
 * reported as session-lost; a pinned device is then re-authenticated
 * with a CSPRNG nonce of the daemon and checked against its pin:
 * revalidated (state kept), or revalidation-failed and unbound,
 * unconnected.  Unpinned devices keep their state.
 *
 * SPDM work runs with only the operation lock held; results are
 * published under the state lock in one step, so LIST and dumps never
 * wait for a device.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <devauth/chain.h>
#include <devauth/evidence.h>
#include <devauth/requester.h>
#include <devauth/verifier.h>

#include <devauth/crypto.h>

#include "devauthd.h"
#include <devauth/tdisp.h>

static void notify(struct dev *dv, uint32_t event, const char *reason)
{
	dev_notify(dv, event, reason, NULL);
}

static void set_status(struct dev *dv, uint32_t state, const char *status)
{
	pthread_mutex_lock(&dv->lock);
	dv->state = state;
	snprintf(dv->status, sizeof(dv->status), "%s", status);
	pthread_mutex_unlock(&dv->lock);
}

static void revoke(struct daemon *d, struct dev *dv, uint32_t event, const char *reason,
		   const char *check);

/*
 * One authentication over the device's held link: VCA .. CHALLENGE with
 * the caller's nonce (the daemon's own CSPRNG nonce when none is given),
 * signed MEASUREMENTS when the device has MEAS_CAP (with the same nonce,
 * so a verifier sees its own nonce in both), then publish every object
 * under a new generation.  With res, a device userspace bound must also
 * show what was accepted (dev_reauth_check) before anything is
 * published: -EKEYREJECTED and res name the check that failed.
 */
static int authenticate(struct daemon *d, struct dev *dv, uint8_t slot, const uint8_t *nonce,
			struct da_pin_result *res, struct da_err *err)
{
	struct spdm_req_config cfg;
	struct da_transport *t = NULL;
	struct spdm_req *r = NULL;
	struct da_buf obj[DA_EV_MAX + 1] = { 0 };
	const struct spdm_req_info *info;
	uint8_t own[SPDM_NONCE_SIZE];
	char identity[160] = "";
	bool bound;
	int ret;

	ret = dev_nonce(dv, &nonce, own, err);
	if (ret)
		return ret;
	spdm_req_config_default(&cfg);
	cfg.dev_name = dv->name;
	cfg.slot = slot;
	if (dv->min_version) {
		cfg.min_version = dv->min_version;
		cfg.max_version = dv->max_version;
	}
	cfg.expect_id = dv->have_id ? &dv->id : NULL;
	cfg.have_nonce = true;
	memcpy(cfg.nonce, nonce, SPDM_NONCE_SIZE);
	cfg.have_meas_nonce = true;
	memcpy(cfg.meas_nonce, nonce, SPDM_NONCE_SIZE);
	/* One deadline for all of it: connect, every exchange, every ResponseNotReady wait. */
	dv->deadline_ms = mono_ms() + d->op_timeout_ms;
	cfg.deadline_ms = dv->deadline_ms;
	ret = link_get(d, dv, &t, err);
	if (ret) {
		dv->deadline_ms = 0;
		return ret;
	}
	r = spdm_req_new(&cfg, t);
	if (!r) {
		ret = da_errf(err, -ENOMEM, "%s: out of memory", dv->name);
		goto out;
	}
	ret = spdm_req_authenticate(r, err);
	if (ret)
		goto out;
	info = spdm_req_info(r);
	if ((info->rsp_caps & SPDM_CAP_MEAS_MASK) == SPDM_CAP_MEAS_SIG) {
		ret = spdm_req_measure(r, err);
		if (ret)
			goto out;
	}
	pthread_mutex_lock(&dv->lock);
	bound = dv->bound;
	pthread_mutex_unlock(&dv->lock);
	if (res && bound) {
		struct da_evidence ev;

		da_evidence_init(&ev);
		snprintf(ev.dev_name, sizeof(ev.dev_name), "%s", dv->name);
		snprintf(ev.tsm, sizeof(ev.tsm), "%s", dv->tsm);
		ev.have_nonce = true;
		memcpy(ev.nonce, nonce, SPDM_NONCE_SIZE);
		ret = da_evidence_from_req(&ev, r, err);
		if (!ret)
			ret = dev_reauth_check(d, dv, &ev, nonce, res, err);
		da_evidence_free(&ev);
		if (ret) {
			if (!res->failed_check[0]) {
				snprintf(res->failed_check, sizeof(res->failed_check), "evidence");
				snprintf(res->reason, sizeof(res->reason), "%s", err->msg);
			}
			ret = -EKEYREJECTED;
			goto out;
		}
	}
	for (unsigned int type = 0; type <= DA_EV_MEASUREMENTS; type++) {
		const uint8_t *p;
		size_t n;

		if (spdm_req_evidence(r, type, &p, &n))
			continue;
		ret = da_buf_append(&obj[type], p, n);
		if (ret) {
			da_errf(err, ret, "%s: out of memory for evidence", dv->name);
			goto out;
		}
	}
	spdm_chain_leaf_identity(spdm_req_chain(r, slot), identity, sizeof(identity));
	pthread_mutex_lock(&dv->lock);
	for (unsigned int type = 0; type <= DA_EV_MAX; type++) {
		da_buf_free(&dv->obj[type]);
		dv->obj[type] = obj[type];
		obj[type] = (struct da_buf){ 0 };
	}
	dv->have_evidence = true;
	dv->generation++;
	dv->neg = info->neg;
	dv->neg.slot = slot;
	snprintf(dv->identity, sizeof(dv->identity), "%s", identity);
	pthread_mutex_unlock(&dv->lock);
out:
	/* An SPDM-level refusal leaves the link usable; link_put looks. */
	link_put(d, dv, ret == 0 || ret == -EKEYREJECTED);
	dv->deadline_ms = 0;
	for (unsigned int type = 0; type <= DA_EV_MAX; type++)
		da_buf_free(&obj[type]);
	spdm_req_free(r);
	return ret;
}

/*
 * The op lock for a command that authenticates again (cmd, as the
 * client asked): refused while a TDISP interface is held, as a new
 * authentication would end the session the interface lives in.
 */
static int op_lock_unheld(struct daemon *d, struct dev *dv, const char *cmd, struct da_err *err)
{
	int ret = dev_op_lock(d, dv, err);

	if (ret)
		return ret;
	if (dv->td) {
		dev_op_unlock(dv);
		return da_errf(err, -EBUSY, "%s: %s: the TDISP interface is locked (UNLOCK first)",
			       dv->name, cmd);
	}
	return 0;
}

/*
 * A re-authentication userspace asked for (what: connect, refresh; cmd:
 * the client's command) did not show what was bound: the binding ends.
 */
static void reauth_rejected(struct daemon *d, struct dev *dv, const char *what, const char *cmd,
			    const struct da_pin_result *res, struct da_err *err)
{
	dlog("%s: %s: revalidation failed: %s: %s", dv->name, what, res->failed_check,
	     res->reason);
	revoke(d, dv, PCI_TSM_EVENT_REVALIDATION_FAILED, res->reason, res->failed_check);
	da_err_prefix(err, "%s: %s: revalidation failed", dv->name, cmd);
}

int dev_connect(struct daemon *d, struct dev *dv, const char *tsm, uint8_t slot,
		const uint8_t *nonce, struct da_err *err)
{
	struct da_pin_result res = { 0 };
	uint32_t prev;
	int ret;

	ret = op_lock_unheld(d, dv, "CONNECT", err);
	if (ret)
		return ret;
	pthread_mutex_lock(&dv->lock);
	prev = dv->state;
	/* A bound device stays bound across a reconnect userspace asked for. */
	if (prev != PCI_TSM_STATE_BOUND)
		dv->state = PCI_TSM_STATE_CONNECTING;
	snprintf(dv->tsm, sizeof(dv->tsm), "%s", tsm);
	pthread_mutex_unlock(&dv->lock);

	ret = authenticate(d, dv, slot, nonce, &res, err);
	if (ret == -EKEYREJECTED) {
		/* Connected again, but not to what userspace bound. */
		reauth_rejected(d, dv, "connect", "CONNECT", &res, err);
	} else if (ret) {
		if (prev == PCI_TSM_STATE_BOUND) {
			set_status(dv, prev, err ? err->msg : "connect failed");
		} else {
			pthread_mutex_lock(&dv->lock);
			/* Old evidence must not outlive a failed connect. */
			if (dv->have_evidence)
				dv->generation++;
			dv->have_evidence = false;
			pthread_mutex_unlock(&dv->lock);
			set_status(dv, PCI_TSM_STATE_FAILED, err ? err->msg : "connect failed");
		}
		dlog("%s: connect failed: %s", dv->name, err ? err->msg : "");
		notify(dv, PCI_TSM_EVENT_CONNECT_FAILED, err ? err->msg : "connect failed");
	} else {
		set_status(dv, prev == PCI_TSM_STATE_BOUND ? prev : PCI_TSM_STATE_CONNECTED, "");
		dlog("%s: connected to %s (slot %u)", dv->name, tsm, slot);
		notify(dv, PCI_TSM_EVENT_CONNECTED, NULL);
	}
	da_pin_result_free(&res);
	dev_op_unlock(dv);
	return ret;
}

/* The evidence as published, as a bundle for the pin check. */
static int evidence_of(struct dev *dv, const uint8_t *nonce, struct da_evidence *ev,
		       struct da_err *err)
{
	int ret = 0;

	da_evidence_init(ev);
	pthread_mutex_lock(&dv->lock);
	snprintf(ev->dev_name, sizeof(ev->dev_name), "%s", dv->name);
	snprintf(ev->tsm, sizeof(ev->tsm), "%s", dv->tsm);
	snprintf(ev->identity, sizeof(ev->identity), "%s", dv->identity);
	ev->neg = dv->neg;
	ev->generation = dv->generation;
	ev->time = (uint64_t)time(NULL);
	ev->have_nonce = true;
	memcpy(ev->nonce, nonce, SPDM_NONCE_SIZE);
	for (unsigned int t = 0; t <= DA_EV_MAX && !ret; t++)
		if (dv->obj[t].len)
			ret = da_evidence_set(ev, t, dv->obj[t].data, dv->obj[t].len);
	pthread_mutex_unlock(&dv->lock);
	if (ret)
		da_errf(err, ret, "%s: out of memory for evidence", dv->name);
	return ret;
}

/*
 * Trust ends: evidence dropped, unbound, unconnected, persisted; stays
 * so until userspace attests the device again.
 */
static void revoke(struct daemon *d, struct dev *dv, uint32_t event, const char *reason,
		   const char *check)
{
	bool was_bound;

	pthread_mutex_lock(&dv->lock);
	was_bound = dv->bound;
	for (unsigned int t = 0; t <= DA_EV_MAX; t++)
		da_buf_free(&dv->obj[t]);
	if (dv->have_evidence)
		dv->generation++;
	dv->have_evidence = false;
	dv->bound = false;
	dv->state = PCI_TSM_STATE_UNCONNECTED;
	dv->tsm[0] = '\0';
	snprintf(dv->status, sizeof(dv->status), "%s", reason);
	pthread_mutex_unlock(&dv->lock);
	dev_trust_ended(d, dv, was_bound, event, reason, check);
}

/* With the operation lock held; the session is already known lost. */
static void recover_locked(struct daemon *d, struct dev *dv, struct da_pin_result *res)
{
	uint8_t nonce[SPDM_NONCE_SIZE];
	struct da_evidence ev;
	struct da_err err = { 0 };
	char reason[DA_ERR_MSG_MAX];
	uint8_t slot;
	int ret;

	if (dv->pin->mode == DA_PIN_FATAL) {
		snprintf(res->failed_check, sizeof(res->failed_check), "pin-mode");
		snprintf(res->reason, sizeof(res->reason),
			 "pin mode fatal: the session was lost, no re-challenge");
		dlog("%s: %s", dv->name, res->reason);
		revoke(d, dv, 0, res->reason, NULL);
		return;
	}
	pthread_mutex_lock(&dv->lock);
	slot = dv->neg.slot;
	if (!dv->tsm[0])
		snprintf(dv->tsm, sizeof(dv->tsm), "%s", d->tsms[0].name);
	pthread_mutex_unlock(&dv->lock);
	/* The daemon's own nonce: evidence from before the loss cannot answer it. */
	ret = da_random(nonce, sizeof(nonce));
	if (ret)
		da_errf(&err, ret, "%s: no nonce from the CSPRNG", dv->name);
	else
		ret = authenticate(d, dv, slot, nonce, NULL, &err);
	if (ret) {
		snprintf(res->failed_check, sizeof(res->failed_check), "connect");
		snprintf(res->reason, sizeof(res->reason), "%s", err.msg);
		goto fail;
	}
	ret = evidence_of(dv, nonce, &ev, &err);
	if (!ret) {
		ret = dev_pin_check(d, dv, &ev, nonce, res, &err);
		da_evidence_free(&ev);
	}
	if (ret) {
		snprintf(res->failed_check, sizeof(res->failed_check), "pin");
		snprintf(res->reason, sizeof(res->reason), "%s", err.msg);
		goto fail;
	}
	if (!res->passed)
		goto fail;
	snprintf(reason, sizeof(reason), "pin mode %s: every check passed with a fresh nonce",
		 da_pin_mode_name(dv->pin->mode));
	pthread_mutex_lock(&dv->lock);
	dv->status[0] = '\0';
	pthread_mutex_unlock(&dv->lock);
	dlog("%s: revalidated (%s)", dv->name, reason);
	notify(dv, PCI_TSM_EVENT_REVALIDATED, reason);
	return;
fail:
	dlog("%s: revalidation failed: %s: %s", dv->name, res->failed_check, res->reason);
	revoke(d, dv, PCI_TSM_EVENT_REVALIDATION_FAILED, res->reason, res->failed_check);
}

int dev_recover(struct daemon *d, struct dev *dv, bool reset, struct da_pin_result *res,
		struct da_err *err)
{
	uint32_t state;
	bool pinned;
	int ret;

	memset(res, 0, sizeof(*res));
	ret = dev_op_lock(d, dv, err);
	if (ret)
		return ret;
	pthread_mutex_lock(&dv->lock);
	state = dv->state;
	pinned = dv->pin != NULL;
	pthread_mutex_unlock(&dv->lock);
	if (!reset && !pinned) {
		ret = da_errf(err, -ENOENT, "%s: REVALIDATE: no pin installed (devauth pin %s ...)",
			      dv->name, dv->name);
		goto out;
	}
	if (!reset && state != PCI_TSM_STATE_CONNECTED && state != PCI_TSM_STATE_BOUND) {
		ret = da_errf(err, -ENXIO, "%s: REVALIDATE: device is %s: nothing to revalidate",
			      dv->name, pci_tsm_state_name(state));
		goto out;
	}
	if (reset && dv->td) {
		/* The interface the TVM accepted does not survive a reset; no pin brings it back. */
		dev_tdisp_fall_out(d, dv, "reset requested");
		goto out;
	}
	if (reset) {
		/*
		 * The spdm-emu socket protocol has no reset message: the device
		 * side is reset by its owner (devauth-emu ctl reset); here the
		 * TSM's session ends, as a reset ends it.
		 */
		dlog("%s: reset: session lost", dv->name);
		notify(dv, PCI_TSM_EVENT_SESSION_LOST, "reset requested");
	}
	/* Unpinned: the event is all (the default of the design); state unchanged. */
	if (pinned && (state == PCI_TSM_STATE_CONNECTED || state == PCI_TSM_STATE_BOUND))
		recover_locked(d, dv, res);
out:
	dev_op_unlock(dv);
	return ret;
}

int dev_refresh(struct daemon *d, struct dev *dv, const uint8_t *nonce, struct da_err *err)
{
	struct da_pin_result res = { 0 };
	uint32_t state;
	uint8_t slot;
	int ret;

	ret = op_lock_unheld(d, dv, "NONCE", err);
	if (ret)
		return ret;
	pthread_mutex_lock(&dv->lock);
	state = dv->state;
	slot = dv->neg.slot;
	pthread_mutex_unlock(&dv->lock);
	if (state != PCI_TSM_STATE_CONNECTED && state != PCI_TSM_STATE_BOUND) {
		ret = da_errf(err, -ENXIO, "%s: not connected to a TSM (state %s): connect first",
			      dv->name, pci_tsm_state_name(state));
		goto out;
	}
	ret = authenticate(d, dv, slot, nonce, &res, err);
	if (ret == -EKEYREJECTED) {
		/* A fresh answer from a device other than the one userspace bound. */
		reauth_rejected(d, dv, "refresh", "EVIDENCE_READ", &res, err);
	} else if (ret) {
		/* Evidence that could not be refreshed is no longer evidence. */
		pthread_mutex_lock(&dv->lock);
		dv->have_evidence = false;
		dv->generation++;
		snprintf(dv->status, sizeof(dv->status), "%s", err ? err->msg : "refresh failed");
		if (dv->state == PCI_TSM_STATE_CONNECTED)
			dv->state = PCI_TSM_STATE_FAILED;
		pthread_mutex_unlock(&dv->lock);
		dlog("%s: refresh failed: %s", dv->name, err ? err->msg : "");
		/* The TSM's session with the device is gone: a pinned device is recovered. */
		notify(dv, PCI_TSM_EVENT_SESSION_LOST, err ? err->msg : "refresh failed");
		if (dv->pin && state == PCI_TSM_STATE_BOUND) {
			da_pin_result_free(&res);
			memset(&res, 0, sizeof(res));
			recover_locked(d, dv, &res);
		}
	}
out:
	da_pin_result_free(&res);
	dev_op_unlock(dv);
	return ret;
}

/* Reconnect after a loss: 50 ms, doubling to 1 s between tries, 10 s in all. */
#define RECONNECT_FIRST_MS	50
#define RECONNECT_MAX_MS	1000
#define RECONNECT_BUDGET_MS	10000

static bool reconnect(struct daemon *d, struct dev *dv)
{
	unsigned int wait = RECONNECT_FIRST_MS, spent = 0;
	struct da_transport *t;

	for (;;) {
		struct da_err err = { 0 };

		if (!link_get(d, dv, &t, &err))
			return true;
		if (spent >= RECONNECT_BUDGET_MS) {
			dlog("%s: reconnect: gave up after %u ms: %s", dv->name, spent, err.msg);
			return false;
		}
		if (!link_nap(wait))
			return false;
		spent += wait;
		wait = wait * 2 > RECONNECT_MAX_MS ? RECONNECT_MAX_MS : wait * 2;
	}
}

void dev_session_lost_locked(struct daemon *d, struct dev *dv, const char *why)
{
	struct da_pin_result res = { 0 };
	char reason[DA_ERR_MSG_MAX];
	uint32_t state;

	snprintf(reason, sizeof(reason), "link lost: %.400s", why);
	/* A locked or running interface falls out with its session, never revalidated. */
	if (dv->td) {
		dev_tdisp_fall_out(d, dv, reason);
		return;
	}
	pthread_mutex_lock(&dv->lock);
	state = dv->state;
	pthread_mutex_unlock(&dv->lock);
	/* No session, nothing lost: the link is opened again at the next use. */
	if (state != PCI_TSM_STATE_CONNECTED && state != PCI_TSM_STATE_BOUND)
		return;
	notify(dv, PCI_TSM_EVENT_SESSION_LOST, reason);
	/* Unpinned: the event is all (the design's default); the state stays. */
	if (!dv->pin)
		return;
	if (dv->pin->mode != DA_PIN_FATAL)
		reconnect(d, dv);
	recover_locked(d, dv, &res);
	da_pin_result_free(&res);
}

/* One restored binding, checked; revoked (and persisted) when it fails. */
static int dev_restore_one(struct daemon *d, struct dev *dv)
{
	struct da_pin_result res = { 0 };
	struct da_err err = { 0 };
	char reason[DA_ERR_MSG_MAX];
	uint8_t slot;
	int ret;

	pthread_mutex_lock(&dv->op_lock);
	pthread_mutex_lock(&dv->lock);
	slot = dv->neg.slot;
	pthread_mutex_unlock(&dv->lock);
	ret = authenticate(d, dv, slot, NULL, &res, &err);
	if (ret) {
		if (ret != -EKEYREJECTED) {
			snprintf(res.failed_check, sizeof(res.failed_check), "connect");
			snprintf(res.reason, sizeof(res.reason), "%s", err.msg);
		}
		snprintf(reason, sizeof(reason), "restoring the binding at start: %.400s",
			 res.reason);
		dlog("%s: revalidation failed: %s: %s", dv->name, res.failed_check, reason);
		revoke(d, dv, PCI_TSM_EVENT_REVALIDATION_FAILED, reason, res.failed_check);
	} else {
		dlog("%s: binding restored: the device shows what was accepted", dv->name);
	}
	da_pin_result_free(&res);
	pthread_mutex_unlock(&dv->op_lock);
	return ret;
}

/* At most this many devices are re-authenticated at once at start. */
#define RESTORE_WORKERS 32

struct restore_pool {
	struct daemon *d;
	atomic_size_t next;
};

static void *restore_worker(void *arg)
{
	struct restore_pool *p = arg;
	size_t i;

	while ((i = atomic_fetch_add(&p->next, 1)) < p->d->n_devs) {
		struct dev *dv = &p->d->devs[i];

		if (dv->bound)
			dev_restore_one(p->d, dv);
	}
	return NULL;
}

void dev_restore_bound(struct daemon *d)
{
	struct restore_pool p = { .d = d };
	pthread_t th[RESTORE_WORKERS];
	size_t n = 0, bound = 0;

	for (size_t i = 0; i < d->n_devs; i++)
		bound += d->devs[i].bound;
	if (!bound)
		return;
	dlog("restoring %zu binding(s): each device must show what was accepted", bound);
	atomic_init(&p.next, 0);
	for (; n < RESTORE_WORKERS && n < bound; n++)
		if (pthread_create(&th[n], NULL, restore_worker, &p))
			break;
	if (!n)
		restore_worker(&p);
	for (size_t i = 0; i < n; i++)
		pthread_join(th[i], NULL);
}

int dev_disconnect(struct daemon *d, struct dev *dv, struct da_err *err)
{
	int ret = dev_op_lock(d, dv, err);

	if (ret)
		return ret;
	pthread_mutex_lock(&dv->lock);
	if (dv->state == PCI_TSM_STATE_BOUND) {
		ret = da_errf(err, -EBUSY, "%s: a driver is bound: unbind first", dv->name);
	} else {
		for (unsigned int type = 0; type <= DA_EV_MAX; type++)
			da_buf_free(&dv->obj[type]);
		if (dv->have_evidence)
			dv->generation++;
		dv->have_evidence = false;
		dv->state = PCI_TSM_STATE_UNCONNECTED;
		dv->tsm[0] = '\0';
		dv->status[0] = '\0';
	}
	pthread_mutex_unlock(&dv->lock);
	if (!ret)
		notify(dv, PCI_TSM_EVENT_DISCONNECTED, NULL);
	dev_op_unlock(dv);
	return ret;
}

/*
 * BIND or UNBIND has set dv->bound and the state: persist it, or put
 * both back as they were (prev): not persisted means not changed, so
 * that a restart does not disagree.  Persisted, the log and the event.
 */
static int persist_binding(struct daemon *d, struct dev *dv, bool bound, uint32_t prev,
			   struct da_err *err)
{
	int ret = state_save(d, err);

	if (ret) {
		pthread_mutex_lock(&dv->lock);
		dv->bound = !bound;
		dv->state = prev;
		pthread_mutex_unlock(&dv->lock);
		return ret;
	}
	dlog("%s: %s", dv->name, bound ? "bound" : "unbound");
	notify(dv, bound ? PCI_TSM_EVENT_BOUND : PCI_TSM_EVENT_UNBOUND, NULL);
	return 0;
}

int dev_bind(struct daemon *d, struct dev *dv, bool have_gen, uint64_t gen, struct da_err *err)
{
	int ret = dev_op_lock(d, dv, err);

	if (ret)
		return ret;
	pthread_mutex_lock(&dv->lock);
	if (dv->state == PCI_TSM_STATE_BOUND) {
		ret = da_errf(err, -EALREADY, "%s: already bound", dv->name);
		goto unlock;
	}
	if (dv->state != PCI_TSM_STATE_CONNECTED || !dv->have_evidence) {
		ret = da_errf(err, -EPERM, "%s: refusing to bind: device is %s, not connected",
			      dv->name, pci_tsm_state_name(dv->state));
		goto unlock;
	}
	if (dv->td && dv->tdisp_state != TDISP_STATE_RUN) {
		ret = da_errf(err, -EPERM, "%s: refusing to bind: the TDISP interface is locked, not accepted",
			      dv->name);
		goto unlock;
	}
	if (have_gen && gen != dv->generation) {
		ret = da_errf(err, -EAGAIN,
			      "%s: refusing to bind: evidence generation is %llu, not the verified %llu",
			      dv->name, (unsigned long long)dv->generation,
			      (unsigned long long)gen);
		goto unlock;
	}
	/* Remember what was accepted (state.json); a pin says what recovery compares. */
	dv->bound_hash = dv->neg.base_hash;
	for (unsigned int type = 0; type <= DA_EV_MAX; type++) {
		dv->bound_have[type] = dv->obj[type].len > 0;
		if (dv->bound_have[type] &&
		    spdm_hash(dv->neg.base_hash, dv->obj[type].data, dv->obj[type].len,
			      dv->bound_digest[type])) {
			ret = da_errf(err, -EINVAL, "%s: cannot hash evidence type %u", dv->name,
				      type);
			goto unlock;
		}
	}
	dv->bound = true;
	dv->bind_epoch++;
	dv->state = PCI_TSM_STATE_BOUND;
unlock:
	pthread_mutex_unlock(&dv->lock);
	/* Only a connected device gets here: that is the state to go back to. */
	if (!ret)
		ret = persist_binding(d, dv, true, PCI_TSM_STATE_CONNECTED, err);
	dev_op_unlock(dv);
	return ret;
}

int dev_unbind(struct daemon *d, struct dev *dv, struct da_err *err)
{
	uint32_t prev;
	int ret = dev_op_lock(d, dv, err);

	if (ret)
		return ret;
	pthread_mutex_lock(&dv->lock);
	prev = dv->state;
	if (!dv->bound) {
		ret = da_errf(err, -EINVAL, "%s: not bound", dv->name);
	} else {
		dv->bound = false;
		dv->state = dv->have_evidence ? PCI_TSM_STATE_CONNECTED :
			    PCI_TSM_STATE_UNCONNECTED;
	}
	pthread_mutex_unlock(&dv->lock);
	if (!ret)
		ret = persist_binding(d, dv, false, prev, err);
	dev_op_unlock(dv);
	return ret;
}
