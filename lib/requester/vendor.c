// SPDX-License-Identifier: MIT
/*
 * VENDOR_DEFINED_REQUEST inside the session, through the same secured
 * exchange as every in-session request (req_sess_exchange()).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "req.h"
#include "session/session.h"
#include "spdm/vendor_codec.h"
#include "vendor.h"

const char *spdm_req_dev(const struct spdm_req *r)
{
	return r->dev;
}

uint8_t spdm_req_version(const struct spdm_req *r)
{
	return r->phase >= PH_ALGS ? r->p.version : 0;
}

int spdm_req_session_vendor(struct spdm_req *r, uint8_t protocol, const uint8_t *body,
			    size_t body_len, uint8_t *out, size_t cap, size_t *out_len,
			    struct da_err *err)
{
	size_t tx_cap = body_len + SPDM_PCI_VENDOR_HDR_SIZE + 1, rbody_len;
	const uint8_t *rsp, *rbody;
	uint8_t *tx = NULL, rproto;
	size_t rsp_len;
	struct wcur w;
	long got;
	int ret;

	if (!r->t || !r->sess || r->sess->state != SPDM_SESS_ESTABLISHED)
		return da_errf(err, -ENOTCONN, "%s: VENDOR_DEFINED_REQUEST needs an established session",
			       r->dev);
	tx = malloc(tx_cap);
	if (!tx)
		return da_errf(err, -ENOMEM, "%s: VENDOR_DEFINED_REQUEST: out of memory", r->dev);
	w = wcur_init(tx, tx_cap);
	ret = spdm_encode_pci_vendor(&w, r->p.version, false, protocol, body, body_len);
	if (ret < 0) {
		ret = da_errf(err, ret, "VENDOR_DEFINED_REQUEST: encoding failed");
		goto out;
	}
	/* Not a measurement request: the in-session L1 ends here. */
	req_l1_reset(r);
	ret = req_sess_exchange(r, tx, (size_t)ret, SPDM_VENDOR_DEFINED_RESPONSE, true, false,
				&rsp, &rsp_len, err);
	if (ret)
		goto out;
	got = spdm_decode_pci_vendor(rsp, rsp_len, true, &rproto, &rbody, &rbody_len, err);
	ret = req_true_len(r, rsp, rsp_len, got, 0, err);
	if (ret < 0)
		goto out;
	ret = 0;
	if (rproto != protocol) {
		ret = da_errf(err, -EPROTO,
			      "VENDOR_DEFINED_RESPONSE: PCI protocol ID 0x%02x, request was 0x%02x",
			      rproto, protocol);
		goto out;
	}
	if (rbody_len > cap) {
		ret = da_errf(err, -EMSGSIZE,
			      "VENDOR_DEFINED_RESPONSE: payload of %zu bytes, room for %zu",
			      rbody_len, cap);
		goto out;
	}
	memcpy(out, rbody, rbody_len);
	*out_len = rbody_len;
out:
	/* KEY_PROG carries IDE keys. */
	OPENSSL_cleanse(tx, tx_cap);
	free(tx);
	req_trim(r);
	if (ret)
		da_err_prefix(err, "%s", r->dev);
	return ret;
}
