// SPDX-License-Identifier: MIT
/*
 * TDISP on an emulated device (PCIe r6.x 11.3), the device side: one
 * state machine per interface of the device's config, kept per
 * connection (a reset drops the connection, and a TDI comes back from
 * a conventional reset CONFIG_UNLOCKED).
 *
 *   CONFIG_UNLOCKED --LOCK--> CONFIG_LOCKED --START(nonce)--> RUN
 *   any state --STOP--> CONFIG_UNLOCKED
 *   CONFIG_LOCKED / RUN --session lost, LOCK again, firmware update--> ERROR
 *
 * The lock belongs to the session that sent LOCK_INTERFACE: once that
 * session is gone, the interface is in ERROR until a STOP.  The report
 * is built at LOCK time and is the same for every read until STOP
 * (fault "report-changes" breaks that).  The faults of docs/faults.md
 * that apply here are handled where the message is answered.
 */
#include <errno.h>
#include <string.h>

#include <openssl/crypto.h>

#include "crypto/crypto.h"
#include "responder_internal.h"
#include "tdisp/tdisp_codec.h"

#define FAULT(r, f) ((r)->faults & RSP_FAULT(RSP_FAULT_##f))

static void tdi_unlock(struct rsp_tdi *t, uint8_t state)
{
	t->state = state;
	t->owner = 0;
	OPENSSL_cleanse(t->nonce, sizeof(t->nonce));
	da_buf_free(&t->report);
}

void rsp_tdisp_free(struct spdm_responder *r)
{
	for (int i = 0; i < RSP_MAX_TDI; i++)
		tdi_unlock(&r->tdi[i], TDISP_STATE_CONFIG_UNLOCKED);
	r->tdisp_init = false;
}

static bool session_alive(struct spdm_responder *r, uint32_t id)
{
	for (int i = 0; i < RSP_MAX_SESSIONS; i++) {
		struct rsp_session *s = &r->sess[i];

		if (s->used && s->s.id == id && s->s.state == SPDM_SESS_ESTABLISHED)
			return true;
	}
	return false;
}

static void tdisp_init(struct spdm_responder *r)
{
	const struct rsp_tdisp_config *tc = &r->dev->cfg.tdisp;

	/* a reset since the last message took every lock with it */
	if (r->tdisp_init && r->tdisp_gen == r->gen)
		return;
	r->tdisp_init = true;
	r->tdisp_gen = r->gen;
	r->tdisp_update_gen = rsp_device_update_gen(r->dev);
	for (size_t i = 0; i < RSP_MAX_TDI; i++) {
		tdi_unlock(&r->tdi[i], TDISP_STATE_CONFIG_UNLOCKED);
		/* a reset puts every interface in ERROR, not CONFIG_UNLOCKED */
		if (i < tc->ntdi && r->gen && FAULT(r, ERROR_AFTER_RESET))
			r->tdi[i].state = TDISP_STATE_ERROR;
	}
}

/* The report of interface i as LOCK fixes it, MMIO offset by the lock's. */
static int build_report(struct spdm_responder *r, const struct rsp_tdi_config *ic,
			struct rsp_tdi *t, unsigned int grow)
{
	struct tdisp_mmio_range m[RSP_MAX_TDI_MMIO];
	uint8_t dsi[RSP_MAX_TDI_DSI + 64];
	struct tdisp_report rep = {
		.interface_info = ic->interface_info,
		.msix_control = ic->msix_control,
		.lnr_control = ic->lnr_control,
		.tph_control = ic->tph_control,
		.mmio_count = ic->nmmio,
		.dsi_len = ic->dsi_len,
		.dsi = dsi,
	};
	size_t cap = TDISP_REPORT_FIXED + ic->nmmio * TDISP_MMIO_RANGE_SIZE + sizeof(dsi);
	struct wcur w;
	int ret;

	memcpy(dsi, ic->dsi, ic->dsi_len);
	/* report-changes: the device-specific information grows with every read */
	for (unsigned int k = 0; k < grow && rep.dsi_len < sizeof(dsi); k++)
		dsi[rep.dsi_len++] = (uint8_t)k;
	for (uint32_t k = 0; k < ic->nmmio; k++) {
		m[k].first_page = ic->mmio[k].first_page + t->lock.mmio_reporting_offset;
		m[k].pages = ic->mmio[k].pages;
		m[k].attributes = ic->mmio[k].attributes;
		m[k].range_id = ic->mmio[k].range_id;
	}
	da_buf_reset(&t->report);
	ret = da_buf_reserve(&t->report, cap);
	if (ret < 0)
		return ret;
	w = wcur_init(t->report.data, cap);
	ret = tdisp_encode_report(&w, &rep, m);
	if (ret < 0)
		return ret;
	t->report.len = (size_t)ret;
	/* report-mmio-overrun: one range more than the report holds */
	if (FAULT(r, REPORT_MMIO_OVERRUN)) {
		uint32_t n = ic->nmmio + 1;

		for (int k = 0; k < 4; k++)
			t->report.data[12 + k] = (uint8_t)(n >> (8 * k));
	}
	return 0;
}

static int lock(struct spdm_responder *r, const struct rsp_tdi_config *ic, struct rsp_tdi *t,
		const uint8_t *req, size_t len, struct tdisp_hdr *h, struct wcur *w)
{
	struct tdisp_lock_params p;
	int ret;

	if (tdisp_decode_lock(req, len, &p, NULL) != (long)len)
		return tdisp_encode_error(w, h->version, &h->iface, TDISP_ERR_INVALID_REQUEST, 0);
	if (FAULT(r, LOCK_REFUSED))
		return tdisp_encode_error(w, h->version, &h->iface,
					  TDISP_ERR_INVALID_DEVICE_CONFIGURATION, 0);
	if (t->state != TDISP_STATE_CONFIG_UNLOCKED) {
		/* locking what is locked is a configuration change while locked */
		if (t->state != TDISP_STATE_ERROR)
			tdi_unlock(t, TDISP_STATE_ERROR);
		return tdisp_encode_error(w, h->version, &h->iface,
					  TDISP_ERR_INVALID_INTERFACE_STATE, 0);
	}
	if (p.flags & ~r->dev->cfg.tdisp.lock_flags)
		return tdisp_encode_error(w, h->version, &h->iface, TDISP_ERR_INVALID_REQUEST, 0);
	if (da_random(t->nonce, sizeof(t->nonce)))
		return tdisp_encode_error(w, h->version, &h->iface,
					  TDISP_ERR_INSUFFICIENT_ENTROPY, 0);
	t->lock = p;
	ret = build_report(r, ic, t, 0);
	if (ret < 0)
		return ret;
	t->reads = 0;
	t->state = TDISP_STATE_CONFIG_LOCKED;
	t->owner = r->cur_sess ? r->cur_sess->s.id : 0;
	return tdisp_encode_lock_rsp(w, h->version, &h->iface, t->nonce);
}

static int report(struct spdm_responder *r, const struct rsp_tdi_config *ic, struct rsp_tdi *t,
		  const uint8_t *req, size_t len, struct tdisp_hdr *h, struct wcur *w)
{
	uint16_t off, want;
	size_t room, n;
	int ret;

	if (tdisp_decode_get_report(req, len, &off, &want, NULL) != (long)len || !want)
		return tdisp_encode_error(w, h->version, &h->iface, TDISP_ERR_INVALID_REQUEST, 0);
	if (t->state != TDISP_STATE_CONFIG_LOCKED && t->state != TDISP_STATE_RUN)
		return tdisp_encode_error(w, h->version, &h->iface,
					  TDISP_ERR_INVALID_INTERFACE_STATE, 0);
	if (FAULT(r, REPORT_CHANGES) && t->reads) {
		ret = build_report(r, ic, t, 4 * t->reads);
		if (ret < 0)
			return ret;
	}
	t->reads++;
	if (off > t->report.len)
		return tdisp_encode_error(w, h->version, &h->iface, TDISP_ERR_INVALID_REQUEST, 0);
	room = w->cap > TDISP_REPORT_RSP_FIXED ? w->cap - TDISP_REPORT_RSP_FIXED : 0;
	n = t->report.len - off;
	if (n > want)
		n = want;
	if (n > room)
		n = room;
	return tdisp_encode_report_rsp(w, h->version, &h->iface, t->report.data + off,
				       (uint16_t)n, (uint16_t)(t->report.len - off - n));
}

static int start(struct spdm_responder *r, struct rsp_tdi *t, const uint8_t *req, size_t len,
		 struct tdisp_hdr *h, struct wcur *w)
{
	uint8_t nonce[TDISP_NONCE_SIZE];
	bool ok;

	if (tdisp_decode_start(req, len, nonce, NULL) != (long)len)
		return tdisp_encode_error(w, h->version, &h->iface, TDISP_ERR_INVALID_REQUEST, 0);
	if (t->state != TDISP_STATE_CONFIG_LOCKED && !FAULT(r, START_UNLOCKED)) {
		OPENSSL_cleanse(nonce, sizeof(nonce));
		return tdisp_encode_error(w, h->version, &h->iface,
					  TDISP_ERR_INVALID_INTERFACE_STATE, 0);
	}
	ok = !CRYPTO_memcmp(nonce, t->nonce, sizeof(nonce)) || FAULT(r, START_ANY_NONCE);
	OPENSSL_cleanse(nonce, sizeof(nonce));
	if (!ok && t->state == TDISP_STATE_CONFIG_LOCKED)
		return tdisp_encode_error(w, h->version, &h->iface, TDISP_ERR_INVALID_NONCE, 0);
	/* the nonce is good for one START */
	OPENSSL_cleanse(t->nonce, sizeof(t->nonce));
	if (t->state != TDISP_STATE_CONFIG_LOCKED)	/* start-unlocked: nobody locked it */
		t->owner = r->cur_sess ? r->cur_sess->s.id : 0;
	t->state = TDISP_STATE_RUN;
	return tdisp_encode_simple(w, h->version, TDISP_START_INTERFACE_RSP, &h->iface);
}

static int caps(struct spdm_responder *r, const uint8_t *req, size_t len, struct tdisp_hdr *h,
		struct wcur *w)
{
	const struct rsp_tdisp_config *tc = &r->dev->cfg.tdisp;
	struct tdisp_caps c = {
		.dsm_caps = tc->dsm_caps,
		.lock_flags_supported = tc->lock_flags,
		.dev_addr_width = tc->dev_addr_width,
		.num_req_this = tc->num_req_this,
		.num_req_all = tc->num_req_all,
	};
	uint32_t tsm_caps;

	if (tdisp_decode_get_caps(req, len, &tsm_caps, NULL) != (long)len)
		return tdisp_encode_error(w, h->version, &h->iface, TDISP_ERR_INVALID_REQUEST, 0);
	/* bit n: request code 0x80 + n; GET_VERSION .. STOP_INTERFACE */
	for (uint8_t code = TDISP_GET_VERSION; code <= TDISP_STOP_INTERFACE_REQ; code++)
		c.req_msg_supported[(code - 0x80) / 8] |= (uint8_t)(1u << ((code - 0x80) % 8));
	return tdisp_encode_caps_rsp(w, h->version, &h->iface, &c);
}

int rsp_tdisp(struct spdm_responder *r, const uint8_t *req, size_t len, struct wcur *w)
{
	const struct rsp_tdisp_config *tc = &r->dev->cfg.tdisp;
	static const uint8_t versions[] = { TDISP_VER_10 };
	const struct rsp_tdi_config *ic = NULL;
	struct rsp_tdi *t = NULL;
	struct tdisp_hdr h;
	bool updated;
	uint64_t fw;
	size_t i;

	if (tdisp_decode_hdr(req, len, &h, NULL) < 0)
		return -EBADMSG;
	tdisp_init(r);
	for (i = 0; i < tc->ntdi && i < RSP_MAX_TDI; i++) {
		if (tc->tdi[i].function_id == h.iface.function_id) {
			ic = &tc->tdi[i];
			t = &r->tdi[i];
			break;
		}
	}
	/*
	 * The session that locked it is gone, or the firmware changed under
	 * the lock (a change to a locked TDI's configuration, PCIe r6.x
	 * 11.3): either way the lock no longer holds and the TDI is in ERROR.
	 */
	fw = rsp_device_update_gen(r->dev);
	updated = fw != r->tdisp_update_gen;
	r->tdisp_update_gen = fw;
	for (i = 0; i < tc->ntdi && i < RSP_MAX_TDI; i++) {
		uint8_t s = r->tdi[i].state;

		if ((s == TDISP_STATE_CONFIG_LOCKED || s == TDISP_STATE_RUN) &&
		    (updated || !session_alive(r, r->tdi[i].owner)))
			tdi_unlock(&r->tdi[i], TDISP_STATE_ERROR);
	}
	if (h.type == TDISP_GET_VERSION) {
		if (tdisp_decode_simple(req, len, "GET_TDISP_VERSION", NULL) != (long)len)
			return tdisp_encode_error(w, TDISP_VER_10, &h.iface,
						  TDISP_ERR_INVALID_REQUEST, 0);
		return tdisp_encode_version_rsp(w, &h.iface, versions, sizeof(versions));
	}
	if (h.version != TDISP_VER_10)
		return tdisp_encode_error(w, TDISP_VER_10, &h.iface, TDISP_ERR_VERSION_MISMATCH, 0);
	if (!t)
		return tdisp_encode_error(w, h.version, &h.iface, TDISP_ERR_INVALID_INTERFACE, 0);
	switch (h.type) {
	case TDISP_GET_CAPABILITIES:
		return caps(r, req, len, &h, w);
	case TDISP_LOCK_INTERFACE_REQ:
		return lock(r, ic, t, req, len, &h, w);
	case TDISP_GET_DEVICE_INTERFACE_REPORT:
		return report(r, ic, t, req, len, &h, w);
	case TDISP_GET_DEVICE_INTERFACE_STATE:
		if (tdisp_decode_simple(req, len, "GET_DEVICE_INTERFACE_STATE", NULL) != (long)len)
			break;
		return tdisp_encode_state_rsp(w, h.version, &h.iface, t->state);
	case TDISP_START_INTERFACE_REQ:
		return start(r, t, req, len, &h, w);
	case TDISP_STOP_INTERFACE_REQ:
		if (tdisp_decode_simple(req, len, "STOP_INTERFACE_REQUEST", NULL) != (long)len)
			break;
		tdi_unlock(t, TDISP_STATE_CONFIG_UNLOCKED);
		return tdisp_encode_simple(w, h.version, TDISP_STOP_INTERFACE_RSP, &h.iface);
	default:
		return tdisp_encode_error(w, h.version, &h.iface, TDISP_ERR_UNSUPPORTED_REQUEST, 0);
	}
	return tdisp_encode_error(w, h.version, &h.iface, TDISP_ERR_INVALID_REQUEST, 0);
}
