// SPDX-License-Identifier: MIT
/* The public IDE_KM calls (devauth/tdisp.h) over the requester's session. */
#include <string.h>

#include <devauth/tdisp.h>

#include "tdisp.h"

_Static_assert(TDISP_IDEKM_KEY_SIZE == IDEKM_KEY_SIZE, "IDE_KM key size");
_Static_assert(TDISP_IDEKM_IFV_SIZE == IDEKM_IFV_SIZE, "IDE_KM IFV size");
_Static_assert(TDISP_IDEKM_KSS_K1 == IDEKM_KSS_K1 && TDISP_IDEKM_KSS_TX == IDEKM_KSS_TX &&
	       TDISP_IDEKM_KSS_SUB_NPR == IDEKM_KSS_SUB_NPR &&
	       TDISP_IDEKM_KSS_SUB_CPL == IDEKM_KSS_SUB_CPL, "IDE_KM KSS bits");

int da_idekm_query(struct spdm_req *r, uint8_t port_index, struct da_idekm_port *out,
		   struct da_err *err)
{
	struct tdisp_chan ch;
	struct idekm_port q;
	int ret;

	tdisp_chan_session(&ch, r);
	ret = idekm_req_query(&ch, port_index, &q, err);
	if (ret)
		return ret;
	memset(out, 0, sizeof(*out));
	out->port_index = q.port_index;
	out->max_port_index = q.max_port_index;
	out->bus = q.bus;
	out->dev_func = q.dev_func;
	out->segment = q.segment;
	out->ide_regs = q.nregs;
	return 0;
}

int da_idekm_key_prog(struct spdm_req *r, uint8_t port_index, uint8_t stream_id, uint8_t kss,
		      const uint8_t key[TDISP_IDEKM_KEY_SIZE],
		      const uint8_t ifv[TDISP_IDEKM_IFV_SIZE], struct da_err *err)
{
	struct idekm_stream s = { .stream_id = stream_id, .kss = kss, .port_index = port_index };
	struct tdisp_chan ch;

	tdisp_chan_session(&ch, r);
	return idekm_req_key_prog(&ch, &s, key, ifv, err);
}

int da_idekm_key_set(struct spdm_req *r, uint8_t port_index, uint8_t stream_id, uint8_t kss,
		     bool go, struct da_err *err)
{
	struct idekm_stream s = { .stream_id = stream_id, .kss = kss, .port_index = port_index };
	struct tdisp_chan ch;

	tdisp_chan_session(&ch, r);
	return idekm_req_key_set(&ch, go, &s, err);
}
