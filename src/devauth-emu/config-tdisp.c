// SPDX-License-Identifier: MIT
/*
 * The device key "tdisp" of the JSON config file (docs/emu.md): false
 * for a device without TDISP and IDE_KM, or an object that changes the
 * defaults of rsp_tdisp_config_default().  "interfaces", when given,
 * replaces the default interfaces.
 */
#include <stdio.h>
#include <string.h>

#include "emu_internal.h"
#include "json.h"

/* 4 KiB pages: a first page that is not page aligned is no page. */
#define PAGE_MASK 0xFFFull

static int parse_mmio(struct jctx *j, json_object *v, struct rsp_tdi_config *t)
{
	size_t n;

	if (!json_object_is_type(v, json_type_array))
		return jerr(j, "tdisp.interfaces.mmio", "expected an array");
	n = json_object_array_length(v);
	if (n > RSP_MAX_TDI_MMIO)
		return jerr(j, "tdisp.interfaces.mmio", "%zu ranges, at most %d", n,
			    RSP_MAX_TDI_MMIO);
	t->nmmio = (uint32_t)n;
	for (size_t i = 0; i < n; i++) {
		json_object *o = json_object_array_get_idx(v, i);
		struct rsp_tdi_mmio *m = &t->mmio[i];
		uint64_t u;
		int ret = 0;

		memset(m, 0, sizeof(*m));
		if (!json_object_is_type(o, json_type_object))
			return jerr(j, "tdisp.interfaces.mmio", "range %zu is not an object", i);
		json_object_object_foreach(o, k, kv) {
			if (!strcmp(k, "first-page")) {
				ret = j_uint(j, "tdisp.interfaces.mmio.first-page", kv, UINT64_MAX,
					     &u);
				if (!ret && (u & PAGE_MASK))
					ret = jerr(j, "tdisp.interfaces.mmio.first-page",
						   "0x%llx is not 4 KiB aligned",
						   (unsigned long long)u);
				m->first_page = u;
			} else if (!strcmp(k, "pages")) {
				ret = j_uint(j, "tdisp.interfaces.mmio.pages", kv, UINT32_MAX, &u);
				m->pages = (uint32_t)u;
			} else if (!strcmp(k, "attributes")) {
				ret = j_uint(j, "tdisp.interfaces.mmio.attributes", kv, 0xFFFF, &u);
				m->attributes = (uint16_t)u;
			} else if (!strcmp(k, "range-id")) {
				ret = j_uint(j, "tdisp.interfaces.mmio.range-id", kv, 0xFFFF, &u);
				m->range_id = (uint16_t)u;
			} else {
				ret = jerr(j, "tdisp.interfaces.mmio", "unknown key \"%s\"", k);
			}
			if (ret)
				return ret;
		}
	}
	return 0;
}

static int parse_iface(struct jctx *j, json_object *o, struct rsp_tdi_config *t)
{
	const char *s;
	uint64_t u;
	int ret = 0;

	memset(t, 0, sizeof(*t));
	if (!json_object_is_type(o, json_type_object))
		return jerr(j, "tdisp.interfaces", "an interface is not an object");
	json_object_object_foreach(o, k, v) {
		if (!strcmp(k, "function-id")) {
			ret = j_uint(j, "tdisp.interfaces.function-id", v, UINT32_MAX, &u);
			t->function_id = (uint32_t)u;
		} else if (!strcmp(k, "interface-info")) {
			ret = j_uint(j, "tdisp.interfaces.interface-info", v, 0xFFFF, &u);
			t->interface_info = (uint16_t)u;
		} else if (!strcmp(k, "msix-control")) {
			ret = j_uint(j, "tdisp.interfaces.msix-control", v, 0xFFFF, &u);
			t->msix_control = (uint16_t)u;
		} else if (!strcmp(k, "lnr-control")) {
			ret = j_uint(j, "tdisp.interfaces.lnr-control", v, 0xFFFF, &u);
			t->lnr_control = (uint16_t)u;
		} else if (!strcmp(k, "tph-control")) {
			ret = j_uint(j, "tdisp.interfaces.tph-control", v, UINT32_MAX, &u);
			t->tph_control = (uint32_t)u;
		} else if (!strcmp(k, "mmio")) {
			ret = parse_mmio(j, v, t);
		} else if (!strcmp(k, "device-info-hex")) {
			ret = j_string(j, "tdisp.interfaces.device-info-hex", v, &s) ?:
			      j_hex(j, "tdisp.interfaces.device-info-hex", s, t->dsi,
				    sizeof(t->dsi), &t->dsi_len);
		} else {
			ret = jerr(j, "tdisp.interfaces", "unknown key \"%s\"", k);
		}
		if (ret)
			return ret;
	}
	return 0;
}

static int parse_ifaces(struct jctx *j, json_object *v, struct rsp_tdisp_config *c)
{
	size_t n;

	if (!json_object_is_type(v, json_type_array))
		return jerr(j, "tdisp.interfaces", "expected an array");
	n = json_object_array_length(v);
	if (!n || n > RSP_MAX_TDI)
		return jerr(j, "tdisp.interfaces", "%zu interfaces, 1 to %d", n, RSP_MAX_TDI);
	for (size_t i = 0; i < n; i++) {
		int ret = parse_iface(j, json_object_array_get_idx(v, i), &c->tdi[i]);

		if (ret)
			return ret;
		for (size_t k = 0; k < i; k++) {
			if (c->tdi[k].function_id == c->tdi[i].function_id)
				return jerr(j, "tdisp.interfaces.function-id",
					    "0x%08x appears twice", c->tdi[i].function_id);
		}
	}
	c->ntdi = n;
	return 0;
}

int emu_parse_tdisp(struct jctx *j, json_object *v, struct rsp_tdisp_config *c)
{
	uint64_t u;
	int ret = 0;

	if (json_object_is_type(v, json_type_boolean))
		return j_bool(j, "tdisp", v, &c->enabled);
	if (!json_object_is_type(v, json_type_object))
		return jerr(j, "tdisp", "expected false, true or an object");
	c->enabled = true;
	json_object_object_foreach(v, k, kv) {
		if (!strcmp(k, "enabled")) {
			ret = j_bool(j, "tdisp.enabled", kv, &c->enabled);
		} else if (!strcmp(k, "lock-flags")) {
			ret = j_uint(j, "tdisp.lock-flags", kv, 0xFFFF, &u);
			c->lock_flags = (uint16_t)u;
		} else if (!strcmp(k, "dsm-caps")) {
			ret = j_uint(j, "tdisp.dsm-caps", kv, UINT32_MAX, &u);
			c->dsm_caps = (uint32_t)u;
		} else if (!strcmp(k, "dev-addr-width")) {
			ret = j_uint(j, "tdisp.dev-addr-width", kv, 64, &u);
			c->dev_addr_width = (uint8_t)u;
		} else if (!strcmp(k, "num-req-this") || !strcmp(k, "num-req-all")) {
			ret = j_uint(j, k, kv, 255, &u);
			if (k[8] == 't')
				c->num_req_this = (uint8_t)u;
			else
				c->num_req_all = (uint8_t)u;
		} else if (!strcmp(k, "ide-max-port-index")) {
			ret = j_uint(j, "tdisp.ide-max-port-index", kv, 255, &u);
			c->ide_max_port_index = (uint8_t)u;
		} else if (!strcmp(k, "ide-streams")) {
			ret = j_uint(j, "tdisp.ide-streams", kv, 255, &u);
			c->ide_streams = (uint8_t)u;
		} else if (!strcmp(k, "cxl")) {
			ret = j_bool(j, "tdisp.cxl", kv, &c->cxl);
		} else if (!strcmp(k, "interfaces")) {
			ret = parse_ifaces(j, kv, c);
		} else {
			ret = jerr(j, "tdisp", "unknown key \"%s\"", k);
		}
		if (ret)
			return ret;
	}
	return 0;
}
