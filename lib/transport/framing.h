/* SPDX-License-Identifier: MIT */
/*
 * Transport messages (DMTF spdm-emu TransportType) for both sides:
 *   NONE     the bare SPDM message;
 *   MCTP     one message-type byte (0x05 SPDM, 0x06 secured SPDM) + message;
 *   PCI_DOE  8-byte DOE header (vendor 0x0001 u16, type u8: 0 discovery,
 *            1 SPDM, 2 secured SPDM; reserved u8; u32 length in dwords
 *            including the header, all little endian) + payload padded
 *            with zeros to a dword.
 */
#ifndef DEVAUTH_FRAMING_H
#define DEVAUTH_FRAMING_H

#include <stddef.h>
#include <stdint.h>

#include <devauth/error.h>
#include <devauth/transport.h>

#include "../cursor.h"

enum da_payload_kind {
	DA_PAYLOAD_SPDM = 1,
	DA_PAYLOAD_SECURED_SPDM = 2,
	DA_PAYLOAD_DOE_DISCOVERY = 3,
};

#define DA_DOE_VENDOR_PCISIG 0x0001
#define DA_DOE_TYPE_DISCOVERY 0
#define DA_DOE_TYPE_SPDM 1
#define DA_DOE_TYPE_SECURED_SPDM 2
#define DA_DOE_HDR_SIZE 8
#define DA_MCTP_TYPE_SPDM 0x05
#define DA_MCTP_TYPE_SECURED_SPDM 0x06

/* Wrap payload of kind into a transport message; returns wcur_finish(). */
int da_frame_encode(enum da_framing f, enum da_payload_kind kind, const uint8_t *payload,
		    size_t len, struct wcur *w);
/*
 * Unwrap a transport message: checks the header (DOE vendor, length in
 * dwords equals the bytes received, MCTP type) and points *payload into
 * tmsg.  For DOE the payload keeps its padding.
 */
int da_frame_decode(enum da_framing f, const uint8_t *tmsg, size_t len,
		    enum da_payload_kind *kind, const uint8_t **payload, size_t *plen,
		    struct da_err *err);

/* DOE discovery (PCIe r6.x 6.30.1.1): request payload = u8 index, u8 version (0), u16 reserved. */
int da_doe_discovery_request(uint8_t index, struct wcur *w); /* the whole transport message */
/* Response payload: u16 vendor, u8 type, u8 next index. */
int da_doe_discovery_parse(const uint8_t *payload, size_t len, uint16_t *vendor,
			   uint8_t *type, uint8_t *next, struct da_err *err);
/*
 * Device side: answer a discovery request payload with the whole
 * transport message (index 0 -> discovery, 1 -> SPDM, 2 -> secured SPDM).
 */
int da_doe_discovery_answer(const uint8_t *payload, size_t len, struct wcur *w,
			    struct da_err *err);

#endif
