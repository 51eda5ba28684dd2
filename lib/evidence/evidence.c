// SPDX-License-Identifier: MIT
/*
 * struct da_evidence: the raw objects plus what is known about them.
 * Objects are owned copies so that a bundle outlives whatever produced it
 * (a requester, a capture, a netlink dump).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <devauth/evidence.h>

#include "ev_internal.h"

void da_evidence_init(struct da_evidence *ev)
{
	memset(ev, 0, sizeof(*ev));
}

void da_evidence_free(struct da_evidence *ev)
{
	for (unsigned int i = 0; i <= DA_EV_MAX; i++)
		free(ev->obj[i].data);
	da_evidence_init(ev);
}

int da_evidence_set(struct da_evidence *ev, unsigned int type, const void *obj, size_t len)
{
	uint8_t *p = NULL;

	if (type > DA_EV_MAX)
		return -EINVAL;
	if (len) {
		p = malloc(len);
		if (!p)
			return -ENOMEM;
		memcpy(p, obj, len);
	}
	free(ev->obj[type].data);
	ev->obj[type].data = p;
	ev->obj[type].len = len;
	return 0;
}

/* Each type's two spellings, side by side: messages and JSON/options. */
static const struct {
	const char *name, *key;
} type_names[DA_EV_MAX + 1] = {
	{ "CERT0", "cert0" }, { "CERT1", "cert1" }, { "CERT2", "cert2" }, { "CERT3", "cert3" },
	{ "CERT4", "cert4" }, { "CERT5", "cert5" }, { "CERT6", "cert6" }, { "CERT7", "cert7" },
	{ "VCA", "vca" }, { "MEASUREMENTS", "measurements" }, { "REPORT", "report" },
	{ "SESSION", "session" },
};

const char *da_evidence_type_name(unsigned int type)
{
	return type <= DA_EV_MAX ? type_names[type].name : "unknown";
}

const char *da_evidence_type_key(unsigned int type)
{
	return type <= DA_EV_MAX ? type_names[type].key : "?";
}

int da_evidence_fill_meta(struct da_evidence *ev, struct da_transcript_info *ti,
			  struct da_err *err)
{
	const struct da_evidence_obj *o = &ev->obj[DA_EV_VCA];
	struct da_msg_list l = { 0 };
	int ret;

	if (!o->len)
		return da_errf(err, -ENOENT, "evidence: no VCA object");
	ret = da_split_vca(o->data, o->len, &l, ti, err);
	da_msg_list_free(&l);
	if (ret)
		return ret;
	ev->neg = ti->neg;
	if (ev->neg.slot >= SPDM_MAX_SLOTS)
		ev->neg.slot = 0;
	return 0;
}
