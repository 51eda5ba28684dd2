// SPDX-License-Identifier: MIT
/*
 * `devauth-emu pki`: a test PKI on disk, one root and one intermediate
 * CA shared by all devices and one leaf per device and provisioned slot,
 * carrying the device's PCIe CMA identity.  Layout (docs/emu.md):
 *
 *   DIR/root.der root.pem intermediate.der intermediate.pem devices.txt
 *   DIR/devN/slotS/leaf.der leaf.pem key.pem chain.der chain.pem
 *
 * chain.der is the SPDM order (root first, concatenated DER) and with
 * key.pem is what `serve --slot S:chain.der:key.pem` and the config
 * file's "chain"/"key" take.  Test keys only.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/pem.h>
#include <openssl/x509.h>

#include "crypto/pki.h"
#include "emu.h"

static int mkdir_one(const char *path, struct da_err *err)
{
	if (mkdir(path, 0755) && errno != EEXIST)
		return da_errf(err, -errno, "mkdir %s: %s", path, strerror(errno));
	return 0;
}

/* The chain files: DER certificates concatenated, and the same as a PEM bundle. */
static int write_chain(const char *dir, X509 *const *certs, size_t n, struct da_err *err)
{
	char path[4200];
	struct da_buf der = { 0 };
	unsigned char *p = NULL;
	FILE *f = NULL;
	size_t i;
	int len, ret = 0;

	for (i = 0; i < n; i++) {
		len = i2d_X509(certs[i], &p);
		if (len <= 0) {
			ret = da_errf(err, -EINVAL, "certificate %zu: DER encoding failed", i);
			goto out;
		}
		ret = da_buf_append(&der, p, (size_t)len);
		OPENSSL_free(p);
		p = NULL;
		if (ret) {
			ret = da_errf(err, ret, "out of memory");
			goto out;
		}
	}
	snprintf(path, sizeof(path), "%s/chain.der", dir);
	f = fopen(path, "wb");
	if (!f || fwrite(der.data, 1, der.len, f) != der.len) {
		ret = da_errf(err, -errno, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (fclose(f)) {
		f = NULL;
		ret = da_errf(err, -errno, "%s: %s", path, strerror(errno));
		goto out;
	}
	snprintf(path, sizeof(path), "%s/chain.pem", dir);
	f = fopen(path, "w");
	if (!f) {
		ret = da_errf(err, -errno, "%s: %s", path, strerror(errno));
		goto out;
	}
	for (i = 0; i < n; i++) {
		if (!PEM_write_X509(f, certs[i])) {
			ret = da_errf(err, -EIO, "%s: write failed", path);
			goto out;
		}
	}
	if (fclose(f)) {
		f = NULL;
		ret = da_errf(err, -errno, "%s: %s", path, strerror(errno));
		goto out;
	}
	f = NULL;
out:
	if (f)
		fclose(f);
	da_buf_free(&der);
	return ret;
}

static int write_ca(const char *dir, const char *base, const struct pki_ca *ca,
		    struct da_err *err)
{
	char path[4096];
	int ret;

	snprintf(path, sizeof(path), "%s/%s.der", dir, base);
	ret = pki_write_cert_der(path, ca->cert, err);
	if (ret)
		return ret;
	snprintf(path, sizeof(path), "%s/%s.pem", dir, base);
	return pki_write_cert_pem(path, ca->cert, err);
}

static int make_leaf(const char *out, unsigned int i, unsigned int slot,
		     const struct rsp_device_config *c, uint32_t asym, const struct pki_ca *root,
		     const struct pki_ca *inter, struct da_err *err)
{
	char dir[4096], path[4200], cn[96];
	struct pki_ca leaf = { 0 };
	X509 *certs[3];
	int ret;

	snprintf(dir, sizeof(dir), "%s/dev%u", out, i);
	ret = mkdir_one(dir, err);
	if (ret)
		return ret;
	snprintf(dir, sizeof(dir), "%s/dev%u/slot%u", out, i, slot);
	ret = mkdir_one(dir, err);
	if (ret)
		return ret;
	snprintf(cn, sizeof(cn), "%s slot %u", c->name, slot);
	ret = pki_make_leaf(inter, asym, cn, &c->id, NULL, 0, &leaf, err);
	if (ret)
		goto out;
	snprintf(path, sizeof(path), "%s/leaf.der", dir);
	ret = pki_write_cert_der(path, leaf.cert, err);
	if (ret)
		goto out;
	snprintf(path, sizeof(path), "%s/leaf.pem", dir);
	ret = pki_write_cert_pem(path, leaf.cert, err);
	if (ret)
		goto out;
	snprintf(path, sizeof(path), "%s/key.pem", dir);
	ret = pki_write_key_pem(path, leaf.key, err);
	if (ret)
		goto out;
	certs[0] = root->cert;
	certs[1] = inter->cert;
	certs[2] = leaf.cert;
	ret = write_chain(dir, certs, 3, err);
out:
	pki_ca_free(&leaf);
	return ret;
}

static void pki_usage(FILE *f)
{
	fprintf(f,
		"Usage: %s pki --out DIR [--asym ALG] [--devices FILE | --count N]\n"
		"Writes DIR/root.{der,pem}, DIR/intermediate.{der,pem} and for each device i\n"
		"and provisioned slot s DIR/dev<i>/slot<s>/{leaf.der,leaf.pem,key.pem,chain.der,\n"
		"chain.pem}.  ALG: ecdsa-p256 (default), ecdsa-p384, ecdsa-p521, rsassa-*,\n"
		"rsapss-* (2048, 3072, 4096), ed25519, ed448.\n",
		EMU_PROG);
}

int pki_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "asym", required_argument, NULL, 'a' },
		{ "devices", required_argument, NULL, 'd' },
		{ "count", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *out = NULL, *devfile = NULL;
	struct emu_defaults defs = { 0 };
	struct emu_config cfg = { 0 };
	struct pki_ca root = { 0 }, inter = { 0 };
	struct da_err err = { 0 };
	uint32_t asym = SPDM_ASYM_ECDSA_P256;
	unsigned long count = 0;
	unsigned int i, s;
	char path[4200], *end;
	FILE *f = NULL;
	int opt, ret = 1, r;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 'o':
			out = optarg;
			break;
		case 'a':
			if (emu_parse_asym_name(optarg, &asym)) {
				emu_log("pki: --asym: unknown algorithm '%s'", optarg);
				return 2;
			}
			break;
		case 'd':
			devfile = optarg;
			break;
		case 'n':
			errno = 0;
			count = strtoul(optarg, &end, 10);
			if (errno || *end || !*optarg || count < 1 || count > EMU_MAX_DEVICES) {
				emu_log("pki: --count: '%s' is not in 1..%d", optarg,
					EMU_MAX_DEVICES);
				return 2;
			}
			break;
		case 'h':
			pki_usage(stdout);
			return 0;
		default:
			pki_usage(stderr);
			return 2;
		}
	}
	if (!out || optind < argc || (devfile && count)) {
		pki_usage(stderr);
		return 2;
	}

	r = devfile ? emu_config_load(devfile, &defs, &cfg, &err) :
		      emu_config_default(count ? (unsigned int)count : 1, &defs, &cfg, &err);
	if (r)
		goto fail;
	r = mkdir_one(out, &err);
	if (r)
		goto fail;
	r = pki_make_root(asym, "devauth-emu test root CA", &root, &err);
	if (!r)
		r = pki_make_intermediate(&root, asym, "devauth-emu test intermediate CA", 0,
					  &inter, &err);
	if (!r)
		r = write_ca(out, "root", &root, &err);
	if (!r)
		r = write_ca(out, "intermediate", &inter, &err);
	if (r)
		goto fail;

	snprintf(path, sizeof(path), "%s/devices.txt", out);
	f = fopen(path, "w");
	if (!f) {
		r = da_errf(&err, -errno, "%s: %s", path, strerror(errno));
		goto fail;
	}
	for (i = 0; i < cfg.ndev; i++) {
		const struct rsp_device_config *c = &cfg.dev[i].cfg;

		fprintf(f, "dev%u %s\n", i, c->name);
		for (s = 0; s < SPDM_MAX_SLOTS; s++) {
			if (!(c->provisioned_slots & (1u << s)))
				continue;
			r = make_leaf(out, i, s, c, asym, &root, &inter, &err);
			if (r)
				goto fail;
		}
	}
	if (fclose(f)) {
		f = NULL;
		r = da_errf(&err, -errno, "%s: %s", path, strerror(errno));
		goto fail;
	}
	f = NULL;
	ret = 0;
	goto out;
fail:
	emu_log("pki: %s", err.msg[0] ? err.msg : strerror(-r));
out:
	if (f)
		fclose(f);
	pki_ca_free(&inter);
	pki_ca_free(&root);
	emu_config_free(&cfg);
	return ret;
}
