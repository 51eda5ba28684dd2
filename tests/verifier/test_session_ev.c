// SPDX-License-Identifier: MIT
/*
 * The SESSION evidence object against the verifier, with real sessions
 * of the in-process emulated device: KEY_EXCHANGE_RSP signatures that
 * verify (SPDM 1.1 without the signing context, 1.2+ with it, the
 * handshake in the clear or not), the caller's nonce as RandomData, the
 * bundle round trip; and each way the object can lie, with the check and
 * the reason it is rejected for.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <devauth/evidence.h>
#include <devauth/verifier.h>

#include "verifier_harness.h"

static struct rsp_device *dev;
static char root[256];

static int setup(void **state)
{
	struct rsp_device_config c;
	struct da_err err = { 0 };

	rsp_device_config_default(&c, "0000:01:00.0", 0);
	if (rsp_device_create(&c, &dev, &err)) {
		fprintf(stderr, "rsp_device_create: %s\n", err.msg);
		return -1;
	}
	write_root(dev, root, sizeof(root));
	return 0;
}

static int teardown(void **state)
{
	unlink(root);
	rsp_device_free(dev);
	return 0;
}

static void verdict(const struct da_evidence *ev, const struct da_verify_opts *o,
		    struct da_verdict *v)
{
	struct da_err err = { 0 };

	if (da_verify(ev, o, v, &err))
		fail_msg("da_verify: %s", err.msg);
}

static enum da_check_result check_of(const struct da_verdict *v, const char *name,
				     const char **detail)
{
	for (size_t i = 0; i < v->checks.n; i++) {
		if (!strcmp(v->checks.c[i].name, name)) {
			*detail = v->checks.c[i].detail;
			return v->checks.c[i].result;
		}
	}
	fail_msg("no check %s (reason: %s)", name, v->reason);
	return DA_CHECK_SKIP;
}

static void want_check(const struct da_verdict *v, const char *name,
			 enum da_check_result want, const char *needle)
{
	const char *d = "";
	enum da_check_result got = check_of(v, name, &d);

	if (got != want || !strstr(d, needle))
		fail_msg("%s: %s \"%s\", want %s with \"%s\"", name, da_check_result_name(got), d,
			 da_check_result_name(want), needle);
}

static void expect_reason(const struct da_evidence *ev, const struct da_verify_opts *o,
			  const char *reason)
{
	struct da_verdict v = { 0 };

	verdict(ev, o, &v);
	if (v.accepted || !strstr(v.reason, reason))
		fail_msg("%s, want rejected for \"%s\"", v.accepted ? "accepted" : v.reason,
			 reason);
	da_verdict_free(&v);
}

static void collect_session(uint8_t version, bool in_clear, struct da_evidence *ev)
{
	struct collect_opts co = { .version = version, .asym = SPDM_ASYM_ECDSA_P384,
				   .hash = SPDM_HASH_SHA384, .have_nonce = true,
				   .session = true, .in_clear = in_clear };

	memset(co.nonce, 0x5a, sizeof(co.nonce));
	collect(dev, &co, ev);
	assert_true(ev->obj[DA_EV_SESSION].len > 40);
}

static void replace(struct da_evidence *ev, const uint8_t *p, size_t len)
{
	uint8_t *copy = malloc(len ? len : 1);

	assert_non_null(copy);
	memcpy(copy, p, len);
	assert_int_equal(da_evidence_set(ev, DA_EV_SESSION, copy, len), 0);
	free(copy);
}

static void test_signed_sessions(void **state)
{
	static const struct { uint8_t version; bool in_clear; } cases[] = {
		{ SPDM_VER_11, false }, { SPDM_VER_12, true }, { SPDM_VER_13, false },
		{ SPDM_VER_14, true },
	};
	struct da_verify_opts o = { .trust_path = root, .have_nonce = true };
	struct da_buf a = { 0 }, b = { 0 };
	struct da_err err = { 0 };

	(void)state;
	memset(o.nonce, 0x5a, sizeof(o.nonce));
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct da_evidence ev, rd;
		struct da_verdict v = { 0 };

		collect_session(cases[i].version, cases[i].in_clear, &ev);
		verdict(&ev, &o, &v);
		if (!v.accepted)
			fail_msg("SPDM %x%s: %s", cases[i].version,
				 cases[i].in_clear ? " in the clear" : "", v.reason);
		assert_true(v.session_signed);
		assert_false(v.have_tdisp_lock);
		want_check(&v, "session-signature", DA_CHECK_PASS, "by the verified leaf");
		want_check(&v, "session-nonce", DA_CHECK_PASS, "the verifier's nonce");
		da_verdict_free(&v);
		/* Without a nonce the session's freshness is not claimed. */
		o.have_nonce = false;
		verdict(&ev, &o, &v);
		assert_true(v.accepted);
		want_check(&v, "session-nonce", DA_CHECK_SKIP, "RandomData 5a5a");
		da_verdict_free(&v);
		o.have_nonce = true;
		/* The new object keeps the bundle canonical. */
		assert_int_equal(da_evidence_encode(&ev, &a, &err), 0);
		assert_int_equal(da_evidence_decode(a.data, a.len, &rd, &err), 0);
		assert_int_equal(da_evidence_encode(&rd, &b, &err), 0);
		assert_int_equal(a.len, b.len);
		assert_memory_equal(a.data, b.data, a.len);
		assert_int_equal(rd.obj[DA_EV_SESSION].len, ev.obj[DA_EV_SESSION].len);
		da_buf_free(&a);
		da_buf_free(&b);
		da_evidence_free(&rd);
		da_evidence_free(&ev);
	}
}

static void test_lying_sessions(void **state)
{
	static const uint8_t lock_hdr[16] = { 0x10, 0x83, 0, 0, 0x07 };
	struct da_verify_opts o = { .trust_path = root, .have_nonce = true };
	struct da_evidence ev;
	struct da_verdict v = { 0 };
	uint8_t buf[1024];
	size_t n;

	(void)state;
	memset(o.nonce, 0x5a, sizeof(o.nonce));
	collect_session(SPDM_VER_13, false, &ev);
	n = ev.obj[DA_EV_SESSION].len;
	assert_true(n + 16 <= sizeof(buf));
	memcpy(buf, ev.obj[DA_EV_SESSION].data, n);

	/* The last signature byte (ResponderVerifyData, SHA-384, follows it). */
	buf[n - 48 - 1] ^= 0x01;
	replace(&ev, buf, n);
	expect_reason(&ev, &o, "session-signature: KEY_EXCHANGE_RSP");
	buf[n - 48 - 1] ^= 0x01;
	/* RandomData: not the verifier's nonce, and not what was signed either. */
	buf[8] ^= 0x01;
	replace(&ev, buf, n);
	verdict(&ev, &o, &v);
	assert_false(v.accepted);
	want_check(&v, "session-nonce", DA_CHECK_FAIL, "is not the verifier's nonce");
	want_check(&v, "session-signature", DA_CHECK_FAIL, "KEY_EXCHANGE_RSP");
	da_verdict_free(&v);
	buf[8] ^= 0x01;
	/* A session with another slot than the one authenticated. */
	buf[3] = 1;
	replace(&ev, buf, n);
	expect_reason(&ev, &o,
		      "session-signature: KEY_EXCHANGE SlotID 1, but the authentication challenged slot 0");
	buf[3] = 0;
	/* Framing: a byte short, bytes after it, a TDISP header of another message. */
	replace(&ev, buf, n - 1);
	expect_reason(&ev, &o, "session: SESSION object, offset");
	memcpy(buf + n, lock_hdr, sizeof(lock_hdr));
	replace(&ev, buf, n + 5);
	expect_reason(&ev, &o, "5 bytes after KEY_EXCHANGE_RSP, not a 16-byte TDISP header");
	buf[n + 1] = 0x84;
	replace(&ev, buf, n + 16);
	expect_reason(&ev, &o, "not of LOCK_INTERFACE_REQUEST");
	buf[n + 1] = 0x83;
	buf[n + 2] = 1;
	replace(&ev, buf, n + 16);
	expect_reason(&ev, &o, "reserved 0x0001");
	buf[n + 2] = 0;
	/* The lock's header: its version and INTERFACE_ID are the verdict's. */
	replace(&ev, buf, n + 16);
	verdict(&ev, &o, &v);
	assert_true(v.accepted);
	assert_true(v.have_tdisp_lock);
	assert_int_equal(v.tdisp_version, 0x10);
	assert_int_equal(v.interface_id, 7);
	want_check(&v, "session", DA_CHECK_PASS, "the lock's TDISP header");
	da_verdict_free(&v);
	/* A REPORT needs the SESSION. */
	assert_int_equal(da_evidence_set(&ev, DA_EV_SESSION, NULL, 0), 0);
	assert_int_equal(da_evidence_set(&ev, DA_EV_REPORT, lock_hdr, sizeof(lock_hdr)), 0);
	expect_reason(&ev, &o, "session: a REPORT without the SESSION object");
	da_evidence_free(&ev);
}

/* DEVAUTH_WRITE_SEEDS=DIR: bundles with a SESSION object (and one with a lock header) for fuzz_bundle. */
static void write_seeds(void **state)
{
	static const uint8_t lock_hdr[16] = { 0x10, 0x83 };
	const char *dir = getenv("DEVAUTH_WRITE_SEEDS");
	struct da_evidence ev;
	struct da_buf b = { 0 }, s = { 0 };
	char path[512];
	FILE *f;

	(void)state;
	for (int i = 0; i < 2; i++) {
		collect_session(i ? SPDM_VER_12 : SPDM_VER_13, i, &ev);
		if (i) {
			assert_int_equal(da_buf_append(&s, ev.obj[DA_EV_SESSION].data,
						       ev.obj[DA_EV_SESSION].len), 0);
			assert_int_equal(da_buf_append(&s, lock_hdr, sizeof(lock_hdr)), 0);
			replace(&ev, s.data, s.len);
		}
		assert_int_equal(da_evidence_encode(&ev, &b, NULL), 0);
		snprintf(path, sizeof(path), "%s/fuzz_bundle/session-v1%d.bin", dir, i ? 2 : 3);
		f = fopen(path, "w");
		assert_non_null(f);
		assert_int_equal(fwrite(b.data, 1, b.len, f), b.len);
		fclose(f);
		da_buf_reset(&b);
		da_evidence_free(&ev);
	}
	da_buf_free(&b);
	da_buf_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_signed_sessions),
		cmocka_unit_test(test_lying_sessions),
	};
	const struct CMUnitTest seeds[] = {
		cmocka_unit_test(write_seeds),
	};

	if (getenv("DEVAUTH_WRITE_SEEDS"))
		return cmocka_run_group_tests(seeds, setup, teardown);
	return cmocka_run_group_tests(tests, setup, teardown);
}
