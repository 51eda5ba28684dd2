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

#include "crypto/crypto.h"
#include "evidence/ev_internal.h"
#include "tsm/pci_tsm.h"

#include "devauth.h"
#include "ipc.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: %s pin --from BUNDLE [--mode exact|same-key|same-device] [--trust FILE|DIR]\n"
		"              [--policy FILE] [--nonce HEX] [--volatile IDX,...] -o PIN\n"
		"       %s pin DEV --from BUNDLE|--current [--mode exact|same-key|same-device|exec|fatal]\n"
		"              [--volatile IDX,...] [--exec PROGRAM [--timeout-ms MS]] [--trust ...]\n"
		"              [--policy FILE] [-o PIN] [--socket PATH]\n"
		"       %s pin DEV --mode fatal | --install PIN | --remove [--socket PATH]\n"
		"\n"
		"Verifies the bundle (trust anchors and policy as for `verify`) and writes what a\n"
		"revalidation must find again: the leaf public key, the chain hash (exact), the\n"
		"identity and the measurement digests except volatile ones (exact, same-device).\n"
		"With DEV the pin is installed in devauthd, which re-challenges the device with its\n"
		"own nonce after a session loss (--current: the device's evidence now, read with a\n"
		"fresh nonce).  exec: PROGRAM decides (bundle on stdin, pin as argv[1], exit 0\n"
		"accepts); fatal: a session loss alone unbinds the device.\n"
		"Exit status: 0 written, 1 evidence rejected, 2 bad input or usage.\n",
		prog, prog, prog);
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
		{ 0 }
	};
	enum da_reval_mode mode = DA_REVAL_EXACT;
	const char *dev = NULL, *sock = NULL, *exec_prog = NULL, *install = NULL;
	uint8_t vol[32] = { 0 };
	bool current = false, remove_pin = false, have_vol = false;
	unsigned long timeout_ms = 0;
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
	while ((c = getopt_long(argc, argv, "f:m:T:P:n:o:cV:x:t:ri:S:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			from = optarg;
			break;
		case 'm':
			if (da_reval_mode_parse(optarg, &mode)) {
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
		case 't': {
			char *end;

			timeout_ms = strtoul(optarg, &end, 10);
			if (*end || !timeout_ms || timeout_ms > DA_PIN_EXEC_MAX_MS) {
				fprintf(stderr, "%s pin: --timeout-ms: 1-%u\n", prog,
					DA_PIN_EXEC_MAX_MS);
				goto out;
			}
			break;
		}
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
			usage(stdout);
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
		mode = DA_REVAL_EXEC;
	if (mode == DA_REVAL_EXEC && (!exec_prog || exec_prog[0] != '/')) {
		fprintf(stderr, "%s pin: mode exec needs --exec with an absolute path\n", prog);
		goto out;
	}
	if (!dev && (current || remove_pin || install || mode > DA_REVAL_SAME_DEVICE || sock))
		goto usage;
	if (!dev && (!from || !out))
		goto usage;
	if (from && current)
		goto usage;
	if (dev) {
		ret = ipc_open(sock, &ipc, &err);
		if (ret) {
			fprintf(stderr, "%s pin: %s\n", prog, err.msg);
			ret = 2;
			goto out;
		}
		ret = 2;
	}
	if (install) {
		/* A pin file as it is (hand-written exec pins): devauthd parses it. */
		uint8_t *buf = NULL;
		size_t len = 0;

		if (da_read_file(install, &buf, &len, DA_PIN_MAX_SIZE, &err) ||
		    ipc_pin(ipc, dev, (const char *)buf, len, &err)) {
			fprintf(stderr, "%s pin: %s\n", prog, err.msg);
			free(buf);
			ret = 1;
			goto out;
		}
		free(buf);
		printf("%s: pin %s installed\n", dev, install);
		ret = 0;
		goto out;
	}
	if (remove_pin) {
		if (ipc_pin(ipc, dev, NULL, 0, &err)) {
			fprintf(stderr, "%s pin: %s\n", prog, err.msg);
			ret = 1;
			goto out;
		}
		printf("%s: pin removed\n", dev);
		ret = 0;
		goto out;
	}
	if (mode == DA_REVAL_FATAL && !from && !current) {
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
				ret = 1;
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
		if (da_pin_from_verdict(&v, mode <= DA_REVAL_SAME_DEVICE ? (enum da_pin_mode)mode :
					DA_PIN_EXACT, policy, &j, &err)) {
			fprintf(stderr, "%s pin: %s\n", prog, err.msg);
			goto out;
		}
	}
	json_object_object_add(j, "mode", json_object_new_string(da_reval_mode_name(mode)));
	if (have_vol)
		make_volatile(j, vol);
	if (mode == DA_REVAL_EXEC) {
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

		if (ipc_pin(ipc, dev, s, strlen(s), &err)) {
			fprintf(stderr, "%s pin: %s\n", prog, err.msg);
			ret = 1;
			goto out;
		}
		printf("%s: %s pin installed\n", dev, da_reval_mode_name(mode));
	}
	if (out)
		printf("%s: %s pin written\n", out, da_reval_mode_name(mode));
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
