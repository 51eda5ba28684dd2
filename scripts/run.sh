#!/usr/bin/env bash
# The main job: install, build, then scripts/run-daemon.sh: devauth-emu
# serves six emulated CMA devices (one of them faulty), devauthd owns
# them, `devauth attest --all` connects, reads evidence with a fresh
# nonce, verifies it against a policy, binds what it accepts and prints
# the table; everything is stopped at the end.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
[ -d build/meson-info ] || meson setup build >/dev/null
ninja -C build >/dev/null
exec scripts/run-daemon.sh build
