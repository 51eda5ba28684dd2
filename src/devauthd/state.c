// SPDX-License-Identifier: MIT
/*
 * What survives a restart: which devices are bound and the digests of
 * the evidence they were accepted with (pins live next to it, pins.c).
 * One file, STATE_DIR/state.json, replaced atomically: write a temporary
 * file, fsync it, rename it over the old one, fsync the directory.  A
 * crash at any point leaves either the old or the new file.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include <devauth/crypto.h>
#include <devauth/evidence.h>
#include <devauth/hex.h>
#include <devauth/json.h>

#include "devauthd.h"

static json_object *state_json(struct daemon *d)
{
	json_object *root = json_object_new_object(), *devs = json_object_new_object();

	json_object_object_add(root, "version", json_object_new_int(1));
	for (size_t i = 0; i < d->n_devs; i++) {
		struct dev *dv = &d->devs[i];
		json_object *o, *dg;
		size_t hs;

		pthread_mutex_lock(&dv->lock);
		if (!dv->bound) {
			pthread_mutex_unlock(&dv->lock);
			continue;
		}
		hs = spdm_hash_size(dv->bound_hash);
		o = json_object_new_object();
		dg = json_object_new_object();
		json_object_object_add(o, "bound", json_object_new_boolean(1));
		json_object_object_add(o, "tsm", json_object_new_string(dv->tsm));
		json_object_object_add(o, "slot", json_object_new_int(dv->neg.slot));
		json_object_object_add(o, "hash-algo", json_object_new_int64(dv->bound_hash));
		for (unsigned int t = 0; t <= DA_EV_MAX; t++) {
			char h[2 * SPDM_MAX_HASH_SIZE + 1];

			if (!dv->bound_have[t] || !hs)
				continue;
			da_hex(dv->bound_digest[t], hs, h, sizeof(h));
			json_object_object_add(dg, da_evidence_type_key(t), json_object_new_string(h));
		}
		json_object_object_add(o, "digests", dg);
		pthread_mutex_unlock(&dv->lock);
		json_object_object_add(devs, dv->name, o);
	}
	json_object_object_add(root, "devices", devs);
	return root;
}

int state_save(struct daemon *d, struct da_err *err)
{
	char path[4096], tmp[4096];
	json_object *j;
	const char *s;
	size_t len, off = 0;
	int fd = -1, dfd = -1, ret = 0;

	if (!d->state_dir)
		return 0;
	snprintf(path, sizeof(path), "%s/state.json", d->state_dir);
	snprintf(tmp, sizeof(tmp), "%s/.state.json.XXXXXX", d->state_dir);
	pthread_mutex_lock(&d->state_lock);
	j = state_json(d);
	s = json_object_to_json_string_ext(j, JSON_C_TO_STRING_PRETTY);
	len = strlen(s);
	fd = mkstemp(tmp);
	if (fd < 0) {
		ret = da_errf(err, -errno, "state: cannot create %s: %s", tmp, strerror(errno));
		goto out;
	}
	while (off < len) {
		ssize_t n = write(fd, s + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			ret = da_errf(err, -EIO, "state: writing %s: %s", tmp, strerror(errno));
			goto out;
		}
		off += (size_t)n;
	}
	if (fchmod(fd, 0600) || fsync(fd)) {
		ret = da_errf(err, -errno, "state: fsync %s: %s", tmp, strerror(errno));
		goto out;
	}
	close(fd);
	fd = -1;
	if (rename(tmp, path)) {
		ret = da_errf(err, -errno, "state: rename to %s: %s", path, strerror(errno));
		goto out;
	}
	tmp[0] = '\0';
	dfd = open(d->state_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0 || fsync(dfd))
		ret = da_errf(err, -errno, "state: fsync directory %s: %s", d->state_dir,
			      strerror(errno));
out:
	if (fd >= 0)
		close(fd);
	if (dfd >= 0)
		close(dfd);
	if (tmp[0])
		unlink(tmp);
	json_object_put(j);
	pthread_mutex_unlock(&d->state_lock);
	return ret;
}

/*
 * Every field is checked: whoever can write this file decides what is
 * bound, so a value out of range is an error that names it, never
 * something quietly defaulted.
 */
static int load_dev(struct daemon *d, const char *path, const char *name, json_object *o,
		    struct da_err *err)
{
	struct dev *dv = daemon_find_dev(d, name);
	json_object *dg = NULL;
	bool have_hash = false, have_slot = false;
	int64_t n;
	size_t hs = 0;

	if (!dv) {
		/* A device removed from the config: its binding goes with it. */
		dlog("state: %s: device %s is no longer configured, dropping its binding", path,
		     name);
		return 0;
	}
	if (!json_object_is_type(o, json_type_object))
		return da_errf(err, -EINVAL, "%s: device %s: not an object", path, name);
	json_object_object_foreach(o, key, v) {
		if (!strcmp(key, "bound")) {
			if (!json_object_is_type(v, json_type_boolean) || !json_object_get_boolean(v))
				return da_errf(err, -EINVAL, "%s: device %s: \"bound\": must be true",
					       path, name);
		} else if (!strcmp(key, "tsm")) {
			const char *t = json_object_is_type(v, json_type_string) ?
					json_object_get_string(v) : NULL;

			if (!t || !*t || strlen(t) >= sizeof(dv->tsm) || !daemon_find_tsm(d, t))
				return da_errf(err, -EINVAL,
					       "%s: device %s: \"tsm\": not a configured TSM name",
					       path, name);
			snprintf(dv->tsm, sizeof(dv->tsm), "%s", t);
		} else if (!strcmp(key, "slot")) {
			n = json_object_is_type(v, json_type_int) ? json_object_get_int64(v) : -1;
			if (n < 0 || n >= SPDM_MAX_SLOTS)
				return da_errf(err, -EINVAL, "%s: device %s: \"slot\": not 0-%d", path,
					       name, SPDM_MAX_SLOTS - 1);
			dv->neg.slot = (uint8_t)n;
			have_slot = true;
		} else if (!strcmp(key, "hash-algo")) {
			n = json_object_is_type(v, json_type_int) ? json_object_get_int64(v) : 0;
			/* One BaseHashAlgo bit the hash code knows. */
			if (n <= 0 || n > UINT32_MAX || (n & (n - 1)) ||
			    !(hs = spdm_hash_size((uint32_t)n)))
				return da_errf(err, -EINVAL, "%s: device %s: \"hash-algo\": not one known BaseHashAlgo bit",
					       path, name);
			dv->bound_hash = (uint32_t)n;
			have_hash = true;
		} else if (!strcmp(key, "digests")) {
			if (!json_object_is_type(v, json_type_object))
				return da_errf(err, -EINVAL, "%s: device %s: \"digests\": not an object",
					       path, name);
			dg = v;
		} else {
			return da_errf(err, -EINVAL, "%s: device %s: key \"%s\": unknown", path, name,
				       key);
		}
	}
	if (!have_hash || !have_slot || !dg)
		return da_errf(err, -EINVAL, "%s: device %s: needs \"hash-algo\", \"slot\" and \"digests\"",
			       path, name);
	json_object_object_foreach(dg, dkey, dval) {
		unsigned int t;

		for (t = 0; t <= DA_EV_MAX; t++)
			if (!strcmp(dkey, da_evidence_type_key(t)))
				break;
		if (t > DA_EV_MAX)
			return da_errf(err, -EINVAL, "%s: device %s: digests.%s: unknown object type",
				       path, name, dkey);
		if (!json_object_is_type(dval, json_type_string) ||
		    strlen(json_object_get_string(dval)) != 2 * hs ||
		    da_unhex(json_object_get_string(dval), dv->bound_digest[t], hs))
			return da_errf(err, -EINVAL, "%s: device %s: digests.%s: not %zu hex bytes",
				       path, name, dkey, hs);
		dv->bound_have[t] = true;
	}
	if (!dv->bound_have[dv->neg.slot])
		return da_errf(err, -EINVAL, "%s: device %s: digests.%s: required (the bound chain)",
			       path, name, da_evidence_type_key(dv->neg.slot));
	dv->bound = true;
	dv->bind_epoch = 1;
	dv->state = PCI_TSM_STATE_BOUND;
	return 0;
}

int state_load(struct daemon *d, struct da_err *err)
{
	char path[4096];
	json_object *root;
	int ret;

	if (!d->state_dir)
		return 0;
	snprintf(path, sizeof(path), "%s/state.json", d->state_dir);
	if (access(path, F_OK) && errno == ENOENT)
		return 0;
	ret = da_json_load(path, 1 << 24, &root, err);
	if (ret)
		return ret;
	ret = state_load_obj(d, path, root, err);
	json_object_put(root);
	return ret;
}

int state_load_obj(struct daemon *d, const char *path, json_object *root, struct da_err *err)
{
	json_object *devs = NULL;
	int ret = 0;

	if (!json_object_is_type(root, json_type_object)) {
		ret = da_errf(err, -EINVAL, "%s: not a JSON object", path);
		goto out;
	}
	json_object_object_foreach(root, key, v) {
		if (!strcmp(key, "version")) {
			if (!json_object_is_type(v, json_type_int) || json_object_get_int64(v) != 1) {
				ret = da_errf(err, -EINVAL, "%s: \"version\": only 1 is known", path);
				goto out;
			}
		} else if (!strcmp(key, "devices") && json_object_is_type(v, json_type_object)) {
			devs = v;
		} else {
			ret = da_errf(err, -EINVAL, "%s: key \"%s\": unknown or not an object", path,
				      key);
			goto out;
		}
	}
	if (!devs) {
		ret = da_errf(err, -EINVAL, "%s: no \"devices\" object", path);
		goto out;
	}
	json_object_object_foreach(devs, name, o) {
		ret = load_dev(d, path, name, o, err);
		if (ret)
			goto out;
	}
out:
	return ret;
}
