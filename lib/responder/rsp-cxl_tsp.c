// SPDX-License-Identifier: MIT
/*
 * CXL TSP 1.0 on an emulated memory device, the target side.  The
 * device offers memory encryption with AES-XTS-256 and no CKIDs or
 * range keys, read access control, implicit and explicit in-band TE
 * state changes at 64-byte granularity, firmware update while locked and
 * one secondary SPDM session.  States: CONFIG_UNLOCKED, then
 * SET_TARGET_CONFIGURATION (any number of times) and
 * LOCK_TARGET_CONFIGURATION to CONFIG_LOCKED, where only TE state
 * changes are taken; a reset of the device unlocks it (rsp_cxl_reset).
 * The session that configured the device is the primary one: a
 * secondary session (PSK_EXCHANGE with the PSKHint
 * "SECONDARY_SESSION_<i>_PSK", the DMTF sample's, and the PSK of
 * SET_TARGET_CONFIGURATION) may read and change TE state, not
 * configure or lock.  Every error is a TSP ERROR with the code of
 * CXL 3.1; the configuration report is the fixed part of the report
 * structure with no optional field valid and no HDM decoder.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "responder_internal.h"

/* Valid TSP Report Fields, reserved 3, then the structures up to the CXL IDE capability. */
#define CXL_TSP_REPORT_SIZE	(4 + 0x3c + 0x20 + 0x38 + 0x10 + 0x10 + 0x24)
#define TE_GRANULARITY		64

static const struct cxl_tsp_caps device_caps = {
	.mem_enc_features = CXL_TSP_MEM_ENC_ENCRYPTION,
	.mem_enc_algorithms = CXL_TSP_MEM_ALGO_AES_XTS_256,
	.te_features = CXL_TSP_TE_READ_ACCESS | CXL_TSP_TE_IMPLICIT | CXL_TSP_TE_EXPLICIT_IB,
	.ib_granularity = 0x1,		/* 64 bytes */
	.cfg_features = CXL_TSP_CFG_LOCKED_FW_UPDATE | CXL_TSP_CFG_ADDITIONAL_SESSIONS,
	.secondary_sessions = 1,
};

static int tsp_err(struct spdm_responder *r, struct wcur *w, uint8_t op, uint32_t code,
		   const char *why)
{
	rsp_logf(r, "CXL TSP %s: ERROR 0x%02x (%s)", cxl_tsp_msg_name(op), code, why);
	return cxl_tsp_encode_error(w, code, 0);
}

static bool single_bit(uint32_t v)
{
	return v && !(v & (v - 1));
}

/* What a configuration must satisfy against device_caps; NULL when it does. */
static const char *config_problem(const struct cxl_tsp_config *c)
{
	const uint16_t cfg_ok = CXL_TSP_CFG_LOCKED_FW_UPDATE | CXL_TSP_CFG_SPECIAL_PURPOSE_MEM;

	if (c->mem_enc_features & ~device_caps.mem_enc_features)
		return "Memory Encryption Features Enable beyond the capabilities";
	if (c->mem_enc_features & CXL_TSP_MEM_ENC_ENCRYPTION) {
		if (!single_bit(c->mem_enc_algorithm) ||
		    (c->mem_enc_algorithm & ~device_caps.mem_enc_algorithms))
			return "Memory Encryption Algorithm Select not one supported algorithm";
	} else if (c->mem_enc_algorithm) {
		return "Memory Encryption Algorithm Select without encryption";
	}
	if (c->te_features & ~device_caps.te_features)
		return "TE State Change and Access Control Features Enable beyond the capabilities";
	if (c->oob_granularity & ~device_caps.oob_granularity)
		return "Explicit OOB TE State Granularity not supported";
	if (c->cfg_features & ~cfg_ok)
		return "Configuration Features Enable has a reserved bit";
	if (c->ckid_base || c->ckids || c->secondary_ckid_type)
		return "CKIDs on a device without CKIDs";
	for (size_t i = 0; i < CXL_TSP_IB_GRAN_ENTRIES; i++) {
		const struct cxl_tsp_ib_gran *g = &c->ib[i];

		if (g->length_index == CXL_TSP_IB_GRAN_UNUSED)
			continue;
		/* the one granularity the device has, or none (0) */
		if (g->length_index >= CXL_TSP_IB_GRAN_ENTRIES ||
		    (g->granularity & ~(uint64_t)device_caps.ib_granularity))
			return "Explicit IB TE State Granularity entry not supported";
	}
	if (c->validity & ~((1u << device_caps.secondary_sessions) - 1))
		return "Configuration Validity Flags name a secondary session the device lacks";
	return NULL;
}

static int set_config(struct spdm_responder *r, const uint8_t *req, size_t len, struct wcur *w)
{
	const uint8_t op = CXL_TSP_SET_CONFIGURATION;
	struct rsp_session *s = r->cur_sess;
	struct cxl_tsp_config c;
	const char *why;
	int ret;

	if (cxl_tsp_decode_set_config(req, len, &c, NULL) != (long)len) {
		ret = tsp_err(r, w, op, CXL_TSP_ERR_INVALID_REQUEST, "malformed");
		goto out;
	}
	if (s && s->cxl_secondary) {
		ret = tsp_err(r, w, op, CXL_TSP_ERR_NO_PRIVILEGE, "secondary session");
		goto out;
	}
	if (r->cxl.tsp_state != CXL_TSP_STATE_CONFIG_UNLOCKED) {
		ret = tsp_err(r, w, op, CXL_TSP_ERR_ALREADY_LOCKED, "locked");
		goto out;
	}
	why = config_problem(&c);
	if (why) {
		ret = tsp_err(r, w, op, CXL_TSP_ERR_INVALID_SECURITY_CONFIGURATION, why);
		goto out;
	}
	OPENSSL_cleanse(&r->cxl.cfg, sizeof(r->cxl.cfg));
	r->cxl.cfg = c;
	r->cxl.configured = true;
	r->cxl.primary = s ? s->s.id : 0;
	rsp_logf(r, "CXL TSP SET_TARGET_CONFIGURATION: %u secondary session PSK(s)",
		 (unsigned int)__builtin_popcount(c.validity));
	ret = cxl_tsp_encode_bare(w, CXL_TSP_RSP(op));
out:
	OPENSSL_cleanse(&c, sizeof(c));
	return ret;
}

static int report(struct spdm_responder *r, const uint8_t *req, size_t len, struct wcur *w)
{
	const uint8_t op = CXL_TSP_GET_CONFIGURATION_REPORT;
	uint8_t rep[CXL_TSP_REPORT_SIZE] = { 0 };
	uint16_t off, want;
	size_t n, room;

	if (cxl_tsp_decode_report_req(req, len, &off, &want, NULL) != (long)len)
		return tsp_err(r, w, op, CXL_TSP_ERR_INVALID_REQUEST, "malformed");
	if (!want || off >= sizeof(rep))
		return tsp_err(r, w, op, CXL_TSP_ERR_INVALID_REQUEST, "Offset or Length");
	/* the CXL IDE capability structure closes the report: capable, both modes */
	rep[sizeof(rep) - CXL_IDE_CAP_SIZE] = 0x07;
	n = sizeof(rep) - off;
	if (n > want)
		n = want;
	room = w->cap > w->len + CXL_TSP_REPORT_RSP_FIXED ? w->cap - w->len -
	       CXL_TSP_REPORT_RSP_FIXED : 0;
	if (n > room)
		n = room;
	rsp_logf(r, "CXL TSP GET_TARGET_CONFIGURATION_REPORT offset %u: %zu bytes", off, n);
	return cxl_tsp_encode_report_rsp(w, rep + off, (uint16_t)n,
					 (uint16_t)(sizeof(rep) - off - n));
}

static int lock(struct spdm_responder *r, const uint8_t *req, size_t len, struct wcur *w)
{
	const uint8_t op = CXL_TSP_LOCK_CONFIGURATION;
	struct rsp_session *s = r->cur_sess;

	if (cxl_tsp_decode_bare(req, len, op, NULL) != (long)len)
		return tsp_err(r, w, op, CXL_TSP_ERR_INVALID_REQUEST, "malformed");
	if (s && s->cxl_secondary)
		return tsp_err(r, w, op, CXL_TSP_ERR_NO_PRIVILEGE, "secondary session");
	if (r->cxl.tsp_state != CXL_TSP_STATE_CONFIG_UNLOCKED)
		return tsp_err(r, w, op, CXL_TSP_ERR_ALREADY_LOCKED, "locked");
	if (!r->cxl.configured)
		return tsp_err(r, w, op, CXL_TSP_ERR_INVALID_SECURITY_STATE, "not configured");
	r->cxl.tsp_state = CXL_TSP_STATE_CONFIG_LOCKED;
	rsp_logf(r, "CXL TSP LOCK_TARGET_CONFIGURATION: CONFIG_LOCKED");
	return cxl_tsp_encode_bare(w, CXL_TSP_RSP(op));
}

static int te_state(struct spdm_responder *r, const uint8_t *req, size_t len, struct wcur *w)
{
	const uint8_t op = CXL_TSP_SET_TE_STATE;
	struct cxl_tsp_te_state t;

	if (cxl_tsp_decode_te_state(req, len, &t, NULL) != (long)len || t.te_state > 1)
		return tsp_err(r, w, op, CXL_TSP_ERR_INVALID_REQUEST, "malformed");
	if (r->cxl.tsp_state != CXL_TSP_STATE_CONFIG_LOCKED ||
	    !(r->cxl.cfg.te_features & CXL_TSP_TE_EXPLICIT_IB))
		return tsp_err(r, w, op, CXL_TSP_ERR_INVALID_SECURITY_STATE,
			       "not locked with explicit TE state changes");
	for (size_t i = 0; i < t.nranges; i++) {
		const struct cxl_tsp_range *m = &t.range[i];

		if (!m->length || m->start % TE_GRANULARITY || m->length % TE_GRANULARITY ||
		    m->start + m->length < m->start)
			return tsp_err(r, w, op, CXL_TSP_ERR_INVALID_REQUEST, "memory range");
	}
	rsp_logf(r, "CXL TSP SET_TARGET_TE_STATE %u: %u range(s)", t.te_state, t.nranges);
	return cxl_tsp_encode_bare(w, CXL_TSP_RSP(op));
}

int rsp_cxl_tsp(struct spdm_responder *r, const uint8_t *req, size_t len, struct wcur *w)
{
	static const uint8_t versions[] = { CXL_TSP_VER_10 };
	uint8_t op = 0;
	long got = cxl_tsp_decode_header(req, len, &op, NULL);

	if (got == -EBADMSG)
		return -EBADMSG;
	if (!r->cxl.init || r->cxl.gen != r->gen)
		rsp_cxl_reset(r);
	if (got < 0)
		return tsp_err(r, w, op, CXL_TSP_ERR_VERSION_MISMATCH, "TSPVersion");
	switch (op) {
	case CXL_TSP_GET_VERSION:
	case CXL_TSP_GET_CAPABILITIES:
	case CXL_TSP_GET_CONFIGURATION:
		if (cxl_tsp_decode_bare(req, len, op, NULL) != (long)len)
			return tsp_err(r, w, op, CXL_TSP_ERR_INVALID_REQUEST, "malformed");
		rsp_logf(r, "CXL TSP %s", cxl_tsp_msg_name(op));
		if (op == CXL_TSP_GET_VERSION)
			return cxl_tsp_encode_version_rsp(w, versions, sizeof(versions));
		if (op == CXL_TSP_GET_CAPABILITIES)
			return cxl_tsp_encode_caps_rsp(w, &device_caps);
		return cxl_tsp_encode_get_config_rsp(w, &r->cxl.cfg, r->cxl.tsp_state);
	case CXL_TSP_SET_CONFIGURATION:
		return set_config(r, req, len, w);
	case CXL_TSP_GET_CONFIGURATION_REPORT:
		return report(r, req, len, w);
	case CXL_TSP_LOCK_CONFIGURATION:
		return lock(r, req, len, w);
	case CXL_TSP_SET_TE_STATE:
		return te_state(r, req, len, w);
	default:
		return tsp_err(r, w, op, CXL_TSP_ERR_UNSUPPORTED_REQUEST, "opcode");
	}
}

const uint8_t *rsp_cxl_secondary_psk(struct spdm_responder *r, const uint8_t *hint,
				     uint16_t hint_len, uint8_t *index)
{
	char want[32];

	if (!rsp_cxl_enabled(r) || !r->cxl.init || r->cxl.gen != r->gen || !r->cxl.configured)
		return NULL;
	for (uint8_t i = 0; i < device_caps.secondary_sessions; i++) {
		int n = snprintf(want, sizeof(want), "SECONDARY_SESSION_%u_PSK", i);

		/* the hint is the string with its NUL */
		if (!(r->cxl.cfg.validity & (1u << i)) || hint_len != n + 1 ||
		    memcmp(hint, want, (size_t)n + 1))
			continue;
		*index = i;
		return r->cxl.cfg.psk[i];
	}
	return NULL;
}
