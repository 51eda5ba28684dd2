// SPDX-License-Identifier: MIT
/*
 * devauth monitor: join the TSM's events group and print every event as
 * it comes (connected, bound, unbound, session-lost, revalidated,
 * revalidation-failed, ...), one line each, or one JSON object per line.
 * Each event gets the time it arrived (RFC 3339, UTC) and a sequence
 * number counted from 1 by this monitor, so a reader sees gaps in what
 * it was shown and can order lines from several monitors by time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/time.h>
#include <time.h>

#include <devauth/pci_tsm.h>

#include "cli.h"
#include "devauth.h"
#include "ipc.h"

#define SYNOPSIS "[--timeout-ms MS] [--socket PATH] [--json]"
/* A day: longer waits are a mistake more often than an intent. */
#define MONITOR_MAX_MS 86400000ull

struct monitor {
	unsigned long long seq;
};

static void rfc3339_now(char *buf, size_t len)
{
	struct timeval tv;
	struct tm tm;
	char s[32];

	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	strftime(s, sizeof(s), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, len, "%s.%06ldZ", s, (long)tv.tv_usec);
}

static void print_event(const struct ipc_event *e, void *ctx)
{
	struct monitor *m = ctx;
	char ts[48];

	rfc3339_now(ts, sizeof(ts));
	m->seq++;
	if (cli_out.json) {
		json_object *o = json_object_new_object();

		json_object_object_add(o, "seq", json_object_new_int64((int64_t)m->seq));
		json_object_object_add(o, "time", json_object_new_string(ts));
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
		cli_json_print(o);
	} else {
		printf("%s %-4llu %-20s %-14s state=%-11s gen=%llu%s%s%s%s\n", ts, m->seq,
		       pci_tsm_event_name(e->event), e->dev, pci_tsm_state_name(e->state),
		       (unsigned long long)e->generation, e->check[0] ? " check=" : "", e->check,
		       e->reason[0] ? " reason=" : "", e->reason);
	}
	/* Scripts read us through a pipe: every event as soon as it happens. */
	fflush(stdout);
}

int monitor_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "timeout-ms", required_argument, NULL, 't' },
		{ "socket", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		CLI_LONGOPTS,
		{ 0 },
	};
	static const struct cli_opt_help help[] = {
		{ "--timeout-ms MS", "stop after MS (1-86400000) without an event (default: never)" },
		{ "--socket PATH", "devauthd's socket (default $DEVAUTH_SOCKET, else "
				   IPC_DEFAULT_SOCKET ")" },
		{ 0 },
	};
	const char *sock = NULL;
	struct da_err err = { 0 };
	struct ipc *ipc = NULL;
	struct monitor m = { 0 };
	unsigned long long n;
	int c, ret, timeout_ms = -1;

	optind = 1;
	while ((c = getopt_long(argc, argv, "t:S:h" CLI_SHORTOPTS, opts, NULL)) != -1) {
		if (cli_common_opt(c))
			continue;
		switch (c) {
		case 't':
			if (cli_number("monitor", "timeout-ms", optarg, 1, MONITOR_MAX_MS, &n))
				return EXIT_USAGE;
			timeout_ms = (int)n;
			break;
		case 'S':
			sock = optarg;
			break;
		case 'h':
			cli_help("monitor", SYNOPSIS,
				 "Print the TSM's events as they come, each with its arrival time\n"
				 "(RFC 3339, UTC) and a sequence number from 1, until interrupted.",
				 help);
			return EXIT_OK;
		default:
			cli_usage(stderr, "monitor", SYNOPSIS);
			return EXIT_USAGE;
		}
	}
	if (optind != argc) {
		cli_usage(stderr, "monitor", SYNOPSIS);
		return EXIT_USAGE;
	}
	ret = cli_ipc_open("monitor", sock, &ipc);
	if (ret)
		return ret;
	ret = ipc_subscribe(ipc, print_event, &m, &err);
	if (!ret) {
		/* On stderr, so --json output stays pure; scripts wait for it. */
		fprintf(stderr, "%s monitor: listening\n", prog);
		ret = ipc_events(ipc, timeout_ms, &err);
	}
	ipc_close(ipc);
	if (ret) {
		fprintf(stderr, "%s monitor: %s\n", prog, err.msg);
		return cli_tsm_exit(ret);
	}
	return EXIT_OK;
}
