// SPDX-License-Identifier: MIT
/*
 * A pci-tsm EVIDENCE_READ dump (docs/netlink/pci-tsm.yaml): per object one
 * generic netlink message holding TYPE (u32) and then VAL chunks to be
 * concatenated, in ascending type order, then NLMSG_DONE.  DEV_NAME,
 * GENERATION and NONCE may accompany an object; a generation that
 * changes inside the dump means the evidence was refreshed meanwhile.
 * Each message goes through the family's one decoder
 * (pci_tsm_parse_flags(), any family id: the kernel assigns its own);
 * what is checked here is the dump's own rules.  An attribute given
 * twice, a string without its NUL or an empty or oversized NONCE fail
 * the object as they fail a reply to the CLI.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <linux/netlink.h>

#include "ev_internal.h"
#include "tsm/genl.h"
#include "tsm/pci_tsm.h"

/* Larger than any object a device holds (a chain is at most 64 KiB). */
#define VAL_MAX (64u << 20)

static int one_object(struct da_evidence *ev, const struct genl_capture_msg *cm,
		      int *last_type, bool *have_gen, struct da_err *err)
{
	struct da_buf val = { 0 };
	struct pci_tsm_msg m = { .val = &val };
	int ret;

	ret = pci_tsm_parse_flags(cm->p, cm->len, PCI_TSM_PARSE_ANY_FAMILY, &m, err);
	if (ret) {
		da_err_prefix(err, "dump offset %zu", cm->off);
		goto out;
	}
	if (m.cmd != PCI_TSM_CMD_EVIDENCE_READ) {
		ret = da_errf(err, -EBADMSG, "pci-tsm: offset %zu: command %u, not EVIDENCE_READ",
			      cm->off, m.cmd);
		goto out;
	}
	if (!pci_tsm_has(&m, PCI_TSM_A_EVIDENCE_TYPE)) {
		ret = da_errf(err, -EBADMSG, "pci-tsm: offset %zu: object message without TYPE",
			      cm->off);
		goto out;
	}
	if (m.type > DA_EV_MAX || (int)m.type <= *last_type) {
		ret = da_errf(err, -EBADMSG,
			      "pci-tsm: offset %zu: TYPE %u unknown, repeated or out of order",
			      cm->off, m.type);
		goto out;
	}
	if (!val.len) {
		ret = da_errf(err, -EBADMSG, "pci-tsm: offset %zu: %s has no VAL", cm->off,
			      da_evidence_type_name(m.type));
		goto out;
	}
	if (val.len > VAL_MAX) {
		ret = da_errf(err, -EFBIG, "pci-tsm: offset %zu: %s too large", cm->off,
			      da_evidence_type_name(m.type));
		goto out;
	}
	if (pci_tsm_has(&m, PCI_TSM_A_EVIDENCE_DEV_NAME))
		snprintf(ev->dev_name, sizeof(ev->dev_name), "%s", m.dev_name);
	if (pci_tsm_has(&m, PCI_TSM_A_EVIDENCE_GENERATION)) {
		if (*have_gen && m.generation != ev->generation) {
			ret = da_errf(err, -EAGAIN,
				      "pci-tsm: offset %zu: GENERATION %llu, earlier objects had %llu: evidence changed during the dump",
				      cm->off, (unsigned long long)m.generation,
				      (unsigned long long)ev->generation);
			goto out;
		}
		ev->generation = m.generation;
		*have_gen = true;
	}
	/* Other nonce sizes are not SPDM's: nothing to check them against. */
	if (m.nonce_len == SPDM_NONCE_SIZE) {
		memcpy(ev->nonce, m.nonce, SPDM_NONCE_SIZE);
		ev->have_nonce = true;
	}
	ret = da_evidence_set(ev, m.type, val.data, val.len);
	if (ret)
		ret = da_errf(err, ret, "pci-tsm: out of memory");
	*last_type = (int)m.type;
out:
	da_buf_free(&val);
	return ret;
}

/* NLMSG_ERROR, NLMSG_DONE: 1 at the end of the dump, 0 for an ack, -errno. */
static int status(const struct genl_capture_msg *cm, struct da_err *err)
{
	struct pci_tsm_msg m = { 0 };
	int ret;

	ret = pci_tsm_parse_flags(cm->p, cm->len, PCI_TSM_PARSE_ANY_FAMILY, &m, err);
	if (ret) {
		da_err_prefix(err, "dump offset %zu", cm->off);
		return ret;
	}
	if (m.error)
		return da_errf(err, m.error, "pci-tsm: offset %zu: %s %d", cm->off,
			       cm->type == NLMSG_DONE ? "NLMSG_DONE" : "NLMSG_ERROR", m.error);
	return cm->type == NLMSG_DONE;
}

int da_evidence_import_pci_tsm(const uint8_t *buf, size_t len, struct da_evidence *ev,
			       struct da_err *err)
{
	struct genl_capture cap = genl_capture_init(buf, len);
	struct da_transcript_info ti;
	bool done = false, have_gen = false;
	struct genl_capture_msg cm;
	int last = -1, ret;

	snprintf(ev->tsm, sizeof(ev->tsm), "%s", ev->tsm[0] ? ev->tsm : "pci-tsm");
	while ((ret = genl_capture_next(&cap, &cm, "pci-tsm", err)) > 0) {
		if (done) {
			ret = da_errf(err, -EBADMSG,
				      "pci-tsm: offset %zu: message after NLMSG_DONE", cm.off);
			goto out;
		}
		if (cm.type == NLMSG_ERROR || cm.type == NLMSG_DONE) {
			ret = status(&cm, err);
			if (ret < 0)
				goto out;
			done = ret;
			continue;
		}
		if (cm.type < GENL_NLMSG_MIN_TYPE)
			continue;	/* NLMSG_NOOP, NLMSG_OVERRUN */
		ret = one_object(ev, &cm, &last, &have_gen, err);
		if (ret)
			goto out;
	}
	if (ret < 0)
		goto out;
	if (!done) {
		ret = da_errf(err, -EBADMSG, "pci-tsm: offset %zu: dump ends without NLMSG_DONE",
			      len);
		goto out;
	}
	ret = da_evidence_fill_meta(ev, &ti, err);
out:
	genl_capture_free(&cap);
	return ret;
}
