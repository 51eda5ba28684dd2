// SPDX-License-Identifier: MIT
/*
 * devauthd: the TSM core daemon.  See docs/devauthd.md and devauthd(8).
 */
#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "devauthd.h"

#define DEFAULT_SOCKET		"/run/devauth/devauthd.sock"
#define DEFAULT_STATE_DIR	"/var/lib/devauth"

static void on_signal(int sig)
{
	server_stop();
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: devauthd --config FILE [--socket PATH] [--state-dir DIR]\n"
		"                [--socket-mode MODE] [--group NAME] [--ready-file PATH]\n"
		"                [--op-timeout-ms MS] | --version\n"
		"Defaults: --socket " DEFAULT_SOCKET ", --state-dir " DEFAULT_STATE_DIR ",\n"
		"          --socket-mode 0660, --group devauth (if it exists).\n");
}

static int mkdir_p(const char *dir, mode_t mode)
{
	char buf[4096];
	size_t n = strlen(dir);

	if (n >= sizeof(buf))
		return -ENAMETOOLONG;
	memcpy(buf, dir, n + 1);
	for (size_t i = 1; i <= n; i++) {
		if (buf[i] != '/' && buf[i] != '\0')
			continue;
		buf[i] = '\0';
		if (mkdir(buf, mode) && errno != EEXIST)
			return -errno;
		buf[i] = i == n ? '\0' : '/';
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "socket", required_argument, NULL, 's' },
		{ "state-dir", required_argument, NULL, 'S' },
		{ "socket-mode", required_argument, NULL, 'm' },
		{ "group", required_argument, NULL, 'g' },
		{ "ready-file", required_argument, NULL, 'r' },
		{ "op-timeout-ms", required_argument, NULL, 't' },
		{ "dump-delay-ms", required_argument, NULL, 'D' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	struct daemon d = {
		.socket_path = DEFAULT_SOCKET,
		.state_dir = DEFAULT_STATE_DIR,
		.socket_mode = 0660,
		.op_timeout_ms = 30000,
		.group = (gid_t)-1,
	};
	const char *group = "devauth";
	bool group_given = false;
	struct da_err err = { 0 };
	struct sigaction sa = { .sa_handler = on_signal };
	char *end;
	int c, ret;

	pthread_mutex_init(&d.state_lock, NULL);
	while ((c = getopt_long(argc, argv, "c:s:S:m:g:r:t:D:hV", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			d.config_path = optarg;
			break;
		case 's':
			d.socket_path = optarg;
			break;
		case 'S':
			d.state_dir = optarg;
			break;
		case 'm':
			d.socket_mode = (mode_t)strtoul(optarg, &end, 8);
			if (*end || d.socket_mode > 0777) {
				fprintf(stderr, "devauthd: --socket-mode: an octal mode\n");
				return 2;
			}
			break;
		case 'g':
			group = optarg;
			group_given = true;
			break;
		case 'r':
			d.ready_file = optarg;
			break;
		case 't':
		{
			/* Digits only: strtoul takes "-5" for a huge number. */
			unsigned long v = strtoul(optarg, &end, 10);

			if (optarg[0] < '0' || optarg[0] > '9' || *end || v < 100 ||
			    v > 3600000) {
				fprintf(stderr, "devauthd: --op-timeout-ms: '%s' is not a number "
					"from 100 to 3600000\n", optarg);
				return 2;
			}
			d.op_timeout_ms = (unsigned int)v;
		}
			break;
		case 'D':
			/* For tests of dumps that span a refresh: not documented for users. */
			d.dump_delay_ms = (unsigned int)strtoul(optarg, NULL, 0);
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("devauthd %s\n", DEVAUTH_VERSION);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (!d.config_path || optind != argc) {
		usage(stderr);
		return 2;
	}
	{
		struct group *g = getgrnam(group);

		if (g)
			d.group = g->gr_gid;
		else if (group_given) {
			fprintf(stderr, "devauthd: --group %s: no such group\n", group);
			return 2;
		}
	}
	ret = daemon_config_load(&d, d.config_path, &err);
	if (ret)
		goto out;
	/* Before touching the state: a live daemon may be using it. */
	if (strlen(d.socket_path) < sizeof(((struct sockaddr_un *)0)->sun_path)) {
		ret = socket_check_free(d.socket_path, &err);
		if (ret)
			goto out;
	}
	if (d.state_dir) {
		ret = mkdir_p(d.state_dir, 0700);
		if (ret) {
			da_errf(&err, ret, "--state-dir %s: %s", d.state_dir, strerror(-ret));
			goto out;
		}
		/* Whoever may write there decides what is bound and which program runs. */
		ret = state_dir_check(d.state_dir, &err);
		if (ret)
			goto out;
		state_dir_clean(d.state_dir);
		ret = state_load(&d, &err) ?: pins_load(&d, &err);
		if (ret)
			goto out;
	}
	{
		char dir[4096];
		char *slash;

		snprintf(dir, sizeof(dir), "%s", d.socket_path);
		slash = strrchr(dir, '/');
		if (slash && slash != dir) {
			*slash = '\0';
			mkdir_p(dir, 0755);
		}
	}
	/*
	 * Every client slot and every held device link is a descriptor: a
	 * soft limit of 1024 would run out before the slots do.  The hard
	 * limit (LimitNOFILE in the unit) is the administrator's word.
	 */
	{
		struct rlimit rl;

		if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < rl.rlim_max) {
			rl.rlim_cur = rl.rlim_max;
			setrlimit(RLIMIT_NOFILE, &rl);
		}
	}
	signal(SIGPIPE, SIG_IGN);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	ret = link_start(&d, dev_session_lost_locked, &err) ?:
	      keepalive_start(&d, dev_tdisp_keepalive, &err);
	if (ret) {
		link_stop(&d);
		goto out;
	}
	/* Nothing is served as bound before the device has shown it still is. */
	dev_restore_bound(&d);
	ret = server_run(&d, &err);
	keepalive_stop();
	link_stop(&d);
out:
	if (ret)
		fprintf(stderr, "devauthd: %s\n", err.msg[0] ? err.msg : strerror(-ret));
	else
		dlog("stopped");
	/* Connection threads that did not finish in time still use the devices. */
	if (ret != -EBUSY) {
		for (size_t i = 0; i < d.n_devs; i++)
			dev_tdisp_drop(&d.devs[i]);
		daemon_free(&d);
	}
	return ret ? 1 : 0;
}
