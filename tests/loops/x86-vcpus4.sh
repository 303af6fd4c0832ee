#!/usr/bin/env bash
# The 4-vCPU guest (tests/configs/x86-4cpu.json: every test group on four
# vCPUs) run N times in a row, default 50: the configuration in which one run
# in 19 once stopped inside a PIC check (docs/testing.md, "Hangs"). Not part
# of `make test` (50 runs take about 20 minutes in the emulated x86 host);
# run it through ci/x86-run:
#
#   ci/x86-run --timeout 3600 -- tests/loops/x86-vcpus4.sh 50
#
# One TAP check per run: irqvm exits 0 (every guest check passed). A run
# still going after 200 s (one takes about 20 s in the emulated host) is a
# hang: its thread stacks are printed and its interrupt state kept in
# build/test-logs/vcpus4/ (irqvm's own --timeout is set above that bound, so
# the run is still alive to be described). Ends with "x86-vcpus4: N passed, N failed, N
# skipped" and the slowest run.
#
# KVM_TRACE=1 records KVM's own events while each run goes (exits with the
# guest RIP, injected interrupts and exceptions, interrupts accepted by each
# LAPIC) in the kernel's trace ring buffer, and keeps it as
# build/test-logs/vcpus4/trace-K.txt for a run that failed: the only record
# of where a vCPU was when it triple-faulted, since KVM resets the vCPU's
# registers on a shutdown before irqvm can read them.
set -uo pipefail
cd "$(dirname "$0")/../.."
. tests/integration/lib.sh

RUNS=${1:-50}
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || { echo "usage: $0 [RUNS]   (RUNS a positive number, not '$RUNS')" >&2; exit 2; }
IRQVM=${IRQVM:-build/irqvm}
CONFIG=tests/configs/x86-4cpu.json
LOG=${LOGDIR:-build/test-logs}/vcpus4
mkdir -p "$LOG"
TRACE=/sys/kernel/tracing
trace_start() {
	[ "${KVM_TRACE:-0}" = 1 ] || return 0
	[ -d $TRACE/events ] || mount -t tracefs nodev $TRACE || return 1
	echo 0 >$TRACE/tracing_on
	echo 8192 >$TRACE/buffer_size_kb
	echo 'kvm:kvm_exit kvm:kvm_inj_virq kvm:kvm_inj_exception kvm:kvm_apic_accept_irq kvm:kvm_msi_set_irq' >$TRACE/set_event
	echo >$TRACE/trace
	echo 1 >$TRACE/tracing_on
}
trace_keep() { # RUN
	[ "${KVM_TRACE:-0}" = 1 ] || return 0
	echo 0 >$TRACE/tracing_on
	cp $TRACE/trace "$LOG/trace-$1.txt"
	echo "# run $1: KVM trace kept in $LOG/trace-$1.txt"
}
echo "TAP version 13"
if [ "${KVM_TRACE:-0}" = 1 ] && ! trace_start 2>/dev/null; then
	echo "# KVM_TRACE=1: no usable tracefs here; running without the trace"
	KVM_TRACE=0
fi
slowest=0 hangs=0
for k in $(seq 1 "$RUNS"); do
	trace_start
	t0=$(date +%s%N)
	"$IRQVM" run --timeout 600 "$CONFIG" >"$LOG/run-$k.out" 2>"$LOG/run-$k.err" &
	wait_bounded $! 200; st=$?
	ms=$(( ($(date +%s%N) - t0) / 1000000 ))
	[ $ms -gt $slowest ] && slowest=$ms
	[ $st -eq 124 ] && hangs=$((hangs + 1))
	guest=$(grep -cE '^(not )?ok ' "$LOG/run-$k.out")
	failed=$(grep -E '^not ok ' "$LOG/run-$k.out" | grep -v ' # TODO ' | head -3)
	it_check "run $k: irqvm exit 0, $guest guest checks, $ms ms" $([ $st -eq 0 ]; echo $?) \
		"status $st; $(tr '\n' ';' <<<"$failed") $(tail -3 "$LOG/run-$k.err" | tr '\n' ';')"
	# Keep only the logs of runs that failed.
	if [ $st -eq 0 ]; then rm -f "$LOG/run-$k.out" "$LOG/run-$k.err"; else trace_keep "$k"; fi
done
echo "# $RUNS runs, $hangs hangs (runs past their bound), slowest $slowest ms"
it_finish x86-vcpus4
