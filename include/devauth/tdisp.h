/* SPDX-License-Identifier: MIT */
/*
 * TDISP (PCIe r6.1 sec 11) as a TSM drives it over an established SPDM
 * session: the TDI states and lock flags of the wire, and an opaque
 * requester handle (struct da_tdisp) for GET_VERSION, GET_CAPABILITIES,
 * LOCK_INTERFACE, GET_DEVICE_INTERFACE_REPORT, START / STOP_INTERFACE and
 * GET_DEVICE_INTERFACE_STATE.  Each call is one request and its checked
 * response; a TDISP_ERROR answer is -errno with the error's name in err.
 * Wire names keep the spec's TDISP_ prefix, as SPDM_ and PCI_TSM_ do.
 */
#ifndef DEVAUTH_PUBLIC_TDISP_H
#define DEVAUTH_PUBLIC_TDISP_H

#include <stddef.h>
#include <stdint.h>

#include <devauth/error.h>

/* TDI states (DEVICE_INTERFACE_STATE) */
#define TDISP_STATE_CONFIG_UNLOCKED	0
#define TDISP_STATE_CONFIG_LOCKED	1
#define TDISP_STATE_RUN			2
#define TDISP_STATE_ERROR		3
/* "CONFIG_UNLOCKED", ..., "unknown" */
const char *tdisp_state_name(uint8_t state);

/* LOCK_INTERFACE_REQUEST flags */
#define TDISP_LOCK_NO_FW_UPDATE		0x0001
#define TDISP_LOCK_SYSTEM_CACHE_LINE_SIZE 0x0002
#define TDISP_LOCK_MSIX			0x0004
#define TDISP_LOCK_BIND_P2P		0x0008
#define TDISP_LOCK_ALL_REQUEST_REDIRECT	0x0010

#define TDISP_NONCE_SIZE		32

struct spdm_req;
struct da_tdisp;

/*
 * A requester for TDI function_id of the device r talks to, through r's
 * session (secured VENDOR_DEFINED messages).  NULL: out of memory.  r
 * must outlive it.
 */
struct da_tdisp *da_tdisp_new(struct spdm_req *r, uint32_t function_id);
/* Frees the report and wipes the lock nonce; NULL is fine. */
void da_tdisp_free(struct da_tdisp *t);

int da_tdisp_version(struct da_tdisp *t, struct da_err *err);
int da_tdisp_capabilities(struct da_tdisp *t, struct da_err *err);
/* LOCK_FLAGS_SUPPORTED of the last CAPABILITIES, 0 before. */
uint16_t da_tdisp_lock_flags_supported(const struct da_tdisp *t);
/* LOCK_INTERFACE with these flags (refused unless announced), other parameters 0. */
int da_tdisp_lock(struct da_tdisp *t, uint16_t flags, struct da_err *err);
/* The whole DEVICE_INTERFACE_REPORT, in portions, checked and decoded. */
int da_tdisp_report(struct da_tdisp *t, struct da_err *err);
/*
 * The TDISP header (TDISPVersion, MessageType, reserved, INTERFACE_ID)
 * of the last LOCK_INTERFACE_REQUEST that the device accepted, as sent:
 * TDISP_HDR_SIZE bytes into hdr; -ENOENT before a lock.
 */
#define TDISP_HDR_SIZE			16
int da_tdisp_lock_header(const struct da_tdisp *t, uint8_t hdr[TDISP_HDR_SIZE]);
/* The report as read (borrowed until the next report or free): 0, or -ENOENT before. */
int da_tdisp_report_bytes(const struct da_tdisp *t, const uint8_t **p, size_t *len);
/*
 * START_INTERFACE with the nonce of the last LOCK_INTERFACE_RESPONSE;
 * unlocked, the device's INVALID_INTERFACE_STATE is -EPERM.
 */
int da_tdisp_start(struct da_tdisp *t, struct da_err *err);
int da_tdisp_state(struct da_tdisp *t, uint8_t *state, struct da_err *err);
int da_tdisp_stop(struct da_tdisp *t, struct da_err *err);

#endif
