// SPDX-License-Identifier: MIT
/*
 * devauthd's log and the sink device events go to.  The device layer
 * reports what happened here; the server registers the sink that sends
 * it to the "events" group.  This file calls nothing of the daemon, so
 * neither arrow runs back up.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>

#include "devauthd.h"

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

void dlog(const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&log_lock);
	fputs("devauthd: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	pthread_mutex_unlock(&log_lock);
}

static _Atomic(daemon_event_sink) event_sink;

void daemon_event_sink_set(daemon_event_sink sink)
{
	atomic_store(&event_sink, sink);
}

void daemon_event(uint32_t event, const struct dev *dv, uint32_t state, uint64_t gen,
		  const char *reason, const char *check)
{
	daemon_event_sink sink = atomic_load(&event_sink);

	/* Before the server runs nobody can have subscribed. */
	if (sink)
		sink(event, dv, state, gen, reason, check);
}
