// SPDX-License-Identifier: MIT
/*
 * Transport messages for the three spdm-emu transport types, for both
 * the requester and the device side, and the DOE discovery exchange
 * (PCIe r6.x sec 6.30.1.1) that precedes SPDM over DOE.
 */
#include <errno.h>
#include <string.h>

#include <devauth/transport.h>

#include "framing.h"

/*
 * The DOE Length field is 18 bits wide (PCIe r6.x sec 6.30.1); 0 stands
 * for 2^18 dwords, so one data object is at most 1 MiB.
 */
#define DOE_LEN_MASK		0x3ffffu
#define DOE_MAX_DW		(1u << 18)
#define DOE_MAX_BYTES		((size_t)DOE_MAX_DW * 4)

int da_framing_parse(const char *s, enum da_framing *out)
{
	if (!s)
		return -EINVAL;
	if (!strcmp(s, "none")) {
		*out = DA_FRAMING_NONE;
	} else if (!strcmp(s, "mctp")) {
		*out = DA_FRAMING_MCTP;
	} else if (!strcmp(s, "pci-doe") || !strcmp(s, "pci_doe") || !strcmp(s, "doe")) {
		*out = DA_FRAMING_PCI_DOE;
	} else {
		return -EINVAL;
	}
	return 0;
}

const char *da_framing_name(enum da_framing f)
{
	switch (f) {
	case DA_FRAMING_NONE:
		return "none";
	case DA_FRAMING_MCTP:
		return "mctp";
	case DA_FRAMING_PCI_DOE:
		return "pci-doe";
	}
	return "unknown";
}

size_t da_framing_max_pad(enum da_framing f)
{
	/* Only DOE pads, and only up to the next dword. */
	return f == DA_FRAMING_PCI_DOE ? 3 : 0;
}

static int doe_type_of(enum da_payload_kind kind)
{
	switch (kind) {
	case DA_PAYLOAD_SPDM:
		return DA_DOE_TYPE_SPDM;
	case DA_PAYLOAD_SECURED_SPDM:
		return DA_DOE_TYPE_SECURED_SPDM;
	case DA_PAYLOAD_DOE_DISCOVERY:
		return DA_DOE_TYPE_DISCOVERY;
	}
	return -EINVAL;
}

static void doe_header(struct wcur *w, uint8_t type, size_t total)
{
	uint32_t dw = (uint32_t)(total / 4);

	wcur_u16(w, DA_DOE_VENDOR_PCISIG);
	wcur_u8(w, type);
	wcur_u8(w, 0);
	wcur_u32(w, dw == DOE_MAX_DW ? 0 : dw);
}

int da_frame_encode(enum da_framing f, enum da_payload_kind kind, const uint8_t *payload,
		    size_t len, struct wcur *w)
{
	size_t padded;
	long n;
	int type;

	switch (f) {
	case DA_FRAMING_NONE:
		/* A bare socket carries SPDM only: no way to mark anything else. */
		if (kind != DA_PAYLOAD_SPDM)
			return -EINVAL;
		wcur_bytes(w, payload, len);
		break;
	case DA_FRAMING_MCTP:
		if (kind == DA_PAYLOAD_SPDM)
			wcur_u8(w, DA_MCTP_TYPE_SPDM);
		else if (kind == DA_PAYLOAD_SECURED_SPDM)
			wcur_u8(w, DA_MCTP_TYPE_SECURED_SPDM);
		else
			return -EINVAL;
		wcur_bytes(w, payload, len);
		break;
	case DA_FRAMING_PCI_DOE:
		type = doe_type_of(kind);
		if (type < 0)
			return type;
		if (len > DOE_MAX_BYTES - DA_DOE_HDR_SIZE)
			return -EMSGSIZE;
		padded = (len + 3) & ~(size_t)3;
		doe_header(w, (uint8_t)type, DA_DOE_HDR_SIZE + padded);
		wcur_bytes(w, payload, len);
		wcur_zero(w, padded - len);
		break;
	default:
		return -EINVAL;
	}
	/* Frames are at most 1 MiB + 8, so the count fits an int. */
	n = wcur_finish(w);
	return (int)n;
}

static int doe_decode(const uint8_t *tmsg, size_t len, enum da_payload_kind *kind,
		      const uint8_t **payload, size_t *plen, struct da_err *err)
{
	struct cur c = cur_init(tmsg, len);
	uint16_t vendor;
	uint8_t type, rsvd;
	uint32_t length, dw;

	if (len < DA_DOE_HDR_SIZE)
		return da_errf(err, -EBADMSG,
			       "DOE header: %zu bytes, shorter than the %d-byte header",
			       len, DA_DOE_HDR_SIZE);
	if (len % 4)
		return da_errf(err, -EBADMSG,
			       "DOE header: data object of %zu bytes is not whole dwords",
			       len);
	if (len > DOE_MAX_BYTES)
		return da_errf(err, -EBADMSG,
			       "DOE header: data object of %zu bytes exceeds the %zu-byte maximum",
			       len, DOE_MAX_BYTES);
	if (cur_u16(&c, &vendor) || cur_u8(&c, &type) || cur_u8(&c, &rsvd) ||
	    cur_u32(&c, &length))
		return da_errf(err, -EBADMSG, "DOE header: truncated");
	if (vendor != DA_DOE_VENDOR_PCISIG)
		return da_errf(err, -EBADMSG,
			       "DOE header: Vendor ID 0x%04x is not PCI-SIG (0x0001)", vendor);
	/* Bits 18..31 of the length dword are reserved: ignored on receive. */
	dw = length & DOE_LEN_MASK;
	if (!dw)
		dw = DOE_MAX_DW;
	if ((size_t)dw * 4 != len)
		return da_errf(err, -EBADMSG,
			       "DOE header: Length %u dwords does not match the %zu bytes received",
			       dw, len);
	switch (type) {
	case DA_DOE_TYPE_DISCOVERY:
		*kind = DA_PAYLOAD_DOE_DISCOVERY;
		break;
	case DA_DOE_TYPE_SPDM:
		*kind = DA_PAYLOAD_SPDM;
		break;
	case DA_DOE_TYPE_SECURED_SPDM:
		*kind = DA_PAYLOAD_SECURED_SPDM;
		break;
	default:
		return da_errf(err, -EBADMSG,
			       "DOE header: Data Object Type %u is not discovery/SPDM/secured",
			       type);
	}
	cur_rest(&c, payload, plen);
	return 0;
}

int da_frame_decode(enum da_framing f, const uint8_t *tmsg, size_t len,
		    enum da_payload_kind *kind, const uint8_t **payload, size_t *plen,
		    struct da_err *err)
{
	struct cur c = cur_init(tmsg, len);
	uint8_t type;

	switch (f) {
	case DA_FRAMING_NONE:
		if (!len)
			return da_errf(err, -EBADMSG, "transport message: empty");
		*kind = DA_PAYLOAD_SPDM;
		cur_rest(&c, payload, plen);
		return 0;
	case DA_FRAMING_MCTP:
		if (cur_u8(&c, &type))
			return da_errf(err, -EBADMSG, "MCTP: empty message, no Message Type");
		/* Bit 7 is the integrity check flag: SPDM over MCTP never sets it. */
		if (type == DA_MCTP_TYPE_SPDM)
			*kind = DA_PAYLOAD_SPDM;
		else if (type == DA_MCTP_TYPE_SECURED_SPDM)
			*kind = DA_PAYLOAD_SECURED_SPDM;
		else
			return da_errf(err, -EBADMSG,
				       "MCTP: Message Type 0x%02x is not (secured) SPDM",
				       type);
		cur_rest(&c, payload, plen);
		return 0;
	case DA_FRAMING_PCI_DOE:
		return doe_decode(tmsg, len, kind, payload, plen, err);
	}
	return da_errf(err, -EINVAL, "transport: unknown framing %d", (int)f);
}

int da_doe_discovery_request(uint8_t index, struct wcur *w)
{
	uint8_t body[4] = { index, 0, 0, 0 };	/* index, version 0, reserved */

	return da_frame_encode(DA_FRAMING_PCI_DOE, DA_PAYLOAD_DOE_DISCOVERY, body,
			       sizeof(body), w);
}

int da_doe_discovery_parse(const uint8_t *payload, size_t len, uint16_t *vendor,
			   uint8_t *type, uint8_t *next, struct da_err *err)
{
	struct cur c = cur_init(payload, len);

	/* Later revisions may grow the response: only the first dword is ours. */
	if (cur_u16(&c, vendor) || cur_u8(&c, type) || cur_u8(&c, next))
		return da_errf(err, -EBADMSG,
			       "DOE discovery response: %zu bytes, shorter than 4", len);
	return 0;
}

int da_doe_discovery_answer(const uint8_t *payload, size_t len, struct wcur *w,
			    struct da_err *err)
{
	struct cur c = cur_init(payload, len);
	uint8_t index, version, body[4];

	if (cur_u8(&c, &index) || cur_u8(&c, &version) || cur_skip(&c, 2))
		return da_errf(err, -EBADMSG,
			       "DOE discovery request: %zu bytes, shorter than 4", len);
	body[0] = DA_DOE_VENDOR_PCISIG & 0xff;
	body[1] = DA_DOE_VENDOR_PCISIG >> 8;
	switch (index) {
	case 0:
		body[2] = DA_DOE_TYPE_DISCOVERY;
		body[3] = 1;
		break;
	case 1:
		body[2] = DA_DOE_TYPE_SPDM;
		body[3] = 2;
		break;
	default:
		/*
		 * An index past the table has no defined answer; like the DMTF
		 * responder, repeat the last entry with next index 0 so that a
		 * requester's walk always ends.
		 */
		body[2] = DA_DOE_TYPE_SECURED_SPDM;
		body[3] = 0;
		break;
	}
	return da_frame_encode(DA_FRAMING_PCI_DOE, DA_PAYLOAD_DOE_DISCOVERY, body,
			       sizeof(body), w);
}
