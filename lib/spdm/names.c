// SPDX-License-Identifier: MIT
/*
 * Names for human output, spelled as DSP0274 spells them, and the one
 * parser of algorithm names for everything that takes one (devauth-emu
 * options and configs, verifier policies).
 */
#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include <devauth/spdm.h>

struct name {
	uint32_t v;
	const char *s;
};

static const char *lookup(const struct name *t, size_t n, uint32_t v, const char *dflt)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].v == v)
			return t[i].s;
	return dflt;
}

#define LOOKUP(t, v, d) lookup(t, sizeof(t) / sizeof((t)[0]), v, d)

static const struct name codes[] = {
	{ SPDM_GET_DIGESTS, "GET_DIGESTS" },
	{ SPDM_GET_CERTIFICATE, "GET_CERTIFICATE" },
	{ SPDM_CHALLENGE, "CHALLENGE" },
	{ SPDM_GET_VERSION, "GET_VERSION" },
	{ SPDM_CHUNK_SEND, "CHUNK_SEND" },
	{ SPDM_CHUNK_GET, "CHUNK_GET" },
	{ SPDM_GET_MEASUREMENTS, "GET_MEASUREMENTS" },
	{ SPDM_GET_CAPABILITIES, "GET_CAPABILITIES" },
	{ SPDM_NEGOTIATE_ALGORITHMS, "NEGOTIATE_ALGORITHMS" },
	{ SPDM_KEY_EXCHANGE, "KEY_EXCHANGE" },
	{ SPDM_FINISH, "FINISH" },
	{ SPDM_PSK_EXCHANGE, "PSK_EXCHANGE" },
	{ SPDM_PSK_FINISH, "PSK_FINISH" },
	{ SPDM_HEARTBEAT, "HEARTBEAT" },
	{ SPDM_KEY_UPDATE, "KEY_UPDATE" },
	{ SPDM_GET_ENCAPSULATED_REQUEST, "GET_ENCAPSULATED_REQUEST" },
	{ SPDM_DELIVER_ENCAPSULATED_RESPONSE, "DELIVER_ENCAPSULATED_RESPONSE" },
	{ SPDM_END_SESSION, "END_SESSION" },
	{ SPDM_GET_CSR, "GET_CSR" },
	{ SPDM_SET_CERTIFICATE, "SET_CERTIFICATE" },
	{ SPDM_VENDOR_DEFINED_REQUEST, "VENDOR_DEFINED_REQUEST" },
	{ SPDM_RESPOND_IF_READY, "RESPOND_IF_READY" },
	{ SPDM_DIGESTS, "DIGESTS" },
	{ SPDM_CERTIFICATE, "CERTIFICATE" },
	{ SPDM_CHALLENGE_AUTH, "CHALLENGE_AUTH" },
	{ SPDM_VERSION, "VERSION" },
	{ SPDM_CHUNK_SEND_ACK, "CHUNK_SEND_ACK" },
	{ SPDM_CHUNK_RESPONSE, "CHUNK_RESPONSE" },
	{ SPDM_MEASUREMENTS, "MEASUREMENTS" },
	{ SPDM_CAPABILITIES, "CAPABILITIES" },
	{ SPDM_ALGORITHMS, "ALGORITHMS" },
	{ SPDM_KEY_EXCHANGE_RSP, "KEY_EXCHANGE_RSP" },
	{ SPDM_FINISH_RSP, "FINISH_RSP" },
	{ SPDM_PSK_EXCHANGE_RSP, "PSK_EXCHANGE_RSP" },
	{ SPDM_PSK_FINISH_RSP, "PSK_FINISH_RSP" },
	{ SPDM_HEARTBEAT_ACK, "HEARTBEAT_ACK" },
	{ SPDM_KEY_UPDATE_ACK, "KEY_UPDATE_ACK" },
	{ SPDM_ENCAPSULATED_REQUEST, "ENCAPSULATED_REQUEST" },
	{ SPDM_ENCAPSULATED_RESPONSE_ACK, "ENCAPSULATED_RESPONSE_ACK" },
	{ SPDM_END_SESSION_ACK, "END_SESSION_ACK" },
	{ SPDM_CSR, "CSR" },
	{ SPDM_SET_CERTIFICATE_RSP, "SET_CERTIFICATE_RSP" },
	{ SPDM_VENDOR_DEFINED_RESPONSE, "VENDOR_DEFINED_RESPONSE" },
	{ SPDM_ERROR, "ERROR" },
};

static const struct name errors[] = {
	{ SPDM_ERR_INVALID_REQUEST, "InvalidRequest" },
	{ SPDM_ERR_INVALID_SESSION, "InvalidSession" },
	{ SPDM_ERR_BUSY, "Busy" },
	{ SPDM_ERR_UNEXPECTED_REQUEST, "UnexpectedRequest" },
	{ SPDM_ERR_UNSPECIFIED, "Unspecified" },
	{ SPDM_ERR_DECRYPT_ERROR, "DecryptError" },
	{ SPDM_ERR_UNSUPPORTED_REQUEST, "UnsupportedRequest" },
	{ SPDM_ERR_REQUEST_IN_FLIGHT, "RequestInFlight" },
	{ SPDM_ERR_INVALID_RESPONSE_CODE, "InvalidResponseCode" },
	{ SPDM_ERR_SESSION_LIMIT_EXCEEDED, "SessionLimitExceeded" },
	{ SPDM_ERR_SESSION_REQUIRED, "SessionRequired" },
	{ SPDM_ERR_RESET_REQUIRED, "ResetRequired" },
	{ SPDM_ERR_RESPONSE_TOO_LARGE, "ResponseTooLarge" },
	{ SPDM_ERR_REQUEST_TOO_LARGE, "RequestTooLarge" },
	{ SPDM_ERR_LARGE_RESPONSE, "LargeResponse" },
	{ SPDM_ERR_MESSAGE_LOST, "MessageLost" },
	{ SPDM_ERR_INVALID_POLICY, "InvalidPolicy" },
	{ SPDM_ERR_VERSION_MISMATCH, "VersionMismatch" },
	{ SPDM_ERR_RESPONSE_NOT_READY, "ResponseNotReady" },
	{ SPDM_ERR_REQUEST_RESYNCH, "RequestResynch" },
	{ SPDM_ERR_OPERATION_FAILED, "OperationFailed" },
	{ SPDM_ERR_NO_PENDING_REQUESTS, "NoPendingRequests" },
	{ SPDM_ERR_VENDOR_DEFINED, "VendorDefined" },
};

static const struct name asyms[] = {
	{ SPDM_ASYM_RSASSA_2048, "RSASSA-2048" },
	{ SPDM_ASYM_RSAPSS_2048, "RSAPSS-2048" },
	{ SPDM_ASYM_RSASSA_3072, "RSASSA-3072" },
	{ SPDM_ASYM_RSAPSS_3072, "RSAPSS-3072" },
	{ SPDM_ASYM_ECDSA_P256, "ECDSA-P256" },
	{ SPDM_ASYM_RSASSA_4096, "RSASSA-4096" },
	{ SPDM_ASYM_RSAPSS_4096, "RSAPSS-4096" },
	{ SPDM_ASYM_ECDSA_P384, "ECDSA-P384" },
	{ SPDM_ASYM_ECDSA_P521, "ECDSA-P521" },
	{ SPDM_ASYM_SM2_P256, "SM2-P256" },
	{ SPDM_ASYM_EDDSA_ED25519, "EdDSA-Ed25519" },
	{ SPDM_ASYM_EDDSA_ED448, "EdDSA-Ed448" },
};

static const struct name hashes[] = {
	{ SPDM_HASH_SHA256, "SHA-256" },
	{ SPDM_HASH_SHA384, "SHA-384" },
	{ SPDM_HASH_SHA512, "SHA-512" },
	{ SPDM_HASH_SHA3_256, "SHA3-256" },
	{ SPDM_HASH_SHA3_384, "SHA3-384" },
	{ SPDM_HASH_SHA3_512, "SHA3-512" },
	{ SPDM_HASH_SM3_256, "SM3-256" },
};

static const struct name meas_hashes[] = {
	{ SPDM_MEAS_HASH_RAW, "raw" },
	{ SPDM_MEAS_HASH_SHA256, "SHA-256" },
	{ SPDM_MEAS_HASH_SHA384, "SHA-384" },
	{ SPDM_MEAS_HASH_SHA512, "SHA-512" },
	{ SPDM_MEAS_HASH_SHA3_256, "SHA3-256" },
	{ SPDM_MEAS_HASH_SHA3_384, "SHA3-384" },
	{ SPDM_MEAS_HASH_SHA3_512, "SHA3-512" },
	{ SPDM_MEAS_HASH_SM3_256, "SM3-256" },
};

static const struct name meas_types[] = {
	{ SPDM_DMTF_MEAS_IMMUTABLE_ROM, "immutable ROM" },
	{ SPDM_DMTF_MEAS_MUTABLE_FW, "mutable firmware" },
	{ SPDM_DMTF_MEAS_HW_CONFIG, "hardware configuration" },
	{ SPDM_DMTF_MEAS_FW_CONFIG, "firmware configuration" },
	{ SPDM_DMTF_MEAS_MANIFEST, "measurement manifest" },
	{ SPDM_DMTF_MEAS_DEVICE_MODE, "device mode" },
	{ SPDM_DMTF_MEAS_VERSION, "version" },
	{ SPDM_DMTF_MEAS_SVN, "secure version number" },
	{ SPDM_DMTF_MEAS_HEM, "hash-extended measurement" },
	{ SPDM_DMTF_MEAS_INFORMATIONAL, "informational" },
	{ SPDM_DMTF_MEAS_STRUCT_MANIFEST, "structured measurement manifest" },
};

const char *spdm_code_name(uint8_t code)
{
	return LOOKUP(codes, code, "UNKNOWN");
}

const char *spdm_error_name(uint8_t err)
{
	return LOOKUP(errors, err, "Reserved");
}

/* Exactly one bit names an algorithm; anything else is "unknown". */
const char *spdm_asym_name(uint32_t asym)
{
	return LOOKUP(asyms, asym, "unknown");
}

const char *spdm_hash_name(uint32_t hash)
{
	return LOOKUP(hashes, hash, "unknown");
}

const char *spdm_meas_hash_name(uint32_t mhash)
{
	return LOOKUP(meas_hashes, mhash, "unknown");
}

/* The raw-bit-stream flag (bit 7) does not change the type's name. */
const char *spdm_dmtf_meas_type_name(uint8_t type)
{
	return LOOKUP(meas_types, type & 0x7Fu, "unknown");
}

/*
 * Spellings differ only in case and separators: devauth prints
 * "ECDSA-P384" and "SHA-384", devauth-emu took "ecdsa-p384" and "sha384",
 * the DMTF tools take "ECDSA_P384", "SHA_384", "RSAPSS_3072".  Names are
 * compared with case folded and '-', '_' and ' ' dropped; the few whose
 * words differ ("EDDSA_25519" for EdDSA-Ed25519, "RAW_BIT" for raw) are
 * aliases.
 */
static void fold(const char *s, char *out, size_t len)
{
	size_t n = 0;

	for (; *s && n + 1 < len; s++)
		if (*s != '-' && *s != '_' && *s != ' ')
			out[n++] = (char)tolower((unsigned char)*s);
	out[n] = '\0';
	if (*s)
		out[0] = '\0';	/* too long to be a name */
}

static int parse(const struct name *t, size_t n, const struct name *alias, size_t nalias,
		 const char *s, uint32_t *bit)
{
	char want[32], have[32];

	if (!s)
		return -EINVAL;
	fold(s, want, sizeof(want));
	if (!want[0])
		return -EINVAL;
	for (size_t i = 0; i < n + nalias; i++) {
		const struct name *e = i < n ? &t[i] : &alias[i - n];

		fold(e->s, have, sizeof(have));
		if (!strcmp(want, have)) {
			*bit = e->v;
			return 0;
		}
	}
	return -EINVAL;
}

static const struct name asym_alias[] = {
	{ SPDM_ASYM_EDDSA_ED25519, "EDDSA_25519" },
	{ SPDM_ASYM_EDDSA_ED25519, "Ed25519" },
	{ SPDM_ASYM_EDDSA_ED448, "EDDSA_448" },
	{ SPDM_ASYM_EDDSA_ED448, "Ed448" },
};

static const struct name meas_hash_alias[] = {
	{ SPDM_MEAS_HASH_RAW, "RAW_BIT" },
};

#define PARSE(t, a, s, bit) \
	parse(t, sizeof(t) / sizeof((t)[0]), a, sizeof(a) / sizeof((a)[0]), s, bit)

int spdm_asym_from_name(const char *s, uint32_t *bit)
{
	return PARSE(asyms, asym_alias, s, bit);
}

int spdm_hash_from_name(const char *s, uint32_t *bit)
{
	return parse(hashes, sizeof(hashes) / sizeof(hashes[0]), NULL, 0, s, bit);
}

int spdm_meas_hash_from_name(const char *s, uint32_t *bit)
{
	return PARSE(meas_hashes, meas_hash_alias, s, bit);
}
