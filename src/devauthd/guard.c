// SPDX-License-Identifier: MIT
/*
 * What keeps one local user from denying the daemon to the others, and
 * the daemon from trusting a state directory or a socket path it should
 * not:
 *
 *  - connection slots: CONN_MAX in all, at most CONN_PER_UID for any one
 *    uid but root; the last CONN_ROOT_RESERVE for root only and the
 *    CONN_GROUP_RESERVE before them for root and the socket's group, so
 *    root's and the administrators' `devauth list` work while other users
 *    hold every slot they may;
 *  - log lines caused by a client: a token bucket per uid (LOG_BURST, then
 *    LOG_PER_S a second), with the count of lines left out;
 *  - the socket: a second daemon must not unlink a live one's socket;
 *  - the state directory: owned by the daemon's user, writable by nobody
 *    else; temporary files of an interrupted write are removed at start.
 */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "devauthd.h"

#define UID_TABLE	128	/* distinct uids tracked at once (slots, log buckets) */
#define LOG_BURST	20
#define LOG_PER_S	2

struct uid_entry {
	uid_t uid;
	bool used;
	unsigned int conns;
	double tokens;
	long long last_ms;
	unsigned int suppressed;
};

static pthread_mutex_t guard_lock = PTHREAD_MUTEX_INITIALIZER;
static struct uid_entry uids[UID_TABLE];
static unsigned int total_conns;

/* The uid's entry; a new one replaces an entry without connections. NULL when full. */
static struct uid_entry *entry(uid_t uid)
{
	struct uid_entry *free_e = NULL;

	for (size_t i = 0; i < UID_TABLE; i++) {
		if (uids[i].used && uids[i].uid == uid)
			return &uids[i];
		if (!free_e && (!uids[i].used || !uids[i].conns))
			free_e = &uids[i];
	}
	if (free_e)
		*free_e = (struct uid_entry){ .uid = uid, .used = true, .tokens = LOG_BURST,
					      .last_ms = (long long)mono_ms() };
	return free_e;
}

int slot_take(uid_t uid, bool member, struct da_err *err)
{
	struct uid_entry *e;
	int ret = 0;

	pthread_mutex_lock(&guard_lock);
	e = entry(uid);
	if (total_conns >= CONN_MAX)
		ret = da_errf(err, -EMFILE, "all %d connections in use", CONN_MAX);
	else if (uid != 0 && total_conns >= CONN_MAX - CONN_ROOT_RESERVE)
		ret = da_errf(err, -EMFILE, "uid %u: only root's %d reserved connections are left",
			      (unsigned int)uid, CONN_ROOT_RESERVE);
	else if (uid != 0 && !member &&
		 total_conns >= CONN_MAX - CONN_ROOT_RESERVE - CONN_GROUP_RESERVE)
		ret = da_errf(err, -EMFILE,
			      "uid %u: only the connections reserved for root and the socket's group are left",
			      (unsigned int)uid);
	else if (uid != 0 && e && e->conns >= CONN_PER_UID)
		ret = da_errf(err, -EMFILE, "uid %u already holds %d connections", (unsigned int)uid,
			      CONN_PER_UID);
	else if (!e && uid != 0)
		ret = da_errf(err, -EMFILE, "uid %u: too many users connected at once",
			      (unsigned int)uid);
	if (!ret) {
		total_conns++;
		if (e)
			e->conns++;
	}
	pthread_mutex_unlock(&guard_lock);
	return ret;
}

void slot_give(uid_t uid)
{
	pthread_mutex_lock(&guard_lock);
	for (size_t i = 0; i < UID_TABLE; i++) {
		if (uids[i].used && uids[i].uid == uid && uids[i].conns) {
			uids[i].conns--;
			break;
		}
	}
	if (total_conns)
		total_conns--;
	pthread_mutex_unlock(&guard_lock);
}

bool log_allowed(uid_t uid, unsigned int *suppressed)
{
	struct uid_entry *e;
	bool ok = false;
	long long now = (long long)mono_ms();

	*suppressed = 0;
	pthread_mutex_lock(&guard_lock);
	e = entry(uid);
	if (e) {
		e->tokens += (double)(now - e->last_ms) * LOG_PER_S / 1000.0;
		if (e->tokens > LOG_BURST)
			e->tokens = LOG_BURST;
		e->last_ms = now;
		if (e->tokens >= 1.0) {
			e->tokens -= 1.0;
			*suppressed = e->suppressed;
			e->suppressed = 0;
			ok = true;
		} else {
			e->suppressed++;
		}
	}
	pthread_mutex_unlock(&guard_lock);
	return ok;
}

int socket_check_free(const char *path, struct da_err *err)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	int fd, ret;

	if (lstat(path, &st))
		return 0;
	if (!S_ISSOCK(st.st_mode))
		return da_errf(err, -EEXIST, "%s exists and is not a socket: not replacing it",
			       path);
	memcpy(sa.sun_path, path, strlen(path));
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return da_errf(err, -errno, "socket: %s", strerror(errno));
	ret = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	close(fd);
	if (!ret)
		return da_errf(err, -EADDRINUSE,
			       "%s: another devauthd answers on this socket: not taking it over",
			       path);
	/* Nobody listens: a stale socket of a daemon that did not exit cleanly. */
	if (unlink(path) && errno != ENOENT)
		return da_errf(err, -errno, "%s: stale socket: %s", path, strerror(errno));
	return 0;
}

int state_dir_check(const char *dir, struct da_err *err)
{
	struct stat st;

	if (lstat(dir, &st))
		return da_errf(err, -errno, "--state-dir %s: %s", dir, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return da_errf(err, -ENOTDIR, "--state-dir %s: not a directory", dir);
	if (st.st_uid != geteuid())
		return da_errf(err, -EPERM,
			       "--state-dir %s: owned by uid %u, not by the daemon's uid %u: refusing it",
			       dir, (unsigned int)st.st_uid, (unsigned int)geteuid());
	if (st.st_mode & (S_IWGRP | S_IWOTH))
		return da_errf(err, -EPERM,
			       "--state-dir %s: writable by %s (mode %04o): refusing it (chmod go-w)",
			       dir, st.st_mode & S_IWOTH ? "everyone" : "its group",
			       (unsigned int)(st.st_mode & 07777));
	return 0;
}

/* The temporary files state.c and pins.c write before their rename. */
static void clean_one(const char *dir, const char *prefix)
{
	DIR *dp = opendir(dir);
	struct dirent *de;

	if (!dp)
		return;
	while ((de = readdir(dp))) {
		char path[4352];

		if (strncmp(de->d_name, prefix, strlen(prefix)))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (!unlink(path))
			dlog("removed %s, left by an interrupted write", path);
	}
	closedir(dp);
}

void state_dir_clean(const char *dir)
{
	char pins[4200];

	clean_one(dir, ".state.json.");
	snprintf(pins, sizeof(pins), "%s/pins", dir);
	clean_one(pins, ".pin.");
}
