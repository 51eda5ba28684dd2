// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cursor.h"

static int take(struct cur *c, size_t n, const uint8_t **out)
{
	if (n > cur_left(c))
		return -EBADMSG;
	*out = c->p + c->off;
	c->off += n;
	return 0;
}

int cur_u8(struct cur *c, uint8_t *v)
{
	const uint8_t *b;

	if (take(c, 1, &b))
		return -EBADMSG;
	*v = b[0];
	return 0;
}

int cur_u16(struct cur *c, uint16_t *v)
{
	const uint8_t *b;

	if (take(c, 2, &b))
		return -EBADMSG;
	*v = (uint16_t)(b[0] | b[1] << 8);
	return 0;
}

int cur_u24(struct cur *c, uint32_t *v)
{
	const uint8_t *b;

	if (take(c, 3, &b))
		return -EBADMSG;
	*v = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16;
	return 0;
}

int cur_u32(struct cur *c, uint32_t *v)
{
	const uint8_t *b;

	if (take(c, 4, &b))
		return -EBADMSG;
	*v = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
	     (uint32_t)b[3] << 24;
	return 0;
}

int cur_u64(struct cur *c, uint64_t *v)
{
	uint32_t lo, hi;
	size_t save = c->off;

	if (cur_u32(c, &lo) || cur_u32(c, &hi)) {
		c->off = save;
		return -EBADMSG;
	}
	*v = (uint64_t)hi << 32 | lo;
	return 0;
}

int cur_be16(struct cur *c, uint16_t *v)
{
	const uint8_t *b;

	if (take(c, 2, &b))
		return -EBADMSG;
	*v = (uint16_t)(b[0] << 8 | b[1]);
	return 0;
}

int cur_be32(struct cur *c, uint32_t *v)
{
	const uint8_t *b;

	if (take(c, 4, &b))
		return -EBADMSG;
	*v = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 |
	     (uint32_t)b[3];
	return 0;
}

int cur_bytes(struct cur *c, void *dst, size_t n)
{
	const uint8_t *b;

	if (take(c, n, &b))
		return -EBADMSG;
	if (n)
		memcpy(dst, b, n);
	return 0;
}

int cur_ptr(struct cur *c, size_t n, const uint8_t **out)
{
	return take(c, n, out);
}

int cur_skip(struct cur *c, size_t n)
{
	const uint8_t *b;

	return take(c, n, &b);
}

int cur_sub(struct cur *c, size_t n, struct cur *sub)
{
	const uint8_t *b;

	if (take(c, n, &b))
		return -EBADMSG;
	*sub = cur_init(b, n);
	return 0;
}

void cur_rest(struct cur *c, const uint8_t **out, size_t *n)
{
	*n = cur_left(c);
	*out = c->p + c->off;
	c->off = c->len;
}

static uint8_t *room(struct wcur *w, size_t n)
{
	uint8_t *p;

	if (w->err)
		return NULL;
	if (n > w->cap - w->len) {
		w->err = -ENOSPC;
		return NULL;
	}
	p = w->p + w->len;
	w->len += n;
	return p;
}

void wcur_u8(struct wcur *w, uint8_t v)
{
	uint8_t *p = room(w, 1);

	if (p)
		p[0] = v;
}

void wcur_u16(struct wcur *w, uint16_t v)
{
	uint8_t *p = room(w, 2);

	if (p) {
		p[0] = v & 0xff;
		p[1] = v >> 8;
	}
}

void wcur_u24(struct wcur *w, uint32_t v)
{
	uint8_t *p = room(w, 3);

	if (p) {
		p[0] = v & 0xff;
		p[1] = (v >> 8) & 0xff;
		p[2] = (v >> 16) & 0xff;
	}
}

void wcur_u32(struct wcur *w, uint32_t v)
{
	uint8_t *p = room(w, 4);

	if (p) {
		p[0] = v & 0xff;
		p[1] = (v >> 8) & 0xff;
		p[2] = (v >> 16) & 0xff;
		p[3] = v >> 24;
	}
}

void wcur_u64(struct wcur *w, uint64_t v)
{
	wcur_u32(w, (uint32_t)v);
	wcur_u32(w, (uint32_t)(v >> 32));
}

void wcur_be16(struct wcur *w, uint16_t v)
{
	uint8_t *p = room(w, 2);

	if (p) {
		p[0] = v >> 8;
		p[1] = v & 0xff;
	}
}

void wcur_be32(struct wcur *w, uint32_t v)
{
	uint8_t *p = room(w, 4);

	if (p) {
		p[0] = v >> 24;
		p[1] = (v >> 16) & 0xff;
		p[2] = (v >> 8) & 0xff;
		p[3] = v & 0xff;
	}
}

void wcur_bytes(struct wcur *w, const void *src, size_t n)
{
	uint8_t *p = room(w, n);

	if (p && n)
		memcpy(p, src, n);
}

void wcur_zero(struct wcur *w, size_t n)
{
	uint8_t *p = room(w, n);

	if (p && n)
		memset(p, 0, n);
}

size_t wcur_reserve(struct wcur *w, size_t n)
{
	size_t at = w->len;

	if (!room(w, n))
		return SIZE_MAX;
	memset(w->p + at, 0, n);
	return at;
}

void wcur_put_u16_at(struct wcur *w, size_t at, uint16_t v)
{
	if (w->err || at == SIZE_MAX || at + 2 > w->len)
		return;
	w->p[at] = v & 0xff;
	w->p[at + 1] = v >> 8;
}

void wcur_put_u32_at(struct wcur *w, size_t at, uint32_t v)
{
	if (w->err || at == SIZE_MAX || at + 4 > w->len)
		return;
	w->p[at] = v & 0xff;
	w->p[at + 1] = (v >> 8) & 0xff;
	w->p[at + 2] = (v >> 16) & 0xff;
	w->p[at + 3] = v >> 24;
}

int da_buf_reserve(struct da_buf *b, size_t n)
{
	size_t cap;
	uint8_t *p;

	if (n <= b->cap - b->len)
		return 0;
	if (n > SIZE_MAX / 2 - b->len)
		return -ENOMEM;
	cap = b->cap ? b->cap : 256;
	while (cap - b->len < n)
		cap *= 2;
	p = realloc(b->data, cap);
	if (!p)
		return -ENOMEM;
	b->data = p;
	b->cap = cap;
	return 0;
}

int da_buf_append(struct da_buf *b, const void *p, size_t n)
{
	int ret;

	if (!n)
		return 0;
	ret = da_buf_reserve(b, n);
	if (ret)
		return ret;
	memcpy(b->data + b->len, p, n);
	b->len += n;
	return 0;
}

void da_buf_reset(struct da_buf *b)
{
	b->len = 0;
}

void da_buf_free(struct da_buf *b)
{
	free(b->data);
	*b = (struct da_buf){ 0 };
}

int da_buf_dup(struct da_buf *dst, const struct da_buf *src)
{
	*dst = (struct da_buf){ 0 };
	return da_buf_append(dst, src->data, src->len);
}
