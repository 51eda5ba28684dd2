/* SPDX-License-Identifier: MIT */
/*
 * devauth-emu internals: the subcommands (one file each), the device
 * table that `serve` builds from the command line and the config file,
 * and the control socket that changes devices while they are served.
 */
#ifndef DEVAUTH_EMU_H
#define DEVAUTH_EMU_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <devauth/error.h>
#include <devauth/transport.h>

#include "responder/device.h"

#define EMU_PROG "devauth-emu"
#define EMU_MAX_DEVICES 1024
#define EMU_CTL_LINE_MAX 512

/* Subcommands (main.c dispatches). */
int serve_main(int argc, char **argv);
int pki_main(int argc, char **argv);
int ctl_main(int argc, char **argv);

/*
 * One device as configured: the responder configuration plus where it
 * listens.  port_offset is relative to the --listen port; port, when
 * set, is absolute.  Strings referenced from cfg.slot_files live in the
 * owning emu_config's string pool.
 */
struct emu_dev_spec {
	struct rsp_device_config cfg;
	int port;			/* absolute, 0 = use port_offset */
	int port_offset;		/* -1 = the device's index */
};

struct emu_config {
	struct emu_dev_spec *dev;
	unsigned int ndev;
	char **strings;			/* owned copies of file paths */
	unsigned int nstrings;
};

/*
 * Defaults that apply to every device before its config-file entry:
 * what the serve command line says.
 */
struct emu_defaults {
	bool have_versions;
	uint8_t min_version, max_version;
	uint32_t asym, hash, meas_hash;	/* 0 = keep the device default */
	bool have_faults;
	uint64_t faults;
	uint32_t data_transfer_size, max_spdm_msg_size; /* 0 = keep the device default */
	bool have_caps;			/* --caps */
	uint32_t caps, caps_off;	/* --caps; --no-caps: flags taken away */
	uint32_t dhe, aead;		/* --dhe, --aead; 0 = keep the device default */
	uint16_t psk_len, psk_hint_len;	/* --psk, --psk-hint; have_psk_hint for an empty hint */
	bool have_psk_hint;
	uint8_t psk[RSP_MAX_PSK_SIZE];
	uint8_t psk_hint[RSP_MAX_PSK_HINT_SIZE];
	uint8_t slot_mask;		/* --slot given for these */
	const char *slot_chain[SPDM_MAX_SLOTS];
	const char *slot_key[SPDM_MAX_SLOTS];
};

/* Name lists shared by the command line and the config file (config.c). */
int emu_parse_asym_name(const char *s, uint32_t *bit);
int emu_parse_hash_name(const char *s, uint32_t *bit);
/* Comma separated lists: "ecdsa-p256,ecdsa-p384" -> bit mask. */
int emu_parse_asym_list(const char *list, uint32_t *mask, struct da_err *err);
int emu_parse_hash_list(const char *list, uint32_t *mask, struct da_err *err);
int emu_parse_meas_hash_list(const char *list, uint32_t *mask, struct da_err *err);
/* CAPABILITIES names as the config file's "caps" takes them (config-device.c). */
int emu_parse_caps_list(const char *what, const char *list, uint32_t *mask,
			struct da_err *err);
/* A 1.2+ message size option or key: 42 .. RSP_MAX_SPDM_MSG_SIZE. */
int emu_parse_msg_size(const char *what, const char *s, uint32_t *out, struct da_err *err);
/* "1.0,1.1,1.2" -> a contiguous range. */
int emu_parse_version_list(const char *list, uint8_t *min, uint8_t *max, struct da_err *err);

/* Apply the command-line defaults to a device configuration. */
void emu_apply_defaults(struct rsp_device_config *c, const struct emu_defaults *d);
/* The name of device index i when nobody gave one: "0000:01:00.0", "0000:02:00.0", ... */
void emu_default_name(unsigned int i, char *buf, size_t len);

/*
 * Read a JSON device description (docs/emu.md; config-device.c).  Every
 * device starts from rsp_device_config_default() + defs, then the file's
 * keys apply.  Errors name the file, the device and the key.
 */
int emu_config_load(const char *path, const struct emu_defaults *defs, struct emu_config *out,
		    struct da_err *err);
/* n devices from the defaults alone (no config file). */
int emu_config_default(unsigned int n, const struct emu_defaults *defs, struct emu_config *out,
		       struct da_err *err);
/* Keep a copy of s for as long as the config lives. */
const char *emu_config_strdup(struct emu_config *c, const char *s);
void emu_config_free(struct emu_config *c);

/*
 * What the control socket needs from the server (serve-core.c): the
 * devices and a way to drop a device's current connection.
 */
struct emu_server;
unsigned int emu_server_ndev(struct emu_server *s);
struct rsp_device *emu_server_device(struct emu_server *s, unsigned int i);
const char *emu_server_dev_name(struct emu_server *s, unsigned int i);
int emu_server_dev_port(struct emu_server *s, unsigned int i);
/* shutdown(2) the device's current client socket; returns true if there was one. */
bool emu_server_drop_client(struct emu_server *s, unsigned int i);
bool emu_server_has_client(struct emu_server *s, unsigned int i);
/* The faults currently set on a device (the device keeps no getter). */
uint64_t emu_server_faults(struct emu_server *s, unsigned int i);
void emu_server_set_faults(struct emu_server *s, unsigned int i, uint64_t faults);
/* Find a device by name or index ("3"); -1 if none. */
int emu_server_find(struct emu_server *s, const char *dev);

/* Make every leaf key a connection could negotiate now, not on first use. */
void emu_prewarm(struct rsp_device *dev);

/* The control socket (ctl.c). */
struct emu_ctl;
/* The default path: $XDG_RUNTIME_DIR/devauth-emu.sock or /run/devauth-emu.sock. */
void emu_ctl_default_path(char *buf, size_t len);
int emu_ctl_start(struct emu_server *s, const char *path, struct emu_ctl **out,
		  struct da_err *err);
void emu_ctl_stop(struct emu_ctl *c);
/*
 * Execute one control line; the reply (zero or more lines, the last
 * one "ok" or "error: ...") is written into reply.  Exposed for the
 * server's own use and for tests.
 */
void emu_ctl_execute(struct emu_server *s, const char *line, char *reply, size_t len);

/* log.c: one line to stderr, prefixed with the program name. */
void emu_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
