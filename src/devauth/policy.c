// SPDX-License-Identifier: MIT
/*
 * devauth policy init: a policy from known-good ("golden") evidence;
 * devauth policy check: parse a policy and report the first error.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <devauth/evidence.h>
#include <devauth/verifier.h>

#include "cli.h"
#include "devauth.h"

#define MAX_FROM 8

#define SYNOPSIS "init --from BUNDLE [--from BUNDLE ...] [--trust FILE|DIR]\n" \
	"        [--volatile N[,N...]] -o POLICY.json [--json]\n" \
	"       " "devauth policy check POLICY.json [--json]"
#define ABOUT "init verifies each bundle (with --trust if given) and writes a policy that\n" \
	"accepts this device: its identity, version, algorithms, slot and every\n" \
	"measurement block as reference value.  Blocks of volatile DMTF types, blocks\n" \
	"that differ between the bundles (capture the golden device twice, across a\n" \
	"reset) and --volatile indices are listed as volatile: reported, never\n" \
	"compared.  The trust anchors are written as an absolute path.\n" \
	"check parses a policy and reports the first error."

static const struct cli_opt_help help[] = {
	{ "--from, -f BUNDLE", "init: known-good evidence (up to 8)" },
	{ "--trust, -T FILE|DIR", "init: trust anchors the bundles must chain to" },
	{ "--volatile, -V N,...", "init: measurement indices (1-254) never compared" },
	{ "--output, -o POLICY", "init: where the policy goes" },
	{ 0 },
};

static void usage(FILE *f)
{
	cli_usage(f, "policy", SYNOPSIS);
}

/* The outcome as JSON: {command, file, result, detail}. */
static void result_json(const char *cmd, const char *file, bool ok, const char *detail)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "command", json_object_new_string(cmd));
	json_object_object_add(o, "file", json_object_new_string(file));
	json_object_object_add(o, "result", json_object_new_string(ok ? "ok" : "failed"));
	json_object_object_add(o, "detail", json_object_new_string(detail));
	cli_json_print(o);
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
		CLI_LONGOPTS,
		{ 0 }
	};
	const char *from[MAX_FROM], *out = NULL;
	char trust_abs[PATH_MAX], detail[DA_ERR_MSG_MAX + 64];
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
	while ((c = getopt_long(argc, argv, "f:T:V:o:h" CLI_SHORTOPTS, opts, NULL)) != -1) {
		if (cli_common_opt(c))
			continue;
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
			cli_help("policy", SYNOPSIS, ABOUT, help);
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (!n || !out || optind != argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (cli_check_trust("policy init", o.trust_path))
		return EXIT_USAGE;
	/* The policy is read from other directories: relative anchors would move. */
	if (o.trust_path) {
		if (!realpath(o.trust_path, trust_abs)) {
			fprintf(stderr, "%s policy init: --trust: %s: %s\n", prog, o.trust_path,
				strerror(errno));
			return EXIT_USAGE;
		}
		o.trust_path = trust_abs;
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
	snprintf(detail, sizeof(detail), "policy for %s written",
		 v[0].identity[0] ? v[0].identity : from[0]);
	if (cli_out.json)
		result_json("policy init", out, true, detail);
	else if (!cli_out.quiet)
		printf("%s: %s\n", out, detail);
	ret = 0;
out:
	json_object_put(j);
	for (size_t i = 0; i < done && i < n; i++)
		da_verdict_free(&v[i]);
	return ret;
}

static int policy_check(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		CLI_LONGOPTS,
		{ 0 }
	};
	struct da_policy *p = NULL;
	struct da_err err = { 0 };
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h" CLI_SHORTOPTS, opts, NULL)) != -1) {
		if (cli_common_opt(c))
			continue;
		if (c == 'h') {
			cli_help("policy", SYNOPSIS, ABOUT, help);
			return EXIT_OK;
		}
		usage(stderr);
		return EXIT_USAGE;
	}
	if (optind + 1 != argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (da_policy_load(argv[optind], &p, &err)) {
		fprintf(stderr, "%s policy check: %s\n", prog, err.msg);
		if (cli_out.json)
			result_json("policy check", argv[optind], false, err.msg);
		return EXIT_USAGE;
	}
	da_policy_free(p);
	if (cli_out.json)
		result_json("policy check", argv[optind], true, "ok");
	else if (!cli_out.quiet)
		printf("%s: ok\n", argv[optind]);
	return EXIT_OK;
}

int policy_main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "init"))
		return policy_init(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "check"))
		return policy_check(argc - 1, argv + 1);
	if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		cli_help("policy", SYNOPSIS, ABOUT, help);
		return EXIT_OK;
	}
	usage(stderr);
	return EXIT_USAGE;
}
