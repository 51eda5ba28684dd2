/* SPDX-License-Identifier: MIT */
/* The devauth CLI: one file per subcommand, this table in main.c. */
#ifndef DEVAUTH_CLI_H
#define DEVAUTH_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include <devauth/requester.h>

#include <devauth/hex.h>

extern const char *prog;

int probe_main(int argc, char **argv);
int dump_main(int argc, char **argv);
int list_main(int argc, char **argv);
int connect_main(int argc, char **argv);
int disconnect_main(int argc, char **argv);
int evidence_main(int argc, char **argv);
int bind_main(int argc, char **argv);
int unbind_main(int argc, char **argv);
int attest_main(int argc, char **argv);
int verify_main(int argc, char **argv);
int policy_main(int argc, char **argv);
int pin_main(int argc, char **argv);
int monitor_main(int argc, char **argv);
int revalidate_main(int argc, char **argv);
int reset_main(int argc, char **argv);
int lock_main(int argc, char **argv);
int accept_main(int argc, char **argv);
int unlock_main(int argc, char **argv);

/* util.c */
/* "1.2" -> 0x12, "1.1-1.3" -> range */
int parse_version_range(const char *s, uint8_t *min, uint8_t *max);

/* report.c: what probe, dump and verify print about one SPDM exchange */
struct da_trust;
struct report_opts {
	const char *title;		/* device name or file */
	const char *trust_path;		/* --trust: chain to these anchors */
	bool check_time;		/* validity dates in the trust check */
	struct da_trust *trust;		/* trust_path loaded once (borrowed), or NULL */
};
/* Adds the trust check to the list (so the verdict includes it). */
void report_trust(struct spdm_req *r, struct da_checklist *extra, const struct report_opts *o);
void report_print(const struct spdm_req *r, const struct da_checklist *extra,
		  const struct report_opts *o, bool ok, const char *error);
json_object *report_json(const struct spdm_req *r, const struct da_checklist *extra,
			 const struct report_opts *o, bool ok, const char *error);

#endif
