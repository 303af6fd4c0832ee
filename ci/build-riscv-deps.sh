#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Cross-builds the static riscv64 libraries irqvm links against, which
# Debian bookworm does not ship for riscv64:
#
#   ci/build-riscv-deps.sh [OUTDIR]      (default: build/riscv64/deps)
#
# Produces OUTDIR/lib/libjansson.a, OUTDIR/lib/libfdt.a and their headers in
# OUTDIR/include. Cached: does nothing when all four outputs exist (delete
# OUTDIR to force a rebuild).
#
# Sources are Debian's source packages, fetched with `apt-get source
# --download-only` into build/deps-src/ (a deb-src entry for the Debian
# mirror is added first if apt has none; that needs root). If the mirror
# cannot deliver device-tree-compiler, libfdt is taken from the copy the
# Linux kernel carries (scripts/dtc/libfdt in /usr/src/linux-source-6.12,
# the package the riscv64 test host is built from); both are upstream dtc's
# libfdt, dual GPL-2.0+/BSD-2-Clause.
#
# Both libraries are compiled file by file with the cross compiler rather
# than through their own build systems: jansson's release tarball has no
# configure script (it would need autoreconf or cmake, which the CI image
# lacks), and its two config headers are trivial for glibc/Linux.
#
# Environment: CROSS (default riscv64-linux-gnu-), JOBS.
set -euo pipefail

prog=build-riscv-deps
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=${1:-$repo/build/riscv64/deps}
srcdir=$repo/build/deps-src
cross=${CROSS:-riscv64-linux-gnu-}
cc=${cross}gcc
ar=${cross}ar
kernel_tarball=${RVHOST_TARBALL:-/usr/src/linux-source-6.12.tar.xz}
cflags=(-O2 -g -fPIC -std=gnu11 -D_GNU_SOURCE -w)

say() { printf '%s: %s\n' "$prog" "$*" >&2; }
die() { say "error: $*"; exit 1; }

if [ -f "$out/lib/libjansson.a" ] && [ -f "$out/lib/libfdt.a" ] &&
   [ -f "$out/include/jansson.h" ] && [ -f "$out/include/libfdt.h" ]; then
	exit 0
fi

command -v "$cc" >/dev/null || die "$cc not found (apt-get install gcc-riscv64-linux-gnu libc6-dev-riscv64-cross)"
command -v apt-get >/dev/null || die "apt-get not found: this script expects Debian"

# --- a deb-src entry, so that `apt-get source` works
have_deb_src() {
	grep -rqsE '^(deb-src[[:space:]]|Types:.*deb-src)' /etc/apt/sources.list /etc/apt/sources.list.d/
}
if ! have_deb_src; then
	[ "$(id -u)" -eq 0 ] ||
		die "apt has no deb-src entry; as root, run this script once (it adds /etc/apt/sources.list.d/irqvm-src.sources)"
	say "adding a deb-src entry for the Debian mirror"
	cat >/etc/apt/sources.list.d/irqvm-src.sources <<'EOF'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
	apt-get update -qq || die "apt-get update failed"
fi

mkdir -p "$srcdir" "$out/lib" "$out/include"
work=$(mktemp -d "${TMPDIR:-/tmp}/$prog.XXXXXX")
trap 'rm -rf "$work"' EXIT

# fetch PACKAGE: download its source package into $srcdir unless the .dsc
# is already there. Returns non-zero if apt cannot get it.
fetch() {
	local pkg=$1
	if ls "$srcdir/${pkg}"_*.dsc >/dev/null 2>&1; then
		return 0
	fi
	say "fetching the $pkg source package"
	(cd "$srcdir" && apt-get source --download-only -qq "$pkg") >"$work/$pkg.log" 2>&1 || {
		sed 's/^/  /' "$work/$pkg.log" >&2
		rm -f "$srcdir/${pkg}"_*.dsc
		return 1
	}
}

# unpack PACKAGE: the .dsc in $srcdir unpacked (Debian patches applied) in $work/PACKAGE
unpack() {
	local pkg=$1 dsc
	dsc=$(ls "$srcdir/${pkg}"_*.dsc | sort -V | tail -1)
	dpkg-source --no-check -x "$dsc" "$work/$pkg" >/dev/null ||
		die "dpkg-source could not unpack $dsc"
}

# --- jansson
build_jansson() {
	fetch jansson || die "apt-get source jansson failed"
	unpack jansson
	local s=$work/jansson/src b=$work/jansson-obj
	mkdir -p "$b"
	# The autoconf template with glibc's answers.
	sed -e 's/@json_inline@/inline/' -e 's/@json_have_long_long@/1/' \
	    -e 's/@json_have_localeconv@/1/' -e 's/@json_have_atomic_builtins@/1/' \
	    -e 's/@json_have_sync_builtins@/1/' "$s/jansson_config.h.in" >"$b/jansson_config.h"
	cat >"$b/jansson_private_config.h" <<'EOF'
/* Written by ci/build-riscv-deps.sh for glibc on Linux. */
#define HAVE_ENDIAN_H 1
#define HAVE_FCNTL_H 1
#define HAVE_SCHED_H 1
#define HAVE_UNISTD_H 1
#define HAVE_SYS_PARAM_H 1
#define HAVE_SYS_STAT_H 1
#define HAVE_SYS_TIME_H 1
#define HAVE_SYS_TYPES_H 1
#define HAVE_STDINT_H 1
#define HAVE_CLOSE 1
#define HAVE_GETPID 1
#define HAVE_GETTIMEOFDAY 1
#define HAVE_OPEN 1
#define HAVE_READ 1
#define HAVE_SCHED_YIELD 1
#define HAVE_SYNC_BUILTINS 1
#define HAVE_ATOMIC_BUILTINS 1
#define HAVE_LOCALE_H 1
#define HAVE_SETLOCALE 1
#define USE_URANDOM 1
#define INITIAL_HASHTABLE_ORDER 3
EOF
	local f objs=()
	for f in "$s"/*.c; do
		"$cc" "${cflags[@]}" -DHAVE_CONFIG_H -DHAVE_STDINT_H -I"$b" -I"$s" \
			-include "$b/jansson_private_config.h" -c "$f" -o "$b/$(basename "$f" .c).o"
		objs+=("$b/$(basename "$f" .c).o")
	done
	rm -f "$out/lib/libjansson.a"
	"$ar" rcs "$out/lib/libjansson.a" "${objs[@]}"
	cp "$s/jansson.h" "$b/jansson_config.h" "$out/include/"
	say "built $out/lib/libjansson.a ($(ls "$srcdir"/jansson_*.dsc | xargs -n1 basename))"
}

# --- libfdt
build_libfdt() {
	local s origin
	if fetch device-tree-compiler; then
		unpack device-tree-compiler
		s=$work/device-tree-compiler/libfdt
		origin=$(ls "$srcdir"/device-tree-compiler_*.dsc | xargs -n1 basename)
	else
		[ -f "$kernel_tarball" ] ||
			die "no device-tree-compiler source and no $kernel_tarball (apt-get install linux-source-6.12)"
		say "device-tree-compiler source unavailable; using libfdt from $kernel_tarball"
		mkdir -p "$work/kernel"
		tar xJf "$kernel_tarball" -C "$work/kernel" --wildcards '*/scripts/dtc/libfdt/*'
		s=$(echo "$work"/kernel/*/scripts/dtc/libfdt)
		[ -f "$s/libfdt.h" ] || die "$kernel_tarball has no scripts/dtc/libfdt"
		origin="$(basename "$kernel_tarball"):scripts/dtc/libfdt"
	fi
	local b=$work/libfdt-obj f objs=()
	mkdir -p "$b"
	for f in "$s"/fdt*.c; do
		"$cc" "${cflags[@]}" -I"$s" -c "$f" -o "$b/$(basename "$f" .c).o"
		objs+=("$b/$(basename "$f" .c).o")
	done
	rm -f "$out/lib/libfdt.a"
	"$ar" rcs "$out/lib/libfdt.a" "${objs[@]}"
	cp "$s/libfdt.h" "$s/fdt.h" "$s/libfdt_env.h" "$out/include/"
	say "built $out/lib/libfdt.a ($origin)"
}

[ -f "$out/lib/libjansson.a" ] && [ -f "$out/include/jansson.h" ] || build_jansson
[ -f "$out/lib/libfdt.a" ] && [ -f "$out/include/libfdt.h" ] || build_libfdt
