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
	sed -E 's/^(not )?ok [0-9]+ - //; s/ # .*$//' |
	grep -vE '^the checks run are those of |: the guest ran to its end without a fault of the emulated host$' |
	awk '
	function key(s,   out, c, prev, next_) {
		out = ""
		while (match(s, /[0-9]+/)) {
			prev = RSTART > 1 ? substr(s, RSTART - 1, 1) : ""
			next_ = substr(s, RSTART + RLENGTH, 1)
			c = substr(s, RSTART, RLENGTH)
			if (prev !~ /[A-Za-z]/ && next_ !~ /[A-Za-z]/) c = "N"
			out = out substr(s, 1, RSTART - 1) c
			s = substr(s, RSTART + RLENGTH)
		}
		return out s
	}
	{ print key($0) }' | LC_ALL=C sort -u
