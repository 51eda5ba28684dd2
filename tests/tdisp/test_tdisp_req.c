// SPDX-License-Identifier: MIT
/*
 * The TDISP / IDE_KM requester and codec against a scripted device (a
 * struct tdisp_chan that answers with our own encoders), so that every
 * check can be shown failing: a report portion longer than asked, an
 * empty portion, a report whose length changes between portions, an
 * MMIO count overrunning the report, bytes after the report or after a
 * message, the wrong INTERFACE_ID or version echo, an unexpected
 * message type, a device without TDISP 1.0, TDISP_ERROR mapping, and
 * IDE_KM acks with a failure status or for another stream; plus the
 * VENDOR_DEFINED envelope's StandardID, vendor ID and lengths.
 * The well-behaved device is checked against the DMTF one in
 * tests/peers/test_tdisp.c.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "spdm/vendor_codec.h"
#include "tdisp/tdisp.h"

enum fault {
	F_NONE,
	F_PORTION_OVER,		/* PORTION_LENGTH above LENGTH */
	F_PORTION_ZERO,
	F_TOTAL_CHANGES,	/* REMAINDER_LENGTH of the 2nd portion off by one */
	F_MMIO_OVERRUN,		/* MMIO_RANGE_COUNT two too many */
	F_REPORT_TRAILING,	/* a byte after DEVICE_SPECIFIC_INFO */
	F_IFACE,		/* another FUNCTION_ID in the answer */
	F_VERSION,		/* TDISP 1.1 in the answer */
	F_TYPE,			/* CAPABILITIES where STATE is due */
	F_TRAILING,		/* a byte after the message */
	F_NO_V10,		/* VERSION lists only 1.1 */
	F_KP_STATUS,		/* KP_ACK Unsupported value */
	F_ACK_STREAM,		/* K_GOSTOP_ACK for stream + 1 */
	F_QUERY_PORT,		/* QUERY_RESP for another port */
};

struct fake {
	enum fault fault;
	uint8_t state;
	uint8_t nonce[TDISP_NONCE_SIZE];
	uint8_t report[256];
	size_t report_len;
	unsigned int portions;
};

static const struct tdisp_mmio_range ranges[] = {
	{ 0x1000, 2, TDISP_MMIO_MSIX_TABLE, 7 },
	{ 0x40000, 16, TDISP_MMIO_NON_TEE | TDISP_MMIO_ATTR_UPDATABLE, 9 },
};
static const char dsi[] = "scripted-device";

static void build_report(struct fake *f)
{
	struct tdisp_report r = {
		.interface_info = TDISP_INFO_DMA_WITH_PASID | TDISP_INFO_ATS,
		.msix_control = 0x8003, .lnr_control = 1, .tph_control = 0x100,
		.mmio_count = 2, .dsi_len = sizeof(dsi), .dsi = (const uint8_t *)dsi,
	};
	struct wcur w = wcur_init(f->report, sizeof(f->report));
	long n = tdisp_encode_report(&w, &r, ranges);

	assert_true(n > 0);
	f->report_len = (size_t)n;
	if (f->fault == F_MMIO_OVERRUN)
		f->report[12] = 4;
	if (f->fault == F_REPORT_TRAILING)
		f->report[f->report_len++] = 0;
}

static long tdisp_answer(struct fake *f, const uint8_t *req, size_t len, struct wcur *w)
{
	static const uint8_t v10[] = { TDISP_VER_10 }, v11[] = { 0x11 };
	struct da_err err = { 0 };
	struct tdisp_hdr h;
	uint8_t ver, nonce[TDISP_NONCE_SIZE];
	uint16_t off, ask;

	assert_true(tdisp_decode_hdr(req, len, &h, &err) > 0);
	ver = f->fault == F_VERSION ? 0x11 : h.version;
	if (f->fault == F_IFACE)
		h.iface.function_id ^= 0x100;
	switch (h.type) {
	case TDISP_GET_VERSION:
		return tdisp_encode_version_rsp(w, &h.iface, f->fault == F_NO_V10 ? v11 : v10, 1);
	case TDISP_GET_CAPABILITIES: {
		struct tdisp_caps c = { .lock_flags_supported = TDISP_LOCK_NO_FW_UPDATE,
					.dev_addr_width = 52 };

		return tdisp_encode_caps_rsp(w, ver, &h.iface, &c);
	}
	case TDISP_LOCK_INTERFACE_REQ:
		if (f->state != TDISP_STATE_CONFIG_UNLOCKED)
			return tdisp_encode_error(w, ver, &h.iface, TDISP_ERR_INVALID_INTERFACE_STATE, 0);
		memset(f->nonce, 0xC3, sizeof(f->nonce));
		f->state = TDISP_STATE_CONFIG_LOCKED;
		return tdisp_encode_lock_rsp(w, ver, &h.iface, f->nonce);
	case TDISP_GET_DEVICE_INTERFACE_REPORT: {
		size_t p;

		assert_true(tdisp_decode_get_report(req, len, &off, &ask, &err) > 0);
		if (off >= f->report_len)
			return tdisp_encode_error(w, ver, &h.iface, TDISP_ERR_INVALID_REQUEST, 0);
		p = f->report_len - off < ask ? f->report_len - off : ask;
		if (f->fault == F_PORTION_ZERO)
			p = 0;
		if (f->fault == F_PORTION_OVER && f->report_len - off > p)
			p++;
		f->portions++;
		return tdisp_encode_report_rsp(w, ver, &h.iface, f->report + off, (uint16_t)p,
					       (uint16_t)(f->report_len - off - p +
							  (f->fault == F_TOTAL_CHANGES &&
							   f->portions == 2)));
	}
	case TDISP_GET_DEVICE_INTERFACE_STATE:
		if (f->fault == F_TYPE) {
			struct tdisp_caps c = { 0 };

			return tdisp_encode_caps_rsp(w, ver, &h.iface, &c);
		}
		return tdisp_encode_state_rsp(w, ver, &h.iface, f->state);
	case TDISP_START_INTERFACE_REQ:
		assert_true(tdisp_decode_start(req, len, nonce, &err) > 0);
		if (f->state != TDISP_STATE_CONFIG_LOCKED)
			return tdisp_encode_error(w, ver, &h.iface, TDISP_ERR_INVALID_INTERFACE_STATE, 0);
		if (memcmp(nonce, f->nonce, sizeof(nonce)))
			return tdisp_encode_error(w, ver, &h.iface, TDISP_ERR_INVALID_NONCE, 0x42);
		f->state = TDISP_STATE_RUN;
		return tdisp_encode_simple(w, ver, TDISP_START_INTERFACE_RSP, &h.iface);
	case TDISP_STOP_INTERFACE_REQ:
		f->state = TDISP_STATE_CONFIG_UNLOCKED;
		return tdisp_encode_simple(w, ver, TDISP_STOP_INTERFACE_RSP, &h.iface);
	}
	return tdisp_encode_error(w, ver, &h.iface, TDISP_ERR_UNSUPPORTED_REQUEST, 0);
}

static long idekm_answer(struct fake *f, const uint8_t *req, size_t len, struct wcur *w)
{
	static const uint8_t regs[8] = { 0x02, 0, 0, 0, 0, 0, 0, 0 };
	struct da_err err = { 0 };
	struct idekm_stream s;
	const uint8_t *key, *ifv;
	uint8_t port;

	switch (req[0]) {
	case IDEKM_QUERY: {
		struct idekm_query_resp q = { .max_port_index = 3, .nregs = 2, .regs = regs };

		assert_true(idekm_decode_query(req, len, &port, &err) > 0);
		q.port_index = f->fault == F_QUERY_PORT ? (uint8_t)(port + 1) : port;
		return idekm_encode_query_resp(w, &q);
	}
	case IDEKM_KEY_PROG:
		assert_true(idekm_decode_key_prog(req, len, &s, &key, &ifv, &err) > 0);
		s.status = f->fault == F_KP_STATUS ? IDEKM_KP_UNSUPPORTED_VALUE : 0;
		return idekm_encode_stream_msg(w, IDEKM_KP_ACK, &s);
	default:
		assert_true(idekm_decode_stream_msg(req, len, req[0], &s, &err) > 0);
		if (f->fault == F_ACK_STREAM)
			s.stream_id++;
		return idekm_encode_stream_msg(w, IDEKM_K_GOSTOP_ACK, &s);
	}
}

static int fake_send(void *ctx, uint8_t protocol, const uint8_t *req, size_t req_len,
		     uint8_t *out, size_t cap, size_t *out_len, struct da_err *err)
{
	struct fake *f = ctx;
	struct wcur w = wcur_init(out, cap);
	long n;

	n = protocol == PCI_PROTOCOL_TDISP ? tdisp_answer(f, req, req_len, &w) :
	    idekm_answer(f, req, req_len, &w);
	assert_true(n > 0);
	if (f->fault == F_TRAILING && (size_t)n < cap)
		out[n++] = 0;
	*out_len = (size_t)n;
	return 0;
}

static void start(struct tdisp_req *t, struct fake *f, enum fault fault)
{
	struct tdisp_chan ch = { .send = fake_send, .ctx = f, .dev = "fake" };

	memset(f, 0, sizeof(*f));
	f->fault = fault;
	build_report(f);
	tdisp_req_init_chan(t, &ch, 0x0000ab01);
}

/* Lock, then read the report in 13-byte portions: the error, if any. */
static int lock_and_read(enum fault fault, struct da_err *err)
{
	struct tdisp_lock_params lp = { .flags = TDISP_LOCK_NO_FW_UPDATE };
	struct tdisp_req t;
	struct fake f;
	int ret;

	start(&t, &f, fault);
	t.portion = 13;
	ret = tdisp_req_version(&t, err) ?: tdisp_req_capabilities(&t, err) ?:
	      tdisp_req_lock(&t, &lp, err) ?: tdisp_req_report(&t, err);
	tdisp_req_free(&t);
	return ret;
}

static void expect_fail(enum fault fault, int code, const char *what)
{
	struct da_err err = { 0 };

	assert_int_equal(lock_and_read(fault, &err), code);
	if (!strstr(err.msg, what))
		fail_msg("fault %d: '%s' without '%s'", fault, err.msg, what);
	assert_non_null(strstr(err.msg, "fake: "));
}

static void test_good_device(void **state)
{
	struct tdisp_lock_params lp = { .flags = TDISP_LOCK_NO_FW_UPDATE };
	struct da_err err = { 0 };
	struct tdisp_mmio_range m;
	uint8_t s, wrong[TDISP_NONCE_SIZE];
	struct tdisp_req t;
	struct fake f;

	(void)state;
	start(&t, &f, F_NONE);
	t.portion = 13;
	assert_int_equal(tdisp_req_version(&t, &err), 0);
	assert_int_equal(tdisp_req_capabilities(&t, &err), 0);
	assert_int_equal(t.caps.dev_addr_width, 52);
	assert_int_equal(tdisp_req_lock(&t, &lp, &err), 0);
	assert_int_equal(tdisp_req_report(&t, &err), 0);
	/* Every 13-byte boundary falls inside a field of the report. */
	assert_int_equal(t.portions, (f.report_len + 12) / 13);
	assert_int_equal(t.report.len, f.report_len);
	assert_memory_equal(t.report.data, f.report, f.report_len);
	assert_int_equal(t.rep.interface_info, TDISP_INFO_DMA_WITH_PASID | TDISP_INFO_ATS);
	assert_int_equal(t.rep.msix_control, 0x8003);
	assert_int_equal(t.rep.mmio_count, 2);
	tdisp_report_range(&t.rep, 1, &m);
	assert_int_equal(m.first_page, 0x40000);
	assert_int_equal(m.pages, 16);
	assert_int_equal(m.range_id, 9);
	assert_int_equal(t.rep.dsi_len, sizeof(dsi));
	memcpy(wrong, t.nonce, sizeof(wrong));
	wrong[31] ^= 0x80;
	assert_int_equal(tdisp_req_start(&t, wrong, &err), -EACCES);
	assert_non_null(strstr(err.msg, "TDISP_ERROR INVALID_NONCE (0x0102, data 0x00000042)"));
	da_err_clear(&err);
	assert_int_equal(tdisp_req_state(&t, &s, &err), 0);
	assert_int_equal(s, TDISP_STATE_CONFIG_LOCKED);
	assert_int_equal(tdisp_req_start(&t, t.nonce, &err), 0);
	assert_int_equal(tdisp_req_state(&t, &s, &err), 0);
	assert_int_equal(s, TDISP_STATE_RUN);
	assert_int_equal(tdisp_req_stop(&t, &err), 0);
	assert_int_equal(tdisp_req_state(&t, &s, &err), 0);
	assert_int_equal(s, TDISP_STATE_CONFIG_UNLOCKED);
	tdisp_req_free(&t);
}

static void test_report_faults(void **state)
{
	(void)state;
	expect_fail(F_PORTION_OVER, -EPROTO, "PORTION_LENGTH 14 above the LENGTH 13 asked for");
	expect_fail(F_PORTION_ZERO, -EPROTO, "PORTION_LENGTH 0 at OFFSET 0");
	expect_fail(F_TOTAL_CHANGES, -EPROTO, "is not the report length");
	expect_fail(F_MMIO_OVERRUN, -EBADMSG, "MMIO_RANGE_COUNT 4 overruns the report");
	expect_fail(F_REPORT_TRAILING, -EBADMSG, "1 bytes after DEVICE_SPECIFIC_INFO");
}

static void test_header_faults(void **state)
{
	struct da_err err = { 0 };
	struct tdisp_req t;
	struct fake f;
	uint8_t s;

	(void)state;
	expect_fail(F_IFACE, -EPROTO, "INTERFACE_ID FUNCTION_ID 0x0000aa01, request was 0x0000ab01");
	expect_fail(F_VERSION, -EPROTO, "TDISPVersion 0x11, request was 0x10");
	expect_fail(F_TRAILING, -EBADMSG, "1 bytes after the message");
	expect_fail(F_NO_V10, -EPROTONOSUPPORT, "no TDISP 1.0");
	start(&t, &f, F_TYPE);
	assert_int_equal(tdisp_req_version(&t, &err), 0);
	assert_int_equal(tdisp_req_state(&t, &s, &err), -EPROTO);
	assert_non_null(strstr(err.msg, "expected DEVICE_INTERFACE_STATE (0x05), device answered TDISP_CAPABILITIES"));
	tdisp_req_free(&t);
}

static void test_state_rules(void **state)
{
	struct tdisp_lock_params lp = { .flags = TDISP_LOCK_MSIX };
	struct da_err err = { 0 };
	struct tdisp_req t;
	struct fake f;

	(void)state;
	start(&t, &f, F_NONE);
	/* Nothing before the version is negotiated. */
	assert_int_equal(tdisp_req_lock(&t, &lp, &err), -EPROTO);
	assert_non_null(strstr(err.msg, "before GET_TDISP_VERSION"));
	da_err_clear(&err);
	assert_int_equal(tdisp_req_version(&t, &err), 0);
	assert_int_equal(tdisp_req_capabilities(&t, &err), 0);
	/* A flag the device does not offer is refused before it is sent. */
	assert_int_equal(tdisp_req_lock(&t, &lp, &err), -EOPNOTSUPP);
	assert_int_equal(f.state, TDISP_STATE_CONFIG_UNLOCKED);
	da_err_clear(&err);
	/* START without a lock: the device's INVALID_INTERFACE_STATE. */
	assert_int_equal(tdisp_req_start(&t, t.nonce, &err), -EPERM);
	assert_non_null(strstr(err.msg, "INVALID_INTERFACE_STATE"));
	tdisp_req_free(&t);
}

static void test_ide_km(void **state)
{
	uint8_t key[IDEKM_KEY_SIZE] = { 1 }, ifv[IDEKM_IFV_SIZE] = { 2 };
	struct idekm_stream s = { .stream_id = 3, .kss = IDEKM_KSS_TX | IDEKM_KSS_SUB_NPR,
				  .port_index = 1 };
	struct tdisp_chan ch = { .send = fake_send, .dev = "fake" };
	struct da_err err = { 0 };
	struct idekm_port q;
	struct fake f = { 0 };

	(void)state;
	ch.ctx = &f;
	assert_int_equal(idekm_req_query(&ch, 1, &q, &err), 0);
	assert_int_equal(q.max_port_index, 3);
	assert_int_equal(q.nregs, 2);
	assert_int_equal(q.regs[0], 2);
	assert_int_equal(idekm_req_key_prog(&ch, &s, key, ifv, &err), 0);
	assert_int_equal(idekm_req_key_set(&ch, true, &s, &err), 0);
	assert_int_equal(idekm_req_key_set(&ch, false, &s, &err), 0);

	f.fault = F_KP_STATUS;
	assert_int_equal(idekm_req_key_prog(&ch, &s, key, ifv, &err), -EIO);
	assert_non_null(strstr(err.msg, "KP_ACK: Status 3 (Unsupported value in other fields)"));
	da_err_clear(&err);
	f.fault = F_ACK_STREAM;
	assert_int_equal(idekm_req_key_set(&ch, true, &s, &err), -EPROTO);
	assert_non_null(strstr(err.msg, "K_GOSTOP_ACK: Stream ID 4"));
	da_err_clear(&err);
	f.fault = F_QUERY_PORT;
	assert_int_equal(idekm_req_query(&ch, 1, &q, &err), -EPROTO);
	assert_non_null(strstr(err.msg, "PortIndex 2, QUERY asked for 1"));
	da_err_clear(&err);
	f.fault = F_TRAILING;
	assert_int_equal(idekm_req_key_set(&ch, false, &s, &err), -EBADMSG);
	assert_non_null(strstr(err.msg, "1 bytes after the message"));
}

static void test_envelope(void **state)
{
	static const uint8_t body[] = { IDEKM_QUERY, 0, 0 };
	uint8_t m[64], proto;
	struct wcur w = wcur_init(m, sizeof(m));
	struct da_err err = { 0 };
	const uint8_t *b;
	size_t blen;
	int n;

	(void)state;
	n = spdm_encode_pci_vendor(&w, SPDM_VER_12, true, PCI_PROTOCOL_IDE_KM, body, sizeof(body));
	assert_int_equal(n, SPDM_PCI_VENDOR_HDR_SIZE + 1 + sizeof(body));
	assert_int_equal(m[1], SPDM_VENDOR_DEFINED_RESPONSE);
	assert_int_equal(spdm_decode_pci_vendor(m, (size_t)n, true, &proto, &b, &blen, &err), n);
	assert_int_equal(proto, PCI_PROTOCOL_IDE_KM);
	assert_int_equal(blen, sizeof(body));
	assert_memory_equal(b, body, sizeof(body));

	m[4] = 4;	/* StandardID IANA */
	assert_int_equal(spdm_decode_pci_vendor(m, (size_t)n, true, &proto, &b, &blen, &err), -EPROTO);
	assert_non_null(strstr(err.msg, "StandardID 4, expected 3"));
	m[4] = 3;
	da_err_clear(&err);
	m[7] = 0x02;	/* vendor ID 0x0002 */
	assert_int_equal(spdm_decode_pci_vendor(m, (size_t)n, true, &proto, &b, &blen, &err), -EPROTO);
	assert_non_null(strstr(err.msg, "is not the PCI-SIG's"));
	m[7] = 1;
	da_err_clear(&err);
	m[9] = (uint8_t)(1 + sizeof(body) + 1);	/* RespLength one beyond */
	assert_int_equal(spdm_decode_pci_vendor(m, (size_t)n, true, &proto, &b, &blen, &err), -EBADMSG);
	assert_non_null(strstr(err.msg, "RespLength 5 overruns"));
	m[9] = 0;
	da_err_clear(&err);
	assert_int_equal(spdm_decode_pci_vendor(m, (size_t)n, true, &proto, &b, &blen, &err), -EBADMSG);
	assert_non_null(strstr(err.msg, "no PCI protocol ID"));
	m[9] = (uint8_t)(1 + sizeof(body));
	m[0] = SPDM_VER_14;
	m[2] = SPDM_VENDOR_LARGE;
	da_err_clear(&err);
	assert_int_equal(spdm_decode_pci_vendor(m, (size_t)n, true, &proto, &b, &blen, &err), -EPROTO);
	assert_non_null(strstr(err.msg, "large payload form"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_device),
		cmocka_unit_test(test_report_faults),
		cmocka_unit_test(test_header_faults),
		cmocka_unit_test(test_state_rules),
		cmocka_unit_test(test_ide_km),
		cmocka_unit_test(test_envelope),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
