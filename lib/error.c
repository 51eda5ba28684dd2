// SPDX-License-Identifier: MIT
#include <stdio.h>
#include <string.h>

#include <devauth/error.h>

int da_errf(struct da_err *e, int code, const char *fmt, ...)
{
	va_list ap;

	if (!e || e->code)
		return code;
	e->code = code;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return code;
}

void da_err_prefix(struct da_err *e, const char *fmt, ...)
{
	char pre[128], old[DA_ERR_MSG_MAX];
	va_list ap;

	if (!e || !e->code)
		return;
	va_start(ap, fmt);
	vsnprintf(pre, sizeof(pre), fmt, ap);
	va_end(ap);
	memcpy(old, e->msg, sizeof(old));
	/* A message cut at DA_ERR_MSG_MAX still names the device first. */
	if (snprintf(e->msg, sizeof(e->msg), "%s: %s", pre, old) < 0)
		memcpy(e->msg, old, sizeof(old));
}

void da_err_clear(struct da_err *e)
{
	if (e) {
		e->code = 0;
		e->msg[0] = '\0';
	}
}
