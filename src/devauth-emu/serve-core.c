// SPDX-License-Identifier: MIT
/*
 * The server as the control socket sees it (emu.h): the devices, their
 * ports and faults, and cutting a device's connection; and the log line
 * every serve file writes for a device.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "emu_internal.h"

unsigned int emu_server_ndev(struct emu_server *s)
{
	return s->ndev;
}

struct rsp_device *emu_server_device(struct emu_server *s, unsigned int i)
{
	return i < s->ndev ? s->slots[i].dev : NULL;
}

const char *emu_server_dev_name(struct emu_server *s, unsigned int i)
{
	return i < s->ndev ? s->slots[i].spec->cfg.name : NULL;
}

int emu_server_dev_port(struct emu_server *s, unsigned int i)
{
	return i < s->ndev ? s->slots[i].port : -1;
}

bool emu_server_drop_client(struct emu_server *s, unsigned int i)
{
	struct emu_devslot *d;
	bool had = false;

	if (i >= s->ndev)
		return false;
	d = &s->slots[i];
	pthread_mutex_lock(&d->lock);
	d->forget = true;
	if (d->client_fd >= 0) {
		/*
		 * shutdown, not close: the serving thread owns the descriptor
		 * and sees EOF; closing here could hit a reused number.
		 */
		shutdown(d->client_fd, SHUT_RDWR);
		d->dropped = true;
		had = true;
	}
	pthread_mutex_unlock(&d->lock);
	return had;
}

bool emu_server_has_client(struct emu_server *s, unsigned int i)
{
	bool has;

	if (i >= s->ndev)
		return false;
	pthread_mutex_lock(&s->slots[i].lock);
	has = s->slots[i].client_fd >= 0;
	pthread_mutex_unlock(&s->slots[i].lock);
	return has;
}

int emu_server_find(struct emu_server *s, const char *dev)
{
	unsigned int i;
	char *end;
	unsigned long n;

	for (i = 0; i < s->ndev; i++) {
		if (!strcmp(s->slots[i].spec->cfg.name, dev))
			return (int)i;
	}
	if (!*dev || *dev < '0' || *dev > '9')
		return -1;
	errno = 0;
	n = strtoul(dev, &end, 10);
	if (errno || *end || n >= s->ndev)
		return -1;
	return (int)n;
}

uint64_t emu_server_faults(struct emu_server *s, unsigned int i)
{
	uint64_t f;

	pthread_mutex_lock(&s->slots[i].lock);
	f = s->slots[i].faults;
	pthread_mutex_unlock(&s->slots[i].lock);
	return f;
}

void emu_server_set_faults(struct emu_server *s, unsigned int i, uint64_t faults)
{
	pthread_mutex_lock(&s->slots[i].lock);
	s->slots[i].faults = faults;
	rsp_device_set_faults(s->slots[i].dev, faults);
	pthread_mutex_unlock(&s->slots[i].lock);
}

void dev_log(struct emu_devslot *d, const char *fmt, ...)
{
	char msg[600];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (d->peer[0])
		emu_log("%s (port %d): client %s: %s", d->spec->cfg.name, d->port, d->peer, msg);
	else
		emu_log("%s (port %d): %s", d->spec->cfg.name, d->port, msg);
}
