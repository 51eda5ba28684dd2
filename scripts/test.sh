#!/usr/bin/env bash
# Install, build and run every test: the normal build, the same suite
# under ASan+UBSan, a release build, a short libFuzzer run of every
# target over its corpus, the mutation table (scripts/mutate.sh) and the
# benchmarks (which print ratios, never fail on time, but fail when
# their workload fails).
#
# Each stage must run everything the build defines: the number of meson
# tests comes from `meson introspect --tests`, the fuzz targets from the
# fuzz build's targets; a test that did not run, failed or reported SKIP
# fails the stage (EXPECTED_SKIP="name ..." names skips that are fine).
# A fuzz crash's reproducer is printed in base64 and kept under
# build-fuzz/crashes/.  The last line is "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
FUZZ_SECONDS=${FUZZ_SECONDS:-20}
FUZZ_JOBS=${FUZZ_JOBS:-$(nproc)}
EXPECTED_SKIP=${EXPECTED_SKIP:-}

scripts/install-deps.sh || { echo "install-deps failed"; echo "0 passed, 1 failed"; exit 1; }

total_pass=0
total_fail=0
stage_lines=()
# What failed, named again after the summary (the end of the log is what
# gets read): "stage: name: result" and the tail of a failed test's output.
failed_file=$(mktemp)
trap 'rm -f "$failed_file"' EXIT

stage_done() { # name passed failed seconds [note]
	total_pass=$((total_pass + $2))
	total_fail=$((total_fail + $3))
	stage_lines+=("$(printf '%-10s %4d ok %4d bad %5ds %s' "$1" "$2" "$3" "$4" "${5:-}")")
}

# meson test results of build dir $1 (stage $2) against what the build
# defines, from the test logs $3... in order (a later result of a test
# replaces an earlier one): prints "ok bad note", every missing, failed
# or skipped test named on stderr; what failed, and what failed first and
# passed when run again alone, goes to $failed_file with its output.
# With $2 = "--names": only the names of what is not OK, one a line.
check_meson() {
	python3 - "$EXPECTED_SKIP" "$failed_file" "$@" <<'PY'
import json, subprocess, sys
allowed, failfile, bdir, stage, logs = set(sys.argv[1].split()), sys.argv[2], sys.argv[3], \
    sys.argv[4], sys.argv[5:]
want = {t["name"] for t in json.loads(subprocess.run(
    ["meson", "introspect", "--tests", bdir], check=True, capture_output=True).stdout)}
runs = {}	# name -> [(result, output), ...] in log order
for log in logs:
    try:
        for line in open(log):
            r = json.loads(line)
            # "project:suite / name"
            name = r["name"].split(" / ", 1)[-1]
            out = (r.get("stdout") or "") + "\n" + (r.get("stderr") or "")
            runs.setdefault(name, []).append((r["result"], out))
    except FileNotFoundError:
        pass
def good(name, res):
    return res in ("OK", "EXPECTEDFAIL") or (res == "SKIP" and name in allowed)
def tail(out):
    return "".join("    | %s\n" % l for l in out.rstrip().splitlines()[-25:])
if stage == "--names":
    for name in sorted(want):
        if not good(name, runs.get(name, [(None, "")])[-1][0]):
            print(name)
    sys.exit(0)
ok = bad = 0
with open(failfile, "a") as f:
    for name in sorted(want):
        seq = runs.get(name, [(None, "")])
        res, out = seq[-1]
        if good(name, res):
            ok += 1
            if len(seq) > 1 and not good(name, seq[0][0]):
                f.write("%s: %s: FLAKY: %s in the parallel run, %s run again alone\n%s" %
                        (stage, name, seq[0][0], res, tail(seq[0][1])))
            continue
        bad += 1
        print("  %s: %s" % (name, "did not run" if res is None else res), file=sys.stderr)
        f.write("%s: %s: %s\n%s" % (stage, name, res or "did not run", tail(out)))
for name in sorted(set(runs) - want):
    print("  %s: ran but is not in the build's test list" % name, file=sys.stderr)
print(ok, bad, "%d/%d tests" % (ok, len(want)))
PY
}

# A test that fails in the parallel run is run once more, alone (at most
# five of them: more is a broken build, not a flake).  Passing then counts
# as passing, but it is named FLAKY after the summary with the output of
# its failure: a race in a test or in the code, to be found, never hidden.
run_meson_stage() { # name builddir [meson test args...]
	local name=$1 bdir=$2 t0 ok bad note logs again
	shift 2
	t0=$(date +%s)
	rm -f "$bdir/meson-logs/testlog.json"
	meson test -C "$bdir" --print-errorlogs --num-processes 2 "$@" >"$bdir/test-stage.log" 2>&1
	# Every result line (with its duration), then the errors of what failed.
	grep -E '^ *[0-9]+/[0-9]+ ' "$bdir/test-stage.log"
	grep -E -A40 '^=+ [0-9]+/[0-9]+ =+$' "$bdir/test-stage.log" | head -400
	logs=("$bdir/meson-logs/testlog-parallel.json")
	cp "$bdir/meson-logs/testlog.json" "${logs[0]}" 2>/dev/null || : >"${logs[0]}"
	mapfile -t again < <(check_meson "$bdir" --names "${logs[0]}")
	if [ "${#again[@]}" -gt 0 ] && [ "${#again[@]}" -le 5 ]; then
		echo "== $name: run again, alone: ${again[*]}"
		rm -f "$bdir/meson-logs/testlog.json"
		meson test -C "$bdir" --print-errorlogs --num-processes 1 "$@" "${again[@]}" \
			>"$bdir/test-again.log" 2>&1
		grep -E '^ *[0-9]+/[0-9]+ ' "$bdir/test-again.log"
		logs+=("$bdir/meson-logs/testlog.json")
	fi
	read -r ok bad note < <(check_meson "$bdir" "$name" "${logs[@]}")
	stage_done "$name" "${ok:-0}" "${bad:-1}" $(($(date +%s) - t0)) "$note"
}

echo "== build and test (gcc, -Werror)"
t0=$(date +%s)
if { [ -d build/meson-info ] || meson setup build; } && ninja -C build; then
	run_meson_stage gcc build
else
	stage_done gcc 0 1 $(($(date +%s) - t0)) "build failed"
fi

echo "== build and test (ASan+UBSan)"
t0=$(date +%s)
if { [ -d build-asan/meson-info ] ||
     meson setup build-asan -Db_sanitize=address,undefined -Db_lundef=false; } &&
   ninja -C build-asan; then
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		run_meson_stage asan build-asan --timeout-multiplier 3
else
	stage_done asan 0 1 $(($(date +%s) - t0)) "build failed"
fi

echo "== release build (-O3, -Werror)"
t0=$(date +%s)
if { [ -d build-release/meson-info ] || meson setup build-release --buildtype=release; } &&
   ninja -C build-release; then
	stage_done release 1 0 $(($(date +%s) - t0)) "builds"
else
	stage_done release 0 1 $(($(date +%s) - t0)) "build failed"
fi

# One fuzz target over its corpus for FUZZ_SECONDS; its report lines go
# to DIR/NAME.out and its verdict (0 = ok) to DIR/NAME.rc.
fuzz_one() {
	local f=$1 dir=$2 name corpus work rc=1
	name=$(basename "$f")
	corpus=$(find fuzz -type d -path "*/corpus/$name" | head -n 1)
	work=$(mktemp -d)
	{
		if [ ! -x "$f" ] || [ -z "$corpus" ]; then
			echo "fuzz $name: FAILED (not built or no corpus)"
		elif "$f" -max_total_time="$FUZZ_SECONDS" -timeout=10 -rss_limit_mb=2048 \
			-artifact_prefix="$work/" "$work" "$corpus" >"$work/log" 2>&1; then
			rc=0
			echo "fuzz $name: ok ($(grep -o 'Done [0-9]* runs' "$work/log" || echo done))"
		else
			echo "fuzz $name: FAILED"
			tail -40 "$work/log"
			for a in "$work"/crash-* "$work"/leak-* "$work"/timeout-* "$work"/oom-*; do
				[ -f "$a" ] || continue
				mkdir -p "build-fuzz/crashes/$name"
				cp "$a" "build-fuzz/crashes/$name/"
				cp "$work/log" "build-fuzz/crashes/$name/$(basename "$a").log"
				echo "reproducer $(basename "$a") (kept in build-fuzz/crashes/$name/), base64:"
				base64 "$a"
			done
		fi
	} >"$dir/$name.out"
	echo "$rc" >"$dir/$name.rc"
	rm -rf "$work"
}

echo "== libFuzzer (${FUZZ_SECONDS}s per target, $FUZZ_JOBS at a time)"
t0=$(date +%s)
fuzz_pass=0
fuzz_fail=0
if { [ -d build-fuzz/meson-info ] ||
     CC=clang-14 meson setup build-fuzz -Dfuzz=true -Dtests=false \
	-Db_sanitize=address,undefined -Db_lundef=false; } && ninja -C build-fuzz; then
	# Every fuzz executable the build defines, not whatever a glob finds.
	mapfile -t targets < <(meson introspect --targets build-fuzz | python3 -c '
import json, sys
for t in json.load(sys.stdin):
    if t["type"] == "executable" and t["name"].startswith("fuzz_"):
        print(t["filename"][0])' | sort)
	[ "${#targets[@]}" -gt 0 ] || { echo "no fuzz targets in build-fuzz"; fuzz_fail=1; }
	mkdir -p build-fuzz/crashes
	# Each target is one single-threaded process: run one per core, then
	# report in name order so the log reads the same however they ended.
	fuzz_res=$(mktemp -d)
	for f in "${targets[@]}"; do
		while [ "$(jobs -rp | wc -l)" -ge "$FUZZ_JOBS" ]; do
			wait -n || true
		done
		fuzz_one "$f" "$fuzz_res" &
	done
	wait
	for f in "${targets[@]}"; do
		name=$(basename "$f")
		cat "$fuzz_res/$name.out" 2>/dev/null || echo "fuzz $name: FAILED (no result)"
		if [ "$(cat "$fuzz_res/$name.rc" 2>/dev/null)" = 0 ]; then
			fuzz_pass=$((fuzz_pass + 1))
		else
			fuzz_fail=$((fuzz_fail + 1))
			echo "fuzz: $name: FAILED" >>"$failed_file"
		fi
	done
	rm -rf "$fuzz_res"
	note="$fuzz_pass/${#targets[@]} targets"
else
	fuzz_fail=1
	note="build failed"
fi
stage_done fuzz "$fuzz_pass" "$fuzz_fail" $(($(date +%s) - t0)) "$note"

echo "== mutation testing (scripts/mutate.sh)"
t0=$(date +%s)
mkdir -p build-mutate
scripts/mutate.sh >build-mutate/mutate.log 2>&1
mrc=$?
grep -E '^mutate: .*(SURVIVED|NO-MATCH|BUILD-FAIL)' build-mutate/mutate.log |
	tee -a "$failed_file"
sed -n '/^| mutation/,$p' build-mutate/mutate.log
read -r mk mn < <(sed -n 's/^mutate: \([0-9]*\) mutants, \([0-9]*\) killed.*/\1 \2/p' \
	build-mutate/mutate.log)
if [ -n "${mk:-}" ]; then
	mbad=$((mk - mn))
	# A non-zero exit with every mutant killed still fails the stage.
	[ "$mrc" -eq 0 ] || [ "$mbad" -gt 0 ] || mbad=1
	stage_done mutation "$mn" "$mbad" $(($(date +%s) - t0)) "$mn/$mk mutants killed"
else
	tail -20 build-mutate/mutate.log
	stage_done mutation 0 1 $(($(date +%s) - t0)) "did not run"
fi

echo "== benchmarks"
t0=$(date +%s)
bp=0
bf=0
mapfile -t benches < <(meson introspect --benchmarks build | python3 -c '
import json, sys
for b in json.load(sys.stdin):
    print(b["cmd"][0])' | sort -u)
[ "${#benches[@]}" -gt 0 ] || { echo "no benchmarks in build"; bf=1; }
for b in "${benches[@]}"; do
	if DEVAUTH_VECTORS="$(pwd)/../shared/vectors" DEVAUTH_PEERS="$(pwd)/../shared/peers/bin" \
		DEVAUTH_BUILD="$(pwd)/build" "$b"; then
		bp=$((bp + 1))
	else
		echo "benchmark $(basename "$b"): FAILED (exit $?)" | tee -a "$failed_file"
		bf=$((bf + 1))
	fi
done
stage_done bench "$bp" "$bf" $(($(date +%s) - t0)) "$bp/${#benches[@]} benchmarks"

echo "== summary"
printf '%s\n' "${stage_lines[@]}"
if [ -s "$failed_file" ]; then
	echo "== what failed (FLAKY: failed once, passed alone)"
	cat "$failed_file"
fi
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
