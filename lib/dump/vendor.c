// SPDX-License-Identifier: MIT
/*
 * VENDOR_DEFINED messages of a capture: the PCI-SIG ones name their
 * TDISP or IDE_KM message and its main fields; others only their
 * standards body and payload size.  A KEY_PROG's key and IFV are
 * secrets and never printed.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <devauth/dump.h>
#include <devauth/hex.h>

#include "dump.h"
#include "spdm/vendor_codec.h"
#include "tdisp/cxl_codec.h"
#include "tdisp/tdisp_codec.h"

static const char *const substream_name[] = { "PR", "NPR", "CPL" };

/*
 * SPDM 1.4's large VENDOR_DEFINED form: ReqLength / RespLength reserved,
 * then a 4-byte LargeReqLength / LargeRespLength and the payload.  The
 * codec reads the large-form flag as Param1 bit 0 and refuses the form
 * (the requester never asks for it); libspdm, and so the DMTF emulators
 * talking to each other, set bit 7 and leave the reserved length
 * unzeroed.  A capture is only displayed, so dump takes either bit and
 * ignores the reserved field; every length is still checked.
 */
#define DUMP_VENDOR_LARGE_LIBSPDM	0x80

struct large_vendor {
	uint16_t standard_id, vendor_id;
	uint8_t vendor_id_len;
	uint32_t payload_len;
	const uint8_t *payload;
};

/* 0 and the fields of a large-form message; -EBADMSG if it is not one or does not decode. */
static int large_vendor(const uint8_t *msg, size_t len, struct large_vendor *v, bool *large)
{
	struct cur c = cur_init(msg, len);
	uint8_t ver, code, p1, p2;
	const uint8_t *vid;
	uint16_t rsvd;

	*large = false;
	if (cur_u8(&c, &ver) || cur_u8(&c, &code) || cur_u8(&c, &p1) || cur_u8(&c, &p2) ||
	    ver < SPDM_VER_14 || !(p1 & (SPDM_VENDOR_LARGE | DUMP_VENDOR_LARGE_LIBSPDM)))
		return -EBADMSG;
	*large = true;
	v->vendor_id = 0;
	if (cur_u16(&c, &v->standard_id) || cur_u8(&c, &v->vendor_id_len) ||
	    cur_ptr(&c, v->vendor_id_len, &vid) || cur_u16(&c, &rsvd) ||
	    cur_u32(&c, &v->payload_len) || cur_ptr(&c, v->payload_len, &v->payload) ||
	    !cur_at_end(&c))
		return -EBADMSG;
	if (v->vendor_id_len == 2)
		v->vendor_id = (uint16_t)(vid[0] | vid[1] << 8);
	return 0;
}

static int large_pci_vendor(const uint8_t *msg, size_t len, uint8_t *protocol,
			    const uint8_t **body, size_t *body_len, bool *large)
{
	struct large_vendor v;

	if (large_vendor(msg, len, &v, large) || v.standard_id != SPDM_REGISTRY_PCISIG ||
	    v.vendor_id_len != 2 || v.vendor_id != SPDM_PCISIG_VENDOR_ID || !v.payload_len)
		return -EBADMSG;
	*protocol = v.payload[0];
	*body = v.payload + 1;
	*body_len = v.payload_len - 1;
	return 0;
}

/* The PCI-SIG protocol and body of a VENDOR_DEFINED message, either form. */
static int pci_vendor(const uint8_t *msg, size_t len, bool response, uint8_t *protocol,
		      const uint8_t **body, size_t *body_len, bool *large)
{
	if (spdm_decode_pci_vendor(msg, len, response, protocol, body, body_len, NULL) > 0) {
		*large = false;
		return 0;
	}
	return large_pci_vendor(msg, len, protocol, body, body_len, large);
}

/*
 * CXL's IDE_KM and TSP ride the same envelope under the CXL vendor ID
 * (the DMTF requester's APP flow runs both after PCI TDISP).
 */
static int cxl_vendor(const uint8_t *msg, size_t len, bool response, uint8_t *protocol,
		      const uint8_t **body, size_t *body_len, bool *large)
{
	struct spdm_vendor_msg v;
	struct large_vendor lv;

	/*
	 * The large form first: its reserved 16-bit length, which libspdm
	 * fills in, would otherwise pass for a short-form ReqLength.
	 */
	if (!large_vendor(msg, len, &lv, large)) {
		v.standard_id = lv.standard_id;
		v.vendor_id_len = lv.vendor_id_len;
		v.payload_len = 0;
		if (lv.vendor_id != CXL_VENDOR_ID || lv.payload_len > UINT16_MAX)
			return -EBADMSG;
		v.payload_len = (uint16_t)lv.payload_len;
		v.payload = lv.payload;
	} else if (*large || spdm_decode_vendor_defined(msg, len, response, &v, NULL) <= 0 ||
		   v.vendor_id_len != 2 || (v.vendor_id[0] | v.vendor_id[1] << 8) != CXL_VENDOR_ID) {
		return -EBADMSG;
	}
	if (v.standard_id != SPDM_REGISTRY_PCISIG || v.vendor_id_len != 2 || !v.payload_len)
		return -EBADMSG;
	*protocol = v.payload[0];
	*body = v.payload + 1;
	*body_len = v.payload_len - 1U;
	return 0;
}

/* The protocol and message names of a CXL message; -ENOENT if it is none this dump knows. */
static int cxl_names(uint8_t protocol, const uint8_t *body, size_t len, const char **proto,
		     const char **name)
{
	if (protocol == CXL_PROTOCOL_IDE_KM && len >= 1) {
		*proto = "CXL_IDE_KM";
		*name = cxl_idekm_msg_name(body[0]);
		return 0;
	}
	/* TSP: version byte, then the opcode. */
	if (protocol == CXL_PROTOCOL_TSP && len >= 2) {
		*proto = "CXL_TSP";
		*name = cxl_tsp_msg_name(body[1]);
		return 0;
	}
	return -ENOENT;
}

static void describe_tdisp_body(const uint8_t *m, size_t len, const struct tdisp_hdr *h,
				char *out, size_t cap)
{
	char hex[2 * TDISP_NONCE_SIZE + 1];
	uint8_t nonce[TDISP_NONCE_SIZE];

	out[0] = '\0';
	switch (h->type) {
	case TDISP_VERSION: {
		struct tdisp_version_rsp v;
		size_t off = 0;

		if (tdisp_decode_version_rsp(m, len, &v, NULL) < 0)
			break;
		for (unsigned int i = 0; i < v.count && off < cap; i++) {
			int n = snprintf(out + off, cap - off, "%s%u.%u", i ? " " : " versions ",
					 v.versions[i] >> 4, v.versions[i] & 0xf);

			if (n < 0)
				break;
			off += (size_t)n;
		}
		break;
	}
	case TDISP_GET_CAPABILITIES: {
		uint32_t tsm;

		if (tdisp_decode_get_caps(m, len, &tsm, NULL) > 0)
			snprintf(out, cap, " TSM_CAPS 0x%08x", tsm);
		break;
	}
	case TDISP_CAPABILITIES: {
		struct tdisp_caps c;

		if (tdisp_decode_caps_rsp(m, len, &c, NULL) > 0)
			snprintf(out, cap, " DSM_CAPS 0x%08x LOCK_INTERFACE_FLAGS_SUPPORTED 0x%04x "
				 "address width %u", c.dsm_caps, c.lock_flags_supported,
				 c.dev_addr_width);
		break;
	}
	case TDISP_LOCK_INTERFACE_REQ: {
		struct tdisp_lock_params p;

		if (tdisp_decode_lock(m, len, &p, NULL) > 0)
			snprintf(out, cap, " flags 0x%04x default stream %u MMIO offset 0x%" PRIx64
				 " P2P mask 0x%" PRIx64, p.flags, p.default_stream_id,
				 p.mmio_reporting_offset, p.bind_p2p_address_mask);
		break;
	}
	case TDISP_LOCK_INTERFACE_RSP:
	case TDISP_START_INTERFACE_REQ:
		if ((h->type == TDISP_LOCK_INTERFACE_RSP ?
		     tdisp_decode_lock_rsp(m, len, nonce, NULL) :
		     tdisp_decode_start(m, len, nonce, NULL)) > 0) {
			da_hex(nonce, sizeof(nonce), hex, sizeof(hex));
			snprintf(out, cap, " nonce %s", hex);
		}
		break;
	case TDISP_GET_DEVICE_INTERFACE_REPORT: {
		uint16_t off, length;

		if (tdisp_decode_get_report(m, len, &off, &length, NULL) > 0)
			snprintf(out, cap, " offset %u length %u", off, length);
		break;
	}
	case TDISP_DEVICE_INTERFACE_REPORT: {
		struct tdisp_report_portion p;

		if (tdisp_decode_report_rsp(m, len, &p, NULL) > 0)
			snprintf(out, cap, " portion %u remainder %u", p.portion_len,
				 p.remainder_len);
		break;
	}
	case TDISP_DEVICE_INTERFACE_STATE: {
		uint8_t s;

		if (tdisp_decode_state_rsp(m, len, &s, NULL) > 0)
			snprintf(out, cap, " state %s", tdisp_state_name(s));
		break;
	}
	case TDISP_ERROR: {
		struct tdisp_error e;

		if (tdisp_decode_error(m, len, &e, NULL) > 0)
			snprintf(out, cap, " %s (0x%04x) data 0x%08x", tdisp_error_name(e.code),
				 e.code, e.data);
		break;
	}
	}
}

static void describe_tdisp(const uint8_t *m, size_t len, char *out, size_t cap)
{
	struct tdisp_hdr h;
	char body[160];

	if (tdisp_decode_hdr(m, len, &h, NULL) < 0) {
		snprintf(out, cap, "TDISP, header truncated (%zu bytes)", len);
		return;
	}
	describe_tdisp_body(m, len, &h, body, sizeof(body));
	snprintf(out, cap, "TDISP %u.%u %s interface 0x%08x%s", h.version >> 4, h.version & 0xf,
		 tdisp_msg_name(h.type), h.iface.function_id, body);
}

static void describe_stream(const struct idekm_stream *s, char *out, size_t cap)
{
	unsigned int sub = (s->kss >> 4) & 0xf;

	snprintf(out, cap, " stream %u key set K%u %s %s port %u", s->stream_id,
		 s->kss & IDEKM_KSS_K1, s->kss & IDEKM_KSS_TX ? "TX" : "RX",
		 sub < 3 ? substream_name[sub] : "reserved", s->port_index);
}

static void describe_ide_km(const uint8_t *m, size_t len, char *out, size_t cap)
{
	struct idekm_query_resp q;
	struct idekm_stream s;
	const uint8_t *key, *ifv;
	char body[160] = "";
	uint8_t port;

	if (!len) {
		snprintf(out, cap, "IDE_KM, no object ID");
		return;
	}
	switch (m[0]) {
	case IDEKM_QUERY:
		if (idekm_decode_query(m, len, &port, NULL) > 0)
			snprintf(body, sizeof(body), " port %u", port);
		break;
	case IDEKM_QUERY_RESP:
		if (idekm_decode_query_resp(m, len, &q, NULL) > 0)
			snprintf(body, sizeof(body), " port %u of %u bus 0x%02x device/function "
				 "0x%02x segment %u, %u IDE register dwords", q.port_index,
				 q.max_port_index, q.bus, q.dev_func, q.segment, q.nregs);
		break;
	case IDEKM_KEY_PROG:
		if (idekm_decode_key_prog(m, len, &s, &key, &ifv, NULL) > 0)
			describe_stream(&s, body, sizeof(body));
		break;
	case IDEKM_KP_ACK:
	case IDEKM_K_SET_GO:
	case IDEKM_K_SET_STOP:
	case IDEKM_K_GOSTOP_ACK:
		if (idekm_decode_stream_msg(m, len, m[0], &s, NULL) > 0) {
			size_t n;

			describe_stream(&s, body, sizeof(body));
			n = strlen(body);
			if (m[0] == IDEKM_KP_ACK && n < sizeof(body))
				snprintf(body + n, sizeof(body) - n, " status %s",
					 idekm_kp_status_name(s.status));
		}
		break;
	}
	snprintf(out, cap, "IDE_KM %s%s", idekm_msg_name(m[0]), body);
}

void dump_vendor(const uint8_t *msg, size_t len, bool response, char *out, size_t cap)
{
	struct spdm_vendor_msg v;
	const uint8_t *body;
	size_t body_len, n;
	uint8_t protocol;
	bool large;

	if (!pci_vendor(msg, len, response, &protocol, &body, &body_len, &large)) {
		if (protocol == PCI_PROTOCOL_TDISP)
			describe_tdisp(body, body_len, out, cap);
		else if (protocol == PCI_PROTOCOL_IDE_KM)
			describe_ide_km(body, body_len, out, cap);
		else
			snprintf(out, cap, "PCI-SIG protocol %u, %zu bytes", protocol, body_len);
		n = strlen(out);
		if (large && n < cap)
			snprintf(out + n, cap - n, " (large form)");
		return;
	}
	if (!cxl_vendor(msg, len, response, &protocol, &body, &body_len, &large)) {
		const char *proto, *name;

		if (!cxl_names(protocol, body, body_len, &proto, &name))
			snprintf(out, cap, "%s %s, %zu bytes%s", !strcmp(proto, "CXL_TSP") ?
				 "CXL TSP" : "CXL IDE_KM", name, body_len,
				 large ? " (large form)" : "");
		else
			snprintf(out, cap, "CXL protocol %u, %zu bytes%s", protocol, body_len,
				 large ? " (large form)" : "");
		return;
	}
	/* cxl_vendor() said whether the message is in the large form at all. */
	if (large) {
		struct large_vendor lv;

		if (!large_vendor(msg, len, &lv, &large))
			snprintf(out, cap, "StandardID %u, vendor ID 0x%04x, payload %u bytes "
				 "(large form)", lv.standard_id, lv.vendor_id, lv.payload_len);
		return;
	}
	if (spdm_decode_vendor_defined(msg, len, response, &v, NULL) > 0)
		snprintf(out, cap, "StandardID %u, vendor ID %u bytes, payload %u bytes",
			 v.standard_id, v.vendor_id_len, v.payload_len);
}

int da_dump_vendor_message(const uint8_t *msg, size_t len, const char **protocol,
			   const char **name)
{
	const uint8_t *body;
	size_t body_len;
	uint8_t proto;
	bool response, large;
	struct tdisp_hdr h;

	if (len < 2 || (msg[1] != SPDM_VENDOR_DEFINED_REQUEST &&
			msg[1] != SPDM_VENDOR_DEFINED_RESPONSE))
		return -ENOENT;
	response = msg[1] == SPDM_VENDOR_DEFINED_RESPONSE;
	if (!cxl_vendor(msg, len, response, &proto, &body, &body_len, &large))
		return cxl_names(proto, body, body_len, protocol, name);
	if (pci_vendor(msg, len, response, &proto, &body, &body_len, &large))
		return -ENOENT;
	if (proto == PCI_PROTOCOL_TDISP && tdisp_decode_hdr(body, body_len, &h, NULL) > 0) {
		*protocol = "TDISP";
		*name = tdisp_msg_name(h.type);
		return 0;
	}
	if (proto == PCI_PROTOCOL_IDE_KM && body_len) {
		*protocol = "IDE_KM";
		*name = idekm_msg_name(body[0]);
		return 0;
	}
	return -ENOENT;
}
