// SPDX-License-Identifier: MIT
/*
 * The floor for bench_peer: the least a requester process must do to
 * authenticate an ECDSA P-384 device with a 3-certificate chain.  It
 * links libcrypto, decodes the chain's certificates once and makes the
 * four P-384 verifications the protocol needs: the intermediate by the
 * root, the leaf by the intermediate, and two more with the
 * intermediate's key over the leaf (the cost of the CHALLENGE_AUTH and
 * MEASUREMENTS signatures, which need a device to make).  No transport,
 * no SPDM: a process start plus that work.
 *
 *   bench_floor CHAIN.der   (DER certificates concatenated, root first)
 */
#include <stdio.h>
#include <stdlib.h>

#include <openssl/x509.h>

int main(int argc, char **argv)
{
	static unsigned char buf[1 << 16];
	const unsigned char *p = buf, *end;
	X509 *c[3] = { NULL };
	FILE *f;
	size_t n;
	int ok = 1;

	if (argc != 2 || !(f = fopen(argv[1], "rb")))
		return 2;
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	end = buf + n;
	for (int i = 0; i < 3; i++)
		if (!(c[i] = d2i_X509(NULL, &p, end - p)))
			return 1;
	ok &= X509_verify(c[1], X509_get0_pubkey(c[0])) == 1;
	for (int i = 0; i < 3; i++)
		ok &= X509_verify(c[2], X509_get0_pubkey(c[1])) == 1;
	for (int i = 0; i < 3; i++)
		X509_free(c[i]);
	return ok ? 0 : 1;
}
