/* SPDX-License-Identifier: MIT */
/*
 * The userspace verifier: re-derives everything from the raw evidence
 * bytes (never trusting that the TSM checked anything), then applies
 * trust anchors and policy (docs/policy.md).
 */
#ifndef DEVAUTH_VERIFIER_H
#define DEVAUTH_VERIFIER_H

#include <stdbool.h>
#include <stdint.h>

#include <json-c/json.h>

#include <devauth/error.h>
#include <devauth/evidence.h>
#include <devauth/requester.h>

struct da_policy;

/* JSON policy file; errors name the file and the key. */
int da_policy_load(const char *path, struct da_policy **out, struct da_err *err);
int da_policy_parse(const char *json, size_t len, struct da_policy **out, struct da_err *err);
void da_policy_free(struct da_policy *p);

struct da_verify_opts {
	const struct da_policy *policy;	/* NULL: consistency and signatures only */
	const char *trust_path;		/* anchors; overrides the policy's */
	bool have_nonce;		/* the nonce the verifier supplied */
	uint8_t nonce[SPDM_NONCE_SIZE];
};

struct da_verdict {
	bool accepted;
	struct da_checklist checks;	/* every check: pass / fail / skipped + reason */
	char reason[DA_ERR_MSG_MAX];	/* first failure, "" if accepted */
};

/*
 * Returns 0 when the evidence could be evaluated (accepted or not: see
 * verdict->accepted), -errno with err set when it is malformed.
 */
int da_verify(const struct da_evidence *ev, const struct da_verify_opts *o,
	      struct da_verdict *verdict, struct da_err *err);
void da_verdict_free(struct da_verdict *v);
json_object *da_verdict_json(const struct da_verdict *v);

#endif
