// SPDX-License-Identifier: MIT
/*
 * devauth pin: the revalidation expectation from verified evidence
 * (docs/pin.md), written to a file (-o) and/or installed in the TSM for
 * a device (DEV), which then revalidates it after a session loss.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <devauth/evidence.h>
#include <devauth/verifier.h>

#include <devauth/crypto.h>
#include <devauth/file.h>
#include <devauth/pci_tsm.h>

#include "cli.h"
#include "devauth.h"
#include "ipc.h"

#define SYNOPSIS "--from BUNDLE [--mode exact|same-key|same-device] [--trust FILE|DIR]\n" \
	"              [--policy FILE] [--nonce HEX] [--volatile IDX,...] -o PIN [--json]\n" \
	"       devauth pin DEV --from BUNDLE|--current [--mode exact|same-key|same-device|exec|fatal]\n" \
	"              [--volatile IDX,...] [--exec PROGRAM [--timeout-ms MS]] [--trust ...]\n" \
	"              [--policy FILE] [-o PIN] [--socket PATH] [--json]\n" \
	"       devauth pin DEV --mode fatal | --install PIN | --remove [--socket PATH] [--json]"
#define ABOUT "Verifies the bundle (trust anchors and policy as for `verify`) and writes what a\n" \
	"revalidation must find again: the leaf public key, the chain hash (exact), the\n" \
	"identity and the measurement digests except volatile ones (exact, same-device).\n" \
	"With DEV the pin is installed in devauthd, which re-challenges the device with its\n" \
	"own nonce after a session loss (--current: the device's evidence now, read with a\n" \
	"fresh nonce).  exec: PROGRAM decides (bundle on stdin, pin as argv[1], exit 0\n" \
	"accepts); fatal: a session loss alone unbinds the device.\n" \
	"Exit status: 0 written, 1 evidence rejected or the TSM refused, 2 bad input or usage."

static const struct cli_opt_help help[] = {
	{ "--from, -f BUNDLE", "verified evidence the pin is derived from" },
	{ "--current, -c", "with DEV: the device's evidence now, read with a fresh nonce" },
	{ "--mode, -m MODE", "exact (default), same-key, same-device, exec or fatal" },
	{ "--trust, -T FILE|DIR", "trust anchors the evidence must chain to" },
	{ "--policy, -P FILE", "policy the evidence must meet; its volatile indices" },
	{ "--nonce, -n HEX", "the nonce the evidence must carry (64 hex digits)" },
	{ "--volatile, -V IDX,...", "measurement indices (0-255) left out of the pin" },
	{ "--exec, -x PROGRAM", "exec mode: the absolute path of the program that decides" },
	{ "--timeout-ms, -t MS", "exec mode: the program's time limit, 1-600000 (default 5000)" },
	{ "--output, -o PIN", "write the pin to this file" },
	{ "--install, -i PIN", "with DEV: install this pin file as it is" },
	{ "--remove, -r", "with DEV: remove the device's pin" },
	{ "--socket, -S PATH", "devauthd's socket (default $DEVAUTH_SOCKET, else "
			       IPC_DEFAULT_SOCKET ")" },
	{ 0 },
};

static void usage(FILE *f)
{
	cli_usage(f, "pin", SYNOPSIS);
}

/* What was done, for --json: {command, device, file, result, detail}. */
static void done(const char *dev, const char *file, const char *detail)
{
	json_object *o;

	if (!cli_out.json) {
		if (!cli_out.quiet)
			printf("%s: %s\n", dev ? dev : file, detail);
		return;
	}
	o = json_object_new_object();
	json_object_object_add(o, "command", json_object_new_string("pin"));
	json_object_object_add(o, "device", dev ? json_object_new_string(dev) : NULL);
	json_object_object_add(o, "file", file ? json_object_new_string(file) : NULL);
	json_object_object_add(o, "result", json_object_new_string("ok"));
	json_object_object_add(o, "detail", json_object_new_string(detail));
	cli_json_print(o);
}

/* "16,0x20" -> bitmap */
static int parse_indices(const char *s, uint8_t bitmap[32])
{
	char *dup = strdup(s), *save = NULL;
	int ret = dup ? 0 : -ENOMEM;

	for (char *t = dup ? strtok_r(dup, ",", &save) : NULL; t && !ret;
	     t = strtok_r(NULL, ",", &save)) {
		char *end;
		unsigned long i = strtoul(t, &end, 0);

		if (*end || end == t || i > 255)
			ret = -EINVAL;
		else
			bitmap[i / 8] |= (uint8_t)(1u << (i % 8));
	}
	free(dup);
	return ret;
}

/* Indices the user calls volatile leave "measurements" for "volatile". */
static void make_volatile(json_object *j, const uint8_t bitmap[32])
{
	json_object *ms, *vl, *keep;

	if (!json_object_object_get_ex(j, "measurements", &ms))
		return;
	keep = json_object_new_array();
	if (!json_object_object_get_ex(j, "volatile", &vl)) {
		vl = json_object_new_array();
		json_object_object_add(j, "volatile", vl);
	}
	for (size_t i = 0; i < json_object_array_length(ms); i++) {
		json_object *m = json_object_array_get_idx(ms, i), *idx;
		int n;

		json_object_object_get_ex(m, "index", &idx);
		n = json_object_get_int(idx);
		if (n >= 0 && n < 256 && (bitmap[n / 8] & (1u << (n % 8))))
			json_object_array_add(vl, json_object_new_int(n));
		else
			json_object_array_add(keep, json_object_get(m));
	}
	json_object_object_add(j, "measurements", keep);
}

/* The device's evidence now, re-read with a fresh nonce of ours. */
static int read_current(struct ipc *ipc, const char *dev, struct da_evidence *ev,
			uint8_t nonce[SPDM_NONCE_SIZE], struct da_err *err)
{
	struct ipc_evidence iev = { 0 };
	struct ipc_dev info;
	int ret;

	ret = da_random(nonce, SPDM_NONCE_SIZE);
	if (ret)
		return da_errf(err, ret, "no nonce from the CSPRNG");
	ret = ipc_evidence_fetch(ipc, dev, PCI_TSM_TYPES_NATIVE, false, nonce, &iev, &info, err);
	if (!ret) {
		da_evidence_free(ev);
		ret = ipc_evidence_bundle(&iev, &info, nonce, ev, err);
	}
	ipc_evidence_free(&iev);
	return ret;
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
		{ "current", no_argument, NULL, 'c' },
		{ "volatile", required_argument, NULL, 'V' },
		{ "exec", required_argument, NULL, 'x' },
		{ "timeout-ms", required_argument, NULL, 't' },
		{ "remove", no_argument, NULL, 'r' },
		{ "install", required_argument, NULL, 'i' },
		{ "socket", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		CLI_LONGOPTS,
		{ 0 }
	};
	char detail[128];
	enum da_pin_mode mode = DA_PIN_EXACT;
	const char *dev = NULL, *sock = NULL, *exec_prog = NULL, *install = NULL;
	uint8_t vol[32] = { 0 };
	bool current = false, remove_pin = false, have_vol = false;
	unsigned long long timeout_ms = 0;
	struct ipc *ipc = NULL;
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
	while ((c = getopt_long(argc, argv, "f:m:T:P:n:o:cV:x:t:ri:S:h" CLI_SHORTOPTS, opts,
				NULL)) != -1) {
		if (cli_common_opt(c))
			continue;
		switch (c) {
		case 'f':
			from = optarg;
			break;
		case 'm':
			if (da_pin_mode_parse(optarg, &mode)) {
				fprintf(stderr,
					"%s pin: --mode is exact, same-key, same-device, exec or fatal\n",
					prog);
				return 2;
			}
			break;
		case 'c':
			current = true;
			break;
		case 'V':
			if (parse_indices(optarg, vol)) {
				fprintf(stderr, "%s pin: --volatile: indices 0-255, comma separated\n",
					prog);
				goto out;
			}
			have_vol = true;
			break;
		case 'x':
			exec_prog = optarg;
			break;
		case 't':
			if (cli_number("pin", "timeout-ms", optarg, 1, DA_PIN_EXEC_MAX_MS, &timeout_ms))
				goto out;
			break;
		case 'r':
			remove_pin = true;
			break;
		case 'i':
			install = optarg;
			break;
		case 'S':
			sock = optarg;
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
			if (da_unhex(optarg, o.nonce, sizeof(o.nonce))) {
				fprintf(stderr, "%s pin: --nonce needs 64 hex digits\n", prog);
				goto out;
			}
			o.have_nonce = true;
			break;
		case 'o':
			out = optarg;
			break;
		case 'h':
			cli_help("pin", SYNOPSIS, ABOUT, help);
			ret = 0;
			goto out;
		default:
			usage(stderr);
			goto out;
		}
	}
	if (optind + 1 == argc)
		dev = argv[optind];
	else if (optind != argc)
		goto usage;
	if (exec_prog)
		mode = DA_PIN_EXEC;
	if (mode == DA_PIN_EXEC && (!exec_prog || exec_prog[0] != '/')) {
		fprintf(stderr, "%s pin: mode exec needs --exec with an absolute path\n", prog);
		goto out;
	}
	if (!dev && (current || remove_pin || install || mode > DA_PIN_SAME_DEVICE || sock))
		goto usage;
	if (!dev && (!from || !out))
		goto usage;
	if (from && current)
		goto usage;
	if (cli_check_trust("pin", o.trust_path))
		goto out;
	if (dev) {
		ret = cli_ipc_open("pin", sock, &ipc);
		if (ret)
			goto out;
		ret = 2;
	}
	if (install) {
		/* A pin file as it is (hand-written exec pins): devauthd parses it. */
		uint8_t *buf = NULL;
		size_t len = 0;

		if (da_read_file(install, &buf, &len, DA_PIN_MAX_SIZE, &err)) {
			fprintf(stderr, "%s pin: --install: %s\n", prog, err.msg);
			goto out;
		}
		ret = ipc_pin(ipc, dev, (const char *)buf, len, &err);
		free(buf);
		if (ret) {
			fprintf(stderr, "%s pin: %s\n", prog, err.msg);
			ret = cli_tsm_exit(ret);
			goto out;
		}
		snprintf(detail, sizeof(detail), "pin %s installed", install);
		done(dev, install, detail);
		ret = 0;
		goto out;
	}
	if (remove_pin) {
		ret = ipc_pin(ipc, dev, NULL, 0, &err);
		if (ret) {
			fprintf(stderr, "%s pin: %s\n", prog, err.msg);
			ret = cli_tsm_exit(ret);
			goto out;
		}
		done(dev, NULL, "pin removed");
		goto out;
	}
	if (mode == DA_PIN_FATAL && !from && !current) {
		j = json_object_new_object();
		json_object_object_add(j, "version", json_object_new_int(1));
	} else {
		if (!from && !current)
			goto usage;
		if (current) {
			ret = read_current(ipc, dev, &ev, o.nonce, &err);
			o.have_nonce = !ret;
			if (ret) {
				fprintf(stderr, "%s pin: %s\n", prog, err.msg);
				ret = cli_tsm_exit(ret);
				goto out;
			}
			ret = 2;
		} else if (da_evidence_read_file(from, &ev, &err)) {
			fprintf(stderr, "%s pin: %s\n", prog, err.msg);
			goto out;
		}
		if (da_verify(&ev, &o, &v, &err)) {
			fprintf(stderr, "%s pin: %s\n", prog, err.msg);
			goto out;
		}
		if (!v.accepted) {
			fprintf(stderr, "%s pin: %s: not accepted: %s\n", prog,
				from ? from : dev, v.reason);
			ret = 1;
			goto out;
		}
		/* exec and fatal pins carry what an exact pin does, for the program to read. */
		if (da_pin_from_verdict(&v, mode <= DA_PIN_SAME_DEVICE ? mode : DA_PIN_EXACT, policy, &j, &err)) {
			fprintf(stderr, "%s pin: %s\n", prog, err.msg);
			goto out;
		}
	}
	json_object_object_add(j, "mode", json_object_new_string(da_pin_mode_name(mode)));
	if (have_vol)
		make_volatile(j, vol);
	if (mode == DA_PIN_EXEC) {
		json_object *x = json_object_new_object();

		json_object_object_add(x, "program", json_object_new_string(exec_prog));
		json_object_object_add(x, "timeout_ms", json_object_new_int64(
			timeout_ms ? (int64_t)timeout_ms : DA_PIN_EXEC_DEFAULT_MS));
		json_object_object_add(j, "exec", x);
	}
	if (out && da_json_write_file(j, out, &err)) {
		fprintf(stderr, "%s pin: %s\n", prog, err.msg);
		goto out;
	}
	if (dev) {
		const char *s = json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN |
							      JSON_C_TO_STRING_NOSLASHESCAPE);

		ret = ipc_pin(ipc, dev, s, strlen(s), &err);
		if (ret) {
			fprintf(stderr, "%s pin: %s\n", prog, err.msg);
			ret = cli_tsm_exit(ret);
			goto out;
		}
	}
	snprintf(detail, sizeof(detail), "%s pin %s%s%s", da_pin_mode_name(mode),
		 dev ? "installed" : "", dev && out ? " and " : "", out ? "written" : "");
	done(dev, out, detail);
	ret = 0;
	goto out;
usage:
	usage(stderr);
	ret = 2;
out:
	ipc_close(ipc);
	json_object_put(j);
	da_verdict_free(&v);
	da_evidence_free(&ev);
	da_policy_free(policy);
	return ret;
}
