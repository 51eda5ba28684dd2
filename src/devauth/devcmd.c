// SPDX-License-Identifier: MIT
/*
 * The shape every "DEV [--socket PATH]" subcommand shares (disconnect,
 * unbind, ...; bind and accept with "[--generation N]", lock with
 * "[--nonce HEX]"): parse, open the ipc seam, one operation, report.
 * The subcommand files keep their own usage text and verb.
 */
#include <errno.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>

#include <devauth/hex.h>
#include <devauth/pci_tsm.h>

#include "cli.h"
#include "devauth.h"
#include "ipc.h"

/*
 * Asking for the state a device is already in is done, not refused, so
 * that scripts can repeat themselves: disconnect of an unconnected
 * device (the TSM says 0), bind of a bound one (EALREADY), unbind of an
 * unbound one (the TSM says EINVAL; the device's state tells).
 */
static bool already(struct ipc *ipc, const char *cmd, const char *dev, int ret)
{
	struct da_err err = { 0 };
	struct ipc_list l;
	bool yes = false;

	if (!strcmp(cmd, "bind") || !strcmp(cmd, "lock") || !strcmp(cmd, "accept") ||
	    !strcmp(cmd, "unlock"))
		return ret == -EALREADY;
	if (strcmp(cmd, "unbind") || ret != -EINVAL)
		return false;
	if (ipc_list(ipc, dev, &l, &err))
		return false;
	yes = l.n_devs == 1 && l.devs[0].state != PCI_TSM_STATE_BOUND;
	ipc_list_free(&l);
	return yes;
}

int devcmd_finish(struct ipc *ipc, const char *cmd, const char *dev, int ret,
		  const struct da_err *err, const char *done)
{
	bool noop = ret && already(ipc, cmd, dev, ret);
	int status = noop ? EXIT_OK : cli_tsm_exit(ret);
	char detail[DA_ERR_MSG_MAX + 16];

	if (noop)
		snprintf(detail, sizeof(detail), "already %s", done);
	else
		snprintf(detail, sizeof(detail), "%s", ret ? err->msg : done);
	if (status)
		fprintf(stderr, "%s %s: %s\n", prog, cmd, detail);
	if (cli_out.json) {
		json_object *o = json_object_new_object();

		json_object_object_add(o, "command", json_object_new_string(cmd));
		json_object_object_add(o, "device", json_object_new_string(dev));
		json_object_object_add(o, "result", json_object_new_string(status ? "failed" : "ok"));
		json_object_object_add(o, "detail", json_object_new_string(detail));
		cli_json_print(o);
	} else if (!status && !cli_out.quiet) {
		printf("%s: %s\n", dev, detail);
	}
	return status;
}

/* The one option a DEV subcommand may take besides --socket. */
struct devcmd_arg {
	struct option opt;
	const char *shortopts;
	const char *synopsis;
	const char *name;		/* in --help; NULL: no option of its own */
};

static const struct devcmd_arg no_arg = {
	.shortopts = "S:h" CLI_SHORTOPTS,
	.synopsis = "DEV [--socket PATH] [--json]",
};

static const struct devcmd_arg gen_arg = {
	.opt = { "generation", required_argument, NULL, 'g' },
	.shortopts = "S:g:h" CLI_SHORTOPTS,
	.synopsis = "DEV [--generation N] [--socket PATH] [--json]",
	.name = "--generation N",
};

static const struct devcmd_arg nonce_arg = {
	.opt = { "nonce", required_argument, NULL, 'n' },
	.shortopts = "S:n:h" CLI_SHORTOPTS,
	.synopsis = "DEV [--nonce HEX] [--socket PATH] [--json]",
	.name = "--nonce HEX",
};

/* A subcommand: exactly one of the operations, the one its option (arg) goes with. */
struct devcmd {
	const char *name;
	const char *help;
	const struct devcmd_arg *arg;
	const char *arg_help;
	int (*op)(struct ipc *ipc, const char *dev, struct da_err *err);
	int (*gen_op)(struct ipc *ipc, const char *dev, bool have_gen, uint64_t gen,
		      struct da_err *err);
	int (*nonce_op)(struct ipc *ipc, const char *dev, const uint8_t *nonce,
			struct da_err *err);
	const char *done;
};

static int devcmd_run(int argc, char **argv, const struct devcmd *cmd)
{
	const struct devcmd_arg *a = cmd->arg;
	/* Without an option of its own, both tables start at --socket. */
	const struct option opts[] = {
		a->opt,
		{ "socket", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		CLI_LONGOPTS,
		{ 0 },
	};
	const struct cli_opt_help opt_help[] = {
		{ a->name, cmd->arg_help },
		{ "--socket PATH", "devauthd's socket (default $DEVAUTH_SOCKET, else "
				   IPC_DEFAULT_SOCKET ")" },
		{ 0 },
	};
	const int skip = a->name ? 0 : 1;
	uint8_t nonce[SPDM_NONCE_SIZE];
	const char *sock = NULL, *dev;
	struct da_err err = { 0 };
	struct ipc *ipc = NULL;
	bool have_gen = false, have_nonce = false;
	unsigned long long gen = 0;
	int c, ret;

	optind = 1;
	while ((c = getopt_long(argc, argv, a->shortopts, opts + skip, NULL)) != -1) {
		if (cli_common_opt(c))
			continue;
		switch (c) {
		case 'S':
			sock = optarg;
			break;
		case 'g':
			if (cli_number(cmd->name, "generation", optarg, 0, UINT64_MAX, &gen))
				return EXIT_USAGE;
			have_gen = true;
			break;
		case 'n':
			if (strlen(optarg) != 2 * SPDM_NONCE_SIZE ||
			    da_unhex(optarg, nonce, sizeof(nonce))) {
				fprintf(stderr, "%s %s: --nonce needs 64 hex digits\n", prog,
					cmd->name);
				return EXIT_USAGE;
			}
			have_nonce = true;
			break;
		case 'h':
			cli_help(cmd->name, a->synopsis, cmd->help, opt_help + skip);
			return EXIT_OK;
		default:
			cli_usage(stderr, cmd->name, a->synopsis);
			return EXIT_USAGE;
		}
	}
	if (optind + 1 != argc) {
		cli_usage(stderr, cmd->name, a->synopsis);
		return EXIT_USAGE;
	}
	dev = argv[optind];
	ret = cli_ipc_open(cmd->name, sock, &ipc);
	if (ret)
		return ret;
	if (cmd->gen_op)
		ret = cmd->gen_op(ipc, dev, have_gen, gen, &err);
	else if (cmd->nonce_op)
		ret = cmd->nonce_op(ipc, dev, have_nonce ? nonce : NULL, &err);
	else
		ret = cmd->op(ipc, dev, &err);
	ret = devcmd_finish(ipc, cmd->name, dev, ret, &err, cmd->done);
	ipc_close(ipc);
	return ret;
}

int devcmd_main(int argc, char **argv, const char *name, const char *help,
		int (*op)(struct ipc *ipc, const char *dev, struct da_err *err), const char *done)
{
	const struct devcmd cmd = {
		.name = name, .help = help, .arg = &no_arg, .op = op, .done = done,
	};

	return devcmd_run(argc, argv, &cmd);
}

int devcmd_gen_main(int argc, char **argv, const char *name, const char *help,
		    const char *gen_help,
		    int (*op)(struct ipc *ipc, const char *dev, bool have_gen, uint64_t gen,
			      struct da_err *err),
		    const char *done)
{
	const struct devcmd cmd = {
		.name = name, .help = help, .arg = &gen_arg, .arg_help = gen_help,
		.gen_op = op, .done = done,
	};

	return devcmd_run(argc, argv, &cmd);
}

int devcmd_nonce_main(int argc, char **argv, const char *name, const char *help,
		      const char *nonce_help,
		      int (*op)(struct ipc *ipc, const char *dev, const uint8_t *nonce,
				struct da_err *err),
		      const char *done)
{
	const struct devcmd cmd = {
		.name = name, .help = help, .arg = &nonce_arg, .arg_help = nonce_help,
		.nonce_op = op, .done = done,
	};

	return devcmd_run(argc, argv, &cmd);
}
