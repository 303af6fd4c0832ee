#!/usr/bin/env bash
# Every test irqvm has: Criterion unit tests, then the guest integration
# tests (x86), then the RISC-V suite when its host can be built. Prints each
# suite's output and ends with one summary line; exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."

BUILD=${BUILD:-build}
total_pass=0 total_fail=0 total_skip=0
suites_failed=()
start=$(date +%s)

# unit: Criterion's "Synthesis: Tested: N | Passing: P | Failing: F | Crashing: C"
echo "=== unit tests (Criterion)"
"$BUILD/tests/unit-tests" --jobs 2 >"$BUILD/unit.log" 2>&1
unit_status=$?
grep -E '^\[(FAIL|----)\]' "$BUILD/unit.log" | head -50
synth=$(grep -E 'Synthesis: Tested' "$BUILD/unit.log" | tail -1)
echo "$synth"
if [ -n "$synth" ]; then
	p=$(sed -E 's/.*Passing: ([0-9]+).*/\1/' <<<"$synth")
	f=$(sed -E 's/.*Failing: ([0-9]+).*/\1/' <<<"$synth")
	c=$(sed -E 's/.*Crashing: ([0-9]+).*/\1/' <<<"$synth")
	total_pass=$((total_pass + p)); total_fail=$((total_fail + f + c))
else
	total_fail=$((total_fail + 1))
fi
[ "$unit_status" -eq 0 ] || suites_failed+=(unit)

# integration: TAP ending with "integration: N passed, N failed, N skipped"
echo "=== integration tests (x86 guests)"
tests/integration/run.sh | tee "$BUILD/integration.log"
int_status=${PIPESTATUS[0]}
line=$(grep -E '^integration: [0-9]+ passed' "$BUILD/integration.log" | tail -1)
if [ -n "$line" ]; then
	total_pass=$((total_pass + $(sed -E 's/^integration: ([0-9]+) passed.*/\1/' <<<"$line")))
	total_fail=$((total_fail + $(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$line")))
	total_skip=$((total_skip + $(sed -E 's/.* ([0-9]+) skipped.*/\1/' <<<"$line")))
else
	total_fail=$((total_fail + 1))
fi
[ "$int_status" -eq 0 ] || suites_failed+=(integration)

# The x86 suites first, then the RISC-V ones (they boot a QEMU host), then
# any suite not named here.
ordered=()
for name in vmm control riscv-host riscv-vmm riscv-guest; do
	[ -x "tests/suites/$name.sh" ] && ordered+=("tests/suites/$name.sh")
done
for extra in tests/suites/*.sh; do
	case " ${ordered[*]} " in *" $extra "*) ;; *) [ -x "$extra" ] && ordered+=("$extra") ;; esac
done
for extra in "${ordered[@]}"; do
	name=$(basename "$extra" .sh)
	echo "=== $name"
	"$extra" | tee "$BUILD/$name.log"
	st=${PIPESTATUS[0]}
	line=$(grep -E "^$name: [0-9]+ passed" "$BUILD/$name.log" | tail -1)
	if [ -n "$line" ]; then
		total_pass=$((total_pass + $(sed -E "s/^$name: ([0-9]+) passed.*/\1/" <<<"$line")))
		total_fail=$((total_fail + $(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$line")))
		total_skip=$((total_skip + $(sed -E 's/.* ([0-9]+) skipped.*/\1/' <<<"$line")))
	else
		total_fail=$((total_fail + 1))
	fi
	[ "$st" -eq 0 ] || suites_failed+=("$name")
done

echo "=== make test took $(( $(date +%s) - start )) s; failed suites: ${suites_failed[*]:-none}"
echo "total: $total_pass passed, $total_fail failed, $total_skip skipped"
[ ${#suites_failed[@]} -eq 0 ] && [ "$total_fail" -eq 0 ]
