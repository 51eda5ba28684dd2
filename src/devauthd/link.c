// SPDX-License-Identifier: MIT
/*
 * One link per device for the daemon's life, as a kernel keeps a DOE
 * mailbox: opened at first use, kept open between operations, never
 * ended with SHUTDOWN (the DMTF responder, and QEMU's SPDM backend with
 * it, exits on SHUTDOWN and serves a single connection).  At the
 * daemon's stop every link gets CONTINUE, so the device outlives a
 * restart.
 *
 * Idle links are watched by one thread in one epoll set, one-shot: an
 * idle device costs no wake-up at all.  Between operations nothing may
 * arrive, so a readable or hung-up descriptor means the link ended (EOF,
 * reset) or the device spoke unasked; either way the session is lost.
 * The watcher only hands the device to a short-lived handler thread,
 * which takes the device's operation lock (an operation that raced with
 * the event finishes first), looks at the link again without blocking
 * and, when it really is gone, reports session-lost at once and recovers
 * by the device's mode through the callback the device layer gave
 * link_start().
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "devauthd.h"

static int epfd = -1, stop_fd = -1;
static pthread_t watcher;
static bool watcher_started;
static struct daemon *the_daemon;
static link_lost_fn lost_cb;

/* Loss handlers in flight, and the stop flag their naps watch. */
static pthread_mutex_t nap_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t nap_cond;		/* CLOCK_MONOTONIC, link_start() */
static unsigned int handlers;
static bool stopping;

uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void link_cancel_busy(struct daemon *d)
{
	for (size_t i = 0; i < d->n_devs; i++) {
		struct dev *dv = &d->devs[i];

		pthread_mutex_lock(&dv->lock);
		if (dv->link && dv->link_busy) {
			dlog("%s: stopping: the operation in flight is canceled", dv->name);
			da_transport_cancel(dv->link);
		}
		pthread_mutex_unlock(&dv->lock);
	}
}

static void deadline_in(struct timespec *ts, unsigned int ms)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

bool link_nap(unsigned int ms)
{
	struct timespec ts;
	bool stop;

	deadline_in(&ts, ms);
	pthread_mutex_lock(&nap_lock);
	while (!stopping)
		if (pthread_cond_timedwait(&nap_cond, &nap_lock, &ts) == ETIMEDOUT)
			break;
	stop = stopping;
	pthread_mutex_unlock(&nap_lock);
	return !stop;
}

static void unwatch(struct dev *dv)
{
	int fd;

	if (!dv->link || epfd < 0)
		return;
	fd = da_transport_watch_fd(dv->link);
	if (fd >= 0)
		epoll_ctl(epfd, EPOLL_CTL_DEL, fd, NULL);
}

static void watch(struct dev *dv)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLRDHUP | EPOLLONESHOT,
				  .data.ptr = dv };
	int fd;

	if (!dv->link || epfd < 0)
		return;
	fd = da_transport_watch_fd(dv->link);
	if (fd < 0)
		return;
	/* Re-arming a one-shot entry, or adding it the first time. */
	if (epoll_ctl(epfd, EPOLL_CTL_MOD, fd, &ev) && errno == ENOENT &&
	    epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev))
		dlog("%s: cannot watch the link: %s", dv->name, strerror(errno));
}

void link_drop(struct dev *dv)
{
	struct da_transport *t = dv->link;

	if (!t)
		return;
	unwatch(dv);
	pthread_mutex_lock(&dv->lock);
	dv->link = NULL;
	dv->link_busy = false;
	pthread_mutex_unlock(&dv->lock);
	da_transport_destroy(t);
}

int link_get(struct daemon *d, struct dev *dv, struct da_transport **out, struct da_err *err)
{
	struct da_err cerr = { 0 };
	struct da_transport *t;
	unsigned int tmo = dv->deadline_ms ? 0 : d->op_timeout_ms;
	int ret;

	if (dv->deadline_ms) {
		uint64_t now = mono_ms();

		if (now >= dv->deadline_ms)
			return da_errf(err, -ETIMEDOUT, "%s: transport %s: the operation's deadline has passed",
				       dv->name, dv->endpoint);
		tmo = (unsigned int)(dv->deadline_ms - now);
	}

	*out = NULL;
	if (dv->link) {
		unwatch(dv);
		if (!da_transport_check(dv->link, &cerr)) {
			pthread_mutex_lock(&dv->lock);
			dv->link_busy = true;
			pthread_mutex_unlock(&dv->lock);
			*out = dv->link;
			return 0;
		}
		/* Died since the last look and the watcher has not told yet: it will find none. */
		dlog("%s: %s; reconnecting", dv->name, cerr.msg);
		link_drop(dv);
	}
	ret = da_transport_emu_connect(dv->endpoint, dv->framing, tmo, &t, err);
	if (ret) {
		da_err_prefix(err, "%s: transport %s", dv->name, dv->endpoint);
		return ret;
	}
	pthread_mutex_lock(&dv->lock);
	dv->link = t;
	dv->link_busy = true;
	pthread_mutex_unlock(&dv->lock);
	*out = t;
	return 0;
}

void link_put(struct daemon *d, struct dev *dv, bool ok)
{
	(void)d;
	if (!dv->link)
		return;
	pthread_mutex_lock(&dv->lock);
	dv->link_busy = false;
	pthread_mutex_unlock(&dv->lock);
	/*
	 * After a failure whose transport state is doubtful (a timeout, a
	 * broken frame) the link goes; the operation already reported.
	 * After a success a dead link is left to the watcher, which fires at
	 * once and reports the loss.
	 */
	if (!ok && da_transport_check(dv->link, NULL)) {
		link_drop(dv);
		return;
	}
	watch(dv);
}

static void *lost_thread(void *arg)
{
	struct dev *dv = arg;
	struct daemon *d = the_daemon;
	struct da_err cerr = { 0 };
	int ret;

	pthread_mutex_lock(&dv->op_lock);
	atomic_store(&dv->lost_queued, false);
	if (!dv->link) {
		/* An operation dropped it meanwhile and told. */
		goto out;
	}
	ret = da_transport_check(dv->link, &cerr);
	if (!ret) {
		/* The event was an operation's answer arriving: still fine. */
		watch(dv);
		goto out;
	}
	dlog("%s: link lost: %s", dv->name, cerr.msg);
	link_drop(dv);
	lost_cb(d, dv, cerr.msg);
out:
	pthread_mutex_unlock(&dv->op_lock);
	pthread_mutex_lock(&nap_lock);
	handlers--;
	pthread_cond_broadcast(&nap_cond);
	pthread_mutex_unlock(&nap_lock);
	return NULL;
}

static void spawn_handler(struct dev *dv)
{
	pthread_attr_t attr;
	pthread_t th;
	bool busy = false;

	if (!atomic_compare_exchange_strong(&dv->lost_queued, &busy, true))
		return;
	pthread_mutex_lock(&nap_lock);
	if (stopping) {
		pthread_mutex_unlock(&nap_lock);
		atomic_store(&dv->lost_queued, false);
		return;
	}
	handlers++;
	pthread_mutex_unlock(&nap_lock);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 1 << 20);
	if (pthread_create(&th, &attr, lost_thread, dv)) {
		dlog("%s: link event: no thread to handle it", dv->name);
		atomic_store(&dv->lost_queued, false);
		pthread_mutex_lock(&nap_lock);
		handlers--;
		pthread_mutex_unlock(&nap_lock);
	}
	pthread_attr_destroy(&attr);
}

static void *watch_thread(void *arg)
{
	struct epoll_event ev[64];

	(void)arg;
	for (;;) {
		int n = epoll_wait(epfd, ev, 64, -1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			dlog("link watcher: epoll_wait: %s", strerror(errno));
			return NULL;
		}
		for (int i = 0; i < n; i++) {
			if (!ev[i].data.ptr)
				return NULL;	/* the stop event */
			spawn_handler(ev[i].data.ptr);
		}
	}
}

int link_start(struct daemon *d, link_lost_fn on_lost, struct da_err *err)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = NULL };
	pthread_condattr_t ca;

	the_daemon = d;
	lost_cb = on_lost;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&nap_cond, &ca);
	pthread_condattr_destroy(&ca);
	epfd = epoll_create1(EPOLL_CLOEXEC);
	stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (epfd < 0 || stop_fd < 0 || epoll_ctl(epfd, EPOLL_CTL_ADD, stop_fd, &ev))
		return da_errf(err, -errno, "link watcher: %s", strerror(errno));
	if (pthread_create(&watcher, NULL, watch_thread, NULL))
		return da_errf(err, -EAGAIN, "link watcher: cannot start its thread");
	watcher_started = true;
	return 0;
}

void link_stop(struct daemon *d)
{
	uint64_t one = 1;
	struct timespec ts;
	unsigned int kept = 0;

	pthread_mutex_lock(&nap_lock);
	stopping = true;
	pthread_cond_broadcast(&nap_cond);
	pthread_mutex_unlock(&nap_lock);
	if (watcher_started) {
		if (write(stop_fd, &one, sizeof(one)) < 0)
			dlog("link watcher: cannot stop it: %s", strerror(errno));
		pthread_join(watcher, NULL);
		watcher_started = false;
	}
	/* Handlers are bounded by the operation timeout; wait that long at most. */
	deadline_in(&ts, d->op_timeout_ms + 1000);
	pthread_mutex_lock(&nap_lock);
	while (handlers)
		if (pthread_cond_timedwait(&nap_cond, &nap_lock, &ts) == ETIMEDOUT)
			break;
	pthread_mutex_unlock(&nap_lock);
	for (size_t i = 0; i < d->n_devs; i++) {
		struct dev *dv = &d->devs[i];
		struct da_err err = { 0 };

		/* A device still busy with a stuck operation keeps its link to the end. */
		if (pthread_mutex_trylock(&dv->op_lock))
			continue;
		if (dv->link) {
			unwatch(dv);
			if (!da_transport_check(dv->link, NULL) && dv->link->ops->close &&
			    !dv->link->ops->close(dv->link, true, &err))
				kept++;
			else if (err.msg[0])
				dlog("%s: CONTINUE: %s", dv->name, err.msg);
			link_drop(dv);
		}
		pthread_mutex_unlock(&dv->op_lock);
	}
	if (kept)
		dlog("%u link(s) left with CONTINUE", kept);
}
