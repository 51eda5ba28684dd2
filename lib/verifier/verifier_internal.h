/* SPDX-License-Identifier: MIT */
/* The parsed policy (policy.c), shared by verify.c and pin.c. */
#ifndef DEVAUTH_VERIFIER_INTERNAL_H
#define DEVAUTH_VERIFIER_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <devauth/json.h>
#include <devauth/verifier.h>

#include "crypto/x509.h"
#include "identity.h"
#include "spdm/codec.h"

#define DA_POLICY_MAX_ANCHORS 16
#define DA_POLICY_MAX_VALUES 16

struct da_policy_value {
	uint8_t *data;
	size_t len;
};

/* Reference values of one measurement index: any one of them matches. */
struct da_policy_ref {
	uint8_t index;
	bool raw;			/* "raw": hashed when the block is a digest */
	size_t nvals;
	struct da_policy_value vals[DA_POLICY_MAX_VALUES];
};

#define DA_TDISP_MAX_RANGES 64
#define DA_TDISP_MAX_VERSIONS 16

/* One expected MMIO range of the report; the have_ bits say what is compared. */
struct da_tdisp_range {
	bool have_pages, have_attributes, have_range_id;
	uint32_t pages;
	uint16_t attributes;
	uint16_t range_id;
};

/* The policy's "tdisp" section (tdisp_policy.c). */
struct da_tdisp_policy {
	size_t nversions;
	uint8_t versions[DA_TDISP_MAX_VERSIONS];	/* major << 4 | minor */
	bool have_interface_id;
	uint32_t interface_id;
	uint16_t info_required, info_forbidden;
	bool have_ranges;
	size_t nranges;
	struct da_tdisp_range ranges[DA_TDISP_MAX_RANGES];
	struct da_policy_value dsi;		/* data NULL: not compared */
	bool have_dsi_sha256;
	uint8_t dsi_sha256[32];
};

struct da_policy {
	char *trust[DA_POLICY_MAX_ANCHORS];
	size_t ntrust;
	bool check_dates;
	bool require_identity;		/* leaf must carry a PCIe identity */
	unsigned int id_fields;		/* ID_*: fields that must match */
	struct cma_identity id;
	uint32_t versions;		/* bit (minor) for 1.minor; 0: any */
	uint32_t asym, hash, meas_hash;	/* allowed bits; 0: any */
	uint8_t slots;			/* allowed slots; 0: any */
	bool require_measurements;
	uint8_t volatile_idx[32];	/* bitmap */
	size_t nrefs;
	struct da_policy_ref refs[256];
	struct da_tdisp_policy *tdisp;	/* NULL: no "tdisp" section */
};

static inline bool da_policy_is_volatile(const struct da_policy *p, uint8_t index)
{
	return p && (p->volatile_idx[index / 8] & (1u << (index % 8)));
}

/* verifier-core.c.  DMTF value types whose value is expected to change from boot to boot. */
bool da_meas_type_volatile(uint8_t dmtf_type);
/* The block of index in the verdict's measurement record: true and *out if found. */
bool da_verdict_find_block(const struct da_verdict *v, uint8_t index,
			   struct spdm_meas_block *out);
/* verifier-core.c, for the policy readers: -EINVAL, "policy: KEY: WHAT". */
int da_policy_bad(struct da_err *err, const char *key, const char *what);
/* A number, or a string of hex digits with an optional 0x ("8086", "0x8086"), at most max. */
int da_policy_uint(json_object *v, const char *key, uint64_t max, uint64_t *out,
		struct da_err *err);
/*
 * The last branch of every policy object's key loop: "comment" takes any
 * string and is otherwise ignored, any other name is refused.
 */
int da_policy_other_key(json_object *v, const char *name, const char *key, struct da_err *err);

/* exec.c: the exec mode's check, results into res->checks (and res->exec_output). */
int pin_check_exec(const struct da_pin *pin, const struct da_evidence *ev,
		   const struct da_pin_check_opts *o, struct da_pin_result *res,
		   struct da_err *err);

/* tdisp_policy.c */
int da_tdisp_policy_parse(json_object *v, struct da_policy *p, struct da_err *err);
void da_tdisp_policy_free(struct da_tdisp_policy *t);
/*
 * The REPORT object (rep, len; len 0 if absent) against the report
 * structure rules and the policy's "tdisp" section, into checks.  Adds
 * nothing when there is neither a report nor a tdisp section.
 */
void da_tdisp_check(const struct da_policy *p, const uint8_t *rep, size_t len,
		    struct da_verdict *v);
/*
 * `policy init`: a "tdisp" section matching this verdict's report (and
 * the lock's TDISP version and INTERFACE_ID when the evidence had them) exactly.
 */
int da_tdisp_policy_json(const struct da_verdict *v, json_object **out, struct da_err *err);

/*
 * session_ev.c: the SESSION object against the replayed authentication
 * (r) and the VCA walk (ti), into v->checks; fills v->session_signed
 * and the lock's TDISP facts.  A REPORT without SESSION fails.
 */
struct spdm_req;
struct da_transcript_info;
void da_check_session(struct spdm_req *r, const struct da_evidence *ev,
		      const struct da_transcript_info *ti, const struct da_verify_opts *o,
		      struct da_verdict *v);

#endif
