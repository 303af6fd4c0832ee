#!/usr/bin/env bash
# irqvm under the compiler's run-time checkers (mk/sanitize.mk): ASan + UBSan
# (memory errors, leaks, undefined behaviour) and TSan (data races between
# the main loop, the vCPU threads, the control thread, storm and device
# threads). Each build runs two of the integration configs' guests and serves a
# control-socket session with concurrent storms, injections, queries and a
# pause; a check passes only if irqvm did its job and no checker reported.
# Needs x86 KVM: tests/run-all.sh runs it through ci/x86-run.
set -uo pipefail
cd "$(dirname "$0")/../.."
. tests/integration/lib.sh
LOG=build/test-logs/sanitize; mkdir -p "$LOG"
# Sockets in /tmp: the work tree may be a 9p share (the x86 test host), and
# 9p takes no UNIX sockets.
SOCKDIR=$(mktemp -d /tmp/irqvm-san.XXXXXX)
trap 'rm -rf "$SOCKDIR"' EXIT
echo "TAP version 13"

# Reports end the process with these statuses; nothing is recovered from.
export ASAN_OPTIONS=detect_leaks=1:exitcode=71:abort_on_error=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:exitcode=72
export TSAN_OPTIONS=halt_on_error=1:exitcode=73:second_deadlock_stack=1

reported() { # stderr file: the first lines of a checker's report, if any
	grep -E -m3 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:|WARNING: ThreadSanitizer' "$1"
}

# A client command against the session's VM, bounded so that a stuck VM
# cannot hang the suite.
# c CMD ARGS...: a client command, itself built with the checker ($BIN)
# unless CLIENT names another irqvm.
c() { local cmd=$1; shift; timeout -k 5 60 "${CLIENT:-$BIN}" "$cmd" --socket "$SOCK" "$@"; }
CLIENT=
PLAIN=${IRQVM:-build/irqvm}	# the uninstrumented client

# session: a serve-mode guest with 2 vCPUs and everything a client can do
# to it at once; the checks come after it quit.
session() {
	SOCK=$SOCKDIR/$SAN.sock
	"$BIN" run configs/x86-demo.json --set "cmdline=serve" --set timeout=600 --api-socket "$SOCK" \
		>"$LOG/$SAN-session.out" 2>"$LOG/$SAN-session.err" &
	local vm=$! end=$((SECONDS + 120)) up=no
	# Up once the guest set its serve flag (routes, CPUs and tasks ready).
	while kill -0 "$vm" 2>/dev/null && [ $SECONDS -lt $end ]; do
		CLIENT=$PLAIN c query --json 2>/dev/null | grep -q '"guest_stats":{"registered":true,.*"serve":true' &&
			{ up=yes; break; }
		sleep 0.2
	done
	SESSION_WHY=
	if [ $up = no ]; then
		SESSION_WHY="the VM never served (see $LOG/$SAN-session.err)"
		kill -KILL "$vm" 2>/dev/null; wait "$vm" 2>/dev/null
		SESSION_STATUS=1
		return
	fi
	local p1 p2 p3 p4 p5 s1 s2 s3 s4 s5 bad=0
	{
		c storm --target msi:0:0x70 --rate 5k/s --count 2000 --no-progress & p1=$!
		c storm --target irq:1 --rate 2k/s --count 600 --no-progress & p2=$!
		c storm --target msi:1:0x71 --rate 5k/s --count 1000 --via irqfd --no-progress & p3=$!
		# Paced by the guest: its thread reads the irqchip and the
		# guest's counts while the others inject, across the pause.
		c storm --target msi:1:0x73 --pace guest --count 300 --no-progress & p5=$!
		# The first round with the checked client, the other four with the
		# plain one: the VMM under the checker gets the same load, and each
		# checked client costs ~0.5-0.75 s to start in the emulated host.
		for i in 1 2 3 4 5; do
			CLIENT=$PLAIN; [ $i != 1 ] || CLIENT=$BIN
			c stats --json >/dev/null || bad=$((bad + 1))
			c info irq --json >/dev/null || bad=$((bad + 1))
			c msi --cpu 1 --vector 0x60 || bad=$((bad + 1))
			c ipi --cpu 0 --vector 0x61 || bad=$((bad + 1))
			c nmi --cpu all || bad=$((bad + 1))
			c inject --gsi 10 --level high || bad=$((bad + 1))
			c inject --gsi 10 --level low || bad=$((bad + 1))
			c inject --irq 3 || bad=$((bad + 1))
		done
		CLIENT=
PLAIN=${IRQVM:-build/irqvm}	# the uninstrumented client
		c pause || bad=$((bad + 1))
		c info irq >/dev/null || bad=$((bad + 1))
		c resume || bad=$((bad + 1))
		wait "$p1"; s1=$?; wait "$p2"; s2=$?; wait "$p3"; s3=$?; wait "$p5"; s5=$?
		# Stopped mid-storm: the storm thread and its client see the end
		# (status 1, "the VM stopped during the storm").
		c storm --target msi:0:0x72 --rate 1000/s --duration 10s --no-progress & p4=$!
		sleep 1
		c quit || bad=$((bad + 1))
		wait "$p4"; s4=$?
	} >"$LOG/$SAN-clients.out" 2>&1
	wait_bounded "$vm" 120
	SESSION_STATUS=$?
	[ "$s1$s2$s3$s5$s4" = 00001 ] && [ $bad -eq 0 ] ||
		SESSION_WHY="storm statuses $s1 $s2 $s3 $s5 (want 0) and $s4 mid-storm (want 1), $bad other commands failed"
}

for SAN in asan tsan; do
	BIN=build/$SAN/irqvm
	name=$([ $SAN = asan ] && echo "ASan+UBSan" || echo "TSan")
	if [ ! -x "$BIN" ]; then
		it_not_ok "$name: irqvm is built" "$BIN is missing (make sanitize-build)"
		continue
	fi
	# TSan maps its shadow at fixed addresses and refuses to start under
	# some kernels' address-space randomisation: that is the host, said
	# once, not a finding about irqvm.
	if "$BIN" --version >/dev/null 2>"$LOG/$SAN-start.err"; then :; else
		if grep -q "FATAL: ThreadSanitizer" "$LOG/$SAN-start.err"; then
			why="the checker cannot start on this kernel: $(head -1 "$LOG/$SAN-start.err")"
			# Under the names the checks have where they run (the expected list).
			for check in "the x86-1cpu guest runs to the end with every check passed, no report" \
				"the x86-kernel-irqchip guest runs to the end with every check passed, no report" \
				"a run refused before it starts (socket path taken) exits 4, no report" \
				"a VM serving concurrent storms (socket, line, irqfd, paced by the guest), injections, queries and a pause: every command did its job, the VM quit 0, no report"; do
				it_skip "$name: $check" "$why"
			done
			continue
		fi
		it_not_ok "$name: irqvm --version runs" "$(head -3 "$LOG/$SAN-start.err")"
		continue
	fi
	# The 1-vCPU guest and KVM's own irqchip; the sessions below drive two
	# vCPUs from several threads at once. (The 4-vCPU guest under TSan two
	# levels down once missed its 1 s guard for a delivery to cpu 1, an
	# open question, docs/testing.md; it runs uninstrumented in the
	# integration suite.)
	# The 1-vCPU guest: every test group, but of the storm tests only the first, as in the
	# vmm suite's valgrind run: the defended storms judge rates, which an
	# instrumented VMM on a busy host does not reach ("polling mode never
	# engaged in 43 interrupts" under ASan beside another test run); the
	# VMM's storm paths are in the sessions below.
	groups=boot,cpu,exceptions,user,syscall,signal,smp,lapic,pic,ioapic,pit,deferred,sched,ipi,msi
	for cfg in tests/configs/x86-1cpu.json tests/configs/x86-kernel-irqchip.json; do
		n=$(basename "$cfg" .json)
		out=$LOG/$SAN-$n.out err=$LOG/$SAN-$n.err
		sel=()
		[ "$n" = x86-1cpu ] && sel=(--set "cmdline=tests=$groups,storm.no_defence")
		it_run_once_more_after_host_fault "$name: $n" "$out" "$err" st "$BIN" run "$cfg" "${sel[@]}"
		rep=$(reported "$err")
		it_check "$name: the $n guest runs to the end with every check passed, no report" \
			$([ $st -eq 0 ] && [ -z "$rep" ]; echo $?) "status $st: ${rep:-$(grep '^not ok' "$out" | grep -v TODO | head -2)} (see $err)"
	done
	# A run refused before it starts (its control socket path is taken by
	# a plain file) gives back what it set up: status 4, no leak.
	touch "$SOCKDIR/plain"
	"$BIN" run configs/x86-demo.json --set timeout=60 --api-socket "$SOCKDIR/plain" \
		>/dev/null 2>"$LOG/$SAN-refused.err"; st=$?
	rep=$(reported "$LOG/$SAN-refused.err")
	it_check "$name: a run refused before it starts (socket path taken) exits 4, no report" \
		$([ $st -eq 4 ] && [ -z "$rep" ]; echo $?) "status $st: ${rep:-$(head -2 "$LOG/$SAN-refused.err")}"
	session
	rep=$(reported "$LOG/$SAN-session.err"; reported "$LOG/$SAN-clients.out")
	it_check "$name: a VM serving concurrent storms (socket, line, irqfd, paced by the guest), injections, queries and a pause: every command did its job, the VM quit 0, no report" \
		$([ "$SESSION_STATUS" -eq 0 ] && [ -z "$SESSION_WHY" ] && [ -z "$rep" ]; echo $?) \
		"status $SESSION_STATUS: ${rep:-${SESSION_WHY:-$(tail -3 "$LOG/$SAN-session.err")}} (see $LOG/$SAN-session.err, $LOG/$SAN-clients.out)"
done

it_finish sanitize
