// SPDX-License-Identifier: MIT
/*
 * devauth dump: decode a pcap of an SPDM exchange (LINKTYPE_PCI_DOE or
 * LINKTYPE_MCTP) message by message; with --verify, run it through the
 * requester's checks (the same code that authenticates live devices).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include <devauth/dump.h>
#include <devauth/identity.h>
#include <devauth/trust.h>

#include "cli.h"
#include "devauth.h"

#define SYNOPSIS "FILE.pcap [--keylog FILE] [--psk HEX] [--verify] [--trust ROOT|DIR] [--no-check-time]\n" \
	"       [--identity ID] [--nonce HEX] [--json]"

static const struct cli_opt_help help[] = {
	{ "--keylog FILE", "decrypt the secured messages with probe --keylog's secrets" },
	{ "--psk HEX", "decrypt PSK sessions: their secrets from this key and the capture" },
	{ "--verify", "replay the exchange through the requester's checks" },
	{ "--trust ROOT|DIR", "the chain must end in one of these anchors (implies --verify)" },
	{ "--no-check-time", "ignore certificate validity dates in the trust check" },
	{ "--identity ID", "the leaf's PCIe identity must be this (implies --verify)" },
	{ "--nonce HEX", "the CHALLENGE must carry this nonce (implies --verify)" },
	{ 0 },
};

int dump_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "verify", no_argument, NULL, 'v' },
		{ "keylog", required_argument, NULL, 'K' },
		{ "psk", required_argument, NULL, 'P' },
		{ "trust", required_argument, NULL, 'T' },
		{ "no-check-time", no_argument, NULL, 'D' },
		{ "identity", required_argument, NULL, 'i' },
		{ "nonce", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		CLI_LONGOPTS,
		{ 0 }
	};
	struct spdm_req_config cfg;
	struct report_opts ro = { .check_time = true };
	struct cma_identity id;
	struct da_capture cap = { 0 };
	struct da_spdm_msg *msgs = NULL;
	struct da_checklist extra = { 0 };
	struct da_dump *dd = NULL;
	struct da_err err = { 0 }, verr = { 0 };
	struct spdm_req *r = NULL;
	bool verify = false, json, ok, have_keys = false;
	const char *keylog = NULL;
	struct spdm_passive *keys = NULL;
	uint8_t psk[64];
	size_t psk_len = 0;
	size_t opened = 0, secured = 0;
	json_object *j = NULL, *jm = NULL;
	size_t n = 0;
	int c, ret;

	spdm_req_config_default(&cfg);
	optind = 1;
	while ((c = getopt_long(argc, argv, "vK:P:T:Di:n:h" CLI_SHORTOPTS, opts, NULL)) != -1) {
		if (cli_common_opt(c))
			continue;
		switch (c) {
		case 'v':
			verify = true;
			break;
		case 'K':
			keylog = optarg;
			break;
		case 'P':
			if (da_unhex_buf(optarg, strlen(optarg), psk, sizeof(psk), &psk_len, 0)) {
				fprintf(stderr, "%s dump: --psk needs 1 to 64 bytes of hex\n", prog);
				return EXIT_USAGE;
			}
			break;
		case 'T':
			ro.trust_path = optarg;
			verify = true;
			break;
		case 'D':
			ro.check_time = false;
			break;
		case 'i':
			if (cma_identity_parse(optarg, &id, &err)) {
				fprintf(stderr, "%s dump: %s\n", prog, err.msg);
				return 2;
			}
			cfg.expect_id = &id;
			verify = true;
			break;
		case 'n':
			if (da_unhex(optarg, cfg.nonce, sizeof(cfg.nonce))) {
				fprintf(stderr, "%s dump: --nonce needs 64 hex digits\n", prog);
				return 2;
			}
			cfg.have_nonce = true;
			verify = true;
			break;
		case 'h':
			cli_help("dump", SYNOPSIS, "Decode a captured SPDM exchange message by message, "
				 "and with --verify check it\nas a live authentication is checked.",
				 help);
			return EXIT_OK;
		default:
			cli_usage(stderr, "dump", SYNOPSIS);
			return EXIT_USAGE;
		}
	}
	json = cli_out.json;
	if (optind + 1 != argc) {
		cli_usage(stderr, "dump", SYNOPSIS);
		return EXIT_USAGE;
	}
	if (cli_load_trust("dump", ro.trust_path, &ro.trust))
		return EXIT_USAGE;
	if (da_pcap_read(argv[optind], &cap, &err) || da_capture_spdm(&cap, &msgs, &n, &err)) {
		cli_file_error("dump", argv[optind], err.msg);
		da_capture_free(&cap);
		da_trust_free(ro.trust);
		return 2;
	}
	if (keylog || psk_len) {
		keys = spdm_passive_new(keylog, &err);
		if (keys && psk_len)
			spdm_passive_set_psk(keys, psk, psk_len);
		if (!keys) {
			cli_file_error("dump", keylog ? keylog : argv[optind], err.msg);
			free(msgs);
			da_capture_free(&cap);
			return 2;
		}
		have_keys = true;
	}

	/* The replay gives the negotiated sizes that decoding needs, verifying or not. */
	cfg.dev_name = argv[optind];
	r = spdm_req_new(&cfg, NULL);
	if (!r) {
		ret = 2;
		goto out;
	}
	ret = spdm_req_replay(r, msgs, n, &verr);
	{
		const struct spdm_req_info *i = spdm_req_info(r);

		dd = da_dump_new(i);
		if (!dd) {
			ret = 2;
			goto out;
		}
		if (have_keys)
			spdm_passive_setup(keys, i->neg.version, i->neg.base_hash, i->aead,
					   cap.linktype == DA_LINKTYPE_MCTP ? DA_FRAMING_MCTP :
									      DA_FRAMING_PCI_DOE,
					   !(i->rsp_caps & SPDM_CAP_ENCRYPT));
	}
	if (json) {
		j = json_object_new_object();
		jm = json_object_new_array();
		json_object_object_add(j, "file", json_object_new_string(argv[optind]));
		json_object_object_add(j, "linktype", json_object_new_int((int)cap.linktype));
	} else if (!cli_out.quiet) {
		printf("%s: linktype %u, %zu records, %zu SPDM messages\n", argv[optind],
		       cap.linktype, cap.nrec, n);
	}
	for (size_t k = 0; k < n; k++) {
		struct da_spdm_msg view = msgs[k];
		const struct da_spdm_msg *m = &view;
		const char *dir;
		char desc[256] = "", sdesc[300], sid[16] = "";
		const char *proto = NULL, *pname = NULL;
		uint32_t sess_id = 0;
		bool open = false, from_rsp = false;
		uint8_t code, ver;

		if (m->secured) {
			secured++;
			const uint8_t *pt = NULL;
			size_t pt_len = 0;

			if (have_keys && m->len >= 4)
				open = !spdm_passive_open(keys, m->data, m->len, &pt, &pt_len,
							  &from_rsp, &sess_id);
			if (open) {
				opened++;
				view.data = pt;
				view.len = pt_len;
				view.secured = false;
				view.max_pad = 0;
				snprintf(sid, sizeof(sid), "0x%08x", sess_id);
			} else if (!spdm_secured_session_id(m->data, m->len, &sess_id)) {
				snprintf(sid, sizeof(sid), "0x%08x", sess_id);
			}
		}
		code = m->len >= 2 ? m->data[1] : 0;
		ver = m->len ? m->data[0] : 0;
		/* Plain messages say which side sent them; a secured one only once opened. */
		if (m->secured)
			dir = "unknown";
		else if (open)
			dir = from_rsp ? "response" : "request";
		else
			dir = code & 0x80 ? "request" : "response";

		if (have_keys && !m->secured)
			spdm_passive_plain(keys, m->data, m->len);
		if (!m->secured) {
			da_dump_describe(dd, m->data, m->len, desc, sizeof(desc));
			da_dump_vendor_message(m->data, m->len, &proto, &pname);
		}
		if (open)
			snprintf(sdesc, sizeof(sdesc), "[session %s] %s", sid, desc);
		else if (m->secured)
			snprintf(sdesc, sizeof(sdesc), "session %s%s", sid[0] ? sid : "?",
				 !have_keys ? "" : keylog ? "; not opened with the keylog" :
							    "; not opened with the PSK");
		else
			snprintf(sdesc, sizeof(sdesc), "%s", desc);
		if (json) {
			json_object *o = json_object_new_object();

			json_object_object_add(o, "record", json_object_new_int64((int64_t)m->record));
			json_object_object_add(o, "message", json_object_new_string(
				m->secured ? "secured" : spdm_code_name(code)));
			char vs[8];

			cli_version_str(ver, vs, sizeof(vs));
			if (!m->secured)
				json_object_object_add(o, "version", json_object_new_string(vs));
			json_object_object_add(o, "length", json_object_new_int64((int64_t)m->len));
			json_object_object_add(o, "summary", json_object_new_string(sdesc));
			json_object_object_add(o, "direction", json_object_new_string(dir));
			if (sid[0])
				json_object_object_add(o, "session_id", json_object_new_string(sid));
			if (open || m->secured)
				json_object_object_add(o, "decrypted", json_object_new_boolean(open));
			if (proto) {
				json_object_object_add(o, "protocol", json_object_new_string(proto));
				json_object_object_add(o, "protocol_message",
						       json_object_new_string(pname));
			}
			json_object_array_add(jm, o);
		} else if (!cli_out.quiet) {
			if (m->secured)
				printf("%4zu %-8s %-22s %-3s %5zu  %s\n", m->record, dir, "secured",
				       "-", m->len, sdesc);
			else
				printf("%4zu %-8s %-22s %u.%u %5zu  %s\n", m->record, dir,
				       spdm_code_name(code), ver >> 4, ver & 0xf, m->len, sdesc);
		}
	}
	if (have_keys && json) {
		json_object_object_add(j, "secured", json_object_new_int64((int64_t)secured));
		json_object_object_add(j, "decrypted", json_object_new_int64((int64_t)opened));
	} else if (have_keys && !cli_out.quiet) {
		printf("%zu of %zu secured messages opened with %s\n", opened, secured,
		       keylog ? keylog : "the PSK");
	}
	if (!verify) {
		if (json) {
			json_object_object_add(j, "messages", jm);
			cli_json_print(j);
			j = NULL;
		}
		/* Asked to decrypt: a secured message the keylog does not open is a failure. */
		ret = opened < secured && have_keys ? 1 : 0;
		goto out;
	}
	if (!ret)
		report_trust(r, &extra, &ro);
	ok = !ret && spdm_req_info(r)->authenticated && (!have_keys || opened == secured) &&
	     !da_checklist_failed(spdm_req_checks(r)) && !da_checklist_failed(&extra);
	ro.title = argv[optind];
	if (json) {
		json_object *v = report_json(r, &extra, &ro, ok, ret ? verr.msg : NULL);

		json_object_object_add(j, "messages", jm);
		json_object_object_add(j, "verification", v);
		cli_json_print(j);
		j = NULL;
	} else {
		if (!cli_out.quiet)
			printf("\n");
		report_print(r, &extra, &ro, ok, ret ? verr.msg : NULL);
	}
	ret = ok ? 0 : 1;
out:
	spdm_passive_free(keys);
	OPENSSL_cleanse(psk, sizeof(psk));
	da_dump_free(dd);
	if (j)
		json_object_put(j);
	da_trust_free(ro.trust);
	spdm_req_free(r);
	da_checklist_free(&extra);
	free(msgs);
	da_capture_free(&cap);
	return ret;
}
