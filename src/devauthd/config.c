// SPDX-License-Identifier: MIT
/*
 * The configuration file (docs/devauthd.md): TSM instances and devices.
 * Errors name the file, the device and the key.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include <unistd.h>

#include <devauth/file.h>
#include <devauth/identity.h>
#include <devauth/json.h>

#include "devauthd.h"

static int parse_pci(const char *file, const char *dev, json_object *o, struct cma_identity *id,
		     struct da_err *err)
{
	static const char *const required[] = { "vendor", "device", "class", "revision" };
	unsigned int have = 0, nulls = 0;
	const char *k = NULL;
	char what[96];

	if (!json_object_is_type(o, json_type_object))
		return da_errf(err, -EINVAL, "%s: device %s: key \"pci\": not an object", file, dev);
	*id = (struct cma_identity){ 0 };
	if (da_json_identity(o, id, &have, &nulls, &k, what, sizeof(what)))
		return da_errf(err, -EINVAL, "%s: device %s: key \"pci.%s\": %s", file, dev, k,
			       what);
	for (size_t i = 0; i < 4; i++)
		if (!(have & (1u << i)))
			return da_errf(err, -EINVAL, "%s: device %s: key \"pci.%s\" is required",
				       file, dev, required[i]);
	if (!(have & CMA_ID_SSVID) != !(have & CMA_ID_SSID))
		return da_errf(err, -EINVAL, "%s: device %s: \"pci.ssvid\" and \"pci.ssid\" go together",
			       file, dev);
	id->has_subsys = have & CMA_ID_SSVID;
	id->has_serial = have & CMA_ID_SERIAL;
	return 0;
}

static struct dev *add_dev(struct daemon *d, const char *file, const char *name,
			   struct da_err *err)
{
	struct dev *n;

	if (!*name || strlen(name) >= PCI_TSM_DEV_NAME_MAX) {
		da_errf(err, -EINVAL, "%s: device name \"%s\": 1-%d characters", file, name,
			PCI_TSM_DEV_NAME_MAX - 1);
		return NULL;
	}
	if (daemon_find_dev(d, name)) {
		da_errf(err, -EEXIST, "%s: device %s given twice", file, name);
		return NULL;
	}
	if (d->n_devs >= DAEMON_MAX_DEVICES) {
		da_errf(err, -E2BIG, "%s: more than %d devices", file, DAEMON_MAX_DEVICES);
		return NULL;
	}
	n = realloc(d->devs, (d->n_devs + 1) * sizeof(*n));
	if (!n) {
		da_errf(err, -ENOMEM, "%s: out of memory", file);
		return NULL;
	}
	d->devs = n;
	n = &d->devs[d->n_devs++];
	memset(n, 0, sizeof(*n));
	snprintf(n->name, sizeof(n->name), "%s", name);
	n->framing = DA_FRAMING_PCI_DOE;
	return n;
}

static int set_endpoint(struct dev *dv, const char *file, const char *s, struct da_err *err)
{
	/* "socket HOST:PORT" is the spdm-emu socket; the bare form means the same. */
	if (!strncmp(s, "socket ", 7))
		s += 7;
	else if (!strncmp(s, "doe ", 4))
		return da_errf(err, -EOPNOTSUPP, "%s: device %s: DOE mailboxes are not supported yet",
			       file, dv->name);
	if (!*s || strlen(s) >= sizeof(dv->endpoint))
		return da_errf(err, -EINVAL, "%s: device %s: key \"transport\": bad endpoint \"%s\"",
			       file, dv->name, s);
	snprintf(dv->endpoint, sizeof(dv->endpoint), "%s", s);
	return 0;
}

static int parse_device(struct daemon *d, const char *file, size_t idx, json_object *o,
			struct da_err *err)
{
	json_object *v;
	struct dev *dv;

	if (!json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, "name", &v) || !json_object_is_type(v, json_type_string))
		return da_errf(err, -EINVAL, "%s: device %zu: needs a \"name\" string", file, idx);
	dv = add_dev(d, file, json_object_get_string(v), err);
	if (!dv)
		return err ? err->code : -EINVAL;
	json_object_object_foreach(o, key, val) {
		const char *s = json_object_get_string(val);

		if (!strcmp(key, "name") || !strcmp(key, "comment"))
			continue;
		if (!strcmp(key, "transport") || !strcmp(key, "endpoint")) {
			if (!json_object_is_type(val, json_type_string) ||
			    set_endpoint(dv, file, s, err))
				return da_errf(err, -EINVAL, "%s: device %s: key \"%s\": not an endpoint",
					       file, dv->name, key);
		} else if (!strcmp(key, "framing")) {
			if (!json_object_is_type(val, json_type_string) ||
			    da_framing_parse(s, &dv->framing))
				return da_errf(err, -EINVAL,
					       "%s: device %s: key \"framing\": pci-doe, mctp or none",
					       file, dv->name);
		} else if (!strcmp(key, "pci")) {
			int ret = parse_pci(file, dv->name, val, &dv->id, err);

			if (ret)
				return ret;
			dv->have_id = true;
		} else if (!strcmp(key, "identity")) {
			if (!json_object_is_type(val, json_type_string) ||
			    cma_identity_parse(s, &dv->id, err)) {
				da_err_prefix(err, "%s: device %s: key \"identity\"", file, dv->name);
				return -EINVAL;
			}
			dv->have_id = true;
		} else {
			return da_errf(err, -EINVAL, "%s: device %s: key \"%s\": unknown", file,
				       dv->name, key);
		}
	}
	if (!dv->endpoint[0])
		return da_errf(err, -EINVAL, "%s: device %s: needs a \"transport\"", file, dv->name);
	return 0;
}

/* "emu-ready-file": the NAME HOST:PORT lines devauth-emu --ready-file writes. */
static int parse_ready_file(struct daemon *d, const char *file, const char *path,
			    enum da_framing framing, struct da_err *err)
{
	char line[512], name[128], ep[256];
	int fd = da_open_regular(path, err);
	FILE *f = fd < 0 ? NULL : fdopen(fd, "r");
	int ret = 0;

	if (!f) {
		if (fd >= 0)
			close(fd);
		da_errf(err, -errno, "%s", strerror(errno));
		da_err_prefix(err, "%s: emu-ready-file", file);
		return err ? err->code : -EINVAL;
	}
	while (fgets(line, sizeof(line), f)) {
		struct dev *dv;

		if (sscanf(line, "%127s %255s", name, ep) != 2) {
			ret = da_errf(err, -EINVAL, "%s: %s: line \"%.60s\" is not NAME HOST:PORT",
				      file, path, line);
			break;
		}
		dv = add_dev(d, file, name, err);
		if (!dv) {
			ret = -EINVAL;
			break;
		}
		dv->framing = framing;
		ret = set_endpoint(dv, file, ep, err);
		if (ret)
			break;
	}
	fclose(f);
	return ret;
}

static int parse_tsm(struct daemon *d, const char *file, json_object *o, struct da_err *err)
{
	json_object *n, *t;
	struct tsm *tsm;

	if (d->n_tsms >= DAEMON_MAX_TSMS)
		return da_errf(err, -E2BIG, "%s: more than %d TSMs", file, DAEMON_MAX_TSMS);
	if (!json_object_object_get_ex(o, "name", &n) || !json_object_is_type(n, json_type_string) ||
	    !*json_object_get_string(n) ||
	    strlen(json_object_get_string(n)) >= PCI_TSM_TSM_NAME_MAX)
		return da_errf(err, -EINVAL, "%s: tsm %zu: needs a \"name\" of 1-%d characters",
			       file, d->n_tsms, PCI_TSM_TSM_NAME_MAX - 1);
	if (json_object_object_get_ex(o, "type", &t) &&
	    (!json_object_is_type(t, json_type_string) ||
	     strcmp(json_object_get_string(t), "native-spdm")))
		return da_errf(err, -EOPNOTSUPP, "%s: tsm %s: key \"type\": only \"native-spdm\"",
			       file, json_object_get_string(n));
	if (daemon_find_tsm(d, json_object_get_string(n)))
		return da_errf(err, -EEXIST, "%s: tsm %s given twice", file, json_object_get_string(n));
	tsm = &d->tsms[d->n_tsms++];
	snprintf(tsm->name, sizeof(tsm->name), "%s", json_object_get_string(n));
	snprintf(tsm->type, sizeof(tsm->type), "native-spdm");
	return 0;
}

int daemon_config_load(struct daemon *d, const char *path, struct da_err *err)
{
	enum da_framing framing = DA_FRAMING_PCI_DOE;
	json_object *root, *v;
	int ret;

	ret = da_json_load(path, 1 << 24, &root, err);
	if (ret)
		return ret;
	if (!json_object_is_type(root, json_type_object)) {
		ret = da_errf(err, -EINVAL, "%s: not a JSON object", path);
		goto out;
	}
	json_object_object_foreach(root, key, val) {
		if (!strcmp(key, "comment") || !strcmp(key, "devices") ||
		    !strcmp(key, "emu-ready-file"))
			continue;
		if (!strcmp(key, "exec-dir")) {
			if (!json_object_is_type(val, json_type_string) ||
			    json_object_get_string(val)[0] != '/') {
				ret = da_errf(err, -EINVAL, "%s: key \"exec-dir\": not an absolute path",
					      path);
				goto out;
			}
			free(d->exec_dir);
			d->exec_dir = strdup(json_object_get_string(val));
			if (!d->exec_dir) {
				ret = da_errf(err, -ENOMEM, "%s: out of memory", path);
				goto out;
			}
			continue;
		}
		if (!strcmp(key, "tsms")) {
			if (!json_object_is_type(val, json_type_array)) {
				ret = da_errf(err, -EINVAL, "%s: key \"tsms\": not an array", path);
				goto out;
			}
			for (size_t i = 0; i < json_object_array_length(val); i++) {
				ret = parse_tsm(d, path, json_object_array_get_idx(val, i), err);
				if (ret)
					goto out;
			}
		} else if (!strcmp(key, "framing")) {
			if (!json_object_is_type(val, json_type_string) ||
			    da_framing_parse(json_object_get_string(val), &framing)) {
				ret = da_errf(err, -EINVAL, "%s: key \"framing\": pci-doe, mctp or none",
					      path);
				goto out;
			}
		} else {
			ret = da_errf(err, -EINVAL, "%s: key \"%s\": unknown", path, key);
			goto out;
		}
	}
	if (!d->n_tsms) {
		snprintf(d->tsms[0].name, sizeof(d->tsms[0].name), "tsm0");
		snprintf(d->tsms[0].type, sizeof(d->tsms[0].type), "native-spdm");
		d->n_tsms = 1;
	}
	if (json_object_object_get_ex(root, "devices", &v)) {
		if (!json_object_is_type(v, json_type_array)) {
			ret = da_errf(err, -EINVAL, "%s: key \"devices\": not an array", path);
			goto out;
		}
		for (size_t i = 0; i < json_object_array_length(v); i++) {
			ret = parse_device(d, path, i, json_object_array_get_idx(v, i), err);
			if (ret)
				goto out;
		}
	}
	if (json_object_object_get_ex(root, "emu-ready-file", &v)) {
		if (!json_object_is_type(v, json_type_string)) {
			ret = da_errf(err, -EINVAL, "%s: key \"emu-ready-file\": not a path", path);
			goto out;
		}
		ret = parse_ready_file(d, path, json_object_get_string(v), framing, err);
		if (ret)
			goto out;
	}
	for (size_t i = 0; i < d->n_devs; i++) {
		pthread_mutex_init(&d->devs[i].op_lock, NULL);
		pthread_mutex_init(&d->devs[i].lock, NULL);
	}
out:
	json_object_put(root);
	return ret;
}

void daemon_free(struct daemon *d)
{
	for (size_t i = 0; i < d->n_devs; i++) {
		for (unsigned int t = 0; t <= DA_EV_MAX; t++)
			da_buf_free(&d->devs[i].obj[t]);
		da_pin_free(d->devs[i].pin);
	}
	free(d->devs);
	free(d->exec_dir);
	d->exec_dir = NULL;
	d->devs = NULL;
	d->n_devs = 0;
}

struct dev *daemon_find_dev(struct daemon *d, const char *name)
{
	for (size_t i = 0; i < d->n_devs; i++)
		if (!strcmp(d->devs[i].name, name))
			return &d->devs[i];
	return NULL;
}

const struct tsm *daemon_find_tsm(struct daemon *d, const char *name)
{
	for (size_t i = 0; i < d->n_tsms; i++)
		if (!strcmp(d->tsms[i].name, name))
			return &d->tsms[i];
	return NULL;
}
