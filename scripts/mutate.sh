#!/usr/bin/env bash
# Mutation testing of the security checks: each row below breaks one
# line of product code so that a check always passes (or always fails),
# rebuilds incrementally and runs only the tests that must notice.  A
# mutant no test kills is a check the suite does not test, and fails
# the run; so does a pattern that no longer matches exactly once (the
# code moved: update the row, never drop it).
#
# The tree is copied (tracked and untracked, not ignored files) to
# build-mutate/tree, so the worktree is never edited; build-mutate/build
# is built once and then incrementally, one file per mutant.
#
#   scripts/mutate.sh              every row
#   scripts/mutate.sh NAME...      only these rows
#   scripts/mutate.sh --check      only check that every pattern matches once
#
# Row format, fields separated by " :: ":
#   name :: file :: tests (comma-separated meson test names, cheapest first)
#        :: pattern (Python regex; the match must be on one line, lookarounds
#           may look further) :: replacement (literal)
# The pattern must match exactly once in the file.
#
# Not in the table, because no test can tell them from the original
# (equivalent mutants): the pinned key's own CHALLENGE_AUTH verification
# in lib/verifier/revalidate.c (da_verify has verified the same
# signature with the same key when leaf_spki equals the pin), and the
# "transcript" failure da_pin_check adds when da_verify did not accept
# (da_verify's own failed checks already fail the result).
set -euo pipefail
cd "$(dirname "$0")/.."

exec python3 - "$@" <<'PY'
import json, os, re, shutil, subprocess, sys, time

TABLE = r"""
# --- signatures
chal-sig-pass :: lib/requester/challenge.c :: requester-replay,emu_auth_transports,verifier :: ret = spdm_verify\((?=key, r->info\.neg\.base_asym, r->info\.neg\.base_hash, r->p\.version,\n\s+SPDM_CTX_CHALLENGE_AUTH) :: ret = 0 * spdm_verify(
meas-sig-pass :: lib/requester/measurements.c :: requester-replay,emu_auth_transports,verifier :: ret = spdm_verify\((?=key, r->info\.neg\.base_asym, r->info\.neg\.base_hash, r->p\.version,\n\s+SPDM_CTX_MEASUREMENTS) :: ret = 0 * spdm_verify(
spdm-verify-pass :: lib/crypto/crypto.c :: crypto,crypto-vectors,requester-replay :: ret = raw_verify\(pub, :: ret = 0 * raw_verify(pub,
cert-sig-pass :: lib/crypto/x509.c :: x509,requester-live,emu_auth_transports :: ok = key \? X509_verify\(x, key\) : -1; :: ok = 1;
trust-anchor-pass :: lib/crypto/trust.c :: x509,verify-cli,verifier :: if \(X509_verify_cert\(ctx\) == 1\) :: if (1)
trust-anchor-link-sig-pass :: lib/crypto/trust.c :: x509 :: if \(\(!key \|\| X509_verify\(xs, key\) <= 0\) && :: if (0 &&
trust-checked-link-any :: lib/crypto/trust.c :: x509 :: return prev == xi \|\| X509_cmp\(prev, xi\) == 0; :: return true;
trust-expired-pass :: lib/crypto/trust.c :: x509 :: if \(cmp <= 0 && !path_fail\(ctx, xs, i, cmp == 0 \? :: if (0 && !path_fail(ctx, xs, i, cmp == 0 ?
trust-own-anchor-any :: lib/crypto/trust.c :: x509 :: is_anchor = t->a\[i\]\.len == \(size_t\)n && !memcmp\(t->a\[i\]\.der, der, \(size_t\)n\); :: is_anchor = true;
trust-own-anchor-length-only :: lib/crypto/trust.c :: x509 :: && !memcmp\(t->a\[i\]\.der, der, \(size_t\)n\); :: && 1;
trust-first-try-pass :: lib/crypto/trust.c :: x509,requester-live :: if \(!ret\)(?=\n\t\t\treturn 0;) :: if (1)
trust-lazy-decode-ignored :: lib/crypto/trust.c :: x509 :: if \(!x \|\| p != t->a\[i\]\.der \+ t->a\[i\]\.len\) :: if (0)
# --- hashes and digests
cert-chain-hash-pass :: lib/requester/challenge.c :: requester-replay,requester-live,verifier :: if \(memcmp\(h, a\.cert_chain_hash, r->p\.hash_size\)\) :: if (0)
digest-slot-pass :: lib/requester/certificate.c :: requester-replay,requester-live,verifier :: if \(memcmp\(h, r->digest\[slot\], r->p\.hash_size\)\) \{ :: if (0) {
digest-rechallenge-pass :: lib/requester/digests.c :: requester-live,requester-replay,daemon,recovery :: if \(memcmp\(h, r->digest\[s\], r->p\.hash_size\)\) :: if (0)
chain-reread-pass :: lib/requester/certificate.c :: requester-replay,requester-live :: if \(r->chain\[g\.slot\]\.len != r->reading\.len \|\| :: if (0 &&
root-hash-pass :: lib/crypto/x509.c :: x509,requester-live,requester-replay :: if \(memcmp\(digest, out->root_hash, hlen\)\) \{ :: if (0) {
object-cert-pass :: lib/verifier/verify.c :: verifier :: else if \(len != o->len \|\| memcmp\(data, o->data, len\)\) :: else if (0)
object-meas-prefix-pass :: lib/verifier/verify.c :: verifier :: if \(e->meas_a_len != e->vca_a_len \|\| m->len < e->meas_a_len \|\| :: if (0 &&
policy-ref-pass :: lib/verifier/verify.c :: verifier,verify-cli :: if \(val->len == b->value_size && !memcmp\(val->data, b->value, val->len\)\) :: if (1)
# --- nonces
chal-nonce-pass :: lib/requester/challenge.c :: revalidate,verifier :: if \(r->cfg\.have_nonce && memcmp\(c\.nonce, r->cfg\.nonce, SPDM_NONCE_SIZE\)\) :: if (0)
meas-nonce-pass :: lib/requester/measurements.c :: revalidate,verifier :: if \(r->cfg\.have_meas_nonce && memcmp\(g\.nonce, r->cfg\.meas_nonce, SPDM_NONCE_SIZE\)\) :: if (0)
chal-nonce-echo-pass :: lib/requester/challenge.c :: requester-live,emu_auth_transports :: if \(!memcmp\(a\.nonce, c\.nonce, SPDM_NONCE_SIZE\)\) :: if (0)
meas-nonce-echo-pass :: lib/requester/measurements.c :: requester-replay,requester-live :: if \(m\.nonce && !memcmp\(m\.nonce, g\.nonce, SPDM_NONCE_SIZE\)\) :: if (0)
verifier-nonce-off :: lib/verifier/verify.c :: revalidate,verifier :: if \(o->have_nonce\) \{(?=\n\t+/\* The verifier's nonce) :: if (0) {
# --- pins (revalidation)
pin-key-pass :: lib/verifier/revalidate.c :: revalidate :: memcmp\(v->leaf_spki, pin->leaf_spki, pin->leaf_spki_len\)\) \{ :: 0) {
pin-slot-pass :: lib/verifier/revalidate.c :: revalidate :: if \(pin->have_slot && v->neg\.slot != pin->neg\.slot\) \{ :: if (0) {
pin-chain-hash-pass :: lib/verifier/revalidate.c :: revalidate :: memcmp\(v->chain_hash, pin->chain_hash, pin->chain_hash_len\)\) \{ :: 0) {
pin-chain-hash-alg-pass :: lib/verifier/revalidate.c :: revalidate :: if \(pin->neg\.base_hash && pin->neg\.base_hash != v->neg\.base_hash\) \{ :: if (0) {
pin-identity-pass :: lib/verifier/revalidate.c :: revalidate :: if \(strcmp\(pin->identity, v->identity\)\) \{ :: if (0) {
pin-identity-fail :: lib/verifier/revalidate.c :: revalidate :: if \(strcmp\(pin->identity, v->identity\)\) \{ :: if (1) {
pin-meas-pass :: lib/verifier/revalidate.c :: revalidate :: if \(n != m->digest_len \|\| memcmp\(d, m->digest, n\)\) \{ :: if (0) {
pin-meas-alg-pass :: lib/verifier/revalidate.c :: revalidate :: if \(strcmp\(alg, pin->digest_algorithm\)\) \{ :: if (0) {
pin-volatile-never :: lib/verifier/revalidate.c :: revalidate :: if \(!volatile_too && bit_set\(pin->volatile_idx, m->index\)\) \{ :: if (0) {
pin-volatile-always :: lib/verifier/revalidate.c :: revalidate :: if \(!volatile_too && bit_set\(pin->volatile_idx, m->index\)\) \{ :: if (1) {
pin-exact-volatile :: lib/verifier/revalidate.c :: revalidate :: check_measurements\(pin, &v, true, &res->checks\); :: check_measurements(pin, &v, false, &res->checks);
pin-exec-accept :: lib/verifier/exec.c :: revalidate :: else if \(ret == 0\)(?=\n\t+da_check_add\(l, "exec", DA_CHECK_PASS) :: else if (ret >= 0)
pin-exec-reject :: lib/verifier/exec.c :: revalidate :: else if \(ret == 0\)(?=\n\t+da_check_add\(l, "exec", DA_CHECK_PASS) :: else if (0)
# --- privilege (devauthd server)
priv-everyone :: src/devauthd/server.c :: daemon :: c->privileged = cred\.uid == 0 \|\| member; :: c->privileged = true;
priv-no-group :: src/devauthd/server.c :: daemon :: member = cred\.uid != 0 && in_group\(fd, cred\.gid, d->group\); :: member = false;
priv-gid-refused :: src/devauthd/server.c :: daemon :: if \(gid == group\) :: if (0)
priv-groups-refused :: src/devauthd/server.c :: daemon :: if \(groups\[i\] == group\) :: if (0)
priv-gid-everyone :: src/devauthd/server.c :: daemon :: if \(gid == group\) :: if (1)
priv-check-off :: src/devauthd/server.c :: daemon :: if \(c->privileged\)(?=\n\t+return true;) :: if (1)
# --- state machine guards (devauthd device)
bind-unconnected :: src/devauthd/device.c :: daemon,recovery :: if \(dv->state != PCI_TSM_STATE_CONNECTED \|\| !dv->have_evidence\) \{ :: if (0) {
bind-twice :: src/devauthd/device.c :: daemon,recovery :: if \(dv->state == PCI_TSM_STATE_BOUND\) \{(?=\n\t+ret = da_errf\(err, -EALREADY) :: if (0) {
bind-stale-generation :: src/devauthd/device.c :: daemon,recovery :: if \(have_gen && gen != dv->generation\) \{ :: if (0) {
disconnect-bound :: src/devauthd/device.c :: daemon,recovery :: if \(dv->state == PCI_TSM_STATE_BOUND\) \{(?=\n\t+ret = da_errf\(err, -EBUSY) :: if (0) {
unbind-unbound :: src/devauthd/device.c :: daemon,recovery :: if \(!dv->bound\) \{ :: if (0) {
refresh-unconnected :: src/devauthd/device.c :: daemon,recovery :: if \(state != PCI_TSM_STATE_CONNECTED && state != PCI_TSM_STATE_BOUND\) \{(?=\n\t+ret = da_errf\(err, -ENXIO) :: if (0) {
# --- the bounded cursor
cursor-take-unbounded :: lib/cursor.c :: cursor,spdm_codec :: if \(n > cur_left\(c\)\)(?=\n\t+return -EBADMSG;\n\t\*out = c->p) :: if (0)
cursor-u64-no-restore :: lib/cursor.c :: cursor :: c->off = save; :: ;
wcur-room-unbounded :: lib/cursor.c :: cursor,spdm_codec :: if \(n > w->cap - w->len\) \{ :: if (0) {
# --- JSON files (policy, pin, configs)
json-dup-key-pass :: lib/json.c :: revalidate,verifier,daemon :: if \(!strcmp\(sorted\[i - 1\], sorted\[i\]\)\) \{ :: if (0) {
# --- secure sessions
sess-ke-sig-pass :: lib/requester/session.c :: session-tamper,session-pubkey :: ret = spdm_verify\(peer_key, :: ret = 0 * spdm_verify(peer_key,
sess-rsp-verify-pass :: lib/requester/session.c :: session-tamper :: ret = CRYPTO_memcmp\(vd, got, r->p\.hash_size\); :: ret = 0 * CRYPTO_memcmp(vd, got, r->p.hash_size);
sess-id-pass :: lib/session/secured.c :: session-secured,session-tamper :: if \(id != s->id\) :: if (0)
sess-seq-pass :: lib/session/secured.c :: session-secured,session-tamper :: if \(seqw && seq != \(uint16_t\)k->seq\) :: if (0)
sess-tag-pass :: lib/crypto/aead.c :: session-secured,session-tamper :: if \(EVP_DecryptFinal_ex\(a->ctx, pt \+ len, &n\) != 1\) :: if (0 * EVP_DecryptFinal_ex(a->ctx, pt + len, &n))
# --- secure sessions, responder side (devauth-emu)
rsp-finish-verify-pass :: lib/responder/rsp-session-core.c :: validator_12 :: if \(!ret && CRYPTO_memcmp\(vd, got, s->s\.hash_size\)\) :: if (0)
rsp-psk-hint-pass :: lib/responder/rsp-psk.c :: emu_session_ours_mctp :: \} else if \(!cfg->psk_len \|\| !hint_matches\(cfg, &k\)\) \{ :: } else if (0) {
rsp-in-session-finish-only :: lib/responder/rsp-session.c :: validator_12 :: return rsp_error\(&c, SPDM_ERR_UNEXPECTED_REQUEST, 0\);(?=\n\t\}\n\tif \(c\.hdr\.code != SPDM_GET_MEASUREMENTS\)) :: return rsp_heartbeat(&c);
# --- CXL IDE_KM and TSP, device side (devauth-emu)
cxl-idekm-reserved-pass :: lib/tdisp/cxl_ide_km.c :: emu-cxl :: if \(b\)(?=\n\t+return da_errf\(err, -EBADMSG, "CXL IDE_KM %s: %s 0x%02x is not zero") :: if (0)
cxl-idekm-b4-reserved-pass :: lib/tdisp/cxl_ide_km.c :: emu-cxl :: else if \(b4\) :: else if (0)
cxl-idekm-iv-trunc-pass :: lib/tdisp/cxl_ide_km.c :: emu-cxl :: if \(cur_ptr\(&c, CXL_IDEKM_IV_SIZE, iv\)\) :: if (0 * cur_ptr(&c, CXL_IDEKM_IV_SIZE, iv))
rsp-cxl-disabled-pass :: lib/responder/responder_internal.h :: emu-cxl :: r->dev->cfg\.tdisp\.cxl; :: 1;
rsp-cxl-query-port-pass :: lib/responder/rsp-cxl_ide_km.c :: emu-cxl :: port > tc->ide_max_port_index\)(?=\n\t\treturn -EBADMSG;\n\tfor) :: 0)
rsp-cxl-stream-id-pass :: lib/responder/rsp-cxl_ide_km.c :: emu-cxl :: return s->stream_id == 0 && :: return 1 &&
rsp-cxl-substream-pass :: lib/responder/rsp-cxl_ide_km.c :: emu-cxl :: \(s->kss & CXL_IDEKM_KSS_SUB_MASK\) == CXL_IDEKM_KSS_SUB_CXL && :: 1 &&
rsp-cxl-kss-reserved-pass :: lib/responder/rsp-cxl_ide_km.c :: emu-cxl :: !\(s->kss & reserved\) && :: 1 &&
rsp-cxl-port-pass :: lib/responder/rsp-cxl_ide_km.c :: emu-cxl :: s->port_index <= r->dev->cfg\.tdisp\.ide_max_port_index; :: 1;
rsp-cxl-keyprog-len-pass :: lib/responder/rsp-cxl_ide_km.c :: emu-cxl :: \} else if \(got != \(long\)len \|\| :: } else if (0 ||
rsp-cxl-get-key-tx-pass :: lib/responder/rsp-cxl_ide_km.c :: emu-cxl :: \|\| \(s\.kss & CXL_IDEKM_KSS_TX\)\) :: || 0)
rsp-cxl-go-unprogrammed-pass :: lib/responder/rsp-cxl_ide_km.c :: emu-cxl :: if \(!\(r->cxl\.programmed\[s\.port_index\] & bit\)\) :: if (0)
rsp-cxl-stop-keeps-key :: lib/responder/rsp-cxl_ide_km.c :: emu-cxl :: r->cxl\.programmed\[s\.port_index\] &= \(uint8_t\)~bit; :: ;
cxl-tsp-version-pass :: lib/tdisp/cxl_tsp.c :: emu-cxl :: if \(ver != CXL_TSP_VER_10\) :: if (0)
cxl-tsp-reserved-pass :: lib/tdisp/cxl_tsp.c :: emu-cxl :: if \(p\[i\]\) :: if (0)
rsp-tsp-set-config-len-pass :: lib/responder/rsp-cxl_tsp.c :: emu-cxl :: if \(cxl_tsp_decode_set_config\(req, len, &c, NULL\) != \(long\)len\) \{ :: if (cxl_tsp_decode_set_config(req, len, &c, NULL) < 0) {
rsp-tsp-mem-features-pass :: lib/responder/rsp-cxl_tsp.c :: emu-cxl :: if \(c->mem_enc_features & ~device_caps\.mem_enc_features\) :: if (0)
rsp-tsp-algorithm-pass :: lib/responder/rsp-cxl_tsp.c :: emu-cxl :: \(c->mem_enc_algorithm & ~device_caps\.mem_enc_algorithms\)\) :: 0)
rsp-tsp-te-features-pass :: lib/responder/rsp-cxl_tsp.c :: emu-cxl :: if \(c->te_features & ~device_caps\.te_features\) :: if (0)
rsp-tsp-cfg-features-pass :: lib/responder/rsp-cxl_tsp.c :: emu-cxl :: if \(c->cfg_features & ~cfg_ok\) :: if (0)
rsp-tsp-ckids-pass :: lib/responder/rsp-cxl_tsp.c :: emu-cxl :: if \(c->ckid_base \|\| c->ckids \|\| c->secondary_ckid_type\) :: if (0)
rsp-tsp-ib-granularity-pass :: lib/responder/rsp-cxl_tsp.c :: emu-cxl :: if \(g->length_index >= CXL_TSP_IB_GRAN_ENTRIES \|\| :: if (0 &&
rsp-tsp-validity-pass :: lib/responder/rsp-cxl_tsp.c :: emu-cxl :: if \(c->validity & ~\(\(1u << device_caps\.secondary_sessions\) - 1\)\) :: if (0)
rsp-tsp-set-locked-pass :: lib/responder/rsp-cxl_tsp.c :: emu-cxl :: if \(r->cxl\.tsp_state != CXL_TSP_STATE_CONFIG_UNLOCKED\) \{ :: if (0) {
rsp-tsp-lock-twice-pass :: lib/responder/rsp-cxl_tsp.c :: emu-cxl :: if \(r->cxl\.tsp_state != CXL_TSP_STATE_CONFIG_UNLOCKED\)(?=\n\t\treturn tsp_err) :: if (0)
rsp-tsp-lock-unconfigured-pass :: lib/responder/rsp-cxl_tsp.c :: emu-cxl :: if \(!r->cxl\.configured\)(?=\n\t\treturn tsp_err) :: if (0)
rsp-tsp-te-unlocked-pass :: lib/responder/rsp-cxl_tsp.c :: emu-cxl :: if \(r->cxl\.tsp_state != CXL_TSP_STATE_CONFIG_LOCKED \|\| :: if (0 &&
rsp-tsp-te-state-pass :: lib/responder/rsp-cxl_tsp.c :: emu-cxl :: \|\| t\.te_state > 1\) :: || 0)
rsp-tsp-range-empty-pass :: lib/responder/rsp-cxl_tsp.c :: emu-cxl :: if \(!m->length \|\| :: if (0 ||
rsp-tsp-range-aligned-pass :: lib/responder/rsp-cxl_tsp.c :: emu-cxl :: m->start % TE_GRANULARITY \|\| :: 0 ||
rsp-tsp-range-wrap-pass :: lib/responder/rsp-cxl_tsp.c :: emu-cxl :: m->start \+ m->length < m->start\) :: 0)
rsp-tsp-report-offset-pass :: lib/responder/rsp-cxl_tsp.c :: emu-cxl :: if \(!want \|\| off >= sizeof\(rep\)\) :: if (!want)
rsp-tsp-secondary-config-pass :: lib/responder/rsp-cxl_tsp.c :: emu-cxl :: if \(s && s->cxl_secondary\) \{ :: if (0) {
rsp-tsp-secondary-lock-pass :: lib/responder/rsp-cxl_tsp.c :: emu-cxl :: if \(s && s->cxl_secondary\)(?=\n\t\treturn tsp_err) :: if (0)
rsp-cxl-psk-validity-pass :: lib/responder/rsp-cxl_tsp.c :: emu-cxl :: if \(!\(r->cxl\.cfg\.validity & \(1u << i\)\) \|\| hint_len :: if (hint_len
rsp-cxl-psk-hint-pass :: lib/responder/rsp-cxl_tsp.c :: emu-cxl :: memcmp\(hint, want, \(size_t\)n \+ 1\)\) :: 0)
rsp-cxl-secondary-unmarked :: lib/responder/rsp-psk.c :: emu-cxl :: s->cxl_secondary = cxl_psk != NULL; :: s->cxl_secondary = 0;
req-psk-bounds-pass :: lib/requester/session.c :: emu-cxl :: if \(r->cfg\.psk_len > sizeof\(r->cfg\.psk\) \|\| r->cfg\.psk_hint_len > sizeof\(r->cfg\.psk_hint\)\) :: if (0)
# --- secure sessions, requester side: in-session requests, keylogs, mutual auth, slot 0xFF
sess-digests-mask-pass :: lib/requester/in_session_auth.c :: session-reqs :: if \(d\.provisioned_mask != r->info\.provisioned_mask\) \{ :: if (0) {
sess-digests-pass :: lib/requester/in_session_auth.c :: session-reqs :: !memcmp\(d\.digest\[s\], r->digest\[s\], r->p\.hash_size\)\) :: 1)
sess-chain-pass :: lib/requester/in_session_auth.c :: session-reqs :: if \(b\.len != r->chain\[s\]\.len \|\| memcmp\(b\.data, r->chain\[s\]\.data, b\.len\)\) \{ :: if (0) {
dump-keylog-unopened-pass :: src/devauth/dump.c :: session-dump :: ret = opened < secured && have_keys \? 1 : 0; :: ret = 0;
dump-keylog-direction :: src/devauth/dump.c :: session-dump :: dir = from_rsp \? "response" : "request"; :: dir = "request";
dump-psk-th2-finish :: lib/session/passive.c :: dump-tdisp :: if \(len < 2 \|\| \(msg\[1\] != SPDM_PSK_FINISH && :: if (len || (msg[1] != SPDM_PSK_FINISH &&
mut-auth-chain-hash-drop :: lib/requester/session.c :: session-mutual :: return ret \?: th_add\(x, h, r->p\.hash_size, err\); :: return ret;
mut-auth-sig-context :: lib/requester/session.c :: session-mutual :: SPDM_CTX_FINISH, x->h, sig, err\); :: SPDM_CTX_KEY_EXCHANGE_RSP, x->h, sig, err);
pubkey-cap-pass :: lib/requester/vca.c :: session-pubkey :: if \(!\(c\.flags & SPDM_CAP_PUB_KEY_ID\)\) :: if (0)
pubkey-hash-drop :: lib/requester/session.c :: session-pubkey :: ret = spdm_hash\(r->info\.neg\.base_hash, der, \(size_t\)n, ct\) \? :: ret = 0 ?
keylog-hex-digit-pass :: lib/session/keylog.c :: session-dump,fuzz_keylog-corpus :: hexval\(hi\) < 0 \|\| hexval\(lo\) < 0 \|\| :: 0 ||
# --- TDISP / IDE_KM (requester and codec)
tdisp-portion-over-pass :: lib/tdisp/requester.c :: tdisp-req :: if \(p\.portion_len > ask\) :: if (0)
tdisp-portion-zero-pass :: lib/tdisp/requester.c :: tdisp-req :: if \(!p\.portion_len\) :: if (0)
tdisp-report-total-pass :: lib/tdisp/requester.c :: tdisp-req :: \} else if \(\(uint32_t\)offset \+ p\.portion_len \+ p\.remainder_len != \*total\) \{ :: } else if (0) {
tdisp-report-trailing-pass :: lib/tdisp/report.c :: tdisp-req :: if \(!cur_at_end\(&c\)\) :: if (0)
tdisp-mmio-count-pass :: lib/tdisp/report.c :: tdisp-req :: if \(r->mmio_count > cur_left\(&c\) / TDISP_MMIO_RANGE_SIZE \|\| :: if (0 &&
tdisp-iface-echo-pass :: lib/tdisp/requester.c :: tdisp-req :: if \(h\.iface\.function_id != t->iface\.function_id \|\| h\.iface\.reserved != t->iface\.reserved\) :: if (0)
tdisp-version-echo-pass :: lib/tdisp/requester.c :: tdisp-req :: if \(h\.version != req\[0\]\) :: if (0)
tdisp-type-pass :: lib/tdisp/requester.c :: tdisp-req :: if \(h\.type != expect\) :: if (0)
tdisp-error-ignored :: lib/tdisp/requester.c :: tdisp-req,tdisp :: if \(h\.type == TDISP_ERROR\) \{ :: if (0) {
tdisp-trailing-pass :: lib/tdisp/requester.c :: tdisp-req :: if \(\(size_t\)got != len\) :: if (0)
tdisp-lock-flags-pass :: lib/tdisp/requester.c :: tdisp-req,tdisp :: if \(t->have_caps && \(p->flags & ~t->caps\.lock_flags_supported\)\) :: if (0)
tdisp-no-v10-pass :: lib/tdisp/requester.c :: tdisp-req :: if \(!t->version\)(?=\n\t+ret = da_errf\(err, -EPROTONOSUPPORT) :: if (0)
tdisp-need-version-pass :: lib/tdisp/requester.c :: tdisp-req :: if \(!t->version\)(?=\n\t+return da_errf\(err, -EPROTO, "%s: TDISP %s before) :: if (0)
vendor-standard-id-pass :: lib/spdm/vendor_defined.c :: tdisp-req :: if \(m\.standard_id != SPDM_REGISTRY_PCISIG\) :: if (0)
vendor-vendor-id-pass :: lib/spdm/vendor_defined.c :: tdisp-req :: if \(m\.vendor_id_len != 2 \|\| :: if (0 &&
rsp-tdisp-start-nonce-pass :: lib/responder/rsp-tdisp.c :: emu-tdisp :: ok = !CRYPTO_memcmp\(nonce, t->nonce, sizeof\(nonce\)\) \|\| :: ok = 1 ||
rsp-tdisp-start-unlocked-pass :: lib/responder/rsp-tdisp.c :: emu-tdisp :: if \(t->state != TDISP_STATE_CONFIG_LOCKED && !FAULT\(r, START_UNLOCKED\)\) \{ :: if (0) {
rsp-tdisp-lock-locked-pass :: lib/responder/rsp-tdisp.c :: emu-tdisp :: if \(t->state != TDISP_STATE_CONFIG_UNLOCKED\) \{ :: if (0) {
rsp-tdisp-session-lost-pass :: lib/responder/rsp-tdisp.c :: emu-tdisp :: !session_alive\(r, r->tdi\[i\]\.owner\)\) :: 0)
vendor-large-pass :: lib/spdm/vendor_defined.c :: tdisp-req :: if \(ver >= SPDM_VER_14 && \(p1 & SPDM_VENDOR_LARGE\)\) :: if (0)
idekm-kp-status-pass :: lib/tdisp/ide_km_req.c :: tdisp-req :: if \(!ret && ack\.status != IDEKM_KP_SUCCESS\) :: if (0)
idekm-echo-pass :: lib/tdisp/ide_km_req.c :: tdisp-req :: if \(got->stream_id != want->stream_id \|\| got->kss != want->kss \|\| :: if (0 &&
idekm-query-port-pass :: lib/tdisp/ide_km_req.c :: tdisp-req :: if \(!ret && qr\.port_index != port_index\) :: if (0)
idekm-trailing-pass :: lib/tdisp/ide_km_req.c :: tdisp-req :: if \(\(size_t\)got != len\) :: if (0)
tdisp-busy-bound :: src/devauthd/tdisp.c :: daemon_tdisp :: if \(dv->state == PCI_TSM_STATE_BOUND\)(?=\n\t\tret = da_errf) :: if (0)
tdisp-lock-unconnected :: src/devauthd/tdisp.c :: daemon,daemon_tdisp :: else if \(dv->state != PCI_TSM_STATE_CONNECTED \|\| !dv->have_evidence\) :: else if (0)
tdisp-accept-unlocked :: src/devauthd/tdisp.c :: daemon,daemon_tdisp :: else if \(need_lock && !dv->td\) :: else if (0)
tdisp-bind-locked :: src/devauthd/device.c :: daemon_tdisp :: if \(dv->td && dv->tdisp_state != TDISP_STATE_RUN\) \{ :: if (0) {
tdisp-connect-locked :: src/devauthd/device.c :: daemon_tdisp :: if \(dv->td\) \{(?=\n\t\tdev_op_unlock\(dv\);\n\t\treturn da_errf\(err, -EBUSY, "%s: %s: the TDISP) :: if (0) {
tdisp-accept-stale-generation :: src/devauthd/tdisp.c :: tdisp_hold :: if \(!ret && have_gen && gen != dv->generation\) :: if (0)
tdisp-heartbeat-fail-kept :: src/devauthd/tdisp.c :: tdisp_hold :: if \(ret\)(?=\n\t\tdev_tdisp_fall_out\(d, dv, err\.msg\);\n\telse) :: if (0)
tdisp-link-lost-kept :: src/devauthd/device.c :: tdisp_hold :: if \(dv->td\) \{(?=\n\t\tdev_tdisp_fall_out\(d, dv, reason\);) :: if (0) {
tdisp-fall-out-unbind :: src/devauthd/tdisp.c :: tdisp_hold :: if \(dv->state == PCI_TSM_STATE_BOUND\)(?=\n\t\tdv->state = dv->have_evidence) :: if (0)
tdisp-accept-fail-kept :: src/devauthd/tdisp.c :: tdisp_hold :: if \(ret\)(?=\n\t\tdev_tdisp_fall_out\(d, dv, err->msg\);) :: if (0)
tdisp-keepalive-state-ignored :: src/devauthd/tdisp.c :: tdisp_hold :: if \(!ret && state != dv->tdisp_state\) :: if (0)
rsp-tdisp-update-keeps-lock :: lib/responder/rsp-tdisp.c :: tdisp_hold :: \(updated \|\| !session_alive :: (0 || !session_alive
# --- chunking
chunk-handle-pass :: lib/spdm/chunk.c :: spdm_codec,requester-chunk :: if \(c->handle != rx->handle\) :: if (0)
chunk-seq-pass :: lib/spdm/chunk.c :: spdm_codec,requester-chunk :: if \(c->seq != rx->next_seq\) :: if (0)
# --- pci-tsm attributes
pci-tsm-byte-range-pass :: lib/tsm/pci_tsm.c :: pci_tsm :: if \(x > 0xff\) :: if (0)
pci-tsm-unpadded-datagram-pass :: lib/tsm/pci_tsm.c :: pci_tsm :: if \(nlh\.nlmsg_len <= len && len < NLMSG_ALIGN\(nlh\.nlmsg_len\)\) :: if (0)
genl-attr-into-padding-pass :: lib/tsm/genl.c :: pci_tsm :: if \(off \+ mnl_attr_get_len\(a\) > w->msg_len\) \{ :: if (0) {
genl-capture-len-pass :: lib/tsm/genl.c :: pci_tsm :: if \(h\.nlmsg_len < sizeof\(h\) \|\| h\.nlmsg_len > cur_left\(&cap->c\)\) :: if (0)
# --- 1.4 large certificate chains (LargeCertChain)
large-cert-cap-pass :: lib/requester/certificate.c :: requester-large-cert :: if \(g\.large && !\(r->info\.rsp_caps & SPDM_CAP_LARGE_RESP\)\) :: if (0)
large-cert-form-pass :: lib/requester/certificate.c :: requester-large-cert :: if \(c\.large != g\.large\) :: if (0)
large-cert-size-pass :: lib/requester/certificate.c :: requester-large-cert :: if \(sum > max\) :: if (0)
cert-portion-over-pass :: lib/requester/certificate.c :: requester-large-cert :: if \(c\.portion_len > g\.length\) :: if (0)
cert-no-progress-pass :: lib/requester/certificate.c :: requester-large-cert :: if \(!c\.portion_len && c\.remainder_len\) :: if (0)
cert-total-drift-pass :: lib/requester/certificate.c :: requester-live :: if \(total != r->reading_total\) :: if (0)
large-chain-length-pass :: lib/crypto/x509.c :: requester-large-cert :: \(len <= UINT16_MAX \|\| \(\(uint32_t\)reserved << 16 \| length\) != len\)\) :: (len <= UINT16_MAX))
rsp-large-cert-cap-pass :: lib/responder/rsp-certificate.c :: responder-large-cert :: if \(g\.large && !\(r->dev->cfg\.caps & SPDM_CAP_LARGE_RESP\)\) :: if (0)
rsp-large-chain-16bit-pass :: lib/responder/rsp-certificate.c :: dmtf_large_cert :: if \(!g\.large && chain->len > SPDM_MAX_CERT_CHAIN_SIZE\) :: if (0)
# --- devauthd: re-authentication, exec pins, slots
reauth-chain-pass :: src/devauthd/reauth.c :: reauth :: if \(memcmp\(digest, dv->bound_digest\[slot\], hs\)\) :: if (0)
exec-owner-pass :: lib/verifier/exec.c :: hygiene :: if \(st->st_uid != 0 && st->st_uid != geteuid\(\)\) :: if (0)
exec-writable-pass :: lib/verifier/exec.c :: hygiene :: if \(st->st_mode & \(S_IWGRP \| S_IWOTH\)\) :: if (0)
group-reserve-off :: src/devauthd/guard.c :: hygiene :: else if \(uid != 0 && !member && :: else if (0 &&
slots-per-uid-off :: src/devauthd/guard.c :: hygiene :: else if \(uid != 0 && e && e->conns >= CONN_PER_UID\) :: else if (0)
# --- verifier: the TDISP report and the policy's tdisp section; attest --tdisp
vtdisp-report-decode-ignored :: lib/verifier/tdisp_policy.c :: tdisp-policy :: if \(tdisp_decode_report\(rep, len, &r, &err\) < 0\) \{ :: if (tdisp_decode_report(rep, len, &r, &err) < -4096) {
vtdisp-no-report-pass :: lib/verifier/tdisp_policy.c :: tdisp-policy :: if \(t\)(?=\n\t+da_check_add\(l, "tdisp\.report", DA_CHECK_FAIL) :: if (0)
vtdisp-reserved-pass :: lib/verifier/tdisp_policy.c :: tdisp-policy :: if \(r->reserved\) \{ :: if (0) {
vtdisp-info-reserved-pass :: lib/verifier/tdisp_policy.c :: tdisp-policy :: if \(r->interface_info & TDISP_INFO_RESERVED\) \{ :: if (0) {
vtdisp-attr-reserved-pass :: lib/verifier/tdisp_policy.c :: tdisp-policy :: if \(m\.attributes & TDISP_MMIO_RESERVED\) \{ :: if (0) {
vtdisp-page-align-pass :: lib/verifier/tdisp_policy.c :: tdisp-policy :: if \(m\.first_page & 0xfff\) \{ :: if (0) {
vtdisp-empty-range-pass :: lib/verifier/tdisp_policy.c :: tdisp-policy :: if \(!m\.pages\) \{ :: if (0) {
vtdisp-range-count-pass :: lib/verifier/tdisp_policy.c :: tdisp-policy :: if \(r->mmio_count != t->nranges\) \{ :: if (0) {
vtdisp-pages-pass :: lib/verifier/tdisp_policy.c :: tdisp-policy,attest_tdisp :: if \(w->have_pages && m\.pages != w->pages\) \{ :: if (0) {
vtdisp-attributes-pass :: lib/verifier/tdisp_policy.c :: tdisp-policy :: if \(w->have_attributes && m\.attributes != w->attributes\) \{ :: if (0) {
vtdisp-range-id-pass :: lib/verifier/tdisp_policy.c :: tdisp-policy :: if \(w->have_range_id && m\.range_id != w->range_id\) \{ :: if (0) {
vtdisp-dsi-hex-pass :: lib/verifier/tdisp_policy.c :: tdisp-policy,attest_tdisp :: if \(t->dsi\.len == r->dsi_len && \(!r->dsi_len \|\| !memcmp\(t->dsi\.data, r->dsi, r->dsi_len\)\)\) :: if (1)
vtdisp-dsi-sha256-pass :: lib/verifier/tdisp_policy.c :: tdisp-policy :: if \(memcmp\(h, t->dsi_sha256, sizeof\(h\)\)\) :: if (0)
vtdisp-versions-open :: lib/verifier/tdisp_policy.c :: tdisp-policy :: if \(t->nversions && !v->have_tdisp_lock\) \{ :: if (0) {
vtdisp-interface-id-open :: lib/verifier/tdisp_policy.c :: tdisp-policy :: if \(t->have_interface_id && !v->have_tdisp_lock\) :: if (0)
vtdisp-version-pass :: lib/verifier/tdisp_policy.c :: tdisp-policy,attest_tdisp :: ok \|= t->versions\[i\] == v->tdisp_version; :: ok |= 1;
vtdisp-interface-id-pass :: lib/verifier/tdisp_policy.c :: tdisp-policy,attest_tdisp :: else if \(t->have_interface_id && \(v->interface_id != t->interface_id \|\| :: else if (0 && (v->interface_id != t->interface_id ||
vtdisp-interface-id-reserved-pass :: lib/verifier/tdisp_policy.c :: tdisp-policy :: (?<=\t)  v->interface_id_reserved\)\) ::   0))
# --- verifier: the SESSION object (KEY_EXCHANGE_RSP signature, the nonce as RandomData)
vsession-sig-pass :: lib/verifier/session_ev.c :: session-evidence,attest_tdisp :: spdm_verify\(leaf, i->neg\.base_asym :: 0 * spdm_verify(leaf, i->neg.base_asym
vsession-nonce-pass :: lib/verifier/session_ev.c :: session-evidence,attest_tdisp :: else if \(CRYPTO_memcmp\(s\.ke\.random, o->nonce, SPDM_NONCE_SIZE\)\) :: else if (0)
vsession-slot-pass :: lib/verifier/session_ev.c :: session-evidence :: if \(s->ke\.slot != i->neg\.slot\) :: if (0)
vsession-report-alone-pass :: lib/verifier/session_ev.c :: session-evidence,verifier,attest_tdisp :: if \(ev->obj\[DA_EV_REPORT\]\.len\) :: if (0)
vsession-trailing-pass :: lib/verifier/session_ev.c :: session-evidence :: if \(len - off != TDISP_HDR_SIZE\) :: if (0)
vsession-hdr-type-pass :: lib/verifier/session_ev.c :: session-evidence :: if \(s->hdr\.type != TDISP_LOCK_INTERFACE_REQ \|\| s->hdr\.reserved\) :: if (0)
ke-random-caller-ignored :: lib/requester/session.c :: session-evidence,attest_tdisp :: memcpy\(k\.random, r->cfg\.ke_random, sizeof\(k\.random\)\); :: ;
vtdisp-info-required-pass :: lib/verifier/tdisp_policy.c :: tdisp-policy :: missing = t->info_required & ~r->interface_info; :: missing = 0;
vtdisp-info-forbidden-pass :: lib/verifier/tdisp_policy.c :: tdisp-policy :: extra = t->info_forbidden & r->interface_info; :: extra = 0;
vtdisp-required-forbidden-both :: lib/verifier/tdisp_policy.c :: tdisp-policy :: if \(t->info_required & t->info_forbidden\) :: if (0)
attest-tdisp-verdict-ignored :: src/devauth/attest_tdisp.c :: attest_tdisp :: if \(!res->accepted\) \{(?=\n\t+refuse) :: if (0) {
attest-tdisp-refuse-no-unlock :: src/devauth/attest_tdisp.c :: attest_tdisp :: if \(ipc_simple\(ipc, PCI_TSM_CMD_UNLOCK, res->dev, &err\) && err\.code != -EALREADY\) \{ :: if (0) {
attest-tdisp-run-reattested :: src/devauth/attest_tdisp.c :: attest_tdisp :: if \(d\.tdisp && d\.tdisp_state == TDISP_STATE_RUN\) \{ :: if (0) {
tdisp-accept-report-reread-pass :: src/devauthd/tdisp.c :: tdisp_fleet :: if \(!same\) :: if (0)
tdisp-lock-refused-not-undone :: src/devauthd/tdisp.c :: tdisp_fleet :: undo_lock\(td\); :: if (0) undo_lock(td);
"""

SRC = os.getcwd()
WORK = os.environ.get("MUTATE_WORK", os.path.join(SRC, "build-mutate"))
TREE = os.path.join(WORK, "tree")
BUILD = os.path.join(WORK, "build")
LOGS = os.path.join(WORK, "logs")


def rows():
    out = []
    for line in TABLE.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        f = [x.strip() for x in line.split(" :: ")]
        if len(f) != 5:
            sys.exit("mutate: bad row: " + line)
        out.append({"name": f[0], "file": f[1], "tests": f[2].split(","),
                    "pattern": f[3], "repl": f[4]})
    names = [r["name"] for r in out]
    dups = {n for n in names if names.count(n) > 1}
    if dups:
        sys.exit("mutate: duplicate rows: " + ", ".join(sorted(dups)))
    return out


def find(row, text):
    """The one match of the row's pattern, or an error string."""
    ms = list(re.finditer(row["pattern"], text, re.M))
    if len(ms) != 1:
        return None, "pattern matches %d times in %s" % (len(ms), row["file"])
    if "\n" in ms[0].group(0):
        return None, "pattern spans more than one line"
    return ms[0], None


def sync_tree():
    files = subprocess.run(["git", "ls-files", "-z", "-co", "--exclude-standard"],
                           check=True, capture_output=True).stdout.split(b"\0")
    for f in files:
        f = f.decode()
        if not f or not os.path.isfile(f):
            continue
        dst = os.path.join(TREE, f)
        with open(f, "rb") as a:
            data = a.read()
        try:
            with open(dst, "rb") as b:
                if b.read() == data:
                    continue
        except FileNotFoundError:
            os.makedirs(os.path.dirname(dst), exist_ok=True)
        with open(dst, "wb") as b:
            b.write(data)
        shutil.copymode(f, dst)
    # ../shared from the tree is where the tests find the DMTF peers and captures.
    link = os.path.join(WORK, "shared")
    if not os.path.lexists(link):
        os.symlink(os.path.realpath(os.path.join(SRC, "..", "shared")), link)


def sh(cmd, log, timeout=None):
    with open(log, "w") as f:
        return subprocess.run(cmd, stdout=f, stderr=subprocess.STDOUT, timeout=timeout).returncode


def ninja(log, targets=()):
    return sh(["nice", "ninja", "-C", BUILD] + list(targets), log)


def introspect(what):
    return json.loads(subprocess.run(["meson", "introspect", "--" + what, BUILD], check=True,
                                     capture_output=True).stdout)


def test_targets(tests, names):
    """The ninja targets the named tests run (their executables and depends)."""
    files = {}
    for t in introspect("targets"):
        files[t["id"]] = t["filename"]
    out = set()
    for t in tests:
        if t["name"] in names:
            for dep in t["depends"]:
                for f in files.get(dep, []):
                    out.add(os.path.relpath(f, BUILD))
    return sorted(out)


def meson_test(name, log):
    return sh(["meson", "test", "-C", BUILD, "--no-rebuild", "--num-processes", "1",
               "--print-errorlogs", name], log)


def main(argv):
    check_only = "--check" in argv
    want = [a for a in argv if not a.startswith("--")]
    table = rows()
    if want:
        unknown = set(want) - {r["name"] for r in table}
        if unknown:
            sys.exit("mutate: no such rows: " + ", ".join(sorted(unknown)))
        table = [r for r in table if r["name"] in want]

    bad = 0
    for r in table:
        with open(r["file"]) as f:
            _, e = find(r, f.read())
        if e:
            print("mutate: %s: %s" % (r["name"], e))
            bad += 1
    if bad or check_only:
        print("mutate: %d rows, %d patterns broken" % (len(table), bad))
        return 1 if bad else 0

    os.makedirs(LOGS, exist_ok=True)
    t0 = time.time()
    sync_tree()
    if not os.path.isdir(os.path.join(BUILD, "meson-info")):
        # No -Werror: a mutant may leave a variable unused.
        if sh(["meson", "setup", BUILD, TREE, "-Dwerror=false"], os.path.join(LOGS, "setup.log")):
            sys.exit("mutate: meson setup failed, see %s/setup.log" % LOGS)
    if ninja(os.path.join(LOGS, "build.log")):
        sys.exit("mutate: the unmutated tree does not build, see %s/build.log" % LOGS)
    all_tests = introspect("tests")
    known = {t["name"] for t in all_tests}
    # The tests must pass unmutated, or a "kill" means nothing.
    needed = sorted({t for r in table for t in r["tests"]})
    missing = [t for t in needed if t not in known]
    if missing:
        sys.exit("mutate: rows name tests the build does not have: " + ", ".join(missing))
    for t in needed:
        if meson_test(t, os.path.join(LOGS, "baseline-%s.log" % t)):
            sys.exit("mutate: test %s fails on the unmutated tree, see %s/baseline-%s.log"
                     % (t, LOGS, t))
    print("mutate: baseline (%d tests) passes, %.0f s" % (len(needed), time.time() - t0))

    results = []
    for r in table:
        path = os.path.join(TREE, r["file"])
        with open(path) as f:
            orig = f.read()
        m, e = find(r, orig)
        status, killer, t1 = "", "-", time.time()
        if e:
            status = "NO-MATCH"
        else:
            mutated = orig[:m.start()] + r["repl"] + orig[m.end():]
            try:
                with open(path, "w") as f:
                    f.write(mutated)
                blog = os.path.join(LOGS, "%s-build.log" % r["name"])
                # Only what the row's tests run: no relinking of the rest.
                if ninja(blog, test_targets(all_tests, r["tests"])):
                    status = "BUILD-FAIL"
                else:
                    status = "SURVIVED"
                    for t in r["tests"]:
                        if meson_test(t, os.path.join(LOGS, "%s-%s.log" % (r["name"], t))):
                            status, killer = "killed", t
                            break
            finally:
                with open(path, "w") as f:
                    f.write(orig)
        results.append((r, status, killer, time.time() - t1))
        print("mutate: %-26s %-10s %-22s %5.0f s" % (r["name"], status, killer,
                                                      time.time() - t1), flush=True)
    # Leave the build matching the tree.
    ninja(os.path.join(LOGS, "build.log"))

    print()
    print("| mutation | file | line broken | result | killed by |")
    print("|---|---|---|---|---|")
    for r, status, killer, _ in results:
        print("| %s | %s | `%s` -> `%s` | %s | %s |" % (
            r["name"], r["file"], r["pattern"].split("(?=")[0].replace("\\", "").replace("|", "\\|"),
            r["repl"].replace("|", "\\|"), status, killer))
    n_bad = sum(1 for _, s, _, _ in results if s != "killed")
    print()
    print("mutate: %d mutants, %d killed, %d not (%.0f s)" % (
        len(results), len(results) - n_bad, n_bad, time.time() - t0))
    return 1 if n_bad else 0


sys.exit(main(sys.argv[1:]))
PY
