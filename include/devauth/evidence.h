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

#include <devauth/buf.h>
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
	struct spdm_negotiated neg;	/* version 0 if unknown */
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
int da_evidence_encode(const struct da_evidence *ev, struct da_buf *out, struct da_err *err);
int da_evidence_decode(const uint8_t *buf, size_t len, struct da_evidence *ev,
		       struct da_err *err);
/* Atomic write: temp file, fsync, rename. */
int da_evidence_write_file(const struct da_evidence *ev, const char *path, struct da_err *err);
int da_evidence_read_file(const char *path, struct da_evidence *ev, struct da_err *err);

/* "CERT0".."CERT7", "VCA", "MEASUREMENTS", "REPORT"; "unknown" for another type. */
const char *da_evidence_type_name(unsigned int type);
/* The same in lower case ("cert0", "vca"): JSON keys and command-line words; "?" for another type. */
const char *da_evidence_type_key(unsigned int type);

/*
 * Importers (docs/evidence.md).  Each reads its input only through
 * struct cur and fills ev (initialised by the caller) with the raw
 * objects byte-exact; none of them decides anything about trust.
 */
/* A pcap (LINKTYPE 292/291): replays the exchange to cut out the objects. */
int da_evidence_import_pcap(const char *path, struct da_evidence *ev, struct da_err *err);
int da_evidence_import_pcap_buf(const uint8_t *buf, size_t len, struct da_evidence *ev,
				struct da_err *err);
/*
 * The Linux C series sysfs layout of one device: DIR/certificates/slotN
 * and DIR/signatures/N_* (the newest CHALLENGE_AUTH and MEASUREMENTS
 * entries are taken).
 */
int da_evidence_import_sysfs(const char *dir, struct da_evidence *ev, struct da_err *err);
/*
 * One "spdm" family "sig" event: a generic netlink message (nlmsghdr,
 * genlmsghdr, attributes; docs/evidence.md has the attribute numbers).
 * Several events may follow each other; CHALLENGE_AUTH and MEASUREMENTS
 * events are taken, the last of each wins.
 */
int da_evidence_import_netlink_sig(const uint8_t *buf, size_t len, struct da_evidence *ev,
				   struct da_err *err);
/* A pci-tsm EVIDENCE_READ dump: the concatenated reply messages, NLMSG_DONE last. */
int da_evidence_import_pci_tsm(const uint8_t *buf, size_t len, struct da_evidence *ev,
			       struct da_err *err);

/* pci-tsm netlink attributes (shared with lib/tsm, docs/evidence.md). */
#define PCI_TSM_A_EVIDENCE_TYPE		1	/* u32 */
#define PCI_TSM_A_EVIDENCE_VAL		2	/* binary chunk */
#define PCI_TSM_A_EVIDENCE_TYPE_MASK	3	/* u32 */
#define PCI_TSM_A_EVIDENCE_FLAGS	4	/* u32 */
#define PCI_TSM_A_EVIDENCE_DEV_NAME	5	/* string */
#define PCI_TSM_A_EVIDENCE_NONCE	6	/* binary */
#define PCI_TSM_A_EVIDENCE_GENERATION	7	/* u64 */

/* "spdm" family, "sig" event attributes (docs/evidence.md). */
#define SPDM_A_SIG_DEVICE		1	/* string */
#define SPDM_A_SIG_RSP_CODE		2	/* u8 */
#define SPDM_A_SIG_SLOT			3	/* u8 */
#define SPDM_A_SIG_HASH_ALGO		4	/* u32, BaseHashAlgo bit */
#define SPDM_A_SIG_SIG_OFFSET		5	/* u32 */
#define SPDM_A_SIG_REQ_NONCE_OFFSET	6	/* u32 */
#define SPDM_A_SIG_RSP_NONCE_OFFSET	7	/* u32 */
#define SPDM_A_SIG_COMBINED_PREFIX	8	/* binary, 0 or 100 bytes */
#define SPDM_A_SIG_TRANSCRIPT		9	/* binary, signature last */

/*
 * The DMTF "standard measurement transcript": VCA (A) ||
 * GET_MEASUREMENTS || MEASUREMENTS including the signature, rebuilt from
 * the VCA and MEASUREMENTS objects (lib/evidence/export.c).
 */
int da_evidence_export_meas_transcript(const struct da_evidence *ev, struct da_buf *out,
				       struct da_err *err);

#endif
