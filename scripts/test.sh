#!/usr/bin/env bash
# Install, build and run every test: the normal build, the same suite
# under ASan+UBSan, a short libFuzzer run of every target over its
# corpus, and the benchmarks (which print ratios, never fail on time).
set -euo pipefail
cd "$(dirname "$0")/.."
FUZZ_SECONDS=${FUZZ_SECONDS:-20}

scripts/install-deps.sh

summary() { # build dir -> "passed failed"
	python3 - "$1/meson-logs/testlog.json" <<'PY'
import json, sys
p = f = s = 0
for line in open(sys.argv[1]):
    r = json.loads(line)["result"]
    if r in ("OK", "EXPECTEDFAIL"): p += 1
    elif r == "SKIP": s += 1
    else: f += 1
print(p, f, s)
PY
}

echo "== build and test (gcc, -Werror)"
[ -d build/meson-info ] || meson setup build
ninja -C build
meson test -C build --print-errorlogs --num-processes 2 || true
read -r p1 f1 s1 < <(summary build)

echo "== build and test (ASan+UBSan)"
[ -d build-asan/meson-info ] || meson setup build-asan -Db_sanitize=address,undefined -Db_lundef=false
ninja -C build-asan
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	meson test -C build-asan --print-errorlogs --num-processes 2 --timeout-multiplier 3 || true
read -r p2 f2 s2 < <(summary build-asan)

echo "== libFuzzer (${FUZZ_SECONDS}s per target)"
fuzz_fail=0
fuzz_pass=0
[ -d build-fuzz/meson-info ] || CC=clang-14 meson setup build-fuzz -Dfuzz=true -Dtests=false \
	-Db_sanitize=address,undefined -Db_lundef=false
ninja -C build-fuzz
for f in build-fuzz/fuzz/fuzz_*; do
	[ -f "$f" ] && [ -x "$f" ] || continue
	name=$(basename "$f")
	corpus=$(find fuzz -type d -path "*/corpus/$name" | head -n 1)
	work=$(mktemp -d)
	if "$f" -max_total_time="$FUZZ_SECONDS" -timeout=10 -rss_limit_mb=2048 \
		-artifact_prefix="$work/" "$work" "$corpus" >"$work/log" 2>&1; then
		fuzz_pass=$((fuzz_pass + 1))
		echo "fuzz $name: ok ($(grep -o 'Done [0-9]* runs' "$work/log" || echo done))"
	else
		fuzz_fail=$((fuzz_fail + 1))
		echo "fuzz $name: FAILED"; tail -40 "$work/log"
	fi
	rm -rf "$work"
done

echo "== benchmarks"
for b in build/bench/bench_*; do
	[ -f "$b" ] && [ -x "$b" ] && DEVAUTH_VECTORS="$(pwd)/../shared/vectors" "$b"
done

passed=$((p1 + p2 + fuzz_pass))
failed=$((f1 + f2 + fuzz_fail))
echo "gcc: $p1 passed, $f1 failed; asan+ubsan: $p2 passed, $f2 failed; fuzz: $fuzz_pass passed, $fuzz_fail failed"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$p1" -gt 0 ]
