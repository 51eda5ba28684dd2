// SPDX-License-Identifier: MIT
/*
 * Revalidation (docs/pin.md): after a session loss the TSM
 * re-authenticates the device with its own nonce; the evidence that
 * yields must first verify on its own (da_verify: transcript, signatures,
 * the nonce), then show the pinned device: the key, the chain, the
 * identity and the measurements the pin's mode asks for, or a program's
 * yes.  The pin file and its parser are in pin_file.c, the exec mode's
 * program runner in exec.c.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/x509.h>

#include "crypto/crypto.h"
#include "cursor.h"
#include "hex.h"
#include "verifier_internal.h"

#include "evidence/transcript.h"

/* ---- the check ---- */

void da_pin_result_free(struct da_pin_result *res)
{
	da_checklist_free(&res->checks);
	memset(res, 0, sizeof(*res));
}

static bool bit_set(const uint8_t *bitmap, uint8_t i)
{
	return bitmap[i / 8] & (1u << (i % 8));
}

/*
 * Verify the new CHALLENGE_AUTH signature with the pinned key, on its
 * own: da_verify checked it with the key of the chain the device sent,
 * this checks that the pinned private key made it.
 */
static int sig_verifies_with(const struct da_pin *pin, const struct da_evidence *ev,
			     const struct da_verdict *v, struct da_err *err)
{
	const struct da_evidence_obj *vca = &ev->obj[DA_EV_VCA];
	const unsigned char *p = pin->leaf_spki;
	struct da_transcript_info ti;
	struct da_msg_list l = { 0 };
	uint8_t h[SPDM_MAX_HASH_SIZE];
	const uint8_t *signed_part, *sig;
	EVP_PKEY *key;
	struct cur c;
	int ret;

	key = d2i_PUBKEY(NULL, &p, (long)pin->leaf_spki_len);
	if (!key)
		return da_errf(err, -EINVAL, "pin: leaf_spki: not a public key");
	ret = da_split_vca(vca->data, vca->len, &l, &ti, err);
	da_msg_list_free(&l);
	if (ret)
		goto out;
	c = cur_init(vca->data, vca->len);
	if (cur_ptr(&c, ti.sig_off, &signed_part) || cur_ptr(&c, ti.p.sig_size, &sig) ||
	    !cur_at_end(&c)) {
		ret = da_errf(err, -EBADMSG, "VCA: CHALLENGE_AUTH: Signature does not end the object");
		goto out;
	}
	if (!spdm_key_matches_asym(key, v->neg.base_asym)) {
		ret = da_errf(err, -EKEYREJECTED,
			      "the pinned key is not a %s key (the algorithm negotiated now)",
			      spdm_asym_name(v->neg.base_asym));
		goto out;
	}
	ret = spdm_hash(v->neg.base_hash, signed_part, ti.sig_off, h);
	if (ret) {
		ret = da_errf(err, -EIO, "VCA: hashing M1 failed");
		goto out;
	}
	ret = spdm_verify(key, v->neg.base_asym, v->neg.base_hash, v->neg.version, SPDM_CTX_CHALLENGE_AUTH, h,
			  sig, ti.p.sig_size, err);
out:
	EVP_PKEY_free(key);
	return ret;
}

static bool check_key(const struct da_pin *pin, const struct da_evidence *ev,
		      const struct da_verdict *v, struct da_checklist *l)
{
	struct da_err e = { 0 };

	if (pin->have_slot && v->neg.slot != pin->neg.slot) {
		da_check_add(l, "pin-key", DA_CHECK_FAIL,
			     "slot %u was challenged, the pin is for slot %u", v->neg.slot, pin->neg.slot);
		return false;
	}
	if (v->leaf_spki_len != pin->leaf_spki_len ||
	    memcmp(v->leaf_spki, pin->leaf_spki, pin->leaf_spki_len)) {
		da_check_add(l, "pin-key", DA_CHECK_FAIL,
			     "leaf_spki: the slot %u leaf key differs from the pin (a different device or new keys)",
			     v->neg.slot);
		return false;
	}
	if (sig_verifies_with(pin, ev, v, &e)) {
		da_check_add(l, "pin-key", DA_CHECK_FAIL,
			     "leaf_spki: the new CHALLENGE_AUTH signature does not verify with the pinned key: %s",
			     e.msg);
		return false;
	}
	da_check_add(l, "pin-key", DA_CHECK_PASS,
		     "the new nonce was signed with the pinned %s key", spdm_asym_name(v->neg.base_asym));
	return true;
}

static bool check_chain_hash(const struct da_pin *pin, const struct da_verdict *v,
			     struct da_checklist *l)
{
	char a[2 * SPDM_MAX_HASH_SIZE + 1], b[2 * SPDM_MAX_HASH_SIZE + 1];

	if (pin->neg.base_hash && pin->neg.base_hash != v->neg.base_hash) {
		da_check_add(l, "pin-chain-hash", DA_CHECK_FAIL,
			     "chain_hash: the device negotiated %s now, the pin's hash is %s",
			     spdm_hash_name(v->neg.base_hash), spdm_hash_name(pin->neg.base_hash));
		return false;
	}
	da_hex(v->chain_hash, v->hash_size, a, sizeof(a));
	da_hex(pin->chain_hash, pin->chain_hash_len, b, sizeof(b));
	if (v->hash_size != pin->chain_hash_len ||
	    memcmp(v->chain_hash, pin->chain_hash, pin->chain_hash_len)) {
		da_check_add(l, "pin-chain-hash", DA_CHECK_FAIL,
			     "chain_hash: slot %u chain hashes to %.16s..., the pin has %.16s...",
			     v->neg.slot, a, b);
		return false;
	}
	da_check_add(l, "pin-chain-hash", DA_CHECK_PASS, "slot %u chain is the pinned one (%.16s...)",
		     v->neg.slot, a);
	return true;
}

static bool check_identity(const struct da_pin *pin, const struct da_verdict *v,
			   struct da_checklist *l)
{
	if (strcmp(pin->identity, v->identity)) {
		da_check_add(l, "pin-identity", DA_CHECK_FAIL,
			     "identity: the leaf says \"%s\", the pin \"%s\"",
			     v->identity[0] ? v->identity : "(none)",
			     pin->identity[0] ? pin->identity : "(none)");
		return false;
	}
	da_check_add(l, "pin-identity", DA_CHECK_PASS, "identity \"%s\" as pinned",
		     v->identity[0] ? v->identity : "(none)");
	return true;
}

/* The digest docs/pin.md pins for a block: as carried, or the hash of its raw value. */
static int block_digest(const struct spdm_meas_block *b, const struct da_verdict *v,
			uint8_t *out, size_t *n)
{
	uint32_t dig_alg = spdm_meas_hash_size(v->neg.measurement_hash) ? v->neg.measurement_hash : 0;

	if (!(b->dmtf_type & SPDM_DMTF_MEAS_RAW_BIT)) {
		if (b->value_size > SPDM_MAX_HASH_SIZE)
			return -EBADMSG;
		memcpy(out, b->value, b->value_size);
		*n = b->value_size;
		return 0;
	}
	if (dig_alg) {
		*n = spdm_meas_hash_size(dig_alg);
		return spdm_meas_hash(dig_alg, b->value, b->value_size, out);
	}
	*n = spdm_hash_size(v->neg.base_hash);
	return spdm_hash(v->neg.base_hash, b->value, b->value_size, out);
}

static bool check_measurements(const struct da_pin *pin, const struct da_verdict *v,
			       bool volatile_too, struct da_checklist *l)
{
	const char *alg = spdm_meas_hash_size(v->neg.measurement_hash) ? spdm_meas_hash_name(v->neg.measurement_hash) :
			  spdm_hash_name(v->neg.base_hash);
	bool ok = true;
	size_t compared = 0;

	if (!pin->nmeas) {
		da_check_add(l, "pin-measurements", DA_CHECK_SKIP, "the pin has no measurements");
		return true;
	}
	if (!v->meas_record) {
		da_check_add(l, "pin-measurements", DA_CHECK_FAIL,
			     "measurements: %zu are pinned, the new evidence has no signed MEASUREMENTS",
			     pin->nmeas);
		return false;
	}
	if (strcmp(alg, pin->digest_algorithm)) {
		da_check_add(l, "pin-measurements", DA_CHECK_FAIL,
			     "digest_algorithm: the device measures with %s now, the pin has %s",
			     alg, pin->digest_algorithm);
		return false;
	}
	for (size_t i = 0; i < pin->nmeas; i++) {
		const struct da_pin_meas *m = &pin->meas[i];
		uint8_t d[SPDM_MAX_HASH_SIZE];
		char name[40], now[2 * 16 + 1], want[2 * 16 + 1];
		struct spdm_meas_block b;
		size_t n = 0;

		snprintf(name, sizeof(name), "pin-measurement[%u]", m->index);
		if (!volatile_too && bit_set(pin->volatile_idx, m->index)) {
			da_check_add(l, name, DA_CHECK_SKIP, "volatile, not compared in mode %s",
				     da_pin_mode_name(pin->mode));
			continue;
		}
		if (!da_verdict_find_block(v, m->index, &b)) {
			da_check_add(l, name, DA_CHECK_FAIL,
				     "measurement %u is pinned but missing from the new evidence",
				     m->index);
			ok = false;
			continue;
		}
		if (block_digest(&b, v, d, &n)) {
			da_check_add(l, name, DA_CHECK_FAIL,
				     "measurement %u: its digest could not be computed", m->index);
			ok = false;
			continue;
		}
		compared++;
		da_hex(d, n > 16 ? 16 : n, now, sizeof(now));
		da_hex(m->digest, m->digest_len > 16 ? 16 : m->digest_len, want, sizeof(want));
		if (n != m->digest_len || memcmp(d, m->digest, n)) {
			da_check_add(l, name, DA_CHECK_FAIL,
				     "measurement %u differs from the pin (now %s..., pinned %s...)",
				     m->index, now, want);
			ok = false;
		} else {
			da_check_add(l, name, DA_CHECK_PASS, "measurement %u as pinned (%s...)",
				     m->index, now);
		}
	}
	if (ok)
		da_check_add(l, "pin-measurements", DA_CHECK_PASS, "%zu pinned measurements equal",
			     compared);
	return ok;
}

static void finish(struct da_pin_result *res)
{
	res->passed = !da_checklist_failed(&res->checks);
	res->failed_check[0] = '\0';
	res->reason[0] = '\0';
	for (size_t i = 0; i < res->checks.n; i++) {
		const struct da_check *c = &res->checks.c[i];

		if (c->result != DA_CHECK_FAIL)
			continue;
		/* A stale nonce is what a replayed transcript looks like. */
		if (!strcmp(c->name, "requester-nonce")) {
			snprintf(res->failed_check, sizeof(res->failed_check), "nonce");
			snprintf(res->reason, sizeof(res->reason),
				 "nonce: not the one the revalidation supplied (a replayed transcript): %s",
				 c->detail);
		} else {
			snprintf(res->failed_check, sizeof(res->failed_check), "%s", c->name);
			snprintf(res->reason, sizeof(res->reason), "%s", c->detail);
		}
		return;
	}
}

int da_pin_check(const struct da_pin *pin, const struct da_evidence *ev,
		 const struct da_pin_check_opts *o, struct da_pin_result *res,
		 struct da_err *err)
{
	struct da_verify_opts vo = { 0 };
	struct da_verdict v = { 0 };
	int ret;

	memset(res, 0, sizeof(*res));
	if (pin->mode == DA_PIN_FATAL) {
		da_check_add(&res->checks, "pin-mode", DA_CHECK_FAIL,
			     "mode fatal: a session loss alone ends trust, no re-challenge");
		finish(res);
		return 0;
	}
	if (!ev)
		return da_errf(err, -EINVAL, "revalidation: no evidence to check");
	if (!o->have_nonce) {
		da_check_add(&res->checks, "nonce", DA_CHECK_FAIL,
			     "no nonce supplied: a replayed transcript could not be told from a fresh one");
		finish(res);
		return 0;
	}
	vo.policy = o->policy;
	vo.trust_path = o->trust_path;
	vo.have_nonce = true;
	memcpy(vo.nonce, o->nonce, SPDM_NONCE_SIZE);
	ret = da_verify(ev, &vo, &v, err);
	if (ret)
		return ret;
	for (size_t i = 0; i < v.checks.n; i++)
		da_check_add(&res->checks, v.checks.c[i].name, v.checks.c[i].result, "%s",
			     v.checks.c[i].detail);
	if (!v.accepted || !v.replayed) {
		/* Nothing else counts when the new evidence does not stand on its own. */
		if (!da_checklist_failed(&res->checks))
			da_check_add(&res->checks, "transcript", DA_CHECK_FAIL, "%s", v.reason);
		goto done;
	}
	switch (pin->mode) {
	case DA_PIN_SAME_KEY:
		check_key(pin, ev, &v, &res->checks);
		break;
	case DA_PIN_SAME_DEVICE:
		/* A renewed certificate is fine here: no chain hash. */
		if (check_key(pin, ev, &v, &res->checks) && check_identity(pin, &v, &res->checks))
			check_measurements(pin, &v, false, &res->checks);
		break;
	case DA_PIN_EXACT:
		if (check_key(pin, ev, &v, &res->checks) &&
		    check_chain_hash(pin, &v, &res->checks) &&
		    check_identity(pin, &v, &res->checks))
			check_measurements(pin, &v, true, &res->checks);
		break;
	case DA_PIN_EXEC:
		ret = pin_check_exec(pin, ev, o, res, err);
		break;
	case DA_PIN_FATAL:
		break;
	}
done:
	da_verdict_free(&v);
	if (ret) {
		da_pin_result_free(res);
		return ret;
	}
	finish(res);
	return 0;
}
