#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# The bundled riscv64 guest kernel (docs/guest.md, "RISC-V port") under the
# riscv64 irqvm in the riscv64 KVM test host (docs/test-hosts.md): every TAP
# line the kernel prints becomes a check here, as tests/integration/run.sh
# does for x86. Runs: configs/riscv-demo.json as it is (2 harts), 1 hart,
# 4 harts (the groups that depend on the number of harts), and the ways
# out of the VM: a forced failure through the exit device and through SBI
# SRST, a pass through SRST alone, and a panic.
#
# TAP; the last line is "riscv-guest: N passed, N failed, N skipped".
# Environment: RV_SKIP_BUILD=1 uses what is built; RV_BUILD (build/riscv64).
set -uo pipefail
cd "$(dirname "$0")/../.."
. tests/integration/lib.sh
name=riscv-guest
LOG=build/test-logs/$name
mkdir -p "$LOG"
RV_BUILD=${RV_BUILD:-build/riscv64}
IRQVM=$RV_BUILD/irqvm
KERNEL=build/guest/riscv/kernel.elf
CONFIG=configs/riscv-demo.json
echo "TAP version 13"

finish() { # [REASON]: a reason when the suite stops early on purpose (a SKIP)
	IT_EXPECTED_SKIP=${1:+"the suite stopped early: $1"}
	it_finish "$name"
	exit
}

if ! command -v riscv64-linux-gnu-gcc >/dev/null; then
	it_skip "riscv64 guest kernel" "no riscv64-linux-gnu-gcc (ci/install-deps.sh riscv)"
	finish "no riscv64-linux-gnu-gcc"
fi
if [ "${RV_SKIP_BUILD:-0}" != 1 ]; then
	# The test host (for its uapi headers), the riscv64 irqvm and the
	# kernel; each is cached, so a second run rebuilds nothing.
	start=$(date +%s)
	make --no-print-directory riscv-host riscv-vmm guest-riscv >"$LOG/build.log" 2>&1
	it_check "test host, riscv64 irqvm and riscv64 guest kernel build or are cached ($(( $(date +%s) - start )) s)" \
		$? "see $LOG/build.log"
else
	it_skip "test host, riscv64 irqvm and riscv64 guest kernel build or are cached (0 s)" "RV_SKIP_BUILD=1: what is built is used"
fi
if [ ! -x "$IRQVM" ] || [ ! -f "$KERNEL" ]; then
	it_not_ok "riscv64 irqvm and guest kernel exist" "no $IRQVM or $KERNEL"
	finish
fi
rvhost=${RVHOST_DIR:-build/riscv-host}
if [ ! -f "$rvhost/Image" ]; then
	it_skip "boots in the riscv64 KVM test host" "no $rvhost/Image: run 'make riscv-host'"
	finish "no $rvhost/Image"
fi

hdr=$(riscv64-linux-gnu-readelf -h "$KERNEL" 2>/dev/null)
grep -q "Machine:.*RISC-V" <<<"$hdr" && grep -q "Entry point address:.*0x80000000" <<<"$hdr"
it_check "$KERNEL is a RISC-V ELF entered at 0x80000000 (the start of RAM)" $? \
	"readelf: $(grep -E 'Machine|Entry' <<<"$hdr" | tr -s ' ' | tr '\n' ' ')"

# boot TAG IRQVM-RUN-ARGS...: irqvm run ARGS... /configs/riscv-demo.json in
# the test host, the config's kernel path (../build/guest/riscv/kernel.elf)
# resolving inside the initramfs; sets $st, $log and $secs.
boot() {
	local tag=$1 t0 t1
	shift
	log=$LOG/$tag.log
	t0=$(date +%s.%N)
	ci/host-run --arch riscv64 --timeout 120 --log "$log" --add "$IRQVM:/irqvm" \
		--add "$CONFIG:/configs/riscv-demo.json" --add "$KERNEL:/$KERNEL" \
		-- /irqvm run -v "$@" /configs/riscv-demo.json >/dev/null 2>&1
	st=$?
	t1=$(date +%s.%N)
	secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
	tr -d '\r' <"$log" >"$log.tmp" && mv "$log.tmp" "$log"
}

has() { grep -qF -- "$1" "$log"; }

# tap_checks TAG: every guest TAP line of the last boot becomes a check
# "TAG: description"; then the plan and the exit status.
tap_checks() {
	local tag=$1 plan results=0 line text
	plan=$(grep -E '^1\.\.[0-9]+$' "$log" | tail -1 | cut -d. -f3)
	while IFS= read -r line; do
		results=$((results + 1))
		text=${line#*ok }
		text=${text#* - }
		case "$line" in
		"not ok"*) it_not_ok "$tag: ${text%% # *}" "guest: ${text#* # }" ;;
		*"# SKIP"*) it_skip "$tag: ${text%% # SKIP*}" "${text#*# SKIP }" ;;
		*) it_ok "$tag: $text" ;;
		esac
	done < <(grep -E '^(not )?ok [0-9]+' "$log")
	if [ -z "$plan" ]; then
		it_not_ok "$tag: guest printed a TAP plan" "no 1..N line (see $log)"
		grep -E '^Bail out|^irqvm: ' "$log" | tail -5 | it_diag
	else
		[ "$plan" -eq "$results" ]
		it_check "$tag: plan 1..$plan matches $results results" $? "plan $plan, saw $results"
	fi
	[ "$st" -eq 0 ]
	it_check "$tag: irqvm exit status 0 (all guest checks passed)" $? "status $st (see $log)"
	echo "# $tag: $results guest checks, boot + run $secs s"
}

# --- the demo config as shipped: 2 harts
boot demo
if has "cannot create the event loop: Function not implemented"; then
	echo "# the test host kernel lacks epoll/signalfd/timerfd, which irqvm's event loop needs"
fi
has "# irqvm guest " && has "(riscv64)"
it_check "demo: the kernel prints its banner as riscv64" $? "see $log"
tap_checks demo

# --- one hart
boot 1hart --set vcpus=1
tap_checks 1hart

# --- four harts: what depends on the number of harts
boot 4harts --set vcpus=4 --set "cmdline=tests=boot,smp,ipi,timer,deferred,sched"
tap_checks 4harts

# --- the ways out: the status of a failed check through the exit device,
# then through SBI SRST (irqvm's reason 0xE0000000 + status) without it,
# and a pass through SRST.
boot fail-exitdev --set "cmdline=tests=boot.boot_info,selftest selftest.fail"
[ "$st" -eq 1 ] && has "not ok 2 - forced failure" && ! has "SRST reason"
it_check "a failed check exits 1 through the sifive_test exit device" $? "status $st, see $log"

boot fail-srst --set devices.exit=false --set "cmdline=tests=boot.boot_info,selftest selftest.fail"
[ "$st" -eq 1 ] && has "not ok 2 - forced failure" && has "SRST reason 0xe0000001"
it_check "without the exit device, a failed check exits 1 through SBI SRST (reason 0xe0000001)" $? \
	"status $st, see $log"

boot pass-srst --set devices.exit=false --set "cmdline=tests=boot.boot_info"
[ "$st" -eq 0 ] && has "ok 1 - boot protocol" && has "SRST reason 0xe0000000"
it_check "without the exit device, a pass exits 0 through SBI SRST (reason 0xe0000000)" $? \
	"status $st, see $log"

# --- a panic: an unexpected S-mode page fault is a TAP bail-out with a
# register dump, exit status 1, and fewer results than the plan that the
# guest printed before its first test.
boot panic --set "cmdline=tests=selftest selftest.panic"
plan=$(grep -E '^1\.\.[0-9]+$' "$log" | head -1 | cut -d. -f3)
results=$(grep -cE '^(not )?ok [0-9]+' "$log")
[ "$st" -eq 1 ] && has "Bail out! panic on cpu 0: unexpected load-page-fault" &&
	has "# sepc " && has "# satp " && [ -n "$plan" ] && [ "$results" -lt "$plan" ]
it_check "an unexpected S-mode page fault panics: Bail out!, register dump, exit 1, fewer results ($results) than the plan (${plan:-none})" $? \
	"status $st, see $log"

finish
