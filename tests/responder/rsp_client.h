/* SPDX-License-Identifier: MIT */
/*
 * A minimal requester for the responder tests: builds requests with the
 * codec, keeps its own transcripts (A, B, L1) from the bytes it
 * exchanged, and verifies the signatures with the leaf key of the chain
 * it read.  Deliberately independent of lib/requester.
 */
#ifndef RSP_CLIENT_H
#define RSP_CLIENT_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "crypto/crypto.h"
#include "crypto/x509.h"
#include "responder/device.h"
#include "spdm/codec.h"

#define RSP_CAP 70000

struct client {
	struct rsp_device *d;
	struct spdm_responder *r;
	uint8_t ver;
	uint32_t asym, hash, meas_hash;
	struct spdm_dec_params p;
	struct da_buf a, b, l1;
	struct da_buf chain;		/* slot read last */
	uint8_t digest[SPDM_MAX_SLOTS][SPDM_MAX_HASH_SIZE];
	uint8_t provisioned;
	uint8_t req[8192];
	size_t req_len;
	uint8_t rsp[RSP_CAP];
	int rsp_len;
	/* last CHALLENGE_AUTH / MEASUREMENTS */
	uint8_t rsp_nonce[SPDM_NONCE_SIZE];
	uint8_t summary[SPDM_MAX_HASH_SIZE];
	int verify_ret;
};

void client_init(struct client *c, struct rsp_device *d);
void client_fini(struct client *c);
/* Send c->req (c->req_len bytes); mirrors the transcript reset rules. */
int client_xfer(struct client *c);
/* Expect an ERROR response with this code; returns ErrorData. */
uint8_t client_expect_error(struct client *c, uint8_t code);
void client_vca(struct client *c, uint8_t ver, uint32_t asym, uint32_t hash);
void client_digests(struct client *c);
void client_certificate(struct client *c, uint8_t slot, uint16_t chunk);
/* returns spdm_verify's result; asserts every field but the signature */
int client_challenge(struct client *c, uint8_t slot, uint8_t mst);
/* op: index / COUNT / ALL; returns number of blocks (or count) */
int client_measurements(struct client *c, uint8_t op, bool sign, bool raw, struct da_buf *rec);

#endif
