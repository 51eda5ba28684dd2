// SPDX-License-Identifier: MIT
/* The public, opaque TDISP requester (devauth/tdisp.h) over struct tdisp_req. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <devauth/tdisp.h>

#include "tdisp.h"

struct da_tdisp {
	struct tdisp_req req;
};

struct da_tdisp *da_tdisp_new(struct spdm_req *r, uint32_t function_id)
{
	struct da_tdisp *t = calloc(1, sizeof(*t));

	if (t)
		tdisp_req_init(&t->req, r, function_id);
	return t;
}

void da_tdisp_free(struct da_tdisp *t)
{
	if (!t)
		return;
	tdisp_req_free(&t->req);
	free(t);
}

int da_tdisp_version(struct da_tdisp *t, struct da_err *err)
{
	return tdisp_req_version(&t->req, err);
}

int da_tdisp_capabilities(struct da_tdisp *t, struct da_err *err)
{
	return tdisp_req_capabilities(&t->req, err);
}

uint16_t da_tdisp_lock_flags_supported(const struct da_tdisp *t)
{
	return t->req.have_caps ? t->req.caps.lock_flags_supported : 0;
}

int da_tdisp_lock(struct da_tdisp *t, uint16_t flags, struct da_err *err)
{
	struct tdisp_lock_params lp = { .flags = flags };

	return tdisp_req_lock(&t->req, &lp, err);
}

int da_tdisp_report(struct da_tdisp *t, struct da_err *err)
{
	return tdisp_req_report(&t->req, err);
}

int da_tdisp_lock_header(const struct da_tdisp *t, uint8_t hdr[TDISP_HDR_SIZE])
{
	struct wcur w = wcur_init(hdr, TDISP_HDR_SIZE);

	if (!t->req.locked)
		return -ENOENT;
	tdisp_encode_hdr(&w, t->req.version, TDISP_LOCK_INTERFACE_REQ, &t->req.iface);
	return wcur_finish(&w) == TDISP_HDR_SIZE ? 0 : -EOVERFLOW;
}

int da_tdisp_report_bytes(const struct da_tdisp *t, const uint8_t **p, size_t *len)
{
	if (!t->req.report.len)
		return -ENOENT;
	*p = t->req.report.data;
	*len = t->req.report.len;
	return 0;
}

int da_tdisp_start(struct da_tdisp *t, struct da_err *err)
{
	/* Unlocked, the nonce is zeros and the device refuses the START itself. */
	return tdisp_req_start(&t->req, t->req.nonce, err);
}

int da_tdisp_state(struct da_tdisp *t, uint8_t *state, struct da_err *err)
{
	return tdisp_req_state(&t->req, state, err);
}

int da_tdisp_stop(struct da_tdisp *t, struct da_err *err)
{
	return tdisp_req_stop(&t->req, err);
}

void da_tdisp_set_portion(struct da_tdisp *t, uint16_t length)
{
	if (length)
		t->req.portion = length;
}

uint8_t da_tdisp_negotiated_version(const struct da_tdisp *t)
{
	return t->req.version;
}

int da_tdisp_lock_nonce(const struct da_tdisp *t, uint8_t nonce[TDISP_NONCE_SIZE])
{
	if (!t->req.locked)
		return -ENOENT;
	memcpy(nonce, t->req.nonce, TDISP_NONCE_SIZE);
	return 0;
}

unsigned int da_tdisp_report_portions(const struct da_tdisp *t)
{
	return t->req.portions;
}

uint16_t da_tdisp_report_interface_info(const struct da_tdisp *t)
{
	return t->req.rep.interface_info;
}

uint16_t da_tdisp_report_msix_control(const struct da_tdisp *t)
{
	return t->req.rep.msix_control;
}

uint16_t da_tdisp_report_lnr_control(const struct da_tdisp *t)
{
	return t->req.rep.lnr_control;
}

uint32_t da_tdisp_report_tph_control(const struct da_tdisp *t)
{
	return t->req.rep.tph_control;
}

uint32_t da_tdisp_report_mmio_count(const struct da_tdisp *t)
{
	return t->req.rep.mmio_count;
}

int da_tdisp_report_mmio(const struct da_tdisp *t, uint32_t i, struct da_tdisp_mmio *out)
{
	struct tdisp_mmio_range m;

	if (i >= t->req.rep.mmio_count)
		return -ERANGE;
	tdisp_report_range(&t->req.rep, i, &m);
	out->first_page = m.first_page;
	out->pages = m.pages;
	out->attributes = m.attributes;
	out->range_id = m.range_id;
	return 0;
}

void da_tdisp_report_dsi(const struct da_tdisp *t, const uint8_t **p, size_t *len)
{
	*p = t->req.rep.dsi;
	*len = t->req.rep.dsi_len;
}
