// SPDX-License-Identifier: MIT
/* devauth connect: have a TSM authenticate a device and publish its evidence. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "devauth.h"
#include "ipc.h"

static void usage(FILE *f)
{
	fprintf(f, "Usage: %s connect DEV [--tsm tsm0] [--slot N] [--socket PATH]\n", prog);
}

int connect_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "tsm", required_argument, NULL, 't' },
		{ "slot", required_argument, NULL, 's' },
		{ "socket", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *sock = NULL, *tsm = NULL;
	struct da_err err = { 0 };
	struct ipc *ipc = NULL;
	int c, slot = -1, ret;
	char *end;

	while ((c = getopt_long(argc, argv, "t:s:S:h", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			tsm = optarg;
			break;
		case 's':
			slot = (int)strtol(optarg, &end, 0);
			if (*end || slot < 0 || slot > 7) {
				fprintf(stderr, "%s connect: --slot: 0-7\n", prog);
				return 2;
			}
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
	if (optind + 1 != argc) {
		usage(stderr);
		return 2;
	}
	ret = ipc_open(sock, &ipc, &err);
	if (!ret)
		ret = ipc_connect(ipc, argv[optind], tsm, slot, &err);
	ipc_close(ipc);
	if (ret) {
		fprintf(stderr, "%s connect: %s\n", prog, err.msg);
		return 1;
	}
	printf("%s: connected\n", argv[optind]);
	return 0;
}
