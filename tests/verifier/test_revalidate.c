// SPDX-License-Identifier: MIT
/*
 * Revalidation against real evidence: the in-process emulated device is
 * authenticated and measured, the evidence pinned (da_pin_from_verdict,
 * exactly what `devauth pin` writes), then the device is reset, swapped
 * or updated and re-authenticated with a fresh CSPRNG nonce, and
 * da_pin_check() decides.  Exec mode runs real programs.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include <devauth/evidence.h>
#include <devauth/verifier.h>

#include "crypto/crypto.h"
#include "verifier_harness.h"

static struct emu_device *dev;
static char tmpdir[128];

static int dev_setup(void **state)
{
	struct emu_device_config c;
	struct da_err err = { 0 };

	/* ECDSA only: keeps a fresh device per test cheap. */
	emu_device_config_default(&c, "0000:03:00.0", 3);
	c.asym = SPDM_ASYM_ECDSA_P256 | SPDM_ASYM_ECDSA_P384;
	if (emu_device_create(&c, &dev, &err)) {
		fprintf(stderr, "emu_device_create: %s\n", err.msg);
		return -1;
	}
	return 0;
}

static int dev_teardown(void **state)
{
	emu_device_free(dev);
	dev = NULL;
	return 0;
}

static int group_setup(void **state)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/devauth-reval-%d", (int)getpid());
	return mkdir(tmpdir, 0700);
}

static int group_teardown(void **state)
{
	rm_rf(tmpdir);
	return 0;
}

/* Authenticate + measure with a fresh nonce of ours; *nonce gets it. */
static void fresh(struct da_evidence *ev, uint8_t nonce[SPDM_NONCE_SIZE])
{
	struct collect_opts co = { .version = SPDM_VER_13, .asym = SPDM_ASYM_ECDSA_P256,
				   .hash = SPDM_HASH_SHA256, .have_nonce = true };

	assert_int_equal(da_random(co.nonce, SPDM_NONCE_SIZE), 0);
	memcpy(nonce, co.nonce, SPDM_NONCE_SIZE);
	collect(dev, &co, ev);
}

/* The pin `devauth pin --mode MODE` would write for the device now, parsed back. */
static struct da_pin *pin_now(enum da_pin_mode mode, bool volatile16, char **json_out)
{
	struct da_verify_opts o = { .have_nonce = true };
	struct da_policy *pol = NULL;
	struct da_verdict v = { 0 };
	struct da_evidence ev;
	struct da_err err = { 0 };
	struct da_pin *pin = NULL;
	json_object *j = NULL;
	const char *s;

	fresh(&ev, o.nonce);
	assert_int_equal(da_verify(&ev, &o, &v, &err), 0);
	assert_true(v.accepted);
	if (volatile16)
		assert_int_equal(da_policy_parse("{ \"volatile\": [16] }", 20, &pol, &err), 0);
	assert_int_equal(da_pin_from_verdict(&v, mode, pol, &j, &err), 0);
	s = json_object_to_json_string(j);
	if (da_pin_parse(s, strlen(s), &pin, &err))
		fail_msg("da_pin_parse(%s): %s", s, err.msg);
	assert_int_equal((int)pin->mode, (int)mode);
	if (json_out)
		*json_out = strdup(s);
	json_object_put(j);
	da_policy_free(pol);
	da_verdict_free(&v);
	da_evidence_free(&ev);
	return pin;
}

/* Re-authenticate now with a fresh nonce and apply the pin. */
static void expect(const struct da_pin *pin, bool pass, const char *check, const char *reason,
		   const char *what)
{
	struct da_pin_check_opts o = { .have_nonce = true };
	struct da_pin_result r;
	struct da_evidence ev;
	struct da_err err = { 0 };

	fresh(&ev, o.nonce);
	if (da_pin_check(pin, &ev, &o, &r, &err))
		fail_msg("%s: da_pin_check: %s", what, err.msg);
	if (r.passed != pass)
		fail_msg("%s: expected %s, got %s (%s: %s)", what, pass ? "pass" : "fail",
			 r.passed ? "pass" : "fail", r.failed_check, r.reason);
	if (!pass) {
		if (check && strcmp(r.failed_check, check))
			fail_msg("%s: failed check \"%s\", expected \"%s\" (%s)", what,
				 r.failed_check, check, r.reason);
		if (reason && !strstr(r.reason, reason))
			fail_msg("%s: reason \"%s\" lacks \"%s\"", what, r.reason, reason);
	} else {
		assert_string_equal(r.failed_check, "");
		assert_string_equal(r.reason, "");
	}
	da_pin_result_free(&r);
	da_evidence_free(&ev);
}

static void test_unchanged_device_passes_every_mode(void **state)
{
	struct da_pin *exact = pin_now(DA_PIN_EXACT, false, NULL);
	struct da_pin *key = pin_now(DA_PIN_SAME_KEY, false, NULL);
	struct da_pin *same = pin_now(DA_PIN_SAME_DEVICE, true, NULL);

	assert_true(exact->nmeas >= 9);	/* 0x10 pinned too: nothing made it volatile */
	expect(exact, true, NULL, NULL, "exact, unchanged");
	expect(key, true, NULL, NULL, "same-key, unchanged");
	expect(same, true, NULL, NULL, "same-device, unchanged");
	da_pin_free(exact);
	da_pin_free(key);
	da_pin_free(same);
}

static void test_reset(void **state)
{
	struct da_pin *exact = pin_now(DA_PIN_EXACT, false, NULL);
	struct da_pin *exact_vol = pin_now(DA_PIN_EXACT, true, NULL);
	struct da_pin *key = pin_now(DA_PIN_SAME_KEY, false, NULL);
	struct da_pin *same_vol = pin_now(DA_PIN_SAME_DEVICE, true, NULL);
	struct da_pin *same = pin_now(DA_PIN_SAME_DEVICE, false, NULL);

	assert_int_equal(emu_device_reset(dev), 0);
	/* The boot counter (0x10) moved on. */
	expect(same_vol, true, NULL, NULL, "same-device, 0x10 volatile, after reset");
	expect(key, true, NULL, NULL, "same-key after reset");
	expect(exact_vol, true, NULL, NULL, "exact, 0x10 volatile, after reset");
	expect(exact, false, "pin-measurement[16]", "measurement 16 differs from the pin",
	       "exact, 0x10 pinned, after reset");
	expect(same, false, "pin-measurement[16]", "measurement 16 differs from the pin",
	       "same-device, 0x10 pinned, after reset");
	da_pin_free(exact);
	da_pin_free(exact_vol);
	da_pin_free(key);
	da_pin_free(same_vol);
	da_pin_free(same);
}

static void test_swap_fails_every_mode(void **state)
{
	struct da_pin *exact = pin_now(DA_PIN_EXACT, true, NULL);
	struct da_pin *key = pin_now(DA_PIN_SAME_KEY, false, NULL);
	struct da_pin *same = pin_now(DA_PIN_SAME_DEVICE, true, NULL);
	struct da_pin *fatal = NULL;
	struct da_err err = { 0 };

	assert_int_equal(emu_device_swap(dev, &err), 0);
	expect(exact, false, "pin-key", "leaf key differs from the pin", "exact after swap");
	expect(key, false, "pin-key", "leaf key differs from the pin", "same-key after swap");
	expect(same, false, "pin-key", "leaf key differs from the pin", "same-device after swap");
	assert_int_equal(da_pin_parse("{\"version\":1,\"mode\":\"fatal\"}", 28, &fatal, &err), 0);
	expect(fatal, false, "pin-mode", "fatal", "fatal after swap");
	da_pin_free(exact);
	da_pin_free(key);
	da_pin_free(same);
	da_pin_free(fatal);
}

static void test_update(void **state)
{
	struct da_pin *exact = pin_now(DA_PIN_EXACT, true, NULL);
	struct da_pin *key = pin_now(DA_PIN_SAME_KEY, false, NULL);
	struct da_pin *same = pin_now(DA_PIN_SAME_DEVICE, true, NULL);

	assert_int_equal(emu_device_update(dev), 0);
	expect(exact, false, "pin-measurement[2]", "measurement 2 differs from the pin",
	       "exact after update");
	expect(same, false, "pin-measurement[2]", "measurement 2 differs from the pin",
	       "same-device after update");
	expect(key, true, NULL, NULL, "same-key after update");
	da_pin_free(exact);
	da_pin_free(key);
	da_pin_free(same);
}

static void test_replay_and_missing_nonce(void **state)
{
	struct da_pin *key = pin_now(DA_PIN_SAME_KEY, false, NULL);
	struct da_pin_check_opts o = { .have_nonce = true };
	uint8_t old_nonce[SPDM_NONCE_SIZE];
	struct da_pin_result r;
	struct da_evidence old;
	struct da_err err = { 0 };

	/* Evidence the device gave for an earlier nonce, offered again. */
	fresh(&old, old_nonce);
	assert_int_equal(da_random(o.nonce, SPDM_NONCE_SIZE), 0);
	assert_int_equal(da_pin_check(key, &old, &o, &r, &err), 0);
	assert_false(r.passed);
	assert_string_equal(r.failed_check, "nonce");
	assert_non_null(strstr(r.reason, "replayed"));
	da_pin_result_free(&r);
	/* The same evidence with its own nonce passes: the nonce alone decided. */
	memcpy(o.nonce, old_nonce, SPDM_NONCE_SIZE);
	assert_int_equal(da_pin_check(key, &old, &o, &r, &err), 0);
	assert_true(r.passed);
	da_pin_result_free(&r);
	/* No nonce at all: freshness unknown, never a pass. */
	o.have_nonce = false;
	assert_int_equal(da_pin_check(key, &old, &o, &r, &err), 0);
	assert_false(r.passed);
	assert_string_equal(r.failed_check, "nonce");
	da_pin_result_free(&r);
	/* A tampered signature: the new evidence does not stand on its own. */
	o.have_nonce = true;
	old.obj[DA_EV_VCA].data[old.obj[DA_EV_VCA].len - 1] ^= 1;
	assert_int_equal(da_pin_check(key, &old, &o, &r, &err), 0);
	assert_false(r.passed);
	assert_null(strstr(r.failed_check, "pin-"));
	da_pin_result_free(&r);
	da_evidence_free(&old);
	da_pin_free(key);
}

static void write_file(const char *path, const char *s, mode_t mode)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fputs(s, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, mode), 0);
}

static void read_all(const char *path, struct da_buf *b)
{
	uint8_t tmp[4096];
	size_t n;
	FILE *f = fopen(path, "r");

	assert_non_null(f);
	da_buf_reset(b);
	while ((n = fread(tmp, 1, sizeof(tmp), f)) > 0)
		assert_int_equal(da_buf_append(b, tmp, n), 0);
	fclose(f);
}

/* An exec pin for program with the key of the device now, written to tmpdir. */
static struct da_pin *exec_pin(const char *program, unsigned int ms, char *pin_path, size_t cap)
{
	struct da_pin *p0 = pin_now(DA_PIN_SAME_KEY, false, NULL), *pin = NULL;
	char hex[2 * 1024 + 1], json[4096 + 512];
	struct da_err err = { 0 };

	for (size_t i = 0; i < p0->leaf_spki_len && i < 1024; i++)
		snprintf(hex + 2 * i, 3, "%02x", p0->leaf_spki[i]);
	snprintf(json, sizeof(json),
		 "{ \"version\": 1, \"mode\": \"exec\", \"leaf_spki\": \"%s\",\n"
		 "  \"exec\": { \"program\": \"%s\", \"timeout_ms\": %u } }\n", hex, program, ms);
	da_pin_free(p0);
	snprintf(pin_path, cap, "%s/exec-pin.json", tmpdir);
	write_file(pin_path, json, 0644);
	if (da_pin_load(pin_path, &pin, &err))
		fail_msg("da_pin_load: %s", err.msg);
	assert_string_equal(pin->path, pin_path);
	assert_int_equal(pin->exec_timeout_ms, ms);
	return pin;
}

static void test_exec(void **state)
{
	char pin_path[256], script[256], body[1024], seen_in[256], seen_arg[256];
	struct da_pin_check_opts o = { .have_nonce = true };
	struct da_buf a = { 0 }, b = { 0 };
	struct timespec t0, t1;
	struct da_pin_result r;
	struct da_evidence ev;
	struct da_err err = { 0 };
	struct da_pin *pin;
	double secs;

	pin = exec_pin("/bin/true", 2000, pin_path, sizeof(pin_path));
	expect(pin, true, NULL, NULL, "exec /bin/true");
	da_pin_free(pin);
	pin = exec_pin("/bin/false", 2000, pin_path, sizeof(pin_path));
	expect(pin, false, "exec", "rejected (exit 1)", "exec /bin/false");
	da_pin_free(pin);
	pin = exec_pin("/nonexistent/checker", 2000, pin_path, sizeof(pin_path));
	expect(pin, false, "exec", "could not be run", "exec of a missing program");
	da_pin_free(pin);

	/* A checker that sees the new bundle on stdin and the pin as argv[1], and says why. */
	snprintf(script, sizeof(script), "%s/check.sh", tmpdir);
	snprintf(seen_in, sizeof(seen_in), "%s/stdin.bin", tmpdir);
	snprintf(seen_arg, sizeof(seen_arg), "%s/argv1.json", tmpdir);
	snprintf(body, sizeof(body),
		 "#!/bin/sh\ncat > '%s'\ncp \"$1\" '%s'\n"
		 "echo \"firmware of $DEVAUTH_DEVICE is not on the allow list\"\n"
		 "echo 'second line' >&2\nexit 3\n", seen_in, seen_arg);
	write_file(script, body, 0755);
	pin = exec_pin(script, 5000, pin_path, sizeof(pin_path));
	fresh(&ev, o.nonce);
	assert_int_equal(da_pin_check(pin, &ev, &o, &r, &err), 0);
	assert_false(r.passed);
	assert_string_equal(r.failed_check, "exec");
	assert_non_null(strstr(r.reason, "rejected (exit 3)"));
	assert_non_null(strstr(r.reason,
		"firmware of 0000:03:00.0 is not on the allow list second line"));
	da_pin_result_free(&r);
	assert_int_equal(da_evidence_encode(&ev, &a, &err), 0);
	read_all(seen_in, &b);
	assert_int_equal(b.len, a.len);
	assert_memory_equal(b.data, a.data, a.len);
	read_all(seen_arg, &b);
	read_all(pin_path, &a);
	assert_int_equal(b.len, a.len);
	assert_memory_equal(b.data, a.data, a.len);
	da_pin_free(pin);

	/* Replayed evidence never reaches the program. */
	unlink(seen_in);
	pin = exec_pin("/bin/true", 2000, pin_path, sizeof(pin_path));
	o.nonce[0] ^= 1;
	assert_int_equal(da_pin_check(pin, &ev, &o, &r, &err), 0);
	assert_false(r.passed);
	assert_string_equal(r.failed_check, "nonce");
	da_pin_result_free(&r);
	da_pin_free(pin);

	/* Floods of output are cut at the bound, the program is not blocked. */
	snprintf(body, sizeof(body),
		 "#!/bin/sh\ni=0\nwhile [ $i -lt 2000 ]; do echo 'xxxxxxxxxxxxxxxxxxxxxxxx'; i=$((i+1)); done\n"
		 "exit 0\n");
	write_file(script, body, 0755);
	pin = exec_pin(script, 20000, pin_path, sizeof(pin_path));
	expect(pin, true, NULL, NULL, "exec flooding output");
	da_pin_free(pin);

	/* A program that hangs (and its child) is killed at the limit: a rejection. */
	snprintf(body, sizeof(body), "#!/bin/sh\necho 'thinking'\nsleep 60\nexit 0\n");
	write_file(script, body, 0755);
	pin = exec_pin(script, 300, pin_path, sizeof(pin_path));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	expect(pin, false, "exec", "exec: timed out after 300 ms: thinking", "exec that hangs");
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	assert_true(secs < 10.0);
	/* The caller's limit wins over the pin's. */
	o.exec_timeout_ms = 100;
	da_evidence_free(&ev);
	fresh(&ev, o.nonce);
	assert_int_equal(da_pin_check(pin, &ev, &o, &r, &err), 0);
	assert_false(r.passed);
	assert_non_null(strstr(r.reason, "timed out after 100 ms"));
	da_pin_result_free(&r);
	da_pin_free(pin);
	da_evidence_free(&ev);
	da_buf_free(&a);
	da_buf_free(&b);
}

static void test_pin_roundtrip_and_errors(void **state)
{
	static const struct {
		const char *json, *msg;
	} bad[] = {
		{ "", "offset 0" },
		{ "[]", "(top level)" },
		{ "{\"version\":1,\"mode\":\"fatal\"} x", "offset 29" },
		{ "{\"mode\":\"fatal\"}", "version: missing" },
		{ "{\"version\":2,\"mode\":\"fatal\"}", "version: 2 is out of range" },
		{ "{\"version\":1}", "mode: missing" },
		{ "{\"version\":1,\"mode\":\"lenient\"}", "mode: \"lenient\" is not" },
		{ "{\"version\":1,\"mode\":\"fatal\",\"colour\":1}", "colour: unknown key" },
		{ "{\"version\":1,\"mode\":\"same-key\"}", "leaf_spki: missing" },
		{ "{\"version\":1,\"mode\":\"same-key\",\"leaf_spki\":\"3059zz\"}",
		  "leaf_spki: expected hex digits" },
		{ "{\"version\":1,\"mode\":\"same-key\",\"leaf_spki\":\"305\"}",
		  "leaf_spki: expected an even" },
		{ "{\"version\":1,\"mode\":\"same-key\",\"leaf_spki\":\"30590000\"}",
		  "leaf_spki: not a DER SubjectPublicKeyInfo" },
		{ "{\"version\":1,\"mode\":\"fatal\",\"slot\":8}", "slot: 8 is out of range" },
		{ "{\"version\":1,\"mode\":\"fatal\",\"base_asym\":\"ECDSA-P999\"}",
		  "base_asym: unknown algorithm" },
		{ "{\"version\":1,\"mode\":\"fatal\",\"spdm_version\":\"2.0\"}", "spdm_version" },
		{ "{\"version\":1,\"mode\":\"fatal\",\"chain_hash\":\"" /* 65 bytes */
		  "0000000000000000000000000000000000000000000000000000000000000000"
		  "0000000000000000000000000000000000000000000000000000000000000000"
		  "00\"}", "chain_hash: 65 bytes, at most 64" },
		{ "{\"version\":1,\"mode\":\"fatal\",\"measurements\":[{\"index\":300,\"digest\":\"00\"}]}",
		  "measurements[0].index: 300 is out of range" },
		{ "{\"version\":1,\"mode\":\"fatal\",\"measurements\":[{\"index\":1,\"digest\":\"00\"},"
		  "{\"index\":1,\"digest\":\"01\"}]}", "measurements[1].index: index 1 is pinned twice" },
		{ "{\"version\":1,\"mode\":\"fatal\",\"measurements\":[{\"index\":1}]}",
		  "measurements[0].digest: missing" },
		{ "{\"version\":1,\"mode\":\"fatal\",\"measurements\":[{\"index\":1,\"digest\":\"00\","
		  "\"why\":1}]}", "measurements[0].why: unknown key" },
		{ "{\"version\":1,\"mode\":\"fatal\",\"volatile\":[\"x\"]}",
		  "volatile[0]: expected an integer" },
		{ "{\"version\":1,\"mode\":\"exec\"}", "exec: missing" },
		{ "{\"version\":1,\"mode\":\"exec\",\"exec\":{\"program\":\"check.sh\"}}",
		  "exec.program: must be an absolute path" },
		{ "{\"version\":1,\"mode\":\"exec\",\"exec\":{\"program\":\"/bin/true\","
		  "\"timeout_ms\":0}}", "exec.timeout_ms: 0 is out of range" },
		{ "{\"version\":1,\"mode\":\"exec\",\"exec\":{\"program\":\"/bin/true\",\"shell\":1}}",
		  "exec.shell: unknown key" },
		{ "{\"version\":1,\"mode\":\"fatal\",\"exec\":{\"program\":\"/bin/true\"}}",
		  "exec: only meaningful in mode exec" },
		{ "{\"version\":1,\"mode\":\"fatal\",\"identity\":\"a\\u0000b\"}",
		  "identity: contains a NUL" },
	};
	const enum da_pin_mode modes[] = { DA_PIN_EXACT, DA_PIN_SAME_KEY, DA_PIN_SAME_DEVICE };
	struct da_err err = { 0 };
	struct da_pin *pin = NULL;
	char path[256];
	enum da_reval_mode m;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		da_err_clear(&err);
		if (!da_pin_parse(bad[i].json, strlen(bad[i].json), &pin, &err))
			fail_msg("accepted: %s", bad[i].json);
		assert_null(pin);
		if (!strstr(err.msg, bad[i].msg))
			fail_msg("%s: \"%s\" lacks \"%s\"", bad[i].json, err.msg, bad[i].msg);
		assert_int_equal(err.code, -EINVAL);
	}
	/* Trailing whitespace is no error; the timeout defaults. */
	{
		const char *j = "{\"version\":1,\"mode\":\"exec\",\"exec\":{\"program\":\"/bin/true\"}} \n\t";

		assert_int_equal(da_pin_parse(j, strlen(j), &pin, &err), 0);
		assert_int_equal(pin->exec_timeout_ms, DA_PIN_EXEC_DEFAULT_MS);
		assert_string_equal(pin->exec_program, "/bin/true");
		da_pin_free(pin);
	}
	/* Every pin `devauth pin` writes parses back to what it says. */
	for (size_t i = 0; i < 3; i++) {
		char *json = NULL;

		pin = pin_now(modes[i], true, &json);
		assert_non_null(pin->leaf_spki);
		assert_int_equal(pin->version, SPDM_VER_13);
		assert_true(pin->have_slot);
		assert_int_equal(pin->base_hash, SPDM_HASH_SHA256);
		if (modes[i] == DA_PIN_EXACT)
			assert_int_equal(pin->chain_hash_len, 32);
		if (modes[i] != DA_PIN_SAME_KEY) {
			assert_true(pin->nmeas >= 8);
			assert_true(pin->volatile_idx[2] & 1);	/* index 16 */
			assert_string_not_equal(pin->identity, "");
		}
		if (getenv("DEVAUTH_WRITE_SEEDS")) {
			snprintf(path, sizeof(path), "%s/fuzz_pin/%s.json",
				 getenv("DEVAUTH_WRITE_SEEDS"), da_reval_mode_name(pin->mode));
			write_file(path, json, 0644);
		}
		free(json);
		da_pin_free(pin);
	}
	/* Files: errors name the file. */
	snprintf(path, sizeof(path), "%s/bad-pin.json", tmpdir);
	write_file(path, "{\"version\":1,\"mode\":\"same-key\"}", 0644);
	da_err_clear(&err);
	assert_int_equal(da_pin_load(path, &pin, &err), -EINVAL);
	assert_non_null(strstr(err.msg, path));
	assert_non_null(strstr(err.msg, "leaf_spki"));
	da_err_clear(&err);
	assert_true(da_pin_load("/nonexistent/pin.json", &pin, &err) < 0);
	assert_null(pin);
	/* Mode names round trip. */
	for (int i = DA_REVAL_EXACT; i <= DA_REVAL_FATAL; i++) {
		assert_int_equal(da_reval_mode_parse(da_reval_mode_name((enum da_reval_mode)i), &m),
				 0);
		assert_int_equal((int)m, i);
	}
	assert_int_equal(da_reval_mode_parse("unknown", &m), -EINVAL);
}

static void test_fatal_needs_no_evidence(void **state)
{
	struct da_pin_check_opts o = { 0 };
	struct da_pin_result r;
	struct da_err err = { 0 };
	struct da_pin *pin = NULL;
	const char *j = "{ \"version\": 1, \"mode\": \"fatal\" }";

	assert_int_equal(da_pin_parse(j, strlen(j), &pin, &err), 0);
	assert_int_equal(pin->mode, DA_REVAL_FATAL);
	assert_int_equal(da_pin_check(pin, NULL, &o, &r, &err), 0);
	assert_false(r.passed);
	assert_string_equal(r.failed_check, "pin-mode");
	da_pin_result_free(&r);
	da_pin_free(pin);
	/* Other modes cannot decide without evidence. */
	pin = pin_now(DA_PIN_SAME_KEY, false, NULL);
	assert_int_equal(da_pin_check(pin, NULL, &o, &r, &err), -EINVAL);
	da_pin_free(pin);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_unchanged_device_passes_every_mode, dev_setup,
						dev_teardown),
		cmocka_unit_test_setup_teardown(test_reset, dev_setup, dev_teardown),
		cmocka_unit_test_setup_teardown(test_swap_fails_every_mode, dev_setup, dev_teardown),
		cmocka_unit_test_setup_teardown(test_update, dev_setup, dev_teardown),
		cmocka_unit_test_setup_teardown(test_replay_and_missing_nonce, dev_setup,
						dev_teardown),
		cmocka_unit_test_setup_teardown(test_exec, dev_setup, dev_teardown),
		cmocka_unit_test_setup_teardown(test_pin_roundtrip_and_errors, dev_setup,
						dev_teardown),
		cmocka_unit_test_setup_teardown(test_fatal_needs_no_evidence, dev_setup,
						dev_teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
