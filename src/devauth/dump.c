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

#include <devauth/crypto.h>
#include <devauth/identity.h>
#include <devauth/trust.h>
#include "spdm/codec.h"

#include "cli.h"
#include "devauth.h"
#include "dump_secured.h"

#define SYNOPSIS "FILE.pcap [--keylog FILE] [--verify] [--trust ROOT|DIR] [--no-check-time]\n" \
	"       [--identity ID] [--nonce HEX] [--json]"
/* The largest secured message a capture record holds, opened. */
#define DUMP_PLAIN_MAX 0x10000

static const struct cli_opt_help help[] = {
	{ "--keylog FILE", "decrypt the secured messages with probe --keylog's secrets" },
	{ "--verify", "replay the exchange through the requester's checks" },
	{ "--trust ROOT|DIR", "the chain must end in one of these anchors (implies --verify)" },
	{ "--no-check-time", "ignore certificate validity dates in the trust check" },
	{ "--identity ID", "the leaf's PCIe identity must be this (implies --verify)" },
	{ "--nonce HEX", "the CHALLENGE must carry this nonce (implies --verify)" },
	{ 0 },
};

/* A one-line summary of the fields that matter, from the codec. */
static void describe(const struct da_spdm_msg *m, const struct spdm_dec_params *p,
		     uint8_t summary_type, bool sig, char *out, size_t len)
{
	struct spdm_hdr h;
	char hex[2 * SPDM_NONCE_SIZE + 1];

	out[0] = '\0';
	if (spdm_decode_hdr(m->data, m->len, &h, NULL) < 0)
		return;
	switch (h.code) {
	case SPDM_VERSION: {
		struct spdm_version_rsp v;
		size_t off = 0;

		if (spdm_decode_version(m->data, m->len, &v, NULL) < 0)
			break;
		for (unsigned int i = 0; i < v.count && off < len; i++) {
			int n = snprintf(out + off, len - off, "%s%u.%u", i ? " " : "versions ",
					 v.entries[i] >> 12, (v.entries[i] >> 8) & 0xf);

			if (n < 0)
				break;
			off += (size_t)n;
		}
		break;
	}
	case SPDM_CAPABILITIES: {
		struct spdm_caps c;

		if (spdm_decode_capabilities(m->data, m->len, h.version, &c, NULL) > 0)
			snprintf(out, len, "flags 0x%08x CTExponent %u", c.flags, c.ct_exponent);
		break;
	}
	case SPDM_ALGORITHMS: {
		struct spdm_algorithms a;

		if (spdm_decode_algorithms(m->data, m->len, h.version, &a, NULL) > 0)
			snprintf(out, len, "%s %s measurements %s", spdm_asym_name(a.base_asym_sel),
				 spdm_hash_name(a.base_hash_sel),
				 spdm_meas_hash_name(a.meas_hash_algo));
		break;
	}
	case SPDM_DIGESTS: {
		struct spdm_digests d;

		if (p->hash_size && spdm_decode_digests(m->data, m->len, p, &d, NULL) > 0)
			snprintf(out, len, "provisioned slots 0x%02x", d.provisioned_mask);
		break;
	}
	case SPDM_GET_CERTIFICATE: {
		struct spdm_get_certificate g;

		if (spdm_decode_get_certificate(m->data, m->len, h.version, &g, NULL) > 0)
			snprintf(out, len, "slot %u offset %u length %u%s", g.slot, g.offset, g.length,
				 g.large ? " (LargeCertChain)" : "");
		break;
	}
	case SPDM_CERTIFICATE: {
		struct spdm_certificate c;

		if (spdm_decode_certificate(m->data, m->len, h.version, &c, NULL) > 0)
			snprintf(out, len, "slot %u portion %u remainder %u%s", c.slot,
				 c.portion_len, c.remainder_len, c.large ? " (LargeCertChain)" : "");
		break;
	}
	case SPDM_CHALLENGE: {
		struct spdm_challenge c;

		if (spdm_decode_challenge(m->data, m->len, h.version, &c, NULL) > 0) {
			da_hex(c.nonce, SPDM_NONCE_SIZE, hex, sizeof(hex));
			snprintf(out, len, "slot %u summary 0x%02x nonce %s", c.slot,
				 c.meas_summary_type, hex);
		}
		break;
	}
	case SPDM_CHALLENGE_AUTH: {
		struct spdm_challenge_auth a;

		if (p->sig_size && spdm_decode_challenge_auth(m->data, m->len, p, summary_type, &a,
							      NULL) > 0) {
			da_hex(a.nonce, SPDM_NONCE_SIZE, hex, sizeof(hex));
			snprintf(out, len, "slot %u nonce %s signature %u bytes", a.param1 & 0xf, hex,
				 p->sig_size);
		}
		break;
	}
	case SPDM_GET_MEASUREMENTS: {
		struct spdm_get_measurements g;

		if (spdm_decode_get_measurements(m->data, m->len, h.version, &g, NULL) > 0)
			snprintf(out, len, "operation 0x%02x%s", g.operation,
				 g.attributes & SPDM_MEAS_ATTR_SIG ? " signed" : "");
		break;
	}
	case SPDM_MEASUREMENTS: {
		struct spdm_measurements ms;

		if (p->sig_size && spdm_decode_measurements(m->data, m->len, p, sig, &ms, NULL) > 0)
			snprintf(out, len, "%u blocks, record %u bytes%s", ms.num_blocks,
				 ms.record_len, ms.signature ? ", signed" : "");
		break;
	}
	case SPDM_ERROR: {
		struct spdm_error e;

		if (spdm_decode_error(m->data, m->len, &e, NULL) > 0)
			snprintf(out, len, "%s data 0x%02x", spdm_error_name(e.code), e.data);
		break;
	}
	}
}

int dump_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "verify", no_argument, NULL, 'v' },
		{ "keylog", required_argument, NULL, 'K' },
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
	struct spdm_dec_params p = { 0 };
	struct da_err err = { 0 }, verr = { 0 };
	struct spdm_req *r = NULL;
	bool verify = false, json, ok, sig = false, have_keys = false;
	const char *keylog = NULL;
	struct dump_keys *keys = NULL;
	uint8_t *plain = NULL;
	size_t opened = 0, secured = 0;
	uint8_t summary = 0;
	json_object *j = NULL, *jm = NULL;
	size_t n = 0;
	int c, ret;

	spdm_req_config_default(&cfg);
	optind = 1;
	while ((c = getopt_long(argc, argv, "vK:T:Di:n:h" CLI_SHORTOPTS, opts, NULL)) != -1) {
		if (cli_common_opt(c))
			continue;
		switch (c) {
		case 'v':
			verify = true;
			break;
		case 'K':
			keylog = optarg;
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
	if (keylog) {
		keys = malloc(sizeof(*keys));
		plain = malloc(DUMP_PLAIN_MAX);
		if (!keys || !plain || dump_keys_load(keys, keylog, &err)) {
			cli_file_error("dump", keylog, keys && plain ? err.msg : "out of memory");
			free(keys);
			free(plain);
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

		p.version = i->neg.version;
		p.hash_size = (uint16_t)i->hash_size;
		p.sig_size = (uint16_t)i->sig_size;
		p.meas_hash_size = (uint16_t)spdm_meas_hash_size(i->neg.measurement_hash);
		if (have_keys)
			dump_keys_setup(keys, i->neg.version, i->neg.base_hash, i->aead,
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
		char desc[256], sdesc[300], sid[16] = "";
		enum spdm_sess_dir sd = SPDM_DIR_REQ;
		uint32_t sess_id = 0;
		bool open = false;
		uint8_t code, ver;

		if (m->secured) {
			secured++;
			const uint8_t *pt = NULL;
			size_t pt_len = 0;

			if (have_keys && m->len >= 4)
				open = !dump_keys_open(keys, m->data, m->len, plain, DUMP_PLAIN_MAX,
						       &pt, &pt_len, &sd, &sess_id);
			if (open) {
				opened++;
				view.data = pt;
				view.len = pt_len;
				view.secured = false;
				view.max_pad = 0;
				snprintf(sid, sizeof(sid), "0x%08x", sess_id);
			} else if (!spdm_sess_peek_id(m->data, m->len, &sess_id)) {
				snprintf(sid, sizeof(sid), "0x%08x", sess_id);
			}
		}
		code = m->len >= 2 ? m->data[1] : 0;
		ver = m->len ? m->data[0] : 0;
		/* Plain messages say which side sent them; a secured one only once opened. */
		if (m->secured)
			dir = "unknown";
		else if (open)
			dir = sd == SPDM_DIR_REQ ? "request" : "response";
		else
			dir = code & 0x80 ? "request" : "response";

		if (code == SPDM_CHALLENGE && m->len >= 4)
			summary = m->data[3];
		if (code == SPDM_GET_MEASUREMENTS && m->len >= 3)
			sig = m->data[2] & SPDM_MEAS_ATTR_SIG;
		describe(m, &p, summary, sig, desc, sizeof(desc));
		if (open)
			snprintf(sdesc, sizeof(sdesc), "[session %s] %s", sid, desc);
		else if (m->secured)
			snprintf(sdesc, sizeof(sdesc), "session %s%s", sid[0] ? sid : "?",
				 !have_keys ? "" : "; not opened with the keylog");
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
		printf("%zu of %zu secured messages opened with %s\n", opened, secured, keylog);
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
	if (have_keys)
		dump_keys_free(keys);
	free(keys);
	free(plain);
	if (j)
		json_object_put(j);
	da_trust_free(ro.trust);
	spdm_req_free(r);
	da_checklist_free(&extra);
	free(msgs);
	da_capture_free(&cap);
	return ret;
}
