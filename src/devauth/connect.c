// SPDX-License-Identifier: MIT
/* devauth connect: have a TSM authenticate a device and publish its evidence. */
#include <stdio.h>

#include "cli.h"
#include "devauth.h"
#include "ipc.h"

#define SYNOPSIS "DEV [--tsm NAME] [--slot N] [--socket PATH] [--json]"

int connect_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "tsm", required_argument, NULL, 't' },
		{ "slot", required_argument, NULL, 's' },
		{ "socket", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		CLI_LONGOPTS,
		{ 0 },
	};
	static const struct cli_opt_help help[] = {
		{ "--tsm NAME", "the TSM that authenticates it (default: the first)" },
		{ "--slot N", "certificate slot to challenge, 0-7 (default 0)" },
		{ "--socket PATH", "devauthd's socket (default $DEVAUTH_SOCKET, else "
				   IPC_DEFAULT_SOCKET ")" },
		{ 0 },
	};
	const char *sock = NULL, *tsm = NULL;
	struct da_err err = { 0 };
	struct ipc *ipc = NULL;
	unsigned long long n;
	int c, slot = -1, ret;

	while ((c = getopt_long(argc, argv, "t:s:S:h" CLI_SHORTOPTS, opts, NULL)) != -1) {
		if (cli_common_opt(c))
			continue;
		switch (c) {
		case 't':
			tsm = optarg;
			break;
		case 's':
			if (cli_number("connect", "slot", optarg, 0, 7, &n))
				return EXIT_USAGE;
			slot = (int)n;
			break;
		case 'S':
			sock = optarg;
			break;
		case 'h':
			cli_help("connect", SYNOPSIS,
				 "Have the TSM authenticate the device (VCA, certificates, CHALLENGE,\n"
				 "signed measurements) and publish its evidence; no trust decision.",
				 help);
			return EXIT_OK;
		default:
			cli_usage(stderr, "connect", SYNOPSIS);
			return EXIT_USAGE;
		}
	}
	if (optind + 1 != argc) {
		cli_usage(stderr, "connect", SYNOPSIS);
		return EXIT_USAGE;
	}
	ret = cli_ipc_open("connect", sock, &ipc);
	if (ret)
		return ret;
	ret = ipc_connect(ipc, argv[optind], tsm, slot, &err);
	ret = devcmd_finish(ipc, "connect", argv[optind], ret, &err, "connected");
	ipc_close(ipc);
	return ret;
}
