// SPDX-License-Identifier: MIT
/*
 * devauth: device authentication from userspace.  One file per
 * subcommand; adding one is a new file and a row here.
 */
#include <stdio.h>
#include <string.h>

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
};

static void show_usage(FILE *f)
{
	fprintf(f, "Usage: %s <cmd> [<args>]\n\nAvailable subcommands:\n", prog);
	for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		fprintf(f, "  %-10s %s\n", subcommands[i].name, subcommands[i].description);
	fprintf(f, "\n'%s <cmd> --help' shows the options of a subcommand.\n", prog);
}

int main(int argc, char **argv)
{
	prog = argv[0];
	if (argc < 2) {
		show_usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		show_usage(stdout);
		return 0;
	}
	for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++) {
		if (!strcmp(argv[1], subcommands[i].name))
			return subcommands[i].fn(argc - 1, argv + 1);
	}
	fprintf(stderr, "%s: invalid subcommand '%s'\n", prog, argv[1]);
	show_usage(stderr);
	return 2;
}
