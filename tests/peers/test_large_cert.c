// SPDX-License-Identifier: MIT
/*
 * SPDM 1.4 large certificate chains (LARGE_RESP_CAP, LargeCertChain)
 * against the DMTF reference:
 *
 * - our requester against spdm_responder_emu with its default
 *   capabilities, LARGE_RESP included: at 1.4 the chain is read in the
 *   32-bit form, at 1.3 in the 16-bit one;
 * - the DMTF pair at 1.4 with default capabilities, captured by their
 *   requester and verified by devauth verify --pcap;
 * - spdm_requester_emu and our requester against a devauth-emu device with
 *   LARGE_RESP_CAP and a chain above 64 KiB (the DMTF sample root, then an
 *   intermediate and a leaf re-signed with a large extension, so that the
 *   DMTF requester's own root check still holds).  The DMTF binaries take
 *   no certificate files, so a large chain is only servable by devauth-emu.
 *
 * Every run is captured and the capture must show LargeCertChain messages,
 * so a run that silently used the 16-bit form fails.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <devauth/pcap.h>
#include <devauth/requester.h>
#include <devauth/transport.h>

#include "../e2e/emu_harness.h"
#include "peer_harness.h"

/* each re-signed certificate grows by this much: two of them pass 64 KiB */
#define BIG_EXT_SIZE 36000

struct capture_facts {
	unsigned int large_get_certs, small_get_certs;
	size_t chain_len;
};

/*
 * Count GET_CERTIFICATE forms in a capture and replay it with our
 * requester (the verifier's code): it must authenticate and measure.
 */
static void check_capture(const char *path, bool measured, struct capture_facts *f)
{
	struct da_capture cap = { 0 };
	struct da_spdm_msg *msgs = NULL;
	struct da_err err = { 0 };
	struct spdm_req_config c;
	const uint8_t *chain;
	size_t chain_len = 0;
	struct spdm_req *r;
	size_t n = 0;

	memset(f, 0, sizeof(*f));
	if (da_pcap_read(path, &cap, &err) || da_capture_spdm(&cap, &msgs, &n, &err))
		fail_msg("%s: %s", path, err.msg);
	for (size_t i = 0; i < n; i++) {
		if (msgs[i].len < 4 || msgs[i].data[1] != SPDM_GET_CERTIFICATE)
			continue;
		if (msgs[i].data[0] >= SPDM_VER_14 && (msgs[i].data[2] & 0x80))
			f->large_get_certs++;
		else
			f->small_get_certs++;
	}
	spdm_req_config_default(&c);
	r = spdm_req_new(&c, NULL);
	assert_non_null(r);
	if (spdm_req_replay(r, msgs, n, &err))
		fail_msg("%s: replay: %s", path, err.msg);
	assert_true(spdm_req_info(r)->authenticated);
	if (measured)
		assert_true(spdm_req_info(r)->measured);
	if (!spdm_req_evidence(r, DA_EV_CERT0 + spdm_req_info(r)->neg.slot, &chain, &chain_len))
		f->chain_len = chain_len;
	spdm_req_free(r);
	free(msgs);
	da_capture_free(&cap);
}

static X509 *read_cert(const char *path)
{
	FILE *fp = fopen(path, "rb");
	X509 *x;

	if (!fp)
		fail_msg("cannot open %s", path);
	x = d2i_X509_fp(fp, NULL);
	fclose(fp);
	if (!x)
		fail_msg("%s: not a DER certificate", path);
	return x;
}

static EVP_PKEY *read_key(const char *path)
{
	FILE *fp = fopen(path, "r");
	EVP_PKEY *k;

	if (!fp)
		fail_msg("cannot open %s", path);
	k = PEM_read_PrivateKey(fp, NULL, NULL, NULL);
	fclose(fp);
	if (!k)
		fail_msg("%s: not a PEM private key", path);
	return k;
}

/* x with a non-critical private extension of BIG_EXT_SIZE bytes, signed by key. */
static X509 *grow(const char *cert_path, EVP_PKEY *issuer_key, int tag)
{
	X509 *x = read_cert(cert_path);
	ASN1_OBJECT *oid = OBJ_txt2obj("2.25.329800735698586629295641978511506172918", 1);
	ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();
	unsigned char *blob = malloc(BIG_EXT_SIZE);
	X509_EXTENSION *ext;

	assert_non_null(oid);
	assert_non_null(os);
	assert_non_null(blob);
	memset(blob, tag, BIG_EXT_SIZE);
	assert_int_equal(ASN1_OCTET_STRING_set(os, blob, BIG_EXT_SIZE), 1);
	ext = X509_EXTENSION_create_by_OBJ(NULL, oid, 0, os);
	assert_non_null(ext);
	assert_int_equal(X509_add_ext(x, ext, -1), 1);
	assert_true(X509_sign(x, issuer_key, EVP_sha384()) > 0);
	X509_EXTENSION_free(ext);
	ASN1_OCTET_STRING_free(os);
	ASN1_OBJECT_free(oid);
	free(blob);
	return x;
}

static size_t write_der(FILE *fp, X509 *x)
{
	unsigned char *der = NULL;
	int n = i2d_X509(x, &der);

	assert_true(n > 0);
	assert_int_equal(fwrite(der, 1, (size_t)n, fp), (size_t)n);
	OPENSSL_free(der);
	return (size_t)n;
}

/*
 * In the peers' copy: large/chain.der (DMTF ECP384 root, re-signed
 * intermediate and leaf) and large/devices.json, one 1.3-1.4 device with
 * LARGE_RESP_CAP holding it in slot 0.  Returns the DER bytes written.
 */
static size_t make_large_device(char *config, size_t len)
{
	char dir[512], path[600];
	EVP_PKEY *ca_key, *inter_key;
	X509 *root, *inter, *leaf;
	size_t der = 0;
	FILE *fp;

	snprintf(dir, sizeof(dir), "%s/large", peer_dir());
	snprintf(path, sizeof(path), "mkdir -p '%s'", dir);
	assert_int_equal(system(path), 0);
	ca_key = read_key("ecp384/ca.key");
	inter_key = read_key("ecp384/inter.key");
	root = read_cert("ecp384/ca.cert.der");
	inter = grow("ecp384/inter.cert.der", ca_key, 0x5a);
	leaf = grow("ecp384/end_responder.cert.der", inter_key, 0xa5);
	snprintf(path, sizeof(path), "%s/chain.der", dir);
	fp = fopen(path, "wb");
	assert_non_null(fp);
	der += write_der(fp, root);
	der += write_der(fp, inter);
	der += write_der(fp, leaf);
	assert_int_equal(fclose(fp), 0);
	X509_free(root);
	X509_free(inter);
	X509_free(leaf);
	EVP_PKEY_free(ca_key);
	EVP_PKEY_free(inter_key);

	snprintf(config, len, "%s/devices.json", dir);
	fp = fopen(config, "w");
	assert_non_null(fp);
	fprintf(fp,
		"{ \"devices\": [ { \"name\": \"large0\", \"versions\": [\"1.3\", \"1.4\"],\n"
		"  \"asym\": [\"ecdsa-p384\"], \"hash\": [\"sha384\"],\n"
		"  \"caps\": [\"cert\", \"chal\", \"meas-sig\", \"chunk\", \"large-resp\"],\n"
		"  \"slots\": [ { \"slot\": 0, \"chain\": \"chain.der\",\n"
		"                 \"key\": \"%s/ecp384/end_responder.key\" } ] } ] }\n",
		peer_dir());
	assert_int_equal(fclose(fp), 0);
	return der;
}

static int chdir_peers(void **state)
{
	(void)state;
	return chdir(peer_dir()) ? -1 : 0;
}

/* Our requester against the DMTF responder with its default capabilities. */
static void ours_vs_dmtf(const char *ver, uint8_t v, bool want_large)
{
	static const char *const args[] = { "--trans", "PCI_DOE", "--asym", "ECDSA_P384", NULL };
	struct spdm_req_config c;
	struct da_transport *t = NULL;
	struct da_pcap *pcap = NULL;
	struct da_err err = { 0 };
	struct capture_facts f;
	struct peer_proc p;
	struct spdm_req *r;
	char hp[32], path[512];

	snprintf(path, sizeof(path), "%s/large-ours-%s.pcap", peer_dir(), ver);
	assert_int_equal(da_pcap_open_write(path, DA_FRAMING_PCI_DOE, &pcap, &err), 0);
	assert_int_equal(peer_start_responder(&p, args, 20), 0);
	snprintf(hp, sizeof(hp), "127.0.0.1:%d", p.port);
	assert_int_equal(da_transport_emu_connect_pcap(hp, DA_FRAMING_PCI_DOE, 5000, pcap, &t,
						       &err), 0);
	spdm_req_config_default(&c);
	c.dev_name = "dmtf";
	c.min_version = c.max_version = v;
	r = spdm_req_new(&c, t);
	assert_non_null(r);
	if (spdm_req_authenticate(r, &err) || spdm_req_measure(r, &err)) {
		peer_dump_log(&p);
		fail_msg("SPDM %s: %s", ver, err.msg);
	}
	/* a 1.3 CAPABILITIES has no bit 31: the DMTF responder clears it */
	assert_int_equal(!!(spdm_req_info(r)->rsp_caps & SPDM_CAP_LARGE_RESP), want_large);
	if (t->ops->close)
		t->ops->close(t, false, NULL);
	spdm_req_free(r);
	da_transport_destroy(t);
	assert_int_equal(da_pcap_close(pcap), 0);
	peer_stop(&p);

	check_capture(path, true, &f);
	if (want_large) {
		assert_true(f.large_get_certs > 0);
		assert_int_equal(f.small_get_certs, 0);
	} else {
		assert_int_equal(f.large_get_certs, 0);
		assert_true(f.small_get_certs > 0);
	}
	fprintf(stderr, "devauth -> spdm_responder_emu %s LARGE_RESP: %u large, %u 16-bit GET_CERTIFICATE\n",
		ver, f.large_get_certs, f.small_get_certs);
}

static void test_ours_vs_dmtf_large_resp_14(void **state)
{
	(void)state;
	ours_vs_dmtf("1.4", SPDM_VER_14, true);
}

static void test_ours_vs_dmtf_large_resp_13(void **state)
{
	(void)state;
	/* LARGE_RESP_CAP is a 1.4 bit: a 1.3 connection keeps the 16-bit form */
	ours_vs_dmtf("1.3", SPDM_VER_13, false);
}

/*
 * Both DMTF peers at 1.4, LARGE_RESP on both sides (the responder's
 * defaults; the requester without MUT_AUTH, which our replay does not
 * take); their capture verified by devauth.
 */
static void test_dmtf_pair_large_resp_14(void **state)
{
	static const char *const rargs[] = { "--trans", "PCI_DOE", "--ver", "1.4", NULL };
	char port_s[16], bin[400], out[65536], path[512];
	const char *qargs[] = { "--trans", "PCI_DOE", "--port", port_s, "--ver", "1.4",
				"--cap", "CERT,CHAL,CHUNK,LARGE_RESP",
				"--exe_conn", "VCA,DIGEST,CERT,CHAL,MEAS", "--meas_op", "ALL",
				"--exe_session", "NO_END", "--pcap", "large-pair-v14.pcap", NULL };
	const char *const vargs[] = { "verify", "--pcap", "large-pair-v14.pcap", "--trust",
				      "ecp384/ca.cert.der", NULL };
	struct capture_facts f;
	struct peer_proc p;
	int rc;

	(void)state;
	assert_int_equal(peer_start_responder(&p, rargs, 20), 0);
	snprintf(port_s, sizeof(port_s), "%d", p.port);
	rc = peer_run("spdm_requester_emu", qargs, out, sizeof(out), 60);
	if (rc || strstr(out, "ERROR")) {
		fprintf(stderr, "%s\n", out);
		peer_dump_log(&p);
	}
	assert_int_equal(rc, 0);
	assert_null(strstr(out, "ERROR"));
	peer_stop(&p);
	rc = peer_run(peer_devauth_bin("devauth", bin, sizeof(bin)), vargs, out, sizeof(out), 60);
	if (rc)
		fprintf(stderr, "%s\n", out);
	assert_int_equal(rc, 0);
	assert_non_null(strstr(out, "large-pair-v14.pcap: accepted"));
	snprintf(path, sizeof(path), "%s/large-pair-v14.pcap", peer_dir());
	check_capture(path, true, &f);
	assert_true(f.large_get_certs > 0);
	assert_int_equal(f.small_get_certs, 0);
}

/* The DMTF requester reads a chain above 64 KiB from devauth-emu. */
static void test_dmtf_requester_large_chain(void **state)
{
	char config[600], port[16], path[600], bin[400], out[65536];
	const char *extra[] = { "--transport", "pci-doe", "--config", config, NULL };
	struct emu_proc e = { 0 };
	struct capture_facts f;
	size_t der;
	int rc;

	(void)state;
	der = make_large_device(config, sizeof(config));
	assert_true(der > 65535);
	assert_int_equal(emu_start(&e, extra), 0);
	snprintf(port, sizeof(port), "%d", e.base_port);
	snprintf(path, sizeof(path), "%s/large-dmtf-req.pcap", peer_dir());
	{
		const char *const rargs[] = {
			"--trans", "PCI_DOE", "--port", port, "--ver", "1.4", "--asym",
			"ECDSA_P384", "--hash", "SHA_384", "--exe_conn",
			"VCA,DIGEST,CERT,CHAL,MEAS", "--meas_op", "ALL", "--exe_session",
			"NO_END", "--pcap", path, NULL
		};

		rc = peer_run("spdm_requester_emu", rargs, out, sizeof(out), 120);
	}
	if (rc || strstr(out, "ERROR")) {
		char cmd[700];

		fprintf(stderr, "%s\n", out);
		snprintf(cmd, sizeof(cmd), "cat '%s' >&2", e.log);
		if (system(cmd))
			fprintf(stderr, "no devauth-emu log\n");
	}
	assert_int_equal(rc, 0);
	assert_null(strstr(out, "ERROR"));
	assert_int_equal(emu_stop(&e), 0);
	emu_rmdir(e.dir);

	check_capture(path, true, &f);
	assert_true(f.large_get_certs > 0);
	assert_int_equal(f.small_get_certs, 0);
	assert_true(f.chain_len > 65535);
	{
		const char *const vargs[] = { "dump", path, "--verify", "--trust",
					      "ecp384/ca.cert.der", NULL };

		rc = peer_run(peer_devauth_bin("devauth", bin, sizeof(bin)), vargs, out,
			      sizeof(out), 60);
		if (rc)
			fprintf(stderr, "%s\n", out);
		assert_int_equal(rc, 0);
		assert_non_null(strstr(out, "verdict: all checks passed"));
	}
	fprintf(stderr, "spdm_requester_emu 1.4 read a %zu-byte chain in %u GET_CERTIFICATE\n",
		f.chain_len, f.large_get_certs);
}

/*
 * devauth probe against the same device: 1.4 reads and trusts it; 1.3 has
 * no way to carry it and devauth-emu refuses the 16-bit form.
 */
static void test_ours_large_chain(void **state)
{
	char config[600], port[32], bin[400], out[65536], path[600];
	const char *extra[] = { "--transport", "pci-doe", "--config", config, NULL };
	struct emu_proc e = { 0 };
	struct capture_facts f;
	int rc;

	(void)state;
	make_large_device(config, sizeof(config));
	assert_int_equal(emu_start(&e, extra), 0);
	snprintf(port, sizeof(port), "127.0.0.1:%d", e.base_port);
	snprintf(path, sizeof(path), "%s/large-ours-emu.pcap", peer_dir());
	{
		const char *const args[] = { "probe", "--connect", port, "--transport", "pci-doe",
					     "--spdm-version", "1.4", "--trust",
					     "ecp384/ca.cert.der", "--pcap", path, NULL };

		rc = peer_run(peer_devauth_bin("devauth", bin, sizeof(bin)), args, out,
			      sizeof(out), 120);
		if (rc)
			fprintf(stderr, "%s\n", out);
		assert_int_equal(rc, 0);
		assert_non_null(strstr(out, "pass     trust"));
		assert_non_null(strstr(out, "verdict: all checks passed"));
	}
	{
		const char *const args[] = { "probe", "--connect", port, "--transport", "pci-doe",
					     "--spdm-version", "1.3", "--trust",
					     "ecp384/ca.cert.der", NULL };

		rc = peer_run(peer_devauth_bin("devauth", bin, sizeof(bin)), args, out,
			      sizeof(out), 120);
		assert_int_equal(rc, 1);
		/* the device refuses the 16-bit form for this chain: nothing else broke */
		assert_non_null(strstr(out, "GET_CERTIFICATE: device answered ERROR InvalidRequest"));
	}
	assert_int_equal(emu_stop(&e), 0);
	emu_rmdir(e.dir);
	check_capture(path, true, &f);
	assert_true(f.large_get_certs > 0);
	assert_true(f.chain_len > 65535);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ours_vs_dmtf_large_resp_14),
		cmocka_unit_test(test_ours_vs_dmtf_large_resp_13),
		cmocka_unit_test(test_dmtf_pair_large_resp_14),
		cmocka_unit_test(test_dmtf_requester_large_chain),
		cmocka_unit_test(test_ours_large_chain),
	};
	const char *build = getenv("DEVAUTH_BUILD");
	static char bin[512];

	if (!build) {
		fprintf(stderr, "DEVAUTH_BUILD is not set: devauth-emu is required\n");
		return 1;
	}
	snprintf(bin, sizeof(bin), "%s/src/devauth-emu/devauth-emu", build);
	emu_bin = bin;
	return cmocka_run_group_tests(tests, chdir_peers, NULL);
}
