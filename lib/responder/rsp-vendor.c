// SPDX-License-Identifier: MIT
/*
 * VENDOR_DEFINED_REQUEST inside a secure session: the PCI-SIG envelope
 * (PCIe r6.x 6.31) carrying TDISP (rsp-tdisp.c) or IDE_KM
 * (rsp-ide_km.c).  Both protocols need the session's protection, so
 * outside a session the request stays unsupported (responder.c).  A body
 * a protocol handler cannot parse gets SPDM ERROR InvalidRequest: IDE_KM
 * has no error message of its own, and TDISP answers TDISP_ERROR itself
 * for everything past its header.
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

int rsp_vendor_defined(struct rsp_ctx *c)
{
	struct spdm_responder *r = c->r;
	struct spdm_vendor_msg vm;
	const uint8_t *body;
	size_t body_len, cap;
	uint8_t protocol, *out;
	struct wcur w;
	long got;
	int ret;

	if (!rsp_tdisp_enabled(r))
		return rsp_error(c, SPDM_ERR_UNSUPPORTED_REQUEST, c->hdr.code);
	/* other standards bodies and vendors (CXL's IDE_KM, ...): not this device's */
	got = spdm_decode_vendor_defined(c->req, c->req_len, false, &vm, NULL);
	if (got > 0 && (vm.standard_id != SPDM_REGISTRY_PCISIG || vm.vendor_id_len != 2 ||
			(vm.vendor_id[0] | vm.vendor_id[1] << 8) != SPDM_PCISIG_VENDOR_ID))
		return rsp_error(c, SPDM_ERR_UNSUPPORTED_REQUEST, c->hdr.code);
	got = spdm_decode_pci_vendor(c->req, c->req_len, false, &protocol, &body, &body_len, NULL);
	/* DOE pads to whole dwords; ReqLength says where the message ends */
	if (got < 0 || got > INT32_MAX || rsp_check_len(c, (int)got))
		return rsp_error(c, SPDM_ERR_INVALID_REQUEST, 0);
	if (c->w.cap < SPDM_PCI_VENDOR_HDR_SIZE + 1)
		return -EMSGSIZE;
	cap = c->w.cap - SPDM_PCI_VENDOR_HDR_SIZE - 1;
	if (cap > 0xFFFF - 1)
		cap = 0xFFFF - 1;
	out = malloc(cap ? cap : 1);
	if (!out)
		return -ENOMEM;
	w = wcur_init(out, cap);
	if (protocol == PCI_PROTOCOL_TDISP)
		ret = rsp_tdisp(r, body, body_len, &w);
	else if (protocol == PCI_PROTOCOL_IDE_KM)
		ret = rsp_ide_km(r, body, body_len, &w);
	else
		ret = -EPROTONOSUPPORT;
	if (ret == -EBADMSG)
		ret = rsp_error(c, SPDM_ERR_INVALID_REQUEST, 0);
	else if (ret == -EPROTONOSUPPORT)
		ret = rsp_error(c, SPDM_ERR_UNSUPPORTED_REQUEST, c->hdr.code);
	else if (ret > 0)
		ret = spdm_encode_pci_vendor(&c->w, c->hdr.version, true, protocol, out,
					     (size_t)ret);
	OPENSSL_cleanse(out, cap);
	free(out);
	return ret;
}
