/* SPDX-License-Identifier: MIT */
/*
 * VENDOR_DEFINED_REQUEST / VENDOR_DEFINED_RESPONSE (DSP0274 1.0+), and
 * the PCI-SIG use of it that carries IDE_KM and TDISP (PCIe r6.x 6.31,
 * 11.3): StandardID PCI-SIG, a 2-byte vendor ID 0x0001, and a payload
 * that starts with the PCI protocol ID.
 *
 *   SPDMVersion | Code | Param1 | Param2          4
 *   StandardID (2) | Len (1) | VendorID (Len)    3 + Len
 *   ReqLength / RespLength (2) | payload         2 + Length
 *
 * Decoders follow codec.h: whole message in, true length out.  The
 * 1.4 large form (Param1 bit 0) is never sent by us; a response in it
 * is refused, because the request it answers was not large.
 */
#ifndef DEVAUTH_SPDM_VENDOR_CODEC_H
#define DEVAUTH_SPDM_VENDOR_CODEC_H

#include "codec.h"

/* DSP0274 Table "Registry or standards body ID". */
#define SPDM_REGISTRY_PCISIG		3
/* The PCI-SIG vendor ID the PCIe specification assigns to its protocols. */
#define SPDM_PCISIG_VENDOR_ID		0x0001
#define SPDM_VENDOR_LARGE		0x01	/* Param1: 1.4 large payload form */

/* PCI protocol IDs, the first payload byte (PCIe r6.x Table 6-36). */
#define PCI_PROTOCOL_IDE_KM		0x00
#define PCI_PROTOCOL_TDISP		0x01

/* Fixed part before the payload: header 4, StandardID 2, Len 1, Length 2. */
#define SPDM_VENDOR_FIXED_SIZE		9
/* With the PCI-SIG vendor ID. */
#define SPDM_PCI_VENDOR_HDR_SIZE	(SPDM_VENDOR_FIXED_SIZE + 2)

struct spdm_vendor_msg {
	uint16_t standard_id;
	uint8_t vendor_id_len;
	const uint8_t *vendor_id;	/* vendor_id_len bytes */
	uint16_t payload_len;
	const uint8_t *payload;
};

int spdm_encode_vendor_defined(struct wcur *w, uint8_t version, bool response,
			       const struct spdm_vendor_msg *m);
/* response: VENDOR_DEFINED_RESPONSE (names the message in errors). */
long spdm_decode_vendor_defined(const uint8_t *msg, size_t len, bool response,
				struct spdm_vendor_msg *m, struct da_err *err);

/* The PCI-SIG envelope: protocol ID, then body (body_len bytes). */
int spdm_encode_pci_vendor(struct wcur *w, uint8_t version, bool response, uint8_t protocol,
			   const void *body, size_t body_len);
/*
 * A VENDOR_DEFINED message of the PCI-SIG: StandardID, vendor ID and a
 * payload of at least the protocol ID are checked; *body points after
 * the protocol ID.
 */
long spdm_decode_pci_vendor(const uint8_t *msg, size_t len, bool response, uint8_t *protocol,
			    const uint8_t **body, size_t *body_len, struct da_err *err);

#endif
