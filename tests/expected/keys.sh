#!/usr/bin/env bash
# Prints the expected-list keys of the checks in one or more TAP logs of a
# suite (a run's build/SUITE.log): each check name with every run of digits
# that touches no letter written N, sorted, once each; without the list check
# itself and the TODOs of reruns after a fault of the emulated host
# (tests/integration/lib.sh, it_expected, whose key function this repeats).
# Names that differ between hosts become "A || B" lines by hand
# (docs/testing.md, "Expected lists").
#
#   tests/expected/keys.sh build/control.log >tests/expected/control.list
set -euo pipefail
grep -hE '^(not )?ok [0-9]+ - ' "$@" |
	sed -E 's/^(not )?ok [0-9]+ - //' |
	grep -vE '^the checks run are those of |: the guest ran to its end without a fault of the emulated host$' |
	awk -f "$(dirname "$0")/key.awk" -f "$(dirname "$0")/print-keys.awk" | LC_ALL=C sort -u
