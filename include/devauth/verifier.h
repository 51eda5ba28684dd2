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
	/*
	 * The nonce the verifier supplied: it must be the requester nonce
	 * of the CHALLENGE and of the signed GET_MEASUREMENTS.
	 */
	bool have_nonce;
	uint8_t nonce[SPDM_NONCE_SIZE];
};

struct da_verdict {
	bool accepted;
	struct da_checklist checks;	/* every check: pass / fail / skipped + reason */
	char reason[DA_ERR_MSG_MAX];	/* first failure, "" if accepted */
	/*
	 * What the evidence proved, once its transcript replayed (for
	 * output, `policy init` and pins); zero / NULL otherwise.
	 */
	bool replayed;
	struct spdm_negotiated neg;
	char identity[160];		/* leaf PCIe identity, "" if none */
	uint8_t chain_hash[SPDM_MAX_HASH_SIZE]; /* BaseHash of the slot's chain */
	size_t hash_size;
	uint8_t *leaf_spki;		/* DER SubjectPublicKeyInfo of the leaf */
	size_t leaf_spki_len;
	uint8_t *meas_record;		/* MeasurementRecord of the signed MEASUREMENTS */
	size_t meas_record_len;
	bool have_nonce;		/* requester nonce of the CHALLENGE */
	uint8_t nonce[SPDM_NONCE_SIZE];
	uint8_t *report;		/* the TDISP REPORT object, NULL if none */
	size_t report_len;
	/*
	 * The SESSION object: session_signed once the KEY_EXCHANGE_RSP
	 * signature verified with the leaf key; have_tdisp_lock when it
	 * names the lock's TDISP version and INTERFACE_ID (FUNCTION_ID).
	 */
	bool session_signed;
	bool have_tdisp_lock;
	uint8_t tdisp_version;		/* major << 4 | minor */
	uint32_t interface_id;
	uint64_t interface_id_reserved;
};

/*
 * Returns 0 when the evidence could be evaluated (accepted or not: see
 * verdict->accepted), -errno with err set when it is malformed (the
 * message names the object and the offset).  *verdict is overwritten;
 * release it with da_verdict_free().  The transcript objects are split
 * into messages and replayed through the requester (every check it
 * makes live, docs/requester.md), then trust anchors and policy
 * (docs/policy.md).
 */
int da_verify(const struct da_evidence *ev, const struct da_verify_opts *o,
	      struct da_verdict *verdict, struct da_err *err);
void da_verdict_free(struct da_verdict *v);
json_object *da_verdict_json(const struct da_verdict *v);

/*
 * The same over a recorded exchange (a pcap's messages): the messages
 * are replayed as they are, then trust and policy as for evidence.
 */
int da_verify_msgs(const struct da_spdm_msg *msgs, size_t n, const char *name,
		   const struct da_verify_opts *o, struct da_verdict *verdict,
		   struct da_err *err);

/*
 * `devauth policy init`: a policy (JSON) from evidence that verified
 * (verdicts of one or more captures of the same golden device).  Blocks
 * whose value differs between the verdicts, blocks of a volatile DMTF
 * type (informational, hash-extended) and the indices in
 * extra_volatile (bitmap of 256) become "volatile".  trust_path, if not
 * NULL, is written as the anchors.
 */
int da_policy_from_verdicts(const struct da_verdict *const *v, size_t n,
			    const uint8_t extra_volatile[32], const char *trust_path,
			    json_object **out, struct da_err *err);

/*
 * docs/pin.md: every mode a pin file may carry.  da_pin_from_verdict()
 * derives the first three from evidence; exec and fatal pins carry what
 * an exact pin does, for the program to read.
 */
enum da_pin_mode {
	DA_PIN_EXACT,		/* chain hash + key + every non-volatile measurement */
	DA_PIN_SAME_KEY,	/* the leaf public key only */
	DA_PIN_SAME_DEVICE,	/* key + identity + immutable (non-volatile) measurements */
	DA_PIN_EXEC,		/* a program decides (exit 0 accepts) */
	DA_PIN_FATAL,		/* no re-challenge: session loss alone unbinds */
};
int da_pin_mode_parse(const char *s, enum da_pin_mode *mode);
const char *da_pin_mode_name(enum da_pin_mode mode);
/* A pin (modes exact, same-key, same-device) from an accepted verdict; volatile: policy's volatile indices (may be NULL). */
int da_pin_from_verdict(const struct da_verdict *v, enum da_pin_mode mode,
			const struct da_policy *policy, json_object **out, struct da_err *err);

/* Pretty JSON to path, atomically (temp file, fsync, rename). */
int da_json_write_file(json_object *j, const char *path, struct da_err *err);

/*
 * Revalidation: the consumer side of docs/pin.md.  After a
 * session loss the TSM re-authenticates the device with a nonce of its
 * own, builds evidence from it and asks da_pin_check() whether it is
 * still the pinned device.
 */

#define DA_PIN_MAX_SIZE		(1u << 20)
#define DA_PIN_EXEC_DEFAULT_MS	5000u
#define DA_PIN_EXEC_MAX_MS	600000u
#define DA_PIN_EXEC_OUTPUT_MAX	4096u	/* program output kept for the reason */

struct da_pin_meas {
	uint8_t index;
	uint8_t digest_len;
	uint8_t digest[SPDM_MAX_HASH_SIZE];
};

/* A parsed pin file; every field is as the file gave it (0 / "" if absent). */
struct da_pin {
	enum da_pin_mode mode;
	char *path;			/* file it came from (da_pin_load), else NULL */
	struct spdm_negotiated neg;	/* no measurement_hash; .slot if have_slot */
	bool have_slot;
	uint8_t *leaf_spki;		/* DER SubjectPublicKeyInfo */
	size_t leaf_spki_len;
	uint8_t chain_hash[SPDM_MAX_HASH_SIZE];
	size_t chain_hash_len;
	char identity[160];
	char digest_algorithm[32];
	size_t nmeas;
	struct da_pin_meas meas[256];
	uint8_t volatile_idx[32];	/* bitmap */
	char *exec_program;		/* absolute path, exec mode */
	unsigned int exec_timeout_ms;
};

/* Errors name the file (load) and the key: "pin: measurements[2].digest: ...". */
int da_pin_load(const char *path, struct da_pin **out, struct da_err *err);
int da_pin_parse(const char *json, size_t len, struct da_pin **out, struct da_err *err);
void da_pin_free(struct da_pin *pin);

struct da_pin_check_opts {
	/*
	 * The nonce the caller (the TSM) put in the re-challenge and the
	 * signed GET_MEASUREMENTS.  Required: without it a replayed
	 * transcript passes for a fresh one, so the check fails.
	 */
	bool have_nonce;
	uint8_t nonce[SPDM_NONCE_SIZE];
	const char *trust_path;		/* optional: anchors the chain must also end in */
	const struct da_policy *policy;	/* optional: the device's policy as well */
	const char *pin_path;		/* exec: argv[1]; NULL: pin->path */
	unsigned int exec_timeout_ms;	/* exec: 0 = the pin's */
	/*
	 * exec, for a privileged caller (the TSM): the program must pass
	 * da_pin_exec_allowed(program, exec_dir) right before it runs, and
	 * its output stays out of the check details and the reason (which
	 * anyone may read); it is handed back in res->exec_output for the
	 * caller's log only.
	 */
	const char *exec_dir;
	bool exec_output_private;
};

struct da_pin_result {
	bool passed;
	/* da_verify's checks of the new evidence, then the pin's ("pin-*", "exec"). */
	struct da_checklist checks;
	char failed_check[40];		/* first failing check, "" if passed */
	char reason[DA_ERR_MSG_MAX];	/* e.g. "measurement 2 differs from the pin" */
	char exec_output[300];		/* exec: the program's output on one line, "" */
};

/*
 * May program run as an exec pin's judge for a privileged caller?  Only
 * an absolute path to a regular file directly in dir (both resolved, no
 * symbolic link may lead out of it), owned by root or by the caller's
 * own user and not writable by group or others, in a directory with the
 * same ownership and mode rules.  0 or -EPERM/-errno with err saying
 * which rule failed.
 */
int da_pin_exec_allowed(const char *program, const char *dir, struct da_err *err);

/*
 * Does the new evidence (from a re-authentication with o->nonce) show
 * the pinned device?  Returns 0 when a decision was made (see
 * res->passed), -errno with err set when it could not be made (malformed
 * evidence, no pin path for exec, fork failure).  ev may be NULL for
 * a fatal pin (which never passes).  Release res with da_pin_result_free().
 */
int da_pin_check(const struct da_pin *pin, const struct da_evidence *ev,
		 const struct da_pin_check_opts *o, struct da_pin_result *res,
		 struct da_err *err);
void da_pin_result_free(struct da_pin_result *res);

#endif
