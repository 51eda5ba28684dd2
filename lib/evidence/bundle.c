// SPDX-License-Identifier: MIT
/*
 * The evidence bundle file (docs/evidence.md):
 *
 *   "DAEVIDNC" | u16 format version (1) | u16 flags (0) | TLVs
 *   TLV = u16 type | u32 length | value, little endian
 *
 * Metadata TLVs come first, all of them, in ascending type order (NONCE
 * only when the verifier supplied one); then one TLV per object present,
 * ascending.  Anything else (unknown type, order, duplicate, empty
 * object, trailing bytes) is rejected, so a file that decodes is the
 * only encoding of its content and encode(decode(x)) == x.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <devauth/evidence.h>

#include "cursor.h"
#include "ev_internal.h"
#include "file.h"

static const uint8_t bundle_magic[8] = { 'D', 'A', 'E', 'V', 'I', 'D', 'N', 'C' };
#define BUNDLE_FORMAT 1
#define BUNDLE_MAX_SIZE (64u << 20)

enum {
	TLV_DEV_NAME = 0x0001,
	TLV_TSM = 0x0002,
	TLV_IDENTITY = 0x0003,
	TLV_VERSION = 0x0004,
	TLV_ALGORITHMS = 0x0005,
	TLV_SLOT = 0x0006,
	TLV_NONCE = 0x0007,
	TLV_GENERATION = 0x0008,
	TLV_TIME = 0x0009,
	TLV_OBJECT = 0x0100,	/* + pci-tsm object type */
};

static void put_tlv(struct wcur *w, uint16_t type, const void *v, size_t len)
{
	wcur_u16(w, type);
	wcur_u32(w, (uint32_t)len);
	wcur_bytes(w, v, len);
}

static size_t encoded_size(const struct da_evidence *ev)
{
	size_t n = sizeof(bundle_magic) + 4;

	n += 6 + strnlen(ev->dev_name, sizeof(ev->dev_name));
	n += 6 + strnlen(ev->tsm, sizeof(ev->tsm));
	n += 6 + strnlen(ev->identity, sizeof(ev->identity));
	n += 6 + 1 + 6 + 12 + 6 + 1 + 6 + 8 + 6 + 8;
	if (ev->have_nonce)
		n += 6 + SPDM_NONCE_SIZE;
	for (unsigned int t = 0; t <= DA_EV_MAX; t++)
		if (ev->obj[t].len)
			n += 6 + ev->obj[t].len;
	return n;
}

int da_evidence_encode(const struct da_evidence *ev, struct da_buf *out, struct da_err *err)
{
	size_t n = encoded_size(ev);
	uint8_t algs[12], u64[8];
	struct wcur w, a;
	long ret;

	for (unsigned int t = 0; t <= DA_EV_MAX; t++)
		if (ev->obj[t].len > UINT32_MAX)
			return da_errf(err, -EFBIG, "bundle: %s object too large",
				       da_evidence_type_name(t));
	da_buf_reset(out);
	if (da_buf_reserve(out, n))
		return da_errf(err, -ENOMEM, "bundle: out of memory");
	w = wcur_init(out->data, n);
	wcur_bytes(&w, bundle_magic, sizeof(bundle_magic));
	wcur_u16(&w, BUNDLE_FORMAT);
	wcur_u16(&w, 0);
	put_tlv(&w, TLV_DEV_NAME, ev->dev_name, strnlen(ev->dev_name, sizeof(ev->dev_name)));
	put_tlv(&w, TLV_TSM, ev->tsm, strnlen(ev->tsm, sizeof(ev->tsm)));
	put_tlv(&w, TLV_IDENTITY, ev->identity, strnlen(ev->identity, sizeof(ev->identity)));
	put_tlv(&w, TLV_VERSION, &ev->neg.version, 1);
	a = wcur_init(algs, sizeof(algs));
	wcur_u32(&a, ev->neg.base_asym);
	wcur_u32(&a, ev->neg.base_hash);
	wcur_u32(&a, ev->neg.measurement_hash);
	put_tlv(&w, TLV_ALGORITHMS, algs, sizeof(algs));
	put_tlv(&w, TLV_SLOT, &ev->neg.slot, 1);
	if (ev->have_nonce)
		put_tlv(&w, TLV_NONCE, ev->nonce, SPDM_NONCE_SIZE);
	a = wcur_init(u64, sizeof(u64));
	wcur_u64(&a, ev->generation);
	put_tlv(&w, TLV_GENERATION, u64, sizeof(u64));
	a = wcur_init(u64, sizeof(u64));
	wcur_u64(&a, ev->time);
	put_tlv(&w, TLV_TIME, u64, sizeof(u64));
	for (unsigned int t = 0; t <= DA_EV_MAX; t++)
		if (ev->obj[t].len)
			put_tlv(&w, (uint16_t)(TLV_OBJECT + t), ev->obj[t].data, ev->obj[t].len);
	ret = wcur_finish(&w);
	if (ret < 0)
		return da_errf(err, (int)ret, "bundle: encoding overflowed");
	out->len = (size_t)ret;
	return 0;
}

static const char *tlv_name(uint16_t type)
{
	switch (type) {
	case TLV_DEV_NAME:
		return "DEV_NAME";
	case TLV_TSM:
		return "TSM";
	case TLV_IDENTITY:
		return "IDENTITY";
	case TLV_VERSION:
		return "VERSION";
	case TLV_ALGORITHMS:
		return "ALGORITHMS";
	case TLV_SLOT:
		return "SLOT";
	case TLV_NONCE:
		return "NONCE";
	case TLV_GENERATION:
		return "GENERATION";
	case TLV_TIME:
		return "TIME";
	}
	if (type >= TLV_OBJECT && type <= TLV_OBJECT + DA_EV_MAX)
		return da_evidence_type_name(type - TLV_OBJECT);
	return "unknown";
}

/* A string field: no NUL inside, shorter than the field, copied with its NUL. */
static int get_string(struct cur *v, char *dst, size_t cap, size_t at, uint16_t type,
		      struct da_err *err)
{
	size_t n = cur_left(v);

	if (n >= cap)
		return da_errf(err, -EBADMSG, "bundle: offset %zu: %s is %zu bytes, at most %zu",
			       at, tlv_name(type), n, cap - 1);
	if (cur_bytes(v, dst, n))
		return -EBADMSG;
	dst[n] = '\0';
	if (strlen(dst) != n)
		return da_errf(err, -EBADMSG, "bundle: offset %zu: %s holds a NUL byte", at,
			       tlv_name(type));
	return 0;
}

static int want_len(struct cur *v, size_t n, size_t at, uint16_t type, struct da_err *err)
{
	if (cur_left(v) != n)
		return da_errf(err, -EBADMSG, "bundle: offset %zu: %s is %zu bytes, must be %zu",
			       at, tlv_name(type), cur_left(v), n);
	return 0;
}

static int decode_tlv(struct da_evidence *ev, uint16_t type, struct cur *v, size_t at,
		      struct da_err *err)
{
	const uint8_t *p;
	size_t n;
	int ret;

	switch (type) {
	case TLV_DEV_NAME:
		return get_string(v, ev->dev_name, sizeof(ev->dev_name), at, type, err);
	case TLV_TSM:
		return get_string(v, ev->tsm, sizeof(ev->tsm), at, type, err);
	case TLV_IDENTITY:
		return get_string(v, ev->identity, sizeof(ev->identity), at, type, err);
	case TLV_VERSION:
		return want_len(v, 1, at, type, err) ?: cur_u8(v, &ev->neg.version);
	case TLV_ALGORITHMS:
		return want_len(v, 12, at, type, err) ?: cur_u32(v, &ev->neg.base_asym) ?:
		       cur_u32(v, &ev->neg.base_hash) ?: cur_u32(v, &ev->neg.measurement_hash);
	case TLV_SLOT:
		ret = want_len(v, 1, at, type, err) ?: cur_u8(v, &ev->neg.slot);
		if (!ret && ev->neg.slot >= SPDM_MAX_SLOTS)
			return da_errf(err, -EBADMSG, "bundle: offset %zu: SLOT %u is not 0-7", at,
				       ev->neg.slot);
		return ret;
	case TLV_NONCE:
		ev->have_nonce = true;
		return want_len(v, SPDM_NONCE_SIZE, at, type, err) ?:
		       cur_bytes(v, ev->nonce, SPDM_NONCE_SIZE);
	case TLV_GENERATION:
		return want_len(v, 8, at, type, err) ?: cur_u64(v, &ev->generation);
	case TLV_TIME:
		return want_len(v, 8, at, type, err) ?: cur_u64(v, &ev->time);
	}
	if (type < TLV_OBJECT || type > TLV_OBJECT + DA_EV_MAX)
		return da_errf(err, -EBADMSG, "bundle: offset %zu: unknown TLV type 0x%04x", at,
			       type);
	cur_rest(v, &p, &n);
	if (!n)
		return da_errf(err, -EBADMSG, "bundle: offset %zu: %s object is empty", at,
			       tlv_name(type));
	ret = da_evidence_set(ev, type - TLV_OBJECT, p, n);
	return ret ? da_errf(err, ret, "bundle: %s: out of memory", tlv_name(type)) : 0;
}

/* Metadata that every bundle carries, in this order. */
static const uint16_t required[] = {
	TLV_DEV_NAME, TLV_TSM, TLV_IDENTITY, TLV_VERSION, TLV_ALGORITHMS, TLV_SLOT,
	TLV_GENERATION, TLV_TIME,
};

int da_evidence_decode(const uint8_t *buf, size_t len, struct da_evidence *ev,
		       struct da_err *err)
{
	struct cur c = cur_init(buf, len);
	uint8_t magic[sizeof(bundle_magic)];
	uint16_t format, flags;
	size_t next_req = 0;
	int last = -1, ret;

	da_evidence_init(ev);
	if (cur_bytes(&c, magic, sizeof(magic)) || memcmp(magic, bundle_magic, sizeof(magic)))
		return da_errf(err, -EBADMSG, "bundle: offset 0: not an evidence bundle (magic)");
	if (cur_u16(&c, &format) || cur_u16(&c, &flags))
		return da_errf(err, -EBADMSG, "bundle: offset 8: truncated header");
	if (format != BUNDLE_FORMAT)
		return da_errf(err, -EPROTONOSUPPORT,
			       "bundle: offset 8: format version %u, this build reads %u", format,
			       BUNDLE_FORMAT);
	if (flags)
		return da_errf(err, -EBADMSG, "bundle: offset 10: flags 0x%04x, must be 0", flags);
	while (!cur_at_end(&c)) {
		size_t at = c.off;
		uint16_t type;
		uint32_t vlen;
		struct cur v;

		if (cur_u16(&c, &type) || cur_u32(&c, &vlen)) {
			ret = da_errf(err, -EBADMSG, "bundle: offset %zu: truncated TLV header", at);
			goto fail;
		}
		if (cur_sub(&c, vlen, &v)) {
			ret = da_errf(err, -EBADMSG,
				      "bundle: offset %zu: %s length %u exceeds the %zu bytes left",
				      at, tlv_name(type), vlen, cur_left(&c));
			goto fail;
		}
		if ((int)type <= last) {
			ret = da_errf(err, -EBADMSG,
				      "bundle: offset %zu: %s (0x%04x) out of order or repeated", at,
				      tlv_name(type), type);
			goto fail;
		}
		if (type != TLV_NONCE) {
			if (next_req < sizeof(required) / sizeof(required[0])) {
				if (type != required[next_req]) {
					ret = da_errf(err, -EBADMSG,
						      "bundle: offset %zu: %s missing before %s", at,
						      tlv_name(required[next_req]),
						      tlv_name(type));
					goto fail;
				}
				next_req++;
			}
		}
		ret = decode_tlv(ev, type, &v, at, err);
		if (ret)
			goto fail;
		last = type;
	}
	if (next_req != sizeof(required) / sizeof(required[0])) {
		ret = da_errf(err, -EBADMSG, "bundle: offset %zu: %s missing", len,
			      tlv_name(required[next_req]));
		goto fail;
	}
	return 0;
fail:
	da_evidence_free(ev);
	return ret < 0 ? ret : -EBADMSG;
}

int da_evidence_write_file(const struct da_evidence *ev, const char *path, struct da_err *err)
{
	struct da_buf b = { 0 };
	char tmp[4096];
	ssize_t w;
	size_t off = 0;
	int fd = -1, ret;

	ret = da_evidence_encode(ev, &b, err);
	if (ret)
		return ret;
	if (snprintf(tmp, sizeof(tmp), "%s.tmpXXXXXX", path) >= (int)sizeof(tmp)) {
		ret = da_errf(err, -ENAMETOOLONG, "%s: path too long", path);
		goto out;
	}
	fd = mkstemp(tmp);
	if (fd < 0) {
		ret = da_errf(err, -errno, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	while (off < b.len) {
		w = write(fd, b.data + off, b.len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			ret = da_errf(err, w < 0 ? -errno : -EIO, "%s: write: %s", tmp,
				      strerror(w < 0 ? errno : EIO));
			goto unlink;
		}
		off += (size_t)w;
	}
	/* Readers never see a half-written bundle: data on disk, then the name. */
	if (fchmod(fd, 0644) || fsync(fd)) {
		ret = da_errf(err, -errno, "%s: %s", tmp, strerror(errno));
		goto unlink;
	}
	if (close(fd)) {
		fd = -1;
		ret = da_errf(err, -errno, "%s: close: %s", tmp, strerror(errno));
		goto unlink;
	}
	fd = -1;
	if (rename(tmp, path)) {
		ret = da_errf(err, -errno, "%s: rename: %s", path, strerror(errno));
		goto unlink;
	}
	ret = 0;
	goto out;
unlink:
	if (fd >= 0)
		close(fd);
	unlink(tmp);
out:
	da_buf_free(&b);
	return ret;
}

int da_evidence_read_file(const char *path, struct da_evidence *ev, struct da_err *err)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	int ret;

	ret = da_read_file(path, &buf, &len, BUNDLE_MAX_SIZE, err);
	if (ret) {
		da_evidence_init(ev);
		return ret;
	}
	ret = da_evidence_decode(buf, len, ev, err);
	if (ret)
		da_err_prefix(err, "%s", path);
	free(buf);
	return ret;
}
