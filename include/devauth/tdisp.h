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

#include <stdbool.h>
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

/* LENGTH asked per GET_DEVICE_INTERFACE_REPORT (default 0x800); 0 keeps the default. */
void da_tdisp_set_portion(struct da_tdisp *t, uint16_t length);
/* The version GET_TDISP_VERSION settled on, major << 4 | minor; 0 before. */
uint8_t da_tdisp_negotiated_version(const struct da_tdisp *t);
/* START_INTERFACE_NONCE of the last LOCK_INTERFACE_RESPONSE: 0, or -ENOENT before a lock. */
int da_tdisp_lock_nonce(const struct da_tdisp *t, uint8_t nonce[TDISP_NONCE_SIZE]);

/*
 * The fields of the last report da_tdisp_report() read and decoded (all
 * 0 before).  Bits are the wire's: INTERFACE_INFO bit 0 NO_UPDATE_AFTER_LOCK,
 * 1 DMA_WITHOUT_PASID, 2 DMA_WITH_PASID, 3 ATS, 4 PRS; MMIO attributes bit 0
 * MSIX_TABLE, 1 MSIX_PBA, 2 NON_TEE, 3 ATTR_UPDATABLE; the rest is reserved.
 */
unsigned int da_tdisp_report_portions(const struct da_tdisp *t);	/* responses it took */
uint16_t da_tdisp_report_interface_info(const struct da_tdisp *t);
uint16_t da_tdisp_report_msix_control(const struct da_tdisp *t);
uint16_t da_tdisp_report_lnr_control(const struct da_tdisp *t);
uint32_t da_tdisp_report_tph_control(const struct da_tdisp *t);
uint32_t da_tdisp_report_mmio_count(const struct da_tdisp *t);

struct da_tdisp_mmio {
	uint64_t first_page;		/* byte address of the first 4 KiB page */
	uint32_t pages;
	uint16_t attributes;
	uint16_t range_id;
};

/* MMIO range i of the report: 0, or -ERANGE past da_tdisp_report_mmio_count(). */
int da_tdisp_report_mmio(const struct da_tdisp *t, uint32_t i, struct da_tdisp_mmio *out);
/* The device-specific information (borrowed like the report bytes); empty before. */
void da_tdisp_report_dsi(const struct da_tdisp *t, const uint8_t **p, size_t *len);

/*
 * IDE_KM (PCIe r6.x 6.33.3) through r's session: QUERY, then per key set,
 * direction and sub-stream KEY_PROG (its KP_ACK must say Successful),
 * K_SET_GO and K_SET_STOP (each answered by K_GOSTOP_ACK).
 */
#define TDISP_IDEKM_KEY_SIZE		32	/* AES-256-GCM */
#define TDISP_IDEKM_IFV_SIZE		8	/* the IV's invocation field */
/* The key set / direction / sub-stream byte (KSS) */
#define TDISP_IDEKM_KSS_K1		0x01
#define TDISP_IDEKM_KSS_TX		0x02
#define TDISP_IDEKM_KSS_SUB_NPR		0x10
#define TDISP_IDEKM_KSS_SUB_CPL		0x20

/* What QUERY_RESP said of the port. */
struct da_idekm_port {
	uint8_t port_index, max_port_index;
	uint8_t bus, dev_func, segment;
	uint32_t ide_regs;		/* dwords of the IDE extended capability */
};

int da_idekm_query(struct spdm_req *r, uint8_t port_index, struct da_idekm_port *out,
		   struct da_err *err);
int da_idekm_key_prog(struct spdm_req *r, uint8_t port_index, uint8_t stream_id, uint8_t kss,
		      const uint8_t key[TDISP_IDEKM_KEY_SIZE],
		      const uint8_t ifv[TDISP_IDEKM_IFV_SIZE], struct da_err *err);
/* K_SET_GO (go) or K_SET_STOP. */
int da_idekm_key_set(struct spdm_req *r, uint8_t port_index, uint8_t stream_id, uint8_t kss,
		     bool go, struct da_err *err);

#endif
