#!/usr/bin/env bash
# The CLI contract of devauth(1), table-driven over every subcommand:
# exit 0 ok / 1 a check failed or the device or TSM refused / 2 usage,
# unreadable or invalid input, an unreachable devauthd or device; every
# numeric option range-checked; --version on every binary; `devauth help
# CMD` is `devauth CMD --help`; each --help lists its options and the man
# pages mention every one of them; every --json output is saved under
# $JSON_OUT (or a temporary directory) and validated against its schema
# in docs/json/ by tests/e2e/json_validate.py.
#
# usage: cli_contract.sh DEVAUTH DEVAUTHD DEVAUTH-EMU
set -u
devauth=$(realpath "$1")
daemon=$(realpath "$2")
emu=$(realpath "$3")
src=${DEVAUTH_SRC:?}
vectors=${DEVAUTH_VECTORS:?}
work=$(mktemp -d)
emu_pid=
d_pid=
passed=0
failed=0
trap '[ -n "$d_pid" ] && kill "$d_pid" 2>/dev/null; [ -n "$emu_pid" ] && kill "$emu_pid" 2>/dev/null;
      wait 2>/dev/null; rm -rf "$work"' EXIT
json_dir=${JSON_OUT:-$work/json}
mkdir -p "$json_dir"

ok() { passed=$((passed + 1)); echo "ok: $*"; }
bad() { failed=$((failed + 1)); echo "FAILED: $*"; }
finish() {
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ]
	exit $?
}

# row EXIT "substring or ''" DESCRIPTION -- ARGS... : devauth ARGS must exit EXIT.
row() {
	local code=$1 want=$2 what=$3 got
	shift 3
	"$devauth" "$@" >"$work/out" 2>"$work/err"
	got=$?
	if [ "$got" -ne "$code" ]; then
		bad "$what: exit $got, expected $code"
		sed 's/^/    /' "$work/out" "$work/err" | tail -8
		return 1
	fi
	if [ -n "$want" ] && ! grep -qF -- "$want" "$work/out" "$work/err"; then
		bad "$what: output lacks \"$want\""
		sed 's/^/    /' "$work/out" "$work/err" | tail -8
		return 1
	fi
	ok "$what (exit $code)"
}
# jrow SCHEMA EXIT DESCRIPTION -- ARGS...: as row, and stdout is one JSON
# document (or one per line for monitor) kept for the schema validation.
jrow() {
	local schema=$1
	shift
	row "$@" || return
	shift 3
	cp "$work/out" "$json_dir/$schema.$passed.json"
}

wait_for() { # FILE PID
	for _ in $(seq 3000); do
		[ -s "$1" ] && return 0
		kill -0 "$2" 2>/dev/null || return 1
		sleep 0.01
	done
	return 1
}

# --- the rig: devauth-emu with five devices, devauthd owning three ---------
"$emu" pki --out "$work/pki" --count 1 >/dev/null 2>&1 || { bad "devauth-emu pki"; finish; }
"$emu" pki --out "$work/other" --count 1 >/dev/null 2>&1 || { bad "devauth-emu pki"; finish; }
chain=$work/pki/dev0/slot0/chain.der
key=$work/pki/dev0/slot0/key.pem
pci='"pci": { "vendor": "0x1b36", "device": "0x0100", "class": "0x010802", "revision": 1 }'
cat >"$work/emu.json" <<JSON
{ "devices": [
  { "name": "0000:01:00.0", "port-offset": 0, $pci,
    "slots": [ { "slot": 0, "chain": "$chain", "key": "$key" } ] },
  { "name": "0000:02:00.0", "port-offset": 1, "asym": ["ecdsa-p256"], "faults": ["bad-challenge-sig"] },
  { "name": "0000:03:00.0", "port-offset": 2, "asym": ["ecdsa-p256"], "faults": ["no-san"] },
  { "name": "0000:04:00.0", "port-offset": 3, $pci,
    "slots": [ { "slot": 0, "chain": "$chain", "key": "$key" } ] },
  { "name": "0000:05:00.0", "port-offset": 4, "asym": ["ecdsa-p256"], "faults": ["bad-challenge-sig"] }
] }
JSON
for _ in 1 2 3 4 5; do
	port=$((20000 + RANDOM % 40000))
	rm -f "$work/emu.ready"
	"$emu" serve --config "$work/emu.json" --listen "127.0.0.1:$port" --ctl none \
		--ready-file "$work/emu.ready" 2>"$work/emu.log" &
	emu_pid=$!
	wait_for "$work/emu.ready" "$emu_pid" && break
	kill "$emu_pid" 2>/dev/null
	wait "$emu_pid" 2>/dev/null
	emu_pid=
done
[ -n "$emu_pid" ] || { bad "devauth-emu did not start"; cat "$work/emu.log"; finish; }
# devauthd owns the first three; the last two are probe's.
head -3 "$work/emu.ready" >"$work/daemon.ready"
echo "{ \"emu-ready-file\": \"$work/daemon.ready\" }" >"$work/devauthd.json"
"$daemon" --config "$work/devauthd.json" --socket "$work/d.sock" --state-dir "$work/state" \
	--ready-file "$work/d.ready" 2>"$work/d.log" &
d_pid=$!
wait_for "$work/d.ready" "$d_pid" || { bad "devauthd did not start"; cat "$work/d.log"; finish; }
export DEVAUTH_SOCKET=$work/d.sock
D0=0000:01:00.0		# good
D1=0000:02:00.0		# CHALLENGE_AUTH signature broken: the TSM refuses to connect it
D2=0000:03:00.0		# no PCIe identity: connects, the policy refuses it
P0=127.0.0.1:$((port + 3))
P1=127.0.0.1:$((port + 4))
NODEV=0000:7f:00.0
NOSOCK=(--socket "$work/none.sock")
root=$work/pki/root.der
: >"$work/empty.pem"
printf 'garbage, not DER\n' >"$work/garbage.der"
cp "$key" "$work/key-as-root.pem"
cat >"$work/policy.json" <<JSON
{ "version": 1, "require_pcie_identity": true, "trust_anchors": ["$root"] }
JSON
cap=$vectors/v13_p256_sha256/exchange.pcap

# --- every binary: --version, bad options -----------------------------------
for b in "$devauth" "$daemon" "$emu"; do
	n=${b##*/}
	out=$("$b" --version 2>&1) && grep -qE "^$n [0-9]+\.[0-9]+" <<<"$out" &&
		ok "$n --version: $out" || bad "$n --version: '$out'"
	"$b" --no-such-option >/dev/null 2>&1
	rc=$?
	[ "$rc" -eq 2 ] && ok "$n --no-such-option (exit 2)" || bad "$n --no-such-option: exit $rc"
done
"$emu" serve --devices abc --ctl none >/dev/null 2>&1
rc=$?
[ "$rc" -eq 2 ] && ok "devauth-emu --devices abc (exit 2)" || bad "devauth-emu --devices abc: exit $rc"
"$daemon" --config "$work/devauthd.json" --op-timeout-ms -5 >/dev/null 2>&1
rc=$?
[ "$rc" -eq 2 ] && ok "devauthd --op-timeout-ms -5 (exit 2)" || bad "devauthd --op-timeout-ms -5: exit $rc"
row 2 "" "devauth without a subcommand"
row 2 "invalid subcommand" "devauth frobnicate" frobnicate

# --- help: every subcommand of the table ------------------------------------
subcommands=$("$devauth" help | awk '/^Available subcommands:/ { on = 1; next }
	on && /^  [a-z]/ { print $1 } on && /^$/ { on = 0 }')
[ "$(wc -w <<<"$subcommands")" -ge 15 ] && ok "devauth help lists $(wc -w <<<"$subcommands") subcommands" ||
	bad "devauth help lists only: $subcommands"
man_text=$(for m in "$src"/docs/devauth.1 "$src"/docs/devauth-verify.1; do
	groff -man -Tutf8 -P-cbou "$m" 2>/dev/null; done | sed 's/\xe2\x80\x90/-/g; s/‐/-/g')
for c in $subcommands; do
	"$devauth" "$c" --help >"$work/h1" 2>&1
	rc=$?
	"$devauth" help "$c" >"$work/h2" 2>&1
	[ "$rc" -eq 0 ] && ok "$c --help (exit 0)" || bad "$c --help: exit $rc"
	cmp -s "$work/h1" "$work/h2" && ok "devauth help $c = devauth $c --help" ||
		bad "devauth help $c differs from devauth $c --help"
	for o in --json --pretty --quiet --help; do
		grep -q -- "$o" "$work/h1" || bad "$c --help does not list $o"
	done
	"$devauth" "$c" --no-such-option >/dev/null 2>&1
	rc=$?
	[ "$rc" -eq 2 ] && ok "$c --no-such-option (exit 2)" || bad "$c --no-such-option: exit $rc"
	missing=
	for o in $(grep -oE -- '--[a-z][a-z0-9-]+' "$work/h1" | sort -u); do
		grep -qF -- "$o" <<<"$man_text" || missing="$missing $o"
	done
	[ -z "$missing" ] && ok "the man pages mention every option of $c --help" ||
		bad "the man pages miss options of $c:$missing"
done

manual() { groff -man -Tutf8 -P-cbou "$1" 2>/dev/null | sed 's/\xe2\x80\x90/-/g'; }
for h in "$daemon --help:devauthd.8" "$emu serve --help:devauth-emu.1" \
	"$emu ctl --help:devauth-emu.1" "$emu pki --help:devauth-emu.1"; do
	cmd=${h%:*}
	page=$src/docs/${h##*:}
	$cmd >"$work/h1" 2>&1 || bad "$cmd: exit $?"
	text=$(manual "$page")
	missing=
	for o in $(grep -oE -- '--[a-z][a-z0-9-]+' "$work/h1" | sort -u); do
		grep -qF -- "$o" <<<"$text" || missing="$missing $o"
	done
	[ -z "$missing" ] && ok "${page##*/} mentions every option of ${cmd##*/}" ||
		bad "${page##*/} misses options of ${cmd##*/}:$missing"
done

# --- probe: straight to a device --------------------------------------------
jrow probe 0 "" "probe a good device" probe --connect "$P0" --trust "$root" --json
row 0 "verdict: all checks passed" "probe (text)" probe --connect "$P0" --quiet
jrow probe 1 "" "probe a device with a broken signature" probe --connect "$P1" --json
row 1 "" "probe under another root" probe --connect "$P0" --trust "$work/other/root.der"
row 2 "connect" "probe: nothing listening" probe --connect 127.0.0.1:1
row 1 "try another --transport" "probe with the wrong framing (hint)" probe --connect "$P0" \
	--transport mctp
row 2 "1 to 65535" "probe: port 99999" probe --connect 127.0.0.1:99999
row 2 "1 to 65535" "probe: port abc" probe --connect 127.0.0.1:abc
row 2 "--timeout-ms" "probe --timeout-ms abc" probe --connect "$P0" --timeout-ms abc
row 2 "--timeout-ms" "probe --timeout-ms -5" probe --connect "$P0" --timeout-ms -5
row 2 "--timeout-ms" "probe --timeout-ms 99999999" probe --connect "$P0" --timeout-ms 99999999
row 2 "--slot" "probe --slot 8" probe --connect "$P0" --slot 8
row 2 "" "probe --trust missing" probe --connect "$P0" --trust "$work/none.der"
row 2 "empty file" "probe --trust (empty file)" probe --connect "$P0" --trust "$work/empty.pem"
row 2 "not a CERTIFICATE" "probe --trust (a private key)" probe --connect "$P0" \
	--trust "$work/key-as-root.pem"
row 2 "" "probe --trust (garbage)" probe --connect "$P0" --trust "$work/garbage.der"
row 2 "" "probe without --connect" probe
row 2 "e.g. Vendor=8086" "probe --identity garbage" probe --connect "$P0" --identity garbage
grep -q '%0' "$work/err" && bad "probe --identity prints printf formats" ||
	ok "probe --identity explains the form"
"$devauth" probe --connect 127.0.0.1:1 2>&1 | grep -q '127.0.0.1:1: 127.0.0.1:1' &&
	bad "probe repeats the device prefix" || ok "probe names the device once"

# --- dump -------------------------------------------------------------------
jrow dump 0 "" "dump a capture" dump "$cap" --json
jrow dump 0 "" "dump --verify" dump "$cap" --verify --pretty
jrow dump 1 "" "dump under the wrong root" dump "$cap" --trust "$vectors/v13_p256_sha256/root-slot1.der" -j
row 2 "" "dump a missing file" dump "$work/none.pcap"
row 0 "verdict: all checks passed" "dump --quiet" dump "$cap" --verify --quiet
[ "$(wc -l <"$work/out")" -eq 1 ] && ok "dump --quiet prints the verdict only" ||
	bad "dump --quiet printed $(wc -l <"$work/out") lines"
row 1 "REJECTED: trust" "verify --quiet" verify --pcap "$cap" \
	--trust "$vectors/v13_p256_sha256/root-slot1.der" --quiet
grep -q "trust: .*trust:" "$work/out" && bad "the trust reason repeats 'trust:'" ||
	ok "the trust reason says 'trust' once"
row 2 "" "dump --trust (empty file)" dump "$cap" --trust "$work/empty.pem"
"$devauth" dump "$work/garbage.der" 2>&1 | grep -qE "garbage.der: .*garbage.der" &&
	bad "dump repeats the file name" || ok "dump names the file once"

# --- the TSM subcommands ---------------------------------------------------------
for c in list connect disconnect evidence bind unbind revalidate reset monitor; do
	case $c in
	list|monitor) args=() ;;
	*) args=("$D0") ;;
	esac
	row 2 "cannot reach devauthd" "$c: unreachable devauthd" "$c" "${args[@]}" "${NOSOCK[@]}"
	[ "$c" = list ] || [ "$c" = monitor ] ||
		row 2 "no such device" "$c: unknown device" "$c" "$NODEV"
done
row 2 "cannot reach devauthd" "attest: unreachable devauthd" attest "$D0" "${NOSOCK[@]}"
row 2 "cannot reach devauthd" "attest --all: unreachable devauthd" attest --all "${NOSOCK[@]}"
row 2 "cannot reach devauthd" "pin: unreachable devauthd" pin "$D0" --mode fatal "${NOSOCK[@]}"

jrow list 0 "" "list" list --json
jrow list 0 "" "list DEV" list "$D0" -p
row 2 "no such device" "list an unknown device" list "$NODEV"
jrow result 0 "" "connect" connect "$D0" --json
jrow result 0 "" "connect again" connect "$D0" --json
jrow result 1 "" "connect a device whose signature is broken" connect "$D1" --json
row 2 "no TSM" "connect --tsm tsm9" connect "$D0" --tsm tsm9
row 2 "--slot" "connect --slot 9" connect "$D0" --slot 9
row 2 "--slot" "connect --slot x" connect "$D0" --slot x
jrow evidence 0 "" "evidence -o" evidence "$D0" -o "$work/d0.bundle" --json
jrow evidence 0 "" "evidence --digest" evidence "$D0" --digest --json
row 1 "" "evidence of an unconnected device" evidence "$D1"
row 2 "--nonce" "evidence --nonce zz" evidence "$D0" --nonce zz
row 2 "" "evidence --type bogus" evidence "$D0" --type bogus
jrow result 0 "" "bind" bind "$D0" --json
jrow result 0 "already bound" "bind again (done)" bind "$D0" --json
row 2 "--generation" "bind --generation abc" bind "$D0" --generation abc
row 2 "--generation" "bind --generation -1" bind "$D0" --generation -1
row 1 "refusing to bind" "bind an unconnected device" bind "$D1"
jrow result 1 "" "disconnect a bound device" disconnect "$D0" --json
jrow result 0 "" "unbind" unbind "$D0" --json
jrow result 0 "already unbound" "unbind again (done)" unbind "$D0" --json
jrow result 0 "" "disconnect" disconnect "$D0" --json
jrow result 0 "" "disconnect again (done)" disconnect "$D0" --json

# --- attest ----------------------------------------------------------------------
jrow attest 0 "" "attest a good device" attest "$D0" --policy "$work/policy.json" --json
jrow attest 1 "" "attest a device the policy refuses" attest "$D2" --policy "$work/policy.json" --json
jrow attest 1 "" "attest --all (one refused, one broken)" attest --all --policy "$work/policy.json" --json
row 1 "" "attest --all --quiet" attest --all --policy "$work/policy.json" --quiet
grep -q "attest: \[" "$work/err" && bad "attest --quiet shows progress" || ok "attest --quiet: no progress"
row 1 "" "attest --all --json" attest --all --policy "$work/policy.json" --json
grep -q "attest: \[" "$work/err" && bad "attest --json shows progress" || ok "attest --json: no progress"
row 1 "" "attest --all (progress)" attest --all --policy "$work/policy.json"
if grep -q "attest: \[3/3\]" "$work/err" && ! grep -qE "\[[0-9]+/3\].*\[[0-9]+/3\]" "$work/err" &&
	[ "$(grep -o '\[[0-9]*/' "$work/err" | tr -d '[/' | tr '\n' ' ')" = "1 2 3 " ]; then
	ok "attest progress counts 1, 2, 3 in order"
else
	bad "attest progress: $(cat "$work/err")"
fi
# On a terminal (script(1) gives it one): one counter line, counted in
# order, ended before the table starts.
script -qec "'$devauth' attest --all --policy '$work/policy.json'" /dev/null >"$work/tty" 2>&1
if python3 - "$work/tty" <<'PY'
import re, sys
t = open(sys.argv[1], 'rb').read().decode()
p = [(int(a), int(b), m.end()) for m in re.finditer(r'attest: (\d+)/3 done, (\d+) accepted', t)
     for a, b in [m.groups()]]
ok = [a for a, _, _ in p] == [1, 2, 3] and all(b <= a for a, b, _ in p)
rest = t[p[-1][2]:] if p else ''
ok = ok and re.match(r'[\r ]*\n', rest) and rest.lstrip('\r\n ').startswith('DEVICE')
sys.exit(0 if ok else 1)
PY
then
	ok "attest on a terminal: 1/3, 2/3, 3/3, line ended before the table"
else
	bad "attest on a terminal: $(tr '\r' '|' <"$work/tty" | head -5)"
fi
row 2 "" "attest --policy missing" attest "$D0" --policy "$work/none.json"
row 2 "--jobs" "attest --jobs 0" attest --all --jobs 0
row 2 "--jobs" "attest --jobs abc" attest --all --jobs abc
row 2 "" "attest --trust (empty file)" attest "$D0" --trust "$work/empty.pem"
row 2 "no such device" "attest an unknown device" attest "$NODEV"
row 2 "" "attest with neither DEV nor --all" attest

# --- verify, policy, pin -------------------------------------------------------------
jrow verdict 0 "" "verify a bundle" verify --bundle "$work/d0.bundle" --trust "$root" --json
jrow verdict 1 "" "verify under another root" verify --bundle "$work/d0.bundle" \
	--trust "$work/other/root.der" --json
jrow verdict 0 "" "verify a capture" verify --pcap "$cap" --trust "$vectors/v13_p256_sha256/root-slot0.der" -p
row 2 "" "verify a missing bundle" verify --bundle "$work/none.bundle"
row 2 "" "verify garbage" verify --bundle "$work/garbage.der"
row 2 "empty file" "verify --trust (empty file)" verify --bundle "$work/d0.bundle" --trust "$work/empty.pem"
row 2 "" "verify --trust missing" verify --bundle "$work/d0.bundle" --trust "$work/none.der"
row 2 "--nonce" "verify --nonce zz" verify --bundle "$work/d0.bundle" --nonce zz
row 2 "" "verify without a source" verify
mkdir -p "$work/elsewhere"
cp "$root" "$work/elsewhere/root.der"
(cd "$work/elsewhere" && "$devauth" policy init --from "$work/d0.bundle" --trust root.der \
	-o "$work/p.json" >/dev/null 2>&1) && ok "policy init with a relative --trust" ||
	bad "policy init with a relative --trust"
grep -qF "\"$work/elsewhere/root.der\"" "$work/p.json" && ok "policy init stores the absolute path" ||
	bad "policy init stored: $(grep -o '"trust_anchors"[^]]*' "$work/p.json")"
row 0 "accepted" "verify with that policy from another directory" verify --bundle "$work/d0.bundle" \
	--policy "$work/p.json"
jrow result 0 "" "policy init --json" policy init --from "$work/d0.bundle" -o "$work/p2.json" --json
jrow result 1 "" "policy init from evidence under another root" policy init --from "$work/d0.bundle" \
	--trust "$work/other/root.der" -o "$work/p3.json" --json
jrow result 0 "" "policy check" policy check "$work/p.json" --json
jrow result 2 "" "policy check of garbage" policy check "$work/garbage.der" --json
row 2 "" "policy init without -o" policy init --from "$work/d0.bundle"
row 2 "--volatile" "policy init --volatile 999" policy init --from "$work/d0.bundle" -o "$work/x.json" \
	--volatile 999
row 2 "" "policy frobnicate" policy frobnicate
jrow result 0 "" "pin -o" pin --from "$work/d0.bundle" -o "$work/pin.json" --json
jrow result 1 "" "pin from evidence under another root" pin --from "$work/d0.bundle" \
	--trust "$work/other/root.der" -o "$work/pin2.json" --json
row 2 "--timeout-ms" "pin --timeout-ms abc" pin "$D0" --current --mode exec --exec /bin/true --timeout-ms abc
row 2 "--mode" "pin --mode bogus" pin --from "$work/d0.bundle" -o "$work/x.json" --mode bogus
row 2 "" "pin --install missing" pin "$D0" --install "$work/none.json"
row 2 "no such device" "pin an unknown device" pin "$NODEV" --mode fatal

# --- recovery: pin, revalidate, reset, monitor -------------------------------------------
jrow attest 0 "" "attest (to pin)" attest "$D0" --trust "$root" --json
jrow result 0 "" "pin DEV --current" pin "$D0" --current --mode same-key --json
"$devauth" monitor --json --timeout-ms 3000 >"$work/mon.out" 2>"$work/mon.err" &
mon=$!
for _ in $(seq 500); do grep -q listening "$work/mon.err" && break; sleep 0.01; done
jrow result 0 "" "revalidate" revalidate "$D0" --json
jrow result 0 "" "reset" reset "$D0" --json
jrow result 1 "" "revalidate a device without a pin" revalidate "$D2" --json
wait "$mon"
rc=$?
[ "$rc" -eq 0 ] && ok "monitor --timeout-ms ends with 0" || bad "monitor: exit $rc"
if [ "$(wc -l <"$work/mon.out")" -ge 2 ]; then
	cp "$work/mon.out" "$json_dir/monitor.events.json"
	seqs=$(python3 -c 'import json,sys; print(" ".join(str(json.loads(l)["seq"]) for l in open(sys.argv[1])))' "$work/mon.out")
	want=$(seq -s ' ' 1 "$(wc -l <"$work/mon.out")")
	[ "$seqs" = "$want" ] && ok "monitor numbers its events $seqs" || bad "monitor seq: $seqs"
else
	bad "monitor saw no events: $(cat "$work/mon.out" "$work/mon.err")"
fi
row 2 "--timeout-ms" "monitor --timeout-ms zz" monitor --timeout-ms zz
row 2 "--timeout-ms" "monitor --timeout-ms -5" monitor --timeout-ms -5
row 2 "" "monitor with an argument" monitor extra

# --- every --json output against its schema ----------------------------------------
if python3 "$src/tests/e2e/json_validate.py" "$src/docs/json" "$json_dir"; then
	ok "every --json output validates against docs/json"
else
	bad "--json outputs do not validate"
fi
finish
