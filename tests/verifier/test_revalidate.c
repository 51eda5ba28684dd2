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
#include <unistd.h>
#include <cmocka.h>

#include <openssl/pem.h>

#include <devauth/evidence.h>
#include <devauth/verifier.h>

#include "crypto/crypto.h"
#include "crypto/pki.h"
#include "verifier_harness.h"

static struct rsp_device *dev;
static char tmpdir[128];

static int dev_setup(void **state)
{
	struct rsp_device_config c;
	struct da_err err = { 0 };

	/* ECDSA only: keeps a fresh device per test cheap. */
	rsp_device_config_default(&c, "0000:03:00.0", 3);
	c.asym = SPDM_ASYM_ECDSA_P256 | SPDM_ASYM_ECDSA_P384;
	if (rsp_device_create(&c, &dev, &err)) {
		fprintf(stderr, "rsp_device_create: %s\n", err.msg);
		return -1;
	}
	return 0;
}

static int dev_teardown(void **state)
{
	rsp_device_free(dev);
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

	assert_int_equal(rsp_device_reset(dev), 0);
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

	assert_int_equal(rsp_device_swap(dev, &err), 0);
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

	assert_int_equal(rsp_device_update(dev), 0);
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

/* The pid in path ended: no such process, or a zombie (bounded poll, generous). */
static bool child_ended(const char *path)
{
	char stat_path[64], line[256];
	long pid = 0;
	FILE *f = fopen(path, "r");

	if (!f || fscanf(f, "%ld", &pid) != 1 || pid <= 1) {
		if (f)
			fclose(f);
		return false;
	}
	fclose(f);
	snprintf(stat_path, sizeof(stat_path), "/proc/%ld/stat", pid);
	for (int i = 0; i < 3000; i++) {
		char *p;

		f = fopen(stat_path, "r");
		if (!f)
			return true;
		p = fgets(line, sizeof(line), f);
		fclose(f);
		p = p ? strrchr(line, ')') : NULL;
		if (p && (p[2] == 'Z' || p[2] == 'X'))
			return true;
		usleep(10000);
	}
	return false;
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
	struct da_pin_result r;
	struct da_evidence ev;
	struct da_err err = { 0 };
	struct da_pin *pin;

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

	/* A program ended by a signal decides nothing. */
	snprintf(body, sizeof(body), "#!/bin/sh\necho 'dying'\nkill -9 $$\nexit 0\n");
	write_file(script, body, 0755);
	pin = exec_pin(script, 20000, pin_path, sizeof(pin_path));
	expect(pin, false, "exec", "killed by signal 9: dying", "exec killed by a signal");
	da_pin_free(pin);

	/*
	 * A program that hangs (and its child) is killed at the limit: a
	 * rejection.  The child's pid says the kill reached the group: it
	 * is gone (or a zombie waiting for init) once the check returns.
	 */
	snprintf(seen_arg, sizeof(seen_arg), "%s/child.pid", tmpdir);
	snprintf(body, sizeof(body),
		 "#!/bin/sh\necho 'thinking'\nsleep 60 &\necho $! > '%s'\nwait\nexit 0\n",
		 seen_arg);
	write_file(script, body, 0755);
	pin = exec_pin(script, 300, pin_path, sizeof(pin_path));
	expect(pin, false, "exec", "exec: timed out after 300 ms: thinking", "exec that hangs");
	assert_true(child_ended(seen_arg));
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
		/* A second value is data after the first, not another pin. */
		{ "{\"version\":1,\"mode\":\"fatal\"} {}", "pin: offset 29: invalid JSON" },
		{ "{\"version\":1,\"mode\":\"fatal\",\"mode\":\"exact\"}", "pin: mode: key given twice" },
		{ "[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]", "nesting too deep" },
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
	enum da_pin_mode m;

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
		assert_int_equal(pin->neg.version, SPDM_VER_13);
		assert_true(pin->have_slot);
		assert_int_equal(pin->neg.base_hash, SPDM_HASH_SHA256);
		if (modes[i] == DA_PIN_EXACT)
			assert_int_equal(pin->chain_hash_len, 32);
		if (modes[i] != DA_PIN_SAME_KEY) {
			assert_true(pin->nmeas >= 8);
			assert_true(pin->volatile_idx[2] & 1);	/* index 16 */
			assert_string_not_equal(pin->identity, "");
		}
		if (getenv("DEVAUTH_WRITE_SEEDS")) {
			snprintf(path, sizeof(path), "%s/fuzz_pin/%s.json",
				 getenv("DEVAUTH_WRITE_SEEDS"), da_pin_mode_name(pin->mode));
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
	for (int i = DA_PIN_EXACT; i <= DA_PIN_FATAL; i++) {
		assert_int_equal(da_pin_mode_parse(da_pin_mode_name((enum da_pin_mode)i), &m),
				 0);
		assert_int_equal((int)m, i);
	}
	assert_int_equal(da_pin_mode_parse("unknown", &m), -EINVAL);
}

static void test_fatal_needs_no_evidence(void **state)
{
	struct da_pin_check_opts o = { 0 };
	struct da_pin_result r;
	struct da_err err = { 0 };
	struct da_pin *pin = NULL;
	const char *j = "{ \"version\": 1, \"mode\": \"fatal\" }";

	assert_int_equal(da_pin_parse(j, strlen(j), &pin, &err), 0);
	assert_int_equal(pin->mode, DA_PIN_FATAL);
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

/* ---- every pin field, one at a time ---- */

static void test_pin_fields(void **state)
{
	struct da_pin *exact = pin_now(DA_PIN_EXACT, false, NULL);
	struct da_pin *same = pin_now(DA_PIN_SAME_DEVICE, false, NULL);
	struct da_pin *key = pin_now(DA_PIN_SAME_KEY, false, NULL);
	char keep[sizeof(exact->identity)];

	/* The chain hash: one bit off is another chain. */
	exact->chain_hash[5] ^= 0x20;
	expect(exact, false, "pin-chain-hash", "chain hashes to", "exact, chain_hash off by a bit");
	exact->chain_hash[5] ^= 0x20;
	/* The chain hash under another BaseHash cannot be compared. */
	exact->neg.base_hash = SPDM_HASH_SHA384;
	expect(exact, false, "pin-chain-hash", "negotiated SHA-256 now", "exact, pin is SHA-384");
	exact->neg.base_hash = SPDM_HASH_SHA256;
	expect(exact, true, NULL, NULL, "exact, restored");

	/* The identity, in both modes that compare it. */
	memcpy(keep, same->identity, sizeof(keep));
	snprintf(same->identity, sizeof(same->identity), "Vendor=8086:Device=0001:CC=000000:REV=00");
	expect(same, false, "pin-identity", "the pin \"Vendor=8086", "same-device, other identity");
	memcpy(same->identity, keep, sizeof(keep));
	memcpy(keep, exact->identity, sizeof(keep));
	exact->identity[0] = '\0';
	expect(exact, false, "pin-identity", "the pin \"(none)\"", "exact, no identity pinned");
	memcpy(exact->identity, keep, sizeof(keep));

	/* The slot: the same key in another slot is not what was pinned. */
	key->neg.slot = 1;
	expect(key, false, "pin-key", "the pin is for slot 1", "same-key, pin for slot 1");
	key->neg.slot = 0;
	/* The key itself. */
	key->leaf_spki[key->leaf_spki_len - 1] ^= 1;
	expect(key, false, "pin-key", "leaf key differs", "same-key, one bit of the key off");
	key->leaf_spki[key->leaf_spki_len - 1] ^= 1;
	expect(key, true, NULL, NULL, "same-key, restored");

	/* Each measurement on its own, in both modes that compare them. */
	for (size_t i = 0; i < exact->nmeas; i++) {
		struct da_pin_meas *m = &exact->meas[i];
		char check[40], what[80];

		snprintf(check, sizeof(check), "pin-measurement[%u]", m->index);
		snprintf(what, sizeof(what), "exact, measurement %u off", m->index);
		m->digest[m->digest_len - 1] ^= 0x80;
		expect(exact, false, check, "differs from the pin", what);
		m->digest[m->digest_len - 1] ^= 0x80;
	}
	for (size_t i = 0; i < same->nmeas; i++) {
		struct da_pin_meas *m = &same->meas[i];
		char check[40], what[80];

		snprintf(check, sizeof(check), "pin-measurement[%u]", m->index);
		snprintf(what, sizeof(what), "same-device, measurement %u off", m->index);
		m->digest[0] ^= 1;
		expect(same, false, check, "differs from the pin", what);
		m->digest[0] ^= 1;
	}
	/* A pinned index the device no longer reports. */
	same->meas[0].index = 200;
	expect(same, false, "pin-measurement[200]", "missing from the new evidence",
	       "same-device, pinned block gone");
	same->meas[0].index = exact->meas[0].index;
	/* Another measurement hash is another set of digests. */
	snprintf(same->digest_algorithm, sizeof(same->digest_algorithm), "SHA3-256");
	expect(same, false, "pin-measurements", "digest_algorithm: the device measures with",
	       "same-device, pin measured with SHA3-256");
	snprintf(same->digest_algorithm, sizeof(same->digest_algorithm), "%s",
		 exact->digest_algorithm);
	expect(same, true, NULL, NULL, "same-device, restored");
	da_pin_free(exact);
	da_pin_free(same);
	da_pin_free(key);
}

/*
 * Volatile handling: a pinned index listed volatile is skipped by
 * same-device and still compared by exact (docs/pin.md); a listed
 * index never hides a change of another one.
 */
static void test_volatile(void **state)
{
	struct da_pin *exact = pin_now(DA_PIN_EXACT, false, NULL);
	struct da_pin *same = pin_now(DA_PIN_SAME_DEVICE, false, NULL);
	bool has16 = false;

	for (size_t i = 0; i < same->nmeas; i++)
		has16 |= same->meas[i].index == 16;
	assert_true(has16);
	exact->volatile_idx[2] |= 1;
	same->volatile_idx[2] |= 1;
	assert_int_equal(rsp_device_reset(dev), 0);
	expect(same, true, NULL, NULL, "same-device, 16 pinned and volatile, after reset");
	expect(exact, false, "pin-measurement[16]", "measurement 16 differs",
	       "exact, 16 pinned and volatile, after reset");
	assert_int_equal(rsp_device_update(dev), 0);
	expect(same, false, "pin-measurement[2]", "measurement 2 differs",
	       "same-device, 16 volatile, after update");
	da_pin_free(exact);
	da_pin_free(same);
}

/*
 * Freshness of each signed nonce on its own: evidence without
 * MEASUREMENTS carries only the CHALLENGE nonce; evidence whose
 * GET_MEASUREMENTS used another nonce than its CHALLENGE is stale there.
 */
static void test_nonce_alone(void **state)
{
	struct collect_opts co = { .version = SPDM_VER_13, .asym = SPDM_ASYM_ECDSA_P256,
				   .hash = SPDM_HASH_SHA256, .have_nonce = true,
				   .no_measure = true };
	struct da_verify_opts vo = { .have_nonce = true };
	struct da_pin_check_opts po = { .have_nonce = true };
	struct da_pin *key = pin_now(DA_PIN_SAME_KEY, false, NULL);
	struct da_verdict v = { 0 };
	struct da_pin_result r;
	struct da_evidence ev;
	struct da_err err = { 0 };

	/* CHALLENGE only. */
	assert_int_equal(da_random(co.nonce, SPDM_NONCE_SIZE), 0);
	collect(dev, &co, &ev);
	assert_int_equal(ev.obj[DA_EV_MEASUREMENTS].len, 0);
	memcpy(vo.nonce, co.nonce, SPDM_NONCE_SIZE);
	assert_int_equal(da_verify(&ev, &vo, &v, &err), 0);
	if (!v.accepted)
		fail_msg("CHALLENGE-only evidence with its own nonce: %s", v.reason);
	da_verdict_free(&v);
	vo.nonce[SPDM_NONCE_SIZE - 1] ^= 1;
	assert_int_equal(da_verify(&ev, &vo, &v, &err), 0);
	assert_false(v.accepted);
	if (!strstr(v.reason, "requester-nonce") || !strstr(v.reason, "CHALLENGE"))
		fail_msg("stale CHALLENGE nonce: reason \"%s\"", v.reason);
	da_verdict_free(&v);
	memcpy(po.nonce, vo.nonce, SPDM_NONCE_SIZE);
	assert_int_equal(da_pin_check(key, &ev, &po, &r, &err), 0);
	assert_false(r.passed);
	assert_string_equal(r.failed_check, "nonce");
	da_pin_result_free(&r);
	da_evidence_free(&ev);

	/* CHALLENGE fresh, GET_MEASUREMENTS with an old nonce. */
	co.no_measure = false;
	co.have_meas_nonce = true;
	assert_int_equal(da_random(co.nonce, SPDM_NONCE_SIZE), 0);
	assert_int_equal(da_random(co.meas_nonce, SPDM_NONCE_SIZE), 0);
	collect(dev, &co, &ev);
	assert_true(ev.obj[DA_EV_MEASUREMENTS].len > 0);
	memcpy(vo.nonce, co.nonce, SPDM_NONCE_SIZE);
	assert_int_equal(da_verify(&ev, &vo, &v, &err), 0);
	assert_false(v.accepted);
	if (!strstr(v.reason, "requester-nonce") || !strstr(v.reason, "GET_MEASUREMENTS"))
		fail_msg("stale GET_MEASUREMENTS nonce: reason \"%s\"", v.reason);
	da_verdict_free(&v);
	memcpy(po.nonce, co.nonce, SPDM_NONCE_SIZE);
	assert_int_equal(da_pin_check(key, &ev, &po, &r, &err), 0);
	assert_false(r.passed);
	assert_string_equal(r.failed_check, "nonce");
	da_pin_result_free(&r);
	da_evidence_free(&ev);
	da_pin_free(key);
}

/* ---- renewed certificates: a device whose slot 0 comes from files ---- */

static void write_slot(const struct pki_ca *root, const struct pki_ca *inter, EVP_PKEY *key,
		       const struct cma_identity *id, long serial, const char *tag,
		       char *chain_path, char *key_path, size_t cap)
{
	struct pki_ca leaf = { 0 };
	struct da_err err = { 0 };
	FILE *f;

	/* A leaf as the PKI makes it, then given the device's existing key. */
	if (pki_make_leaf(inter, SPDM_ASYM_ECDSA_P256, "renewable leaf", id, NULL, 0, &leaf, &err))
		fail_msg("pki_make_leaf: %s", err.msg);
	assert_int_equal(X509_set_pubkey(leaf.cert, key), 1);
	assert_int_equal(ASN1_INTEGER_set(X509_get_serialNumber(leaf.cert), serial), 1);
	assert_true(X509_sign(leaf.cert, inter->key, EVP_sha256()) > 0);
	snprintf(chain_path, cap, "%s/chain-%s.pem", tmpdir, tag);
	snprintf(key_path, cap, "%s/key-%s.pem", tmpdir, tag);
	f = fopen(chain_path, "w");
	assert_non_null(f);
	assert_int_equal(PEM_write_X509(f, root->cert), 1);
	assert_int_equal(PEM_write_X509(f, inter->cert), 1);
	assert_int_equal(PEM_write_X509(f, leaf.cert), 1);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(pki_write_key_pem(key_path, key, &err), 0);
	pki_ca_free(&leaf);
}

/* Replace the test's device by one serving slot 0 from the files. */
static void use_slot_files(const char *chain_path, const char *key_path)
{
	struct rsp_device_config c;
	struct da_err err = { 0 };

	rsp_device_free(dev);
	dev = NULL;
	rsp_device_config_default(&c, "0000:03:00.0", 3);
	c.asym = SPDM_ASYM_ECDSA_P256;
	c.provisioned_slots = 1;
	c.slot_files[0].chain_path = chain_path;
	c.slot_files[0].key_path = key_path;
	if (rsp_device_create(&c, &dev, &err))
		fail_msg("rsp_device_create from %s: %s", chain_path, err.msg);
}

static void test_renewed_certificate(void **state)
{
	char chain[256], keyf[256];
	struct rsp_device_config c;
	struct cma_identity id, other;
	struct pki_ca root = { 0 }, inter = { 0 };
	struct da_pin *exact, *same, *key;
	struct da_err err = { 0 };
	EVP_PKEY *k;

	rsp_device_config_default(&c, "0000:03:00.0", 3);
	id = c.id;
	other = id;
	other.serial++;
	assert_int_equal(pki_make_root(SPDM_ASYM_ECDSA_P256, "reval root", &root, &err), 0);
	assert_int_equal(pki_make_intermediate(&root, SPDM_ASYM_ECDSA_P256, "reval inter", 0,
					       &inter, &err), 0);
	k = pki_new_key(SPDM_ASYM_ECDSA_P256, &err);
	assert_non_null(k);

	write_slot(&root, &inter, k, &id, 1, "first", chain, keyf, sizeof(chain));
	use_slot_files(chain, keyf);
	exact = pin_now(DA_PIN_EXACT, false, NULL);
	same = pin_now(DA_PIN_SAME_DEVICE, false, NULL);
	key = pin_now(DA_PIN_SAME_KEY, false, NULL);
	expect(exact, true, NULL, NULL, "exact, first certificate");

	/* Renewed: same key, same identity, a new leaf certificate. */
	write_slot(&root, &inter, k, &id, 2, "renewed", chain, keyf, sizeof(chain));
	use_slot_files(chain, keyf);
	expect(exact, false, "pin-chain-hash", "chain hashes to", "exact, renewed certificate");
	expect(same, true, NULL, NULL, "same-device, renewed certificate");
	expect(key, true, NULL, NULL, "same-key, renewed certificate");

	/* Same key, another identity: not the same device. */
	write_slot(&root, &inter, k, &other, 3, "other", chain, keyf, sizeof(chain));
	use_slot_files(chain, keyf);
	expect(same, false, "pin-identity", "the leaf says", "same-device, new identity same key");
	expect(exact, false, "pin-chain-hash", NULL, "exact, new identity same key");
	expect(key, true, NULL, NULL, "same-key, new identity same key");

	da_pin_free(exact);
	da_pin_free(same);
	da_pin_free(key);
	EVP_PKEY_free(k);
	pki_ca_free(&inter);
	pki_ca_free(&root);
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
		cmocka_unit_test_setup_teardown(test_pin_fields, dev_setup, dev_teardown),
		cmocka_unit_test_setup_teardown(test_volatile, dev_setup, dev_teardown),
		cmocka_unit_test_setup_teardown(test_nonce_alone, dev_setup, dev_teardown),
		cmocka_unit_test_setup_teardown(test_renewed_certificate, dev_setup, dev_teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
