// SPDX-License-Identifier: MIT
/*
 * The keep-alive timer of held sessions: one thread that sleeps until
 * the earliest device's due time (dv->ka_due_ms) and hands each due
 * device to the callback the TDISP layer gave keepalive_start().  With
 * no session held nothing is due and the thread waits without a
 * timeout: an idle daemon costs no wake-up.  A device whose due time
 * appears or moves earlier calls keepalive_kick(); a kick between the
 * scan and the wait is never lost (the kick counter is read before the
 * scan and waited on after it).
 */
#include <errno.h>
#include <pthread.h>
#include <time.h>

#include "devauthd.h"

static pthread_mutex_t ka_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t ka_cond;		/* CLOCK_MONOTONIC */
static pthread_t ka_thread;
static bool ka_started, ka_stopping;
static uint64_t ka_kicks;
static keepalive_fn ka_cb;

void keepalive_kick(void)
{
	pthread_mutex_lock(&ka_lock);
	ka_kicks++;
	pthread_cond_broadcast(&ka_cond);
	pthread_mutex_unlock(&ka_lock);
}

/* Runs every due device; returns the earliest time still ahead, 0 for none. */
static uint64_t run_due(struct daemon *d)
{
	uint64_t next = 0;

	for (size_t i = 0; i < d->n_devs; i++) {
		struct dev *dv = &d->devs[i];
		uint64_t due;

		pthread_mutex_lock(&dv->lock);
		due = dv->ka_due_ms;
		pthread_mutex_unlock(&dv->lock);
		if (!due)
			continue;
		if (due <= mono_ms()) {
			ka_cb(d, dv);
			pthread_mutex_lock(&dv->lock);
			due = dv->ka_due_ms;
			pthread_mutex_unlock(&dv->lock);
			if (!due)
				continue;
		}
		if (!next || due < next)
			next = due;
	}
	return next;
}

static void *ka_main(void *arg)
{
	struct daemon *d = arg;

	pthread_mutex_lock(&ka_lock);
	while (!ka_stopping) {
		uint64_t seen = ka_kicks, next;
		struct timespec ts;

		pthread_mutex_unlock(&ka_lock);
		next = run_due(d);
		pthread_mutex_lock(&ka_lock);
		if (next && next <= mono_ms())
			continue;
		ts.tv_sec = (time_t)(next / 1000);
		ts.tv_nsec = (long)(next % 1000) * 1000000L;
		while (!ka_stopping && ka_kicks == seen)
			if (next ? pthread_cond_timedwait(&ka_cond, &ka_lock, &ts) == ETIMEDOUT :
				   pthread_cond_wait(&ka_cond, &ka_lock) != 0)
				break;
	}
	pthread_mutex_unlock(&ka_lock);
	return NULL;
}

int keepalive_start(struct daemon *d, keepalive_fn cb, struct da_err *err)
{
	pthread_condattr_t ca;

	ka_cb = cb;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&ka_cond, &ca);
	pthread_condattr_destroy(&ca);
	if (pthread_create(&ka_thread, NULL, ka_main, d))
		return da_errf(err, -EAGAIN, "keep-alive: cannot start its thread");
	ka_started = true;
	return 0;
}

void keepalive_stop(void)
{
	if (!ka_started)
		return;
	pthread_mutex_lock(&ka_lock);
	ka_stopping = true;
	pthread_cond_broadcast(&ka_cond);
	pthread_mutex_unlock(&ka_lock);
	pthread_join(ka_thread, NULL);
	ka_started = false;
}
