// SPDX-License-Identifier: MIT
/* devauth accept: start a locked TDISP interface (RUN); a driver may be bound after. */
#include <stdint.h>
#include <stdio.h>

#include "cli.h"
#include "devauth.h"
#include "ipc.h"

#define SYNOPSIS "DEV [--generation N] [--socket PATH] [--json]"

int accept_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 'S' },
		{ "generation", required_argument, NULL, 'g' },
		{ "help", no_argument, NULL, 'h' },
		CLI_LONGOPTS,
		{ 0 },
	};
	static const struct cli_opt_help help[] = {
		{ "--generation N", "refuse unless the evidence is still generation N (the lock's, as verified)" },
		{ "--socket PATH", "devauthd's socket (default $DEVAUTH_SOCKET, else "
				   IPC_DEFAULT_SOCKET ")" },
		{ 0 },
	};
	const char *sock = NULL;
	struct da_err err = { 0 };
	struct ipc *ipc = NULL;
	bool have_gen = false;
	unsigned long long gen = 0;
	int c, ret;

	while ((c = getopt_long(argc, argv, "S:g:h" CLI_SHORTOPTS, opts, NULL)) != -1) {
		if (cli_common_opt(c))
			continue;
		switch (c) {
		case 'S':
			sock = optarg;
			break;
		case 'g':
			if (cli_number("accept", "generation", optarg, 0, UINT64_MAX, &gen))
				return EXIT_USAGE;
			have_gen = true;
			break;
		case 'h':
			cli_help("accept", SYNOPSIS,
				 "Start the locked TDISP interface with the lock's nonce (RUN); there is\n"
				 "no un-accept: UNLOCK ends it.  Accepting a running interface is done.\n"
				 "With --generation, the TSM refuses unless the evidence is still the\n"
				 "one userspace verified.", help);
			return EXIT_OK;
		default:
			cli_usage(stderr, "accept", SYNOPSIS);
			return EXIT_USAGE;
		}
	}
	if (optind + 1 != argc) {
		cli_usage(stderr, "accept", SYNOPSIS);
		return EXIT_USAGE;
	}
	ret = cli_ipc_open("accept", sock, &ipc);
	if (ret)
		return ret;
	ret = ipc_accept(ipc, argv[optind], have_gen, gen, &err);
	ret = devcmd_finish(ipc, "accept", argv[optind], ret, &err, "accepted (RUN)");
	ipc_close(ipc);
	return ret;
}
