// SPDX-License-Identifier: MIT
/*
 * The emulated device: configuration, its in-memory PKI, measurements
 * and the runtime controls.  Everything that a control thread may change
 * is behind d->lock; connections take snapshots (responder.c) and never
 * hold the lock while they answer.
 *
 * PKI: each generated slot has its own root and intermediate (ECDSA
 * P-384, whatever the negotiated BaseAsym) so the trust anchor of a slot
 * does not depend on what a requester negotiates.  The leaf key is of the
 * negotiated BaseAsym and is made on first use for (slot, asym, chain
 * faults); `swap` throws the leaves away, so the next connection gets a
 * new key and certificate under the same root and identity.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "crypto/session_crypto.h"
#include "responder_internal.h"

#define EMU_CA_ASYM SPDM_ASYM_ECDSA_P384
#define EMU_CA_HASH SPDM_HASH_SHA384

/*
 * Selection order when several algorithms are common to the offer and
 * the device: ECDSA first (small, fast to generate), then EdDSA, then
 * RSA (PSS before SSA), larger before smaller within a family.
 */
const uint32_t rsp_asym_order[] = {
	SPDM_ASYM_ECDSA_P384, SPDM_ASYM_ECDSA_P256, SPDM_ASYM_ECDSA_P521,
	SPDM_ASYM_EDDSA_ED25519, SPDM_ASYM_EDDSA_ED448,
	SPDM_ASYM_RSAPSS_3072, SPDM_ASYM_RSASSA_3072, SPDM_ASYM_RSAPSS_4096,
	SPDM_ASYM_RSASSA_4096, SPDM_ASYM_RSAPSS_2048, SPDM_ASYM_RSASSA_2048, 0
};
const uint32_t rsp_hash_order[] = {
	SPDM_HASH_SHA384, SPDM_HASH_SHA256, SPDM_HASH_SHA512,
	SPDM_HASH_SHA3_384, SPDM_HASH_SHA3_256, SPDM_HASH_SHA3_512, 0
};
const uint32_t rsp_meas_hash_order[] = {
	SPDM_MEAS_HASH_SHA512, SPDM_MEAS_HASH_SHA384, SPDM_MEAS_HASH_SHA256,
	SPDM_MEAS_HASH_SHA3_512, SPDM_MEAS_HASH_SHA3_384, SPDM_MEAS_HASH_SHA3_256,
	SPDM_MEAS_HASH_RAW, 0
};

uint32_t rsp_pick(const uint32_t *order, uint32_t mask)
{
	for (; *order; order++)
		if (mask & *order)
			return *order;
	return 0;
}

static void fill_pattern(struct rsp_meas_block *b, unsigned int n, size_t len)
{
	b->len = (uint16_t)len;
	for (size_t i = 0; i < len; i++)
		b->value[i] = (uint8_t)(b->index * 37u + n * 101u + i * 7u + 1u);
}

static struct rsp_meas_block *add_block(struct rsp_device_config *c, uint8_t index,
					uint8_t type)
{
	struct rsp_meas_block *b = &c->meas[c->nmeas++];

	memset(b, 0, sizeof(*b));
	b->index = index;
	b->dmtf_type = type;
	return b;
}

static void put_le(uint8_t *p, uint64_t v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* The TDISP interfaces every device has unless its config says otherwise. */
void rsp_tdisp_config_default(struct rsp_tdisp_config *t, unsigned int n)
{
	struct rsp_tdi_config *i = &t->tdi[0];

	memset(t, 0, sizeof(*t));
	t->enabled = true;
	t->lock_flags = TDISP_LOCK_NO_FW_UPDATE | TDISP_LOCK_SYSTEM_CACHE_LINE_SIZE |
			TDISP_LOCK_MSIX | TDISP_LOCK_BIND_P2P | TDISP_LOCK_ALL_REQUEST_REDIRECT;
	t->dev_addr_width = 52;
	t->num_req_this = 1;
	t->num_req_all = 1;
	t->ide_max_port_index = 1;
	t->ide_streams = 8;
	t->cxl = true;
	t->ntdi = 2;
	i->function_id = 0;
	i->interface_info = TDISP_INFO_NO_UPDATE_AFTER_LOCK | TDISP_INFO_DMA_WITHOUT_PASID;
	i->msix_control = 0x0003;	/* 4 vectors, disabled */
	i->nmmio = 3;
	i->mmio[0] = (struct rsp_tdi_mmio){ 0x0, 16, 0, 0 };
	i->mmio[1] = (struct rsp_tdi_mmio){ 0x10000, 1, TDISP_MMIO_MSIX_TABLE, 1 };
	i->mmio[2] = (struct rsp_tdi_mmio){ 0x11000, 1, TDISP_MMIO_MSIX_PBA, 1 };
	i->dsi_len = 8;
	for (unsigned int k = 0; k < 8; k++)
		i->dsi[k] = (uint8_t)(0xd0 + k + n);
	/* the FUNCTION_ID spdm_requester_emu asks for: a virtual function's */
	i = &t->tdi[1];
	i->function_id = 0xbeef;
	i->interface_info = TDISP_INFO_NO_UPDATE_AFTER_LOCK | TDISP_INFO_DMA_WITH_PASID;
	i->nmmio = 1;
	i->mmio[0] = (struct rsp_tdi_mmio){ 0x20000, 4, 0, 0 };
	i->dsi_len = 4;
	for (unsigned int k = 0; k < 4; k++)
		i->dsi[k] = (uint8_t)(0xe0 + k + n);
}

void rsp_device_config_default(struct rsp_device_config *c, const char *name, unsigned int n)
{
	struct rsp_meas_block *b;

	memset(c, 0, sizeof(*c));
	snprintf(c->name, sizeof(c->name), "%s", name ? name : "0000:01:00.0");
	c->id.vendor = 0x1b36;
	c->id.device = (uint16_t)(0x0100 + n);
	c->id.class_code = 0x010802;
	c->id.revision = 0x01;
	c->id.has_subsys = true;
	c->id.ssvid = 0x1af4;
	c->id.ssid = 0x1100;
	c->id.has_serial = true;
	c->id.serial = 0x00c0ffee00000000ull + n;
	c->min_version = SPDM_VER_10;
	c->max_version = SPDM_VER_14;
	c->asym = spdm_supported_asym() & ~SPDM_ASYM_SM2_P256;
	c->hash = spdm_supported_hash() & ~SPDM_HASH_SM3_256;
	c->meas_hash = spdm_supported_meas_hash() & ~(SPDM_MEAS_HASH_SM3_256 | SPDM_MEAS_HASH_RAW);
	c->caps = SPDM_CAP_CERT | SPDM_CAP_CHAL | SPDM_CAP_MEAS_SIG | SPDM_CAP_CHUNK |
		  SPDM_CAP_ENCRYPT | SPDM_CAP_MAC | SPDM_CAP_KEY_EX | RSP_PSK_CAP_WITH_CONTEXT |
		  SPDM_CAP_HBEAT | SPDM_CAP_KEY_UPD | SPDM_CAP_HANDSHAKE_IN_THE_CLEAR;
	c->dhe = spdm_supported_dhe() & ~SPDM_DHE_SM2_P256;
	c->aead = spdm_supported_aead() & ~SPDM_AEAD_SM4_GCM;
	/* what spdm_responder_emu and spdm_requester_emu use unless told otherwise */
	memcpy(c->psk, "TestPskData", 12);
	c->psk_len = 12;
	memcpy(c->psk_hint, "TestPskHint", 12);
	c->psk_hint_len = 12;
	c->heartbeat_period = 240;
	rsp_tdisp_config_default(&c->tdisp, n);
	c->data_transfer_size = RSP_DEFAULT_DATA_TRANSFER_SIZE;
	c->max_spdm_msg_size = RSP_DEFAULT_MAX_SPDM_MSG_SIZE;
	c->ct_exponent = 12;
	c->rdt_exponent = 10;
	c->provisioned_slots = 0x03;

	b = add_block(c, 1, SPDM_DMTF_MEAS_IMMUTABLE_ROM);
	fill_pattern(b, n, 32);
	b = add_block(c, 2, SPDM_DMTF_MEAS_MUTABLE_FW);
	b->firmware = true;
	fill_pattern(b, n, 48);
	b = add_block(c, 3, SPDM_DMTF_MEAS_HW_CONFIG);
	fill_pattern(b, n, 16);
	b = add_block(c, 4, SPDM_DMTF_MEAS_FW_CONFIG);
	fill_pattern(b, n, 16);
	b = add_block(c, 5, SPDM_DMTF_MEAS_MANIFEST);
	fill_pattern(b, n, 64);
	/* DSP0274 device mode: four u32, operational/device mode caps and state */
	b = add_block(c, 6, SPDM_DMTF_MEAS_DEVICE_MODE);
	b->len = 16;
	put_le(b->value, 0x7, 4);
	put_le(b->value + 4, 0x4, 4);
	put_le(b->value + 8, 0x1f, 4);
	put_le(b->value + 12, 0x0, 4);
	b = add_block(c, 7, SPDM_DMTF_MEAS_VERSION);
	b->len = (uint16_t)snprintf((char *)b->value, sizeof(b->value), "devauth-emu fw 1.0.%u",
				    n);
	b = add_block(c, 8, SPDM_DMTF_MEAS_SVN);
	b->len = 8;
	put_le(b->value, 1, 8);
	b = add_block(c, 0x10, SPDM_DMTF_MEAS_FW_CONFIG);
	b->is_volatile = true;
	b->len = 8;
	put_le(b->value, 0, 8);
}

static void slot_free(struct rsp_dev_slot *s)
{
	if (s->file_certs)
		sk_X509_pop_free(s->file_certs, X509_free);
	EVP_PKEY_free(s->file_key);
	pki_ca_free(&s->root);
	pki_ca_free(&s->inter);
	pki_ca_free(&s->inter_bad);
	memset(s, 0, sizeof(*s));
}

static void leaves_free(struct rsp_device *d)
{
	for (size_t i = 0; i < d->nleaves; i++)
		pki_ca_free(&d->leaves[i].leaf);
	free(d->leaves);
	d->leaves = NULL;
	d->nleaves = 0;
}

static int slot_load_files(struct rsp_device *d, uint8_t i, struct da_err *err)
{
	const struct rsp_slot_files *f = &d->cfg.slot_files[i];
	struct rsp_dev_slot *s = &d->slot[i];
	uint32_t asym = 0;
	int ret;

	if (!f->chain_path || !f->key_path)
		return da_errf(err, -EINVAL, "slot %u: both a chain and a key file are needed",
			       i);
	ret = pki_read_certs(f->chain_path, &s->file_certs, err);
	if (ret < 0)
		return ret;
	if (sk_X509_num(s->file_certs) < 1)
		return da_errf(err, -EINVAL, "slot %u: %s holds no certificate", i,
			       f->chain_path);
	s->file_key = pki_read_key_pem(f->key_path, err);
	if (!s->file_key)
		return err && err->code ? err->code : -EINVAL;
	for (unsigned int b = 0; b < 32; b++)
		if (spdm_key_matches_asym(s->file_key, 1u << b))
			asym |= 1u << b;
	if (!asym)
		return da_errf(err, -EINVAL, "slot %u: key %s fits no SPDM BaseAsym", i,
			       f->key_path);
	s->file_asym = asym;
	s->from_file = true;
	return 0;
}

int rsp_device_create(const struct rsp_device_config *c, struct rsp_device **out,
		      struct da_err *err)
{
	struct rsp_device *d;
	int ret = 0;

	*out = NULL;
	if (!c->provisioned_slots)
		return da_errf(err, -EINVAL, "%s: no certificate slot provisioned", c->name);
	if (c->min_version < SPDM_VER_10 || c->max_version > SPDM_VER_14 ||
	    c->min_version > c->max_version)
		return da_errf(err, -EINVAL, "%s: version range %#x-%#x not within 1.0-1.4",
			       c->name, c->min_version, c->max_version);
	if (c->data_transfer_size < SPDM_MIN_DATA_TRANSFER_SIZE ||
	    c->data_transfer_size > RSP_MAX_SPDM_MSG_SIZE)
		return da_errf(err, -EINVAL, "%s: data-transfer-size %u not within %u..%u",
			       c->name, c->data_transfer_size, SPDM_MIN_DATA_TRANSFER_SIZE,
			       RSP_MAX_SPDM_MSG_SIZE);
	if (c->max_spdm_msg_size < c->data_transfer_size ||
	    c->max_spdm_msg_size > RSP_MAX_SPDM_MSG_SIZE)
		return da_errf(err, -EINVAL,
			       "%s: max-spdm-msg-size %u not within data-transfer-size %u..%u",
			       c->name, c->max_spdm_msg_size, c->data_transfer_size,
			       RSP_MAX_SPDM_MSG_SIZE);
	if (c->nmeas > RSP_MAX_MEAS_BLOCKS)
		return da_errf(err, -EINVAL, "%s: %zu measurement blocks, at most %d", c->name,
			       c->nmeas, RSP_MAX_MEAS_BLOCKS);
	for (size_t i = 0; i < c->nmeas; i++) {
		if (c->meas[i].index == 0 || c->meas[i].index == 0xFF)
			return da_errf(err, -EINVAL, "%s: measurement index %u is reserved",
				       c->name, c->meas[i].index);
		if (c->meas[i].len > sizeof(c->meas[i].value))
			return da_errf(err, -EINVAL, "%s: measurement %u too long", c->name,
				       c->meas[i].index);
	}
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->cfg = *c;
	pthread_mutex_init(&d->lock, NULL);
	for (uint8_t i = 0; i < SPDM_MAX_SLOTS; i++) {
		char cn[96];

		if (!(c->provisioned_slots & (1u << i)))
			continue;
		if (c->slot_files[i].chain_path || c->slot_files[i].key_path) {
			ret = slot_load_files(d, i, err);
			if (ret < 0)
				goto fail;
			continue;
		}
		snprintf(cn, sizeof(cn), "devauth-emu %s slot %u root", c->name, i);
		ret = pki_make_root(EMU_CA_ASYM, cn, &d->slot[i].root, err);
		if (ret < 0)
			goto fail;
		snprintf(cn, sizeof(cn), "devauth-emu %s slot %u intermediate", c->name, i);
		ret = pki_make_intermediate(&d->slot[i].root, EMU_CA_ASYM, cn, 0,
					    &d->slot[i].inter, err);
		if (ret < 0)
			goto fail;
	}
	*out = d;
	return 0;
fail:
	da_err_prefix(err, "%s", c->name);
	rsp_device_free(d);
	return ret < 0 ? ret : -EINVAL;
}

void rsp_device_free(struct rsp_device *d)
{
	if (!d)
		return;
	for (int i = 0; i < SPDM_MAX_SLOTS; i++)
		slot_free(&d->slot[i]);
	leaves_free(d);
	free(d->first_auth);
	pthread_mutex_destroy(&d->lock);
	free(d);
}

const struct rsp_device_config *rsp_device_config(const struct rsp_device *d)
{
	return &d->cfg;
}

X509 *rsp_device_root(const struct rsp_device *d, uint8_t slot)
{
	if (slot >= SPDM_MAX_SLOTS)
		return NULL;
	if (d->slot[slot].from_file)
		return sk_X509_value(d->slot[slot].file_certs, 0);
	return d->slot[slot].root.cert;
}

/* Called with the lock held. */
static struct rsp_leaf *leaf_get(struct rsp_device *d, uint8_t slot, uint32_t asym,
				 unsigned int pki_faults, bool inter_bad, struct da_err *err)
{
	struct rsp_dev_slot *s = &d->slot[slot];
	const struct pki_ca *issuer = &s->inter;
	struct rsp_leaf *l, *tmp;
	char cn[96];
	/* inter_bad leaves are keyed with a private bit above the pki ones */
	unsigned int key = pki_faults | (inter_bad ? 1u << 31 : 0);

	for (size_t i = 0; i < d->nleaves; i++) {
		l = &d->leaves[i];
		if (l->slot == slot && l->asym == asym && l->pki_faults == key)
			return l;
	}
	if (inter_bad) {
		if (!s->inter_bad.cert) {
			snprintf(cn, sizeof(cn), "devauth-emu %s slot %u intermediate",
				 d->cfg.name, slot);
			if (pki_make_intermediate(&s->root, EMU_CA_ASYM, cn,
						  PKI_FAULT_INTER_CA_FALSE, &s->inter_bad, err))
				return NULL;
		}
		issuer = &s->inter_bad;
	}
	tmp = realloc(d->leaves, (d->nleaves + 1) * sizeof(*d->leaves));
	if (!tmp)
		return NULL;
	d->leaves = tmp;
	l = &d->leaves[d->nleaves];
	memset(l, 0, sizeof(*l));
	snprintf(cn, sizeof(cn), "devauth-emu %s slot %u leaf", d->cfg.name, slot);
	if (pki_make_leaf(issuer, asym, cn, &d->cfg.id, NULL, pki_faults, &l->leaf, err))
		return NULL;
	l->slot = slot;
	l->asym = asym;
	l->pki_faults = key;
	d->nleaves++;
	return l;
}

/* Called with the lock held. */
static int slot_snapshot_locked(struct rsp_device *d, uint8_t slot, uint32_t asym,
				uint32_t hash, uint64_t faults, struct rsp_slot *out,
				struct da_err *err)
{
	struct rsp_dev_slot *s = &d->slot[slot];
	size_t hsize = spdm_hash_size(hash);
	int ret;

	if (!(d->cfg.provisioned_slots & (1u << slot)))
		return -ENOENT;
	if (!hsize)
		return da_errf(err, -EINVAL, "slot %u: unsupported hash %#x", slot, hash);
	if (s->from_file) {
		X509 *certs[SPDM_CHAIN_MAX_CERTS];
		int n = sk_X509_num(s->file_certs);

		if (!(s->file_asym & asym) || !spdm_key_matches_asym(s->file_key, asym))
			return da_errf(err, -EINVAL, "slot %u: key does not fit %s", slot,
				       spdm_asym_name(asym));
		if (n > SPDM_CHAIN_MAX_CERTS)
			return da_errf(err, -EINVAL, "slot %u: %d certificates, at most %d",
				       slot, n, SPDM_CHAIN_MAX_CERTS);
		for (int i = 0; i < n; i++)
			certs[i] = sk_X509_value(s->file_certs, i);
		ret = pki_spdm_chain(certs, (size_t)n, hash, &out->chain, err);
		if (ret < 0)
			return ret;
		EVP_PKEY_up_ref(s->file_key);
		out->key = s->file_key;
	} else {
		bool inter_bad = rsp_faults_inter_bad(faults);
		struct rsp_leaf *l = leaf_get(d, slot, asym, rsp_faults_to_pki_leaf(faults),
					      inter_bad, err);
		X509 *certs[3];

		if (!l)
			return err && err->code ? err->code : -ENOMEM;
		certs[0] = s->root.cert;
		certs[1] = inter_bad ? s->inter_bad.cert : s->inter.cert;
		certs[2] = l->leaf.cert;
		ret = pki_spdm_chain(certs, 3, hash, &out->chain, err);
		if (ret < 0)
			return ret;
		EVP_PKEY_up_ref(l->leaf.key);
		out->key = l->leaf.key;
	}
	/* the header is 4 bytes then RootHash: break one byte of it */
	if ((faults & RSP_FAULT(RSP_FAULT_ROOT_HASH_MISMATCH)) &&
	    out->chain.len > SPDM_CERT_CHAIN_HDR_SIZE)
		out->chain.data[SPDM_CERT_CHAIN_HDR_SIZE] ^= 0x5a;
	ret = spdm_hash(hash, out->chain.data, out->chain.len, out->digest);
	if (ret < 0)
		return ret;
	out->present = true;
	return 0;
}

int rsp_device_snapshot_slot(struct rsp_device *d, uint8_t slot, uint32_t asym,
			     uint32_t hash, uint64_t faults, struct rsp_slot *out,
			     struct da_err *err)
{
	int ret;

	pthread_mutex_lock(&d->lock);
	ret = slot_snapshot_locked(d, slot, asym, hash, faults, out, err);
	pthread_mutex_unlock(&d->lock);
	if (ret < 0) {
		EVP_PKEY_free(out->key);
		out->key = NULL;
		da_buf_free(&out->chain);
		out->present = false;
	}
	return ret;
}

uint32_t rsp_device_slot_asym_mask(struct rsp_device *d)
{
	uint32_t m;

	pthread_mutex_lock(&d->lock);
	m = d->cfg.asym;
	for (int i = 0; i < SPDM_MAX_SLOTS; i++)
		if (d->slot[i].from_file)
			m &= d->slot[i].file_asym;
	pthread_mutex_unlock(&d->lock);
	return m;
}

int rsp_device_chain(struct rsp_device *d, uint8_t slot, uint32_t base_hash,
		     struct da_buf *out, struct da_err *err)
{
	struct rsp_slot s = { 0 };
	uint32_t asym = rsp_pick(rsp_asym_order, rsp_device_slot_asym_mask(d));
	int ret;

	if (slot >= SPDM_MAX_SLOTS)
		return da_errf(err, -EINVAL, "slot %u does not exist", slot);
	ret = rsp_device_chain_for(d, slot, asym, base_hash, &s.chain, err);
	if (ret < 0)
		return ret;
	ret = da_buf_append(out, s.chain.data, s.chain.len);
	da_buf_free(&s.chain);
	return ret;
}

int rsp_device_chain_for(struct rsp_device *d, uint8_t slot, uint32_t base_asym,
			 uint32_t base_hash, struct da_buf *out, struct da_err *err)
{
	struct rsp_slot s = { 0 };
	int ret;

	if (slot >= SPDM_MAX_SLOTS)
		return da_errf(err, -EINVAL, "slot %u does not exist", slot);
	ret = rsp_device_snapshot_slot(d, slot, base_asym, base_hash, rsp_device_faults(d), &s,
				       err);
	if (ret == -ENOENT)
		return da_errf(err, -ENOENT, "slot %u is not provisioned", slot);
	if (ret < 0)
		return ret;
	ret = da_buf_append(out, s.chain.data, s.chain.len);
	EVP_PKEY_free(s.key);
	da_buf_free(&s.chain);
	return ret;
}

void rsp_device_snapshot_meas(struct rsp_device *d, struct rsp_meas_block *out, size_t *n)
{
	pthread_mutex_lock(&d->lock);
	*n = d->cfg.nmeas;
	memcpy(out, d->cfg.meas, d->cfg.nmeas * sizeof(*out));
	pthread_mutex_unlock(&d->lock);
}

uint64_t rsp_device_faults(struct rsp_device *d)
{
	uint64_t f;

	pthread_mutex_lock(&d->lock);
	f = d->cfg.faults;
	pthread_mutex_unlock(&d->lock);
	return f;
}

bool rsp_device_replay_auth(struct rsp_device *d, const uint8_t *auth, size_t len,
			    bool replay, uint8_t *out, size_t cap, size_t *out_len)
{
	bool have = false;

	pthread_mutex_lock(&d->lock);
	if (d->first_auth) {
		if (replay && d->first_auth_len <= cap) {
			memcpy(out, d->first_auth, d->first_auth_len);
			*out_len = d->first_auth_len;
			have = true;
		}
	} else if (len) {
		d->first_auth = malloc(len);
		if (d->first_auth) {
			memcpy(d->first_auth, auth, len);
			d->first_auth_len = len;
		}
	}
	pthread_mutex_unlock(&d->lock);
	return have;
}

int rsp_device_reset(struct rsp_device *d)
{
	pthread_mutex_lock(&d->lock);
	d->reset_gen++;
	/* volatile blocks: a boot counter, little endian in the first bytes */
	for (size_t i = 0; i < d->cfg.nmeas; i++) {
		struct rsp_meas_block *b = &d->cfg.meas[i];

		if (!b->is_volatile)
			continue;
		if (b->len < 8)
			b->len = 8;
		put_le(b->value, d->reset_gen, 8);
	}
	pthread_mutex_unlock(&d->lock);
	return 0;
}

int rsp_device_swap(struct rsp_device *d, struct da_err *err)
{
	int ret = 0;

	pthread_mutex_lock(&d->lock);
	for (int i = 0; i < SPDM_MAX_SLOTS; i++) {
		if (d->slot[i].from_file) {
			ret = da_errf(err, -EOPNOTSUPP,
				      "%s: slot %d comes from files; swap needs generated keys",
				      d->cfg.name, i);
			goto out;
		}
	}
	leaves_free(d);
	d->swap_gen++;
out:
	pthread_mutex_unlock(&d->lock);
	return ret;
}

int rsp_device_update(struct rsp_device *d)
{
	pthread_mutex_lock(&d->lock);
	/* a new firmware image: bump a little-endian revision in its first bytes */
	for (size_t i = 0; i < d->cfg.nmeas; i++) {
		struct rsp_meas_block *b = &d->cfg.meas[i];
		uint32_t rev = 0;

		if (!b->firmware)
			continue;
		if (b->len < 4)
			b->len = 4;
		for (int k = 3; k >= 0; k--)
			rev = rev << 8 | b->value[k];
		put_le(b->value, rev + 1, 4);
	}
	d->update_gen++;
	pthread_mutex_unlock(&d->lock);
	return 0;
}


void rsp_device_set_faults(struct rsp_device *d, uint64_t faults)
{
	pthread_mutex_lock(&d->lock);
	d->cfg.faults = faults;
	pthread_mutex_unlock(&d->lock);
}

/* A counter of d read under its lock; the lock is not part of the logical state. */
static uint64_t read_gen(const struct rsp_device *d, const uint64_t *gen)
{
	struct rsp_device *m = (struct rsp_device *)d;
	uint64_t g;

	pthread_mutex_lock(&m->lock);
	g = *gen;
	pthread_mutex_unlock(&m->lock);
	return g;
}

uint64_t rsp_device_reset_gen(const struct rsp_device *d)
{
	return read_gen(d, &d->reset_gen);
}

uint64_t rsp_device_update_gen(const struct rsp_device *d)
{
	return read_gen(d, &d->update_gen);
}
