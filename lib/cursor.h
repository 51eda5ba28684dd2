/* SPDX-License-Identifier: MIT */
/*
 * The one bounds-checked reader and writer.
 *
 * Every byte that comes from a device, a client, a capture or a file is
 * read through a struct cur; every wire message is built through a
 * struct wcur.  No other code in devauth indexes untrusted buffers.
 *
 * Readers: each call either consumes exactly what it was asked for and
 * returns 0, or consumes nothing and returns -EBADMSG.  Multi-byte SPDM
 * fields are little endian; the _be variants serve the spdm-emu socket
 * framing and pcap headers.
 *
 * Writers are sticky: the first overflow sets ->err = -ENOSPC, later
 * writes do nothing, and wcur_finish() reports it, so an encoder writes
 * straight through and checks once.
 */
#ifndef DEVAUTH_CURSOR_H
#define DEVAUTH_CURSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <devauth/buf.h>

struct cur {
	const uint8_t *p;
	size_t len;
	size_t off;
};

static inline struct cur cur_init(const void *p, size_t len)
{
	return (struct cur){ .p = p, .len = len, .off = 0 };
}

static inline size_t cur_left(const struct cur *c)
{
	return c->len - c->off;
}

static inline bool cur_at_end(const struct cur *c)
{
	return c->off == c->len;
}

int cur_u8(struct cur *c, uint8_t *v);
int cur_u16(struct cur *c, uint16_t *v);
int cur_u24(struct cur *c, uint32_t *v);
int cur_u32(struct cur *c, uint32_t *v);
int cur_u64(struct cur *c, uint64_t *v);
int cur_be16(struct cur *c, uint16_t *v);
int cur_be32(struct cur *c, uint32_t *v);
/* Copy n bytes out. */
int cur_bytes(struct cur *c, void *dst, size_t n);
/* Borrow a pointer to the next n bytes (valid as long as the buffer). */
int cur_ptr(struct cur *c, size_t n, const uint8_t **out);
int cur_skip(struct cur *c, size_t n);
/* Split off the next n bytes as their own cursor. */
int cur_sub(struct cur *c, size_t n, struct cur *sub);
/* Everything left, as a pointer and a length; the cursor ends up at the end. */
void cur_rest(struct cur *c, const uint8_t **out, size_t *n);

struct wcur {
	uint8_t *p;
	size_t cap;
	size_t len;
	int err;
};

static inline struct wcur wcur_init(void *p, size_t cap)
{
	return (struct wcur){ .p = p, .cap = cap, .len = 0, .err = 0 };
}

void wcur_u8(struct wcur *w, uint8_t v);
void wcur_u16(struct wcur *w, uint16_t v);
void wcur_u24(struct wcur *w, uint32_t v);
void wcur_u32(struct wcur *w, uint32_t v);
void wcur_u64(struct wcur *w, uint64_t v);
void wcur_be16(struct wcur *w, uint16_t v);
void wcur_be32(struct wcur *w, uint32_t v);
void wcur_bytes(struct wcur *w, const void *src, size_t n);
void wcur_zero(struct wcur *w, size_t n);
/*
 * Reserve n bytes to be filled later (a length prefix whose value is
 * known only after the body).  Returns the offset, or SIZE_MAX after an
 * overflow; wcur_put_u16_at() then does nothing.
 */
size_t wcur_reserve(struct wcur *w, size_t n);
void wcur_put_u16_at(struct wcur *w, size_t at, uint16_t v);
void wcur_put_u32_at(struct wcur *w, size_t at, uint32_t v);
/* Returns the number of bytes written or w->err. */
static inline long wcur_finish(const struct wcur *w)
{
	return w->err ? w->err : (long)w->len;
}

/*
 * struct da_buf (devauth/buf.h) holds transcripts, certificate chains,
 * evidence objects.  Appending (da_buf_append(), public) never reads
 * untrusted lengths: the caller passes lengths that a struct cur
 * already checked.
 */
int da_buf_reserve(struct da_buf *b, size_t n);
int da_buf_dup(struct da_buf *dst, const struct da_buf *src);

#endif
