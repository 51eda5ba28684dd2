// SPDX-License-Identifier: MIT
/* devauth bind: bind a driver to a connected device. */
#include <stdint.h>
#include <stdio.h>

#include "cli.h"
#include "devauth.h"
#include "ipc.h"

#define SYNOPSIS "DEV [--generation N] [--socket PATH] [--json]"

int bind_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 'S' },
		{ "generation", required_argument, NULL, 'g' },
		{ "help", no_argument, NULL, 'h' },
		CLI_LONGOPTS,
		{ 0 },
	};
	static const struct cli_opt_help help[] = {
		{ "--generation N", "refuse unless the evidence is still generation N (the one verified)" },
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
			if (cli_number("bind", "generation", optarg, 0, UINT64_MAX, &gen))
				return EXIT_USAGE;
			have_gen = true;
			break;
		case 'h':
			cli_help("bind", SYNOPSIS,
				 "Bind a driver to a connected device (the TSM refuses otherwise);\n"
				 "binding a bound device is done.", help);
			return EXIT_OK;
		default:
			cli_usage(stderr, "bind", SYNOPSIS);
			return EXIT_USAGE;
		}
	}
	if (optind + 1 != argc) {
		cli_usage(stderr, "bind", SYNOPSIS);
		return EXIT_USAGE;
	}
	ret = cli_ipc_open("bind", sock, &ipc);
	if (ret)
		return ret;
	ret = ipc_bind(ipc, argv[optind], have_gen, gen, &err);
	ret = devcmd_finish(ipc, "bind", argv[optind], ret, &err, "bound");
	ipc_close(ipc);
	return ret;
}
