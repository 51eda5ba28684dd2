// SPDX-License-Identifier: MIT
/*
 * The sysfs importer, hostile.  Input = records of u8 file | u16 length
 * (little endian) | bytes, written as the files of a temporary sysfs
 * directory: 0 "3_type", 1 "3_transcript", 2 "3_signature",
 * 3 "3_certificate_chain", 4 "3_requester_nonce", 5 "4_type",
 * 6 "4_transcript", 7 "4_signature", 8 "../certificates/slot0".
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cursor.h"
#include "fuzz_common.h"

static const char *const names[] = {
	"signatures/3_type", "signatures/3_transcript", "signatures/3_signature",
	"signatures/3_certificate_chain", "signatures/3_requester_nonce", "signatures/4_type",
	"signatures/4_transcript", "signatures/4_signature", "certificates/slot0",
};
#define NFILES (sizeof(names) / sizeof(names[0]))

static char dir[64];

/* Leave no directory behind. */
static void cleanup(void)
{
	char path[128];

	for (size_t i = 0; i < NFILES; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		unlink(path);
	}
	snprintf(path, sizeof(path), "%s/signatures", dir);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/certificates", dir);
	rmdir(path);
	rmdir(dir);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cur c = cur_init(data, size);
	struct da_evidence ev;
	char path[128];
	uint8_t id;
	uint16_t len;
	const uint8_t *p;

	if (!dir[0]) {
		snprintf(dir, sizeof(dir), "/tmp/devauth-fuzz-sysfs-%d", (int)getpid());
		atexit(cleanup);
	}
	snprintf(path, sizeof(path), "%s/signatures", dir);
	mkdir(dir, 0700);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/certificates", dir);
	mkdir(path, 0700);
	for (size_t i = 0; i < NFILES; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		unlink(path);
	}
	while (!cur_u8(&c, &id) && !cur_u16(&c, &len) && !cur_ptr(&c, len, &p)) {
		FILE *f;

		snprintf(path, sizeof(path), "%s/%s", dir, names[id % NFILES]);
		f = fopen(path, "w");
		if (!f)
			continue;
		fwrite(p, 1, len, f);
		fclose(f);
	}
	da_evidence_init(&ev);
	if (!da_evidence_import_sysfs(dir, &ev, NULL))
		fuzz_verify(&ev);
	da_evidence_free(&ev);
	return 0;
}
