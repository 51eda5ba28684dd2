// SPDX-License-Identifier: MIT
/*
 * Evidence from a requester that authenticated (live or replayed): the
 * objects it hands out plus the negotiated state.  The PCIe identity is
 * read from the challenged slot's leaf for display only; verifiers
 * re-derive it from the chain bytes.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <devauth/evidence.h>
#include <devauth/requester.h>

#include "crypto/x509.h"

static void leaf_identity(struct da_evidence *ev)
{
	const struct da_evidence_obj *o = &ev->obj[ev->neg.slot];
	struct spdm_chain c = { 0 };
	X509 *leaf;

	if (!o->len || spdm_chain_parse(o->data, o->len, ev->neg.base_hash, &c, NULL))
		return;
	leaf = spdm_chain_leaf(&c);
	if (leaf && cma_leaf_san_string(leaf, ev->identity, sizeof(ev->identity)) < 0)
		ev->identity[0] = '\0';
	spdm_chain_free(&c);
}

int da_evidence_from_req(struct da_evidence *ev, const struct spdm_req *r, struct da_err *err)
{
	const struct spdm_req_info *i = spdm_req_info(r);
	int ret;

	if (!i->authenticated)
		return da_errf(err, -ENOENT, "evidence: the requester has not authenticated");
	ev->neg = i->neg;
	if (!ev->time)
		ev->time = (uint64_t)time(NULL);
	for (unsigned int t = 0; t <= DA_EV_MAX; t++) {
		const uint8_t *data;
		size_t len;

		if (spdm_req_evidence(r, t, &data, &len))
			continue;
		ret = da_evidence_set(ev, t, data, len);
		if (ret)
			return da_errf(err, ret, "evidence: %s: out of memory",
				       da_evidence_type_name(t));
	}
	leaf_identity(ev);
	return 0;
}
