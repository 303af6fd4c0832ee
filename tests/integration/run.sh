#!/usr/bin/env bash
# Integration tests: boot the bundled guest kernel under irqvm with several
# configs and check every TAP line it reports, the exit status, and that
# every bad config is refused with status 2 and the expected message.
# Prints TAP; the last line is "integration: N passed, N failed, N skipped"
# plus ", N todo" when the host has known deviations (guest "# TODO" lines).
set -uo pipefail
cd "$(dirname "$0")/../.."
. tests/integration/lib.sh

IRQVM=${IRQVM:-build/irqvm}
LOGDIR=${LOGDIR:-build/test-logs}
mkdir -p "$LOGDIR"
echo "TAP version 13"

# run_guest NAME CONFIG [irqvm args...]: every guest TAP line becomes a check.
run_guest() {
	local name=$1 config=$2; shift 2
	local out="$LOGDIR/$name.out" err="$LOGDIR/$name.err"
	local status
	it_run_once_more_after_host_fault "$name" "$out" "$err" status "$IRQVM" run "$config" "$@"
	local plan results=0 line
	plan=$(grep -E '^1\.\.[0-9]+$' "$out" | tail -1 | cut -d. -f3)
	while IFS= read -r line; do
		results=$((results + 1))
		local text=${line#*ok }
		text=${text#* - }
		case "$line" in
		"not ok"*" # TODO "*) it_todo "$name: ${text%% # TODO *}" "${text#* # TODO }" ;;
		"not ok"*) it_not_ok "$name: $text" "guest reported failure" ;;
		*"# SKIP"*) it_skip "$name: ${text%% # SKIP*}" "${text#*# SKIP }" ;;
		*) it_ok "$name: $text" ;;
		esac
	done < <(grep -E '^(not )?ok [0-9]+' "$out")
	if [ -z "$plan" ]; then
		it_not_ok "$name: guest printed a TAP plan" "no 1..N line (see $out, $err)"
		tail -5 "$err" | it_diag
	else
		it_check "$name: plan 1..$plan matches $results results" $([ "$plan" -eq "$results" ]; echo $?) "plan $plan, saw $results"
	fi
	it_check "$name: irqvm exit status 0 (all guest checks passed)" "$status" "status $status (see $err)"
	if [ "$status" -ne 0 ]; then tail -20 "$err" | it_diag; fi
}

# Every bad config must be refused before a VM exists.
run_bad_configs() {
	local f expect desc status err
	for f in tests/configs/bad/*.json; do
		[ -e "$f" ] || continue
		expect=$(sed -n 1p "${f%.json}.expect" 2>/dev/null)
		desc=$(sed -n 2p "${f%.json}.expect" 2>/dev/null | sed 's/^# //')
		err=$("$IRQVM" run "$f" 2>&1 >/dev/null)
		status=$?
		if [ "$status" -ne 2 ]; then
			it_not_ok "bad config $(basename "$f") is refused with status 2 ($desc)" "status $status: $err"
		elif [ -n "$expect" ] && ! grep -qF -- "$expect" <<<"$err"; then
			it_not_ok "bad config $(basename "$f") names the problem ($desc)" "expected '$expect' in: $err"
		else
			it_ok "bad config $(basename "$f") is refused with status 2 and says '$expect'"
		fi
	done
}

# CLI behaviour users rely on.
run_cli_checks() {
	"$IRQVM" --version | grep -q '^irqvm [0-9]'; it_check "irqvm --version prints the version" $? "no version line"
	"$IRQVM" --help | grep -q 'usage: irqvm'; it_check "irqvm --help prints usage and exits 0" $? "no usage"
	"$IRQVM" run --help | grep -q -- '--set KEY=VALUE'; it_check "irqvm run --help documents --set" $? "no --set"
	"$IRQVM" frobnicate >/dev/null 2>&1; s=$?
	it_check "an unknown command exits 2" $([ $s -eq 2 ]; echo $?) "status $s"
	"$IRQVM" run >/dev/null 2>&1; s=$?
	it_check "irqvm run without a config exits 2" $([ $s -eq 2 ]; echo $?) "status $s"
	"$IRQVM" run configs/x86-demo.json --exit-code bogus >/dev/null 2>&1; s=$?
	it_check "a bad --exit-code value exits 2" $([ $s -eq 2 ]; echo $?) "status $s"
	"$IRQVM" run configs/x86-demo.json --set vcpus=99 >/dev/null 2>"$LOGDIR/set.err"; s=$?
	it_check "--set vcpus=99 is refused with status 2" $([ $s -eq 2 ] && grep -q vcpus "$LOGDIR/set.err"; echo $?) "status $s: $(cat "$LOGDIR/set.err")"
}

run_cli_checks
run_bad_configs
for cfg in tests/configs/*.json; do
	[ -e "$cfg" ] || continue
	run_guest "$(basename "$cfg" .json)" "$cfg"
done

it_finish integration
