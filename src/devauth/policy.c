// SPDX-License-Identifier: MIT
/*
 * devauth policy init: a policy from known-good ("golden") evidence;
 * devauth policy check: parse a policy and report the first error.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <devauth/evidence.h>
#include <devauth/verifier.h>

#include "devauth.h"

#define MAX_FROM 8

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: %s policy init --from BUNDLE [--from BUNDLE ...] [--trust FILE|DIR]\n"
		"                      [--volatile N[,N...]] -o POLICY.json\n"
		"       %s policy check POLICY.json\n"
		"\n"
		"init verifies each bundle (with --trust if given) and writes a policy that accepts\n"
		"this device: its identity, version, algorithms, slot and every measurement block as\n"
		"reference value.  Blocks of volatile DMTF types, blocks that differ between the\n"
		"bundles (capture the golden device twice, across a reset) and --volatile indices\n"
		"are listed as volatile: reported, never compared.\n",
		prog, prog);
}

static int parse_indices(const char *s, uint8_t *bitmap)
{
	char *copy = strdup(s), *save = NULL, *tok;
	int ret = 0;

	if (!copy)
		return -1;
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *end;
		unsigned long v = strtoul(tok, &end, 0);

		if (*end || !v || v > 254) {
			ret = -1;
			break;
		}
		bitmap[v / 8] |= (uint8_t)(1u << (v % 8));
	}
	free(copy);
	return ret;
}

static int policy_init(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "from", required_argument, NULL, 'f' },
		{ "trust", required_argument, NULL, 'T' },
		{ "volatile", required_argument, NULL, 'V' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	const char *from[MAX_FROM], *out = NULL;
	struct da_verdict v[MAX_FROM];
	const struct da_verdict *vp[MAX_FROM];
	struct da_verify_opts o = { 0 };
	struct da_err err = { 0 };
	uint8_t vol[32] = { 0 };
	json_object *j = NULL;
	size_t n = 0, done = 0;
	int c, ret = 2;

	memset(v, 0, sizeof(v));
	optind = 1;
	while ((c = getopt_long(argc, argv, "f:T:V:o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (n == MAX_FROM) {
				fprintf(stderr, "%s policy init: at most %d --from\n", prog, MAX_FROM);
				return 2;
			}
			from[n++] = optarg;
			break;
		case 'T':
			o.trust_path = optarg;
			break;
		case 'V':
			if (parse_indices(optarg, vol)) {
				fprintf(stderr, "%s policy init: --volatile takes indices 1-254\n", prog);
				return 2;
			}
			break;
		case 'o':
			out = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (!n || !out || optind != argc) {
		usage(stderr);
		return 2;
	}
	for (done = 0; done < n; done++) {
		struct da_evidence ev;

		if (da_evidence_read_file(from[done], &ev, &err) ||
		    da_verify(&ev, &o, &v[done], &err)) {
			fprintf(stderr, "%s policy init: %s\n", prog, err.msg);
			da_evidence_free(&ev);
			goto out;
		}
		da_evidence_free(&ev);
		if (!v[done].accepted) {
			fprintf(stderr, "%s policy init: %s: not accepted: %s\n", prog, from[done],
				v[done].reason);
			ret = 1;
			done++;
			goto out;
		}
		vp[done] = &v[done];
	}
	if (da_policy_from_verdicts(vp, n, vol, o.trust_path, &j, &err) ||
	    da_json_write_file(j, out, &err)) {
		fprintf(stderr, "%s policy init: %s\n", prog, err.msg);
		goto out;
	}
	printf("%s: policy for %s written\n", out, v[0].identity[0] ? v[0].identity : from[0]);
	ret = 0;
out:
	json_object_put(j);
	for (size_t i = 0; i < done && i < n; i++)
		da_verdict_free(&v[i]);
	return ret;
}

static int policy_check(int argc, char **argv)
{
	struct da_policy *p = NULL;
	struct da_err err = { 0 };

	if (argc != 2) {
		usage(stderr);
		return 2;
	}
	if (da_policy_load(argv[1], &p, &err)) {
		fprintf(stderr, "%s policy check: %s\n", prog, err.msg);
		return 2;
	}
	da_policy_free(p);
	printf("%s: ok\n", argv[1]);
	return 0;
}

int policy_main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "init"))
		return policy_init(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "check"))
		return policy_check(argc - 1, argv + 1);
	if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		usage(stdout);
		return 0;
	}
	usage(stderr);
	return 2;
}
