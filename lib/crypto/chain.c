// SPDX-License-Identifier: MIT
/* The public accessors of a parsed chain (devauth/chain.h). */
#include <errno.h>

#include <devauth/chain.h>

#include "x509.h"

size_t spdm_chain_count(const struct spdm_chain *c)
{
	return c ? c->ncerts : 0;
}

int spdm_chain_leaf_identity(const struct spdm_chain *c, char *buf, size_t len)
{
	X509 *leaf = c ? spdm_chain_leaf(c) : NULL;

	if (!leaf)
		return -ENOENT;
	return cma_leaf_san_string(leaf, buf, len);
}
