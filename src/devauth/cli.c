// SPDX-License-Identifier: MIT
/* The contract every subcommand keeps: see cli.h and devauth(1). */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <devauth/trust.h>

#include "cli.h"
#include "devauth.h"
#include "ipc.h"

struct cli_output cli_out;

bool cli_common_opt(int c)
{
	switch (c) {
	case 'p':
		cli_out.pretty = true;
		/* fallthrough */
	case 'j':
		cli_out.json = true;
		return true;
	case 'q':
		cli_out.quiet = true;
		return true;
	}
	return false;
}

void cli_usage(FILE *f, const char *cmd, const char *synopsis)
{
	fprintf(f, "Usage: %s %s %s\n", prog, cmd, synopsis);
}

void cli_help(const char *cmd, const char *synopsis, const char *about,
	      const struct cli_opt_help *opts)
{
	static const struct cli_opt_help common[] = {
		{ "--json, -j", "machine-readable output (docs/json/), compact" },
		{ "--pretty, -p", "the same JSON, indented (implies --json)" },
		{ "--quiet, -q", "no progress or confirmation, only results and errors" },
		{ "--help, -h", "this help" },
		{ 0 },
	};

	cli_usage(stdout, cmd, synopsis);
	if (about)
		printf("%s\n", about);
	printf("\nOptions:\n");
	for (const struct cli_opt_help *o = opts; o && o->opt; o++)
		printf("  %-22s %s\n", o->opt, o->help);
	for (const struct cli_opt_help *o = common; o->opt; o++)
		printf("  %-22s %s\n", o->opt, o->help);
	printf("\nExit status: 0 ok, 1 check failed or refused, 2 usage or invalid input;"
	       " see %s(1).\n", strcmp(cmd, "verify") && strcmp(cmd, "policy") &&
	       strcmp(cmd, "pin") ? "devauth" : "devauth-verify");
}

int cli_number(const char *cmd, const char *opt, const char *arg, unsigned long long min,
	       unsigned long long max, unsigned long long *out)
{
	unsigned long long v;
	char *end;

	errno = 0;
	/* strtoull takes "-5" as a huge number: only digits (and 0x) are numbers. */
	if (!isdigit((unsigned char)arg[0]))
		goto bad;
	v = strtoull(arg, &end, 0);
	if (errno || *end || v < min || v > max)
		goto bad;
	*out = v;
	return 0;
bad:
	fprintf(stderr, "%s %s: --%s: '%s' is not a number from %llu to %llu\n", prog, cmd, opt,
		arg, min, max);
	return -EINVAL;
}

void cli_json_print(json_object *j)
{
	int flags = JSON_C_TO_STRING_NOSLASHESCAPE;

	flags |= cli_out.pretty ? JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED :
		 JSON_C_TO_STRING_PLAIN;
	printf("%s\n", json_object_to_json_string_ext(j, flags));
	json_object_put(j);
}

json_object *cli_check_json(const struct da_check *c)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "name", json_object_new_string(c->name));
	json_object_object_add(o, "result", json_object_new_string(c->result == DA_CHECK_PASS ? "pass" :
								   c->result == DA_CHECK_FAIL ? "fail" :
								   "skipped"));
	json_object_object_add(o, "detail", json_object_new_string(c->detail));
	return o;
}

void cli_version_str(unsigned int v, char *buf, size_t len)
{
	snprintf(buf, len, "%u.%u", (v >> 4) & 0xf, v & 0xf);
}

int cli_tsm_exit(int ret)
{
	if (!ret)
		return EXIT_OK;
	return ret == -ENODEV ? EXIT_USAGE : EXIT_FAILED;
}

void cli_file_error(const char *cmd, const char *path, const char *msg)
{
	if (strstr(msg, path))
		fprintf(stderr, "%s %s: %s\n", prog, cmd, msg);
	else
		fprintf(stderr, "%s %s: %s: %s\n", prog, cmd, path, msg);
}

bool cli_unreachable(int ret)
{
	return ret == -EINVAL || ret == -ECONNREFUSED || ret == -EHOSTUNREACH ||
	       ret == -ENETUNREACH || ret == -EADDRNOTAVAIL || ret == -ENOENT;
}

int cli_ipc_open(const char *cmd, const char *sock, struct ipc **ipc)
{
	struct da_err err = { 0 };

	*ipc = NULL;
	if (!ipc_open(sock, ipc, &err))
		return 0;
	fprintf(stderr, "%s %s: %s\n", prog, cmd, err.msg);
	return EXIT_USAGE;
}

int cli_load_trust(const char *cmd, const char *path, struct da_trust **out)
{
	struct da_err err = { 0 };

	*out = NULL;
	if (!path)
		return 0;
	*out = da_trust_load(path, &err);
	if (*out)
		return 0;
	fprintf(stderr, "%s %s: --trust: %s\n", prog, cmd, err.msg);
	return EXIT_USAGE;
}

int cli_check_trust(const char *cmd, const char *path)
{
	struct da_trust *t;
	int ret = cli_load_trust(cmd, path, &t);

	da_trust_free(t);
	return ret;
}
