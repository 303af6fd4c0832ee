#!/usr/bin/env bash
# The KVM test hosts themselves (docs/test-hosts.md): ci/host-run and /init
# keep their contract on both architectures (every exit status, argument
# passing, --add, the x86 shared root, a CPU without the virtualization
# extension reported as "no usable /dev/kvm"). Runs the self-tests of
# firmware/test-host/selftest.sh; each of its lines becomes a check.
set -uo pipefail
cd "$(dirname "$0")/../.."
. tests/integration/lib.sh
LOG=build/test-logs; mkdir -p "$LOG"
echo "TAP version 13"

# selftest ARCH: every TAP line of the self-test becomes one of ours.
selftest() {
	local arch=$1 out=$LOG/test-hosts-$1.log line text st
	firmware/test-host/selftest.sh --arch "$arch" >"$out" 2>&1
	st=$?
	while IFS= read -r line; do
		text=${line#*ok [0-9]* - }
		case $line in
		"not ok"*) it_not_ok "$text" "see $out" ;;
		ok*) it_ok "$text" ;;
		esac
	done < <(grep -E '^(not )?ok [0-9]+ - ' "$out")
	grep -qE '^1\.\.[0-9]+$' "$out"
	it_check "$arch self-test ran to its plan and exited 0" $(( $? || st )) "status $st, see $out"
}

if make --no-print-directory riscv-host >"$LOG/test-hosts-riscv-build.log" 2>&1; then
	selftest riscv64
else
	it_not_ok "riscv64 test host builds" "see $LOG/test-hosts-riscv-build.log"
fi

# The path chooser and its probe, which decide where the x86 suites run.
make --no-print-directory build/kvm-usable >/dev/null 2>&1
out=$(build/kvm-usable /nonexistent/kvm); st=$?
it_check "kvm-usable: a missing device is unusable, and says so" \
	$([ $st -eq 1 ] && [[ $out == "unusable: no /dev/kvm"* ]]; echo $?) "status $st: $out"
out=$(build/kvm-usable /dev/null); st=$?
it_check "kvm-usable: a device that is not KVM is unusable, and says so" \
	$([ $st -eq 1 ] && [[ $out == unusable:* ]]; echo $?) "status $st: $out"
out=$(IRQVM_TEST_HOST=direct ci/x86-run -- sh -c 'exit 7' 2>&1); st=$?
it_check "x86-run: IRQVM_TEST_HOST=direct runs the command here, says so, passes its status" \
	$([ $st -eq 7 ] && grep -q "direct path" <<<"$out"; echo $?) "status $st: $out"
out=$(IRQVM_TEST_HOST=bogus ci/x86-run -- true 2>&1); st=$?
it_check "x86-run: an unknown IRQVM_TEST_HOST is refused (status 2)" \
	$([ $st -eq 2 ] && grep -q "direct, nested or auto" <<<"$out"; echo $?) "status $st: $out"

# What the suites rerun as a fault of the emulated x86 host (emulated_host_crash,
# tests/integration/lib.sh), against the lines irqvm prints: each row is the
# status, the host line, the fault line, and whether it is such a fault.
host_fault_cases() {
	local tcg="host: nested KVM under QEMU TCG (kvm_amd)" kvm="host: bare-metal KVM (kvm_amd)"
	local tf="irqvm: vCPU 0: guest shut down (triple fault)"
	local parked="vCPU 0: started, mp_state runnable, RIP 0xffffffffc035120c, RFLAGS 0x0000000000010002 (IF=0), RIP not mapped for execution by the guest's page tables (not present) [read by the vCPU thread]"
	local mapped="vCPU 0: started, mp_state runnable, RIP 0x0000000000104a70, RFLAGS 0x0000000000000002 (IF=0) [read by the vCPU thread]"
	printf '%s\t%s\t%s\t%s\n' 6 "$tcg" "$tf" yes 6 "$kvm" "$tf" no 1 "$tcg" "$tf" no \
		124 "$tcg" "$parked" yes 124 "$kvm" "$parked" no 124 "$tcg" "$mapped" no \
		6 "$tcg" "$parked" no 1 "$tcg" "$parked" no
}
wrong=()
while IFS=$'\t' read -r st host fault want; do
	printf '%s\n%s\n' "$host" "$fault" >"$LOG/host-fault-case.err"
	got=no
	emulated_host_crash "$st" "$LOG/host-fault-case.err" && got=yes
	[ "$got" = "$want" ] || wrong+=("status $st, '$host', '${fault:0:60}...': $got")
done < <(host_fault_cases)
it_check "emulated_host_crash: the emulated host's triple fault and a vCPU parked at an unmapped RIP, only there" \
	$([ ${#wrong[@]} -eq 0 ]; echo $?) "${wrong[*]}"

# The rerun wrappers save the TAP counters and restore them after a host
# fault; the command they run sets variables of its own (the suites use n, p,
# f, s, t). In a subshell with fresh counters: one check before, a session
# that faults once (its checks dropped, one TODO) and then passes one check
# and fails one must leave 4 checks: 2 passed, 1 failed, 1 todo.
counts=$(
	IT_N=0 IT_PASS=0 IT_FAIL=0 IT_SKIP=0 IT_TODO=0 IT_FAILED_NAMES=()
	flag=$LOG/rerun-case.flag err=$LOG/rerun-case.err out=$LOG/rerun-case.out
	rm -f "$flag"; : >"$out"
	session() {
		n=99 p=99 f=0 s=99 t=99
		it_ok "a check of the session"
		it_not_ok "a failing check of the session" "on purpose"
		if [ -e "$flag" ]; then SESSION_ST=0; : >"$err"; else
			touch "$flag"; SESSION_ST=6
			printf 'host: nested KVM under QEMU TCG (kvm_amd)\nirqvm: vCPU 0: guest shut down (triple fault)\n' >"$err"
		fi
	}
	it_ok "a check before" >/dev/null
	it_rerun_after_host_crash "session" "$out" "$err" SESSION_ST session >/dev/null
	echo "$IT_N $IT_PASS $IT_FAIL $IT_SKIP $IT_TODO"
)
it_check "it_rerun_after_host_crash: after a host fault the counters are those of the rerun, whatever the command's own variables" \
	$([ "$counts" = "4 2 1 0 1" ]; echo $?) "N, passed, failed, skipped, todo: $counts (want 4 2 1 0 1)"

# The x86 host is needed only where the x86 suites take the nested path;
# there it must work. Elsewhere nothing of it is fetched or booted.
if [ "${IRQVM_TEST_HOST:-auto}" = nested ] || ! kvm=$(build/kvm-usable); then
	ci/install-deps.sh x86host >"$LOG/test-hosts-x86-deps.log" 2>&1 &&
		make --no-print-directory x86-host >"$LOG/test-hosts-x86-build.log" 2>&1
	st=$?
	it_check "x86-64 test host is fetched (or cached)" "$st" "see $LOG/test-hosts-x86-*.log"
	[ "$st" -eq 0 ] && selftest x86_64
else
	it_skip "x86-64 test host self-test" "the x86 suites run directly on this machine's /dev/kvm (${kvm#usable: }); the test host is not used"
fi
it_finish test-hosts
