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

#include "file.h"
#include "identity.h"

#include "devauthd.h"

static int get_num(json_object *v, uint64_t max, uint64_t *out)
{
	const char *s;
	char *end;

	if (json_object_is_type(v, json_type_int)) {
		int64_t n = json_object_get_int64(v);

		if (n < 0 || (uint64_t)n > max)
			return -ERANGE;
		*out = (uint64_t)n;
		return 0;
	}
	if (!json_object_is_type(v, json_type_string))
		return -EINVAL;
	s = json_object_get_string(v);
	errno = 0;
	*out = strtoull(s, &end, 0);
	if (errno || end == s || *end || *out > max)
		return -EINVAL;
	return 0;
}

static int parse_pci(const char *file, const char *dev, json_object *o, struct cma_identity *id,
		     struct da_err *err)
{
	static const struct { const char *key; uint64_t max; bool optional; } keys[] = {
		{ "vendor", 0xffff, false }, { "device", 0xffff, false },
		{ "class", 0xffffff, false }, { "revision", 0xff, false },
		{ "ssvid", 0xffff, true }, { "ssid", 0xffff, true },
		{ "serial", UINT64_MAX, true },
	};
	uint64_t v[7] = { 0 };
	bool have[7] = { false };

	if (!json_object_is_type(o, json_type_object))
		return da_errf(err, -EINVAL, "%s: device %s: key \"pci\": not an object", file, dev);
	json_object_object_foreach(o, key, val) {
		size_t i;

		for (i = 0; i < 7; i++)
			if (!strcmp(key, keys[i].key))
				break;
		if (i == 7)
			return da_errf(err, -EINVAL, "%s: device %s: key \"pci.%s\": unknown", file,
				       dev, key);
		if (json_object_is_type(val, json_type_null))
			continue;
		if (get_num(val, keys[i].max, &v[i]))
			return da_errf(err, -EINVAL, "%s: device %s: key \"pci.%s\": not a number <= %#llx",
				       file, dev, key, (unsigned long long)keys[i].max);
		have[i] = true;
	}
	for (size_t i = 0; i < 4; i++)
		if (!have[i])
			return da_errf(err, -EINVAL, "%s: device %s: key \"pci.%s\" is required",
				       file, dev, keys[i].key);
	if (have[4] != have[5])
		return da_errf(err, -EINVAL, "%s: device %s: \"pci.ssvid\" and \"pci.ssid\" go together",
			       file, dev);
	*id = (struct cma_identity){
		.vendor = (uint16_t)v[0], .device = (uint16_t)v[1], .class_code = (uint32_t)v[2],
		.revision = (uint8_t)v[3], .has_subsys = have[4], .ssvid = (uint16_t)v[4],
		.ssid = (uint16_t)v[5], .has_serial = have[6], .serial = v[6],
	};
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

json_object *daemon_json_file(const char *path, size_t max, struct da_err *err)
{
	struct json_tokener *tok;
	json_object *root = NULL;
	uint8_t *buf;
	size_t len;

	if (da_read_file(path, &buf, &len, max, err))
		return NULL;
	tok = json_tokener_new();
	if (tok && len <= INT32_MAX)
		root = json_tokener_parse_ex(tok, (const char *)buf, (int)len);
	if (!root || (tok && tok->char_offset < (int)len))
		da_errf(err, -EINVAL, "%s: not valid JSON: %s", path,
			tok ? json_tokener_error_desc(json_tokener_get_error(tok)) : "out of memory");
	if (root && tok && tok->char_offset < (int)len) {
		json_object_put(root);
		root = NULL;
	}
	json_tokener_free(tok);
	free(buf);
	return root;
}

int daemon_config_load(struct daemon *d, const char *path, struct da_err *err)
{
	json_object *root = daemon_json_file(path, 1 << 24, err), *v;
	enum da_framing framing = DA_FRAMING_PCI_DOE;
	int ret = 0;

	if (!root)
		return err ? err->code : -EINVAL;
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
