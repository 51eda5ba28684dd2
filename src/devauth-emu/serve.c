// SPDX-License-Identifier: MIT
/*
 * `devauth-emu serve`: one TCP port and one thread per emulated device,
 * speaking the DMTF spdm-emu socket protocol (docs/design.md).
 *
 * A device serves one client at a time and any number over time.  A
 * client that vanishes, stalls mid-frame, sends garbage or oversized
 * frames costs only its own connection: the thread logs one line and
 * goes back to accept().  Unlike the reference responder, SHUTDOWN ends
 * the client, never the process; only SIGINT/SIGTERM do that.
 *
 * This file is the command line and the server's life: bind every port,
 * start the device threads (serve-listen.c, which hands each client to
 * serve-conn.c), wait for a signal, stop.  serve-core.c answers the
 * control socket's questions about the running server.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "emu_internal.h"
#include "hex.h"
#include "transport/emu_proto.h"

/* A started frame must be complete within this time, or the client is dropped. */
#define EMU_FRAME_TIMEOUT_MS 10000
#define EMU_FRAME_TIMEOUT_MAX_MS 3600000

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: %s [serve] [--listen HOST:PORT] [--transport pci-doe|mctp|none]\n"
		"          [--devices N | --config FILE] [--spdm-version 1.0,1.1,...]\n"
		"          [--asym LIST] [--hash LIST] [--meas-hash LIST]\n"
		"          [--slot N:CHAIN.der:KEY.pem]... [--fault LIST]\n"
		"          [--ctl PATH|none] [--ready-file PATH] [--frame-timeout MS]\n"
		"          [--data-transfer-size N] [--max-spdm-msg-size N] [--verbose]\n"
		"          [--caps LIST] [--no-caps LIST] [--dhe LIST] [--aead LIST]\n"
		"          [--psk HEX] [--psk-hint HEX]\n"
		"Device i listens on PORT+i (default 127.0.0.1:%d).  See devauth-emu(1).\n",
		EMU_PROG, EMU_DEFAULT_PORT);
}

static int parse_slot_opt(const char *arg, struct emu_defaults *defs, struct emu_config *pool,
			  struct da_err *err)
{
	const char *c1 = strchr(arg, ':'), *c2 = strrchr(arg, ':');
	char chain[4096];
	const char *cp, *kp;
	unsigned int slot;

	/* N:CHAIN:KEY; the chain path may contain colons, the key path may not. */
	if (!c1 || c1 == c2 || c1 != arg + 1 || arg[0] < '0' || arg[0] > '7' || c2 == c1 + 1 ||
	    !c2[1])
		return da_errf(err, -EINVAL, "--slot: '%s' is not N:CHAIN:KEY (N 0..7)", arg);
	slot = (unsigned int)(arg[0] - '0');
	snprintf(chain, sizeof(chain), "%.*s", (int)(c2 - c1 - 1), c1 + 1);
	cp = emu_config_strdup(pool, chain);
	kp = emu_config_strdup(pool, c2 + 1);
	if (!cp || !kp)
		return da_errf(err, -ENOMEM, "out of memory");
	defs->slot_mask |= (uint8_t)(1u << slot);
	defs->slot_chain[slot] = cp;
	defs->slot_key[slot] = kp;
	return 0;
}

enum {
	OPT_LISTEN = 256, OPT_TRANSPORT, OPT_DEVICES, OPT_CONFIG, OPT_VERSION, OPT_ASYM, OPT_HASH,
	OPT_MEAS_HASH, OPT_SLOT, OPT_FAULT, OPT_CTL, OPT_READY, OPT_FRAME_TIMEOUT, OPT_DTS,
	OPT_MAX_MSG, OPT_CAPS, OPT_NO_CAPS, OPT_DHE, OPT_AEAD, OPT_PSK, OPT_PSK_HINT,
};

static const struct option serve_opts[] = {
	{ "listen", required_argument, NULL, OPT_LISTEN },
	{ "transport", required_argument, NULL, OPT_TRANSPORT },
	{ "devices", required_argument, NULL, OPT_DEVICES },
	{ "config", required_argument, NULL, OPT_CONFIG },
	{ "spdm-version", required_argument, NULL, OPT_VERSION },
	{ "asym", required_argument, NULL, OPT_ASYM },
	{ "hash", required_argument, NULL, OPT_HASH },
	{ "meas-hash", required_argument, NULL, OPT_MEAS_HASH },
	{ "slot", required_argument, NULL, OPT_SLOT },
	{ "fault", required_argument, NULL, OPT_FAULT },
	{ "ctl", required_argument, NULL, OPT_CTL },
	{ "ready-file", required_argument, NULL, OPT_READY },
	{ "frame-timeout", required_argument, NULL, OPT_FRAME_TIMEOUT },
	{ "data-transfer-size", required_argument, NULL, OPT_DTS },
	{ "max-spdm-msg-size", required_argument, NULL, OPT_MAX_MSG },
	{ "caps", required_argument, NULL, OPT_CAPS },
	{ "no-caps", required_argument, NULL, OPT_NO_CAPS },
	{ "dhe", required_argument, NULL, OPT_DHE },
	{ "aead", required_argument, NULL, OPT_AEAD },
	{ "psk", required_argument, NULL, OPT_PSK },
	{ "psk-hint", required_argument, NULL, OPT_PSK_HINT },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

/* --psk / --psk-hint: whole bytes of hex, at most cap of them. */
static int parse_hex_opt(const char *what, const char *arg, uint8_t *out, size_t cap,
			 uint16_t *len, bool empty_ok, struct da_err *err)
{
	size_t n = strlen(arg);

	if (n % 2 || n / 2 > cap || (!n && !empty_ok) || da_unhex(arg, out, n / 2))
		return da_errf(err, -EINVAL, "--%s: '%s' is not %s1..%zu bytes of hex", what, arg,
			       empty_ok ? "0 or " : "", cap);
	*len = (uint16_t)(n / 2);
	return 0;
}

/* --dhe / --aead: devauth's names or the DMTF ones. */
static int parse_session_alg_opt(bool dhe, const char *arg, uint32_t *out, struct da_err *err)
{
	uint16_t m = 0;
	int ret = dhe ? spdm_dhe_parse_list(arg, &m) : spdm_aead_parse_list(arg, &m);

	if (ret || !m)
		return da_errf(err, -EINVAL, "--%s: '%s' is not a list of %s names",
			       dhe ? "dhe" : "aead", arg, dhe ? "DHE" : "AEAD");
	*out = m;
	return 0;
}

int serve_main(int argc, char **argv)
{
	struct emu_defaults defs = { 0 };
	struct emu_config cfg = { 0 }, pool = { 0 };
	struct emu_server srv = { .stop_pipe = { -1, -1 } };
	struct emu_ctl *ctl = NULL;
	struct da_err err = { 0 };
	const char *listen_arg = NULL, *config = NULL, *ctl_arg = NULL, *ready = NULL;
	char host[256], ctl_path[4096];
	unsigned long ndev = 0, ul;
	unsigned int i, nthreads = 0;
	sigset_t sigs;
	/* Bad options and an invalid configuration are usage errors (2); see devauth-emu(1). */
	int base_port = EMU_DEFAULT_PORT, opt, sig, ret = 2, r;
	char *end;

	srv.framing = DA_FRAMING_PCI_DOE;
	srv.frame_timeout_ms = EMU_FRAME_TIMEOUT_MS;
	snprintf(host, sizeof(host), "127.0.0.1");
	optind = 1;
	while ((opt = getopt_long(argc, argv, "vh", serve_opts, NULL)) != -1) {
		r = 0;
		switch (opt) {
		case OPT_LISTEN:
			listen_arg = optarg;
			r = emu_parse_listen(optarg, host, sizeof(host), &base_port, &err);
			break;
		case OPT_TRANSPORT:
			if (da_framing_parse(optarg, &srv.framing))
				r = da_errf(&err, -EINVAL,
					    "--transport: '%s' is not pci-doe, mctp or none",
					    optarg);
			break;
		case OPT_DEVICES:
			errno = 0;
			ndev = strtoul(optarg, &end, 10);
			if (errno || *end || !*optarg || ndev < 1 || ndev > EMU_MAX_DEVICES)
				r = da_errf(&err, -EINVAL, "--devices: '%s' is not in 1..%d",
					    optarg, EMU_MAX_DEVICES);
			break;
		case OPT_CONFIG:
			config = optarg;
			break;
		case OPT_VERSION:
			r = emu_parse_version_list(optarg, &defs.min_version, &defs.max_version,
						   &err);
			defs.have_versions = true;
			break;
		case OPT_ASYM:
			r = emu_parse_asym_list(optarg, &defs.asym, &err);
			break;
		case OPT_HASH:
			r = emu_parse_hash_list(optarg, &defs.hash, &err);
			break;
		case OPT_MEAS_HASH:
			r = emu_parse_meas_hash_list(optarg, &defs.meas_hash, &err);
			break;
		case OPT_SLOT:
			r = parse_slot_opt(optarg, &defs, &pool, &err);
			break;
		case OPT_FAULT:
			r = rsp_fault_parse(optarg, &defs.faults, &err);
			if (r)
				da_err_prefix(&err, "--fault");
			defs.have_faults = true;
			break;
		case OPT_CTL:
			ctl_arg = optarg;
			break;
		case OPT_CAPS:
			r = emu_parse_caps_list("--caps", optarg, &defs.caps, &err);
			defs.have_caps = true;
			break;
		case OPT_NO_CAPS:
			r = emu_parse_caps_list("--no-caps", optarg, &defs.caps_off, &err);
			break;
		case OPT_DHE:
		case OPT_AEAD:
			r = parse_session_alg_opt(opt == OPT_DHE, optarg,
						  opt == OPT_DHE ? &defs.dhe : &defs.aead, &err);
			break;
		case OPT_PSK:
			r = parse_hex_opt("psk", optarg, defs.psk, sizeof(defs.psk), &defs.psk_len,
					  false, &err);
			break;
		case OPT_PSK_HINT:
			r = parse_hex_opt("psk-hint", optarg, defs.psk_hint, sizeof(defs.psk_hint),
					  &defs.psk_hint_len, true, &err);
			defs.have_psk_hint = true;
			break;
		case OPT_FRAME_TIMEOUT:
			errno = 0;
			ul = strtoul(optarg, &end, 10);
			if (errno || *end || !*optarg || ul < 1 || ul > EMU_FRAME_TIMEOUT_MAX_MS)
				r = da_errf(&err, -EINVAL, "--frame-timeout: '%s' is not in 1..%u ms",
					    optarg, EMU_FRAME_TIMEOUT_MAX_MS);
			else
				srv.frame_timeout_ms = (unsigned int)ul;
			break;
		case OPT_READY:
			ready = optarg;
			break;
		case OPT_DTS:
			r = emu_parse_msg_size("--data-transfer-size", optarg,
					       &defs.data_transfer_size, &err);
			break;
		case OPT_MAX_MSG:
			r = emu_parse_msg_size("--max-spdm-msg-size", optarg,
					       &defs.max_spdm_msg_size, &err);
			break;
		case 'v':
			srv.verbose = true;
			break;
		case 'h':
			usage(stdout);
			ret = 0;
			goto out;
		default:
			usage(stderr);
			goto out;
		}
		if (r) {
			emu_log("%s", err.msg[0] ? err.msg : strerror(-r));
			goto out;
		}
	}
	if (optind < argc) {
		emu_log("unexpected argument '%s'", argv[optind]);
		usage(stderr);
		goto out;
	}
	if (config && ndev) {
		emu_log("--devices and --config exclude each other (the file lists the devices)");
		goto out;
	}
	(void)listen_arg;

	r = config ? emu_config_load(config, &defs, &cfg, &err) :
		     emu_config_default(ndev ? (unsigned int)ndev : 1, &defs, &cfg, &err);
	if (r) {
		emu_log("%s", err.msg[0] ? err.msg : strerror(-r));
		goto out;
	}
	/* From here on a failure is the run's (ports, devices that cannot start): 1. */
	ret = 1;

	/*
	 * Signals go to sigwait() in this thread only; SIGPIPE is ignored
	 * so a vanished client is an EPIPE on one connection, not the end.
	 */
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);

	if (pipe2(srv.stop_pipe, O_CLOEXEC)) {
		emu_log("pipe: %s", strerror(errno));
		goto out;
	}
	pthread_mutex_init(&srv.ready_lock, NULL);
	pthread_cond_init(&srv.ready_cond, NULL);
	srv.ndev = cfg.ndev;
	srv.slots = calloc(cfg.ndev, sizeof(*srv.slots));
	if (!srv.slots) {
		emu_log("out of memory");
		goto stop;
	}
	for (i = 0; i < cfg.ndev; i++) {
		srv.slots[i].srv = &srv;
		srv.slots[i].idx = i;
		srv.slots[i].spec = &cfg.dev[i];
		srv.slots[i].lfd = -1;
		srv.slots[i].client_fd = -1;
		pthread_mutex_init(&srv.slots[i].lock, NULL);
	}
	for (i = 0; i < cfg.ndev; i++) {
		struct emu_devslot *d = &srv.slots[i];
		const struct emu_dev_spec *spec = &cfg.dev[i];
		unsigned int k;

		d->port = spec->port ? spec->port :
			  base_port + (spec->port_offset >= 0 ? spec->port_offset : (int)i);
		if (d->port > 65535) {
			emu_log("%s: port %d is above 65535", spec->cfg.name, d->port);
			goto stop;
		}
		for (k = 0; k < i; k++) {
			if (srv.slots[k].port == d->port) {
				emu_log("%s: port %d is also the port of %s", spec->cfg.name,
					d->port, srv.slots[k].spec->cfg.name);
				goto stop;
			}
		}
		/* Bind everything first, so a busy port fails before any key is made. */
		r = emu_listen_on(host, d->port, &err);
		if (r < 0) {
			emu_log("%s: %s", spec->cfg.name, err.msg);
			goto stop;
		}
		d->lfd = r;
	}
	for (i = 0; i < cfg.ndev; i++) {
		r = pthread_create(&srv.slots[i].thread, NULL, emu_device_thread, &srv.slots[i]);
		if (r) {
			emu_log("%s: cannot start a thread: %s", cfg.dev[i].cfg.name, strerror(r));
			goto stop;
		}
		srv.slots[i].started = true;
		nthreads++;
	}
	pthread_mutex_lock(&srv.ready_lock);
	while (srv.nready + srv.nfailed < nthreads)
		pthread_cond_wait(&srv.ready_cond, &srv.ready_lock);
	pthread_mutex_unlock(&srv.ready_lock);
	if (srv.nfailed)
		goto stop;

	if (!ctl_arg || strcmp(ctl_arg, "none")) {
		if (ctl_arg)
			snprintf(ctl_path, sizeof(ctl_path), "%s", ctl_arg);
		else
			emu_ctl_default_path(ctl_path, sizeof(ctl_path));
		da_err_clear(&err);
		r = emu_ctl_start(&srv, ctl_path, &ctl, &err);
		if (r && ctl_arg) {
			emu_log("--ctl: %s", err.msg);
			goto stop;
		}
		/* The default path is a convenience: without it we still serve. */
		if (r)
			emu_log("no control socket (%s); use --ctl PATH", err.msg);
	}

	if (ready) {
		r = emu_write_ready_file(&srv, ready, host);
		if (r) {
			emu_log("--ready-file %s: %s", ready, strerror(-r));
			goto stop;
		}
	}
	emu_log("serving %u device%s on %s:%d%s (%s)", srv.ndev, srv.ndev == 1 ? "" : "s", host,
		srv.slots[0].port, srv.ndev > 1 ? "+" : "", da_framing_name(srv.framing));

	for (;;) {
		if (sigwait(&sigs, &sig))
			continue;
		if (sig == SIGINT || sig == SIGTERM)
			break;
	}
	emu_log("signal %d: stopping", sig);
	ret = 0;
stop:
	atomic_store(&srv.stop, true);
	if (srv.stop_pipe[1] >= 0 && write(srv.stop_pipe[1], "x", 1) < 0)
		emu_log("stop pipe: %s", strerror(errno));
	if (ctl)
		emu_ctl_stop(ctl);
	for (i = 0; i < srv.ndev && srv.slots; i++)
		emu_server_drop_client(&srv, i);
	for (i = 0; i < srv.ndev && srv.slots; i++) {
		struct emu_devslot *d = &srv.slots[i];

		if (d->started)
			pthread_join(d->thread, NULL);
		if (d->rsp)
			spdm_responder_free(d->rsp);
		if (d->dev)
			rsp_device_free(d->dev);
		if (d->lfd >= 0)
			close(d->lfd);
		pthread_mutex_destroy(&d->lock);
	}
	if (ready && ret == 0)
		unlink(ready);
	free(srv.slots);
	if (srv.stop_pipe[0] >= 0) {
		close(srv.stop_pipe[0]);
		close(srv.stop_pipe[1]);
		pthread_mutex_destroy(&srv.ready_lock);
		pthread_cond_destroy(&srv.ready_cond);
	}
out:
	emu_config_free(&cfg);
	emu_config_free(&pool);
	return ret;
}
