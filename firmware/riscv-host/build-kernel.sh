#!/bin/bash
# SPDX-License-Identifier: MIT
#
# Builds the riscv64 KVM host kernel that the RISC-V tests boot under QEMU.
# Called by mk/riscv-host.mk; see docs/test-hosts.md.
#
#   build-kernel.sh check OUTDIR   refresh OUTDIR/inputs.key (only if the key
#                                  changed) and drop OUTDIR/built.key if an
#                                  output is missing: make then knows whether
#                                  to run 'build'
#   build-kernel.sh build OUTDIR   unpack/configure/build, then record the key
#                                  in OUTDIR/built.key
#
# Settings come from the environment (the makefile passes them):
#   RVHOST_TARBALL  kernel source tarball   (/usr/src/linux-source-6.12.tar.xz)
#   RVHOST_SRC_PKG  Debian package owning it (linux-source-6.12)
#   RVHOST_CONFIG   config fragment          (firmware/riscv-host/kvm-host.config)
#   RVHOST_CROSS    cross prefix             (riscv64-linux-gnu-)
#   RVHOST_JOBS     parallel kernel jobs     (number of CPUs)
#
# OUTDIR receives: Image, include/ (6.12 uapi headers), bin/gen_init_cpio,
# kernel.config, build.log (the kernel make output), and keeps the unpacked source (src/) and object tree (obj/)
# so that only a changed input costs a rebuild.
set -euo pipefail

mode=${1:?usage: build-kernel.sh check|build OUTDIR}
out=${2:?usage: build-kernel.sh check|build OUTDIR}
tarball=${RVHOST_TARBALL:-/usr/src/linux-source-6.12.tar.xz}
src_pkg=${RVHOST_SRC_PKG:-linux-source-6.12}
fragment=${RVHOST_CONFIG:-firmware/riscv-host/kvm-host.config}
cross=${RVHOST_CROSS:-riscv64-linux-gnu-}
jobs=${RVHOST_JOBS:-$(nproc)}
self=${BASH_SOURCE[0]}

# The kernel's make must not inherit the project make's command-line
# variables (make exports them: CC=..., ARCH=riscv64, EXTRA_CFLAGS=...) or
# its jobserver.
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEFILES KBUILD_OUTPUT ARCH SUBARCH \
	CROSS_COMPILE CC LD AR NM OBJCOPY CFLAGS LDFLAGS EXTRA_CFLAGS KCFLAGS \
	KCPPFLAGS KAFLAGS LLVM O V W C M
mkdir -p "$out"
out=$(cd "$out" && pwd)

msg() { printf 'riscv-host: %s\n' "$*" >&2; }
die() { msg "error: $*"; exit 1; }

# The source identity: package version when dpkg knows it, plus size and
# mtime so that a hand-supplied tarball is also tracked.
source_key() {
	local ver
	[ -r "$tarball" ] || die "kernel source $tarball not found (install $src_pkg)"
	ver=$(dpkg-query -W -f='${Version}' "$src_pkg" 2>/dev/null || echo unknown)
	printf 'source %s %s %s\n' "$tarball" "$ver" "$(stat -L -c '%s %Y' "$tarball")"
}

input_key() {
	[ -r "$fragment" ] || die "config fragment $fragment not found"
	source_key
	printf 'fragment %s\n' "$(sha256sum <"$fragment" | cut -d' ' -f1)"
	printf 'script %s\n' "$(sha256sum <"$self" | cut -d' ' -f1)"
	printf 'cross %s\n' "$("${cross}gcc" -dumpfullversion 2>/dev/null || echo missing)"
}

fmt_secs() { printf '%dm%02ds' $(($1 / 60)) $(($1 % 60)); }

# Unpacks into src/ unless the stamp says that exact source is already there.
# A changed source invalidates the object tree too.
unpack() {
	local want have=
	want=$(source_key)
	[ -f "$out/src.key" ] && have=$(cat "$out/src.key")
	if [ -d "$out/src" ] && [ "$want" = "$have" ]; then
		return
	fi
	msg "unpacking $tarball"
	rm -rf "$out/src" "$out/src.tmp" "$out/obj" "$out/src.key"
	mkdir -p "$out/src.tmp"
	tar -xf "$tarball" -C "$out/src.tmp" --strip-components=1
	mv "$out/src.tmp" "$out/src"
	printf '%s\n' "$want" >"$out/src.key"
}

# Kernel make, its chatter kept in build.log; on failure the tail is shown.
kmake() {
	if ! make -C "$out/src" O="$out/obj" ARCH=riscv CROSS_COMPILE="$cross" \
		"$@" >>"$out/build.log" 2>&1; then
		tail -n 40 "$out/build.log" >&2
		die "kernel 'make $*' failed (full log: $out/build.log)"
	fi
}

# tinyconfig, then every line of the fragment through scripts/config, then
# olddefconfig; finally check that Kconfig kept each requested value (a
# missing dependency would otherwise silently drop an option).
configure() {
	local line name val got bad=0
	msg "configuring: tinyconfig + $fragment"
	kmake tinyconfig
	local -a args=()
	while IFS= read -r line || [ -n "$line" ]; do
		case $line in '' | '#'*) continue ;; esac
		[[ $line =~ ^CONFIG_([A-Za-z0-9_]+)=(.*)$ ]] ||
			die "$fragment: cannot parse '$line'"
		name=${BASH_REMATCH[1]} val=${BASH_REMATCH[2]}
		case $val in
		y) args+=(--enable "$name") ;;
		n) args+=(--disable "$name") ;;
		m) die "$fragment: modules are not supported ($line)" ;;
		*) args+=(--set-val "$name" "$val") ;;
		esac
	done <"$fragment"
	"$out/src/scripts/config" --file "$out/obj/.config" "${args[@]}"
	kmake olddefconfig
	while IFS= read -r line || [ -n "$line" ]; do
		case $line in '' | '#'*) continue ;; esac
		[[ $line =~ ^(CONFIG_[A-Za-z0-9_]+)=(.*)$ ]] || continue
		name=${BASH_REMATCH[1]} val=${BASH_REMATCH[2]}
		if [ "$val" = n ]; then
			grep -q "^$name=" "$out/obj/.config" || continue
		else
			got=$(grep "^$name=" "$out/obj/.config" | cut -d= -f2- || true)
			[ "$got" = "$val" ] && continue
		fi
		msg "config: $name=$val requested, Kconfig did not keep it"
		bad=1
	done <"$fragment"
	[ "$bad" = 0 ] || die "config fragment not applied (missing dependency?)"
}

build() {
	local t0 t1 t2
	t0=$(date +%s)
	command -v "${cross}gcc" >/dev/null || die "${cross}gcc not found (install gcc-riscv64-linux-gnu)"
	mkdir -p "$out"
	rm -f "$out/built.key" "$out/build.log"
	unpack
	configure
	msg "building Image with -j$jobs (a cold build takes a few minutes)"
	t1=$(date +%s)
	kmake -j"$jobs" Image
	t2=$(date +%s)
	msg "kernel build took $(fmt_secs $((t2 - t1)))"
	kmake -j"$jobs" headers usr/gen_init_cpio

	# Publish the results outside the object tree so users need not know
	# its layout.
	cp "$out/obj/arch/riscv/boot/Image" "$out/Image.tmp" && mv "$out/Image.tmp" "$out/Image"
	cp "$out/obj/.config" "$out/kernel.config"
	rm -rf "$out/include"
	cp -r "$out/obj/usr/include" "$out/include"
	find "$out/include" -name '.*' -type f -delete	# kbuild's .cmd files
	mkdir -p "$out/bin"
	cp "$out/obj/usr/gen_init_cpio" "$out/bin/gen_init_cpio"

	input_key >"$out/built.key"
	msg "done in $(fmt_secs $(($(date +%s) - t0))): $out/Image ($(stat -c %s "$out/Image") bytes)"
}

# Touches inputs.key only when the key really changed, so that make's
# timestamps say "rebuild" exactly when an input changed.
check() {
	local f
	input_key >"$out/inputs.key.tmp"
	if cmp -s "$out/inputs.key.tmp" "$out/inputs.key"; then
		rm -f "$out/inputs.key.tmp"
	else
		mv "$out/inputs.key.tmp" "$out/inputs.key"
	fi
	for f in Image bin/gen_init_cpio include/linux/kvm.h include/asm/kvm.h; do
		[ -e "$out/$f" ] || rm -f "$out/built.key"
	done
}

case $mode in
check) check ;;
build) build ;;
*) die "unknown mode '$mode'" ;;
esac
