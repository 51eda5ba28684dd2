/* SPDX-License-Identifier: MIT */
/*
 * Trust anchors for verifiers (a TSM makes no trust decision): a DER or
 * PEM file, or a directory of them, against which a device's chain
 * (devauth/chain.h) is validated.  Opaque; OpenSSL's X509_STORE inside.
 */
#ifndef DEVAUTH_TRUST_H
#define DEVAUTH_TRUST_H

#include <stdbool.h>

#include <devauth/error.h>

struct da_trust;
struct spdm_chain;

/*
 * The anchors in path (file or directory): a new set, or NULL with err
 * set.  The files are read and split here; the certificates themselves
 * are decoded only when a chain does not carry one of them byte for byte
 * (so an undecodable anchor is reported then, by da_trust_verify_chain()).
 * A set may be shared by threads.
 */
struct da_trust *da_trust_load(const char *path, struct da_err *err);
void da_trust_free(struct da_trust *t);
/*
 * Path validation of c up to one of the anchors (X509_verify_cert; the
 * chain's own root may or may not be an anchor, matched by key and
 * subject).  check_time=false disables validity dates.  Signatures the
 * requester's consistency check already verified are not verified
 * again.  0, or -errno with err saying which certificate failed and why.
 */
int da_trust_verify_chain(struct da_trust *t, const struct spdm_chain *c, bool check_time,
			  struct da_err *err);

#endif
