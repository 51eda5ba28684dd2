/* SPDX-License-Identifier: MIT */
/*
 * Errors are -errno plus one message that names the device, the SPDM
 * message and the field, e.g.
 *   "0000:01:00.0: CHALLENGE_AUTH: CertChainHash does not match slot 0 chain"
 * The first error set wins: later context (the caller's) is prepended
 * with da_err_prefix(), never overwritten.
 */
#ifndef DEVAUTH_ERROR_H
#define DEVAUTH_ERROR_H

#include <stdarg.h>

#define DA_ERR_MSG_MAX 512

struct da_err {
	int code;		/* negative errno, 0 if none */
	char msg[DA_ERR_MSG_MAX];
};

/* Set the error if none is set yet; always returns code (negative errno). */
int da_errf(struct da_err *e, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Prepend "prefix: " to an existing message (e.g. the device name). */
void da_err_prefix(struct da_err *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void da_err_clear(struct da_err *e);

#endif
