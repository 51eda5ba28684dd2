// SPDX-License-Identifier: MIT
/*
 * TDISP and IDE_KM of our requester against the DMTF spdm_responder_emu
 * over PCI_DOE, inside a secure session, for SPDM 1.2, 1.3 and 1.4:
 * version and capabilities, lock (a nonce), the report read in small
 * portions (so every read crosses portion boundaries) and decoded to the
 * interface the DMTF device sample serves, START with a wrong nonce
 * refused and the state left CONFIG_LOCKED, START with the lock's nonce,
 * RUN, STOP, CONFIG_UNLOCKED; IDE_KM QUERY, KEY_PROG of every key set,
 * direction and sub-stream of a stream, K_SET_GO and K_SET_STOP acked.
 * Then `devauth probe --session --tdisp --ide-km --json`.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <json-c/json.h>

#include <devauth/requester.h>
#include <devauth/transport.h>

#include "peer_harness.h"
#include "tdisp/tdisp.h"

struct dev {
	struct peer_proc p;
	struct da_transport *t;
	struct spdm_req *r;
};

static void open_dev(struct dev *d, const char *ver)
{
	const char *args[] = { "--trans", "PCI_DOE", "--ver", ver, NULL };
	struct spdm_req_config c;
	struct da_err err = { 0 };
	char hp[32];
	int ret;

	memset(d, 0, sizeof(*d));
	assert_int_equal(peer_start_responder(&d->p, args, 20), 0);
	snprintf(hp, sizeof(hp), "127.0.0.1:%d", d->p.port);
	assert_int_equal(da_transport_emu_connect(hp, DA_FRAMING_PCI_DOE, 5000, &d->t, &err), 0);
	spdm_req_config_default(&c);
	c.dev_name = "dmtf";
	c.min_version = c.max_version = (uint8_t)(0x10 | (ver[2] - '0'));
	c.session = true;
	d->r = spdm_req_new(&c, d->t);
	assert_non_null(d->r);
	ret = spdm_req_authenticate(d->r, &err) ?: spdm_req_session_start(d->r, &err);
	if (ret) {
		peer_dump_log(&d->p);
		fail_msg("SPDM %s: %s", ver, err.msg);
	}
}

static void close_dev(struct dev *d)
{
	struct da_err err = { 0 };

	assert_int_equal(spdm_req_session_end(d->r, &err), 0);
	if (d->t->ops->close)
		d->t->ops->close(d->t, false, NULL);
	spdm_req_free(d->r);
	da_transport_destroy(d->t);
	peer_stop(&d->p);
}

#define OK(call) do {						\
		int r_ = (call);				\
		if (r_)						\
			fail_msg("%s: %d %s", #call, r_, err.msg);	\
	} while (0)

/* What the DMTF TDISP device sample builds when it is locked. */
static const struct tdisp_mmio_range dmtf_ranges[] = {
	{ 0x0000, 1, TDISP_MMIO_NON_TEE, 1 },
	{ 0x8000, 4, TDISP_MMIO_ATTR_UPDATABLE, 2 },
	{ 0x10000, 8, TDISP_MMIO_ATTR_UPDATABLE, 3 },
	{ 0x20000, 8, TDISP_MMIO_ATTR_UPDATABLE, 4 },
};

static void check_report(const struct tdisp_req *t)
{
	struct tdisp_mmio_range m;

	assert_int_equal(t->report.len, 16 + 4 * 16 + 4 + 16);
	assert_int_equal(t->rep.interface_info,
			 TDISP_INFO_NO_UPDATE_AFTER_LOCK | TDISP_INFO_DMA_WITHOUT_PASID);
	assert_int_equal(t->rep.reserved, 0);
	assert_int_equal(t->rep.msix_control, 0);
	assert_int_equal(t->rep.lnr_control, 0);
	assert_int_equal(t->rep.tph_control, 0);
	assert_int_equal(t->rep.mmio_count, 4);
	for (uint32_t i = 0; i < 4; i++) {
		tdisp_report_range(&t->rep, i, &m);
		assert_int_equal(m.first_page, dmtf_ranges[i].first_page);
		assert_int_equal(m.pages, dmtf_ranges[i].pages);
		assert_int_equal(m.attributes, dmtf_ranges[i].attributes);
		assert_int_equal(m.range_id, dmtf_ranges[i].range_id);
	}
	assert_int_equal(t->rep.dsi_len, 16);
	assert_memory_equal(t->rep.dsi, "tdisp_dev_emu", sizeof("tdisp_dev_emu"));
}

static void tdisp_flow(const char *ver)
{
	static const uint8_t zero[TDISP_NONCE_SIZE];
	struct tdisp_lock_params lp = { .flags = TDISP_LOCK_NO_FW_UPDATE };
	uint8_t state, wrong[TDISP_NONCE_SIZE];
	struct da_err err = { 0 };
	struct tdisp_req t;
	struct dev d;
	int ret;

	open_dev(&d, ver);
	tdisp_req_init(&t, d.r, 0);
	/* 40 bytes a portion: the 100-byte report comes in three, two boundaries inside ranges. */
	t.portion = 40;
	OK(tdisp_req_version(&t, &err));
	assert_int_equal(t.version, TDISP_VER_10);
	OK(tdisp_req_capabilities(&t, &err));
	assert_int_equal(t.caps.lock_flags_supported, TDISP_LOCK_NO_FW_UPDATE |
			 TDISP_LOCK_SYSTEM_CACHE_LINE_SIZE | TDISP_LOCK_MSIX);
	assert_int_equal(t.caps.dev_addr_width, 48);
	OK(tdisp_req_state(&t, &state, &err));
	assert_int_equal(state, TDISP_STATE_CONFIG_UNLOCKED);

	/* A flag the device did not announce never leaves the TSM. */
	lp.flags = TDISP_LOCK_BIND_P2P;
	da_err_clear(&err);
	assert_int_equal(tdisp_req_lock(&t, &lp, &err), -EOPNOTSUPP);
	assert_non_null(strstr(err.msg, "LOCK_INTERFACE_FLAGS_SUPPORTED"));
	lp.flags = TDISP_LOCK_NO_FW_UPDATE;
	OK(tdisp_req_lock(&t, &lp, &err));
	assert_true(t.locked);
	assert_memory_not_equal(t.nonce, zero, sizeof(zero));
	OK(tdisp_req_state(&t, &state, &err));
	assert_int_equal(state, TDISP_STATE_CONFIG_LOCKED);

	OK(tdisp_req_report(&t, &err));
	assert_int_equal(t.portions, 3);
	check_report(&t);
	/*
	 * Asked for all of it at once, the DMTF device still answers in
	 * portions of at most 64 bytes (its portion limit): the same bytes.
	 */
	{
		struct da_buf first = { 0 };

		assert_int_equal(da_buf_dup(&first, &t.report), 0);
		t.portion = TDISP_DEFAULT_PORTION;
		OK(tdisp_req_report(&t, &err));
		assert_int_equal(t.portions, 2);
		assert_int_equal(first.len, t.report.len);
		assert_memory_equal(first.data, t.report.data, first.len);
		da_buf_free(&first);
	}

	/* START with a nonce that is not the lock's: refused, still locked. */
	memcpy(wrong, t.nonce, sizeof(wrong));
	wrong[7] ^= 0x01;
	da_err_clear(&err);
	ret = tdisp_req_start(&t, wrong, &err);
	assert_int_equal(ret, -EACCES);
	assert_non_null(strstr(err.msg, "INVALID_NONCE"));
	assert_true(t.had_error);
	assert_int_equal(t.last_error.code, TDISP_ERR_INVALID_NONCE);
	OK(tdisp_req_state(&t, &state, &err));
	assert_int_equal(state, TDISP_STATE_CONFIG_LOCKED);

	OK(tdisp_req_start(&t, t.nonce, &err));
	OK(tdisp_req_state(&t, &state, &err));
	assert_int_equal(state, TDISP_STATE_RUN);
	/* Locking a running interface is a state error of the device. */
	da_err_clear(&err);
	ret = tdisp_req_lock(&t, &lp, &err);
	assert_int_equal(ret, -EPERM);
	assert_non_null(strstr(err.msg, "INVALID_INTERFACE_STATE"));

	OK(tdisp_req_stop(&t, &err));
	assert_false(t.locked);
	OK(tdisp_req_state(&t, &state, &err));
	assert_int_equal(state, TDISP_STATE_CONFIG_UNLOCKED);
	tdisp_req_free(&t);
	close_dev(&d);
}

static void ide_km_flow(const char *ver)
{
	struct da_err err = { 0 };
	struct idekm_port q;
	uint8_t key[IDEKM_KEY_SIZE], ifv[IDEKM_IFV_SIZE];
	struct tdisp_chan ch;
	struct dev d;

	open_dev(&d, ver);
	tdisp_chan_session(&ch, d.r);
	OK(idekm_req_query(&ch, 0, &q, &err));
	assert_int_equal(q.port_index, 0);
	assert_true(q.nregs >= 2);
	for (unsigned int i = 0; i < sizeof(key); i++)
		key[i] = (uint8_t)(0xA0 + i);
	memset(ifv, 0x5A, sizeof(ifv));
	for (uint8_t sub = 0; sub <= 2; sub++)
		for (uint8_t dir = 0; dir <= 1; dir++) {
			struct idekm_stream s = {
				.stream_id = 0, .port_index = 0,
				.kss = (uint8_t)(sub << 4 | (dir ? IDEKM_KSS_TX : 0)),
			};

			OK(idekm_req_key_prog(&ch, &s, key, ifv, &err));
			OK(idekm_req_key_set(&ch, true, &s, &err));
		}
	for (uint8_t sub = 0; sub <= 2; sub++)
		for (uint8_t dir = 0; dir <= 1; dir++) {
			struct idekm_stream s = {
				.stream_id = 0, .port_index = 0,
				.kss = (uint8_t)(sub << 4 | (dir ? IDEKM_KSS_TX : 0)),
			};

			OK(idekm_req_key_set(&ch, false, &s, &err));
		}
	close_dev(&d);
}

static int jint(json_object *o, const char *k)
{
	json_object *v;

	assert_true(json_object_object_get_ex(o, k, &v));
	return json_object_get_int(v);
}

static const char *jstr(json_object *o, const char *k)
{
	json_object *v;

	assert_true(json_object_object_get_ex(o, k, &v));
	return json_object_get_string(v);
}

/* The CLI end to end: every state read back, the report decoded as served. */
static void test_cli_probe_tdisp(void **state)
{
	static const char *const args[] = { "--trans", "PCI_DOE", "--ver", "1.4", NULL };
	static const char *const states[] = { "CONFIG_UNLOCKED", "CONFIG_LOCKED", "RUN",
					      "CONFIG_UNLOCKED" };
	const char *build = getenv("DEVAUTH_BUILD");
	json_object *j, *td, *km, *a;
	struct peer_proc p;
	char cmd[1024], out[1 << 16];
	size_t n;
	FILE *f;
	int rc;

	(void)state;
	assert_non_null(build);
	assert_int_equal(peer_start_responder(&p, args, 20), 0);
	snprintf(cmd, sizeof(cmd),
		 "%s/src/devauth/devauth probe --connect 127.0.0.1:%d --tdisp --ide-km"
		 " --report-portion 24 --json", build, p.port);
	f = popen(cmd, "r");
	assert_non_null(f);
	n = fread(out, 1, sizeof(out) - 1, f);
	out[n] = '\0';
	rc = pclose(f);
	if (rc) {
		fprintf(stderr, "%s\n", out);
		peer_dump_log(&p);
	}
	assert_int_equal(rc, 0);
	j = json_tokener_parse(out);
	assert_non_null(j);
	assert_true(json_object_object_get_ex(j, "tdisp", &td));
	assert_int_equal(jint(td, "version"), TDISP_VER_10);
	/* 100 bytes, 24 a portion: five responses. */
	assert_int_equal(jint(td, "portions"), 5);
	assert_int_equal(strlen(jstr(td, "report")), 2 * 100);
	assert_int_equal(strlen(jstr(td, "nonce")), 2 * TDISP_NONCE_SIZE);
	assert_int_equal(jint(td, "interface_info"), 3);
	assert_true(json_object_object_get_ex(td, "mmio_ranges", &a));
	assert_int_equal(json_object_array_length(a), 4);
	for (size_t i = 0; i < 4; i++) {
		json_object *m = json_object_array_get_idx(a, i);

		assert_int_equal(jint(m, "range_id"), dmtf_ranges[i].range_id);
		assert_int_equal(jint(m, "pages"), dmtf_ranges[i].pages);
		assert_int_equal(jint(m, "first_page"), dmtf_ranges[i].first_page);
		assert_int_equal(jint(m, "attributes"), dmtf_ranges[i].attributes);
	}
	assert_true(json_object_object_get_ex(td, "states", &a));
	assert_int_equal(json_object_array_length(a), 4);
	for (size_t i = 0; i < 4; i++)
		assert_string_equal(json_object_get_string(json_object_array_get_idx(a, i)),
				    states[i]);
	assert_true(json_object_object_get_ex(j, "ide_km", &km));
	assert_int_equal(jint(km, "keys_programmed"), 2);
	assert_string_equal(jstr(j, "verdict"), "pass");
	json_object_put(j);
	peer_stop(&p);
}

static void test_tdisp_12(void **state) { (void)state; tdisp_flow("1.2"); }
static void test_tdisp_13(void **state) { (void)state; tdisp_flow("1.3"); }
static void test_tdisp_14(void **state) { (void)state; tdisp_flow("1.4"); }
static void test_ide_km_12(void **state) { (void)state; ide_km_flow("1.2"); }
static void test_ide_km_13(void **state) { (void)state; ide_km_flow("1.3"); }
static void test_ide_km_14(void **state) { (void)state; ide_km_flow("1.4"); }

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tdisp_12),
		cmocka_unit_test(test_tdisp_13),
		cmocka_unit_test(test_tdisp_14),
		cmocka_unit_test(test_ide_km_12),
		cmocka_unit_test(test_ide_km_13),
		cmocka_unit_test(test_ide_km_14),
		cmocka_unit_test(test_cli_probe_tdisp),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
