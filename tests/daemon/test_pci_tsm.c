// SPDX-License-Identifier: MIT
/*
 * lib/tsm: pci-tsm messages built and parsed in process.  Requests are
 * parsed strictly, replies leniently; error and done messages carry
 * their extack; an object split into VAL chunks is put back together.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>

#include <devauth/evidence.h>

#include "tsm/genl.h"
#include "tsm/pci_tsm.h"

static uint32_t buf[PCI_TSM_MSG_MAX / 4];

static void test_request_roundtrip(void **state)
{
	static const uint8_t nonce[32] = { 1, 2, 3 };
	struct nlmsghdr *nlh = pci_tsm_put_hdr(buf, sizeof(buf), PCI_TSM_CMD_EVIDENCE_READ,
					       NLM_F_REQUEST | NLM_F_DUMP, 42);
	struct pci_tsm_msg m;
	struct da_err err = { 0 };

	assert_non_null(nlh);
	assert_true(pci_tsm_put_str(nlh, sizeof(buf), PCI_TSM_A_EVIDENCE_DEV_NAME, "0000:01:00.0"));
	assert_true(pci_tsm_put_u32(nlh, sizeof(buf), PCI_TSM_A_EVIDENCE_TYPE_MASK, 0x300));
	assert_true(pci_tsm_put_u32(nlh, sizeof(buf), PCI_TSM_A_EVIDENCE_FLAGS, 1));
	assert_true(pci_tsm_put_bin(nlh, sizeof(buf), PCI_TSM_A_EVIDENCE_NONCE, nonce, 32));
	assert_true(pci_tsm_put_u64(nlh, sizeof(buf), PCI_TSM_A_EVIDENCE_GENERATION, 1ull << 40));
	assert_int_equal(pci_tsm_parse((uint8_t *)buf, nlh->nlmsg_len, true, &m, &err), 0);
	assert_int_equal(m.nl_type, PCI_TSM_LOCAL_FAMILY_ID);
	assert_int_equal(m.cmd, PCI_TSM_CMD_EVIDENCE_READ);
	assert_int_equal(m.version, 1);
	assert_int_equal(m.seq, 42);
	assert_string_equal(m.dev_name, "0000:01:00.0");
	assert_int_equal(m.type_mask, 0x300);
	assert_int_equal(m.flags, 1);
	assert_int_equal(m.nonce_len, 32);
	assert_memory_equal(m.nonce, nonce, 32);
	assert_int_equal(m.generation, 1ull << 40);
	assert_true(pci_tsm_has(&m, PCI_TSM_A_EVIDENCE_NONCE));
	assert_false(pci_tsm_has(&m, PCI_TSM_A_SLOT));
}

/* Issue 6: PIN carries JSON bytes; events carry the failed CHECK; LIST the PIN_MODE. */
static void test_recovery_attributes(void **state)
{
	static const char pin[] = "{ \"version\": 1, \"mode\": \"fatal\" }";
	struct nlmsghdr *nlh = pci_tsm_put_hdr(buf, sizeof(buf), PCI_TSM_CMD_PIN, NLM_F_REQUEST,
					       7);
	struct pci_tsm_msg m;
	struct da_err err = { 0 };

	assert_true(pci_tsm_put_str(nlh, sizeof(buf), PCI_TSM_A_EVIDENCE_DEV_NAME, "0000:01:00.0"));
	assert_true(pci_tsm_put_bin(nlh, sizeof(buf), PCI_TSM_A_PIN, pin, strlen(pin)));
	assert_int_equal(pci_tsm_parse((uint8_t *)buf, nlh->nlmsg_len, true, &m, &err), 0);
	assert_int_equal(m.cmd, PCI_TSM_CMD_PIN);
	assert_int_equal(m.pin_len, strlen(pin));
	assert_memory_equal(m.pin, pin, strlen(pin));
	assert_string_equal(pci_tsm_cmd_name(PCI_TSM_CMD_PIN), "PIN");
	assert_string_equal(pci_tsm_cmd_name(PCI_TSM_CMD_REVALIDATE), "REVALIDATE");
	assert_string_equal(pci_tsm_cmd_name(PCI_TSM_CMD_RESET), "RESET");

	/* An empty PIN is refused (removal is the absence of the attribute). */
	nlh = pci_tsm_put_hdr(buf, sizeof(buf), PCI_TSM_CMD_PIN, NLM_F_REQUEST, 8);
	assert_true(pci_tsm_put_bin(nlh, sizeof(buf), PCI_TSM_A_PIN, pin, 0));
	assert_int_equal(pci_tsm_parse((uint8_t *)buf, nlh->nlmsg_len, true, &m, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "PIN is empty"));

	nlh = pci_tsm_put_hdr(buf, sizeof(buf), PCI_TSM_CMD_EVENT, 0, 0);
	assert_true(pci_tsm_put_u32(nlh, sizeof(buf), PCI_TSM_A_EVENT,
				    PCI_TSM_EVENT_REVALIDATION_FAILED));
	assert_true(pci_tsm_put_str(nlh, sizeof(buf), PCI_TSM_A_CHECK, "pin-measurement[2]"));
	assert_true(pci_tsm_put_str(nlh, sizeof(buf), PCI_TSM_A_PIN_MODE, "same-device"));
	da_err_clear(&err);
	assert_int_equal(pci_tsm_parse((uint8_t *)buf, nlh->nlmsg_len, false, &m, &err), 0);
	assert_string_equal(m.check, "pin-measurement[2]");
	assert_string_equal(m.pin_mode, "same-device");
	assert_string_equal(pci_tsm_event_name(m.event), "revalidation-failed");
	/* A check name longer than the attribute allows is malformed. */
	nlh = pci_tsm_put_hdr(buf, sizeof(buf), PCI_TSM_CMD_EVENT, 0, 0);
	assert_true(pci_tsm_put_str(nlh, sizeof(buf), PCI_TSM_A_CHECK,
				    "0123456789012345678901234567890123456789-too-long"));
	assert_int_equal(pci_tsm_parse((uint8_t *)buf, nlh->nlmsg_len, false, &m, &err), -EINVAL);
}

static int parse_req(size_t len, struct da_err *err)
{
	struct pci_tsm_msg m;

	da_err_clear(err);
	return pci_tsm_parse((uint8_t *)buf, len, true, &m, err);
}

static void test_request_rejects(void **state)
{
	struct da_err err = { 0 };
	struct nlmsghdr *nlh;
	uint8_t big[300] = { 0 };

	nlh = pci_tsm_put_hdr(buf, sizeof(buf), PCI_TSM_CMD_LIST, NLM_F_REQUEST, 1);
	assert_int_equal(parse_req(nlh->nlmsg_len, &err), 0);
	assert_int_equal(parse_req(nlh->nlmsg_len - 1, &err), -EBADMSG);
	assert_int_equal(parse_req(10, &err), -EBADMSG);
	/* A datagram longer than its message (two messages in one). */
	assert_int_equal(parse_req(nlh->nlmsg_len + 8, &err), -EBADMSG);
	/* Not a request. */
	nlh->nlmsg_flags = 0;
	assert_int_equal(parse_req(nlh->nlmsg_len, &err), -EINVAL);
	/* Unknown command, version, family. */
	nlh = pci_tsm_put_hdr(buf, sizeof(buf), PCI_TSM_CMD_MAX + 1, NLM_F_REQUEST, 1);
	assert_int_equal(parse_req(nlh->nlmsg_len, &err), -EOPNOTSUPP);
	assert_non_null(strstr(err.msg, "unknown command"));
	nlh = pci_tsm_put_hdr(buf, sizeof(buf), PCI_TSM_CMD_LIST, NLM_F_REQUEST, 1);
	((struct genlmsghdr *)mnl_nlmsg_get_payload(nlh))->version = 2;
	assert_int_equal(parse_req(nlh->nlmsg_len, &err), -EOPNOTSUPP);
	nlh = pci_tsm_put_hdr(buf, sizeof(buf), PCI_TSM_CMD_LIST, NLM_F_REQUEST, 1);
	nlh->nlmsg_type = NLMSG_ERROR;
	assert_int_equal(parse_req(nlh->nlmsg_len, &err), -EINVAL);
	/* Attributes: unknown, twice, wrong size, unterminated string, nonce too long. */
	nlh = pci_tsm_put_hdr(buf, sizeof(buf), PCI_TSM_CMD_LIST, NLM_F_REQUEST, 1);
	mnl_attr_put_u32(nlh, PCI_TSM_A_MAX + 1, 0);
	assert_int_equal(parse_req(nlh->nlmsg_len, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "unknown attribute"));
	nlh = pci_tsm_put_hdr(buf, sizeof(buf), PCI_TSM_CMD_LIST, NLM_F_REQUEST, 1);
	mnl_attr_put_u32(nlh, PCI_TSM_A_SLOT, 0);
	mnl_attr_put_u32(nlh, PCI_TSM_A_SLOT, 1);
	assert_int_equal(parse_req(nlh->nlmsg_len, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "twice"));
	nlh = pci_tsm_put_hdr(buf, sizeof(buf), PCI_TSM_CMD_LIST, NLM_F_REQUEST, 1);
	mnl_attr_put_u64(nlh, PCI_TSM_A_EVIDENCE_TYPE_MASK, 0);
	assert_int_equal(parse_req(nlh->nlmsg_len, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "EVIDENCE_TYPE_MASK"));
	nlh = pci_tsm_put_hdr(buf, sizeof(buf), PCI_TSM_CMD_LIST, NLM_F_REQUEST, 1);
	mnl_attr_put(nlh, PCI_TSM_A_EVIDENCE_DEV_NAME, 3, "abc");
	assert_int_equal(parse_req(nlh->nlmsg_len, &err), -EINVAL);
	nlh = pci_tsm_put_hdr(buf, sizeof(buf), PCI_TSM_CMD_LIST, NLM_F_REQUEST, 1);
	memset(big, 'a', sizeof(big) - 1);
	mnl_attr_put_strz(nlh, PCI_TSM_A_EVIDENCE_DEV_NAME, (char *)big);
	assert_int_equal(parse_req(nlh->nlmsg_len, &err), -EINVAL);
	nlh = pci_tsm_put_hdr(buf, sizeof(buf), PCI_TSM_CMD_LIST, NLM_F_REQUEST, 1);
	mnl_attr_put(nlh, PCI_TSM_A_EVIDENCE_NONCE, 257, big);
	assert_int_equal(parse_req(nlh->nlmsg_len, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "257 bytes"));
	/* An attribute length that runs past the message. */
	nlh = pci_tsm_put_hdr(buf, sizeof(buf), PCI_TSM_CMD_LIST, NLM_F_REQUEST, 1);
	{
		struct nlattr *a = mnl_nlmsg_get_payload_tail(nlh);

		mnl_attr_put_u32(nlh, PCI_TSM_A_SLOT, 0);
		a->nla_len = 64;
	}
	assert_true(parse_req(nlh->nlmsg_len, &err) < 0);
}

/* SLOT and VERSION are u32 on the wire and a byte in struct spdm_negotiated. */
static void test_negotiated(void **state)
{
	const struct spdm_negotiated neg = {
		.version = SPDM_VER_13, .base_asym = SPDM_ASYM_ECDSA_P384,
		.base_hash = SPDM_HASH_SHA384, .measurement_hash = SPDM_MEAS_HASH_SHA384,
	};
	struct nlmsghdr *nlh;
	struct pci_tsm_msg m;
	struct da_err err = { 0 };

	nlh = pci_tsm_put_hdr(buf, sizeof(buf), PCI_TSM_CMD_LIST, NLM_F_REQUEST, 1);
	assert_true(pci_tsm_put_negotiated(nlh, sizeof(buf), &neg));
	assert_true(pci_tsm_put_u32(nlh, sizeof(buf), PCI_TSM_A_SLOT, 255));
	assert_int_equal(pci_tsm_parse((uint8_t *)buf, nlh->nlmsg_len, true, &m, &err), 0);
	assert_int_equal(m.neg.version, SPDM_VER_13);
	assert_int_equal(m.neg.base_asym, SPDM_ASYM_ECDSA_P384);
	assert_int_equal(m.neg.base_hash, SPDM_HASH_SHA384);
	assert_int_equal(m.neg.measurement_hash, SPDM_MEAS_HASH_SHA384);
	assert_int_equal(m.neg.slot, 255);

	nlh = pci_tsm_put_hdr(buf, sizeof(buf), PCI_TSM_CMD_LIST, NLM_F_REQUEST, 1);
	mnl_attr_put_u32(nlh, PCI_TSM_A_SLOT, 256 + 1);
	assert_int_equal(parse_req(nlh->nlmsg_len, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "SLOT is 257, at most 255"));
	nlh = pci_tsm_put_hdr(buf, sizeof(buf), PCI_TSM_CMD_LIST, NLM_F_REQUEST, 1);
	mnl_attr_put_u32(nlh, PCI_TSM_A_VERSION, 0x112);
	assert_int_equal(parse_req(nlh->nlmsg_len, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "VERSION is 274, at most 255"));
}

static void test_error_and_done(void **state)
{
	struct pci_tsm_msg req = { .nl_type = PCI_TSM_LOCAL_FAMILY_ID, .seq = 7 }, m;
	struct da_err err = { 0 };
	char longmsg[1000];
	size_t n;

	n = pci_tsm_put_error(buf, sizeof(buf), &req, -ENODEV, "0000:09:00.0: no such device");
	assert_true(n > 0);
	assert_int_equal(pci_tsm_parse((uint8_t *)buf, n, false, &m, &err), 0);
	assert_int_equal(m.nl_type, NLMSG_ERROR);
	assert_int_equal(m.error, -ENODEV);
	assert_int_equal(m.seq, 7);
	assert_string_equal(m.extack, "0000:09:00.0: no such device");
	/* An ACK has no extack. */
	n = pci_tsm_put_error(buf, sizeof(buf), &req, 0, NULL);
	assert_int_equal(pci_tsm_parse((uint8_t *)buf, n, false, &m, &err), 0);
	assert_int_equal(m.error, 0);
	assert_string_equal(m.extack, "");
	n = pci_tsm_put_done(buf, sizeof(buf), 9, -EAGAIN, "changed");
	assert_int_equal(pci_tsm_parse((uint8_t *)buf, n, false, &m, &err), 0);
	assert_int_equal(m.nl_type, NLMSG_DONE);
	assert_true(m.nl_flags & NLM_F_MULTI);
	assert_int_equal(m.error, -EAGAIN);
	assert_string_equal(m.extack, "changed");
	/* A message too long for one error reply is cut, not lost. */
	memset(longmsg, 'x', sizeof(longmsg) - 1);
	longmsg[sizeof(longmsg) - 1] = '\0';
	n = pci_tsm_put_error(buf, sizeof(buf), &req, -EINVAL, longmsg);
	assert_int_equal(pci_tsm_parse((uint8_t *)buf, n, false, &m, &err), 0);
	assert_int_equal(strlen(m.extack), DA_ERR_MSG_MAX - 1);
	/* Replies may carry attributes this build does not know. */
	{
		struct nlmsghdr *nlh = pci_tsm_put_hdr(buf, sizeof(buf), PCI_TSM_CMD_LIST,
						       NLM_F_MULTI, 3);

		mnl_attr_put_u32(nlh, 200, 5);
		mnl_attr_put_u32(nlh, PCI_TSM_A_STATE, PCI_TSM_STATE_BOUND);
		assert_int_equal(pci_tsm_parse((uint8_t *)buf, nlh->nlmsg_len, false, &m, &err), 0);
		assert_int_equal(m.state, PCI_TSM_STATE_BOUND);
		assert_string_equal(pci_tsm_state_name(m.state), "bound");
	}
}

/* An object as devauthd writes it: TYPE, GENERATION, VAL chunks to concatenate; NLMSG_DONE. */
static void test_dump_for_importer(void **state)
{
	static uint8_t obj[10000];
	struct da_buf val = { 0 };
	struct da_err err = { 0 };
	struct pci_tsm_msg m = { .val = &val };
	struct nlmsghdr *nlh;
	size_t n;

	for (size_t i = 0; i < sizeof(obj); i++)
		obj[i] = (uint8_t)(i * 7);
	nlh = pci_tsm_put_hdr(buf, sizeof(buf), PCI_TSM_CMD_EVIDENCE_READ, NLM_F_MULTI, 5);
	assert_true(pci_tsm_put_u32(nlh, sizeof(buf), PCI_TSM_A_EVIDENCE_TYPE, DA_EV_VCA));
	assert_true(pci_tsm_put_u64(nlh, sizeof(buf), PCI_TSM_A_EVIDENCE_GENERATION, 3));
	for (size_t off = 0; off < sizeof(obj); off += PCI_TSM_VAL_CHUNK) {
		size_t k = sizeof(obj) - off < PCI_TSM_VAL_CHUNK ? sizeof(obj) - off :
			   PCI_TSM_VAL_CHUNK;

		assert_true(pci_tsm_put_bin(nlh, sizeof(buf), PCI_TSM_A_EVIDENCE_VAL, obj + off, k));
	}
	assert_int_equal(pci_tsm_parse((uint8_t *)buf, nlh->nlmsg_len, false, &m, &err), 0);
	assert_int_equal(val.len, sizeof(obj));
	assert_memory_equal(val.data, obj, sizeof(obj));
	/* The importer checks the VCA itself; the e2e test feeds it a real dump. */
	n = pci_tsm_put_done(buf, sizeof(buf), 5, 0, NULL);
	assert_int_equal(pci_tsm_parse((uint8_t *)buf, n, false, &m, &err), 0);
	assert_int_equal(m.nl_type, NLMSG_DONE);
	assert_int_equal(m.error, 0);
	da_buf_free(&val);
}

/*
 * A capture of the kernel's family, as the importer reads it: another
 * family id, and the last message cut before its padding.
 */
static void test_capture_any_family_unpadded(void **state)
{
	static uint8_t cap[256];
	struct genl_capture c;
	struct genl_capture_msg cm;
	struct da_buf val = { 0 };
	struct da_err err = { 0 };
	struct pci_tsm_msg m = { .val = &val };
	struct nlmsghdr *nlh;
	size_t n;

	nlh = pci_tsm_put_hdr(buf, sizeof(buf), PCI_TSM_CMD_EVIDENCE_READ, NLM_F_MULTI, 9);
	assert_true(pci_tsm_put_u32(nlh, sizeof(buf), PCI_TSM_A_EVIDENCE_TYPE, DA_EV_VCA));
	assert_true(pci_tsm_put_bin(nlh, sizeof(buf), PCI_TSM_A_EVIDENCE_VAL, "abcde", 5));
	nlh->nlmsg_type = PCI_TSM_LOCAL_FAMILY_ID + 5;
	nlh->nlmsg_len -= 3;
	n = nlh->nlmsg_len;
	memcpy(cap, buf, n);

	c = genl_capture_init(cap, n);
	assert_int_equal(genl_capture_next(&c, &cm, "capture", &err), 1);
	assert_int_equal(cm.off, 0);
	assert_int_equal(cm.nlmsg_len, n);
	assert_int_equal(cm.len, n + 3);
	assert_ptr_not_equal(cm.p, cap);
	/* Our socket's family id only, unless the caller accepts any. */
	assert_int_equal(pci_tsm_parse(cm.p, cm.len, false, &m, &err), -EOPNOTSUPP);
	da_err_clear(&err);
	assert_int_equal(pci_tsm_parse_flags(cm.p, cm.len, PCI_TSM_PARSE_ANY_FAMILY, &m, &err), 0);
	assert_int_equal(m.type, DA_EV_VCA);
	assert_int_equal(val.len, 5);
	assert_memory_equal(val.data, "abcde", 5);
	assert_int_equal(genl_capture_next(&c, &cm, "capture", &err), 0);
	genl_capture_free(&c);
	/* The last attribute reaching into the padding the capture lacks. */
	{
		uint16_t nla_len = 11;
		size_t at = n - 9;	/* VAL: 4-byte header, 5 bytes */

		memcpy(cap + at, &nla_len, sizeof(nla_len));
		c = genl_capture_init(cap, n);
		assert_int_equal(genl_capture_next(&c, &cm, "capture", &err), 1);
		assert_int_equal(pci_tsm_parse_flags(cm.p, cm.len, PCI_TSM_PARSE_ANY_FAMILY, &m,
						     &err), -EINVAL);
		assert_non_null(strstr(err.msg, "runs past the message end"));
		genl_capture_free(&c);
		nla_len = 9;
		memcpy(cap + at, &nla_len, sizeof(nla_len));
	}
	/* A datagram cut the same way is refused: libmnl would read past it. */
	da_err_clear(&err);
	assert_int_equal(pci_tsm_parse_flags(cap, n, PCI_TSM_PARSE_ANY_FAMILY, &m, &err),
			 -EBADMSG);
	assert_non_null(strstr(err.msg, "alignment padding"));
	/* A message longer than the capture. */
	da_err_clear(&err);
	c = genl_capture_init(cap, n - 1);
	assert_int_equal(genl_capture_next(&c, &cm, "capture", &err), -EBADMSG);
	assert_non_null(strstr(err.msg, "capture: offset 0: nlmsg_len"));
	genl_capture_free(&c);
	da_buf_free(&val);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_request_roundtrip),
		cmocka_unit_test(test_recovery_attributes),
		cmocka_unit_test(test_request_rejects),
		cmocka_unit_test(test_negotiated),
		cmocka_unit_test(test_error_and_done),
		cmocka_unit_test(test_dump_for_importer),
		cmocka_unit_test(test_capture_any_family_unpadded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
