// SPDX-License-Identifier: MIT
/*
 * CXL TSP 1.0 messages.  Every message starts with the TSP version and
 * an opcode; requests without parameters are the header and 2 reserved
 * bytes.  All integers are little-endian.
 */
#include <errno.h>
#include <string.h>

#include "cxl_codec.h"

struct cxl_tsp_wire_hdr {
	uint8_t tsp_version;
	uint8_t opcode;
	uint16_t reserved;
} __attribute__((packed));
_Static_assert(sizeof(struct cxl_tsp_wire_hdr) == CXL_TSP_HDR_SIZE, "TSP header");

struct cxl_tsp_wire_caps_rsp {
	uint8_t tsp_version;
	uint8_t opcode;
	uint16_t mem_enc_features;
	uint32_t mem_enc_algorithms;
	uint16_t range_keys;
	uint16_t reserved;
	uint16_t te_features;
	uint16_t reserved2;
	uint32_t oob_granularity;
	uint32_t ib_granularity;
	uint16_t cfg_features;
	uint16_t reserved3;
	uint32_t ckids;
	uint8_t secondary_sessions;
	uint8_t reserved4[0x13];
} __attribute__((packed));
_Static_assert(sizeof(struct cxl_tsp_wire_caps_rsp) == CXL_TSP_CAPS_RSP_SIZE,
	       "TSP GET_CAPABILITIES_RSP");

struct cxl_tsp_wire_ib_gran {
	uint64_t granularity;
	uint8_t length_index;
	uint8_t reserved[7];
} __attribute__((packed));

/*
 * The configuration as SET_TARGET_CONFIGURATION sets it and
 * GET_TARGET_CONFIGURATION_RSP reports it back, after the version and
 * opcode bytes.
 */
struct cxl_tsp_wire_config {
	uint16_t mem_enc_features;
	uint32_t mem_enc_algorithm;
	uint32_t reserved;
	uint16_t te_features;
	uint16_t reserved2;
	uint32_t oob_granularity;
	uint32_t reserved3;
	uint16_t cfg_features;
	uint16_t reserved4;
	uint32_t ckid_base;
	uint32_t ckids;
} __attribute__((packed));

struct cxl_tsp_wire_set_config {
	uint8_t tsp_version;
	uint8_t opcode;
	struct cxl_tsp_wire_config cf;
	uint8_t reserved5[0xc];
	struct cxl_tsp_wire_ib_gran ib[CXL_TSP_IB_GRAN_ENTRIES];
	uint8_t reserved6[0x10];
	uint16_t validity;
	uint8_t reserved7[0xe];
	uint8_t secondary_ckid_type;
	uint8_t reserved8[0xf];
	uint8_t psk[CXL_TSP_MAX_SECONDARY][CXL_TSP_PSK_SIZE];
} __attribute__((packed));
_Static_assert(sizeof(struct cxl_tsp_wire_set_config) == CXL_TSP_SET_CONFIG_SIZE,
	       "TSP SET_CONFIGURATION");

struct cxl_tsp_wire_get_config_rsp {
	uint8_t tsp_version;
	uint8_t opcode;
	struct cxl_tsp_wire_config cf;
	uint8_t state;
	uint8_t reserved5[0xb];
	struct cxl_tsp_wire_ib_gran ib[CXL_TSP_IB_GRAN_ENTRIES];
	uint8_t reserved6[0x10];
} __attribute__((packed));
_Static_assert(sizeof(struct cxl_tsp_wire_get_config_rsp) == CXL_TSP_GET_CONFIG_RSP_SIZE,
	       "TSP GET_CONFIGURATION_RSP");

struct cxl_tsp_wire_report_req {
	struct cxl_tsp_wire_hdr h;
	uint16_t offset;
	uint16_t length;
} __attribute__((packed));
_Static_assert(sizeof(struct cxl_tsp_wire_report_req) == CXL_TSP_REPORT_REQ_SIZE,
	       "TSP GET_CONFIGURATION_REPORT");
_Static_assert(sizeof(struct cxl_tsp_wire_report_req) == CXL_TSP_REPORT_RSP_FIXED,
	       "TSP GET_CONFIGURATION_REPORT_RSP without the portion");

struct cxl_tsp_wire_te_state {
	uint8_t tsp_version;
	uint8_t opcode;
	uint8_t te_state;
	uint8_t nranges;
	uint8_t reserved[0xc];
} __attribute__((packed));
_Static_assert(sizeof(struct cxl_tsp_wire_te_state) == CXL_TSP_TE_STATE_FIXED,
	       "TSP SET_TE_STATE");

struct cxl_tsp_wire_range {
	uint64_t start;
	uint64_t length;
} __attribute__((packed));
_Static_assert(sizeof(struct cxl_tsp_wire_range) == CXL_TSP_MEM_RANGE_SIZE, "TSP memory range");

struct cxl_tsp_wire_error {
	struct cxl_tsp_wire_hdr h;
	uint32_t code;
	uint32_t data;
} __attribute__((packed));
_Static_assert(sizeof(struct cxl_tsp_wire_error) == CXL_TSP_ERROR_SIZE, "TSP ERROR");

const char *cxl_tsp_msg_name(uint8_t opcode)
{
	/* A response's opcode is its request's with bit 7 clear (ERROR is its own). */
	static const struct {
		uint8_t op;
		const char *req, *rsp;
	} names[] = {
		{ CXL_TSP_GET_VERSION, "GET_TARGET_TSP_VERSION", "GET_TARGET_TSP_VERSION_RSP" },
		{ CXL_TSP_GET_CAPABILITIES, "GET_TARGET_CAPABILITIES", "GET_TARGET_CAPABILITIES_RSP" },
		{ CXL_TSP_SET_CONFIGURATION, "SET_TARGET_CONFIGURATION", "SET_TARGET_CONFIGURATION_RSP" },
		{ CXL_TSP_GET_CONFIGURATION, "GET_TARGET_CONFIGURATION", "GET_TARGET_CONFIGURATION_RSP" },
		{ CXL_TSP_GET_CONFIGURATION_REPORT, "GET_TARGET_CONFIGURATION_REPORT",
		  "GET_TARGET_CONFIGURATION_REPORT_RSP" },
		{ CXL_TSP_LOCK_CONFIGURATION, "LOCK_TARGET_CONFIGURATION",
		  "LOCK_TARGET_CONFIGURATION_RSP" },
		{ CXL_TSP_SET_TE_STATE, "SET_TARGET_TE_STATE", "SET_TARGET_TE_STATE_RSP" },
	};

	if (opcode == CXL_TSP_ERROR)
		return "ERROR";
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (opcode == names[i].op)
			return names[i].req;
		if (opcode == CXL_TSP_RSP(names[i].op))
			return names[i].rsp;
	}
	return "unknown";
}

static int truncated(struct da_err *err, uint8_t op, const char *field, size_t len)
{
	return da_errf(err, -EBADMSG, "CXL TSP %s: truncated at %s (%zu bytes)",
		       cxl_tsp_msg_name(op), field, len);
}

static int zeros(struct cur *c, uint8_t op, const char *field, size_t n, size_t len,
		 struct da_err *err)
{
	const uint8_t *p;

	if (cur_ptr(c, n, &p))
		return truncated(err, op, field, len);
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return da_errf(err, -EBADMSG,
				       "CXL TSP %s: %s byte %zu is 0x%02x, not zero",
				       cxl_tsp_msg_name(op), field, i, p[i]);
	return 0;
}

long cxl_tsp_decode_header(const uint8_t *msg, size_t len, uint8_t *opcode, struct da_err *err)
{
	struct cur c = cur_init(msg, len);
	uint8_t ver;

	if (cur_u8(&c, &ver) || cur_u8(&c, opcode))
		return da_errf(err, -EBADMSG, "CXL TSP: truncated header (%zu bytes)", len);
	if (ver != CXL_TSP_VER_10)
		return da_errf(err, -EPROTO, "CXL TSP %s: TSPVersion 0x%02x, not 1.0",
			       cxl_tsp_msg_name(*opcode), ver);
	return (long)c.off;
}

/* The header (already checked by cxl_tsp_decode_header) and the reserved 2 bytes. */
static int hdr(struct cur *c, uint8_t op, size_t len, struct da_err *err)
{
	if (cur_skip(c, 2))
		return truncated(err, op, "header", len);
	return zeros(c, op, "Reserved", 2, len, err);
}

long cxl_tsp_decode_bare(const uint8_t *msg, size_t len, uint8_t opcode, struct da_err *err)
{
	struct cur c = cur_init(msg, len);
	int ret = hdr(&c, opcode, len, err);

	return ret ? ret : (long)c.off;
}

static void put_hdr(struct wcur *w, uint8_t opcode)
{
	wcur_u8(w, CXL_TSP_VER_10);
	wcur_u8(w, opcode);
}

int cxl_tsp_encode_bare(struct wcur *w, uint8_t opcode)
{
	put_hdr(w, opcode);
	wcur_u16(w, 0);
	return (int)wcur_finish(w);
}

int cxl_tsp_encode_version_rsp(struct wcur *w, const uint8_t *versions, uint8_t n)
{
	put_hdr(w, CXL_TSP_RSP(CXL_TSP_GET_VERSION));
	wcur_u16(w, 0);
	wcur_u8(w, n);
	wcur_bytes(w, versions, n);
	return (int)wcur_finish(w);
}

int cxl_tsp_encode_caps_rsp(struct wcur *w, const struct cxl_tsp_caps *c)
{
	put_hdr(w, CXL_TSP_RSP(CXL_TSP_GET_CAPABILITIES));
	wcur_u16(w, c->mem_enc_features);
	wcur_u32(w, c->mem_enc_algorithms);
	wcur_u16(w, c->range_keys);
	wcur_u16(w, 0);
	wcur_u16(w, c->te_features);
	wcur_u16(w, 0);
	wcur_u32(w, c->oob_granularity);
	wcur_u32(w, c->ib_granularity);
	wcur_u16(w, c->cfg_features);
	wcur_u16(w, 0);
	wcur_u32(w, c->ckids);
	wcur_u8(w, c->secondary_sessions);
	wcur_zero(w, 0x13);
	return (int)wcur_finish(w);
}

static int decode_ib(struct cur *c, uint8_t op, size_t len, struct cxl_tsp_ib_gran *ib,
		     struct da_err *err)
{
	for (size_t i = 0; i < CXL_TSP_IB_GRAN_ENTRIES; i++) {
		int ret;

		if (cur_u64(c, &ib[i].granularity) || cur_u8(c, &ib[i].length_index))
			return truncated(err, op, "explicit IB TE state granularity entry", len);
		ret = zeros(c, op, "granularity entry Reserved", 7, len, err);
		if (ret)
			return ret;
	}
	return 0;
}

long cxl_tsp_decode_set_config(const uint8_t *msg, size_t len, struct cxl_tsp_config *cf,
			       struct da_err *err)
{
	const uint8_t op = CXL_TSP_SET_CONFIGURATION;
	struct cur c = cur_init(msg, len);
	int ret;

	memset(cf, 0, sizeof(*cf));
	if (cur_skip(&c, 2) || cur_u16(&c, &cf->mem_enc_features) ||
	    cur_u32(&c, &cf->mem_enc_algorithm))
		return truncated(err, op, "Memory Encryption Algorithm Select", len);
	if ((ret = zeros(&c, op, "Reserved", 4, len, err)))
		return ret;
	if (cur_u16(&c, &cf->te_features))
		return truncated(err, op, "TE State Change and Access Control Features Enable",
				 len);
	if ((ret = zeros(&c, op, "Reserved", 2, len, err)))
		return ret;
	if (cur_u32(&c, &cf->oob_granularity))
		return truncated(err, op, "Explicit OOB TE State Granularity", len);
	if ((ret = zeros(&c, op, "Reserved", 4, len, err)))
		return ret;
	if (cur_u16(&c, &cf->cfg_features))
		return truncated(err, op, "Configuration Features Enable", len);
	if ((ret = zeros(&c, op, "Reserved", 2, len, err)))
		return ret;
	if (cur_u32(&c, &cf->ckid_base) || cur_u32(&c, &cf->ckids))
		return truncated(err, op, "Number of CKIDs", len);
	if ((ret = zeros(&c, op, "Reserved", 0xc, len, err)) ||
	    (ret = decode_ib(&c, op, len, cf->ib, err)) ||
	    (ret = zeros(&c, op, "Reserved", 0x10, len, err)))
		return ret;
	if (cur_u16(&c, &cf->validity))
		return truncated(err, op, "Configuration Validity Flags", len);
	if ((ret = zeros(&c, op, "Reserved", 0xe, len, err)))
		return ret;
	if (cur_u8(&c, &cf->secondary_ckid_type))
		return truncated(err, op, "Secondary Session CKID Type", len);
	if ((ret = zeros(&c, op, "Reserved", 0xf, len, err)))
		return ret;
	if (cur_bytes(&c, cf->psk, sizeof(cf->psk)))
		return truncated(err, op, "Secondary Session PSK Key Material", len);
	return (long)c.off;
}

int cxl_tsp_encode_get_config_rsp(struct wcur *w, const struct cxl_tsp_config *cf, uint8_t state)
{
	put_hdr(w, CXL_TSP_RSP(CXL_TSP_GET_CONFIGURATION));
	wcur_u16(w, cf->mem_enc_features);
	wcur_u32(w, cf->mem_enc_algorithm);
	wcur_u32(w, 0);
	wcur_u16(w, cf->te_features);
	wcur_u16(w, 0);
	wcur_u32(w, cf->oob_granularity);
	wcur_u32(w, 0);
	/* the special-purpose memory bit is SET_CONFIGURATION's only */
	wcur_u16(w, cf->cfg_features & CXL_TSP_CFG_LOCKED_FW_UPDATE);
	wcur_u16(w, 0);
	wcur_u32(w, cf->ckid_base);
	wcur_u32(w, cf->ckids);
	wcur_u8(w, state);
	wcur_zero(w, 0xb);
	for (size_t i = 0; i < CXL_TSP_IB_GRAN_ENTRIES; i++) {
		wcur_u64(w, cf->ib[i].granularity);
		wcur_u8(w, cf->ib[i].length_index);
		wcur_zero(w, 7);
	}
	wcur_zero(w, 0x10);
	return (int)wcur_finish(w);
}

long cxl_tsp_decode_report_req(const uint8_t *msg, size_t len, uint16_t *offset,
			       uint16_t *length, struct da_err *err)
{
	const uint8_t op = CXL_TSP_GET_CONFIGURATION_REPORT;
	struct cur c = cur_init(msg, len);
	int ret = hdr(&c, op, len, err);

	if (ret)
		return ret;
	if (cur_u16(&c, offset) || cur_u16(&c, length))
		return truncated(err, op, "Length", len);
	return (long)c.off;
}

int cxl_tsp_encode_report_rsp(struct wcur *w, const uint8_t *portion, uint16_t n,
			      uint16_t remainder)
{
	put_hdr(w, CXL_TSP_RSP(CXL_TSP_GET_CONFIGURATION_REPORT));
	wcur_u16(w, 0);
	wcur_u16(w, n);
	wcur_u16(w, remainder);
	wcur_bytes(w, portion, n);
	return (int)wcur_finish(w);
}

long cxl_tsp_decode_te_state(const uint8_t *msg, size_t len, struct cxl_tsp_te_state *t,
			     struct da_err *err)
{
	const uint8_t op = CXL_TSP_SET_TE_STATE;
	struct cur c = cur_init(msg, len);
	int ret;

	if (cur_skip(&c, 2) || cur_u8(&c, &t->te_state) || cur_u8(&c, &t->nranges))
		return truncated(err, op, "Number of Memory Ranges", len);
	if ((ret = zeros(&c, op, "Reserved", 0xc, len, err)))
		return ret;
	if (!t->nranges || t->nranges > CXL_TSP_MAX_RANGES)
		return da_errf(err, -EBADMSG, "CXL TSP %s: Number of Memory Ranges %u (1 to %u)",
			       cxl_tsp_msg_name(op), t->nranges, CXL_TSP_MAX_RANGES);
	for (size_t i = 0; i < t->nranges; i++)
		if (cur_u64(&c, &t->range[i].start) || cur_u64(&c, &t->range[i].length))
			return truncated(err, op, "Memory Range", len);
	return (long)c.off;
}

int cxl_tsp_encode_error(struct wcur *w, uint32_t code, uint32_t data)
{
	put_hdr(w, CXL_TSP_ERROR);
	wcur_u16(w, 0);
	wcur_u32(w, code);
	wcur_u32(w, data);
	return (int)wcur_finish(w);
}
