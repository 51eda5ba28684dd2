// SPDX-License-Identifier: MIT
/*
 * SPDM certificate chains: find the DER boundaries ourselves (so OpenSSL
 * only ever sees one exact certificate at a time), then let OpenSSL parse
 * and verify.  This file decides which checks apply and names the
 * certificate that fails one.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <devauth/spdm.h>

#include "../cursor.h"
#include "../file.h"
#include "crypto.h"
#include "x509.h"

/* PCIe r6.1 sec 6.31.3: otherName type-id for the CMA identity. */
#define CMA_SAN_OID "2.23.147"
/* Anchor files and PEM bundles are small; anything larger is not one. */
#define DA_CERT_FILE_MAX (4u << 20)

void da_x509_subject(X509 *x, char *buf, size_t len)
{
	unsigned long flags = (XN_FLAG_SEP_CPLUS_SPC | XN_FLAG_FN_SN | ASN1_STRFLGS_RFC2253) &
			      ~ASN1_STRFLGS_ESC_MSB;
	BIO *bio;
	int n;

	if (!len)
		return;
	buf[0] = '\0';
	if (!x)
		return;
	bio = BIO_new(BIO_s_mem());
	if (!bio)
		return;
	if (X509_NAME_print_ex(bio, X509_get_subject_name(x), 0, flags) >= 0) {
		n = BIO_read(bio, buf, (int)(len > INT32_MAX ? INT32_MAX : len - 1));
		buf[n > 0 ? n : 0] = '\0';
	}
	BIO_free(bio);
}

/*
 * One DER TLV header: tag 0x30 (SEQUENCE) and a definite length in
 * short or long form (at most 4 length bytes, minimal encoding).
 * Returns the total size of the element, header included.
 */
static int der_seq_size(struct cur *c, size_t *total, const char *what, size_t idx,
			struct da_err *err)
{
	struct cur h = *c;
	uint8_t tag, l0, b;
	size_t clen = 0;

	if (cur_u8(&h, &tag) || cur_u8(&h, &l0))
		return da_errf(err, -EBADMSG, "%s: certificate %zu: truncated DER header", what,
			       idx);
	if (tag != 0x30)
		return da_errf(err, -EBADMSG, "%s: certificate %zu: DER tag 0x%02x, not SEQUENCE",
			       what, idx, tag);
	if (l0 == 0x80)
		return da_errf(err, -EBADMSG, "%s: certificate %zu: indefinite DER length", what,
			       idx);
	if (l0 < 0x80) {
		clen = l0;
	} else {
		unsigned int nb = l0 & 0x7f;

		if (nb > 4)
			return da_errf(err, -EBADMSG,
				       "%s: certificate %zu: DER length of %u bytes", what, idx, nb);
		for (unsigned int i = 0; i < nb; i++) {
			if (cur_u8(&h, &b))
				return da_errf(err, -EBADMSG,
					       "%s: certificate %zu: truncated DER length", what,
					       idx);
			if (i == 0 && b == 0)
				return da_errf(err, -EBADMSG,
					       "%s: certificate %zu: non-minimal DER length", what,
					       idx);
			clen = clen << 8 | b;
		}
		if (clen < 0x80)
			return da_errf(err, -EBADMSG,
				       "%s: certificate %zu: non-minimal DER length", what, idx);
	}
	if (clen > cur_left(&h))
		return da_errf(err, -EBADMSG,
			       "%s: certificate %zu: DER length %zu exceeds the %zu bytes left",
			       what, idx, clen, cur_left(&h));
	*total = h.off - c->off + clen;
	return 0;
}

/* Parse exactly one DER certificate of n bytes from c. */
static int take_cert(struct cur *c, size_t idx, const char *what, X509 **out, size_t *off,
		     size_t *len, struct da_err *err)
{
	const unsigned char *p, *start;
	size_t n = 0;
	X509 *x;
	int ret;

	ret = der_seq_size(c, &n, what, idx, err);
	if (ret)
		return ret;
	*off = c->off;
	if (cur_ptr(c, n, &start) || n > LONG_MAX)
		return da_errf(err, -EBADMSG, "%s: certificate %zu: truncated", what, idx);
	p = start;
	x = d2i_X509(NULL, &p, (long)n);
	/* d2i must consume the element exactly: no slack inside the SEQUENCE. */
	if (!x || p != start + n) {
		X509_free(x);
		return da_errf(err, -EBADMSG, "%s: certificate %zu: not a valid DER X.509", what,
			       idx);
	}
	*out = x;
	*len = n;
	return 0;
}

void spdm_chain_free(struct spdm_chain *c)
{
	if (!c)
		return;
	sk_X509_pop_free(c->certs, X509_free);
	memset(c, 0, sizeof(*c));
}

int spdm_chain_parse(const uint8_t *chain, size_t len, uint32_t base_hash,
		     struct spdm_chain *out, struct da_err *err)
{
	uint8_t digest[SPDM_MAX_HASH_SIZE];
	size_t hlen = spdm_hash_size(base_hash);
	struct cur c = cur_init(chain, len);
	uint16_t length, reserved;
	const uint8_t *der;
	int ret;

	memset(out, 0, sizeof(*out));
	if (!hlen)
		return da_errf(err, -EOPNOTSUPP, "certificate chain: BaseHashAlgo 0x%x unsupported",
			       base_hash);
	if (cur_u16(&c, &length) || cur_u16(&c, &reserved) || cur_ptr(&c, hlen, &out->root_hash))
		return da_errf(err, -EBADMSG,
			       "certificate chain: %zu bytes, shorter than the %zu-byte header",
			       len, 4 + hlen);
	/*
	 * A chain above 64 KiB (1.4 LargeCertChain) cannot state its size in
	 * 16 bits: its Length runs on into the following two bytes, as the
	 * DMTF 1.4 implementation writes it (a 32-bit Length).  Smaller chains
	 * keep the 16-bit Length and the reserved field is not looked at.
	 */
	if (length != len &&
	    (len <= UINT16_MAX || ((uint32_t)reserved << 16 | length) != len))
		return da_errf(err, -EBADMSG,
			       "certificate chain: Length %u but %zu bytes received",
			       len <= UINT16_MAX ? length : (uint32_t)reserved << 16 | length, len);
	if (cur_at_end(&c))
		return da_errf(err, -EBADMSG, "certificate chain: no certificates");
	out->certs = sk_X509_new_null();
	if (!out->certs)
		return da_errf(err, -ENOMEM, "certificate chain: out of memory");
	while (!cur_at_end(&c)) {
		size_t i = out->ncerts;
		X509 *x = NULL;

		if (i == SPDM_CHAIN_MAX_CERTS) {
			ret = da_errf(err, -E2BIG, "certificate chain: more than %d certificates",
				      SPDM_CHAIN_MAX_CERTS);
			goto fail;
		}
		ret = take_cert(&c, i, "certificate chain", &x, &out->cert_off[i],
				&out->cert_len[i], err);
		if (ret)
			goto fail;
		if (!sk_X509_push(out->certs, x)) {
			X509_free(x);
			ret = da_errf(err, -ENOMEM, "certificate chain: out of memory");
			goto fail;
		}
		out->ncerts++;
	}
	/* RootHash covers the first certificate's DER exactly as received. */
	c = cur_init(chain, len);
	if (cur_skip(&c, out->cert_off[0]) || cur_ptr(&c, out->cert_len[0], &der)) {
		ret = da_errf(err, -EBADMSG, "certificate chain: certificate 0 out of bounds");
		goto fail;
	}
	ret = spdm_hash(base_hash, der, out->cert_len[0], digest);
	if (ret) {
		da_errf(err, ret, "certificate chain: cannot hash certificate 0");
		goto fail;
	}
	if (memcmp(digest, out->root_hash, hlen)) {
		ret = da_errf(err, -EBADMSG,
			      "certificate chain: RootHash does not match the hash of certificate 0");
		goto fail;
	}
	return 0;
fail:
	spdm_chain_free(out);
	return ret;
}

static int cert_fail(struct da_err *err, int code, size_t idx, X509 *x, const char *what)
{
	char subj[256];

	da_x509_subject(x, subj, sizeof(subj));
	return da_errf(err, code, "certificate %zu (%s): %s", idx, subj, what);
}

int spdm_chain_check(struct spdm_chain *c, struct da_err *err)
{
	size_t n = c->ncerts;

	if (!n || !c->certs)
		return da_errf(err, -EINVAL, "certificate chain: no certificates");
	for (size_t i = 0; i < n; i++) {
		X509 *x = sk_X509_value(c->certs, (int)i);
		X509 *issuer = i ? sk_X509_value(c->certs, (int)i - 1) : NULL;
		uint32_t flags = X509_get_extension_flags(x);
		uint32_t ku = X509_get_key_usage(x);
		bool leaf = i == n - 1;
		EVP_PKEY *key;
		int ok;

		if (flags & EXFLAG_INVALID)
			return cert_fail(err, -EBADMSG, i, x, "extensions do not parse");
		/*
		 * The first certificate (the root, or an intermediate whose
		 * issuer is not in the chain) has no previous one, and its
		 * self-signature is not checked: anyone who writes a
		 * certificate can sign it with its own key, so it proves
		 * nothing about the device.  What the chain's first
		 * certificate is worth is decided by the trust check, which
		 * verifies it against an anchor unless it is one
		 * (docs/requester.md, "The chain's first certificate").
		 */
		if (issuer) {
			if (X509_NAME_cmp(X509_get_subject_name(issuer),
					  X509_get_issuer_name(x)))
				return cert_fail(err, -EKEYREJECTED, i, x,
						 "issuer name is not the previous certificate's subject");
			key = X509_get0_pubkey(issuer);
			ok = key ? X509_verify(x, key) : -1;
			if (ok != 1)
				return cert_fail(err, -EKEYREJECTED, i, x,
						 "signature does not verify with the issuer's key");
		}
		if (!leaf) {
			if (!(flags & EXFLAG_CA))
				return cert_fail(err, -EPERM, i, x,
						 "BasicConstraints CA=FALSE or absent on a CA certificate");
			if ((flags & EXFLAG_KUSAGE) && !(ku & KU_KEY_CERT_SIGN))
				return cert_fail(err, -EPERM, i, x,
						 "KeyUsage lacks keyCertSign on a CA certificate");
			continue;
		}
		if (flags & EXFLAG_CA)
			return cert_fail(err, -EINVAL, i, x, "BasicConstraints CA=TRUE on the leaf");
		/* An absent KeyUsage extension grants nothing here: the leaf must say so. */
		if (!(flags & EXFLAG_KUSAGE) || !(ku & KU_DIGITAL_SIGNATURE))
			return cert_fail(err, -ENOKEY, i, x,
					 "KeyUsage lacks digitalSignature on the leaf");
		if (ku & KU_KEY_CERT_SIGN)
			return cert_fail(err, -EINVAL, i, x, "KeyUsage keyCertSign on the leaf");
	}
	c->sigs_checked = true;
	return 0;
}

EVP_PKEY *spdm_chain_leaf_key(const struct spdm_chain *c)
{
	X509 *leaf = spdm_chain_leaf(c);

	return leaf ? X509_get_pubkey(leaf) : NULL;
}

/*
 * Walk the SAN for otherName 2.23.147 UTF8String values; calls fn on
 * each until it returns non-zero.  Returns -ENOENT if there is none.
 */
static int for_each_cma_san(X509 *leaf, int (*fn)(const ASN1_STRING *s, void *arg), void *arg)
{
	GENERAL_NAMES *gens;
	ASN1_OBJECT *oid;
	int ret = -ENOENT;

	if (!leaf)
		return -ENOENT;
	oid = OBJ_txt2obj(CMA_SAN_OID, 1);
	if (!oid)
		return -ENOMEM;
	gens = X509_get_ext_d2i(leaf, NID_subject_alt_name, NULL, NULL);
	for (int i = 0; gens && i < sk_GENERAL_NAME_num(gens); i++) {
		const GENERAL_NAME *gn = sk_GENERAL_NAME_value(gens, i);
		const OTHERNAME *on;

		if (gn->type != GEN_OTHERNAME)
			continue;
		on = gn->d.otherName;
		if (!on || !on->type_id || !on->value || OBJ_cmp(on->type_id, oid) ||
		    on->value->type != V_ASN1_UTF8STRING || !on->value->value.utf8string)
			continue;
		ret = fn(on->value->value.utf8string, arg);
		if (ret)
			break;
	}
	GENERAL_NAMES_free(gens);
	ASN1_OBJECT_free(oid);
	return ret;
}

/* Copy for display: control bytes become '?' so a hostile SAN cannot forge log lines. */
static int copy_printable(const ASN1_STRING *s, char *buf, size_t len)
{
	int n = ASN1_STRING_length(s);
	struct cur c = cur_init(ASN1_STRING_get0_data(s), n > 0 ? (size_t)n : 0);
	struct wcur w = wcur_init(buf, len);
	uint8_t b;

	if (n < 0 || !len || (size_t)n >= len)
		return -ENOSPC;
	while (!cur_u8(&c, &b))
		wcur_u8(&w, b < 0x20 || b == 0x7f ? '?' : b);
	wcur_u8(&w, '\0');
	return wcur_finish(&w) < 0 ? -ENOSPC : n;
}

struct san_match {
	const char *want;
	size_t want_len;
	char got[256];
	bool have_got;
};

static int san_match_one(const ASN1_STRING *s, void *arg)
{
	struct san_match *m = arg;
	int n = ASN1_STRING_length(s);

	if (n >= 0 && (size_t)n == m->want_len &&
	    !memcmp(ASN1_STRING_get0_data(s), m->want, m->want_len))
		return 1;
	if (!m->have_got) {
		if (copy_printable(s, m->got, sizeof(m->got)) < 0)
			snprintf(m->got, sizeof(m->got), "(%d bytes)", n);
		m->have_got = true;
	}
	return 0;
}

int cma_check_leaf_san(X509 *leaf, const struct cma_identity *id, struct da_err *err)
{
	struct san_match m = { 0 };
	char want[128];
	int ret, n;

	n = cma_identity_format(id, want, sizeof(want));
	if (n < 0 || (size_t)n >= sizeof(want))
		return da_errf(err, -EINVAL, "leaf SAN: identity does not format");
	m.want = want;
	m.want_len = (size_t)n;
	ret = for_each_cma_san(leaf, san_match_one, &m);
	if (ret == 1)
		return 0;
	if (ret == -ENOENT && !m.have_got)
		return da_errf(err, -ENOENT,
			       "leaf SAN: no otherName " CMA_SAN_OID " (PCIe CMA identity); expected \"%s\"",
			       want);
	if (ret < 0 && ret != -ENOENT)
		return da_errf(err, ret, "leaf SAN: cannot read SubjectAltName");
	return da_errf(err, -EACCES, "leaf SAN: identity \"%s\" does not match expected \"%s\"",
		       m.got, want);
}

struct san_copy {
	char *buf;
	size_t len;
	int n;
};

static int san_copy_one(const ASN1_STRING *s, void *arg)
{
	struct san_copy *c = arg;

	c->n = copy_printable(s, c->buf, c->len);
	return 1;
}

int cma_leaf_san_string(X509 *leaf, char *buf, size_t len)
{
	struct san_copy c = { buf, len, -ENOENT };
	int ret = for_each_cma_san(leaf, san_copy_one, &c);

	return ret == 1 ? c.n : ret;
}

/* The armour every PEM block starts with; its label follows. */
#define PEM_BEGIN "-----BEGIN "

/*
 * PEM without a CERTIFICATE block (a key, a CSR): say what it is rather
 * than fail on '-' as a DER tag.
 */
static int pem_not_cert(const uint8_t *buf, size_t len, struct da_err *err)
{
	struct cur c = cur_init(buf, len);
	char label[41];
	size_t n = 0;
	uint8_t b;

	/* The caller found the PEM armour: the label follows it. */
	if (cur_skip(&c, sizeof(PEM_BEGIN) - 1))
		return da_errf(err, -EBADMSG, "PEM without a CERTIFICATE block");
	while (!cur_u8(&c, &b) && b != '-') {
		if (b < 0x20 || b > 0x7e || n + 1 >= sizeof(label))
			return da_errf(err, -EBADMSG, "PEM without a CERTIFICATE block");
		label[n++] = (char)b;
	}
	label[n] = '\0';
	if (!n || b != '-')
		return da_errf(err, -EBADMSG, "PEM without a CERTIFICATE block");
	return da_errf(err, -EBADMSG, "PEM holds %s, not a CERTIFICATE", label);
}

int da_x509_read_file(const char *path, struct da_buf *b, struct da_err *err)
{
	uint8_t chunk[4096];
	ssize_t n;
	int fd, ret = 0;

	da_buf_reset(b);
	fd = da_open_regular(path, err);
	if (fd < 0)
		return fd;
	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			ret = da_errf(err, -errno, "%s: %s", path, strerror(errno));
			break;
		}
		if (b->len + (size_t)n > DA_CERT_FILE_MAX) {
			ret = da_errf(err, -EFBIG, "%s: larger than %u bytes", path,
				      DA_CERT_FILE_MAX);
			break;
		}
		ret = da_buf_append(b, chunk, (size_t)n);
		if (ret) {
			da_errf(err, ret, "%s: out of memory", path);
			break;
		}
	}
	close(fd);
	if (ret)
		da_buf_free(b);
	return ret;
}

int da_x509_read_certs_file(const char *path, STACK_OF(X509) **out, struct da_err *err)
{
	struct da_buf b = { 0 };
	int ret;

	*out = NULL;
	ret = da_x509_read_file(path, &b, err);
	if (ret)
		return ret;
	ret = da_x509_parse_certs(b.data, b.len, out, err);
	if (ret)
		da_err_prefix(err, "%s", path);
	da_buf_free(&b);
	return ret;
}

/* The PEM labels PEM_read_bio_X509() takes as a certificate. */
static bool pem_cert_label(const char *name)
{
	return !strcmp(name, PEM_STRING_X509) || !strcmp(name, PEM_STRING_X509_OLD) ||
	       !strcmp(name, PEM_STRING_X509_TRUSTED);
}

int da_x509_split_certs(const uint8_t *buf, size_t len,
			int (*add)(void *arg, const uint8_t *der, size_t len), void *arg,
			struct da_err *err)
{
	struct cur c = cur_init(buf, len);
	size_t count = 0;
	int ret = 0;
	BIO *bio;

	if (!len)
		return da_errf(err, -ENODATA, "empty file, not a certificate");
	if (len > INT32_MAX)
		return da_errf(err, -EFBIG, "certificates: %zu bytes is too large", len);
	bio = BIO_new_mem_buf(buf, (int)len);
	if (!bio)
		return da_errf(err, -ENOMEM, "certificates: out of memory");
	for (;;) {
		char *name = NULL, *header = NULL;
		unsigned char *data = NULL;
		long dlen = 0;
		size_t n = 0;

		if (!PEM_read_bio(bio, &name, &header, &data, &dlen))
			break;
		if (pem_cert_label(name)) {
			/* the certificate is the block's first DER element (TRUSTED adds more) */
			struct cur d = cur_init(data, (size_t)dlen);

			ret = der_seq_size(&d, &n, "certificates", count, err);
			if (!ret)
				ret = add(arg, data, n);
			count++;
		}
		OPENSSL_free(name);
		OPENSSL_free(header);
		OPENSSL_free(data);
		if (ret) {
			BIO_free(bio);
			return ret;
		}
	}
	BIO_free(bio);
	ERR_clear_error();
	if (count)
		return 0;
	if (len >= sizeof(PEM_BEGIN) - 1 && !memcmp(buf, PEM_BEGIN, sizeof(PEM_BEGIN) - 1))
		return pem_not_cert(buf, len, err);
	while (!cur_at_end(&c)) {
		const uint8_t *der;
		size_t n = 0;

		ret = der_seq_size(&c, &n, "certificates", count, err);
		if (ret)
			return ret;
		if (cur_ptr(&c, n, &der))
			return da_errf(err, -EBADMSG, "certificates: certificate %zu: truncated",
				       count);
		ret = add(arg, der, n);
		if (ret)
			return ret;
		count++;
	}
	return 0;
}

struct decode_ctx {
	STACK_OF(X509) *sk;
	struct da_err *err;
};

/* One certificate of da_x509_split_certs(), decoded: exactly its DER, nothing left over. */
static int decode_one(void *arg, const uint8_t *der, size_t len)
{
	struct decode_ctx *d = arg;
	const unsigned char *p = der;
	X509 *x = len <= LONG_MAX ? d2i_X509(NULL, &p, (long)len) : NULL;

	if (!x || p != der + len) {
		X509_free(x);
		return da_errf(d->err, -EBADMSG, "certificates: certificate %d: not a valid DER X.509",
			       sk_X509_num(d->sk));
	}
	if (!sk_X509_push(d->sk, x)) {
		X509_free(x);
		return da_errf(d->err, -ENOMEM, "certificates: out of memory");
	}
	return 0;
}

int da_x509_parse_certs(const uint8_t *buf, size_t len, STACK_OF(X509) **out,
			struct da_err *err)
{
	struct decode_ctx d = { .sk = sk_X509_new_null(), .err = err };
	int ret;

	*out = NULL;
	if (!d.sk)
		return da_errf(err, -ENOMEM, "certificates: out of memory");
	ret = da_x509_split_certs(buf, len, decode_one, &d, err);
	ERR_clear_error();
	if (ret) {
		sk_X509_pop_free(d.sk, X509_free);
		return ret;
	}
	*out = d.sk;
	return 0;
}
