// SPDX-License-Identifier: MIT
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include <openssl/pem.h>

#include <devauth/pcap.h>
#include <devauth/requester.h>
#include <devauth/transport.h>

#include "crypto/crypto.h"
#include "evidence/transcript.h"
#include "verifier_harness.h"

void collect(struct rsp_device *dev, const struct collect_opts *o, struct da_evidence *ev)
{
	struct spdm_req_config cfg;
	struct spdm_responder *rsp;
	struct da_transport *t;
	struct da_pcap *p = NULL;
	struct spdm_req *r;
	struct da_err err = { 0 };
	int ret;

	spdm_req_config_default(&cfg);
	cfg.dev_name = rsp_device_config(dev)->name;
	cfg.min_version = cfg.max_version = o->version;
	if (o->asym) {
		cfg.asym_pref[0] = o->asym;
		cfg.n_asym = 1;
	}
	if (o->hash) {
		cfg.hash_pref[0] = o->hash;
		cfg.n_hash = 1;
	}
	if (o->have_nonce) {
		cfg.have_nonce = cfg.have_meas_nonce = true;
		memcpy(cfg.nonce, o->nonce, SPDM_NONCE_SIZE);
		memcpy(cfg.meas_nonce, o->nonce, SPDM_NONCE_SIZE);
	}
	if (o->session) {
		cfg.session = true;
		cfg.handshake_in_clear = o->in_clear;
		cfg.have_ke_random = o->have_nonce;
		memcpy(cfg.ke_random, o->nonce, SPDM_NONCE_SIZE);
	}
	if (o->have_meas_nonce) {
		cfg.have_meas_nonce = true;
		memcpy(cfg.meas_nonce, o->meas_nonce, SPDM_NONCE_SIZE);
	}
	rsp = spdm_responder_new(dev, DA_FRAMING_PCI_DOE);
	assert_non_null(rsp);
	assert_int_equal(da_transport_inproc(DA_FRAMING_PCI_DOE, spdm_responder_transport, rsp,
					     &t), 0);
	if (o->pcap_path) {
		assert_int_equal(da_pcap_open_write(o->pcap_path, DA_FRAMING_PCI_DOE, &p, NULL), 0);
		t->pcap = p;
	}
	r = spdm_req_new(&cfg, t);
	assert_non_null(r);
	ret = spdm_req_authenticate(r, &err);
	if (!ret && o->session)
		ret = spdm_req_session_start(r, &err) ?:
		      (o->no_measure ? 0 : spdm_req_session_measure(r, &err));
	else if (!ret && !o->no_measure)
		ret = spdm_req_measure(r, &err);
	if (ret)
		fail_msg("collect %x %s %s: %s", o->version, spdm_asym_name(o->asym),
			 spdm_hash_name(o->hash), err.msg);
	da_evidence_init(ev);
	snprintf(ev->tsm, sizeof(ev->tsm), "tsm0");
	snprintf(ev->dev_name, sizeof(ev->dev_name), "%s", cfg.dev_name);
	ev->generation = 1;
	if (o->have_nonce) {
		ev->have_nonce = true;
		memcpy(ev->nonce, o->nonce, SPDM_NONCE_SIZE);
	}
	assert_int_equal(da_evidence_from_req(ev, r, &err), 0);
	spdm_req_free(r);
	if (p)
		assert_int_equal(da_pcap_close(p), 0);
	da_transport_destroy(t);
	spdm_responder_free(rsp);
}

void write_root(struct rsp_device *dev, char *path, size_t len)
{
	static unsigned int n;
	FILE *f;

	snprintf(path, len, "/tmp/devauth-test-verifier-root-%d-%u.pem", (int)getpid(), n++);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(PEM_write_X509(f, rsp_device_root(dev, 0)), 1);
	fclose(f);
}

static void put_file(const char *dir, const char *name, const void *p, size_t n)
{
	char path[1024];
	FILE *f;

	/* A cut path would write somewhere else: fail instead. */
	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path))
		fail_msg("%s/%s: path too long", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(p, 1, n, f), n);
	fclose(f);
}

void rm_rf(const char *dir)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

void write_sysfs(const struct da_evidence *ev, const char *dir)
{
	const struct da_evidence_obj *vca = &ev->obj[DA_EV_VCA];
	const struct da_evidence_obj *meas = &ev->obj[DA_EV_MEASUREMENTS];
	const struct da_evidence_obj *chain = &ev->obj[ev->neg.slot];
	size_t s = spdm_sig_size(ev->neg.base_asym), h = spdm_hash_size(ev->neg.base_hash);
	struct da_transcript_info ti;
	struct da_msg_list l = { 0 };
	char sub[512], name[32];
	static const char chal[] = "responder-challenge_auth signing";
	static const char mst[] = "responder-measurements signing";

	assert_int_equal(da_split_vca(vca->data, vca->len, &l, &ti, NULL), 0);
	da_msg_list_free(&l);
	assert_int_equal(mkdir(dir, 0700), 0);
	snprintf(sub, sizeof(sub), "%s/certificates", dir);
	assert_int_equal(mkdir(sub, 0700), 0);
	snprintf(name, sizeof(name), "slot%u", ev->neg.slot);
	put_file(sub, name, chain->data + 4 + h, chain->len - 4 - h);
	snprintf(sub, sizeof(sub), "%s/signatures", dir);
	assert_int_equal(mkdir(sub, 0700), 0);
	/* An older, superseded entry first: the importer must take the newest. */
	put_file(sub, "0_type", chal, sizeof(chal) - 1);
	put_file(sub, "0_transcript", "junk", 4);
	put_file(sub, "0_signature", "junk", 4);
	put_file(sub, "3_type", chal, sizeof(chal) - 1);
	put_file(sub, "3_transcript", vca->data, vca->len - s);
	put_file(sub, "3_signature", vca->data + vca->len - s, s);
	put_file(sub, "3_certificate_chain", chain->data, chain->len);
	put_file(sub, "3_requester_nonce", vca->data + ti.req_nonce_off, SPDM_NONCE_SIZE);
	put_file(sub, "3_responder_nonce", vca->data + ti.rsp_nonce_off, SPDM_NONCE_SIZE);
	put_file(sub, "3_hash_algorithm", "sha", 3);
	if (meas->len) {
		put_file(sub, "4_type", mst, sizeof(mst) - 1);
		put_file(sub, "4_transcript", meas->data, meas->len - s);
		put_file(sub, "4_signature", meas->data + meas->len - s, s);
	}
}

static size_t nl_begin(struct wcur *w, uint16_t type)
{
	size_t at = wcur_reserve(w, 4);

	wcur_u16(w, type);
	wcur_u16(w, 0);
	wcur_u32(w, 1);
	wcur_u32(w, 0);
	if (type >= 0x10) {
		wcur_u8(w, 1);
		wcur_u8(w, 1);
		wcur_u16(w, 0);
	}
	return at;
}

static void nl_end(struct wcur *w, size_t at)
{
	wcur_put_u32_at(w, at, (uint32_t)(w->len - at));
}

static void nl_attr(struct wcur *w, uint16_t type, const void *p, size_t n)
{
	wcur_u16(w, (uint16_t)(4 + n));
	wcur_u16(w, type);
	wcur_bytes(w, p, n);
	wcur_zero(w, (4 - n % 4) % 4);
}

static void nl_u32(struct wcur *w, uint16_t type, uint32_t v)
{
	uint8_t b[4];
	struct wcur x = wcur_init(b, 4);

	wcur_u32(&x, v);
	nl_attr(w, type, b, 4);
}

void build_sig_events(const struct da_evidence *ev, struct da_buf *out)
{
	const struct da_evidence_obj *vca = &ev->obj[DA_EV_VCA];
	const struct da_evidence_obj *meas = &ev->obj[DA_EV_MEASUREMENTS];
	size_t s = spdm_sig_size(ev->neg.base_asym);
	struct da_transcript_info ti;
	struct da_msg_list l = { 0 };
	uint8_t code, slot = ev->neg.slot;
	struct wcur w;
	size_t at;

	assert_int_equal(da_split_vca(vca->data, vca->len, &l, &ti, NULL), 0);
	da_msg_list_free(&l);
	da_buf_reset(out);
	assert_int_equal(da_buf_reserve(out, vca->len + meas->len + 512), 0);
	w = wcur_init(out->data, vca->len + meas->len + 512);
	at = nl_begin(&w, 0x20);
	nl_attr(&w, SPDM_A_SIG_DEVICE, ev->dev_name, strlen(ev->dev_name) + 1);
	code = SPDM_CHALLENGE_AUTH;
	nl_attr(&w, SPDM_A_SIG_RSP_CODE, &code, 1);
	nl_attr(&w, SPDM_A_SIG_SLOT, &slot, 1);
	nl_u32(&w, SPDM_A_SIG_HASH_ALGO, ev->neg.base_hash);
	nl_u32(&w, SPDM_A_SIG_SIG_OFFSET, (uint32_t)(vca->len - s));
	nl_u32(&w, SPDM_A_SIG_REQ_NONCE_OFFSET, (uint32_t)ti.req_nonce_off);
	nl_u32(&w, SPDM_A_SIG_RSP_NONCE_OFFSET, (uint32_t)ti.rsp_nonce_off);
	nl_attr(&w, SPDM_A_SIG_TRANSCRIPT, vca->data, vca->len);
	nl_end(&w, at);
	if (meas->len) {
		at = nl_begin(&w, 0x20);
		nl_attr(&w, SPDM_A_SIG_DEVICE, ev->dev_name, strlen(ev->dev_name) + 1);
		code = SPDM_MEASUREMENTS;
		nl_attr(&w, SPDM_A_SIG_RSP_CODE, &code, 1);
		nl_attr(&w, SPDM_A_SIG_SLOT, &slot, 1);
		nl_u32(&w, SPDM_A_SIG_SIG_OFFSET, (uint32_t)(meas->len - s));
		nl_attr(&w, SPDM_A_SIG_TRANSCRIPT, meas->data, meas->len);
		nl_end(&w, at);
	}
	assert_true(wcur_finish(&w) > 0);
	out->len = w.len;
}

void build_pci_tsm_dump(const struct da_evidence *ev, uint64_t generation, size_t chunk,
			struct da_buf *out)
{
	size_t cap = 256, at;
	struct wcur w;
	uint8_t g[8];
	struct wcur gw = wcur_init(g, 8);

	wcur_u64(&gw, generation);
	for (unsigned int t = 0; t <= DA_EV_MAX; t++)
		cap += ev->obj[t].len + 128 + 8 * (ev->obj[t].len / chunk + 1);
	da_buf_reset(out);
	assert_int_equal(da_buf_reserve(out, cap), 0);
	w = wcur_init(out->data, cap);
	for (unsigned int t = 0; t <= DA_EV_MAX; t++) {
		const struct da_evidence_obj *o = &ev->obj[t];

		if (!o->len)
			continue;
		at = nl_begin(&w, 0x21);
		nl_u32(&w, PCI_TSM_A_EVIDENCE_TYPE, t);
		nl_attr(&w, PCI_TSM_A_EVIDENCE_DEV_NAME, ev->dev_name, strlen(ev->dev_name) + 1);
		nl_attr(&w, PCI_TSM_A_EVIDENCE_GENERATION, g, 8);
		for (size_t off = 0; off < o->len; off += chunk)
			nl_attr(&w, PCI_TSM_A_EVIDENCE_VAL, o->data + off,
				o->len - off < chunk ? o->len - off : chunk);
		nl_end(&w, at);
	}
	at = nl_begin(&w, 3);
	wcur_u32(&w, 0);
	nl_end(&w, at);
	assert_true(wcur_finish(&w) > 0);
	out->len = w.len;
}
