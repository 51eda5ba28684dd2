// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdlib.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cursor.h"
#include "file.h"

int da_open_regular(const char *path, struct da_err *err)
{
	struct stat st;
	int fd, flags;

	/* O_NONBLOCK: opening a FIFO without a writer must not wait for one. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return da_errf(err, -errno, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st)) {
		int ret = -errno;

		close(fd);
		return da_errf(err, ret, "%s: %s", path, strerror(-ret));
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return da_errf(err, -EINVAL, "%s: not a regular file (%s)", path,
			       S_ISFIFO(st.st_mode) ? "a FIFO" : S_ISDIR(st.st_mode) ? "a directory" :
			       S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) ? "a device" :
			       S_ISSOCK(st.st_mode) ? "a socket" : "not a file");
	}
	flags = fcntl(fd, F_GETFL);
	if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK)) {
		int ret = -errno;

		close(fd);
		return da_errf(err, ret, "%s: %s", path, strerror(-ret));
	}
	return fd;
}

int da_read_file(const char *path, uint8_t **out, size_t *len, size_t max, struct da_err *err)
{
	struct da_buf b = { 0 };
	uint8_t chunk[65536];
	ssize_t n;
	int fd, ret = 0;

	fd = da_open_regular(path, err);
	if (fd < 0)
		return fd;
	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = da_errf(err, -errno, "%s: read: %s", path, strerror(errno));
			break;
		}
		if (!n)
			break;
		if (b.len + (size_t)n > max) {
			ret = da_errf(err, -EFBIG, "%s: larger than %zu bytes", path, max);
			break;
		}
		if (da_buf_append(&b, chunk, (size_t)n)) {
			ret = da_errf(err, -ENOMEM, "%s: out of memory", path);
			break;
		}
	}
	close(fd);
	if (ret) {
		da_buf_free(&b);
		return ret;
	}
	*out = b.data;
	*len = b.len;
	return 0;
}
