/* SPDX-License-Identifier: MIT */
/*
 * Opening a file the program is told to read.  Every path is a user's
 * word: a FIFO, a device node or a directory there would block the
 * reader forever or feed it without end, so only regular files are
 * read, and the open itself never waits.
 */
#ifndef DEVAUTH_FILE_H
#define DEVAUTH_FILE_H

#include <stddef.h>
#include <stdint.h>

#include <devauth/error.h>

/* O_RDONLY | O_CLOEXEC, regular files only: fd, or -errno (-EINVAL: not regular). */
int da_open_regular(const char *path, struct da_err *err);
/* The whole file (at most max bytes, else -EFBIG); *out is malloc'd. */
int da_read_file(const char *path, uint8_t **out, size_t *len, size_t max, struct da_err *err);

#endif
