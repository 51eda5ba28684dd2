// SPDX-License-Identifier: MIT
/*
 * What the device state machine (device.c) and the TDISP layer above a
 * held session (tdisp.c) share: the device's operation lock, taken with
 * the daemon's operation timeout, the nonce of an authentication, and
 * how the end of a binding the daemon took away is persisted and told.
 * Both call down into this file; it calls neither.
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include <devauth/crypto.h>

#include "devauthd.h"

int dev_op_lock(struct daemon *d, struct dev *dv, struct da_err *err)
{
	struct timespec ts;
	int ret;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += d->op_timeout_ms / 1000;
	ts.tv_nsec += (long)(d->op_timeout_ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	ret = pthread_mutex_timedlock(&dv->op_lock, &ts);
	if (ret == ETIMEDOUT)
		return da_errf(err, -EBUSY, "%s: busy: another operation did not finish in %u ms",
			       dv->name, d->op_timeout_ms);
	if (ret)
		return da_errf(err, -ret, "%s: operation lock: %s", dv->name, strerror(ret));
	return 0;
}

void dev_op_unlock(struct dev *dv)
{
	pthread_mutex_unlock(&dv->op_lock);
}

int dev_nonce(struct dev *dv, const uint8_t **nonce, uint8_t own[SPDM_NONCE_SIZE],
	      struct da_err *err)
{
	int ret;

	if (*nonce)
		return 0;
	ret = da_random(own, SPDM_NONCE_SIZE);
	if (ret)
		return da_errf(err, ret, "%s: no nonce from the CSPRNG", dv->name);
	*nonce = own;
	return 0;
}

void dev_notify(struct dev *dv, uint32_t event, const char *reason, const char *check)
{
	uint32_t state;
	uint64_t gen;

	pthread_mutex_lock(&dv->lock);
	state = dv->state;
	gen = dv->generation;
	pthread_mutex_unlock(&dv->lock);
	daemon_event(event, dv, state, gen, reason, check);
}

void dev_trust_ended(struct daemon *d, struct dev *dv, bool was_bound, uint32_t event,
		     const char *reason, const char *check)
{
	struct da_err serr = { 0 };

	/* Unbinding is never undone: a state file that disagrees is fixed at the next save. */
	if (was_bound && state_save(d, &serr))
		dlog("%s: %s", dv->name, serr.msg);
	if (event)
		dev_notify(dv, event, reason, check);
	if (was_bound)
		dev_notify(dv, PCI_TSM_EVENT_UNBOUND, reason, NULL);
}
