/* SPDX-License-Identifier: MIT */
/*
 * What every devauth subcommand shares, so that they keep one contract
 * (devauth(1), EXIT STATUS and OUTPUT): exit status, range-checked
 * numbers, help text, JSON output and the TSM's errors.
 */
#ifndef DEVAUTH_CLI_COMMON_H
#define DEVAUTH_CLI_COMMON_H

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

#include <json-c/json.h>

#include <devauth/requester.h>

#define EXIT_OK		0	/* every check passed; done, or nothing to do */
#define EXIT_FAILED	1	/* a check failed, the device or the TSM refused */
#define EXIT_USAGE	2	/* bad usage, unreadable or invalid input, no devauthd */

/* --json, --pretty (-p, implies --json), --quiet (-q): every subcommand takes them. */
struct cli_output {
	bool json;
	bool pretty;
	bool quiet;
};
extern struct cli_output cli_out;

#define CLI_SHORTOPTS "jpq"
#define CLI_LONGOPTS \
	{ "json", no_argument, NULL, 'j' }, \
	{ "pretty", no_argument, NULL, 'p' }, \
	{ "quiet", no_argument, NULL, 'q' }
/* Records c if it is one of CLI_LONGOPTS: true, else false. */
bool cli_common_opt(int c);

/* One line of a subcommand's help: "--slot N", "slot to challenge (0-7)". */
struct cli_opt_help {
	const char *opt;
	const char *help;
};
/* "Usage: devauth CMD SYNOPSIS" on f (stderr after a usage error). */
void cli_usage(FILE *f, const char *cmd, const char *synopsis);
/* --help: usage, what it does, then every option (the common ones last). */
void cli_help(const char *cmd, const char *synopsis, const char *about,
	      const struct cli_opt_help *opts);

/*
 * A number within [min, max] or an error that names the option:
 * "devauth probe: --timeout-ms: 'abc' is not a number from 1 to 600000".
 */
int cli_number(const char *cmd, const char *opt, const char *arg, unsigned long long min,
	       unsigned long long max, unsigned long long *out);

/* j to stdout, compact or (--pretty) indented; drops the reference. */
void cli_json_print(json_object *j);
/* A check as every JSON output shows it: {name, result, detail}. */
json_object *cli_check_json(const struct da_check *c);
/* "1.2" for 0x12. */
void cli_version_str(unsigned int v, char *buf, size_t len);

/*
 * The exit status for a TSM request that failed with ret: an unknown
 * device or TSM is invalid input (2), anything else the TSM or the
 * device refused (1).  Opening the socket failing is 2 (cli_ipc_open).
 */
int cli_tsm_exit(int ret);
/* "devauth CMD: PATH: msg", without PATH when msg already names it. */
void cli_file_error(const char *cmd, const char *path, const char *msg);
/* Could not reach the device at all (bad address, nothing listening): 2, not 1. */
bool cli_unreachable(int ret);
struct ipc;
struct da_err;
/*
 * --trust given: load the anchors once before any work, so that a
 * missing, empty or non-certificate file is bad input (2), not a
 * device that failed the trust check (1).  0 or EXIT_USAGE.
 */
int cli_check_trust(const char *cmd, const char *path);
/* The same, keeping the anchors for the trust check (NULL without --trust). */
struct da_trust;
int cli_load_trust(const char *cmd, const char *path, struct da_trust **out);
/* Open the TSM or say why not ("devauth CMD: ..."): 0 or EXIT_USAGE. */
int cli_ipc_open(const char *cmd, const char *sock, struct ipc **ipc);

#endif
