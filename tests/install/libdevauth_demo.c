// SPDX-License-Identifier: MIT
/*
 * A program as a libdevauth user writes it: only <devauth/...> headers,
 * built with `pkg-config --cflags --libs libdevauth` against an
 * installed tree.  Authenticates and measures one device over the
 * spdm-emu socket, then has the verifier re-derive everything from the
 * evidence and check the chain against trust anchors.
 *
 * usage: libdevauth_demo HOST:PORT TRUST
 * exit: 0 accepted, 1 rejected or refused, 2 usage or unreachable
 */
#include <errno.h>
#include <stdio.h>

#include <devauth/evidence.h>
#include <devauth/requester.h>
#include <devauth/transport.h>
#include <devauth/verifier.h>

int main(int argc, char **argv)
{
	struct spdm_req_config cfg;
	struct da_transport *t = NULL;
	struct spdm_req *r = NULL;
	struct da_evidence ev;
	struct da_verify_opts o = { 0 };
	struct da_verdict v = { 0 };
	struct da_err err = { 0 };
	int ret = 2;

	if (argc != 3) {
		fprintf(stderr, "usage: %s HOST:PORT TRUST\n", argv[0]);
		return 2;
	}
	da_evidence_init(&ev);
	if (da_transport_emu_connect(argv[1], DA_FRAMING_PCI_DOE, 5000, &t, &err) < 0)
		goto out;
	spdm_req_config_default(&cfg);
	cfg.dev_name = argv[1];
	r = spdm_req_new(&cfg, t);
	if (!r) {
		da_errf(&err, -ENOMEM, "out of memory");
		goto out;
	}
	ret = 1;
	if (spdm_req_authenticate(r, &err) < 0 || spdm_req_measure(r, &err) < 0)
		goto out;
	if (da_evidence_from_req(&ev, r, &err) < 0)
		goto out;
	o.trust_path = argv[2];
	if (da_verify(&ev, &o, &v, &err) < 0)
		goto out;
	printf("SPDM %u.%u, %s/%s, %zu checks: %s\n", spdm_req_info(r)->neg.version >> 4,
	       spdm_req_info(r)->neg.version & 0xf, spdm_asym_name(spdm_req_info(r)->neg.base_asym),
	       spdm_hash_name(spdm_req_info(r)->neg.base_hash), v.checks.n,
	       v.accepted ? "accepted" : v.reason);
	ret = v.accepted ? 0 : 1;
out:
	if (err.code)
		fprintf(stderr, "%s: %s\n", argv[0], err.msg);
	da_verdict_free(&v);
	da_evidence_free(&ev);
	spdm_req_free(r);
	if (t)
		da_transport_destroy(t);
	return ret;
}
