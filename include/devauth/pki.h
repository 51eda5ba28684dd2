/* SPDX-License-Identifier: MIT */
/*
 * Reading a requester's own credentials for mutual authentication
 * (spdm_req_config.req_certs / req_key in devauth/requester.h).  The
 * results are OpenSSL objects, declared by their struct tags so that
 * this header needs no OpenSSL headers; the caller frees them with
 * OpenSSL (sk_X509_pop_free(..., X509_free), EVP_PKEY_free()).
 */
#ifndef DEVAUTH_PUBLIC_PKI_H
#define DEVAUTH_PUBLIC_PKI_H

#include <devauth/error.h>

struct stack_st_X509;
struct evp_pkey_st;

/*
 * Certificates of path: a PEM bundle, or concatenated DER certificates
 * (each exactly one DER X.509), root first.  *out is a new stack: 0, or
 * -errno with err naming the file and why it is not certificates.
 */
int da_pki_read_certs(const char *path, struct stack_st_X509 **out, struct da_err *err);
/* The PEM private key of path, NULL with err set if there is none. */
struct evp_pkey_st *da_pki_read_key(const char *path, struct da_err *err);

#endif
