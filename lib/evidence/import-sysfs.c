// SPDX-License-Identifier: MIT
/*
 * The Linux C series sysfs presentation of one device
 * (Documentation/ABI/testing/sysfs-devices-spdm):
 *
 *   DIR/certificates/slotN           DER certificates of slot N (no SPDM header)
 *   DIR/signatures/N_transcript      everything the signature covers
 *   DIR/signatures/N_signature       the signature
 *   DIR/signatures/N_type            "responder-challenge_auth signing" or
 *                                    "responder-measurements signing"
 *   DIR/signatures/N_certificate_chain  the SPDM chain of the slot used
 *   DIR/signatures/N_requester_nonce, N_responder_nonce, N_hash_algorithm,
 *   N_combined_spdm_prefix           redundant with the transcript
 *
 * The newest (highest N) CHALLENGE_AUTH entry gives VCA = transcript ||
 * signature and CERT[slot] = certificate_chain; the newest measurements
 * entry after it gives MEASUREMENTS.  The requester nonce file is
 * checked against the transcript; certificates/slotN against the chain.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "crypto/x509.h"
#include "cursor.h"
#include "ev_internal.h"

#define SYSFS_MAX_FILE (1u << 20)

static int read_entry(const char *dir, unsigned long n, const char *what, uint8_t **out,
		      size_t *len, struct da_err *err)
{
	char path[4096];

	if (snprintf(path, sizeof(path), "%s/signatures/%lu_%s", dir, n, what) >=
	    (int)sizeof(path))
		return da_errf(err, -ENAMETOOLONG, "%s: path too long", dir);
	return da_read_file(path, out, len, 16 * SYSFS_MAX_FILE, err);
}

enum kind { K_NONE, K_CHAL, K_MEAS };

static enum kind entry_kind(const char *dir, unsigned long n, struct da_err *err)
{
	uint8_t *t = NULL;
	size_t len = 0;
	enum kind k = K_NONE;

	if (read_entry(dir, n, "type", &t, &len, err))
		return K_NONE;
	if (t && len && memmem(t, len, "challenge_auth", 14))
		k = K_CHAL;
	else if (t && len && memmem(t, len, "measurements", 12))
		k = K_MEAS;
	free(t);
	return k;
}

/* transcript || signature of entry n into object type. */
static int take_entry(struct da_evidence *ev, const char *dir, unsigned long n,
		      unsigned int type, struct da_err *err)
{
	uint8_t *t = NULL, *s = NULL;
	struct da_buf b = { 0 };
	size_t tl = 0, sl = 0;
	int ret;

	ret = read_entry(dir, n, "transcript", &t, &tl, err) ?:
	      read_entry(dir, n, "signature", &s, &sl, err);
	if (ret)
		goto out;
	if (!tl || !sl) {
		ret = da_errf(err, -EBADMSG, "%s: signatures/%lu: empty transcript or signature",
			      dir, n);
		goto out;
	}
	if (da_buf_append(&b, t, tl) || da_buf_append(&b, s, sl) ||
	    da_evidence_set(ev, type, b.data, b.len))
		ret = da_errf(err, -ENOMEM, "%s: out of memory", dir);
out:
	free(t);
	free(s);
	da_buf_free(&b);
	return ret;
}

/* certificates/slotN holds the chain's certificates without the SPDM header. */
static int check_slot_file(const struct da_evidence *ev, const char *dir, struct da_err *err)
{
	const struct da_evidence_obj *o = &ev->obj[ev->neg.slot];
	size_t skip = SPDM_CERT_CHAIN_HDR_SIZE + spdm_hash_size(ev->neg.base_hash);
	uint8_t *f = NULL;
	size_t len = 0;
	char path[4096];
	struct cur c;
	const uint8_t *certs;
	int ret = 0;

	if (snprintf(path, sizeof(path), "%s/certificates/slot%u", dir, ev->neg.slot) >=
	    (int)sizeof(path))
		return 0;
	if (da_read_file(path, &f, &len, SYSFS_MAX_FILE, NULL))
		return 0;	/* optional */
	c = cur_init(o->data, o->len);
	if (cur_skip(&c, skip) || cur_left(&c) != len || cur_ptr(&c, len, &certs) ||
	    memcmp(certs, f, len))
		ret = da_errf(err, -EBADMSG,
			      "%s: certificates/slot%u differs from the certificates of the signed chain",
			      dir, ev->neg.slot);
	free(f);
	return ret;
}

int da_evidence_import_sysfs(const char *dir, struct da_evidence *ev, struct da_err *err)
{
	unsigned long chal = 0, meas = 0;
	bool have_chal = false, have_meas = false;
	struct da_transcript_info ti;
	char path[4096];
	struct dirent *d;
	uint8_t *buf = NULL;
	size_t len = 0;
	DIR *dh;
	int ret;

	if (snprintf(path, sizeof(path), "%s/signatures", dir) >= (int)sizeof(path))
		return da_errf(err, -ENAMETOOLONG, "%s: path too long", dir);
	dh = opendir(path);
	if (!dh)
		return da_errf(err, -errno, "%s: %s", path, strerror(errno));
	while ((d = readdir(dh))) {
		unsigned long n;
		int used = 0;

		if (sscanf(d->d_name, "%lu_type%n", &n, &used) != 1 || d->d_name[used] ||
		    used <= 0)
			continue;
		switch (entry_kind(dir, n, NULL)) {
		case K_CHAL:
			if (!have_chal || n > chal)
				chal = n;
			have_chal = true;
			break;
		case K_MEAS:
			if (!have_meas || n > meas)
				meas = n;
			have_meas = true;
			break;
		default:
			break;
		}
	}
	closedir(dh);
	if (!have_chal)
		return da_errf(err, -ENOENT, "%s: no CHALLENGE_AUTH signature in signatures/", dir);
	ret = take_entry(ev, dir, chal, DA_EV_VCA, err);
	if (ret)
		return ret;
	/* Measurements taken before the newest authentication belong to an older one. */
	if (have_meas && meas > chal) {
		ret = take_entry(ev, dir, meas, DA_EV_MEASUREMENTS, err);
		if (ret)
			return ret;
	}
	ret = da_evidence_fill_meta(ev, &ti, err);
	if (ret) {
		da_err_prefix(err, "%s: signatures/%lu_transcript", dir, chal);
		return ret;
	}
	ret = read_entry(dir, chal, "requester_nonce", &buf, &len, NULL);
	if (!ret) {
		struct cur c = cur_init(ev->obj[DA_EV_VCA].data, ev->obj[DA_EV_VCA].len);
		const uint8_t *nonce;

		if (len != SPDM_NONCE_SIZE || cur_skip(&c, ti.req_nonce_off) ||
		    cur_ptr(&c, SPDM_NONCE_SIZE, &nonce) || memcmp(nonce, buf, len))
			ret = da_errf(err, -EBADMSG,
				      "%s: signatures/%lu_requester_nonce differs from the CHALLENGE Nonce in the transcript (offset %zu)",
				      dir, chal, ti.req_nonce_off);
		free(buf);
		if (ret)
			return ret;
	}
	buf = NULL;
	ret = read_entry(dir, chal, "certificate_chain", &buf, &len, NULL);
	if (!ret) {
		ret = len ? da_evidence_set(ev, ev->neg.slot, buf, len) : 0;
		free(buf);
		if (ret)
			return da_errf(err, ret, "%s: out of memory", dir);
		ret = check_slot_file(ev, dir, err);
		if (ret)
			return ret;
	}
	snprintf(ev->tsm, sizeof(ev->tsm), "%s", ev->tsm[0] ? ev->tsm : "sysfs");
	return 0;
}
