#!/usr/bin/env bash
# The devauth CLI end to end: real processes, real sockets, real captures.
# usage: cli.sh DEVAUTH DEVAUTH-EMU   (DEVAUTH_VECTORS: the DMTF captures)
set -u
devauth=$1
emu=$2
vectors=${DEVAUTH_VECTORS:-../shared/vectors}
work=$(mktemp -d)
emu_pid=
passed=0
failed=0
trap '[ -n "$emu_pid" ] && kill "$emu_pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT

ok() { passed=$((passed + 1)); echo "ok: $*"; }
bad() { failed=$((failed + 1)); echo "FAILED: $*"; }

# expect EXIT-CODE "substring or ''" description -- command...
expect() {
	local code=$1 want=$2 what=$3 got
	shift 3
	"$@" >"$work/out" 2>&1
	got=$?
	if [ "$got" -ne "$code" ]; then
		bad "$what: exit $got, expected $code"; sed 's/^/    /' "$work/out" | tail -20; return
	fi
	if [ -n "$want" ] && ! grep -qF -- "$want" "$work/out"; then
		bad "$what: output lacks \"$want\""; sed 's/^/    /' "$work/out" | tail -20; return
	fi
	ok "$what"
}

# --- the DMTF captures ------------------------------------------------------
for v in v11_rsassa3072_sha256 v12_p384_sha384 v13_p256_sha256; do
	cap=$vectors/$v/exchange.pcap
	expect 0 "CHALLENGE_AUTH" "dump $v" "$devauth" dump "$cap"
	expect 0 "verdict: all checks passed" "dump --verify --trust root-slot0 $v" \
		"$devauth" dump "$cap" --trust "$vectors/$v/root-slot0.der"
	expect 1 "FAIL     trust" "dump --trust root-slot1 (wrong root) $v" \
		"$devauth" dump "$cap" --trust "$vectors/$v/root-slot1.der"
	expect 1 "no otherName 2.23.147" "dump --identity (leaf has none) $v" \
		"$devauth" dump "$cap" --identity Vendor=8086:Device=0b25:CC=088000:REV=01
	expect 1 "not the expected nonce" "dump --nonce (old transcript) $v" \
		"$devauth" dump "$cap" --nonce "$(printf '%064d' 0)"
done
expect 2 "" "dump of a missing file" "$devauth" dump "$work/none.pcap"
head -c 100 "$vectors/v13_p256_sha256/exchange.pcap" >"$work/cut.pcap"
expect 2 "record" "dump of a truncated capture" "$devauth" dump "$work/cut.pcap"
expect 2 "" "probe without --connect" "$devauth" probe
expect 2 "" "unknown subcommand" "$devauth" frobnicate

# --- emulated devices -----------------------------------------------------------
"$emu" pki --out "$work/pki" --count 1 --asym ecdsa-p384 >/dev/null 2>&1 ||
	bad "devauth-emu pki"
cat >"$work/devices.json" <<JSON
{ "devices": [
  { "name": "0000:01:00.0", "port-offset": 0,
    "pci": { "vendor": "0x1b36", "device": "0x0100", "class": "0x010802", "revision": 1,
             "ssvid": "0x1af4", "ssid": "0x1100", "serial": "0x00c0ffee00000000" },
    "slots": [ { "slot": 0, "chain": "$work/pki/dev0/slot0/chain.der",
                 "key": "$work/pki/dev0/slot0/key.pem" } ] },
  { "name": "0000:02:00.0", "port-offset": 1, "pci": { "vendor": "0x1af4", "device": "0x1041",
    "class": "0x020000", "revision": 1 }, "asym": ["ecdsa-p256"], "ct-exponent": 10,
    "faults": ["slow"] },
  { "name": "0000:03:00.0", "port-offset": 2, "pci": { "vendor": "0x1af4", "device": "0x1042",
    "class": "0x020000", "revision": 1 }, "asym": ["ecdsa-p256"], "faults": ["drop"] },
  { "name": "0000:04:00.0", "port-offset": 3, "pci": { "vendor": "0x1af4", "device": "0x1043",
    "class": "0x020000", "revision": 1 }, "asym": ["ecdsa-p256"], "faults": ["wrong-san"] }
] }
JSON
for _ in 1 2 3 4 5; do
	port=$((20000 + RANDOM % 40000))
	rm -f "$work/ready"
	"$emu" --listen "127.0.0.1:$port" --transport pci-doe --config "$work/devices.json" \
		--ready-file "$work/ready" --ctl "$work/ctl" 2>"$work/emu.log" &
	emu_pid=$!
	for _ in $(seq 600); do
		[ -s "$work/ready" ] && break
		kill -0 "$emu_pid" 2>/dev/null || break
		sleep 0.05
	done
	[ -s "$work/ready" ] && break
	# Not up within 30 s, or the port was taken: try another one.
	kill "$emu_pid" 2>/dev/null
	wait "$emu_pid" 2>/dev/null
	emu_pid=
done
if [ -z "$emu_pid" ]; then
	bad "devauth-emu did not start"; cat "$work/emu.log"
	echo "$passed passed, $failed failed"; exit 1
fi
# The identity devauth-emu pki gives its first device.
id="Vendor=1b36:Device=0100:CC=010802:REV=01:SSVID=1af4:SSID=1100:00c0ffee00000000"
d0=127.0.0.1:$port

expect 0 "verdict: all checks passed" "probe with --trust and --identity" \
	"$devauth" probe --connect "$d0" --trust "$work/pki/root.der" --identity "$id" \
	--pcap "$work/d0.pcap"
expect 0 "verdict: all checks passed" "our own capture verifies with dump" \
	"$devauth" dump "$work/d0.pcap" --trust "$work/pki/root.der" --identity "$id"
expect 0 "DOE" "our capture reads with the DOE link type" \
	sh -c "'$devauth' dump '$work/d0.pcap' --json | grep -q '\"linktype\":292' && echo DOE"
expect 1 "FAIL     trust" "probe with a foreign root" \
	"$devauth" probe --connect "$d0" --trust "$vectors/v13_p256_sha256/root-slot0.der"
expect 1 "does not match expected" "probe with another identity" \
	"$devauth" probe --connect "$d0" --identity "${id/0100/0101}"
expect 0 "\"verdict\":\"pass\"" "probe --json" "$devauth" probe --connect "$d0" --json
expect 0 "SPDM 1.1" "probe pinned to SPDM 1.1" \
	"$devauth" probe --connect "$d0" --transport pci-doe --spdm-version 1.1
expect 1 "" "probe with MCTP framing against a DOE device" \
	"$devauth" probe --connect "$d0" --transport mctp
expect 1 "no response within" "slow device: CT timeout" \
	"$devauth" probe --connect "127.0.0.1:$((port + 1))" --timeout-ms 300
expect 1 "GET_CERTIFICATE" "device dropping the connection mid-certificate" \
	"$devauth" probe --connect "127.0.0.1:$((port + 2))"
expect 1 "does not match expected" "wrong PCIe SAN" \
	"$devauth" probe --connect "127.0.0.1:$((port + 3))" \
	--identity Vendor=1af4:Device=1043:CC=020000:REV=01
expect 2 "connect" "nothing listening (unreachable is exit 2)" "$devauth" probe --connect 127.0.0.1:1
# The emulator survived all of it.
expect 0 "verdict: all checks passed" "devauth-emu still serving" \
	"$devauth" probe --connect "$d0" --identity "$id"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
