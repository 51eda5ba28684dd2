// SPDX-License-Identifier: MIT
/*
 * The public capture describer (devauth/dump.h): one line of the fields
 * that matter per SPDM message, from the codec.  A message that does
 * not decode gets no line; the codec has already said why elsewhere.
 */
#include <stdio.h>
#include <stdlib.h>

#include <devauth/crypto.h>
#include <devauth/dump.h>
#include <devauth/hex.h>
#include <devauth/requester.h>

#include "dump.h"
#include "spdm/codec.h"

struct da_dump {
	struct spdm_dec_params p;
	uint8_t summary_type;		/* of the last CHALLENGE */
	bool sig;			/* the last GET_MEASUREMENTS asked for a signature */
};

struct da_dump *da_dump_new(const struct spdm_req_info *i)
{
	struct da_dump *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	d->p.version = i->neg.version;
	d->p.hash_size = (uint16_t)i->hash_size;
	d->p.sig_size = (uint16_t)i->sig_size;
	d->p.meas_hash_size = (uint16_t)spdm_meas_hash_size(i->neg.measurement_hash);
	return d;
}

void da_dump_free(struct da_dump *d)
{
	free(d);
}

static void describe_version(const uint8_t *msg, size_t len, char *out, size_t cap)
{
	struct spdm_version_rsp v;
	size_t off = 0;

	if (spdm_decode_version(msg, len, &v, NULL) < 0)
		return;
	for (unsigned int i = 0; i < v.count && off < cap; i++) {
		int n = snprintf(out + off, cap - off, "%s%u.%u", i ? " " : "versions ",
				 v.entries[i] >> 12, (v.entries[i] >> 8) & 0xf);

		if (n < 0)
			break;
		off += (size_t)n;
	}
}

static void describe_auth(const struct da_dump *d, const struct spdm_hdr *h, const uint8_t *msg,
			  size_t len, char *out, size_t cap)
{
	const struct spdm_dec_params *p = &d->p;
	char hex[2 * SPDM_NONCE_SIZE + 1];

	switch (h->code) {
	case SPDM_CHALLENGE: {
		struct spdm_challenge c;

		if (spdm_decode_challenge(msg, len, h->version, &c, NULL) > 0) {
			da_hex(c.nonce, SPDM_NONCE_SIZE, hex, sizeof(hex));
			snprintf(out, cap, "slot %u summary 0x%02x nonce %s", c.slot,
				 c.meas_summary_type, hex);
		}
		break;
	}
	case SPDM_CHALLENGE_AUTH: {
		struct spdm_challenge_auth a;

		if (p->sig_size && spdm_decode_challenge_auth(msg, len, p, d->summary_type, &a,
							      NULL) > 0) {
			da_hex(a.nonce, SPDM_NONCE_SIZE, hex, sizeof(hex));
			snprintf(out, cap, "slot %u nonce %s signature %u bytes", a.param1 & 0xf,
				 hex, p->sig_size);
		}
		break;
	}
	case SPDM_GET_MEASUREMENTS: {
		struct spdm_get_measurements g;

		if (spdm_decode_get_measurements(msg, len, h->version, &g, NULL) > 0)
			snprintf(out, cap, "operation 0x%02x%s", g.operation,
				 g.attributes & SPDM_MEAS_ATTR_SIG ? " signed" : "");
		break;
	}
	case SPDM_MEASUREMENTS: {
		struct spdm_measurements ms;

		if (p->sig_size && spdm_decode_measurements(msg, len, p, d->sig, &ms, NULL) > 0)
			snprintf(out, cap, "%u blocks, record %u bytes%s", ms.num_blocks,
				 ms.record_len, ms.signature ? ", signed" : "");
		break;
	}
	}
}

void da_dump_describe(struct da_dump *d, const uint8_t *msg, size_t len, char *out, size_t cap)
{
	const struct spdm_dec_params *p = &d->p;
	struct spdm_hdr h;

	if (!cap)
		return;
	out[0] = '\0';
	/* A response is decoded with what its request asked. */
	if (len >= 4 && msg[1] == SPDM_CHALLENGE)
		d->summary_type = msg[3];
	if (len >= 3 && msg[1] == SPDM_GET_MEASUREMENTS)
		d->sig = msg[2] & SPDM_MEAS_ATTR_SIG;
	if (spdm_decode_hdr(msg, len, &h, NULL) < 0)
		return;
	switch (h.code) {
	case SPDM_VERSION:
		describe_version(msg, len, out, cap);
		break;
	case SPDM_CAPABILITIES: {
		struct spdm_caps c;

		if (spdm_decode_capabilities(msg, len, h.version, &c, NULL) > 0)
			snprintf(out, cap, "flags 0x%08x CTExponent %u", c.flags, c.ct_exponent);
		break;
	}
	case SPDM_ALGORITHMS: {
		struct spdm_algorithms a;

		if (spdm_decode_algorithms(msg, len, h.version, &a, NULL) > 0)
			snprintf(out, cap, "%s %s measurements %s", spdm_asym_name(a.base_asym_sel),
				 spdm_hash_name(a.base_hash_sel),
				 spdm_meas_hash_name(a.meas_hash_algo));
		break;
	}
	case SPDM_DIGESTS: {
		struct spdm_digests dg;

		if (p->hash_size && spdm_decode_digests(msg, len, p, &dg, NULL) > 0)
			snprintf(out, cap, "provisioned slots 0x%02x", dg.provisioned_mask);
		break;
	}
	case SPDM_GET_CERTIFICATE: {
		struct spdm_get_certificate g;

		if (spdm_decode_get_certificate(msg, len, h.version, &g, NULL) > 0)
			snprintf(out, cap, "slot %u offset %u length %u%s", g.slot, g.offset,
				 g.length, g.large ? " (LargeCertChain)" : "");
		break;
	}
	case SPDM_CERTIFICATE: {
		struct spdm_certificate c;

		if (spdm_decode_certificate(msg, len, h.version, &c, NULL) > 0)
			snprintf(out, cap, "slot %u portion %u remainder %u%s", c.slot,
				 c.portion_len, c.remainder_len, c.large ? " (LargeCertChain)" : "");
		break;
	}
	case SPDM_CHALLENGE:
	case SPDM_CHALLENGE_AUTH:
	case SPDM_GET_MEASUREMENTS:
	case SPDM_MEASUREMENTS:
		describe_auth(d, &h, msg, len, out, cap);
		break;
	case SPDM_ERROR: {
		struct spdm_error e;

		if (spdm_decode_error(msg, len, &e, NULL) > 0)
			snprintf(out, cap, "%s data 0x%02x", spdm_error_name(e.code), e.data);
		break;
	}
	case SPDM_VENDOR_DEFINED_REQUEST:
	case SPDM_VENDOR_DEFINED_RESPONSE:
		dump_vendor(msg, len, h.code == SPDM_VENDOR_DEFINED_RESPONSE, out, cap);
		break;
	}
}
