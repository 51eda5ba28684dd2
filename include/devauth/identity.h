/* SPDX-License-Identifier: MIT */
/*
 * The PCIe CMA identity (PCIe r6.1 sec 6.31.3) of a function: what a
 * leaf certificate's SubjectAltName otherName 2.23.147 names, what a
 * policy or a daemon configuration expects.  A plain value type (it is
 * embedded by value in requester options, policies and device tables),
 * with no pointers and nothing owned.
 */
#ifndef DEVAUTH_IDENTITY_H
#define DEVAUTH_IDENTITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <devauth/error.h>

struct cma_identity {
	uint16_t vendor, device;
	uint32_t class_code;		/* 24 bits */
	uint8_t revision;
	bool has_subsys;		/* type-0 header function */
	uint16_t ssvid, ssid;
	bool has_serial;		/* Device Serial Number capability */
	uint64_t serial;
};

/*
 * "Vendor=%04x:Device=%04x:CC=%06x:REV=%02x[:SSVID=%04x:SSID=%04x][:%016llx]"
 * lower-case hex; returns snprintf's result.
 */
int cma_identity_format(const struct cma_identity *id, char *buf, size_t len);

/*
 * Parse the PCIe CMA identity string as it stands in a leaf's SAN, the
 * form users copy from `devauth probe` output.  Hex fields must have
 * exactly the width of the format (cma_identity_format() of the result
 * gives back the same string).  0, or -EINVAL with err naming the field.
 */
int cma_identity_parse(const char *s, struct cma_identity *id, struct da_err *err);

/* The fields of an identity, as a set (what a policy matches, what a file gave). */
enum cma_identity_field {
	CMA_ID_VENDOR = 1u << 0,
	CMA_ID_DEVICE = 1u << 1,
	CMA_ID_CLASS = 1u << 2,
	CMA_ID_REVISION = 1u << 3,
	CMA_ID_SSVID = 1u << 4,
	CMA_ID_SSID = 1u << 5,
	CMA_ID_SERIAL = 1u << 6,
};

#endif
