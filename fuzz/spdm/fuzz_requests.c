// SPDX-License-Identifier: MIT
/* Every request decoder: what a responder parses. */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_spdm f;
	struct da_err err = { 0 };
	struct spdm_caps caps;
	struct spdm_neg_algs na;
	struct spdm_get_certificate gc;
	struct spdm_challenge ch;
	struct spdm_get_measurements gm;
	uint8_t code, token;

	if (!fuzz_spdm_init(&f, data, size))
		return 0;
	/* Every decoder must survive every input, whatever its code says. */
	fuzz_spdm_check_len(spdm_decode_get_version(f.msg, f.len, &err), f.len);
	da_err_clear(&err);
	fuzz_spdm_check_len(spdm_decode_get_capabilities(f.msg, f.len, f.p.version, &caps, &err),
			    f.len);
	da_err_clear(&err);
	fuzz_spdm_check_len(spdm_decode_negotiate_algorithms(f.msg, f.len, f.p.version, &na,
							     &err), f.len);
	if (na.num_structs > SPDM_MAX_ALG_STRUCTS)
		__builtin_trap();
	da_err_clear(&err);
	fuzz_spdm_check_len(spdm_decode_get_digests(f.msg, f.len, &err), f.len);
	da_err_clear(&err);
	fuzz_spdm_check_len(spdm_decode_get_certificate(f.msg, f.len, f.p.version, &gc, &err),
			    f.len);
	da_err_clear(&err);
	fuzz_spdm_check_len(spdm_decode_challenge(f.msg, f.len, f.p.version, &ch, &err), f.len);
	da_err_clear(&err);
	fuzz_spdm_check_len(spdm_decode_get_measurements(f.msg, f.len, f.p.version, &gm, &err),
			    f.len);
	da_err_clear(&err);
	fuzz_spdm_check_len(spdm_decode_respond_if_ready(f.msg, f.len, &code, &token, &err),
			    f.len);
	return 0;
}
