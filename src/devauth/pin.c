// SPDX-License-Identifier: MIT
/* devauth pin: the revalidation expectation from verified evidence (docs/pin.md). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <devauth/evidence.h>
#include <devauth/verifier.h>

#include "devauth.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: %s pin --from BUNDLE [--mode exact|same-key|same-device] [--trust FILE|DIR]\n"
		"              [--policy FILE] [--nonce HEX] -o PIN\n"
		"\n"
		"Verifies the bundle (trust anchors and policy as for `verify`) and writes what a\n"
		"revalidation must find again: the leaf public key, the chain hash (exact), the\n"
		"identity and the measurement digests except volatile ones (exact, same-device).\n"
		"Exit status: 0 written, 1 evidence rejected, 2 bad input or usage.\n",
		prog);
}

int pin_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "from", required_argument, NULL, 'f' },
		{ "mode", required_argument, NULL, 'm' },
		{ "trust", required_argument, NULL, 'T' },
		{ "policy", required_argument, NULL, 'P' },
		{ "nonce", required_argument, NULL, 'n' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	enum da_pin_mode mode = DA_PIN_EXACT;
	struct da_verify_opts o = { 0 };
	struct da_verdict v = { 0 };
	struct da_policy *policy = NULL;
	struct da_err err = { 0 };
	struct da_evidence ev;
	const char *from = NULL, *out = NULL;
	json_object *j = NULL;
	int c, ret = 2;

	da_evidence_init(&ev);
	optind = 1;
	while ((c = getopt_long(argc, argv, "f:m:T:P:n:o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			from = optarg;
			break;
		case 'm':
			if (da_pin_mode_parse(optarg, &mode)) {
				fprintf(stderr, "%s pin: --mode is exact, same-key or same-device\n",
					prog);
				return 2;
			}
			break;
		case 'T':
			o.trust_path = optarg;
			break;
		case 'P':
			if (da_policy_load(optarg, &policy, &err)) {
				fprintf(stderr, "%s pin: %s\n", prog, err.msg);
				return 2;
			}
			o.policy = policy;
			break;
		case 'n':
			if (parse_hex(optarg, o.nonce, sizeof(o.nonce))) {
				fprintf(stderr, "%s pin: --nonce needs 64 hex digits\n", prog);
				goto out;
			}
			o.have_nonce = true;
			break;
		case 'o':
			out = optarg;
			break;
		case 'h':
			usage(stdout);
			ret = 0;
			goto out;
		default:
			usage(stderr);
			goto out;
		}
	}
	if (!from || !out || optind != argc) {
		usage(stderr);
		goto out;
	}
	if (da_evidence_read_file(from, &ev, &err) || da_verify(&ev, &o, &v, &err)) {
		fprintf(stderr, "%s pin: %s\n", prog, err.msg);
		goto out;
	}
	if (!v.accepted) {
		fprintf(stderr, "%s pin: %s: not accepted: %s\n", prog, from, v.reason);
		ret = 1;
		goto out;
	}
	if (da_pin_from_verdict(&v, mode, policy, &j, &err) || da_json_write_file(j, out, &err)) {
		fprintf(stderr, "%s pin: %s\n", prog, err.msg);
		goto out;
	}
	printf("%s: %s pin written\n", out, da_pin_mode_name(mode));
	ret = 0;
out:
	json_object_put(j);
	da_verdict_free(&v);
	da_evidence_free(&ev);
	da_policy_free(policy);
	return ret;
}
