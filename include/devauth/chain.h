/* SPDX-License-Identifier: MIT */
/*
 * A device's certificate chain, parsed and checked by the requester
 * (spdm_req_chain() in devauth/requester.h).  Opaque: the library keeps
 * it as OpenSSL objects, and these accessors hand out only the facts a
 * TSM or a report needs.  Borrowed from the requester:
 * valid until the requester is freed or reads the slot again.
 */
#ifndef DEVAUTH_CHAIN_H
#define DEVAUTH_CHAIN_H

#include <stddef.h>
#include <stdint.h>

/* Most certificates a chain may hold (longer chains are refused). */
#define SPDM_CHAIN_MAX_CERTS 16

struct spdm_chain;

/* Number of certificates, root first, leaf last. */
size_t spdm_chain_count(const struct spdm_chain *c);
/*
 * The leaf's PCIe CMA identity string (SubjectAltName otherName
 * 2.23.147) into buf, cut to fit len: its length, or -ENOENT if the
 * leaf carries none (or the chain is empty).
 */
int spdm_chain_leaf_identity(const struct spdm_chain *c, char *buf, size_t len);

#endif
