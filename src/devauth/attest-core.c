// SPDX-License-Identifier: MIT
/*
 * devauth attest: the verdict rule the native flow (attest.c) and the
 * TDISP flow (attest_tdisp.c) share, below both of them.
 */
#include <stdio.h>
#include <string.h>

#include <devauth/verifier.h>

#include "attest.h"

/* da_verify skips "trust" when neither --trust nor the policy named an anchor. */
static bool trust_skipped(const struct da_checklist *l)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->c[i].name, "trust"))
			return l->c[i].result == DA_CHECK_SKIP;
	return true;
}

void attest_take_verdict(const struct attest_opts *o, struct da_verdict *v,
			 struct attest_result *res)
{
	res->verdict = da_verdict_json(v);
	for (size_t i = 0; i < v->checks.n; i++)
		da_check_add(&res->checks, v->checks.c[i].name, v->checks.c[i].result, "%s",
			     v->checks.c[i].detail);
	res->accepted = v->accepted;
	/*
	 * A chain that ends nowhere proves only that the device holds some
	 * key: binding on that needs the user to say so.
	 */
	if (v->accepted && trust_skipped(&v->checks)) {
		if (o->insecure) {
			res->insecure = true;
			da_check_add(&res->checks, "trust-anchor", DA_CHECK_SKIP,
				     "INSECURE: accepted without a trust anchor (--insecure-no-trust-anchor)");
		} else {
			res->accepted = false;
			snprintf(v->reason, sizeof(v->reason),
				 "no trust anchor: the chain was checked against none (give --trust or the policy's trust_anchors, or --insecure-no-trust-anchor)");
			da_check_add(&res->checks, "trust-anchor", DA_CHECK_FAIL, "%s", v->reason);
		}
	}
	if (!res->accepted)
		snprintf(res->reason, sizeof(res->reason), "%s", v->reason);
}
