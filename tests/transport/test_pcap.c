// SPDX-License-Identifier: MIT
/*
 * pcap reading against the three DMTF captures, write -> read round
 * trips for DOE and MCTP, both byte orders and both timestamp
 * resolutions, and the rejects of a hostile file.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <devauth/pcap.h>

#include "cursor.h"
#include "transport/framing.h"

static const char *const captures[] = {
	"v11_rsassa3072_sha256",
	"v12_p384_sha384",
	"v13_p256_sha256",
};

static void capture_path(char *buf, size_t len, const char *name)
{
	const char *v = getenv("DEVAUTH_VECTORS");

	snprintf(buf, len, "%s/%s/exchange.pcap", v ? v : "/work/shared/vectors", name);
}

/* SPDM request/response codes in each capture, counted with python3 beforehand. */
static const uint8_t flow[22] = {
	0x84, 0x04, 0xe1, 0x61, 0xe3, 0x63,		/* VCA */
	0x81, 0x01, 0x82, 0x02, 0x82, 0x02,		/* digests, cert x2 */
	0x83, 0x03,					/* challenge */
	0x81, 0x01, 0x82, 0x02, 0x81, 0x01,		/* again */
	0xe0, 0x60,					/* measurements */
};

static void test_real_captures(void **state)
{
	for (size_t i = 0; i < 3; i++) {
		struct da_capture c;
		struct da_spdm_msg *m;
		struct da_err err = { 0 };
		char path[512];
		size_t n;

		capture_path(path, sizeof(path), captures[i]);
		assert_int_equal(da_pcap_read(path, &c, &err), 0);
		assert_int_equal(c.linktype, DA_LINKTYPE_PCI_DOE);
		assert_int_equal(c.nrec, 28);
		for (size_t r = 0; r < c.nrec; r++)
			assert_int_equal(c.rec[r].orig_len, c.rec[r].len);
		assert_int_equal(da_capture_spdm(&c, &m, &n, &err), 0);
		/* 3 discovery request/response pairs skipped. */
		assert_int_equal(n, 22);
		assert_int_equal(c.nrec - n, 6);
		assert_int_equal(m[0].record, 6);
		assert_int_equal(m[0].data[0], 0x10);
		assert_int_equal(m[0].data[1], 0x84);
		assert_int_equal(m[0].len, 4);
		for (size_t k = 0; k < n; k++) {
			assert_int_equal(m[k].data[1], flow[k]);
			assert_int_equal(m[k].max_pad, 3);
			assert_false(m[k].secured);
			assert_int_equal(m[k].len % 4, 0);
		}
		/* The negotiated version echoes from VERSION on. */
		assert_int_equal(m[2].data[0], 0x11 + i);
		free(m);
		da_capture_free(&c);
	}
}

static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *b;
	long n;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	b = malloc((size_t)n + 1);
	assert_non_null(b);
	assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return b;
}

static int parse_copy(const uint8_t *b, size_t len, struct da_capture *c, struct da_err *err)
{
	uint8_t *copy = malloc(len ? len : 1);

	assert_non_null(copy);
	memcpy(copy, b, len);
	return da_pcap_parse(copy, len, c, err);
}

static void tmp_path(char *buf, size_t len, const char *tag)
{
	snprintf(buf, len, "/tmp/devauth-test-pcap-%d-%s.pcap", (int)getpid(), tag);
}

static void test_doe_write_read(void **state)
{
	struct da_capture orig, back;
	struct da_spdm_msg *m1, *m2;
	struct da_pcap *p;
	char path[512], out[256];
	size_t n1, n2, rawlen;
	uint8_t *raw;

	capture_path(path, sizeof(path), captures[2]);
	assert_int_equal(da_pcap_read(path, &orig, NULL), 0);
	tmp_path(out, sizeof(out), "doe");
	assert_int_equal(da_pcap_open_write(out, DA_FRAMING_PCI_DOE, &p, NULL), 0);
	for (size_t r = 0; r < orig.nrec; r++)
		assert_int_equal(da_pcap_log(p, orig.rec[r].data, orig.rec[r].len), 0);
	assert_int_equal(da_pcap_close(p), 0);

	raw = slurp(out, &rawlen);
	/* Little-endian magic, version 2.4, link type 292. */
	assert_int_equal(raw[0], 0xd4);
	assert_int_equal(raw[1], 0xc3);
	assert_int_equal(raw[2], 0xb2);
	assert_int_equal(raw[3], 0xa1);
	assert_int_equal(raw[4] | raw[5] << 8, 2);
	assert_int_equal(raw[6] | raw[7] << 8, 4);
	/* SnapLen 65536, as the DMTF spdm_dump requires: no record needs more */
	assert_int_equal(raw[16] | raw[17] << 8 | raw[18] << 16 | (uint32_t)raw[19] << 24, 65536);
	assert_int_equal(raw[20] | raw[21] << 8, 292);
	/* Same records, same file size as the DMTF writer's. */
	assert_int_equal(rawlen, orig.raw_len);
	free(raw);

	assert_int_equal(da_pcap_read(out, &back, NULL), 0);
	assert_int_equal(back.nrec, orig.nrec);
	for (size_t r = 0; r < orig.nrec; r++) {
		assert_int_equal(back.rec[r].len, orig.rec[r].len);
		assert_memory_equal(back.rec[r].data, orig.rec[r].data, orig.rec[r].len);
		assert_true(back.rec[r].ts_sec > 1600000000u);
		assert_true(back.rec[r].ts_usec < 1000000u);
	}
	assert_int_equal(da_capture_spdm(&orig, &m1, &n1, NULL), 0);
	assert_int_equal(da_capture_spdm(&back, &m2, &n2, NULL), 0);
	assert_int_equal(n1, n2);
	for (size_t k = 0; k < n1; k++) {
		assert_int_equal(m1[k].len, m2[k].len);
		assert_memory_equal(m1[k].data, m2[k].data, m1[k].len);
	}
	free(m1);
	free(m2);
	da_capture_free(&back);
	da_capture_free(&orig);
	unlink(out);
}

/* A small record, then one above 65536: SnapLen is raised, nothing is cut. */
static void test_snaplen_raised(void **state)
{
	size_t big = 70000;
	uint8_t *payload = calloc(1, big), *msg = calloc(1, big + 16), *raw;
	struct wcur w = wcur_init(msg, big + 16);
	static const uint8_t small[12] = { 0x01, 0x00, 0x01, 0x00, 0x03, 0x00, 0x00, 0x00,
					   0x10, 0x84, 0x00, 0x00 };
	struct da_capture c;
	struct da_pcap *p;
	char out[256];
	size_t rawlen;
	int len;

	(void)state;
	assert_non_null(payload);
	assert_non_null(msg);
	payload[0] = 0x12;
	payload[1] = 0x02;
	len = da_frame_encode(DA_FRAMING_PCI_DOE, DA_PAYLOAD_SPDM, payload, big, &w);
	assert_int_equal(len, (int)(big + 8));
	tmp_path(out, sizeof(out), "raised");
	assert_int_equal(da_pcap_open_write(out, DA_FRAMING_PCI_DOE, &p, NULL), 0);
	assert_int_equal(da_pcap_log(p, small, sizeof(small)), 0);
	assert_int_equal(da_pcap_log(p, msg, (size_t)len), 0);
	assert_int_equal(da_pcap_log(p, small, sizeof(small)), 0);
	assert_int_equal(da_pcap_close(p), 0);
	raw = slurp(out, &rawlen);
	assert_int_equal(raw[16] | raw[17] << 8 | raw[18] << 16, 262144);
	assert_int_equal(rawlen, 24 + 3 * 16 + 2 * sizeof(small) + big + 8);
	free(raw);
	assert_int_equal(da_pcap_read(out, &c, NULL), 0);
	assert_int_equal(c.nrec, 3);
	assert_int_equal(c.rec[1].len, big + 8);
	assert_memory_equal(c.rec[1].data, msg, big + 8);
	assert_memory_equal(c.rec[2].data, small, sizeof(small));
	da_capture_free(&c);
	unlink(out);
	free(msg);
	free(payload);
}

/* A record above SnapLen is cut by the writer and refused by the SPDM walk. */
static void test_snaplen_cut(void **state)
{
	size_t big = 300000;
	uint8_t *msg = calloc(1, big + 16);
	struct wcur w = wcur_init(msg, big + 16);
	struct da_capture c;
	struct da_spdm_msg *m;
	struct da_pcap *p;
	struct da_err err = { 0 };
	uint8_t *payload = calloc(1, big);
	char out[256];
	size_t n;
	int len;

	assert_non_null(msg);
	assert_non_null(payload);
	payload[0] = 0x12;
	payload[1] = 0x02;
	len = da_frame_encode(DA_FRAMING_PCI_DOE, DA_PAYLOAD_SPDM, payload, big, &w);
	assert_int_equal(len, (int)(big + 8));
	tmp_path(out, sizeof(out), "big");
	assert_int_equal(da_pcap_open_write(out, DA_FRAMING_PCI_DOE, &p, NULL), 0);
	assert_int_equal(da_pcap_log(p, msg, (size_t)len), 0);
	assert_int_equal(da_pcap_close(p), 0);
	{
		size_t rawlen;
		uint8_t *raw = slurp(out, &rawlen);

		/* the header was raised to the largest SnapLen the tools take */
		assert_int_equal(raw[16] | raw[17] << 8 | raw[18] << 16, 262144);
		free(raw);
	}
	assert_int_equal(da_pcap_read(out, &c, NULL), 0);
	assert_int_equal(c.nrec, 1);
	assert_int_equal(c.rec[0].len, 262144);
	assert_int_equal(c.rec[0].orig_len, big + 8);
	assert_memory_equal(c.rec[0].data, msg, 262144);
	assert_int_equal(da_capture_spdm(&c, &m, &n, &err), -EBADMSG);
	assert_non_null(strstr(err.msg, "record 0: cut at 262144 of 300008"));
	da_capture_free(&c);
	unlink(out);
	free(msg);
	free(payload);
}

static void test_mctp_write_read(void **state)
{
	static const uint8_t get_version[] = { 0x05, 0x10, 0x84, 0x00, 0x00 };
	static const uint8_t version[] = { 0x05, 0x10, 0x04, 0x00, 0x00, 0x00, 0x01, 0x00, 0x12 };
	static const uint8_t secured[] = { 0x06, 0xaa, 0xbb, 0xcc, 0xdd, 0x01, 0x00 };
	static const uint8_t pldm[] = { 0x01, 0x00 };
	struct da_capture c;
	struct da_spdm_msg *m;
	struct da_pcap *p;
	struct da_err err = { 0 };
	char out[256];
	size_t n;

	tmp_path(out, sizeof(out), "mctp");
	assert_int_equal(da_pcap_open_write(out, DA_FRAMING_MCTP, &p, NULL), 0);
	assert_int_equal(da_pcap_log(p, get_version, sizeof(get_version)), 0);
	assert_int_equal(da_pcap_log(p, version, sizeof(version)), 0);
	assert_int_equal(da_pcap_log(p, secured, sizeof(secured)), 0);
	assert_int_equal(da_pcap_close(p), 0);

	assert_int_equal(da_pcap_read(out, &c, NULL), 0);
	assert_int_equal(c.linktype, DA_LINKTYPE_MCTP);
	assert_int_equal(c.nrec, 3);
	/* The spdm-emu writer's MCTP transport header, then the message type. */
	assert_int_equal(c.rec[0].len, 4 + sizeof(get_version));
	assert_int_equal(c.rec[0].orig_len, 4 + sizeof(get_version));
	assert_int_equal(c.rec[0].data[0], 0x00);
	assert_int_equal(c.rec[0].data[3], 0xc0);
	assert_memory_equal(c.rec[0].data + 4, get_version, sizeof(get_version));

	assert_int_equal(da_capture_spdm(&c, &m, &n, NULL), 0);
	assert_int_equal(n, 3);
	assert_int_equal(m[0].len, 4);
	assert_memory_equal(m[0].data, get_version + 1, 4);
	assert_int_equal(m[0].max_pad, 0);
	assert_false(m[0].secured);
	assert_int_equal(m[1].len, sizeof(version) - 1);
	assert_true(m[2].secured);
	assert_int_equal(m[2].record, 2);
	free(m);
	da_capture_free(&c);

	/* A PLDM message in an SPDM capture is named by its record. */
	assert_int_equal(da_pcap_open_write(out, DA_FRAMING_MCTP, &p, NULL), 0);
	assert_int_equal(da_pcap_log(p, get_version, sizeof(get_version)), 0);
	assert_int_equal(da_pcap_log(p, pldm, sizeof(pldm)), 0);
	assert_int_equal(da_pcap_close(p), 0);
	assert_int_equal(da_pcap_read(out, &c, NULL), 0);
	assert_int_equal(da_capture_spdm(&c, &m, &n, &err), -EBADMSG);
	assert_non_null(strstr(err.msg, "record 1"));
	assert_non_null(strstr(err.msg, "Message Type 0x01"));
	da_capture_free(&c);
	unlink(out);

	assert_int_equal(da_pcap_open_write(out, DA_FRAMING_NONE, &p, NULL), -EOPNOTSUPP);
	assert_int_equal(da_pcap_open_write("/nonexistent-dir/x.pcap", DA_FRAMING_MCTP, &p,
					    NULL), -ENOENT);
}

/* A one-record file built by hand, in either byte order. */
static size_t build(uint8_t *b, size_t cap, uint32_t magic, bool be, uint32_t snaplen,
		    uint32_t linktype, uint32_t frac, const uint8_t *rec, uint32_t incl,
		    uint32_t orig)
{
	struct wcur w = wcur_init(b, cap);
	void (*w32)(struct wcur *, uint32_t) = be ? wcur_be32 : wcur_u32;
	void (*w16)(struct wcur *, uint16_t) = be ? wcur_be16 : wcur_u16;

	w32(&w, magic);
	w16(&w, 2);
	w16(&w, 4);
	w32(&w, 0);
	w32(&w, 0);
	w32(&w, snaplen);
	w32(&w, linktype);
	w32(&w, 1700000000u);
	w32(&w, frac);
	w32(&w, incl);
	w32(&w, orig);
	wcur_bytes(&w, rec, incl);
	assert_true(wcur_finish(&w) > 0);
	return w.len;
}

static const uint8_t doe_getver[] = { 0x01, 0x00, 0x01, 0x00, 0x03, 0x00, 0x00, 0x00,
				      0x10, 0x84, 0x00, 0x00 };

static void test_byte_orders_and_nsec(void **state)
{
	static const struct {
		uint32_t magic;
		bool be;
		uint32_t frac, usec;
	} v[] = {
		{ 0xa1b2c3d4u, false, 123456, 123456 },
		{ 0xa1b2c3d4u, true, 123456, 123456 },
		{ 0xa1b23c4du, false, 123456789, 123456 },
		{ 0xa1b23c4du, true, 123456789, 123456 },
	};

	for (size_t i = 0; i < 4; i++) {
		uint8_t b[128];
		size_t len = build(b, sizeof(b), v[i].magic, v[i].be, 65535, 292, v[i].frac,
				   doe_getver, sizeof(doe_getver), sizeof(doe_getver));
		struct da_capture c;
		struct da_spdm_msg *m;
		size_t n;

		assert_int_equal(parse_copy(b, len, &c, NULL), 0);
		assert_int_equal(c.linktype, 292);
		assert_int_equal(c.nrec, 1);
		assert_int_equal(c.rec[0].ts_sec, 1700000000u);
		assert_int_equal(c.rec[0].ts_usec, v[i].usec);
		assert_int_equal(da_capture_spdm(&c, &m, &n, NULL), 0);
		assert_int_equal(n, 1);
		assert_int_equal(m[0].data[1], 0x84);
		free(m);
		da_capture_free(&c);
	}
}

static void expect_parse(const uint8_t *b, size_t len, int code, const char *needle)
{
	struct da_capture c;
	struct da_err err = { 0 };

	assert_int_equal(parse_copy(b, len, &c, &err), code);
	assert_int_equal(err.code, code);
	assert_null(c.rec);
	assert_null(c.raw);
	if (!strstr(err.msg, needle))
		fail_msg("message \"%s\" lacks \"%s\"", err.msg, needle);
}

static void test_rejects(void **state)
{
	uint8_t b[128], t[128];
	size_t len = build(b, sizeof(b), 0xa1b2c3d4u, false, 65535, 292, 0, doe_getver,
			   sizeof(doe_getver), sizeof(doe_getver));
	struct da_capture c;
	struct da_spdm_msg *m;
	struct da_err err = { 0 };
	size_t n;

	expect_parse(b, 3, -EBADMSG, "no global header");
	expect_parse(b, 20, -EBADMSG, "global header truncated");
	memcpy(t, b, len);
	t[0] = 0x0a;	/* pcapng section header block */
	expect_parse(t, len, -EBADMSG, "magic");
	memcpy(t, b, len);
	t[4] = 3;
	expect_parse(t, len, -EBADMSG, "version 3.4");
	/* A record header cut short, a record longer than the file. */
	expect_parse(b, 24 + 10, -EBADMSG, "record 0: header truncated");
	expect_parse(b, len - 1, -EBADMSG, "incl_len 12 exceeds the 11 bytes left");
	/* incl_len above SnapLen. */
	len = build(b, sizeof(b), 0xa1b2c3d4u, false, 8, 292, 0, doe_getver,
		    sizeof(doe_getver), sizeof(doe_getver));
	expect_parse(b, len, -EBADMSG, "incl_len 12 exceeds SnapLen 8");
	/* An empty capture is fine. */
	assert_int_equal(parse_copy(b, 24, &c, NULL), 0);
	assert_int_equal(c.nrec, 0);
	assert_int_equal(da_capture_spdm(&c, &m, &n, NULL), 0);
	assert_int_equal(n, 0);
	free(m);
	da_capture_free(&c);

	/* Ethernet is neither DOE nor MCTP. */
	len = build(b, sizeof(b), 0xa1b2c3d4u, false, 65535, 1, 0, doe_getver,
		    sizeof(doe_getver), sizeof(doe_getver));
	assert_int_equal(parse_copy(b, len, &c, NULL), 0);
	assert_int_equal(da_capture_spdm(&c, &m, &n, &err), -EOPNOTSUPP);
	assert_non_null(strstr(err.msg, "LinkType 1"));
	da_capture_free(&c);

	/* A packet the writer cut at SnapLen is not an SPDM message. */
	da_err_clear(&err);
	len = build(b, sizeof(b), 0xa1b2c3d4u, false, 65535, 292, 0, doe_getver,
		    sizeof(doe_getver), 100);
	assert_int_equal(parse_copy(b, len, &c, NULL), 0);
	assert_int_equal(da_capture_spdm(&c, &m, &n, &err), -EBADMSG);
	assert_non_null(strstr(err.msg, "record 0: cut at 12 of 100"));
	da_capture_free(&c);

	/* MCTP record without room for the transport header. */
	da_err_clear(&err);
	len = build(b, sizeof(b), 0xa1b2c3d4u, false, 65535, 291, 0, doe_getver, 3, 3);
	assert_int_equal(parse_copy(b, len, &c, NULL), 0);
	assert_int_equal(da_capture_spdm(&c, &m, &n, &err), -EBADMSG);
	assert_non_null(strstr(err.msg, "MCTP transport header"));
	da_capture_free(&c);

	assert_int_equal(da_pcap_read("/nonexistent.pcap", &c, NULL), -ENOENT);
}

static void test_tampered_capture(void **state)
{
	struct da_capture c;
	struct da_spdm_msg *m;
	struct da_err err = { 0 };
	char path[512];
	size_t n;

	capture_path(path, sizeof(path), captures[1]);
	assert_int_equal(da_pcap_read(path, &c, NULL), 0);
	/* Record 7 (VERSION): vendor byte, const-cast through the owned raw copy. */
	((uint8_t *)c.raw)[c.rec[7].data - c.raw] = 0x02;
	assert_int_equal(da_capture_spdm(&c, &m, &n, &err), -EBADMSG);
	assert_non_null(strstr(err.msg, "record 7"));
	assert_non_null(strstr(err.msg, "Vendor ID"));
	da_capture_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_real_captures),
		cmocka_unit_test(test_doe_write_read),
		cmocka_unit_test(test_snaplen_raised),
		cmocka_unit_test(test_snaplen_cut),
		cmocka_unit_test(test_mctp_write_read),
		cmocka_unit_test(test_byte_orders_and_nsec),
		cmocka_unit_test(test_rejects),
		cmocka_unit_test(test_tampered_capture),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
