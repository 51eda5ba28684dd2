// SPDX-License-Identifier: MIT
/* VENDOR_DEFINED_REQUEST / VENDOR_DEFINED_RESPONSE and the PCI-SIG envelope. */
#include <errno.h>

#include "vendor_codec.h"

struct spdm_pci_vendor_wire {
	uint8_t spdm_version;
	uint8_t code;
	uint8_t param1;
	uint8_t param2;
	uint16_t standard_id;
	uint8_t vendor_id_len;
	uint16_t vendor_id;
	uint16_t payload_len;
} __attribute__((packed));
_Static_assert(sizeof(struct spdm_pci_vendor_wire) == SPDM_PCI_VENDOR_HDR_SIZE,
	       "PCI-SIG VENDOR_DEFINED header");

static const char *vname(bool response)
{
	return response ? "VENDOR_DEFINED_RESPONSE" : "VENDOR_DEFINED_REQUEST";
}

int spdm_encode_vendor_defined(struct wcur *w, uint8_t version, bool response,
			       const struct spdm_vendor_msg *m)
{
	spdm_encode_hdr(w, version, response ? SPDM_VENDOR_DEFINED_RESPONSE :
			SPDM_VENDOR_DEFINED_REQUEST, 0, 0);
	wcur_u16(w, m->standard_id);
	wcur_u8(w, m->vendor_id_len);
	wcur_bytes(w, m->vendor_id, m->vendor_id_len);
	wcur_u16(w, m->payload_len);
	wcur_bytes(w, m->payload, m->payload_len);
	return (int)wcur_finish(w);
}

long spdm_decode_vendor_defined(const uint8_t *msg, size_t len, bool response,
				struct spdm_vendor_msg *m, struct da_err *err)
{
	const char *name = vname(response);
	struct cur c = cur_init(msg, len);
	uint8_t ver, code, p1, p2;

	if (cur_u8(&c, &ver) || cur_u8(&c, &code) || cur_u8(&c, &p1) || cur_u8(&c, &p2))
		return spdm_trunc(err, name, "header", len);
	if (ver >= SPDM_VER_14 && (p1 & SPDM_VENDOR_LARGE))
		return da_errf(err, -EPROTO, "%s: large payload form (Param1 0x%02x) not asked for",
			       name, p1);
	if (cur_u16(&c, &m->standard_id))
		return spdm_trunc(err, name, "StandardID", len);
	if (cur_u8(&c, &m->vendor_id_len))
		return spdm_trunc(err, name, "Len", len);
	if (cur_ptr(&c, m->vendor_id_len, &m->vendor_id))
		return spdm_trunc(err, name, "VendorID", len);
	if (cur_u16(&c, &m->payload_len))
		return spdm_trunc(err, name, response ? "RespLength" : "ReqLength", len);
	if (cur_ptr(&c, m->payload_len, &m->payload))
		return da_errf(err, -EBADMSG, "%s: %s %u overruns the message (%zu bytes left)",
			       name, response ? "RespLength" : "ReqLength", m->payload_len,
			       cur_left(&c));
	return (long)c.off;
}

int spdm_encode_pci_vendor(struct wcur *w, uint8_t version, bool response, uint8_t protocol,
			   const void *body, size_t body_len)
{
	if (body_len > UINT16_MAX - 1)
		return -EMSGSIZE;
	spdm_encode_hdr(w, version, response ? SPDM_VENDOR_DEFINED_RESPONSE :
			SPDM_VENDOR_DEFINED_REQUEST, 0, 0);
	wcur_u16(w, SPDM_REGISTRY_PCISIG);
	wcur_u8(w, 2);
	wcur_u16(w, SPDM_PCISIG_VENDOR_ID);
	wcur_u16(w, (uint16_t)(body_len + 1));
	wcur_u8(w, protocol);
	wcur_bytes(w, body, body_len);
	return (int)wcur_finish(w);
}

long spdm_decode_pci_vendor(const uint8_t *msg, size_t len, bool response, uint8_t *protocol,
			    const uint8_t **body, size_t *body_len, struct da_err *err)
{
	const char *name = vname(response);
	struct spdm_vendor_msg m;
	long ret;

	ret = spdm_decode_vendor_defined(msg, len, response, &m, err);
	if (ret < 0)
		return ret;
	if (m.standard_id != SPDM_REGISTRY_PCISIG)
		return da_errf(err, -EPROTO, "%s: StandardID %u, expected %u (PCI-SIG)", name,
			       m.standard_id, SPDM_REGISTRY_PCISIG);
	if (m.vendor_id_len != 2 || (m.vendor_id[0] | m.vendor_id[1] << 8) != SPDM_PCISIG_VENDOR_ID)
		return da_errf(err, -EPROTO, "%s: VendorID (Len %u) is not the PCI-SIG's 0x%04x",
			       name, m.vendor_id_len, SPDM_PCISIG_VENDOR_ID);
	if (m.payload_len < 1)
		return da_errf(err, -EBADMSG, "%s: payload has no PCI protocol ID", name);
	*protocol = m.payload[0];
	*body = m.payload + 1;
	*body_len = m.payload_len - 1u;
	return ret;
}
