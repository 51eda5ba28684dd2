// SPDX-License-Identifier: MIT
/*
 * devauthd's LOCK / ACCEPT / UNLOCK with the DMTF spdm_responder_emu as
 * the device (PCI_DOE), driven through the devauth CLI: lock refused
 * before connect; lock (with a nonce) publishes REPORT evidence that
 * decodes to the DMTF sample interface, and SESSION evidence; bind refused while locked and
 * not accepted; accept; connect refused while the session is held; bind;
 * lock, accept and unlock refused with EBUSY while bound; LIST showing
 * CONFIG_LOCKED, RUN and then no TDISP state; unbind,
 * unlock; the device then authenticates again over the same link.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <devauth/evidence.h>

#include "harness.h"
#include "peer_harness.h"
#include "tdisp/tdisp_codec.h"

#define DEV "dmtf0"

static struct rig rig;
static struct peer_proc peer;
static char out[1 << 16];

#define CLI(expect, needle, ...) do {						\
		int rc_ = devauth(&rig, out, sizeof(out), __VA_ARGS__, NULL);	\
		if (rc_ != (expect) || !strstr(out, (needle)))			\
			fail_msg("devauth %s: exit %d (want %d), no \"%s\" in: %s", \
				 #__VA_ARGS__, rc_, (expect), (needle), out);	\
	} while (0)

static void check_report(const char *bundle)
{
	static const uint64_t first[] = { 0x0000, 0x8000, 0x10000, 0x20000 };
	static const uint32_t pages[] = { 1, 4, 8, 8 };
	static const uint16_t attrs[] = { TDISP_MMIO_NON_TEE, TDISP_MMIO_ATTR_UPDATABLE,
					  TDISP_MMIO_ATTR_UPDATABLE, TDISP_MMIO_ATTR_UPDATABLE };
	struct da_err err = { 0 };
	struct da_evidence ev;
	struct tdisp_report r;
	struct tdisp_mmio_range m;
	const struct da_evidence_obj *o;

	if (da_evidence_read_file(bundle, &ev, &err))
		fail_msg("%s: %s", bundle, err.msg);
	o = &ev.obj[DA_EV_REPORT];
	assert_true(o->len > 0);
	assert_int_equal(tdisp_decode_report(o->data, o->len, &r, &err), (long)o->len);
	assert_int_equal(r.interface_info,
			 TDISP_INFO_NO_UPDATE_AFTER_LOCK | TDISP_INFO_DMA_WITHOUT_PASID);
	assert_int_equal(r.mmio_count, 4);
	for (uint32_t i = 0; i < 4; i++) {
		tdisp_report_range(&r, i, &m);
		assert_int_equal(m.first_page, first[i]);
		assert_int_equal(m.pages, pages[i]);
		assert_int_equal(m.attributes, attrs[i]);
		assert_int_equal(m.range_id, i + 1);
	}
	assert_memory_equal(r.dsi, "tdisp_dev_emu", sizeof("tdisp_dev_emu"));
	/* The rest of the lock's evidence: the authentication and in-session measurements. */
	assert_true(ev.obj[DA_EV_VCA].len > 0);
	assert_true(ev.obj[DA_EV_MEASUREMENTS].len > 0);
	/* ...and the session's signed KEY_EXCHANGE(_RSP), then the lock's TDISP header. */
	o = &ev.obj[DA_EV_SESSION];
	assert_true(o->len > 40 + TDISP_HDR_SIZE);
	assert_int_equal(o->data[1], 0xE4);
	assert_int_equal(o->data[o->len - TDISP_HDR_SIZE + 1], TDISP_LOCK_INTERFACE_REQ);
	da_evidence_free(&ev);
}

static void test_lock_accept_unlock(void **state)
{
	static const char *const args[] = { "--trans", "PCI_DOE", NULL };
	static const char *const d_extra[] = { "--op-timeout-ms", "10000", NULL };
	char cfg[1024], bundle[400];

	(void)state;
	rig_init(&rig);
	assert_int_equal(peer_start_responder(&peer, args, 20), 0);
	snprintf(cfg, sizeof(cfg),
		 "{ \"devices\": [ { \"name\": \"" DEV "\", \"transport\": \"127.0.0.1:%d\","
		 " \"framing\": \"pci-doe\" } ] }", peer.port);
	if (rig_start_daemon_cfg(&rig, cfg, d_extra))
		fail_msg("devauthd did not start; log %s", rig.d.log);
	snprintf(bundle, sizeof(bundle), "%s/locked.bundle", rig.dir);

	CLI(1, "not connected", "lock", DEV);
	CLI(0, "", "connect", DEV);
	CLI(1, "not locked", "accept", DEV);
	CLI(0, "locked", "lock", DEV, "--nonce",
	    "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff");
	/* Locking a locked device is done. */
	CLI(0, "", "lock", DEV);
	CLI(0, "\"tdisp\":\"CONFIG_LOCKED\"", "list", "--json");
	CLI(0, "TDISP CONFIG_LOCKED", "list");
	CLI(0, "report", "evidence", DEV, "--type", "cert0,vca,measurements,report,session", "-o",
	    bundle);
	check_report(bundle);
	CLI(1, "locked, not accepted", "bind", DEV);
	CLI(0, "RUN", "accept", DEV);
	CLI(0, "", "accept", DEV);
	CLI(0, "\"tdisp\":\"RUN\"", "list", "--json");
	/* A new authentication would end the held session. */
	CLI(1, "UNLOCK first", "connect", DEV);
	CLI(0, "", "bind", DEV);
	CLI(1, "a driver is bound", "unlock", DEV);
	CLI(1, "a driver is bound", "accept", DEV);
	CLI(1, "a driver is bound", "lock", DEV);
	CLI(0, "", "unbind", DEV);
	CLI(0, "unlocked", "unlock", DEV);
	CLI(0, "", "unlock", DEV);
	CLI(0, "connected", "list", "--json");
	assert_null(strstr(out, "\"tdisp\""));
	/* The REPORT went with the lock. */
	CLI(0, "", "evidence", DEV, "--type", "report,vca", "--json");
	assert_null(strstr(out, "\"report\""));
	/* Session over, link kept: the device authenticates again, and locks again. */
	CLI(0, "", "connect", DEV);
	CLI(0, "locked", "lock", DEV);
	CLI(0, "RUN", "accept", DEV);
	CLI(0, "unlocked", "unlock", DEV);
	assert_true(peer_alive(&peer));
	assert_int_equal(rig_stop_daemon(&rig), 0);
	peer_stop(&peer);
	rig_cleanup(&rig);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lock_accept_unlock),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
