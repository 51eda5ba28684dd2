// SPDX-License-Identifier: MIT
/*
 * The fault catalogue: names and parsing.  Where each fault applies is
 * in the handler of the message it breaks (grep EMU_FAULT_ in rsp-*.c);
 * docs/faults.md says what a correct requester must report for each.
 */
#include <errno.h>
#include <string.h>

#include "responder_internal.h"

static const char *const fault_names[RSP_FAULT_COUNT] = {
	[RSP_FAULT_BAD_CHALLENGE_SIG] = "bad-challenge-sig",
	[RSP_FAULT_BAD_MEAS_SIG] = "bad-meas-sig",
	[RSP_FAULT_WRONG_CHAIN_HASH] = "wrong-chain-hash",
	[RSP_FAULT_DIGEST_MISMATCH] = "digest-mismatch",
	[RSP_FAULT_ROOT_HASH_MISMATCH] = "root-hash-mismatch",
	[RSP_FAULT_LEAF_CA] = "leaf-ca",
	[RSP_FAULT_LEAF_NO_DIGSIG] = "leaf-no-digsig",
	[RSP_FAULT_INTER_NOT_CA] = "inter-not-ca",
	[RSP_FAULT_BROKEN_CHAIN_SIG] = "broken-chain-sig",
	[RSP_FAULT_WRONG_SAN] = "wrong-san",
	[RSP_FAULT_NO_SAN] = "no-san",
	[RSP_FAULT_EXPIRED_LEAF] = "expired-leaf",
	[RSP_FAULT_TRUNCATED] = "truncated",
	[RSP_FAULT_LENGTH_OVERRUN] = "length-overrun",
	[RSP_FAULT_WRONG_VERSION] = "wrong-version",
	[RSP_FAULT_WRONG_CODE] = "wrong-code",
	[RSP_FAULT_NONCE_ECHO] = "nonce-echo",
	[RSP_FAULT_REPLAY_CHALLENGE] = "replay-challenge",
	[RSP_FAULT_NOT_READY_ONCE] = "not-ready-once",
	[RSP_FAULT_NOT_READY_FOREVER] = "not-ready-forever",
	[RSP_FAULT_BUSY] = "busy",
	[RSP_FAULT_BUSY_ONCE] = "busy-once",
	[RSP_FAULT_RESYNCH] = "resynch",
	[RSP_FAULT_SLOW] = "slow",
	[RSP_FAULT_DROP] = "drop",
	[RSP_FAULT_TWO_ALGS] = "two-algs",
	[RSP_FAULT_UNSUPPORTED_ALG] = "unsupported-alg",
	[RSP_FAULT_BAD_MEAS_BLOCK] = "bad-meas-block",
	[RSP_FAULT_BAD_KEY_EXCHANGE_SIG] = "bad-key-exchange-sig",
	[RSP_FAULT_BAD_RSP_VERIFY_DATA] = "bad-rsp-verify-data",
	[RSP_FAULT_BAD_MAC] = "bad-mac",
	[RSP_FAULT_WRONG_SESSION_ID] = "wrong-session-id",
	[RSP_FAULT_REPLAY_SEQ] = "replay-seq",
	[RSP_FAULT_HEARTBEAT_SILENT] = "heartbeat-silent",
	[RSP_FAULT_KEY_UPDATE_REFUSED] = "key-update-refused",
	[RSP_FAULT_REPORT_CHANGES] = "report-changes",
	[RSP_FAULT_START_ANY_NONCE] = "start-any-nonce",
	[RSP_FAULT_LOCK_REFUSED] = "lock-refused",
	[RSP_FAULT_REPORT_MMIO_OVERRUN] = "report-mmio-overrun",
	[RSP_FAULT_START_UNLOCKED] = "start-unlocked",
	[RSP_FAULT_ERROR_AFTER_RESET] = "error-after-reset",
};

const char *rsp_fault_name(enum rsp_fault f)
{
	if ((unsigned int)f >= RSP_FAULT_COUNT || !fault_names[f])
		return "unknown";
	return fault_names[f];
}

static int emu_fault_lookup(const char *name, size_t len, enum rsp_fault *out)
{
	for (unsigned int i = 0; i < RSP_FAULT_COUNT; i++) {
		if (strlen(fault_names[i]) == len && !strncmp(fault_names[i], name, len)) {
			*out = (enum rsp_fault)i;
			return 0;
		}
	}
	return -ENOENT;
}

int rsp_fault_parse(const char *list, uint64_t *mask, struct da_err *err)
{
	uint64_t m = 0;
	const char *s = list;

	if (!list)
		return da_errf(err, -EINVAL, "faults: no list given");
	if (!strcmp(list, "none") || !*list) {
		*mask = 0;
		return 0;
	}
	while (*s) {
		const char *end = strchr(s, ',');
		size_t len = end ? (size_t)(end - s) : strlen(s);
		enum rsp_fault f;

		if (!len)
			return da_errf(err, -EINVAL, "faults: empty name in \"%s\"", list);
		if (emu_fault_lookup(s, len, &f))
			return da_errf(err, -EINVAL, "faults: unknown fault \"%.*s\"", (int)len, s);
		m |= RSP_FAULT(f);
		if (!end)
			break;
		s = end + 1;
		if (!*s)
			return da_errf(err, -EINVAL, "faults: trailing comma in \"%s\"", list);
	}
	*mask = m;
	return 0;
}

unsigned int rsp_faults_to_pki_leaf(uint64_t faults)
{
	unsigned int p = 0;

	if (faults & RSP_FAULT(RSP_FAULT_LEAF_CA))
		p |= PKI_FAULT_LEAF_CA_TRUE;
	if (faults & RSP_FAULT(RSP_FAULT_LEAF_NO_DIGSIG))
		p |= PKI_FAULT_LEAF_NO_DIGSIG;
	if (faults & RSP_FAULT(RSP_FAULT_BROKEN_CHAIN_SIG))
		p |= PKI_FAULT_BROKEN_SIG;
	if (faults & RSP_FAULT(RSP_FAULT_WRONG_SAN))
		p |= PKI_FAULT_WRONG_SAN;
	if (faults & RSP_FAULT(RSP_FAULT_NO_SAN))
		p |= PKI_FAULT_NO_SAN;
	if (faults & RSP_FAULT(RSP_FAULT_EXPIRED_LEAF))
		p |= PKI_FAULT_EXPIRED_LEAF;
	return p;
}

bool rsp_faults_inter_bad(uint64_t faults)
{
	return faults & RSP_FAULT(RSP_FAULT_INTER_NOT_CA);
}
