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

#include "devauth.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: %s probe --connect HOST:PORT [--transport pci-doe|mctp|none]\n"
		"       [--spdm-version 1.2|1.0-1.3] [--slot N] [--all-slots]\n"
		"       [--identity Vendor=...:Device=...:CC=...:REV=..[...]]\n"
		"       [--trust ROOT.der|ROOT.pem|DIR] [--no-check-time] [--nonce HEX]\n"
		"       [--pcap OUT.pcap] [--timeout-ms MS] [--data-transfer-size N]\n"
		"       [--max-spdm-msg-size N] [--keep] [--json]\n", prog);
}

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
		{ "pcap", required_argument, NULL, 'p' },
		{ "timeout-ms", required_argument, NULL, 'o' },
		{ "data-transfer-size", required_argument, NULL, 'd' },
		{ "max-spdm-msg-size", required_argument, NULL, 'm' },
		{ "keep", no_argument, NULL, 'k' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
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
	bool json = false, keep = false, ok;
	int c, ret;

	spdm_req_config_default(&cfg);
	optind = 1;
	while ((c = getopt_long(argc, argv, "c:t:V:s:Ai:T:Dn:p:o:d:m:kjh", opts, NULL)) != -1) {
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
		case 'p':
			pcap_path = optarg;
			break;
		case 'o':
			cfg.rtt_ms = (unsigned int)strtoul(optarg, NULL, 0);
			break;
		case 'd':
		case 'm': {
			char *end;
			unsigned long v = strtoul(optarg, &end, 0);
			unsigned long max = c == 'd' ? 0x1200 : 16ul << 20;

			if (*end || !*optarg || v < SPDM_MIN_DATA_TRANSFER_SIZE || v > max) {
				fprintf(stderr, "%s probe: bad --%s '%s' (%u..%lu)\n", prog,
					c == 'd' ? "data-transfer-size" : "max-spdm-msg-size",
					optarg, SPDM_MIN_DATA_TRANSFER_SIZE, max);
				return 2;
			}
			if (c == 'd')
				cfg.data_transfer_size = (uint32_t)v;
			else
				cfg.max_spdm_msg_size = (uint32_t)v;
			break;
		}
		case 'k':
			keep = true;
			break;
		case 'j':
			json = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (!hostport || optind != argc) {
		usage(stderr);
		return 2;
	}

	if (pcap_path && da_pcap_open_write(pcap_path, framing, &pcap, &err)) {
		fprintf(stderr, "%s probe: %s\n", prog, err.msg);
		return 2;
	}
	/* The pcap is attached before TEST and DOE discovery, as DMTF's captures start. */
	ret = da_transport_emu_connect_pcap(hostport, framing, cfg.rtt_ms, pcap, &t, &err);
	if (ret) {
		fprintf(stderr, "%s probe: %s: %s\n", prog, hostport, err.msg);
		da_pcap_close(pcap);
		return 1;
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
	if (json) {
		json_object *j = report_json(r, &extra, &ro, ok, ret ? err.msg : NULL);

		printf("%s\n", json_object_to_json_string_ext(j, JSON_C_TO_STRING_PRETTY |
							      JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(j);
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
