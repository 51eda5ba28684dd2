// SPDX-License-Identifier: MIT
/*
 * The fault catalogue: names and parsing.  Where each fault applies is
 * in the handler of the message it breaks (grep EMU_FAULT_ in rsp-*.c);
 * docs/faults.md says what a correct requester must report for each.
 */
#include <errno.h>
#include <string.h>

#include "responder_internal.h"

static const char *const fault_names[EMU_FAULT_COUNT] = {
	[EMU_FAULT_BAD_CHALLENGE_SIG] = "bad-challenge-sig",
	[EMU_FAULT_BAD_MEAS_SIG] = "bad-meas-sig",
	[EMU_FAULT_WRONG_CHAIN_HASH] = "wrong-chain-hash",
	[EMU_FAULT_DIGEST_MISMATCH] = "digest-mismatch",
	[EMU_FAULT_ROOT_HASH_MISMATCH] = "root-hash-mismatch",
	[EMU_FAULT_LEAF_CA] = "leaf-ca",
	[EMU_FAULT_LEAF_NO_DIGSIG] = "leaf-no-digsig",
	[EMU_FAULT_INTER_NOT_CA] = "inter-not-ca",
	[EMU_FAULT_BROKEN_CHAIN_SIG] = "broken-chain-sig",
	[EMU_FAULT_WRONG_SAN] = "wrong-san",
	[EMU_FAULT_NO_SAN] = "no-san",
	[EMU_FAULT_EXPIRED_LEAF] = "expired-leaf",
	[EMU_FAULT_TRUNCATED] = "truncated",
	[EMU_FAULT_LENGTH_OVERRUN] = "length-overrun",
	[EMU_FAULT_WRONG_VERSION] = "wrong-version",
	[EMU_FAULT_WRONG_CODE] = "wrong-code",
	[EMU_FAULT_NONCE_ECHO] = "nonce-echo",
	[EMU_FAULT_REPLAY_CHALLENGE] = "replay-challenge",
	[EMU_FAULT_NOT_READY_ONCE] = "not-ready-once",
	[EMU_FAULT_NOT_READY_FOREVER] = "not-ready-forever",
	[EMU_FAULT_BUSY] = "busy",
	[EMU_FAULT_BUSY_ONCE] = "busy-once",
	[EMU_FAULT_RESYNCH] = "resynch",
	[EMU_FAULT_SLOW] = "slow",
	[EMU_FAULT_DROP] = "drop",
	[EMU_FAULT_TWO_ALGS] = "two-algs",
	[EMU_FAULT_UNSUPPORTED_ALG] = "unsupported-alg",
	[EMU_FAULT_BAD_MEAS_BLOCK] = "bad-meas-block",
	[EMU_FAULT_BAD_KEY_EXCHANGE_SIG] = "bad-key-exchange-sig",
	[EMU_FAULT_BAD_RSP_VERIFY_DATA] = "bad-rsp-verify-data",
	[EMU_FAULT_BAD_MAC] = "bad-mac",
	[EMU_FAULT_WRONG_SESSION_ID] = "wrong-session-id",
	[EMU_FAULT_REPLAY_SEQ] = "replay-seq",
	[EMU_FAULT_HEARTBEAT_SILENT] = "heartbeat-silent",
	[EMU_FAULT_KEY_UPDATE_REFUSED] = "key-update-refused",
	[EMU_FAULT_REPORT_CHANGES] = "report-changes",
	[EMU_FAULT_START_ANY_NONCE] = "start-any-nonce",
	[EMU_FAULT_LOCK_REFUSED] = "lock-refused",
	[EMU_FAULT_REPORT_MMIO_OVERRUN] = "report-mmio-overrun",
	[EMU_FAULT_START_UNLOCKED] = "start-unlocked",
	[EMU_FAULT_ERROR_AFTER_RESET] = "error-after-reset",
};

const char *emu_fault_name(enum emu_fault f)
{
	if ((unsigned int)f >= EMU_FAULT_COUNT || !fault_names[f])
		return "unknown";
	return fault_names[f];
}

static int emu_fault_lookup(const char *name, size_t len, enum emu_fault *out)
{
	for (unsigned int i = 0; i < EMU_FAULT_COUNT; i++) {
		if (strlen(fault_names[i]) == len && !strncmp(fault_names[i], name, len)) {
			*out = (enum emu_fault)i;
			return 0;
		}
	}
	return -ENOENT;
}

int emu_fault_parse(const char *list, uint64_t *mask, struct da_err *err)
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
		enum emu_fault f;

		if (!len)
			return da_errf(err, -EINVAL, "faults: empty name in \"%s\"", list);
		if (emu_fault_lookup(s, len, &f))
			return da_errf(err, -EINVAL, "faults: unknown fault \"%.*s\"", (int)len, s);
		m |= EMU_FAULT(f);
		if (!end)
			break;
		s = end + 1;
		if (!*s)
			return da_errf(err, -EINVAL, "faults: trailing comma in \"%s\"", list);
	}
	*mask = m;
	return 0;
}

unsigned int emu_faults_to_pki_leaf(uint64_t faults)
{
	unsigned int p = 0;

	if (faults & EMU_FAULT(EMU_FAULT_LEAF_CA))
		p |= PKI_FAULT_LEAF_CA_TRUE;
	if (faults & EMU_FAULT(EMU_FAULT_LEAF_NO_DIGSIG))
		p |= PKI_FAULT_LEAF_NO_DIGSIG;
	if (faults & EMU_FAULT(EMU_FAULT_BROKEN_CHAIN_SIG))
		p |= PKI_FAULT_BROKEN_SIG;
	if (faults & EMU_FAULT(EMU_FAULT_WRONG_SAN))
		p |= PKI_FAULT_WRONG_SAN;
	if (faults & EMU_FAULT(EMU_FAULT_NO_SAN))
		p |= PKI_FAULT_NO_SAN;
	if (faults & EMU_FAULT(EMU_FAULT_EXPIRED_LEAF))
		p |= PKI_FAULT_EXPIRED_LEAF;
	return p;
}

bool emu_faults_inter_bad(uint64_t faults)
{
	return faults & EMU_FAULT(EMU_FAULT_INTER_NOT_CA);
}
