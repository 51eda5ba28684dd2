/* SPDX-License-Identifier: MIT */
/*
 * DMTF DSP0274 (SPDM) 1.0-1.4 constants: the subset devauth speaks
 * (authentication, measurements) plus the algorithm identifiers a later
 * session layer (DSP0277) needs.
 */
#ifndef DEVAUTH_SPDM_H
#define DEVAUTH_SPDM_H

#include <stdint.h>

/* Header version byte: major << 4 | minor. */
#define SPDM_VER_10 0x10
#define SPDM_VER_11 0x11
#define SPDM_VER_12 0x12
#define SPDM_VER_13 0x13
#define SPDM_VER_14 0x14
#define SPDM_VER_MIN SPDM_VER_10
#define SPDM_VER_MAX SPDM_VER_14

/* Request codes */
#define SPDM_GET_DIGESTS		0x81
#define SPDM_GET_CERTIFICATE		0x82
#define SPDM_CHALLENGE			0x83
#define SPDM_GET_VERSION		0x84
#define SPDM_CHUNK_SEND			0x85
#define SPDM_CHUNK_GET			0x86
#define SPDM_GET_MEASUREMENTS		0xE0
#define SPDM_GET_CAPABILITIES		0xE1
#define SPDM_NEGOTIATE_ALGORITHMS	0xE3
#define SPDM_KEY_EXCHANGE		0xE4
#define SPDM_FINISH			0xE5
#define SPDM_PSK_EXCHANGE		0xE6
#define SPDM_PSK_FINISH			0xE7
#define SPDM_HEARTBEAT			0xE8
#define SPDM_KEY_UPDATE			0xE9
#define SPDM_GET_ENCAPSULATED_REQUEST	0xEA
#define SPDM_DELIVER_ENCAPSULATED_RESPONSE 0xEB
#define SPDM_END_SESSION		0xEC
#define SPDM_GET_CSR			0xED
#define SPDM_SET_CERTIFICATE		0xEE
#define SPDM_VENDOR_DEFINED_REQUEST	0xFE
#define SPDM_RESPOND_IF_READY		0xFF

/* Response codes */
#define SPDM_DIGESTS			0x01
#define SPDM_CERTIFICATE		0x02
#define SPDM_CHALLENGE_AUTH		0x03
#define SPDM_VERSION			0x04
#define SPDM_CHUNK_SEND_ACK		0x05
#define SPDM_CHUNK_RESPONSE		0x06
#define SPDM_MEASUREMENTS		0x60
#define SPDM_CAPABILITIES		0x61
#define SPDM_ALGORITHMS			0x63
#define SPDM_KEY_EXCHANGE_RSP		0x64
#define SPDM_FINISH_RSP			0x65
#define SPDM_PSK_EXCHANGE_RSP		0x66
#define SPDM_PSK_FINISH_RSP		0x67
#define SPDM_HEARTBEAT_ACK		0x68
#define SPDM_KEY_UPDATE_ACK		0x69
#define SPDM_ENCAPSULATED_REQUEST	0x6A
#define SPDM_ENCAPSULATED_RESPONSE_ACK	0x6B
#define SPDM_END_SESSION_ACK		0x6C
#define SPDM_CSR			0x6D
#define SPDM_SET_CERTIFICATE_RSP	0x6E
#define SPDM_VENDOR_DEFINED_RESPONSE	0x7E
#define SPDM_ERROR			0x7F

/* ERROR codes (param1) */
#define SPDM_ERR_INVALID_REQUEST	0x01
#define SPDM_ERR_INVALID_SESSION	0x02
#define SPDM_ERR_BUSY			0x03
#define SPDM_ERR_UNEXPECTED_REQUEST	0x04
#define SPDM_ERR_UNSPECIFIED		0x05
#define SPDM_ERR_DECRYPT_ERROR		0x06
#define SPDM_ERR_UNSUPPORTED_REQUEST	0x07
#define SPDM_ERR_REQUEST_IN_FLIGHT	0x08
#define SPDM_ERR_INVALID_RESPONSE_CODE	0x09
#define SPDM_ERR_SESSION_LIMIT_EXCEEDED	0x0A
#define SPDM_ERR_SESSION_REQUIRED	0x0B
#define SPDM_ERR_RESET_REQUIRED		0x0C
#define SPDM_ERR_RESPONSE_TOO_LARGE	0x0D
#define SPDM_ERR_REQUEST_TOO_LARGE	0x0E
#define SPDM_ERR_LARGE_RESPONSE		0x0F
#define SPDM_ERR_MESSAGE_LOST		0x10
#define SPDM_ERR_INVALID_POLICY		0x11
#define SPDM_ERR_VERSION_MISMATCH	0x41
#define SPDM_ERR_RESPONSE_NOT_READY	0x42
#define SPDM_ERR_REQUEST_RESYNCH	0x43
#define SPDM_ERR_OPERATION_FAILED	0x44
#define SPDM_ERR_NO_PENDING_REQUESTS	0x45
#define SPDM_ERR_VENDOR_DEFINED		0xFF

/* CAPABILITIES flags (responder view; the requester uses a subset) */
#define SPDM_CAP_CACHE			(1u << 0)
#define SPDM_CAP_CERT			(1u << 1)
#define SPDM_CAP_CHAL			(1u << 2)
#define SPDM_CAP_MEAS_MASK		(3u << 3)
#define SPDM_CAP_MEAS_NOSIG		(1u << 3)
#define SPDM_CAP_MEAS_SIG		(2u << 3)
#define SPDM_CAP_MEAS_FRESH		(1u << 5)
#define SPDM_CAP_ENCRYPT		(1u << 6)
#define SPDM_CAP_MAC			(1u << 7)
#define SPDM_CAP_MUT_AUTH		(1u << 8)
#define SPDM_CAP_KEY_EX			(1u << 9)
#define SPDM_CAP_PSK_MASK		(3u << 10)
#define SPDM_CAP_ENCAP			(1u << 12)
#define SPDM_CAP_HBEAT			(1u << 13)
#define SPDM_CAP_KEY_UPD		(1u << 14)
#define SPDM_CAP_HANDSHAKE_IN_THE_CLEAR	(1u << 15)
#define SPDM_CAP_PUB_KEY_ID		(1u << 16)
#define SPDM_CAP_CHUNK			(1u << 17)
#define SPDM_CAP_ALIAS_CERT		(1u << 18)
#define SPDM_CAP_SET_CERT		(1u << 19)
#define SPDM_CAP_CSR			(1u << 20)
#define SPDM_CAP_CERT_INSTALL_RESET	(1u << 21)
#define SPDM_CAP_EP_INFO_MASK		(3u << 22)
#define SPDM_CAP_MEL			(1u << 24)
#define SPDM_CAP_EVENT			(1u << 25)
#define SPDM_CAP_MULTI_KEY_MASK		(3u << 26)
#define SPDM_CAP_MULTI_KEY_ONLY		(1u << 26)
#define SPDM_CAP_MULTI_KEY_NEG		(2u << 26)
#define SPDM_CAP_GET_KEY_PAIR_INFO	(1u << 28)
#define SPDM_CAP_SET_KEY_PAIR_INFO	(1u << 29)
#define SPDM_CAP_SET_KEY_PAIR_RESET	(1u << 30)	/* 1.4 */
#define SPDM_CAP_LARGE_RESP		(1u << 31)	/* 1.4 */

/* 1.2+: the smallest DataTransferSize a peer may advertise */
#define SPDM_MIN_DATA_TRANSFER_SIZE	42

/* MeasurementSpecification */
#define SPDM_MEAS_SPEC_DMTF		(1u << 0)

/* OtherParamsSupport / OtherParamsSelection (1.2+) */
#define SPDM_OPAQUE_DATA_FMT_0		(1u << 0)
#define SPDM_OPAQUE_DATA_FMT_1		(1u << 1)
/*
 * 1.3: bit 4 of OtherParamsSupport is ResponderMultiKeyConn, of
 * OtherParamsSelection RequesterMultiKeyConnSel (DSP0274 1.3 sec 10.4).
 */
#define SPDM_MULTI_KEY_CONN		(1u << 4)
#define SPDM_OPAQUE_DATA_FMT_MASK	0x0Fu

/* BaseAsymAlgo */
#define SPDM_ASYM_RSASSA_2048		(1u << 0)
#define SPDM_ASYM_RSAPSS_2048		(1u << 1)
#define SPDM_ASYM_RSASSA_3072		(1u << 2)
#define SPDM_ASYM_RSAPSS_3072		(1u << 3)
#define SPDM_ASYM_ECDSA_P256		(1u << 4)
#define SPDM_ASYM_RSASSA_4096		(1u << 5)
#define SPDM_ASYM_RSAPSS_4096		(1u << 6)
#define SPDM_ASYM_ECDSA_P384		(1u << 7)
#define SPDM_ASYM_ECDSA_P521		(1u << 8)
#define SPDM_ASYM_SM2_P256		(1u << 9)
#define SPDM_ASYM_EDDSA_ED25519		(1u << 10)
#define SPDM_ASYM_EDDSA_ED448		(1u << 11)

/* BaseHashAlgo */
#define SPDM_HASH_SHA256		(1u << 0)
#define SPDM_HASH_SHA384		(1u << 1)
#define SPDM_HASH_SHA512		(1u << 2)
#define SPDM_HASH_SHA3_256		(1u << 3)
#define SPDM_HASH_SHA3_384		(1u << 4)
#define SPDM_HASH_SHA3_512		(1u << 5)
#define SPDM_HASH_SM3_256		(1u << 6)

/* MeasurementHashAlgo */
#define SPDM_MEAS_HASH_RAW		(1u << 0)
#define SPDM_MEAS_HASH_SHA256		(1u << 1)
#define SPDM_MEAS_HASH_SHA384		(1u << 2)
#define SPDM_MEAS_HASH_SHA512		(1u << 3)
#define SPDM_MEAS_HASH_SHA3_256		(1u << 4)
#define SPDM_MEAS_HASH_SHA3_384		(1u << 5)
#define SPDM_MEAS_HASH_SHA3_512		(1u << 6)
#define SPDM_MEAS_HASH_SM3_256		(1u << 7)

/* Algorithm structure types in NEGOTIATE_ALGORITHMS / ALGORITHMS */
#define SPDM_ALG_TYPE_DHE		2
#define SPDM_ALG_TYPE_AEAD		3
#define SPDM_ALG_TYPE_REQ_BASE_ASYM	4
#define SPDM_ALG_TYPE_KEY_SCHEDULE	5
#define SPDM_ALG_TYPE_REQ_PQC_ASYM	6	/* 1.4 */
#define SPDM_ALG_TYPE_KEM		7	/* 1.4 */

/*
 * 1.4 PqcAsymAlgo / ReqPqcAsymAlgo and KEMAlg.  Decoded and shown, never
 * selected: OpenSSL 3.0 has no ML-DSA, SLH-DSA or ML-KEM.
 */
#define SPDM_PQC_ASYM_ML_DSA_44		(1u << 0)
#define SPDM_PQC_ASYM_ML_DSA_65		(1u << 1)
#define SPDM_PQC_ASYM_ML_DSA_87		(1u << 2)
#define SPDM_KEM_ML_KEM_512		(1u << 0)
#define SPDM_KEM_ML_KEM_768		(1u << 1)
#define SPDM_KEM_ML_KEM_1024		(1u << 2)

#define SPDM_DHE_FFDHE_2048		(1u << 0)
#define SPDM_DHE_FFDHE_3072		(1u << 1)
#define SPDM_DHE_FFDHE_4096		(1u << 2)
#define SPDM_DHE_SECP256R1		(1u << 3)
#define SPDM_DHE_SECP384R1		(1u << 4)
#define SPDM_DHE_SECP521R1		(1u << 5)
#define SPDM_DHE_SM2_P256		(1u << 6)

#define SPDM_AEAD_AES_128_GCM		(1u << 0)
#define SPDM_AEAD_AES_256_GCM		(1u << 1)
#define SPDM_AEAD_CHACHA20_POLY1305	(1u << 2)
#define SPDM_AEAD_SM4_GCM		(1u << 3)

#define SPDM_KEY_SCHEDULE_SPDM		(1u << 0)

/* CHALLENGE param2 / measurement summary hash types */
#define SPDM_MEAS_SUMMARY_NONE		0x00
#define SPDM_MEAS_SUMMARY_TCB		0x01
#define SPDM_MEAS_SUMMARY_ALL		0xFF

/* GET_MEASUREMENTS attributes (param1) */
#define SPDM_MEAS_ATTR_SIG		(1u << 0)
#define SPDM_MEAS_ATTR_RAW		(1u << 1)	/* 1.2 */
#define SPDM_MEAS_ATTR_NEW		(1u << 2)	/* 1.3 */
/* GET_MEASUREMENTS operation (param2) */
#define SPDM_MEAS_OP_COUNT		0x00
#define SPDM_MEAS_OP_ALL		0xFF

/* DMTFSpecMeasurementValueType, bits [6:0]; bit 7 = raw bit stream */
#define SPDM_DMTF_MEAS_IMMUTABLE_ROM	0x00
#define SPDM_DMTF_MEAS_MUTABLE_FW	0x01
#define SPDM_DMTF_MEAS_HW_CONFIG	0x02
#define SPDM_DMTF_MEAS_FW_CONFIG	0x03
#define SPDM_DMTF_MEAS_MANIFEST		0x04
#define SPDM_DMTF_MEAS_DEVICE_MODE	0x05
#define SPDM_DMTF_MEAS_VERSION		0x06
#define SPDM_DMTF_MEAS_SVN		0x07
#define SPDM_DMTF_MEAS_HEM		0x08
#define SPDM_DMTF_MEAS_INFORMATIONAL	0x09	/* 1.3 */
#define SPDM_DMTF_MEAS_STRUCT_MANIFEST	0x0A	/* 1.3 */
#define SPDM_DMTF_MEAS_RAW_BIT		0x80

#define SPDM_NONCE_SIZE			32
#define SPDM_MAX_OPAQUE_DATA_SIZE	1024
#define SPDM_REQ_CONTEXT_SIZE		8	/* 1.3 */
#define SPDM_MAX_SLOTS			8
#define SPDM_MAX_HASH_SIZE		64
#define SPDM_MAX_SIG_SIZE		512	/* RSA-4096 */
#define SPDM_MAX_CERT_CHAIN_SIZE	65535
/*
 * 1.4 LargeCertChain: 32-bit offsets and lengths.  The wire allows 4 GiB;
 * this is how much devauth holds per slot.
 */
#define SPDM_MAX_LARGE_CERT_CHAIN_SIZE	(1u << 20)
#define SPDM_CERT_CHAIN_HDR_SIZE	4	/* + RootHash */

/*
 * What a connection agreed on and which slot it authenticated with: the
 * one shape of these facts in the requester, evidence bundles, verdicts,
 * pins, the daemon and the pci-tsm messages.  Field names are the JSON
 * keys every --json output uses (docs/json/).
 */
struct spdm_negotiated {
	uint8_t version;		/* SPDMVersion of VERSION, SPDM_VER_1x; 0: unknown */
	uint8_t slot;			/* SlotID of CHALLENGE */
	uint32_t base_asym;		/* ALGORITHMS BaseAsymSel, one bit */
	uint32_t base_hash;		/* ALGORITHMS BaseHashSel, one bit */
	uint32_t measurement_hash;	/* ALGORITHMS MeasurementHashAlgo; 0: none */
};

/* Evidence object types of the pci-tsm family (docs/netlink/pci-tsm.yaml) */
enum devauth_evidence_type {
	DA_EV_CERT0 = 0,
	DA_EV_CERT7 = 7,
	DA_EV_VCA = 8,
	DA_EV_MEASUREMENTS = 9,
	DA_EV_REPORT = 10,
	DA_EV_SESSION = 11,
	DA_EV_MAX = DA_EV_SESSION,
};

/* Names for human output: "GET_VERSION", "InvalidRequest", ... */
const char *spdm_code_name(uint8_t code);
const char *spdm_error_name(uint8_t err);
const char *spdm_asym_name(uint32_t asym);
const char *spdm_hash_name(uint32_t hash);
const char *spdm_meas_hash_name(uint32_t mhash);
/*
 * An algorithm name to its bit, in any of the spellings in use: devauth's
 * ("ECDSA-P384", "SHA-384", "EdDSA-Ed25519"), devauth-emu's ("ecdsa-p384",
 * "sha384", "ed25519") and the DMTF tools' ("ECDSA_P384", "RSAPSS_3072",
 * "SHA_384", "EDDSA_25519", "RAW_BIT").  0, or -EINVAL for no such name.
 */
int spdm_asym_from_name(const char *s, uint32_t *bit);
int spdm_hash_from_name(const char *s, uint32_t *bit);
int spdm_meas_hash_from_name(const char *s, uint32_t *bit);
const char *spdm_dmtf_meas_type_name(uint8_t type);

/* One measurement block of a MeasurementRecord (DSP0274 MEASUREMENTS). */
struct spdm_meas_block {
	uint8_t index;
	uint8_t spec;			/* MeasurementSpecification */
	uint16_t size;			/* MeasurementSize */
	/* DMTF format, valid when spec == SPDM_MEAS_SPEC_DMTF */
	uint8_t dmtf_type;		/* includes SPDM_DMTF_MEAS_RAW_BIT */
	uint16_t value_size;
	const uint8_t *value;
	const uint8_t *raw;		/* whole block, 4 + size bytes */
	size_t raw_len;
};
/*
 * Iterate the MeasurementRecord rec[0..len) (spdm_req_meas_record()),
 * *off starting at 0 (an offset past len is the end): 1 with *b filled (pointers borrow from rec) and
 * *off moved past the block, 0 at the end, -EBADMSG on a malformed
 * block (err names it; *off unchanged).  A DMTF block whose value size
 * does not equal MeasurementSize - 3 is malformed.
 */
struct da_err;
int spdm_meas_record_next(const uint8_t *rec, size_t len, size_t *off,
			  struct spdm_meas_block *b, struct da_err *err);
/* Session algorithms: "secp384r1", "aes-256-gcm" (lib/spdm/session_names.c). */
const char *spdm_dhe_name(uint16_t dhe);
const char *spdm_aead_name(uint16_t aead);
/* "secp384r1,SECP_256_R1" -> mask, either spelling, any case; -EINVAL otherwise. */
int spdm_dhe_parse_list(const char *list, uint16_t *mask);
int spdm_aead_parse_list(const char *list, uint16_t *mask);

#endif
