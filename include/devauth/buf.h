/* SPDX-License-Identifier: MIT */
/*
 * A growable owned byte buffer: what da_evidence_encode() and
 * da_evidence_export_meas_transcript() fill.  {0} is an empty buffer;
 * release it with da_buf_free().
 */
#ifndef DEVAUTH_BUF_H
#define DEVAUTH_BUF_H

#include <stddef.h>
#include <stdint.h>

struct da_buf {
	uint8_t *data;
	size_t len;
	size_t cap;
};

/* Keep the allocation, forget the contents. */
void da_buf_reset(struct da_buf *b);
void da_buf_free(struct da_buf *b);
/* Append n bytes of p, growing the allocation: 0, or -errno with b unchanged. */
int da_buf_append(struct da_buf *b, const void *p, size_t n);

#endif
