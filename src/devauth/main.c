// SPDX-License-Identifier: MIT
/*
 * devauth: device authentication from userspace.  One file per
 * subcommand; adding one is a new file and a row here.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "devauth.h"

const char *prog;

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *description;
} subcommands[] = {
	{ "probe", probe_main, "Authenticate a device over the spdm-emu socket and measure it" },
	{ "dump", dump_main, "Decode (and verify) a captured SPDM exchange" },
	{ "list", list_main, "List TSMs and devices with their state" },
	{ "connect", connect_main, "Connect a device to a TSM (authenticate it)" },
	{ "disconnect", disconnect_main, "Disconnect a device" },
	{ "evidence", evidence_main, "Read a device's evidence into a bundle" },
	{ "bind", bind_main, "Bind a driver to a connected device" },
	{ "unbind", unbind_main, "Unbind the driver" },
	{ "attest", attest_main, "Connect, read evidence with a fresh nonce, verify, bind if accepted" },
	{ "verify", verify_main, "Verify evidence (bundle, pcap, sysfs, netlink event) against trust anchors and policy" },
	{ "policy", policy_main, "Write a policy from known-good evidence (policy init --from BUNDLE)" },
	{ "pin", pin_main, "Derive a revalidation pin from verified evidence; install it for a device" },
	{ "monitor", monitor_main, "Print the TSM's events (session-lost, revalidated, ...) as they come" },
	{ "revalidate", revalidate_main, "Re-challenge a pinned device now and check it against its pin" },
	{ "reset", reset_main, "Reset a device's session (as an OS-initiated reset) and recover it" },
	{ "lock", lock_main, "Lock a connected device's TDISP interface; publish its report" },
	{ "accept", accept_main, "Start a locked TDISP interface (RUN)" },
	{ "unlock", unlock_main, "Stop the TDISP interface and end its session" },
};

#define N_SUBCOMMANDS (sizeof(subcommands) / sizeof(subcommands[0]))

static void show_usage(FILE *f)
{
	fprintf(f, "Usage: %s <cmd> [<args>]\n       %s help <cmd>\n       %s --version\n\n"
		"Available subcommands:\n", prog, prog, prog);
	for (size_t i = 0; i < N_SUBCOMMANDS; i++)
		fprintf(f, "  %-10s %s\n", subcommands[i].name, subcommands[i].description);
	fprintf(f, "\n'%s <cmd> --help' shows the options of a subcommand; every one takes\n"
		"--json (-j), --pretty (-p) and --quiet (-q).  Exit status: 0 ok, 1 a check\n"
		"failed or the device or TSM refused, 2 usage or invalid input; see devauth(1).\n",
		prog);
}

static int run(const char *name, int argc, char **argv)
{
	for (size_t i = 0; i < N_SUBCOMMANDS; i++) {
		if (!strcmp(name, subcommands[i].name))
			return subcommands[i].fn(argc, argv);
	}
	fprintf(stderr, "%s: invalid subcommand '%s'\n", prog, name);
	show_usage(stderr);
	return EXIT_USAGE;
}

int main(int argc, char **argv)
{
	prog = argv[0];
	if (argc < 2) {
		show_usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		printf("devauth %s\n", DEVAUTH_VERSION);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		/* "devauth help CMD" is "devauth CMD --help". */
		if (argc == 3 && !strcmp(argv[1], "help")) {
			char *args[] = { argv[2], "--help", NULL };

			return run(argv[2], 2, args);
		}
		if (argc > 2) {
			show_usage(stderr);
			return EXIT_USAGE;
		}
		show_usage(stdout);
		return EXIT_OK;
	}
	return run(argv[1], argc - 1, argv + 1);
}
