// SPDX-License-Identifier: MIT
/*
 * devauth probe: authenticate one device over the spdm-emu socket
 * protocol (the DMTF emulator, QEMU's SPDM socket, devauth-emu), read
 * its signed measurements, and print every check.  With --session it
 * then opens a secure session, measures inside it, runs heartbeat and
 * key update when asked, and ends it.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/pem.h>

#include <devauth/pki.h>
#include <devauth/file.h>
#include <devauth/identity.h>
#include <devauth/trust.h>

#include "cli.h"
#include "devauth.h"
#include "probe-tdisp.h"

#define SYNOPSIS "--connect HOST:PORT [--transport pci-doe|mctp|none]\n" \
	"       [--spdm-version 1.2|1.0-1.3] [--slot N] [--all-slots] [--identity ID]\n" \
	"       [--trust ROOT|DIR] [--no-check-time] [--nonce HEX] [--pcap OUT.pcap]\n" \
	"       [--timeout-ms MS] [--data-transfer-size N] [--max-spdm-msg-size N]\n" \
	"       [--keep] [--json]\n" \
	"       [--session [--dhe LIST] [--aead LIST] [--handshake-in-clear]\n" \
	"        [--heartbeat] [--key-update[=all]] [--psk HEX [--psk-hint HEX]]\n" \
	"        [--keylog FILE] [--mut-auth CHAIN:KEY] [--peer-pubkey FILE]]" PROBE_TDISP_SYNOPSIS
/* The longest a device may take beyond CT/RDT; longer is a typo. */
#define PROBE_MAX_RTT_MS 600000

static const struct cli_opt_help help[] = {
	{ "--connect HOST:PORT", "the spdm-emu socket (port 1-65535, default 2323)" },
	{ "--transport FRAMING", "pci-doe (default), mctp or none: as the responder's" },
	{ "--spdm-version V", "a version (1.2) or a range (1.0-1.3) to negotiate" },
	{ "--slot N", "certificate slot to challenge, 0-7 (default 0)" },
	{ "--all-slots", "read and check every provisioned chain" },
	{ "--identity ID", "the leaf's PCIe identity must be Vendor=..:Device=..:CC=..:REV=..[...]" },
	{ "--trust ROOT|DIR", "the chain must end in one of these anchors (PEM/DER)" },
	{ "--no-check-time", "ignore certificate validity dates in the trust check" },
	{ "--nonce HEX", "CHALLENGE nonce, 64 hex digits (default random)" },
	{ "--pcap OUT.pcap", "record every transport message (LINKTYPE 292/291)" },
	{ "--timeout-ms MS", "transport allowance added to CT/RDT, 0-600000" },
	{ "--data-transfer-size N", "our DataTransferSize, 42-4608 (1.2+, CHUNK_CAP)" },
	{ "--max-spdm-msg-size N", "our MaxSPDMmsgSize, 42-16777216 (default 65536)" },
	{ "--keep", "end with CONTINUE instead of SHUTDOWN" },
	{ "--session", "then open a secure session (1.1+), measure inside it, end it" },
	{ "--dhe LIST", "DHE groups to offer: secp256r1|SECP_256_R1, secp384r1, secp521r1, ffdhe2048..4096" },
	{ "--aead LIST", "AEADs to offer: aes-128-gcm|AES_128_GCM, aes-256-gcm, chacha20-poly1305" },
	{ "--handshake-in-clear", "offer HANDSHAKE_IN_THE_CLEAR_CAP" },
	{ "--heartbeat", "send HEARTBEAT in the session" },
	{ "--key-update[=all]", "KEY_UPDATE UpdateKey (or UpdateAllKeys) and VerifyNewKey" },
	{ "--psk HEX", "PSK_EXCHANGE with this pre-shared key (up to 64 bytes)" },
	{ "--psk-hint HEX", "the PSKHint (up to 64 bytes)" },
	{ "--keylog FILE", "append the session secrets to FILE (docs/session.md)" },
	{ "--peer-pubkey FILE", "the device's provisioned public key (PEM/DER): KEY_EXCHANGE with SlotID 0xFF, no certificates" },
	{ "--mut-auth CHAIN:KEY", "mutual authentication: our chain (DER root first, or PEM) and key (PEM)" },
	PROBE_TDISP_HELP,
	{ 0 },
};

struct session_opts {
	bool heartbeat, key_update, key_update_all;
	STACK_OF(X509) *req_certs;
	X509 **cert_arr;
	EVP_PKEY *req_key;
	EVP_PKEY *peer_pubkey;
	struct probe_tdisp *td;
};

/* A public key file, PEM or DER (SubjectPublicKeyInfo). */
static EVP_PKEY *read_pubkey(const char *path)
{
	struct da_err err = { 0 };
	const unsigned char *p;
	EVP_PKEY *k = NULL;
	uint8_t *buf;
	size_t len;
	BIO *b;

	if (da_read_file(path, &buf, &len, 1u << 16, &err)) {
		cli_file_error("probe", path, err.msg);
		return NULL;
	}
	b = BIO_new_mem_buf(buf, (int)len);
	if (b)
		k = PEM_read_bio_PUBKEY(b, NULL, NULL, NULL);
	BIO_free(b);
	p = buf;
	if (!k)
		k = d2i_PUBKEY(NULL, &p, (long)len);
	free(buf);
	if (!k)
		cli_file_error("probe", path, "not a PEM or DER public key");
	return k;
}

/* --mut-auth CHAIN:KEY: our chain and private key, kept for the whole probe. */
static int mut_auth_opt(const char *arg, struct spdm_req_config *cfg, struct session_opts *so)
{
	char chain[4096];
	const char *colon = strrchr(arg, ':');
	struct da_err err = { 0 };

	if (!colon || colon == arg || !colon[1] || (size_t)(colon - arg) >= sizeof(chain)) {
		fprintf(stderr, "%s probe: --mut-auth needs CHAIN:KEY\n", prog);
		return -1;
	}
	memcpy(chain, arg, (size_t)(colon - arg));
	chain[colon - arg] = '\0';
	if (so->req_certs || da_pki_read_certs(chain, &so->req_certs, &err) ||
	    !sk_X509_num(so->req_certs)) {
		cli_file_error("probe", chain, err.code ? err.msg : "no certificate");
		return -1;
	}
	so->req_key = da_pki_read_key(colon + 1, &err);
	if (!so->req_key) {
		cli_file_error("probe", colon + 1, err.msg);
		return -1;
	}
	so->cert_arr = calloc((size_t)sk_X509_num(so->req_certs), sizeof(*so->cert_arr));
	if (!so->cert_arr) {
		fprintf(stderr, "%s probe: out of memory\n", prog);
		return -1;
	}
	for (int i = 0; i < sk_X509_num(so->req_certs); i++)
		so->cert_arr[i] = sk_X509_value(so->req_certs, i);
	cfg->req_certs = so->cert_arr;
	cfg->n_req_certs = (size_t)sk_X509_num(so->req_certs);
	cfg->req_key = so->req_key;
	return 0;
}

/* Any even number of hex digits up to cap bytes; the byte count or -1. */
static int unhex_var(const char *s, uint8_t *out, size_t cap)
{
	size_t n = strlen(s) / 2;

	if (strlen(s) % 2 || n > cap || da_unhex(s, out, n))
		return -1;
	return (int)n;
}

static int session_opt(int c, const char *arg, struct spdm_req_config *cfg,
		       struct session_opts *so)
{
	int n;

	cfg->session = true;
	switch (c) {
	case 0x101:
		if (spdm_dhe_parse_list(arg, &cfg->dhe_offer))
			goto bad;
		break;
	case 0x102:
		if (spdm_aead_parse_list(arg, &cfg->aead_offer))
			goto bad;
		break;
	case 0x103:
		so->heartbeat = true;
		break;
	case 0x104:
		if (arg && strcmp(arg, "all"))
			goto bad;
		so->key_update = true;
		so->key_update_all = arg != NULL;
		break;
	case 0x105:
		n = unhex_var(arg, cfg->psk, sizeof(cfg->psk));
		if (n <= 0)
			goto bad;
		cfg->psk_len = (size_t)n;
		break;
	case 0x106:
		n = unhex_var(arg, cfg->psk_hint, sizeof(cfg->psk_hint));
		if (n < 0)
			goto bad;
		cfg->psk_hint_len = (size_t)n;
		break;
	case 0x107:
		cfg->keylog_path = arg;
		break;
	case 0x108:
		cfg->handshake_in_clear = true;
		break;
	case 0x109:
		return mut_auth_opt(arg, cfg, so);
	case 0x10a:
		EVP_PKEY_free(so->peer_pubkey);
		so->peer_pubkey = read_pubkey(arg);
		if (!so->peer_pubkey)
			return -1;
		cfg->peer_pubkey = so->peer_pubkey;
		cfg->slot = SPDM_SLOT_PROVISIONED;
		break;
	}
	return 0;
bad:
	fprintf(stderr, "%s probe: bad session option value '%s' (DHE: secp256r1|SECP_256_R1,"
		" secp384r1, secp521r1, ffdhe2048..4096; AEAD: aes-128-gcm|AES_128_GCM,"
		" aes-256-gcm, chacha20-poly1305; PSK: up to 64 hex bytes, hint up to 16)\n",
		prog, arg ? arg : "");
	return -1;
}

static void session_opts_free(struct session_opts *so)
{
	sk_X509_pop_free(so->req_certs, X509_free);
	EVP_PKEY_free(so->req_key);
	EVP_PKEY_free(so->peer_pubkey);
	free(so->cert_arr);
	probe_tdisp_free(so->td);
	memset(so, 0, sizeof(*so));
}

/* Open, use and end the session; every step adds its check. */
static int session_run(struct spdm_req *r, struct session_opts *so, struct da_err *err)
{
	int ret = spdm_req_session_start(r, err);

	/* The identity seen inside the session must be the one authenticated outside it. */
	if (!ret)
		ret = spdm_req_session_digests(r, err);
	if (!ret)
		ret = spdm_req_session_certificate(r, err);
	if (!ret)
		ret = spdm_req_session_measure(r, err);
	if (!ret)
		ret = probe_tdisp_run(r, so->td, err);
	if (!ret && so->heartbeat)
		ret = spdm_req_session_heartbeat(r, err);
	if (!ret && so->key_update)
		ret = spdm_req_session_key_update(r, so->key_update_all, err);
	/* A heartbeat after the key update proves the new keys carry traffic. */
	if (!ret && so->key_update && so->heartbeat)
		ret = spdm_req_session_heartbeat(r, err);
	if (!ret)
		ret = spdm_req_session_end(r, err);
	return ret;
}

static void session_print(const struct spdm_req *r)
{
	const struct spdm_req_session_info *s = spdm_req_session_info(r);

	printf("session 0x%08x: %s, DHE %s, AEAD %s%s, secured messages %u.%u, "
	       "handshake %s, mutual authentication %s, heartbeat period %u s, digests %s, %u chains re-read, "
	       "measurements %s, %u heartbeats, %u key updates, %s\n",
	       s->session_id, s->psk ? "PSK" : "KEY_EXCHANGE", spdm_dhe_name(s->dhe),
	       spdm_aead_name(s->aead), s->mac_only ? " (MAC only)" : "", s->sm_version >> 12,
	       (s->sm_version >> 8) & 0xf, s->in_clear ? "in the clear" : "encrypted",
	       s->mutual_auth ? "yes" : "no",
	       s->heartbeat_period, s->digests_checked ? "match" : "not compared",
	       s->certs_checked, s->measured ? "signed and verified" : "not verified",
	       s->heartbeats, s->key_updates,
	       s->ended ? "ended" : "not ended");
}

static json_object *session_json(const struct spdm_req *r)
{
	const struct spdm_req_session_info *s = spdm_req_session_info(r);
	json_object *j = json_object_new_object();
	char buf[16];

	snprintf(buf, sizeof(buf), "0x%08x", s->session_id);
	json_object_object_add(j, "session_id", json_object_new_string(buf));
	json_object_object_add(j, "kind", json_object_new_string(s->psk ? "psk" : "key_exchange"));
	json_object_object_add(j, "dhe", json_object_new_string(spdm_dhe_name(s->dhe)));
	json_object_object_add(j, "aead", json_object_new_string(spdm_aead_name(s->aead)));
	json_object_object_add(j, "mac_only", json_object_new_boolean(s->mac_only));
	snprintf(buf, sizeof(buf), "%u.%u", s->sm_version >> 12, (s->sm_version >> 8) & 0xf);
	json_object_object_add(j, "secured_message_version", json_object_new_string(buf));
	json_object_object_add(j, "handshake_in_clear", json_object_new_boolean(s->in_clear));
	json_object_object_add(j, "heartbeat_period", json_object_new_int(s->heartbeat_period));
	json_object_object_add(j, "measured", json_object_new_boolean(s->measured));
	json_object_object_add(j, "mutual_auth", json_object_new_boolean(s->mutual_auth));
	json_object_object_add(j, "digests_checked", json_object_new_boolean(s->digests_checked));
	json_object_object_add(j, "certs_checked", json_object_new_int((int)s->certs_checked));
	json_object_object_add(j, "heartbeats", json_object_new_int((int)s->heartbeats));
	json_object_object_add(j, "key_updates", json_object_new_int((int)s->key_updates));
	json_object_object_add(j, "ended", json_object_new_boolean(s->ended));
	return j;
}

/* The whole probe; what --mut-auth and --peer-pubkey loaded is the caller's to free. */
static int probe_run(int argc, char **argv, struct session_opts *so)
{
	static const struct option opts[] = {
		{ "connect", required_argument, NULL, 'c' },
		{ "transport", required_argument, NULL, 't' },
		{ "spdm-version", required_argument, NULL, 'V' },
		{ "slot", required_argument, NULL, 's' },
		{ "all-slots", no_argument, NULL, 'A' },
		{ "identity", required_argument, NULL, 'i' },
		{ "trust", required_argument, NULL, 'T' },
		{ "no-check-time", no_argument, NULL, 'D' },
		{ "nonce", required_argument, NULL, 'n' },
		{ "pcap", required_argument, NULL, 'P' },
		{ "timeout-ms", required_argument, NULL, 'o' },
		{ "data-transfer-size", required_argument, NULL, 'd' },
		{ "max-spdm-msg-size", required_argument, NULL, 'm' },
		{ "keep", no_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		CLI_LONGOPTS,
		{ "session", no_argument, NULL, 0x100 },
		{ "dhe", required_argument, NULL, 0x101 },
		{ "aead", required_argument, NULL, 0x102 },
		{ "heartbeat", no_argument, NULL, 0x103 },
		{ "key-update", optional_argument, NULL, 0x104 },
		{ "psk", required_argument, NULL, 0x105 },
		{ "psk-hint", required_argument, NULL, 0x106 },
		{ "keylog", required_argument, NULL, 0x107 },
		{ "handshake-in-clear", no_argument, NULL, 0x108 },
		{ "mut-auth", required_argument, NULL, 0x109 },
		{ "peer-pubkey", required_argument, NULL, 0x10a },
		PROBE_TDISP_LONGOPTS,
		{ 0 }
	};
	struct spdm_req_config cfg;
	struct report_opts ro = { .check_time = true };
	struct cma_identity id;
	enum da_framing framing = DA_FRAMING_PCI_DOE;
	const char *hostport = NULL, *pcap_path = NULL;
	struct da_transport *t = NULL;
	struct da_pcap *pcap = NULL;
	struct spdm_req *r = NULL;
	struct da_checklist extra = { 0 };
	struct da_err err = { 0 };
	bool keep = false, ok;
	unsigned long long n;
	int c, ret;

	spdm_req_config_default(&cfg);
	optind = 1;
	while ((c = getopt_long(argc, argv, "c:t:V:s:Ai:T:Dn:P:o:d:m:kh" CLI_SHORTOPTS, opts,
				NULL)) != -1) {
		if (cli_common_opt(c))
			continue;
		switch (c) {
		case 'c':
			hostport = optarg;
			break;
		case 't':
			if (da_framing_parse(optarg, &framing)) {
				fprintf(stderr, "%s probe: unknown transport '%s'\n", prog, optarg);
				return 2;
			}
			break;
		case 'V':
			if (parse_version_range(optarg, &cfg.min_version, &cfg.max_version)) {
				fprintf(stderr, "%s probe: bad --spdm-version '%s' (1.0 .. 1.4)\n",
					prog, optarg);
				return 2;
			}
			break;
		case 's': {
			char *end;
			long s = strtol(optarg, &end, 0);

			if (*end || s < 0 || (s >= SPDM_MAX_SLOTS && s != SPDM_SLOT_PROVISIONED)) {
				fprintf(stderr, "%s probe: bad --slot '%s' (0..7, or 0xff with --peer-pubkey)\n",
					prog, optarg);
				return 2;
			}
			cfg.slot = (uint8_t)s;
			break;
		}
		case 'A':
			cfg.all_slots = true;
			break;
		case 'i':
			if (cma_identity_parse(optarg, &id, &err)) {
				fprintf(stderr, "%s probe: %s\n", prog, err.msg);
				return 2;
			}
			cfg.expect_id = &id;
			break;
		case 'T':
			ro.trust_path = optarg;
			break;
		case 'D':
			ro.check_time = false;
			break;
		case 'n':
			if (da_unhex(optarg, cfg.nonce, sizeof(cfg.nonce))) {
				fprintf(stderr, "%s probe: --nonce needs 64 hex digits\n", prog);
				return 2;
			}
			cfg.have_nonce = true;
			break;
		case 'P':
			pcap_path = optarg;
			break;
		case 'o':
			if (cli_number("probe", "timeout-ms", optarg, 0, PROBE_MAX_RTT_MS, &n))
				return EXIT_USAGE;
			cfg.rtt_ms = (unsigned int)n;
			break;
		case 'd':
			if (cli_number("probe", "data-transfer-size", optarg,
				       SPDM_MIN_DATA_TRANSFER_SIZE, 0x1200, &n))
				return EXIT_USAGE;
			cfg.data_transfer_size = (uint32_t)n;
			break;
		case 'm':
			if (cli_number("probe", "max-spdm-msg-size", optarg,
				       SPDM_MIN_DATA_TRANSFER_SIZE, 16ull << 20, &n))
				return EXIT_USAGE;
			cfg.max_spdm_msg_size = (uint32_t)n;
			break;
		case 'k':
			keep = true;
			break;
		case 'h':
			cli_help("probe", SYNOPSIS, "Authenticate one device over the spdm-emu "
				 "socket protocol, read its signed\nmeasurements, print every check.",
				 help);
			return EXIT_OK;
		case 0x100 ... 0x10a:
			if (session_opt(c, optarg, &cfg, so))
				return EXIT_USAGE;
			break;
		case PROBE_OPT_TDISP ... PROBE_OPT_FUNCTION:
			cfg.session = true;
			if (probe_tdisp_opt(c, optarg, so->td))
				return EXIT_USAGE;
			break;
		default:
			cli_usage(stderr, "probe", SYNOPSIS);
			return EXIT_USAGE;
		}
	}
	if (!hostport || optind != argc) {
		cli_usage(stderr, "probe", SYNOPSIS);
		return EXIT_USAGE;
	}
	if (cfg.peer_pubkey) {
		cfg.slot = SPDM_SLOT_PROVISIONED;
	} else if (cfg.slot == SPDM_SLOT_PROVISIONED) {
		fprintf(stderr, "%s probe: --slot 0xff needs --peer-pubkey FILE\n", prog);
		return EXIT_USAGE;
	}
	if (cli_load_trust("probe", ro.trust_path, &ro.trust))
		return EXIT_USAGE;

	if (pcap_path && da_pcap_open_write(pcap_path, framing, &pcap, &err)) {
		fprintf(stderr, "%s probe: %s\n", prog, err.msg);
		da_trust_free(ro.trust);
		return 2;
	}
	/* The pcap is attached before TEST and DOE discovery, as DMTF's captures start. */
	ret = da_transport_emu_connect_pcap(hostport, framing, cfg.rtt_ms, pcap, &t, &err);
	if (ret) {
		/* The transport's message already starts with the device. */
		fprintf(stderr, "%s probe: %s\n", prog, err.msg);
		da_pcap_close(pcap);
		da_trust_free(ro.trust);
		return cli_unreachable(ret) ? EXIT_USAGE : EXIT_FAILED;
	}
	cfg.dev_name = hostport;
	r = spdm_req_new(&cfg, t);
	if (!r) {
		fprintf(stderr, "%s probe: out of memory\n", prog);
		ret = -1;
		goto out;
	}
	if (cfg.peer_pubkey) {
		/* Known by its provisioned key: nothing to read, the session proves the key. */
		ret = spdm_req_negotiate(r, &err);
	} else {
		ret = spdm_req_authenticate(r, &err);
		if (!ret)
			ret = spdm_req_measure(r, &err);
		if (!ret)
			report_trust(r, &extra, &ro);
	}
	if (!ret && cfg.session)
		ret = session_run(r, so, &err);
	/* The device is told we are done either way, as the reference requester does. */
	if (t->ops->close)
		t->ops->close(t, keep, NULL);

	ok = !ret && !da_checklist_failed(spdm_req_checks(r)) && !da_checklist_failed(&extra);
	ro.title = hostport;
	if (cli_out.json) {
		json_object *j = report_json(r, &extra, &ro, ok, ret ? err.msg : NULL);

		if (cfg.session)
			json_object_object_add(j, "session", session_json(r));
		probe_tdisp_json(j, so->td);
		cli_json_print(j);
	} else {
		if (cfg.session)
			session_print(r);
		probe_tdisp_print(so->td);
		report_print(r, &extra, &ro, ok, ret ? err.msg : NULL);
	}
	ret = ok ? 0 : 1;
out:
	spdm_req_free(r);
	da_checklist_free(&extra);
	da_trust_free(ro.trust);
	da_transport_destroy(t);
	if (pcap && da_pcap_close(pcap)) {
		fprintf(stderr, "%s probe: writing %s failed\n", prog, pcap_path);
		ret = 1;
	}
	return ret < 0 ? 1 : ret;
}

int probe_main(int argc, char **argv)
{
	struct session_opts so = { .td = probe_tdisp_new() };
	int ret;

	if (!so.td) {
		fprintf(stderr, "%s probe: out of memory\n", prog);
		return 1;
	}
	ret = probe_run(argc, argv, &so);

	session_opts_free(&so);
	return ret;
}
