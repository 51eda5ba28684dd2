/* SPDX-License-Identifier: MIT */
/* devauth probe --tdisp / --ide-km: TDISP and IDE_KM inside the probe's session. */
#ifndef DEVAUTH_PROBE_TDISP_H
#define DEVAUTH_PROBE_TDISP_H

#include <json-c/json.h>

#include <devauth/error.h>
#include <devauth/requester.h>

/* getopt codes of the options below */
#define PROBE_OPT_TDISP		0x110
#define PROBE_OPT_IDE_KM	0x111
#define PROBE_OPT_PORTION	0x112
#define PROBE_OPT_FUNCTION	0x113
#define PROBE_TDISP_LONGOPTS \
	{ "tdisp", no_argument, NULL, PROBE_OPT_TDISP }, \
	{ "ide-km", no_argument, NULL, PROBE_OPT_IDE_KM }, \
	{ "report-portion", required_argument, NULL, PROBE_OPT_PORTION }, \
	{ "function-id", required_argument, NULL, PROBE_OPT_FUNCTION }
#define PROBE_TDISP_SYNOPSIS \
	"\n        [--tdisp [--report-portion N] [--function-id N]] [--ide-km]"
#define PROBE_TDISP_HELP \
	{ "--tdisp", "in the session: TDISP version, capabilities, lock, report, start, RUN, stop" }, \
	{ "--report-portion N", "LENGTH per GET_DEVICE_INTERFACE_REPORT, 1-65535 (default 2048)" }, \
	{ "--function-id N", "the TDI's INTERFACE_ID FUNCTION_ID (default 0)" }, \
	{ "--ide-km", "in the session: IDE_KM QUERY, KEY_PROG of stream 0, K_SET_GO, K_SET_STOP" }

/* What the options asked and what the run found (probe-tdisp.c). */
struct probe_tdisp;

/* NULL: out of memory. */
struct probe_tdisp *probe_tdisp_new(void);

/* 0, or -1 after a message on stderr (usage). */
int probe_tdisp_opt(int c, const char *arg, struct probe_tdisp *pt);
int probe_tdisp_run(struct spdm_req *r, struct probe_tdisp *pt, struct da_err *err);
void probe_tdisp_print(const struct probe_tdisp *pt);
void probe_tdisp_json(json_object *j, const struct probe_tdisp *pt);
/* Frees pt and what it holds; NULL is fine. */
void probe_tdisp_free(struct probe_tdisp *pt);

#endif
