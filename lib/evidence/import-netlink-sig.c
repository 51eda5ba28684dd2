// SPDX-License-Identifier: MIT
/*
 * The "spdm" netlink family's "sig" multicast event (Rust SPDM RFC):
 * one event per signature received, carrying the transcript with the
 * signature at its end plus offsets into it.  A CHALLENGE_AUTH event's
 * transcript is the VCA object (A || B || C || signature); a
 * MEASUREMENTS event's is the MEASUREMENTS object (L1 || signature).
 * The offsets are redundant with the transcript, so they are checked
 * against it: an event that contradicts itself is refused.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <linux/netlink.h>

#include "crypto/crypto.h"
#include "cursor.h"
#include "ev_internal.h"
#include "tsm/genl.h"
#include "tsm/pci_tsm.h"

struct sig_event {
	size_t off;
	uint8_t rsp_code, slot;
	bool have_code, have_slot, have_sig_off, have_req_off, have_rsp_off;
	uint32_t sig_off, req_off, rsp_off;
	const uint8_t *transcript;
	size_t len;
	char device[64];
};

static int get_u32(struct cur *v, uint32_t *out, bool *have, size_t at, const char *name,
		   struct da_err *err)
{
	if (cur_left(v) != 4 || cur_u32(v, out))
		return da_errf(err, -EBADMSG, "sig event: offset %zu: %s is not a u32", at, name);
	*have = true;
	return 0;
}

struct event_ctx {
	struct sig_event *e;
	struct da_err *err;
};

static int event_attr(uint16_t type, struct cur *v, size_t off, void *data)
{
	struct event_ctx *x = data;
	struct sig_event *e = x->e;
	struct da_err *err = x->err;
	size_t at = e->off + off;
	const uint8_t *p;
	size_t n;

	switch (type) {
	case SPDM_A_SIG_DEVICE:
		cur_rest(v, &p, &n);
		if (!n || n > sizeof(e->device) || !memchr(p, '\0', n))
			return da_errf(err, -EBADMSG,
				       "sig event: offset %zu: device is not a string of at most 63 bytes",
				       at);
		memcpy(e->device, p, n);
		e->device[sizeof(e->device) - 1] = '\0';
		break;
	case SPDM_A_SIG_RSP_CODE:
		if (cur_left(v) != 1 || cur_u8(v, &e->rsp_code))
			return da_errf(err, -EBADMSG, "sig event: offset %zu: rsp-code is not a u8",
				       at);
		e->have_code = true;
		break;
	case SPDM_A_SIG_SLOT:
		if (cur_left(v) != 1 || cur_u8(v, &e->slot))
			return da_errf(err, -EBADMSG, "sig event: offset %zu: slot is not a u8",
				       at);
		e->have_slot = true;
		break;
	case SPDM_A_SIG_SIG_OFFSET:
		return get_u32(v, &e->sig_off, &e->have_sig_off, at, "sig-offset", err);
	case SPDM_A_SIG_REQ_NONCE_OFFSET:
		return get_u32(v, &e->req_off, &e->have_req_off, at, "req-nonce-offset", err);
	case SPDM_A_SIG_RSP_NONCE_OFFSET:
		return get_u32(v, &e->rsp_off, &e->have_rsp_off, at, "rsp-nonce-offset", err);
	case SPDM_A_SIG_TRANSCRIPT:
		cur_rest(v, &e->transcript, &e->len);
		break;
	default:
		/* hash-algo, combined-spdm-prefix: derived from the transcript instead. */
		break;
	}
	return 0;
}

static int parse_event(const struct genl_capture_msg *cm, struct sig_event *e,
		       struct da_err *err)
{
	struct event_ctx x = { .e = e, .err = err };
	size_t bad;
	int ret;

	memset(e, 0, sizeof(*e));
	e->off = cm->off;
	if (cm->nlmsg_len < GENL_NLMSG_HDRLEN + GENL_GENLMSG_HDRLEN)
		return da_errf(err, -EBADMSG, "sig event: offset %zu: truncated genlmsghdr",
			       cm->off);
	ret = genl_walk_attrs(cm->p, cm->nlmsg_len, GENL_GENLMSG_HDRLEN, event_attr, &x, &bad);
	if (ret > 0)
		return da_errf(err, -EBADMSG,
			       "sig event: offset %zu: attribute runs past the message end",
			       cm->off + bad);
	if (ret < 0)
		return ret;
	if (!e->have_code || !e->transcript || !e->len || !e->have_sig_off)
		return da_errf(err, -EBADMSG,
			       "sig event: offset %zu: rsp-code, sig-offset and transcript are required",
			       e->off);
	if (e->rsp_code != SPDM_CHALLENGE_AUTH && e->rsp_code != SPDM_MEASUREMENTS)
		return da_errf(err, -EBADMSG,
			       "sig event: offset %zu: rsp-code 0x%02x is not CHALLENGE_AUTH or MEASUREMENTS",
			       e->off, e->rsp_code);
	return 0;
}

/* The event's offsets against the transcript it carries. */
static int check_offsets(const struct sig_event *e, const struct da_transcript_info *ti,
			 size_t sig_size, struct da_err *err)
{
	if (e->sig_off != e->len - sig_size)
		return da_errf(err, -EBADMSG,
			       "sig event: offset %zu: sig-offset %u, the %zu-byte signature starts at %zu",
			       e->off, e->sig_off, sig_size, e->len - sig_size);
	if (!ti)
		return 0;
	if ((e->have_req_off && e->req_off != ti->req_nonce_off) ||
	    (e->have_rsp_off && e->rsp_off != ti->rsp_nonce_off))
		return da_errf(err, -EBADMSG,
			       "sig event: offset %zu: nonce offsets %u/%u, the transcript has them at %zu/%zu",
			       e->off, e->req_off, e->rsp_off, ti->req_nonce_off,
			       ti->rsp_nonce_off);
	if (e->have_slot && e->slot != ti->neg.slot)
		return da_errf(err, -EBADMSG,
			       "sig event: offset %zu: slot %u, the CHALLENGE names slot %u", e->off,
			       e->slot, ti->neg.slot);
	return 0;
}

int da_evidence_import_netlink_sig(const uint8_t *buf, size_t len, struct da_evidence *ev,
				   struct da_err *err)
{
	struct genl_capture cap = genl_capture_init(buf, len);
	struct sig_event chal = { 0 }, meas = { 0 }, e;
	struct da_transcript_info ti;
	struct genl_capture_msg cm;
	int ret;

	while ((ret = genl_capture_next(&cap, &cm, "sig event", err)) > 0) {
		if (cm.type == NLMSG_ERROR) {
			/* The status decoding is the same for every family. */
			struct pci_tsm_msg st = { 0 };

			ret = pci_tsm_parse_flags(cm.p, cm.len, PCI_TSM_PARSE_ANY_FAMILY, &st, err);
			if (ret) {
				da_err_prefix(err, "sig event: offset %zu", cm.off);
				goto out;
			}
			if (st.error) {
				ret = da_errf(err, st.error,
					      "sig event: offset %zu: NLMSG_ERROR %d", cm.off,
					      st.error);
				goto out;
			}
			continue;
		}
		if (cm.type < GENL_NLMSG_MIN_TYPE)
			continue;
		ret = parse_event(&cm, &e, err);
		if (ret)
			goto out;
		/*
		 * The transcript borrows from the message: the capture itself, or
		 * the padded copy of its last message, which lives until the end.
		 */
		if (e.rsp_code == SPDM_CHALLENGE_AUTH)
			chal = e;
		else
			meas = e;
	}
	if (ret < 0)
		goto out;
	ret = -ENOENT;
	if (!chal.transcript) {
		da_errf(err, ret, "sig event: no CHALLENGE_AUTH event");
		goto out;
	}
	ret = da_evidence_set(ev, DA_EV_VCA, chal.transcript, chal.len);
	if (!ret && meas.transcript)
		ret = da_evidence_set(ev, DA_EV_MEASUREMENTS, meas.transcript, meas.len);
	if (ret) {
		da_errf(err, ret, "sig event: out of memory");
		goto out;
	}
	if (chal.device[0])
		snprintf(ev->dev_name, sizeof(ev->dev_name), "%s", chal.device);
	ret = da_evidence_fill_meta(ev, &ti, err);
	if (ret)
		goto out;
	ret = check_offsets(&chal, &ti, ti.p.sig_size, err);
	if (!ret && meas.transcript)
		ret = check_offsets(&meas, NULL, ti.p.sig_size, err);
out:
	genl_capture_free(&cap);
	return ret;
}
