// SPDX-License-Identifier: MIT
/* devauth unbind: unbind the driver (the device stays connected). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "devauth.h"
#include "ipc.h"

static void usage(FILE *f)
{
	fprintf(f, "Usage: %s unbind DEV [--socket PATH]\n", prog);
}

int unbind_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *sock = NULL;
	struct da_err err = { 0 };
	struct ipc *ipc = NULL;
	int c, ret;

	while ((c = getopt_long(argc, argv, "S:h", opts, NULL)) != -1) {
		switch (c) {
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
		ret = ipc_unbind(ipc, argv[optind], &err);
	ipc_close(ipc);
	if (ret) {
		fprintf(stderr, "%s unbind: %s\n", prog, err.msg);
		return 1;
	}
	printf("%s: unbound\n", argv[optind]);
	return 0;
}
