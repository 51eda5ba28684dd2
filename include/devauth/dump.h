/* SPDX-License-Identifier: MIT */
/*
 * Reading a captured exchange after the fact, as `devauth dump` does:
 * spdm_passive opens the secured messages of a capture with the secrets
 * a keylog holds (`devauth probe --keylog`), da_dump describes each
 * plaintext message in one line, TDISP and IDE_KM inside VENDOR_DEFINED
 * messages included.  Neither takes part in the exchange: both only
 * read, and every byte they read is checked as hostile.
 */
#ifndef DEVAUTH_PUBLIC_DUMP_H
#define DEVAUTH_PUBLIC_DUMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <devauth/error.h>
#include <devauth/transport.h>

struct spdm_req_info;

/* ---- secured messages (lib/session/passive.c) ---- */
struct spdm_passive;

/*
 * The SPDM_SESSION lines of a keylog file (none if keylog_path is NULL):
 * NULL with err filled if it cannot be read or parsed (-ENOMEM,
 * -EBADMSG, ...).
 */
struct spdm_passive *spdm_passive_new(const char *keylog_path, struct da_err *err);
/* Wipes every secret; NULL is fine. */
void spdm_passive_free(struct spdm_passive *p);
/*
 * PSK sessions need no keylog: with the PSK (at most 64 bytes; -EINVAL
 * otherwise) their secrets are derived from the capture's own VCA,
 * PSK_EXCHANGE and PSK_EXCHANGE_RSP (and PSK_FINISH / PSK_FINISH_RSP once
 * opened), so every plain message goes to spdm_passive_plain() in
 * capture order, after spdm_passive_setup().
 */
int spdm_passive_set_psk(struct spdm_passive *p, const uint8_t *psk, size_t len);
void spdm_passive_plain(struct spdm_passive *p, const uint8_t *msg, size_t len);
/*
 * What the capture's VCA negotiated (SPDM version, BaseHashSel,
 * AEADCipherSuite, the capture's framing, and whether the responder
 * offered MAC only): -EINVAL if that names no session algorithms.
 */
int spdm_passive_setup(struct spdm_passive *p, uint8_t version, uint32_t base_hash,
		       uint16_t aead, enum da_framing framing, bool mac_only);
/*
 * Open the next secured message of the capture.  Nothing in a capture
 * says who sent a secured message or when a KEY_UPDATE took effect, so
 * each one is tried as a request and as a response, with the current
 * keys at the next sequence number and with the next generation at 0;
 * the MAC decides.  0 with the SPDM message in *spdm (borrowed until the
 * next call), the sender (response: the responder) and its session ID;
 * -ENOKEY if the keylog has no secrets for that session, -EBADMSG if no
 * key opens it.
 */
int spdm_passive_open(struct spdm_passive *p, const uint8_t *msg, size_t len,
		      const uint8_t **spdm, size_t *spdm_len, bool *response, uint32_t *id);
/* Only the SessionID of a secured message: 0, or -EBADMSG if too short. */
int spdm_secured_session_id(const uint8_t *msg, size_t len, uint32_t *id);

/* ---- one-line descriptions (lib/dump/) ---- */
struct da_dump;

/*
 * A describer for one capture, with the sizes (hash, signature,
 * measurement hash) that its replay negotiated (spdm_req_info() after
 * spdm_req_replay()).  NULL: out of memory.
 */
struct da_dump *da_dump_new(const struct spdm_req_info *info);
void da_dump_free(struct da_dump *d);
/*
 * The main fields of one plaintext SPDM message into out ("" if it does
 * not decode, or has nothing to say).  Messages are fed in capture order:
 * a response is decoded with what its request asked (CHALLENGE's
 * summary type, GET_MEASUREMENTS' signature).  A PCI-SIG VENDOR_DEFINED
 * message names its TDISP or IDE_KM message and fields.
 */
void da_dump_describe(struct da_dump *d, const uint8_t *msg, size_t len, char *out,
		      size_t cap);
/*
 * The protocol message a VENDOR_DEFINED message carries: "TDISP" or
 * "IDE_KM" and the message's name, -ENOENT for anything else.
 */
int da_dump_vendor_message(const uint8_t *msg, size_t len, const char **protocol,
			   const char **name);

#endif
