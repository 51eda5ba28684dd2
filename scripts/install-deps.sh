#!/usr/bin/env bash
# Debian packages devauth needs to build, test and fuzz.  Idempotent.
# groff renders the man pages in the install and CLI contract tests, util-linux gives
# them script(1) for a terminal, binutils nm and readelf for the exports.
set -euo pipefail
pkgs=(build-essential meson ninja-build pkg-config libssl-dev libjson-c-dev libmnl-dev
      libcmocka-dev clang-14 libfuzzer-14-dev libclang-rt-14-dev python3 openssl valgrind
      groff-base util-linux binutils)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	SUDO=
	[ "$(id -u)" -eq 0 ] || SUDO=sudo
	$SUDO apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"
fi
