// SPDX-License-Identifier: MIT
/*
 * PSK_FINISH / PSK_FINISH_RSP (DSP0274 1.1+): PSK_FINISH carries
 * RequesterVerifyData(H); from 1.4 both start with OpaqueDataLength(2)
 * + OpaqueData (as the DMTF 1.4 exchange shows).
 */
#include <errno.h>

#include "session_codec.h"

int spdm_encode_psk_finish_unsigned(struct wcur *w, const struct spdm_sess_params *sp,
				    const struct spdm_psk_finish *f)
{
	return spdm_put_hdr_opaque14(w, sp->p.version, SPDM_PSK_FINISH, 0, 0, f->opaque,
				     f->opaque_len);
}

int spdm_decode_psk_finish(const uint8_t *msg, size_t len, const struct spdm_sess_params *sp,
			   struct spdm_psk_finish *f, struct da_err *err)
{
	static const char name[] = "PSK_FINISH";
	struct cur c = cur_init(msg, len);
	int ret;

	*f = (struct spdm_psk_finish){ 0 };
	if (!spdm_sess_hash_ok(sp))
		return da_errf(err, -EINVAL, "%s: hash algorithm not negotiated", name);
	ret = spdm_get_hdr_opaque14(&c, name, sp->p.version, len, &f->opaque_len, &f->opaque,
				    err);
	if (ret)
		return ret;
	f->verify_off = c.off;
	if (cur_ptr(&c, sp->p.hash_size, &f->verify_data))
		return spdm_trunc(err, name, "RequesterVerifyData", len);
	return (int)c.off;
}

int spdm_encode_psk_finish_rsp(struct wcur *w, uint8_t version, const uint8_t *opaque,
			       uint16_t opaque_len)
{
	return spdm_put_hdr_opaque14(w, version, SPDM_PSK_FINISH_RSP, 0, 0, opaque, opaque_len);
}

int spdm_decode_psk_finish_rsp(const uint8_t *msg, size_t len, uint8_t version,
			       const uint8_t **opaque, uint16_t *opaque_len, struct da_err *err)
{
	static const char name[] = "PSK_FINISH_RSP";
	struct cur c = cur_init(msg, len);
	int ret;

	*opaque = NULL;
	*opaque_len = 0;
	ret = spdm_get_hdr_opaque14(&c, name, version, len, opaque_len, opaque, err);
	return ret ? ret : (int)c.off;
}
