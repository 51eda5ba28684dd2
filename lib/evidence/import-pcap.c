// SPDX-License-Identifier: MIT
/*
 * pcap (LINKTYPE 292 PCI DOE / 291 MCTP) into evidence: the capture's
 * SPDM messages are replayed by the requester, which cuts out the
 * objects exactly as a live authentication does (CERTn as read, VCA =
 * A || B || C || signature, MEASUREMENTS = L1 || signature).  A capture
 * whose exchange does not replay has no well-defined objects and is
 * refused with the replay's reason; `devauth verify --pcap` verifies
 * such captures directly instead.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <devauth/evidence.h>
#include <devauth/pcap.h>
#include <devauth/requester.h>

static int import_capture(struct da_capture *cap, const char *name, struct da_evidence *ev,
			  struct da_err *err)
{
	struct spdm_req_config cfg;
	struct da_spdm_msg *msgs = NULL;
	struct spdm_req *r = NULL;
	size_t n = 0;
	int ret;

	ret = da_capture_spdm(cap, &msgs, &n, err);
	if (ret)
		goto out;
	spdm_req_config_default(&cfg);
	cfg.dev_name = name;
	r = spdm_req_new(&cfg, NULL);
	if (!r) {
		ret = da_errf(err, -ENOMEM, "%s: out of memory", name);
		goto out;
	}
	ret = spdm_req_replay(r, msgs, n, err);
	if (ret)
		goto out;
	if (cap->nrec)
		ev->time = cap->rec[0].ts_sec;
	ret = da_evidence_from_req(ev, r, err);
out:
	spdm_req_free(r);
	free(msgs);
	return ret;
}

int da_evidence_import_pcap_buf(const uint8_t *buf, size_t len, struct da_evidence *ev,
				struct da_err *err)
{
	struct da_capture cap = { 0 };
	uint8_t *copy = malloc(len ? len : 1);
	int ret;

	if (!copy)
		return da_errf(err, -ENOMEM, "pcap: out of memory");
	memcpy(copy, buf, len);
	ret = da_pcap_parse(copy, len, &cap, err);
	if (!ret)
		ret = import_capture(&cap, "capture", ev, err);
	da_capture_free(&cap);
	return ret;
}

int da_evidence_import_pcap(const char *path, struct da_evidence *ev, struct da_err *err)
{
	struct da_capture cap = { 0 };
	int ret;

	ret = da_pcap_read(path, &cap, err);
	if (!ret)
		ret = import_capture(&cap, path, ev, err);
	da_capture_free(&cap);
	if (ret)
		da_err_prefix(err, "%s", path);
	return ret;
}
