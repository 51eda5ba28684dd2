// SPDX-License-Identifier: MIT
/*
 * End-to-end tests of the devauth-emu binary: the socket protocol,
 * robustness against bad clients, 64 devices at once, the control
 * socket, the config file and `devauth-emu pki`.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include <devauth/spdm.h>

#include "crypto/pki.h"
#include "crypto/x509.h"
#include "emu_harness.h"
#include "responder/device.h"

#define DEV0 "0000:01:00.0"
#define DEV1 "0000:02:00.0"

/* Fast devices: one small key type. */
#define FAST "--asym", "ecdsa-p256", "--hash", "sha256"

static void assert_serves(int port)
{
	int fd = emu_connect(port);

	assert_true(fd >= 0);
	assert_int_equal(emu_hello(fd, DA_FRAMING_PCI_DOE), 0);
	assert_int_equal(emu_discovery(fd), 0);
	assert_int_equal(emu_get_version(fd, DA_FRAMING_PCI_DOE), 0);
	assert_int_equal(emu_shutdown(fd, DA_FRAMING_PCI_DOE), 0);
	close(fd);
}

static void test_protocol(void **state)
{
	static const char *const extra[] = { FAST, NULL };
	struct emu_proc p = { 0 };
	struct da_buf rsp = { 0 };
	uint32_t cmd, tt;
	int fd;

	assert_int_equal(emu_start(&p, extra), 0);

	/* TEST, DOE discovery, GET_VERSION, SHUTDOWN; then a second client. */
	assert_serves(p.base_port);
	assert_serves(p.base_port);

	/* CONTINUE is echoed and the next client is served. */
	fd = emu_connect(p.base_port);
	assert_true(fd >= 0);
	assert_int_equal(emu_get_version(fd, DA_FRAMING_PCI_DOE), 0);
	assert_int_equal(emu_xchg(fd, EMU_CMD_CONTINUE, DA_FRAMING_PCI_DOE, NULL, 0, &cmd, &tt,
				  &rsp), 0);
	assert_int_equal(cmd, EMU_CMD_CONTINUE);
	close(fd);
	assert_serves(p.base_port);

	/* An unknown command gets UNKNOWN and the connection goes on. */
	fd = emu_connect(p.base_port);
	assert_true(fd >= 0);
	assert_int_equal(emu_xchg(fd, 0x1234, DA_FRAMING_PCI_DOE, "x", 1, &cmd, &tt, &rsp), 0);
	assert_int_equal(cmd, EMU_CMD_UNKNOWN);
	/* A frame of another transport type gets UNKNOWN too. */
	assert_int_equal(emu_xchg(fd, EMU_CMD_NORMAL, DA_FRAMING_MCTP, "\x05\x10\x84\x00\x00", 5,
				  &cmd, &tt, &rsp), 0);
	assert_int_equal(cmd, EMU_CMD_UNKNOWN);
	assert_int_equal(emu_get_version(fd, DA_FRAMING_PCI_DOE), 0);
	assert_int_equal(emu_shutdown(fd, DA_FRAMING_PCI_DOE), 0);
	close(fd);

	da_buf_free(&rsp);
	assert_int_equal(emu_stop(&p), 0);
	emu_rmdir(p.dir);
}

/* The server must have closed the connection: reading gives EOF. */
static void assert_closed_by_server(int fd)
{
	struct da_err err = { 0 };
	struct da_buf rsp = { 0 };
	uint32_t cmd, tt;

	assert_int_equal(emu_recv_frame(fd, 5000, EMU_MAX_PAYLOAD, &cmd, &tt, &rsp, &err),
			 -ECONNRESET);
	da_buf_free(&rsp);
}

static void test_bad_clients(void **state)
{
	static const char *const extra[] = { FAST, "--frame-timeout", "300", NULL };
	static const uint8_t garbage[] = { 0xde, 0xad, 0xbe, 0xef, 0xff, 0xff, 0xff, 0xff,
					   0xff, 0xff, 0xff, 0xff, 0x41, 0x42 };
	struct da_err err = { 0 };
	struct emu_proc p = { 0 };
	uint8_t hdr[EMU_FRAME_HDR_SIZE];
	struct wcur w;
	int fd;

	assert_int_equal(emu_start(&p, extra), 0);

	/* Garbage: a header with an absurd size. */
	fd = emu_connect(p.base_port);
	assert_true(fd >= 0);
	assert_int_equal(send(fd, garbage, sizeof(garbage), MSG_NOSIGNAL), sizeof(garbage));
	assert_closed_by_server(fd);
	close(fd);
	assert_serves(p.base_port);

	/* A NORMAL frame of 2 MiB: over the limit, refused before it is read. */
	fd = emu_connect(p.base_port);
	assert_true(fd >= 0);
	w = wcur_init(hdr, sizeof(hdr));
	wcur_be32(&w, EMU_CMD_NORMAL);
	wcur_be32(&w, DA_FRAMING_PCI_DOE);
	wcur_be32(&w, 2u << 20);
	assert_int_equal(send(fd, hdr, sizeof(hdr), MSG_NOSIGNAL), sizeof(hdr));
	assert_closed_by_server(fd);
	close(fd);
	assert_serves(p.base_port);

	/* Vanishing mid-header and mid-payload. */
	fd = emu_connect(p.base_port);
	assert_true(fd >= 0);
	assert_int_equal(send(fd, hdr, 6, MSG_NOSIGNAL), 6);
	close(fd);
	fd = emu_connect(p.base_port);
	assert_true(fd >= 0);
	w = wcur_init(hdr, sizeof(hdr));
	wcur_be32(&w, EMU_CMD_NORMAL);
	wcur_be32(&w, DA_FRAMING_PCI_DOE);
	wcur_be32(&w, 100);
	assert_int_equal(send(fd, hdr, sizeof(hdr), MSG_NOSIGNAL), sizeof(hdr));
	assert_int_equal(send(fd, garbage, 10, MSG_NOSIGNAL), 10);
	close(fd);
	assert_serves(p.base_port);

	/* A NORMAL frame whose DOE header is nonsense: no crash, still serving. */
	fd = emu_connect(p.base_port);
	assert_true(fd >= 0);
	assert_int_equal(emu_send_frame(fd, EMU_CMD_NORMAL, DA_FRAMING_PCI_DOE, garbage,
					sizeof(garbage), &err), 0);
	close(fd);
	/* Empty NORMAL frames, and a DOE object with no SPDM message in it. */
	fd = emu_connect(p.base_port);
	assert_true(fd >= 0);
	assert_int_equal(emu_send_frame(fd, EMU_CMD_NORMAL, DA_FRAMING_PCI_DOE, NULL, 0, &err), 0);
	assert_int_equal(emu_send_frame(fd, EMU_CMD_NORMAL, DA_FRAMING_PCI_DOE,
					"\x01\x00\x01\x00\x02\x00\x00\x00", 8, &err), 0);
	close(fd);
	assert_serves(p.base_port);

	/* Stalling inside a frame: dropped after --frame-timeout, the next client is served. */
	fd = emu_connect(p.base_port);
	assert_true(fd >= 0);
	assert_int_equal(send(fd, hdr, 4, MSG_NOSIGNAL), 4);
	assert_closed_by_server(fd);
	close(fd);
	assert_serves(p.base_port);

	/* Connect and vanish without a byte. */
	fd = emu_connect(p.base_port);
	assert_true(fd >= 0);
	close(fd);
	assert_serves(p.base_port);

	assert_true(emu_alive(&p));
	/* Each bad client left one line naming the device. */
	assert_true(emu_log_contains(&p, DEV0 " (port"));
	assert_true(emu_log_contains(&p, "without SHUTDOWN"));
	assert_true(emu_log_contains(&p, "timed out"));
	assert_int_equal(emu_stop(&p), 0);
	emu_rmdir(p.dir);
}

#define NDEV 64

struct many_arg {
	int port;
	int result;
};

static void *many_client(void *arg)
{
	struct many_arg *a = arg;
	int fd = emu_connect(a->port);

	a->result = -1;
	if (fd < 0)
		return NULL;
	if (!emu_hello(fd, DA_FRAMING_PCI_DOE) && !emu_discovery(fd) &&
	    !emu_get_version(fd, DA_FRAMING_PCI_DOE) && !emu_get_version(fd, DA_FRAMING_PCI_DOE) &&
	    !emu_shutdown(fd, DA_FRAMING_PCI_DOE))
		a->result = 0;
	close(fd);
	return NULL;
}

static void test_64_devices(void **state)
{
	static const char *const extra[] = { "--devices", "64", FAST, NULL };
	struct emu_proc p = { 0 };
	struct many_arg args[NDEV];
	pthread_t th[NDEV];
	int i, ok = 0;

	assert_int_equal(emu_start(&p, extra), 0);
	for (i = 0; i < NDEV; i++) {
		args[i].port = p.base_port + i;
		assert_int_equal(pthread_create(&th[i], NULL, many_client, &args[i]), 0);
	}
	for (i = 0; i < NDEV; i++) {
		pthread_join(th[i], NULL);
		if (!args[i].result)
			ok++;
		else
			fprintf(stderr, "device %d (port %d) failed\n", i, args[i].port);
	}
	assert_int_equal(ok, NDEV);
	assert_int_equal(emu_stop(&p), 0);
	emu_rmdir(p.dir);
}

static int ctl(struct emu_proc *p, char *out, size_t len, const char *a1, const char *a2,
	       const char *a3)
{
	const char *args[] = { "ctl", "--ctl", p->ctl, a1, a2, a3, NULL };

	return emu_run(args, out, len, 60);
}

/* Does the line of out that starts with start contain needle? */
static bool line_has(const char *out, const char *start, const char *needle)
{
	char line[1024];
	const char *l = strstr(out, start), *nl;

	if (!l)
		return false;
	nl = strchr(l, '\n');
	snprintf(line, sizeof(line), "%.*s", nl ? (int)(nl - l) : (int)strlen(l), l);
	return strstr(line, needle) != NULL;
}

/* One SPDM request over DOE; returns the response code (or -errno). */
static int spdm_code(int fd, const uint8_t *msg, size_t len)
{
	struct da_err err = { 0 };
	struct da_buf rsp = { 0 };
	uint8_t req[64];
	struct wcur w = wcur_init(req, sizeof(req));
	enum da_payload_kind kind;
	const uint8_t *pl;
	size_t plen;
	uint32_t cmd, tt;
	uint8_t ver, code;
	struct cur c;
	int ret;

	ret = da_frame_encode(DA_FRAMING_PCI_DOE, DA_PAYLOAD_SPDM, msg, len, &w);
	if (ret >= 0)
		ret = emu_xchg(fd, EMU_CMD_NORMAL, DA_FRAMING_PCI_DOE, req, w.len, &cmd, &tt, &rsp);
	if (!ret)
		ret = da_frame_decode(DA_FRAMING_PCI_DOE, rsp.data, rsp.len, &kind, &pl, &plen,
				      &err);
	if (!ret) {
		c = cur_init(pl, plen);
		ret = cur_u8(&c, &ver) || cur_u8(&c, &code) ? -EBADMSG : code;
	}
	da_buf_free(&rsp);
	return ret;
}

/* CONTINUE keeps the negotiated state for the next client; a reset forgets it. */
static void test_continue_reset(void **state)
{
	static const char *const extra[] = { FAST, NULL };
	static const uint8_t get_version[] = { SPDM_VER_10, SPDM_GET_VERSION, 0, 0 };
	static const uint8_t get_caps[] = { SPDM_VER_10, SPDM_GET_CAPABILITIES, 0, 0 };
	const char *args[] = { "ctl", "--ctl", NULL, "reset", "0", NULL };
	struct emu_proc p = { 0 };
	struct da_buf rsp = { 0 };
	uint32_t cmd, tt;
	char out[1024];
	int fd;

	assert_int_equal(emu_start(&p, extra), 0);
	args[2] = p.ctl;

	fd = emu_connect(p.base_port);
	assert_true(fd >= 0);
	assert_int_equal(spdm_code(fd, get_version, sizeof(get_version)), SPDM_VERSION);
	assert_int_equal(emu_xchg(fd, EMU_CMD_CONTINUE, DA_FRAMING_PCI_DOE, NULL, 0, &cmd, &tt,
				  &rsp), 0);
	close(fd);

	fd = emu_connect(p.base_port);
	assert_true(fd >= 0);
	assert_int_equal(spdm_code(fd, get_caps, sizeof(get_caps)), SPDM_CAPABILITIES);
	assert_int_equal(emu_xchg(fd, EMU_CMD_CONTINUE, DA_FRAMING_PCI_DOE, NULL, 0, &cmd, &tt,
				  &rsp), 0);
	close(fd);

	assert_int_equal(emu_run(args, out, sizeof(out), 30), 0);
	fd = emu_connect(p.base_port);
	assert_true(fd >= 0);
	/* No VERSION in this conversation: GET_CAPABILITIES is out of order. */
	assert_int_equal(spdm_code(fd, get_caps, sizeof(get_caps)), SPDM_ERROR);
	assert_int_equal(emu_shutdown(fd, DA_FRAMING_PCI_DOE), 0);
	close(fd);

	da_buf_free(&rsp);
	assert_int_equal(emu_stop(&p), 0);
	emu_rmdir(p.dir);
}

static void test_ctl(void **state)
{
	static const char *const extra[] = { "--devices", "2", FAST, NULL };
	struct emu_proc p = { 0 };
	char out[8192];
	int fd;

	assert_int_equal(emu_start(&p, extra), 0);

	assert_int_equal(ctl(&p, out, sizeof(out), "list", NULL, NULL), 0);
	assert_non_null(strstr(out, "0 " DEV0 " port="));
	assert_non_null(strstr(out, "1 " DEV1 " port="));
	assert_non_null(strstr(out, "reset-gen=0"));

	/* reset cuts the live connection, as a real reset would. */
	fd = emu_connect(p.base_port);
	assert_true(fd >= 0);
	assert_int_equal(emu_get_version(fd, DA_FRAMING_PCI_DOE), 0);
	assert_int_equal(ctl(&p, out, sizeof(out), "list", NULL, NULL), 0);
	assert_true(line_has(out, "0 " DEV0 " ", "connected=yes"));
	assert_true(line_has(out, "1 " DEV1 " ", "connected=no"));
	assert_int_equal(ctl(&p, out, sizeof(out), "reset", DEV0, NULL), 0);
	assert_non_null(strstr(out, "ok"));
	assert_closed_by_server(fd);
	close(fd);
	assert_serves(p.base_port);
	assert_int_equal(ctl(&p, out, sizeof(out), "list", NULL, NULL), 0);
	assert_true(line_has(out, "0 " DEV0 " ", "reset-gen=1 "));
	assert_true(line_has(out, "1 " DEV1 " ", "reset-gen=0 "));

	/* By index, with faults. */
	assert_int_equal(ctl(&p, out, sizeof(out), "fault", "1", "bad-challenge-sig,busy"), 0);
	assert_int_equal(ctl(&p, out, sizeof(out), "list", NULL, NULL), 0);
	assert_non_null(strstr(out, "faults=bad-challenge-sig,busy"));
	assert_int_equal(ctl(&p, out, sizeof(out), "fault", "1", "none"), 0);
	assert_int_equal(ctl(&p, out, sizeof(out), "update", "1", NULL), 0);
	assert_int_equal(ctl(&p, out, sizeof(out), "swap", DEV1, NULL), 0);
	assert_serves(p.base_port + 1);

	/* Errors: exit status 1 and an "error:" line. */
	assert_int_equal(ctl(&p, out, sizeof(out), "fault", "1", "no-such-fault"), 1);
	assert_non_null(strstr(out, "error:"));
	assert_non_null(strstr(out, "no-such-fault"));
	assert_int_equal(ctl(&p, out, sizeof(out), "reset", "0000:09:00.0", NULL), 1);
	assert_non_null(strstr(out, "error: no device"));
	assert_int_equal(ctl(&p, out, sizeof(out), "reset", "7", NULL), 1);
	assert_int_equal(ctl(&p, out, sizeof(out), "frobnicate", "0", NULL), 1);
	assert_int_equal(ctl(&p, out, sizeof(out), "reset", NULL, NULL), 1);

	assert_int_equal(emu_stop(&p), 0);
	/* A clean exit removes the control socket. */
	assert_int_equal(access(p.ctl, F_OK), -1);
	emu_rmdir(p.dir);
}

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* Run serve with a config that must be refused; every needle must be in the message. */
static void assert_config_error(const char *dir, const char *json, const char *n1,
				const char *n2, const char *n3)
{
	char path[400], out[4096];
	const char *args[] = { "serve", "--listen", "127.0.0.1:1", "--ctl", "none",
			       "--config", path, NULL };

	snprintf(path, sizeof(path), "%s/devices.json", dir);
	write_text(path, json);
	/* An invalid configuration is invalid input: 2. */
	assert_int_equal(emu_run(args, out, sizeof(out), 30), 2);
	if (!strstr(out, path) || (n1 && !strstr(out, n1)) || (n2 && !strstr(out, n2)) ||
	    (n3 && !strstr(out, n3)))
		fail_msg("config error message lacks a detail: %s", out);
}

static void test_config_errors(void **state)
{
	char dir[256];

	emu_mkdtemp(dir, sizeof(dir));
	assert_config_error(dir, "{ \"devices\": [ { \"name\": \"0000:01:00.0\" },"
			    " { \"name\": \"0000:02:00.0\", \"bogus\": 1 } ] }",
			    "device 1", "0000:02:00.0", "\"bogus\": unknown key");
	assert_config_error(dir, "{ \"devices\": [ { \"name\": \"0000:05:00.0\","
			    " \"asym\": [\"ecdsa-p999\"] } ] }",
			    "0000:05:00.0", "\"asym\"", "ecdsa-p999");
	assert_config_error(dir, "{ \"devices\": [ { \"pci\": { \"vendor\": \"0x10000\" } } ] }",
			    "device 0", "\"pci.vendor\"", "out of range");
	assert_config_error(dir, "{ \"devices\": [ { \"name\": \"x\", \"measurements\": ["
			    " { \"index\": 1, \"type\": \"svn\", \"value-hex\": \"0g\" } ] } ] }",
			    "(x)", "\"measurements[0].value-hex\"", "hex");
	assert_config_error(dir, "{ \"devices\": [ { \"name\": \"x\", \"measurements\": ["
			    " { \"index\": 1, \"type\": \"sausage\", \"value-hex\": \"00\" } ] } ] }",
			    "\"measurements[0].type\"", "sausage", NULL);
	assert_config_error(dir, "{ \"devices\": [ { \"name\": \"x\", \"faults\": [\"nope\"] } ] }",
			    "\"faults\"", "nope", NULL);
	assert_config_error(dir, "{ \"devices\": [ { \"name\": \"x\","
			    " \"versions\": [\"1.0\", \"1.3\"] } ] }",
			    "\"versions\"", "contiguous", NULL);
	assert_config_error(dir, "{ \"devices\": [ { \"name\": \"x\","
			    " \"slots\": [ { \"slot\": 9 } ] } ] }",
			    "\"slots[0].slot\"", NULL, NULL);
	assert_config_error(dir, "{ \"devices\": [ { \"name\": \"x\" }, { \"name\": \"x\" } ] }",
			    "\"name\"", "also device 0", NULL);
	assert_config_error(dir, "{ \"devices\": [ ], \"extra\": 1 }", "\"extra\"", NULL, NULL);
	assert_config_error(dir, "{ \"devices\": [ { \"name\": ", "JSON", NULL, NULL);
	assert_config_error(dir, "{ \"devices\": [ { \"name\": \"x\", \"pci\": { \"vendor\": 1,"
			    " \"vendor\": 2 } } ] }", "devices[0].pci.vendor", "given twice", NULL);
	assert_config_error(dir, "{ \"devices\": [ { \"pci\": { \"vendor\": \"-1\" } } ] }",
			    "\"pci.vendor\"", "expected a hex string", NULL);
	assert_config_error(dir, "[1, 2]", "\"devices\"", NULL, NULL);
	emu_rmdir(dir);
}

static void test_config_example(void **state)
{
	const char *src = getenv("DEVAUTH_SRC");
	char path[512], ready[4096], name[64], host[64];
	const char *extra[] = { "--config", path, NULL };
	struct emu_proc p = { 0 };
	int port, n = 0, pos = 0, used;

	assert_non_null(src);
	snprintf(path, sizeof(path), "%s/docs/examples/emu-devices.json", src);
	assert_int_equal(emu_start(&p, extra), 0);
	/* The ready file lists "NAME HOST:PORT" per device. */
	{
		FILE *f = fopen(p.ready, "r");
		size_t len;

		assert_non_null(f);
		len = fread(ready, 1, sizeof(ready) - 1, f);
		ready[len] = '\0';
		fclose(f);
	}
	while (sscanf(ready + pos, "%63s %63[^:]:%d\n%n", name, host, &port, &used) == 3) {
		assert_int_equal(port, p.base_port + n);
		assert_serves(port);
		pos += used;
		n++;
	}
	assert_int_equal(n, 4);
	assert_non_null(strstr(ready, "0000:04:00.0 127.0.0.1:"));
	assert_int_equal(emu_stop(&p), 0);
	/* The ready file goes away with a clean exit. */
	assert_int_equal(access(p.ready, F_OK), -1);
	emu_rmdir(p.dir);
}

static void test_pki(void **state)
{
	struct rsp_device_config def;
	struct da_err err = { 0 };
	struct da_buf chain = { 0 };
	struct spdm_chain parsed = { 0 };
	STACK_OF(X509) *certs = NULL;
	X509 *list[3];
	char dir[256], path[512], slot[1200], out[4096], san[256], want[256];
	const char *args[] = { "pki", "--out", dir, "--count", "2", "--asym", "ecdsa-p256", NULL };
	struct emu_proc p = { 0 };
	const char *extra[] = { "--devices", "1", FAST, "--slot", slot, NULL };
	int i;

	emu_mkdtemp(dir, sizeof(dir));
	assert_int_equal(emu_run(args, out, sizeof(out), 120), 0);
	snprintf(path, sizeof(path), "%s/root.der", dir);
	assert_int_equal(access(path, R_OK), 0);
	snprintf(path, sizeof(path), "%s/dev1/slot1/key.pem", dir);
	assert_int_equal(access(path, R_OK), 0);

	/* dev1's slot 0 chain: root, intermediate, leaf with device 1's identity. */
	snprintf(path, sizeof(path), "%s/dev1/slot0/chain.der", dir);
	assert_int_equal(pki_read_certs(path, &certs, &err), 0);
	assert_int_equal(sk_X509_num(certs), 3);
	rsp_device_config_default(&def, DEV1, 1);
	cma_identity_format(&def.id, want, sizeof(want));
	assert_true(cma_leaf_san_string(sk_X509_value(certs, 2), san, sizeof(san)) >= 0);
	assert_string_equal(san, want);
	assert_int_equal(cma_check_leaf_san(sk_X509_value(certs, 2), &def.id, &err), 0);

	/* As an SPDM chain it passes the TSM's consistency checks. */
	for (i = 0; i < 3; i++)
		list[i] = sk_X509_value(certs, i);
	assert_int_equal(pki_spdm_chain(list, 3, SPDM_HASH_SHA256, &chain, &err), 0);
	assert_int_equal(spdm_chain_parse(chain.data, chain.len, SPDM_HASH_SHA256, &parsed, &err),
			 0);
	assert_int_equal(spdm_chain_check(&parsed, &err), 0);
	spdm_chain_free(&parsed);
	da_buf_free(&chain);
	sk_X509_pop_free(certs, X509_free);

	/* And serve takes it with --slot. */
	snprintf(slot, sizeof(slot), "0:%s/dev0/slot0/chain.der:%s/dev0/slot0/key.pem", dir, dir);
	assert_int_equal(emu_start(&p, extra), 0);
	assert_serves(p.base_port);
	assert_int_equal(emu_stop(&p), 0);
	emu_rmdir(p.dir);
	emu_rmdir(dir);
}

static void test_transports(void **state)
{
	static const char *const mctp[] = { "--transport", "mctp", FAST, NULL };
	static const char *const none[] = { "--transport", "none", "--devices", "2", FAST, NULL };
	struct emu_proc p = { 0 };
	struct da_buf rsp = { 0 };
	uint32_t cmd, tt;
	int fd;

	assert_int_equal(emu_start(&p, mctp), 0);
	fd = emu_connect(p.base_port);
	assert_true(fd >= 0);
	assert_int_equal(emu_hello(fd, DA_FRAMING_MCTP), 0);
	assert_int_equal(emu_get_version(fd, DA_FRAMING_MCTP), 0);
	/* A DOE frame is not MCTP. */
	assert_int_equal(emu_xchg(fd, EMU_CMD_NORMAL, DA_FRAMING_PCI_DOE, "\x01\x00\x01\x00", 4,
				  &cmd, &tt, &rsp), 0);
	assert_int_equal(cmd, EMU_CMD_UNKNOWN);
	assert_int_equal(tt, DA_FRAMING_MCTP);
	assert_int_equal(emu_shutdown(fd, DA_FRAMING_MCTP), 0);
	close(fd);
	assert_int_equal(emu_stop(&p), 0);

	assert_int_equal(emu_start(&p, none), 0);
	fd = emu_connect(p.base_port + 1);
	assert_true(fd >= 0);
	/* The reference requester sends no TEST over NONE: straight to SPDM. */
	assert_int_equal(emu_get_version(fd, DA_FRAMING_NONE), 0);
	assert_int_equal(emu_shutdown(fd, DA_FRAMING_NONE), 0);
	close(fd);
	assert_int_equal(emu_stop(&p), 0);
	da_buf_free(&rsp);
	emu_rmdir(p.dir);
}

static void test_pki_config(void **state)
{
	const char *src = getenv("DEVAUTH_SRC");
	char dir[256], cfg[512], path[512], out[4096], san[256];
	const char *args[] = { "pki", "--out", dir, "--devices", cfg, NULL };
	STACK_OF(X509) *certs = NULL;
	struct da_err err = { 0 };

	assert_non_null(src);
	snprintf(cfg, sizeof(cfg), "%s/docs/examples/emu-devices.json", src);
	emu_mkdtemp(dir, sizeof(dir));
	assert_int_equal(emu_run(args, out, sizeof(out), 120), 0);
	/* Slots as the file provisions them. */
	snprintf(path, sizeof(path), "%s/dev0/slot1/chain.der", dir);
	assert_int_equal(access(path, R_OK), 0);
	snprintf(path, sizeof(path), "%s/dev2/slot1", dir);
	assert_int_equal(access(path, F_OK), -1);
	/* The leaf carries the identity of the file's device 0. */
	snprintf(path, sizeof(path), "%s/dev0/slot0/leaf.pem", dir);
	assert_int_equal(pki_read_certs(path, &certs, &err), 0);
	assert_int_equal(sk_X509_num(certs), 1);
	assert_true(cma_leaf_san_string(sk_X509_value(certs, 0), san, sizeof(san)) >= 0);
	assert_string_equal(san, "Vendor=8086:Device=0b25:CC=120000:REV=01:SSVID=8086:SSID=0000:"
			    "00a0c9fffe123456");
	sk_X509_pop_free(certs, X509_free);
	emu_rmdir(dir);
}

static void test_cli_errors(void **state)
{
	char out[4096];
	const char *a1[] = { "serve", "--transport", "pcie", "--ctl", "none", NULL };
	const char *a2[] = { "serve", "--asym", "ecdsa-p256,dsa", "--ctl", "none", NULL };
	const char *a3[] = { "serve", "--slot", "9:a:b", "--ctl", "none", NULL };
	const char *a4[] = { "serve", "--fault", "nope", "--ctl", "none", NULL };
	const char *a5[] = { "frob", NULL };
	const char *a6[] = { "serve", "--devices", "0", "--ctl", "none", NULL };
	const char *a7[] = { "serve", "--listen", "127.0.0.1:1",
			     "--slot", "0:/nonexistent.der:/nonexistent.pem",
			     "--ctl", "none", "--asym", "ecdsa-p256", NULL };

	/* Bad options are usage errors: 2, as for devauth and devauthd. */
	assert_int_equal(emu_run(a1, out, sizeof(out), 30), 2);
	assert_non_null(strstr(out, "--transport"));
	assert_int_equal(emu_run(a2, out, sizeof(out), 30), 2);
	assert_non_null(strstr(out, "dsa"));
	assert_int_equal(emu_run(a3, out, sizeof(out), 30), 2);
	assert_non_null(strstr(out, "--slot"));
	assert_int_equal(emu_run(a4, out, sizeof(out), 30), 2);
	assert_non_null(strstr(out, "nope"));
	assert_int_equal(emu_run(a5, out, sizeof(out), 30), 2);
	assert_int_equal(emu_run(a6, out, sizeof(out), 30), 2);
	assert_non_null(strstr(out, "--devices"));
	/* A device that cannot be made stops the start, naming the device. */
	assert_int_equal(emu_run(a7, out, sizeof(out), 60), 1);
	assert_non_null(strstr(out, DEV0));
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_protocol),
		cmocka_unit_test(test_bad_clients),
		cmocka_unit_test(test_ctl),
		cmocka_unit_test(test_continue_reset),
		cmocka_unit_test(test_config_errors),
		cmocka_unit_test(test_config_example),
		cmocka_unit_test(test_cli_errors),
		cmocka_unit_test(test_pki),
		cmocka_unit_test(test_pki_config),
		cmocka_unit_test(test_transports),
		cmocka_unit_test(test_64_devices),
	};

	if (argc < 2) {
		fprintf(stderr, "usage: %s PATH-TO-devauth-emu [TEST-NAME]\n", argv[0]);
		return 1;
	}
	emu_bin = argv[1];
	/* Meson runs each test as its own process, in parallel, with its own timeout. */
	return emu_run_cases("emu_serve", tests, sizeof(tests) / sizeof(tests[0]),
			     argc > 2 ? argv[2] : NULL);
}
