// SPDX-License-Identifier: MIT
/*
 * devauth attest: the whole native-CMA flow for one device or all of
 * them: connect (if needed), read evidence with a fresh nonce of our
 * own, verify it against the trust anchors and policy, and bind only
 * if it is accepted (a bound device whose evidence is refused is
 * unbound).  --all runs the devices in parallel, one TSM connection
 * per worker.  --tdisp is the TDISP flow instead (attest_tdisp.c).
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <devauth/evidence.h>
#include <devauth/verifier.h>

#include <devauth/crypto.h>
#include <devauth/pci_tsm.h>

#include "attest.h"
#include "cli.h"
#include "devauth.h"
#include "ipc.h"

static void attest_one(const struct attest_opts *o, struct attest_result *res)
{
	struct da_verify_opts vo = { .policy = o->policy, .trust_path = o->trust };
	struct ipc_evidence ev = { 0 };
	struct da_err err = { 0 };
	struct ipc_dev info;
	struct ipc_list l = { 0 };
	struct ipc *ipc = NULL;
	uint32_t state;
	int ret;

	ret = ipc_open(o->sock, &ipc, &err);
	if (!ret)
		ret = ipc_list(ipc, res->dev, &l, &err);
	if (ret) {
		res->invalid = !ipc || ret == -ENODEV;
		goto out;
	}
	state = l.n_devs == 1 ? l.devs[0].state : PCI_TSM_STATE_UNCONNECTED;
	if (state != PCI_TSM_STATE_CONNECTED && state != PCI_TSM_STATE_BOUND) {
		ret = ipc_connect(ipc, res->dev, NULL, -1, &err);
		if (ret)
			goto out;
	}
	ret = attest_nonce(&vo, res->dev, &err) ?:
	      ipc_evidence_fetch(ipc, res->dev, PCI_TSM_TYPES_NATIVE, false, vo.nonce, &ev, &info,
				 &err) ?:
	      attest_verify(o, &vo, &ev, &info, false, res, &err);
	if (ret)
		goto out;
	if (!res->accepted) {
		/* What is bound must still verify; evidence that does not is unbound. */
		if (info.state == PCI_TSM_STATE_BOUND && !o->no_bind)
			ret = ipc_unbind(ipc, res->dev, &err);
		goto out;
	}
	if (info.state == PCI_TSM_STATE_BOUND) {
		res->bound = true;
	} else if (!o->no_bind) {
		ret = ipc_bind(ipc, res->dev, true, ev.generation, &err);
		res->bound = !ret;
	}
out:
	if (ret && !res->reason[0])
		snprintf(res->reason, sizeof(res->reason), "%s", err.msg);
	res->done = true;
	ipc_evidence_free(&ev);
	ipc_list_free(&l);
	ipc_close(ipc);
}

struct pool {
	const struct attest_opts *o;
	struct attest_result *res;
	size_t n;
	atomic_size_t next;
	size_t finished, accepted;	/* under lock, so that what is shown adds up */
	bool progress, tty, shown;
	pthread_mutex_t lock;
};

static void *worker(void *arg)
{
	struct pool *p = arg;

	for (;;) {
		size_t i = atomic_fetch_add(&p->next, 1);

		if (i >= p->n)
			break;
		if (p->o->tdisp)
			attest_tdisp_one(p->o, &p->res[i]);
		else
			attest_one(p->o, &p->res[i]);
		pthread_mutex_lock(&p->lock);
		p->finished++;
		if (p->res[i].accepted)
			p->accepted++;
		if (!p->progress)
			;
		else if (p->tty)
			fprintf(stderr, "\rattest: %zu/%zu done, %zu accepted", p->finished, p->n,
				p->accepted);
		else
			fprintf(stderr, "attest: [%zu/%zu] %s %s\n", p->finished, p->n, p->res[i].dev,
				p->res[i].accepted ? "accepted" : "refused");
		p->shown = true;
		pthread_mutex_unlock(&p->lock);
	}
	return NULL;
}

static void print_checks(const struct attest_result *r)
{
	for (size_t i = 0; i < r->checks.n; i++)
		printf("  %-7s %-24s %s\n", da_check_result_name(r->checks.c[i].result),
		       r->checks.c[i].name, r->checks.c[i].detail);
}

static json_object *result_json(const struct attest_result *r)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "device", json_object_new_string(r->dev));
	json_object_object_add(o, "accepted", json_object_new_boolean(r->accepted));
	json_object_object_add(o, "bound", json_object_new_boolean(r->bound));
	json_object_object_add(o, "generation", json_object_new_int64((int64_t)r->generation));
	if (r->reason[0])
		json_object_object_add(o, "reason", json_object_new_string(r->reason));
	if (r->insecure)
		json_object_object_add(o, "insecure_no_trust_anchor", json_object_new_boolean(1));
	if (r->tdisp_state[0])
		json_object_object_add(o, "tdisp", json_object_new_string(r->tdisp_state));
	if (r->unlocked)
		json_object_object_add(o, "unlocked", json_object_new_boolean(1));
	if (r->verdict)
		json_object_object_add(o, "verdict", json_object_get(r->verdict));
	return o;
}

#define SYNOPSIS "DEV...|--all [--tdisp] [--policy FILE] [--trust ROOT|DIR] [--jobs N] [--no-bind]\n" \
	"       [--insecure-no-trust-anchor] [--socket PATH] [--json] [--quiet]"
#define ABOUT "Connect each device (if needed), read its evidence with a fresh nonce,\n" \
	"verify it, bind it only if accepted (unbind a bound one that is refused).\n" \
	"Progress goes to stderr (one line per device, or a counter on a terminal),\n" \
	"not with --json or --quiet.  With --tdisp: lock each device's TDISP interface\n" \
	"with a fresh nonce, verify its evidence and interface report, accept (RUN)\n" \
	"and bind; a refused device is unlocked."

int attest_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "all", no_argument, NULL, 'a' },
		{ "tdisp", no_argument, NULL, 't' },
		{ "policy", required_argument, NULL, 'P' },
		{ "trust", required_argument, NULL, 'T' },
		{ "jobs", required_argument, NULL, 'J' },
		{ "no-bind", no_argument, NULL, 'n' },
		{ "insecure-no-trust-anchor", no_argument, NULL, 'I' },
		{ "socket", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		CLI_LONGOPTS,
		{ 0 },
	};
	static const struct cli_opt_help help[] = {
		{ "--all", "every device the TSM has" },
		{ "--tdisp", "the TDISP flow: lock, verify, accept, bind (docs/tdisp.md)" },
		{ "--policy FILE", "the policy to verify against (docs/policy.md); default none" },
		{ "--trust ROOT|DIR", "trust anchors (PEM/DER file or directory); overrides the policy's" },
		{ "--jobs N", "devices attested in parallel, 1-1024 (default 4 per CPU)" },
		{ "--no-bind", "verify only: bind nothing, unbind nothing" },
		{ "--insecure-no-trust-anchor", "accept without any trust anchor (the verdict says so)" },
		{ "--socket PATH", "devauthd's socket (default $DEVAUTH_SOCKET, else "
				   IPC_DEFAULT_SOCKET ")" },
		{ 0 },
	};
	struct attest_opts o = { 0 };
	struct da_policy *policy = NULL;
	struct pool p = { .o = &o };
	struct da_err err = { 0 };
	const char *policy_path = NULL;
	bool all = false;
	unsigned long long jobs = (unsigned long long)sysconf(_SC_NPROCESSORS_ONLN) * 4;
	pthread_t *th = NULL;
	size_t nth = 0;
	int c, rc = 0;

	while ((c = getopt_long(argc, argv, "atP:T:J:nS:Ih" CLI_SHORTOPTS, opts, NULL)) != -1) {
		if (cli_common_opt(c))
			continue;
		switch (c) {
		case 'a':
			all = true;
			break;
		case 't':
			o.tdisp = true;
			break;
		case 'P':
			policy_path = optarg;
			break;
		case 'T':
			o.trust = optarg;
			break;
		case 'J':
			if (cli_number("attest", "jobs", optarg, 1, 1024, &jobs))
				return EXIT_USAGE;
			break;
		case 'n':
			o.no_bind = true;
			break;
		case 'I':
			o.insecure = true;
			break;
		case 'S':
			o.sock = optarg;
			break;
		case 'h':
			cli_help("attest", SYNOPSIS, ABOUT, help);
			return EXIT_OK;
		default:
			cli_usage(stderr, "attest", SYNOPSIS);
			return EXIT_USAGE;
		}
	}
	if (all == (optind < argc)) {
		cli_usage(stderr, "attest", SYNOPSIS);
		return EXIT_USAGE;
	}
	if (cli_check_trust("attest", o.trust))
		return EXIT_USAGE;
	if (policy_path && da_policy_load(policy_path, &policy, &err)) {
		fprintf(stderr, "%s attest: %s\n", prog, err.msg);
		return 2;
	}
	o.policy = policy;
	if (all) {
		struct ipc *ipc = NULL;
		struct ipc_list l;

		rc = cli_ipc_open("attest", o.sock, &ipc);
		if (rc)
			goto out;
		if (ipc_list(ipc, NULL, &l, &err)) {
			fprintf(stderr, "%s attest: %s\n", prog, err.msg);
			ipc_close(ipc);
			rc = EXIT_FAILED;
			goto out;
		}
		ipc_close(ipc);
		p.n = l.n_devs;
		p.res = calloc(p.n ? p.n : 1, sizeof(*p.res));
		for (size_t i = 0; p.res && i < p.n; i++)
			snprintf(p.res[i].dev, sizeof(p.res[i].dev), "%s", l.devs[i].name);
		ipc_list_free(&l);
	} else {
		p.n = (size_t)(argc - optind);
		p.res = calloc(p.n, sizeof(*p.res));
		for (size_t i = 0; p.res && i < p.n; i++)
			snprintf(p.res[i].dev, sizeof(p.res[i].dev), "%s", argv[optind + (int)i]);
	}
	if (!p.res) {
		fprintf(stderr, "%s attest: out of memory\n", prog);
		rc = 1;
		goto out;
	}
	p.tty = isatty(STDERR_FILENO);
	p.progress = p.n > 1 && !cli_out.json && !cli_out.quiet;
	pthread_mutex_init(&p.lock, NULL);
	nth = (size_t)jobs < p.n ? (size_t)jobs : p.n;
	th = calloc(nth ? nth : 1, sizeof(*th));
	for (size_t i = 0; th && i < nth; i++)
		if (pthread_create(&th[i], NULL, worker, &p))
			nth = i;
	if (!th || !nth)
		worker(&p);
	for (size_t i = 0; th && i < nth; i++)
		pthread_join(th[i], NULL);
	/* End the counter's line, so that what follows starts on its own. */
	if (p.progress && p.tty && p.shown)
		fputc('\n', stderr);

	if (cli_out.json) {
		json_object *arr = json_object_new_array();

		for (size_t i = 0; i < p.n; i++)
			json_object_array_add(arr, result_json(&p.res[i]));
		cli_json_print(arr);
	} else if (!all && p.n == 1) {
		const struct attest_result *r = &p.res[0];

		printf("%s: evidence generation %llu\n", r->dev,
		       (unsigned long long)r->generation);
		print_checks(r);
		printf("%s: %s%s%s%s\n", r->dev, r->accepted ? "ACCEPTED" : "REFUSED",
		       r->accepted ? (r->bound ? ", bound" : ", not bound") : ": ",
		       r->accepted ? "" : r->reason,
		       r->insecure ? " (INSECURE: no trust anchor checked)" : "");
		if (r->tdisp_state[0])
			printf("%s: TDISP %s%s\n", r->dev, r->tdisp_state,
			       r->unlocked ? " (unlocked)" : "");
	} else {
		/* --tdisp: the state each interface was left in, so that RUN is seen at a glance. */
		printf("%-14s %-9s %-6s %-5s %s%s\n", "DEVICE", "RESULT", "BOUND", "GEN",
		       o.tdisp ? "TDISP            " : "", "REASON");
		for (size_t i = 0; i < p.n; i++) {
			const struct attest_result *r = &p.res[i];

			printf("%-14s %-9s %-6s %-5llu ", r->dev,
			       r->accepted ? "accepted" : "refused", r->bound ? "yes" : "no",
			       (unsigned long long)r->generation);
			if (o.tdisp)
				printf("%-16s ", r->tdisp_state[0] ? r->tdisp_state : "-");
			printf("%s\n", r->insecure ? "INSECURE: no trust anchor checked" : r->reason);
		}
		printf("%zu device(s): %zu accepted, %zu refused\n", p.n, p.accepted,
		       p.n - p.accepted);
	}
	for (size_t i = 0; i < p.n; i++) {
		if (p.res[i].invalid)
			rc = EXIT_USAGE;
		else if (rc != EXIT_USAGE &&
			 (!p.res[i].accepted || (!o.no_bind && !p.res[i].bound)))
			rc = EXIT_FAILED;
	}
	pthread_mutex_destroy(&p.lock);
out:
	for (size_t i = 0; p.res && i < p.n; i++) {
		json_object_put(p.res[i].verdict);
		da_checklist_free(&p.res[i].checks);
	}
	free(p.res);
	free(th);
	da_policy_free(policy);
	return rc;
}
