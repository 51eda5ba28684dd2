// SPDX-License-Identifier: MIT
/*
 * The DMTF "standard measurement transcript": VCA || GET_MEASUREMENTS ||
 * MEASUREMENTS including the signature.  From 1.2 the MEASUREMENTS
 * object (L1 || signature) already starts with A; before 1.2 L1 does not
 * include A, so it is taken from the VCA object.
 */
#include <errno.h>

#include "ev_internal.h"

int da_evidence_export_meas_transcript(const struct da_evidence *ev, struct da_buf *out,
				       struct da_err *err)
{
	const struct da_evidence_obj *vca = &ev->obj[DA_EV_VCA];
	const struct da_evidence_obj *meas = &ev->obj[DA_EV_MEASUREMENTS];
	struct da_transcript_info ti;
	struct da_msg_list l = { 0 };
	size_t a_len;
	int ret;

	if (!vca->len || !meas->len)
		return da_errf(err, -ENOENT, "export: needs the VCA and MEASUREMENTS objects");
	ret = da_split_vca(vca->data, vca->len, &l, &ti, err) ?:
	      da_split_meas(meas->data, meas->len, &ti, &l, &a_len, err);
	da_msg_list_free(&l);
	if (ret)
		return ret;
	da_buf_reset(out);
	if ((!a_len && da_buf_append(out, vca->data, ti.a_len)) ||
	    da_buf_append(out, meas->data, meas->len))
		return da_errf(err, -ENOMEM, "export: out of memory");
	return 0;
}
