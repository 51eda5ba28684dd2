// SPDX-License-Identifier: MIT
/* devauth list: the TSMs and devices of the TSM core with their state. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "tsm/pci_tsm.h"

#include "devauth.h"
#include "ipc.h"

static void usage(FILE *f)
{
	fprintf(f, "Usage: %s list [DEV] [--json] [--socket PATH]\n", prog);
}

static json_object *dev_json(const struct ipc_dev *d)
{
	json_object *o = json_object_new_object(), *types = json_object_new_array();

	json_object_object_add(o, "name", json_object_new_string(d->name));
	json_object_object_add(o, "state", json_object_new_string(pci_tsm_state_name(d->state)));
	json_object_object_add(o, "tsm", d->tsm[0] ? json_object_new_string(d->tsm) : NULL);
	if (d->tsm[0])
		json_object_object_add(o, "slot", json_object_new_int((int)d->slot));
	json_object_object_add(o, "generation", json_object_new_int64((int64_t)d->generation));
	json_object_object_add(o, "endpoint", json_object_new_string(d->endpoint));
	if (d->identity[0])
		json_object_object_add(o, "identity", json_object_new_string(d->identity));
	if (d->version) {
		char v[24];

		snprintf(v, sizeof(v), "%u.%u", d->version >> 4, d->version & 15);
		json_object_object_add(o, "spdm-version", json_object_new_string(v));
		json_object_object_add(o, "base-asym",
				       json_object_new_string(spdm_asym_name(d->base_asym)));
		json_object_object_add(o, "base-hash",
				       json_object_new_string(spdm_hash_name(d->base_hash)));
	}
	for (unsigned int t = 0; t <= DA_EV_MAX; t++)
		if (d->types & (1u << t))
			json_object_array_add(types, json_object_new_string(ipc_type_name(t)));
	json_object_object_add(o, "evidence", types);
	if (d->pin_mode[0])
		json_object_object_add(o, "pin", json_object_new_string(d->pin_mode));
	if (d->status[0])
		json_object_object_add(o, "status", json_object_new_string(d->status));
	return o;
}

int list_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "socket", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *sock = NULL, *dev = NULL;
	struct da_err err = { 0 };
	struct ipc_list l;
	struct ipc *ipc = NULL;
	bool json = false;
	int c;

	while ((c = getopt_long(argc, argv, "jS:h", opts, NULL)) != -1) {
		switch (c) {
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
	if (optind < argc)
		dev = argv[optind++];
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	if (ipc_open(sock, &ipc, &err) || ipc_list(ipc, dev, &l, &err)) {
		fprintf(stderr, "%s list: %s\n", prog, err.msg);
		ipc_close(ipc);
		return 1;
	}
	ipc_close(ipc);
	if (json) {
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
		printf("%s\n", json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY |
							      JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(root);
	} else {
		for (size_t i = 0; i < l.n_tsms; i++)
			printf("TSM %s (%s)\n", l.tsms[i].name, l.tsms[i].type);
		printf("%-14s %-12s %-6s %-4s %-5s %-22s %-11s %s\n", "DEVICE", "STATE", "TSM",
		       "SLOT", "GEN", "ENDPOINT", "PIN", "STATUS");
		for (size_t i = 0; i < l.n_devs; i++) {
			const struct ipc_dev *d = &l.devs[i];
			char slot[8] = "-";

			if (d->tsm[0])
				snprintf(slot, sizeof(slot), "%u", d->slot);
			printf("%-14s %-12s %-6s %-4s %-5llu %-22s %-11s %s\n", d->name,
			       pci_tsm_state_name(d->state), d->tsm[0] ? d->tsm : "-", slot,
			       (unsigned long long)d->generation, d->endpoint,
			       d->pin_mode[0] ? d->pin_mode : "-", d->status);
		}
	}
	ipc_list_free(&l);
	return 0;
}
