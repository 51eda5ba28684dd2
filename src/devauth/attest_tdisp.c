// SPDX-License-Identifier: MIT
/*
 * devauth attest --tdisp: one device through the confidential-VM flow
 * (docs/tdisp.md): lock its interface with a fresh nonce of our own,
 * read the evidence with the REPORT, verify it (nonce, signatures,
 * report structure, the policy's tdisp section), then accept (RUN) and
 * bind.  Anything short of that unlocks the device again, so that a
 * refused interface is never left locked for someone to accept.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <devauth/evidence.h>
#include <devauth/verifier.h>

#include <devauth/crypto.h>
#include <devauth/tdisp.h>
#include <devauth/pci_tsm.h>

#include "attest.h"
#include "ipc.h"

static int list_one(struct ipc *ipc, const char *dev, struct ipc_dev *out, struct da_err *err)
{
	struct ipc_list l = { 0 };
	int ret;

	ret = ipc_list(ipc, dev, &l, err);
	if (!ret && l.n_devs != 1)
		ret = da_errf(err, -ENODEV, "%s: not listed by the TSM", dev);
	if (!ret)
		*out = l.devs[0];
	ipc_list_free(&l);
	return ret;
}

static void set_state(struct attest_result *res, const struct ipc_dev *d)
{
	snprintf(res->tdisp_state, sizeof(res->tdisp_state), "%s",
		 d->tdisp ? tdisp_state_name((uint8_t)d->tdisp_state) : "CONFIG_UNLOCKED");
}

/* After a refusal: the interface goes back to CONFIG_UNLOCKED. */
static void refuse(struct ipc *ipc, struct attest_result *res)
{
	struct da_err err = { 0 };
	struct ipc_dev d;

	res->accepted = false;
	/*
	 * A refused ACCEPT may already have made the TSM drop the lock (the
	 * interface fell out): "not locked" is the outcome wanted here.
	 */
	if (ipc_simple(ipc, PCI_TSM_CMD_UNLOCK, res->dev, &err) && err.code != -EALREADY) {
		da_check_add(&res->checks, "unlock", DA_CHECK_FAIL, "%s", err.msg);
		snprintf(res->reason + strlen(res->reason),
			 sizeof(res->reason) - strlen(res->reason), "; UNLOCK failed: %s", err.msg);
	} else {
		res->unlocked = true;
	}
	if (!list_one(ipc, res->dev, &d, &err))
		set_state(res, &d);
}

void attest_tdisp_one(const struct attest_opts *o, struct attest_result *res)
{
	struct da_verify_opts vo = { .policy = o->policy, .trust_path = o->trust };
	struct ipc_evidence ev = { 0 };
	struct da_err err = { 0 };
	struct ipc_dev info, d;
	struct ipc *ipc = NULL;
	bool locked = false;
	int ret;

	ret = ipc_open(o->sock, &ipc, &err);
	if (!ret)
		ret = list_one(ipc, res->dev, &d, &err);
	if (ret) {
		res->invalid = !ipc || ret == -ENODEV;
		goto out;
	}
	if (d.tdisp && d.tdisp_state == TDISP_STATE_RUN) {
		/* There is no un-accept: what runs was verified by whoever accepted it. */
		set_state(res, &d);
		ret = da_errf(&err, -EBUSY,
			      "%s: already accepted (TDISP RUN); unbind and unlock to attest it again",
			      res->dev);
		goto out;
	}
	if (d.tdisp) {
		/* Someone else's lock carries someone else's nonce: lock afresh. */
		ret = ipc_simple(ipc, PCI_TSM_CMD_UNLOCK, res->dev, &err);
		if (ret)
			goto out;
	}
	if (d.state == PCI_TSM_STATE_UNCONNECTED) {
		ret = ipc_connect(ipc, res->dev, NULL, -1, &err);
		if (ret)
			goto out;
	}
	ret = attest_nonce(&vo, res->dev, &err);
	if (ret)
		goto out;
	ret = ipc_lock(ipc, res->dev, vo.nonce, &err);
	if (ret) {
		da_err_prefix(&err, "LOCK");
		goto out;
	}
	locked = true;
	/* No nonce here: a re-challenge would end the held session; the lock's nonce is in the evidence. */
	ret = ipc_evidence_fetch(ipc, res->dev, PCI_TSM_TYPES_ALL, false, NULL, &ev, &info, &err) ?:
	      attest_verify(o, &vo, &ev, &info, true, res, &err);
	if (ret)
		goto out;
	if (!res->accepted) {
		refuse(ipc, res);
		locked = false;
		goto out;
	}
	if (o->no_bind) {
		/* Verify only: leave nothing locked behind. */
		ret = ipc_simple(ipc, PCI_TSM_CMD_UNLOCK, res->dev, &err);
		res->unlocked = !ret;
		locked = false;
		if (!ret && !list_one(ipc, res->dev, &d, &err))
			set_state(res, &d);
		goto out;
	}
	/* Accept exactly what was verified: a newer lock is refused by the TSM. */
	ret = ipc_accept(ipc, res->dev, true, ev.generation, &err);
	if (ret) {
		da_err_prefix(&err, "ACCEPT");
		goto out;
	}
	/*
	 * ACCEPT advances the generation by one; anything else in between
	 * (a new lock, a session loss) is not what was verified, and the
	 * bind with the generation we expect refuses it.
	 */
	ret = ipc_bind(ipc, res->dev, true, ev.generation + 1, &err);
	if (ret) {
		da_err_prefix(&err, "BIND");
		goto out;
	}
	res->bound = true;
	locked = false;
	if (!list_one(ipc, res->dev, &d, &err))
		set_state(res, &d);
out:
	if (ret) {
		res->accepted = false;
		if (!res->reason[0])
			snprintf(res->reason, sizeof(res->reason), "%s", err.msg);
		if (locked)
			refuse(ipc, res);
		else if (ipc && !res->invalid && !res->tdisp_state[0] &&
			 !list_one(ipc, res->dev, &d, &err))
			set_state(res, &d);	/* where a refused LOCK left it */
	}
	res->done = true;
	ipc_evidence_free(&ev);
	ipc_close(ipc);
}
