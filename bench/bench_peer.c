// SPDX-License-Identifier: MIT
/*
 * devauth's requester against the DMTF one, doing the same job: one
 * devauth-emu device serving the DMTF's own ECDSA P-384 chain (so that
 * spdm_requester_emu trusts it), over MCTP, SPDM 1.3; each requester
 * runs as its own process, alternately: GET_VERSION .. CHALLENGE, then
 * all measurements signed in one GET_MEASUREMENTS (the DMTF requester
 * with --exe_conn VCA,DIGEST,CERT,CHAL,MEAS --meas_op ALL, devauth as
 * `devauth probe --trust ca.cert.der`).  Measured: the CPU time of the
 * requester process (wait4 rusage; process start and library set-up
 * included on both sides), best and median of the runs.  Interleaved
 * with them, the floor (bench_floor: a process that links libcrypto,
 * decodes the chain and makes the four P-384 verifications the protocol
 * needs).  Printed: devauth / DMTF and devauth / floor (< 1 and close to
 * 1 are good), never asserted on time; a run that fails exits non-zero.
 *
 *   bench_peer [RUNS]   (31 by default, as interleaved medians need;
 *                        DEVAUTH_PEERS: the DMTF bin/; DEVAUTH_BUILD: the build dir)
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../tests/peers/peer_harness.h"

/* Run argv in dir, output to log, at most 60 s; exit status (-1: hung or no exec), CPU s. */
static int run_cpu(const char *dir, char *const argv[], const char *log, double *cpu)
{
	struct rusage ru;
	int st = 0;
	pid_t pid, w;

	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

		if (fd < 0 || chdir(dir) || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
			_exit(126);
		execv(argv[0], argv);
		_exit(127);
	}
	for (int i = 0; i < 6000; i++) {
		w = wait4(pid, &st, WNOHANG, &ru);
		if (w == pid) {
			*cpu = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
			       (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
			return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
		}
		usleep(10000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	return -1;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Sorts v. */
static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static bool log_has(const char *log, const char *s)
{
	char buf[1 << 16];
	FILE *f = fopen(log, "r");
	size_t n;

	if (!f)
		return false;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return strstr(buf, s) != NULL;
}

int main(int argc, char **argv)
{
	int runs = argc > 1 ? atoi(argv[1]) : 31;
	char build[PATH_MAX], emu[PATH_MAX + 40], cli[PATH_MAX + 40], ready[600], port[16], chain[700], trust[600];
	char slot[1500], listen[32], elog[600], rlog[600], plog[600];
	char floor_bin[PATH_MAX + 40];
	double best_dmtf = 1e9, best_ours = 1e9, best_floor = 1e9, sum_dmtf = 0, sum_ours = 0;
	double *t_dmtf, *t_ours, *t_floor;
	const char *dir;
	pid_t emu_pid;
	int p, ret = 1;

	if (runs < 1 || runs > 1000) {
		fprintf(stderr, "bench_peer: RUNS: expected 1-1000\n");
		return 2;
	}
	/* Absolute: the requesters run in the peers' folder. */
	snprintf(emu, sizeof(emu), "%s/..", dirname(argv[0]));
	if (!realpath(getenv("DEVAUTH_BUILD") ? getenv("DEVAUTH_BUILD") : emu, build)) {
		fprintf(stderr, "bench_peer: FAILED: build dir: %s\n", strerror(errno));
		return 1;
	}
	snprintf(emu, sizeof(emu), "%s/src/devauth-emu/devauth-emu", build);
	snprintf(cli, sizeof(cli), "%s/src/devauth/devauth", build);
	snprintf(floor_bin, sizeof(floor_bin), "%s/bench/bench_floor", build);
	t_dmtf = calloc((size_t)runs, sizeof(double));
	t_ours = calloc((size_t)runs, sizeof(double));
	t_floor = calloc((size_t)runs, sizeof(double));
	if (!t_dmtf || !t_ours || !t_floor)
		return 1;
	/* The peers' own folder, copied: they read keys from the working directory. */
	dir = peer_dir();
	p = peer_free_port();
	snprintf(port, sizeof(port), "%d", p);
	snprintf(listen, sizeof(listen), "127.0.0.1:%d", p);
	snprintf(ready, sizeof(ready), "%s/bench-peer.ready", dir);
	snprintf(chain, sizeof(chain), "%s/ecp384/bundle_responder.certchain.der", dir);
	snprintf(slot, sizeof(slot), "0:%s:%s/ecp384/end_responder.key", chain, dir);
	snprintf(trust, sizeof(trust), "%s/ecp384/ca.cert.der", dir);
	snprintf(elog, sizeof(elog), "%s/bench-peer-emu.log", dir);
	snprintf(rlog, sizeof(rlog), "%s/bench-peer-dmtf.log", dir);
	snprintf(plog, sizeof(plog), "%s/bench-peer-devauth.log", dir);

	emu_pid = fork();
	if (emu_pid < 0)
		return 1;
	if (!emu_pid) {
		int fd = open(elog, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (fd < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
			_exit(126);
		execl(emu, emu, "serve", "--listen", listen, "--transport", "mctp", "--devices", "1",
		      "--asym", "ecdsa-p384", "--hash", "sha384", "--slot", slot, "--ctl", "none",
		      "--ready-file", ready, (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 2000 && access(ready, F_OK); i++)
		usleep(10000);
	if (access(ready, F_OK)) {
		fprintf(stderr, "bench_peer: FAILED: devauth-emu did not start (log %s)\n", elog);
		goto out;
	}
	{
		char *const dmtf[] = { "./spdm_requester_emu", "--trans", "MCTP", "--port", port,
				       "--ver", "1.3", "--asym", "ECDSA_P384", "--hash", "SHA_384",
				       "--exe_conn", "VCA,DIGEST,CERT,CHAL,MEAS", "--meas_op", "ALL",
				       "--exe_session", "NO_END", NULL };
		char *const ours[] = { cli, "probe", "--connect", listen, "--transport", "mctp",
				       "--spdm-version", "1.3", "--trust", trust, "--no-check-time",
				       NULL };
		char *const floor[] = { floor_bin, chain, NULL };

		for (int i = 0; i < runs; i++) {
			double a = 0, b = 0, c = 0;
			int rc;

			rc = run_cpu(dir, dmtf, rlog, &a);
			/* The DMTF requester prints its failures and may still exit 0. */
			if (rc || log_has(rlog, "ERROR") || log_has(rlog, "invalid")) {
				fprintf(stderr, "bench_peer: FAILED: spdm_requester_emu exit %d (log %s)\n",
					rc, rlog);
				goto out;
			}
			rc = run_cpu(dir, ours, plog, &b);
			if (rc || !log_has(plog, "verdict: all checks passed")) {
				fprintf(stderr, "bench_peer: FAILED: devauth probe exit %d (log %s)\n", rc,
					plog);
				goto out;
			}
			rc = run_cpu(dir, floor, plog, &c);
			if (rc) {
				fprintf(stderr, "bench_peer: FAILED: bench_floor exit %d\n", rc);
				goto out;
			}
			sum_dmtf += a;
			sum_ours += b;
			best_dmtf = a < best_dmtf ? a : best_dmtf;
			best_ours = b < best_ours ? b : best_ours;
			best_floor = c < best_floor ? c : best_floor;
			t_dmtf[i] = a;
			t_ours[i] = b;
			t_floor[i] = c;
		}
	}
	printf("peer ECDSA-P384 SHA-384 1.3 mctp: spdm_requester_emu %7.2f ms CPU (mean %7.2f), devauth probe %7.2f ms CPU (mean %7.2f), %d runs each, ratio %.2f\n",
	       best_dmtf * 1e3, sum_dmtf / runs * 1e3, best_ours * 1e3, sum_ours / runs * 1e3, runs,
	       best_ours > 0 ? best_dmtf / best_ours : 0);
	{
		double md = median(t_dmtf, runs), mo = median(t_ours, runs);
		double mf = median(t_floor, runs);

		printf("peer medians: spdm_requester_emu %7.2f ms, devauth probe %7.2f ms, floor %7.2f ms (best %7.2f); devauth/DMTF %.2fx, devauth/floor %.2fx\n",
		       md * 1e3, mo * 1e3, mf * 1e3, best_floor * 1e3, md > 0 ? mo / md : 0,
		       mf > 0 ? mo / mf : 0);
	}
	ret = 0;
out:
	kill(emu_pid, SIGTERM);
	waitpid(emu_pid, NULL, 0);
	free(t_dmtf);
	free(t_ours);
	free(t_floor);
	return ret;
}
