// SPDX-License-Identifier: MIT
/*
 * The shape every "DEV [--socket PATH]" subcommand shares (disconnect,
 * unbind, ...; bind and accept with "[--generation N]"): parse, open the
 * ipc seam, one operation, report.  The subcommand files keep their own
 * usage text and verb.
 */
#include <errno.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>

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

/*
 * Both shapes: with gen_help, the command takes "--generation N" and
 * calls gen_op; without, it calls op.
 */
static int devcmd_run(int argc, char **argv, const char *name, const char *help,
		      const char *gen_help,
		      int (*op)(struct ipc *ipc, const char *dev, struct da_err *err),
		      int (*gen_op)(struct ipc *ipc, const char *dev, bool have_gen, uint64_t gen,
				    struct da_err *err),
		      const char *done)
{
	static const struct option gen_opts[] = {
		{ "socket", required_argument, NULL, 'S' },
		{ "generation", required_argument, NULL, 'g' },
		{ "help", no_argument, NULL, 'h' },
		CLI_LONGOPTS,
		{ 0 },
	};
	static const struct option plain_opts[] = {
		{ "socket", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		CLI_LONGOPTS,
		{ 0 },
	};
	/* Without --generation, the table starts at --socket. */
	const struct cli_opt_help opt_help[] = {
		{ "--generation N", gen_help },
		{ "--socket PATH", "devauthd's socket (default $DEVAUTH_SOCKET, else "
				   IPC_DEFAULT_SOCKET ")" },
		{ 0 },
	};
	const char *synopsis = gen_help ? "DEV [--generation N] [--socket PATH] [--json]" :
					  "DEV [--socket PATH] [--json]";
	const char *shortopts = gen_help ? "S:g:h" CLI_SHORTOPTS : "S:h" CLI_SHORTOPTS;
	const char *sock = NULL;
	struct da_err err = { 0 };
	struct ipc *ipc = NULL;
	bool have_gen = false;
	unsigned long long gen = 0;
	int c, ret;

	optind = 1;
	while ((c = getopt_long(argc, argv, shortopts, gen_help ? gen_opts : plain_opts,
				NULL)) != -1) {
		if (cli_common_opt(c))
			continue;
		switch (c) {
		case 'S':
			sock = optarg;
			break;
		case 'g':
			if (cli_number(name, "generation", optarg, 0, UINT64_MAX, &gen))
				return EXIT_USAGE;
			have_gen = true;
			break;
		case 'h':
			cli_help(name, synopsis, help, gen_help ? opt_help : opt_help + 1);
			return EXIT_OK;
		default:
			cli_usage(stderr, name, synopsis);
			return EXIT_USAGE;
		}
	}
	if (optind + 1 != argc) {
		cli_usage(stderr, name, synopsis);
		return EXIT_USAGE;
	}
	ret = cli_ipc_open(name, sock, &ipc);
	if (ret)
		return ret;
	ret = gen_help ? gen_op(ipc, argv[optind], have_gen, gen, &err) :
			 op(ipc, argv[optind], &err);
	ret = devcmd_finish(ipc, name, argv[optind], ret, &err, done);
	ipc_close(ipc);
	return ret;
}

int devcmd_main(int argc, char **argv, const char *name, const char *help,
		int (*op)(struct ipc *ipc, const char *dev, struct da_err *err), const char *done)
{
	return devcmd_run(argc, argv, name, help, NULL, op, NULL, done);
}

int devcmd_gen_main(int argc, char **argv, const char *name, const char *help,
		    const char *gen_help,
		    int (*op)(struct ipc *ipc, const char *dev, bool have_gen, uint64_t gen,
			      struct da_err *err),
		    const char *done)
{
	return devcmd_run(argc, argv, name, help, gen_help, NULL, op, done);
}
