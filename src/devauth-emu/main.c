// SPDX-License-Identifier: MIT
/*
 * devauth-emu: emulated SPDM/CMA devices behind the DMTF spdm-emu socket
 * protocol.  A table of subcommands, one file each; a first argument
 * that is an option means "serve".
 */
#include <stdio.h>
#include <string.h>

#include "emu.h"

static int help_main(int argc, char **argv);

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *desc;
} subcommands[] = {
	{ "serve", serve_main, "serve emulated devices on TCP ports (the default)" },
	{ "ctl", ctl_main, "reset, swap, update or break a running device" },
	{ "pki", pki_main, "write a test PKI: root, intermediate, per-device leaves" },
	{ "help", help_main, "show this message" },
};

static int help_main(int argc, char **argv)
{
	size_t i;

	printf("Usage: %s [COMMAND] [OPTIONS]\n\nCommands:\n", EMU_PROG);
	for (i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		printf("  %-6s %s\n", subcommands[i].name, subcommands[i].desc);
	printf("\n'%s COMMAND --help' shows the options of a command; see devauth-emu(1).\n",
	       EMU_PROG);
	return 0;
}

int main(int argc, char **argv)
{
	size_t i;

	if (argc < 2 || argv[1][0] == '-') {
		if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")))
			return help_main(argc, argv);
		if (argc >= 2 && !strcmp(argv[1], "--version")) {
			printf("%s %s\n", EMU_PROG, DEVAUTH_VERSION);
			return 0;
		}
		return serve_main(argc, argv);
	}
	for (i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++) {
		if (!strcmp(argv[1], subcommands[i].name))
			return subcommands[i].fn(argc - 1, argv + 1);
	}
	fprintf(stderr, "%s: unknown command '%s' (try '%s help')\n", EMU_PROG, argv[1],
		EMU_PROG);
	return 2;
}
