// SPDX-License-Identifier: MIT
/*
 * devauth verify: evidence in any of its forms, re-checked from the raw
 * bytes, then trust anchors and policy.  Exit 0 accepted, 1 rejected,
 * 2 bad input or usage.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <devauth/evidence.h>
#include <devauth/pcap.h>
#include <devauth/verifier.h>

#include "cli.h"
#include "devauth.h"

#include <devauth/file.h>

#define SYNOPSIS "(--bundle FILE | --pcap FILE | --sysfs DIR | --netlink-sig FILE |\n" \
	"        --pci-tsm FILE) [--trust FILE|DIR] [--policy FILE] [--nonce HEX]\n" \
	"        [--write-bundle OUT] [--json]"
#define ABOUT "Re-derives everything from the raw evidence bytes (message order and sizes,\n" \
	"version and algorithms, chain, DIGESTS, CertChainHash, both signatures), then\n" \
	"checks the chain against the trust anchors, the PCIe identity, the nonce, and\n" \
	"each measurement block against the policy (docs/policy.md).  Exit status:\n" \
	"0 accepted, 1 rejected, 2 bad input or usage."

static const struct cli_opt_help help[] = {
	{ "--bundle, -b FILE", "evidence bundle (docs/evidence.md)" },
	{ "--pcap FILE", "capture, LINKTYPE 292 (PCI DOE) or 291 (MCTP)" },
	{ "--sysfs, -s DIR", "Linux C series sysfs: DIR/certificates, DIR/signatures" },
	{ "--netlink-sig, -e FILE", "\"spdm\" netlink sig event(s), raw netlink messages" },
	{ "--pci-tsm, -d FILE", "pci-tsm EVIDENCE_READ dump, raw netlink messages" },
	{ "--trust, -T FILE|DIR", "trust anchors (PEM/DER); overrides the policy's" },
	{ "--policy, -P FILE", "policy (JSON)" },
	{ "--nonce, -n HEX", "the 32-byte nonce the verifier supplied (64 hex digits)" },
	{ "--write-bundle, -w OUT", "also save the evidence as a bundle (any source)" },
	{ 0 },
};

static void print_verdict(const char *title, const struct da_verdict *v)
{
	if (cli_out.quiet) {
		printf("%s: %s%s%s\n", title, v->accepted ? "accepted" : "REJECTED",
		       v->accepted ? "" : ": ", v->accepted ? "" : v->reason);
		return;
	}
	printf("%s: %s\n", title, v->accepted ? "accepted" : "REJECTED");
	if (v->replayed) {
		printf("  SPDM %u.%u, %s, %s, measurements %s, slot %u\n", v->neg.version >> 4,
		       v->neg.version & 0xf, spdm_asym_name(v->neg.base_asym), spdm_hash_name(v->neg.base_hash),
		       v->neg.measurement_hash ? spdm_meas_hash_name(v->neg.measurement_hash) : "none", v->neg.slot);
		printf("  identity: %s\n", v->identity[0] ? v->identity : "(none)");
	}
	printf("  checks:\n");
	for (size_t i = 0; i < v->checks.n; i++)
		printf("    %-8s %-24s %s\n", da_check_result_name(v->checks.c[i].result),
		       v->checks.c[i].name, v->checks.c[i].detail);
	if (!v->accepted)
		printf("  reason: %s\n", v->reason);
}

enum src { SRC_NONE, SRC_BUNDLE, SRC_PCAP, SRC_SYSFS, SRC_SIG, SRC_TSM };

/* Evidence from a file or directory of the given form; 0 or -errno with err set. */
static int load(enum src s, const char *path, struct da_evidence *ev, struct da_err *err)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	int ret;

	switch (s) {
	case SRC_BUNDLE:
		return da_evidence_read_file(path, ev, err);
	case SRC_SYSFS:
		return da_evidence_import_sysfs(path, ev, err);
	case SRC_SIG:
	case SRC_TSM:
		ret = da_read_file(path, &buf, &len, 64u << 20, err);
		if (ret)
			return ret;
		ret = s == SRC_SIG ? da_evidence_import_netlink_sig(buf, len, ev, err) :
				     da_evidence_import_pci_tsm(buf, len, ev, err);
		if (ret)
			da_err_prefix(err, "%s", path);
		free(buf);
		return ret;
	default:
		return -EINVAL;
	}
}

static int verify_pcap(const char *path, const struct da_verify_opts *o, struct da_verdict *v,
		       struct da_err *err)
{
	struct da_capture cap = { 0 };
	struct da_spdm_msg *msgs = NULL;
	size_t n = 0;
	int ret;

	ret = da_pcap_read(path, &cap, err);
	if (!ret)
		ret = da_capture_spdm(&cap, &msgs, &n, err);
	if (!ret)
		ret = da_verify_msgs(msgs, n, path, o, v, err);
	free(msgs);
	da_capture_free(&cap);
	return ret;
}

int verify_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "bundle", required_argument, NULL, 'b' },
		{ "pcap", required_argument, NULL, 'c' },
		{ "sysfs", required_argument, NULL, 's' },
		{ "netlink-sig", required_argument, NULL, 'e' },
		{ "pci-tsm", required_argument, NULL, 'd' },
		{ "trust", required_argument, NULL, 'T' },
		{ "policy", required_argument, NULL, 'P' },
		{ "nonce", required_argument, NULL, 'n' },
		{ "write-bundle", required_argument, NULL, 'w' },
		{ "help", no_argument, NULL, 'h' },
		CLI_LONGOPTS,
		{ 0 }
	};
	struct da_verify_opts o = { 0 };
	struct da_verdict v = { 0 };
	struct da_evidence ev;
	struct da_policy *policy = NULL;
	struct da_err err = { 0 };
	const char *path = NULL, *policy_path = NULL, *out = NULL;
	enum src src = SRC_NONE;
	int c, ret;

	da_evidence_init(&ev);
	optind = 1;
	while ((c = getopt_long(argc, argv, "b:s:e:d:T:P:n:w:h" CLI_SHORTOPTS, opts, NULL)) != -1) {
		if (cli_common_opt(c))
			continue;
		switch (c) {
		case 'b':
		case 'c':
		case 's':
		case 'e':
		case 'd':
			if (src != SRC_NONE) {
				fprintf(stderr, "%s verify: give exactly one evidence source\n", prog);
				return 2;
			}
			src = c == 'b' ? SRC_BUNDLE : c == 'c' ? SRC_PCAP : c == 's' ? SRC_SYSFS :
			      c == 'e' ? SRC_SIG : SRC_TSM;
			path = optarg;
			break;
		case 'T':
			o.trust_path = optarg;
			break;
		case 'P':
			policy_path = optarg;
			break;
		case 'n':
			if (da_unhex(optarg, o.nonce, sizeof(o.nonce))) {
				fprintf(stderr, "%s verify: --nonce needs 64 hex digits\n", prog);
				return 2;
			}
			o.have_nonce = true;
			break;
		case 'w':
			out = optarg;
			break;
		case 'h':
			cli_help("verify", SYNOPSIS, ABOUT, help);
			return EXIT_OK;
		default:
			cli_usage(stderr, "verify", SYNOPSIS);
			return EXIT_USAGE;
		}
	}
	if (src == SRC_NONE || optind != argc) {
		cli_usage(stderr, "verify", SYNOPSIS);
		return EXIT_USAGE;
	}
	if (cli_check_trust("verify", o.trust_path))
		return EXIT_USAGE;
	if (policy_path) {
		if (da_policy_load(policy_path, &policy, &err)) {
			fprintf(stderr, "%s verify: %s\n", prog, err.msg);
			return 2;
		}
		o.policy = policy;
	}
	if (src == SRC_PCAP) {
		ret = verify_pcap(path, &o, &v, &err);
	} else {
		ret = load(src, path, &ev, &err);
		if (!ret)
			ret = da_verify(&ev, &o, &v, &err);
	}
	if (ret) {
		/* The messages name the object and the offset; add the file. */
		cli_file_error("verify", path, err.msg);
		ret = 2;
		goto out;
	}
	if (cli_out.json) {
		json_object *j = da_verdict_json(&v);

		json_object_object_add(j, "file", json_object_new_string(path));
		cli_json_print(j);
	} else {
		print_verdict(path, &v);
	}
	ret = v.accepted ? 0 : 1;
	if (out) {
		/* A capture has objects only once its exchange replays. */
		if ((src == SRC_PCAP && da_evidence_import_pcap(path, &ev, &err)) ||
		    da_evidence_write_file(&ev, out, &err)) {
			fprintf(stderr, "%s verify: %s: %s\n", prog, out, err.msg);
			ret = 2;
		}
	}
out:
	da_verdict_free(&v);
	da_evidence_free(&ev);
	da_policy_free(policy);
	return ret;
}
