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

#include "tsm/pci_tsm.h"

#include "devauth.h"
#include "ipc.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: %s evidence DEV [--type cert0,...,vca,measurements|all] [--digest]\n"
		"       [--nonce HEX] [-o BUNDLE] [--json] [--socket PATH]\n", prog);
}

int evidence_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "type", required_argument, NULL, 't' },
		{ "digest", no_argument, NULL, 'd' },
		{ "nonce", required_argument, NULL, 'n' },
		{ "output", required_argument, NULL, 'o' },
		{ "json", no_argument, NULL, 'j' },
		{ "socket", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *sock = NULL, *out = NULL, *dev;
	uint32_t mask = PCI_TSM_TYPES_NATIVE;
	uint8_t nonce[SPDM_NONCE_SIZE];
	bool have_nonce = false, digest = false, json = false;
	struct da_err err = { 0 };
	struct ipc_evidence ev = { 0 };
	struct ipc_dev info;
	struct ipc *ipc = NULL;
	int c, ret;

	while ((c = getopt_long(argc, argv, "t:dn:o:jS:h", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			if (ipc_parse_types(optarg, &mask)) {
				fprintf(stderr, "%s evidence: --type: cert0..cert7, vca, measurements, all\n",
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
		case 'j':
			json = true;
			break;
		case 'S':
			sock = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind + 1 != argc || (digest && out)) {
		if (digest && out)
			fprintf(stderr, "%s evidence: a bundle holds objects, not digests: "
				"--digest and -o exclude each other\n", prog);
		usage(stderr);
		return 2;
	}
	dev = argv[optind];
	ret = ipc_open(sock, &ipc, &err);
	if (!ret)
		ret = ipc_evidence_fetch(ipc, dev, mask, digest, have_nonce ? nonce : NULL, &ev, &info,
				      &err);
	ipc_close(ipc);
	if (ret) {
		fprintf(stderr, "%s evidence: %s\n", prog, err.msg);
		return 1;
	}
	if (out) {
		struct da_evidence b;

		ret = ipc_evidence_bundle(&ev, &info, have_nonce ? nonce : NULL, &b, &err);
		if (!ret) {
			ret = da_evidence_write_file(&b, out, &err);
			da_evidence_free(&b);
		}
		if (ret) {
			fprintf(stderr, "%s evidence: %s\n", prog, err.msg);
			ipc_evidence_free(&ev);
			return 1;
		}
	}
	if (json) {
		json_object *o = json_object_new_object(), *objs = json_object_new_object();

		json_object_object_add(o, "device", json_object_new_string(dev));
		json_object_object_add(o, "generation", json_object_new_int64((int64_t)ev.generation));
		if (digest)
			json_object_object_add(o, "hash",
					       json_object_new_string(spdm_hash_name(ev.hash_algo)));
		for (unsigned int t = 0; t <= DA_EV_MAX; t++) {
			char hex[2 * SPDM_MAX_HASH_SIZE + 1];

			if (!((ev.present >> t) & 1))
				continue;
			if (digest && ev.obj[t].len <= SPDM_MAX_HASH_SIZE) {
				da_hex(ev.obj[t].data, ev.obj[t].len, hex, sizeof(hex));
				json_object_object_add(objs, ipc_type_name(t),
						       json_object_new_string(hex));
			} else {
				json_object_object_add(objs, ipc_type_name(t),
						       json_object_new_int64((int64_t)ev.obj[t].len));
			}
		}
		json_object_object_add(o, digest ? "digests" : "sizes", objs);
		if (out)
			json_object_object_add(o, "bundle", json_object_new_string(out));
		printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
							      JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(o);
	} else {
		printf("%s: evidence generation %llu%s%s\n", dev, (unsigned long long)ev.generation,
		       out ? " -> " : "", out ? out : "");
		for (unsigned int t = 0; t <= DA_EV_MAX; t++) {
			char hex[2 * SPDM_MAX_HASH_SIZE + 1];

			if (!((ev.present >> t) & 1))
				continue;
			if (digest && ev.obj[t].len <= SPDM_MAX_HASH_SIZE) {
				da_hex(ev.obj[t].data, ev.obj[t].len, hex, sizeof(hex));
				printf("  %-13s %s %s\n", ipc_type_name(t),
				       spdm_hash_name(ev.hash_algo), hex);
			} else {
				printf("  %-13s %zu bytes\n", ipc_type_name(t), ev.obj[t].len);
			}
		}
	}
	ipc_evidence_free(&ev);
	return 0;
}
