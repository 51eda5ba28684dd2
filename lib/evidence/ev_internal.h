/* SPDX-License-Identifier: MIT */
/* Helpers shared by the importers (lib/evidence). */
#ifndef DEVAUTH_EVIDENCE_INTERNAL_H
#define DEVAUTH_EVIDENCE_INTERNAL_H

#include <devauth/evidence.h>

#include "transcript.h"

/* Whole file into memory (malloc'ed), at most max bytes. */
#include "file.h"

/*
 * Version, algorithms and slot from the VCA object (a walk over its
 * messages, no checks beyond their framing); ti gets the offsets.
 */
int da_evidence_fill_meta(struct da_evidence *ev, struct da_transcript_info *ti,
			  struct da_err *err);

#endif
