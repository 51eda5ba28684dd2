/* SPDX-License-Identifier: MIT */
/*
 * Split the raw transcript objects back into SPDM messages so that the
 * requester can replay them (transcript.c).  The split
 * only finds boundaries with the codec's decoders; every check is the
 * replay's.
 */
#ifndef DEVAUTH_EVIDENCE_TRANSCRIPT_H
#define DEVAUTH_EVIDENCE_TRANSCRIPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <devauth/error.h>
#include <devauth/pcap.h>

#include "spdm/codec.h"

struct da_msg_list {
	struct da_spdm_msg *m;
	size_t n, cap;
};

void da_msg_list_free(struct da_msg_list *l);

/*
 * A da_spdm_msg's record field names where the message came from:
 * object type in the high 32 bits, byte offset in the object below.
 */
static inline size_t da_msg_origin(unsigned int obj_type, size_t off)
{
	return ((size_t)obj_type << 32) | (off & 0xffffffffu);
}

/* What the VCA object negotiated, learnt while walking it. */
struct da_transcript_info {
	struct spdm_dec_params p;
	struct spdm_negotiated neg;	/* .slot: SlotID of CHALLENGE */
	size_t a_len;			/* bytes of A (GET_VERSION .. ALGORITHMS) */
	size_t chal_off;		/* offset of CHALLENGE */
	size_t chal_auth_off;		/* offset of CHALLENGE_AUTH */
	size_t sig_off;			/* offset of the CHALLENGE_AUTH signature */
	size_t req_nonce_off, rsp_nonce_off;
	/* What a session's messages need: both Flags and the DHE group selected. */
	uint32_t req_caps, rsp_caps;
	uint16_t dhe;
};

/*
 * VCA = A || B || C || signature: GET_VERSION first, CHALLENGE_AUTH
 * (with its signature) last, nothing after it.  Appends to out.
 * -EBADMSG/-EPROTO naming "VCA", the message and the offset.
 */
int da_split_vca(const uint8_t *buf, size_t len, struct da_msg_list *out,
		 struct da_transcript_info *ti, struct da_err *err);

/*
 * MEASUREMENTS = (1.2+: A ||) GET_MEASUREMENTS/MEASUREMENTS pairs, the
 * last one signed, signature last.  The A prefix is skipped here (its
 * bytes are compared with the VCA's by the verifier); *a_len gets its
 * size (0 before 1.2).
 */
int da_split_meas(const uint8_t *buf, size_t len, const struct da_transcript_info *ti,
		  struct da_msg_list *out, size_t *a_len, struct da_err *err);

#endif
