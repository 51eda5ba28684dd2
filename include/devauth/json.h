/* SPDX-License-Identifier: MIT */
/*
 * The one reader of JSON files: policies, pins, devauthd's config and
 * state, devauth-emu's device descriptions.  Each is hostile input: the
 * text is bounded in size and depth, strict (json-c STRICT: no
 * comments, no trailing commas, no single quotes), whole (nothing but
 * white space after the value) and unambiguous (a key given twice in
 * one object is an error, not "the last one wins").  Every message
 * names the file (or what the text is) and the offset or key path.
 * Public because json-c already is (the verifier hands out json_object
 * trees): a program reading its own files gets the same rules.
 */
#ifndef DEVAUTH_JSON_H
#define DEVAUTH_JSON_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include <devauth/error.h>
#include <devauth/identity.h>

/* Deeper than any file devauth reads; json-c recurses per level. */
#define DA_JSON_MAX_DEPTH 16

/*
 * text[0..len) (at most max bytes) into *root (json_object_put() it).
 * name starts every message: "NAME: offset N: what" for syntax,
 * "NAME: a.b[2].c: key given twice" for a repeated key.
 */
int da_json_parse(const char *name, const char *text, size_t len, size_t max,
		  json_object **root, struct da_err *err);
/* The regular file at path (lib/file.c), at most max bytes, parsed as above with the path as name. */
int da_json_load(const char *path, size_t max, json_object **root, struct da_err *err);

/*
 * An unsigned integer given as a JSON number or as a string of 1-16 hex
 * digits with an optional 0x ("8086", "0x8086"): 0, -EINVAL (another
 * type, not hex), -ERANGE (above max).  what (cap bytes) gets the
 * reason, worded for "KEY: what".
 */
int da_json_uint(json_object *v, uint64_t max, uint64_t *out, char *what, size_t cap);

/*
 * The PCIe identity object { vendor, device, class, revision, ssvid,
 * ssid, serial } (devauthd "pci", devauth-emu "pci", policy "identity"),
 * numbers as da_json_uint(); "comment" is ignored.  Only the fields
 * present are set in *id; their CMA_ID_* bits in *have.  null stands for
 * "none" where the identity may lack the field (ssvid, ssid, serial):
 * its bit goes to *nulls.  On error: -EINVAL, *key is the offending
 * key (borrowed from o) and what the reason.
 */
int da_json_identity(json_object *o, struct cma_identity *id, unsigned int *have,
		     unsigned int *nulls, const char **key, char *what, size_t cap);

/* Lower-case hex of p[0..n) as a JSON string; NULL when out of memory. */
json_object *da_json_hex(const uint8_t *p, size_t n);

#endif
