// SPDX-License-Identifier: MIT
/*
 * `devauth verify`, `policy`, `pin` as a user runs them: exit status
 * (0 accepted, 1 rejected, 2 bad input or usage), the message that names
 * file, object and offset, and --json from the same verdict.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include <json-c/json.h>

static char bin[512], vec[512], tmp[128], data[512];

/* Run "devauth ARGS", capture stdout+stderr; returns the exit status. */
static int run(char *out, size_t cap, const char *fmt, ...)
{
	char args[2048], cmd[3072];
	va_list ap;
	FILE *p;
	size_t n;
	int st;

	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	snprintf(cmd, sizeof(cmd), "%s %s 2>&1", bin, args);
	p = popen(cmd, "r");
	assert_non_null(p);
	n = fread(out, 1, cap - 1, p);
	out[n] = '\0';
	st = pclose(p);
	assert_true(WIFEXITED(st));
	return WEXITSTATUS(st);
}

static void test_verify_exit_codes(void **state)
{
	static char out[1 << 20];
	char pol[256], bundle[256], bad[256], pin[256];
	json_object *j, *x;
	FILE *f;

	snprintf(pol, sizeof(pol), "%s-needid.json", tmp);
	snprintf(bundle, sizeof(bundle), "%s.bundle", tmp);
	snprintf(bad, sizeof(bad), "%s-bad.bundle", tmp);
	snprintf(pin, sizeof(pin), "%s-pin.json", tmp);
	f = fopen(pol, "w");
	fputs("{ \"require_pcie_identity\": true }\n", f);
	fclose(f);

	assert_int_equal(run(out, sizeof(out), "verify --pcap %s/v13_p256_sha256/exchange.pcap "
			     "--trust %s/v13_p256_sha256/root-slot0.der -w %s", vec, vec, bundle), 0);
	assert_non_null(strstr(out, ": accepted"));
	assert_int_equal(run(out, sizeof(out), "verify --bundle %s --trust %s/v13_p256_sha256/root-slot0.der",
			     bundle, vec), 0);
	/* Rejected, with the reason. */
	assert_int_equal(run(out, sizeof(out), "verify --bundle %s --trust %s/v13_p256_sha256/root-slot0.der --policy %s",
			     bundle, vec, pol), 1);
	assert_non_null(strstr(out, "reason: identity: leaf certificate has no PCIe CMA identity"));
	/* --json: the same verdict for machines. */
	assert_int_equal(run(out, sizeof(out), "verify --json --bundle %s --trust %s/v13_p256_sha256/root-slot1.der",
			     bundle, vec), 1);
	j = json_tokener_parse(out);
	assert_non_null(j);
	assert_true(json_object_object_get_ex(j, "accepted", &x));
	assert_false(json_object_get_boolean(x));
	assert_true(json_object_object_get_ex(j, "reason", &x));
	assert_non_null(strstr(json_object_get_string(x), "trust"));
	json_object_put(j);
	/* A nonce the evidence does not carry: stale. */
	assert_int_equal(run(out, sizeof(out), "verify --bundle %s --nonce %064d", bundle, 7), 1);
	assert_non_null(strstr(out, "requester-nonce"));

	/* Bad input names the file, the object and the offset. */
	f = fopen(bad, "w");
	fwrite("DAEVIDNC\x01\x00\x00\x00\x01\x00\xff\xff\x00\x00", 1, 18, f);
	fclose(f);
	assert_int_equal(run(out, sizeof(out), "verify --bundle %s", bad), 2);
	assert_non_null(strstr(out, bad));
	assert_non_null(strstr(out, "offset 12: DEV_NAME length"));
	assert_int_equal(run(out, sizeof(out), "verify --pcap %s", bad), 2);
	assert_int_equal(run(out, sizeof(out), "verify --bundle %s --pcap %s", bundle, bad), 2);
	assert_int_equal(run(out, sizeof(out), "verify"), 2);
	assert_int_equal(run(out, sizeof(out), "verify --bundle %s --nonce 12", bundle), 2);
	assert_int_equal(run(out, sizeof(out), "verify --bundle %s --policy %s", bundle, bad), 2);
	assert_non_null(strstr(out, "policy"));

	/* policy init from the golden capture verifies it; pin from it. */
	assert_int_equal(run(out, sizeof(out), "policy init --from %s --trust %s/v13_p256_sha256/root-slot0.der -o %s",
			     bundle, vec, pol), 0);
	assert_int_equal(run(out, sizeof(out), "policy check %s", pol), 0);
	assert_int_equal(run(out, sizeof(out), "verify --bundle %s --policy %s", bundle, pol), 0);
	assert_non_null(strstr(out, "pass     measurement[1]"));
	assert_int_equal(run(out, sizeof(out), "pin --from %s --mode same-key --trust %s/v13_p256_sha256/root-slot0.der -o %s",
			     bundle, vec, pin), 0);
	j = json_object_from_file(pin);
	assert_non_null(j);
	assert_true(json_object_object_get_ex(j, "mode", &x));
	assert_string_equal(json_object_get_string(x), "same-key");
	json_object_put(j);
	assert_int_equal(run(out, sizeof(out), "pin --from %s --mode sometimes -o %s", bundle, pin), 2);
	/* No pin from evidence that does not chain to the anchor. */
	assert_int_equal(run(out, sizeof(out), "pin --from %s --trust %s/v13_p256_sha256/root-slot1.der -o %s",
			     bundle, vec, pin), 1);
	unlink(pol);
	unlink(bundle);
	unlink(bad);
	unlink(pin);
}

/*
 * An SPDM 1.4 capture of the DMTF pair (spdm_requester_emu against
 * spdm_responder_emu, PCI DOE): six AlgStructures with ReqPqcAsym/KEM,
 * PqcAsymAlgo offered, MULTI_KEY_CONN negotiated (DIGESTS with KeyPairIDs)
 * and all eight measurement blocks signed.
 */
static void test_dmtf_v14_capture(void **state)
{
	static char out[1 << 18];

	(void)state;
	assert_int_equal(run(out, sizeof(out), "verify --pcap %s/dmtf-v14-p384.pcap --trust %s/dmtf-ecp384-ca.der",
			     data, data), 0);
	assert_non_null(strstr(out, "dmtf-v14-p384.pcap: accepted"));
	assert_int_equal(run(out, sizeof(out), "dump %s/dmtf-v14-p384.pcap --verify --trust %s/dmtf-ecp384-ca.der",
			     data, data), 0);
	assert_non_null(strstr(out, "pass     measurements-signature       8 blocks"));
	assert_non_null(strstr(out, "verdict: all checks passed"));
	/* the same capture against another anchor is rejected */
	assert_int_equal(run(out, sizeof(out), "verify --pcap %s/dmtf-v14-p384.pcap --trust %s/v13_p256_sha256/root-slot0.der",
			     data, vec), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_verify_exit_codes),
		cmocka_unit_test(test_dmtf_v14_capture),
	};
	const char *b = getenv("DEVAUTH_BUILD"), *v = getenv("DEVAUTH_VECTORS");
	const char *src = getenv("DEVAUTH_SRC");

	snprintf(bin, sizeof(bin), "%s/src/devauth/devauth", b ? b : ".");
	snprintf(vec, sizeof(vec), "%s", v ? v : "../shared/vectors");
	snprintf(tmp, sizeof(tmp), "/tmp/devauth-test-cli-%d", (int)getpid());
	snprintf(data, sizeof(data), "%s/tests/verifier/data", src ? src : ".");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
