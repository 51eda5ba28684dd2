/* SPDX-License-Identifier: MIT */
/*
 * The fixed parts of the SPDM messages (DSP0274 1.0-1.4), one layout per
 * message, each size checked at compile time against the size the
 * specification gives.  The codec never overlays these on received
 * bytes: it reads and writes fields through struct cur / struct wcur,
 * and takes field widths, offsets and minimum lengths from here, so a
 * reserved field has a name and a width instead of a bare number.
 * Fields are byte arrays, so the layouts need no packing.
 *
 * Session messages (KEY_EXCHANGE, PSK_EXCHANGE) keep theirs beside
 * their declarations in session_codec.h.
 */
#ifndef DEVAUTH_SPDM_WIRE_H
#define DEVAUTH_SPDM_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include <devauth/spdm.h>

/* Width of one field of a layout. */
#define SPDM_FIELD_SIZE(type, field)	sizeof(((type *)0)->field)

/* Every message starts with it (DSP0274 "SPDM message header"). */
struct spdm_hdr_wire {
	uint8_t version;		/* SPDMVersion, major << 4 | minor */
	uint8_t code;			/* RequestResponseCode */
	uint8_t param1;
	uint8_t param2;
};
#define SPDM_HDR_SIZE			sizeof(struct spdm_hdr_wire)
_Static_assert(SPDM_HDR_SIZE == 4, "SPDM header is 4 bytes");

/* VERSION: then VersionNumberEntryCount entries of 2 bytes. */
struct spdm_version_wire {
	uint8_t hdr[4];
	uint8_t reserved;
	uint8_t entry_count;		/* VersionNumberEntryCount */
};
#define SPDM_VERSION_ENTRY_SIZE		sizeof(uint16_t)
_Static_assert(sizeof(struct spdm_version_wire) == 6, "VERSION fixed part is 6 bytes");

/*
 * GET_CAPABILITIES (1.1+; the header alone in 1.0) and CAPABILITIES:
 * 12 bytes up to Flags, 20 from 1.2 with the two transfer sizes.
 */
struct spdm_capabilities_wire {
	uint8_t hdr[4];
	uint8_t reserved;
	uint8_t ct_exponent;		/* CTExponent */
	uint8_t reserved2[2];
	uint8_t flags[4];
	uint8_t data_transfer_size[4];	/* 1.2+ */
	uint8_t max_spdm_msg_size[4];	/* 1.2+ */
};
_Static_assert(offsetof(struct spdm_capabilities_wire, data_transfer_size) == 12,
	       "CAPABILITIES is 12 bytes before 1.2");
_Static_assert(sizeof(struct spdm_capabilities_wire) == 20, "CAPABILITIES is 20 bytes from 1.2");

/*
 * NEGOTIATE_ALGORITHMS.  Before 1.4 PqcAsymAlgo is part of a 12-byte
 * reserved run, and before 1.3 MELspecification is reserved.  Then
 * ExtAsym, ExtHash (SPDM_EXT_ALG_SIZE each) and from 1.1 param1
 * AlgStructure tables.
 */
struct spdm_negotiate_algorithms_wire {
	uint8_t hdr[4];			/* param1 number of AlgStructure tables */
	uint8_t length[2];		/* of the whole message */
	uint8_t meas_spec;		/* MeasurementSpecification */
	uint8_t other_params;		/* OtherParamsSupport (1.2+) */
	uint8_t base_asym[4];		/* BaseAsymAlgo */
	uint8_t base_hash[4];		/* BaseHashAlgo */
	uint8_t pqc_asym[4];		/* PqcAsymAlgo (1.4+) */
	uint8_t reserved[8];
	uint8_t ext_asym_count;		/* ExtAsymCount */
	uint8_t ext_hash_count;		/* ExtHashCount */
	uint8_t reserved2;
	uint8_t mel_spec;		/* MELspecification (1.3+) */
};
_Static_assert(sizeof(struct spdm_negotiate_algorithms_wire) == 32,
	       "NEGOTIATE_ALGORITHMS fixed part is 32 bytes");

/* ALGORITHMS: as NEGOTIATE_ALGORITHMS, the selections. */
struct spdm_algorithms_wire {
	uint8_t hdr[4];			/* param1 number of AlgStructure tables */
	uint8_t length[2];
	uint8_t meas_spec_sel;		/* MeasurementSpecificationSel */
	uint8_t other_params_sel;	/* OtherParamsSelection (1.2+) */
	uint8_t meas_hash_algo[4];	/* MeasurementHashAlgo */
	uint8_t base_asym_sel[4];	/* BaseAsymSel */
	uint8_t base_hash_sel[4];	/* BaseHashSel */
	uint8_t pqc_asym_sel[4];	/* PqcAsymSel (1.4+) */
	uint8_t reserved[7];
	uint8_t mel_spec_sel;		/* MELspecificationSel (1.3+) */
	uint8_t ext_asym_sel_count;	/* ExtAsymSelCount */
	uint8_t ext_hash_sel_count;	/* ExtHashSelCount */
	uint8_t reserved2[2];
};
_Static_assert(sizeof(struct spdm_algorithms_wire) == 36, "ALGORITHMS fixed part is 36 bytes");
/* Both messages: the fields before MeasurementSpecification(Sel). */
_Static_assert(offsetof(struct spdm_negotiate_algorithms_wire, meas_spec) ==
	       offsetof(struct spdm_algorithms_wire, meas_spec_sel),
	       "the Length field ends at the same offset in both");
#define SPDM_ALGS_LENGTH_END	offsetof(struct spdm_algorithms_wire, meas_spec_sel)
#define SPDM_EXT_ALG_SIZE	sizeof(uint32_t)	/* an ExtAsym / ExtHash entry */

/*
 * An AlgStructure table: AlgCount [7:4] is the number of AlgSupported
 * bytes (2 for every type defined), [3:0] the number of 4-byte
 * AlgExternal entries that follow.
 */
struct spdm_alg_struct_wire {
	uint8_t alg_type;		/* AlgType */
	uint8_t alg_count;		/* AlgCount */
	uint8_t alg_supported[2];	/* AlgSupported */
};
_Static_assert(sizeof(struct spdm_alg_struct_wire) == 4, "AlgStructure is 4 bytes");
#define SPDM_ALG_FIXED_SIZE	SPDM_FIELD_SIZE(struct spdm_alg_struct_wire, alg_supported)

/* GET_CERTIFICATE and CERTIFICATE (then the portion). */
struct spdm_get_certificate_wire {
	uint8_t hdr[4];			/* param1 [3:0] SlotID */
	uint8_t offset[2];
	uint8_t length[2];
};
_Static_assert(sizeof(struct spdm_get_certificate_wire) == 8, "GET_CERTIFICATE is 8 bytes");
struct spdm_certificate_wire {
	uint8_t hdr[4];			/* param1 [3:0] SlotID */
	uint8_t portion_length[2];	/* PortionLength */
	uint8_t remainder_length[2];	/* RemainderLength */
};
_Static_assert(sizeof(struct spdm_certificate_wire) == 8, "CERTIFICATE fixed part is 8 bytes");

/* CHALLENGE: then RequesterContext (1.3+). */
struct spdm_challenge_wire {
	uint8_t hdr[4];			/* param1 SlotID, param2 summary hash type */
	uint8_t nonce[SPDM_NONCE_SIZE];
};
_Static_assert(sizeof(struct spdm_challenge_wire) == 36, "CHALLENGE is 36 bytes before 1.3");

/* MEASUREMENTS: then the record, Nonce, OpaqueData, RequesterContext, Signature. */
struct spdm_measurements_wire {
	uint8_t hdr[4];
	uint8_t num_blocks;		/* NumberOfBlocks */
	uint8_t record_length[3];	/* MeasurementRecordLength */
};
_Static_assert(sizeof(struct spdm_measurements_wire) == 8, "MEASUREMENTS fixed part is 8 bytes");

/* A measurement block, and the DMTF header its MeasurementSize includes. */
struct spdm_meas_block_wire {
	uint8_t index;
	uint8_t meas_spec;		/* MeasurementSpecification */
	uint8_t size[2];		/* MeasurementSize */
};
_Static_assert(sizeof(struct spdm_meas_block_wire) == 4, "measurement block header is 4 bytes");
struct spdm_dmtf_meas_wire {
	uint8_t type;			/* DMTFSpecMeasurementValueType */
	uint8_t value_size[2];		/* DMTFSpecMeasurementValueSize */
};
#define SPDM_DMTF_MEAS_HDR_SIZE	sizeof(struct spdm_dmtf_meas_wire)
_Static_assert(SPDM_DMTF_MEAS_HDR_SIZE == 3, "DMTF measurement header is 3 bytes");

/* ERROR ResponseNotReady's ExtendedErrorData. */
struct spdm_response_not_ready_wire {
	uint8_t rdt_exponent;		/* RDTExponent */
	uint8_t request_code;		/* RequestCode */
	uint8_t token;
	uint8_t rdtm;			/* RDTM */
};
_Static_assert(sizeof(struct spdm_response_not_ready_wire) == 4,
	       "ResponseNotReady data is 4 bytes");

/*
 * OpaqueData, DSP0277 1.0 format: a header, then TotalElements
 * elements.  The general format (1.2+) has only TotalElements and
 * reserved bytes.  Each element is ID, VendorLen, VendorID,
 * OpaqueElementDataLen, data, zero padding to 4 bytes.
 */
struct spdm_opaque_dsp0277_wire {
	uint8_t spec_id[4];		/* SpecID */
	uint8_t version;		/* OpaqueVersion */
	uint8_t total_elements;		/* TotalElements */
	uint8_t reserved[2];
};
_Static_assert(sizeof(struct spdm_opaque_dsp0277_wire) == 8, "DSP0277 opaque header is 8 bytes");
struct spdm_opaque_general_wire {
	uint8_t total_elements;		/* TotalElements */
	uint8_t reserved[3];
};
_Static_assert(sizeof(struct spdm_opaque_general_wire) == 4, "general opaque header is 4 bytes");
/* ID, VendorLen and OpaqueElementDataLen: what an element adds to its contents. */
#define SPDM_OPAQUE_ELEMENT_OVERHEAD	4
#define SPDM_OPAQUE_ALIGN		4

/* The OpaqueDataLength field before every OpaqueData. */
#define SPDM_OPAQUE_LENGTH_SIZE		2

#endif
