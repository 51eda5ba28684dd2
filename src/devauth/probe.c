// SPDX-License-Identifier: MIT
/*
 * devauth probe: authenticate one device over the spdm-emu socket
 * protocol (the DMTF emulator, QEMU's SPDM socket, devauth-emu), read
 * its signed measurements, and print every check.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "identity.h"

#include "cli.h"
#include "devauth.h"

#define SYNOPSIS "--connect HOST:PORT [--transport pci-doe|mctp|none]\n" \
	"       [--spdm-version 1.2|1.0-1.3] [--slot N] [--all-slots] [--identity ID]\n" \
	"       [--trust ROOT|DIR] [--no-check-time] [--nonce HEX] [--pcap OUT.pcap]\n" \
	"       [--timeout-ms MS] [--data-transfer-size N] [--max-spdm-msg-size N]\n" \
	"       [--keep] [--json]"
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
	{ 0 },
};

int probe_main(int argc, char **argv)
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

			if (*end || s < 0 || s >= SPDM_MAX_SLOTS) {
				fprintf(stderr, "%s probe: bad --slot '%s' (0..7)\n", prog, optarg);
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
		default:
			cli_usage(stderr, "probe", SYNOPSIS);
			return EXIT_USAGE;
		}
	}
	if (!hostport || optind != argc) {
		cli_usage(stderr, "probe", SYNOPSIS);
		return EXIT_USAGE;
	}
	if (cli_check_trust("probe", ro.trust_path))
		return EXIT_USAGE;

	if (pcap_path && da_pcap_open_write(pcap_path, framing, &pcap, &err)) {
		fprintf(stderr, "%s probe: %s\n", prog, err.msg);
		return 2;
	}
	/* The pcap is attached before TEST and DOE discovery, as DMTF's captures start. */
	ret = da_transport_emu_connect_pcap(hostport, framing, cfg.rtt_ms, pcap, &t, &err);
	if (ret) {
		/* The transport's message already starts with the device. */
		fprintf(stderr, "%s probe: %s\n", prog, err.msg);
		da_pcap_close(pcap);
		return cli_unreachable(ret) ? EXIT_USAGE : EXIT_FAILED;
	}
	cfg.dev_name = hostport;
	r = spdm_req_new(&cfg, t);
	if (!r) {
		fprintf(stderr, "%s probe: out of memory\n", prog);
		ret = -1;
		goto out;
	}
	ret = spdm_req_authenticate(r, &err);
	if (!ret)
		ret = spdm_req_measure(r, &err);
	if (!ret)
		report_trust(r, &extra, &ro);
	/* The device is told we are done either way, as the reference requester does. */
	if (t->ops->close)
		t->ops->close(t, keep, NULL);

	ok = !ret && !da_checklist_failed(spdm_req_checks(r)) && !da_checklist_failed(&extra);
	ro.title = hostport;
	if (cli_out.json) {
		cli_json_print(report_json(r, &extra, &ro, ok, ret ? err.msg : NULL));
	} else {
		report_print(r, &extra, &ro, ok, ret ? err.msg : NULL);
	}
	ret = ok ? 0 : 1;
out:
	spdm_req_free(r);
	da_checklist_free(&extra);
	da_transport_destroy(t);
	if (pcap && da_pcap_close(pcap)) {
		fprintf(stderr, "%s probe: writing %s failed\n", prog, pcap_path);
		ret = 1;
	}
	return ret < 0 ? 1 : ret;
}
