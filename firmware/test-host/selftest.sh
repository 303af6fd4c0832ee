#!/bin/bash
# SPDX-License-Identifier: MIT
#
# Checks a KVM test host end to end: every exit status that ci/host-run and
# /init document, argument passing, --add, and per architecture what the
# host must offer (riscv64: a VS-mode guest, the AIA machine; x86_64: the
# shared work tree and userland).
#
#   selftest.sh --arch x86_64|riscv64
#
# Output is TAP; the exit status is non-zero if any check failed. Needs
# `make riscv-host` or `make x86-host` (the makefile's *-host-selftest
# targets do both). About 15 boots (riscv64) or 17 (x86_64) plus one
# deliberate timeout.
#
# The checks are independent, each with its own host, console log and
# files, so SELFTEST_JOBS of them (default 2) run at once: an x86 host boot
# under TCG keeps about one CPU busy, and on these 2-CPU machines two boots
# side by side take little longer than one. Results print in check order.
set -uo pipefail

[ "${1:-}" = --arch ] && [ -n "${2:-}" ] || { echo "usage: selftest.sh --arch x86_64|riscv64" >&2; exit 2; }
arch=$2
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)
case $arch in
riscv64) hostdir=${RVHOST_DIR:-$repo/build/riscv-host} real_qemu=qemu-system-riscv64
	no_kvm_edit='s/h=true/h=false/' ;;
x86_64) hostdir=${X86HOST_DIR:-$repo/build/x86-host} real_qemu=qemu-system-x86_64
	no_kvm_edit='s/^max$/max,-svm/' ;;
*) echo "selftest.sh: unknown arch '$arch'" >&2; exit 2 ;;
esac
run() { "$repo/ci/host-run" --arch "$arch" "$@"; }
run_recording() {	# run_recording RUNNER-ARGS...: console in $log, messages and fault in $err
	local st=0
	run --log "$log" --fault-file "$dir/fault" "$@" >/dev/null 2>"$err" || st=$?
	echo "fault-file: $(cut -d: -f1 "$dir/fault" 2>/dev/null | grep . || echo none)" >>"$err"
	return "$st"
}
probe=$hostdir/status-probe
tmp=$(mktemp -d "${TMPDIR:-/tmp}/host-selftest.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

jobs_max=${SELFTEST_JOBS:-2}
[[ $jobs_max =~ ^[1-9][0-9]*$ ]] || { echo "selftest.sh: SELFTEST_JOBS must be a positive number, not '$jobs_max'" >&2; exit 2; }
n=0

# spawn FUNC ARGS...: the next check, numbered $n, as a background job
# writing its TAP line (and any diagnostics) to $tmp/N/result, once fewer
# than $jobs_max checks run. FUNC gets its files in $dir, $log and $err.
spawn() {
	n=$((n + 1))
	while [ "$(jobs -rp | wc -l)" -ge "$jobs_max" ]; do wait -n; done
	local dir=$tmp/$n
	mkdir -p "$dir"
	(log=$dir/console.log err=$dir/stderr; : >"$log"; "$@") >"$dir/result" 2>&1 &
}

# check NAME WANT_STATUS WANT_TEXT RUNNER-ARGS...: each line of WANT_TEXT
# ('' for none) must appear in the console log or the runner's messages,
# which end with "fault-file: " and what --fault-file received ("none"
# when the host did not fail).
check() { spawn check_now "$@"; }
check_now() {
	local name=$1 want=$2 texts=$3 got=0 text ok=1
	shift 3
	run_recording "$@" || got=$?
	# A hung host kernel (118, a fault of the emulator) says nothing about
	# the check: boot once more, as make test's suites do (ci/x86-run).
	if [ "$got" = 118 ] && [ "$want" != 118 ]; then
		echo "# $arch: the host hung during '$name' (118): booting it once more"
		got=0
		: >"$log"
		run_recording "$@" || got=$?
	fi
	[ "$got" = "$want" ] || ok=0
	while IFS= read -r text; do
		[ -z "$text" ] || grep -a -q -F -e "$text" "$log" "$err" || ok=0
	done <<<"$texts"
	if [ "$ok" = 1 ]; then
		echo "ok $n - $arch: $name"
	else
		echo "not ok $n - $arch: $name (status $got, want $want${texts:+, output must contain: ${texts//$'\n'/ + }})"
		cat "$log" "$err" | tail -n 15 | sed 's/^/# /'
	fi
}

# Fake QEMUs for the cases the real machine cannot produce on request.
# The real QEMU without the virtualization extension: no /dev/kvm inside.
cat >"$tmp/qemu-no-kvm" <<EOF
#!/bin/bash
args=()
for a in "\$@"; do args+=("\$(sed '$no_kvm_edit' <<<"\$a")"); done
exec $real_qemu "\${args[@]}"
EOF
printf '#!/bin/sh\necho "fake qemu: cannot start" >&2\nexit 1\n' >"$tmp/qemu-broken"
chmod +x "$tmp/qemu-no-kvm" "$tmp/qemu-broken"

mkdir -p "$tmp/tree/sub"
echo one >"$tmp/tree/a.txt"
echo two >"$tmp/tree/sub/b.txt"

# The checks that need only the initramfs (--no-share: on x86 the command
# would otherwise run in the shared root, where --add files are not).
p=(--no-share --add "$probe:/bin/status-probe")
if [ "$arch" = riscv64 ]; then
	smoke=(-- /kvm-smoke)
	check "kvm-smoke passes" 0 "kvm-smoke: PASS" "${smoke[@]}"
	check "kvm-smoke passes on the AIA machine" 0 \
		$'kvm-smoke: PASS\nin-kernel AIA device: available' --aia -- /kvm-smoke
	no_kvm_text="cannot open /dev/kvm"
else
	smoke=("${p[@]}" -- /bin/status-probe exit 0)
	check "the host boots and offers /dev/kvm" 0 "/dev/kvm ready" "${smoke[@]}"
	no_kvm_text="cannot open /dev/kvm"
	# The shared root: the outer machine's /usr and the work tree.
	check "the work tree is shared read-write at its own path" 0 "IRQVM-HOST-EXIT: 0" \
		-- /bin/sh -c "test -f '$repo/ci/host-run' && touch '$repo/build/.host-run-probe' && rm '$repo/build/.host-run-probe'"
	# From a subdirectory: the host must keep it, not fall back to the top.
	pushd "$repo/tests" >/dev/null || exit 2
	check "the outer userland runs (bash, coreutils), the working directory is kept" \
		0 "cwd=$repo/tests" -- /bin/bash -c 'echo "cwd=$(pwd)"; ls /usr/bin/env >/dev/null'
	popd >/dev/null || exit 2
	check "/usr and /etc are mounted read-only, the work tree read-write" 0 "IRQVM-HOST-EXIT: 0" \
		-- /bin/sh -c "grep -q ' /usr 9p ro,' /proc/mounts && grep -q ' /etc 9p ro,' /proc/mounts && grep -q ' $repo 9p rw,' /proc/mounts"
	check "the suites are told they run inside the host" 0 "IRQVM_IN_TEST_HOST=x86_64" \
		-- /bin/sh -c 'echo "IRQVM_IN_TEST_HOST=$IRQVM_IN_TEST_HOST"'
	# A hung host kernel cannot say so itself: its heartbeat stops. Stopping
	# the heartbeat process (the child of /init) looks the same from outside.
	# shellcheck disable=SC2016  # expanded inside the host
	check "a host whose heartbeat stops is reported hung, with its CPUs: 118, a host fault" 118 \
		$'the host kernel hung\nCPU#0 RIP\nCPU#1 RIP\nfault-file: hang' --hang-after 6 -- /bin/bash -c \
		'for p in $(pgrep -x init); do [ "$p" = 1 ] || kill -STOP "$p"; done; sleep 60'
	# The host's own kernel failing under the command (docs/test-hosts.md,
	# "Host faults"), on request: sysrq c panics, sysrq b resets at once.
	check "a host kernel panic while the command runs is 126, a host fault" 126 \
		$'Kernel panic\nthe host kernel panicked while the command ran\nfault-file: panic' \
		-- /bin/sh -c 'echo c >/proc/sysrq-trigger; sleep 60'
	check "a host reset while the command runs is 125, a host fault" 125 \
		$'the host reset itself while the command ran\nfault-file: reset' \
		-- /bin/sh -c 'echo b >/proc/sysrq-trigger; sleep 60'
	# ci/x86-run boots a fresh host after a host fault, as often as asked,
	# and then passes the status on; a command's own status is not retried.
	# x86_run_once CMD...: ci/x86-run with one retry, its output in $out and
	# status in $st. A host that hangs on its own (118, before or beside the
	# fault asked for) uses up the retry and says nothing about these
	# checks: then the whole run goes once more, as check() does.
	x86_run_once() {
		local try
		for try in 1 2; do
			st=0
			out=$(IRQVM_TEST_HOST=nested "$repo/ci/x86-run" --timeout 900 \
				--host-fault-retries 1 -- "$@" 2>&1) || st=$?
			grep -q 'test host failed (hang' <<<"$out" || break
			echo "# $arch: the host hung on its own during an x86-run retry check: running it once more"
		done
	}
	# retry_check NAME WANT_BOOTS WANT_TEXT CMD...: x86-run retries a
	# fault of the host, not the command's own 126.
	retry_check() {
		local name=$1 want_boots=$2 text=$3 boots
		shift 3
		x86_run_once "$@"
		boots=$(grep -c 'booting the x86_64 host' <<<"$out")
		if [ "$st" = 126 ] && [ "$boots" = "$want_boots" ] && { [ -z "$text" ] || grep -q -F -e "$text" <<<"$out"; }; then
			echo "ok $n - $arch: $name"
		else
			echo "not ok $n - $arch: $name (status $st, $boots boots)"
			tail -n 15 <<<"$out" | sed 's/^/# /'
		fi
	}
	spawn retry_check "x86-run --host-fault-retries 1: a host that panics is booted once more, then its 126 passed on" \
		2 'test host failed (panic, status 126' /bin/sh -c 'echo c >/proc/sysrq-trigger; sleep 60'
	spawn retry_check "x86-run --host-fault-retries 1: a command's own status 126 is not retried" \
		1 '' /bin/sh -c 'exit 126'
fi
check "exit code is passed through" 3 "IRQVM-HOST-EXIT: 3" \
	"${p[@]}" -- /bin/status-probe exit 3
# /init and the runner are the same code on both architectures: the checks
# of argument passing and exec failures run where a boot costs 1 s, not 7.
if [ "$arch" = riscv64 ]; then
	check "command found through PATH" 0 "IRQVM-HOST-EXIT: 0" \
		"${p[@]}" -- status-probe exit 0
	check "death by signal is 128+N" 137 "killed by signal 9" \
		"${p[@]}" -- /bin/status-probe signal 9
	# shellcheck disable=SC2016  # '$HOME;*' must arrive unexpanded
	check "arguments arrive intact" 0 $'arg[0]=<a  b>\narg[1]=<>\narg[2]=<q"uo\'te>\narg[3]=<$HOME;*>' \
		"${p[@]}" -- /bin/status-probe args "a  b" "" "q\"uo'te" '$HOME;*'
	check "--add copies a directory tree" 0 $'one\ntwo' \
		"${p[@]}" --add "$tmp/tree:/data" -- /bin/status-probe cat /data/a.txt /data/sub/b.txt
	check "missing command is 127" 127 "cannot execute '/nonexistent'" --no-share -- /nonexistent
	check "non-executable command is 127" 127 "Permission denied" --no-share -- /irqvm-cmd
fi
QEMU=$tmp/qemu-no-kvm check "no /dev/kvm is 120" 120 "$no_kvm_text" "${smoke[@]}"
check "timeout kills QEMU with 124" 124 "timeout: QEMU killed" --timeout 4 \
	"${p[@]}" -- /bin/status-probe sleep 60
check "a command past its deadline: every process reported, all killed, 124" 124 \
	$'hang: process\nsleep 60\ncommand killed at its deadline of 3 s' --deadline 3 --timeout 120 \
	"${p[@]}" -- /bin/status-probe sleep 60
check "kernel panic before the command is 126, not a host fault" 126 $'Kernel panic\nfault-file: none' \
	--append rdinit=/nonexistent "${smoke[@]}"
QEMU=$tmp/qemu-broken check "no exit line is 125" 125 "fake qemu: cannot start" "${smoke[@]}"
check "usage error is 2" 2 "--timeout wants" --timeout soon "${smoke[@]}"
check "an argument with a newline is refused" 2 "newline" "${smoke[@]}" $'a\nb'

wait
failed=0
for ((i = 1; i <= n; i++)); do
	if [ -s "$tmp/$i/result" ]; then
		cat "$tmp/$i/result"
	else
		echo "not ok $i - $arch: check $i printed no result"
	fi
	grep -q "^ok $i - " "$tmp/$i/result" 2>/dev/null || failed=$((failed + 1))
done
echo "1..$n"
echo "# $failed of $n failed"
[ "$failed" = 0 ]
