// SPDX-License-Identifier: MIT
/*
 * devauth monitor: join the TSM's events group and print every event as
 * it comes (connected, bound, unbound, session-lost, revalidated,
 * revalidation-failed, ...), one line each, or one JSON object per line.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "tsm/pci_tsm.h"

#include "devauth.h"
#include "ipc.h"

static void usage(FILE *f)
{
	fprintf(f, "Usage: %s monitor [--json] [--timeout-ms MS] [--socket PATH]\n"
		"Prints the TSM's events until interrupted (or MS pass without one).\n", prog);
}

static void print_event(const struct ipc_event *e, void *ctx)
{
	bool json = *(bool *)ctx;

	if (json) {
		json_object *o = json_object_new_object();

		json_object_object_add(o, "event",
				       json_object_new_string(pci_tsm_event_name(e->event)));
		json_object_object_add(o, "device", json_object_new_string(e->dev));
		json_object_object_add(o, "state",
				       json_object_new_string(pci_tsm_state_name(e->state)));
		json_object_object_add(o, "generation",
				       json_object_new_int64((int64_t)e->generation));
		if (e->reason[0])
			json_object_object_add(o, "reason", json_object_new_string(e->reason));
		if (e->check[0])
			json_object_object_add(o, "check", json_object_new_string(e->check));
		printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
							       JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(o);
	} else {
		printf("%-20s %-14s state=%-11s gen=%llu%s%s%s%s\n", pci_tsm_event_name(e->event),
		       e->dev, pci_tsm_state_name(e->state), (unsigned long long)e->generation,
		       e->check[0] ? " check=" : "", e->check, e->reason[0] ? " reason=" : "",
		       e->reason);
	}
	/* Scripts read us through a pipe: every event as soon as it happens. */
	fflush(stdout);
}

int monitor_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "timeout-ms", required_argument, NULL, 't' },
		{ "socket", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *sock = NULL;
	struct da_err err = { 0 };
	struct ipc *ipc = NULL;
	bool json = false;
	int c, ret, timeout_ms = -1;

	optind = 1;
	while ((c = getopt_long(argc, argv, "jt:S:h", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 't':
			timeout_ms = atoi(optarg);
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
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	ret = ipc_open(sock, &ipc, &err);
	if (!ret)
		ret = ipc_subscribe(ipc, print_event, &json, &err);
	if (!ret) {
		/* On stderr, so --json output stays pure; scripts wait for it. */
		fprintf(stderr, "%s monitor: listening\n", prog);
		ret = ipc_events(ipc, timeout_ms, &err);
	}
	ipc_close(ipc);
	if (ret) {
		fprintf(stderr, "%s monitor: %s\n", prog, err.msg);
		return 1;
	}
	return 0;
}
