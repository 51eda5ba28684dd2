/* SPDX-License-Identifier: MIT */
/*
 * An emulated SPDM/CMA device: what it is (identity, versions,
 * algorithms, slots, measurements), how it misbehaves (faults), and the
 * responder that answers for it.  The responder shares the codec and the
 * crypto with the requester.
 *
 *   device.c      rsp_device: configuration, in-memory PKI, measurements,
 *                 reset/swap/update/faults (thread-safe: a control thread
 *                 may change a device while a connection is being served)
 *   responder.c   one connection's SPDM state machine and transcripts
 *   rsp-*.c       one file per request (version, capabilities,
 *                 algorithms, digests, certificate, challenge,
 *                 measurements, respond_if_ready, chunk: 1.2+ large
 *                 messages)
 *   faults.c      the fault catalogue: names, parsing, where each applies
 */
#ifndef DEVAUTH_EMU_DEVICE_H
#define DEVAUTH_EMU_DEVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <devauth/error.h>
#include <devauth/spdm.h>
#include <devauth/transport.h>

#include "crypto/x509.h"
#include "cursor.h"

/* The fault catalogue (docs/faults.md).  One bit each; combinable. */
enum rsp_fault {
	RSP_FAULT_BAD_CHALLENGE_SIG,	/* "bad-challenge-sig" */
	RSP_FAULT_BAD_MEAS_SIG,		/* "bad-meas-sig" */
	RSP_FAULT_WRONG_CHAIN_HASH,	/* "wrong-chain-hash": CHALLENGE_AUTH CertChainHash */
	RSP_FAULT_DIGEST_MISMATCH,	/* "digest-mismatch": DIGESTS[slot] */
	RSP_FAULT_ROOT_HASH_MISMATCH,	/* "root-hash-mismatch": chain header RootHash */
	RSP_FAULT_LEAF_CA,		/* "leaf-ca" */
	RSP_FAULT_LEAF_NO_DIGSIG,	/* "leaf-no-digsig" */
	RSP_FAULT_INTER_NOT_CA,		/* "inter-not-ca" */
	RSP_FAULT_BROKEN_CHAIN_SIG,	/* "broken-chain-sig" */
	RSP_FAULT_WRONG_SAN,		/* "wrong-san" */
	RSP_FAULT_NO_SAN,		/* "no-san" */
	RSP_FAULT_EXPIRED_LEAF,		/* "expired-leaf" */
	RSP_FAULT_TRUNCATED,		/* "truncated": CHALLENGE_AUTH cut short */
	RSP_FAULT_LENGTH_OVERRUN,	/* "length-overrun": CERTIFICATE PortionLength > bytes */
	RSP_FAULT_WRONG_VERSION,	/* "wrong-version": a response echoes another version */
	RSP_FAULT_WRONG_CODE,		/* "wrong-code": DIGESTS answered with CERTIFICATE code */
	RSP_FAULT_NONCE_ECHO,		/* "nonce-echo": responder nonce = requester nonce */
	RSP_FAULT_REPLAY_CHALLENGE,	/* "replay-challenge": first CHALLENGE_AUTH ever sent, again */
	RSP_FAULT_NOT_READY_ONCE,	/* "not-ready-once": ResponseNotReady, then success */
	RSP_FAULT_NOT_READY_FOREVER,	/* "not-ready-forever" */
	RSP_FAULT_BUSY,			/* "busy": ERROR Busy to every request */
	RSP_FAULT_BUSY_ONCE,		/* "busy-once": Busy once per request code, then success */
	RSP_FAULT_RESYNCH,		/* "resynch": ERROR RequestResynch to CHALLENGE */
	RSP_FAULT_SLOW,			/* "slow": CHALLENGE_AUTH later than the CT timeout */
	RSP_FAULT_DROP,			/* "drop": connection closed mid-response (CERTIFICATE) */
	RSP_FAULT_TWO_ALGS,		/* "two-algs": ALGORITHMS selects two BaseAsym bits */
	RSP_FAULT_UNSUPPORTED_ALG,	/* "unsupported-alg": selects an algorithm not offered */
	RSP_FAULT_BAD_MEAS_BLOCK,	/* "bad-meas-block": block size field past the record */
	RSP_FAULT_BAD_KEY_EXCHANGE_SIG,	/* "bad-key-exchange-sig": KEY_EXCHANGE_RSP Signature */
	RSP_FAULT_BAD_RSP_VERIFY_DATA,	/* "bad-rsp-verify-data": ResponderVerifyData */
	RSP_FAULT_BAD_MAC,		/* "bad-mac": every secured response's MAC */
	RSP_FAULT_WRONG_SESSION_ID,	/* "wrong-session-id": secured responses name another session */
	RSP_FAULT_REPLAY_SEQ,		/* "replay-seq": secured responses reuse sequence number 0 */
	RSP_FAULT_HEARTBEAT_SILENT,	/* "heartbeat-silent": HEARTBEAT gets no answer */
	RSP_FAULT_KEY_UPDATE_REFUSED,	/* "key-update-refused": KEY_UPDATE gets ERROR */
	RSP_FAULT_REPORT_CHANGES,	/* "report-changes": each report portion grows the report */
	RSP_FAULT_START_ANY_NONCE,	/* "start-any-nonce": START with a wrong nonce accepted */
	RSP_FAULT_LOCK_REFUSED,		/* "lock-refused": LOCK_INTERFACE gets TDISP_ERROR */
	RSP_FAULT_REPORT_MMIO_OVERRUN,	/* "report-mmio-overrun": MMIO_RANGE_COUNT past the report */
	RSP_FAULT_START_UNLOCKED,	/* "start-unlocked": START answered while not locked */
	RSP_FAULT_ERROR_AFTER_RESET,	/* "error-after-reset": interfaces in ERROR after a reset */
	RSP_FAULT_COUNT
};
const char *rsp_fault_name(enum rsp_fault f);
/* "a,b,c" or "none" -> bit mask; -EINVAL naming the unknown fault. */
int rsp_fault_parse(const char *list, uint64_t *mask, struct da_err *err);

#define RSP_DEFAULT_DATA_TRANSFER_SIZE 4096
#define RSP_DEFAULT_MAX_SPDM_MSG_SIZE 65536
#define RSP_MAX_SPDM_MSG_SIZE (1u << 20)

#define RSP_MAX_MEAS_BLOCKS 32
#define RSP_PSK_CAP_NO_CONTEXT (1u << 10)	/* PSK_CAP 01b: no PSK_FINISH */
#define RSP_PSK_CAP_WITH_CONTEXT (2u << 10)	/* PSK_CAP 10b: ResponderContext, PSK_FINISH */
#define RSP_MAX_PSK_SIZE 64
#define RSP_MAX_PSK_HINT_SIZE 64	/* as SPDM_MAX_PSK_HINT_SIZE; 16 is only libspdm's default */
struct rsp_meas_block {
	uint8_t index;
	uint8_t dmtf_type;		/* SPDM_DMTF_MEAS_*, without the raw bit */
	bool is_volatile;		/* changes on every reset */
	bool firmware;			/* changes on `update` */
	uint16_t len;
	uint8_t value[256];		/* raw value; hashed on the wire unless raw is asked */
};

struct rsp_slot_files {
	const char *chain_path;		/* DER certificates, root first (or PEM bundle) */
	const char *key_path;		/* PEM private key of the leaf */
};

/*
 * TDISP (lib/responder/rsp-tdisp.c): the interfaces a device hosts and
 * what their DEVICE_INTERFACE_REPORT says.  MMIO first_page is the
 * offset in the function's BARs; the report adds the LOCK's
 * MMIO_REPORTING_OFFSET.
 */
#define RSP_MAX_TDI 8
#define RSP_MAX_TDI_MMIO 8
#define RSP_MAX_TDI_DSI 64
struct rsp_tdi_mmio {
	uint64_t first_page;		/* byte address, 4 KiB aligned */
	uint32_t pages;
	uint16_t attributes;		/* TDISP_MMIO_* */
	uint16_t range_id;
};

struct rsp_tdi_config {
	uint32_t function_id;
	uint16_t interface_info;	/* TDISP_INFO_* */
	uint16_t msix_control, lnr_control;
	uint32_t tph_control;
	uint32_t nmmio;
	struct rsp_tdi_mmio mmio[RSP_MAX_TDI_MMIO];
	uint16_t dsi_len;
	uint8_t dsi[RSP_MAX_TDI_DSI];
};

struct rsp_tdisp_config {
	bool enabled;			/* served over PCI_DOE only */
	uint32_t dsm_caps;
	uint16_t lock_flags;		/* LOCK_INTERFACE_FLAGS_SUPPORTED */
	uint8_t dev_addr_width, num_req_this, num_req_all;
	uint8_t ide_max_port_index;	/* IDE_KM ports 0..this */
	uint8_t ide_streams;		/* IDE_KM stream IDs 0..this-1 take keys */
	/* CXL IDE_KM and CXL TSP under the CXL vendor ID (rsp-cxl_*.c) */
	bool cxl;
	size_t ntdi;
	struct rsp_tdi_config tdi[RSP_MAX_TDI];
};

struct rsp_device_config {
	char name[32];			/* "0000:01:00.0" */
	struct cma_identity id;
	uint8_t min_version, max_version; /* SPDM_VER_1x */
	uint32_t asym;			/* BaseAsym bits it supports */
	uint32_t hash;			/* BaseHash bits */
	uint32_t meas_hash;		/* MeasurementHash bits */
	uint32_t caps;			/* CAPABILITIES flags */
	uint8_t ct_exponent, rdt_exponent;
	/*
	 * 1.2+ CAPABILITIES: the largest single transfer the device takes
	 * and the largest message it reassembles from CHUNK_SEND (equal
	 * without CHUNK_CAP).  Responses above the requester's
	 * DataTransferSize go out with CHUNK_GET when both have CHUNK_CAP.
	 */
	uint32_t data_transfer_size, max_spdm_msg_size;
	uint8_t provisioned_slots;	/* mask; slot 0 at least */
	struct rsp_slot_files slot_files[SPDM_MAX_SLOTS]; /* NULL paths: generate */
	size_t nmeas;
	struct rsp_meas_block meas[RSP_MAX_MEAS_BLOCKS];
	uint64_t faults;		/* 1ull << enum rsp_fault */
	/* Sessions (KEY_EX_CAP, PSK_CAP ... in caps): what ALGORITHMS may select. */
	uint32_t dhe;			/* SPDM_DHE_* bits */
	uint32_t aead;			/* SPDM_AEAD_* bits */
	uint8_t heartbeat_period;	/* KEY_EXCHANGE_RSP/PSK_EXCHANGE_RSP, s; 0 with no HBEAT_CAP */
	uint16_t psk_len, psk_hint_len;
	uint8_t psk[RSP_MAX_PSK_SIZE];
	uint8_t psk_hint[RSP_MAX_PSK_HINT_SIZE];
	struct rsp_tdisp_config tdisp;
};

/*
 * A sensible default: all versions 1.0-1.4, every algorithm this build
 * supports, CERT|CHAL|MEAS(sig)|CHUNK caps and the session ones
 * (ENCRYPT, MAC, KEY_EX, PSK with context, HBEAT, KEY_UPD,
 * HANDSHAKE_IN_THE_CLEAR; the DMTF emulator's PSK "TestPskData\0" and
 * hint "TestPskHint\0", HeartbeatPeriod 240 s as the DMTF
 * responder) (DataTransferSize 4096,
 * MaxSPDMmsgSize 65536), slots 0 and 1, the
 * measurement blocks of docs/emu.md (ROM, firmware, hw config, fw config,
 * manifest, device mode, version string, SVN, a volatile boot counter).
 * Indices: 1 ROM, 2 firmware (changes on update), 3 hw config, 4 fw
 * config, 5 manifest, 6 device mode, 7 version string, 8 SVN, 0x10 boot
 * counter (volatile).  n makes the values (and the PCI device id and
 * serial) differ between devices.  CTExponent 12, RDTExponent 10.
 */
void rsp_device_config_default(struct rsp_device_config *c, const char *name, unsigned int n);
/*
 * TDISP on, two interfaces: FUNCTION_ID 0 with three MMIO ranges (16
 * pages of registers, the MSI-X table and PBA pages) and FUNCTION_ID
 * 0xBEEF (the DMTF requester's) with one of 4 pages; every LOCK flag,
 * IDE_KM ports 0-1 with 8 selective streams (docs/emu.md).
 */
void rsp_tdisp_config_default(struct rsp_tdisp_config *t, unsigned int n);

struct rsp_device;
int rsp_device_create(const struct rsp_device_config *c, struct rsp_device **out,
		      struct da_err *err);
void rsp_device_free(struct rsp_device *d);
/*
 * The configuration the device was created with.  meas[] and faults change
 * at runtime under the device lock: read those only while no control
 * thread runs (tests), the rest is immutable.
 */
const struct rsp_device_config *rsp_device_config(const struct rsp_device *d);
/* Root certificate of a slot's chain (trust anchor for tests); borrowed. */
X509 *rsp_device_root(const struct rsp_device *d, uint8_t slot);
/*
 * The slot's SPDM chain bytes (header, RootHash, certs) for base_hash.
 * A device serves every BaseAsym of its config, so a slot has one leaf per
 * BaseAsym (same root, same intermediate, same identity).
 * rsp_device_chain() appends the chain whose leaf is of the device's
 * preferred BaseAsym (the first of its config in the selection order
 * below); rsp_device_chain_for() the one a connection that negotiated
 * base_asym receives.  Both reflect the faults set now.
 *
 * Selection order (ALGORITHMS picks the first one common to the offer
 * and the config):
 *   BaseAsym: ECDSA P-384, P-256, P-521, Ed25519, Ed448, RSAPSS-3072,
 *             RSASSA-3072, RSAPSS-4096, RSASSA-4096, RSAPSS-2048, RSASSA-2048
 *   BaseHash: SHA-384, SHA-256, SHA-512, SHA3-384, SHA3-256, SHA3-512
 *   MeasurementHash (the device's own choice): SHA-512, SHA-384, SHA-256,
 *             SHA3-512, SHA3-384, SHA3-256, raw bit stream only
 * MeasurementSummaryHash "TCB" covers the non-volatile blocks of DMTF
 * types immutable ROM, mutable firmware, hardware config and firmware
 * config; "all" covers every block; both hash the blocks exactly as the
 * MEASUREMENTS record carries them (hashed form) with BaseHash.
 */
int rsp_device_chain(struct rsp_device *d, uint8_t slot, uint32_t base_hash,
		     struct da_buf *out, struct da_err *err);
int rsp_device_chain_for(struct rsp_device *d, uint8_t slot, uint32_t base_asym,
			 uint32_t base_hash, struct da_buf *out, struct da_err *err);

/*
 * Runtime control (docs/emu.md, docs/faults.md).  reset bumps the reset
 * generation and the volatile blocks (a boot counter); every connection
 * opened before it answers its next request with -ECONNRESET (the link
 * went down) and then starts from scratch.  update bumps a revision in
 * the firmware blocks.  swap makes new leaf keys and certificates (same
 * roots, intermediates, identity); -EOPNOTSUPP for slots from files.
 */
int rsp_device_reset(struct rsp_device *d);
int rsp_device_swap(struct rsp_device *d, struct da_err *err);
int rsp_device_update(struct rsp_device *d);
void rsp_device_set_faults(struct rsp_device *d, uint64_t faults);
uint64_t rsp_device_reset_gen(const struct rsp_device *d);
/* Firmware updates so far: a locked TDISP interface goes to ERROR on the next. */
uint64_t rsp_device_update_gen(const struct rsp_device *d);

/* One connection to a device. */
struct spdm_responder;
struct spdm_responder *spdm_responder_new(struct rsp_device *d, enum da_framing framing);
void spdm_responder_free(struct spdm_responder *r);
/*
 * One transport message in, one transport message out (framing, DOE
 * discovery and padding handled here).  Returns the response length,
 * 0 for "send nothing" or -errno: -ECONNRESET means "drop the
 * connection now" (reset, fault "drop"), -ETIMEDOUT "never answer".
 * Has the da_inproc_handler signature with ctx = struct spdm_responder.
 */
int spdm_responder_transport(void *ctx, const uint8_t *req, size_t req_len, uint8_t *rsp,
			     size_t rsp_cap);
/* Called with a line for each CXL IDE_KM / TSP message answered (NULL: none). */
void spdm_responder_set_log(struct spdm_responder *r, void (*log)(void *arg, const char *msg),
			    void *arg);
/* The same at the SPDM level (no framing): for unit tests. */
int spdm_responder_handle(struct spdm_responder *r, const uint8_t *req, size_t req_len,
			  uint8_t *rsp, size_t rsp_cap);

#endif
