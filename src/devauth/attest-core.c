// SPDX-License-Identifier: MIT
/*
 * devauth attest: what the native flow (attest.c) and the TDISP flow
 * (attest_tdisp.c) share, below both of them: our own nonce, the
 * verification of the evidence the TSM published, and the verdict rule.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <devauth/crypto.h>
#include <devauth/evidence.h>
#include <devauth/verifier.h>

#include "attest.h"
#include "ipc.h"

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

int attest_nonce(struct da_verify_opts *vo, const char *dev, struct da_err *err)
{
	int ret = da_random(vo->nonce, sizeof(vo->nonce));

	if (ret)
		return da_errf(err, ret, "%s: no random nonce", dev);
	vo->have_nonce = true;
	return 0;
}

int attest_verify(const struct attest_opts *o, const struct da_verify_opts *vo,
		  const struct ipc_evidence *ev, const struct ipc_dev *info, bool need_report,
		  struct attest_result *res, struct da_err *err)
{
	struct da_verdict v = { 0 };
	struct da_evidence b;
	int ret;

	res->generation = ev->generation;
	ret = ipc_evidence_bundle(ev, info, vo->nonce, &b, err);
	if (ret)
		return ret;
	if (need_report && !b.obj[DA_EV_REPORT].len)
		ret = da_errf(err, -ENOENT, "%s: locked, but the evidence has no REPORT", res->dev);
	else
		ret = da_verify(&b, vo, &v, err);
	if (!ret)
		attest_take_verdict(o, &v, res);
	da_evidence_free(&b);
	da_verdict_free(&v);
	return ret;
}
