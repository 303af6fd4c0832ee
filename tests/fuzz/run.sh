#!/usr/bin/env bash
# Runs the libFuzzer harnesses built by mk/fuzz.mk, FUZZ_JOBS at a time.
#
#   tests/fuzz/run.sh full SECONDS FUZZ_DIR TARGET...
#       each target for SECONDS on FUZZ_DIR/TARGET/corpus (created from the
#       committed seeds in tests/fuzz/corpus/TARGET/, then kept, so later runs
#       start from what earlier ones found); prints a table of executions and
#       coverage (cov: and ft: of libFuzzer's last status line)
#   tests/fuzz/run.sh smoke SECONDS FUZZ_DIR TARGET...
#       each target for SECONDS on a scratch copy of its committed seeds only;
#       prints "ok N - fuzz TARGET: X runs, cov Y" / "not ok ..." per target
#       and "fuzz: N passed, N failed, 0 skipped"
#
# A crash, leak, timeout or out-of-memory is a failure: its input is kept in
# FUZZ_DIR/TARGET/ (crash-*, leak-*, timeout-*, oom-*) and the log in
# FUZZ_DIR/TARGET/fuzz.log; the exit status is 1. Reproduce with
# FUZZ_DIR/bin/TARGET FILE (docs/testing.md, "Fuzzing").
set -uo pipefail
cd "$(dirname "$0")/../.."

mode=${1:-}
seconds=${2:-}
dir=${3:-}
shift 3 2>/dev/null || true
if [[ ! $mode =~ ^(full|smoke)$ || ! $seconds =~ ^[0-9]+$ || -z $dir || $# -eq 0 ]]; then
	echo "usage: tests/fuzz/run.sh full|smoke SECONDS FUZZ_DIR TARGET..." >&2
	exit 2
fi

# libFuzzer's options: the same for every target. A single input that takes
# over 10 s or 2 GiB is a bug of its own (reported as timeout/oom).
opts=(-timeout=10 -rss_limit_mb=2048 -max_len=16384 -print_final_stats=1)

# The targets run side by side, FUZZ_JOBS at a time (default: one per
# CPU); each keeps its own log and status, and the report below is in the
# order given.
run_one() { # TARGET
	local t=$1 out=$dir/$1 seeds=tests/fuzz/corpus/$1 corpus
	mkdir -p "$out"
	if [ "$mode" = smoke ]; then
		corpus=$(mktemp -d "$out/smoke.XXXXXX")
	else
		corpus=$out/corpus
		mkdir -p "$corpus"
	fi
	[ -d "$seeds" ] && cp -n "$seeds"/* "$corpus"/ 2>/dev/null
	rm -f "$out/status"
	# The harness's own stderr (refused configs, usage texts) goes to the log.
	"$dir/bin/$t" "${opts[@]}" -max_total_time="$seconds" -artifact_prefix="$out/" "$corpus" \
		>"$out/fuzz.log" 2>&1 </dev/null
	echo $? >"$out/status"
	[ "$mode" = smoke ] && rm -rf "$corpus"
}
jobs_max=${FUZZ_JOBS:-$(nproc)}
[[ $jobs_max =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: FUZZ_JOBS wants a positive number, not '$jobs_max'" >&2; exit 2; }
for t in "$@"; do
	while [ "$(jobs -rp | wc -l)" -ge "$jobs_max" ]; do
		wait -n
	done
	run_one "$t" &
done
wait

passed=0 failed=0 n=0
rows=()
for t in "$@"; do
	n=$((n + 1))
	out=$dir/$t
	log=$out/fuzz.log
	st=$(cat "$out/status" 2>/dev/null || echo 125)
	runs=$(sed -nE 's/^stat::number_of_executed_units: *([0-9]+).*/\1/p' "$log" | tail -1)
	last=$(grep -E '^#[0-9]+' "$log" | grep -E ' cov: ' | tail -1)
	cov=$(sed -nE 's/.* cov: ([0-9]+).*/\1/p' <<<"$last")
	ft=$(sed -nE 's/.* ft: ([0-9]+).*/\1/p' <<<"$last")
	runs=${runs:-0} cov=${cov:-?} ft=${ft:-?}
	artifact=$(sed -nE 's/.*Test unit written to (.*)$/\1/p' "$log" | tail -1)
	if [ "$st" -eq 0 ]; then
		passed=$((passed + 1))
		verdict=ok
	else
		failed=$((failed + 1))
		verdict=FAILED
		reason=$(grep -m1 -E '^==[0-9]+== ?ERROR|^SUMMARY|runtime error|fuzz invariant violated' "$log")
	fi
	if [ "$mode" = smoke ]; then
		if [ "$st" -eq 0 ]; then
			echo "ok $n - fuzz $t: $runs runs, cov $cov"
		else
			echo "not ok $n - fuzz $t: status $st after $runs runs; input ${artifact:-not saved}, log $log"
			echo "# ${reason:-see $log}"
		fi
	else
		rows+=("$(printf '%-12s %-7s %10s %8s %8s  %s' "$t" "$verdict" "$runs" "$cov" "$ft" \
			"${artifact:+crash input: $artifact}")")
		if [ "$st" -ne 0 ]; then
			echo "fuzz $t: status $st: ${reason:-see $log}"
		fi
	fi
done

if [ "$mode" = smoke ]; then
	echo "fuzz: $passed passed, $failed failed, 0 skipped"
else
	echo
	printf '%-12s %-7s %10s %8s %8s\n' target verdict runs cov ft
	printf '%s\n' "${rows[@]}"
	echo "fuzz: $passed passed, $failed failed, 0 skipped ($seconds s per target)"
fi
[ "$failed" -eq 0 ]
