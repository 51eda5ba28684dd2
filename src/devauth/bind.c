// SPDX-License-Identifier: MIT
/* devauth bind: bind a driver to a connected device. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "devauth.h"
#include "ipc.h"

static void usage(FILE *f)
{
	fprintf(f, "Usage: %s bind DEV [--generation N] [--socket PATH]\n", prog);
}

int bind_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 'S' },
		{ "generation", required_argument, NULL, 'g' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *sock = NULL;
	struct da_err err = { 0 };
	struct ipc *ipc = NULL;
	bool have_gen = false;
	unsigned long long gen = 0;
	char *end;
	int c, ret;

	while ((c = getopt_long(argc, argv, "S:g:h", opts, NULL)) != -1) {
		switch (c) {
		case 'S':
			sock = optarg;
			break;
		case 'g':
			gen = strtoull(optarg, &end, 0);
			if (*end) {
				fprintf(stderr, "%s bind: --generation: a number\n", prog);
				return 2;
			}
			have_gen = true;
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
		ret = ipc_bind(ipc, argv[optind], have_gen, gen, &err);
	ipc_close(ipc);
	if (ret) {
		fprintf(stderr, "%s bind: %s\n", prog, err.msg);
		return 1;
	}
	printf("%s: bound\n", argv[optind]);
	return 0;
}
