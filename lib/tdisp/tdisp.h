/* SPDX-License-Identifier: MIT */
/*
 * The TSM side of TDISP and IDE_KM over an established SPDM session
 * (docs/tdisp.md).  Each call is one request and its response, checked
 * (message type, TDISP version echo, INTERFACE_ID echo, lengths); a
 * TDISP_ERROR answer maps to errno (tdisp_error_to_errno()) with the
 * error's name in the message, and is kept in t->last_error.
 */
#ifndef DEVAUTH_TDISP_H
#define DEVAUTH_TDISP_H

#include <devauth/buf.h>
#include <devauth/requester.h>

#include "tdisp_codec.h"

/* The report is read in portions of at most this much unless asked otherwise. */
#define TDISP_DEFAULT_PORTION	0x800

/*
 * How TDISP and IDE_KM messages reach the device: send() takes one
 * message of a PCI protocol and returns the body of the answer.  By
 * default a secured VENDOR_DEFINED exchange in the requester's session
 * (tdisp_chan_session()); the unit tests put a scripted device here.
 */
struct tdisp_chan {
	int (*send)(void *ctx, uint8_t protocol, const uint8_t *req, size_t req_len,
		    uint8_t *out, size_t cap, size_t *out_len, struct da_err *err);
	void *ctx;
	const char *dev;		/* first word of every message */
};

void tdisp_chan_session(struct tdisp_chan *c, struct spdm_req *r);

struct tdisp_req {
	struct tdisp_chan ch;
	struct tdisp_iface iface;
	uint16_t portion;		/* LENGTH asked per report portion */
	uint8_t version;		/* negotiated, 0 before GET_TDISP_VERSION */
	bool have_caps;
	struct tdisp_caps caps;
	bool locked;			/* a LOCK_INTERFACE_RESPONSE came */
	uint8_t nonce[TDISP_NONCE_SIZE];	/* START_INTERFACE_NONCE of that lock */
	struct da_buf report;		/* the report as read, all portions */
	struct tdisp_report rep;	/* decoded, borrows from report */
	unsigned int portions;		/* responses the report took */
	uint8_t state;			/* last DEVICE_INTERFACE_STATE */
	bool had_error;
	struct tdisp_error last_error;	/* ext not kept */
};

void tdisp_req_init(struct tdisp_req *t, struct spdm_req *r, uint32_t function_id);
void tdisp_req_init_chan(struct tdisp_req *t, const struct tdisp_chan *ch, uint32_t function_id);
/* Frees the report, wipes the nonce. */
void tdisp_req_free(struct tdisp_req *t);

int tdisp_req_version(struct tdisp_req *t, struct da_err *err);
int tdisp_req_capabilities(struct tdisp_req *t, struct da_err *err);
/* Lock flags the device did not announce are refused before sending. */
int tdisp_req_lock(struct tdisp_req *t, const struct tdisp_lock_params *p, struct da_err *err);
/*
 * The whole report in portions of t->portion bytes: each PORTION_LENGTH
 * must be at most what was asked and non-zero, PORTION + REMAINDER must
 * keep the total of the first answer; then tdisp_decode_report().
 */
int tdisp_req_report(struct tdisp_req *t, struct da_err *err);
int tdisp_req_state(struct tdisp_req *t, uint8_t *state, struct da_err *err);
int tdisp_req_start(struct tdisp_req *t, const uint8_t nonce[TDISP_NONCE_SIZE],
		    struct da_err *err);
int tdisp_req_stop(struct tdisp_req *t, struct da_err *err);

/* IDE_KM (ide_km_req.c) */
#define IDEKM_KEEP_REGS 64
struct idekm_port {
	uint8_t port_index, dev_func, bus, segment, max_port_index;
	uint32_t nregs;			/* dwords in the IDE capability */
	uint32_t regs[IDEKM_KEEP_REGS];	/* the first of them */
};

int idekm_req_query(const struct tdisp_chan *ch, uint8_t port_index, struct idekm_port *q,
		    struct da_err *err);
/* KEY_PROG of one key set / direction / sub-stream; KP_ACK must say Successful. */
int idekm_req_key_prog(const struct tdisp_chan *ch, const struct idekm_stream *s,
		       const uint8_t key[IDEKM_KEY_SIZE], const uint8_t ifv[IDEKM_IFV_SIZE],
		       struct da_err *err);
int idekm_req_key_set(const struct tdisp_chan *ch, bool go, const struct idekm_stream *s,
		      struct da_err *err);

#endif
