// SPDX-License-Identifier: MIT
/*
 * Userspace decided once, at BIND, that a device is acceptable.  Every
 * later re-authentication of that bound device -- CONNECT again, an
 * EVIDENCE_READ with NONCE, recovery after a lost link, the binding
 * restored at start -- must show the same device, or the binding ends:
 * no re-authentication may carry a device userspace never saw into the
 * bound state.  The digests persisted at BIND (state.json) always
 * decide: the certificate chain of the challenged slot, which holds the
 * leaf key that signed the CHALLENGE_AUTH (measurements and the VCA
 * transcript change with every nonce and are not compared there).  A pin
 * installed for this binding must pass too (docs/pin.md); one installed
 * before the current BIND describes an earlier acceptance and is left to
 * recovery, which always uses it.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <devauth/crypto.h>

#include "devauthd.h"

static int reject(struct da_pin_result *res, const char *check, struct da_err *err,
		  const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int reject(struct da_pin_result *res, const char *check, struct da_err *err,
		  const char *fmt, ...)
{
	va_list ap;

	res->passed = false;
	snprintf(res->failed_check, sizeof(res->failed_check), "%s", check);
	va_start(ap, fmt);
	vsnprintf(res->reason, sizeof(res->reason), fmt, ap);
	va_end(ap);
	return da_errf(err, -EKEYREJECTED, "%s: %s", check, res->reason);
}

/* Without a pin: the chain the device presents now against the digest accepted at BIND. */
static int check_digests(struct dev *dv, const struct da_evidence *ev, struct da_pin_result *res,
			 struct da_err *err)
{
	uint8_t digest[SPDM_MAX_HASH_SIZE];
	unsigned int slot = ev->neg.slot;
	size_t hs = spdm_hash_size(dv->bound_hash);
	const struct da_evidence_obj *o;

	if (slot > DA_EV_CERT7 || !dv->bound_have[slot] || !hs)
		return reject(res, "chain", err,
			      "no certificate chain of slot %u was accepted at bind", slot);
	o = &ev->obj[slot];
	if (!o->len)
		return reject(res, "chain", err,
			      "the device presented no certificate chain in slot %u", slot);
	if (spdm_hash(dv->bound_hash, o->data, o->len, digest))
		return reject(res, "chain", err, "cannot hash the certificate chain of slot %u",
			      slot);
	if (memcmp(digest, dv->bound_digest[slot], hs))
		return reject(res, "chain", err,
			      "certificate chain of slot %u (leaf key) differs from the one accepted at bind",
			      slot);
	res->passed = true;
	return 0;
}

int dev_pin_check(struct daemon *d, struct dev *dv, const struct da_evidence *ev,
		  const uint8_t *nonce, struct da_pin_result *res, struct da_err *err)
{
	struct da_pin_check_opts o = { .have_nonce = true, .exec_dir = d->exec_dir,
				       .exec_output_private = true };
	int ret;

	memcpy(o.nonce, nonce, SPDM_NONCE_SIZE);
	ret = da_pin_check(dv->pin, ev, &o, res, err);
	if (res->exec_output[0])
		dlog("%s: exec %s said: %s", dv->name, dv->pin->exec_program, res->exec_output);
	return ret;
}

int dev_reauth_check(struct daemon *d, struct dev *dv, const struct da_evidence *ev,
		     const uint8_t *nonce, struct da_pin_result *res, struct da_err *err)
{
	struct da_err perr = { 0 };
	int ret;

	memset(res->failed_check, 0, sizeof(res->failed_check));
	res->reason[0] = '\0';
	/* What userspace accepted at BIND, always. */
	ret = check_digests(dv, ev, res, err);
	if (ret)
		return ret;
	/*
	 * Then the pin, when it was installed for this binding: a fatal pin
	 * says what a loss means, not what the device is.
	 */
	if (!dv->pin || dv->pin->mode == DA_PIN_FATAL || dv->pin_epoch != dv->bind_epoch)
		return 0;
	res->passed = false;
	ret = dev_pin_check(d, dv, ev, nonce, res, &perr);
	if (ret)
		return reject(res, "pin", err, "%s", perr.msg);
	if (!res->passed)
		return da_errf(err, -EKEYREJECTED, "%s: %s", res->failed_check, res->reason);
	return 0;
}
