// SPDX-License-Identifier: MIT
/*
 * Trust anchors and path validation for verifiers.  An anchor set is
 * kept as its certificates' DER, read and split when loaded; decoding
 * them (a public key each, the costly part) waits until a chain needs
 * it.  Most SPDM chains carry their root: when a certificate of the
 * chain is byte for byte an anchor, that certificate, already decoded
 * and checked by the requester, is the anchor, and validation needs no
 * other.  Only a chain that ends below an anchor, or fails that way,
 * is validated against the whole set, as OpenSSL's X509_STORE builds
 * paths (subject and key matching).
 */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include <devauth/file.h>

#include "x509.h"

struct anchor {
	uint8_t *der;
	size_t len;
	const char *path;		/* the file it came from (t->paths) */
	size_t idx;			/* its position there, from 0 */
};

struct da_trust {
	struct anchor *a;
	size_t n, cap;
	char **paths;
	size_t npaths;
	pthread_mutex_t lock;		/* store */
	X509_STORE *store;		/* every anchor, decoded on first need */
};

struct add_ctx {
	struct da_trust *t;
	const char *path;
	size_t idx;
};

static int add_anchor(void *arg, const uint8_t *der, size_t len)
{
	struct add_ctx *x = arg;
	struct da_trust *t = x->t;
	struct anchor *a;

	if (t->n == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 8;

		a = realloc(t->a, cap * sizeof(*a));
		if (!a)
			return -ENOMEM;
		t->a = a;
		t->cap = cap;
	}
	a = &t->a[t->n];
	a->der = malloc(len);
	if (!a->der)
		return -ENOMEM;
	memcpy(a->der, der, len);
	a->len = len;
	a->path = x->path;
	a->idx = x->idx++;
	t->n++;
	return 0;
}

static int trust_add_file(struct da_trust *t, const char *path, struct da_err *err)
{
	struct da_buf b = { 0 };
	struct add_ctx x = { .t = t };
	char **paths;
	int ret;

	paths = realloc(t->paths, (t->npaths + 1) * sizeof(*paths));
	if (!paths)
		return da_errf(err, -ENOMEM, "%s: out of memory", path);
	t->paths = paths;
	paths[t->npaths] = strdup(path);
	if (!paths[t->npaths])
		return da_errf(err, -ENOMEM, "%s: out of memory", path);
	x.path = paths[t->npaths++];
	ret = da_x509_read_file(path, &b, err);
	if (ret)
		return ret;
	ret = da_x509_split_certs(b.data, b.len, add_anchor, &x, err);
	/* add_anchor() fails only for memory, without a message (da_errf keeps an earlier one) */
	if (ret == -ENOMEM)
		da_errf(err, ret, "out of memory");
	if (ret)
		da_err_prefix(err, "%s", path);
	da_buf_free(&b);
	return ret;
}

static bool anchor_name(const char *name)
{
	size_t n = strlen(name);

	if (name[0] == '.' || n < 5)
		return false;
	return !strcmp(name + n - 4, ".der") || !strcmp(name + n - 4, ".pem") ||
	       !strcmp(name + n - 4, ".crt");
}

static int trust_add_dir(struct da_trust *t, const char *path, struct da_err *err)
{
	struct dirent *de;
	DIR *d = opendir(path);
	int ret = 0;

	if (!d)
		return da_errf(err, -errno, "%s: %s", path, strerror(errno));
	while ((de = readdir(d))) {
		char sub[4096];
		struct stat st;

		if (!anchor_name(de->d_name))
			continue;
		if (snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name) >= (int)sizeof(sub))
			continue;
		if (stat(sub, &st) || !S_ISREG(st.st_mode))
			continue;
		ret = trust_add_file(t, sub, err);
		if (ret)
			break;
	}
	closedir(d);
	return ret;
}

struct da_trust *da_trust_load(const char *path, struct da_err *err)
{
	struct da_trust *t = calloc(1, sizeof(*t));
	struct stat st;
	int ret;

	if (!t) {
		da_errf(err, -ENOMEM, "trust anchors: out of memory");
		return NULL;
	}
	pthread_mutex_init(&t->lock, NULL);
	if (stat(path, &st)) {
		da_errf(err, -errno, "trust anchors: %s: %s", path, strerror(errno));
		goto fail;
	}
	ret = S_ISDIR(st.st_mode) ? trust_add_dir(t, path, err) : trust_add_file(t, path, err);
	if (ret)
		goto fail;
	if (!t->n) {
		da_errf(err, -ENOENT, "trust anchors: no certificates in %s", path);
		goto fail;
	}
	return t;
fail:
	da_trust_free(t);
	return NULL;
}

void da_trust_free(struct da_trust *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n; i++)
		free(t->a[i].der);
	free(t->a);
	for (size_t i = 0; i < t->npaths; i++)
		free(t->paths[i]);
	free(t->paths);
	X509_STORE_free(t->store);
	pthread_mutex_destroy(&t->lock);
	free(t);
}

/* Every anchor decoded into one store, once; 0 or -errno naming the anchor. */
static int full_store(struct da_trust *t, struct da_err *err)
{
	X509_STORE *s;
	int ret = 0;

	pthread_mutex_lock(&t->lock);
	if (t->store)
		goto out;
	s = X509_STORE_new();
	if (!s) {
		ret = da_errf(err, -ENOMEM, "trust anchors: out of memory");
		goto out;
	}
	for (size_t i = 0; i < t->n && !ret; i++) {
		const unsigned char *p = t->a[i].der;
		X509 *x = d2i_X509(NULL, &p, (long)t->a[i].len);

		/* d2i must consume the element exactly, as for a chain's certificates */
		if (!x || p != t->a[i].der + t->a[i].len)
			ret = da_errf(err, -EBADMSG, "%s: certificate %zu: not a valid DER X.509",
				      t->a[i].path, t->a[i].idx);
		/* Duplicates are fine: X509_STORE ignores a certificate it already holds. */
		else if (!X509_STORE_add_cert(s, x))
			ret = da_errf(err, -ENOMEM, "%s: cannot add anchor", t->a[i].path);
		X509_free(x);
	}
	if (ret)
		X509_STORE_free(s);
	else
		t->store = s;
out:
	pthread_mutex_unlock(&t->lock);
	ERR_clear_error();
	return ret;
}

/*
 * A store of the chain's own certificates that are byte for byte
 * anchors; NULL when none is (or out of memory: the full store decides).
 */
static X509_STORE *chain_anchors(const struct da_trust *t, const struct spdm_chain *c)
{
	X509_STORE *s = NULL;

	for (size_t k = 0; k < c->ncerts; k++) {
		X509 *x = sk_X509_value(c->certs, (int)k);
		unsigned char *der = NULL;
		int n = i2d_X509(x, &der);
		bool is_anchor = false;

		for (size_t i = 0; n > 0 && i < t->n && !is_anchor; i++)
			is_anchor = t->a[i].len == (size_t)n && !memcmp(t->a[i].der, der, (size_t)n);
		OPENSSL_free(der);
		if (!is_anchor)
			continue;
		if (!s)
			s = X509_STORE_new();
		if (!s || !X509_STORE_add_cert(s, x)) {
			X509_STORE_free(s);
			return NULL;
		}
	}
	return s;
}

/* Did spdm_chain_check() verify xs's signature with xi's key? */
static bool link_checked(const struct spdm_chain *c, X509 *xi, X509 *xs)
{
	for (size_t k = 1; k < c->ncerts; k++) {
		X509 *prev = sk_X509_value(c->certs, (int)k - 1);

		if (sk_X509_value(c->certs, (int)k) == xs)
			return prev == xi || X509_cmp(prev, xi) == 0;
	}
	return false;
}

static int path_fail(X509_STORE_CTX *ctx, X509 *x, int depth, int code)
{
	X509_STORE_CTX_set_error(ctx, code);
	X509_STORE_CTX_set_error_depth(ctx, depth);
	X509_STORE_CTX_set_current_cert(ctx, x);
	return X509_STORE_CTX_get_verify_cb(ctx)(0, ctx);
}

/*
 * X509_verify_cert()'s last step (signatures and validity dates along the
 * path it built, top first) for a chain that spdm_chain_check() already
 * verified: the same date checks and errors on every certificate, but a
 * signature only where the issuer is not the chain's previous certificate
 * (an anchor above the chain).  The top of the path is an anchor and, as
 * OpenSSL does by default, not checked against itself.  Path building,
 * BasicConstraints, purpose and the anchor match stay OpenSSL's.
 */
static int verify_path_checked(X509_STORE_CTX *ctx)
{
	const struct spdm_chain *c = X509_STORE_CTX_get_app_data(ctx);
	X509_VERIFY_PARAM *vp = X509_STORE_CTX_get0_param(ctx);
	STACK_OF(X509) *path = X509_STORE_CTX_get0_chain(ctx);
	unsigned long flags = X509_VERIFY_PARAM_get_flags(vp);
	time_t now = (flags & X509_V_FLAG_USE_CHECK_TIME) ? X509_VERIFY_PARAM_get_time(vp) :
							     time(NULL);
	int n = sk_X509_num(path);
	for (int i = n - 1; i >= 0; i--) {
		X509 *xs = sk_X509_value(path, i);
		X509 *xi = i + 1 < n ? sk_X509_value(path, i + 1) : NULL;
		EVP_PKEY *key;
		int cmp;

		if (xi && !link_checked(c, xi, xs)) {
			key = X509_get0_pubkey(xi);
			if ((!key || X509_verify(xs, key) <= 0) &&
			    !path_fail(ctx, xs, i, X509_V_ERR_CERT_SIGNATURE_FAILURE))
				return 0;
		}
		if (flags & X509_V_FLAG_NO_CHECK_TIME)
			continue;
		cmp = X509_cmp_time(X509_get0_notBefore(xs), &now);
		if (cmp >= 0 && !path_fail(ctx, xs, i, cmp == 0 ?
					   X509_V_ERR_ERROR_IN_CERT_NOT_BEFORE_FIELD :
					   X509_V_ERR_CERT_NOT_YET_VALID))
			return 0;
		cmp = X509_cmp_time(X509_get0_notAfter(xs), &now);
		if (cmp <= 0 && !path_fail(ctx, xs, i, cmp == 0 ?
					   X509_V_ERR_ERROR_IN_CERT_NOT_AFTER_FIELD :
					   X509_V_ERR_CERT_HAS_EXPIRED))
			return 0;
	}
	return 1;
}

/* Path validation of c against store s; err may be NULL (a first try). */
static int verify_in(X509_STORE *s, const struct spdm_chain *c, bool check_time,
		     struct da_err *err)
{
	unsigned long flags = X509_V_FLAG_PARTIAL_CHAIN;
	X509 *leaf = spdm_chain_leaf(c);
	X509_STORE_CTX *ctx;
	char subj[256];
	int ret = 0, verr, depth;

	ctx = X509_STORE_CTX_new();
	if (!ctx)
		return da_errf(err, -ENOMEM, "trust: out of memory");
	if (!X509_STORE_CTX_init(ctx, s, leaf, c->certs)) {
		ret = da_errf(err, -ENOMEM, "trust: cannot set up verification");
		goto out;
	}
	if (!check_time)
		flags |= X509_V_FLAG_NO_CHECK_TIME;
	X509_VERIFY_PARAM_set_flags(X509_STORE_CTX_get0_param(ctx), flags);
	/* each signature once: not again what the consistency check verified */
	if (c->sigs_checked) {
		X509_STORE_CTX_set_app_data(ctx, (void *)c);
		X509_STORE_CTX_set_verify(ctx, verify_path_checked);
	}
	if (X509_verify_cert(ctx) == 1)
		goto out;
	verr = X509_STORE_CTX_get_error(ctx);
	depth = X509_STORE_CTX_get_error_depth(ctx);
	da_x509_subject(X509_STORE_CTX_get_current_cert(ctx), subj, sizeof(subj));
	ret = verr == X509_V_ERR_CERT_HAS_EXPIRED || verr == X509_V_ERR_CERT_NOT_YET_VALID ?
	      -EKEYEXPIRED : -EKEYREJECTED;
	da_errf(err, ret, "depth %d (%s): %s", depth, subj,
		X509_verify_cert_error_string(verr));
out:
	X509_STORE_CTX_free(ctx);
	ERR_clear_error();
	return ret;
}

int da_trust_verify_chain(struct da_trust *t, const struct spdm_chain *c, bool check_time,
			  struct da_err *err)
{
	X509_STORE *own;
	int ret;

	if (!t || !spdm_chain_leaf(c))
		return da_errf(err, -EINVAL, "trust: no anchors or no certificates");
	own = chain_anchors(t, c);
	if (own) {
		ret = verify_in(own, c, check_time, NULL);
		X509_STORE_free(own);
		if (!ret)
			return 0;
	}
	/* also what gives the error of a chain that fails with its own anchors */
	ret = full_store(t, err);
	return ret ? ret : verify_in(t->store, c, check_time, err);
}
