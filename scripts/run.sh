#!/usr/bin/env bash
# The main job: install, build, start emulated CMA devices (one of them
# faulty), authenticate and measure every one of them, print the table,
# stop everything.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
[ -d build/meson-info ] || meson setup build >/dev/null
ninja -C build >/dev/null

work=$(mktemp -d)
emu_pid=
cleanup() {
	[ -n "$emu_pid" ] && kill "$emu_pid" 2>/dev/null && wait "$emu_pid" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

port=$((20000 + RANDOM % 30000))
build/src/devauth-emu/devauth-emu --listen "127.0.0.1:$port" --transport pci-doe \
	--config docs/examples/emu-devices.json --ready-file "$work/ready" \
	--ctl "$work/ctl" 2>"$work/emu.log" &
emu_pid=$!
for _ in $(seq 100); do
	[ -s "$work/ready" ] && break
	kill -0 "$emu_pid" 2>/dev/null || { cat "$work/emu.log"; exit 1; }
	sleep 0.1
done
[ -s "$work/ready" ] || { echo "devauth-emu did not start"; cat "$work/emu.log"; exit 1; }

printf '%-14s %-22s %-5s %-14s %-9s %-8s %s\n' DEVICE ENDPOINT SPDM ALGORITHM MEAS VERDICT REASON
while read -r name endpoint; do
	out="$work/$name.txt"
	if build/src/devauth/devauth probe --connect "$endpoint" --transport pci-doe \
		--pcap "$work/$name.pcap" >"$out" 2>&1; then
		verdict=pass
		reason=
	else
		verdict=FAIL
		reason=$(sed -n 's/^  error: //p' "$out" | head -n 1)
	fi
	ver=$(sed -n 's/^  SPDM \([0-9.]*\),.*/\1/p' "$out")
	alg=$(sed -n 's/^  algorithms: \([^,]*\),.*/\1/p' "$out")
	meas=$(grep -c '^    \[' "$out" || true)
	printf '%-14s %-22s %-5s %-14s %-9s %-8s %s\n' "$name" "$endpoint" "${ver:--}" \
		"${alg:--}" "$meas blocks" "$verdict" "$reason"
done <"$work/ready"
echo
echo "Full report of each device: devauth probe --connect HOST:PORT; captures decode with devauth dump."
