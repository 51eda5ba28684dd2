// SPDX-License-Identifier: MIT
/*
 * The transcript splitter, hostile: input = u16 VCA length (little
 * endian) | VCA object | MEASUREMENTS object.  Splits both and exports
 * the standard measurement transcript.
 */
#include <stdlib.h>

#include "cursor.h"
#include "fuzz_common.h"
#include "evidence/transcript.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cur c = cur_init(data, size);
	struct da_transcript_info ti;
	struct da_msg_list l = { 0 };
	struct da_evidence ev;
	struct da_buf out = { 0 };
	const uint8_t *vca, *meas;
	size_t meas_len, a_len;
	uint16_t vlen;

	if (cur_u16(&c, &vlen) || cur_ptr(&c, vlen, &vca))
		return 0;
	cur_rest(&c, &meas, &meas_len);
	if (!da_split_vca(vca, vlen, &l, &ti, NULL) && meas_len)
		da_split_meas(meas, meas_len, &ti, &l, &a_len, NULL);
	da_msg_list_free(&l);
	da_evidence_init(&ev);
	if (!da_evidence_set(&ev, DA_EV_VCA, vca, vlen) &&
	    !da_evidence_set(&ev, DA_EV_MEASUREMENTS, meas, meas_len))
		da_evidence_export_meas_transcript(&ev, &out, NULL);
	da_buf_free(&out);
	da_evidence_free(&ev);
	return 0;
}
