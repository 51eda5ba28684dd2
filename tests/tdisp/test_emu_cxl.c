// SPDX-License-Identifier: MIT
/*
 * devauth-emu's CXL IDE_KM and CXL TSP device, in process, over a real
 * secure session (PCI_DOE): every request field the device checks, one
 * wrong value at a time (reserved bytes and bits, port, stream and
 * sub-stream, key length, TSP version, configuration values, state
 * rules, memory ranges, report offsets, secondary sessions), next to
 * the well-formed request it is a variation of.  The DMTF requester's whole flow is in
 * tests/peers/test_emu_tdisp.c.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <devauth/requester.h>
#include <devauth/transport.h>

#include "requester/req.h"
#include "requester/vendor.h"
#include "responder/device.h"
#include "spdm/vendor_codec.h"
#include "tdisp/cxl_codec.h"

struct conn {
	struct rsp_device *dev;
	struct spdm_responder *rsp;
	struct da_transport *t;
	struct spdm_req *r;
	uint8_t body[512];		/* the last answer's body after the protocol ID */
	size_t len;
};

/* psk_cap: PSK_CAP offered too (for later PSK sessions), the primary still by KEY_EXCHANGE */
static struct conn *conn_open_caps(bool cxl, bool psk_cap)
{
	static struct conn c;
	struct rsp_device_config dc;
	struct spdm_req_config cfg;
	struct da_err err = { 0 };

	memset(&c, 0, sizeof(c));
	rsp_device_config_default(&dc, "emu", 0);
	dc.tdisp.cxl = cxl;
	if (rsp_device_create(&dc, &c.dev, &err))
		fail_msg("rsp_device_create: %s", err.msg);
	c.rsp = spdm_responder_new(c.dev, DA_FRAMING_PCI_DOE);
	assert_non_null(c.rsp);
	assert_int_equal(da_transport_inproc(DA_FRAMING_PCI_DOE, spdm_responder_transport, c.rsp,
					     &c.t), 0);
	spdm_req_config_default(&cfg);
	cfg.dev_name = "emu";
	cfg.session = true;
	cfg.psk_len = psk_cap;
	c.r = spdm_req_new(&cfg, c.t);
	assert_non_null(c.r);
	if (spdm_req_authenticate(c.r, &err))
		fail_msg("authenticate: %s", err.msg);
	c.r->cfg.psk_len = 0;
	if (spdm_req_session_start(c.r, &err))
		fail_msg("session: %s", err.msg);
	return &c;
}

static struct conn *conn_open(bool cxl)
{
	return conn_open_caps(cxl, false);
}

static void conn_close(struct conn *c)
{
	spdm_req_free(c->r);
	da_transport_destroy(c->t);
	spdm_responder_free(c->rsp);
	rsp_device_free(c->dev);
}

/*
 * One CXL message in the session; 0 with the answer's body in c->body,
 * or the errno of an SPDM ERROR (-EINVAL InvalidRequest, -EOPNOTSUPP
 * UnsupportedRequest).
 */
static int xfer(struct conn *c, uint8_t protocol, const uint8_t *body, size_t len)
{
	uint8_t tx[600];
	struct wcur w = wcur_init(tx, sizeof(tx));
	struct spdm_vendor_msg m;
	struct da_err err = { 0 };
	const uint8_t *rsp;
	size_t rsp_len;
	int ret;

	spdm_encode_hdr(&w, spdm_req_version(c->r), SPDM_VENDOR_DEFINED_REQUEST, 0, 0);
	wcur_u16(&w, SPDM_REGISTRY_PCISIG);
	wcur_u8(&w, 2);
	wcur_u16(&w, CXL_VENDOR_ID);
	wcur_u16(&w, (uint16_t)(len + 1));
	wcur_u8(&w, protocol);
	wcur_bytes(&w, body, len);
	assert_true(wcur_finish(&w) > 0);
	ret = req_sess_exchange(c->r, tx, w.len, SPDM_VENDOR_DEFINED_RESPONSE, true, false, &rsp,
				&rsp_len, &err);
	if (ret)
		return ret;
	assert_true(spdm_decode_vendor_defined(rsp, rsp_len, true, &m, &err) > 0);
	assert_int_equal(m.vendor_id[0] | m.vendor_id[1] << 8, CXL_VENDOR_ID);
	assert_int_equal(m.payload[0], protocol);
	c->len = m.payload_len - 1u;
	assert_true(c->len <= sizeof(c->body));
	memcpy(c->body, m.payload + 1, c->len);
	return 0;
}

/* ---- IDE_KM ---- */

static void stream(uint8_t *m, uint8_t object, uint8_t stream_id, uint8_t kss, uint8_t port)
{
	memset(m, 0, CXL_IDEKM_KEY_MSG_SIZE + 1);
	m[0] = object;
	m[3] = stream_id;
	m[5] = kss;
	m[6] = port;
}

/* KEY_PROG; returns the KP_ACK status */
static int key_prog(struct conn *c, const uint8_t *m, size_t len)
{
	struct cxl_idekm_stream s;

	assert_int_equal(xfer(c, CXL_PROTOCOL_IDE_KM, m, len), 0);
	assert_int_equal(cxl_idekm_decode_stream(c->body, c->len, CXL_IDEKM_KP_ACK, &s, NULL),
			 CXL_IDEKM_STREAM_SIZE);
	return s.status;
}

static void test_ide_km(void **state)
{
	struct conn *c = conn_open(true);
	const uint8_t q[] = { CXL_IDEKM_QUERY, 0, 0 }, q_rsv[] = { CXL_IDEKM_QUERY, 1, 0 };
	const uint8_t q_port[] = { CXL_IDEKM_QUERY, 0, 2 };
	uint8_t m[CXL_IDEKM_KEY_MSG_SIZE + 1];
	const uint8_t rx = CXL_IDEKM_KSS_SUB_CXL, tx = CXL_IDEKM_KSS_SUB_CXL | CXL_IDEKM_KSS_TX;

	(void)state;
	assert_int_equal(xfer(c, CXL_PROTOCOL_IDE_KM, q, sizeof(q)), 0);
	assert_int_equal(c->len, CXL_IDEKM_QUERY_RESP_FIXED + CXL_IDE_CAP_SIZE);
	assert_int_equal(c->body[0], CXL_IDEKM_QUERY_RESP);
	assert_int_equal(c->body[6], 1);	/* MaxPortIndex */
	assert_int_equal(c->body[7] & CXL_IDEKM_CAP_KEY_GEN, CXL_IDEKM_CAP_KEY_GEN);
	assert_int_equal(xfer(c, CXL_PROTOCOL_IDE_KM, q_rsv, sizeof(q_rsv)), -EINVAL);
	assert_int_equal(xfer(c, CXL_PROTOCOL_IDE_KM, q_port, sizeof(q_port)), -EINVAL);

	/* GET_KEY: a fresh key each time, for the device's Rx only */
	stream(m, CXL_IDEKM_GET_KEY, 0, rx, 0);
	assert_int_equal(xfer(c, CXL_PROTOCOL_IDE_KM, m, CXL_IDEKM_STREAM_SIZE), 0);
	assert_int_equal(c->len, CXL_IDEKM_KEY_MSG_SIZE);
	assert_int_equal(c->body[0], CXL_IDEKM_GET_KEY_ACK);
	stream(m, CXL_IDEKM_GET_KEY, 0, tx, 0);
	assert_int_equal(xfer(c, CXL_PROTOCOL_IDE_KM, m, CXL_IDEKM_STREAM_SIZE), -EINVAL);

	/* K_SET_GO before KEY_PROG */
	stream(m, CXL_IDEKM_K_SET_GO, 0, rx, 0);
	assert_int_equal(xfer(c, CXL_PROTOCOL_IDE_KM, m, CXL_IDEKM_STREAM_SIZE), -EINVAL);

	/* KEY_PROG: every wrong field is KP_ACK status 1 */
	stream(m, CXL_IDEKM_KEY_PROG, 1, rx, 0);
	assert_int_equal(key_prog(c, m, CXL_IDEKM_KEY_MSG_SIZE), CXL_IDEKM_KP_INVALID);
	stream(m, CXL_IDEKM_KEY_PROG, 0, 0x10, 0);
	assert_int_equal(key_prog(c, m, CXL_IDEKM_KEY_MSG_SIZE), CXL_IDEKM_KP_INVALID);
	stream(m, CXL_IDEKM_KEY_PROG, 0, rx | 0x01, 0);
	assert_int_equal(key_prog(c, m, CXL_IDEKM_KEY_MSG_SIZE), CXL_IDEKM_KP_INVALID);
	stream(m, CXL_IDEKM_KEY_PROG, 0, rx, 2);
	assert_int_equal(key_prog(c, m, CXL_IDEKM_KEY_MSG_SIZE), CXL_IDEKM_KP_INVALID);
	stream(m, CXL_IDEKM_KEY_PROG, 0, rx, 0);
	m[1] = 1;
	assert_int_equal(key_prog(c, m, CXL_IDEKM_KEY_MSG_SIZE), CXL_IDEKM_KP_INVALID);
	stream(m, CXL_IDEKM_KEY_PROG, 0, rx, 0);
	assert_int_equal(key_prog(c, m, CXL_IDEKM_KEY_MSG_SIZE - CXL_IDEKM_IV_SIZE),
			 CXL_IDEKM_KP_INVALID);
	assert_int_equal(key_prog(c, m, CXL_IDEKM_KEY_MSG_SIZE + 1), CXL_IDEKM_KP_INVALID);
	/* none of them programmed a key */
	stream(m, CXL_IDEKM_K_SET_GO, 0, rx, 0);
	assert_int_equal(xfer(c, CXL_PROTOCOL_IDE_KM, m, CXL_IDEKM_STREAM_SIZE), -EINVAL);

	/* the good ones, with the default IV */
	stream(m, CXL_IDEKM_KEY_PROG, 0, rx | CXL_IDEKM_KSS_IV_DEFAULT, 0);
	assert_int_equal(key_prog(c, m, CXL_IDEKM_KEY_MSG_SIZE), CXL_IDEKM_KP_SUCCESS);
	stream(m, CXL_IDEKM_KEY_PROG, 0, tx, 1);
	assert_int_equal(key_prog(c, m, CXL_IDEKM_KEY_MSG_SIZE), CXL_IDEKM_KP_SUCCESS);
	stream(m, CXL_IDEKM_K_SET_GO, 0, rx | CXL_IDEKM_KSS_CONTAINMENT, 0);
	assert_int_equal(xfer(c, CXL_PROTOCOL_IDE_KM, m, CXL_IDEKM_STREAM_SIZE), 0);
	assert_int_equal(c->body[0], CXL_IDEKM_K_GOSTOP_ACK);
	/* port 1 has a Tx key, not an Rx one */
	stream(m, CXL_IDEKM_K_SET_GO, 0, rx, 1);
	assert_int_equal(xfer(c, CXL_PROTOCOL_IDE_KM, m, CXL_IDEKM_STREAM_SIZE), -EINVAL);
	/* byte 4 is reserved but in KP_ACK */
	stream(m, CXL_IDEKM_K_SET_GO, 0, rx, 0);
	m[4] = 1;
	assert_int_equal(xfer(c, CXL_PROTOCOL_IDE_KM, m, CXL_IDEKM_STREAM_SIZE), -EINVAL);
	/* K_SET_STOP has no mode bit */
	stream(m, CXL_IDEKM_K_SET_STOP, 0, rx | CXL_IDEKM_KSS_CONTAINMENT, 0);
	assert_int_equal(xfer(c, CXL_PROTOCOL_IDE_KM, m, CXL_IDEKM_STREAM_SIZE), -EINVAL);
	stream(m, CXL_IDEKM_K_SET_STOP, 0, rx, 0);
	assert_int_equal(xfer(c, CXL_PROTOCOL_IDE_KM, m, CXL_IDEKM_STREAM_SIZE), 0);
	/* stopped is unprogrammed: GO needs a new KEY_PROG */
	stream(m, CXL_IDEKM_K_SET_GO, 0, rx, 0);
	assert_int_equal(xfer(c, CXL_PROTOCOL_IDE_KM, m, CXL_IDEKM_STREAM_SIZE), -EINVAL);
	conn_close(c);
}

/* "cxl": false in the device config: the CXL vendor ID is not this device's. */
static void test_disabled(void **state)
{
	struct conn *c = conn_open(false);
	const uint8_t q[] = { CXL_IDEKM_QUERY, 0, 0 };

	(void)state;
	assert_int_equal(xfer(c, CXL_PROTOCOL_IDE_KM, q, sizeof(q)), -EOPNOTSUPP);
	conn_close(c);
}

/* ---- TSP ---- */

/* A TSP request; returns the ERROR code, 0 for the response op | 0x100. */
static uint32_t tsp(struct conn *c, const uint8_t *m, size_t len)
{
	uint32_t code = 0;

	assert_int_equal(xfer(c, CXL_PROTOCOL_TSP, m, len), 0);
	assert_int_equal(c->body[0], CXL_TSP_VER_10);
	if (c->body[1] != CXL_TSP_ERROR)
		return 0x100u | c->body[1];
	assert_int_equal(c->len, CXL_TSP_ERROR_SIZE);
	for (int i = 0; i < 4; i++)
		code |= (uint32_t)c->body[4 + i] << (8 * i);
	return code;
}

#define OK(op)	(0x100u | CXL_TSP_RSP(op))
#define BAD_CONFIG CXL_TSP_ERR_INVALID_SECURITY_CONFIGURATION

/* SET_TARGET_CONFIGURATION as the DMTF requester sends it. */
static void config(uint8_t *m)
{
	memset(m, 0, CXL_TSP_SET_CONFIG_SIZE + 1);
	m[0] = CXL_TSP_VER_10;
	m[1] = CXL_TSP_SET_CONFIGURATION;
	m[2] = CXL_TSP_MEM_ENC_ENCRYPTION;
	m[4] = CXL_TSP_MEM_ALGO_AES_XTS_256;
	m[12] = CXL_TSP_TE_READ_ACCESS | CXL_TSP_TE_IMPLICIT | CXL_TSP_TE_EXPLICIT_IB;
	m[24] = CXL_TSP_CFG_LOCKED_FW_UPDATE;
	/* IB granularity entries from offset 48: the first one 0, the others unused */
	for (int i = 1; i < CXL_TSP_IB_GRAN_ENTRIES; i++)
		m[48 + 16 * i + 8] = CXL_TSP_IB_GRAN_UNUSED;
	m[192] = 0x01;				/* secondary session 0's PSK is valid */
	memset(m + 224, 0x5a, CXL_TSP_PSK_SIZE);
}

static void te(uint8_t *m, uint8_t state, uint64_t start, uint64_t len)
{
	memset(m, 0, CXL_TSP_TE_STATE_FIXED + CXL_TSP_MEM_RANGE_SIZE);
	m[0] = CXL_TSP_VER_10;
	m[1] = CXL_TSP_SET_TE_STATE;
	m[2] = state;
	m[3] = 1;
	for (int i = 0; i < 8; i++) {
		m[16 + i] = (uint8_t)(start >> (8 * i));
		m[24 + i] = (uint8_t)(len >> (8 * i));
	}
}

static void test_tsp(void **state)
{
	struct conn *c = conn_open(true);
	const uint8_t ver[] = { CXL_TSP_VER_10, CXL_TSP_GET_VERSION, 0, 0 };
	const uint8_t ver11[] = { 0x11, CXL_TSP_GET_VERSION, 0, 0 };
	const uint8_t caps_rsv[] = { CXL_TSP_VER_10, CXL_TSP_GET_CAPABILITIES, 0, 1 };
	const uint8_t caps[] = { CXL_TSP_VER_10, CXL_TSP_GET_CAPABILITIES, 0, 0 };
	const uint8_t lock[] = { CXL_TSP_VER_10, CXL_TSP_LOCK_CONFIGURATION, 0, 0 };
	const uint8_t get[] = { CXL_TSP_VER_10, CXL_TSP_GET_CONFIGURATION, 0, 0 };
	const uint8_t rep[] = { CXL_TSP_VER_10, CXL_TSP_GET_CONFIGURATION_REPORT, 0, 0,
				0x10, 0, 0x00, 0x02 };
	const uint8_t rep_far[] = { CXL_TSP_VER_10, CXL_TSP_GET_CONFIGURATION_REPORT, 0, 0,
				    0xdc, 0, 0x10, 0 };
	uint8_t m[CXL_TSP_SET_CONFIG_SIZE + 1];

	(void)state;
	assert_int_equal(tsp(c, ver, sizeof(ver)), OK(CXL_TSP_GET_VERSION));
	assert_int_equal(c->len, 6);
	assert_int_equal(c->body[5], CXL_TSP_VER_10);
	assert_int_equal(tsp(c, ver11, sizeof(ver11)), CXL_TSP_ERR_VERSION_MISMATCH);
	assert_int_equal(tsp(c, caps_rsv, sizeof(caps_rsv)), CXL_TSP_ERR_INVALID_REQUEST);
	assert_int_equal(tsp(c, caps, sizeof(caps)), OK(CXL_TSP_GET_CAPABILITIES));
	assert_int_equal(c->len, CXL_TSP_CAPS_RSP_SIZE);

	/* nothing to lock, nor a TE state to change, before a configuration */
	assert_int_equal(tsp(c, lock, sizeof(lock)), CXL_TSP_ERR_INVALID_SECURITY_STATE);

	/* SET_TARGET_CONFIGURATION: one wrong value at a time */
	config(m);
	m[4] = CXL_TSP_MEM_ALGO_AES_XTS_128;
	assert_int_equal(tsp(c, m, CXL_TSP_SET_CONFIG_SIZE), BAD_CONFIG);
	config(m);
	m[4] = CXL_TSP_MEM_ALGO_AES_XTS_128 | CXL_TSP_MEM_ALGO_AES_XTS_256;
	assert_int_equal(tsp(c, m, CXL_TSP_SET_CONFIG_SIZE), BAD_CONFIG);
	config(m);
	m[2] |= 0x02;			/* CKID-based encryption too */
	assert_int_equal(tsp(c, m, CXL_TSP_SET_CONFIG_SIZE), BAD_CONFIG);
	config(m);
	m[12] |= CXL_TSP_TE_WRITE_ACCESS;
	assert_int_equal(tsp(c, m, CXL_TSP_SET_CONFIG_SIZE), BAD_CONFIG);
	config(m);
	m[24] = 0x04;
	assert_int_equal(tsp(c, m, CXL_TSP_SET_CONFIG_SIZE), BAD_CONFIG);
	config(m);
	m[32] = 1;				/* Number of CKIDs */
	assert_int_equal(tsp(c, m, CXL_TSP_SET_CONFIG_SIZE), BAD_CONFIG);
	config(m);
	m[192] = 0x02;				/* secondary session 1: the device has one */
	assert_int_equal(tsp(c, m, CXL_TSP_SET_CONFIG_SIZE), BAD_CONFIG);
	config(m);
	m[48 + 8] = 9;				/* a length index beyond the entries */
	assert_int_equal(tsp(c, m, CXL_TSP_SET_CONFIG_SIZE), BAD_CONFIG);
	config(m);
	m[40] = 1;				/* reserved */
	assert_int_equal(tsp(c, m, CXL_TSP_SET_CONFIG_SIZE), CXL_TSP_ERR_INVALID_REQUEST);
	config(m);
	assert_int_equal(tsp(c, m, CXL_TSP_SET_CONFIG_SIZE - 1), CXL_TSP_ERR_INVALID_REQUEST);
	assert_int_equal(tsp(c, m, CXL_TSP_SET_CONFIG_SIZE + 1), CXL_TSP_ERR_INVALID_REQUEST);
	te(m, 1, 0x100000, 0x10000);
	assert_int_equal(tsp(c, m, CXL_TSP_TE_STATE_FIXED + CXL_TSP_MEM_RANGE_SIZE),
			 CXL_TSP_ERR_INVALID_SECURITY_STATE);
	config(m);
	assert_int_equal(tsp(c, m, CXL_TSP_SET_CONFIG_SIZE), OK(CXL_TSP_SET_CONFIGURATION));
	assert_int_equal(tsp(c, get, sizeof(get)), OK(CXL_TSP_GET_CONFIGURATION));
	assert_int_equal(c->len, CXL_TSP_GET_CONFIG_RSP_SIZE);
	assert_int_equal(c->body[36], CXL_TSP_STATE_CONFIG_UNLOCKED);

	/* the report: a portion from an offset, nothing past its end */
	assert_int_equal(tsp(c, rep, sizeof(rep)), OK(CXL_TSP_GET_CONFIGURATION_REPORT));
	assert_int_equal(c->body[4] | c->body[5] << 8, 0xdc - 0x10);
	assert_int_equal(c->body[6] | c->body[7] << 8, 0);
	assert_int_equal(tsp(c, rep_far, sizeof(rep_far)), CXL_TSP_ERR_INVALID_REQUEST);

	assert_int_equal(tsp(c, lock, sizeof(lock)), OK(CXL_TSP_LOCK_CONFIGURATION));
	assert_int_equal(tsp(c, lock, sizeof(lock)), CXL_TSP_ERR_ALREADY_LOCKED);
	config(m);
	assert_int_equal(tsp(c, m, CXL_TSP_SET_CONFIG_SIZE), CXL_TSP_ERR_ALREADY_LOCKED);
	assert_int_equal(tsp(c, get, sizeof(get)), OK(CXL_TSP_GET_CONFIGURATION));
	assert_int_equal(c->body[36], CXL_TSP_STATE_CONFIG_LOCKED);

	/* SET_TARGET_TE_STATE: whole 64-byte blocks, a state of 0 or 1 */
	te(m, 1, 0x100000, 0x10000);
	assert_int_equal(tsp(c, m, CXL_TSP_TE_STATE_FIXED + CXL_TSP_MEM_RANGE_SIZE),
			 OK(CXL_TSP_SET_TE_STATE));
	te(m, 1, 0x100020, 0x10000);
	assert_int_equal(tsp(c, m, CXL_TSP_TE_STATE_FIXED + CXL_TSP_MEM_RANGE_SIZE),
			 CXL_TSP_ERR_INVALID_REQUEST);
	te(m, 1, 0x100000, 0);
	assert_int_equal(tsp(c, m, CXL_TSP_TE_STATE_FIXED + CXL_TSP_MEM_RANGE_SIZE),
			 CXL_TSP_ERR_INVALID_REQUEST);
	te(m, 1, 0xffffffffffffffc0ull, 0x80);
	assert_int_equal(tsp(c, m, CXL_TSP_TE_STATE_FIXED + CXL_TSP_MEM_RANGE_SIZE),
			 CXL_TSP_ERR_INVALID_REQUEST);
	te(m, 2, 0x100000, 0x10000);
	assert_int_equal(tsp(c, m, CXL_TSP_TE_STATE_FIXED + CXL_TSP_MEM_RANGE_SIZE),
			 CXL_TSP_ERR_INVALID_REQUEST);
	te(m, 0, 0x100000, 0x10000);
	m[3] = 2;				/* two ranges, one sent */
	assert_int_equal(tsp(c, m, CXL_TSP_TE_STATE_FIXED + CXL_TSP_MEM_RANGE_SIZE),
			 CXL_TSP_ERR_INVALID_REQUEST);

	conn_close(c);
}

/*
 * A second session on the same connection, by PSK_EXCHANGE with the
 * hint and PSK the primary session configured; the primary session is
 * set aside meanwhile and given back by secondary_end().  0 when
 * established.
 */
static struct spdm_session *primary;
static struct da_err sec_err;

static int secondary(struct conn *c, uint8_t psk_byte, const char *hint)
{
	int ret;

	assert_null(primary);
	primary = c->r->sess;
	c->r->sess = NULL;
	memset(c->r->cfg.psk, psk_byte, CXL_TSP_PSK_SIZE);
	c->r->cfg.psk_len = CXL_TSP_PSK_SIZE;
	c->r->cfg.psk_hint_len = strlen(hint) + 1;	/* the string with its NUL */
	memcpy(c->r->cfg.psk_hint, hint, c->r->cfg.psk_hint_len);
	memset(&sec_err, 0, sizeof(sec_err));
	ret = spdm_req_session_start(c->r, &sec_err);
	fprintf(stderr, "secondary session, hint %s, PSK %02x..: %d %s\n", hint, psk_byte, ret,
		ret ? sec_err.msg : "established");
	if (ret) {
		c->r->sess = primary;
		primary = NULL;
	}
	return ret;
}

static void secondary_end(struct conn *c)
{
	req_sess_free(c->r);
	c->r->sess = primary;
	primary = NULL;
}

/*
 * Secondary sessions: only with the hint of a PSK the configuration made
 * valid, only with that PSK, and without the privilege to configure or
 * lock the device.
 */
static void test_secondary(void **state)
{
	struct conn *c = conn_open_caps(true, true);
	const uint8_t lock[] = { CXL_TSP_VER_10, CXL_TSP_LOCK_CONFIGURATION, 0, 0 };
	const uint8_t get[] = { CXL_TSP_VER_10, CXL_TSP_GET_CONFIGURATION, 0, 0 };
	uint8_t m[CXL_TSP_SET_CONFIG_SIZE + 1];

	(void)state;
	/* nothing configured: no secondary PSK to open a session with */
	assert_int_equal(secondary(c, 0x5a, "SECONDARY_SESSION_0_PSK"), -EINVAL);

	config(m);
	m[192] = 0;				/* no secondary PSK valid */
	assert_int_equal(tsp(c, m, CXL_TSP_SET_CONFIG_SIZE), OK(CXL_TSP_SET_CONFIGURATION));
	assert_int_equal(secondary(c, 0x5a, "SECONDARY_SESSION_0_PSK"), -EINVAL);

	config(m);				/* secondary session 0's PSK, 0x5a bytes */
	assert_int_equal(tsp(c, m, CXL_TSP_SET_CONFIG_SIZE), OK(CXL_TSP_SET_CONFIGURATION));
	assert_int_equal(secondary(c, 0x5a, "SECONDARY_SESSION_1_PSK"), -EINVAL);
	assert_int_equal(secondary(c, 0x5a, "SECONDARY_SESSION_0_PS"), -EINVAL);
	/* the right hint, another PSK: the device's verify data gives it away */
	assert_int_equal(secondary(c, 0xa5, "SECONDARY_SESSION_0_PSK"), -EBADMSG);
	assert_non_null(strstr(sec_err.msg, "ResponderVerifyData"));
	/* a hint longer than the requester holds is refused before it is sent */
	primary = c->r->sess;
	c->r->sess = NULL;
	c->r->cfg.psk_hint_len = sizeof(c->r->cfg.psk_hint) + 1;
	memset(&sec_err, 0, sizeof(sec_err));
	assert_int_equal(spdm_req_session_start(c->r, &sec_err), -EINVAL);
	assert_non_null(strstr(sec_err.msg, "at most"));
	c->r->sess = primary;
	primary = NULL;

	assert_int_equal(secondary(c, 0x5a, "SECONDARY_SESSION_0_PSK"), 0);
	assert_int_equal(tsp(c, get, sizeof(get)), OK(CXL_TSP_GET_CONFIGURATION));
	config(m);
	assert_int_equal(tsp(c, m, CXL_TSP_SET_CONFIG_SIZE), CXL_TSP_ERR_NO_PRIVILEGE);
	assert_int_equal(tsp(c, lock, sizeof(lock)), CXL_TSP_ERR_NO_PRIVILEGE);
	assert_int_equal(tsp(c, get, sizeof(get)), OK(CXL_TSP_GET_CONFIGURATION));
	assert_int_equal(c->body[36], CXL_TSP_STATE_CONFIG_UNLOCKED);
	secondary_end(c);

	/* the primary session still may */
	assert_int_equal(tsp(c, lock, sizeof(lock)), OK(CXL_TSP_LOCK_CONFIGURATION));
	conn_close(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ide_km),
		cmocka_unit_test(test_disabled),
		cmocka_unit_test(test_tsp),
		cmocka_unit_test(test_secondary),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
