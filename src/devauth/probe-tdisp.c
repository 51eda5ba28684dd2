// SPDX-License-Identifier: MIT
/*
 * devauth probe --tdisp / --ide-km: once the session is up, the TSM's
 * TDISP flow on one interface (version, capabilities, lock, the report
 * in portions, start with the lock's nonce, RUN, stop) and the IDE_KM
 * key programming of stream 0, each state read back from the device.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include <devauth/crypto.h>
#include <devauth/json.h>
#include <devauth/tdisp.h>

#include "cli.h"
#include "devauth.h"
#include "probe-tdisp.h"

struct probe_tdisp {
	bool tdisp, ide_km, ran_tdisp, ran_ide_km;
	uint16_t portion;
	uint32_t function_id;
	struct da_tdisp *t;
	uint8_t nonce[TDISP_NONCE_SIZE];	/* the lock's, kept for the output */
	uint8_t states[4];
	unsigned int nstates;
	struct da_idekm_port port;
	unsigned int keys_programmed;
};

struct probe_tdisp *probe_tdisp_new(void)
{
	return calloc(1, sizeof(struct probe_tdisp));
}

int probe_tdisp_opt(int c, const char *arg, struct probe_tdisp *pt)
{
	unsigned long long n;

	switch (c) {
	case PROBE_OPT_TDISP:
		pt->tdisp = true;
		break;
	case PROBE_OPT_IDE_KM:
		pt->ide_km = true;
		break;
	case PROBE_OPT_PORTION:
		if (cli_number("probe", "report-portion", arg, 1, 0xFFFF, &n))
			return -1;
		pt->portion = (uint16_t)n;
		break;
	case PROBE_OPT_FUNCTION:
		if (cli_number("probe", "function-id", arg, 0, 0xFFFFFFFFull, &n))
			return -1;
		pt->function_id = (uint32_t)n;
		break;
	}
	return 0;
}

static int read_state(struct probe_tdisp *pt, struct da_err *err)
{
	uint8_t s;
	int ret = da_tdisp_state(pt->t, &s, err);

	if (!ret && pt->nstates < sizeof(pt->states))
		pt->states[pt->nstates++] = s;
	return ret;
}

static int run_tdisp(struct spdm_req *r, struct probe_tdisp *pt, struct da_err *err)
{
	int ret;

	pt->t = da_tdisp_new(r, pt->function_id);
	if (!pt->t)
		return da_errf(err, -ENOMEM, "TDISP: out of memory");
	da_tdisp_set_portion(pt->t, pt->portion);
	pt->ran_tdisp = true;
	ret = da_tdisp_version(pt->t, err) ?: da_tdisp_capabilities(pt->t, err) ?:
	      read_state(pt, err);
	if (ret)
		return ret;
	/* No firmware update while locked, where the device offers it. */
	ret = da_tdisp_lock(pt->t, da_tdisp_lock_flags_supported(pt->t) & TDISP_LOCK_NO_FW_UPDATE,
			    err) ?:
	      read_state(pt, err) ?: da_tdisp_report(pt->t, err);
	if (ret)
		return ret;
	da_tdisp_lock_nonce(pt->t, pt->nonce);
	return da_tdisp_start(pt->t, err) ?: read_state(pt, err) ?: da_tdisp_stop(pt->t, err) ?:
	       read_state(pt, err);
}

static int run_ide_km(struct spdm_req *r, struct probe_tdisp *pt, struct da_err *err)
{
	uint8_t key[TDISP_IDEKM_KEY_SIZE], ifv[TDISP_IDEKM_IFV_SIZE];
	int ret;

	pt->ran_ide_km = true;
	ret = da_idekm_query(r, 0, &pt->port, err);
	if (ret)
		return ret;
	/* Both directions of the posted sub-stream of stream 0, key set 0. */
	for (uint8_t dir = 0; dir < 2 && !ret; dir++) {
		uint8_t kss = dir ? TDISP_IDEKM_KSS_TX : 0;

		ret = da_random(key, sizeof(key)) ?: da_random(ifv, sizeof(ifv));
		if (!ret)
			ret = da_idekm_key_prog(r, 0, 0, kss, key, ifv, err);
		if (!ret)
			pt->keys_programmed++;
		ret = ret ?: da_idekm_key_set(r, 0, 0, kss, true, err) ?:
		      da_idekm_key_set(r, 0, 0, kss, false, err);
	}
	OPENSSL_cleanse(key, sizeof(key));
	return ret;
}

int probe_tdisp_run(struct spdm_req *r, struct probe_tdisp *pt, struct da_err *err)
{
	int ret = 0;

	if (pt->tdisp)
		ret = run_tdisp(r, pt, err);
	if (!ret && pt->ide_km)
		ret = run_ide_km(r, pt, err);
	return ret;
}

static const char *const info_bits[] = {
	"NO_UPDATE_AFTER_LOCK", "DMA_WITHOUT_PASID", "DMA_WITH_PASID", "ATS", "PRS",
};
static const char *const attr_bits[] = {
	"MSIX_TABLE", "MSIX_PBA", "NON_TEE", "ATTR_UPDATABLE",
};

static void print_bits(uint32_t v, const char *const *names, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		if (v & (1u << i))
			printf(" %s", names[i]);
	if (v >> n)
		printf(" reserved:0x%x", v >> n << n);
}

void probe_tdisp_print(const struct probe_tdisp *pt)
{
	const struct da_tdisp *t = pt->t;
	char hex[2 * TDISP_NONCE_SIZE + 1];
	const uint8_t *rep, *dsi;
	size_t rep_len, dsi_len;
	uint8_t v;

	if (pt->ran_tdisp && !da_tdisp_report_bytes(t, &rep, &rep_len)) {
		uint16_t info = da_tdisp_report_interface_info(t);

		v = da_tdisp_negotiated_version(t);
		da_hex(pt->nonce, sizeof(pt->nonce), hex, sizeof(hex));
		printf("TDISP %u.%u interface 0x%08x: lock nonce %s\n", v >> 4, v & 0xf,
		       pt->function_id, hex);
		printf("  report: %zu bytes in %u portions; INTERFACE_INFO 0x%04x", rep_len,
		       da_tdisp_report_portions(t), info);
		print_bits(info, info_bits, 5);
		printf("; MSI-X control 0x%04x, LNR control 0x%04x, TPH control 0x%08x\n",
		       da_tdisp_report_msix_control(t), da_tdisp_report_lnr_control(t),
		       da_tdisp_report_tph_control(t));
		for (uint32_t i = 0; i < da_tdisp_report_mmio_count(t); i++) {
			struct da_tdisp_mmio m;

			da_tdisp_report_mmio(t, i, &m);
			printf("  MMIO range %u: first page 0x%016llx, %u pages, attributes 0x%04x",
			       m.range_id, (unsigned long long)m.first_page, m.pages, m.attributes);
			print_bits(m.attributes, attr_bits, 4);
			printf("\n");
		}
		da_tdisp_report_dsi(t, &dsi, &dsi_len);
		printf("  device-specific info: %zu bytes", dsi_len);
		for (size_t i = 0; i < dsi_len && i < 64; i++)
			printf("%s%02x", i ? "" : " ", dsi[i]);
		printf("\n  states:");
		for (unsigned int i = 0; i < pt->nstates; i++)
			printf("%s%s", i ? " -> " : " ", tdisp_state_name(pt->states[i]));
		printf("\n");
	}
	if (pt->ran_ide_km && pt->port.ide_regs)
		printf("IDE_KM port %u of %u (bus 0x%02x, device/function 0x%02x, segment %u), %u IDE register dwords; %u keys programmed, K_SET_GO and K_SET_STOP acknowledged\n",
		       pt->port.port_index, pt->port.max_port_index, pt->port.bus,
		       pt->port.dev_func, pt->port.segment, pt->port.ide_regs, pt->keys_programmed);
}

void probe_tdisp_json(json_object *root, const struct probe_tdisp *pt)
{
	const struct da_tdisp *t = pt->t;
	const uint8_t *rep = NULL, *dsi;
	size_t rep_len = 0, dsi_len;
	json_object *j, *a;

	if (pt->ran_tdisp) {
		j = json_object_new_object();
		json_object_object_add(j, "version",
				       json_object_new_int(da_tdisp_negotiated_version(t)));
		json_object_object_add(j, "function_id", json_object_new_int64(pt->function_id));
		json_object_object_add(j, "lock_flags_supported",
				       json_object_new_int(da_tdisp_lock_flags_supported(t)));
		json_object_object_add(j, "nonce", da_json_hex(pt->nonce, sizeof(pt->nonce)));
		da_tdisp_report_bytes(t, &rep, &rep_len);
		json_object_object_add(j, "report", da_json_hex(rep, rep_len));
		json_object_object_add(j, "portions",
				       json_object_new_int((int)da_tdisp_report_portions(t)));
		json_object_object_add(j, "interface_info",
				       json_object_new_int(da_tdisp_report_interface_info(t)));
		json_object_object_add(j, "msix_control",
				       json_object_new_int(da_tdisp_report_msix_control(t)));
		json_object_object_add(j, "lnr_control",
				       json_object_new_int(da_tdisp_report_lnr_control(t)));
		json_object_object_add(j, "tph_control",
				       json_object_new_int64(da_tdisp_report_tph_control(t)));
		a = json_object_new_array();
		for (uint32_t i = 0; i < da_tdisp_report_mmio_count(t); i++) {
			json_object *m = json_object_new_object();
			struct da_tdisp_mmio r;

			da_tdisp_report_mmio(t, i, &r);
			json_object_object_add(m, "range_id", json_object_new_int(r.range_id));
			json_object_object_add(m, "first_page", json_object_new_int64((int64_t)r.first_page));
			json_object_object_add(m, "pages", json_object_new_int64(r.pages));
			json_object_object_add(m, "attributes", json_object_new_int(r.attributes));
			json_object_array_add(a, m);
		}
		json_object_object_add(j, "mmio_ranges", a);
		da_tdisp_report_dsi(t, &dsi, &dsi_len);
		json_object_object_add(j, "device_specific_info", da_json_hex(dsi, dsi_len));
		a = json_object_new_array();
		for (unsigned int i = 0; i < pt->nstates; i++)
			json_object_array_add(a, json_object_new_string(tdisp_state_name(pt->states[i])));
		json_object_object_add(j, "states", a);
		json_object_object_add(root, "tdisp", j);
	}
	if (pt->ran_ide_km) {
		j = json_object_new_object();
		json_object_object_add(j, "port_index", json_object_new_int(pt->port.port_index));
		json_object_object_add(j, "max_port_index", json_object_new_int(pt->port.max_port_index));
		json_object_object_add(j, "bus", json_object_new_int(pt->port.bus));
		json_object_object_add(j, "dev_func", json_object_new_int(pt->port.dev_func));
		json_object_object_add(j, "segment", json_object_new_int(pt->port.segment));
		json_object_object_add(j, "ide_registers", json_object_new_int((int)pt->port.ide_regs));
		json_object_object_add(j, "keys_programmed",
				       json_object_new_int((int)pt->keys_programmed));
		json_object_object_add(root, "ide_km", j);
	}
}

void probe_tdisp_free(struct probe_tdisp *pt)
{
	if (!pt)
		return;
	da_tdisp_free(pt->t);
	OPENSSL_cleanse(pt->nonce, sizeof(pt->nonce));
	free(pt);
}
