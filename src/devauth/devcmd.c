// SPDX-License-Identifier: MIT
/*
 * The shape every "DEV [--socket PATH]" subcommand shares (disconnect,
 * unbind, ...): parse, open the ipc seam, one operation, report.  The
 * subcommand files keep their own usage text and verb.
 */
#include <getopt.h>
#include <stdio.h>

#include "devauth.h"
#include "ipc.h"

int devcmd_main(int argc, char **argv, const char *name, const char *help,
		int (*op)(struct ipc *ipc, const char *dev, struct da_err *err), const char *done)
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

	optind = 1;
	while ((c = getopt_long(argc, argv, "S:h", opts, NULL)) != -1) {
		switch (c) {
		case 'S':
			sock = optarg;
			break;
		case 'h':
			printf("Usage: %s %s DEV [--socket PATH]\n%s\n", prog, name, help);
			return 0;
		default:
			fprintf(stderr, "Usage: %s %s DEV [--socket PATH]\n", prog, name);
			return 2;
		}
	}
	if (optind + 1 != argc) {
		fprintf(stderr, "Usage: %s %s DEV [--socket PATH]\n", prog, name);
		return 2;
	}
	ret = ipc_open(sock, &ipc, &err);
	if (!ret)
		ret = op(ipc, argv[optind], &err);
	ipc_close(ipc);
	if (ret) {
		fprintf(stderr, "%s %s: %s\n", prog, name, err.msg);
		return 1;
	}
	printf("%s: %s\n", argv[optind], done);
	return 0;
}
