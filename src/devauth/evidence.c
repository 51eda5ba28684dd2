// SPDX-License-Identifier: MIT
/*
 * devauth evidence: dump a device's evidence objects from the TSM into a
 * bundle (or print the TSM's digests of them).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <devauth/evidence.h>

#include <devauth/pci_tsm.h>

#include "cli.h"
#include "devauth.h"
#include "ipc.h"

#define SYNOPSIS "DEV [--type TYPES] [--digest] [--nonce HEX] [-o BUNDLE] [--socket PATH] [--json]"

/*
 * Each object present: the TSM's digest (with --digest, when what came
 * back is one), else its size; into objs, or a line each when NULL.
 */
static void show_objects(const struct ipc_evidence *ev, bool digest, json_object *objs)
{
	for (unsigned int t = 0; t <= DA_EV_MAX; t++) {
		char hex[2 * SPDM_MAX_HASH_SIZE + 1];
		const char *key = da_evidence_type_key(t);
		bool as_digest;

		if (!((ev->present >> t) & 1))
			continue;
		as_digest = digest && ev->obj[t].len <= SPDM_MAX_HASH_SIZE;
		if (as_digest)
			da_hex(ev->obj[t].data, ev->obj[t].len, hex, sizeof(hex));
		if (objs)
			json_object_object_add(objs, key, as_digest ? json_object_new_string(hex) :
					       json_object_new_int64((int64_t)ev->obj[t].len));
		else if (as_digest)
			printf("  %-13s %s %s\n", key, spdm_hash_name(ev->base_hash), hex);
		else
			printf("  %-13s %zu bytes\n", key, ev->obj[t].len);
	}
}

int evidence_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "type", required_argument, NULL, 't' },
		{ "digest", no_argument, NULL, 'd' },
		{ "nonce", required_argument, NULL, 'n' },
		{ "output", required_argument, NULL, 'o' },
		{ "socket", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		CLI_LONGOPTS,
		{ 0 },
	};
	static const struct cli_opt_help help[] = {
		{ "--type TYPES", "cert0..cert7, vca, measurements, report, session (comma-separated) or all (every object the device has)" },
		{ "--digest", "the TSM's digests of the objects instead of the objects" },
		{ "--nonce HEX", "64 hex digits: the TSM re-challenges the device with it first" },
		{ "--output, -o BUNDLE", "write the objects into an evidence bundle (docs/evidence.md)" },
		{ "--socket PATH", "devauthd's socket (default $DEVAUTH_SOCKET, else "
				   IPC_DEFAULT_SOCKET ")" },
		{ 0 },
	};
	const char *sock = NULL, *out = NULL, *dev;
	uint32_t mask = PCI_TSM_TYPES_NATIVE;
	uint8_t nonce[SPDM_NONCE_SIZE];
	bool have_nonce = false, digest = false;
	struct da_err err = { 0 };
	struct ipc_evidence ev = { 0 };
	struct ipc_dev info;
	struct ipc *ipc = NULL;
	int c, ret;

	while ((c = getopt_long(argc, argv, "t:dn:o:S:h" CLI_SHORTOPTS, opts, NULL)) != -1) {
		if (cli_common_opt(c))
			continue;
		switch (c) {
		case 't':
			if (ipc_parse_types(optarg, &mask)) {
				fprintf(stderr, "%s evidence: --type: cert0..cert7, vca, measurements, report, session, all\n",
					prog);
				return 2;
			}
			break;
		case 'd':
			digest = true;
			break;
		case 'n':
			if (da_unhex(optarg, nonce, sizeof(nonce))) {
				fprintf(stderr, "%s evidence: --nonce needs 64 hex digits\n", prog);
				return 2;
			}
			have_nonce = true;
			break;
		case 'o':
			out = optarg;
			break;
		case 'S':
			sock = optarg;
			break;
		case 'h':
			cli_help("evidence", SYNOPSIS,
				 "Read the device's evidence objects from the TSM into a bundle, or\n"
				 "print their sizes or the TSM's digests of them.", help);
			return EXIT_OK;
		default:
			cli_usage(stderr, "evidence", SYNOPSIS);
			return EXIT_USAGE;
		}
	}
	if (optind + 1 != argc || (digest && out)) {
		if (digest && out)
			fprintf(stderr, "%s evidence: a bundle holds objects, not digests: "
				"--digest and -o exclude each other\n", prog);
		cli_usage(stderr, "evidence", SYNOPSIS);
		return EXIT_USAGE;
	}
	dev = argv[optind];
	ret = cli_ipc_open("evidence", sock, &ipc);
	if (ret)
		return ret;
	ret = ipc_evidence_fetch(ipc, dev, mask, digest, have_nonce ? nonce : NULL, &ev, &info, &err);
	ipc_close(ipc);
	if (ret) {
		fprintf(stderr, "%s evidence: %s\n", prog, err.msg);
		return cli_tsm_exit(ret);
	}
	if (out) {
		struct da_evidence b;

		ret = ipc_evidence_bundle(&ev, &info, have_nonce ? nonce : NULL, &b, &err);
		if (!ret) {
			ret = da_evidence_write_file(&b, out, &err);
			da_evidence_free(&b);
		}
		if (ret) {
			/* The bundle could not be written: the output is unusable, as a bad -o. */
			fprintf(stderr, "%s evidence: %s\n", prog, err.msg);
			ipc_evidence_free(&ev);
			return EXIT_USAGE;
		}
	}
	if (cli_out.json) {
		json_object *o = json_object_new_object(), *objs = json_object_new_object();

		json_object_object_add(o, "device", json_object_new_string(dev));
		json_object_object_add(o, "generation", json_object_new_int64((int64_t)ev.generation));
		if (digest)
			json_object_object_add(o, "hash",
					       json_object_new_string(spdm_hash_name(ev.base_hash)));
		show_objects(&ev, digest, objs);
		json_object_object_add(o, digest ? "digests" : "sizes", objs);
		if (out)
			json_object_object_add(o, "bundle", json_object_new_string(out));
		cli_json_print(o);
	} else {
		printf("%s: evidence generation %llu%s%s\n", dev, (unsigned long long)ev.generation,
		       out ? " -> " : "", out ? out : "");
		show_objects(&ev, digest, NULL);
	}
	ipc_evidence_free(&ev);
	return 0;
}
