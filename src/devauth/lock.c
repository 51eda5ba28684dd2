// SPDX-License-Identifier: MIT
/* devauth lock: lock a connected device's TDISP interface and collect its report. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "devauth.h"
#include "ipc.h"

#define SYNOPSIS "DEV [--nonce HEX] [--socket PATH] [--json]"

int lock_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 'S' },
		{ "nonce", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		CLI_LONGOPTS,
		{ 0 },
	};
	static const struct cli_opt_help help[] = {
		{ "--nonce HEX", "64 hex digits: the CHALLENGE and signed GET_MEASUREMENTS nonce" },
		{ "--socket PATH", "devauthd's socket (default $DEVAUTH_SOCKET, else "
				   IPC_DEFAULT_SOCKET ")" },
		{ 0 },
	};
	uint8_t nonce[SPDM_NONCE_SIZE];
	const char *sock = NULL;
	struct da_err err = { 0 };
	struct ipc *ipc = NULL;
	bool have_nonce = false;
	int c, ret;

	optind = 1;
	while ((c = getopt_long(argc, argv, "S:n:h" CLI_SHORTOPTS, opts, NULL)) != -1) {
		if (cli_common_opt(c))
			continue;
		switch (c) {
		case 'S':
			sock = optarg;
			break;
		case 'n':
			if (strlen(optarg) != 2 * SPDM_NONCE_SIZE ||
			    da_unhex(optarg, nonce, sizeof(nonce))) {
				fprintf(stderr, "%s lock: --nonce needs 64 hex digits\n", prog);
				return EXIT_USAGE;
			}
			have_nonce = true;
			break;
		case 'h':
			cli_help("lock", SYNOPSIS,
				 "Open a secure session with a connected device, lock its TDISP interface\n"
				 "(CONFIG_LOCKED) and publish the evidence with the interface report\n"
				 "(type REPORT); locking a locked device is done.", help);
			return EXIT_OK;
		default:
			cli_usage(stderr, "lock", SYNOPSIS);
			return EXIT_USAGE;
		}
	}
	if (optind + 1 != argc) {
		cli_usage(stderr, "lock", SYNOPSIS);
		return EXIT_USAGE;
	}
	ret = cli_ipc_open("lock", sock, &ipc);
	if (ret)
		return ret;
	ret = ipc_lock(ipc, argv[optind], have_nonce ? nonce : NULL, &err);
	ret = devcmd_finish(ipc, "lock", argv[optind], ret, &err, "locked");
	ipc_close(ipc);
	return ret;
}
