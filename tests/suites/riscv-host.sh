#!/usr/bin/env bash
# The riscv64 KVM test host: it builds (cached in build/riscv-host), boots in
# qemu-system-riscv64, offers /dev/kvm, and runs a VS-mode guest (kvm-smoke).
set -uo pipefail
cd "$(dirname "$0")/../.."
. tests/integration/lib.sh
LOG=build/test-logs; mkdir -p "$LOG"
echo "TAP version 13"

start=$(date +%s)
make --no-print-directory riscv-host >"$LOG/riscv-host-build.log" 2>&1
st=$?
it_check "riscv64 KVM host kernel builds (or is cached) in $(( $(date +%s) - start )) s" "$st" "see $LOG/riscv-host-build.log"
if [ "$st" -eq 0 ]; then
	ci/host-run --arch riscv64 --timeout 120 --log "$LOG/riscv-smoke.log" -- /kvm-smoke >/dev/null 2>&1
	st=$?
	it_check "the host boots in QEMU and runs a VS-mode guest under KVM (kvm-smoke)" "$st" "status $st, see $LOG/riscv-smoke.log"
	grep -q "hello from VS-mode" "$LOG/riscv-smoke.log"
	it_check "the VS-mode guest's SBI console output reaches the host" $? "no greeting in the log"
fi
it_finish riscv-host
