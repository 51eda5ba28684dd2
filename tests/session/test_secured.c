// SPDX-License-Identifier: MIT
/*
 * The session layer without a peer: DHE agreement, the key schedule and
 * DSP0277 secured messages through an in-process loopback of two
 * sessions (requester and responder roles) derived from one schedule.
 * Every tampered bit is rejected with its specific message and ends the
 * session; replayed and skipped sequence numbers, a wrong session ID
 * and sequence-number exhaustion likewise.  The session codec is
 * checked on messages of real DMTF exchanges (the fuzz seeds).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "crypto/session_crypto.h"
#include "session/session.h"
#include "spdm/session_codec.h"

struct pair {
	struct spdm_session req, rsp;
};

static const uint8_t th1[48] = { 1, 2, 3 }, th2[48] = { 4, 5, 6 };

static void make_pair(struct pair *p, enum da_framing f, uint16_t aead, bool mac_only,
		      uint64_t max_seq)
{
	struct spdm_sess_config c = {
		.version = SPDM_VER_12, .sm_version = SPDM_SM_VER_12,
		.base_hash = SPDM_HASH_SHA384, .aead = aead, .mac_only = mac_only,
		.framing = f, .max_seq = max_seq,
	};
	uint8_t ikm[48];
	struct da_err err = { 0 };

	memset(ikm, 0x5a, sizeof(ikm));
	c.is_requester = true;
	assert_int_equal(spdm_sess_init(&p->req, &c, 0xfffe0001u, "loop"), 0);
	c.is_requester = false;
	assert_int_equal(spdm_sess_init(&p->rsp, &c, 0xfffe0001u, "loop"), 0);
	assert_int_equal(spdm_sess_derive_handshake(&p->req, ikm, sizeof(ikm), false, th1, &err), 0);
	assert_int_equal(spdm_sess_derive_handshake(&p->rsp, ikm, sizeof(ikm), false, th1, &err), 0);
}

static void establish(struct pair *p)
{
	struct da_err err = { 0 };

	assert_int_equal(spdm_sess_derive_data(&p->req, th2, &err), 0);
	assert_int_equal(spdm_sess_derive_data(&p->rsp, th2, &err), 0);
}

static void end_pair(struct pair *p)
{
	spdm_sess_end(&p->req);
	spdm_sess_end(&p->rsp);
}

static size_t seal(struct spdm_session *s, const uint8_t *m, size_t n, uint8_t *buf, size_t cap)
{
	struct wcur w = wcur_init(buf, cap);
	struct da_err err = { 0 };
	int ret = spdm_sess_seal(s, m, n, &w, &err);

	if (ret < 0)
		fail_msg("%s", err.msg);
	return (size_t)ret;
}

static int open_msg(struct spdm_session *s, const uint8_t *buf, size_t n, struct da_err *err,
		    const uint8_t **m, size_t *mlen)
{
	static uint8_t out[8192];

	return spdm_sess_open(s, buf, n, out, sizeof(out), m, mlen, err);
}

static void round_trip(struct spdm_session *a, struct spdm_session *b, size_t n)
{
	uint8_t msg[4096 + 4], buf[4096 + 128];
	struct da_err err = { 0 };
	const uint8_t *m;
	size_t len, mlen;

	for (size_t i = 0; i < n; i++)
		msg[i] = (uint8_t)(i * 7 + 1);
	len = seal(a, msg, n, buf, sizeof(buf));
	if (open_msg(b, buf, len, &err, &m, &mlen))
		fail_msg("%s", err.msg);
	assert_int_equal(mlen, n);
	assert_memory_equal(m, msg, n);
}

static void test_bin_concat(void **state)
{
	uint8_t out[64], ctx[2] = { 0xaa, 0xbb };
	size_t n;

	(void)state;
	n = spdm_bin_concat(SPDM_VER_13, 48, "key", ctx, 2, out, sizeof(out));
	assert_int_equal(n, 2 + 8 + 3 + 2);
	assert_memory_equal(out, "\x30\x00spdm1.3 key\xaa\xbb", n);
}

static void test_names(void **state)
{
	uint16_t m;

	(void)state;
	assert_int_equal(spdm_dhe_parse_list("SECP_384_R1,secp256r1,FFDHE_3072", &m), 0);
	assert_int_equal(m, SPDM_DHE_SECP384R1 | SPDM_DHE_SECP256R1 | SPDM_DHE_FFDHE_3072);
	assert_int_equal(spdm_aead_parse_list("AES_256_GCM,chacha20-poly1305", &m), 0);
	assert_int_equal(m, SPDM_AEAD_AES_256_GCM | SPDM_AEAD_CHACHA20_POLY1305);
	assert_int_equal(spdm_aead_parse_list("aes-256-gcm,", &m), 0);
	assert_int_equal(spdm_dhe_parse_list("secp384r1,bogus", &m), -EINVAL);
	assert_int_equal(spdm_dhe_parse_list("", &m), -EINVAL);
	assert_string_equal(spdm_dhe_name(SPDM_DHE_SECP521R1), "secp521r1");
	assert_string_equal(spdm_aead_name(SPDM_AEAD_AES_128_GCM), "aes-128-gcm");
}

static void test_dhe_agreement(void **state)
{
	static const uint16_t groups[] = { SPDM_DHE_SECP256R1, SPDM_DHE_SECP384R1,
					   SPDM_DHE_SECP521R1, SPDM_DHE_FFDHE_2048 };
	struct da_err err = { 0 };

	(void)state;
	for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++) {
		uint8_t pa[512], pb[512], sa[512], sb[512];
		size_t d = spdm_dhe_size(groups[i]);
		EVP_PKEY *a, *b;

		assert_int_equal(spdm_dhe_generate(groups[i], &a, pa, &err), 0);
		assert_int_equal(spdm_dhe_generate(groups[i], &b, pb, &err), 0);
		assert_int_equal(spdm_dhe_derive(a, groups[i], pb, sa, &err), 0);
		assert_int_equal(spdm_dhe_derive(b, groups[i], pa, sb, &err), 0);
		assert_memory_equal(sa, sb, spdm_dhe_secret_size(groups[i]));
		/* A point off the curve / out of range is refused. */
		memset(pb, 0xff, d);
		assert_int_equal(spdm_dhe_derive(a, groups[i], pb, sa, &err), -EBADMSG);
		EVP_PKEY_free(a);
		EVP_PKEY_free(b);
	}
}

static void test_round_trips(void **state)
{
	static const uint16_t aeads[] = { SPDM_AEAD_AES_128_GCM, SPDM_AEAD_AES_256_GCM,
					  SPDM_AEAD_CHACHA20_POLY1305 };
	static const enum da_framing fr[] = { DA_FRAMING_MCTP, DA_FRAMING_PCI_DOE };

	(void)state;
	for (size_t f = 0; f < 2; f++)
		for (size_t a = 0; a < 3; a++)
			for (int mac = 0; mac < 2; mac++) {
				struct pair p;
				uint8_t vd1[64], vd2[64];

				make_pair(&p, fr[f], aeads[a], mac, 0);
				assert_int_equal(spdm_sess_verify_data(&p.req, SPDM_DIR_RSP, th1, vd1), 0);
				assert_int_equal(spdm_sess_verify_data(&p.rsp, SPDM_DIR_RSP, th1, vd2), 0);
				assert_memory_equal(vd1, vd2, 48);
				round_trip(&p.req, &p.rsp, 4);
				round_trip(&p.rsp, &p.req, 100);
				establish(&p);
				for (int i = 0; i < 5; i++) {
					round_trip(&p.req, &p.rsp, 4 + (size_t)i * 900);
					round_trip(&p.rsp, &p.req, 37);
				}
				end_pair(&p);
			}
}

/* Which message a tampered byte at offset off must produce. */
static const char *expect_for(enum da_framing f, size_t off)
{
	size_t seqw = f == DA_FRAMING_MCTP ? 2 : 0;

	if (off < 4)
		return "SessionID";
	if (off < 4 + seqw)
		return "SequenceNumber";
	if (off < 4 + seqw + 2)
		return "Length";
	return "MAC does not verify";
}

static void tamper_framing(enum da_framing f, bool mac_only)
{
	static const uint8_t msg[] = { 0x12, 0xe0, 0x01, 0xff, 0xaa, 0x55 };
	uint8_t buf[256];
	size_t len;
	struct pair p;

	make_pair(&p, f, SPDM_AEAD_AES_256_GCM, mac_only, 0);
	establish(&p);
	len = seal(&p.req, msg, sizeof(msg), buf, sizeof(buf));
	end_pair(&p);
	/* The schedule is deterministic: each fresh receiver has the keys of that message. */
	for (size_t bit = 0; bit < len * 8; bit++) {
		struct da_err err = { 0 };
		const uint8_t *m;
		const char *want = expect_for(f, bit / 8);
		size_t mlen;
		int ret;

		make_pair(&p, f, SPDM_AEAD_AES_256_GCM, mac_only, 0);
		establish(&p);
		buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		ret = open_msg(&p.rsp, buf, len, &err, &m, &mlen);
		if (ret >= 0)
			fail_msg("bit %zu accepted", bit);
		/* A changed Length may also read as a changed body: the MAC then catches it. */
		if (!strstr(err.msg, want) && !(!strcmp(want, "Length") && strstr(err.msg, "MAC")))
			fail_msg("bit %zu: '%s', expected '%s'", bit, err.msg, want);
		assert_non_null(strstr(err.msg, "session ended"));
		assert_int_equal(p.rsp.state, SPDM_SESS_ENDED);
		/* Torn down: nothing opens after that, not even an intact message. */
		buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		assert_int_equal(open_msg(&p.rsp, buf, len, &err, &m, &mlen), -ENOTCONN);
		end_pair(&p);
	}
}

static void test_tamper_every_bit(void **state)
{
	(void)state;
	tamper_framing(DA_FRAMING_MCTP, false);
	tamper_framing(DA_FRAMING_PCI_DOE, false);
	tamper_framing(DA_FRAMING_MCTP, true);
	tamper_framing(DA_FRAMING_PCI_DOE, true);
}

static void test_replay_skip_wrong_id(void **state)
{
	static const uint8_t msg[] = { 0x12, 0xe8, 0, 0 };
	uint8_t a[128], b[128];
	struct da_err err = { 0 };
	const uint8_t *m;
	size_t la, lb, mlen;
	struct pair p;

	(void)state;
	/* Replay over MCTP: the sequence number on the wire repeats. */
	make_pair(&p, DA_FRAMING_MCTP, SPDM_AEAD_AES_128_GCM, false, 0);
	establish(&p);
	la = seal(&p.req, msg, sizeof(msg), a, sizeof(a));
	assert_int_equal(open_msg(&p.rsp, a, la, &err, &m, &mlen), 0);
	assert_int_equal(open_msg(&p.rsp, a, la, &err, &m, &mlen), -EPROTO);
	assert_non_null(strstr(err.msg, "SequenceNumber 0, expected 1"));
	assert_int_equal(p.rsp.state, SPDM_SESS_ENDED);
	end_pair(&p);

	/* Skip over MCTP. */
	make_pair(&p, DA_FRAMING_MCTP, SPDM_AEAD_AES_128_GCM, false, 0);
	establish(&p);
	la = seal(&p.req, msg, sizeof(msg), a, sizeof(a));
	lb = seal(&p.req, msg, sizeof(msg), b, sizeof(b));
	err = (struct da_err){ 0 };
	assert_int_equal(open_msg(&p.rsp, b, lb, &err, &m, &mlen), -EPROTO);
	assert_non_null(strstr(err.msg, "SequenceNumber 1, expected 0"));
	end_pair(&p);

	/* Replay over DOE: no number on the wire, the implicit one changes the IV. */
	make_pair(&p, DA_FRAMING_PCI_DOE, SPDM_AEAD_AES_128_GCM, false, 0);
	establish(&p);
	la = seal(&p.req, msg, sizeof(msg), a, sizeof(a));
	err = (struct da_err){ 0 };
	assert_int_equal(open_msg(&p.rsp, a, la, &err, &m, &mlen), 0);
	assert_int_equal(open_msg(&p.rsp, a, la, &err, &m, &mlen), -EBADMSG);
	assert_non_null(strstr(err.msg, "MAC does not verify"));
	end_pair(&p);

	/* Wrong session ID. */
	make_pair(&p, DA_FRAMING_PCI_DOE, SPDM_AEAD_AES_128_GCM, false, 0);
	establish(&p);
	p.req.id = 0x12345678;
	la = seal(&p.req, msg, sizeof(msg), a, sizeof(a));
	err = (struct da_err){ 0 };
	assert_int_equal(open_msg(&p.rsp, a, la, &err, &m, &mlen), -EBADMSG);
	assert_non_null(strstr(err.msg, "SessionID 0x12345678, expected 0xfffe0001"));
	end_pair(&p);
}

static void test_exhaustion(void **state)
{
	static const uint8_t msg[] = { 0x12, 0xe8, 0, 0 };
	struct da_err err = { 0 };
	uint8_t buf[128];
	struct wcur w;
	struct pair p;

	(void)state;
	make_pair(&p, DA_FRAMING_MCTP, SPDM_AEAD_AES_256_GCM, false, 3);
	establish(&p);
	for (int i = 0; i < 3; i++)
		round_trip(&p.req, &p.rsp, 4);
	w = wcur_init(buf, sizeof(buf));
	assert_int_equal(spdm_sess_seal(&p.req, msg, sizeof(msg), &w, &err), -ERANGE);
	assert_non_null(strstr(err.msg, "sequence number 3 exhausted"));
	assert_int_equal(p.req.state, SPDM_SESS_ENDED);
	end_pair(&p);
}

static void test_key_update(void **state)
{
	static const uint8_t msg[] = { 0x12, 0xe8, 0, 0 };
	struct da_err err = { 0 };
	uint8_t buf[128];
	const uint8_t *m;
	size_t len, mlen;
	struct pair p;

	(void)state;
	make_pair(&p, DA_FRAMING_PCI_DOE, SPDM_AEAD_CHACHA20_POLY1305, false, 0);
	establish(&p);
	round_trip(&p.req, &p.rsp, 4);
	assert_int_equal(spdm_sess_key_update(&p.req, SPDM_DIR_REQ, &err), 0);
	assert_int_equal(spdm_sess_key_update(&p.rsp, SPDM_DIR_REQ, &err), 0);
	spdm_sess_key_update_commit(&p.req, SPDM_DIR_REQ);
	spdm_sess_key_update_commit(&p.rsp, SPDM_DIR_REQ);
	round_trip(&p.req, &p.rsp, 4);
	round_trip(&p.rsp, &p.req, 4);
	/* Only one side updating: the other no longer opens its messages. */
	assert_int_equal(spdm_sess_key_update(&p.req, SPDM_DIR_REQ, &err), 0);
	len = seal(&p.req, msg, sizeof(msg), buf, sizeof(buf));
	assert_int_equal(open_msg(&p.rsp, buf, len, &err, &m, &mlen), -EBADMSG);
	/* Rolling back restores the old key. */
	spdm_sess_key_update_rollback(&p.req, SPDM_DIR_REQ);
	assert_true(p.req.dir[SPDM_DIR_REQ].valid);
	end_pair(&p);
}

static void test_end_wipes(void **state)
{
	static const uint8_t zero[sizeof(struct spdm_sess_keys)];
	struct pair p;

	(void)state;
	make_pair(&p, DA_FRAMING_MCTP, SPDM_AEAD_AES_256_GCM, false, 0);
	establish(&p);
	spdm_sess_end(&p.req);
	assert_memory_equal(&p.req.dir[0], zero, sizeof(zero));
	assert_memory_equal(&p.req.dir[1], zero, sizeof(zero));
	assert_memory_equal(p.req.master_secret, zero, sizeof(p.req.master_secret));
	assert_int_equal(p.req.state, SPDM_SESS_ENDED);
	end_pair(&p);
}

/* A fuzz seed: 3 selector bytes and the message of a DMTF exchange. */
static size_t load_seed(const char *name, uint8_t *buf, size_t cap)
{
	char path[1024];
	const char *src = getenv("DEVAUTH_SRC");
	FILE *f;
	size_t n;

	assert_non_null(src);
	snprintf(path, sizeof(path), "%s/fuzz/session/corpus/%s", src, name);
	f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s", path);
	n = fread(buf, 1, cap, f);
	fclose(f);
	return n;
}

static void test_codec_dmtf(void **state)
{
	struct spdm_sess_params sp = {
		.p = { .version = SPDM_VER_14, .hash_size = 48, .sig_size = 96 },
		.dhe_size = 96, .in_clear = true,
	};
	struct spdm_key_exchange_rsp kr;
	struct spdm_key_exchange k;
	struct spdm_sm_versions v;
	struct spdm_finish f;
	struct da_err err = { 0 };
	uint8_t buf[4096], re[4096];
	struct wcur w;
	size_t n;

	(void)state;
	n = load_seed("fuzz_key_exchange/dmtf14-clear-e4-0.bin", buf, sizeof(buf));
	assert_int_equal(spdm_decode_key_exchange(buf + 3, n - 3, &sp, &k, &err), (int)n - 3);
	assert_int_equal(k.req_session_id, 0xffff);
	assert_int_equal(spdm_decode_sm_opaque(k.opaque, k.opaque_len, SPDM_OPAQUE_FMT_GENERAL,
					       SPDM_SM_ID_SUPPORTED_VERSION, &v, &err), 0);
	assert_int_equal(v.count, 3);
	assert_int_equal(v.v[2], SPDM_SM_VER_12);
	/* Re-encoding gives the same bytes. */
	w = wcur_init(re, sizeof(re));
	assert_int_equal(spdm_encode_key_exchange(&w, &sp, &k), (int)n - 3);
	assert_memory_equal(re, buf + 3, n - 3);

	n = load_seed("fuzz_key_exchange/dmtf14-clear-64-0.bin", buf, sizeof(buf));
	assert_int_equal(spdm_decode_key_exchange_rsp(buf + 3, n - 3, &sp, SPDM_MEAS_SUMMARY_ALL,
						      &kr, &err), (int)n - 3);
	assert_null(kr.verify_data);
	assert_int_equal(kr.signed_len + 96, n - 3);
	assert_int_equal(spdm_decode_sm_opaque(kr.opaque, kr.opaque_len, SPDM_OPAQUE_FMT_GENERAL,
					       SPDM_SM_ID_VERSION_SELECTION, &v, &err), 0);
	assert_int_equal(v.v[0], SPDM_SM_VER_12);

	n = load_seed("fuzz_finish/dmtf14-clear-e5-0.bin", buf, sizeof(buf));
	sp.req_sig_size = 384;	/* the DMTF requester signs with RSA-3072 */
	assert_int_equal(spdm_decode_finish(buf + 3, n - 3, &sp, &f, &err), (int)n - 3);
	assert_non_null(f.signature);
	assert_int_equal(f.opaque_len, 0);

	/* The 1.1 table (SpecID "DMTF") of the DMTF 1.1 exchange. */
	n = load_seed("fuzz_opaque/dmtf11-kersp-selection.bin", buf, sizeof(buf));
	assert_int_equal(spdm_decode_sm_opaque(buf + 3, n - 3, SPDM_OPAQUE_FMT_DSP0277,
					       SPDM_SM_ID_VERSION_SELECTION, &v, &err), 0);
	assert_int_equal(v.v[0], SPDM_SM_VER_12);
	w = wcur_init(re, sizeof(re));
	assert_int_equal(spdm_encode_sm_opaque(&w, SPDM_OPAQUE_FMT_DSP0277, &v), (int)n - 3);
	assert_memory_equal(re, buf + 3, n - 3);
	/* In the wrong format it is refused. */
	assert_int_not_equal(spdm_decode_sm_opaque(buf + 3, n - 3, SPDM_OPAQUE_FMT_GENERAL,
						   SPDM_SM_ID_VERSION_SELECTION, &v, &err), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bin_concat),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_dhe_agreement),
		cmocka_unit_test(test_round_trips),
		cmocka_unit_test(test_tamper_every_bit),
		cmocka_unit_test(test_replay_skip_wrong_id),
		cmocka_unit_test(test_exhaustion),
		cmocka_unit_test(test_key_update),
		cmocka_unit_test(test_end_wipes),
		cmocka_unit_test(test_codec_dmtf),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
