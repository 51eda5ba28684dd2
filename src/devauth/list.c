// SPDX-License-Identifier: MIT
/* devauth list: the TSMs and devices of the TSM core with their state. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <devauth/tdisp.h>
#include <devauth/pci_tsm.h>

#include "cli.h"
#include "devauth.h"
#include "ipc.h"

#define SYNOPSIS "[DEV] [--socket PATH] [--json]"

static json_object *dev_json(const struct ipc_dev *d)
{
	json_object *o = json_object_new_object(), *types = json_object_new_array();

	json_object_object_add(o, "name", json_object_new_string(d->name));
	json_object_object_add(o, "state", json_object_new_string(pci_tsm_state_name(d->state)));
	json_object_object_add(o, "tsm", d->tsm[0] ? json_object_new_string(d->tsm) : NULL);
	if (d->tsm[0])
		json_object_object_add(o, "slot", json_object_new_int((int)d->neg.slot));
	json_object_object_add(o, "generation", json_object_new_int64((int64_t)d->generation));
	json_object_object_add(o, "endpoint", json_object_new_string(d->endpoint));
	if (d->identity[0])
		json_object_object_add(o, "identity", json_object_new_string(d->identity));
	if (d->neg.version) {
		char v[24];

		cli_version_str(d->neg.version, v, sizeof(v));
		json_object_object_add(o, "version", json_object_new_string(v));
		json_object_object_add(o, "base_asym",
				       json_object_new_string(spdm_asym_name(d->neg.base_asym)));
		json_object_object_add(o, "base_hash",
				       json_object_new_string(spdm_hash_name(d->neg.base_hash)));
	}
	for (unsigned int t = 0; t <= DA_EV_MAX; t++)
		if (d->types & (1u << t))
			json_object_array_add(types, json_object_new_string(da_evidence_type_key(t)));
	json_object_object_add(o, "evidence", types);
	if (d->pin_mode[0])
		json_object_object_add(o, "pin", json_object_new_string(d->pin_mode));
	if (d->tdisp)
		json_object_object_add(o, "tdisp", json_object_new_string(
					       tdisp_state_name((uint8_t)d->tdisp_state)));
	if (d->status[0])
		json_object_object_add(o, "status", json_object_new_string(d->status));
	return o;
}

int list_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		CLI_LONGOPTS,
		{ 0 },
	};
	static const struct cli_opt_help help[] = {
		{ "--socket PATH", "devauthd's socket (default $DEVAUTH_SOCKET, else "
				   IPC_DEFAULT_SOCKET ")" },
		{ 0 },
	};
	const char *sock = NULL, *dev = NULL;
	struct da_err err = { 0 };
	struct ipc_list l;
	struct ipc *ipc = NULL;
	int c, ret;

	while ((c = getopt_long(argc, argv, "S:h" CLI_SHORTOPTS, opts, NULL)) != -1) {
		if (cli_common_opt(c))
			continue;
		switch (c) {
		case 'S':
			sock = optarg;
			break;
		case 'h':
			cli_help("list", SYNOPSIS, "The TSMs, and every device (or DEV) with its state, "
				 "evidence and pin.", help);
			return EXIT_OK;
		default:
			cli_usage(stderr, "list", SYNOPSIS);
			return EXIT_USAGE;
		}
	}
	if (optind < argc)
		dev = argv[optind++];
	if (optind != argc) {
		cli_usage(stderr, "list", SYNOPSIS);
		return EXIT_USAGE;
	}
	ret = cli_ipc_open("list", sock, &ipc);
	if (ret)
		return ret;
	ret = ipc_list(ipc, dev, &l, &err);
	ipc_close(ipc);
	if (ret) {
		fprintf(stderr, "%s list: %s\n", prog, err.msg);
		return cli_tsm_exit(ret);
	}
	if (cli_out.json) {
		json_object *root = json_object_new_object(), *ts = json_object_new_array();
		json_object *ds = json_object_new_array();

		for (size_t i = 0; i < l.n_tsms; i++) {
			json_object *t = json_object_new_object();

			json_object_object_add(t, "name", json_object_new_string(l.tsms[i].name));
			json_object_object_add(t, "type", json_object_new_string(l.tsms[i].type));
			json_object_array_add(ts, t);
		}
		for (size_t i = 0; i < l.n_devs; i++)
			json_object_array_add(ds, dev_json(&l.devs[i]));
		json_object_object_add(root, "tsms", ts);
		json_object_object_add(root, "devices", ds);
		cli_json_print(root);
	} else {
		for (size_t i = 0; i < l.n_tsms; i++)
			printf("TSM %s (%s)\n", l.tsms[i].name, l.tsms[i].type);
		printf("%-14s %-12s %-6s %-4s %-5s %-22s %-11s %s\n", "DEVICE", "STATE", "TSM",
		       "SLOT", "GEN", "ENDPOINT", "PIN", "STATUS");
		for (size_t i = 0; i < l.n_devs; i++) {
			const struct ipc_dev *d = &l.devs[i];
			char slot[8] = "-";

			if (d->tsm[0])
				snprintf(slot, sizeof(slot), "%u", d->neg.slot);
			printf("%-14s %-12s %-6s %-4s %-5llu %-22s %-11s %s\n", d->name,
			       pci_tsm_state_name(d->state), d->tsm[0] ? d->tsm : "-", slot,
			       (unsigned long long)d->generation, d->endpoint,
			       d->pin_mode[0] ? d->pin_mode : "-", d->status);
			/* Only TDISP devices get the column's worth: the table stays as it was. */
			if (d->tdisp)
				printf("%-14s   TDISP %s\n", "",
				       tdisp_state_name((uint8_t)d->tdisp_state));
		}
	}
	ipc_list_free(&l);
	return 0;
}
