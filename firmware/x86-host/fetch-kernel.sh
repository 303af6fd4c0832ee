#!/bin/bash
# SPDX-License-Identifier: MIT
#
# Puts together the x86-64 KVM test host (docs/test-hosts.md): Debian's
# prebuilt amd64 kernel and the few modules the host needs (KVM for AMD,
# 9p over virtio for the shared file systems), taken from the kernel package
# with `apt-get download` and `dpkg-deb -x`; nothing is installed.
# Called by mk/x86-host.mk.
#
#   fetch-kernel.sh check OUTDIR   refresh OUTDIR/inputs.key (rewritten only
#                                  when it changed; make then knows whether to
#                                  run 'build')
#   fetch-kernel.sh build OUTDIR   download, unpack, pick the modules, record
#                                  the key in OUTDIR/built.key
#
# OUTDIR receives vmlinuz (and vmlinux, the same kernel uncompressed, when
# it can boot through PVH), kernel.config, modules/*.ko and
# modules.load (the modules in load order, dependencies first).
#
# Settings from the environment:
#   X86HOST_KERNEL_PKG  the meta package to resolve (linux-image-amd64); the
#                       versioned package it depends on is what is fetched,
#                       since its ABI number moves and old ones leave the
#                       archive
set -euo pipefail

mode=${1:?usage: fetch-kernel.sh check|build OUTDIR}
out=${2:?usage: fetch-kernel.sh check|build OUTDIR}
meta=${X86HOST_KERNEL_PKG:-linux-image-amd64}
self=${BASH_SOURCE[0]}
# What the host loads: KVM on AMD (QEMU's TCG emulates SVM, not VMX) and
# virtio-9p for the shares. Their dependencies are added from the modules'
# own .modinfo.
wanted_modules=(kvm-amd 9p 9pnet_virtio virtio_pci)

mkdir -p "$out"
out=$(cd "$out" && pwd)
msg() { printf 'x86-host: %s\n' "$*" >&2; }
die() { msg "error: $*"; exit 1; }

# meta package -> "NAME VERSION" of the kernel image package it depends on.
resolve() {
	local name ver
	name=$(apt-cache depends "$meta" 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-[^ ]*\)$/\1/p' | head -n 1)
	[ -n "$name" ] || return 1
	ver=$(apt-cache policy "$name" 2>/dev/null | sed -n 's/^ *Candidate: //p')
	[ -n "$ver" ] && [ "$ver" != "(none)" ] || return 1
	printf '%s %s\n' "$name" "$ver"
}

# apt-cache takes seconds; its answer changes only with the package lists,
# so it is kept with their signature (names, sizes, times).
lists_signature() {
	stat -c '%n %s %Y' /var/lib/apt/lists/*_Packages* 2>/dev/null | sha256sum | cut -d' ' -f1
}

resolve_cached() {
	local sig cached
	sig=$(lists_signature)
	if [ -f "$out/resolved.cache" ]; then
		cached=$(cat "$out/resolved.cache")
		if [ "$(cut -d' ' -f1-2 <<<"$cached")" = "$sig $meta" ]; then
			cut -d' ' -f3- <<<"$cached"
			return
		fi
	fi
	local r
	r=$(resolve_or_update) || return 1
	printf '%s %s %s\n' "$(lists_signature)" "$meta" "$r" >"$out/resolved.cache"
	printf '%s\n' "$r"
}

resolve_or_update() {
	local r
	if r=$(resolve); then
		printf '%s\n' "$r"
		return
	fi
	# A fresh machine has no package lists yet.
	if [ "$(id -u)" = 0 ]; then
		msg "resolving $meta needs the package lists: apt-get update"
		apt-get update -qq >&2 || true
		resolve && return
	fi
	return 1
}

input_key() {
	local pkg
	if ! pkg=$(resolve_cached); then
		# Offline with a kernel already here: keep it rather than fail.
		if [ -f "$out/built.key" ]; then
			msg "cannot resolve $meta now; keeping the kernel already fetched"
			sed -n 1p "$out/built.key"
			printf 'script %s\n' "$(sha256sum <"$self" | cut -d' ' -f1)"
			return
		fi
		die "cannot resolve $meta with apt-cache (run 'apt-get update' as root)"
	fi
	printf 'package %s\n' "$pkg"
	printf 'script %s\n' "$(sha256sum <"$self" | cut -d' ' -f1)"
}

outputs_present() {
	[ -f "$out/vmlinuz" ] && [ -f "$out/modules.load" ]
}

# depends= of a module file (comma-separated module names, maybe empty).
module_depends() {
	local info
	info=$(objcopy -O binary --only-section=.modinfo "$1" /dev/stdout | tr '\0' '\n') ||
		die "cannot read the .modinfo of $1 (objcopy, from binutils)"
	grep -q '^vermagic=' <<<"$info" || die "$1 has no readable .modinfo"
	sed -n 's/^depends=//p' <<<"$info"
}

# Appends module NAME and, first, its dependencies to the load list.
declare -A module_path=() module_done=()
tmp=
add_module() {
	local name=${1//-/_} dep
	[ -n "${module_done[$name]:-}" ] && return
	module_done[$name]=1
	[ -n "${module_path[$name]:-}" ] || die "module $1 is not in the kernel package"
	for dep in $(module_depends "${module_path[$name]}" | tr ',' ' '); do
		add_module "$dep"
	done
	cp "${module_path[$name]}" "$out/modules.tmp/"
	printf '%s\n' "$(basename "${module_path[$name]}")" >>"$out/modules.tmp/modules.load"
}

# apt-get download writes to the current directory; _apt may not be able
# to, which only costs a warning.
download() {	# download NAME VERSION into $tmp
	local st
	(cd "$tmp" && apt-get download -q "$1=$2") 2>&1 | { grep -v '^W: Download is performed unsandboxed' || true; } >&2
	st=${PIPESTATUS[0]}
	[ "$st" = 0 ] && ls "$tmp"/"$1"_*.deb >/dev/null 2>&1
}

# pvh_vmlinux BZIMAGE OUT: the kernel inside BZIMAGE, uncompressed, as OUT,
# if it is an ELF with a PVH entry point (XEN_ELFNOTE_PHYS32_ENTRY, note type
# 18; Debian's kernels have CONFIG_PVH). QEMU then loads it directly (its
# PVH boot) instead of SeaBIOS loading the bzImage and the kernel
# decompressing itself: under TCG the xz decompression alone took ~6 s of
# every 12 s host boot (measured 2026-12-08). Without a PVH entry OUT is not
# written and ci/host-run boots the bzImage. Header fields: the x86 boot
# protocol (Documentation/arch/x86/boot.rst): setup_sects at 0x1f1,
# payload_offset and payload_length at 0x248 and 0x24c, from the start of
# the protected-mode code.
pvh_vmlinux() {
	local in=$1 outf=$2 sects poff plen magic st=0
	rm -f "$outf"	# nothing of an interrupted build is taken for the kernel
	sects=$(od -An -tu1 -j $((0x1f1)) -N1 "$in" | tr -d ' ')
	[ "$sects" != 0 ] || sects=4
	poff=$(od -An -tu4 -j $((0x248)) -N4 "$in" | tr -d ' ')
	plen=$(od -An -tu4 -j $((0x24c)) -N4 "$in" | tr -d ' ')
	[ -n "$poff" ] && [ -n "$plen" ] && [ "$plen" -gt 0 ] || { msg "no payload in $in: booting the bzImage"; return 0; }
	payload() { tail -c +$(((sects + 1) * 512 + poff + 1)) "$in" | head -c "$plen"; }
	# (|| true: a reader that stops early ends the pipe with SIGPIPE; what
	# came out is judged by readelf below.)
	magic=$(payload | od -An -tx1 -N6 | tr -d ' ' || true)
	case $magic in
	# The decompressor's own status decides (not the pipe's: the reader
	# of the payload may die of SIGPIPE once the stream ended).
	fd377a585a00) payload | xz -dc --single-stream >"$outf" 2>/dev/null || st=${PIPESTATUS[1]} ;;
	1f8b*) payload | gzip -dc >"$outf" 2>/dev/null || st=${PIPESTATUS[1]} ;;
	28b52ffd*) payload | zstd -dcq >"$outf" 2>/dev/null || st=${PIPESTATUS[1]} ;;
	*) msg "kernel payload compressed as '$magic' (not xz, gzip or zstd): booting the bzImage"; return 0 ;;
	esac
	if [ "$st" != 0 ]; then
		msg "decompressing the kernel failed (status $st): booting the bzImage"
		rm -f "$outf"
		return 0
	fi
	if readelf -n "$outf" 2>/dev/null | grep -q 'Unknown note type: (0x00000012)'; then
		msg "kernel has a PVH entry: ci/host-run boots it uncompressed ($(($(stat -c %s "$outf") >> 20)) MiB)"
	else
		msg "the uncompressed kernel has no PVH entry: booting the bzImage"
		rm -f "$outf"
	fi
}

build() {
	local key pkg name ver start f base
	start=$(date +%s)
	key=$(cat "$out/inputs.key")
	pkg=$(sed -n 's/^package //p' <<<"$key")
	[ -n "$pkg" ] || die "no package in $out/inputs.key"
	read -r name ver <<<"$pkg"
	tmp=$(mktemp -d "$out/fetch.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	msg "fetching $name $ver"
	if ! download "$name" "$ver"; then
		# Package lists older than Debian's last kernel update name a
		# version the archive no longer has: refresh them, resolve again.
		[ "$(id -u)" = 0 ] || die "apt-get download $name=$ver failed; the package lists may be stale: run 'apt-get update' as root"
		msg "download failed; refreshing the package lists and resolving $meta again"
		apt-get update -qq >&2 || true
		rm -f "$out/resolved.cache"
		pkg=$(resolve) || die "cannot resolve $meta after apt-get update"
		read -r name ver <<<"$pkg"
		printf 'package %s\nscript %s\n' "$pkg" "$(sha256sum <"$self" | cut -d' ' -f1)" >"$out/inputs.key"
		msg "fetching $name $ver"
		download "$name" "$ver" || die "apt-get download $name=$ver failed"
	fi
	dpkg-deb -x "$tmp"/"$name"_*.deb "$tmp/x" || die "cannot unpack the $name package"
	cp "$tmp"/x/boot/vmlinuz-* "$out/vmlinuz.tmp"
	cp "$tmp"/x/boot/config-* "$out/kernel.config"
	# No System.map: Debian's is a stub (the real one is in the -dbg
	# package); host-run names addresses from the host's own kallsyms.
	rm -f "$out/System.map"
	while IFS= read -r -d '' f; do
		base=$(basename "$f" .ko)
		module_path[${base//-/_}]=$f
	done < <(find "$tmp/x/lib/modules" -name '*.ko' -print0)
	rm -rf "$out/modules.tmp"
	mkdir -p "$out/modules.tmp"
	: >"$out/modules.tmp/modules.load"
	for f in "${wanted_modules[@]}"; do
		add_module "$f"
	done
	rm -rf "$out/modules"
	mv "$out/modules.tmp" "$out/modules"
	cp "$out/modules/modules.load" "$out/modules.load"
	rm -f "$out/vmlinux"
	pvh_vmlinux "$out/vmlinuz.tmp" "$out/vmlinux.tmp"
	[ ! -f "$out/vmlinux.tmp" ] || mv "$out/vmlinux.tmp" "$out/vmlinux"
	mv "$out/vmlinuz.tmp" "$out/vmlinuz"
	cp "$out/inputs.key" "$out/built.key"
	msg "kernel $name $ver and $(wc -l <"$out/modules.load") modules ready in $(($(date +%s) - start)) s"
}

case $mode in
check)
	new=$(input_key)
	if [ ! -f "$out/inputs.key" ] || [ "$new" != "$(cat "$out/inputs.key")" ]; then
		printf '%s\n' "$new" >"$out/inputs.key"
	fi
	outputs_present || rm -f "$out/built.key"
	;;
build) build ;;
*) die "unknown mode '$mode' (check or build)" ;;
esac
