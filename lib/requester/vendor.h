/* SPDX-License-Identifier: MIT */
/*
 * PCI-SIG VENDOR_DEFINED requests inside an established session (the
 * carrier of IDE_KM and TDISP, lib/tdisp/).  Internal: the TDISP and
 * IDE_KM requesters are its only callers.
 */
#ifndef DEVAUTH_REQ_VENDOR_H
#define DEVAUTH_REQ_VENDOR_H

#include <stddef.h>
#include <stdint.h>

#include <devauth/error.h>
#include <devauth/requester.h>

/*
 * Send body (a message of PCI protocol `protocol`) as a secured
 * VENDOR_DEFINED_REQUEST and copy the body of the VENDOR_DEFINED_RESPONSE
 * (after its protocol ID, which must match) into out.  The envelope is
 * checked (StandardID PCI-SIG, vendor ID, lengths, nothing after the
 * payload); an SPDM ERROR maps to errno as for every request; a failure
 * of the secured layer ends the session.  Errors start with the device.
 */
int spdm_req_session_vendor(struct spdm_req *r, uint8_t protocol, const uint8_t *body,
			    size_t body_len, uint8_t *out, size_t cap, size_t *out_len,
			    struct da_err *err);
/* The device name the requester's messages start with. */
const char *spdm_req_dev(const struct spdm_req *r);
/* The negotiated SPDM version (SPDM_VER_1x), 0 before NEGOTIATE_ALGORITHMS. */
uint8_t spdm_req_version(const struct spdm_req *r);

#endif
