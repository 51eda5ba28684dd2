// SPDX-License-Identifier: MIT
/*
 * Records the seed corpora of the TDISP / IDE_KM fuzz targets from a live
 * device (the DMTF spdm_responder_emu --trans PCI_DOE): authenticates,
 * opens a session, sends each request through the requester's
 * VENDOR_DEFINED path and writes every VENDOR_DEFINED_RESPONSE body as
 * it came, prefixed with the selector byte its target expects.
 *   record_seeds HOST:PORT OUTDIR
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <devauth/requester.h>
#include <devauth/transport.h>

#include "requester/vendor.h"
#include "spdm/vendor_codec.h"
#include "tdisp/tdisp_codec.h"

static const char *outdir;
static struct spdm_req *req;

static void save(const char *target, const char *name, uint8_t sel, const uint8_t *p, size_t n)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s/dmtf-%s.bin", outdir, target, name);
	f = fopen(path, "wb");
	if (!f || fwrite(&sel, 1, 1, f) != 1 || fwrite(p, 1, n, f) != n || fclose(f)) {
		perror(path);
		exit(1);
	}
}

static size_t send(uint8_t proto, const uint8_t *m, size_t n, uint8_t *out)
{
	struct da_err err = { 0 };
	size_t len = 0;

	if (spdm_req_session_vendor(req, proto, m, n, out, 0x1400, &len, &err)) {
		fprintf(stderr, "%s\n", err.msg);
		exit(1);
	}
	return len;
}

int main(int argc, char **argv)
{
	static uint8_t rsp[0x1400], report[0x1000];
	struct tdisp_iface iface = { 0 };
	struct tdisp_lock_params lp = { .flags = TDISP_LOCK_NO_FW_UPDATE };
	struct idekm_stream s = { 0 };
	struct spdm_req_config c;
	struct da_transport *t;
	struct da_err err = { 0 };
	uint8_t m[128], key[IDEKM_KEY_SIZE] = { 1 }, ifv[IDEKM_IFV_SIZE] = { 2 };
	size_t n, rlen = 0;
	struct wcur w;

	if (argc != 3)
		return 2;
	outdir = argv[2];
	spdm_req_config_default(&c);
	c.session = true;
	c.dev_name = argv[1];
	if (da_transport_emu_connect(argv[1], DA_FRAMING_PCI_DOE, 5000, &t, &err) ||
	    !(req = spdm_req_new(&c, t)) || spdm_req_authenticate(req, &err) ||
	    spdm_req_session_start(req, &err)) {
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
#define MSG(enc) (w = wcur_init(m, sizeof(m)), (size_t)(enc))
	n = send(1, m, MSG(tdisp_encode_simple(&w, TDISP_VER_10, TDISP_GET_VERSION, &iface)), rsp);
	save("fuzz_tdisp_msg", "version", 0, rsp, n);
	n = send(1, m, MSG(tdisp_encode_get_caps(&w, TDISP_VER_10, &iface, 0)), rsp);
	save("fuzz_tdisp_msg", "capabilities", 1, rsp, n);
	n = send(1, m, MSG(tdisp_encode_lock(&w, TDISP_VER_10, &iface, &lp)), rsp);
	save("fuzz_tdisp_msg", "lock-rsp", 2, rsp, n);
	for (uint16_t off = 0;;) {
		struct tdisp_report_portion p;
		char name[32];

		n = send(1, m, MSG(tdisp_encode_get_report(&w, TDISP_VER_10, &iface, off, 40)), rsp);
		snprintf(name, sizeof(name), "report-portion-%u", off);
		save("fuzz_tdisp_msg", name, 3, rsp, n);
		if (tdisp_decode_report_rsp(rsp, n, &p, &err) < 0)
			return 1;
		memcpy(report + rlen, p.data, p.portion_len);
		rlen += p.portion_len;
		off = (uint16_t)(off + p.portion_len);
		if (!p.remainder_len)
			break;
	}
	save("fuzz_tdisp_report", "report", 0, report, rlen);
	n = send(1, m, MSG(tdisp_encode_simple(&w, TDISP_VER_10, TDISP_GET_DEVICE_INTERFACE_STATE,
					       &iface)), rsp);
	save("fuzz_tdisp_msg", "state-locked", 4, rsp, n);
	n = send(1, m, MSG(tdisp_encode_start(&w, TDISP_VER_10, &iface, key)), rsp);
	save("fuzz_tdisp_msg", "error-invalid-nonce", 5, rsp, n);
	n = send(1, m, MSG(tdisp_encode_simple(&w, TDISP_VER_10, TDISP_STOP_INTERFACE_REQ,
					       &iface)), rsp);
	save("fuzz_tdisp_msg", "stop-rsp", 6, rsp, n);

	n = send(0, m, MSG(idekm_encode_query(&w, 0)), rsp);
	save("fuzz_idekm", "query-resp", 0, rsp, n);
	n = send(0, m, MSG(idekm_encode_key_prog(&w, &s, key, ifv)), rsp);
	save("fuzz_idekm", "kp-ack", 1, rsp, n);
	n = send(0, m, MSG(idekm_encode_stream_msg(&w, IDEKM_K_SET_GO, &s)), rsp);
	save("fuzz_idekm", "gostop-ack", 2, rsp, n);
	/* The whole VENDOR_DEFINED_RESPONSE for the envelope target: re-encode it. */
	w = wcur_init(m, sizeof(m));
	n = (size_t)spdm_encode_pci_vendor(&w, spdm_req_version(req), true, 0, rsp, n);
	save("fuzz_vendor_defined", "gostop-ack", 1, m, n);
	spdm_req_session_end(req, &err);
	if (t->ops->close)
		t->ops->close(t, false, NULL);
	spdm_req_free(req);
	da_transport_destroy(t);
	return 0;
}
