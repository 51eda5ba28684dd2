/* SPDX-License-Identifier: MIT */
/*
 * Private to the files that make up the config file reader (config*.c)
 * and the server (serve*.c): what they share with each other and no one
 * else needs.  main.c, ctl.c and pki.c see only emu.h; in particular
 * struct emu_server stays opaque to the control socket.
 */
#ifndef DEVAUTH_EMU_INTERNAL_H
#define DEVAUTH_EMU_INTERNAL_H

#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <json-c/json.h>

#include "emu.h"

/* ---- names and the device list (config.c) ---- */

struct name_bit {
	const char *name;
	uint32_t bit;
};

/* NULL-terminated; what a device may use, by the names docs/emu.md gives. */
extern const struct name_bit emu_asym_names[];
extern const struct name_bit emu_hash_names[];
extern const struct name_bit emu_meas_hash_names[];
/* "1.0" .. "1.4" as a version bit mask: bit 0 = 1.0. */
extern const struct name_bit emu_version_bits[];

/* A name from table t; the algorithm tables also take the DMTF spellings. */
int emu_name_lookup(const struct name_bit *t, const char *s, uint32_t *bit);
/*
 * The one comma-list splitter: the bits of the names from t OR-ed into
 * *mask; -ENOMEM, or -EINVAL with the first unknown name at list + *bad
 * (*bad_len bytes), for the caller to name in its own words.
 */
int emu_name_list(const struct name_bit *t, const char *list, uint32_t *mask, size_t *bad,
		  int *bad_len);
/*
 * A comma-list option into a bit mask: errors say "WHAT: unknown NOUN 'x'" and, unless
 * empty_ok, "WHAT: empty list".
 */
int emu_parse_name_list(const struct name_bit *t, const char *what, const char *noun,
			bool empty_ok, const char *list, uint32_t *mask, struct da_err *err);
/* A version bit mask (bit 0 = 1.0) to [min, max]; what names the list in errors. */
int emu_versions_to_range(uint32_t mask, const char *what, uint8_t *min, uint8_t *max,
			  struct da_err *err);
/* n devices from rsp_device_config_default() + defs, named and numbered by index. */
int emu_config_alloc(struct emu_config *out, unsigned int n, const struct emu_defaults *defs);

/* ---- the JSON value readers (config-json.c) ---- */

struct jctx {
	const char *file;
	char dir[PATH_MAX];		/* relative paths in the file are relative to it */
	int devidx;			/* -1 at the top level */
	const char *devname;
	struct emu_config *cfg;
	struct da_err *err;
};

/* Every error names the file, the device (when there is one) and the key. */
int jerr(struct jctx *j, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* An integer given as a JSON number or as a string ("0x8086", "42"), at most max. */
int j_uint(struct jctx *j, const char *key, json_object *v, uint64_t max, uint64_t *out);
int j_bool(struct jctx *j, const char *key, json_object *v, bool *out);
int j_string(struct jctx *j, const char *key, json_object *v, const char **out);
/* A list of names from t: a JSON array of strings or one "a,b,c" string. */
int j_names(struct jctx *j, const char *key, json_object *v, const struct name_bit *t,
	    uint32_t *mask);
/* Hex digits (spaces and colons allowed between bytes) into at most cap bytes. */
int j_hex(struct jctx *j, const char *key, const char *s, uint8_t *buf, size_t cap,
	  uint16_t *len);
/* A file path, relative to the config file's directory, kept in the config's pool. */
int j_path(struct jctx *j, const char *key, json_object *v, const char **out);

/* ---- device keys (config-device.c uses config-slots.c) ---- */

/* "slots": which slots are provisioned and their chain/key files. */
int emu_parse_slots(struct jctx *j, json_object *v, struct rsp_device_config *c);
/* "measurements": the device's measurement blocks. */
int emu_parse_measurements(struct jctx *j, json_object *v, struct rsp_device_config *c);
/* "tdisp" (config-tdisp.c): false, or the TDISP / IDE_KM settings. */
int emu_parse_tdisp(struct jctx *j, json_object *v, struct rsp_tdisp_config *c);

/* ---- the server (serve*.c) ---- */

/* One transport message out: SPDM responses here stay far below this. */
#define EMU_RSP_CAP (256u * 1024)

struct emu_devslot {
	struct emu_server *srv;
	unsigned int idx;
	const struct emu_dev_spec *spec;
	struct rsp_device *dev;
	struct spdm_responder *rsp;	/* kept across clients only after CONTINUE */
	int port;
	int lfd;
	pthread_t thread;
	bool started;

	pthread_mutex_t lock;		/* protects client_fd, dropped, faults */
	int client_fd;
	bool dropped;			/* the control socket cut the connection */
	bool forget;			/* reset/swap: no SPDM state survives, even after CONTINUE */
	uint64_t faults;
	char peer[128];
};

struct emu_server {
	struct emu_devslot *slots;
	unsigned int ndev;
	enum da_framing framing;
	bool verbose;
	unsigned int frame_timeout_ms;
	int stop_pipe[2];		/* readable once the process is stopping */
	atomic_bool stop;

	pthread_mutex_t ready_lock;
	pthread_cond_t ready_cond;
	unsigned int nready, nfailed;
};

/* One line naming the device, its port and its current client, if any (serve-core.c). */
void dev_log(struct emu_devslot *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

enum client_end {
	END_CLOSE,		/* conversation over: forget the SPDM state */
	END_CONTINUE,		/* CONTINUE: keep the SPDM state for the next client */
	END_STOP,		/* the process is stopping */
};

/* One client's spdm-emu conversation, until it ends (serve-conn.c). */
enum client_end emu_serve_client(struct emu_devslot *d, int fd, uint8_t *rsp_buf);

/* The listening side (serve-listen.c). */
/* "HOST:PORT", "[V6]:PORT" or "PORT". */
int emu_parse_listen(const char *arg, char *host, size_t hlen, int *port, struct da_err *err);
/* A bound, listening socket, or -errno. */
int emu_listen_on(const char *host, int port, struct da_err *err);
/* pthread start routine: create the device, then accept and serve clients until stop. */
void *emu_device_thread(void *arg);
/* "NAME HOST:PORT" per device, written atomically. */
int emu_write_ready_file(struct emu_server *s, const char *path, const char *host);

#endif
