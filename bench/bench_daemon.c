// SPDX-License-Identifier: MIT
/*
 * How does the TSM core scale with the number of devices?
 *
 * For N = 1, 16, 64, 256, 1024 emulated devices (devauth-emu, one port each),
 * devauthd and `devauth attest --all --no-bind` (connect, evidence with
 * a fresh nonce, verify) run as real processes.  Measured: the wall time
 * of the attest run and the CPU time of all three processes.  The CPU
 * time is fitted over N (least squares, cpu = fixed + N x per-device):
 * the per-device marginal cost is what the work costs, the fixed part
 * (process start, LIST) is not repeated per device.  The ideal is
 * perfect parallelism of the marginal cost, N x per-device / cores;
 * printed is the wall time against that ideal (target <= 1.2 at 256 and 1024).
 * The last column compares the wall time with the run's own CPU time
 * spread over the cores: how well the work itself parallelises.
 * Then, with every device connected and its link held, the daemon idles
 * for IDLE_S: printed are its wake-ups (context switches of all its
 * threads) and CPU per second, and its resident memory per device.
 * Never fails on time; exits non-zero when a run fails to start, the
 * attest fails, or fewer than two N leave nothing to fit.
 *
 *   bench_daemon [N...]      (DEVAUTH_BUILD: the build dir; default: ..)
 */
#include <dirent.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "../tests/daemon/harness.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* utime + stime of a running process, in seconds. */
static double proc_cpu(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long ut = 0, st = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	p = fgets(buf, sizeof(buf), f);
	fclose(f);
	if (!p || !(p = strrchr(buf, ')')))
		return 0;
	/* fields 14 and 15 (utime, stime), counted from after the comm */
	if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2)
		return 0;
	return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

/* kB of a process's VmRSS. */
static long proc_rss_kb(pid_t pid)
{
	char path[64], line[256];
	long kb = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

/* Context switches (voluntary + not) of every thread of a process: its wake-ups. */
static long long proc_switches(pid_t pid)
{
	char path[64], line[256];
	struct dirent *de;
	long long sum = 0;
	DIR *dp;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	dp = opendir(path);
	if (!dp)
		return -1;
	while ((de = readdir(dp))) {
		char st[400];
		long long v;
		FILE *f;

		if (de->d_name[0] == '.')
			continue;
		snprintf(st, sizeof(st), "%s/%s/status", path, de->d_name);
		f = fopen(st, "r");
		if (!f)
			continue;
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "voluntary_ctxt_switches: %lld", &v) == 1 ||
			    sscanf(line, "nonvoluntary_ctxt_switches: %lld", &v) == 1)
				sum += v;
		fclose(f);
	}
	closedir(dp);
	return sum;
}

#define IDLE_S 3

static double children_cpu(void)
{
	struct rusage ru;

	getrusage(RUSAGE_CHILDREN, &ru);
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

struct result {
	double wall, cpu;
	int rc;
	double idle_wakeups_s, idle_cpu_ms_s;
	long rss_kb_per_dev;
};

static int one_run(int n, struct result *res)
{
	static char out[1 << 20];
	const char *emu_extra[] = { NULL };
	size_t cap = (size_t)n * 96 + 16, len = 0;
	char *json = malloc(cap);
	double c0, c1, t0, d0, e0, i0, w;
	long long s0, s1;
	long rss0, rss1;
	struct rig r;
	int ret = -1;

	if (!json)
		return -1;
	len += (size_t)snprintf(json + len, cap - len, "[");
	for (int i = 0; i < n; i++)
		len += (size_t)snprintf(json + len, cap - len,
					"%s{\"name\":\"0000:%02x:%02x.0\",\"asym\":[\"ecdsa-p256\"],"
					"\"hash\":[\"sha256\"]}", i ? "," : "", 1 + i / 32, i % 32);
	snprintf(json + len, cap - len, "]");
	rig_init(&r);
	if (rig_start_emu(&r, json, emu_extra) || rig_start_daemon(&r, NULL)) {
		fprintf(stderr, "bench_daemon: N=%d: FAILED: start failed (logs in %s)\n", n, r.dir);
		goto out;
	}
	rss0 = proc_rss_kb(r.d.pid);
	e0 = proc_cpu(r.emu.pid);
	d0 = proc_cpu(r.d.pid);
	c0 = children_cpu();
	t0 = now();
	res->rc = devauth(&r, out, sizeof(out), "attest", "--all", "--no-bind",
			  "--insecure-no-trust-anchor", NULL);
	res->wall = now() - t0;
	c1 = children_cpu();
	res->cpu = (c1 - c0) + (proc_cpu(r.emu.pid) - e0) + (proc_cpu(r.d.pid) - d0);
	/* Idle, every link held and watched: what does the daemon do on its own? */
	sleep(1);
	rss1 = proc_rss_kb(r.d.pid);
	s0 = proc_switches(r.d.pid);
	i0 = proc_cpu(r.d.pid);
	t0 = now();
	sleep(IDLE_S);
	s1 = proc_switches(r.d.pid);
	w = now() - t0;
	res->idle_wakeups_s = (double)(s1 - s0) / w;
	res->idle_cpu_ms_s = 1000 * (proc_cpu(r.d.pid) - i0) / w;
	res->rss_kb_per_dev = rss0 >= 0 && rss1 >= 0 ? (rss1 - rss0) / n : -1;
	ret = 0;
out:
	rig_cleanup(&r);
	free(json);
	return ret;
}

int main(int argc, char **argv)
{
	static const int def[] = { 1, 16, 64, 256, 1024 };
	int ns[16], nn = 0, failed = 0;
	struct result res[16] = { 0 };
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	double sx = 0, sy = 0, sxx = 0, sxy = 0, fixed, per_dev;
	char build[4096];

	if (!getenv("DEVAUTH_BUILD")) {
		snprintf(build, sizeof(build), "%s/..", dirname(argv[0]));
		setenv("DEVAUTH_BUILD", build, 1);
	}
	for (int i = 1; i < argc && nn < 16; i++) {
		ns[nn] = atoi(argv[i]);
		if (ns[nn] < 1 || ns[nn] > 1024) {
			fprintf(stderr, "bench_daemon: N=%s: expected 1-1024\n", argv[i]);
			return 2;
		}
		nn++;
	}
	if (!nn)
		for (size_t i = 0; i < sizeof(def) / sizeof(def[0]); i++)
			ns[nn++] = def[i];
	/* 1024 devices are 1024 held links in the daemon and 1024 ports in the emulator. */
	{
		struct rlimit rl;

		if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < rl.rlim_max) {
			rl.rlim_cur = rl.rlim_max;
			setrlimit(RLIMIT_NOFILE, &rl);
		}
	}
	printf("bench_daemon: devauth-emu + devauthd + devauth attest --all, %ld core(s)\n", cores);
	for (int i = 0; i < nn; i++) {
		if (one_run(ns[i], &res[i])) {
			failed++;
			continue;
		}
		if (res[i].rc) {
			fprintf(stderr, "bench_daemon: N=%d: FAILED: devauth attest exit %d\n", ns[i],
				res[i].rc);
			failed++;
		}
		sx += ns[i];
		sy += res[i].cpu;
		sxx += (double)ns[i] * ns[i];
		sxy += ns[i] * res[i].cpu;
	}
	if (failed) {
		fprintf(stderr, "bench_daemon: %d runs FAILED\n", failed);
		return 1;
	}
	if (nn < 2 || nn * sxx - sx * sx <= 0) {
		fprintf(stderr, "bench_daemon: FAILED: need runs at two different N to fit the per-device cost\n");
		return 1;
	}
	per_dev = (nn * sxy - sx * sy) / (nn * sxx - sx * sx);
	fixed = (sy - per_dev * sx) / nn;
	printf("cpu fit over N: %.3f s fixed + %.2f ms per device\n", fixed, 1000 * per_dev);
	printf("%6s %10s %10s %12s %14s %8s %10s\n", "N", "wall s", "cpu s", "cpu/dev ms",
	       "ideal wall s", "ratio", "wall/(cpu/cores)");
	for (int i = 0; i < nn; i++) {
		double ideal = ns[i] * per_dev / (double)cores;

		printf("%6d %10.3f %10.3f %12.2f %14.3f %8.2f %10.2f\n", ns[i], res[i].wall,
		       res[i].cpu, 1000 * res[i].cpu / ns[i], ideal,
		       ideal > 0 ? res[i].wall / ideal : 0, res[i].wall / (res[i].cpu / (double)cores));
		printf("%6s idle %d s, %d links held: %.2f wake-ups/s (%.4f per device), %.2f ms CPU/s, %ld kB RSS per device\n",
		       "", IDLE_S, ns[i], res[i].idle_wakeups_s, res[i].idle_wakeups_s / ns[i],
		       res[i].idle_cpu_ms_s, res[i].rss_kb_per_dev);
		fflush(stdout);
	}
	return 0;
}
