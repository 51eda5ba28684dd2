// SPDX-License-Identifier: MIT
/*
 * A pci-tsm EVIDENCE_READ dump (docs/netlink/pci-tsm.yaml): per object one
 * generic netlink message holding TYPE (u32) and then VAL chunks to be
 * concatenated, in ascending type order, then NLMSG_DONE.  DEV_NAME,
 * GENERATION and NONCE may accompany an object; a generation that
 * changes inside the dump means the evidence was refreshed meanwhile.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cursor.h"
#include "ev_internal.h"
#include "nl.h"

#define PCI_TSM_CMD_EVIDENCE_READ 1

static int one_object(struct da_evidence *ev, struct da_nlmsg *m, int *last_type,
		      bool *have_gen, struct da_err *err)
{
	struct da_buf val = { 0 };
	bool have_type = false;
	uint32_t type = 0;
	uint16_t at_type;
	struct cur v;
	int ret;

	if (m->cmd != PCI_TSM_CMD_EVIDENCE_READ)
		return da_errf(err, -EBADMSG, "pci-tsm: offset %zu: command %u, not EVIDENCE_READ",
			       m->off, m->cmd);
	while ((ret = da_nl_attr_next(&m->attrs, &at_type, &v, m->off, "pci-tsm", err)) > 0) {
		size_t at = m->off + m->attrs.off;
		const uint8_t *p;
		size_t n;

		switch (at_type) {
		case PCI_TSM_A_EVIDENCE_TYPE:
			if (have_type || cur_left(&v) != 4 || cur_u32(&v, &type)) {
				ret = da_errf(err, -EBADMSG,
					      "pci-tsm: offset %zu: TYPE repeated or not a u32", at);
				goto out;
			}
			have_type = true;
			if (type > DA_EV_MAX || (int)type <= *last_type) {
				ret = da_errf(err, -EBADMSG,
					      "pci-tsm: offset %zu: TYPE %u unknown, repeated or out of order",
					      at, type);
				goto out;
			}
			break;
		case PCI_TSM_A_EVIDENCE_VAL:
			if (!have_type) {
				ret = da_errf(err, -EBADMSG, "pci-tsm: offset %zu: VAL before TYPE",
					      at);
				goto out;
			}
			cur_rest(&v, &p, &n);
			if (val.len + n > (64u << 20) || da_buf_append(&val, p, n)) {
				ret = da_errf(err, -EFBIG, "pci-tsm: offset %zu: %s too large", at,
					      da_evidence_type_name(type));
				goto out;
			}
			break;
		case PCI_TSM_A_EVIDENCE_DEV_NAME:
			cur_rest(&v, &p, &n);
			/* A string attribute carries its NUL. */
			if (n && !memchr(p, '\0', n)) {
				ret = da_errf(err, -EBADMSG,
					      "pci-tsm: offset %zu: DEV_NAME is not NUL-terminated", at);
				goto out;
			}
			if (n > sizeof(ev->dev_name)) {
				ret = da_errf(err, -EBADMSG, "pci-tsm: offset %zu: DEV_NAME too long",
					      at);
				goto out;
			}
			if (n)
				memcpy(ev->dev_name, p, n);
			ev->dev_name[sizeof(ev->dev_name) - 1] = '\0';
			break;
		case PCI_TSM_A_EVIDENCE_GENERATION: {
			uint64_t g;

			if (cur_left(&v) != 8 || cur_u64(&v, &g)) {
				ret = da_errf(err, -EBADMSG,
					      "pci-tsm: offset %zu: GENERATION is not a u64", at);
				goto out;
			}
			if (*have_gen && g != ev->generation) {
				ret = da_errf(err, -EAGAIN,
					      "pci-tsm: offset %zu: GENERATION %llu, earlier objects had %llu: evidence changed during the dump",
					      at, (unsigned long long)g,
					      (unsigned long long)ev->generation);
				goto out;
			}
			ev->generation = g;
			*have_gen = true;
			break;
		}
		case PCI_TSM_A_EVIDENCE_NONCE:
			if (cur_left(&v) == SPDM_NONCE_SIZE) {
				cur_bytes(&v, ev->nonce, SPDM_NONCE_SIZE);
				ev->have_nonce = true;
			}
			break;
		default:
			/* Newer kernels may add attributes; they carry nothing we verify. */
			break;
		}
	}
	if (ret < 0)
		goto out;
	if (!have_type) {
		ret = da_errf(err, -EBADMSG, "pci-tsm: offset %zu: object message without TYPE",
			      m->off);
		goto out;
	}
	if (!val.len) {
		ret = da_errf(err, -EBADMSG, "pci-tsm: offset %zu: %s has no VAL", m->off,
			      da_evidence_type_name(type));
		goto out;
	}
	ret = da_evidence_set(ev, type, val.data, val.len);
	if (ret)
		ret = da_errf(err, ret, "pci-tsm: out of memory");
	*last_type = (int)type;
out:
	da_buf_free(&val);
	return ret;
}

int da_evidence_import_pci_tsm(const uint8_t *buf, size_t len, struct da_evidence *ev,
			       struct da_err *err)
{
	struct da_transcript_info ti;
	struct cur c = cur_init(buf, len);
	bool done = false, have_gen = false;
	struct da_nlmsg m;
	int last = -1, ret;

	snprintf(ev->tsm, sizeof(ev->tsm), "%s", ev->tsm[0] ? ev->tsm : "pci-tsm");
	while ((ret = da_nl_next(&c, &m, "pci-tsm", err)) > 0) {
		if (done)
			return da_errf(err, -EBADMSG, "pci-tsm: offset %zu: message after NLMSG_DONE",
				       m.off);
		if (m.type == DA_NLMSG_DONE) {
			done = true;
			continue;
		}
		if (m.type < DA_NLMSG_MIN_TYPE)
			continue;	/* NLMSG_NOOP, or an ack of 0 */
		ret = one_object(ev, &m, &last, &have_gen, err);
		if (ret)
			return ret;
	}
	if (ret < 0)
		return ret;
	if (!done)
		return da_errf(err, -EBADMSG, "pci-tsm: offset %zu: dump ends without NLMSG_DONE",
			       len);
	return da_evidence_fill_meta(ev, &ti, err);
}
