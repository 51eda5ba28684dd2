// SPDX-License-Identifier: MIT
/*
 * GET_DEVICE_INTERFACE_REPORT / DEVICE_INTERFACE_REPORT (one portion of
 * the report: PORTION_LENGTH bytes, REMAINDER_LENGTH still to read) and
 * the report structure: INTERFACE_INFO, MSI-X, LNR and TPH control,
 * MMIO_RANGE_COUNT ranges, the device-specific information.
 */
#include <errno.h>
#include <string.h>

#include "tdisp_codec.h"

struct tdisp_wire_report_req {
	uint8_t hdr[TDISP_HDR_SIZE];
	uint16_t offset;
	uint16_t length;
} __attribute__((packed));
_Static_assert(sizeof(struct tdisp_wire_report_req) == TDISP_REPORT_REQ_SIZE,
	       "GET_DEVICE_INTERFACE_REPORT");

struct tdisp_wire_report_rsp {
	uint8_t hdr[TDISP_HDR_SIZE];
	uint16_t portion_length;
	uint16_t remainder_length;
} __attribute__((packed));
_Static_assert(sizeof(struct tdisp_wire_report_rsp) == TDISP_REPORT_RSP_FIXED,
	       "DEVICE_INTERFACE_REPORT");

struct tdisp_wire_report {
	uint16_t interface_info;
	uint16_t reserved;
	uint16_t msix_message_control;
	uint16_t lnr_control;
	uint32_t tph_control;
	uint32_t mmio_range_count;
} __attribute__((packed));
_Static_assert(sizeof(struct tdisp_wire_report) == TDISP_REPORT_FIXED, "report structure");

struct tdisp_wire_mmio_range {
	uint64_t first_page;
	uint32_t number_of_pages;
	uint16_t attributes;
	uint16_t range_id;
} __attribute__((packed));
_Static_assert(sizeof(struct tdisp_wire_mmio_range) == TDISP_MMIO_RANGE_SIZE, "MMIO_RANGE");

int tdisp_encode_get_report(struct wcur *w, uint8_t version, const struct tdisp_iface *iface,
			    uint16_t offset, uint16_t length)
{
	tdisp_encode_hdr(w, version, TDISP_GET_DEVICE_INTERFACE_REPORT, iface);
	wcur_u16(w, offset);
	wcur_u16(w, length);
	return (int)wcur_finish(w);
}

long tdisp_decode_get_report(const uint8_t *msg, size_t len, uint16_t *offset,
			     uint16_t *length, struct da_err *err)
{
	struct cur c = cur_init(msg, len);

	if (cur_skip(&c, TDISP_HDR_SIZE))
		return tdisp_trunc(err, "GET_DEVICE_INTERFACE_REPORT", "header", len);
	if (cur_u16(&c, offset) || cur_u16(&c, length))
		return tdisp_trunc(err, "GET_DEVICE_INTERFACE_REPORT", "OFFSET/LENGTH", len);
	return TDISP_REPORT_REQ_SIZE;
}

int tdisp_encode_report_rsp(struct wcur *w, uint8_t version, const struct tdisp_iface *iface,
			    const uint8_t *portion, uint16_t portion_len, uint16_t remainder_len)
{
	tdisp_encode_hdr(w, version, TDISP_DEVICE_INTERFACE_REPORT, iface);
	wcur_u16(w, portion_len);
	wcur_u16(w, remainder_len);
	wcur_bytes(w, portion, portion_len);
	return (int)wcur_finish(w);
}

long tdisp_decode_report_rsp(const uint8_t *msg, size_t len, struct tdisp_report_portion *p,
			     struct da_err *err)
{
	struct cur c = cur_init(msg, len);

	if (cur_skip(&c, TDISP_HDR_SIZE))
		return tdisp_trunc(err, "DEVICE_INTERFACE_REPORT", "header", len);
	if (cur_u16(&c, &p->portion_len) || cur_u16(&c, &p->remainder_len))
		return tdisp_trunc(err, "DEVICE_INTERFACE_REPORT", "PORTION_LENGTH", len);
	if (cur_ptr(&c, p->portion_len, &p->data))
		return da_errf(err, -EBADMSG,
			       "TDISP DEVICE_INTERFACE_REPORT: PORTION_LENGTH %u overruns the message (%zu bytes left)",
			       p->portion_len, cur_left(&c));
	return (long)c.off;
}

static long decode_report(const uint8_t *rep, size_t len, struct tdisp_report *r,
			  struct da_err *err)
{
	struct cur c = cur_init(rep, len);

	if (cur_u16(&c, &r->interface_info) || cur_u16(&c, &r->reserved) ||
	    cur_u16(&c, &r->msix_control) || cur_u16(&c, &r->lnr_control) ||
	    cur_u32(&c, &r->tph_control) || cur_u32(&c, &r->mmio_count))
		return tdisp_trunc(err, "interface report", "MMIO_RANGE_COUNT", len);
	/* The count is checked against the bytes before it is multiplied. */
	if (r->mmio_count > cur_left(&c) / TDISP_MMIO_RANGE_SIZE ||
	    cur_ptr(&c, (size_t)r->mmio_count * TDISP_MMIO_RANGE_SIZE, &r->mmio))
		return da_errf(err, -EBADMSG,
			       "TDISP interface report: MMIO_RANGE_COUNT %u overruns the report (%zu bytes left)",
			       r->mmio_count, cur_left(&c));
	if (cur_u32(&c, &r->dsi_len))
		return tdisp_trunc(err, "interface report", "DEVICE_SPECIFIC_INFO_LEN", len);
	if (cur_ptr(&c, r->dsi_len, &r->dsi))
		return da_errf(err, -EBADMSG,
			       "TDISP interface report: DEVICE_SPECIFIC_INFO_LEN %u overruns the report (%zu bytes left)",
			       r->dsi_len, cur_left(&c));
	if (!cur_at_end(&c))
		return da_errf(err, -EBADMSG,
			       "TDISP interface report: %zu bytes after DEVICE_SPECIFIC_INFO",
			       cur_left(&c));
	return (long)c.off;
}

long tdisp_decode_report(const uint8_t *rep, size_t len, struct tdisp_report *r,
			 struct da_err *err)
{
	long ret = decode_report(rep, len, r, err);

	/* a count without its ranges must not reach tdisp_report_range() */
	if (ret < 0)
		memset(r, 0, sizeof(*r));
	return ret;
}

void tdisp_report_range(const struct tdisp_report *r, uint32_t i, struct tdisp_mmio_range *out)
{
	struct cur c;

	memset(out, 0, sizeof(*out));
	if (i >= r->mmio_count)
		return;
	c = cur_init(r->mmio + (size_t)i * TDISP_MMIO_RANGE_SIZE, TDISP_MMIO_RANGE_SIZE);
	/* Cannot fail: tdisp_decode_report() checked the ranges' bytes. */
	(void)(cur_u64(&c, &out->first_page) || cur_u32(&c, &out->pages) ||
	       cur_u16(&c, &out->attributes) || cur_u16(&c, &out->range_id));
}

int tdisp_encode_report(struct wcur *w, const struct tdisp_report *r,
			const struct tdisp_mmio_range *ranges)
{
	wcur_u16(w, r->interface_info);
	wcur_u16(w, r->reserved);
	wcur_u16(w, r->msix_control);
	wcur_u16(w, r->lnr_control);
	wcur_u32(w, r->tph_control);
	wcur_u32(w, r->mmio_count);
	for (uint32_t i = 0; i < r->mmio_count; i++) {
		wcur_u64(w, ranges[i].first_page);
		wcur_u32(w, ranges[i].pages);
		wcur_u16(w, ranges[i].attributes);
		wcur_u16(w, ranges[i].range_id);
	}
	wcur_u32(w, r->dsi_len);
	wcur_bytes(w, r->dsi, r->dsi_len);
	return (int)wcur_finish(w);
}
