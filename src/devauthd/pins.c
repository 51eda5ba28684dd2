// SPDX-License-Identifier: MIT
/*
 * Pins (docs/pin.md): what a recovered device must show again.
 * One file per device, STATE_DIR/pins/NAME.json, holding the pin exactly
 * as the client sent it once it parsed; replaced atomically (temporary
 * file, fsync, rename, fsync of the directory) like state.json, and read
 * back at start.  The file is also what an exec pin's program gets as
 * argv[1].
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "devauthd.h"

static int pin_path(const struct daemon *d, const struct dev *dv, char *buf, size_t cap,
		    struct da_err *err)
{
	if (!d->state_dir)
		return da_errf(err, -EOPNOTSUPP, "%s: PIN: devauthd runs without a state directory",
			       dv->name);
	/* Names come from the config; one that could leave the directory is refused. */
	if (strchr(dv->name, '/') || dv->name[0] == '.')
		return da_errf(err, -EINVAL, "%s: PIN: the device name cannot be a file name",
			       dv->name);
	if (snprintf(buf, cap, "%s/pins/%s.json", d->state_dir, dv->name) >= (int)cap)
		return da_errf(err, -ENAMETOOLONG, "%s: PIN: state path too long", dv->name);
	return 0;
}

static int fsync_dir(const char *dir, struct da_err *err)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int ret = 0;

	if (fd < 0 || fsync(fd))
		ret = da_errf(err, -errno, "pins: fsync %s: %s", dir, strerror(errno));
	if (fd >= 0)
		close(fd);
	return ret;
}

static int write_atomic(const char *dir, const char *path, const uint8_t *p, size_t len,
			struct da_err *err)
{
	char tmp[4200];
	size_t off = 0;
	int fd, ret = 0;

	snprintf(tmp, sizeof(tmp), "%s/.pin.XXXXXX", dir);
	fd = mkstemp(tmp);
	if (fd < 0)
		return da_errf(err, -errno, "pins: %s: %s", tmp, strerror(errno));
	while (off < len) {
		ssize_t w = write(fd, p + off, len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			ret = da_errf(err, -EIO, "pins: %s: write failed", tmp);
			break;
		}
		off += (size_t)w;
	}
	if (!ret && (fchmod(fd, 0600) || fsync(fd)))
		ret = da_errf(err, -errno, "pins: %s: %s", tmp, strerror(errno));
	close(fd);
	if (!ret && rename(tmp, path))
		ret = da_errf(err, -errno, "pins: rename to %s: %s", path, strerror(errno));
	if (ret)
		unlink(tmp);
	return ret ? ret : fsync_dir(dir, err);
}

int dev_set_pin(struct daemon *d, struct dev *dv, const uint8_t *json, size_t len, uid_t uid,
		struct da_err *err)
{
	char path[4096], dir[4096];
	struct da_pin *pin = NULL, *old;
	int ret;

	ret = pin_path(d, dv, path, sizeof(path), err);
	if (ret)
		return ret;
	snprintf(dir, sizeof(dir), "%s/pins", d->state_dir);
	if (json) {
		ret = da_pin_parse((const char *)json, len, &pin, err);
		if (ret) {
			da_err_prefix(err, "%s: PIN", dv->name);
			return ret;
		}
		/*
		 * An exec pin makes devauthd run a program as itself (root):
		 * only root (or the daemon's own user) may ask, and only for
		 * a program the administrator put in the exec directory.
		 */
		if (pin->mode == DA_PIN_EXEC) {
			if (uid != 0 && uid != geteuid()) {
				da_pin_free(pin);
				return da_errf(err, -EPERM,
					       "%s: PIN: exec pins only from root (uid %u may pin other modes)",
					       dv->name, (unsigned int)uid);
			}
			ret = da_pin_exec_allowed(pin->exec_program, d->exec_dir, err);
			if (ret) {
				da_pin_free(pin);
				da_err_prefix(err, "%s: PIN", dv->name);
				return ret;
			}
		}
		pin->path = strdup(path);
		if (!pin->path) {
			da_pin_free(pin);
			return da_errf(err, -ENOMEM, "%s: PIN: out of memory", dv->name);
		}
	}
	ret = dev_op_lock(d, dv, err);
	if (ret) {
		da_pin_free(pin);
		return ret;
	}
	if (json) {
		if (mkdir(dir, 0700) && errno != EEXIST)
			ret = da_errf(err, -errno, "pins: %s: %s", dir, strerror(errno));
		if (!ret)
			ret = write_atomic(dir, path, json, len, err);
	} else if (unlink(path) && errno != ENOENT) {
		ret = da_errf(err, -errno, "pins: %s: %s", path, strerror(errno));
	} else if (!access(dir, F_OK)) {
		ret = fsync_dir(dir, err);
	}
	if (!ret) {
		pthread_mutex_lock(&dv->lock);
		old = dv->pin;
		dv->pin = pin;
		dv->pin_epoch = dv->bound ? dv->bind_epoch : 0;
		pin = old;
		pthread_mutex_unlock(&dv->lock);
		dlog("%s: %s", dv->name, dv->pin ? "pinned" : "pin removed");
	}
	dev_op_unlock(dv);
	da_pin_free(pin);
	return ret;
}

int pins_load(struct daemon *d, struct da_err *err)
{
	for (size_t i = 0; i < d->n_devs; i++) {
		struct dev *dv = &d->devs[i];
		char path[4096];
		struct da_pin *pin;
		int ret;

		if (pin_path(d, dv, path, sizeof(path), NULL) || access(path, F_OK))
			continue;
		/* A pin that no longer parses must not silently stop protecting a device. */
		ret = da_pin_load(path, &pin, err);
		if (ret)
			return ret;
		dv->pin = pin;
		/* Kept next to the binding it was installed for (state.json loads first). */
		dv->pin_epoch = dv->bind_epoch;
		dlog("%s: pin (%s) loaded", dv->name, da_pin_mode_name(pin->mode));
	}
	return 0;
}
