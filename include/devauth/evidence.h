/* SPDX-License-Identifier: MIT */
/*
 * Evidence: the raw objects a TSM hands to userspace (pci-tsm types
 * CERT0..7, VCA, MEASUREMENTS, REPORT) plus what is known about them.
 * An evidence bundle is one versioned file holding all of it byte-exact
 * (docs/evidence.md); encode(decode(x)) == x.
 */
#ifndef DEVAUTH_EVIDENCE_H
#define DEVAUTH_EVIDENCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <devauth/error.h>
#include <devauth/spdm.h>

struct spdm_req;

struct da_evidence_obj {
	uint8_t *data;			/* owned; NULL if absent */
	size_t len;
};

struct da_evidence {
	char dev_name[64];		/* "0000:01:00.0" */
	char tsm[32];			/* "tsm0" */
	char identity[160];		/* PCIe CMA identity string if known, "" if not */
	uint8_t version;		/* negotiated SPDM version, 0 if unknown */
	uint32_t base_asym, base_hash, meas_hash;
	uint8_t slot;			/* slot challenged */
	bool have_nonce;		/* nonce supplied by the verifier */
	uint8_t nonce[SPDM_NONCE_SIZE];
	uint64_t generation;		/* TSM evidence generation */
	uint64_t time;			/* seconds since the epoch, when collected */
	struct da_evidence_obj obj[DA_EV_MAX + 1];
};

void da_evidence_init(struct da_evidence *ev);
void da_evidence_free(struct da_evidence *ev);
/* Copy obj (len bytes) in as object type; replaces what was there. */
int da_evidence_set(struct da_evidence *ev, unsigned int type, const void *obj, size_t len);
/* Take everything a requester collected (objects + negotiated algorithms + slot). */
int da_evidence_from_req(struct da_evidence *ev, const struct spdm_req *r, struct da_err *err);

/* The bundle file format (lib/evidence/bundle.c); decode reads only through struct cur. */
struct da_buf;
int da_evidence_encode(const struct da_evidence *ev, struct da_buf *out, struct da_err *err);
int da_evidence_decode(const uint8_t *buf, size_t len, struct da_evidence *ev,
		       struct da_err *err);
/* Atomic write: temp file, fsync, rename. */
int da_evidence_write_file(const struct da_evidence *ev, const char *path, struct da_err *err);
int da_evidence_read_file(const char *path, struct da_evidence *ev, struct da_err *err);

#endif
