/* SPDX-License-Identifier: MIT */
/*
 * pcap files as the DMTF spdm-emu tools, spdm-dump and Wireshark write
 * and read them: LINKTYPE_PCI_DOE (292), one DOE data object per packet,
 * or LINKTYPE_MCTP (291).  Written by the transports (every transport
 * message, both directions), read back by `devauth dump` and the
 * verifier.  The reader parses through struct cur only.
 */
#ifndef DEVAUTH_PCAP_H
#define DEVAUTH_PCAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <devauth/error.h>
#include <devauth/transport.h>

#define DA_LINKTYPE_MCTP 291
#define DA_LINKTYPE_PCI_DOE 292

struct da_pcap;

/* Framing NONE has no standard link type: -EOPNOTSUPP. */
int da_pcap_open_write(const char *path, enum da_framing framing, struct da_pcap **out,
		       struct da_err *err);
/*
 * Log one transport message exactly as it crossed the transport (for
 * MCTP with the 4-byte MCTP transport header in front, see pcap.c).
 * Safe to call from several threads.
 */
int da_pcap_log(struct da_pcap *p, const uint8_t *tmsg, size_t len);
int da_pcap_close(struct da_pcap *p); /* flushes; returns the first write error */

struct da_pcap_record {
	const uint8_t *data;
	size_t len;			/* incl_len: the bytes in the file */
	uint32_t orig_len;		/* > len when the writer cut the packet at SnapLen */
	uint32_t ts_sec, ts_usec;	/* nanosecond files are converted to usec */
};

struct da_capture {
	uint32_t linktype;
	size_t nrec;
	struct da_pcap_record *rec;	/* borrow from raw */
	uint8_t *raw;			/* the file's bytes, owned */
	size_t raw_len;
};

int da_pcap_read(const char *path, struct da_capture *out, struct da_err *err);
/* Parse from memory; takes ownership of buf (malloc'ed) on success and on failure. */
int da_pcap_parse(uint8_t *buf, size_t len, struct da_capture *out, struct da_err *err);
void da_capture_free(struct da_capture *c);

/* One SPDM message found in a capture. */
struct da_spdm_msg {
	const uint8_t *data;		/* the SPDM message, framing removed */
	size_t len;			/* incl. any DOE padding */
	size_t max_pad;			/* padding the framing allows */
	bool secured;			/* secured SPDM (DSP0277): not decoded here */
	size_t record;			/* index of the pcap record, for messages */
};

/*
 * The SPDM messages of a capture in order: DOE discovery objects are
 * skipped, framing is removed; anything that is neither, or a record cut
 * at SnapLen, is -EBADMSG naming the record; a link type other than DOE
 * or MCTP is -EOPNOTSUPP.  *out is malloc'ed (also when *n is 0).
 */
int da_capture_spdm(const struct da_capture *c, struct da_spdm_msg **out, size_t *n,
		    struct da_err *err);

#endif
