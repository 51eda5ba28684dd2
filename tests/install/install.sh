#!/usr/bin/env bash
# `meson install` into a DESTDIR as a packager runs it, then use the tree
# as a user would: every file in its place, only the public API exported,
# man pages that render, shell completion that completes, and a program
# built with `pkg-config libdevauth` that authenticates a devauth-emu
# device.  The paths come from meson (tests/install/meson.build).
set -u
# The installed library, not the build tree's, must be the one found.
unset LD_LIBRARY_PATH
work=$(mktemp -d)
emu_pid=
passed=0
failed=0
trap '[ -n "$emu_pid" ] && kill "$emu_pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT

ok() { passed=$((passed + 1)); echo "ok: $*"; }
bad() { failed=$((failed + 1)); echo "FAILED: $*"; }
finish() { echo "$passed passed, $failed failed"; [ "$failed" -eq 0 ]; exit $?; }

D=$work/dest
if ! "$MESON" install -C "$DEVAUTH_BUILD" --destdir "$D" --no-rebuild --quiet >"$work/install.log" 2>&1; then
	bad "meson install"; cat "$work/install.log"; finish
fi
ok "meson install --destdir"
P=$D$PREFIX

# --- the tree ------------------------------------------------------------------
for f in "$BINDIR/devauth" "$BINDIR/devauth-emu" "$SBINDIR/devauthd" \
	"$LIBDIR/libdevauth.so" "$LIBDIR/libdevauth.so.0" "$LIBDIR/pkgconfig/libdevauth.pc" \
	"$MANDIR/man1/devauth.1" "$MANDIR/man1/devauth-verify.1" "$MANDIR/man1/devauth-policy.1" \
	"$MANDIR/man1/devauth-pin.1" "$MANDIR/man1/devauth-emu.1" "$MANDIR/man8/devauthd.8" \
	"$UNITDIR/devauthd.service" "$SYSUSERSDIR/devauth.conf" "$TMPFILESDIR/devauth.conf" \
	"$DATADIR/bash-completion/completions/devauth" \
	"$DATADIR/bash-completion/completions/devauthd" \
	"$DATADIR/bash-completion/completions/devauth-emu" \
	"$DOCDIR/devauthd.md" "$DOCDIR/policy.schema.json" "$DOCDIR/netlink/pci-tsm.yaml"; do
	[ -e "$D$f" ] && ok "installed $f" || bad "not installed: $f"
done
for h in "$DEVAUTH_SRC"/include/devauth/*.h; do
	cmp -s "$h" "$D$INCLUDEDIR/devauth/${h##*/}" && ok "header ${h##*/}" ||
		bad "header ${h##*/} not installed as it is"
done
for x in devauth devauth-emu; do
	[ -x "$D$BINDIR/$x" ] || bad "$BINDIR/$x is not executable"
done
soname=$(readelf -d "$D$LIBDIR/libdevauth.so" | sed -n 's/.*SONAME.*\[\(.*\)\]/\1/p')
[ "$soname" = libdevauth.so.0 ] && ok "soname $soname" || bad "soname '$soname'"
grep -q "^ExecStart=$SBINDIR/devauthd " "$D$UNITDIR/devauthd.service" &&
	ok "unit runs $SBINDIR/devauthd" || bad "unit's ExecStart: $(grep ExecStart "$D$UNITDIR/devauthd.service")"
grep -q '^g devauth ' "$D$SYSUSERSDIR/devauth.conf" && ok "sysusers.d makes group devauth" ||
	bad "sysusers.d has no devauth group"
for d in /run/devauth /var/lib/devauth; do
	grep -q "^d $d " "$D$TMPFILESDIR/devauth.conf" && ok "tmpfiles.d makes $d" ||
		bad "tmpfiles.d lacks $d"
done
if grep -rl 'openssl/' "$D$INCLUDEDIR/devauth" >"$work/ossl"; then
	bad "public headers include OpenSSL: $(cat "$work/ossl")"
else
	ok "no public header includes OpenSSL"
fi

# --- exports -------------------------------------------------------------------
python3 "$DEVAUTH_SRC/scripts/public-symbols.py" "$DEVAUTH_SRC" >"$work/public" ||
	bad "public-symbols.py"
python3 "$DEVAUTH_SRC/scripts/public-symbols.py" "$DEVAUTH_SRC" --check &&
	ok "libdevauth.sym in step with include/devauth" || bad "libdevauth.sym out of step"
nm -D --defined-only "$D$LIBDIR/libdevauth.so" | awk '$2 != "A" { sub(/@.*/, "", $3); print $3 }' |
	sort >"$work/exported"
if diff -u "$work/public" "$work/exported" >"$work/diff"; then
	ok "libdevauth.so exports exactly the $(wc -l <"$work/public") public functions"
else
	bad "libdevauth.so exports differ from include/devauth (- declared, + exported)"
	sed 's/^/    /' "$work/diff" | head -40
fi

# --- man pages -----------------------------------------------------------------
for m in "$D$MANDIR"/man*/*; do
	# Every warning but 'break' (a line that cannot be adjusted: layout, not markup).
	if ! groff -man -Tutf8 -ww -Wbreak -z "$m" >"$work/groff" 2>&1 || [ -s "$work/groff" ]; then
		bad "man page ${m##*/} renders with warnings"; sed 's/^/    /' "$work/groff" | head
	elif [ -L "$m" ] && [ ! -e "$m" ]; then
		bad "man page alias ${m##*/} dangles"
	else
		ok "man page ${m##*/} renders"
	fi
done

# --- bash completion, with the installed programs --------------------------------
complete_words() {
	PATH=$D$BINDIR:$D$SBINDIR:$PATH bash -c '
		complete() { :; }
		. "$1"; shift
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		_devauth; printf "%s\n" "${COMPREPLY[@]}"' _ \
		"$D$DATADIR/bash-completion/completions/devauth" "$@"
}
words=$(complete_words devauth "")
for c in probe dump list connect disconnect evidence bind unbind attest verify policy pin \
	monitor revalidate reset; do
	grep -qx "$c" <<<"$words" && ok "completes subcommand $c" || bad "no completion for $c"
done
complete_words devauth probe --co | grep -qx -- --connect &&
	ok "completes probe --connect" || bad "no completion for probe --co"
complete_words devauthd --con | grep -qx -- --config &&
	ok "completes devauthd --config" || bad "no completion for devauthd --con"
complete_words devauth-emu "" | grep -qx pki &&
	ok "completes devauth-emu pki" || bad "no completion for devauth-emu pki"

# --- a program against the installed library ------------------------------------
pcdir=$D$LIBDIR/pkgconfig
if ! grep -q '^prefix=${pcfiledir}' "$pcdir/libdevauth.pc"; then
	# A build directory set up before pkgconfig.relocatable became the
	# default: point a copy at the DESTDIR, as a sysroot would.
	mkdir -p "$work/pc"
	sed "s|^prefix=.*|prefix=$P|" "$pcdir/libdevauth.pc" >"$work/pc/libdevauth.pc"
	pcdir=$work/pc
fi
export PKG_CONFIG_PATH=$pcdir
flags=$(pkg-config --cflags --libs libdevauth) || { bad "pkg-config libdevauth"; finish; }
ok "pkg-config --cflags --libs libdevauth: $flags"
inc=$(pkg-config --cflags-only-I libdevauth | awk '{ sub(/^-I/, "", $1); print $1 }')
[ "$(realpath "$inc")" = "$(realpath "$D$INCLUDEDIR")" ] && ok "pkg-config points into the DESTDIR" ||
	bad "pkg-config's include directory $inc is not $D$INCLUDEDIR"
san=
[ -n "${SANITIZE:-}" ] && [ "$SANITIZE" != none ] && san=-fsanitize=$SANITIZE
# shellcheck disable=SC2086
if "$CC" $san -std=gnu11 -Wall -Wextra -Werror -o "$work/demo" "$DEVAUTH_SRC/tests/install/libdevauth_demo.c" \
	$flags -Wl,-rpath,"$D$LIBDIR" >"$work/cc.log" 2>&1; then
	ok "libdevauth_demo.c builds against the installed tree"
else
	bad "libdevauth_demo.c does not build"; cat "$work/cc.log"; finish
fi
lib=$(ldd "$work/demo" | awk '$1 == "libdevauth.so.0" { print $3 }')
if [ -n "$lib" ] && [ "$(realpath "$lib")" = "$(realpath "$D$LIBDIR/libdevauth.so.0")" ]; then
	ok "demo runs with the installed libdevauth.so.0"
else
	bad "demo's libdevauth.so.0 is '$lib', not the installed one"
fi

emu=$D$BINDIR/devauth-emu
"$emu" pki --out "$work/pki" --count 1 >/dev/null 2>&1 || bad "devauth-emu pki"
"$emu" pki --out "$work/other" --count 1 >/dev/null 2>&1 || bad "devauth-emu pki (other root)"
for _ in 1 2 3 4 5; do
	port=$((20000 + RANDOM % 40000))
	rm -f "$work/ready"
	"$emu" --listen "127.0.0.1:$port" --transport pci-doe --ctl none \
		--slot "0:$work/pki/dev0/slot0/chain.der:$work/pki/dev0/slot0/key.pem" \
		--ready-file "$work/ready" 2>"$work/emu.log" &
	emu_pid=$!
	for _ in $(seq 600); do
		[ -s "$work/ready" ] && break
		kill -0 "$emu_pid" 2>/dev/null || break
		sleep 0.05
	done
	[ -s "$work/ready" ] && break
	kill "$emu_pid" 2>/dev/null
	wait "$emu_pid" 2>/dev/null
	emu_pid=
done
if [ -z "$emu_pid" ]; then
	bad "devauth-emu did not start"; cat "$work/emu.log"; finish
fi
"$work/demo" "127.0.0.1:$port" "$work/pki/root.der" >"$work/demo.out" 2>&1
rc=$?
if [ "$rc" -eq 0 ] && grep -q "accepted" "$work/demo.out"; then
	ok "demo authenticates the device: $(cat "$work/demo.out")"
else
	bad "demo against its root: exit $rc"; cat "$work/demo.out"
fi
"$work/demo" "127.0.0.1:$port" "$work/other/root.der" >"$work/demo.out" 2>&1
rc=$?
if [ "$rc" -eq 1 ] && ! grep -q "accepted" "$work/demo.out"; then
	ok "demo rejects the device under another root: $(tail -1 "$work/demo.out")"
else
	bad "demo against another root: exit $rc"; cat "$work/demo.out"
fi
"$work/demo" "127.0.0.1:1" "$work/pki/root.der" >"$work/demo.out" 2>&1
rc=$?
[ "$rc" -eq 2 ] && ok "demo: nothing listening is exit 2" || bad "demo to a closed port: exit $rc"
finish
