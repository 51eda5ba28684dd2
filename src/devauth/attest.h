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
void attest_tdisp_one(const struct attest_opts *o, struct attest_result *res);

#endif
