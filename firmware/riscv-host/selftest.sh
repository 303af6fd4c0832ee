#!/bin/bash
# SPDX-License-Identifier: MIT
#
# Checks the riscv64 test host end to end: every exit status that
# ci/rv-host-run and /init document, argument passing, --add and --aia.
# Output is TAP; the exit status is non-zero if any check failed.
# Needs `make riscv-host` (the makefile's riscv-host-selftest does both).
# About 15 boots of under a second each, plus one deliberate timeout.
set -uo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
run=$repo/ci/rv-host-run
rvhost=${RVHOST_DIR:-$repo/build/riscv-host}
probe=$rvhost/status-probe
tmp=$(mktemp -d "${TMPDIR:-/tmp}/rv-host-selftest.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

n=0 failed=0
log=$tmp/console.log

# check NAME WANT_STATUS WANT_TEXT RUNNER-ARGS...: each line of WANT_TEXT
# ('' for none) must appear in the console log.
check() {
	local name=$1 want=$2 texts=$3 got=0 text ok=1
	shift 3
	n=$((n + 1))
	: >"$log"
	"$run" --log "$log" "$@" >/dev/null 2>"$tmp/stderr" || got=$?
	[ "$got" = "$want" ] || ok=0
	while IFS= read -r text; do
		[ -z "$text" ] || grep -a -q -F -e "$text" "$log" "$tmp/stderr" || ok=0
	done <<<"$texts"
	if [ "$ok" = 1 ]; then
		echo "ok $n - $name"
	else
		echo "not ok $n - $name (status $got, want $want${texts:+, output must contain: ${texts//$'\n'/ + }})"
		cat "$log" "$tmp/stderr" | tail -n 15 | sed 's/^/# /'
		failed=$((failed + 1))
	fi
}

# Fake QEMUs for the cases the real machine cannot produce on request.
cat >"$tmp/qemu-no-h" <<'EOF'
#!/bin/bash
# the real QEMU, but without the H extension: the kernel offers no /dev/kvm
args=()
for a in "$@"; do args+=("${a//h=true/h=false}"); done
exec qemu-system-riscv64 "${args[@]}"
EOF
printf '#!/bin/sh\necho "fake qemu: cannot start" >&2\nexit 1\n' >"$tmp/qemu-broken"
chmod +x "$tmp/qemu-no-h" "$tmp/qemu-broken"

mkdir -p "$tmp/tree/sub"
echo one >"$tmp/tree/a.txt"
echo two >"$tmp/tree/sub/b.txt"

check "kvm-smoke passes" 0 "kvm-smoke: PASS" -- /kvm-smoke
check "kvm-smoke passes on the AIA machine" 0 \
	$'kvm-smoke: PASS\nin-kernel AIA device: available' --aia -- /kvm-smoke
check "exit code is passed through" 3 "IRQVM-HOST-EXIT: 3" \
	--add "$probe:/bin/status-probe" -- /bin/status-probe exit 3
check "command found through PATH" 0 "IRQVM-HOST-EXIT: 0" \
	--add "$probe:/bin/status-probe" -- status-probe exit 0
check "death by signal is 128+N" 137 "killed by signal 9" \
	--add "$probe:/bin/status-probe" -- /bin/status-probe signal 9
# shellcheck disable=SC2016  # '$HOME;*' must arrive unexpanded
check "arguments arrive intact" 0 $'arg[0]=<a  b>\narg[1]=<>\narg[2]=<q"uo\'te>\narg[3]=<$HOME;*>' \
	--add "$probe:/probe" -- /probe args "a  b" "" "q\"uo'te" '$HOME;*'
check "--add copies a directory tree" 0 $'one\ntwo' \
	--add "$probe" --add "$tmp/tree:/data" -- /status-probe cat /data/a.txt /data/sub/b.txt
check "missing command is 127" 127 "cannot execute '/nonexistent'" -- /nonexistent
check "non-executable command is 127" 127 "Permission denied" -- /irqvm-cmd
QEMU=$tmp/qemu-no-h check "no /dev/kvm is 120" 120 "cannot open /dev/kvm" -- /kvm-smoke
check "timeout kills QEMU with 124" 124 "timeout: QEMU killed" --timeout 4 \
	--add "$probe:/probe" -- /probe sleep 60
check "kernel panic is 126" 126 "Kernel panic" --append rdinit=/nonexistent -- /kvm-smoke
QEMU=$tmp/qemu-broken check "no exit line is 125" 125 "fake qemu: cannot start" -- /kvm-smoke
check "usage error is 2" 2 "--timeout wants" --timeout soon -- /kvm-smoke
check "an argument with a newline is refused" 2 "newline" -- /kvm-smoke $'a\nb'

echo "1..$n"
echo "# $failed of $n failed"
[ "$failed" = 0 ]
