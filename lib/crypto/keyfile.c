// SPDX-License-Identifier: MIT
/* The public credential readers (devauth/pki.h). */
#include <devauth/pki.h>

#include "pki.h"

int da_pki_read_certs(const char *path, STACK_OF(X509) **out, struct da_err *err)
{
	return pki_read_certs(path, out, err);
}

EVP_PKEY *da_pki_read_key(const char *path, struct da_err *err)
{
	return pki_read_key_pem(path, err);
}
