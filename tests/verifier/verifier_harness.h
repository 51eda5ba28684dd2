/* SPDX-License-Identifier: MIT */
/*
 * Shared by the verifier tests: real evidence from the in-process
 * emulated device, and writers of the other presentations of it (the
 * sysfs layout, the netlink sig event, the pci-tsm dump).
 */
#ifndef DEVAUTH_TEST_VERIFIER_HARNESS_H
#define DEVAUTH_TEST_VERIFIER_HARNESS_H

#include <stdbool.h>
#include <stdint.h>

#include <devauth/evidence.h>
#include <devauth/verifier.h>

#include "cursor.h"
#include "responder/device.h"

struct collect_opts {
	uint8_t version;
	uint32_t asym, hash;
	bool have_nonce;
	uint8_t nonce[SPDM_NONCE_SIZE];
	const char *pcap_path;		/* also capture the exchange */
	bool no_measure;
	/* GET_MEASUREMENTS with its own nonce instead of the CHALLENGE's */
	bool have_meas_nonce;
	uint8_t meas_nonce[SPDM_NONCE_SIZE];
	/*
	 * A session (KEY_EXCHANGE with the nonce as RandomData when there
	 * is one) after the authentication, the measurements inside it:
	 * the evidence gets the SESSION object.
	 */
	bool session;
	bool in_clear;			/* offer HANDSHAKE_IN_THE_CLEAR */
};

/* Authenticate + signed measurements against dev; fills ev.  0 or fails the test. */
void collect(struct rsp_device *dev, const struct collect_opts *o, struct da_evidence *ev);
/* Device slot 0 root as a PEM file; path gets the name. */
void write_root(struct rsp_device *dev, char *path, size_t len);
/* DIR/certificates/slotN and DIR/signatures/N_* from evidence. */
void write_sysfs(const struct da_evidence *ev, const char *dir);
/* A sig event per signature (CHALLENGE_AUTH, MEASUREMENTS). */
void build_sig_events(const struct da_evidence *ev, struct da_buf *out);
/* A pci-tsm EVIDENCE_READ dump with VAL chunks of chunk bytes. */
void build_pci_tsm_dump(const struct da_evidence *ev, uint64_t generation, size_t chunk,
			struct da_buf *out);
void rm_rf(const char *dir);

#endif
