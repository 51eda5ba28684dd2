// SPDX-License-Identifier: MIT
/*
 * VENDOR_DEFINED_REQUEST inside a secure session: the PCI-SIG envelope
 * (PCIe r6.x 6.31) carrying TDISP (rsp-tdisp.c) or IDE_KM
 * (rsp-ide_km.c), and with the CXL vendor ID (0x1E98) CXL IDE_KM
 * (rsp-cxl_ide_km.c) or CXL TSP (rsp-cxl_tsp.c).  All need the
 * session's protection, so outside a session the request stays
 * unsupported (responder.c).  A body
 * a protocol handler cannot parse gets SPDM ERROR InvalidRequest: IDE_KM
 * has no error message of its own, and TDISP and TSP answer their own
 * ERROR for everything past their header.
 */
#include <errno.h>
#include <stdlib.h>

#include <openssl/crypto.h>

#include "responder_internal.h"
#include "spdm/vendor_codec.h"
#include "transport/framing.h"

bool rsp_tdisp_enabled(const struct spdm_responder *r)
{
	return r->framing == DA_FRAMING_PCI_DOE && r->dev->cfg.tdisp.enabled;
}

/*
 * The envelope of the answer: spdm_encode_pci_vendor() for the PCI-SIG's
 * own protocols, the same layout with the CXL vendor ID for CXL's.
 */
static int encode_vendor(struct rsp_ctx *c, uint16_t vendor, uint8_t protocol,
			 const uint8_t *body, size_t len)
{
	if (vendor == SPDM_PCISIG_VENDOR_ID)
		return spdm_encode_pci_vendor(&c->w, c->hdr.version, true, protocol, body, len);
	if (len > UINT16_MAX - 1)
		return -EMSGSIZE;
	spdm_encode_hdr(&c->w, c->hdr.version, SPDM_VENDOR_DEFINED_RESPONSE, 0, 0);
	wcur_u16(&c->w, SPDM_REGISTRY_PCISIG);
	wcur_u8(&c->w, 2);
	wcur_u16(&c->w, vendor);
	wcur_u16(&c->w, (uint16_t)(len + 1));
	wcur_u8(&c->w, protocol);
	wcur_bytes(&c->w, body, len);
	return (int)wcur_finish(&c->w);
}

int rsp_vendor_defined(struct rsp_ctx *c)
{
	struct spdm_responder *r = c->r;
	struct spdm_vendor_msg vm;
	const uint8_t *body;
	size_t body_len, cap;
	uint16_t vendor = 0;
	uint8_t protocol, *out;
	struct wcur w;
	long got;
	int ret;

	if (!rsp_tdisp_enabled(r))
		return rsp_error(c, SPDM_ERR_UNSUPPORTED_REQUEST, c->hdr.code);
	got = spdm_decode_vendor_defined(c->req, c->req_len, false, &vm, NULL);
	if (got > 0 && vm.standard_id == SPDM_REGISTRY_PCISIG && vm.vendor_id_len == 2)
		vendor = (uint16_t)(vm.vendor_id[0] | vm.vendor_id[1] << 8);
	/* other standards bodies and vendors: not this device's */
	if (got > 0 && vendor != SPDM_PCISIG_VENDOR_ID &&
	    !(vendor == CXL_VENDOR_ID && rsp_cxl_enabled(r)))
		return rsp_error(c, SPDM_ERR_UNSUPPORTED_REQUEST, c->hdr.code);
	/* DOE pads to whole dwords; ReqLength says where the message ends */
	if (got < 0 || got > INT32_MAX || rsp_check_len(c, (int)got) || vm.payload_len < 1)
		return rsp_error(c, SPDM_ERR_INVALID_REQUEST, 0);
	protocol = vm.payload[0];
	body = vm.payload + 1;
	body_len = vm.payload_len - 1u;
	if (c->w.cap < SPDM_PCI_VENDOR_HDR_SIZE + 1)
		return -EMSGSIZE;
	cap = c->w.cap - SPDM_PCI_VENDOR_HDR_SIZE - 1;
	if (cap > 0xFFFF - 1)
		cap = 0xFFFF - 1;
	out = malloc(cap ? cap : 1);
	if (!out)
		return -ENOMEM;
	w = wcur_init(out, cap);
	if (vendor == CXL_VENDOR_ID)
		ret = protocol == CXL_PROTOCOL_IDE_KM ? rsp_cxl_ide_km(r, body, body_len, &w) :
		      protocol == CXL_PROTOCOL_TSP ? rsp_cxl_tsp(r, body, body_len, &w) :
		      -EPROTONOSUPPORT;
	else if (protocol == PCI_PROTOCOL_TDISP)
		ret = rsp_tdisp(r, body, body_len, &w);
	else if (protocol == PCI_PROTOCOL_IDE_KM)
		ret = rsp_ide_km(r, body, body_len, &w);
	else
		ret = -EPROTONOSUPPORT;
	if (ret == -EBADMSG)
		ret = rsp_error(c, SPDM_ERR_INVALID_REQUEST, 0);
	else if (ret == -EPROTONOSUPPORT)
		ret = rsp_error(c, SPDM_ERR_UNSUPPORTED_REQUEST, c->hdr.code);
	else if (ret == -EIO)
		ret = rsp_error(c, SPDM_ERR_UNSPECIFIED, 0);
	else if (ret > 0)
		ret = encode_vendor(c, vendor, protocol, out, (size_t)ret);
	OPENSSL_cleanse(out, cap);
	free(out);
	return ret;
}
