/* SPDX-License-Identifier: MIT */
/* devauth attest: what the native flow (attest.c) and the TDISP flow (attest_tdisp.c) share. */
#ifndef DEVAUTH_ATTEST_H
#define DEVAUTH_ATTEST_H

#include <stdbool.h>
#include <stdint.h>

#include <json-c/json.h>

#include <devauth/error.h>
#include <devauth/requester.h>
#include <devauth/verifier.h>

struct attest_opts {
	const char *sock;
	const struct da_policy *policy;
	const char *trust;
	bool no_bind;
	bool insecure;			/* --insecure-no-trust-anchor */
	bool tdisp;			/* lock, verify the report, accept, bind */
};

struct attest_result {
	char dev[64];
	bool done, accepted, bound;
	bool invalid;			/* no such device, or no devauthd: exit 2 */
	bool insecure;			/* accepted although no anchor was checked */
	bool unlocked;			/* --tdisp: refused and unlocked */
	char tdisp_state[24];		/* --tdisp: state it was left in, "" if none */
	uint64_t generation;
	char reason[DA_ERR_MSG_MAX];
	json_object *verdict;		/* da_verdict_json, NULL if none */
	struct da_checklist checks;
};

/*
 * The verdict into res (checks, verdict JSON, accepted), with the rule
 * that an accept without any trust anchor needs --insecure-no-trust-anchor.
 */
void attest_take_verdict(const struct attest_opts *o, struct da_verdict *v,
			 struct attest_result *res);
/*
 * Our own nonce for vo (have_nonce set): the evidence must answer it, so
 * it cannot be a replay of an older dump.
 */
int attest_nonce(struct da_verify_opts *vo, const char *dev, struct da_err *err);
/*
 * The evidence the TSM published (ev, info) as a bundle with vo's nonce,
 * verified; the verdict into res (attest_take_verdict) and
 * res->generation set.  need_report: a bundle without a REPORT is
 * refused before verification (-ENOENT), as a lock must have one.
 */
struct ipc_evidence;
struct ipc_dev;
int attest_verify(const struct attest_opts *o, const struct da_verify_opts *vo,
		  const struct ipc_evidence *ev, const struct ipc_dev *info, bool need_report,
		  struct attest_result *res, struct da_err *err);
void attest_tdisp_one(const struct attest_opts *o, struct attest_result *res);

#endif
