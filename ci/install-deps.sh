#!/usr/bin/env bash
# Install the Debian packages irqvm needs, or say exactly which are missing.
#
#   ci/install-deps.sh [GROUP...]     groups: build (default), test, riscv, x86host, all
#
# As root: apt-get installs what is missing. Otherwise: prints the exact
# apt-get line and exits 1. Already-installed packages cost one dpkg query.
set -euo pipefail

declare -A GROUP
# Compiler, jansson (config JSON), libfdt (device trees), Criterion (unit tests).
GROUP[build]="gcc make pkg-config libjansson-dev libfdt-dev libcriterion-dev device-tree-compiler"
# Test tools: leak checks of whole VM runs; clang with its sanitizer and
# libFuzzer runtimes (libclang-rt-dev: only recommended by clang, and
# recommends are not installed here) for the fuzz harnesses (mk/fuzz.mk).
GROUP[test]="valgrind clang libclang-rt-dev"
# The riscv64 KVM test host: cross compiler, kernel source, QEMU + OpenSBI.
GROUP[riscv]="gcc-riscv64-linux-gnu libc6-dev-riscv64-cross linux-source-6.12 qemu-system-misc opensbi flex bison bc cpio xz-utils libssl-dev libelf-dev"

# The x86-64 KVM test host, for machines without a usable /dev/kvm (ci/x86-run
# installs it only then): QEMU, cpio for the initramfs, objcopy (binutils)
# to read the kernel modules' dependencies.
GROUP[x86host]="qemu-system-x86 cpio binutils xz-utils"

groups=("$@")
[ ${#groups[@]} -eq 0 ] && groups=(build)
wanted=()
for g in "${groups[@]}"; do
	if [ "$g" = all ]; then
		for k in "${!GROUP[@]}"; do wanted+=(${GROUP[$k]}); done
	elif [ -n "${GROUP[$g]:-}" ]; then
		wanted+=(${GROUP[$g]})
	else
		echo "install-deps: unknown group '$g' (build, test, riscv, x86host, all)" >&2
		exit 2
	fi
done

missing=()
for p in "${wanted[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing+=("$p")
	fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "irqvm needs these Debian packages; install them with:" >&2
	echo "  sudo apt-get install -y ${missing[*]}" >&2
	exit 1
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
