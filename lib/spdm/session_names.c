// SPDX-License-Identifier: MIT
/*
 * Session algorithm names: devauth's spelling (secp384r1, aes-256-gcm)
 * for output, and for input that or the DMTF emulators' spelling
 * (SECP_384_R1, AES_256_GCM), case-insensitively.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>

#include <devauth/spdm.h>

struct alg_name {
	uint16_t bit;
	const char *name, *dmtf;
};

static const struct alg_name dhe[] = {
	{ SPDM_DHE_FFDHE_2048, "ffdhe2048", "FFDHE_2048" },
	{ SPDM_DHE_FFDHE_3072, "ffdhe3072", "FFDHE_3072" },
	{ SPDM_DHE_FFDHE_4096, "ffdhe4096", "FFDHE_4096" },
	{ SPDM_DHE_SECP256R1, "secp256r1", "SECP_256_R1" },
	{ SPDM_DHE_SECP384R1, "secp384r1", "SECP_384_R1" },
	{ SPDM_DHE_SECP521R1, "secp521r1", "SECP_521_R1" },
	{ SPDM_DHE_SM2_P256, "sm2-p256", "SM2_P256" },
};

static const struct alg_name aead[] = {
	{ SPDM_AEAD_AES_128_GCM, "aes-128-gcm", "AES_128_GCM" },
	{ SPDM_AEAD_AES_256_GCM, "aes-256-gcm", "AES_256_GCM" },
	{ SPDM_AEAD_CHACHA20_POLY1305, "chacha20-poly1305", "CHACHA20_POLY1305" },
	{ SPDM_AEAD_SM4_GCM, "sm4-gcm", "SM4_128_GCM" },
};

static const char *name_of(const struct alg_name *t, size_t n, uint16_t bit)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].bit == bit)
			return t[i].name;
	return bit ? "unknown" : "none";
}

/* "a,b,c" -> mask; -EINVAL naming nothing (the caller prints the list). */
static int parse(const struct alg_name *t, size_t n, const char *list, uint16_t *mask)
{
	const char *p = list;

	*mask = 0;
	while (*p) {
		size_t len = strcspn(p, ",");
		bool found = false;

		for (size_t i = 0; i < n && len; i++) {
			if ((strlen(t[i].name) == len && !strncasecmp(p, t[i].name, len)) ||
			    (strlen(t[i].dmtf) == len && !strncasecmp(p, t[i].dmtf, len))) {
				*mask |= t[i].bit;
				found = true;
			}
		}
		if (!found)
			return -EINVAL;
		p += len;
		if (*p == ',')
			p++;
	}
	return *mask ? 0 : -EINVAL;
}

const char *spdm_dhe_name(uint16_t bit)
{
	return name_of(dhe, sizeof(dhe) / sizeof(dhe[0]), bit);
}

const char *spdm_aead_name(uint16_t bit)
{
	return name_of(aead, sizeof(aead) / sizeof(aead[0]), bit);
}

int spdm_dhe_parse_list(const char *list, uint16_t *mask)
{
	return parse(dhe, sizeof(dhe) / sizeof(dhe[0]), list, mask);
}

int spdm_aead_parse_list(const char *list, uint16_t *mask)
{
	return parse(aead, sizeof(aead) / sizeof(aead[0]), list, mask);
}
